//! Signing in: a password opens a pending session (ten minutes) that only the second factor
//! turns into a full one, with a new token (the pending token is dropped, so a token seen
//! before the second factor is worth nothing after it). A staff member without a second
//! factor enrols one first; there is no way around it.

use herd_core::{Id, Timestamp, secret};
use herd_store::staff::{self, StaffRow};

use super::{PENDING_MS, SESSION_MS, Staff};
use crate::auth::password;
use crate::two_factor::{self, Enrolment, Totp};
use crate::{App, AppError, Result};

const PURPOSE: &str = "staff-totp";

/// A password accepted: the pending session's token, and whether a second factor must be
/// enrolled (else asked for).
pub struct SignedIn {
    pub token: String,
    pub needs_enrolment: bool,
}

fn refused() -> AppError {
    AppError::Unauthorized("Invalid e-mail address or password".into())
}

async fn new_session(c: &mut herd_store::Conn, staff_id: i64, stage: &str, ttl: i64) -> Result<String> {
    let token = secret::generate();
    let now = Timestamp::now().0;
    staff::insert_session(c, Id::generate().0, staff_id, &secret::digest(&token), stage, now, now + ttl).await?;
    Ok(token)
}

pub async fn sign_in(app: &App, email: &str, password_given: &str) -> Result<SignedIn> {
    let row = {
        let mut c = app.db.conn().await?;
        staff::by_email(&mut c, &email.trim().to_ascii_lowercase()).await?
    };
    // The hash is checked even for an unknown address, so timing tells nothing.
    let stored = row.as_ref().map(|r| r.password_hash.clone());
    let ok = password::verify(password_given.to_string(), stored).await?;
    let row = match row {
        Some(r) if ok && r.disabled_at.is_none() => r,
        _ => return Err(refused()),
    };
    let mut tx = app.db.begin().await?;
    let token = new_session(&mut tx, row.id, "password", PENDING_MS).await?;
    tx.commit().await?;
    Ok(SignedIn {
        token,
        needs_enrolment: row.totp_enabled_at.is_none(),
    })
}

/// The staff member of a pending session.
async fn pending(app: &App, token: &str) -> Result<StaffRow> {
    let mut c = app.db.conn().await?;
    let expired = || AppError::Unauthorized("The sign-in has expired; sign in again".into());
    let (_, id, stage) = staff::session(&mut c, &secret::digest(token), Timestamp::now().0)
        .await?
        .ok_or_else(expired)?;
    if stage != "password" {
        return Err(expired());
    }
    staff::by_id(&mut c, id)
        .await?
        .filter(|r| r.disabled_at.is_none())
        .ok_or_else(expired)
}

/// Starts enrolment for a pending session without a second factor: a new secret, sealed
/// and kept until a code from it confirms it.
pub async fn enrol(app: &App, token: &str, issuer: &str) -> Result<Enrolment> {
    let mut row = pending(app, token).await?;
    if row.totp_enabled_at.is_some() {
        return Err(AppError::Forbidden("Two-factor authentication is set up already".into()));
    }
    let totp = match &row.totp_sealed {
        Some(s) => Totp::from_secret(app.settings.seal.open(PURPOSE, s)?),
        None => {
            let t = Totp::generate();
            row.totp_sealed = Some(app.settings.seal.seal(PURPOSE, t.secret())?);
            row.updated_at = Timestamp::now().0;
            let mut c = app.db.conn().await?;
            staff::update(&mut c, &row).await?;
            t
        }
    };
    Ok(Enrolment {
        secret: totp.base32(),
        uri: totp.uri(issuer, &row.email),
    })
}

/// Checks a TOTP code of `row` and uses its step (once only).
async fn check_code(app: &App, c: &mut herd_store::Conn, row: &StaffRow, code: &str) -> Result<bool> {
    let Some(sealed) = &row.totp_sealed else { return Ok(false) };
    let totp = Totp::from_secret(app.settings.seal.open(PURPOSE, sealed)?);
    match totp.step_of(code, two_factor::now_secs())? {
        Some(step) => Ok(staff::use_step(c, row.id, step).await?),
        None => Ok(false),
    }
}

fn wrong_code() -> AppError {
    AppError::Unauthorized("Invalid two-factor code".into())
}

/// Confirms enrolment with a code from the app: the second factor is on, the session full.
/// Returns the full session's token and the recovery codes (shown once).
pub async fn confirm_enrolment(app: &App, token: &str, code: &str) -> Result<(String, Vec<String>)> {
    let mut row = pending(app, token).await?;
    if row.totp_enabled_at.is_some() {
        return Err(AppError::Forbidden("Two-factor authentication is set up already".into()));
    }
    let mut tx = app.db.begin().await?;
    if !check_code(app, &mut tx, &row, code).await? {
        return Err(wrong_code());
    }
    let (codes, digests) = two_factor::new_recovery_codes();
    let now = Timestamp::now().0;
    row.totp_enabled_at = Some(now);
    row.recovery_codes = digests;
    row.last_sign_in_at = Some(now);
    row.updated_at = now;
    row.totp_last_step = staff::by_id(&mut tx, row.id)
        .await?
        .map_or(row.totp_last_step, |r| r.totp_last_step);
    staff::update(&mut tx, &row).await?;
    staff::delete_session(&mut tx, &secret::digest(token)).await?;
    let full = new_session(&mut tx, row.id, "full", SESSION_MS).await?;
    let s = Staff::from_row(row.clone())?;
    crate::organizations::audit(
        &mut tx,
        None,
        &s.actor(),
        "staff.two_factor.enable",
        &row.email,
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok((full, codes))
}

/// The second step of signing in: a TOTP code or an unused recovery code. Returns the full
/// session's token.
pub async fn second_factor(app: &App, token: &str, code: &str) -> Result<String> {
    let mut row = pending(app, token).await?;
    if row.totp_enabled_at.is_none() {
        return Err(AppError::Forbidden("Set up two-factor authentication first".into()));
    }
    let mut tx = app.db.begin().await?;
    let by_code = check_code(app, &mut tx, &row, code).await?;
    let mut used_recovery = false;
    if !by_code {
        row.recovery_codes = two_factor::spend_recovery(&row.recovery_codes, code).ok_or_else(wrong_code)?;
        used_recovery = true;
    }
    let now = Timestamp::now().0;
    row.totp_last_step = staff::by_id(&mut tx, row.id)
        .await?
        .map_or(row.totp_last_step, |r| r.totp_last_step);
    row.last_sign_in_at = Some(now);
    row.updated_at = now;
    staff::update(&mut tx, &row).await?;
    staff::delete_session(&mut tx, &secret::digest(token)).await?;
    let full = new_session(&mut tx, row.id, "full", SESSION_MS).await?;
    let s = Staff::from_row(row.clone())?;
    crate::organizations::audit(
        &mut tx,
        None,
        &s.actor(),
        "staff.sign_in",
        &row.email,
        serde_json::json!({"recovery_code": used_recovery}),
    )
    .await?;
    tx.commit().await?;
    Ok(full)
}

pub async fn sign_out(app: &App, token: &str) -> Result<()> {
    let mut c = app.db.conn().await?;
    staff::delete_session(&mut c, &secret::digest(token)).await?;
    Ok(())
}
