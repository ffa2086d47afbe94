//! Scheduled posts over HTTP as apps use them: written with `scheduled_at`, listed, moved,
//! cancelled, and published by a durable job at their time.

mod common;

use common::{Server, eventually};
use reqwest::Method;
use serde_json::{Value, json};

fn now_ms() -> i64 {
    herd_core::Timestamp::now().0
}

fn iso(ms: i64) -> String {
    herd_core::Timestamp(ms).to_rfc3339()
}

/// Brings a scheduled post's time (and its job) to the present, as if the time had come.
async fn due_now(s: &Server, id: &str) {
    let now = now_ms() - 1;
    let id: i64 = id.parse().expect("id");
    let mut c = s.app().db.conn().await.expect("connection");
    c.q("UPDATE scheduled_statuses SET scheduled_at = ? WHERE id = ?")
        .bind(now)
        .bind(id)
        .execute(c.ex())
        .await
        .expect("moved");
    let moved = c
        .q("UPDATE jobs SET run_at = ?, payload = ? WHERE kind = 'statuses.publish_scheduled' AND payload LIKE ?")
        .bind(now)
        .bind(json!({"id": id, "scheduled_at": now}).to_string())
        .bind(format!("{{\"id\":{id},%"))
        .execute(c.ex())
        .await
        .expect("job moved")
        .rows_affected();
    assert!(moved >= 1, "the publishing job was waiting");
    s.app().waker.wake();
}

