//! Actors' key pairs (`account_id` 0 is the instance actor).

use crate::{Conn, Result, TenantId};

/// The instance actor's pseudo account id.
pub const INSTANCE_ACTOR: i64 = 0;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyRow {
    pub account_id: i64,
    pub public_pem: String,
    pub private_pem: String,
    pub created_at: i64,
}

pub async fn get(c: &mut Conn, t: TenantId, account: i64) -> Result<Option<KeyRow>> {
    Ok(
        c.qa("SELECT account_id, public_pem, private_pem, created_at FROM actor_keys WHERE tenant_id = ? AND account_id = ?")
            .bind(t.0)
            .bind(account)
            .fetch_optional(c.ex())
            .await?,
    )
}

/// Stores a key pair unless the actor has one already (two nodes may race to make one; the
/// first wins and both then read it).
pub async fn insert_if_absent(c: &mut Conn, t: TenantId, account: i64, public_pem: &str, private_pem: &str, now: i64) -> Result<()> {
    c.q(
        "INSERT INTO actor_keys (tenant_id, account_id, public_pem, private_pem, created_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (tenant_id, account_id) DO NOTHING",
    )
    .bind(t.0)
    .bind(account)
    .bind(public_pem)
    .bind(private_pem)
    .bind(now)
    .execute(c.ex())
    .await?;
    Ok(())
}
