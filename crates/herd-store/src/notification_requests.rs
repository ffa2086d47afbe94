//! Notification policies (what each member lets through), the requests that hold what a
//! policy filtered, one per sender, and the senders a member accepted.

use crate::{Conn, Page, Result, TenantId, placeholders};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PolicyRow {
    pub for_not_following: String,
    pub for_not_followers: String,
    pub for_new_accounts: String,
    pub for_private_mentions: String,
    pub for_limited_accounts: String,
}

impl Default for PolicyRow {
    /// Mastodon's defaults.
    fn default() -> Self {
        PolicyRow {
            for_not_following: "accept".into(),
            for_not_followers: "accept".into(),
            for_new_accounts: "accept".into(),
            for_private_mentions: "filter".into(),
            for_limited_accounts: "filter".into(),
        }
    }
}

pub async fn policy(c: &mut Conn, t: TenantId, account: i64) -> Result<PolicyRow> {
    Ok(c.qa::<PolicyRow>(
        "SELECT for_not_following, for_not_followers, for_new_accounts, for_private_mentions, for_limited_accounts \
             FROM notification_policies WHERE tenant_id = ? AND account_id = ?",
    )
    .bind(t.0)
    .bind(account)
    .fetch_optional(c.ex())
    .await?
    .unwrap_or_default())
}

pub async fn set_policy(c: &mut Conn, t: TenantId, account: i64, p: &PolicyRow, now: i64) -> Result<()> {
    c.q(
        "INSERT INTO notification_policies (tenant_id, account_id, for_not_following, for_not_followers, for_new_accounts, \
         for_private_mentions, for_limited_accounts, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (tenant_id, account_id) DO UPDATE SET for_not_following = excluded.for_not_following, \
         for_not_followers = excluded.for_not_followers, for_new_accounts = excluded.for_new_accounts, \
         for_private_mentions = excluded.for_private_mentions, for_limited_accounts = excluded.for_limited_accounts, \
         updated_at = excluded.updated_at",
    )
    .bind(t.0)
    .bind(account)
    .bind(p.for_not_following.clone())
    .bind(p.for_not_followers.clone())
    .bind(p.for_new_accounts.clone())
    .bind(p.for_private_mentions.clone())
    .bind(p.for_limited_accounts.clone())
    .bind(now)
    .execute(c.ex())
    .await?;
    Ok(())
}

pub async fn permitted(c: &mut Conn, t: TenantId, account: i64, from: i64) -> Result<bool> {
    let n: i64 = c
        .qs("SELECT COUNT(*) FROM notification_permissions WHERE tenant_id = ? AND account_id = ? AND from_account_id = ?")
        .bind(t.0)
        .bind(account)
        .bind(from)
        .fetch_one(c.ex())
        .await?;
    Ok(n > 0)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    pub id: i64,
    pub account_id: i64,
    pub from_account_id: i64,
    pub last_status_id: Option<i64>,
    pub notifications_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLS: &str = "id, account_id, from_account_id, last_status_id, notifications_count, created_at, updated_at";

/// Counts a filtered notification into its sender's request (made if there is none).
pub async fn file(c: &mut Conn, t: TenantId, new_id: i64, account: i64, from: i64, status: Option<i64>, now: i64) -> Result<()> {
    c.q(
        "INSERT INTO notification_requests (id, tenant_id, account_id, from_account_id, last_status_id, notifications_count, \
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (tenant_id, account_id, from_account_id) DO UPDATE \
         SET notifications_count = notification_requests.notifications_count + 1, \
         last_status_id = COALESCE(excluded.last_status_id, notification_requests.last_status_id), updated_at = excluded.updated_at",
    )
    .bind(new_id)
    .bind(t.0)
    .bind(account)
    .bind(from)
    .bind(status)
    .bind(now)
    .bind(now)
    .execute(c.ex())
    .await?;
    Ok(())
}

/// `account`'s requests, most recently updated first (paged by id).
pub async fn list(c: &mut Conn, t: TenantId, account: i64, page: &Page) -> Result<Vec<RequestRow>> {
    let (clause, args, asc) = page.clause("id");
    let sql = format!(
        "SELECT {COLS} FROM notification_requests WHERE tenant_id = ? AND account_id = ?{clause}{}",
        page.order("id", asc)
    );
    let mut q = c.qa(&sql).bind(t.0).bind(account);
    for a in args {
        q = q.bind(a);
    }
    let mut rows: Vec<RequestRow> = q.fetch_all(c.ex()).await?;
    if asc {
        rows.reverse();
    }
    Ok(rows)
}

pub async fn get(c: &mut Conn, t: TenantId, account: i64, ids: &[i64]) -> Result<Vec<RequestRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLS} FROM notification_requests WHERE tenant_id = ? AND account_id = ? AND id IN ({})",
        placeholders(ids.len())
    );
    let mut q = c.qa(&sql).bind(t.0).bind(account);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// Accepts a request: its sender's notifications join the list, and later ones are never
/// filtered.
pub async fn accept(c: &mut Conn, t: TenantId, r: &RequestRow) -> Result<()> {
    c.q("UPDATE notifications SET filtered = 0 WHERE tenant_id = ? AND account_id = ? AND from_account_id = ? AND filtered = 1")
        .bind(t.0)
        .bind(r.account_id)
        .bind(r.from_account_id)
        .execute(c.ex())
        .await?;
    c.q("INSERT INTO notification_permissions (tenant_id, account_id, from_account_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
        .bind(t.0)
        .bind(r.account_id)
        .bind(r.from_account_id)
        .execute(c.ex())
        .await?;
    remove(c, t, r.id).await
}

/// Dismisses a request with the notifications it held.
pub async fn dismiss(c: &mut Conn, t: TenantId, r: &RequestRow) -> Result<()> {
    c.q("DELETE FROM notifications WHERE tenant_id = ? AND account_id = ? AND from_account_id = ? AND filtered = 1")
        .bind(t.0)
        .bind(r.account_id)
        .bind(r.from_account_id)
        .execute(c.ex())
        .await?;
    remove(c, t, r.id).await
}

async fn remove(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    c.q("DELETE FROM notification_requests WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// How many requests wait, and how many notifications they hold.
pub async fn summary(c: &mut Conn, t: TenantId, account: i64) -> Result<(i64, i64)> {
    Ok(c
        .qa::<(i64, i64)>(
            "SELECT COUNT(*), CAST(COALESCE(SUM(notifications_count), 0) AS BIGINT) FROM notification_requests WHERE tenant_id = ? AND account_id = ?",
        )
        .bind(t.0)
        .bind(account)
        .fetch_one(c.ex())
        .await?)
}
