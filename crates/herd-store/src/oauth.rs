//! OAuth applications, authorization codes and access tokens. Secrets are stored only as
//! SHA-256 digests (see `herd_core::secret`).

use sqlx::FromRow;

use crate::{Conn, Result, StoreError, TenantId};

#[derive(Debug, Clone, FromRow)]
pub struct AppRow {
    pub id: i64,
    pub tenant_id: i64,
    pub name: String,
    pub website: Option<String>,
    pub redirect_uris: String,
    pub scopes: String,
    pub client_id: String,
    pub secret_hash: String,
    pub created_at: i64,
}

const APP_COLS: &str = "id, tenant_id, name, website, redirect_uris, scopes, client_id, secret_hash, created_at";

pub async fn insert_app(c: &mut Conn, t: TenantId, app: &AppRow) -> Result<()> {
    c.q(
        "INSERT INTO oauth_apps (id, tenant_id, name, website, redirect_uris, scopes, client_id, \
         secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(app.id)
    .bind(t.0)
    .bind(app.name.clone())
    .bind(app.website.clone())
    .bind(app.redirect_uris.clone())
    .bind(app.scopes.clone())
    .bind(app.client_id.clone())
    .bind(app.secret_hash.clone())
    .bind(app.created_at)
    .execute(c.ex())
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn app_by_client_id(c: &mut Conn, t: TenantId, client_id: &str) -> Result<Option<AppRow>> {
    Ok(
        c.qa(&format!("SELECT {APP_COLS} FROM oauth_apps WHERE tenant_id = ? AND client_id = ?"))
            .bind(t.0)
            .bind(client_id)
            .fetch_optional(c.ex())
            .await?,
    )
}

pub async fn app_by_id(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<AppRow>> {
    Ok(c.qa(&format!("SELECT {APP_COLS} FROM oauth_apps WHERE tenant_id = ? AND id = ?"))
        .bind(t.0)
        .bind(id)
        .fetch_optional(c.ex())
        .await?)
}

pub struct NewCode<'a> {
    pub id: i64,
    pub app_id: i64,
    pub account_id: i64,
    pub code_hash: &'a str,
    pub redirect_uri: &'a str,
    pub scopes: &'a str,
    pub code_challenge: Option<&'a str>,
    pub code_challenge_method: Option<&'a str>,
    pub expires_at: i64,
    /// The member acting as `account_id` when that is a team account.
    pub delegate_account_id: Option<i64>,
}

pub async fn insert_code(c: &mut Conn, t: TenantId, n: NewCode<'_>) -> Result<()> {
    c.q(
        "INSERT INTO oauth_codes (id, tenant_id, app_id, account_id, code_hash, redirect_uri, \
         scopes, code_challenge, code_challenge_method, expires_at, delegate_account_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(n.id)
    .bind(t.0)
    .bind(n.app_id)
    .bind(n.account_id)
    .bind(n.code_hash)
    .bind(n.redirect_uri)
    .bind(n.scopes)
    .bind(n.code_challenge)
    .bind(n.code_challenge_method)
    .bind(n.expires_at)
    .bind(n.delegate_account_id)
    .execute(c.ex())
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct CodeRow {
    pub id: i64,
    pub app_id: i64,
    pub account_id: i64,
    pub redirect_uri: String,
    pub scopes: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub delegate_account_id: Option<i64>,
}

/// Marks a code used and returns it with whether this call was the one that used it. A
/// code is redeemed once: the conditional UPDATE lets only one of two concurrent exchanges
/// win. A row already used comes back with `false`, so the caller can revoke what it gave.
pub async fn take_code(c: &mut Conn, t: TenantId, code_hash: &str, now: i64) -> Result<Option<(CodeRow, bool)>> {
    let won = c
        .q("UPDATE oauth_codes SET used_at = ? WHERE tenant_id = ? AND code_hash = ? AND used_at IS NULL")
        .bind(now)
        .bind(t.0)
        .bind(code_hash)
        .execute(c.ex())
        .await?
        .rows_affected()
        == 1;
    let row: Option<CodeRow> = c
        .qa(
            "SELECT id, app_id, account_id, redirect_uri, scopes, code_challenge, code_challenge_method, expires_at, used_at, \
             delegate_account_id FROM oauth_codes WHERE tenant_id = ? AND code_hash = ?",
        )
        .bind(t.0)
        .bind(code_hash)
        .fetch_optional(c.ex())
        .await?;
    Ok(row.map(|r| (r, won)))
}

pub struct NewToken<'a> {
    pub id: i64,
    pub app_id: Option<i64>,
    pub account_id: Option<i64>,
    pub token_hash: &'a str,
    pub scopes: &'a str,
    pub now: i64,
    /// The member acting as `account_id` when that is a team account.
    pub delegate_account_id: Option<i64>,
    /// A browser session of the instance's own pages, not an app's token.
    pub web_session: bool,
}

pub async fn insert_token(c: &mut Conn, t: TenantId, n: NewToken<'_>) -> Result<()> {
    c.q(
        "INSERT INTO oauth_tokens (id, tenant_id, app_id, account_id, token_hash, scopes, created_at, delegate_account_id, \
         web_session) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(n.id)
    .bind(t.0)
    .bind(n.app_id)
    .bind(n.account_id)
    .bind(n.token_hash)
    .bind(n.scopes)
    .bind(n.now)
    .bind(n.delegate_account_id)
    .bind(i64::from(n.web_session))
    .execute(c.ex())
    .await?;
    Ok(())
}

/// Revokes the token with this digest if it belongs to `app_id`. Revoking an unknown token
/// is not an error (RFC 7009).
pub async fn revoke_token(c: &mut Conn, t: TenantId, token_hash: &str, app_id: i64, now: i64) -> Result<()> {
    let id: Option<i64> = c
        .qs("SELECT id FROM oauth_tokens WHERE tenant_id = ? AND token_hash = ? AND app_id = ? AND revoked_at IS NULL")
        .bind(t.0)
        .bind(token_hash)
        .bind(app_id)
        .fetch_optional(c.ex())
        .await?;
    let Some(id) = id else { return Ok(()) };
    c.q(
        "UPDATE oauth_tokens SET revoked_at = ? WHERE tenant_id = ? AND token_hash = ? AND app_id = ? \
         AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(t.0)
    .bind(token_hash)
    .bind(app_id)
    .execute(c.ex())
    .await?;
    crate::changes::record(c, t, crate::changes::Change::Token(id)).await
}

/// Revokes every token an app issued to an account (a replayed authorization code).
pub async fn revoke_for(c: &mut Conn, t: TenantId, app_id: i64, account_id: i64, now: i64) -> Result<()> {
    c.q(
        "UPDATE oauth_tokens SET revoked_at = ? WHERE tenant_id = ? AND app_id = ? AND account_id = ? \
         AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(t.0)
    .bind(app_id)
    .bind(account_id)
    .execute(c.ex())
    .await?;
    crate::changes::record(c, t, crate::changes::Change::User(account_id)).await?;
    Ok(())
}

/// What authenticating a bearer token needs, in one query: the live token of this tenant and,
/// for a user token, the user's standing.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub app_id: Option<i64>,
    pub account_id: Option<i64>,
    pub scopes: String,
    pub role: Option<String>,
    pub approved: Option<i64>,
    pub confirmed_at: Option<i64>,
    pub disabled: Option<i64>,
    pub suspended_at: Option<i64>,
    pub has_user: i64,
    /// The member acting as a team account, and whether they still may (a member of the
    /// team, not disabled or suspended).
    pub delegate_account_id: Option<i64>,
    pub delegate_ok: i64,
    pub web_session: i64,
    pub created_at: i64,
}

pub async fn session_by_hash(c: &mut Conn, t: TenantId, token_hash: &str) -> Result<Option<SessionRow>> {
    Ok(c.qa(
        "SELECT tk.id, tk.app_id, tk.account_id, tk.scopes, u.role, u.approved, u.confirmed_at, u.disabled, \
                a.suspended_at, CASE WHEN u.id IS NULL THEN 0 ELSE 1 END AS has_user, tk.delegate_account_id, \
                CASE WHEN tk.delegate_account_id IS NULL THEN 1 \
                     WHEN EXISTS (SELECT 1 FROM team_members tm \
                         JOIN users du ON du.tenant_id = tm.tenant_id AND du.account_id = tm.member_account_id \
                         JOIN accounts da ON da.tenant_id = tm.tenant_id AND da.id = tm.member_account_id \
                         WHERE tm.tenant_id = tk.tenant_id AND tm.team_account_id = tk.account_id \
                         AND tm.member_account_id = tk.delegate_account_id AND du.disabled = 0 AND da.suspended_at IS NULL) THEN 1 \
                     ELSE 0 END AS delegate_ok, tk.web_session, tk.created_at \
         FROM oauth_tokens tk \
         LEFT JOIN users u ON u.account_id = tk.account_id AND u.tenant_id = tk.tenant_id \
         LEFT JOIN accounts a ON a.id = tk.account_id AND a.tenant_id = tk.tenant_id \
         WHERE tk.tenant_id = ? AND tk.token_hash = ? AND tk.revoked_at IS NULL",
    )
    .bind(t.0)
    .bind(token_hash)
    .fetch_optional(c.ex())
    .await?)
}

/// Revokes every token of an account (also those it holds for team accounts) and spends its
/// unredeemed authorization codes (its password was reset, it was disabled).
pub async fn revoke_all_for(c: &mut Conn, t: TenantId, account_id: i64, now: i64) -> Result<()> {
    // Its tokens and codes as a member of a team account too.
    c.q("UPDATE oauth_codes SET used_at = ? WHERE tenant_id = ? AND (account_id = ? OR delegate_account_id = ?) AND used_at IS NULL")
        .bind(now)
        .bind(t.0)
        .bind(account_id)
        .bind(account_id)
        .execute(c.ex())
        .await?;
    c.q(
        "UPDATE oauth_tokens SET revoked_at = ? WHERE tenant_id = ? AND (account_id = ? OR delegate_account_id = ?) AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(t.0)
    .bind(account_id)
    .bind(account_id)
    .execute(c.ex())
    .await?;
    crate::changes::record(c, t, crate::changes::Change::User(account_id)).await?;
    Ok(())
}

/// Revokes a token by its digest, whoever issued it (a browser session signing out).
pub async fn revoke_by_hash(c: &mut Conn, t: TenantId, token_hash: &str, now: i64) -> Result<()> {
    let id: Option<i64> = c
        .qs("SELECT id FROM oauth_tokens WHERE tenant_id = ? AND token_hash = ? AND revoked_at IS NULL")
        .bind(t.0)
        .bind(token_hash)
        .fetch_optional(c.ex())
        .await?;
    let Some(id) = id else { return Ok(()) };
    c.q("UPDATE oauth_tokens SET revoked_at = ? WHERE tenant_id = ? AND id = ?")
        .bind(now)
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::Token(id)).await
}
