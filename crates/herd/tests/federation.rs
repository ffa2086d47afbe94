//! What other servers read: WebFinger, host-meta, NodeInfo, actors with keys, notes and
//! collections, per instance, by content negotiation.

mod common;

use common::{Resp, Server, follow_remote, followed, pair, post_signed};
use reqwest::Method;
use serde_json::{Value, json};

const AP: &str = "application/activity+json";

async fn ap(s: &Server, d: &str, path: &str) -> Resp {
    let r = s
        .http
        .get(s.url(d, path))
        .header("accept", "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"")
        .send()
        .await
        .expect("sent");
    Resp::from(r).await
}

#[tokio::test]
async fn discovery_documents_per_instance() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let other = s.tenant("org-b.test", "closed").await;
    s.account(&d, "alice", "member").await;
    let (_, at) = s.account(&d, "Bob", "member").await;
    s.post(&d, "/api/v1/statuses", Some(&at), json!({"status": "hello"}))
        .await
        .expect(200);
    let base = format!("http://{d}");

    let wf = s
        .get(&d, &format!("/.well-known/webfinger?resource=acct:alice@{d}"), None)
        .await
        .expect(200);
    assert!(
        wf.headers["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("application/jrd+json")
    );
    assert_eq!(wf.json["subject"], format!("acct:alice@{d}"));
    let links = wf.json["links"].as_array().expect("links").clone();
    let self_link = links.iter().find(|l| l["rel"] == "self").expect("self link");
    assert_eq!(self_link["type"], AP);
    assert_eq!(self_link["href"], format!("{base}/users/alice"));
    assert!(
        links
            .iter()
            .any(|l| l["rel"] == "http://webfinger.net/rel/profile-page" && l["href"] == format!("{base}/@alice"))
    );
    // Case-insensitive usernames, URL resources, the instance actor.
    let wf = s
        .get(&d, &format!("/.well-known/webfinger?resource=acct:BOB@{d}"), None)
        .await
        .expect(200);
    assert_eq!(wf.json["subject"], format!("acct:Bob@{d}"));
    let wf = s
        .get(&d, &format!("/.well-known/webfinger?resource={base}/users/alice"), None)
        .await
        .expect(200);
    assert_eq!(wf.json["subject"], format!("acct:alice@{d}"));
    let wf = s
        .get(&d, &format!("/.well-known/webfinger?resource=acct:{d}@{d}"), None)
        .await
        .expect(200);
    assert!(
        wf.json["links"]
            .as_array()
            .is_some_and(|l| l.iter().any(|l| l["href"] == format!("{base}/actor")))
    );
    // Errors: missing, malformed, unknown, another instance's account or domain.
    for (q, status) in [
        (String::new(), 400),
        ("?resource=".into(), 400),
        ("?resource=alice".into(), 400),
        (format!("?resource=acct:nobody@{d}"), 404),
        (format!("?resource=acct:alice@{other}"), 404),
        ("?resource=acct:alice@elsewhere.example".into(), 404),
    ] {
        let r = s.get(&d, &format!("/.well-known/webfinger{q}"), None).await;
        assert_eq!(r.status.as_u16(), status, "{q}: {}", r.text);
        assert!(r.json["error"].is_string(), "{q}: {}", r.text);
    }
    s.get(&other, &format!("/.well-known/webfinger?resource=acct:alice@{other}"), None)
        .await
        .expect(404);

    let hm = s.get(&d, "/.well-known/host-meta", None).await.expect(200);
    assert!(
        hm.text
            .contains(&format!("template=\"{base}/.well-known/webfinger?resource={{uri}}\"")),
        "{}",
        hm.text
    );

    let links = s.get(&d, "/.well-known/nodeinfo", None).await.expect(200).json;
    for v in ["2.0", "2.1"] {
        let href = format!("{base}/nodeinfo/{v}");
        assert!(
            links["links"].as_array().is_some_and(|l| l.iter().any(|l| l["href"] == href)),
            "{links}"
        );
        let ni = s.get(&d, &format!("/nodeinfo/{v}"), None).await.expect(200).json;
        assert_eq!(ni["version"], v);
        assert_eq!(ni["software"]["name"], "herd");
        assert_eq!(ni["protocols"], json!(["activitypub"]));
        assert_eq!(ni["metadata"]["upstream"]["name"], "mastodon");
        assert_eq!(ni["openRegistrations"], true);
        assert_eq!(ni["usage"]["users"]["total"], 2);
        assert_eq!(ni["usage"]["users"]["activeMonth"], 1);
        assert_eq!(ni["usage"]["localPosts"], 1);
    }
    let closed = s.get(&other, "/nodeinfo/2.0", None).await.expect(200).json;
    assert_eq!(closed["openRegistrations"], false);
    assert_eq!(closed["usage"]["users"]["total"], 0);
    s.get(&d, "/nodeinfo/1.0", None).await.expect(404);
    s.stop().await;
}

#[tokio::test]
async fn actors_notes_and_collections() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let other = s.tenant("org-b.test", "open").await;
    let (alice, at) = s.account(&d, "alice", "member").await;
    let (_, bt) = s.account(&d, "bob", "member").await;
    let base = format!("http://{d}");
    let alice_id = format!("{base}/users/alice");
    s.post(&d, &format!("/api/v1/accounts/{alice}/follow"), Some(&bt), json!({}))
        .await
        .expect(200);
    s.call(
        Method::PATCH,
        &d,
        "/api/v1/accounts/update_credentials",
        Some(&at),
        json!({"display_name": "Alice", "note": "Hi", "locked": true, "fields_attributes": {"0": {"name": "Web", "value": "https://alice.example"}}}),
    )
    .await
    .expect(200);

    // The actor, with a key that stays the same.
    let actor = ap(&s, &d, "/users/alice").await.expect(200);
    assert!(actor.headers["content-type"].to_str().unwrap_or("").starts_with(AP));
    let a = &actor.json;
    assert_eq!(a["id"], alice_id);
    assert_eq!(a["type"], "Person");
    assert_eq!(a["preferredUsername"], "alice");
    assert_eq!(a["name"], "Alice");
    assert_eq!(a["manuallyApprovesFollowers"], true);
    assert_eq!(a["inbox"], format!("{alice_id}/inbox"));
    assert_eq!(a["outbox"], format!("{alice_id}/outbox"));
    assert_eq!(a["followers"], format!("{alice_id}/followers"));
    assert_eq!(a["featured"], format!("{alice_id}/collections/featured"));
    assert_eq!(a["endpoints"]["sharedInbox"], format!("{base}/inbox"));
    assert_eq!(a["publicKey"]["id"], format!("{alice_id}#main-key"));
    assert_eq!(a["publicKey"]["owner"], alice_id);
    let pem = a["publicKey"]["publicKeyPem"].as_str().expect("pem").to_string();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
    assert_eq!(a["attachment"][0]["type"], "PropertyValue");
    assert!(
        a["attachment"][0]["value"]
            .as_str()
            .is_some_and(|v| v.contains("href=\"https://alice.example\""))
    );
    assert!(
        a["@context"]
            .as_array()
            .is_some_and(|c| c.contains(&json!("https://w3id.org/security/v1")))
    );
    assert_eq!(ap(&s, &d, "/users/alice").await.json["publicKey"]["publicKeyPem"], json!(pem));
    let bob_pem = ap(&s, &d, "/users/bob").await.expect(200).json["publicKey"]["publicKeyPem"].clone();
    assert_ne!(bob_pem, json!(pem), "each actor has its own key");
    // A browser is sent to the profile page; unknown actors and other instances get 404.
    let html = s.get(&d, "/users/alice", None).await.expect(302);
    assert_eq!(html.headers["location"], format!("{base}/@alice"));
    ap(&s, &d, "/users/nobody").await.expect(404);
    ap(&s, &other, "/users/alice").await.expect(404);
    let inst = ap(&s, &d, "/actor").await.expect(200).json;
    assert_eq!(inst["type"], "Application");
    assert_eq!(inst["preferredUsername"], json!(d));
    assert!(inst["publicKey"]["publicKeyPem"].as_str().is_some_and(|p| p != pem));

    // Posts: public, unlisted and boosts are readable; followers-only and direct are not.
    let public = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "Hi @bob #Herd", "language": "en", "spoiler_text": "cw"}),
        )
        .await
        .expect(200)
        .id();
    let reply = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&bt),
            json!({"status": "@alice hello", "in_reply_to_id": public, "visibility": "unlisted"}),
        )
        .await
        .expect(200)
        .id();
    let private = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "friends", "visibility": "private"}),
        )
        .await
        .expect(200)
        .id();
    let boost = s
        .post(&d, &format!("/api/v1/statuses/{reply}/reblog"), Some(&at), json!({}))
        .await
        .expect(200)
        .id();
    s.post(&d, &format!("/api/v1/statuses/{public}/pin"), Some(&at), json!({}))
        .await
        .expect(200);

    let note = ap(&s, &d, &format!("/users/alice/statuses/{public}")).await.expect(200).json;
    let note_id = format!("{alice_id}/statuses/{public}");
    assert_eq!(note["id"], note_id);
    assert_eq!(note["type"], "Note");
    assert_eq!(note["attributedTo"], alice_id);
    assert_eq!(note["to"], json!(["https://www.w3.org/ns/activitystreams#Public"]));
    assert_eq!(note["cc"], json!([format!("{alice_id}/followers"), format!("{base}/users/bob")]));
    assert_eq!(note["summary"], "cw");
    assert_eq!(note["url"], format!("{base}/@alice/{public}"));
    assert_eq!(note["contentMap"]["en"], note["content"]);
    let tags = note["tag"].as_array().expect("tags");
    assert!(
        tags.iter()
            .any(|t| t["type"] == "Mention" && t["href"] == format!("{base}/users/bob") && t["name"] == "@bob")
    );
    assert!(
        tags.iter()
            .any(|t| t["type"] == "Hashtag" && t["name"] == "#herd" && t["href"] == format!("{base}/tags/herd"))
    );
    let answer = ap(&s, &d, &format!("/users/bob/statuses/{reply}")).await.expect(200).json;
    assert_eq!(answer["inReplyTo"], note_id);
    assert_eq!(answer["to"], json!([format!("{base}/users/bob/followers")]));
    assert_eq!(answer["cc"][0], "https://www.w3.org/ns/activitystreams#Public");
    ap(&s, &d, &format!("/users/alice/statuses/{private}")).await.expect(404);
    ap(&s, &d, &format!("/users/bob/statuses/{public}")).await.expect(404);
    ap(&s, &other, &format!("/users/alice/statuses/{public}")).await.expect(404);
    let create = ap(&s, &d, &format!("/users/alice/statuses/{public}/activity"))
        .await
        .expect(200)
        .json;
    assert_eq!(create["type"], "Create");
    assert_eq!(create["object"]["id"], note_id);
    let announce = ap(&s, &d, &format!("/users/alice/statuses/{boost}/activity"))
        .await
        .expect(200)
        .json;
    assert_eq!(announce["type"], "Announce");
    assert_eq!(announce["object"], format!("{base}/users/bob/statuses/{reply}"));

    // Collections.
    let outbox = ap(&s, &d, "/users/alice/outbox").await.expect(200).json;
    assert_eq!(outbox["type"], "OrderedCollection");
    assert_eq!(outbox["totalItems"], 3);
    let first = outbox["first"].as_str().expect("first").replace(&base, "");
    let page = ap(&s, &d, &first).await.expect(200).json;
    let kinds: Vec<&str> = page["orderedItems"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["Announce", "Create"], "public posts and boosts, newest first: {page}");
    let followers = ap(&s, &d, "/users/alice/followers").await.expect(200).json;
    assert_eq!(followers["totalItems"], 1);
    let page = ap(&s, &d, "/users/alice/followers?page=true").await.expect(200).json;
    assert_eq!(page["orderedItems"], json!([format!("{base}/users/bob")]));
    let following = ap(&s, &d, "/users/bob/following?page=true").await.expect(200).json;
    assert_eq!(following["orderedItems"], json!([alice_id]));
    let featured = ap(&s, &d, "/users/alice/collections/featured").await.expect(200).json;
    assert_eq!(featured["totalItems"], 1);
    assert_eq!(featured["orderedItems"][0]["id"], note_id);
    let _: Value = featured;
    s.stop().await;
}

