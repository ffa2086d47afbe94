//! The client API beyond posting and timelines, over HTTP as apps use it: lists, markers,
//! account notes, posting preferences, reports.

mod common;

use common::Server;
use reqwest::Method;
use serde_json::{Value, json};

fn contents(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|s| s["content"].as_str()).map(str::to_string).collect())
        .unwrap_or_default()
}

fn has(v: &Value, text: &str) -> bool {
    contents(v).iter().any(|c| c.contains(text))
}

#[tokio::test]
async fn lists_hold_followed_accounts_and_show_their_posts() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, at) = s.account(&d, "alice", "member").await;
    let (bob, bt) = s.account(&d, "bob", "member").await;
    let (carol, ct) = s.account(&d, "carol", "member").await;
    let (dave, dt) = s.account(&d, "dave", "member").await;
    for id in [&bob, &carol] {
        s.post(&d, &format!("/api/v1/accounts/{id}/follow"), Some(&at), json!({}))
            .await
            .expect(200);
    }

    // Create, validate, show, list.
    s.post(&d, "/api/v1/lists", Some(&at), json!({"title": "  "})).await.expect(422);
    s.post(&d, "/api/v1/lists", Some(&at), json!({"title": "x", "replies_policy": "all"}))
        .await
        .expect(422);
    let l = s
        .post(&d, "/api/v1/lists", Some(&at), json!({"title": "Team"}))
        .await
        .expect(200)
        .json;
    assert_eq!(l["title"], "Team");
    assert_eq!(l["replies_policy"], "list");
    assert_eq!(l["exclusive"], false);
    let id = l["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(s.get(&d, "/api/v1/lists", Some(&at)).await.expect(200).json[0]["id"], id.as_str());
    // Another account's list is not there for bob.
    s.get(&d, &format!("/api/v1/lists/{id}"), Some(&bt)).await.expect(404);
    s.call(Method::DELETE, &d, &format!("/api/v1/lists/{id}"), Some(&bt), json!({}))
        .await
        .expect(404);

    // Members: only followed accounts; unknown ids are 404; adding twice is harmless.
    let members = format!("/api/v1/lists/{id}/accounts");
    s.post(&d, &members, Some(&at), json!({"account_ids": [dave]})).await.expect(422);
    s.post(&d, &members, Some(&at), json!({"account_ids": ["999999"]}))
        .await
        .expect(404);
    s.post(&d, &members, Some(&at), json!({"account_ids": [bob]})).await.expect(200);
    s.post(&d, &members, Some(&at), json!({"account_ids": [bob]})).await.expect(200);
    let m = s.get(&d, &members, Some(&at)).await.expect(200).json;
    assert_eq!(m.as_array().map(Vec::len), Some(1));
    assert_eq!(m[0]["id"], bob.as_str());
    let all = s.get(&d, &format!("{members}?limit=0"), Some(&at)).await.expect(200).json;
    assert_eq!(all.as_array().map(Vec::len), Some(1));
    let holding = s
        .get(&d, &format!("/api/v1/accounts/{bob}/lists"), Some(&at))
        .await
        .expect(200)
        .json;
    assert_eq!(holding[0]["id"], id.as_str());
    assert_eq!(
        s.get(&d, &format!("/api/v1/accounts/{carol}/lists"), Some(&at))
            .await
            .expect(200)
            .json,
        json!([])
    );

    // The list timeline: members' posts; replies by the list's policy.
    let timeline = format!("/api/v1/timelines/list/{id}");
    let bob_post = s
        .post(&d, "/api/v1/statuses", Some(&bt), json!({"status": "bob speaks"}))
        .await
        .expect(200)
        .id();
    s.post(&d, "/api/v1/statuses", Some(&ct), json!({"status": "carol speaks"}))
        .await
        .expect(200);
    let dave_post = s
        .post(&d, "/api/v1/statuses", Some(&dt), json!({"status": "dave speaks"}))
        .await
        .expect(200)
        .id();
    s.post(
        &d,
        "/api/v1/statuses",
        Some(&bt),
        json!({"status": "bob answers dave", "in_reply_to_id": dave_post}),
    )
    .await
    .expect(200);
    s.post(
        &d,
        "/api/v1/statuses",
        Some(&bt),
        json!({"status": "bob goes on", "in_reply_to_id": bob_post}),
    )
    .await
    .expect(200);
    let tl = s.get(&d, &timeline, Some(&at)).await.expect(200).json;
    assert!(has(&tl, "bob speaks") && has(&tl, "bob goes on"), "{tl}");
    assert!(!has(&tl, "carol speaks"), "only members");
    assert!(!has(&tl, "bob answers dave"), "replies to non-members are not shown under 'list'");
    s.call(
        Method::PUT,
        &d,
        &format!("/api/v1/lists/{id}"),
        Some(&at),
        json!({"replies_policy": "none"}),
    )
    .await
    .expect(200);
    let tl = s.get(&d, &timeline, Some(&at)).await.expect(200).json;
    assert!(has(&tl, "bob goes on"), "a member's own thread stays");
    s.get(&d, &timeline, Some(&bt)).await.expect(404);

    // Exclusive: bob's posts leave alice's home timeline, and come back when it is not.
    let home = || async { s.get(&d, "/api/v1/timelines/home", Some(&at)).await.expect(200).json };
    assert!(has(&home().await, "bob speaks"));
    let changed = s
        .call(
            Method::PUT,
            &d,
            &format!("/api/v1/lists/{id}"),
            Some(&at),
            json!({"exclusive": true, "title": "Core"}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(changed["exclusive"], true);
    assert_eq!(changed["title"], "Core");
    let h = home().await;
    assert!(!has(&h, "bob speaks") && has(&h, "carol speaks"), "{h}");
    s.call(Method::DELETE, &d, &members, Some(&at), json!({"account_ids": [bob]}))
        .await
        .expect(200);
    assert!(has(&home().await, "bob speaks"));

    // Unfollowing takes an account off the lists.
    s.post(&d, &members, Some(&at), json!({"account_ids": [carol]})).await.expect(200);
    s.post(&d, &format!("/api/v1/accounts/{carol}/unfollow"), Some(&at), json!({}))
        .await
        .expect(200);
    assert_eq!(s.get(&d, &members, Some(&at)).await.expect(200).json, json!([]));

    // Scopes, and deleting.
    let read_only = herd::commands::token_create(s.app(), &d, "alice", "read").await.expect("token");
    s.post(&d, "/api/v1/lists", Some(&read_only), json!({"title": "no"}))
        .await
        .expect(403);
    s.call(Method::DELETE, &d, &format!("/api/v1/lists/{id}"), Some(&at), json!({}))
        .await
        .expect(200);
    s.get(&d, &format!("/api/v1/lists/{id}"), Some(&at)).await.expect(404);
    s.stop().await;
}

#[tokio::test]
async fn markers_notes_and_posting_defaults() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, at) = s.account(&d, "alice", "member").await;
    let (bob, bt) = s.account(&d, "bob", "member").await;

    // Markers: only what was saved, versions counted, shared across apps.
    assert_eq!(
        s.get(&d, "/api/v1/markers?timeline[]=home", Some(&at)).await.expect(200).json,
        json!({})
    );
    let post = s
        .post(&d, "/api/v1/statuses", Some(&bt), json!({"status": "hello"}))
        .await
        .expect(200)
        .id();
    let saved = s
        .post(&d, "/api/v1/markers", Some(&at), json!({"home": {"last_read_id": post}}))
        .await
        .expect(200)
        .json;
    assert_eq!(saved["home"]["last_read_id"], post.as_str());
    assert_eq!(saved["home"]["version"], 1);
    assert!(saved.get("notifications").is_none());
    s.post(
        &d,
        "/api/v1/markers",
        Some(&at),
        json!({"home": {"last_read_id": post}, "notifications": {"last_read_id": "1"}}),
    )
    .await
    .expect(200);
    let both = s
        .get(&d, "/api/v1/markers?timeline[]=home&timeline[]=notifications", Some(&at))
        .await
        .expect(200)
        .json;
    assert_eq!(both["home"]["version"], 2);
    assert_eq!(both["notifications"]["last_read_id"], "1");
    assert_eq!(s.get(&d, "/api/v1/markers", Some(&bt)).await.expect(200).json, json!({}));
    s.post(&d, "/api/v1/markers", Some(&at), json!({"home": {"last_read_id": "not an id"}}))
        .await
        .expect(422);
    s.post(&d, "/api/v1/markers", Some(&at), json!({})).await.expect(400);

    // A private note about bob, shown in the relationship, to alice only.
    let rel = s
        .post(
            &d,
            &format!("/api/v1/accounts/{bob}/note"),
            Some(&at),
            json!({"comment": "met at the conference"}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(rel["note"], "met at the conference");
    let r = s
        .get(&d, &format!("/api/v1/accounts/relationships?id[]={bob}"), Some(&at))
        .await
        .expect(200)
        .json;
    assert_eq!(r[0]["note"], "met at the conference");
    s.post(
        &d,
        &format!("/api/v1/accounts/{bob}/note"),
        Some(&at),
        json!({"comment": "x".repeat(2001)}),
    )
    .await
    .expect(422);
    s.post(&d, &format!("/api/v1/accounts/{bob}/note"), Some(&at), json!({"comment": ""}))
        .await
        .expect(200);
    let r = s
        .get(&d, &format!("/api/v1/accounts/relationships?id[]={bob}"), Some(&at))
        .await
        .expect(200)
        .json;
    assert_eq!(r[0]["note"], "");
    s.post(&d, "/api/v1/accounts/999999/note", Some(&at), json!({"comment": "?"}))
        .await
        .expect(404);

    // Posting defaults: set through update_credentials, read as preferences, applied to posts.
    let prefs = s.get(&d, "/api/v1/preferences", Some(&at)).await.expect(200).json;
    assert_eq!(prefs["posting:default:visibility"], "public");
    let me = s
        .call(
            Method::PATCH,
            &d,
            "/api/v1/accounts/update_credentials",
            Some(&at),
            json!({"source": {"privacy": "unlisted", "sensitive": true, "language": "de"}}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(me["source"]["privacy"], "unlisted");
    assert_eq!(me["source"]["sensitive"], true);
    assert_eq!(me["source"]["language"], "de");
    let prefs = s.get(&d, "/api/v1/preferences", Some(&at)).await.expect(200).json;
    assert_eq!(prefs["posting:default:visibility"], "unlisted");
    assert_eq!(prefs["posting:default:sensitive"], true);
    assert_eq!(prefs["posting:default:language"], "de");
    let p = s
        .post(&d, "/api/v1/statuses", Some(&at), json!({"status": "by default"}))
        .await
        .expect(200)
        .json;
    assert_eq!(p["visibility"], "unlisted");
    assert_eq!(p["language"], "de");
    let p = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "said so", "visibility": "public", "language": "en"}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(p["visibility"], "public");
    assert_eq!(p["language"], "en");
    s.call(
        Method::PATCH,
        &d,
        "/api/v1/accounts/update_credentials",
        Some(&at),
        json!({"source": {"privacy": "everyone"}}),
    )
    .await
    .expect(422);
    s.stop().await;
}

#[tokio::test]
async fn reports_land_in_the_instance_queue() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (alice, at) = s.account(&d, "alice", "member").await;
    let (bob, bt) = s.account(&d, "bob", "member").await;
    let (_, ct) = s.account(&d, "carol", "member").await;
    let t = herd_app::tenants::by_domain(s.app(), &d).await.expect("tenant");
    herd_app::tenants::add_rule(s.app(), &herd_app::Actor::Operator, &t, "Be kind", "")
        .await
        .expect("rule");
    let rules = s.get(&d, "/api/v1/instance/rules", None).await.expect(200).json;
    let rule = rules[0]["id"].as_str().unwrap_or_default().to_string();
    let post = s
        .post(&d, "/api/v1/statuses", Some(&bt), json!({"status": "rude words"}))
        .await
        .expect(200)
        .id();
    let other = s
        .post(&d, "/api/v1/statuses", Some(&ct), json!({"status": "carol's"}))
        .await
        .expect(200)
        .id();

    let r = s
        .post(
            &d,
            "/api/v1/reports",
            Some(&at),
            json!({"account_id": bob, "status_ids": [post], "comment": "not kind", "rule_ids": [rule]}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(r["category"], "violation");
    assert_eq!(r["status_ids"], json!([post]));
    assert_eq!(r["rule_ids"], json!([rule]));
    assert_eq!(r["target_account"]["id"], bob.as_str());
    assert_eq!(r["forwarded"], false);
    assert_eq!(r["action_taken"], false);

    // Bad input: someone else's post, unknown rule or category, oneself, too long, no account.
    let cases = [
        (json!({"account_id": bob, "status_ids": [other]}), 404),
        (json!({"account_id": bob, "category": "violation", "rule_ids": ["123"]}), 422),
        (json!({"account_id": bob, "category": "rudeness"}), 422),
        (json!({"account_id": alice}), 422),
        (json!({"account_id": bob, "comment": "x".repeat(1001)}), 422),
        (json!({"account_id": "999999"}), 404),
        (json!({"comment": "who?"}), 422),
    ];
    for (body, status) in cases {
        let got = s.post(&d, "/api/v1/reports", Some(&at), body.clone()).await;
        assert_eq!(got.status.as_u16(), status, "{body}: {}", got.json);
        assert!(got.json["error"].is_string(), "{body}");
    }

    // Only the valid report is in the queue, with what it said.
    let mut c = s.app().db.conn().await.expect("conn");
    let queue = herd_store::reports::open(&mut c, t.id, 10).await.expect("queue");
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].account_id.to_string(), alice);
    assert_eq!(queue[0].target_account_id.to_string(), bob);
    assert_eq!(queue[0].comment, "not kind");
    drop(c);
    s.stop().await;
}

#[tokio::test]
async fn filters_warn_or_hide_matching_posts_where_they_apply() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, at) = s.account(&d, "alice", "member").await;
    let (bob, bt) = s.account(&d, "bob", "member").await;
    s.post(&d, &format!("/api/v1/accounts/{bob}/follow"), Some(&at), json!({}))
        .await
        .expect(200);
    let spoiler = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&bt),
            json!({"status": "The Spoiler: it was the butler"}),
        )
        .await
        .expect(200)
        .id();
    s.post(&d, "/api/v1/statuses", Some(&bt), json!({"status": "spoilers ahead, maybe"}))
        .await
        .expect(200);
    s.post(&d, "/api/v1/statuses", Some(&bt), json!({"status": "@alice no politics here"}))
        .await
        .expect(200);
    s.post(&d, "/api/v1/statuses", Some(&bt), json!({"status": "plain news"}))
        .await
        .expect(200);

    // Bad input.
    s.post(&d, "/api/v2/filters", Some(&at), json!({"title": "x"})).await.expect(422);
    s.post(&d, "/api/v2/filters", Some(&at), json!({"title": "x", "context": ["everywhere"]}))
        .await
        .expect(422);
    s.post(
        &d,
        "/api/v2/filters",
        Some(&at),
        json!({"title": "x", "context": ["home"], "filter_action": "burn"}),
    )
    .await
    .expect(422);
    s.post(
        &d,
        "/api/v2/filters",
        Some(&at),
        json!({"title": "x", "context": ["home"], "keywords_attributes": [{"keyword": " "}]}),
    )
    .await
    .expect(422);

    // A warning filter, created as a form would send it (Rack-style nested keys).
    let form = s
        .http
        .post(s.url(&d, "/api/v2/filters"))
        .bearer_auth(&at)
        .form(&[
            ("title", "Spoilers"),
            ("context[]", "home"),
            ("context[]", "thread"),
            ("filter_action", "warn"),
            ("keywords_attributes[][keyword]", "spoiler"),
            ("keywords_attributes[][whole_word]", "true"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(form.status(), 200);
    let warn: Value = form.json().await.expect("json");
    assert_eq!(warn["context"], json!(["home", "thread"]));
    assert_eq!(warn["keywords"].as_array().map(Vec::len), Some(1));
    assert_eq!(warn["keywords"][0]["whole_word"], true);
    let warn_id = warn["id"].as_str().unwrap_or_default().to_string();

    let home = s.get(&d, "/api/v1/timelines/home", Some(&at)).await.expect(200).json;
    let find = |tl: &Value, text: &str| {
        tl.as_array()
            .and_then(|a| a.iter().find(|s| s["content"].as_str().is_some_and(|c| c.contains(text))).cloned())
            .unwrap_or(Value::Null)
    };
    let hit = find(&home, "the butler");
    assert_eq!(hit["filtered"][0]["filter"]["id"], warn_id.as_str());
    assert_eq!(hit["filtered"][0]["keyword_matches"], json!(["spoiler"]));
    assert_eq!(find(&home, "spoilers ahead")["filtered"], json!([]), "whole words only");
    assert_eq!(find(&home, "plain news")["filtered"], json!([]));
    // Not in a context it does not name.
    let public = s.get(&d, "/api/v1/timelines/public", Some(&at)).await.expect(200).json;
    assert_eq!(find(&public, "the butler")["filtered"], json!([]));

    // A hiding filter with a post and a keyword, in notifications and timelines.
    let hide = s
        .post(
            &d,
            "/api/v2/filters",
            Some(&at),
            json!({"title": "Calm", "context": ["home", "notifications", "public"], "filter_action": "hide",
                   "keywords_attributes": [{"keyword": "politics", "whole_word": false}]}),
        )
        .await
        .expect(200)
        .json;
    let hide_id = hide["id"].as_str().unwrap_or_default().to_string();
    let added = s
        .post(
            &d,
            &format!("/api/v2/filters/{hide_id}/statuses"),
            Some(&at),
            json!({"status_id": spoiler}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(added["status_id"], spoiler.as_str());
    s.post(
        &d,
        &format!("/api/v2/filters/{hide_id}/statuses"),
        Some(&at),
        json!({"status_id": spoiler}),
    )
    .await
    .expect(422);
    let home = s.get(&d, "/api/v1/timelines/home", Some(&at)).await.expect(200).json;
    assert!(!has(&home, "the butler") && !has(&home, "politics"), "{home}");
    assert!(has(&home, "plain news"));
    let n = s.get(&d, "/api/v1/notifications", Some(&at)).await.expect(200).json;
    assert_eq!(n, json!([]), "the mention is hidden with its post");

    // Keywords changed on their own, then the whole filter through keywords_attributes.
    let kw = s
        .post(
            &d,
            &format!("/api/v2/filters/{warn_id}/keywords"),
            Some(&at),
            json!({"keyword": "butler", "whole_word": true}),
        )
        .await
        .expect(200)
        .json;
    let kw_id = kw["id"].as_str().unwrap_or_default().to_string();
    s.call(
        Method::PUT,
        &d,
        &format!("/api/v2/filters/keywords/{kw_id}"),
        Some(&at),
        json!({"keyword": "gardener"}),
    )
    .await
    .expect(200);
    assert_eq!(
        s.get(&d, &format!("/api/v2/filters/keywords/{kw_id}"), Some(&at))
            .await
            .expect(200)
            .json["keyword"],
        "gardener"
    );
    let changed = s
        .call(
            Method::PUT,
            &d,
            &format!("/api/v2/filters/{warn_id}"),
            Some(&at),
            json!({"title": "Endings", "keywords_attributes": [{"id": kw_id, "_destroy": true}, {"keyword": "ending"}]}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(changed["title"], "Endings");
    let words: Vec<&str> = changed["keywords"]
        .as_array()
        .map(|k| k.iter().filter_map(|x| x["keyword"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(words, vec!["spoiler", "ending"]);

    // Someone else's filters are not there; deleting and expiry end a filter.
    s.get(&d, &format!("/api/v2/filters/{hide_id}"), Some(&bt)).await.expect(404);
    s.call(
        Method::DELETE,
        &d,
        &format!("/api/v2/filters/keywords/{kw_id}"),
        Some(&bt),
        json!({}),
    )
    .await
    .expect(404);
    assert_eq!(
        s.get(&d, "/api/v2/filters", Some(&at))
            .await
            .expect(200)
            .json
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    s.call(Method::DELETE, &d, &format!("/api/v2/filters/{hide_id}"), Some(&at), json!({}))
        .await
        .expect(200);
    assert!(has(&s.get(&d, "/api/v1/timelines/home", Some(&at)).await.json, "politics"));
    // A filter that runs out stops applying (expires_in counts from now).
    s.call(
        Method::PUT,
        &d,
        &format!("/api/v2/filters/{warn_id}"),
        Some(&at),
        json!({"expires_in": 1}),
    )
    .await
    .expect(200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let home = s.get(&d, "/api/v1/timelines/home", Some(&at)).await.expect(200).json;
    assert_eq!(
        find(&home, "the butler")["filtered"],
        json!([]),
        "an expired filter no longer applies"
    );
    s.stop().await;
}

#[tokio::test]
async fn direct_posts_make_conversations_for_each_participant() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (alice, at) = s.account(&d, "alice", "member").await;
    let (bob, bt) = s.account(&d, "bob", "member").await;
    let (_, ct) = s.account(&d, "carol", "member").await;

    let first = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "@bob just us", "visibility": "direct"}),
        )
        .await
        .expect(200)
        .id();
    s.post(&d, "/api/v1/statuses", Some(&at), json!({"status": "@bob in public"}))
        .await
        .expect(200);
    let mine = s.get(&d, "/api/v1/conversations", Some(&at)).await.expect(200).json;
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");
    assert_eq!(mine[0]["unread"], false, "one's own message is read");
    assert_eq!(mine[0]["accounts"][0]["id"], bob.as_str());
    assert_eq!(mine[0]["last_status"]["id"], first.as_str());
    let theirs = s.get(&d, "/api/v1/conversations", Some(&bt)).await.expect(200).json;
    assert_eq!(theirs[0]["unread"], true);
    assert_eq!(theirs[0]["accounts"][0]["id"], alice.as_str());
    assert_eq!(s.get(&d, "/api/v1/conversations", Some(&ct)).await.expect(200).json, json!([]));

    // bob answers: the same conversation, now with his post last, unread for alice.
    let reply = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&bt),
            json!({"status": "@alice yes", "visibility": "direct", "in_reply_to_id": first}),
        )
        .await
        .expect(200)
        .id();
    let mine = s.get(&d, "/api/v1/conversations", Some(&at)).await.expect(200).json;
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    assert_eq!(mine[0]["last_status"]["id"], reply.as_str());
    assert_eq!(mine[0]["unread"], true);
    let id = mine[0]["id"].as_str().unwrap_or_default().to_string();
    let read = s
        .post(&d, &format!("/api/v1/conversations/{id}/read"), Some(&at), json!({}))
        .await
        .expect(200)
        .json;
    assert_eq!(read["unread"], false);
    // Not bob's to read or remove; alice removes hers, bob keeps his.
    s.post(&d, &format!("/api/v1/conversations/{id}/read"), Some(&bt), json!({}))
        .await
        .expect(404);
    s.call(Method::DELETE, &d, &format!("/api/v1/conversations/{id}"), Some(&at), json!({}))
        .await
        .expect(200);
    assert_eq!(s.get(&d, "/api/v1/conversations", Some(&at)).await.expect(200).json, json!([]));
    assert_eq!(
        s.get(&d, "/api/v1/conversations", Some(&bt))
            .await
            .expect(200)
            .json
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    s.stop().await;
}

#[tokio::test]
async fn followed_hashtags_bring_their_posts_home() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, at) = s.account(&d, "alice", "member").await;
    let (_, ct) = s.account(&d, "carol", "member").await;
    let home = || async { s.get(&d, "/api/v1/timelines/home", Some(&at)).await.expect(200).json };
    // Read once, so the feed is cached: following the tag must refresh it.
    assert!(!has(&home().await, "before"));
    s.post(&d, "/api/v1/statuses", Some(&ct), json!({"status": "before #Gardening"}))
        .await
        .expect(200);
    s.get(&d, "/api/v1/tags/nosuchtag", Some(&at)).await.expect(404);
    let tag = s.get(&d, "/api/v1/tags/gardening", Some(&at)).await.expect(200).json;
    assert_eq!(tag["name"], "gardening");
    assert_eq!(tag["following"], false);
    let followed = s
        .post(&d, "/api/v1/tags/Gardening/follow", Some(&at), json!({}))
        .await
        .expect(200)
        .json;
    assert_eq!(followed["following"], true);
    assert!(has(&home().await, "before"), "posts with the tag join the home timeline");
    // A new post with it reaches the cached feed; a private one or one without it does not.
    s.post(&d, "/api/v1/statuses", Some(&ct), json!({"status": "after #gardening"}))
        .await
        .expect(200);
    s.post(
        &d,
        "/api/v1/statuses",
        Some(&ct),
        json!({"status": "quietly #gardening", "visibility": "private"}),
    )
    .await
    .expect(200);
    s.post(&d, "/api/v1/statuses", Some(&ct), json!({"status": "untagged"}))
        .await
        .expect(200);
    let h = home().await;
    assert!(has(&h, "after") && !has(&h, "quietly") && !has(&h, "untagged"), "{h}");
    let list = s.get(&d, "/api/v1/followed_tags", Some(&at)).await.expect(200).json;
    assert_eq!(list[0]["name"], "gardening");
    // Following a tag no post used yet works too.
    s.post(&d, "/api/v1/tags/brandnew/follow", Some(&at), json!({})).await.expect(200);
    s.post(&d, "/api/v1/tags/not-a-tag!/follow", Some(&at), json!({})).await.expect(404);
    s.post(&d, "/api/v1/tags/gardening/unfollow", Some(&at), json!({}))
        .await
        .expect(200);
    assert!(!has(&home().await, "after"), "unfollowing takes them away again");
    let list = s.get(&d, "/api/v1/followed_tags", Some(&at)).await.expect(200).json;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    s.stop().await;
}

#[tokio::test]
async fn announcements_are_read_dismissed_and_reacted_to() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, at) = s.account(&d, "alice", "member").await;
    let (_, bt) = s.account(&d, "bob", "member").await;
    let t = herd_app::tenants::by_domain(s.app(), &d).await.expect("tenant");
    let op = herd_app::Actor::Operator;
    let publish = |text: &str, ends_at: Option<i64>| {
        let a = herd_app::announcements::NewAnnouncement {
            text: text.into(),
            ends_at,
            ..Default::default()
        };
        herd_app::announcements::publish(s.app(), &op, &t, a)
    };
    let bad = herd_app::announcements::NewAnnouncement {
        text: "  ".into(),
        ..Default::default()
    };
    assert!(
        herd_app::announcements::publish(s.app(), &op, &t, bad).await.is_err(),
        "an empty one is refused"
    );
    let past = publish("Yesterday's news", Some(1_000)).await.expect("published");
    let id = publish("Welcome to #OrgA, see https://org-a.example", None)
        .await
        .expect("published")
        .to_string();

    let list = s.get(&d, "/api/v1/announcements", Some(&at)).await.expect(200).json;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "ended ones are not shown: {list}");
    let a = &list[0];
    assert_eq!(a["id"], id.as_str());
    assert!(
        a["content"].as_str().is_some_and(|c| c.contains("<a href=") && c.contains("OrgA")),
        "{a}"
    );
    assert_eq!(a["read"], false);
    let anon = s.get(&d, "/api/v1/announcements", None).await.expect(200).json;
    assert!(anon[0].get("read").is_none(), "no `read` without a viewer");
    let _ = past;

    // Reactions: one emoji each, counted, `me` for the viewer.
    let react = |token: &str, name: &str, m: Method| {
        let path = format!("/api/v1/announcements/{id}/reactions/{name}");
        let (s, d, token) = (&s, &d, token.to_string());
        async move { s.call(m, d, &path, Some(&token), Value::Null).await }
    };
    react(&at, "%F0%9F%8E%89", Method::PUT).await.expect(200);
    react(&bt, "%F0%9F%8E%89", Method::PUT).await.expect(200);
    react(&bt, "%F0%9F%8E%89", Method::PUT).await.expect(200);
    react(&bt, "notanemoji", Method::PUT).await.expect(422);
    s.call(
        Method::PUT,
        &d,
        "/api/v1/announcements/999/reactions/%F0%9F%8E%89",
        Some(&bt),
        Value::Null,
    )
    .await
    .expect(404);
    let a = s.get(&d, "/api/v1/announcements", Some(&at)).await.json;
    assert_eq!(a[0]["reactions"], json!([{"name": "🎉", "count": 2, "me": true}]));
    react(&at, "%F0%9F%8E%89", Method::DELETE).await.expect(200);
    let a = s.get(&d, "/api/v1/announcements", Some(&at)).await.json;
    assert_eq!(a[0]["reactions"], json!([{"name": "🎉", "count": 1, "me": false}]));

    // Dismissed: read, and left out on request; a change makes it unread again.
    s.post(&d, &format!("/api/v1/announcements/{id}/dismiss"), Some(&at), json!({}))
        .await
        .expect(200);
    assert_eq!(s.get(&d, "/api/v1/announcements", Some(&at)).await.json[0]["read"], true);
    assert_eq!(
        s.get(&d, "/api/v1/announcements?with_dismissed=false", Some(&at)).await.json,
        json!([])
    );
    assert_eq!(
        s.get(&d, "/api/v1/announcements", Some(&bt)).await.json[0]["read"],
        false,
        "bob's own"
    );
    let change = herd_app::announcements::NewAnnouncement {
        text: "Welcome, again".into(),
        ..Default::default()
    };
    herd_app::announcements::update(s.app(), &op, &t, id.parse().expect("id"), change)
        .await
        .expect("updated");
    let a = s.get(&d, "/api/v1/announcements", Some(&at)).await.json;
    assert_eq!(
        (a[0]["read"].clone(), a[0]["content"].clone()),
        (json!(false), json!("<p>Welcome, again</p>"))
    );
    s.post(&d, "/api/v1/announcements/12345/dismiss", Some(&at), json!({}))
        .await
        .expect(404);
    s.stop().await;
}

#[tokio::test]
async fn custom_emoji_are_listed_and_carried_by_the_posts_that_use_them() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, at) = s.account(&d, "alice", "member").await;
    let t = herd_app::tenants::by_domain(s.app(), &d).await.expect("tenant");
    let op = herd_app::Actor::Operator;
    let png = common::png(32, 32);
    for (code, bytes) in [
        ("a b", png.clone()),
        ("x", png.clone()),
        ("blob", b"not an image".to_vec()),
        ("big", vec![0u8; 300_000]),
    ] {
        assert!(
            herd_app::emojis::add(s.app(), &op, &t, code, bytes, None).await.is_err(),
            "{code} is refused"
        );
    }
    herd_app::emojis::add(s.app(), &op, &t, "blobcat", png.clone(), Some("Cats".into()))
        .await
        .expect("added");
    assert!(
        herd_app::emojis::add(s.app(), &op, &t, "blobcat", png, None).await.is_err(),
        "twice is refused"
    );

    let list = s.get(&d, "/api/v1/custom_emojis", None).await.expect(200).json;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["shortcode"], "blobcat");
    assert_eq!(list[0]["category"], "Cats");
    assert_eq!(list[0]["visible_in_picker"], true);
    for k in ["url", "static_url"] {
        let url = list[0][k].as_str().expect("url").to_string();
        let path = url.split_once(&d).expect("on the instance").1.to_string();
        let r = s.http.get(s.url(&d, &path)).send().await.expect("sent");
        assert_eq!(r.status().as_u16(), 200, "{k} is served");
    }

    let post = s
        .status(&d, &at, json!({"status": "Hello :blobcat: and :unknown:", "spoiler_text": "cats"}))
        .await;
    let v = s.get(&d, &format!("/api/v1/statuses/{post}"), Some(&at)).await.expect(200).json;
    assert_eq!(v["emojis"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v["emojis"][0]["shortcode"], "blobcat");
    let plain = s.status(&d, &at, json!({"status": "No emoji here: 10:30"})).await;
    let v = s.get(&d, &format!("/api/v1/statuses/{plain}"), Some(&at)).await.json;
    assert_eq!(v["emojis"], json!([]));
    // Other servers read the emoji in the note's tags.
    let note = s
        .http
        .get(s.url(&d, &format!("/users/alice/statuses/{post}")))
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("sent")
        .json::<Value>()
        .await
        .expect("json");
    let emoji = note["tag"]
        .as_array()
        .and_then(|t| t.iter().find(|x| x["type"] == "Emoji"))
        .cloned()
        .expect("an Emoji tag");
    assert_eq!(emoji["name"], ":blobcat:");
    assert_eq!(emoji["icon"]["mediaType"], "image/png");

    // An edit without it, and a removed emoji, leave the posts without it.
    s.call(
        Method::PUT,
        &d,
        &format!("/api/v1/statuses/{post}"),
        Some(&at),
        json!({"status": "Hello"}),
    )
    .await
    .expect(200);
    let v = s.get(&d, &format!("/api/v1/statuses/{post}"), Some(&at)).await.json;
    assert_eq!(v["emojis"], json!([]));
    let again = s.status(&d, &at, json!({"status": ":blobcat:"})).await;
    herd_app::emojis::remove(s.app(), &op, &t, "blobcat").await.expect("removed");
    assert_eq!(s.get(&d, "/api/v1/custom_emojis", None).await.json, json!([]));
    let v = s.get(&d, &format!("/api/v1/statuses/{again}"), Some(&at)).await.json;
    assert_eq!(v["emojis"], json!([]), "the post's cached rendering changed too");
    s.stop().await;
}
