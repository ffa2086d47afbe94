//! Media attachments: uploaded originals, their processed files, descriptions and focus.

use sqlx::FromRow;

use crate::changes::Change;
use crate::{Conn, Result, StoreError, TenantId, placeholders};

#[derive(Debug, Clone, FromRow)]
pub struct MediaRow {
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: i64,
    pub status_id: Option<i64>,
    pub position: i64,
    pub kind: String,
    pub state: String,
    pub original_key: String,
    pub file_key: Option<String>,
    pub thumb_key: Option<String>,
    pub mime: String,
    pub description: String,
    pub focus_x: f64,
    pub focus_y: f64,
    pub blurhash: Option<String>,
    pub meta: String,
    pub error: Option<String>,
    pub created_at: i64,
    /// Where a remote post's attachment came from.
    pub remote_url: Option<String>,
    /// The scheduled post that will attach it.
    pub scheduled_status_id: Option<i64>,
}

const COLS: &str = "id, tenant_id, account_id, status_id, position, kind, state, original_key, file_key, \
    thumb_key, mime, description, focus_x, focus_y, blurhash, meta, error, created_at, remote_url, scheduled_status_id";

pub async fn insert(c: &mut Conn, t: TenantId, m: &MediaRow) -> Result<()> {
    c.q(
        "INSERT INTO media (id, tenant_id, account_id, status_id, position, kind, state, original_key, mime, \
         description, focus_x, focus_y, blurhash, meta, created_at, remote_url, file_key, thumb_key) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(m.id)
    .bind(t.0)
    .bind(m.account_id)
    .bind(m.status_id)
    .bind(m.position)
    .bind(m.kind.clone())
    .bind(m.state.clone())
    .bind(m.original_key.clone())
    .bind(m.mime.clone())
    .bind(m.description.clone())
    .bind(m.focus_x)
    .bind(m.focus_y)
    .bind(m.blurhash.clone())
    .bind(m.meta.clone())
    .bind(m.created_at)
    .bind(m.remote_url.clone())
    .bind(m.file_key.clone())
    .bind(m.thumb_key.clone())
    .execute(c.ex())
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn by_id(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<MediaRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM media WHERE tenant_id = ? AND id = ?"))
        .bind(t.0)
        .bind(id)
        .fetch_optional(c.ex())
        .await?)
}

pub async fn by_ids(c: &mut Conn, t: TenantId, ids: &[i64]) -> Result<Vec<MediaRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLS} FROM media WHERE tenant_id = ? AND id IN ({})",
        placeholders(ids.len())
    );
    let mut q = c.qa(&sql).bind(t.0);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// Attachments of these posts, in their order on each post.
