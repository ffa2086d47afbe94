//! Notifications: who did what to whom, for the recipient's notification list.

use sqlx::FromRow;

use crate::{Conn, Page, Result, TenantId, placeholders};

#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub account_id: i64,
    pub from_account_id: i64,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub status_id: Option<i64>,
    pub created_at: i64,
}

pub async fn insert(c: &mut Conn, t: TenantId, n: &NotificationRow) -> Result<()> {
    c.q(
        "INSERT INTO notifications (id, tenant_id, account_id, from_account_id, type, status_id, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(n.id)
    .bind(t.0)
    .bind(n.account_id)
    .bind(n.from_account_id)
    .bind(n.kind.clone())
    .bind(n.status_id)
    .bind(n.created_at)
    .execute(c.ex())
    .await?;
    crate::events::publish(c, t, crate::events::EventKind::Notification, n.id, n.account_id).await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub types: Vec<String>,
    pub exclude_types: Vec<String>,
    pub from_account: Option<i64>,
}

pub async fn list(c: &mut Conn, t: TenantId, account: i64, f: &Filter, page: &Page) -> Result<Vec<NotificationRow>> {
    let (clause, args, asc) = page.clause("id");
    let mut sql = String::from(
        "SELECT id, account_id, from_account_id, type, status_id, created_at FROM notifications \
         WHERE tenant_id = ? AND account_id = ?",
    );
    if !f.types.is_empty() {
        sql.push_str(&format!(" AND type IN ({})", placeholders(f.types.len())));
    }
    if !f.exclude_types.is_empty() {
        sql.push_str(&format!(" AND type NOT IN ({})", placeholders(f.exclude_types.len())));
    }
    if f.from_account.is_some() {
        sql.push_str(" AND from_account_id = ?");
    }
    // Notifications from muted accounts (with notifications muted) stay hidden.
    sql.push_str(
        " AND from_account_id NOT IN (SELECT target_account_id FROM mutes WHERE tenant_id = ? AND account_id = ? AND notifications = 1 \
                                      AND (expires_at IS NULL OR expires_at > ?)) \
          AND from_account_id NOT IN (SELECT target_account_id FROM blocks WHERE tenant_id = ? AND account_id = ? \
                                      UNION SELECT account_id FROM blocks WHERE tenant_id = ? AND target_account_id = ?)",
    );
    sql.push_str(&format!(" AND from_account_id NOT IN ({})", crate::domain_blocks::BLOCKED_ACCOUNTS));
    sql.push_str(&clause);
    sql.push_str(&page.order("id", asc));
    let mut q = c.qa::<NotificationRow>(&sql).bind(t.0).bind(account);
    for ty in f.types.iter().chain(&f.exclude_types) {
        q = q.bind(ty.clone());
    }
    if let Some(a) = f.from_account {
        q = q.bind(a);
    }
    q = q
        .bind(t.0)
        .bind(account)
        .bind(herd_core::Timestamp::now().0)
        .bind(t.0)
        .bind(account)
        .bind(t.0)
        .bind(account)
        .bind(t.0)
        .bind(t.0)
        .bind(account);
    for a in args {
        q = q.bind(a);
    }
    let mut rows = q.fetch_all(c.ex()).await?;
    if asc {
        rows.reverse();
    }
    Ok(rows)
}

pub async fn get(c: &mut Conn, t: TenantId, account: i64, id: i64) -> Result<Option<NotificationRow>> {
    Ok(c.qa(
        "SELECT id, account_id, from_account_id, type, status_id, created_at FROM notifications \
             WHERE tenant_id = ? AND account_id = ? AND id = ?",
    )
    .bind(t.0)
    .bind(account)
    .bind(id)
    .fetch_optional(c.ex())
    .await?)
}

pub async fn dismiss(c: &mut Conn, t: TenantId, account: i64, id: i64) -> Result<bool> {
    let r = c
        .q("DELETE FROM notifications WHERE tenant_id = ? AND account_id = ? AND id = ?")
        .bind(t.0)
        .bind(account)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn clear(c: &mut Conn, t: TenantId, account: i64) -> Result<()> {
    c.q("DELETE FROM notifications WHERE tenant_id = ? AND account_id = ?")
        .bind(t.0)
        .bind(account)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// Removes notifications a retracted action caused (an undone favourite, boost or follow).
pub async fn retract(c: &mut Conn, t: TenantId, account: i64, from: i64, kind: &str, status: Option<i64>) -> Result<()> {
    c.q(
        "DELETE FROM notifications WHERE tenant_id = ? AND account_id = ? AND from_account_id = ? AND type = ? \
         AND (status_id = ? OR (status_id IS NULL AND ? IS NULL))",
    )
    .bind(t.0)
    .bind(account)
    .bind(from)
    .bind(kind)
    .bind(status)
    .bind(status)
    .execute(c.ex())
    .await?;
    Ok(())
}
