//! Blocklist subscriptions of an instance and what each list holds now.

use sqlx::FromRow;

use crate::{Conn, Result, StoreError, TenantId};

#[derive(Debug, Clone, FromRow)]
pub struct SubscriptionRow {
    pub id: i64,
    pub url: String,
    /// `csv` (Mastodon's domain-block export) or `fires`.
    pub format: String,
    pub every_ms: i64,
    pub changes_url: Option<String>,
    pub cursor: Option<String>,
    pub last_synced_at: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
}

const SUB: &str = "id, url, format, every_ms, changes_url, cursor, last_synced_at, last_error, created_at";

pub async fn add(c: &mut Conn, t: TenantId, s: &SubscriptionRow) -> Result<()> {
    let r = c
        .q(
            "INSERT INTO blocklist_subscriptions (id, tenant_id, url, format, every_ms, created_at) VALUES (?, ?, ?, ?, ?, ?) \
            ON CONFLICT (tenant_id, url) DO NOTHING",
        )
        .bind(s.id)
        .bind(t.0)
        .bind(s.url.clone())
        .bind(s.format.clone())
        .bind(s.every_ms)
        .bind(s.created_at)
        .execute(c.ex())
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

pub async fn get(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<SubscriptionRow>> {
    Ok(
        c.qa(&format!("SELECT {SUB} FROM blocklist_subscriptions WHERE tenant_id = ? AND id = ?"))
            .bind(t.0)
            .bind(id)
            .fetch_optional(c.ex())
            .await?,
    )
}

pub async fn list(c: &mut Conn, t: TenantId) -> Result<Vec<SubscriptionRow>> {
    Ok(c.qa(&format!(
        "SELECT {SUB} FROM blocklist_subscriptions WHERE tenant_id = ? ORDER BY id"
    ))
    .bind(t.0)
    .fetch_all(c.ex())
    .await?)
}

pub async fn remove(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    c.q("DELETE FROM blocklist_subscriptions WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// Records a sync's outcome: when, the error if it failed, and for FIRES where to go on.
pub async fn synced(
    c: &mut Conn,
    t: TenantId,
    id: i64,
    at: i64,
    error: Option<&str>,
    changes_url: Option<&str>,
    cursor: Option<&str>,
) -> Result<()> {
    c.q(
        "UPDATE blocklist_subscriptions SET last_synced_at = ?, last_error = ?, changes_url = COALESCE(?, changes_url), \
         cursor = COALESCE(?, cursor), sync_lease_until = NULL WHERE tenant_id = ? AND id = ?",
    )
    .bind(at)
    .bind(error)
    .bind(changes_url)
    .bind(cursor)
    .bind(t.0)
    .bind(id)
    .execute(c.ex())
    .await?;
    Ok(())
}

/// Takes the subscription's sync lease until `until` if no sync holds it; false if one does.
/// [`synced`] gives it back.
pub async fn claim_sync(c: &mut Conn, t: TenantId, id: i64, now: i64, until: i64) -> Result<bool> {
    let done = c
        .q(
            "UPDATE blocklist_subscriptions SET sync_lease_until = ? WHERE tenant_id = ? AND id = ? \
            AND (sync_lease_until IS NULL OR sync_lease_until < ?)",
        )
        .bind(until)
        .bind(t.0)
        .bind(id)
        .bind(now)
        .execute(c.ex())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// One domain as a list has it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct EntryRow {
    pub domain: String,
    pub severity: String,
    pub reject_media: i64,
    pub reject_reports: i64,
    pub public_comment: Option<String>,
    pub obfuscate: i64,
}

pub async fn entries(c: &mut Conn, t: TenantId, subscription: i64) -> Result<Vec<EntryRow>> {
    Ok(c.qa(
        "SELECT domain, severity, reject_media, reject_reports, public_comment, obfuscate FROM blocklist_entries \
         WHERE tenant_id = ? AND subscription_id = ?",
    )
    .bind(t.0)
    .bind(subscription)
    .fetch_all(c.ex())
    .await?)
}

/// Adds or replaces a list's entry.
pub async fn put_entry(c: &mut Conn, t: TenantId, subscription: i64, e: &EntryRow, now: i64) -> Result<()> {
    c.q(
        "INSERT INTO blocklist_entries (tenant_id, subscription_id, domain, severity, reject_media, reject_reports, public_comment, \
         obfuscate, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, subscription_id, domain) DO UPDATE SET \
         severity = excluded.severity, reject_media = excluded.reject_media, reject_reports = excluded.reject_reports, \
         public_comment = excluded.public_comment, obfuscate = excluded.obfuscate",
    )
    .bind(t.0)
    .bind(subscription)
    .bind(e.domain.clone())
    .bind(e.severity.clone())
    .bind(e.reject_media)
    .bind(e.reject_reports)
    .bind(e.public_comment.clone())
    .bind(e.obfuscate)
    .bind(now)
    .execute(c.ex())
    .await?;
    Ok(())
}

pub async fn drop_entry(c: &mut Conn, t: TenantId, subscription: i64, domain: &str) -> Result<()> {
    c.q("DELETE FROM blocklist_entries WHERE tenant_id = ? AND subscription_id = ? AND domain = ?")
        .bind(t.0)
        .bind(subscription)
        .bind(domain)
        .execute(c.ex())
        .await?;
    Ok(())
}

#[derive(FromRow)]
struct OtherEntry {
    subscription_id: i64,
    #[sqlx(flatten)]
    entry: EntryRow,
}

/// Another subscription's entry for `domain`, if any list still holds it.
pub async fn other_entry(c: &mut Conn, t: TenantId, not: i64, domain: &str) -> Result<Option<(i64, EntryRow)>> {
    let row: Option<OtherEntry> = c
        .qa(
            "SELECT subscription_id, domain, severity, reject_media, reject_reports, public_comment, obfuscate FROM blocklist_entries \
             WHERE tenant_id = ? AND subscription_id <> ? AND domain = ? ORDER BY subscription_id LIMIT 1",
        )
        .bind(t.0)
        .bind(not)
        .bind(domain)
        .fetch_optional(c.ex())
        .await?;
    Ok(row.map(|r| (r.subscription_id, r.entry)))
}
