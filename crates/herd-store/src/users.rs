//! Sign-in identities of local accounts: e-mail, password hash, role on this instance.

use sqlx::FromRow;

use crate::{Conn, Result, StoreError, TenantId};

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: i64,
    pub email: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub approved: i64,
    pub confirmed_at: Option<i64>,
    pub disabled: i64,
    pub locale: String,
    pub created_at: i64,
    /// Posting defaults: visibility (`public`, `unlisted`, `private`, `direct`), sensitive
    /// media, language.
    pub default_visibility: String,
    pub default_sensitive: i64,
    pub default_language: Option<String>,
    /// Who may quote new posts: `public`, `followers` or `nobody`.
    pub default_quote_policy: String,
}

pub const COLS: &str = "id, tenant_id, account_id, email, password_hash, role, approved, \
    confirmed_at, disabled, locale, created_at, default_visibility, default_sensitive, default_language, \
    default_quote_policy";

pub struct NewUser<'a> {
    pub id: i64,
    pub account_id: i64,
    pub email: &'a str,
    pub password_hash: Option<&'a str>,
    pub role: &'a str,
    pub approved: bool,
    pub confirmed_at: Option<i64>,
    pub locale: &'a str,
    pub reason: &'a str,
    pub now: i64,
}

pub async fn insert(c: &mut Conn, t: TenantId, u: NewUser<'_>) -> Result<()> {
    c.q(
        "INSERT INTO users (id, tenant_id, account_id, email, email_key, password_hash, role, \
         approved, confirmed_at, locale, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(u.id)
    .bind(t.0)
    .bind(u.account_id)
    .bind(u.email)
    .bind(u.email.to_lowercase())
    .bind(u.password_hash)
    .bind(u.role)
    .bind(i64::from(u.approved))
    .bind(u.confirmed_at)
    .bind(u.locale)
    .bind(u.reason)
    .bind(u.now)
    .execute(c.ex())
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn by_email(c: &mut Conn, t: TenantId, email: &str) -> Result<Option<UserRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM users WHERE tenant_id = ? AND email_key = ?"))
        .bind(t.0)
        .bind(email.to_lowercase())
        .fetch_optional(c.ex())
        .await?)
}

pub async fn by_account(c: &mut Conn, t: TenantId, account_id: i64) -> Result<Option<UserRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM users WHERE tenant_id = ? AND account_id = ?"))
        .bind(t.0)
        .bind(account_id)
        .fetch_optional(c.ex())
        .await?)
}

pub async fn set_role(c: &mut Conn, t: TenantId, account_id: i64, role: &str) -> Result<()> {
    c.q("UPDATE users SET role = ? WHERE tenant_id = ? AND account_id = ?")
        .bind(role)
        .bind(t.0)
        .bind(account_id)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::User(account_id)).await?;
    Ok(())
}

/// The oldest account holding `role` (the instance's contact).
pub async fn first_with_role(c: &mut Conn, t: TenantId, role: &str) -> Result<Option<crate::accounts::AccountRow>> {
    Ok(c.qa(&format!(
        "SELECT {} FROM accounts a JOIN users u ON u.account_id = a.id \
         WHERE a.tenant_id = ? AND u.tenant_id = ? AND u.role = ? ORDER BY u.id LIMIT 1",
        crate::accounts::COLS
    ))
    .bind(t.0)
    .bind(t.0)
    .bind(role)
    .fetch_optional(c.ex())
    .await?)
}

pub async fn set_approved(c: &mut Conn, t: TenantId, account_id: i64) -> Result<()> {
    c.q("UPDATE users SET approved = 1 WHERE tenant_id = ? AND account_id = ?")
        .bind(t.0)
        .bind(account_id)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::User(account_id)).await?;
    Ok(())
}

/// Changes who may quote a member's new posts by default.
pub async fn set_quote_policy(c: &mut Conn, t: TenantId, account_id: i64, policy: &str) -> Result<()> {
    c.q("UPDATE users SET default_quote_policy = ? WHERE tenant_id = ? AND account_id = ?")
        .bind(policy)
        .bind(t.0)
        .bind(account_id)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::User(account_id)).await?;
    Ok(())
}

/// Changes posting defaults; `None` keeps one (a language of `Some(None)` clears it).
pub async fn set_defaults(
    c: &mut Conn,
    t: TenantId,
    account_id: i64,
    visibility: Option<&str>,
    sensitive: Option<bool>,
    language: Option<Option<&str>>,
) -> Result<()> {
    c.q("UPDATE users SET default_visibility = COALESCE(?, default_visibility), \
         default_sensitive = COALESCE(?, default_sensitive), \
         default_language = CASE WHEN ? = 1 THEN ? ELSE default_language END WHERE tenant_id = ? AND account_id = ?")
        .bind(visibility)
        .bind(sensitive.map(i64::from))
        .bind(i64::from(language.is_some()))
        .bind(language.flatten())
        .bind(t.0)
        .bind(account_id)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::User(account_id)).await?;
    Ok(())
}

