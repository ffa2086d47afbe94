//! The client API's behaviour, beyond what the Mastodon.py suite drives: validation errors,
//! pagination, visibility, follows of locked accounts, blocks, edits, media processing and
//! hostile input.

mod common;

use common::{Resp, Server, png};
use reqwest::Method;
use serde_json::{Value, json};

struct Org {
    s: Server,
    d: String,
}

async fn org() -> (Org, Vec<(String, String)>) {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let mut users = Vec::new();
    for name in ["alice", "bob", "carol"] {
        users.push(s.account(&d, name, "member").await);
    }
    (Org { s, d }, users)
}

impl Org {
    async fn post(&self, tok: &str, body: Value) -> Resp {
        self.s.post(&self.d, "/api/v1/statuses", Some(tok), body).await
    }
}

#[tokio::test]
async fn bad_input_gets_clear_errors() {
    let (o, u) = org().await;
    let (s, d, alice) = (&o.s, &o.d, &u[0].1);
    // Each row: method, path, body (JSON, or a raw string sent as-is), expected status, text in the error.
    let cases: Vec<(Method, &str, Value, u16, &str)> = vec![
        (Method::POST, "/api/v1/statuses", json!({"status": ""}), 422, "can't be blank"),
        (
            Method::POST,
            "/api/v1/statuses",
            json!({"status": "x".repeat(501)}),
            422,
            "character limit of 500",
        ),
        (
            Method::POST,
            "/api/v1/statuses",
            json!({"status": "hi", "visibility": "secret"}),
            422,
            "visibility",
        ),
        (
            Method::POST,
            "/api/v1/statuses",
            json!({"status": "hi", "in_reply_to_id": "999999999999"}),
            404,
            "not found",
        ),
        (
            Method::POST,
            "/api/v1/statuses",
            json!({"status": "hi", "media_ids": ["12345"]}),
            422,
            "media",
        ),
        (
            Method::POST,
            "/api/v1/statuses",
            json!({"status": "hi", "sensitive": "maybe"}),
            422,
            "true or false",
        ),
        (
            Method::POST,
            "/api/v1/statuses",
            json!({"status": "hi", "poll": {"options": ["a"], "expires_in": 600}}),
            422,
            "at least 2 options",
        ),
        (Method::POST, "/api/v1/statuses", Value::String("{not json".into()), 400, "JSON"),
        (Method::POST, "/api/v1/statuses", Value::String("[1,2]".into()), 400, "object"),
        (Method::GET, "/api/v1/statuses/abc", Value::Null, 404, "not found"),
        (Method::GET, "/api/v1/statuses/-1", Value::Null, 404, "not found"),
        (
            Method::GET,
            "/api/v1/statuses/99999999999999999999999",
            Value::Null,
            404,
            "not found",
        ),
        (Method::GET, "/api/v1/accounts/0", Value::Null, 404, "not found"),
        (Method::GET, "/api/v1/timelines/home?limit=abc", Value::Null, 422, "whole number"),
        (Method::GET, "/api/v1/accounts/lookup", Value::Null, 400, "acct"),
        (
            Method::PATCH,
            "/api/v1/accounts/update_credentials",
            json!({"display_name": "x".repeat(31)}),
            422,
            "Display name",
        ),
        (
            Method::PATCH,
            "/api/v1/accounts/update_credentials",
            json!({"fields_attributes": [{"name": "a", "value": "b"}, {"name": "c", "value": "d"}, {"name": "e", "value": "f"}, {"name": "g", "value": "h"}, {"name": "i", "value": "j"}]}),
            422,
            "fields",
        ),
        (Method::POST, "/api/v1/apps", json!({"client_name": "x"}), 422, "Redirect URI"),
        (
            Method::POST,
            "/api/v1/apps",
            json!({"client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read rule:world"}),
            422,
            "scope",
        ),
        (Method::PUT, "/api/v1/media/1", json!({"focus": "3,3"}), 422, "focus"),
        (Method::PUT, "/api/v1/media/1", json!({"description": "x"}), 404, "not found"),
        (Method::GET, "/api/v1/nothing-here", Value::Null, 404, "not found"),
    ];
    for (method, path, body, status, needle) in cases {
        let mut rb = s.http.request(method.clone(), s.url(d, path)).bearer_auth(alice);
        rb = match &body {
            Value::String(raw) => rb.header("content-type", "application/json").body(raw.clone()),
            Value::Null => rb,
            v => rb.json(v),
        };
        let r = Resp::from(rb.send().await.expect("sent")).await;
        assert_eq!(r.status.as_u16(), status, "{method} {path} {body}: {}", r.text);
        let err = r.json["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path}: no error field in {}", r.text));
        assert!(
            err.to_lowercase().contains(&needle.to_lowercase()),
            "{method} {path}: {err:?} should mention {needle:?}"
        );
    }
    // Hostile shapes: keys nested without end, bodies too large. Refused, never a crash.
    let deep = format!("a{}=1", "[]".repeat(50_000));
    let r = Resp::from(
        s.http
            .post(s.url(d, "/api/v1/apps"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(deep)
            .send()
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    let huge = format!("{{\"status\": \"{}\"}}", "x".repeat(2 << 20));
    let r = Resp::from(
        s.http
            .post(s.url(d, "/api/v1/statuses"))
            .bearer_auth(alice)
            .header("content-type", "application/json")
            .body(huge)
            .send()
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(r.status.as_u16(), 413, "{}", r.text);
    // Nothing was created by all that, and the server is still well.
    let me = s.get(d, "/api/v1/accounts/verify_credentials", Some(alice)).await.expect(200);
    assert_eq!(me.json["statuses_count"], 0);
    assert_eq!(me.json["display_name"], "");
    s.get(d, "/api/v1/accounts/verify_credentials", Some("not-a-token"))
        .await
        .expect(401);
    o.s.stop().await;
}

#[tokio::test]
async fn pagination_follows_mastodon() {
    let (o, u) = org().await;
    let alice = &u[0].1;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(o.post(alice, json!({"status": format!("post {i}")})).await.expect(200).id());
    }
    ids.reverse(); // newest first
    let r = o.s.get(&o.d, "/api/v1/timelines/home?limit=3", Some(alice)).await.expect(200);
    let got: Vec<String> = r
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, ids[..3]);
    let link = r.link();
    assert!(
        link.contains(&format!("max_id={}", ids[2])) && link.contains("rel=\"next\""),
        "{link}"
    );
    assert!(
        link.contains(&format!("min_id={}", ids[0])) && link.contains("rel=\"prev\""),
        "{link}"
    );
    assert!(link.contains("limit=3"), "other parameters are kept: {link}");
    // Next page, then the page just above an id (min_id), then everything newer (since_id).
    let o = &o;
    let page = |q: String| async move {
        let r = o.s.get(&o.d, &format!("/api/v1/timelines/home?{q}"), Some(alice)).await.expect(200);
        r.json
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(page(format!("limit=3&max_id={}", ids[2])).await, ids[3..6]);
    assert_eq!(
        page(format!("limit=2&min_id={}", ids[5])).await,
        ids[3..5],
        "min_id gives the items just above, newest first"
    );
    assert_eq!(
        page(format!("limit=2&since_id={}", ids[5])).await,
        ids[0..2],
        "since_id gives the newest items"
    );
    assert!(page(format!("max_id={}", ids[6])).await.is_empty());
}

#[tokio::test]
async fn visibility_follows_and_blocks() {
    let (o, u) = org().await;
    let (s, d) = (&o.s, &o.d);
    let ((alice_id, alice), (bob_id, bob), (carol_id, carol)) = (u[0].clone(), u[1].clone(), u[2].clone());

    // Bob locks his account; alice asks to follow.
    s.call(
        Method::PATCH,
        d,
        "/api/v1/accounts/update_credentials",
        Some(&bob),
        json!({"locked": "true"}),
    )
    .await
    .expect(200);
    let r = s
        .post(d, &format!("/api/v1/accounts/{bob_id}/follow"), Some(&alice), Value::Null)
        .await
        .expect(200);
    assert_eq!(
        (r.json["following"].clone(), r.json["requested"].clone()),
        (json!(false), json!(true))
    );
    let private = o
        .post(&bob, json!({"status": "for followers", "visibility": "private"}))
        .await
        .expect(200)
        .id();
    s.get(d, &format!("/api/v1/statuses/{private}"), Some(&alice)).await.expect(404);
    // Bob sees the request, with a notification, and accepts it.
    let reqs = s.get(d, "/api/v1/follow_requests", Some(&bob)).await.expect(200);
    assert_eq!(reqs.json[0]["id"], alice_id);
    let n = s
        .get(d, "/api/v1/notifications?types[]=follow_request", Some(&bob))
        .await
        .expect(200);
    assert_eq!(n.json[0]["type"], "follow_request");
    let me = s.get(d, "/api/v1/accounts/verify_credentials", Some(&bob)).await.expect(200);
    assert_eq!(me.json["source"]["follow_requests_count"], 1);
    let r = s
        .post(d, &format!("/api/v1/follow_requests/{alice_id}/authorize"), Some(&bob), Value::Null)
        .await
        .expect(200);
    assert_eq!(r.json["followed_by"], true);
    s.get(d, &format!("/api/v1/statuses/{private}"), Some(&alice)).await.expect(200);
    let home = s.get(d, "/api/v1/timelines/home", Some(&alice)).await.expect(200);
    assert!(home.text.contains(&private), "the followers-only post reaches the follower's home");
    assert_eq!(
        s.get(d, &format!("/api/v1/accounts/{bob_id}"), None).await.json["followers_count"],
        1
    );
    // Carol does not follow: the post is not hers to see, nor in public timelines.
    s.get(d, &format!("/api/v1/statuses/{private}"), Some(&carol)).await.expect(404);
    assert!(!s.get(d, "/api/v1/timelines/public", Some(&carol)).await.text.contains(&private));

    // A direct message reaches only who it mentions.
    let dm = o
        .post(&alice, json!({"status": "@carol just between us", "visibility": "direct"}))
        .await
        .expect(200)
        .id();
    s.get(d, &format!("/api/v1/statuses/{dm}"), Some(&carol)).await.expect(200);
    s.get(d, &format!("/api/v1/statuses/{dm}"), Some(&bob)).await.expect(404);
    s.post(d, &format!("/api/v1/statuses/{dm}/reblog"), Some(&carol), Value::Null)
        .await
        .expect(403);

    // Carol blocks alice: alice can no longer see or follow her, and follows between them end.
    s.post(d, &format!("/api/v1/accounts/{carol_id}/follow"), Some(&alice), Value::Null)
        .await
        .expect(200);
    let carol_post = o.post(&carol, json!({"status": "carol speaks"})).await.expect(200).id();
    let r = s
        .post(d, &format!("/api/v1/accounts/{alice_id}/block"), Some(&carol), Value::Null)
        .await
        .expect(200);
    assert_eq!(
        (r.json["blocking"].clone(), r.json["followed_by"].clone()),
        (json!(true), json!(false))
    );
    s.get(d, &format!("/api/v1/statuses/{carol_post}"), Some(&alice)).await.expect(404);
    s.post(d, &format!("/api/v1/accounts/{carol_id}/follow"), Some(&alice), Value::Null)
        .await
        .expect(403);
    let rel = s
        .get(d, &format!("/api/v1/accounts/relationships?id[]={carol_id}"), Some(&alice))
        .await
        .expect(200);
    assert_eq!(
        (rel.json[0]["blocked_by"].clone(), rel.json[0]["following"].clone()),
        (json!(true), json!(false))
    );

    // Muting hides from home (also boosts of the muted), not from the account page; following
    // or muting again changes the options (on PostgreSQL a failed insert would abort this).
    let (_, dave) = s.account(d, "dave", "member").await;
    let (eve_id, eve) = s.account(d, "eve", "member").await;
    s.post(d, &format!("/api/v1/accounts/{alice_id}/follow"), Some(&dave), Value::Null)
        .await
        .expect(200);
    let r = s
        .post(
            d,
            &format!("/api/v1/accounts/{alice_id}/follow"),
            Some(&dave),
            json!({"notify": true, "reblogs": false}),
        )
        .await
        .expect(200);
    assert_eq!(
        (r.json["notifying"].clone(), r.json["showing_reblogs"].clone()),
        (json!(true), json!(false))
    );
    s.post(
        d,
        &format!("/api/v1/accounts/{alice_id}/follow"),
        Some(&dave),
        json!({"reblogs": true}),
    )
    .await
    .expect(200);
    s.post(d, &format!("/api/v1/accounts/{bob_id}/follow"), Some(&dave), Value::Null)
        .await
        .expect(200);
    s.post(d, &format!("/api/v1/accounts/{bob_id}/follow"), Some(&dave), Value::Null)
        .await
        .expect(200);
    let loud = o.post(&alice, json!({"status": "loud"})).await.expect(200).id();
    let eves = o.post(&eve, json!({"status": "eve posts"})).await.expect(200).id();
    let boost = s
        .post(d, &format!("/api/v1/statuses/{eves}/reblog"), Some(&alice), Value::Null)
        .await
        .expect(200)
        .id();
    let home = s.get(d, "/api/v1/timelines/home", Some(&dave)).await.text;
    assert!(home.contains(&loud) && home.contains(&boost), "{home}");
    s.post(d, &format!("/api/v1/accounts/{eve_id}/mute"), Some(&dave), Value::Null)
        .await
        .expect(200);
    assert!(
        !s.get(d, "/api/v1/timelines/home", Some(&dave)).await.text.contains(&boost),
        "boosts of a muted account are hidden"
    );
    s.post(d, &format!("/api/v1/accounts/{alice_id}/mute"), Some(&dave), Value::Null)
        .await
        .expect(200);
    s.post(
        d,
        &format!("/api/v1/accounts/{alice_id}/mute"),
        Some(&dave),
        json!({"notifications": false, "duration": 1}),
    )
    .await
    .expect(200);
    assert!(!s.get(d, "/api/v1/timelines/home", Some(&dave)).await.text.contains(&loud));
    assert!(
        s.get(d, &format!("/api/v1/accounts/{alice_id}/statuses"), Some(&dave))
            .await
            .text
            .contains(&loud)
    );
    // The timed mute runs out.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert!(
        s.get(d, "/api/v1/timelines/home", Some(&dave)).await.text.contains(&loud),
        "an expired mute no longer hides"
    );
    let rel = s
        .get(d, &format!("/api/v1/accounts/relationships?id[]={alice_id}"), Some(&dave))
        .await
        .json;
    assert_eq!(rel[0]["muting"], false);
    // Undoing: unmute, unblock, and a follow request turned down.
    let r = s
        .post(d, &format!("/api/v1/accounts/{alice_id}/unmute"), Some(&dave), Value::Null)
        .await
        .expect(200);
    assert_eq!(r.json["muting"], false);
    let r = s
        .post(d, &format!("/api/v1/accounts/{alice_id}/unblock"), Some(&carol), Value::Null)
        .await
        .expect(200);
    assert_eq!(r.json["blocking"], false);
    s.get(d, &format!("/api/v1/statuses/{carol_post}"), Some(&alice)).await.expect(200);
    let r = s
        .post(d, &format!("/api/v1/accounts/{bob_id}/follow"), Some(&carol), Value::Null)
        .await
        .expect(200);
    assert_eq!(r.json["requested"], true);
    let r = s
        .post(d, &format!("/api/v1/follow_requests/{carol_id}/reject"), Some(&bob), Value::Null)
        .await
        .expect(200);
    assert_eq!(r.json["requested_by"], false);
    s.post(d, &format!("/api/v1/follow_requests/{carol_id}/reject"), Some(&bob), Value::Null)
        .await
        .expect(404);
    let rel = s
        .get(d, &format!("/api/v1/accounts/relationships?id[]={bob_id}"), Some(&carol))
        .await
        .json;
    assert_eq!(
        (rel[0]["following"].clone(), rel[0]["requested"].clone()),
        (json!(false), json!(false))
    );
    o.s.stop().await;
}

#[tokio::test]
async fn edits_threads_pins_and_deletes() {
    let (o, u) = org().await;
    let (s, d) = (&o.s, &o.d);
    let ((_, alice), (_, bob)) = (u[0].clone(), u[1].clone());
    let root = o
        .post(&alice, json!({"status": "first #Rust", "spoiler_text": "cw"}))
        .await
        .expect(200);
    assert_eq!(root.json["sensitive"], true);
    let root = root.id();
    let reply = o
        .post(&bob, json!({"status": "@alice reply", "in_reply_to_id": root}))
        .await
        .expect(200)
        .id();
    let deeper = o
        .post(&alice, json!({"status": "@bob and back", "in_reply_to_id": reply}))
        .await
        .expect(200)
        .id();
    let ctx = s.get(d, &format!("/api/v1/statuses/{reply}/context"), None).await.expect(200).json;
    assert_eq!(ctx["ancestors"][0]["id"], root);
    assert_eq!(ctx["descendants"][0]["id"], deeper);
    assert_eq!(s.get(d, &format!("/api/v1/statuses/{root}"), None).await.json["replies_count"], 1);

    // Edits keep the history; only the author may edit.
    s.call(
        Method::PUT,
        d,
        &format!("/api/v1/statuses/{root}"),
        Some(&bob),
        json!({"status": "hijack"}),
    )
    .await
    .expect(404);
    let e = s
        .call(
            Method::PUT,
            d,
            &format!("/api/v1/statuses/{root}"),
            Some(&alice),
            json!({"status": "second #Go"}),
        )
        .await
        .expect(200)
        .json;
    assert!(e["edited_at"].is_string());
    assert_eq!(e["tags"][0]["name"], "go");
    let h = s.get(d, &format!("/api/v1/statuses/{root}/history"), None).await.expect(200).json;
    let versions: Vec<&str> = h.as_array().unwrap().iter().map(|v| v["content"].as_str().unwrap()).collect();
    assert_eq!(versions.len(), 2);
    assert!(versions[0].contains("first") && versions[1].contains("second"));
    assert_eq!(
        s.get(d, &format!("/api/v1/statuses/{root}/source"), Some(&alice))
            .await
            .expect(200)
            .json["text"],
        "second #Go"
    );
    assert!(s.get(d, "/api/v1/timelines/tag/go", None).await.text.contains(&root));
    assert!(!s.get(d, "/api/v1/timelines/tag/rust", None).await.text.contains(&root));

    // Pins: own posts only, at most five.
    s.post(d, &format!("/api/v1/statuses/{reply}/pin"), Some(&alice), Value::Null)
        .await
        .expect(422);
    assert_eq!(
        s.post(d, &format!("/api/v1/statuses/{root}/pin"), Some(&alice), Value::Null)
            .await
            .expect(200)
            .json["pinned"],
        true
    );
    let pinned = s
        .get(d, &format!("/api/v1/accounts/{}/statuses?pinned=true", u[0].0), None)
        .await
        .expect(200)
        .json;
    assert_eq!(pinned.as_array().unwrap().len(), 1);

    // A boost shows in the booster's timeline and goes with the original.
    let boost = s
        .post(d, &format!("/api/v1/statuses/{root}/reblog"), Some(&bob), Value::Null)
        .await
        .expect(200)
        .json;
    assert_eq!(boost["reblog"]["id"], root);
    let again = s
        .post(d, &format!("/api/v1/statuses/{root}/reblog"), Some(&bob), Value::Null)
        .await
        .expect(200)
        .json;
    assert_eq!(again["id"], boost["id"], "boosting twice gives the same boost");
    let n = s.get(d, "/api/v1/notifications?types[]=update", Some(&bob)).await.expect(200).json;
    assert_eq!(
        n.as_array().map(Vec::len),
        Some(0),
        "no update notification before an edit after the boost"
    );
    s.call(
        Method::PUT,
        d,
        &format!("/api/v1/statuses/{root}"),
        Some(&alice),
        json!({"status": "third"}),
    )
    .await
    .expect(200);
    let n = s.get(d, "/api/v1/notifications?types[]=update", Some(&bob)).await.expect(200).json;
    assert_eq!(n[0]["status"]["id"], root, "boosters hear of edits");

    // Delete returns the source for redrafting; the post and its boost are gone.
    let del = s
        .call(Method::DELETE, d, &format!("/api/v1/statuses/{root}"), Some(&alice), Value::Null)
        .await
        .expect(200)
        .json;
    assert_eq!(del["text"], "third");
    s.get(d, &format!("/api/v1/statuses/{root}"), None).await.expect(404);
    s.get(d, &format!("/api/v1/statuses/{}", boost["id"].as_str().unwrap()), None)
        .await
        .expect(404);
    let me = s.get(d, "/api/v1/accounts/verify_credentials", Some(&bob)).await.json;
    assert_eq!(me["statuses_count"], 1, "bob's boost no longer counts");
    o.s.stop().await;
}

#[tokio::test]
async fn media_is_processed_and_limited() {
    let (o, u) = org().await;
    let (s, d, alice) = (&o.s, &o.d, &u[0].1);
    let upload = |bytes: Vec<u8>, name: &'static str| {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name))
            .text("description", "a gradient")
            .text("focus", "0.5,-0.25");
        let rb = s.http.post(s.url(d, "/api/v2/media")).bearer_auth(alice).multipart(form);
        async move { Resp::from(rb.send().await.expect("sent")).await }
    };
    // A large image is accepted at once (202), then resized in the background.
    let r = upload(png(4000, 2500), "big.png").await.expect(202);
    assert!(r.json["url"].is_null(), "no URL while processing");
    let id = r.id();
    let m = s.wait_media(d, &id, alice).await;
    let (w, h) = (
        m["meta"]["original"]["width"].as_u64().unwrap(),
        m["meta"]["original"]["height"].as_u64().unwrap(),
    );
    assert!(w * h <= 3840 * 2160 && w > 2000, "resized to at most 3840x2160 pixels, got {w}x{h}");
    assert_eq!(m["meta"]["focus"]["y"], -0.25);
    assert!(m["blurhash"].as_str().is_some_and(|b| b.len() >= 6));
    assert_eq!(m["description"], "a gradient");
    let small = m["preview_url"].as_str().unwrap();
    let thumb = s.http.get(small).send().await.unwrap().bytes().await.unwrap();
    let timg = image::load_from_memory(&thumb).expect("thumbnail is an image");
    assert!(u64::from(timg.width()) * u64::from(timg.height()) <= 640 * 360);

    // A JPEG with EXIF metadata comes back without it.
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
        .encode_image(&image::DynamicImage::ImageRgb8(image::RgbImage::new(64, 48)))
        .unwrap();
    let exif = b"Exif\0\0MM\0*\0\0\0\x08\0\0GPS-SECRET-LOCATION";
    let mut with_exif = vec![0xFF, 0xD8, 0xFF, 0xE1];
    with_exif.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    with_exif.extend_from_slice(exif);
    with_exif.extend_from_slice(&jpeg[2..]);
    let id = upload(with_exif, "photo.jpg").await.expect(202).id();
    let m = s.wait_media(d, &id, alice).await;
    let served = s.http.get(m["url"].as_str().unwrap()).send().await.unwrap().bytes().await.unwrap();
    assert!(!served.windows(10).any(|w| w == b"GPS-SECRET"), "metadata must be stripped");

    // Not an image, or empty: a clear 422, nothing stored.
    let r = upload(b"#!/bin/sh\necho hi".to_vec(), "x.sh").await.expect(422);
    assert!(r.json["error"].as_str().unwrap().contains("not supported"));
    upload(Vec::new(), "empty.png").await.expect(422);

    // Attached media: 404 on the media endpoint afterwards (as on Mastodon), shown on the post.
    let post = o.post(alice, json!({"status": "pic", "media_ids": [id]})).await.expect(200).json;
    assert_eq!(post["media_attachments"][0]["id"], id);
    s.get(d, &format!("/api/v1/media/{id}"), Some(alice)).await.expect(404);
    // Someone else's media cannot be attached.
    let bob = &u[1].1;
    let theirs = upload(png(8, 8), "p.png").await.expect(202).id();
    s.wait_media(d, &theirs, alice).await;
    o.post(bob, json!({"status": "stolen", "media_ids": [theirs]})).await.expect(422);
    o.s.stop().await;
}

