use herd_core::{Id, Timestamp};
use herd_store::media::{self, MediaRow};

use super::{ProcessMedia, Upload, image};
use crate::{App, AppError, Result, Tenant};

/// What an upload is, by its first bytes.
enum Kind {
    Image(::image::ImageFormat),
    /// An animated GIF, served as a silent mp4 loop.
    Gifv,
    /// Its type and file extension.
    Video(&'static str, &'static str),
    Audio(&'static str, &'static str),
}

fn recognise(bytes: &[u8]) -> Option<Kind> {
    if let Some(f) = image::sniff(bytes) {
        if f == ::image::ImageFormat::Gif && image::animated_gif(bytes) {
            return Some(Kind::Gifv);
        }
        return Some(Kind::Image(f));
    }
    let (mime, ext) = super::remote::playable_format(bytes)?;
    Some(if mime.starts_with("audio/") {
        Kind::Audio(mime, ext)
    } else {
        Kind::Video(mime, ext)
    })
}

/// Stores an upload and queues its processing in the same transaction as the row. The
/// returned row is still `processing`; clients poll until it has a URL. Images are limited by
/// the instance's image size, video and audio by its video size; `thumbnail` is an image shown
/// for a video or audio instead of a frame of it.
pub async fn upload(app: &App, tenant: &Tenant, account: i64, up: Upload, change: Change) -> Result<MediaRow> {
    if up.bytes.is_empty() {
        return Err(AppError::Invalid("Validation failed: File can't be blank".into()));
    }
    let kind = recognise(&up.bytes).ok_or_else(|| {
        AppError::Invalid(
            "Validation failed: File content type is not supported (images: PNG, JPEG, GIF, WebP; \
             video: MP4, WebM, MOV, M4V; audio: MP3, OGG, WAV, FLAC, M4A, AAC)"
                .into(),
        )
    })?;
    let limit = match kind {
        Kind::Image(_) => tenant.row.max_image_bytes,
        _ => tenant.row.max_video_bytes,
    };
    if up.bytes.len() as i64 > limit {
        return Err(AppError::Invalid(if limit == 0 {
            "Validation failed: File content type is not supported on this instance (no video or audio)".into()
        } else {
            format!("Validation failed: File size must be less than {limit} bytes")
        }));
    }
    let description = change.description.clone().unwrap_or_default();
    check_description(&description)?;
    {
        let mut c = app.db.conn().await?;
        crate::entitlements::check_upload(app, &mut c, tenant, up.bytes.len() as i64).await?;
    }
    let (kind_name, mime, ext) = match kind {
        Kind::Image(f) => (
            "image",
            image::mime_of(f).to_string(),
            f.extensions_str().first().copied().unwrap_or("bin"),
        ),
        Kind::Gifv => ("gifv", "image/gif".to_string(), "gif"),
        Kind::Video(mime, ext) => ("video", mime.to_string(), ext),
        Kind::Audio(mime, ext) => ("audio", mime.to_string(), ext),
    };
    let id = Id::generate().0;
    // A random folder makes file URLs unguessable, as media of private posts is served
    // without a token (as on Mastodon).
    let key = format!("media/{id}/{}/original.{ext}", herd_core::secret::generate());
    let thumb = match &change.thumbnail {
        Some(t) if kind_name != "image" => Some(thumbnail(app, tenant, &key, t).await?),
        _ => None,
    };
    app.files.put(tenant.id, &key, &up.bytes).await?;
    let stored = up.bytes.len() as i64 + thumb.as_ref().map_or(0, |t| t.bytes);
    let (fx, fy) = change.focus.unwrap_or((0.0, 0.0));
    let row = MediaRow {
        id,
        tenant_id: tenant.id.0,
        account_id: account,
        status_id: None,
        position: 0,
        kind: kind_name.into(),
        state: "processing".into(),
        original_key: key,
        file_key: None,
        thumb_key: thumb.as_ref().map(|t| t.key.clone()),
        mime,
        description,
        focus_x: fx,
        focus_y: fy,
        meta: match &thumb {
            Some(t) => serde_json::json!({"small": t.size}).to_string(),
            None => "{}".into(),
        },
        blurhash: thumb.and_then(|t| t.blurhash),
        error: None,
        created_at: Timestamp::now().0,
        remote_url: None,
        scheduled_status_id: None,
    };
    let mut tx = app.db.begin().await?;
    media::insert(&mut tx, tenant.id, &row).await?;
    // Counted at once (the storage quota), measured again when processed.
    media::set_bytes(&mut tx, tenant.id, id, stored).await?;
    herd_jobs::enqueue(&mut tx, tenant.id, &ProcessMedia { media_id: id }).await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(row)
}

