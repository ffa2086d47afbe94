//! A member's second factor, as Mastodon has it: turned on from the settings page on the
//! instance's domain (a TOTP secret, confirmed by a code from the app, then ten recovery
//! codes shown once), then asked for by every sign-in in a browser, and the password grant
//! refused. An admin of the instance can turn it off for someone who lost their device.

use herd_core::Timestamp;
use herd_store::users::{self, TwoFactorRow};

use crate::two_factor::{self, Enrolment, Totp};
use crate::{Actor, App, AppError, Result, Tenant, audit};

const PURPOSE: &str = "user-totp";

async fn row(c: &mut herd_store::Conn, tenant: &Tenant, account: i64) -> Result<TwoFactorRow> {
    users::two_factor(c, tenant.id, account)
        .await?
        .ok_or(AppError::NotFound("Record not found"))
}

/// Whether the account signs in with a second factor.
pub async fn enabled(app: &App, tenant: &Tenant, account: i64) -> Result<bool> {
    let mut c = app.db.conn().await?;
    Ok(row(&mut c, tenant, account).await?.otp_enabled_at.is_some())
}

/// Starts enrolment: a secret (kept sealed until a code confirms it; the same one until then).
pub async fn begin(app: &App, tenant: &Tenant, account: i64, name: &str) -> Result<Enrolment> {
    let mut c = app.db.conn().await?;
    let mut f = row(&mut c, tenant, account).await?;
    if f.otp_enabled_at.is_some() {
        return Err(AppError::Invalid("Two-factor authentication is on already".into()));
    }
    let totp = match &f.otp_sealed {
        Some(s) => Totp::from_secret(app.settings.seal.open(PURPOSE, s)?),
        None => {
            let t = Totp::generate();
            f.otp_sealed = Some(app.settings.seal.seal(PURPOSE, t.secret())?);
            users::set_two_factor(&mut c, tenant.id, account, &f).await?;
            t
        }
    };
    Ok(Enrolment {
        secret: totp.base32(),
        uri: totp.uri(tenant.domain.as_str(), &format!("{name}@{}", tenant.domain)),
    })
}

/// Checks a TOTP code (each step once) or spends a recovery code; false when neither.
pub(crate) async fn check(app: &App, c: &mut herd_store::Conn, tenant: &Tenant, account: i64, code: &str) -> Result<bool> {
    let mut f = row(c, tenant, account).await?;
    let Some(sealed) = &f.otp_sealed else { return Ok(false) };
    let totp = Totp::from_secret(app.settings.seal.open(PURPOSE, sealed)?);
    if let Some(step) = totp.step_of(code, two_factor::now_secs())? {
        return Ok(users::use_otp_step(c, tenant.id, account, step).await?);
    }
    if f.otp_enabled_at.is_none() {
        return Ok(false);
    }
    match two_factor::spend_recovery(&f.otp_recovery, code) {
        Some(left) => {
            f.otp_recovery = left;
            users::set_two_factor(c, tenant.id, account, &f).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

fn wrong_code() -> AppError {
    AppError::Invalid("Invalid two-factor code".into())
}

/// Confirms enrolment with a code from the app: the second factor is on. Returns the
/// recovery codes, shown once.
pub async fn confirm(app: &App, tenant: &Tenant, account: i64, code: &str) -> Result<Vec<String>> {
    let mut tx = app.db.begin().await?;
    let mut f = row(&mut tx, tenant, account).await?;
    if f.otp_enabled_at.is_some() {
        return Err(AppError::Invalid("Two-factor authentication is on already".into()));
    }
    if f.otp_sealed.is_none() || !check(app, &mut tx, tenant, account, code).await? {
        return Err(wrong_code());
    }
    let (codes, digests) = two_factor::new_recovery_codes();
    f.otp_enabled_at = Some(Timestamp::now().0);
    f.otp_recovery = digests;
    users::set_two_factor(&mut tx, tenant.id, account, &f).await?;
    audit(
        &mut tx,
        tenant.id,
        &Actor::Account(account),
        "account.two_factor.enable",
        &account.to_string(),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Turns the member's own second factor off; a current code (or a recovery code) proves
/// it is them.
pub async fn disable(app: &App, tenant: &Tenant, account: i64, code: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    if row(&mut tx, tenant, account).await?.otp_enabled_at.is_none() {
        return Err(AppError::Invalid("Two-factor authentication is not on".into()));
    }
    if !check(app, &mut tx, tenant, account, code).await? {
        return Err(wrong_code());
    }
    users::set_two_factor(&mut tx, tenant.id, account, &off()).await?;
    audit(
        &mut tx,
        tenant.id,
        &Actor::Account(account),
        "account.two_factor.disable",
        &account.to_string(),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn off() -> TwoFactorRow {
    TwoFactorRow {
        otp_sealed: None,
        otp_enabled_at: None,
        otp_recovery: "[]".into(),
    }
}

/// An admin turns someone's second factor off (a lost phone), with an audit record; as on
/// Mastodon, their sessions stay, and the next sign-in asks for the password alone.
pub async fn reset(app: &App, actor: &Actor, tenant: &Tenant, account: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    row(&mut tx, tenant, account).await?;
    users::set_two_factor(&mut tx, tenant.id, account, &off()).await?;
    audit(
        &mut tx,
        tenant.id,
        actor,
        "account.two_factor.reset",
        &account.to_string(),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
