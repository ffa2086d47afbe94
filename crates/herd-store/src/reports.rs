//! The report queue of an instance.

use crate::sql::{Arg, Sql};
use crate::{Conn, Page, Result, TenantId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub account_id: i64,
    pub target_account_id: i64,
    pub status_ids: String,
    pub comment: String,
    pub category: String,
    pub uri: Option<String>,
    pub action_taken_at: Option<i64>,
    pub created_at: i64,
    /// JSON list of the rules broken (ids).
    pub rule_ids: String,
    /// 1 when a copy went to the reported account's server.
    pub forwarded: i64,
    /// The moderator working on it.
    pub assigned_account_id: Option<i64>,
    /// The moderator who resolved it.
    pub action_taken_by_account_id: Option<i64>,
    pub updated_at: i64,
    /// `member` (a member here), `remote` (a Flag from another server), `visitor` (a notice
    /// from the public form), `system` (an automatic rule).
    pub origin: String,
}

const COLS: &str = "r.id, r.account_id, r.target_account_id, r.status_ids, r.comment, r.category, r.uri, r.action_taken_at, \
    r.created_at, r.rule_ids, r.forwarded, r.assigned_account_id, r.action_taken_by_account_id, r.updated_at, r.origin";

pub struct NewReport<'a> {
    pub id: i64,
    pub reporter: i64,
    pub target: i64,
    pub status_ids: &'a [i64],
    pub comment: &'a str,
    pub category: &'a str,
    pub uri: Option<&'a str>,
    pub rule_ids: &'a [i64],
    pub forwarded: bool,
    pub origin: &'a str,
    pub now: i64,
}

pub async fn insert(c: &mut Conn, t: TenantId, r: NewReport<'_>) -> Result<()> {
    let ids = serde_json::to_string(r.status_ids).unwrap_or_else(|_| "[]".into());
    let rules = serde_json::to_string(r.rule_ids).unwrap_or_else(|_| "[]".into());
    c.q(
        "INSERT INTO reports (id, tenant_id, account_id, target_account_id, status_ids, comment, category, uri, \
         rule_ids, forwarded, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(r.id)
    .bind(t.0)
    .bind(r.reporter)
    .bind(r.target)
    .bind(ids)
    .bind(r.comment)
    .bind(r.category)
    .bind(r.uri)
    .bind(rules)
    .bind(i64::from(r.forwarded))
    .bind(r.origin)
    .bind(r.now)
    .bind(r.now)
    .execute(c.ex())
    .await?;
    crate::changes::record(c, t, crate::changes::Change::Reports).await?;
    Ok(())
}

/// Reports not yet acted on, oldest first.
pub async fn open(c: &mut Conn, t: TenantId, limit: i64) -> Result<Vec<ReportRow>> {
    Ok(c.qa(&format!(
        "SELECT {COLS} FROM reports r WHERE r.tenant_id = ? AND r.action_taken_at IS NULL ORDER BY r.id LIMIT ?"
    ))
    .bind(t.0)
    .bind(limit)
    .fetch_all(c.ex())
    .await?)
}

pub async fn by_ids(c: &mut Conn, t: TenantId, ids: &[i64]) -> Result<Vec<ReportRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLS} FROM reports r WHERE r.tenant_id = ? AND r.id IN ({})",
        crate::placeholders(ids.len())
    );
    let mut q = c.qa(&sql).bind(t.0);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

pub async fn by_id(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<ReportRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM reports r WHERE r.tenant_id = ? AND r.id = ?"))
        .bind(t.0)
        .bind(id)
        .fetch_optional(c.ex())
        .await?)
}

/// What a moderator's report list shows (Mastodon's `ReportFilter`).
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    /// Resolved reports instead of open ones.
    pub resolved: bool,
    pub account_id: Option<i64>,
    pub target_account_id: Option<i64>,
    /// Reports about accounts of this server (`""` for local accounts).
    pub by_target_domain: Option<String>,
    pub assigned_account_id: Option<i64>,
}

/// Reports, newest first, as the admin API pages them.
pub async fn list(c: &mut Conn, t: TenantId, f: &ReportFilter, page: &Page) -> Result<Vec<ReportRow>> {
    let mut sql = Sql::new(format!("SELECT {COLS} FROM reports r WHERE r.tenant_id = ?"));
    sql.args.push(Arg::I(t.0));
    sql.push(
        if f.resolved {
            " AND r.action_taken_at IS NOT NULL"
        } else {
            " AND r.action_taken_at IS NULL"
        },
        [],
    );
    if let Some(a) = f.account_id {
        sql.push(" AND r.account_id = ?", [Arg::I(a)]);
    }
    if let Some(a) = f.target_account_id {
        sql.push(" AND r.target_account_id = ?", [Arg::I(a)]);
    }
    if let Some(a) = f.assigned_account_id {
        sql.push(" AND r.assigned_account_id = ?", [Arg::I(a)]);
    }
    if let Some(d) = &f.by_target_domain {
        sql.push(
            " AND r.target_account_id IN (SELECT ta.id FROM accounts ta WHERE ta.tenant_id = ? AND ta.domain = ?)",
            [Arg::I(t.0), Arg::S(d.to_ascii_lowercase())],
        );
    }
    let asc = sql.page_on("r.id", page);
    sql.fetch(c, asc).await
}

/// Open reports about `target`.
pub async fn open_about(c: &mut Conn, t: TenantId, target: i64) -> Result<Vec<i64>> {
    Ok(
        c.qs("SELECT id FROM reports WHERE tenant_id = ? AND target_account_id = ? AND action_taken_at IS NULL")
            .bind(t.0)
            .bind(target)
            .fetch_all(c.ex())
            .await?,
    )
}

/// Gives the report to a moderator, or back to the queue (`None`).
pub async fn assign(c: &mut Conn, t: TenantId, id: i64, to: Option<i64>, now: i64) -> Result<()> {
    c.q("UPDATE reports SET assigned_account_id = ?, updated_at = ? WHERE tenant_id = ? AND id = ?")
        .bind(to)
        .bind(now)
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::Reports).await?;
    Ok(())
}

/// Marks the report resolved by `by` (`None`: the operator), or open again.
pub async fn set_resolved(c: &mut Conn, t: TenantId, id: i64, resolved: Option<Option<i64>>, now: i64) -> Result<()> {
    let (at, by) = match resolved {
        Some(by) => (Some(now), by),
        None => (None, None),
    };
    c.q("UPDATE reports SET action_taken_at = ?, action_taken_by_account_id = ?, updated_at = ? WHERE tenant_id = ? AND id = ?")
        .bind(at)
        .bind(by)
        .bind(now)
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::Reports).await?;
    Ok(())
}

/// Changes what the report is about: its category and the rules it names.
pub async fn categorize(c: &mut Conn, t: TenantId, id: i64, category: &str, rule_ids: &[i64], now: i64) -> Result<()> {
    let rules = serde_json::to_string(rule_ids).unwrap_or_else(|_| "[]".into());
    c.q("UPDATE reports SET category = ?, rule_ids = ?, updated_at = ? WHERE tenant_id = ? AND id = ?")
        .bind(category)
        .bind(rules)
        .bind(now)
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::Reports).await?;
    Ok(())
}
