//! The audit trail: one row per privileged action, readable by the organization concerned.

use sqlx::FromRow;

use crate::{Conn, Result, TenantId};

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub created_at: i64,
}

pub async fn record(c: &mut Conn, t: TenantId, e: &AuditRow) -> Result<()> {
    c.q("INSERT INTO audit_log (id, tenant_id, actor, action, target, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(e.id)
        .bind(t.0)
        .bind(e.actor.clone())
        .bind(e.action.clone())
        .bind(e.target.clone())
        .bind(e.detail.clone())
        .bind(e.created_at)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// What the audit log's reader asks for: one actor's actions, one action, one target.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
}

/// The audit log, newest first.
pub async fn list(c: &mut Conn, t: TenantId, f: &AuditFilter, page: &crate::Page) -> Result<Vec<AuditRow>> {
    use crate::sql::{Arg, Sql};
    let mut sql = Sql::new("SELECT id, actor, action, target, detail, created_at FROM audit_log WHERE tenant_id = ?");
    sql.args.push(Arg::I(t.0));
    if let Some(a) = &f.actor {
        sql.push(" AND actor = ?", [Arg::S(a.clone())]);
    }
    if let Some(a) = &f.action {
        sql.push(" AND action = ?", [Arg::S(a.clone())]);
    }
    if let Some(a) = &f.target {
        sql.push(" AND target = ?", [Arg::S(a.clone())]);
    }
    let asc = sql.page_on("id", page);
    sql.fetch(c, asc).await
}
