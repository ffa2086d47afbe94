//! Tenant isolation, tested: every route is walked with org-b's credentials against org-a's
//! host and with org-a's object ids against org-b's host. Nothing of org-a may come back.

mod common;

use common::Server;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn nothing_leaks_between_instances() {
    let s = Server::start().await;
    let a = s.tenant("org-a.test", "open").await;
    let b = s.tenant("org-b.test", "open").await;
    let (alice, ta) = s.account(&a, "alice", "owner").await;
    let (bob, tb_a) = s.account(&a, "bob", "member").await;
    let (_dave, td) = s.account(&b, "dave", "member").await;

    // Give org-a one of everything.
    s.call(
        Method::PATCH,
        &a,
        "/api/v1/accounts/update_credentials",
        Some(&tb_a),
        json!({"locked": true}),
    )
    .await
    .expect(200);
    let post = s
        .post(
            &a,
            "/api/v1/statuses",
            Some(&ta),
            json!({"status": "secret of org-a #orgatag @bob", "visibility": "public"}),
        )
        .await
        .expect(200)
        .id();
    s.post(&a, &format!("/api/v1/statuses/{post}/favourite"), Some(&tb_a), Value::Null)
        .await
        .expect(200);
    s.post(&a, &format!("/api/v1/statuses/{post}/bookmark"), Some(&ta), Value::Null)
        .await
        .expect(200);
    s.post(&a, &format!("/api/v1/accounts/{bob}/follow"), Some(&ta), Value::Null)
        .await
        .expect(200);
    let poll = s
        .post(
            &a,
            "/api/v1/statuses",
            Some(&ta),
            json!({"status": "secret of org-a, a poll", "poll": {"options": ["orgatag one", "orgatag two"], "expires_in": 600}}),
        )
        .await
        .expect(200)
        .json["poll"]["id"]
        .as_str()
        .expect("a poll id")
        .to_string();
    let later = herd_core::Timestamp(herd_core::Timestamp::now().0 + 86_400_000).to_rfc3339();
    let scheduled = s
        .post(
            &a,
            "/api/v1/statuses",
            Some(&ta),
            json!({"status": "secret of org-a, later", "scheduled_at": later}),
        )
        .await
        .expect(200)
        .id();
    s.post(&a, "/api/v1/featured_tags", Some(&ta), json!({"name": "orgatag"}))
        .await
        .expect(200);
    s.post(&a, &format!("/api/v1/accounts/{alice}/follow"), Some(&tb_a), Value::Null)
        .await
        .expect(200);
    s.post(&a, &format!("/api/v1/accounts/{alice}/endorse"), Some(&tb_a), Value::Null)
        .await
        .expect(200);
    let ta_tenant = herd_app::tenants::by_domain(s.app(), &a).await.expect("tenant");
    let news = herd_app::announcements::NewAnnouncement {
        text: "secret of org-a, announced".into(),
        ..Default::default()
    };
    let announced = herd_app::announcements::publish(s.app(), &herd_app::Actor::Operator, &ta_tenant, news)
        .await
        .expect("announced")
        .to_string();
    let media = herd_media(&s, &a, &ta).await;
    let notes = s.get(&a, "/api/v1/notifications", Some(&tb_a)).await.expect(200);
    let note = notes.json[0]["id"].as_str().expect("bob has a notification").to_string();

    let secrets = [
        alice.as_str(),
        bob.as_str(),
        post.as_str(),
        media.as_str(),
        note.as_str(),
        poll.as_str(),
        scheduled.as_str(),
        "alice",
        "orgatag",
        "secret of org-a",
    ];
    let routes: Vec<(Method, String)> = vec![
        (Method::GET, "/api/v1/accounts/verify_credentials".into()),
        (Method::GET, format!("/api/v1/accounts/{alice}")),
        (Method::GET, format!("/api/v1/accounts/{alice}/statuses")),
        (Method::GET, format!("/api/v1/accounts/{alice}/followers")),
        (Method::GET, format!("/api/v1/accounts/{alice}/following")),
        (Method::GET, format!("/api/v1/accounts/relationships?id[]={alice}&id[]={bob}")),
        (Method::GET, "/api/v1/accounts/lookup?acct=alice".into()),
        (Method::GET, "/api/v1/accounts/search?q=al".into()),
        (Method::POST, format!("/api/v1/accounts/{alice}/follow")),
        (Method::POST, format!("/api/v1/accounts/{alice}/block")),
        (Method::POST, format!("/api/v1/accounts/{alice}/mute")),
        (Method::POST, format!("/api/v1/follow_requests/{alice}/authorize")),
        (Method::GET, format!("/api/v1/statuses/{post}")),
        (Method::GET, format!("/api/v1/statuses?id[]={post}")),
        (Method::GET, format!("/api/v1/statuses/{post}/context")),
        (Method::GET, format!("/api/v1/statuses/{post}/history")),
        (Method::GET, format!("/api/v1/statuses/{post}/source")),
        (Method::GET, format!("/api/v1/statuses/{post}/favourited_by")),
        (Method::GET, format!("/api/v1/statuses/{post}/reblogged_by")),
        (Method::POST, format!("/api/v1/statuses/{post}/favourite")),
        (Method::POST, format!("/api/v1/statuses/{post}/reblog")),
        (Method::POST, format!("/api/v1/statuses/{post}/bookmark")),
        (Method::POST, format!("/api/v1/statuses/{post}/pin")),
        (Method::PUT, format!("/api/v1/statuses/{post}")),
        (Method::DELETE, format!("/api/v1/statuses/{post}")),
        (Method::GET, format!("/api/v1/polls/{poll}")),
        (Method::POST, format!("/api/v1/polls/{poll}/votes?choices[]=0")),
        (Method::GET, "/api/v1/featured_tags".into()),
        (Method::GET, "/api/v1/featured_tags/suggestions".into()),
        (Method::GET, format!("/api/v1/accounts/{alice}/featured_tags")),
        (Method::POST, format!("/api/v1/accounts/{bob}/endorse")),
        (Method::GET, "/api/v1/endorsements".into()),
        (Method::GET, format!("/api/v1/accounts/{bob}/endorsements")),
        (Method::GET, "/api/v1/trends/tags".into()),
        (Method::GET, "/api/v1/trends/statuses".into()),
        (Method::GET, "/api/v1/trends/links".into()),
        (Method::GET, "/api/v1/custom_emojis".into()),
        (Method::GET, "/api/v1/announcements".into()),
        (Method::POST, format!("/api/v1/announcements/{announced}/dismiss")),
        (Method::PUT, format!("/api/v1/announcements/{announced}/reactions/%F0%9F%8E%89")),
        (Method::GET, "/api/v1/scheduled_statuses".into()),
        (Method::GET, format!("/api/v1/scheduled_statuses/{scheduled}")),
        (Method::PUT, format!("/api/v1/scheduled_statuses/{scheduled}")),
        (Method::DELETE, format!("/api/v1/scheduled_statuses/{scheduled}")),
        (Method::GET, "/api/v2/notifications".into()),
        (Method::GET, "/api/v2/notifications/policy".into()),
        (Method::GET, "/api/v1/notifications/requests".into()),
        (Method::GET, format!("/api/v2/notifications/ungrouped-{note}")),
        (Method::GET, format!("/api/v2/notifications/ungrouped-{note}/accounts")),
        (Method::POST, format!("/api/v2/notifications/ungrouped-{note}/dismiss")),
        (Method::GET, "/api/v1/notifications/unread_count".into()),
        (Method::GET, "/api/v2/notifications/unread_count".into()),
        (Method::GET, "/api/v1/timelines/home".into()),
        (Method::GET, "/api/v1/timelines/public".into()),
        (Method::GET, "/api/v1/timelines/tag/orgatag".into()),
        (Method::GET, "/api/v1/notifications".into()),
        (Method::GET, format!("/api/v1/notifications/{note}")),
        (Method::POST, format!("/api/v1/notifications/{note}/dismiss")),
        (Method::GET, format!("/api/v1/media/{media}")),
        (Method::PUT, format!("/api/v1/media/{media}")),
        (Method::GET, "/api/v1/bookmarks".into()),
        (Method::GET, "/api/v1/favourites".into()),
        (Method::GET, "/api/v1/follow_requests".into()),
        (Method::GET, "/api/v1/blocks".into()),
        (Method::GET, "/api/v1/mutes".into()),
        (Method::GET, "/api/v1/apps/verify_credentials".into()),
        (Method::GET, "/api/v1/instance".into()),
        (Method::GET, "/api/v2/instance".into()),
    ];

    for (method, path) in &routes {
        let body = if *method == Method::PUT {
            json!({"status": "taken over", "description": "x"})
        } else {
            Value::Null
        };
        // org-b's token on org-a's host: the token means nothing there.
        let r = s.call(method.clone(), &a, path, Some(&td), body.clone()).await;
        let public = path.contains("/instance");
        assert_eq!(
            r.status.as_u16(),
            if public { 200 } else { 401 },
            "{method} {path} on org-a with org-b's token: {}",
            r.text
        );
        // org-b's token on org-b's host with org-a's ids: nothing found, nothing shown.
        let r = s.call(method.clone(), &b, path, Some(&td), body.clone()).await;
        assert!(r.status.as_u16() < 500, "{method} {path} on org-b: server error {}", r.text);
        for secret in secrets {
            assert!(!r.text.contains(secret), "{method} {path} on org-b leaked {secret:?}: {}", r.text);
        }
        // And anonymously on org-b.
        let r = s.call(method.clone(), &b, path, None, body).await;
        for secret in secrets {
            assert!(
                !r.text.contains(secret),
                "{method} {path} anonymous on org-b leaked {secret:?}: {}",
                r.text
            );
        }
    }

    // Public pages of org-b show nothing of org-a, whatever paths name.
    for path in [
        "/about".to_string(),
        "/@alice".to_string(),
        "/@alice.rss".to_string(),
        format!("/@alice/{post}"),
        "/@alice/tagged/orgatag".to_string(),
        "/tags/orgatag".to_string(),
        "/tags/orgatag.rss".to_string(),
    ] {
        let r = s.get(&b, &path, None).await;
        assert!(r.status.as_u16() < 500, "{path} on org-b: server error {}", r.text);
        for secret in secrets {
            assert!(!r.text.contains(secret), "page {path} on org-b leaked {secret:?}: {}", r.text);
        }
    }

    // Files are served only under their own instance's host.
    let m = s.wait_media(&a, &media, &ta).await;
    let url = m["url"].as_str().expect("media url").to_string();
    let path = url.split_once(&a).expect("url on org-a").1.to_string();
    s.get(&a, &path, None).await.expect(200);
    s.get(&b, &path, None).await.expect(404);

    // org-a's data is intact after all that.
    let r = s.get(&a, &format!("/api/v1/statuses/{post}"), Some(&ta)).await.expect(200);
    assert_eq!(r.json["content"].as_str().map(|c| c.contains("secret of org-a")), Some(true));
    assert_eq!(r.json["favourites_count"], 1);

    // An OAuth app of org-a cannot get tokens on org-b.
    let app = s
        .post(
            &a,
            "/api/v1/apps",
            None,
            json!({"client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}),
        )
        .await
        .expect(200)
        .json;
    let r = s
        .post(
            &b,
            "/oauth/token",
            None,
            json!({"grant_type": "client_credentials", "client_id": app["client_id"], "client_secret": app["client_secret"]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 401, "{}", r.text);

    // An unknown host gets 404 and no data.
    let r = s.get(&s.domain("org-c.test"), "/api/v1/instance", None).await.expect(404);
    assert!(!r.text.contains("org-a"));
    s.stop().await;
}

async fn herd_media(s: &Server, domain: &str, token: &str) -> String {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(common::png(32, 32))
                .file_name("a.png")
                .mime_str("image/png")
                .expect("mime"),
        )
        .text("description", "org-a picture");
    let r = s
        .http
        .post(s.url(domain, "/api/v2/media"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let r = common::Resp::from(r).await.expect(202);
    r.id()
}