#[tokio::test]
async fn idempotency_and_notifications() {
    let (o, u) = org().await;
    let (s, d) = (&o.s, &o.d);
    let ((_, alice), (bob_id, bob)) = (u[0].clone(), u[1].clone());
    let send = |key: &'static str, text: &'static str| {
        let rb = s
            .http
            .post(s.url(d, "/api/v1/statuses"))
            .bearer_auth(&alice)
            .header("Idempotency-Key", key)
            .json(&json!({"status": text}));
        async move { Resp::from(rb.send().await.expect("sent")).await.expect(200).id() }
    };
    let a = send("k1", "once").await;
    assert_eq!(send("k1", "once").await, a);
    assert_ne!(send("k2", "twice").await, a);

    let p = o.post(&bob, json!({"status": "bob's"})).await.expect(200).id();
    s.post(d, &format!("/api/v1/statuses/{p}/favourite"), Some(&alice), Value::Null)
        .await
        .expect(200);
    s.post(d, &format!("/api/v1/statuses/{p}/favourite"), Some(&alice), Value::Null)
        .await
        .expect(200);
    let st = s.get(d, &format!("/api/v1/statuses/{p}"), Some(&alice)).await.json;
    assert_eq!((st["favourites_count"].clone(), st["favourited"].clone()), (json!(1), json!(true)));
    let n = s.get(d, "/api/v1/notifications", Some(&bob)).await.expect(200).json;
    assert_eq!(n.as_array().unwrap().len(), 1);
    assert_eq!(n[0]["type"], "favourite");
    // Undoing the favourite takes its notification back.
    s.post(d, &format!("/api/v1/statuses/{p}/unfavourite"), Some(&alice), Value::Null)
        .await
        .expect(200);
    assert_eq!(
        s.get(d, "/api/v1/notifications", Some(&bob)).await.json.as_array().unwrap().len(),
        0
    );
    // Self-interactions notify nobody; follows do.
    s.post(d, &format!("/api/v1/statuses/{p}/favourite"), Some(&bob), Value::Null)
        .await
        .expect(200);
    assert_eq!(
        s.get(d, "/api/v1/notifications", Some(&bob)).await.json.as_array().unwrap().len(),
        0
    );
    s.post(
        d,
        &format!("/api/v1/accounts/{bob_id}/follow"),
        Some(&alice),
        json!({"notify": true}),
    )
    .await
    .expect(200);
    let n = s.get(d, "/api/v1/notifications?exclude_types[]=favourite", Some(&bob)).await.json;
    assert_eq!(n[0]["type"], "follow");
    let rel = s
        .get(d, &format!("/api/v1/accounts/relationships?id={bob_id}"), Some(&alice))
        .await
        .json;
    assert_eq!(rel[0]["notifying"], true);
    let new = o.post(&bob, json!({"status": "subscribers hear this"})).await.expect(200).id();
    let n = s.get(d, "/api/v1/notifications?types[]=status", Some(&alice)).await.json;
    assert_eq!(n[0]["status"]["id"], new);
    // A followers-only post's notification goes when the reader stops following.
    let private = o
        .post(&bob, json!({"status": "followers only", "visibility": "private"}))
        .await
        .expect(200)
        .id();
    let n = s.get(d, "/api/v1/notifications?types[]=status", Some(&alice)).await.json;
    assert_eq!(n[0]["status"]["id"], private);
    s.post(d, &format!("/api/v1/accounts/{bob_id}/unfollow"), Some(&alice), Value::Null)
        .await
        .expect(200);
    let n = s.get(d, "/api/v1/notifications?types[]=status", Some(&alice)).await.text;
    assert!(!n.contains(&private), "{n}");
    o.s.stop().await;
}

