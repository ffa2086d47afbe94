//! An instance's federation policy: the servers it limits or suspends (Mastodon's domain
//! blocks; a block covers the domain's subdomains) and the servers it allows in allowlist
//! mode. Every change records `Change::Policy`, so each node reloads its copy.

use sqlx::FromRow;

use crate::changes::{Change, record};
use crate::{Conn, Page, Result, StoreError, TenantId};

#[derive(Debug, Clone, FromRow)]
pub struct DomainBlockRow {
    pub id: i64,
    pub domain: String,
    /// `noop`, `silence` or `suspend`.
    pub severity: String,
    pub reject_media: i64,
    pub reject_reports: i64,
    pub private_comment: Option<String>,
    pub public_comment: Option<String>,
    pub obfuscate: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// The blocklist subscription that made it (`None`: a moderator's own decision).
    pub subscription_id: Option<i64>,
}

const COLS: &str = "id, domain, severity, reject_media, reject_reports, private_comment, public_comment, obfuscate, created_at, updated_at, subscription_id";

/// Adds a block; `Err(StoreError::Conflict)` when the domain has one.
pub async fn insert_block(c: &mut Conn, t: TenantId, b: &DomainBlockRow) -> Result<()> {
    let r = c
        .q(
            "INSERT INTO domain_blocks (id, tenant_id, domain, severity, reject_media, reject_reports, private_comment, \
             public_comment, obfuscate, created_at, updated_at, subscription_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (tenant_id, domain) DO NOTHING",
        )
        .bind(b.id)
        .bind(t.0)
        .bind(b.domain.clone())
        .bind(b.severity.clone())
        .bind(b.reject_media)
        .bind(b.reject_reports)
        .bind(b.private_comment.clone())
        .bind(b.public_comment.clone())
        .bind(b.obfuscate)
        .bind(b.created_at)
        .bind(b.updated_at)
        .bind(b.subscription_id)
        .execute(c.ex())
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    record(c, t, Change::Policy).await?;
    Ok(())
}

pub async fn update_block(c: &mut Conn, t: TenantId, b: &DomainBlockRow) -> Result<()> {
    c.q(
        "UPDATE domain_blocks SET severity = ?, reject_media = ?, reject_reports = ?, private_comment = ?, \
         public_comment = ?, obfuscate = ?, updated_at = ?, subscription_id = ? WHERE tenant_id = ? AND id = ?",
    )
    .bind(b.severity.clone())
    .bind(b.reject_media)
    .bind(b.reject_reports)
    .bind(b.private_comment.clone())
    .bind(b.public_comment.clone())
    .bind(b.obfuscate)
    .bind(b.updated_at)
    .bind(b.subscription_id)
    .bind(t.0)
    .bind(b.id)
    .execute(c.ex())
    .await?;
    record(c, t, Change::Policy).await?;
    Ok(())
}

pub async fn delete_block(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    c.q("DELETE FROM domain_blocks WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    record(c, t, Change::Policy).await?;
    Ok(())
}

pub async fn block(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<DomainBlockRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM domain_blocks WHERE tenant_id = ? AND id = ?"))
        .bind(t.0)
        .bind(id)
        .fetch_optional(c.ex())
        .await?)
}

pub async fn block_by_domain(c: &mut Conn, t: TenantId, domain: &str) -> Result<Option<DomainBlockRow>> {
    Ok(
        c.qa(&format!("SELECT {COLS} FROM domain_blocks WHERE tenant_id = ? AND domain = ?"))
            .bind(t.0)
            .bind(domain)
            .fetch_optional(c.ex())
            .await?,
    )
}

/// Every block of the instance (what a node loads into its policy), by domain.
pub async fn all_blocks(c: &mut Conn, t: TenantId) -> Result<Vec<DomainBlockRow>> {
    Ok(
        c.qa(&format!("SELECT {COLS} FROM domain_blocks WHERE tenant_id = ? ORDER BY domain"))
            .bind(t.0)
            .fetch_all(c.ex())
            .await?,
    )
}

/// Blocks as the admin API pages them, newest first.
pub async fn blocks(c: &mut Conn, t: TenantId, page: &Page) -> Result<Vec<DomainBlockRow>> {
    let mut sql = crate::sql::Sql::new(format!("SELECT {COLS} FROM domain_blocks WHERE tenant_id = ?"));
    sql.args.push(crate::sql::Arg::I(t.0));
    let asc = sql.page_on("id", page);
    sql.fetch(c, asc).await
}

#[derive(Debug, Clone, FromRow)]
pub struct DomainAllowRow {
    pub id: i64,
    pub domain: String,
    pub created_at: i64,
}

/// Allows a domain; the existing row when it was allowed already.
pub async fn allow(c: &mut Conn, t: TenantId, id: i64, domain: &str, now: i64) -> Result<DomainAllowRow> {
    c.q("INSERT INTO domain_allows (id, tenant_id, domain, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, domain) DO NOTHING")
        .bind(id)
        .bind(t.0)
        .bind(domain)
        .bind(now)
        .execute(c.ex())
        .await?;
    record(c, t, Change::Policy).await?;
    c.qa("SELECT id, domain, created_at FROM domain_allows WHERE tenant_id = ? AND domain = ?")
        .bind(t.0)
        .bind(domain)
        .fetch_optional(c.ex())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn disallow(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    c.q("DELETE FROM domain_allows WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    record(c, t, Change::Policy).await?;
    Ok(())
}

pub async fn allowed(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<DomainAllowRow>> {
    Ok(
        c.qa("SELECT id, domain, created_at FROM domain_allows WHERE tenant_id = ? AND id = ?")
            .bind(t.0)
            .bind(id)
            .fetch_optional(c.ex())
            .await?,
    )
}

pub async fn all_allows(c: &mut Conn, t: TenantId) -> Result<Vec<DomainAllowRow>> {
    Ok(
        c.qa("SELECT id, domain, created_at FROM domain_allows WHERE tenant_id = ? ORDER BY id DESC")
            .bind(t.0)
            .fetch_all(c.ex())
            .await?,
    )
}

/// The domains of every remote account the instance knows (to find which blocks touch any).
pub async fn known_domains(c: &mut Conn, t: TenantId) -> Result<Vec<String>> {
    Ok(c.qs("SELECT DISTINCT domain FROM accounts WHERE tenant_id = ? AND domain <> ''")
        .bind(t.0)
        .fetch_all(c.ex())
        .await?)
}

/// The blocks a subscription made.
pub async fn blocks_of_subscription(c: &mut Conn, t: TenantId, subscription: i64) -> Result<Vec<DomainBlockRow>> {
    Ok(c.qa(&format!(
        "SELECT {COLS} FROM domain_blocks WHERE tenant_id = ? AND subscription_id = ?"
    ))
    .bind(t.0)
    .bind(subscription)
    .fetch_all(c.ex())
    .await?)
}
