//! Domains a user hides.

use crate::changes::{Change, record};
use crate::{Conn, Page, Result, TenantId};

/// Blocks a domain for `account`; `false` if it was blocked already.
pub async fn add(c: &mut Conn, t: TenantId, id: i64, account: i64, domain: &str, now: i64) -> Result<bool> {
    let r = c
        .q(
            "INSERT INTO user_domain_blocks (id, tenant_id, account_id, domain, created_at) VALUES (?, ?, ?, ?, ?) \
            ON CONFLICT (tenant_id, account_id, domain) DO NOTHING",
        )
        .bind(id)
        .bind(t.0)
        .bind(account)
        .bind(domain)
        .bind(now)
        .execute(c.ex())
        .await?;
    record(c, t, Change::Feed(account)).await?;
    Ok(r.rows_affected() > 0)
}

pub async fn remove(c: &mut Conn, t: TenantId, account: i64, domain: &str) -> Result<()> {
    c.q("DELETE FROM user_domain_blocks WHERE tenant_id = ? AND account_id = ? AND domain = ?")
        .bind(t.0)
        .bind(account)
        .bind(domain)
        .execute(c.ex())
        .await?;
    record(c, t, Change::Feed(account)).await
}

/// A page of `account`'s blocked domains: (id, domain), newest first.
pub async fn list(c: &mut Conn, t: TenantId, account: i64, page: &Page) -> Result<Vec<(i64, String)>> {
    let (clause, args, asc) = page.clause("id");
    let q = format!(
        "SELECT id, domain FROM user_domain_blocks WHERE tenant_id = ? AND account_id = ?{clause}{}",
        page.order("id", asc)
    );
    let mut q = c.qa::<(i64, String)>(&q).bind(t.0).bind(account);
    for a in args {
        q = q.bind(a);
    }
    let mut rows = q.fetch_all(c.ex()).await?;
    if asc {
        rows.reverse();
    }
    Ok(rows)
}

/// Which of `domains` `account` blocks.
pub async fn blocked_among(c: &mut Conn, t: TenantId, account: i64, domains: &[String]) -> Result<Vec<String>> {
    if domains.is_empty() {
        return Ok(Vec::new());
    }
    let q = format!(
        "SELECT domain FROM user_domain_blocks WHERE tenant_id = ? AND account_id = ? AND domain IN ({})",
        crate::placeholders(domains.len())
    );
    let mut q = c.qs::<String>(&q).bind(t.0).bind(account);
    for d in domains {
        q = q.bind(d.clone());
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// The SQL of the accounts on the domains an account blocks; its arguments: tenant,
/// tenant, account.
pub const BLOCKED_ACCOUNTS: &str = "SELECT da.id FROM accounts da WHERE da.tenant_id = ? AND da.domain IN \
    (SELECT ud.domain FROM user_domain_blocks ud WHERE ud.tenant_id = ? AND ud.account_id = ?)";
