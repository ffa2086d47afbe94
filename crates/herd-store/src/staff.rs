//! The provider's staff, their browser sessions and their API tokens. Provider-level rows
//! (no tenant): each query names the staff member, session or token it reads.

use sqlx::FromRow;

use crate::{Conn, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StaffRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub totp_sealed: Option<String>,
    pub totp_enabled_at: Option<i64>,
    pub recovery_codes: String,
    pub totp_last_step: i64,
    pub disabled_at: Option<i64>,
    pub last_sign_in_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLS: &str = "id, email, name, role, password_hash, totp_sealed, totp_enabled_at, recovery_codes, totp_last_step, \
    disabled_at, last_sign_in_at, created_at, updated_at";

pub async fn insert(c: &mut Conn, s: &StaffRow) -> Result<()> {
    c.q(&format!(
        "INSERT INTO staff ({COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(s.id)
    .bind(s.email.clone())
    .bind(s.name.clone())
    .bind(s.role.clone())
    .bind(s.password_hash.clone())
    .bind(s.totp_sealed.clone())
    .bind(s.totp_enabled_at)
    .bind(s.recovery_codes.clone())
    .bind(s.totp_last_step)
    .bind(s.disabled_at)
    .bind(s.last_sign_in_at)
    .bind(s.created_at)
    .bind(s.updated_at)
    .execute(c.ex())
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Writes every changeable field of a staff row.
pub async fn update(c: &mut Conn, s: &StaffRow) -> Result<()> {
    c.q(
        "UPDATE staff SET name = ?, role = ?, password_hash = ?, totp_sealed = ?, totp_enabled_at = ?, recovery_codes = ?, \
         totp_last_step = ?, disabled_at = ?, last_sign_in_at = ?, updated_at = ? WHERE id = ?",
    )
    .bind(s.name.clone())
    .bind(s.role.clone())
    .bind(s.password_hash.clone())
    .bind(s.totp_sealed.clone())
    .bind(s.totp_enabled_at)
    .bind(s.recovery_codes.clone())
    .bind(s.totp_last_step)
    .bind(s.disabled_at)
    .bind(s.last_sign_in_at)
    .bind(s.updated_at)
    .bind(s.id)
    .execute(c.ex())
    .await?;
    Ok(())
}

/// Moves the last used TOTP step forward; false if `step` was used already (a replayed
/// code), decided by the database so two requests cannot both use one code.
pub async fn use_step(c: &mut Conn, id: i64, step: i64) -> Result<bool> {
    let r = c
        .q("UPDATE staff SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?")
        .bind(step)
        .bind(id)
        .bind(step)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn by_email(c: &mut Conn, email: &str) -> Result<Option<StaffRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM staff WHERE email = ?"))
        .bind(email)
        .fetch_optional(c.ex())
        .await?)
}

pub async fn by_id(c: &mut Conn, id: i64) -> Result<Option<StaffRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM staff WHERE id = ?"))
        .bind(id)
        .fetch_optional(c.ex())
        .await?)
}

pub async fn list(c: &mut Conn) -> Result<Vec<StaffRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM staff ORDER BY email")).fetch_all(c.ex()).await?)
}

pub async fn insert_session(c: &mut Conn, id: i64, staff: i64, token_hash: &str, stage: &str, now: i64, expires_at: i64) -> Result<()> {
    c.q("INSERT INTO staff_sessions (id, staff_id, token_hash, stage, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(id)
        .bind(staff)
        .bind(token_hash)
        .bind(stage)
        .bind(now)
        .bind(expires_at)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// The session with that token digest, unexpired at `now`: (session id, staff id, stage).
pub async fn session(c: &mut Conn, token_hash: &str, now: i64) -> Result<Option<(i64, i64, String)>> {
    Ok(
        c.qa("SELECT id, staff_id, stage FROM staff_sessions WHERE token_hash = ? AND expires_at > ?")
            .bind(token_hash)
            .bind(now)
            .fetch_optional(c.ex())
            .await?,
    )
}

pub async fn delete_session(c: &mut Conn, token_hash: &str) -> Result<()> {
    c.q("DELETE FROM staff_sessions WHERE token_hash = ?")
        .bind(token_hash)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// Ends every session of a staff member (disabled, password or second factor reset).
pub async fn delete_sessions_of(c: &mut Conn, staff: i64) -> Result<()> {
    c.q("DELETE FROM staff_sessions WHERE staff_id = ?")
        .bind(staff)
        .execute(c.ex())
        .await?;
    Ok(())
}

pub async fn insert_token(c: &mut Conn, id: i64, staff: i64, name: &str, token_hash: &str, now: i64) -> Result<()> {
    c.q("INSERT INTO staff_tokens (id, staff_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(id)
        .bind(staff)
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// The staff id of an unrevoked API token with that digest.
pub async fn token(c: &mut Conn, token_hash: &str) -> Result<Option<(i64, i64)>> {
    Ok(
        c.qa("SELECT id, staff_id FROM staff_tokens WHERE token_hash = ? AND revoked_at IS NULL")
            .bind(token_hash)
            .fetch_optional(c.ex())
            .await?,
    )
}

pub async fn revoke_tokens_of(c: &mut Conn, staff: i64, now: i64) -> Result<()> {
    c.q("UPDATE staff_tokens SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL")
        .bind(now)
        .bind(staff)
        .execute(c.ex())
        .await?;
    Ok(())
}
