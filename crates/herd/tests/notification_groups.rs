//! Grouped notifications (`/api/v2/notifications`), as Mastodon's web app and recent mobile
//! apps read them, and unread counts.

mod common;

use common::Server;
use reqwest::Method;
use serde_json::{Value, json};

fn groups(v: &Value) -> Vec<(String, i64, String)> {
    v["notification_groups"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|g| {
                    (
                        g["type"].as_str().unwrap_or_default().to_string(),
                        g["notifications_count"].as_i64().unwrap_or_default(),
                        g["group_key"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn favourites_boosts_and_follows_come_in_groups() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (alice, at) = s.account(&d, "alice", "member").await;
    let mut others = Vec::new();
    for name in ["bob", "carol", "dave", "erin"] {
        others.push(s.account(&d, name, "member").await);
    }
    let post = s
        .post(&d, "/api/v1/statuses", Some(&at), json!({"status": "Hello"}))
        .await
        .expect(200)
        .id();
    for (_, token) in &others[..3] {
        s.post(&d, &format!("/api/v1/statuses/{post}/favourite"), Some(token), json!({}))
            .await
            .expect(200);
    }
    for (_, token) in &others[..2] {
        s.post(&d, &format!("/api/v1/statuses/{post}/reblog"), Some(token), json!({}))
            .await
            .expect(200);
    }
    s.post(&d, &format!("/api/v1/accounts/{alice}/follow"), Some(&others[3].1), json!({}))
        .await
        .expect(200);
    let mention = s
        .post(&d, "/api/v1/statuses", Some(&others[0].1), json!({"status": "@alice hi"}))
        .await
        .expect(200)
        .id();

    let page = s.get(&d, "/api/v2/notifications", Some(&at)).await.expect(200).json;
    let g = groups(&page);
    let kinds: Vec<(&str, i64)> = g.iter().map(|(k, n, _)| (k.as_str(), *n)).collect();
    assert_eq!(
        kinds,
        vec![("mention", 1), ("follow", 1), ("reblog", 2), ("favourite", 3)],
        "{page}"
    );
    assert!(g[0].2.starts_with("ungrouped-"), "a mention stands alone: {:?}", g[0]);
    let fav = &page["notification_groups"][3];
    assert_eq!(fav["status_id"], post.as_str());
    let sample: Vec<&str> = fav["sample_account_ids"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        sample,
        vec![others[2].0.as_str(), others[1].0.as_str(), others[0].0.as_str()],
        "newest first"
    );
    assert!(fav["page_min_id"].as_str() < fav["page_max_id"].as_str());
    assert_eq!(fav["most_recent_notification_id"], fav["page_max_id"]);
    let accounts: Vec<&str> = page["accounts"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["id"].as_str()).collect())
        .unwrap_or_default();
    for (id, _) in &others {
        assert!(accounts.contains(&id.as_str()), "every sample account is there once: {accounts:?}");
    }
    assert_eq!(accounts.len(), 4);
    let statuses: Vec<&str> = page["statuses"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        statuses.contains(&post.as_str()) && statuses.contains(&mention.as_str()),
        "{statuses:?}"
    );

    // The v1 list names the same groups.
    let v1 = s
        .get(&d, "/api/v1/notifications?types[]=favourite", Some(&at))
        .await
        .expect(200)
        .json;
    assert_eq!(v1[0]["group_key"], g[3].2.as_str());

    // Only favourites grouped: each boost stands alone. Types narrow the list.
    let some = s
        .get(&d, "/api/v2/notifications?grouped_types[]=favourite", Some(&at))
        .await
        .expect(200)
        .json;
    assert_eq!(groups(&some).len(), 5);
    let favs = s
        .get(&d, "/api/v2/notifications?types[]=favourite", Some(&at))
        .await
        .expect(200)
        .json;
    assert_eq!(groups(&favs).len(), 1);
    s.get(&d, "/api/v2/notifications?expand_accounts=everything", Some(&at))
        .await
        .expect(400);

    // Pages of groups, linked as Mastodon links them.
    let first = s.get(&d, "/api/v2/notifications?limit=2", Some(&at)).await.expect(200);
    assert_eq!(groups(&first.json).len(), 2);
    let link = first.link();
    let next = link
        .split(',')
        .find(|l| l.contains("rel=\"next\""))
        .and_then(|l| l.split('<').nth(1))
        .and_then(|l| l.split('>').next())
        .expect("a next link")
        .to_string();
    let path = next.split_once(&d).expect("on the instance").1;
    let rest = s.get(&d, path, Some(&at)).await.expect(200).json;
    let kinds: Vec<String> = groups(&rest).into_iter().map(|(k, _, _)| k).collect();
    assert_eq!(kinds, vec!["reblog", "favourite"]);

    // One group, its accounts, and dismissing it.
    let key = &g[3].2;
    let one = s.get(&d, &format!("/api/v2/notifications/{key}"), Some(&at)).await.expect(200).json;
    assert_eq!(one["notification_groups"][0]["notifications_count"], 3);
    let who = s
        .get(&d, &format!("/api/v2/notifications/{key}/accounts"), Some(&at))
        .await
        .expect(200)
        .json;
    assert_eq!(who.as_array().map(Vec::len), Some(3));
    s.get(&d, &format!("/api/v2/notifications/{key}"), Some(&others[0].1))
        .await
        .expect(404);
    s.get(&d, "/api/v2/notifications/ungrouped-abc", Some(&at)).await.expect(404);
    s.post(&d, &format!("/api/v2/notifications/{key}/dismiss"), Some(&at), json!({}))
        .await
        .expect(200);
    s.get(&d, &format!("/api/v2/notifications/{key}"), Some(&at)).await.expect(404);

    // Unread counts follow the notifications marker.
    let count = |v: &str| {
        let path = format!("/api/{v}/notifications/unread_count");
        let (s, d, at) = (&s, &d, &at);
        async move { s.get(d, &path, Some(at)).await.expect(200).json["count"].clone() }
    };
    assert_eq!(count("v1").await, 4, "two boosts, a follow and a mention are left");
    assert_eq!(count("v2").await, 3);
    let newest = page["notification_groups"][1]["page_max_id"].as_str().expect("id").to_string();
    s.post(&d, "/api/v1/markers", Some(&at), json!({"notifications": {"last_read_id": newest}}))
        .await
        .expect(200);
    assert_eq!(count("v1").await, 1);
    assert_eq!(count("v2").await, 1);
    s.call(Method::POST, &d, "/api/v1/notifications/clear", Some(&at), json!({}))
        .await
        .expect(200);
    assert_eq!(groups(&s.get(&d, "/api/v2/notifications", Some(&at)).await.json).len(), 0);
    s.stop().await;
}

#[tokio::test]
async fn policies_filter_notifications_into_requests_the_member_answers() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (alice, at) = s.account(&d, "alice", "member").await;
    let (bob, bt) = s.account(&d, "bob", "member").await;
    let (carol, ct) = s.account(&d, "carol", "member").await;

    // Mastodon's defaults: private mentions from strangers are filtered, the rest accepted.
    let p = s.get(&d, "/api/v2/notifications/policy", Some(&at)).await.expect(200).json;
    assert_eq!(p["for_private_mentions"], "filter");
    assert_eq!(p["for_not_following"], "accept");
    assert_eq!(p["summary"]["pending_requests_count"], 0);
    let dm = s.status(&d, &bt, json!({"status": "@alice psst", "visibility": "direct"})).await;
    s.status(&d, &bt, json!({"status": "@alice in public"})).await;
    let list = s.get(&d, "/api/v1/notifications", Some(&at)).await.json;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "the private mention waits: {list}");
    let requests = s.get(&d, "/api/v1/notifications/requests", Some(&at)).await.expect(200).json;
    assert_eq!(requests[0]["account"]["id"], bob.as_str());
    assert_eq!(requests[0]["notifications_count"], "1");
    assert_eq!(requests[0]["last_status"]["id"], dm.as_str());
    let with = s.get(&d, "/api/v1/notifications?include_filtered=true", Some(&at)).await.json;
    assert_eq!(with.as_array().map(Vec::len), Some(2));
    let p = s.get(&d, "/api/v2/notifications/policy", Some(&at)).await.json;
    assert_eq!(p["summary"], json!({"pending_requests_count": 1, "pending_notifications_count": 1}));

    // Accepting lets the held notification in, and later ones from bob pass.
    let rid = requests[0]["id"].as_str().expect("id").to_string();
    s.get(&d, &format!("/api/v1/notifications/requests/{rid}"), Some(&bt))
        .await
        .expect(404);
    s.post(&d, &format!("/api/v1/notifications/requests/{rid}/accept"), Some(&at), json!({}))
        .await
        .expect(200);
    assert_eq!(
        s.get(&d, "/api/v1/notifications", Some(&at)).await.json.as_array().map(Vec::len),
        Some(2)
    );
    s.status(&d, &bt, json!({"status": "@alice again", "visibility": "direct"})).await;
    assert_eq!(
        s.get(&d, "/api/v1/notifications", Some(&at)).await.json.as_array().map(Vec::len),
        Some(3)
    );

    // A stricter policy: strangers' favourites are dropped, their follows filtered.
    let r = s
        .call(
            Method::PATCH,
            &d,
            "/api/v2/notifications/policy",
            Some(&at),
            json!({"for_not_following": "nope"}),
        )
        .await
        .expect(422);
    assert!(r.text.contains("accept, filter or drop"), "{}", r.text);
    s.call(
        Method::PATCH,
        &d,
        "/api/v2/notifications/policy",
        Some(&at),
        json!({"for_not_following": "drop"}),
    )
    .await
    .expect(200);
    let mine = s.status(&d, &at, json!({"status": "Hello"})).await;
    s.post(&d, &format!("/api/v1/statuses/{mine}/favourite"), Some(&ct), json!({}))
        .await
        .expect(200);
    assert!(
        s.get(&d, "/api/v1/notifications?types[]=favourite", Some(&at)).await.json == json!([]),
        "dropped"
    );
    s.call(
        Method::PATCH,
        &d,
        "/api/v2/notifications/policy",
        Some(&at),
        json!({"for_not_following": "filter"}),
    )
    .await
    .expect(200);
    s.post(&d, &format!("/api/v1/accounts/{alice}/follow"), Some(&ct), json!({}))
        .await
        .expect(200);
    assert_eq!(s.get(&d, "/api/v1/notifications?types[]=follow", Some(&at)).await.json, json!([]));
    let requests = s.get(&d, "/api/v1/notifications/requests", Some(&at)).await.json;
    assert_eq!(requests[0]["account"]["id"], carol.as_str());
    // Dismissing drops what it held; the v1 policy speaks booleans.
    let rid = requests[0]["id"].as_str().expect("id").to_string();
    s.post(&d, "/api/v1/notifications/requests/dismiss", Some(&at), json!({"id": [rid]}))
        .await
        .expect(200);
    assert_eq!(s.get(&d, "/api/v1/notifications/requests", Some(&at)).await.json, json!([]));
    assert_eq!(
        s.get(&d, "/api/v1/notifications?include_filtered=true&types[]=follow", Some(&at))
            .await
            .json,
        json!([])
    );
    let v1 = s.get(&d, "/api/v1/notifications/policy", Some(&at)).await.expect(200).json;
    assert_eq!(v1["filter_not_following"], true);
    assert_eq!(v1["filter_not_followers"], false);
    assert_eq!(
        s.get(&d, "/api/v1/notifications/requests/merged", Some(&at)).await.expect(200).json,
        json!({"merged": true})
    );
    s.stop().await;
}