#[tokio::test]
async fn a_remote_account_is_found_by_its_handle_over_http() {
    let b = Server::start().await;
    let db = b.tenant("org-b.test", "open").await;
    let (_, bob_token) = b.account(&db, "bob", "member").await;
    b.call(
        Method::PATCH,
        &db,
        "/api/v1/accounts/update_credentials",
        Some(&bob_token),
        json!({"display_name": "Bob B", "note": "Hello <b>there</b>", "locked": true}),
    )
    .await
    .expect(200);
    let avatar = reqwest::multipart::Form::new().part(
        "avatar",
        reqwest::multipart::Part::bytes(common::png(200, 200))
            .file_name("me.png")
            .mime_str("image/png")
            .expect("mime"),
    );
    let r = b
        .http
        .patch(b.url(&db, "/api/v1/accounts/update_credentials"))
        .bearer_auth(&bob_token)
        .multipart(avatar)
        .send()
        .await
        .expect("sent");
    assert!(r.status().is_success());
    let port = b.addr.port();
    let resolve = format!("org-b.test:{port}=127.0.0.1:{port}");
    let a = Server::start_with(true, resolve.clone()).await;
    let da = a.tenant("org-a.test", "open").await;
    let (_, at) = a.account(&da, "alice", "member").await;

    let handle = format!("bob@{db}");
    let found = a
        .get(&da, &format!("/api/v1/accounts/lookup?acct={handle}"), Some(&at))
        .await
        .expect(200)
        .json;
    assert_eq!(found["acct"], handle);
    assert_eq!(found["username"], "bob");
    assert_eq!(found["display_name"], "Bob B");
    assert_eq!(found["locked"], true);
    assert_eq!(found["uri"], format!("http://{db}/users/bob"));
    assert!(
        found["note"].as_str().is_some_and(|n| n.contains("Hello") && !n.contains("<b>")),
        "{found}"
    );
    assert_eq!(
        found["url"],
        format!("http://{db}/@bob"),
        "a remote account's page is on its server"
    );
    // Its avatar is fetched and served from here.
    let id = found["id"].as_str().unwrap_or_default().to_string();
    let avatar_here = || async {
        let a_json = a.get(&da, &format!("/api/v1/accounts/{id}"), Some(&at)).await.json;
        a_json["avatar"]
            .as_str()
            .is_some_and(|u| u.starts_with(&format!("http://{da}/system/")))
    };
    assert!(common::eventually(avatar_here).await, "the avatar was fetched");
    // Known now: the same account, also with a leading @.
    let again = a
        .get(&da, &format!("/api/v1/accounts/lookup?acct=@{handle}"), Some(&at))
        .await
        .expect(200)
        .json;
    assert_eq!(again["id"], found["id"]);
    a.get(&da, &format!("/api/v1/accounts/{}", found["id"].as_str().unwrap_or("")), Some(&at))
        .await
        .expect(200);
    // Unknown users and unreachable servers are not found.
    a.get(&da, &format!("/api/v1/accounts/lookup?acct=nobody@{db}"), Some(&at))
        .await
        .expect(404);
    a.get(&da, "/api/v1/accounts/lookup?acct=bob@unreachable.test:1", Some(&at))
        .await
        .expect(404);

    // Without HERD_ALLOW_PRIVATE_ADDRESSES, loopback is refused even through HERD_RESOLVE.
    let guarded = Server::start_with(false, resolve).await;
    let dg = guarded.tenant("org-c.test", "open").await;
    let (_, gt) = guarded.account(&dg, "carol", "member").await;
    guarded
        .get(&dg, &format!("/api/v1/accounts/lookup?acct={handle}"), Some(&gt))
        .await
        .expect(404);
    guarded.stop().await;
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn following_across_servers_brings_posts_home() {
    let (a, da, b, db) = pair().await;
    let (alice, at) = a.account(&da, "alice", "member").await;
    let (bob, bt) = b.account(&db, "bob", "member").await;

    // alice finds bob and follows him; his server accepts.
    let (remote_bob, rel) = follow_remote(&a, &da, &at, &format!("bob@{db}")).await;
    assert_eq!(rel["requested"], true, "a remote follow waits for the other server: {rel}");
    let following = || async {
        let r = a
            .get(&da, &format!("/api/v1/accounts/relationships?id[]={remote_bob}"), Some(&at))
            .await
            .json;
        r[0]["following"] == true
    };
    assert!(common::eventually(following).await, "bob's server accepted the follow");
    let followers = b
        .get(&db, &format!("/api/v1/accounts/{bob}/followers"), Some(&bt))
        .await
        .expect(200)
        .json;
    assert_eq!(followers[0]["acct"], format!("alice@{da}"), "{followers}");
    let notes = b.get(&db, "/api/v1/notifications", Some(&bt)).await.expect(200).json;
    assert_eq!(notes[0]["type"], "follow");

    // bob posts; it reaches alice's home timeline on her server.
    let post = b
        .post(
            &db,
            "/api/v1/statuses",
            Some(&bt),
            json!({"status": "Hello from org-b #federation"}),
        )
        .await
        .expect(200)
        .json;
    let arrived = || async {
        let home = a.get(&da, "/api/v1/timelines/home", Some(&at)).await.json;
        home.as_array()
            .and_then(|h| h.first())
            .is_some_and(|s| s["uri"] == post["uri"] && s["account"]["acct"] == format!("bob@{db}"))
    };
    assert!(common::eventually(arrived).await, "bob's post is in alice's home timeline");
    let home = a.get(&da, "/api/v1/timelines/home", Some(&at)).await.json;
    assert!(
        home[0]["content"].as_str().is_some_and(|c| c.contains("Hello from org-b")),
        "{home}"
    );
    assert_eq!(home[0]["visibility"], "public");
    assert_eq!(home[0]["tags"][0]["name"], "federation");

    // alice unfollows; bob's server hears it.
    a.post(&da, &format!("/api/v1/accounts/{remote_bob}/unfollow"), Some(&at), json!({}))
        .await
        .expect(200);
    let gone = || async {
        let me = b.get(&db, &format!("/api/v1/accounts/{bob}"), Some(&bt)).await.json;
        me["followers_count"] == 0
    };
    assert!(common::eventually(gone).await, "bob's server dropped the follow");
    let _ = alice;
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn inboxes_refuse_unsigned_forged_tampered_stale_and_replayed_requests() {
    let (a, da, b, db) = pair().await;
    let (alice, _) = a.account(&da, "alice", "member").await;
    let (bob, bt) = b.account(&db, "bob", "member").await;
    let tenant = herd_app::tenants::by_domain(a.app(), &da).await.expect("tenant");
    let key = herd_app::federation::key(a.app(), tenant.id, alice.parse().expect("id"))
        .await
        .expect("key");
    let alice_uri = format!("http://{da}/users/alice");
    let key_id = format!("{alice_uri}#main-key");
    let inbox = format!("http://{db}/users/bob/inbox");
    let follow = |id: &str, actor: &str| {
        json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{alice_uri}#{id}"), "type": "Follow",
               "actor": actor, "object": format!("http://{db}/users/bob")})
        .to_string()
    };
    let send = |body: String, headers: Vec<(&'static str, String)>| {
        let (b, inbox) = (&b, inbox.clone());
        async move {
            let mut rb = b.http.post(inbox).header("content-type", "application/activity+json").body(body);
            for (k, v) in headers {
                rb = rb.header(k, v);
            }
            Resp::from(rb.send().await.expect("sent")).await
        }
    };
    let signed = |body: &str, pem: &str, at: std::time::SystemTime| {
        herd_federation::signatures::sign("POST", "/users/bob/inbox", &db, Some(body.as_bytes()), &key_id, pem, at).expect("signed")
    };
    let now = std::time::SystemTime::now;

    let body = follow("1", &alice_uri);
    let ok = signed(&body, &key.private_pem, now());
    send(body.clone(), ok.clone()).await.expect(202);
    // The same request again is a replay.
    let again = send(body.clone(), ok.clone()).await.expect(401);
    assert!(
        again.json["error"].as_str().is_some_and(|e| e.contains("used before")),
        "{}",
        again.text
    );
    // No signature; a body changed after signing; a Date two hours old; another key.
    send(follow("2", &alice_uri), vec![]).await.expect(401);
    let body3 = follow("3", &alice_uri);
    send(follow("3-changed", &alice_uri), signed(&body3, &key.private_pem, now()))
        .await
        .expect(401);
    let body4 = follow("4", &alice_uri);
    send(
        body4.clone(),
        signed(&body4, &key.private_pem, now() - std::time::Duration::from_secs(7200)),
    )
    .await
    .expect(401);
    let forger = herd_federation::keys::generate().expect("key");
    let body5 = follow("5", &alice_uri);
    send(body5.clone(), signed(&body5, &forger.private, now())).await.expect(401);
    // Signed by alice, claiming to be someone else.
    let body6 = follow("6", &format!("http://{da}/users/mallory"));
    send(body6.clone(), signed(&body6, &key.private_pem, now())).await.expect(401);
    // Unknown local recipient.
    b.http
        .post(format!("http://{db}/users/nobody/inbox"))
        .body(body.clone())
        .send()
        .await
        .map(|r| assert_eq!(r.status().as_u16(), 404))
        .expect("sent");

    // Only the one good Follow took effect.
    let followed = || async { b.get(&db, &format!("/api/v1/accounts/{bob}"), Some(&bt)).await.json["followers_count"] == 1 };
    assert!(common::eventually(followed).await);
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_locked_account_approves_a_remote_follower() {
    let (a, da, b, db) = pair().await;
    let (_, at) = a.account(&da, "alice", "member").await;
    let (_, bt) = b.account(&db, "bob", "member").await;
    b.call(
        Method::PATCH,
        &db,
        "/api/v1/accounts/update_credentials",
        Some(&bt),
        json!({"locked": true}),
    )
    .await
    .expect(200);
    let (remote_bob, _) = follow_remote(&a, &da, &at, &format!("bob@{db}")).await;
    let requests = || async {
        b.get(&db, "/api/v1/follow_requests", Some(&bt))
            .await
            .json
            .as_array()
            .is_some_and(|r| r.len() == 1)
    };
    assert!(common::eventually(requests).await, "bob sees alice's request");
    let req = b.get(&db, "/api/v1/follow_requests", Some(&bt)).await.json;
    assert_eq!(req[0]["acct"], format!("alice@{da}"));
    let rel = a
        .get(&da, &format!("/api/v1/accounts/relationships?id[]={remote_bob}"), Some(&at))
        .await
        .json;
    assert_eq!(
        (rel[0]["following"].clone(), rel[0]["requested"].clone()),
        (json!(false), json!(true))
    );
    let alice_there = req[0]["id"].as_str().expect("id").to_string();
    b.post(
        &db,
        &format!("/api/v1/follow_requests/{alice_there}/authorize"),
        Some(&bt),
        json!({}),
    )
    .await
    .expect(200);
    let following = || async {
        a.get(&da, &format!("/api/v1/accounts/relationships?id[]={remote_bob}"), Some(&at))
            .await
            .json[0]["following"]
            == true
    };
    assert!(common::eventually(following).await, "the approval reached alice's server");
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn replies_mentions_favourites_boosts_edits_deletes_and_blocks_cross_servers() {
    let (a, da, b, db) = pair().await;
    let (_, at) = a.account(&da, "alice", "member").await;
    let (_, bt) = b.account(&db, "bob", "member").await;
    let (remote_bob, _) = follow_remote(&a, &da, &at, &format!("bob@{db}")).await;
    let rel = |id: String| {
        let (a, da, at) = (&a, da.clone(), at.clone());
        async move {
            a.get(&da, &format!("/api/v1/accounts/relationships?id[]={id}"), Some(&at))
                .await
                .json[0]
                .clone()
        }
    };
    assert!(common::eventually(|| async { rel(remote_bob.clone()).await["following"] == true }).await);

    // bob posts mentioning alice: it reaches her, and she is notified.
    let post = b
        .post(
            &db,
            "/api/v1/statuses",
            Some(&bt),
            json!({"status": format!("Hi @alice@{da}, welcome")}),
        )
        .await
        .expect(200)
        .json;
    let uri = post["uri"].as_str().expect("uri").to_string();
    let mentioned = || async {
        let n = a.get(&da, "/api/v1/notifications", Some(&at)).await.json;
        n.as_array()
            .is_some_and(|n| n.iter().any(|x| x["type"] == "mention" && x["status"]["uri"] == json!(uri)))
    };
    assert!(common::eventually(mentioned).await, "alice is notified of bob's mention");
    assert!(post["mentions"][0]["acct"] == format!("alice@{da}"), "{post}");
    let home = a.get(&da, "/api/v1/timelines/home", Some(&at)).await.json;
    let local_id = home[0]["id"].as_str().expect("id").to_string();
    assert_eq!(home[0]["uri"], json!(uri));

    // alice replies, favourites and boosts: bob is notified of each.
    a.post(
        &da,
        "/api/v1/statuses",
        Some(&at),
        json!({"status": format!("@bob@{db} thanks!"), "in_reply_to_id": local_id}),
    )
    .await
    .expect(200);
    a.post(&da, &format!("/api/v1/statuses/{local_id}/favourite"), Some(&at), json!({}))
        .await
        .expect(200);
    a.post(&da, &format!("/api/v1/statuses/{local_id}/reblog"), Some(&at), json!({}))
        .await
        .expect(200);
    let kinds = || async {
        let n = b.get(&db, "/api/v1/notifications", Some(&bt)).await.json;
        let mut k: Vec<String> = n
            .as_array()
            .map(|n| n.iter().filter_map(|x| x["type"].as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        k.sort();
        k
    };
    let want = ["favourite", "follow", "mention", "reblog"].map(String::from).to_vec();
    assert!(
        common::eventually(|| async { kinds().await == want }).await,
        "bob's notifications: {:?}",
        kinds().await
    );
    let original = b
        .get(&db, &format!("/api/v1/statuses/{}", post["id"].as_str().unwrap_or("")), Some(&bt))
        .await
        .json;
    assert_eq!(
        (
            original["favourites_count"].clone(),
            original["reblogs_count"].clone(),
            original["replies_count"].clone()
        ),
        (json!(1), json!(1), json!(1))
    );
    let n = b.get(&db, "/api/v1/notifications?types[]=mention", Some(&bt)).await.json;
    assert!(n[0]["status"]["content"].as_str().is_some_and(|c| c.contains("thanks")), "{n}");
    assert_eq!(n[0]["status"]["in_reply_to_id"], post["id"]);

    // bob edits the post and renames himself; alice sees both.
    b.call(
        Method::PUT,
        &db,
        &format!("/api/v1/statuses/{}", post["id"].as_str().unwrap_or("")),
        Some(&bt),
        json!({"status": "Edited hello"}),
    )
    .await
    .expect(200);
    b.call(
        Method::PATCH,
        &db,
        "/api/v1/accounts/update_credentials",
        Some(&bt),
        json!({"display_name": "Robert"}),
    )
    .await
    .expect(200);
    let changed = || async {
        let s = a.get(&da, &format!("/api/v1/statuses/{local_id}"), Some(&at)).await.json;
        s["content"].as_str().is_some_and(|c| c.contains("Edited hello"))
            && !s["edited_at"].is_null()
            && s["account"]["display_name"] == "Robert"
    };
    assert!(common::eventually(changed).await, "the edit and the new name arrived");
    let history = a
        .get(&da, &format!("/api/v1/statuses/{local_id}/history"), Some(&at))
        .await
        .expect(200)
        .json;
    let versions: Vec<&str> = history
        .as_array()
        .map(|h| h.iter().filter_map(|v| v["content"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        versions.len() == 2 && versions[0].contains("welcome") && versions[1].contains("Edited hello"),
        "the remote post's history holds the original and the edit: {history}"
    );

    // bob deletes it; it is gone at alice's.
    b.call(
        Method::DELETE,
        &db,
        &format!("/api/v1/statuses/{}", post["id"].as_str().unwrap_or("")),
        Some(&bt),
        Value::Null,
    )
    .await
    .expect(200);
    let deleted = || async { a.get(&da, &format!("/api/v1/statuses/{local_id}"), Some(&at)).await.status == 404 };
    assert!(common::eventually(deleted).await, "the deletion arrived");

    // bob blocks alice: the follow ends on both sides.
    let remote_alice = b
        .get(&db, &format!("/api/v1/accounts/lookup?acct=alice@{da}"), Some(&bt))
        .await
        .expect(200)
        .id();
    b.post(&db, &format!("/api/v1/accounts/{remote_alice}/block"), Some(&bt), json!({}))
        .await
        .expect(200);
    assert!(
        common::eventually(|| async { rel(remote_bob.clone()).await["following"] == false }).await,
        "alice no longer follows bob"
    );
    let me = b.get(&db, "/api/v1/accounts/verify_credentials", Some(&bt)).await.json;
    assert_eq!(me["followers_count"], 0);
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn two_instances_in_one_process_federate_like_two_servers() {
    let port = common::free_port();
    let resolve = format!("org-a.test:{port}=127.0.0.1:{port},org-b.test:{port}=127.0.0.1:{port}");
    let s = Server::start_at(format!("127.0.0.1:{port}"), true, resolve).await;
    let da = s.tenant("org-a.test", "open").await;
    let db = s.tenant("org-b.test", "open").await;
    let (_, at) = s.account(&da, "alice", "member").await;
    let (bob, bt) = s.account(&db, "bob", "member").await;
    let (remote_bob, _) = follow_remote(&s, &da, &at, &format!("bob@{db}")).await;
    assert_ne!(remote_bob, bob, "org-a keeps its own row for bob");
    let following = || async {
        s.get(&da, &format!("/api/v1/accounts/relationships?id[]={remote_bob}"), Some(&at))
            .await
            .json[0]["following"]
            == true
    };
    assert!(common::eventually(following).await);
    let post = s
        .post(&db, "/api/v1/statuses", Some(&bt), json!({"status": "same process"}))
        .await
        .expect(200)
        .json;
    let arrived = || async { s.get(&da, "/api/v1/timelines/home", Some(&at)).await.json[0]["uri"] == post["uri"] };
    assert!(common::eventually(arrived).await);
    // Each instance sees only its own rows: org-b's bob has one follower, alice of org-a.
    let followers = s.get(&db, &format!("/api/v1/accounts/{bob}/followers"), Some(&bt)).await.json;
    assert_eq!(followers[0]["acct"], format!("alice@{da}"));
    s.stop().await;
}

#[tokio::test]
async fn a_server_that_keeps_failing_is_left_alone_then_tried_again() {
    use herd_app::federation::deliver::{Deliver, deliver};
    let port = common::free_port();
    let s = Server::start_with(true, format!("down.test:{port}=127.0.0.1:{port}")).await;
    let d = s.tenant("org-a.test", "open").await;
    let (alice, _) = s.account(&d, "alice", "member").await;
    let t = herd_app::tenants::by_domain(s.app(), &d).await.expect("tenant").id;
    let job = || Deliver {
        actor: alice.parse().expect("id"),
        inbox: format!("http://down.test:{port}/inbox"),
        activity: "{}".into(),
    };
    // Nothing listens: five real failures, then the breaker answers without trying.
    for _ in 0..herd_store::hosts::TRIP_AFTER {
        let e = deliver(s.app(), t, job()).await.expect_err("the server is down");
        assert!(!e.contains("left alone"), "{e}");
    }
    let e = deliver(s.app(), t, job()).await.expect_err("still down");
    assert!(e.contains("left alone"), "{e}");

    // The server is back and the pause is over (as if time had passed): delivery works and
    // the host counts as healthy again.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
    let server = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 8192];
            let _ = sock.read(&mut buf).await;
            let _ = sock.write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n").await;
        }
    });
    let mut c = s.app().db.conn().await.expect("conn");
    c.q("UPDATE delivery_hosts SET down_until = 1 WHERE host = ?")
        .bind(format!("down.test:{port}"))
        .execute(c.ex())
        .await
        .expect("pause over");
    drop(c);
    deliver(s.app(), t, job()).await.expect("delivered");
    let mut c = s.app().db.conn().await.expect("conn");
    assert_eq!(
        herd_store::hosts::health(&mut c, &format!("down.test:{port}")).await.expect("read"),
        (0, 0),
        "healthy again: no failures, no pause"
    );
    drop(c);
    server.abort();
    s.stop().await;
}

#[tokio::test]
async fn search_finds_remote_accounts_hashtags_and_posts_by_url() {
    let (a, da, b, db) = pair().await;
    let (_, at) = a.account(&da, "alice", "member").await;
    let (_, bt) = b.account(&db, "bob", "member").await;
    let handle = format!("bob@{db}");
    // Without resolve an unknown handle finds nothing; with it, WebFinger finds bob.
    let none = a.get(&da, &format!("/api/v2/search?q={handle}"), Some(&at)).await.expect(200).json;
    assert_eq!(none["accounts"], json!([]));
    let found = a
        .get(&da, &format!("/api/v2/search?q=@{handle}&resolve=true"), Some(&at))
        .await
        .expect(200)
        .json;
    assert_eq!(found["accounts"][0]["acct"], handle, "{found}");
    assert_eq!((found["statuses"].clone(), found["hashtags"].clone()), (json!([]), json!([])));
    // Anonymous searches never reach out to other servers.
    let anon = a
        .get(&da, "/api/v2/search?q=@carol@elsewhere.test&resolve=true", None)
        .await
        .expect(200)
        .json;
    assert_eq!(anon["accounts"], json!([]));
    // Hashtags by prefix; local accounts by prefix; posts by their URL.
    let post = a
        .post(&da, "/api/v1/statuses", Some(&at), json!({"status": "about #Federation"}))
        .await
        .expect(200)
        .json;
    let tags = a
        .get(&da, "/api/v2/search?q=%23fed&type=hashtags", Some(&at))
        .await
        .expect(200)
        .json;
    assert_eq!(tags["hashtags"][0]["name"], "federation", "{tags}");
    assert_eq!(tags["accounts"], json!([]));
    let people = a.get(&da, "/api/v2/search?q=ali&type=accounts", Some(&at)).await.expect(200).json;
    assert_eq!(people["accounts"][0]["username"], "alice");
    for url in [post["url"].as_str().unwrap_or(""), post["uri"].as_str().unwrap_or("")] {
        let by_url = a
            .get(&da, &format!("/api/v2/search?q={url}&type=statuses"), Some(&at))
            .await
            .expect(200)
            .json;
        assert_eq!(by_url["statuses"][0]["id"], post["id"], "{url}: {by_url}");
    }
    a.get(&da, "/api/v2/search?q=x&type=people", Some(&at)).await.expect(422);
    a.get(&da, "/api/v2/search", Some(&at)).await.expect(400);
    let _ = bt;
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_flag_from_another_server_lands_in_the_report_queue() {
    let (a, da, b, db) = pair().await;
    let (alice, _) = a.account(&da, "alice", "member").await;
    let (bob, bt) = b.account(&db, "bob", "member").await;
    let post = b
        .post(&db, "/api/v1/statuses", Some(&bt), json!({"status": "something reportable"}))
        .await
        .expect(200)
        .json;
    let alice_uri = format!("http://{da}/users/alice");
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams", "id": format!("{alice_uri}#flags/1"), "type": "Flag",
        "actor": alice_uri, "content": "Spam, twice",
        "object": [format!("http://{db}/users/bob"), post["uri"]],
    })
    .to_string();
    assert_eq!(post_signed(&a, &da, &alice, &b, &db, "/inbox", body).await, 202);
    let tb = herd_app::tenants::by_domain(b.app(), &db).await.expect("tenant").id;
    let queued = || async {
        let mut c = b.app().db.conn().await.expect("conn");
        herd_store::reports::open(&mut c, tb, 10).await.expect("reports")
    };
    assert!(
        common::eventually(|| async { queued().await.len() == 1 }).await,
        "the report arrived"
    );
    let r = &queued().await[0];
    assert_eq!(r.target_account_id.to_string(), bob);
    assert_eq!(r.comment, "Spam, twice");
    assert_eq!(r.status_ids, format!("[{}]", post["id"].as_str().unwrap_or("")));
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn an_instance_in_authorized_fetch_mode_answers_only_signed_requests() {
    let (a, da, b, db) = pair().await;
    let (_, at) = a.account(&da, "alice", "member").await;
    let (_, bt) = b.account(&db, "bob", "member").await;
    let tb = herd_app::tenants::by_domain(b.app(), &db).await.expect("tenant");
    let settings = herd_app::tenants::TenantSettings {
        authorized_fetch: Some(true),
        ..Default::default()
    };
    herd_app::tenants::configure(b.app(), &herd_app::Actor::Operator, &tb, settings)
        .await
        .expect("configured");
    let post = b
        .post(&db, "/api/v1/statuses", Some(&bt), json!({"status": "members only, sort of"}))
        .await
        .expect(200)
        .id();

    // Unsigned ActivityPub requests are refused; pages, the instance actor and discovery stay open.
    for path in [
        "/users/bob",
        &format!("/users/bob/statuses/{post}"),
        "/users/bob/outbox",
        "/users/bob/followers",
    ] {
        let r = ap(&b, &db, path).await.expect(401);
        assert!(r.json["error"].is_string(), "{path}: {}", r.text);
    }
    b.get(&db, "/users/bob", None).await.expect(302);
    ap(&b, &db, "/actor").await.expect(200);
    b.get(&db, &format!("/.well-known/webfinger?resource=acct:bob@{db}"), None)
        .await
        .expect(200);
    // Another server signs its fetches with its instance actor, so it still finds bob and
    // follows him.
    let (remote_bob, _) = follow_remote(&a, &da, &at, &format!("bob@{db}")).await;
    let following = || async {
        a.get(&da, &format!("/api/v1/accounts/relationships?id[]={remote_bob}"), Some(&at))
            .await
            .json[0]["following"]
            == true
    };
    assert!(common::eventually(following).await);
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn handles_can_live_on_the_organizations_main_domain() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    s.account(&d, "alice", "member").await;
    let t = herd_app::tenants::by_domain(s.app(), &d).await.expect("tenant");
    let settings = herd_app::tenants::TenantSettings {
        local_domain: Some(Some(herd_core::Domain::parse("org-a.example").expect("domain"))),
        ..Default::default()
    };
    herd_app::tenants::configure(s.app(), &herd_app::Actor::Operator, &t, settings)
        .await
        .expect("configured");
    for resource in ["acct:alice@org-a.example".to_string(), format!("acct:alice@{d}")] {
        let wf = s
            .get(&d, &format!("/.well-known/webfinger?resource={resource}"), None)
            .await
            .expect(200)
            .json;
        assert_eq!(wf["subject"], "acct:alice@org-a.example", "{resource}");
        let self_link = wf["links"]
            .as_array()
            .and_then(|l| l.iter().find(|l| l["rel"] == "self").cloned())
            .expect("self");
        assert_eq!(
            self_link["href"],
            format!("http://{d}/users/alice"),
            "actors stay on the serving domain"
        );
    }
    s.get(&d, "/.well-known/webfinger?resource=acct:alice@elsewhere.example", None)
        .await
        .expect(404);
    s.stop().await;
}

#[tokio::test]
async fn followers_move_with_a_moved_account() {
    // A third server, newhome.test, where alice moves: a stand-in that serves her new actor
    // (which names the old one in alsoKnownAs) and records what its inbox receives.
    let pc = common::free_port();
    let (pa, pb) = (common::free_port(), common::free_port());
    let a = Server::start_at(format!("127.0.0.1:{pa}"), true, format!("org-b.test:{pb}=127.0.0.1:{pb}")).await;
    let b = Server::start_at(
        format!("127.0.0.1:{pb}"),
        true,
        format!("org-a.test:{pa}=127.0.0.1:{pa},newhome.test:{pc}=127.0.0.1:{pc}"),
    )
    .await;
    let da = a.tenant("org-a.test", "open").await;
    let db = b.tenant("org-b.test", "open").await;
    let (alice, _) = a.account(&da, "alice", "member").await;
    let (_, bt) = b.account(&db, "bob", "member").await;
    let old_uri = format!("http://{da}/users/alice");
    let new_uri = format!("http://newhome.test:{pc}/users/alice");
    let new_key = herd_federation::keys::generate().expect("key");
    let actor = json!({
        "@context": ["https://www.w3.org/ns/activitystreams"], "id": new_uri, "type": "Person",
        "preferredUsername": "alice", "inbox": format!("{new_uri}/inbox"), "alsoKnownAs": [old_uri],
        "publicKey": {"id": format!("{new_uri}#main-key"), "owner": new_uri, "publicKeyPem": new_key.public},
    });
    let received: std::sync::Arc<std::sync::Mutex<Vec<Value>>> = Default::default();
    let inbox = received.clone();
    let app = axum::Router::new()
        .route("/users/alice", axum::routing::get(move || async move { axum::Json(actor) }))
        .route(
            "/users/alice/inbox",
            axum::routing::post(move |body: String| async move {
                if let Ok(v) = serde_json::from_str::<Value>(&body) {
                    inbox.lock().expect("lock").push(v);
                }
                axum::http::StatusCode::ACCEPTED
            }),
        );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", pc)).await.expect("bind");
    let stand_in = tokio::spawn(async move { axum::serve(listener, app).await });

    // bob follows alice at her old home.
    let (old_id, _) = follow_remote(&b, &db, &bt, &format!("alice@{da}")).await;
    let rel = |id: String| {
        let (b, db, bt) = (&b, db.clone(), bt.clone());
        async move {
            b.get(&db, &format!("/api/v1/accounts/relationships?id[]={id}"), Some(&bt))
                .await
                .json[0]
                .clone()
        }
    };
    assert!(common::eventually(|| async { rel(old_id.clone()).await["following"] == true }).await);

    // alice's old server announces the move.
    let body = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{old_uri}#moves/1"), "type": "Move",
                      "actor": old_uri, "object": old_uri, "target": new_uri})
    .to_string();
    assert_eq!(post_signed(&a, &da, &alice, &b, &db, "/inbox", body).await, 202);

    // bob now asks to follow alice at her new home, and no longer follows the old account.
    let followed_new = || async {
        received
            .lock()
            .expect("lock")
            .iter()
            .any(|v| v["type"] == "Follow" && v["object"] == json!(new_uri) && v["actor"] == format!("http://{db}/users/bob"))
    };
    assert!(common::eventually(followed_new).await, "the new home got bob's Follow");
    assert!(common::eventually(|| async { rel(old_id.clone()).await["following"] == false }).await);
    stand_in.abort();
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_remote_posts_images_are_fetched_and_served_from_here() {
    let (a, da, b, db) = pair().await;
    let (_, at) = a.account(&da, "alice", "member").await;
    let (_, bt) = b.account(&db, "bob", "member").await;
    let (remote_bob, _) = follow_remote(&a, &da, &at, &format!("bob@{db}")).await;
    let following = || async {
        a.get(&da, &format!("/api/v1/accounts/relationships?id[]={remote_bob}"), Some(&at))
            .await
            .json[0]["following"]
            == true
    };
    assert!(common::eventually(following).await);
    let media = b.upload(&db, &bt, common::png(320, 200), "cat.png").await;
    b.call(
        Method::PUT,
        &db,
        &format!("/api/v1/media/{media}"),
        Some(&bt),
        json!({"description": "A cat"}),
    )
    .await
    .expect(200);
    let original = b.wait_media(&db, &media, &bt).await;
    b.post(&db, "/api/v1/statuses", Some(&bt), json!({"status": "look", "media_ids": [media]}))
        .await
        .expect(200);
    let fetched = || async {
        let home = a.get(&da, "/api/v1/timelines/home", Some(&at)).await.json;
        let m = &home[0]["media_attachments"][0];
        m["url"].as_str().is_some_and(|u| u.starts_with(&format!("http://{da}/system/")))
    };
    assert!(common::eventually(fetched).await, "alice's server serves its own copy");
    let home = a.get(&da, "/api/v1/timelines/home", Some(&at)).await.json;
    let m = &home[0]["media_attachments"][0];
    assert_eq!(m["type"], "image");
    assert_eq!(m["description"], "A cat");
    assert_eq!(m["remote_url"], original["url"]);
    assert_eq!(m["meta"]["original"]["width"], 320);
    let file = a.http.get(m["url"].as_str().unwrap_or_default()).send().await.expect("fetched");
    assert!(file.status().is_success());
    a.stop().await;
    b.stop().await;
}

/// Many deliveries at once are committed together (the ingest's batches): each post is stored
/// once, even when it arrives at the personal and the shared inbox at the same moment, and
/// the author's post count matches.
#[tokio::test]
async fn a_burst_of_deliveries_is_stored_once_each() {
    let (a, da, b, db) = pair().await;
    let (alice, _) = a.account(&da, "alice", "member").await;
    let (_, bt) = b.account(&db, "bob", "member").await;
    let remote_alice = followed(&b, &db, &bt, &format!("alice@{da}")).await;

    let actor = format!("http://{da}/users/alice");
    let create = |n: usize| {
        let note = format!("{actor}/statuses/burst{n}");
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{note}/activity"), "type": "Create", "actor": actor,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": {
                "id": note, "type": "Note", "attributedTo": actor, "content": format!("<p>burst {n}</p>"),
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
            },
        })
        .to_string()
    };
    let mut sends = Vec::new();
    for n in 0..40 {
        // Every fourth post goes to both inboxes at once, as a server may deliver it.
        let paths: &[&str] = if n % 4 == 0 { &["/inbox", "/users/bob/inbox"] } else { &["/inbox"] };
        for path in paths {
            sends.push(post_signed(&a, &da, &alice, &b, &db, path, create(n)));
        }
    }
    let codes = futures_util::future::join_all(sends).await;
    assert!(codes.iter().all(|c| *c == 202), "every delivery accepted: {codes:?}");

    let account = b
        .get(&db, &format!("/api/v1/accounts/{remote_alice}"), Some(&bt))
        .await
        .expect(200)
        .json;
    assert_eq!(account["statuses_count"], 40, "{account}");
    let mut seen = std::collections::HashSet::new();
    let mut max_id = String::new();
    loop {
        let q = if max_id.is_empty() {
            String::new()
        } else {
            format!("&max_id={max_id}")
        };
        let page = b
            .get(&db, &format!("/api/v1/accounts/{remote_alice}/statuses?limit=40{q}"), Some(&bt))
            .await
            .expect(200)
            .json;
        let Some(list) = page.as_array().filter(|l| !l.is_empty()) else {
            break;
        };
        for s in list {
            assert!(
                seen.insert(s["uri"].as_str().unwrap_or("").to_string()),
                "stored twice: {}",
                s["uri"]
            );
        }
        max_id = list[list.len() - 1]["id"].as_str().unwrap_or("").to_string();
    }
    assert_eq!(seen.len(), 40, "each post stored once");
}

