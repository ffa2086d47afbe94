//! Full-text search of posts (`/api/v2/search?type=statuses`) in Mastodon's scope, with its
//! operators, kept current by edits and deletions, and filled for posts written before.

mod common;

use common::Server;
use reqwest::Method;
use serde_json::{Value, json};

async fn found(s: &Server, d: &str, token: Option<&str>, q: &str) -> Vec<String> {
    let path = format!(
        "/api/v2/search?type=statuses&q={}",
        q.replace(' ', "+").replace('"', "%22").replace(':', "%3A")
    );
    let r = s.get(d, &path, token).await.expect(200).json;
    r["statuses"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["content"].as_str()).map(herd_text).collect())
        .unwrap_or_default()
}

/// The words of a post's HTML.
fn herd_text(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn posts_are_found_by_their_words_where_mastodon_finds_them() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, at) = s.account(&d, "alice", "member").await;
    let (_, bt) = s.account(&d, "bob", "member").await;
    let (_, ct) = s.account(&d, "carol", "member").await;
    // alice lets her public posts be searched; bob does not (Mastodon's default).
    s.call(
        Method::PATCH,
        &d,
        "/api/v1/accounts/update_credentials",
        Some(&at),
        json!({"indexable": true}),
    )
    .await
    .expect(200);
    let post = |token: &str, body: Value| {
        let (s, d, token) = (&s, &d, token.to_string());
        async move { s.post(d, "/api/v1/statuses", Some(&token), body).await.expect(200).id() }
    };
    let fox = post(&at, json!({"status": "The quick brown fox jumps"})).await;
    post(&at, json!({"status": "Quick and unlisted", "visibility": "unlisted"})).await;
    post(
        &at,
        json!({"status": "Quick reply to myself", "in_reply_to_id": fox, "language": "en"}),
    )
    .await;
    let bobs = post(&bt, json!({"status": "quick thinking wins"})).await;
    post(&bt, json!({"status": "@carol a quick question", "visibility": "direct"})).await;

    // carol: alice's public posts, the post she is mentioned in; not bob's public post.
    let mut got = found(&s, &d, Some(&ct), "quick").await;
    got.sort();
    assert_eq!(
        got,
        vec!["@carol a quick question", "Quick reply to myself", "The quick brown fox jumps"]
    );
    // Once she favourites bob's post, it is hers to find too.
    s.post(&d, &format!("/api/v1/statuses/{bobs}/favourite"), Some(&ct), json!({}))
        .await
        .expect(200);
    assert!(found(&s, &d, Some(&ct), "quick").await.contains(&"quick thinking wins".to_string()));
    // bob finds his own, and alice's public ones.
    assert_eq!(found(&s, &d, Some(&bt), "thinking").await, vec!["quick thinking wins"]);
    // Nothing for visitors.
    assert!(found(&s, &d, None, "quick").await.is_empty());

    // Phrases, exclusions and operators.
    assert_eq!(found(&s, &d, Some(&ct), "\"brown fox\"").await, vec!["The quick brown fox jumps"]);
    assert!(found(&s, &d, Some(&ct), "\"fox brown\"").await.is_empty());
    assert_eq!(
        found(&s, &d, Some(&ct), "quick -fox from:alice").await,
        vec!["Quick reply to myself"]
    );
    assert_eq!(found(&s, &d, Some(&ct), "quick is:reply").await, vec!["Quick reply to myself"]);
    assert_eq!(found(&s, &d, Some(&ct), "quick language:en").await, vec!["Quick reply to myself"]);
    assert!(found(&s, &d, Some(&ct), "quick from:nobody").await.is_empty());
    assert!(found(&s, &d, Some(&ct), "quick before:2000-01-01").await.is_empty());
    assert_eq!(found(&s, &d, Some(&ct), "quick after:2000-01-01 from:alice").await.len(), 2);
    assert!(found(&s, &d, Some(&ct), "-quick").await.is_empty(), "only exclusions find nothing");
    assert_eq!(
        found(&s, &d, Some(&ct), "QUICK BROWN").await,
        vec!["The quick brown fox jumps"],
        "any case"
    );
    // Odd input is words, not syntax.
    for q in ["\"unbalanced", "a OR b", "NEAR(x)", "x*", "(", "\"\""] {
        found(&s, &d, Some(&ct), q).await;
    }

    // Edits and deletions are searched as they stand.
    s.call(
        Method::PUT,
        &d,
        &format!("/api/v1/statuses/{fox}"),
        Some(&at),
        json!({"status": "A slow green turtle"}),
    )
    .await
    .expect(200);
    assert!(found(&s, &d, Some(&ct), "fox").await.is_empty());
    assert_eq!(found(&s, &d, Some(&ct), "turtle").await, vec!["A slow green turtle"]);
    s.call(Method::DELETE, &d, &format!("/api/v1/statuses/{fox}"), Some(&at), Value::Null)
        .await
        .expect(200);
    assert!(found(&s, &d, Some(&ct), "turtle").await.is_empty());

    // Posts written before the index existed are indexed by the maintenance sweep.
    {
        let mut c = s.app().db.conn().await.expect("connection");
        c.q("DELETE FROM status_search").execute(c.ex()).await.expect("emptied");
    }
    assert!(found(&s, &d, Some(&ct), "thinking").await.is_empty());
    let t = herd_app::tenants::by_domain(s.app(), &d).await.expect("tenant");
    let swept = herd_app::maintenance::sweep(s.app(), t.id, herd_core::Timestamp::now())
        .await
        .expect("sweep");
    assert_eq!(swept.indexed_posts, 4);
    assert_eq!(found(&s, &d, Some(&ct), "thinking").await, vec!["quick thinking wins"]);
    s.stop().await;
}