/// What a client may change of its attachment: description, focus, and (video and audio)
/// the thumbnail.
#[derive(Default)]
pub struct Change {
    pub description: Option<String>,
    pub focus: Option<(f64, f64)>,
    pub thumbnail: Option<Upload>,
}

/// A custom thumbnail, stored beside the file `near` (a key): resized like an image's small
/// version, with its blurhash.
async fn thumbnail(app: &App, tenant: &Tenant, near: &str, up: &Upload) -> Result<Thumbnail> {
    if up.bytes.len() as i64 > tenant.row.max_image_bytes {
        return Err(AppError::Invalid(format!(
            "Validation failed: Thumbnail size must be less than {} bytes",
            tenant.row.max_image_bytes
        )));
    }
    if image::sniff(&up.bytes).is_none() {
        return Err(AppError::Invalid(
            "Validation failed: Thumbnail content type is not supported (PNG, JPEG, GIF and WebP images are)".into(),
        ));
    }
    let was_png = image::sniff(&up.bytes) == Some(::image::ImageFormat::Png);
    let _turn = app.image_permit().await?;
    // A PNG stays a PNG, as on Mastodon.
    let small = super::process::small_version(up.bytes.clone(), tenant.row.max_image_pixels as u64, was_png).await?;
    let dir = near.rsplit_once('/').map(|(d, _)| d).unwrap_or("media");
    let key = format!("{dir}/thumbnail-{}.{}", herd_core::secret::generate(), small.ext);
    app.files.put(tenant.id, &key, &small.bytes).await?;
    Ok(Thumbnail {
        key,
        bytes: small.bytes.len() as i64,
        blurhash: small.blurhash,
        size: small.size,
    })
}

/// A thumbnail stored: its key, blurhash and size (`meta.small`).
struct Thumbnail {
    key: String,
    bytes: i64,
    blurhash: Option<String>,
    size: serde_json::Value,
}

fn check_description(d: &str) -> Result<()> {
    if d.chars().count() > 1500 {
        return Err(AppError::Invalid(
            "Validation failed: Description is too long (maximum is 1500 characters)".into(),
        ));
    }
    Ok(())
}

/// Changes the description, focus or (of a video or audio) thumbnail of one's own attachment.
pub async fn describe(app: &App, tenant: &Tenant, account: i64, id: i64, change: Change) -> Result<MediaRow> {
    let owned = |m: &MediaRow| m.account_id == account;
    let row = {
        let mut c = app.db.conn().await?;
        media::by_id(&mut c, tenant.id, id)
            .await?
            .filter(owned)
            .ok_or(AppError::NotFound("Record not found"))?
    };
    let thumb = match &change.thumbnail {
        Some(_) if row.kind == "image" => {
            return Err(AppError::Invalid("Validation failed: Thumbnail is only for video and audio".into()));
        }
        Some(t) => Some(thumbnail(app, tenant, &row.original_key, t).await?),
        None => None,
    };
    let mut c = app.db.begin().await?;
    let row = media::by_id(&mut c, tenant.id, id)
        .await?
        .filter(owned)
        .ok_or(AppError::NotFound("Record not found"))?;
    let d = change.description.unwrap_or_else(|| row.description.clone());
    check_description(&d)?;
    let f = change.focus.unwrap_or((row.focus_x, row.focus_y));
    media::describe(&mut c, tenant.id, id, &d, f).await?;
    if let Some(thumb) = thumb {
        let mut meta: serde_json::Value = serde_json::from_str(&row.meta).unwrap_or_else(|_| serde_json::json!({}));
        meta["small"] = thumb.size;
        media::set_thumbnail(&mut c, tenant.id, id, &thumb.key, thumb.blurhash.as_deref(), &meta.to_string()).await?;
        // The thumbnail it replaces goes, after the commit.
        if let Some(old) = row.thumb_key.clone() {
            herd_jobs::enqueue(&mut c, tenant.id, &crate::files::DeleteFiles { keys: vec![old] }).await?;
        }
    }
    let row = media::by_id(&mut c, tenant.id, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    c.commit().await?;
    app.waker.wake();
    Ok(row)
}

/// Parses Mastodon's focus parameter `"x,y"`, each in -1.0..=1.0.
pub fn parse_focus(s: &str) -> Result<(f64, f64)> {
    let bad = || AppError::Invalid("Validation failed: focus must be two numbers from -1.0 to 1.0, like \"0.5,-0.2\"".into());
    let (x, y) = s.split_once(',').ok_or_else(bad)?;
    let x: f64 = x.trim().parse().map_err(|_| bad())?;
    let y: f64 = y.trim().parse().map_err(|_| bad())?;
    if !(-1.0..=1.0).contains(&x) || !(-1.0..=1.0).contains(&y) {
        return Err(bad());
    }
    Ok((x, y))
}