/// A reply to a post this server never saw: the post it answers is fetched from its server,
/// stored, and the reply linked to it, so the thread reads whole (as on Mastodon).
#[tokio::test]
async fn a_reply_to_an_unseen_post_brings_the_post_it_answers() {
    let (a, da, b, db) = pair().await;
    let (_, at) = a.account(&da, "alice", "member").await;
    let (_, bt) = b.account(&db, "bob", "member").await;
    let (_, ct) = b.account(&db, "carol", "member").await;
    let remote_bob = followed(&a, &da, &at, &format!("bob@{db}")).await;

    // Nobody at alice's server follows carol: her post does not go there. bob answers it.
    let first = b
        .post(&db, "/api/v1/statuses", Some(&ct), json!({"status": "The first word"}))
        .await
        .expect(200)
        .json;
    b.post(
        &db,
        "/api/v1/statuses",
        Some(&bt),
        json!({"status": "@carol a reply", "in_reply_to_id": first["id"]}),
    )
    .await
    .expect(200);
    let linked = || async {
        let posts = a.get(&da, &format!("/api/v1/accounts/{remote_bob}/statuses"), Some(&at)).await.json;
        let Some(reply) = posts.as_array().and_then(|h| {
            h.iter()
                .find(|s| s["content"].as_str().is_some_and(|c| c.contains("a reply")))
                .cloned()
        }) else {
            return false;
        };
        if reply["in_reply_to_id"].is_null() {
            return false;
        }
        let id = reply["id"].as_str().unwrap_or("");
        let ctx = a.get(&da, &format!("/api/v1/statuses/{id}/context"), Some(&at)).await.json;
        ctx["ancestors"][0]["content"]
            .as_str()
            .is_some_and(|c| c.contains("The first word"))
            && ctx["ancestors"][0]["account"]["acct"] == format!("carol@{db}")
            && ctx["ancestors"][0]["replies_count"] == 1
    };
    assert!(common::eventually(linked).await, "the post bob answered was fetched and linked");
}

