//! Trends (hashtags, posts, links) and link previews, over HTTP as Mastodon apps' explore
//! tabs read them.

mod common;

use common::{Server, eventually};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn links_get_previews_and_what_several_share_trends() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, at) = s.account(&d, "alice", "member").await;
    let (_, bt) = s.account(&d, "bob", "member").await;
    let (_, ct) = s.account(&d, "carol", "member").await;
    let page = common::web_page(
        r#"<html lang="en"><head><title>x</title><meta property="og:title" content="Annual report 2026">
           <meta property="og:description" content="What Org A did this year"><meta property="og:site_name" content="Org A"></head></html>"#
            .into(),
    )
    .await;

    // A post's first link gets its preview, fetched by a job; a second post reuses it.
    let first = s
        .status(&d, &at, json!({"status": format!("Read our report {page} #climate")}))
        .await;
    let carded = || async {
        let v = s.get(&d, &format!("/api/v1/statuses/{first}"), Some(&at)).await.json;
        v["card"]["title"] == "Annual report 2026"
    };
    assert!(eventually(carded).await, "the link's preview arrived");
    let v = s.get(&d, &format!("/api/v1/statuses/{first}"), Some(&at)).await.json;
    assert_eq!(v["card"]["description"], "What Org A did this year");
    assert_eq!(v["card"]["provider_name"], "Org A");
    assert_eq!(v["card"]["type"], "link");
    assert_eq!(v["card"]["url"], page.as_str());
    let second = s.status(&d, &bt, json!({"status": format!("Great work {page} #climate")})).await;
    let v = s.get(&d, &format!("/api/v1/statuses/{second}"), Some(&bt)).await.json;
    assert_eq!(v["card"]["title"], "Annual report 2026", "a fresh card is shown at once");
    // Mentions and hashtags are no links to preview; an edit without the link drops the card.
    let plain = s.status(&d, &ct, json!({"status": "@alice #climate"})).await;
    assert_eq!(
        s.get(&d, &format!("/api/v1/statuses/{plain}"), Some(&ct)).await.json["card"],
        Value::Null
    );
    s.call(
        Method::PUT,
        &d,
        &format!("/api/v1/statuses/{second}"),
        Some(&bt),
        json!({"status": "Great work #climate"}),
    )
    .await
    .expect(200);
    assert_eq!(
        s.get(&d, &format!("/api/v1/statuses/{second}"), Some(&bt)).await.json["card"],
        Value::Null
    );
    s.status(&d, &bt, json!({"status": format!("Again {page}")})).await;

    // Trending links and hashtags: used by two or more accounts lately, with a week of history.
    let links = s.get(&d, "/api/v1/trends/links", None).await.expect(200).json;
    assert_eq!(links[0]["url"], page.as_str(), "{links}");
    assert_eq!(links[0]["history"].as_array().map(Vec::len), Some(7));
    assert_eq!(links[0]["history"][0]["accounts"], "2");
    s.status(&d, &at, json!({"status": "Only mine #solo"})).await;
    let tags = s.get(&d, "/api/v1/trends/tags", None).await.expect(200).json;
    let names: Vec<&str> = tags
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, vec!["climate"], "one account's hashtag is no trend: {tags}");
    assert_eq!(tags[0]["history"][0]["uses"], "3");
    assert_eq!(tags[0]["history"][0]["accounts"], "3");
    assert_eq!(s.get(&d, "/api/v1/trends", None).await.expect(200).json, tags, "the old name");
    let tag = s.get(&d, "/api/v1/tags/climate", Some(&at)).await.expect(200).json;
    assert_eq!(tag["history"].as_array().map(Vec::len), Some(7));
    assert_eq!(tag["history"][1]["uses"], "0", "yesterday");

    // Trending posts: interacted with, by accounts that let themselves be featured.
    s.call(
        Method::PATCH,
        &d,
        "/api/v1/accounts/update_credentials",
        Some(&at),
        json!({"discoverable": true}),
    )
    .await
    .expect(200);
    s.call(
        Method::PATCH,
        &d,
        "/api/v1/accounts/update_credentials",
        Some(&bt),
        json!({"discoverable": false}),
    )
    .await
    .expect(200);
    s.post(&d, &format!("/api/v1/statuses/{first}/favourite"), Some(&ct), json!({}))
        .await
        .expect(200);
    let bobs = s.status(&d, &bt, json!({"status": "Not to be featured"})).await;
    s.post(&d, &format!("/api/v1/statuses/{bobs}/favourite"), Some(&ct), json!({}))
        .await
        .expect(200);
    let posts = s.get(&d, "/api/v1/trends/statuses", None).await.expect(200).json;
    let ids: Vec<&str> = posts
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids, vec![first.as_str()], "{posts}");
    s.get(&d, "/api/v1/trends/statuses?limit=abc", None).await.expect(422);
    s.stop().await;
}
