//! Every entity Herd sends carries every key Mastodon 4.5 always sends for it, with Mastodon's
//! JSON types and nullability. The list of keys is `tests/data/mastodon-4.5-entities.json`,
//! derived from Mastodon's documentation (see its `_source`), so a key that goes missing fails
//! here. Each entity is fetched over HTTP, as an app would, and checked with one `check`.

mod common;

use common::Server;
use reqwest::Method;
use serde_json::{Value, json};

const KEYS: &str = include_str!("data/mastodon-4.5-entities.json");

struct Checker {
    keys: Value,
    failures: Vec<String>,
    checked: std::collections::BTreeSet<String>,
}

impl Checker {
    /// Checks `value` against entity `name` (and its `name:variant` lists, for each variant
    /// given), recording every key that is missing or has the wrong type.
    fn check(&mut self, name: &str, variants: &[&str], value: &Value) {
        let mut lists = vec![name.to_string()];
        lists.extend(variants.iter().map(|v| format!("{name}:{v}")));
        for list in lists {
            let Some(spec) = self.keys.get(&list).and_then(Value::as_object) else {
                self.failures.push(format!("{list}: not in the key list"));
                continue;
            };
            self.checked.insert(list.clone());
            let Some(obj) = value.as_object() else {
                self.failures.push(format!("{list}: not an object: {value}"));
                continue;
            };
            for (key, ty) in spec {
                let ty = ty.as_str().unwrap_or("?");
                let (base, nullable) = ty.strip_suffix('?').map_or((ty, false), |b| (b, true));
                match obj.get(key) {
                    None => self.failures.push(format!("{list}.{key}: missing")),
                    Some(Value::Null) if nullable => {}
                    Some(v) => {
                        let ok = match base {
                            "string" => v.is_string(),
                            "number" => v.is_number(),
                            "boolean" => v.is_boolean(),
                            "array" => v.is_array(),
                            "object" => v.is_object(),
                            _ => false,
                        };
                        if !ok {
                            self.failures.push(format!("{list}.{key}: {ty} expected, got {v}"));
                        }
                    }
                }
            }
        }
    }

    /// Checks every item of an array.
    fn each(&mut self, name: &str, variants: &[&str], value: &Value) {
        match value.as_array() {
            Some(items) if !items.is_empty() => items.iter().for_each(|v| self.check(name, variants, v)),
            _ => self.failures.push(format!("{name}: expected a non-empty list, got {value}")),
        }
    }
}

