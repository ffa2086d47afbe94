//! Attachments of remote posts: recorded when the post arrives, fetched by a durable job
//! through the guarded client, so clients are served this instance's copy. Images (within the
//! instance's image size limit) are processed like an upload. Videos and audio (within its
//! video size limit) are streamed to disk, kept only when their first bytes show a format
//! browsers play, and served with range requests; a thumbnail the post names (`icon`, as
//! Mastodon sends) is fetched and scaled. Until then, or when the file is refused, clients get
//! the remote URL.

use herd_core::{Id, Timestamp};
use herd_federation::fetch::FetchError;
use herd_store::media::{self, MediaRow};
use herd_store::tenants::TenantRow;
use herd_store::{Conn, TenantId};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::process::{ProcessMedia, process};
use crate::{App, Result};

#[derive(Debug, Serialize, Deserialize)]
pub struct FetchRemoteMedia {
    pub media_id: i64,
    /// A video's or audio's thumbnail, as the post named it.
    #[serde(default)]
    pub icon: Option<String>,
}

/// The time allowed for one remote video or audio file.
const PLAYABLE_TIME: std::time::Duration = std::time::Duration::from_secs(600);

/// What an attachment is, from its media type or else its ActivityStreams type.
fn kind_of(mime: &str, ap_type: Option<&str>) -> &'static str {
    match (mime.split('/').next().unwrap_or(""), ap_type) {
        ("image", _) | ("", Some("Image")) => "image",
        ("video", _) | ("", Some("Video")) => "video",
        ("audio", _) | ("", Some("Audio")) => "audio",
        _ => "unknown",
    }
}

