use herd_store::TenantId;
use herd_store::media;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{av, image};
use crate::{App, AppError, Result};

/// Turns an uploaded original into the served file, a thumbnail and a blurhash.
#[derive(Debug, Serialize, Deserialize)]
pub struct ProcessMedia {
    pub media_id: i64,
}

impl herd_jobs::JobKind for ProcessMedia {
    const KIND: &'static str = "process_media";
    /// A long video takes minutes to transcode; no other worker takes it meanwhile.
    const LEASE_MS: i64 = 30 * 60 * 1000;
}

/// The largest image served (Mastodon's 3840x2160) and thumbnail size (640x360).
const MAX_SERVED_PIXELS: u64 = 3840 * 2160;
pub(super) const SMALL_PIXELS: u64 = 640 * 360;

pub(super) fn dims(img: &::image::DynamicImage) -> serde_json::Value {
    let (w, h) = (img.width(), img.height());
    json!({"width": w, "height": h, "size": format!("{w}x{h}"), "aspect": w as f64 / h.max(1) as f64})
}

/// An image's small version (a thumbnail or poster): its bytes, extension, blurhash and size.
pub(super) struct Small {
    pub bytes: Vec<u8>,
    pub ext: &'static str,
    pub blurhash: Option<String>,
    pub size: serde_json::Value,
}

/// Decodes `bytes` within `max_pixels`, fits them to the small size and encodes them (PNG kept
/// as PNG with `keep_png`), off the async threads. Callers hold an image permit.
pub(super) async fn small_version(bytes: Vec<u8>, max_pixels: u64, keep_png: bool) -> Result<Small> {
    tokio::task::spawn_blocking(move || -> Result<_> {
        let small = image::fit_pixels(image::decode(&bytes, max_pixels)?, SMALL_PIXELS);
        let (bytes, ext, _) = image::encode(&small, keep_png)?;
        Ok(Small {
            bytes,
            ext,
            blurhash: image::blurhash(&small),
            size: dims(&small),
        })
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Processes one upload. A file that is not a readable image marks the attachment failed
/// (no retry); storage errors fail the job so it is retried.
pub async fn process(app: &App, t: TenantId, job: ProcessMedia) -> Result<()> {
    let mut c = app.db.conn().await?;
    let Some(mut row) = media::by_id(&mut c, t, job.media_id).await? else {
        return Ok(());
    };
    if row.state != "processing" {
        return Ok(());
    }
    drop(c);
    if row.kind != "image" {
        return audio_video(app, t, row).await;
    }
    let original = app.files.get(t, &row.original_key).await?;
    let max_pixels = {
        let mut c = app.db.conn().await?;
        herd_store::tenants::by_id(&mut c, t).await?.max_image_pixels as u64
    };
    let was_png = row.mime == "image/png";
    let _turn = app.image_permit().await?;
    let outcome = tokio::task::spawn_blocking(move || -> Result<_> {
        let img = image::decode(&original, max_pixels)?;
        let served = image::fit_pixels(img, MAX_SERVED_PIXELS);
        let small = image::fit_pixels(served.clone(), SMALL_PIXELS);
        let (file, ext, mime) = image::encode(&served, was_png)?;
        let (thumb, text, _) = image::encode(&small, was_png)?;
        let meta = json!({"original": dims(&served), "small": dims(&small)});
        Ok((file, ext, mime, thumb, text, meta, image::blurhash(&small)))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    match outcome {
        Ok((file, ext, mime, thumb, text, meta, hash)) => {
            let dir = folder(&row);
            let file_key = format!("{dir}/file.{ext}");
            let thumb_key = format!("{dir}/small.{text}");
            app.files.put(t, &file_key, &file).await?;
            app.files.put(t, &thumb_key, &thumb).await?;
            row.state = "ready".into();
            row.file_key = Some(file_key);
            row.thumb_key = Some(thumb_key);
            row.mime = mime.into();
            row.meta = meta.to_string();
            row.blurhash = hash;
        }
        Err(AppError::Invalid(msg)) => {
            row.state = "failed".into();
            row.error = Some(msg);
        }
        Err(e) => return Err(e),
    }
    let bytes = super::measure(app, t, &row).await?;
    let mut c = app.db.conn().await?;
    media::processed(&mut c, t, &row, bytes).await?;
    Ok(())
}

/// The folder of an attachment's files.
fn folder(row: &herd_store::media::MediaRow) -> String {
    row.original_key
        .rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_else(|| format!("media/{}", row.id))
}

/// Processes a video, an animated GIF (`gifv`) or an audio upload with ffmpeg: the served file,
/// a poster frame for a video without a chosen thumbnail, and `meta`. A file ffmpeg cannot
/// read marks the attachment failed; anything else fails the job, to be retried.
async fn audio_video(app: &App, t: TenantId, mut row: herd_store::media::MediaRow) -> Result<()> {
    let input = app.files.local_path(t, &row.original_key)?;
    let dir = folder(&row);
    let (file_key, mime) = match row.kind.as_str() {
        "audio" => (format!("{dir}/file.mp3"), "audio/mpeg"),
        _ => (format!("{dir}/file.mp4"), "video/mp4"),
    };
    let out = app.files.scratch(t, &file_key).await?;
    let poster_out = app.files.scratch(t, &file_key).await?;
    let _turn = app.image_permit().await?;
    let result = async {
        let original = av::probe(&input).await?;
        match row.kind.as_str() {
            "audio" => av::audio(&input, &out).await?,
            kind => av::video(&input, &out, &original, kind == "gifv").await?,
        }
        let served = av::probe(&out).await?;
        let mut meta = av::meta(&served, &original);
        // A frame of the video, unless its owner chose a thumbnail.
        let mut poster = None;
        if row.kind != "audio" && row.thumb_key.is_none() {
            av::poster(&out, &poster_out).await?;
            let png = tokio::fs::read(&poster_out).await?;
            poster = Some(small_version(png, av::MATRIX_LIMIT as u64, false).await?);
        }
        // `small` is the poster's size, or the chosen thumbnail's (known since the upload).
        match &poster {
            Some(p) => meta["small"] = p.size.clone(),
            None => {
                let before: serde_json::Value = serde_json::from_str(&row.meta).unwrap_or_default();
                if before["small"].is_object() {
                    meta["small"] = before["small"].clone();
                }
            }
        }
        Ok::<_, AppError>((meta, poster))
    }
    .await;
    let _ = tokio::fs::remove_file(&poster_out).await;
    match result {
        Ok((meta, poster)) => {
            app.files.keep_scratch(&out, t, &file_key).await?;
            if let Some(p) = poster {
                let thumb_key = format!("{dir}/small.{}", p.ext);
                app.files.put(t, &thumb_key, &p.bytes).await?;
                row.thumb_key = Some(thumb_key);
                row.blurhash = p.blurhash;
            }
            row.state = "ready".into();
            row.file_key = Some(file_key);
            row.mime = mime.into();
            row.meta = meta.to_string();
        }
        Err(e) => {
            let _ = tokio::fs::remove_file(&out).await;
            match e {
                AppError::Invalid(msg) => {
                    row.state = "failed".into();
                    row.error = Some(msg);
                }
                e => return Err(e),
            }
        }
    }
    let bytes = super::measure(app, t, &row).await?;
    let mut c = app.db.conn().await?;
    media::processed(&mut c, t, &row, bytes).await?;
    Ok(())
}