#[tokio::test]
async fn every_entity_has_mastodons_keys() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let t = herd_app::tenants::by_domain(s.app(), &d).await.expect("tenant");
    herd_app::tenants::add_rule(s.app(), &herd_app::Actor::Operator, &t, "Be kind", "No harassment")
        .await
        .expect("rule");
    let (alice_id, alice) = s.account(&d, "alice", "admin").await;
    let (bob_id, bob) = s.account(&d, "bob", "member").await;
    let mut c = Checker {
        keys: serde_json::from_str(KEYS).expect("the key list is JSON"),
        failures: Vec::new(),
        checked: Default::default(),
    };

    // Instance, v2 and v1, with their nested objects.
    let v2 = s.get(&d, "/api/v2/instance", None).await.expect(200).json;
    c.check("Instance", &[], &v2);
    let cfg = &v2["configuration"];
    c.check("Instance.configuration", &[], cfg);
    for part in ["urls", "accounts", "statuses", "media_attachments", "polls", "translation", "vapid"] {
        c.check(&format!("Instance.configuration.{part}"), &[], &cfg[part]);
    }
    c.check("Instance.configuration.timelines_access", &[], &cfg["timelines_access"]);
    for feed in ["live_feeds", "hashtag_feeds", "trending_link_feeds"] {
        c.check(
            &format!("Instance.configuration.timelines_access.{feed}"),
            &[],
            &cfg["timelines_access"][feed],
        );
    }
    for part in ["registrations", "contact", "usage", "thumbnail", "api_versions"] {
        c.check(&format!("Instance.{part}"), &[], &v2[part]);
    }
    c.check("Instance.usage.users", &[], &v2["usage"]["users"]);
    if v2["icon"].as_array().is_some_and(|i| !i.is_empty()) {
        c.each("Instance.icon item", &[], &v2["icon"]);
    }
    c.each("Rule", &[], &v2["rules"]);
    let v1 = s.get(&d, "/api/v1/instance", None).await.expect(200).json;
    c.check("V1Instance", &[], &v1);
    for part in ["urls", "stats", "configuration"] {
        c.check(&format!("V1Instance.{part}"), &[], &v1[part]);
    }
    for part in ["accounts", "statuses", "media_attachments", "polls"] {
        c.check(&format!("V1Instance.configuration.{part}"), &[], &v1["configuration"][part]);
    }

    // Accounts: as others see them, and as their owner does.
    let me = s
        .get(&d, "/api/v1/accounts/verify_credentials", Some(&alice))
        .await
        .expect(200)
        .json;
    c.check("Account", &["local"], &me);
    c.check("CredentialAccount", &[], &me);
    c.check("CredentialAccount.source", &[], &me["source"]);
    c.check("Role", &[], &me["role"]);
    let bob_acc = s
        .get(&d, &format!("/api/v1/accounts/{bob_id}"), Some(&alice))
        .await
        .expect(200)
        .json;
    c.check("Account", &["local"], &bob_acc);
    // Only highlighted roles are listed, and members have none: checked when there are some.
    if me["roles"].as_array().is_some_and(|r| !r.is_empty()) {
        c.each("AccountRole", &[], &me["roles"]);
    }
    s.call(
        Method::PATCH,
        &d,
        "/api/v1/accounts/update_credentials",
        Some(&bob),
        json!({"fields_attributes": {"0": {"name": "Web", "value": "https://example.org"}}}),
    )
    .await
    .expect(200);
    let bob_acc = s.get(&d, &format!("/api/v1/accounts/{bob_id}"), None).await.expect(200).json;
    c.each("Field", &[], &bob_acc["fields"]);

    // Relationships, follows, a list, featured hashtags.
    s.post(&d, &format!("/api/v1/accounts/{alice_id}/follow"), Some(&bob), json!({}))
        .await
        .expect(200);
    let rel = s
        .get(&d, &format!("/api/v1/accounts/relationships?id[]={alice_id}"), Some(&bob))
        .await
        .expect(200)
        .json;
    c.each("Relationship", &[], &rel);
    let list = s
        .post(&d, "/api/v1/lists", Some(&bob), json!({"title": "Friends"}))
        .await
        .expect(200)
        .json;
    c.check("List", &[], &list);
    let ft = s
        .post(&d, "/api/v1/featured_tags", Some(&alice), json!({"name": "herd"}))
        .await
        .expect(200)
        .json;
    c.check("FeaturedTag", &[], &ft);

    // Posts with media, a mention, a hashtag, a poll, an emoji-free card-free text.
    let media = s.image(&d, &alice, "A red square").await;
    let post = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&alice),
            json!({"status": "Hello @bob #herd", "media_ids": [media], "visibility": "public"}),
        )
        .await
        .expect(200)
        .json;
    let post_id = post["id"].as_str().expect("id").to_string();
    c.check("Status", &["viewer", "author"], &post);
    c.each("MediaAttachment", &[], &post["media_attachments"]);
    c.each("Mention", &[], &post["mentions"]);
    c.each("Tag", &[], &post["tags"]);
    // Posted with a token made at the command line, which belongs to no app.
    if !post["application"].is_null() {
        c.check("Application", &[], &post["application"]);
    }
    let polled = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&alice),
            json!({"status": "Lunch?", "poll": {"options": ["Soup", "Salad"], "expires_in": 3600}}),
        )
        .await
        .expect(200)
        .json;
    c.check("Poll", &["viewer"], &polled["poll"]);
    c.each("PollOption", &[], &polled["poll"]["options"]);
    let anon = s.get(&d, &format!("/api/v1/statuses/{post_id}"), None).await.expect(200).json;
    c.check("Status", &[], &anon);
    let ctx = s
        .get(&d, &format!("/api/v1/statuses/{post_id}/context"), Some(&bob))
        .await
        .expect(200)
        .json;
    c.check("Context", &[], &ctx);
    s.call(
        Method::PUT,
        &d,
        &format!("/api/v1/statuses/{post_id}"),
        Some(&alice),
        json!({"status": "Hello again @bob #herd", "media_ids": [media]}),
    )
    .await
    .expect(200);
    let history = s
        .get(&d, &format!("/api/v1/statuses/{post_id}/history"), Some(&alice))
        .await
        .expect(200)
        .json;
    c.each("StatusEdit", &[], &history);
    let source = s
        .get(&d, &format!("/api/v1/statuses/{post_id}/source"), Some(&alice))
        .await
        .expect(200)
        .json;
    c.check("StatusSource", &[], &source);

    // Hashtags as entities of their own, signed in and not.
    let tag = s.get(&d, "/api/v1/tags/herd", Some(&bob)).await.expect(200).json;
    c.check("TagEntity", &["viewer"], &tag);
    c.each("TagEntity.history item", &[], &tag["history"]);
    c.check("TagEntity", &[], &s.get(&d, "/api/v1/tags/herd", None).await.expect(200).json);

    // Search, notifications (plain and grouped), markers, conversations.
    let found = s.get(&d, "/api/v2/search?q=bob", Some(&alice)).await.expect(200).json;
    c.check("Search", &[], &found);
    s.post(&d, &format!("/api/v1/statuses/{post_id}/favourite"), Some(&bob), json!({}))
        .await
        .expect(200);
    let notes = s.get(&d, "/api/v1/notifications", Some(&alice)).await.expect(200).json;
    c.each("Notification", &[], &notes);
    let grouped = s.get(&d, "/api/v2/notifications", Some(&alice)).await.expect(200).json;
    c.check("GroupedNotificationsResults", &[], &grouped);
    c.each("NotificationGroup", &["paginated"], &grouped["notification_groups"]);
    let policy = s.get(&d, "/api/v2/notifications/policy", Some(&alice)).await.expect(200).json;
    c.check("NotificationPolicy", &[], &policy);
    c.check("NotificationPolicy.summary", &[], &policy["summary"]);
    let marker = s
        .post(&d, "/api/v1/markers", Some(&alice), json!({"home": {"last_read_id": post_id}}))
        .await
        .expect(200)
        .json;
    c.check("Marker", &[], &marker["home"]);
    s.post(
        &d,
        "/api/v1/statuses",
        Some(&bob),
        json!({"status": "@alice psst", "visibility": "direct"}),
    )
    .await
    .expect(200);
    let convs = s.get(&d, "/api/v1/conversations", Some(&alice)).await.expect(200).json;
    c.each("Conversation", &[], &convs);

    // Filters, scheduled posts, preferences, tokens, errors.
    let filter = s
        .post(
            &d,
            "/api/v2/filters",
            Some(&bob),
            json!({"title": "No lunch", "context": ["home"], "keywords_attributes": [{"keyword": "lunch"}]}),
        )
        .await
        .expect(200)
        .json;
    c.check("Filter", &["rules"], &filter);
    c.each("FilterKeyword", &[], &filter["keywords"]);
    let fs = s
        .post(
            &d,
            &format!("/api/v2/filters/{}/statuses", filter["id"].as_str().expect("id")),
            Some(&bob),
            json!({"status_id": post_id}),
        )
        .await
        .expect(200)
        .json;
    c.check("FilterStatus", &[], &fs);
    let home = s.get(&d, "/api/v1/timelines/home", Some(&bob)).await.expect(200).json;
    let filtered = home
        .as_array()
        .and_then(|a| a.iter().find(|p| p["id"] == polled["id"]))
        .map(|p| p["filtered"].clone())
        .unwrap_or(Value::Null);
    c.each("FilterResult", &[], &filtered);
    let sched = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&alice),
            json!({"status": "Later", "scheduled_at": "2099-01-01T12:00:00Z"}),
        )
        .await
        .expect(200)
        .json;
    c.check("ScheduledStatus", &[], &sched);
    let prefs = s.get(&d, "/api/v1/preferences", Some(&alice)).await.expect(200).json;
    c.check("Preferences", &[], &prefs);
    let token = s.app_token(&d, "read").await;
    c.check("Token", &[], &token);
    let err = s.get(&d, "/api/v1/statuses/1", Some(&alice)).await.expect(404).json;
    c.check("Error", &[], &err);

    // Announcements with a reaction.
    let welcome = herd_app::announcements::NewAnnouncement {
        text: "Welcome".into(),
        ..Default::default()
    };
    let ann = herd_app::announcements::publish(s.app(), &herd_app::Actor::Operator, &t, welcome)
        .await
        .expect("announcement");
    s.call(
        Method::PUT,
        &d,
        &format!("/api/v1/announcements/{ann}/reactions/%F0%9F%91%8D"),
        Some(&bob),
        Value::Null,
    )
    .await
    .expect(200);
    let anns = s.get(&d, "/api/v1/announcements", Some(&bob)).await.expect(200).json;
    c.each("Announcement", &["viewer"], &anns);
    c.each("Reaction", &["viewer"], &anns[0]["reactions"]);

    s.stop().await;
    assert!(
        c.failures.is_empty(),
        "{} keys differ from Mastodon 4.5's:\n{}",
        c.failures.len(),
        c.failures.join("\n")
    );
}