fn href(u: &Value) -> Option<String> {
    match u {
        Value::String(s) => Some(s.clone()),
        Value::Array(list) => list.iter().find_map(href),
        Value::Object(o) => o.get("href").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
    .filter(|u| (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 2000)
}

impl herd_jobs::JobKind for FetchRemoteMedia {
    const KIND: &'static str = "fetch_remote_media";
}

/// Records a remote post's attachments (at most `max`) in the caller's transaction and
/// writes the jobs that fetch the images.
pub(crate) async fn record(c: &mut Conn, t: TenantId, account: i64, status: i64, attachments: &[&Value], max: usize) -> Result<()> {
    for (i, a) in attachments.iter().take(max).enumerate() {
        let Some(url) = a.get("url").and_then(href) else {
            continue;
        };
        let mime = a.get("mediaType").and_then(Value::as_str).unwrap_or_default().to_string();
        let kind = kind_of(&mime, a.get("type").and_then(Value::as_str));
        // Mastodon's `meta` for a video or audio not processed here: the size the post names.
        let size = |k: &str| a.get(k).and_then(Value::as_u64).filter(|n| (1..=100_000).contains(n));
        let meta = match (kind, size("width"), size("height")) {
            ("video", Some(w), Some(h)) => {
                json!({"original": {"width": w, "height": h, "size": format!("{w}x{h}"), "aspect": w as f64 / h as f64}})
            }
            _ => json!({}),
        };
        let focus = a.get("focalPoint").and_then(Value::as_array);
        let f = |i: usize| focus.and_then(|p| p.get(i)).and_then(Value::as_f64).unwrap_or(0.0).clamp(-1.0, 1.0);
        let id = Id::generate().0;
        let row = MediaRow {
            id,
            tenant_id: t.0,
            account_id: account,
            status_id: Some(status),
            position: i as i64,
            kind: kind.into(),
            state: "remote".into(),
            original_key: format!("media/{id}/{}/original", herd_core::secret::generate()),
            file_key: None,
            thumb_key: None,
            mime: mime.chars().take(100).collect(),
            description: a
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .chars()
                .take(1500)
                .collect(),
            focus_x: f(0),
            focus_y: f(1),
            blurhash: a
                .get("blurhash")
                .and_then(Value::as_str)
                .filter(|b| b.len() <= 100)
                .map(str::to_string),
            meta: meta.to_string(),
            error: None,
            created_at: Timestamp::now().0,
            remote_url: Some(url),
            scheduled_status_id: None,
        };
        media::insert(c, t, &row).await?;
        if kind != "unknown" {
            let icon = a.get("icon").and_then(|i| i.get("url").or(Some(i))).and_then(href);
            herd_jobs::enqueue(c, t, &FetchRemoteMedia { media_id: id, icon }).await?;
        }
    }
    Ok(())
}

/// Fetches one remote attachment and processes it. A file too large, refused or not found
/// stays remote (no retry); a server that does not answer is retried.
pub async fn fetch(app: &App, t: TenantId, job: FetchRemoteMedia) -> Result<()> {
    let mut c = app.db.conn().await?;
    let Some(row) = media::by_id(&mut c, t, job.media_id).await? else {
        return Ok(());
    };
    let Some(url) = row.remote_url.clone().filter(|_| row.state == "remote") else {
        return Ok(());
    };
    let tenant = herd_store::tenants::by_id(&mut c, t).await?;
    let owner = herd_store::accounts::by_id(&mut c, t, row.account_id).await?;
    drop(c);
    if crate::federation_policy::refuses_media(app, t, &owner.domain).await? {
        return Ok(());
    }
    match row.kind.as_str() {
        "image" => image(app, t, row, &url, tenant.max_image_bytes).await,
        "video" | "audio" => playable(app, t, row, &url, &tenant, job.icon.as_deref()).await,
        _ => Ok(()),
    }
}

/// Whether a fetch failed for good (the file stays remote) rather than for now.
fn left_remote(url: &str, e: FetchError) -> Result<()> {
    match e {
        FetchError::TooLarge(..) | FetchError::Private(_) | FetchError::BadUrl(_) | FetchError::Status(..) => {
            tracing::info!(%url, error = %e, "remote attachment left remote");
            Ok(())
        }
        e => Err(crate::AppError::Internal(e.to_string())),
    }
}

async fn image(app: &App, t: TenantId, mut row: MediaRow, url: &str, limit: i64) -> Result<()> {
    let bytes = match app.fetch.get_bytes(url, limit.max(0) as usize).await {
        Ok(b) => b,
        Err(e) => return left_remote(url, e),
    };
    app.files.put(t, &row.original_key, &bytes).await?;
    row.state = "processing".into();
    let bytes = super::measure(app, t, &row).await?;
    let mut c = app.db.conn().await?;
    media::processed(&mut c, t, &row, bytes).await?;
    drop(c);
    process(app, t, ProcessMedia { media_id: row.id }).await
}

/// The formats kept as they come, by their first bytes: those browsers play. Uploads of
/// these are transcoded (see [`super::av`]).
pub(super) fn playable_format(head: &[u8]) -> Option<(&'static str, &'static str)> {
    Some(match infer::get(head)?.mime_type() {
        "video/mp4" => ("video/mp4", "mp4"),
        "video/x-m4v" => ("video/mp4", "m4v"),
        "video/webm" => ("video/webm", "webm"),
        "video/quicktime" => ("video/quicktime", "mov"),
        "audio/mpeg" => ("audio/mpeg", "mp3"),
        "audio/ogg" => ("audio/ogg", "ogg"),
        "audio/m4a" => ("audio/mp4", "m4a"),
        "audio/aac" => ("audio/aac", "aac"),
        "audio/x-flac" => ("audio/flac", "flac"),
        "audio/x-wav" => ("audio/wav", "wav"),
        _ => return None,
    })
}

async fn playable(app: &App, t: TenantId, mut row: MediaRow, url: &str, tenant: &TenantRow, icon: Option<&str>) -> Result<()> {
    let limit = tenant.max_video_bytes.max(0) as usize;
    if limit == 0 {
        return Ok(());
    }
    let mut file = app.files.create(t, &row.original_key).await?;
    if let Err(e) = app.fetch.download(url, limit, PLAYABLE_TIME, &mut file.file).await {
        return left_remote(url, e);
    }
    let Some((mime, ext)) = playable_format(&file.head(64).await?) else {
        tracing::info!(%url, "remote attachment left remote: not a video or audio format browsers play");
        return Ok(());
    };
    let dir = row.original_key.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default();
    let file_key = format!("{dir}/file.{ext}");
    app.files.keep(file, t, &file_key).await?;
    if let Some(icon) = icon
        && let Some((bytes, ext, hash)) = thumbnail(app, icon, tenant).await
    {
        let thumb_key = format!("{dir}/small.{ext}");
        app.files.put(t, &thumb_key, &bytes).await?;
        row.thumb_key = Some(thumb_key);
        row.blurhash = hash;
    }
    row.state = "ready".into();
    row.file_key = Some(file_key);
    row.mime = mime.into();
    let bytes = super::measure(app, t, &row).await?;
    let mut c = app.db.conn().await?;
    media::processed(&mut c, t, &row, bytes).await?;
    Ok(())
}

/// A video's or audio's thumbnail, scaled as an image's; none when it cannot be had.
async fn thumbnail(app: &App, url: &str, tenant: &TenantRow) -> Option<(Vec<u8>, &'static str, Option<String>)> {
    let bytes = match app.fetch.get_bytes(url, tenant.max_image_bytes.max(0) as usize).await {
        Ok(b) => b,
        Err(e) => {
            tracing::info!(%url, error = %e, "thumbnail not fetched");
            return None;
        }
    };
    let _turn = app.image_permit().await.ok()?;
    match super::process::small_version(bytes, tenant.max_image_pixels as u64, false).await {
        Ok(s) => Some((s.bytes, s.ext, s.blurhash)),
        Err(e) => {
            tracing::info!(%url, error = %e, "thumbnail not usable");
            None
        }
    }
}
