//! An instance's auto-moderation rules. Changes record `Change::Policy`: every node keeps
//! the rules compiled beside the instance's other policy.

use sqlx::FromRow;

use crate::changes::{Change, record};
use crate::{Conn, Result, TenantId};

#[derive(Debug, Clone, FromRow)]
pub struct RuleRow {
    pub id: i64,
    /// `keyword`, `regex` or `link_domain`.
    pub kind: String,
    pub pattern: String,
    /// `flag`, `hide` or `reject`.
    pub action: String,
    /// `local`, `remote` or `all` posts.
    pub scope: String,
    pub created_at: i64,
}

pub async fn add(c: &mut Conn, t: TenantId, r: &RuleRow) -> Result<()> {
    c.q("INSERT INTO automod_rules (id, tenant_id, kind, pattern, action, scope, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(r.id)
        .bind(t.0)
        .bind(r.kind.clone())
        .bind(r.pattern.clone())
        .bind(r.action.clone())
        .bind(r.scope.clone())
        .bind(r.created_at)
        .execute(c.ex())
        .await?;
    record(c, t, Change::Policy).await?;
    Ok(())
}

pub async fn get(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<RuleRow>> {
    Ok(
        c.qa("SELECT id, kind, pattern, action, scope, created_at FROM automod_rules WHERE tenant_id = ? AND id = ?")
            .bind(t.0)
            .bind(id)
            .fetch_optional(c.ex())
            .await?,
    )
}

pub async fn all(c: &mut Conn, t: TenantId) -> Result<Vec<RuleRow>> {
    Ok(
        c.qa("SELECT id, kind, pattern, action, scope, created_at FROM automod_rules WHERE tenant_id = ? ORDER BY id")
            .bind(t.0)
            .fetch_all(c.ex())
            .await?,
    )
}

pub async fn remove(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    c.q("DELETE FROM automod_rules WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    record(c, t, Change::Policy).await?;
    Ok(())
}