/// A remote post's video is copied here and served with range requests, with the thumbnail
/// the post names; a video over the instance's limit and a file that only claims to be a
/// video stay remote.
#[tokio::test]
async fn a_remote_posts_videos_are_copied_and_served_in_ranges() {
    // films.test: a stand-in server with carol's actor and her files.
    let pc = common::free_port();
    let pa = common::free_port();
    let a = Server::start_at(format!("127.0.0.1:{pa}"), true, format!("films.test:{pc}=127.0.0.1:{pc}")).await;
    let da = a.tenant("org-a.test", "open").await;
    let (_, at) = a.account(&da, "alice", "member").await;
    let ta = herd_app::tenants::by_domain(a.app(), &da).await.expect("tenant");
    let settings = herd_app::tenants::TenantSettings {
        max_video_bytes: Some(100_000),
        ..Default::default()
    };
    herd_app::tenants::configure(a.app(), &herd_app::Actor::Operator, &ta, settings)
        .await
        .expect("configured");

    let origin = format!("http://films.test:{pc}");
    let carol = format!("{origin}/users/carol");
    let key = herd_federation::keys::generate().expect("key");
    let actor = json!({
        "@context": ["https://www.w3.org/ns/activitystreams"], "id": carol, "type": "Person",
        "preferredUsername": "carol", "inbox": format!("{carol}/inbox"),
        "publicKey": {"id": format!("{carol}#main-key"), "owner": carol, "publicKeyPem": key.public},
    });
    // An MP4 file's first box, then data: enough for a player's range requests.
    let mut clip = b"\0\0\0\x18ftypisom\0\0\x02\0isommp41".to_vec();
    clip.extend((0..5000 - clip.len()).map(|i| (i % 251) as u8));
    let mut big = b"\x1a\x45\xdf\xa3".to_vec();
    big.resize(200_000, 7);
    let thumb = common::png(640, 360);
    let (c2, b2, t2) = (clip.clone(), big.clone(), thumb.clone());
    let files = axum::Router::new()
        .route("/users/carol", axum::routing::get(move || async move { axum::Json(actor) }))
        .route("/media/clip.mp4", axum::routing::get(move || async move { c2 }))
        .route("/media/big.webm", axum::routing::get(move || async move { b2 }))
        .route("/media/fake.mp4", axum::routing::get(|| async { "<html>not a video</html>" }))
        .route("/media/thumb.png", axum::routing::get(move || async move { t2 }));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", pc)).await.expect("bind");
    let stand_in = tokio::spawn(async move { axum::serve(listener, files).await });

    // carol's post mentions alice, so alice's server keeps it.
    let alice_uri = format!("http://{da}/users/alice");
    let note = format!("{carol}/statuses/1");
    let doc = |name: &str, mime: &str| {
        json!({"type": "Document", "mediaType": mime, "url": format!("{origin}/media/{name}"),
               "name": format!("{name} described"), "width": 640, "height": 360})
    };
    let mut with_icon = doc("clip.mp4", "video/mp4");
    with_icon["icon"] = json!({"type": "Image", "mediaType": "image/png", "url": format!("{origin}/media/thumb.png")});
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams", "id": format!("{note}/activity"), "type": "Create",
        "actor": carol, "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [alice_uri],
        "object": {"id": note, "type": "Note", "attributedTo": carol, "content": "<p>@alice films</p>",
                   "published": "2026-11-29T10:00:00Z", "to": ["https://www.w3.org/ns/activitystreams#Public"],
                   "cc": [alice_uri], "tag": [{"type": "Mention", "href": alice_uri, "name": format!("@alice@{da}")}],
                   "attachment": [with_icon, doc("big.webm", "video/webm"), doc("fake.mp4", "video/mp4")]}
    })
    .to_string();
    let path = "/users/alice/inbox";
    let now = std::time::SystemTime::now();
    let headers = herd_federation::signatures::sign(
        "POST",
        path,
        &da,
        Some(body.as_bytes()),
        &format!("{carol}#main-key"),
        &key.private,
        now,
    )
    .expect("signed");
    let mut rb = a.http.post(format!("http://{da}{path}")).body(body);
    for (k, v) in headers {
        rb = rb.header(k, v);
    }
    assert_eq!(rb.send().await.expect("sent").status(), 202);

    let post = || async {
        let n = a.get(&da, "/api/v1/notifications", Some(&at)).await.json;
        n[0]["status"].clone()
    };
    let copied = || async {
        post().await["media_attachments"][0]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with(&format!("http://{da}/system/")))
    };
    assert!(common::eventually(copied).await, "the video was copied here");
    let s = post().await;
    let m = &s["media_attachments"];
    assert_eq!(m[0]["type"], "video");
    assert_eq!(m[0]["remote_url"], format!("{origin}/media/clip.mp4"));
    assert_eq!(m[0]["description"], "clip.mp4 described");
    assert_eq!(m[0]["meta"]["original"]["width"], 640);
    assert!(
        m[0]["preview_url"]
            .as_str()
            .is_some_and(|u| u.starts_with(&format!("http://{da}/system/")))
    );
    assert!(m[0]["blurhash"].is_string());
    // What is too large or not really a video is shown from where it came, without a preview.
    assert_eq!(m[1]["type"], "video");
    assert_eq!(m[1]["url"], format!("{origin}/media/big.webm"));
    assert!(m[1]["preview_url"].is_null());
    assert_eq!(m[2]["url"], format!("{origin}/media/fake.mp4"));

    // The copy is served whole, in ranges, and not beyond its end.
    let url = m[0]["url"].as_str().unwrap_or_default().to_string();
    let whole = a.http.get(&url).send().await.expect("sent");
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()["content-type"], "video/mp4");
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert_eq!(whole.bytes().await.expect("body").to_vec(), clip);
    let part = a.http.get(&url).header("range", "bytes=100-199").send().await.expect("sent");
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"], "bytes 100-199/5000");
    assert_eq!(part.bytes().await.expect("body").to_vec(), clip[100..200].to_vec());
    let beyond = a.http.get(&url).header("range", "bytes=9000-").send().await.expect("sent");
    assert_eq!(beyond.status(), 416);
    // Only under its own instance's host, and never the stored original.
    let (dir, _) = url.rsplit_once('/').expect("key");
    a.http
        .get(format!("{dir}/original"))
        .send()
        .await
        .map(|r| assert_eq!(r.status(), 404))
        .expect("sent");
    stand_in.abort();
    a.stop().await;
}