#[tokio::test]
async fn maintenance_sweeps_orphans_and_expired_mutes() {
    let (o, u) = org().await;
    let (s, d, alice) = (&o.s, &o.d, &u[0].1);
    let orphan = s.upload(d, alice, png(16, 16), "o.png").await;
    let m = s.wait_media(d, &orphan, alice).await;
    let file_url = m["url"].as_str().expect("url").to_string();
    // An upload attached and then taken off by an edit stays: the edit history shows it.
    let historic = s.upload(d, alice, png(16, 16), "h.png").await;
    s.wait_media(d, &historic, alice).await;
    let kept = o
        .post(alice, json!({"status": "kept", "media_ids": [historic]}))
        .await
        .expect(200)
        .id();
    s.call(
        Method::PUT,
        d,
        &format!("/api/v1/statuses/{kept}"),
        Some(alice),
        json!({"status": "kept, no picture", "media_ids": []}),
    )
    .await
    .expect(200);
    s.post(
        d,
        &format!("/api/v1/accounts/{}/mute", u[1].0),
        Some(alice),
        json!({"duration": 60}),
    )
    .await
    .expect(200);

    let t = herd_app::tenants::by_domain(s.app(), d).await.expect("tenant");
    // Now: nothing is old enough.
    let none = herd_app::maintenance::sweep(s.app(), t.id, herd_core::Timestamp::now())
        .await
        .expect("sweep");
    assert_eq!(none, herd_app::maintenance::Swept::default());
    // A day and an hour later: the unattached upload and the one-minute mute are gone.
    let later = herd_core::Timestamp::now().plus_secs(25 * 3600);
    let swept = herd_app::maintenance::sweep(s.app(), t.id, later).await.expect("sweep");
    assert_eq!((swept.orphaned_media, swept.expired_mutes), (1, 1));
    s.get(d, &format!("/api/v1/media/{orphan}"), Some(alice)).await.expect(404);
    // The files go through the durable job.
    for _ in 0..100 {
        if s.http.get(&file_url).send().await.expect("sent").status() == 404 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        s.http.get(&file_url).send().await.expect("sent").status(),
        404,
        "the orphan's file is deleted"
    );
    s.get(d, &format!("/api/v1/statuses/{kept}"), Some(alice)).await.expect(200);
    let history = s
        .get(d, &format!("/api/v1/statuses/{kept}/history"), Some(alice))
        .await
        .expect(200)
        .json;
    let pic = history[0]["media_attachments"][0]["url"]
        .as_str()
        .expect("the first version shows its picture")
        .to_string();
    assert_eq!(
        s.http.get(&pic).send().await.expect("sent").status(),
        200,
        "the picture in the history is kept"
    );
}

