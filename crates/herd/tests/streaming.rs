//! The streaming API over WebSocket and server-sent events, on one node and (on PostgreSQL)
//! across two nodes sharing the database.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::Server;
use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message as Ws;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// Opens `/api/v1/streaming?{query}` on `addr` for instance `domain`.
async fn connect(addr: SocketAddr, domain: &str, query: &str) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let mut req = format!("ws://{domain}/api/v1/streaming?{query}").into_client_request()?;
    req.headers_mut().insert("host", domain.parse().expect("host"));
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("tcp");
    Ok(tokio_tungstenite::client_async(req, tcp).await?.0)
}

/// The next message with `event`, skipping others; `None` after `wait`.
async fn next_event(ws: &mut Socket, event: &str, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let m = tokio::time::timeout_at(deadline, ws.next()).await.ok()??.ok()?;
        if let Ws::Text(t) = m {
            let v: Value = serde_json::from_str(&t).ok()?;
            if v["event"] == event || v.get("error").is_some() && event == "error" {
                return Some(v);
            }
        }
    }
}

fn payload(m: &Value) -> Value {
    m["payload"]
        .as_str()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or(Value::Null)
}

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn websocket_clients_get_posts_notifications_deletions_and_filter_changes() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, at) = s.account(&d, "alice", "member").await;
    let (bob, bt) = s.account(&d, "bob", "member").await;
    let (_, ct) = s.account(&d, "carol", "member").await;
    s.post(&d, &format!("/api/v1/accounts/{bob}/follow"), Some(&at), json!({}))
        .await
        .expect(200);

    // No token, no user stream; a bad token is refused too.
    assert!(connect(s.addr, &d, "stream=user").await.is_err());
    assert!(connect(s.addr, &d, "stream=user&access_token=nope").await.is_err());

    let mut ws = connect(s.addr, &d, &format!("stream=user&access_token={at}"))
        .await
        .expect("connected");
    let post = s
        .post(&d, "/api/v1/statuses", Some(&bt), json!({"status": "live from bob"}))
        .await
        .expect(200)
        .id();
    let m = next_event(&mut ws, "update", WAIT).await.expect("bob's post arrives");
    assert_eq!(m["stream"], json!(["user"]));
    assert_eq!(payload(&m)["id"], post.as_str());
    assert!(payload(&m)["content"].as_str().is_some_and(|c| c.contains("live from bob")));

    // carol is not followed: her post does not come on the user stream.
    s.post(&d, "/api/v1/statuses", Some(&ct), json!({"status": "carol, unheard"}))
        .await
        .expect(200);
    // A mention is a notification.
    s.post(&d, "/api/v1/statuses", Some(&ct), json!({"status": "@alice hello"}))
        .await
        .expect(200);
    let n = next_event(&mut ws, "notification", WAIT).await.expect("notified");
    assert_eq!(payload(&n)["type"], "mention");
    let mut seen_carol = false;
    // Drain: any update received meanwhile must not be carol's.
    while let Some(m) = next_event(&mut ws, "update", Duration::from_millis(300)).await {
        seen_carol |= payload(&m)["account"]["username"] == "carol";
    }
    assert!(!seen_carol, "posts of accounts alice does not follow stay off her user stream");

    // Subscribing to a hashtag on the same connection; a bad stream is answered with an error.
    ws.send(Ws::Text(
        json!({"type": "subscribe", "stream": "hashtag", "tag": "Rust"}).to_string().into(),
    ))
    .await
    .expect("sent");
    ws.send(Ws::Text(json!({"type": "subscribe", "stream": "nonsense"}).to_string().into()))
        .await
        .expect("sent");
    let e = next_event(&mut ws, "error", WAIT).await.expect("an error answer");
    assert_eq!(e["status"], 400);
    tokio::time::sleep(Duration::from_millis(100)).await;
    s.post(&d, "/api/v1/statuses", Some(&ct), json!({"status": "I like #rust"}))
        .await
        .expect(200);
    let m = next_event(&mut ws, "update", WAIT).await.expect("the tagged post arrives");
    assert_eq!(m["stream"], json!(["hashtag", "rust"]));

    // Deleting tells every client.
    s.call(Method::DELETE, &d, &format!("/api/v1/statuses/{post}"), Some(&bt), json!({}))
        .await
        .expect(200);
    let m = next_event(&mut ws, "delete", WAIT).await.expect("deleted");
    assert_eq!(m["payload"], post.as_str());

    // Filters: a change is announced, and a hidden post is not sent.
    s.post(
        &d,
        "/api/v2/filters",
        Some(&at),
        json!({"title": "quiet", "context": ["home"], "filter_action": "hide", "keywords_attributes": [{"keyword": "secret"}]}),
    )
    .await
    .expect(200);
    assert!(next_event(&mut ws, "filters_changed", WAIT).await.is_some());
    s.post(&d, "/api/v1/statuses", Some(&bt), json!({"status": "a secret thing"}))
        .await
        .expect(200);
    s.post(&d, "/api/v1/statuses", Some(&bt), json!({"status": "an open thing"}))
        .await
        .expect(200);
    let m = next_event(&mut ws, "update", WAIT).await.expect("the unfiltered post");
    assert!(payload(&m)["content"].as_str().is_some_and(|c| c.contains("open thing")), "{m}");

    // The direct stream carries conversations.
    ws.send(Ws::Text(json!({"type": "subscribe", "stream": "direct"}).to_string().into()))
        .await
        .expect("sent");
    tokio::time::sleep(Duration::from_millis(100)).await;
    s.post(
        &d,
        "/api/v1/statuses",
        Some(&bt),
        json!({"status": "@alice between us", "visibility": "direct"}),
    )
    .await
    .expect(200);
    let m = next_event(&mut ws, "conversation", WAIT).await.expect("a conversation event");
    assert_eq!(m["stream"], json!(["direct"]));
    assert_eq!(payload(&m)["unread"], true);
    assert!(
        payload(&m)["last_status"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("between us"))
    );

    // Unsubscribing stops the hashtag.
    ws.send(Ws::Text(
        json!({"type": "unsubscribe", "stream": "hashtag", "tag": "rust"})
            .to_string()
            .into(),
    ))
    .await
    .expect("sent");
    tokio::time::sleep(Duration::from_millis(100)).await;
    s.post(&d, "/api/v1/statuses", Some(&ct), json!({"status": "more #rust"}))
        .await
        .expect(200);
    assert!(next_event(&mut ws, "update", Duration::from_millis(500)).await.is_none());
    let _ = ws.close(None).await;
    s.stop().await;
}

