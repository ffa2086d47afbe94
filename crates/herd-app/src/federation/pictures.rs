//! Remote accounts' avatars and headers: fetched by a durable job (through the guarded
//! client, within the instance's image limits), cropped like local ones and served from the
//! instance's own files.

use herd_core::{Id, Timestamp};
use herd_store::accounts::{self, ProfileChange};
use herd_store::{TenantId, remote};
use serde::{Deserialize, Serialize};

use crate::files::DeleteFiles;
use crate::{App, Result};

#[derive(Debug, Serialize, Deserialize)]
pub struct FetchPictures {
    pub account: i64,
}

impl herd_jobs::JobKind for FetchPictures {
    const KIND: &'static str = "federation.fetch_pictures";
}

pub async fn fetch(app: &App, t: TenantId, job: FetchPictures) -> Result<()> {
    let mut c = app.db.conn().await?;
    let Some(r) = remote::by_account(&mut c, t, job.account).await? else {
        return Ok(());
    };
    let before = accounts::by_id(&mut c, t, job.account).await?;
    let limits = herd_store::tenants::by_id(&mut c, t).await?;
    drop(c);
    if crate::federation_policy::refuses_media(app, t, &before.domain).await? {
        return Ok(());
    }
    let mut change = ProfileChange::default();
    let mut written = Vec::new();
    for (url, kind) in [(r.avatar_url, "avatar"), (r.header_url, "header")] {
        let Some(url) = url else { continue };
        let bytes = match app.fetch.get_bytes(&url, limits.max_image_bytes.max(0) as usize).await {
            Ok(b) => b,
            Err(e) => {
                tracing::info!(%url, error = %e, "remote {kind} not fetched");
                continue;
            }
        };
        let _turn = app.image_permit().await?;
        let (w, h) = if kind == "avatar" { (400, 400) } else { (1500, 500) };
        let (bytes, ext) = match crate::media::image::cropped(bytes, limits.max_image_pixels as u64, w, h).await {
            Ok(x) => x,
            Err(e) => {
                tracing::info!(%url, error = %e, "remote {kind} is not a usable image");
                continue;
            }
        };
        let key = format!(
            "accounts/{}/{kind}-{}-{}.{ext}",
            job.account,
            Id::generate(),
            &herd_core::secret::generate()[..16]
        );
        app.files.put(t, &key, &bytes).await?;
        written.push(key.clone());
        if kind == "avatar" {
            change.avatar_key = Some(key);
        } else {
            change.header_key = Some(key);
        }
    }
    if written.is_empty() {
        return Ok(());
    }
    let old: Vec<String> = [
        (before.avatar_key, change.avatar_key.is_some()),
        (before.header_key, change.header_key.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, replaced)| k.filter(|_| replaced))
    .collect();
    let mut tx = app.db.begin().await?;
    accounts::update_profile(&mut tx, t, job.account, &change, Timestamp::now().0).await?;
    if !old.is_empty() {
        herd_jobs::enqueue(&mut tx, t, &DeleteFiles { keys: old }).await?;
    }
    tx.commit().await?;
    Ok(())
}
