//! Read positions (Mastodon's markers) and the private notes accounts keep about others.

use crate::{Conn, Result, TenantId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MarkerRow {
    pub timeline: String,
    pub last_read_id: i64,
    pub version: i64,
    pub updated_at: i64,
}

/// All the markers the account has set.
pub async fn get(c: &mut Conn, t: TenantId, account: i64) -> Result<Vec<MarkerRow>> {
    Ok(
        c.qa("SELECT timeline, last_read_id, version, updated_at FROM markers WHERE tenant_id = ? AND account_id = ? ORDER BY timeline")
            .bind(t.0)
            .bind(account)
            .fetch_all(c.ex())
            .await?,
    )
}

/// Sets a marker, counting its versions.
pub async fn set(c: &mut Conn, t: TenantId, account: i64, timeline: &str, last_read_id: i64, now: i64) -> Result<()> {
    c.q(
        "INSERT INTO markers (tenant_id, account_id, timeline, last_read_id, version, updated_at) VALUES (?, ?, ?, ?, 1, ?) \
         ON CONFLICT (tenant_id, account_id, timeline) DO UPDATE SET last_read_id = excluded.last_read_id, \
         version = markers.version + 1, updated_at = excluded.updated_at",
    )
    .bind(t.0)
    .bind(account)
    .bind(timeline)
    .bind(last_read_id)
    .bind(now)
    .execute(c.ex())
    .await?;
    Ok(())
}

/// `account`'s notes about these accounts: (target, comment).
pub async fn notes(c: &mut Conn, t: TenantId, account: i64, targets: &[i64]) -> Result<Vec<(i64, String)>> {
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let q = format!(
        "SELECT target_account_id, comment FROM account_notes WHERE tenant_id = ? AND account_id = ? AND target_account_id IN ({})",
        crate::placeholders(targets.len())
    );
    let mut q = c.qa::<(i64, String)>(&q).bind(t.0).bind(account);
    for id in targets {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// Keeps a note (an empty one removes it).
pub async fn set_note(c: &mut Conn, t: TenantId, account: i64, target: i64, comment: &str, now: i64) -> Result<()> {
    if comment.is_empty() {
        c.q("DELETE FROM account_notes WHERE tenant_id = ? AND account_id = ? AND target_account_id = ?")
            .bind(t.0)
            .bind(account)
            .bind(target)
            .execute(c.ex())
            .await?;
        return Ok(());
    }
    c.q(
        "INSERT INTO account_notes (tenant_id, account_id, target_account_id, comment, updated_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (tenant_id, account_id, target_account_id) DO UPDATE SET comment = excluded.comment, updated_at = excluded.updated_at",
    )
    .bind(t.0)
    .bind(account)
    .bind(target)
    .bind(comment)
    .bind(now)
    .execute(c.ex())
    .await?;
    Ok(())
}