pub async fn set_password(c: &mut Conn, t: TenantId, account_id: i64, hash: &str) -> Result<()> {
    c.q("UPDATE users SET password_hash = ? WHERE tenant_id = ? AND account_id = ?")
        .bind(hash)
        .bind(t.0)
        .bind(account_id)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::User(account_id)).await?;
    Ok(())
}

/// Local accounts with their users, oldest first; `pending` keeps those awaiting approval.
pub async fn list(c: &mut Conn, t: TenantId, pending: bool) -> Result<Vec<(String, UserRow)>> {
    let rows = c
        .q(&format!(
            "SELECT a.username, {} FROM users u JOIN accounts a ON a.id = u.account_id \
             WHERE u.tenant_id = ? AND a.tenant_id = ?{} ORDER BY u.id",
            COLS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", "),
            if pending { " AND u.approved = 0" } else { "" }
        ))
        .bind(t.0)
        .bind(t.0)
        .fetch_all(c.ex())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        use sqlx::Row;
        out.push((r.try_get("username")?, UserRow::from_row(&r)?));
    }
    Ok(out)
}

pub async fn count_role(c: &mut Conn, t: TenantId, role: &str) -> Result<i64> {
    Ok(c.qs("SELECT COUNT(*) FROM users WHERE tenant_id = ? AND role = ?")
        .bind(t.0)
        .bind(role)
        .fetch_one(c.ex())
        .await?)
}

/// The accounts holding any of these roles (an instance's staff).
pub async fn with_roles(c: &mut Conn, t: TenantId, roles: &[&str]) -> Result<Vec<i64>> {
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT account_id FROM users WHERE tenant_id = ? AND disabled = 0 AND role IN ({})",
        crate::placeholders(roles.len())
    );
    let mut q = c.qs(&sql).bind(t.0);
    for r in roles {
        q = q.bind(*r);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// A user's second factor: the sealed TOTP secret (set while enrolling, on once
/// `enabled_at` is set) and the digests of unused recovery codes (a JSON array).
#[derive(Debug, Clone, FromRow)]
pub struct TwoFactorRow {
    pub otp_sealed: Option<String>,
    pub otp_enabled_at: Option<i64>,
    pub otp_recovery: String,
}

pub async fn two_factor(c: &mut Conn, t: TenantId, account_id: i64) -> Result<Option<TwoFactorRow>> {
    Ok(
        c.qa("SELECT otp_sealed, otp_enabled_at, otp_recovery FROM users WHERE tenant_id = ? AND account_id = ?")
            .bind(t.0)
            .bind(account_id)
            .fetch_optional(c.ex())
            .await?,
    )
}

pub async fn set_two_factor(c: &mut Conn, t: TenantId, account_id: i64, f: &TwoFactorRow) -> Result<()> {
    c.q("UPDATE users SET otp_sealed = ?, otp_enabled_at = ?, otp_recovery = ? WHERE tenant_id = ? AND account_id = ?")
        .bind(f.otp_sealed.as_deref())
        .bind(f.otp_enabled_at)
        .bind(&f.otp_recovery)
        .bind(t.0)
        .bind(account_id)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// Uses a TOTP step: false when this step or a later one was used already (a code works once).
pub async fn use_otp_step(c: &mut Conn, t: TenantId, account_id: i64, step: i64) -> Result<bool> {
    let done = c
        .q("UPDATE users SET otp_last_step = ? WHERE tenant_id = ? AND account_id = ? AND otp_last_step < ?")
        .bind(step)
        .bind(t.0)
        .bind(account_id)
        .bind(step)
        .execute(c.ex())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The staff of an instance (every local account whose role is not `member`) with their
/// usernames and when they turned two-factor authentication on, for the organization console.
pub async fn staff(c: &mut Conn, t: TenantId) -> Result<Vec<(String, UserRow, Option<i64>)>> {
    let rows = c
        .q(&format!(
            "SELECT a.username, u.otp_enabled_at, {} FROM users u JOIN accounts a ON a.id = u.account_id \
             WHERE u.tenant_id = ? AND a.tenant_id = ? AND u.role <> 'member' ORDER BY a.username",
            COLS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", "),
        ))
        .bind(t.0)
        .bind(t.0)
        .fetch_all(c.ex())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        use sqlx::Row;
        out.push((r.try_get("username")?, UserRow::from_row(&r)?, r.try_get("otp_enabled_at")?));
    }
    Ok(out)
}
