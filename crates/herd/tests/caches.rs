//! The per-node caches (sessions, accounts, posts, home feeds, viewers' marks, renderings):
//! a page served from them is the same JSON as one built from the database, and a write on
//! one node reaches what another node serves within moments.

mod common;

use common::{Server, eventually, png};
use reqwest::Method;
use serde_json::{Value, json};

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    k.sort();
    k
}

#[tokio::test]
async fn a_home_page_from_the_caches_is_the_same_json_as_from_the_database() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (alice, at) = s.account(&d, "alice", "member").await;
    let (bob, bt) = s.account(&d, "bob", "member").await;
    let (carol, ct) = s.account(&d, "carol", "member").await;
    for target in [&alice, &carol] {
        s.post(&d, &format!("/api/v1/accounts/{target}/follow"), Some(&bt), json!({}))
            .await
            .expect(200);
    }
    s.call(
        Method::PATCH,
        &d,
        "/api/v1/accounts/update_credentials",
        Some(&at),
        json!({"display_name": "Alice \"A\" <Org>", "fields_attributes": {"0": {"name": "Site", "value": "https://alice.example"}}}),
    )
    .await
    .expect(200);
    let media = s.upload(&d, &at, png(64, 48), "a.png").await;
    s.wait_media(&d, &media, &at).await;
    let post = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "Hello @bob and #Herd, see https://example.org/x?a=1&b=2 ✨", "spoiler_text": "cw", "media_ids": [media], "language": "en"}),
        )
        .await
        .expect(200)
        .id();
    s.post(&d, &format!("/api/v1/statuses/{post}/reblog"), Some(&ct), json!({}))
        .await
        .expect(200);
    for mark in ["favourite", "bookmark"] {
        s.post(&d, &format!("/api/v1/statuses/{post}/{mark}"), Some(&bt), json!({}))
            .await
            .expect(200);
    }
    let own = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&bt),
            json!({"status": "mine", "visibility": "private"}),
        )
        .await
        .expect(200)
        .id();
    s.post(&d, &format!("/api/v1/statuses/{own}/pin"), Some(&bt), json!({}))
        .await
        .expect(200);
    let reply = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&ct),
            json!({"status": "@alice agreed", "in_reply_to_id": post}),
        )
        .await
        .expect(200)
        .id();
    // A quote, and a quote of that quote (shown by id only inside).
    let quote = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&ct),
            json!({"status": "quoting alice", "quoted_status_id": post}),
        )
        .await
        .expect(200)
        .id();
    s.post(&d, "/api/v1/statuses", Some(&at), json!({"status": "", "quoted_status_id": quote}))
        .await
        .expect(200);

    // Twice: the first page fills the caches, the second is served from them.
    for round in 0..2 {
        let home = s.get(&d, "/api/v1/timelines/home?limit=40", Some(&bt)).await.expect(200);
        let items = home.json.as_array().expect("a list").clone();
        let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap_or("")).collect();
        assert_eq!(ids.len(), 6, "round {round}: {ids:?}");
        assert!(ids.contains(&own.as_str()) && ids.contains(&post.as_str()) && ids.contains(&reply.as_str()));
        assert!(ids.contains(&quote.as_str()));
        for item in &items {
            let id = item["id"].as_str().unwrap_or_default();
            let mut single = s.get(&d, &format!("/api/v1/statuses/{id}"), Some(&bt)).await.expect(200).json;
            // A boost asked for alone shows the viewer's marks of the boosted post, as
            // Mastodon's does; in timelines the boost's own.
            if !single["reblog"].is_null() {
                for k in ["favourited", "reblogged", "bookmarked"] {
                    single[k] = item[k].clone();
                }
            }
            assert_eq!(keys(item), keys(&single), "round {round}, post {id}");
            assert_eq!(item, &single, "round {round}, post {id}");
        }
        let boost = items.iter().find(|i| !i["reblog"].is_null()).expect("the boost is on the page");
        assert_eq!(boost["account"]["id"], json!(carol));
        assert_eq!(boost["reblog"]["favourited"], true);
        assert_eq!(boost["reblog"]["bookmarked"], true);
        assert_eq!(boost["reblog"]["account"]["display_name"], "Alice \"A\" <Org>");
        let mine = items.iter().find(|i| i["id"] == json!(own)).expect("own post");
        assert_eq!(mine["pinned"], true);
        assert_eq!(mine["account"]["id"], json!(bob));
    }

    // Writes on this node show at once.
    s.post(&d, &format!("/api/v1/statuses/{post}/unfavourite"), Some(&bt), json!({}))
        .await
        .expect(200);
    s.call(
        Method::PUT,
        &d,
        &format!("/api/v1/statuses/{post}"),
        Some(&at),
        json!({"status": "Edited"}),
    )
    .await
    .expect(200);
    let home = s.get(&d, "/api/v1/timelines/home?limit=40", Some(&bt)).await.expect(200).json;
    let original = home
        .as_array()
        .and_then(|a| a.iter().find(|i| i["id"] == json!(post)))
        .expect("post")
        .clone();
    assert_eq!(original["favourited"], false);
    assert_eq!(original["favourites_count"], 0);
    assert!(original["content"].as_str().is_some_and(|c| c.contains("Edited")), "{original}");
    // Editing who a direct post mentions changes whose home shows it.
    let dm = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "@bob psst", "visibility": "direct"}),
        )
        .await
        .expect(200)
        .id();
    let home_ids = || async {
        let home = s.get(&d, "/api/v1/timelines/home?limit=40", Some(&bt)).await.expect(200).json;
        home.as_array()
            .map(|a| a.iter().map(|i| i["id"].as_str().unwrap_or("").to_string()).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    assert!(home_ids().await.contains(&dm));
    s.call(
        Method::PUT,
        &d,
        &format!("/api/v1/statuses/{dm}"),
        Some(&at),
        json!({"status": "never mind"}),
    )
    .await
    .expect(200);
    assert!(!home_ids().await.contains(&dm), "bob is no longer mentioned");
    // A timed mute hides alice's posts, and they are back once it runs out.
    s.post(&d, &format!("/api/v1/accounts/{alice}/mute"), Some(&bt), json!({"duration": 1}))
        .await
        .expect(200);
    assert!(!home_ids().await.contains(&post));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert!(home_ids().await.contains(&post), "the mute ran out");
    s.call(Method::DELETE, &d, &format!("/api/v1/statuses/{post}"), Some(&at), Value::Null)
        .await
        .expect(200);
    let home = s.get(&d, "/api/v1/timelines/home?limit=40", Some(&bt)).await.expect(200).json;
    let ids: Vec<&str> = home
        .as_array()
        .map(|a| a.iter().map(|i| i["id"].as_str().unwrap_or("")).collect())
        .unwrap_or_default();
    assert!(!ids.contains(&post.as_str()), "the deleted post and its boost are gone: {ids:?}");
    assert!(home.as_array().is_some_and(|a| a.iter().all(|i| i["reblog"].is_null())), "{home}");
    s.stop().await;
}

#[tokio::test]
async fn a_write_on_one_node_reaches_another_nodes_caches() {
    let a = Server::start().await;
    let d = a.tenant("org-a.test", "open").await;
    let (alice, at) = a.account(&d, "alice", "member").await;
    let (_, bt) = a.account(&d, "bob", "member").await;
    a.post(&d, &format!("/api/v1/accounts/{alice}/follow"), Some(&bt), json!({}))
        .await
        .expect(200);
    let first = a
        .post(&d, "/api/v1/statuses", Some(&at), json!({"status": "first"}))
        .await
        .expect(200)
        .id();
    let b = a.node().await;

    let home = |token: String| {
        let (b, d) = (&b, d.clone());
        async move { b.get(&d, "/api/v1/timelines/home", Some(&token)).await }
    };
    // Node B caches bob's session, his feed, the post and alice's account.
    let page = home(bt.clone()).await.expect(200).json;
    assert_eq!(page[0]["id"], json!(first));

    // A new post on node A.
    let second = a
        .post(&d, "/api/v1/statuses", Some(&at), json!({"status": "second"}))
        .await
        .expect(200)
        .id();
    assert!(
        eventually(|| async { home(bt.clone()).await.json[0]["id"] == json!(second) }).await,
        "node B shows the new post"
    );
    // A favourite, an edit and a profile change on node A.
    a.post(&d, &format!("/api/v1/statuses/{first}/favourite"), Some(&bt), json!({}))
        .await
        .expect(200);
    a.call(
        Method::PUT,
        &d,
        &format!("/api/v1/statuses/{first}"),
        Some(&at),
        json!({"status": "first, edited"}),
    )
    .await
    .expect(200);
    a.call(
        Method::PATCH,
        &d,
        "/api/v1/accounts/update_credentials",
        Some(&at),
        json!({"display_name": "Alice B."}),
    )
    .await
    .expect(200);
    assert!(
        eventually(|| async {
            let p = home(bt.clone()).await.json;
            p[1]["favourited"] == true
                && p[1]["favourites_count"] == 1
                && p[1]["content"].as_str().is_some_and(|c| c.contains("edited"))
                && p[1]["account"]["display_name"] == "Alice B."
        })
        .await,
        "node B shows the favourite, the edit and the new name"
    );
    // An unfollow on node A empties bob's feed of alice's posts on node B.
    a.post(&d, &format!("/api/v1/accounts/{alice}/unfollow"), Some(&bt), json!({}))
        .await
        .expect(200);
    assert!(
        eventually(|| async { home(bt.clone()).await.json.as_array().is_some_and(|a| a.is_empty()) }).await,
        "node B drops the unfollowed account's posts"
    );

    // A token revoked on node A stops working on node B, though B had it cached.
    let app = a
        .post(
            &d,
            "/api/v1/apps",
            None,
            json!({"client_name": "App", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read"}),
        )
        .await
        .expect(200)
        .json;
    let token = a
        .post(
            &d,
            "/oauth/token",
            None,
            json!({"grant_type": "password", "client_id": app["client_id"], "client_secret": app["client_secret"],
                   "username": "bob@example.org", "password": "correct horse battery", "scope": "read"}),
        )
        .await
        .expect(200)
        .json["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    b.get(&d, "/api/v1/accounts/verify_credentials", Some(&token)).await.expect(200);
    a.post(
        &d,
        "/oauth/revoke",
        None,
        json!({"client_id": app["client_id"], "client_secret": app["client_secret"], "token": token}),
    )
    .await
    .expect(200);
    assert!(
        eventually(|| async { b.get(&d, "/api/v1/accounts/verify_credentials", Some(&token)).await.status == 401 }).await,
        "node B refuses the revoked token"
    );
    // Bob's other token still works there.
    b.get(&d, "/api/v1/accounts/verify_credentials", Some(&bt)).await.expect(200);
    b.stop().await;
    a.stop().await;
}