#[tokio::test]
async fn posts_wait_for_their_time_and_are_published_then() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (alice, at) = s.account(&d, "alice", "member").await;
    let (_, bt) = s.account(&d, "bob", "member").await;
    let hour = now_ms() + 3_600_000;

    // Too soon, no date, or a post that would be refused now: 422 at once.
    for (body, why) in [
        (
            json!({"status": "soon", "scheduled_at": iso(now_ms() + 60_000)}),
            "Validation failed: Scheduled at date must be in the future",
        ),
        (json!({"status": "when?", "scheduled_at": "next tuesday"}), "Record invalid"),
        (json!({"status": "", "scheduled_at": iso(hour)}), "blank"),
        (json!({"status": "x".repeat(600), "scheduled_at": iso(hour)}), "character limit"),
        (
            json!({"status": "reply", "in_reply_to_id": "12345", "scheduled_at": iso(hour)}),
            "not found",
        ),
    ] {
        let r = s.post(&d, "/api/v1/statuses", Some(&at), body).await;
        assert!(r.status.is_client_error(), "refused: {}", r.text);
        assert!(r.text.to_lowercase().contains(&why.to_lowercase()), "names {why}: {}", r.text);
    }

    // A time already past publishes at once, as on Mastodon.
    let now = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&bt),
            json!({"status": "late", "scheduled_at": iso(now_ms() - 60_000)}),
        )
        .await
        .expect(200);
    assert!(now.json["content"].as_str().is_some_and(|c| c.contains("late")), "{}", now.text);

    // A scheduled post with an upload: shown as Mastodon's ScheduledStatus, the upload held.
    let png = s.upload(&d, &at, common::png(8, 8), "a.png").await;
    s.wait_media(&d, &png, &at).await;
    let sched = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "Good morning, later", "media_ids": [png], "visibility": "unlisted",
                   "scheduled_at": iso(hour)}),
        )
        .await
        .expect(200)
        .json;
    let sid = sched["id"].as_str().expect("id").to_string();
    assert_eq!(sched["params"]["text"], "Good morning, later");
    assert_eq!(sched["params"]["visibility"], "unlisted");
    assert_eq!(sched["params"]["media_ids"], json!([png]));
    assert_eq!(sched["media_attachments"][0]["id"], png.as_str());
    assert!(sched["scheduled_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{sched}");
    let statuses = format!("/api/v1/accounts/{alice}/statuses");
    assert_eq!(s.get(&d, &statuses, Some(&at)).await.expect(200).json, json!([]), "not posted yet");
    let list = s.get(&d, "/api/v1/scheduled_statuses", Some(&at)).await.expect(200).json;
    assert_eq!(list[0]["id"], sid.as_str());
    let one = format!("/api/v1/scheduled_statuses/{sid}");
    s.get(&d, &one, Some(&at)).await.expect(200);
    s.get(&d, &one, Some(&bt)).await.expect(404);
    assert_eq!(s.get(&d, "/api/v1/scheduled_statuses", Some(&bt)).await.json, json!([]));
    let held = s
        .post(&d, "/api/v1/statuses", Some(&at), json!({"status": "now", "media_ids": [png]}))
        .await
        .expect(422);
    assert!(held.text.contains("already attached"), "{}", held.text);

    // Moved: checked like a new time; someone else's cannot be moved.
    let later = now_ms() + 7_200_000;
    s.call(Method::PUT, &d, &one, Some(&bt), json!({"scheduled_at": iso(later)}))
        .await
        .expect(404);
    s.call(Method::PUT, &d, &one, Some(&at), json!({"scheduled_at": iso(now_ms())}))
        .await
        .expect(422);
    let moved = s
        .call(Method::PUT, &d, &one, Some(&at), json!({"scheduled_at": iso(later)}))
        .await
        .expect(200)
        .json;
    assert_eq!(moved["scheduled_at"].as_str(), Some(iso(later).as_str()));

    // At its time it is published, once, with its upload, and leaves the list.
    due_now(&s, &sid).await;
    let published = || async {
        let l = s.get(&d, &statuses, Some(&at)).await.json;
        l.as_array().is_some_and(|a| a.len() == 1) && l[0]["media_attachments"][0]["id"] == png.as_str()
    };
    assert!(eventually(published).await, "the scheduled post was published");
    let post = s.get(&d, &statuses, Some(&at)).await.json[0].clone();
    assert_eq!(post["visibility"], "unlisted");
    assert!(post["content"].as_str().is_some_and(|c| c.contains("Good morning, later")));
    let gone = || async { s.get(&d, "/api/v1/scheduled_statuses", Some(&at)).await.json == json!([]) };
    assert!(eventually(gone).await, "no longer scheduled");
    s.get(&d, &one, Some(&at)).await.expect(404);

    // A poll waits with its post; a cancelled post frees its upload.
    let poll = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "Vote later", "scheduled_at": iso(hour),
                   "poll": {"options": ["a", "b"], "expires_in": 600}}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(poll["params"]["poll"]["options"], json!(["a", "b"]));
    due_now(&s, poll["id"].as_str().expect("id")).await;
    let with_poll = || async {
        let l = s.get(&d, &statuses, Some(&at)).await.json;
        l[0]["poll"]["options"][1]["title"] == "b"
    };
    assert!(eventually(with_poll).await, "published with its poll");
    let png2 = s.upload(&d, &at, common::png(8, 8), "b.png").await;
    s.wait_media(&d, &png2, &at).await;
    let c = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "never mind", "media_ids": [png2], "scheduled_at": iso(hour)}),
        )
        .await
        .expect(200)
        .id();
    s.call(
        Method::DELETE,
        &d,
        &format!("/api/v1/scheduled_statuses/{c}"),
        Some(&bt),
        Value::Null,
    )
    .await
    .expect(404);
    s.call(
        Method::DELETE,
        &d,
        &format!("/api/v1/scheduled_statuses/{c}"),
        Some(&at),
        Value::Null,
    )
    .await
    .expect(200);
    s.post(
        &d,
        "/api/v1/statuses",
        Some(&at),
        json!({"status": "now then", "media_ids": [png2]}),
    )
    .await
    .expect(200);
    s.stop().await;
}

#[tokio::test]
async fn no_more_than_twenty_five_posts_are_scheduled_for_one_day() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, at) = s.account(&d, "alice", "member").await;
    // Noon of a day well ahead, a minute apart.
    let day = (now_ms() / 86_400_000 + 3) * 86_400_000 + 43_200_000;
    for i in 0..25 {
        s.post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": format!("post {i}"), "scheduled_at": iso(day + i * 60_000)}),
        )
        .await
        .expect(200);
    }
    let r = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "one more", "scheduled_at": iso(day + 3_600_000)}),
        )
        .await
        .expect(422);
    assert!(r.text.contains("25"), "{}", r.text);
    // The next day is free.
    s.post(
        &d,
        "/api/v1/statuses",
        Some(&at),
        json!({"status": "next day", "scheduled_at": iso(day + 86_400_000)}),
    )
    .await
    .expect(200);
    let page = s.get(&d, "/api/v1/scheduled_statuses?limit=40", Some(&at)).await.expect(200);
    assert_eq!(page.json.as_array().map(Vec::len), Some(26));
    let first = s.get(&d, "/api/v1/scheduled_statuses?limit=10", Some(&at)).await.expect(200);
    assert!(first.link().contains("max_id="), "pages link on: {}", first.link());
    s.stop().await;
}
