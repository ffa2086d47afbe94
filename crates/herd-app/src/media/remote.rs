//! Attachments of remote posts: recorded when the post arrives, fetched by a durable job
//! (through the guarded client, within the instance's image size limit) and processed like
//! an upload, so clients are served this instance's copy. Until then, or when the file is not
//! an image Herd can process, clients get the remote URL.

use herd_core::{Id, Timestamp};
use herd_federation::fetch::FetchError;
use herd_store::media::{self, MediaRow};
use herd_store::{Conn, TenantId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::process::{ProcessMedia, process};
use crate::{App, Result};

#[derive(Debug, Serialize, Deserialize)]
pub struct FetchRemoteMedia {
    pub media_id: i64,
}

impl herd_jobs::JobKind for FetchRemoteMedia {
    const KIND: &'static str = "fetch_remote_media";
}

/// Records a remote post's attachments (at most `max`) in the caller's transaction and
/// writes the jobs that fetch the images.
pub(crate) async fn record(c: &mut Conn, t: TenantId, account: i64, status: i64, attachments: &[&Value], max: usize) -> Result<()> {
    for (i, a) in attachments.iter().take(max).enumerate() {
        let Some(url) = a.get("url").and_then(|u| match u {
            Value::String(s) => Some(s.clone()),
            Value::Array(list) => list.iter().find_map(|x| x.get("href").and_then(Value::as_str).map(str::to_string)),
            Value::Object(o) => o.get("href").and_then(Value::as_str).map(str::to_string),
            _ => None,
        }) else {
            continue;
        };
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2000 {
            continue;
        }
        let mime = a.get("mediaType").and_then(Value::as_str).unwrap_or_default().to_string();
        let image = mime.starts_with("image/") || (mime.is_empty() && a.get("type").and_then(Value::as_str) == Some("Image"));
        let focus = a.get("focalPoint").and_then(Value::as_array);
        let f = |i: usize| focus.and_then(|p| p.get(i)).and_then(Value::as_f64).unwrap_or(0.0).clamp(-1.0, 1.0);
        let id = Id::generate().0;
        let row = MediaRow {
            id,
            tenant_id: t.0,
            account_id: account,
            status_id: Some(status),
            position: i as i64,
            kind: if image { "image" } else { "unknown" }.into(),
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
            meta: "{}".into(),
            error: None,
            created_at: Timestamp::now().0,
            remote_url: Some(url),
        };
        media::insert(c, t, &row).await?;
        if image {
            herd_jobs::enqueue(c, t, &FetchRemoteMedia { media_id: id }).await?;
        }
    }
    Ok(())
}

/// Fetches one remote attachment and processes it. A file too large, refused or not found
/// stays remote (no retry); a server that does not answer is retried.
pub async fn fetch(app: &App, t: TenantId, job: FetchRemoteMedia) -> Result<()> {
    let mut c = app.db.conn().await?;
    let Some(mut row) = media::by_id(&mut c, t, job.media_id).await? else {
        return Ok(());
    };
    let Some(url) = row.remote_url.clone().filter(|_| row.state == "remote") else {
        return Ok(());
    };
    let limit = herd_store::tenants::by_id(&mut c, t).await?.max_image_bytes.max(0) as usize;
    drop(c);
    let bytes = match app.fetch.get_bytes(&url, limit).await {
        Ok(b) => b,
        Err(e @ (FetchError::TooLarge(..) | FetchError::Private(_) | FetchError::BadUrl(_) | FetchError::Status(..))) => {
            tracing::info!(%url, error = %e, "remote attachment left remote");
            return Ok(());
        }
        Err(e) => return Err(crate::AppError::Internal(e.to_string())),
    };
    app.files.put(t, &row.original_key, &bytes).await?;
    row.state = "processing".into();
    let mut c = app.db.conn().await?;
    media::processed(&mut c, t, &row).await?;
    drop(c);
    process(app, t, ProcessMedia { media_id: row.id }).await
}