#[tokio::test]
async fn browser_clients_may_call_from_other_origins() {
    let (o, u) = org().await;
    let (s, d) = (&o.s, &o.d);
    let pre = s
        .http
        .request(Method::OPTIONS, s.url(d, "/api/v1/statuses"))
        .header("origin", "https://elk.zone")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization, content-type, idempotency-key")
        .send()
        .await
        .expect("sent");
    assert!(pre.status().is_success(), "{}", pre.status());
    assert_eq!(
        pre.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()),
        Some("*")
    );
    let allowed = pre
        .headers()
        .get("access-control-allow-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("idempotency-key"),
        "{allowed}"
    );
    let r = s
        .http
        .get(s.url(d, "/api/v1/timelines/public"))
        .header("origin", "https://elk.zone")
        .bearer_auth(&u[0].1)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        r.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()),
        Some("*")
    );
    let exposed = r
        .headers()
        .get("access-control-expose-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_lowercase();
    assert!(
        exposed.contains("link"),
        "the Link header must be readable for pagination: {exposed}"
    );
}

#[tokio::test]
async fn readiness_is_apart_from_liveness() {
    let s = Server::start().await;
    let any = s.domain("org-c.test");
    let live = s.get(&any, "/health", None).await;
    assert!(live.status == 200 && live.text == "ok", "{} {}", live.status, live.text);
    let ready = s.get(&any, "/ready", None).await;
    assert!(ready.status == 200 && ready.text == "ready", "{} {}", ready.status, ready.text);
    // A database behind this build's migrations: alive, but not ready for requests.
    let mut c = s.app().db.conn().await.expect("conn");
    let newest: i64 = c
        .qs("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(c.ex())
        .await
        .expect("newest");
    c.q("DELETE FROM _sqlx_migrations WHERE version = ?")
        .bind(newest)
        .execute(c.ex())
        .await
        .expect("delete");
    drop(c);
    assert_eq!(s.get(&any, "/health", None).await.status, 200);
    let ready = s.get(&any, "/ready", None).await;
    assert_eq!(ready.status, 503);
    assert!(
        ready.json["error"].as_str().is_some_and(|e| e.contains("herd migrate")),
        "{}",
        ready.text
    );
    s.stop().await;
}
