//! Video and audio work with ffmpeg and ffprobe (Debian's `ffmpeg` package), as Mastodon does
//! it: videos (and animated GIFs, as `gifv`) become H.264/AAC mp4 within Mastodon's limits,
//! audio becomes mp3, a poster frame is taken from a video, and `meta` describes the result
//! and the original.
//!
//! The programs run as child processes with a time limit, on files in the data directory:
//! nothing is held in memory but what they print. A file they cannot read is the uploader's
//! problem ([`AppError::Invalid`], the attachment fails); a missing program or a timeout is the
//! operator's ([`AppError::Internal`], the job is retried).

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::process::Command;

use crate::{AppError, Result};

/// Mastodon's limits for served video: bitrate, frame rate and pixels (3840x2160).
const VIDEO_BITRATE: &str = "1300K";
const MAX_FPS: f64 = 60.0;
pub const MATRIX_LIMIT: i64 = 3840 * 2160;
/// Mastodon keeps at most three hours of a video.
const MAX_SECONDS: f64 = 3.0 * 3600.0;
/// How long one program may take.
const TIME_LIMIT: Duration = Duration::from_secs(20 * 60);

/// What ffprobe says of a file.
#[derive(Debug, Clone, Default)]
pub struct Probe {
    pub duration: f64,
    pub bitrate: Option<i64>,
    pub video: Option<VideoStream>,
    pub audio: Option<AudioStream>,
}

#[derive(Debug, Clone)]
pub struct VideoStream {
    pub width: i64,
    pub height: i64,
    /// As ffprobe writes it, `30/1`.
    pub frame_rate: String,
    pub fps: f64,
}

#[derive(Debug, Clone)]
pub struct AudioStream {
    pub codec: String,
    pub sample_rate: Option<String>,
    pub channels: Option<String>,
}

async fn run(program: &str, args: &[&std::ffi::OsStr]) -> Result<std::process::Output> {
    let mut cmd = Command::new(program);
    cmd.args(args).stdin(std::process::Stdio::null()).kill_on_drop(true);
    let out = tokio::time::timeout(TIME_LIMIT, cmd.output())
        .await
        .map_err(|_| AppError::Internal(format!("{program} took longer than {} minutes", TIME_LIMIT.as_secs() / 60)))?
        .map_err(|e| {
            AppError::Internal(format!(
                "could not run {program} ({e}); video and audio need Debian's ffmpeg package"
            ))
        })?;
    Ok(out)
}

