//! Housekeeping that keeps an instance's data from growing without need: uploads never
//! attached to a post, mutes whose time ran out; and posts written before the full-text
//! index existed, indexed. Runs per instance (every query carries its
//! tenant id); files go through the durable `DeleteFiles` job written in the same transaction.

use herd_core::Timestamp;
use herd_store::{TenantId, media, relationships};

use crate::files::DeleteFiles;
use crate::{App, Result};

/// How long an upload may wait to be attached to a post.
pub const ORPHAN_AFTER_SECS: i64 = 24 * 3600;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub orphaned_media: usize,
    pub expired_mutes: u64,
    /// Posts written before the full-text index existed, indexed now.
    pub indexed_posts: usize,
    /// Media from before sizes were kept, measured now.
    pub measured_media: usize,
}

/// One sweep of one instance, as of `now`.
pub async fn sweep(app: &App, t: TenantId, now: Timestamp) -> Result<Swept> {
    let mut swept = Swept::default();
    loop {
        let mut tx = app.db.begin().await?;
        let batch = media::orphans(&mut tx, t, now.plus_secs(-ORPHAN_AFTER_SECS).0, 500).await?;
        if batch.is_empty() {
            break;
        }
        let mut keys = Vec::new();
        let mut deleted = 0;
        for m in &batch {
            if media::delete_orphan(&mut tx, t, m.id).await? {
                keys.extend(
                    [Some(m.original_key.clone()), m.file_key.clone(), m.thumb_key.clone()]
                        .into_iter()
                        .flatten(),
                );
                deleted += 1;
            }
        }
        if !keys.is_empty() {
            herd_jobs::enqueue(&mut tx, t, &DeleteFiles { keys }).await?;
        }
        tx.commit().await?;
        swept.orphaned_media += deleted;
        if deleted == 0 {
            break;
        }
    }
    let mut tx = app.db.begin().await?;
    swept.expired_mutes = relationships::delete_expired_mutes(&mut tx, t, now.0).await?;
    tx.commit().await?;
    loop {
        let mut tx = app.db.begin().await?;
        let batch = herd_store::search::unindexed(&mut tx, t, 500).await?;
        if batch.is_empty() {
            break;
        }
        herd_store::search::index_new(&mut tx, t, &batch.iter().collect::<Vec<_>>()).await?;
        tx.commit().await?;
        swept.indexed_posts += batch.len();
    }
    loop {
        let batch = {
            let mut c = app.db.conn().await?;
            media::unmeasured(&mut c, t, 500).await?
        };
        if batch.is_empty() {
            break;
        }
        let mut c = app.db.conn().await?;
        for m in &batch {
            let bytes = crate::media::measure(app, t, m).await?;
            media::set_bytes(&mut c, t, m.id, bytes).await?;
        }
        swept.measured_media += batch.len();
    }
    if swept.orphaned_media > 0 {
        app.waker.wake();
    }
    Ok(swept)
}

/// How long the cache change log is kept; a node that could not read it for longer drops
/// its caches (see [`crate::cache::follow`]).
pub const CHANGES_KEPT_SECS: i64 = 3600;

/// Sweeps every instance; one instance's failure is logged and the others are still swept.
/// Also prunes the cache change log and the inbox's memory of signatures past their window.
pub async fn sweep_all(app: &App) -> Result<()> {
    let tenants = {
        let mut c = app.db.conn().await?;
        herd_store::changes::prune(&mut c, Timestamp::now().plus_secs(-CHANGES_KEPT_SECS).0).await?;
        herd_store::remote::prune_signatures(&mut c, Timestamp::now().0).await?;
        herd_store::tenants::list(&mut c).await?
    };
    // An instance being restored or imported is left alone until its rows are all in.
    for t in tenants.into_iter().filter(|t| t.state != "restoring") {
        match sweep(app, t.tenant_id(), Timestamp::now()).await {
            Ok(s) if s != Swept::default() => {
                tracing::info!(tenant = %t.domain, orphaned_media = s.orphaned_media, expired_mutes = s.expired_mutes,
                               indexed_posts = s.indexed_posts, "maintenance")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(tenant = %t.domain, error = %e, "maintenance of this instance failed; will try again"),
        }
    }
    Ok(())
}
