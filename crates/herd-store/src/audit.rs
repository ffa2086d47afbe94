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
