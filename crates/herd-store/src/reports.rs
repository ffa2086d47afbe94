//! The report queue of an instance.

use crate::{Conn, Result, TenantId};

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
}

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
    pub now: i64,
}

pub async fn insert(c: &mut Conn, t: TenantId, r: NewReport<'_>) -> Result<()> {
    let ids = serde_json::to_string(r.status_ids).unwrap_or_else(|_| "[]".into());
    let rules = serde_json::to_string(r.rule_ids).unwrap_or_else(|_| "[]".into());
    c.q(
        "INSERT INTO reports (id, tenant_id, account_id, target_account_id, status_ids, comment, category, uri, \
         rule_ids, forwarded, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    .bind(r.now)
    .execute(c.ex())
    .await?;
    Ok(())
}

/// Reports not yet acted on, oldest first.
pub async fn open(c: &mut Conn, t: TenantId, limit: i64) -> Result<Vec<ReportRow>> {
    Ok(c.qa(
        "SELECT id, account_id, target_account_id, status_ids, comment, category, uri, action_taken_at, created_at, \
         rule_ids, forwarded FROM reports WHERE tenant_id = ? AND action_taken_at IS NULL ORDER BY id LIMIT ?",
    )
    .bind(t.0)
    .bind(limit)
    .fetch_all(c.ex())
    .await?)
}
