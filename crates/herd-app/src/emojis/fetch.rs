use herd_store::{TenantId, emojis};
use serde::{Deserialize, Serialize};

use crate::{App, Result};

/// Copies a remote emoji's image here; written when a post first uses it.
#[derive(Debug, Serialize, Deserialize)]
pub struct FetchEmoji {
    pub id: i64,
}

impl herd_jobs::JobKind for FetchEmoji {
    const KIND: &'static str = "emojis.fetch";
    const MAX_ATTEMPTS: i64 = 5;
}

/// Fetches within the size limit through the guarded client; an image that is not one keeps
/// the emoji shown from its remote address (and the job ends: retrying would not help).
pub async fn fetch(app: &App, t: TenantId, job: FetchEmoji) -> Result<()> {
    let e = {
        let mut c = app.db.conn().await?;
        emojis::by_id(&mut c, t, job.id).await?
    };
    let Some(e) = e.filter(|e| e.file_key.is_none()) else {
        return Ok(());
    };
    let Some(url) = e.remote_url.clone() else { return Ok(()) };
    if crate::federation_policy::refuses_media(app, t, &e.domain).await? {
        return Ok(());
    }
    let bytes = app
        .fetch
        .get_bytes(&url, super::MAX_BYTES)
        .await
        .map_err(|err| crate::AppError::Internal(format!("emoji {url}: {err}")))?;
    let (original, ext, still) = match super::images(bytes).await {
        Ok(i) => i,
        Err(err) => {
            tracing::info!(%url, error = %err, "a remote emoji is not an image Herd keeps");
            return Ok(());
        }
    };
    let (file_key, static_key) = (format!("emojis/{}/image.{ext}", e.id), format!("emojis/{}/still.png", e.id));
    app.files.put(t, &file_key, &original).await?;
    app.files.put(t, &static_key, &still).await?;
    let mut tx = app.db.begin().await?;
    emojis::set_files(&mut tx, t, e.id, &file_key, &static_key).await?;
    tx.commit().await?;
    Ok(())
}
