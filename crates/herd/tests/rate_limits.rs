//! Rate limits as Mastodon 4.5 has them: `X-RateLimit-*` headers on API answers, 429 with
//! `{"error": "Too many requests"}` past a limit, per token and per address, posts counted only
//! when made, limits set in the configuration, and exempt networks.

mod common;

use common::Server;
use serde_json::json;

fn header(r: &common::Resp, name: &str) -> Option<String> {
    r.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

#[tokio::test]
async fn limits_headers_and_exempt_networks() {
    let mut s = Server::start_with_config(|c| {
        c.rate_limit_api = "4/5m".into();
        c.rate_limit_statuses = "2/1h".into();
    })
    .await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, alice) = s.account(&d, "alice", "member").await;
    let (_, bob) = s.account(&d, "bob", "member").await;

    // From the exempt address (the tests' 127.0.0.1), nothing is counted or refused.
    for _ in 0..6 {
        let r = s.get(&d, "/api/v1/timelines/public", None).await.expect(200);
        assert_eq!(header(&r, "x-ratelimit-limit"), None);
    }

    s.http = s.client_from("127.0.0.2");
    // Without a token, per address; the headers say where the client stands.
    let before = chrono::Utc::now();
    let r = s.get(&d, "/api/v1/timelines/public", None).await.expect(200);
    assert_eq!(header(&r, "x-ratelimit-limit").as_deref(), Some("4"));
    assert_eq!(header(&r, "x-ratelimit-remaining").as_deref(), Some("3"));
    let reset = header(&r, "x-ratelimit-reset").expect("reset");
    let at = chrono::DateTime::parse_from_rfc3339(&reset).expect("ISO 8601");
    assert!(reset.ends_with('Z') && reset.contains('.'), "{reset}");
    assert!(at > before && at <= before + chrono::Duration::minutes(5), "{reset}");
    for left in ["2", "1", "0"] {
        let r = s.get(&d, "/api/v1/timelines/public", None).await.expect(200);
        assert_eq!(header(&r, "x-ratelimit-remaining").as_deref(), Some(left));
    }
    let r = s.get(&d, "/api/v1/timelines/public", None).await.expect(429);
    assert_eq!(r.json, json!({"error": "Too many requests"}));
    assert_eq!(header(&r, "x-ratelimit-remaining").as_deref(), Some("0"));
    // Other instances count apart; a token has its own allowance.
    let other = s.tenant("org-b.test", "open").await;
    s.get(&other, "/api/v1/timelines/public", None).await.expect(200);
    let r = s.get(&d, "/api/v1/accounts/verify_credentials", Some(&alice)).await.expect(200);
    assert_eq!(header(&r, "x-ratelimit-remaining").as_deref(), Some("3"));
    // Pages and federation are not the API's allowance.
    s.get(&d, "/.well-known/nodeinfo", None).await.expect(200);

    // Posts are counted when they are made: a refused post uses nothing.
    s.post(&d, "/api/v1/statuses", Some(&bob), json!({"status": ""})).await.expect(422);
    s.post(&d, "/api/v1/statuses", Some(&bob), json!({"status": "one"}))
        .await
        .expect(200);
    let r = s
        .post(&d, "/api/v1/statuses", Some(&bob), json!({"status": "two"}))
        .await
        .expect(200);
    assert_eq!(header(&r, "x-ratelimit-limit").as_deref(), Some("2"));
    assert_eq!(header(&r, "x-ratelimit-remaining").as_deref(), Some("0"));
    let r = s
        .post(&d, "/api/v1/statuses", Some(&bob), json!({"status": "three"}))
        .await
        .expect(429);
    assert_eq!(r.json["error"], "Too many requests");
    s.http = s.client_from("127.0.0.1");
    let mine = s.get(&d, "/api/v1/timelines/home", Some(&bob)).await.expect(200);
    assert_eq!(mine.json.as_array().map(Vec::len), Some(2), "the refused post was not stored");
    s.stop().await;
}

#[tokio::test]
async fn sign_ups_from_one_address_and_from_an_exempt_network() {
    let mut s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let token = s.app_token(&d, "read write").await["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let sign_up = |n: usize| json!({"username": format!("pupil{n}"), "email": format!("pupil{n}@example.org"), "password": "long enough pw", "agreement": true, "locale": "en"});
    // A classroom behind an exempt network signs up more than Mastodon's five.
    for n in 0..7 {
        s.post(&d, "/api/v1/accounts", Some(&token), sign_up(n)).await.expect(200);
    }
    // From anywhere else, the sixth sign-up in half an hour is refused.
    s.http = s.client_from("127.0.0.2");
    for n in 10..15 {
        s.post(&d, "/api/v1/accounts", Some(&token), sign_up(n)).await.expect(200);
    }
    let r = s.post(&d, "/api/v1/accounts", Some(&token), sign_up(15)).await.expect(429);
    assert_eq!(r.json["error"], "Too many requests");
    assert_eq!(header(&r, "x-ratelimit-limit").as_deref(), Some("5"));
    s.stop().await;
}