pub async fn for_statuses(c: &mut Conn, t: TenantId, statuses: &[i64]) -> Result<Vec<MediaRow>> {
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLS} FROM media WHERE tenant_id = ? AND status_id IN ({}) ORDER BY status_id, position",
        placeholders(statuses.len())
    );
    let mut q = c.qa(&sql).bind(t.0);
    for id in statuses {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

pub async fn attach(c: &mut Conn, t: TenantId, id: i64, status: Option<i64>, position: i64) -> Result<()> {
    let before = status_of(c, t, id).await?;
    c.q("UPDATE media SET status_id = ?, position = ?, \
         attached_at = CASE WHEN ? IS NULL THEN attached_at ELSE COALESCE(attached_at, ?) END \
         WHERE tenant_id = ? AND id = ?")
        .bind(status)
        .bind(position)
        .bind(status)
        .bind(herd_core::Timestamp::now().0)
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    for s in [before, status].into_iter().flatten() {
        crate::changes::record(c, t, Change::Status(s)).await?;
    }
    Ok(())
}

/// The post an upload is attached to.
async fn status_of(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<i64>> {
    let s: Option<Option<i64>> = c
        .qs("SELECT status_id FROM media WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .fetch_optional(c.ex())
        .await?;
    Ok(s.flatten())
}

/// Logs that the post an upload is attached to (if any) changed.
async fn changed(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    if let Some(s) = status_of(c, t, id).await? {
        crate::changes::record(c, t, Change::Status(s)).await?;
    }
    Ok(())
}

pub async fn describe(c: &mut Conn, t: TenantId, id: i64, description: &str, focus: (f64, f64)) -> Result<()> {
    c.q("UPDATE media SET description = ?, focus_x = ?, focus_y = ? WHERE tenant_id = ? AND id = ?")
        .bind(description)
        .bind(focus.0)
        .bind(focus.1)
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    changed(c, t, id).await
}

/// Gives a video or audio the thumbnail its owner chose.
pub async fn set_thumbnail(c: &mut Conn, t: TenantId, id: i64, key: &str, blurhash: Option<&str>, meta: &str) -> Result<()> {
    c.q("UPDATE media SET thumb_key = ?, blurhash = ?, meta = ? WHERE tenant_id = ? AND id = ?")
        .bind(key)
        .bind(blurhash)
        .bind(meta)
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    changed(c, t, id).await
}

/// Records the outcome of processing.
/// Records the outcome of processing, with the bytes the row's files now take.
pub async fn processed(c: &mut Conn, t: TenantId, m: &MediaRow, bytes: i64) -> Result<()> {
    c.q(
        "UPDATE media SET state = ?, file_key = ?, thumb_key = ?, blurhash = ?, meta = ?, mime = ?, error = ?, bytes = ? \
         WHERE tenant_id = ? AND id = ?",
    )
    .bind(m.state.clone())
    .bind(m.file_key.clone())
    .bind(m.thumb_key.clone())
    .bind(m.blurhash.clone())
    .bind(m.meta.clone())
    .bind(m.mime.clone())
    .bind(m.error.clone())
    .bind(bytes)
    .bind(t.0)
    .bind(m.id)
    .execute(c.ex())
    .await?;
    changed(c, t, m.id).await
}

/// Sets the bytes a row's files take (metering and the storage quota count them).
pub async fn set_bytes(c: &mut Conn, t: TenantId, id: i64, bytes: i64) -> Result<()> {
    c.q("UPDATE media SET bytes = ? WHERE tenant_id = ? AND id = ?")
        .bind(bytes)
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// Rows whose size was never measured (from before sizes were kept), done processing.
pub async fn unmeasured(c: &mut Conn, t: TenantId, limit: i64) -> Result<Vec<MediaRow>> {
    Ok(c.qa(&format!(
        "SELECT {COLS} FROM media WHERE tenant_id = ? AND bytes < 0 AND state <> 'processing' LIMIT ?"
    ))
    .bind(t.0)
    .bind(limit)
    .fetch_all(c.ex())
    .await?)
}

pub async fn delete_for_status(c: &mut Conn, t: TenantId, status: i64) -> Result<()> {
    c.q("DELETE FROM media WHERE tenant_id = ? AND status_id = ?")
        .bind(t.0)
        .bind(status)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::Status(status)).await?;
    Ok(())
}

/// Uploads never attached to a post, processed (or failed), and older than `before`.
pub async fn orphans(c: &mut Conn, t: TenantId, before: i64, limit: i64) -> Result<Vec<MediaRow>> {
    Ok(c.qa(&format!(
        "SELECT {COLS} FROM media WHERE tenant_id = ? AND status_id IS NULL AND attached_at IS NULL \
         AND scheduled_status_id IS NULL AND state <> 'processing' AND created_at < ? ORDER BY id LIMIT ?"
    ))
    .bind(t.0)
    .bind(before)
    .bind(limit)
    .fetch_all(c.ex())
    .await?)
}

/// Deletes an upload if it is still an orphan (a post may have taken it meanwhile).
pub async fn delete_orphan(c: &mut Conn, t: TenantId, id: i64) -> Result<bool> {
    let r = c
        .q(
            "DELETE FROM media WHERE tenant_id = ? AND id = ? AND status_id IS NULL AND attached_at IS NULL \
            AND scheduled_status_id IS NULL",
        )
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected() == 1)
}
