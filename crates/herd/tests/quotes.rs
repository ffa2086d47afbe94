//! Quote posts as Mastodon 4.5 has them: quoting within one instance by the quoted post's
//! policy, and across servers by QuoteRequest, Accept and the QuoteAuthorization anyone can
//! fetch, over real HTTP between two Herd processes.

mod common;

use common::{Server, eventually, followed, pair};
use reqwest::Method;
use serde_json::{Value, json};

const NOT_QUOTABLE: &str = "The post you are trying to quote does not appear to exist.";

async fn notifications(s: &Server, d: &str, token: &str, kind: &str) -> Vec<Value> {
    let n = s
        .get(d, &format!("/api/v1/notifications?types[]={kind}"), Some(token))
        .await
        .expect(200)
        .json;
    n.as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn members_quote_each_other_by_the_quoted_posts_policy() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (alice_id, at) = s.account(&d, "alice", "member").await;
    let (_, bt) = s.account(&d, "bob", "member").await;
    let (_, ct) = s.account(&d, "carol", "member").await;

    // bob's public post may be quoted by anyone signed in.
    let original = s.status(&d, &bt, json!({"status": "the original"})).await;
    let seen = s.get(&d, &format!("/api/v1/statuses/{original}"), Some(&at)).await.expect(200).json;
    assert_eq!(
        seen["quote_approval"],
        json!({"automatic": ["public"], "manual": [], "current_user": "automatic"})
    );
    let anonymous = s.get(&d, &format!("/api/v1/statuses/{original}"), None).await.expect(200).json;
    assert_eq!(anonymous["quote_approval"]["current_user"], "denied");

    let quoting = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "my take", "quoted_status_id": original}),
        )
        .await
        .expect(200)
        .json;
    let quoting_id = quoting["id"].as_str().expect("id").to_string();
    assert_eq!(quoting["quote"]["state"], "accepted", "{quoting}");
    assert_eq!(quoting["quote"]["quoted_status"]["id"], json!(original));
    assert_eq!(quoting["quote"]["quoted_status"]["quote"], Value::Null);
    let content = quoting["content"].as_str().unwrap_or_default();
    assert!(
        content.starts_with("<p class=\"quote-inline\">RE: "),
        "the fallback for apps without quotes: {content}"
    );
    assert!(content.contains("my take"));

    // bob is told, his post counts the quote and lists it.
    let told = notifications(&s, &d, &bt, "quote").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["account"]["id"], json!(alice_id));
    assert_eq!(told[0]["status"]["id"], json!(quoting_id));
    let counted = s.get(&d, &format!("/api/v1/statuses/{original}"), Some(&bt)).await.json;
    assert_eq!(counted["quotes_count"], 1);
    let listed = s
        .get(&d, &format!("/api/v1/statuses/{original}/quotes"), Some(&bt))
        .await
        .expect(200)
        .json;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["id"], json!(quoting_id));
    s.get(&d, &format!("/api/v1/statuses/{original}/quotes"), None).await.expect(401);

    // A quote of a quote shows the inner one by id only.
    let nested = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&ct),
            json!({"status": "", "quoted_status_id": quoting_id}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(
        nested["quote"]["quoted_status"]["quote"],
        json!({"state": "accepted", "quoted_status_id": original})
    );

    // For a reader who mutes bob, the quote says so and still carries the post.
    let (_, dt) = s.account(&d, "dave", "member").await;
    let bob = s.get(&d, "/api/v1/accounts/lookup?acct=bob", Some(&dt)).await.id();
    s.post(&d, &format!("/api/v1/accounts/{bob}/mute"), Some(&dt), json!({}))
        .await
        .expect(200);
    let muted = s.get(&d, &format!("/api/v1/statuses/{quoting_id}"), Some(&dt)).await.json;
    assert_eq!(muted["quote"]["state"], "muted_account", "{muted}");
    assert_eq!(muted["quote"]["quoted_status"]["id"], json!(original));

    // bob edits: the quoters hear of it.
    s.call(
        Method::PUT,
        &d,
        &format!("/api/v1/statuses/{original}"),
        Some(&bt),
        json!({"status": "the original, edited"}),
    )
    .await
    .expect(200);
    let updated = notifications(&s, &d, &at, "quoted_update").await;
    assert_eq!(updated.len(), 1, "{updated:?}");
    assert_eq!(updated[0]["status"]["id"], json!(quoting_id));

    // bob revokes alice's quote: it shows so, and no longer counts.
    let revoked = s
        .post(
            &d,
            &format!("/api/v1/statuses/{original}/quotes/{quoting_id}/revoke"),
            Some(&bt),
            json!({}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(revoked["id"], json!(quoting_id));
    assert_eq!(revoked["quote"], json!({"state": "revoked", "quoted_status": null}));
    let after = s.get(&d, &format!("/api/v1/statuses/{quoting_id}"), Some(&at)).await.json;
    assert_eq!(after["quote"]["state"], "revoked");
    assert_eq!(
        s.get(&d, &format!("/api/v1/statuses/{original}"), Some(&bt)).await.json["quotes_count"],
        0
    );
    // Only the quoted post's author revokes.
    s.post(
        &d,
        &format!(
            "/api/v1/statuses/{quoting_id}/quotes/{}/revoke",
            nested["id"].as_str().unwrap_or("")
        ),
        Some(&bt),
        json!({}),
    )
    .await
    .expect(404);

    // Nobody may quote a post whose author says so; the error does not say why.
    s.call(
        Method::PUT,
        &d,
        &format!("/api/v1/statuses/{original}/interaction_policy"),
        Some(&bt),
        json!({"quote_approval_policy": "nobody"}),
    )
    .await
    .expect(200);
    s.call(
        Method::PUT,
        &d,
        &format!("/api/v1/statuses/{original}/interaction_policy"),
        Some(&at),
        json!({"quote_approval_policy": "public"}),
    )
    .await
    .expect(403);
    let refused = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&ct),
            json!({"status": "again", "quoted_status_id": original}),
        )
        .await
        .expect(404)
        .json;
    assert_eq!(refused["error"], NOT_QUOTABLE);
    let own = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&bt),
            json!({"status": "quoting myself", "quoted_status_id": original}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(own["quote"]["state"], "accepted", "the author may always quote their own post");

    // Followers-only quoting: only followers; a followers-only post: only its author.
    let followers_only = s
        .status(
            &d,
            &ct,
            json!({"status": "for those who follow me", "quote_approval_policy": "followers"}),
        )
        .await;
    s.post(
        &d,
        "/api/v1/statuses",
        Some(&at),
        json!({"status": "x", "quoted_status_id": followers_only}),
    )
    .await
    .expect(404);
    let carol = s.get(&d, "/api/v1/accounts/lookup?acct=carol", Some(&at)).await.id();
    s.post(&d, &format!("/api/v1/accounts/{carol}/follow"), Some(&at), json!({}))
        .await
        .expect(200);
    let follower_quote = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "x", "quoted_status_id": followers_only}),
        )
        .await
        .expect(200)
        .id();
    let private = s.status(&d, &ct, json!({"status": "private", "visibility": "private"})).await;
    s.post(
        &d,
        "/api/v1/statuses",
        Some(&at),
        json!({"status": "x", "quoted_status_id": private}),
    )
    .await
    .expect(404);
    let self_private = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&ct),
            json!({"status": "x", "quoted_status_id": private}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(
        self_private["visibility"], "private",
        "a quote of a followers-only post stays followers-only"
    );

    // A private mention quotes only someone it mentions.
    let dm = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "look", "visibility": "direct", "quoted_status_id": followers_only}),
        )
        .await
        .expect(422)
        .json;
    assert_eq!(
        dm["error"],
        "Validation failed: Cannot quote a non-mentioned user in a Private Mention post."
    );

    // Bad input.
    let bad = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "x", "quote_approval_policy": "everyone"}),
        )
        .await
        .expect(422)
        .json;
    assert_eq!(bad["error"], "Record invalid");
    s.post(
        &d,
        "/api/v1/statuses",
        Some(&at),
        json!({"status": "x", "quoted_status_id": "999999999999"}),
    )
    .await
    .expect(404);

    // A member's default policy, in source and preferences.
    let me = s
        .call(
            Method::PATCH,
            &d,
            "/api/v1/accounts/update_credentials",
            Some(&at),
            json!({"source": {"quote_policy": "followers"}}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(me["source"]["quote_policy"], "followers");
    let prefs = s.get(&d, "/api/v1/preferences", Some(&at)).await.json;
    assert_eq!(prefs["posting:default:quote_policy"], "followers");
    let by_default = s
        .post(&d, "/api/v1/statuses", Some(&at), json!({"status": "default policy"}))
        .await
        .json;
    assert_eq!(by_default["quote_approval"]["automatic"], json!(["followers"]));

    // The quoted post is deleted: the quote shows it gone.
    s.call(
        Method::DELETE,
        &d,
        &format!("/api/v1/statuses/{followers_only}"),
        Some(&ct),
        json!({}),
    )
    .await
    .expect(200);
    let gone = s.get(&d, &format!("/api/v1/statuses/{follower_quote}"), Some(&at)).await.json;
    assert!(!gone["content"].as_str().unwrap_or_default().contains("quote-inline"), "{gone}");
    assert_eq!(gone["quote"], json!({"state": "deleted", "quoted_status": null}), "{gone}");

    // The instance says it speaks Mastodon 4.5's API.
    let instance = s.get(&d, "/api/v2/instance", None).await.json;
    assert_eq!(instance["api_versions"]["mastodon"], 7);
    s.stop().await;
}

#[tokio::test]
async fn quotes_cross_servers_by_request_accept_and_authorization() {
    let (a, da, b, db) = pair().await;
    let (_, at) = a.account(&da, "alice", "member").await;
    let (_, et) = a.account(&da, "erin", "member").await;
    let (_, bt) = b.account(&db, "bob", "member").await;
    // alice follows bob (his posts reach her); bob follows alice (hers reach him).
    followed(&a, &da, &at, &format!("bob@{db}")).await;
    followed(&b, &db, &bt, &format!("alice@{da}")).await;

    let bobs = b.status(&db, &bt, json!({"status": "bob's original"})).await;
    let bobs_uri = b.get(&db, &format!("/api/v1/statuses/{bobs}"), Some(&bt)).await.json["uri"].clone();
    let home = || async {
        let h = a.get(&da, "/api/v1/timelines/home", Some(&at)).await.json;
        h.as_array()
            .and_then(|h| h.iter().find(|p| p["uri"] == bobs_uri).map(|p| p["id"].clone()))
    };
    assert!(eventually(|| async { home().await.is_some() }).await, "bob's post reached alice");
    let bobs_here = home().await.unwrap_or(Value::Null);
    let seen = a
        .get(&da, &format!("/api/v1/statuses/{}", bobs_here.as_str().unwrap_or("")), Some(&at))
        .await
        .json;
    assert_eq!(
        seen["quote_approval"]["current_user"], "automatic",
        "bob's server says anyone may quote: {seen}"
    );

    // alice quotes it: pending until bob's server answers her server's QuoteRequest.
    let quoting = a
        .post(
            &da,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "alice's take", "quoted_status_id": bobs_here}),
        )
        .await
        .expect(200)
        .json;
    let quoting_id = quoting["id"].as_str().expect("id").to_string();
    assert_eq!(quoting["quote"], json!({"state": "pending", "quoted_status": null}));
    let state_at_a = || async { a.get(&da, &format!("/api/v1/statuses/{quoting_id}"), Some(&at)).await.json["quote"]["state"].clone() };
    assert!(
        eventually(|| async { state_at_a().await == "accepted" }).await,
        "accepted: {}",
        state_at_a().await
    );
    let accepted = a.get(&da, &format!("/api/v1/statuses/{quoting_id}"), Some(&at)).await.json;
    assert_eq!(accepted["quote"]["quoted_status"]["uri"], bobs_uri);

    // On bob's server: he is told, and his post counts and lists alice's quote.
    let told = || async { notifications(&b, &db, &bt, "quote").await };
    assert!(
        eventually(|| async { told().await.len() == 1 }).await,
        "bob is notified: {:?}",
        told().await
    );
    assert_eq!(told().await[0]["status"]["uri"], accepted["uri"]);
    let counted = b.get(&db, &format!("/api/v1/statuses/{bobs}"), Some(&bt)).await.json;
    assert_eq!(counted["quotes_count"], 1);
    let listed = b.get(&db, &format!("/api/v1/statuses/{bobs}/quotes"), Some(&bt)).await.json;
    assert_eq!(listed[0]["uri"], accepted["uri"], "{listed}");

    // Alice's note names bob's authorization, which anyone can fetch from bob's server.
    let note_url = accepted["uri"].as_str().expect("uri").to_string();
    let note: Value = a
        .http
        .get(&note_url)
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(note["quote"], bobs_uri);
    let authorization = note["quoteAuthorization"].as_str().expect("quoteAuthorization").to_string();
    assert!(
        authorization.starts_with(&format!("http://{db}/users/bob/quote_authorizations/")),
        "{authorization}"
    );
    let fetch = |url: String| {
        let http = b.http.clone();
        async move {
            http.get(url)
                .header("accept", "application/activity+json")
                .send()
                .await
                .expect("sent")
        }
    };
    let stamp: Value = fetch(authorization.clone()).await.json().await.expect("json");
    assert_eq!(stamp["type"], "QuoteAuthorization");
    assert_eq!(stamp["interactingObject"], json!(note_url));
    assert_eq!(stamp["interactionTarget"], bobs_uri);
    assert_eq!(stamp["attributedTo"], json!(format!("http://{db}/users/bob")));

    // A quote between two of alice's server's members reaches bob's server proven: it
    // fetches erin's post and the authorization from alice's server.
    let erins = a.status(&da, &et, json!({"status": "erin's words"})).await;
    let second = a
        .post(
            &da,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "quoting erin", "quoted_status_id": erins}),
        )
        .await
        .expect(200)
        .json;
    let at_b = || async {
        let h = b.get(&db, "/api/v1/timelines/home", Some(&bt)).await.json;
        h.as_array()
            .and_then(|h| h.iter().find(|p| p["uri"] == second["uri"]).cloned())
            .unwrap_or(Value::Null)
    };
    assert!(
        eventually(|| async { at_b().await["quote"]["state"] == "accepted" }).await,
        "verified on bob's server: {}",
        at_b().await
    );
    assert!(
        at_b().await["quote"]["quoted_status"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("erin's words"))
    );

    // bob revokes alice's quote: her server hears it, and the authorization is gone.
    let quoting_at_b = listed[0]["id"].as_str().expect("id").to_string();
    b.post(
        &db,
        &format!("/api/v1/statuses/{bobs}/quotes/{quoting_at_b}/revoke"),
        Some(&bt),
        json!({}),
    )
    .await
    .expect(200);
    assert!(
        eventually(|| async { state_at_a().await == "revoked" }).await,
        "revoked: {}",
        state_at_a().await
    );
    assert_eq!(fetch(authorization).await.status().as_u16(), 404);

    // A post whose author lets nobody quote it is refused at once on alice's server.
    let closed = b
        .status(&db, &bt, json!({"status": "do not quote", "quote_approval_policy": "nobody"}))
        .await;
    let closed_uri = b.get(&db, &format!("/api/v1/statuses/{closed}"), Some(&bt)).await.json["uri"].clone();
    let closed_here = || async {
        let h = a.get(&da, "/api/v1/timelines/home", Some(&at)).await.json;
        h.as_array()
            .and_then(|h| h.iter().find(|p| p["uri"] == closed_uri).cloned())
            .unwrap_or(Value::Null)
    };
    assert!(eventually(|| async { !closed_here().await.is_null() }).await);
    let closed_post = closed_here().await;
    assert_eq!(closed_post["quote_approval"]["current_user"], "denied", "{closed_post}");
    let refused = a
        .post(
            &da,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "x", "quoted_status_id": closed_post["id"]}),
        )
        .await
        .expect(404)
        .json;
    assert_eq!(refused["error"], NOT_QUOTABLE);
    a.stop().await;
    b.stop().await;
}