#[tokio::test]
async fn server_sent_events_stream_public_posts() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, at) = s.account(&d, "alice", "member").await;
    let (_, bt) = s.account(&d, "bob", "member").await;
    assert_eq!(
        s.http
            .get(s.url(&d, "/api/v1/streaming/health"))
            .send()
            .await
            .expect("sent")
            .text()
            .await
            .expect("text"),
        "OK"
    );
    s.get(&d, "/api/v1/streaming/nonsense", Some(&at)).await.expect(404);
    s.get(&d, "/api/v1/streaming/user", None).await.expect(401);

    let mut res = s
        .http
        .get(s.url(&d, "/api/v1/streaming/public/local"))
        .bearer_auth(&at)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/event-stream")
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    s.post(&d, "/api/v1/statuses", Some(&bt), json!({"status": "for everyone"}))
        .await
        .expect(200);
    s.post(
        &d,
        "/api/v1/statuses",
        Some(&bt),
        json!({"status": "for followers", "visibility": "private"}),
    )
    .await
    .expect(200);
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    while !text.contains("for everyone") {
        match tokio::time::timeout_at(deadline, res.chunk()).await {
            Ok(Ok(Some(c))) => text.push_str(&String::from_utf8_lossy(&c)),
            _ => break,
        }
    }
    assert!(text.contains("event: update"), "{text}");
    assert!(text.contains("for everyone"), "{text}");
    assert!(!text.contains("for followers"));
    drop(res);
    s.stop().await;
}

/// Two nodes share one PostgreSQL database: a client on one hears what the other stores.
#[tokio::test]
async fn events_reach_clients_on_another_node() {
    let shared = std::env::var("HERD_TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres"));
    if !shared {
        eprintln!("skipped: nodes share a database only on PostgreSQL (HERD_TEST_DATABASE_URL)");
        return;
    }
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, at) = s.account(&d, "alice", "member").await;
    let (bob, bt) = s.account(&d, "bob", "member").await;
    s.post(&d, &format!("/api/v1/accounts/{bob}/follow"), Some(&at), json!({}))
        .await
        .expect(200);
    let other = s.node().await;
    let mut ws = connect(other.addr, &d, &format!("stream=user&access_token={at}"))
        .await
        .expect("connected");
    let mut public = connect(other.addr, &d, "stream=public").await.expect("connected");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let post = s
        .post(&d, "/api/v1/statuses", Some(&bt), json!({"status": "across nodes"}))
        .await
        .expect(200)
        .id();
    let m = next_event(&mut ws, "update", WAIT).await.expect("the other node streamed it");
    assert_eq!(payload(&m)["id"], post.as_str());
    let m = next_event(&mut public, "update", WAIT).await.expect("and on its public stream");
    assert_eq!(payload(&m)["id"], post.as_str());
    s.post(&d, "/api/v1/statuses", Some(&bt), json!({"status": "@alice psst"}))
        .await
        .expect(200);
    assert!(next_event(&mut ws, "notification", WAIT).await.is_some());
    other.stop().await;
    s.stop().await;
}

#[tokio::test]
async fn members_hear_announcements_their_reactions_and_deletions() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, at) = s.account(&d, "alice", "member").await;
    let (_, bt) = s.account(&d, "bob", "member").await;
    let mut ws = connect(s.addr, &d, &format!("stream=user&access_token={at}"))
        .await
        .expect("connected");
    let t = herd_app::tenants::by_domain(s.app(), &d).await.expect("tenant");
    let new = herd_app::announcements::NewAnnouncement {
        text: "Office closed on Friday".into(),
        ..Default::default()
    };
    let id = herd_app::announcements::publish(s.app(), &herd_app::Actor::Operator, &t, new)
        .await
        .expect("published")
        .to_string();
    let m = next_event(&mut ws, "announcement", WAIT).await.expect("the announcement arrives");
    assert_eq!(payload(&m)["id"], id.as_str());
    assert_eq!(payload(&m)["read"], false);
    s.call(
        Method::PUT,
        &d,
        &format!("/api/v1/announcements/{id}/reactions/%F0%9F%91%8D"),
        Some(&bt),
        Value::Null,
    )
    .await
    .expect(200);
    let m = next_event(&mut ws, "announcement.reaction", WAIT)
        .await
        .expect("the reaction arrives");
    assert_eq!(payload(&m), json!({"name": "👍", "count": 1, "announcement_id": id}));
    herd_app::announcements::delete(s.app(), &herd_app::Actor::Operator, &t, id.parse().expect("id"))
        .await
        .expect("deleted");
    let m = next_event(&mut ws, "announcement.delete", WAIT)
        .await
        .expect("the deletion arrives");
    assert_eq!(m["payload"], id.as_str());
    s.stop().await;
}
