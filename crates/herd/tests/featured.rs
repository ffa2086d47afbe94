//! What accounts feature on their profiles, over HTTP as apps use it: hashtags and
//! endorsed accounts, and the `featuredTags` collection other servers read.

mod common;

use common::Server;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn featured_hashtags_count_the_accounts_public_posts() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (alice, at) = s.account(&d, "alice", "member").await;
    let (_, bt) = s.account(&d, "bob", "member").await;
    for (text, vis) in [
        ("Release day #Rust", "public"),
        ("More #rust", "unlisted"),
        ("Secret #rust", "private"),
        ("Other #news", "public"),
    ] {
        s.post(&d, "/api/v1/statuses", Some(&at), json!({"status": text, "visibility": vis}))
            .await
            .expect(200);
    }
    s.post(&d, "/api/v1/statuses", Some(&bt), json!({"status": "bob's #rust"}))
        .await
        .expect(200);

    let sugg = s.get(&d, "/api/v1/featured_tags/suggestions", Some(&at)).await.expect(200).json;
    assert_eq!(sugg[0]["name"], "rust", "the most used first: {sugg}");
    assert_eq!(sugg[1]["name"], "news");

    let f = s
        .post(&d, "/api/v1/featured_tags", Some(&at), json!({"name": "#rust"}))
        .await
        .expect(200)
        .json;
    assert_eq!(f["name"], "Rust", "the name as first written");
    assert_eq!(f["statuses_count"], "2", "public and unlisted posts of hers only: {f}");
    assert!(f["last_status_at"].as_str().is_some_and(|d| d.len() == 10), "a date: {f}");
    assert!(f["url"].as_str().is_some_and(|u| u.ends_with("/@alice/tagged/rust")), "{f}");
    let again = s
        .post(&d, "/api/v1/featured_tags", Some(&at), json!({"name": "RUST"}))
        .await
        .expect(422);
    assert!(again.text.contains("taken"), "{}", again.text);
    s.post(&d, "/api/v1/featured_tags", Some(&at), json!({"name": "not a tag!"}))
        .await
        .expect(422);
    s.post(&d, "/api/v1/featured_tags", Some(&at), json!({})).await.expect(400);
    let fresh = s
        .post(&d, "/api/v1/featured_tags", Some(&at), json!({"name": "unused"}))
        .await
        .expect(200)
        .json;
    assert_eq!(fresh["statuses_count"], "0");
    assert_eq!(fresh["last_status_at"], Value::Null);
    let sugg = s.get(&d, "/api/v1/featured_tags/suggestions", Some(&at)).await.expect(200).json;
    assert_eq!(sugg.as_array().map(Vec::len), Some(1), "featured ones are not suggested: {sugg}");

    // Anyone sees them on the profile; other servers read them from the actor.
    let shown = s
        .get(&d, &format!("/api/v1/accounts/{alice}/featured_tags"), None)
        .await
        .expect(200)
        .json;
    assert_eq!(shown.as_array().map(Vec::len), Some(2));
    let actor = s
        .http
        .get(s.url(&d, "/users/alice"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("sent")
        .json::<Value>()
        .await
        .expect("json");
    let tags_url = actor["featuredTags"].as_str().expect("featuredTags").to_string();
    let path = tags_url.split_once(&d).expect("on the instance").1;
    let coll = s.get(&d, path, None).await.expect(200).json;
    assert_eq!(coll["totalItems"], 2);
    assert_eq!(coll["items"][0]["type"], "Hashtag");
    assert_eq!(coll["items"][0]["name"], "#Rust");

    // Only the owner removes them; at most ten.
    let id = f["id"].as_str().expect("id");
    s.call(Method::DELETE, &d, &format!("/api/v1/featured_tags/{id}"), Some(&bt), Value::Null)
        .await
        .expect(404);
    s.call(Method::DELETE, &d, &format!("/api/v1/featured_tags/{id}"), Some(&at), Value::Null)
        .await
        .expect(200);
    for i in 0..9 {
        s.post(&d, "/api/v1/featured_tags", Some(&at), json!({"name": format!("t{i}")}))
            .await
            .expect(200);
    }
    let over = s
        .post(&d, "/api/v1/featured_tags", Some(&at), json!({"name": "eleven"}))
        .await
        .expect(422);
    assert!(over.text.contains("10"), "{}", over.text);
    s.stop().await;
}

#[tokio::test]
async fn endorsed_accounts_are_followed_ones() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (alice, at) = s.account(&d, "alice", "member").await;
    let (bob, bt) = s.account(&d, "bob", "member").await;
    let (carol, _) = s.account(&d, "carol", "member").await;

    let r = s
        .post(&d, &format!("/api/v1/accounts/{bob}/endorse"), Some(&at), json!({}))
        .await
        .expect(422);
    assert!(r.text.contains("follow"), "{}", r.text);
    s.post(&d, &format!("/api/v1/accounts/{alice}/endorse"), Some(&at), json!({}))
        .await
        .expect(403);
    s.post(&d, "/api/v1/accounts/999999/endorse", Some(&at), json!({}))
        .await
        .expect(404);
    for id in [&bob, &carol] {
        s.post(&d, &format!("/api/v1/accounts/{id}/follow"), Some(&at), json!({}))
            .await
            .expect(200);
    }
    let rel = s
        .post(&d, &format!("/api/v1/accounts/{bob}/endorse"), Some(&at), json!({}))
        .await
        .expect(200)
        .json;
    assert_eq!(rel["endorsed"], true);
    // `pin` is the older name of the same.
    s.post(&d, &format!("/api/v1/accounts/{carol}/pin"), Some(&at), json!({}))
        .await
        .expect(200);
    let mine = s.get(&d, "/api/v1/endorsements", Some(&at)).await.expect(200).json;
    let ids: Vec<&str> = mine
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids, vec![carol.as_str(), bob.as_str()], "newest first");
    let public = s
        .get(&d, &format!("/api/v1/accounts/{alice}/endorsements"), Some(&bt))
        .await
        .expect(200)
        .json;
    assert_eq!(public.as_array().map(Vec::len), Some(2));
    let rels = s
        .get(&d, &format!("/api/v1/accounts/relationships?id[]={bob}&id[]={carol}"), Some(&at))
        .await
        .json;
    assert_eq!(rels[0]["endorsed"], true);

    // Unfollowing (or being blocked) ends the endorsement; unendorse is harmless twice.
    s.post(&d, &format!("/api/v1/accounts/{carol}/unfollow"), Some(&at), json!({}))
        .await
        .expect(200);
    s.post(&d, &format!("/api/v1/accounts/{alice}/block"), Some(&bt), json!({}))
        .await
        .expect(200);
    assert_eq!(s.get(&d, "/api/v1/endorsements", Some(&at)).await.json, json!([]));
    s.post(&d, &format!("/api/v1/accounts/{bob}/unendorse"), Some(&at), json!({}))
        .await
        .expect(200);
    s.post(&d, &format!("/api/v1/accounts/{bob}/unpin"), Some(&at), json!({}))
        .await
        .expect(200);
    s.stop().await;
}
