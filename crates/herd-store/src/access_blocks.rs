//! Who may sign up to an instance, or reach it at all: e-mail domain blocks (with their
//! history of turned-away attempts), canonical e-mail blocks and IP blocks. IP block changes
//! record `Change::Policy`, since every node keeps the instance's `no_access` list.

use sqlx::FromRow;

use crate::changes::{Change, record};
use crate::sql::{Arg, Sql};
use crate::{Conn, Page, Result, StoreError, TenantId, placeholders};

#[derive(Debug, Clone, FromRow)]
pub struct EmailDomainBlockRow {
    pub id: i64,
    pub domain: String,
    pub allow_with_approval: i64,
    pub created_at: i64,
}

const EDB: &str = "id, domain, allow_with_approval, created_at";

pub async fn add_email_domain(c: &mut Conn, t: TenantId, b: &EmailDomainBlockRow) -> Result<()> {
    let r = c
        .q(
            "INSERT INTO email_domain_blocks (id, tenant_id, domain, allow_with_approval, created_at) VALUES (?, ?, ?, ?, ?) \
            ON CONFLICT (tenant_id, domain) DO NOTHING",
        )
        .bind(b.id)
        .bind(t.0)
        .bind(b.domain.clone())
        .bind(b.allow_with_approval)
        .bind(b.created_at)
        .execute(c.ex())
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

pub async fn email_domain(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<EmailDomainBlockRow>> {
    Ok(
        c.qa(&format!("SELECT {EDB} FROM email_domain_blocks WHERE tenant_id = ? AND id = ?"))
            .bind(t.0)
            .bind(id)
            .fetch_optional(c.ex())
            .await?,
    )
}

pub async fn email_domains(c: &mut Conn, t: TenantId, page: &Page) -> Result<Vec<EmailDomainBlockRow>> {
    let mut sql = Sql::new(format!("SELECT {EDB} FROM email_domain_blocks WHERE tenant_id = ?"));
    sql.args.push(Arg::I(t.0));
    let asc = sql.page_on("id", page);
    sql.fetch(c, asc).await
}

/// The blocks that cover any of these domains (an address's domain and its parents).
pub async fn email_domains_matching(c: &mut Conn, t: TenantId, domains: &[String]) -> Result<Vec<EmailDomainBlockRow>> {
    if domains.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {EDB} FROM email_domain_blocks WHERE tenant_id = ? AND domain IN ({})",
        placeholders(domains.len())
    );
    let mut q = c.qa(&sql).bind(t.0);
    for d in domains {
        q = q.bind(d.clone());
    }
    Ok(q.fetch_all(c.ex()).await?)
}

pub async fn remove_email_domain(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    c.q("DELETE FROM email_domain_blocks WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// Counts a sign-up attempt a block met, by day (epoch days) and address.
pub async fn email_domain_attempt(c: &mut Conn, t: TenantId, block: i64, day: i64, ip: &str) -> Result<()> {
    c.q(
        "INSERT INTO email_domain_block_attempts (tenant_id, block_id, day, ip, uses) VALUES (?, ?, ?, ?, 1) \
         ON CONFLICT (tenant_id, block_id, day, ip) DO UPDATE SET uses = email_domain_block_attempts.uses + 1",
    )
    .bind(t.0)
    .bind(block)
    .bind(day)
    .bind(ip)
    .execute(c.ex())
    .await?;
    Ok(())
}

/// The blocks' attempts per day since `from_day`: (block, day, distinct addresses, attempts).
pub async fn email_domain_history(c: &mut Conn, t: TenantId, blocks: &[i64], from_day: i64) -> Result<Vec<(i64, i64, i64, i64)>> {
    if blocks.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT block_id, day, COUNT(*), CAST(SUM(uses) AS BIGINT) FROM email_domain_block_attempts \
         WHERE tenant_id = ? AND day >= ? AND block_id IN ({}) GROUP BY block_id, day",
        placeholders(blocks.len())
    );
    let mut q = c.qa(&sql).bind(t.0).bind(from_day);
    for b in blocks {
        q = q.bind(*b);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct CanonicalEmailBlockRow {
    pub id: i64,
    pub canonical_email_hash: String,
    pub reference_account_id: Option<i64>,
    pub created_at: i64,
}

const CEB: &str = "id, canonical_email_hash, reference_account_id, created_at";

pub async fn add_canonical(c: &mut Conn, t: TenantId, b: &CanonicalEmailBlockRow) -> Result<()> {
    let r = c
        .q(
            "INSERT INTO canonical_email_blocks (id, tenant_id, canonical_email_hash, reference_account_id, created_at) \
            VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, canonical_email_hash) DO NOTHING",
        )
        .bind(b.id)
        .bind(t.0)
        .bind(b.canonical_email_hash.clone())
        .bind(b.reference_account_id)
        .bind(b.created_at)
        .execute(c.ex())
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

pub async fn canonical(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<CanonicalEmailBlockRow>> {
    Ok(
        c.qa(&format!("SELECT {CEB} FROM canonical_email_blocks WHERE tenant_id = ? AND id = ?"))
            .bind(t.0)
            .bind(id)
            .fetch_optional(c.ex())
            .await?,
    )
}

pub async fn canonical_by_hash(c: &mut Conn, t: TenantId, hash: &str) -> Result<Vec<CanonicalEmailBlockRow>> {
    Ok(c.qa(&format!(
        "SELECT {CEB} FROM canonical_email_blocks WHERE tenant_id = ? AND canonical_email_hash = ?"
    ))
    .bind(t.0)
    .bind(hash)
    .fetch_all(c.ex())
    .await?)
}

pub async fn canonicals(c: &mut Conn, t: TenantId, page: &Page) -> Result<Vec<CanonicalEmailBlockRow>> {
    let mut sql = Sql::new(format!("SELECT {CEB} FROM canonical_email_blocks WHERE tenant_id = ?"));
    sql.args.push(Arg::I(t.0));
    let asc = sql.page_on("id", page);
    sql.fetch(c, asc).await
}

pub async fn remove_canonical(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    c.q("DELETE FROM canonical_email_blocks WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct IpBlockRow {
    pub id: i64,
    pub ip: String,
    pub severity: String,
    pub comment: String,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const IPB: &str = "id, ip, severity, comment, expires_at, created_at, updated_at";

pub async fn add_ip(c: &mut Conn, t: TenantId, b: &IpBlockRow) -> Result<()> {
    let r = c
        .q(
            "INSERT INTO ip_blocks (id, tenant_id, ip, severity, comment, expires_at, created_at, updated_at) \
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, ip) DO NOTHING",
        )
        .bind(b.id)
        .bind(t.0)
        .bind(b.ip.clone())
        .bind(b.severity.clone())
        .bind(b.comment.clone())
        .bind(b.expires_at)
        .bind(b.created_at)
        .bind(b.updated_at)
        .execute(c.ex())
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    record(c, t, Change::Policy).await?;
    Ok(())
}

pub async fn update_ip(c: &mut Conn, t: TenantId, b: &IpBlockRow) -> Result<()> {
    c.q("UPDATE ip_blocks SET ip = ?, severity = ?, comment = ?, expires_at = ?, updated_at = ? WHERE tenant_id = ? AND id = ?")
        .bind(b.ip.clone())
        .bind(b.severity.clone())
        .bind(b.comment.clone())
        .bind(b.expires_at)
        .bind(b.updated_at)
        .bind(t.0)
        .bind(b.id)
        .execute(c.ex())
        .await
        .map_err(StoreError::from_sqlx)?;
    record(c, t, Change::Policy).await?;
    Ok(())
}

pub async fn ip(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<IpBlockRow>> {
    Ok(c.qa(&format!("SELECT {IPB} FROM ip_blocks WHERE tenant_id = ? AND id = ?"))
        .bind(t.0)
        .bind(id)
        .fetch_optional(c.ex())
        .await?)
}

pub async fn ips(c: &mut Conn, t: TenantId, page: &Page) -> Result<Vec<IpBlockRow>> {
    let mut sql = Sql::new(format!("SELECT {IPB} FROM ip_blocks WHERE tenant_id = ?"));
    sql.args.push(Arg::I(t.0));
    let asc = sql.page_on("id", page);
    sql.fetch(c, asc).await
}

/// Every block of the instance not expired at `now`.
pub async fn live_ips(c: &mut Conn, t: TenantId, now: i64) -> Result<Vec<IpBlockRow>> {
    Ok(c.qa(&format!(
        "SELECT {IPB} FROM ip_blocks WHERE tenant_id = ? AND (expires_at IS NULL OR expires_at > ?)"
    ))
    .bind(t.0)
    .bind(now)
    .fetch_all(c.ex())
    .await?)
}

pub async fn remove_ip(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    c.q("DELETE FROM ip_blocks WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    record(c, t, Change::Policy).await?;
    Ok(())
}