fn os<'a>(v: &'a [&'a str]) -> Vec<&'a std::ffi::OsStr> {
    v.iter().map(std::ffi::OsStr::new).collect()
}

/// Reads a file's streams; a file ffprobe cannot read is refused.
pub async fn probe(path: &Path) -> Result<Probe> {
    let mut args = os(&["-v", "error", "-print_format", "json", "-show_format", "-show_streams"]);
    args.push(path.as_os_str());
    let out = run("ffprobe", &args).await?;
    if !out.status.success() {
        return Err(unreadable(&out.stderr));
    }
    let v: Value = serde_json::from_slice(&out.stdout).map_err(|_| unreadable(b""))?;
    let num = |v: &Value| -> Option<f64> { v.as_str().and_then(|s| s.parse().ok()).or_else(|| v.as_f64()) };
    let streams = v["streams"].as_array().cloned().unwrap_or_default();
    // A cover picture inside an audio file is not a video.
    let video = streams
        .iter()
        .find(|s| s["codec_type"] == "video" && s["disposition"]["attached_pic"] != 1)
        .and_then(|s| {
            let frame_rate = s["avg_frame_rate"]
                .as_str()
                .filter(|r| *r != "0/0")
                .or_else(|| s["r_frame_rate"].as_str())
                .unwrap_or("0/1")
                .to_string();
            Some(VideoStream {
                width: s["width"].as_i64()?,
                height: s["height"].as_i64()?,
                fps: ratio(&frame_rate),
                frame_rate,
            })
        });
    let audio = streams.iter().find(|s| s["codec_type"] == "audio").map(|s| AudioStream {
        codec: s["codec_name"].as_str().unwrap_or("unknown").to_string(),
        sample_rate: s["sample_rate"].as_str().map(|r| format!("{r} Hz")),
        channels: s["channel_layout"].as_str().map(str::to_string),
    });
    let duration = num(&v["format"]["duration"]).unwrap_or(0.0);
    if video.is_none() && audio.is_none() {
        return Err(unreadable(b"no audio or video stream"));
    }
    Ok(Probe {
        duration,
        bitrate: num(&v["format"]["bit_rate"]).map(|b| b as i64),
        video,
        audio,
    })
}

fn ratio(r: &str) -> f64 {
    match r.split_once('/') {
        Some((a, b)) => {
            let (a, b): (f64, f64) = (a.parse().unwrap_or(0.0), b.parse().unwrap_or(1.0));
            if b == 0.0 { 0.0 } else { a / b }
        }
        None => r.parse().unwrap_or(0.0),
    }
}

fn unreadable(stderr: &[u8]) -> AppError {
    let why = String::from_utf8_lossy(stderr);
    let why = why.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    let why: String = why.chars().take(200).collect();
    AppError::Invalid(if why.is_empty() {
        "Validation failed: File could not be processed as video or audio".into()
    } else {
        format!("Validation failed: File could not be processed as video or audio ({why})")
    })
}

async fn ffmpeg(args: Vec<&std::ffi::OsStr>) -> Result<()> {
    let mut all = os(&["-hide_banner", "-nostdin", "-loglevel", "error", "-y"]);
    all.extend(args);
    let out = run("ffmpeg", &all).await?;
    if out.status.success() {
        Ok(())
    } else {
        Err(unreadable(&out.stderr))
    }
}

/// The size a video is served at: within Mastodon's pixel limit, even on both sides (H.264
/// wants that).
fn served_size(v: &VideoStream) -> (i64, i64) {
    let (mut w, mut h) = (v.width.max(2), v.height.max(2));
    if w * h > MATRIX_LIMIT {
        let scale = (MATRIX_LIMIT as f64 / (w * h) as f64).sqrt();
        w = (w as f64 * scale) as i64;
        h = (h as f64 * scale) as i64;
    }
    (w - w % 2, h - h % 2)
}

/// Transcodes a video (or, with `gifv`, an animated GIF, without sound) to H.264/AAC mp4.
pub async fn video(input: &Path, output: &Path, probe: &Probe, gifv: bool) -> Result<()> {
    let v = probe.video.as_ref().ok_or_else(|| unreadable(b"no video stream"))?;
    let (w, h) = served_size(v);
    let scale = format!("scale={w}:{h}");
    let seconds = format!("{MAX_SECONDS}");
    let mut args = os(&["-i"]);
    args.push(input.as_os_str());
    let mut rest = vec![
        "-t",
        &seconds,
        "-map_metadata",
        "-1",
        "-vf",
        &scale,
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "18",
        "-b:v",
        VIDEO_BITRATE,
        "-maxrate",
        VIDEO_BITRATE,
        "-bufsize",
        VIDEO_BITRATE,
        "-pix_fmt",
        "yuv420p",
        "-fps_mode",
        "cfr",
    ];
    if v.fps > MAX_FPS || v.fps <= 0.0 {
        rest.extend(["-r", "60"]);
    }
    if gifv || probe.audio.is_none() {
        rest.push("-an");
    } else {
        rest.extend(["-c:a", "aac", "-b:a", "192k"]);
    }
    rest.extend(["-movflags", "+faststart", "-f", "mp4"]);
    args.extend(os(&rest));
    args.push(output.as_os_str());
    ffmpeg(args).await
}

/// Transcodes audio to mp3, as Mastodon serves it.
pub async fn audio(input: &Path, output: &Path) -> Result<()> {
    let seconds = format!("{MAX_SECONDS}");
    let mut args = os(&["-i"]);
    args.push(input.as_os_str());
    let rest = [
        "-t",
        &seconds,
        "-map_metadata",
        "-1",
        "-vn",
        "-c:a",
        "libmp3lame",
        "-q:a",
        "2",
        "-f",
        "mp3",
    ];
    args.extend(os(&rest));
    args.push(output.as_os_str());
    ffmpeg(args).await
}

/// One frame of a video as a PNG: a poster for players and the source of its blurhash.
pub async fn poster(input: &Path, output: &Path) -> Result<()> {
    let mut args = os(&["-i"]);
    args.push(input.as_os_str());
    let rest = ["-frames:v", "1", "-f", "image2", "-c:v", "png"];
    args.extend(os(&rest));
    args.push(output.as_os_str());
    ffmpeg(args).await
}

/// `0:00:30.03`, as Mastodon writes a length.
fn length(seconds: f64) -> String {
    let cs = (seconds * 100.0).round() as i64;
    format!("{}:{:02}:{:02}.{:02}", cs / 360_000, cs / 6_000 % 60, cs / 100 % 60, cs % 100)
}

/// Mastodon's `meta` of a processed video or audio: the served file at the top level, and the
/// original beside it.
pub fn meta(served: &Probe, original: &Probe) -> Value {
    let mut m = json!({
        "length": length(served.duration),
        "duration": round2(served.duration),
    });
    if let Some(v) = &served.video {
        m["fps"] = json!(v.fps.round() as i64);
        m["size"] = json!(format!("{}x{}", v.width, v.height));
        m["width"] = json!(v.width);
        m["height"] = json!(v.height);
        m["aspect"] = json!(v.width as f64 / v.height.max(1) as f64);
    }
    if let Some(a) = &served.audio {
        m["audio_encode"] = json!(a.codec);
        m["audio_bitrate"] = json!(a.sample_rate);
        m["audio_channels"] = json!(a.channels);
    }
    let mut o = json!({"duration": round2(original.duration), "bitrate": original.bitrate});
    if let Some(v) = &original.video {
        o["width"] = json!(v.width);
        o["height"] = json!(v.height);
        o["frame_rate"] = json!(v.frame_rate);
    }
    m["original"] = o;
    m
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_lengths_and_rates() {
        let v = |width, height| VideoStream {
            width,
            height,
            frame_rate: "30/1".into(),
            fps: 30.0,
        };
        assert_eq!(served_size(&v(1281, 721)), (1280, 720));
        let (w, h) = served_size(&v(7680, 4320));
        assert!(w * h <= MATRIX_LIMIT && w % 2 == 0 && h % 2 == 0 && (w as f64 / h as f64 - 16.0 / 9.0).abs() < 0.01);
        assert_eq!(length(30.034), "0:00:30.03");
        assert_eq!(length(3725.5), "1:02:05.50");
        assert_eq!(ratio("30000/1001").round(), 30.0);
        assert_eq!(ratio("0/0"), 0.0);
    }
}
