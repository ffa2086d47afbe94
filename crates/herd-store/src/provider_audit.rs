//! What was done at the provider level (organizations, plans, bookings, staff), by whom;
//! an organization reads its own rows. Actions inside an instance stay in its `audit_log`.

use sqlx::FromRow;

use crate::{Conn, Result};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ProviderAuditRow {
    pub id: i64,
    pub organization_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub created_at: i64,
}

pub async fn record(c: &mut Conn, e: &ProviderAuditRow) -> Result<()> {
    c.q("INSERT INTO provider_audit (id, organization_id, actor, action, target, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(e.id)
        .bind(e.organization_id)
        .bind(e.actor.clone())
        .bind(e.action.clone())
        .bind(e.target.clone())
        .bind(e.detail.clone())
        .bind(e.created_at)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// Newest first, below `max_id`; one organization's rows, or all (`None`).
pub async fn list(c: &mut Conn, org: Option<i64>, max_id: Option<i64>, limit: i64) -> Result<Vec<ProviderAuditRow>> {
    use crate::sql::{Arg, Sql};
    let mut sql = Sql::new("SELECT id, organization_id, actor, action, target, detail, created_at FROM provider_audit WHERE 1 = 1");
    if let Some(o) = org {
        sql.push(" AND organization_id = ?", [Arg::I(o)]);
    }
    if let Some(m) = max_id {
        sql.push(" AND id < ?", [Arg::I(m)]);
    }
    sql.push(" ORDER BY id DESC LIMIT ?", [Arg::I(limit)]);
    sql.fetch(c, false).await
}
