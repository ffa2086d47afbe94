//! Conversations: each local participant's view of the direct messages it takes part in.

use crate::events::{EventKind, publish};
use crate::{Conn, Page, Result, TenantId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConversationRow {
    pub id: i64,
    pub account_id: i64,
    /// JSON list of the other participants' ids, sorted.
    pub participants: String,
    pub last_status_id: i64,
    pub unread: i64,
}

const COLS: &str = "id, account_id, participants, last_status_id, unread";

/// Records a direct post in `account`'s conversation with `others` (created when new), unread
/// unless `account` wrote it; its live clients hear of it.
pub async fn touch(c: &mut Conn, t: TenantId, id: i64, account: i64, others: &[i64], status: i64, unread: bool) -> Result<()> {
    let mut others = others.to_vec();
    others.sort_unstable();
    others.dedup();
    let key = serde_json::to_string(&others).unwrap_or_else(|_| "[]".into());
    let row: i64 = c
        .qs("INSERT INTO conversations (id, tenant_id, account_id, participants, last_status_id, unread) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (tenant_id, account_id, participants) DO UPDATE SET \
             last_status_id = CASE WHEN excluded.last_status_id > conversations.last_status_id THEN excluded.last_status_id ELSE conversations.last_status_id END, \
             unread = CASE WHEN excluded.unread = 1 THEN 1 ELSE conversations.unread END RETURNING id")
        .bind(id)
        .bind(t.0)
        .bind(account)
        .bind(key)
        .bind(status)
        .bind(i64::from(unread))
        .fetch_one(c.ex())
        .await?;
    publish(c, t, EventKind::Conversation, row, account).await
}

/// A page of `account`'s conversations, newest post first (paged by the post's id).
pub async fn of_account(c: &mut Conn, t: TenantId, account: i64, page: &Page) -> Result<Vec<ConversationRow>> {
    let (clause, args, asc) = page.clause("last_status_id");
    let q = format!(
        "SELECT {COLS} FROM conversations WHERE tenant_id = ? AND account_id = ?{clause}{}",
        page.order("last_status_id", asc)
    );
    let mut q = c.qa::<ConversationRow>(&q).bind(t.0).bind(account);
    for a in args {
        q = q.bind(a);
    }
    let mut rows = q.fetch_all(c.ex()).await?;
    if asc {
        rows.reverse();
    }
    Ok(rows)
}

pub async fn owned(c: &mut Conn, t: TenantId, account: i64, id: i64) -> Result<Option<ConversationRow>> {
    Ok(c.qa(&format!(
        "SELECT {COLS} FROM conversations WHERE tenant_id = ? AND account_id = ? AND id = ?"
    ))
    .bind(t.0)
    .bind(account)
    .bind(id)
    .fetch_optional(c.ex())
    .await?)
}

pub async fn mark_read(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    c.q("UPDATE conversations SET unread = 0 WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

pub async fn remove(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    c.q("DELETE FROM conversations WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// Removes the conversations whose newest post was `status` (being deleted); the next
/// direct post among the same people starts them again.
pub async fn forget_status(c: &mut Conn, t: TenantId, status: i64) -> Result<()> {
    c.q("DELETE FROM conversations WHERE tenant_id = ? AND last_status_id = ?")
        .bind(t.0)
        .bind(status)
        .execute(c.ex())
        .await?;
    Ok(())
}
