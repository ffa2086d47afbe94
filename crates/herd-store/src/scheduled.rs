//! Posts scheduled for later, and the uploads they hold.

use crate::{Conn, Page, Result, TenantId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScheduledRow {
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: i64,
    pub scheduled_at: i64,
    /// The post's parameters (JSON, the processing layer's type).
    pub params: String,
    pub created_at: i64,
}

const COLS: &str = "id, tenant_id, account_id, scheduled_at, params, created_at";

/// Stores a scheduled post and reserves its uploads for it.
pub async fn insert(c: &mut Conn, t: TenantId, s: &ScheduledRow, media: &[i64]) -> Result<()> {
    c.q(
        "INSERT INTO scheduled_statuses (id, tenant_id, account_id, scheduled_at, params, created_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(s.id)
    .bind(t.0)
    .bind(s.account_id)
    .bind(s.scheduled_at)
    .bind(s.params.clone())
    .bind(s.created_at)
    .execute(c.ex())
    .await?;
    for m in media {
        c.q("UPDATE media SET scheduled_status_id = ? WHERE tenant_id = ? AND id = ?")
            .bind(s.id)
            .bind(t.0)
            .bind(*m)
            .execute(c.ex())
            .await?;
    }
    Ok(())
}

/// One of `owner`'s scheduled posts.
pub async fn owned(c: &mut Conn, t: TenantId, owner: i64, id: i64) -> Result<Option<ScheduledRow>> {
    Ok(c.qa(&format!(
        "SELECT {COLS} FROM scheduled_statuses WHERE tenant_id = ? AND account_id = ? AND id = ?"
    ))
    .bind(t.0)
    .bind(owner)
    .bind(id)
    .fetch_optional(c.ex())
    .await?)
}

pub async fn by_id(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<ScheduledRow>> {
    Ok(
        c.qa(&format!("SELECT {COLS} FROM scheduled_statuses WHERE tenant_id = ? AND id = ?"))
            .bind(t.0)
            .bind(id)
            .fetch_optional(c.ex())
            .await?,
    )
}

/// `owner`'s scheduled posts, newest scheduling first, paged by id.
pub async fn list(c: &mut Conn, t: TenantId, owner: i64, page: &Page) -> Result<Vec<ScheduledRow>> {
    let (clause, args, ascending) = page.clause("id");
    let sql = format!(
        "SELECT {COLS} FROM scheduled_statuses WHERE tenant_id = ? AND account_id = ?{clause}{}",
        page.order("id", ascending)
    );
    let mut q = c.qa(&sql).bind(t.0).bind(owner);
    for a in args {
        q = q.bind(a);
    }
    let mut rows: Vec<ScheduledRow> = q.fetch_all(c.ex()).await?;
    if ascending {
        rows.reverse();
    }
    Ok(rows)
}

/// How many posts `owner` has scheduled in all, and between `day_start` and `day_end`, for
/// Mastodon's limits.
pub async fn counts(c: &mut Conn, t: TenantId, owner: i64, day_start: i64, day_end: i64) -> Result<(i64, i64)> {
    let total: i64 = c
        .qs("SELECT COUNT(*) FROM scheduled_statuses WHERE tenant_id = ? AND account_id = ?")
        .bind(t.0)
        .bind(owner)
        .fetch_one(c.ex())
        .await?;
    let day: i64 = c
        .qs("SELECT COUNT(*) FROM scheduled_statuses WHERE tenant_id = ? AND account_id = ? \
             AND scheduled_at >= ? AND scheduled_at < ?")
        .bind(t.0)
        .bind(owner)
        .bind(day_start)
        .bind(day_end)
        .fetch_one(c.ex())
        .await?;
    Ok((total, day))
}

pub async fn reschedule(c: &mut Conn, t: TenantId, id: i64, at: i64, params: &str) -> Result<()> {
    c.q("UPDATE scheduled_statuses SET scheduled_at = ?, params = ? WHERE tenant_id = ? AND id = ?")
        .bind(at)
        .bind(params)
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// Deletes a scheduled post; its uploads are free again.
pub async fn delete(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    c.q("UPDATE media SET scheduled_status_id = NULL WHERE tenant_id = ? AND scheduled_status_id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    c.q("DELETE FROM scheduled_statuses WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}