/// A report about a remote account, with `forward`, reaches that account's server as a Flag
/// from the instance actor (the reporter is not named), with the reported post.
#[tokio::test]
async fn a_report_about_a_remote_account_is_forwarded_to_its_server() {
    let (a, da, b, db) = pair().await;
    let (_, at) = a.account(&da, "alice", "member").await;
    let (bob, bt) = b.account(&db, "bob", "member").await;
    let remote_bob = followed(&a, &da, &at, &format!("bob@{db}")).await;
    let original = b
        .post(&db, "/api/v1/statuses", Some(&bt), json!({"status": "buy my stuff"}))
        .await
        .expect(200)
        .id();
    let seen = || async {
        let posts = a.get(&da, &format!("/api/v1/accounts/{remote_bob}/statuses"), Some(&at)).await.json;
        posts[0]["id"].as_str().map(str::to_string)
    };
    assert!(common::eventually(|| async { seen().await.is_some() }).await, "bob's post arrived");
    let post = seen().await.unwrap_or_default();
    let r = a
        .post(
            &da,
            "/api/v1/reports",
            Some(&at),
            json!({"account_id": remote_bob, "status_ids": [post], "comment": "spam", "category": "spam", "forward": true}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(r["forwarded"], true);

    let tb = herd_app::tenants::by_domain(b.app(), &db).await.expect("tenant");
    let queue = || async {
        let mut c = b.app().db.conn().await.expect("conn");
        herd_store::reports::open(&mut c, tb.id, 10).await.expect("queue")
    };
    assert!(
        common::eventually(|| async { !queue().await.is_empty() }).await,
        "bob's server got the report"
    );
    let got = queue().await;
    assert_eq!(got[0].target_account_id.to_string(), bob);
    assert_eq!(got[0].comment, "spam");
    assert_eq!(got[0].status_ids, format!("[{original}]"));
    let mut c = b.app().db.conn().await.expect("conn");
    let reporter = herd_store::accounts::by_id(&mut c, tb.id, got[0].account_id)
        .await
        .expect("reporter");
    assert_eq!(
        reporter.uri,
        Some(format!("http://{da}/actor")),
        "sent by the instance, not by alice"
    );
    drop(c);
    a.stop().await;
    b.stop().await;
}

/// A user hides another server: its posts and notifications stop reaching her, and its
/// accounts stop following her.
#[tokio::test]
async fn a_user_hides_a_whole_server() {
    let (a, da, b, db) = pair().await;
    let (alice, at) = a.account(&da, "alice", "member").await;
    let (_, bt) = b.account(&db, "bob", "member").await;
    let remote_bob = followed(&a, &da, &at, &format!("bob@{db}")).await;
    let remote_alice = followed(&b, &db, &bt, &format!("alice@{da}")).await;
    b.post(&db, "/api/v1/statuses", Some(&bt), json!({"status": "before the block"}))
        .await
        .expect(200);
    let home = || async { a.get(&da, "/api/v1/timelines/home", Some(&at)).await.json.to_string() };
    assert!(common::eventually(|| async { home().await.contains("before the block") }).await);

    a.post(&da, "/api/v1/domain_blocks", Some(&at), json!({"domain": "not a domain"}))
        .await
        .expect(422);
    a.post(&da, "/api/v1/domain_blocks", Some(&at), json!({"domain": db.to_uppercase()}))
        .await
        .expect(200);
    assert_eq!(a.get(&da, "/api/v1/domain_blocks", Some(&at)).await.expect(200).json, json!([db]));
    let rel = a
        .get(&da, &format!("/api/v1/accounts/relationships?id[]={remote_bob}"), Some(&at))
        .await
        .json;
    assert_eq!(rel[0]["domain_blocking"], true);
    assert!(!home().await.contains("before the block"), "the server's posts leave her home");
    // bob no longer follows alice, on both sides.
    let me = a.get(&da, "/api/v1/accounts/verify_credentials", Some(&at)).await.json;
    assert_eq!(me["followers_count"], 0);
    let his = || async {
        b.get(&db, &format!("/api/v1/accounts/relationships?id[]={remote_alice}"), Some(&bt))
            .await
            .json[0]["following"]
            == false
    };
    assert!(common::eventually(his).await, "bob's server was told");
    // A mention from there notifies nobody.
    b.post(&db, "/api/v1/statuses", Some(&bt), json!({"status": format!("@alice@{da} hello?")}))
        .await
        .expect(200);
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(a.get(&da, "/api/v1/notifications", Some(&at)).await.json, json!([]));

    a.call(Method::DELETE, &da, "/api/v1/domain_blocks", Some(&at), json!({"domain": db}))
        .await
        .expect(200);
    assert!(home().await.contains("before the block"), "unblocking shows them again");
    let _ = alice;
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn custom_emoji_of_remote_posts_are_copied_here() {
    let (a, da, b, db) = pair().await;
    let (_, at) = a.account(&da, "alice", "member").await;
    let (_, bt) = b.account(&db, "bob", "member").await;
    followed(&a, &da, &at, &format!("bob@{db}")).await;
    let tb = herd_app::tenants::by_domain(b.app(), &db).await.expect("tenant");
    herd_app::emojis::add(b.app(), &herd_app::Actor::Operator, &tb, "orgb", common::png(24, 24), None)
        .await
        .expect("added");
    let post = b
        .post(&db, "/api/v1/statuses", Some(&bt), json!({"status": "Greetings :orgb:"}))
        .await
        .expect(200)
        .json;
    let copied = || async {
        let home = a.get(&da, "/api/v1/timelines/home", Some(&at)).await.json;
        let e = &home[0]["emojis"][0];
        home[0]["uri"] == post["uri"] && e["shortcode"] == "orgb" && e["url"].as_str().is_some_and(|u| u.contains(&da))
    };
    assert!(
        common::eventually(copied).await,
        "the emoji arrived and its image was copied to alice's server"
    );
    let home = a.get(&da, "/api/v1/timelines/home", Some(&at)).await.json;
    let url = home[0]["emojis"][0]["url"].as_str().expect("url").to_string();
    let path = url.split_once(&da).expect("on alice's instance").1.to_string();
    let r = a.http.get(a.url(&da, &path)).send().await.expect("sent");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        a.get(&da, "/api/v1/custom_emojis", None).await.json,
        json!([]),
        "not offered in pickers here"
    );
    a.stop().await;
    b.stop().await;
}
