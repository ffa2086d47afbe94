//! `herd bench media`: a 1280x720 video with sound (30 s by default), made here by ffmpeg,
//! uploaded to a `herd serve` child through `/api/v2/media` and polled until the media job has
//! processed it: the time from the upload's first byte until the attachment is ready, and the
//! server's resident memory before and at its peak. Beside it, in the same run, the same
//! transcode by ffmpeg alone (the same function the job calls, before and after the server's
//! run; the mean is the reference), so the figure is the server's overhead over ffmpeg.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use herd_core::secret;
use herd_store::Db;

use super::{Child, client, free_port, seed_instance};

pub(super) async fn media(seconds: u32) -> anyhow::Result<()> {
    if seconds == 0 {
        bail!("--seconds must be at least 1");
    }
    let dir = tempfile::tempdir()?;
    // MPEG-4 part 2 and AAC in MP4: quick to make, and not what Herd serves, so the job
    // transcodes it to H.264 as it would a phone's upload.
    let input = dir.path().join("input.mp4");
    let made = tokio::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("testsrc2=duration={seconds}:size=1280x720:rate=30"))
        .args(["-f", "lavfi", "-i"])
        .arg(format!("sine=frequency=440:duration={seconds}"))
        .args(["-c:v", "mpeg4", "-q:v", "4", "-c:a", "aac", "-b:a", "128k"])
        .arg(&input)
        .status()
        .await
        .context("running ffmpeg (apt-get install ffmpeg)")?;
    if !made.success() {
        bail!("ffmpeg could not make the test video");
    }
    let bytes = tokio::fs::read(&input).await?;
    eprintln!(
        "test video: {seconds} s, 1280x720, {:.1} MiB",
        bytes.len() as f64 / (1 << 20) as f64
    );

    let alone = || async {
        let out = dir.path().join("alone.mp4");
        let probe = herd_app::media::av::probe(&input).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let started = Instant::now();
        herd_app::media::av::video(&input, &out, &probe, false)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        anyhow::Ok(started.elapsed())
    };
    let before = alone().await?;

    let port = free_port()?;
    let domain = format!("org.bench.test:{port}");
    let url = format!("sqlite://{}", dir.path().join("herd.db").display());
    let db = Db::connect(&url, 2).await?;
    db.migrate().await?;
    let hash = herd_app::auth::password::hash(secret::generate()).await?;
    let mut tx = db.begin().await?;
    let (_, _, tokens) = seed_instance(&mut tx, &domain, 1, &hash).await?;
    tx.commit().await?;
    db.close().await;
    let child = Child::start(dir.path(), &url, port).await?;
    let http = client(child.addr, std::slice::from_ref(&domain), 2)?;
    let idle = child.rss_kib()?;
    let started = Instant::now();
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("input.mp4"));
    let r = http
        .post(format!("http://{domain}/api/v2/media"))
        .bearer_auth(&tokens[0])
        .multipart(form)
        .send()
        .await?;
    if r.status() != 202 {
        bail!("the upload answered {}: {}", r.status(), r.text().await.unwrap_or_default());
    }
    let id = r.json::<serde_json::Value>().await?["id"]
        .as_str()
        .context("an attachment id")?
        .to_string();
    let uploaded = started.elapsed();
    let attachment = loop {
        let r = http
            .get(format!("http://{domain}/api/v1/media/{id}"))
            .bearer_auth(&tokens[0])
            .send()
            .await?;
        if r.status() == 200 {
            break r.json::<serde_json::Value>().await?;
        }
        if started.elapsed() > Duration::from_secs(30 * 60) {
            bail!("the video was not processed within 30 minutes");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let served = started.elapsed();
    let peak = child.peak_rss_kib()?;
    drop(child);
    if attachment["type"] != "video" {
        bail!("the server could not process the video: {attachment}");
    }
    let after = alone().await?;
    let reference = (before + after) / 2;
    println!(
        "ffmpeg alone: {:.2} s (before), {:.2} s (after), mean {:.2} s",
        before.as_secs_f64(),
        after.as_secs_f64(),
        reference.as_secs_f64()
    );
    println!(
        "herd serve: upload answered after {:.2} s, processed after {:.2} s: {:.2}x ffmpeg alone",
        uploaded.as_secs_f64(),
        served.as_secs_f64(),
        served.as_secs_f64() / reference.as_secs_f64().max(0.001)
    );
    println!(
        "herd serve resident memory: {idle} KiB idle, {peak} KiB at its peak ({} KiB more; ffmpeg runs as its own process)",
        peak.saturating_sub(idle)
    );
    Ok(())
}
