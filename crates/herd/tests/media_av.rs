//! Video and audio as members post them from apps: files made by ffmpeg here are uploaded,
//! transcoded by the media job (H.264/AAC mp4, mp3, GIFs as gifv), posted, played back
//! (ffprobe on the served file), and received by a second Herd server as Mastodon's
//! `Document`s. Needs Debian's `ffmpeg` (`.ci/run` installs it; elsewhere, without it, the
//! test says so and stops).

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{Resp, Server};
use serde_json::{Value, json};

fn have_ffmpeg() -> bool {
    let ok = Command::new("ffmpeg").arg("-version").output().is_ok_and(|o| o.status.success());
    if !ok && std::env::var_os("CI").is_some() {
        panic!("ffmpeg is not installed: apt-get install ffmpeg (.ci/run does)");
    }
    if !ok {
        eprintln!("ffmpeg is not installed (apt-get install ffmpeg): skipping the video and audio test");
    }
    ok
}

/// Makes a file with ffmpeg from its built-in test sources.
fn make(dir: &Path, name: &str, args: &[&str]) -> Vec<u8> {
    let out = dir.join(name);
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .arg(&out)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made {name}");
    std::fs::read(&out).expect("read")
}

/// What ffprobe says of a file's streams: (codec type, codec name) pairs.
fn streams(bytes: &[u8], dir: &Path) -> Vec<(String, String)> {
    let path = dir.join(format!("probe-{}", rand::random::<u32>()));
    std::fs::write(&path, bytes).expect("write");
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-print_format", "json", "-show_streams"])
        .arg(&path)
        .output()
        .expect("ffprobe runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("ffprobe json");
    v["streams"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["codec_type"].as_str().unwrap_or_default().to_string(),
                s["codec_name"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

async fn upload(s: &Server, d: &str, token: &str, bytes: Vec<u8>, name: &'static str, thumbnail: Option<Vec<u8>>) -> Resp {
    let mut form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name))
        .text("description", "A test clip");
    if let Some(t) = thumbnail {
        form = form.part("thumbnail", reqwest::multipart::Part::bytes(t).file_name("poster.png"));
    }
    let r = s
        .http
        .post(s.url(d, "/api/v2/media"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    Resp::from(r).await
}

/// Waits (a minute at most) until the job has processed the attachment; its entity.
async fn processed(s: &Server, d: &str, token: &str, id: &str) -> Value {
    for _ in 0..600 {
        let r = s.get(d, &format!("/api/v1/media/{id}"), Some(token)).await;
        if r.status == 200 {
            return r.json;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("media {id} was not processed within a minute");
}

async fn fetch(s: &Server, url: &str) -> Vec<u8> {
    let r = s.http.get(url).send().await.expect("fetched");
    assert!(r.status().is_success(), "{url}: {}", r.status());
    r.bytes().await.expect("body").to_vec()
}

#[tokio::test]
async fn videos_and_audio_are_transcoded_posted_played_and_federated() {
    if !have_ffmpeg() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    // A WebM (VP8 and Opus) clip, a FLAC sound and an animated GIF, none of them served as is.
    let webm = make(
        dir,
        "clip.webm",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=2:size=320x240:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=2",
            "-c:v",
            "libvpx",
            "-b:v",
            "300k",
            "-c:a",
            "libopus",
        ],
    );
    let flac = make(
        dir,
        "tone.flac",
        &["-f", "lavfi", "-i", "sine=frequency=330:duration=3", "-c:a", "flac"],
    );
    let gif = make(dir, "loop.gif", &["-f", "lavfi", "-i", "testsrc=duration=1:size=64x48:rate=5"]);

    let (a, da, b, db) = common::pair().await;
    let (_, at) = a.account(&da, "alice", "member").await;
    let (_, bt) = b.account(&db, "bob", "member").await;
    common::followed(&b, &db, &bt, &format!("alice@{da}")).await;

    // The video: 202 at once, then an H.264/AAC mp4 with a poster frame and Mastodon's meta.
    let up = upload(&a, &da, &at, webm, "clip.webm", None).await.expect(202);
    assert_eq!(up.json["type"], "video");
    assert!(up.json["url"].is_null(), "no file before processing: {}", up.text);
    let video = processed(&a, &da, &at, &up.id()).await;
    assert_eq!(video["type"], "video");
    assert_eq!(video["description"], "A test clip");
    let url = video["url"].as_str().expect("url");
    assert!(url.ends_with(".mp4"), "{url}");
    assert!(video["preview_url"].as_str().is_some_and(|p| p != url), "a poster: {video}");
    assert!(video["blurhash"].is_string(), "{video}");
    let meta = &video["meta"];
    assert_eq!((meta["width"].as_i64(), meta["height"].as_i64()), (Some(320), Some(240)), "{meta}");
    assert_eq!(meta["fps"], 25);
    assert!(meta["duration"].as_f64().is_some_and(|d| (d - 2.0).abs() < 0.3), "{meta}");
    assert!(meta["length"].as_str().is_some_and(|l| l.starts_with("0:00:02")), "{meta}");
    assert_eq!(meta["original"]["frame_rate"], "25/1");
    assert_eq!(meta["audio_encode"], "aac");
    assert!(meta["small"]["width"].is_number(), "{meta}");
    let played = streams(&fetch(&a, url).await, dir);
    assert!(played.contains(&("video".into(), "h264".into())), "{played:?}");
    assert!(played.contains(&("audio".into(), "aac".into())), "{played:?}");
    fetch(&a, video["preview_url"].as_str().unwrap_or_default()).await;

    // A video goes alone in a post, as on Mastodon.
    let png = a.image(&da, &at, "a square").await;
    let r = a
        .post(
            &da,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "both", "media_ids": [up.id(), png]}),
        )
        .await
        .expect(422);
    assert_eq!(r.json["error"], "Cannot attach a video to a post that already contains images");

    // Posted; bob's server receives it as a Document, copies it and serves it.
    let post = a
        .post(
            &da,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "Our new clip", "media_ids": [up.id()]}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(post["media_attachments"][0]["type"], "video");
    let uri = post["uri"].as_str().expect("uri").to_string();
    let note: Value = a
        .http
        .get(&uri)
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("note")
        .json()
        .await
        .expect("json");
    let doc = &note["attachment"][0];
    assert_eq!(
        (doc["type"].as_str(), doc["mediaType"].as_str()),
        (Some("Document"), Some("video/mp4")),
        "{note}"
    );
    assert_eq!((doc["width"].as_i64(), doc["height"].as_i64()), (Some(320), Some(240)));
    assert!(doc["icon"]["url"].is_string(), "the poster goes with it: {doc}");
    let mut seen = Value::Null;
    for _ in 0..300 {
        let home = b.get(&db, "/api/v1/timelines/home", Some(&bt)).await.json;
        let m = &home[0]["media_attachments"][0];
        if m["url"].as_str().is_some_and(|u| u.starts_with(&format!("http://{db}/"))) {
            seen = m.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen["type"], "video", "bob's server has its own copy of the video");
    assert_eq!(seen["remote_url"], url);
    let copy = streams(&fetch(&b, seen["url"].as_str().unwrap_or_default()).await, dir);
    assert!(copy.contains(&("video".into(), "h264".into())), "{copy:?}");

    // Audio becomes mp3; with a thumbnail of its owner's choosing, changed later too.
    let up = upload(&a, &da, &at, flac, "tone.flac", Some(common::png(40, 40))).await.expect(202);
    assert_eq!(up.json["type"], "audio");
    let audio = processed(&a, &da, &at, &up.id()).await;
    assert!(audio["url"].as_str().is_some_and(|u| u.ends_with(".mp3")), "{audio}");
    assert!(audio["meta"]["duration"].as_f64().is_some_and(|d| (d - 3.0).abs() < 0.3), "{audio}");
    assert!(audio["meta"]["width"].is_null(), "audio has no picture size: {audio}");
    let first = audio["preview_url"].as_str().expect("the chosen thumbnail").to_string();
    assert!(first.ends_with(".png"), "a PNG thumbnail stays PNG: {first}");
    assert_eq!(audio["meta"]["small"]["width"], 40, "{audio}");
    let played = streams(&fetch(&a, audio["url"].as_str().unwrap_or_default()).await, dir);
    assert_eq!(played, vec![("audio".to_string(), "mp3".to_string())]);
    let form = reqwest::multipart::Form::new().part(
        "thumbnail",
        reqwest::multipart::Part::bytes(common::png(50, 50)).file_name("new.png"),
    );
    let changed = a
        .http
        .put(a.url(&da, &format!("/api/v1/media/{}", up.id())))
        .bearer_auth(&at)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let changed = Resp::from(changed).await.expect(200).json;
    let second = changed["preview_url"].as_str().expect("thumbnail").to_string();
    assert_ne!(first, second, "a new thumbnail");
    assert_eq!(changed["meta"]["small"]["width"], 50, "{changed}");
    fetch(&a, &second).await;

    // An animated GIF is a silent mp4 loop.
    let up = upload(&a, &da, &at, gif, "loop.gif", None).await.expect(202);
    let gifv = processed(&a, &da, &at, &up.id()).await;
    assert_eq!(gifv["type"], "gifv");
    let played = streams(&fetch(&a, gifv["url"].as_str().unwrap_or_default()).await, dir);
    assert_eq!(played, vec![("video".to_string(), "h264".to_string())]);

    // A file that only looks like a video fails clearly; something else is refused at once.
    let mut broken = make(
        dir,
        "short.webm",
        &["-f", "lavfi", "-i", "testsrc=duration=1:size=32x32:rate=5", "-c:v", "libvpx"],
    );
    broken.truncate(60);
    broken.extend(std::iter::repeat_n(0u8, 2000));
    let up = upload(&a, &da, &at, broken, "broken.webm", None).await.expect(202);
    let mut failed = Value::Null;
    for _ in 0..300 {
        let r = a.get(&da, &format!("/api/v1/media/{}", up.id()), Some(&at)).await;
        if r.status == 200 {
            failed = r.json;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failed["type"], "unknown", "{failed}");
    let r = a
        .post(
            &da,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "broken", "media_ids": [up.id()]}),
        )
        .await
        .expect(422);
    assert!(r.text.contains("could not be processed"), "{}", r.text);
    let r = upload(&a, &da, &at, b"just some text".to_vec(), "notes.txt", None)
        .await
        .expect(422);
    assert!(r.json["error"].as_str().is_some_and(|e| e.contains("not supported")), "{}", r.text);

    // The instance tells apps what it takes.
    let inst = a.get(&da, "/api/v2/instance", None).await.json;
    let media = &inst["configuration"]["media_attachments"];
    assert!(
        media["supported_mime_types"]
            .as_array()
            .is_some_and(|m| m.contains(&json!("video/mp4")))
    );
    assert!(media["video_size_limit"].as_i64().is_some_and(|l| l > 0));
    a.stop().await;
    b.stop().await;
}
