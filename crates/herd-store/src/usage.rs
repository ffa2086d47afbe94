//! Metering: who used an instance on which day, counts that leave no rows (deliveries,
//! inbox activities), and the daily roll-up of an instance's figures. Days are epoch days
//! (UTC).

use sqlx::FromRow;

use crate::{Conn, Result, TenantId};

pub const DAY_MS: i64 = 86_400_000;

/// How many days back "monthly active" reaches, as Mastodon's four weeks.
pub const ACTIVE_DAYS: i64 = 28;

/// `account` used the instance on `day` (written at most once a day per user and node).
pub async fn record_activity(c: &mut Conn, t: TenantId, day: i64, account: i64) -> Result<()> {
    c.q("INSERT INTO user_activity_days (tenant_id, day, account_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
        .bind(t.0)
        .bind(day)
        .bind(account)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// Adds to a day's counters.
pub async fn count(c: &mut Conn, t: TenantId, day: i64, deliveries: i64, failures: i64, inbox: i64) -> Result<()> {
    c.q(
        "INSERT INTO usage_counters (tenant_id, day, deliveries, delivery_failures, inbox_activities) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (tenant_id, day) DO UPDATE SET deliveries = usage_counters.deliveries + excluded.deliveries, \
         delivery_failures = usage_counters.delivery_failures + excluded.delivery_failures, \
         inbox_activities = usage_counters.inbox_activities + excluded.inbox_activities",
    )
    .bind(t.0)
    .bind(day)
    .bind(deliveries)
    .bind(failures)
    .bind(inbox)
    .execute(c.ex())
    .await?;
    Ok(())
}

/// Writes every instance's figures for `day` in one statement (set-based: the same work for
/// ten thousand instances as for one, a scan of each table). Counts are as of the end of
/// the day; an instance's row is written again when the day is rolled up again.
pub async fn roll_up(c: &mut Conn, day: i64) -> Result<u64> {
    let end = (day + 1) * DAY_MS;
    let r = c
        .q(
            "INSERT INTO usage_daily (tenant_id, day, active_users, accounts, posts, media_bytes, remote_media_bytes, \
             deliveries, delivery_failures, inbox_activities) \
             SELECT t.id, ?, COALESCE(au.n, 0), COALESCE(ac.n, 0), COALESCE(po.n, 0), COALESCE(mb.local_b, 0), \
             COALESCE(mb.remote_b, 0), COALESCE(uc.deliveries, 0), COALESCE(uc.delivery_failures, 0), COALESCE(uc.inbox_activities, 0) \
             FROM tenants t \
             LEFT JOIN (SELECT tenant_id, COUNT(DISTINCT account_id) AS n FROM user_activity_days \
                WHERE day > ? AND day <= ? GROUP BY tenant_id) au ON au.tenant_id = t.id \
             LEFT JOIN (SELECT tenant_id, COUNT(*) AS n FROM accounts WHERE domain = '' AND created_at < ? \
                GROUP BY tenant_id) ac ON ac.tenant_id = t.id \
             LEFT JOIN (SELECT s.tenant_id, COUNT(*) AS n FROM statuses s JOIN accounts a ON a.id = s.account_id \
                WHERE a.domain = '' AND s.reblog_of_id IS NULL AND s.created_at < ? GROUP BY s.tenant_id) po ON po.tenant_id = t.id \
             LEFT JOIN (SELECT m.tenant_id, \
                CAST(SUM(CASE WHEN a.domain = '' AND m.bytes > 0 THEN m.bytes ELSE 0 END) AS BIGINT) AS local_b, \
                CAST(SUM(CASE WHEN a.domain <> '' AND m.bytes > 0 THEN m.bytes ELSE 0 END) AS BIGINT) AS remote_b \
                FROM media m JOIN accounts a ON a.id = m.account_id WHERE m.created_at < ? GROUP BY m.tenant_id) mb ON mb.tenant_id = t.id \
             LEFT JOIN usage_counters uc ON uc.tenant_id = t.id AND uc.day = ? \
             WHERE 1 = 1 \
             ON CONFLICT (tenant_id, day) DO UPDATE SET active_users = excluded.active_users, accounts = excluded.accounts, \
             posts = excluded.posts, media_bytes = excluded.media_bytes, remote_media_bytes = excluded.remote_media_bytes, \
             deliveries = excluded.deliveries, delivery_failures = excluded.delivery_failures, \
             inbox_activities = excluded.inbox_activities",
        )
        .bind(day)
        .bind(day - ACTIVE_DAYS)
        .bind(day)
        .bind(end)
        .bind(end)
        .bind(end)
        .bind(day)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected())
}

/// Claims the roll-up of a finished day; false if it was claimed (by any node) within the
/// last `stale_ms` or finished.
pub async fn claim_day(c: &mut Conn, day: i64, now: i64, stale_ms: i64) -> Result<bool> {
    let r = c
        .q(
            "INSERT INTO usage_rollups (day, started_at) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET started_at = excluded.started_at \
             WHERE usage_rollups.finished_at IS NULL AND usage_rollups.started_at < ?",
        )
        .bind(day)
        .bind(now)
        .bind(now - stale_ms)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn finish_day(c: &mut Conn, day: i64, now: i64) -> Result<()> {
    c.q("UPDATE usage_rollups SET finished_at = ? WHERE day = ?")
        .bind(now)
        .bind(day)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// One instance's figures on one day.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct DailyRow {
    pub tenant_id: i64,
    pub day: i64,
    pub active_users: i64,
    pub accounts: i64,
    pub posts: i64,
    pub media_bytes: i64,
    pub remote_media_bytes: i64,
    pub deliveries: i64,
    pub delivery_failures: i64,
    pub inbox_activities: i64,
}

/// The daily rows of an organization's instances for days `[from, to]`, by instance and day.
pub async fn of_org(c: &mut Conn, org: i64, from: i64, to: i64) -> Result<Vec<DailyRow>> {
    Ok(c.qa(
        "SELECT u.tenant_id, u.day, u.active_users, u.accounts, u.posts, u.media_bytes, u.remote_media_bytes, u.deliveries, \
         u.delivery_failures, u.inbox_activities FROM usage_daily u JOIN tenants t ON t.id = u.tenant_id \
         WHERE t.organization_id = ? AND u.day >= ? AND u.day <= ? ORDER BY u.tenant_id, u.day",
    )
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(c.ex())
    .await?)
}

/// One instance's daily rows for days `[from, to]`.
pub async fn of_tenant(c: &mut Conn, t: TenantId, from: i64, to: i64) -> Result<Vec<DailyRow>> {
    Ok(c.qa(
        "SELECT tenant_id, day, active_users, accounts, posts, media_bytes, remote_media_bytes, deliveries, delivery_failures, \
         inbox_activities FROM usage_daily WHERE tenant_id = ? AND day >= ? AND day <= ? ORDER BY day",
    )
    .bind(t.0)
    .bind(from)
    .bind(to)
    .fetch_all(c.ex())
    .await?)
}

/// Live figures the quotas are checked against: local accounts, and bytes of members'
/// uploads.
pub async fn local_accounts(c: &mut Conn, t: TenantId) -> Result<i64> {
    Ok(c.qs("SELECT COUNT(*) FROM accounts WHERE tenant_id = ? AND domain = ''")
        .bind(t.0)
        .fetch_one(c.ex())
        .await?)
}

pub async fn local_media_bytes(c: &mut Conn, t: TenantId) -> Result<i64> {
    let n: Option<i64> = c
        .qs(
            "SELECT CAST(SUM(m.bytes) AS BIGINT) FROM media m JOIN accounts a ON a.tenant_id = m.tenant_id AND a.id = m.account_id \
             WHERE m.tenant_id = ? AND a.domain = '' AND m.bytes > 0",
        )
        .bind(t.0)
        .fetch_one(c.ex())
        .await?;
    Ok(n.unwrap_or(0))
}
