//! Single sign-on of an instance: its OpenID Connect provider and the people it has signed
//! in (`sso_identities`: issuer and subject to account).

use sqlx::FromRow;

use crate::{Conn, Result, TenantId};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SsoRow {
    pub tenant_id: i64,
    pub issuer: String,
    pub client_id: String,
    pub client_secret_sealed: String,
    /// `email` or `preferred_username`: the claim that finds an existing account.
    pub match_claim: String,
    pub create_accounts: i64,
    /// The button's words ("Sign in with ...").
    pub label: String,
    pub updated_at: i64,
}

const COLS: &str = "tenant_id, issuer, client_id, client_secret_sealed, match_claim, create_accounts, label, updated_at";

pub async fn get(c: &mut Conn, t: TenantId) -> Result<Option<SsoRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM tenant_sso WHERE tenant_id = ?"))
        .bind(t.0)
        .fetch_optional(c.ex())
        .await?)
}

/// Sets the instance's provider (replacing the one it had).
pub async fn put(c: &mut Conn, r: &SsoRow) -> Result<()> {
    c.q(&format!(
        "INSERT INTO tenant_sso ({COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET \
         issuer = excluded.issuer, client_id = excluded.client_id, client_secret_sealed = excluded.client_secret_sealed, \
         match_claim = excluded.match_claim, create_accounts = excluded.create_accounts, label = excluded.label, \
         updated_at = excluded.updated_at"
    ))
    .bind(r.tenant_id)
    .bind(r.issuer.clone())
    .bind(r.client_id.clone())
    .bind(r.client_secret_sealed.clone())
    .bind(r.match_claim.clone())
    .bind(r.create_accounts)
    .bind(r.label.clone())
    .bind(r.updated_at)
    .execute(c.ex())
    .await?;
    Ok(())
}

/// Turns single sign-on off; the identities stay, for when it is turned on again with the
/// same provider. True when it was on.
pub async fn remove(c: &mut Conn, t: TenantId) -> Result<bool> {
    let r = c.q("DELETE FROM tenant_sso WHERE tenant_id = ?").bind(t.0).execute(c.ex()).await?;
    Ok(r.rows_affected() > 0)
}

/// The account a person at `issuer` signed in as before.
pub async fn identity(c: &mut Conn, t: TenantId, issuer: &str, subject: &str) -> Result<Option<i64>> {
    Ok(
        c.qs("SELECT account_id FROM sso_identities WHERE tenant_id = ? AND issuer = ? AND subject = ?")
            .bind(t.0)
            .bind(issuer.to_string())
            .bind(subject.to_string())
            .fetch_optional(c.ex())
            .await?,
    )
}

/// Links a person at `issuer` to an account; false when they were linked already (to any).
pub async fn link(c: &mut Conn, t: TenantId, issuer: &str, subject: &str, account: i64, now: i64) -> Result<bool> {
    let r = c
        .q(
            "INSERT INTO sso_identities (tenant_id, issuer, subject, account_id, created_at, last_sign_in_at) \
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, issuer, subject) DO NOTHING",
        )
        .bind(t.0)
        .bind(issuer.to_string())
        .bind(subject.to_string())
        .bind(account)
        .bind(now)
        .bind(now)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn touch(c: &mut Conn, t: TenantId, issuer: &str, subject: &str, now: i64) -> Result<()> {
    c.q("UPDATE sso_identities SET last_sign_in_at = ? WHERE tenant_id = ? AND issuer = ? AND subject = ?")
        .bind(now)
        .bind(t.0)
        .bind(issuer.to_string())
        .bind(subject.to_string())
        .execute(c.ex())
        .await?;
    Ok(())
}
