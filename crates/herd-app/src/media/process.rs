use herd_store::TenantId;
use herd_store::media;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::image;
use crate::{App, AppError, Result};

/// Turns an uploaded original into the served file, a thumbnail and a blurhash.
#[derive(Debug, Serialize, Deserialize)]
pub struct ProcessMedia {
    pub media_id: i64,
}

impl herd_jobs::JobKind for ProcessMedia {
    const KIND: &'static str = "process_media";
}

/// The largest image served (Mastodon's 3840x2160) and thumbnail size (640x360).
const MAX_SERVED_PIXELS: u64 = 3840 * 2160;
pub(super) const SMALL_PIXELS: u64 = 640 * 360;

fn dims(img: &::image::DynamicImage) -> serde_json::Value {
    let (w, h) = (img.width(), img.height());
    json!({"width": w, "height": h, "size": format!("{w}x{h}"), "aspect": w as f64 / h.max(1) as f64})
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
            let dir = row
                .original_key
                .rsplit_once('/')
                .map(|(d, _)| d.to_string())
                .unwrap_or_else(|| format!("media/{}", row.id));
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
    let mut c = app.db.conn().await?;
    media::processed(&mut c, t, &row).await?;
    Ok(())
}
