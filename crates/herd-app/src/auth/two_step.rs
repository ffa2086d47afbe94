//! Signing in through a browser (the OAuth page and the instance's own pages): the password,
//! then, for an account with two-factor authentication on, a code. Between the two steps
//! the browser holds a ticket: the account and a deadline, sealed with the server's key
//! for this instance, so any node can take the second step and nothing is stored.

use herd_core::Timestamp;

use crate::{App, AppError, Result, Tenant};

const PURPOSE: &str = "sign-in-ticket";
/// How long the code may follow the password.
pub const TICKET_MS: i64 = 10 * 60 * 1000;

/// An account whose sign-in is complete: only these two steps make one.
#[derive(Debug, Clone, Copy)]
pub struct SignedIn(i64);

impl SignedIn {
    pub fn account(&self) -> i64 {
        self.0
    }
}

pub enum FirstFactor {
    Done(SignedIn),
    /// A second factor is needed; the ticket goes back with the code.
    Code(String),
}

/// The password step.
pub async fn password_step(app: &App, tenant: &Tenant, login: &str, password: String) -> Result<FirstFactor> {
    let account = super::authenticate::sign_in(app, tenant, login, password).await?;
    if !crate::accounts::two_factor::enabled(app, tenant, account).await? {
        return Ok(FirstFactor::Done(SignedIn(account)));
    }
    let deadline = Timestamp::now().0 + TICKET_MS;
    let plain = format!("{}:{account}:{deadline}", tenant.id.0);
    Ok(FirstFactor::Code(app.settings.seal.seal(PURPOSE, plain.as_bytes())?))
}

fn expired() -> AppError {
    AppError::Unauthorized("The sign-in has expired; sign in again".into())
}

/// The account and tenant a ticket names, if it is one of this server's and unexpired.
fn open(app: &App, ticket: &str) -> Option<(i64, i64, i64)> {
    let plain = String::from_utf8(app.settings.seal.open(PURPOSE, ticket).ok()?).ok()?;
    let mut parts = plain.split(':').map(|p| p.parse::<i64>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

/// What the code attempts of a ticket are counted against: its account, so that fresh
/// tickets bring no fresh attempts.
pub fn attempts_key(app: &App, ticket: &str) -> String {
    match open(app, ticket) {
        Some((t, account, _)) => format!("otp:{t}:{account}"),
        None => "otp:invalid".into(),
    }
}

/// The code step: a TOTP code or a recovery code for the ticket's account.
pub async fn code_step(app: &App, tenant: &Tenant, ticket: &str, code: &str) -> Result<SignedIn> {
    let (t, account, deadline) = open(app, ticket).ok_or_else(expired)?;
    if t != tenant.id.0 || deadline < Timestamp::now().0 {
        return Err(expired());
    }
    let mut tx = app.db.begin().await?;
    if !crate::accounts::two_factor::check(app, &mut tx, tenant, account, code).await? {
        return Err(AppError::Unauthorized("Invalid two-factor code".into()));
    }
    tx.commit().await?;
    // Disabled or suspended since the password step: refused as the password step would.
    super::authenticate::check_standing(app, tenant, account).await?;
    Ok(SignedIn(account))
}

impl SignedIn {
    /// A sign-in made elsewhere in this crate (single sign-on), for an account whose
    /// standing the caller has checked.
    pub(crate) fn made(account: i64) -> SignedIn {
        SignedIn(account)
    }
}

const HANDOVER: &str = "signed-in-ticket";

/// A completed sign-in carried to a next page (the OAuth consent after single sign-on):
/// sealed like the code step's ticket, for [`TICKET_MS`].
pub fn hand_over(app: &App, tenant: &Tenant, signed: SignedIn) -> Result<String> {
    let deadline = Timestamp::now().0 + TICKET_MS;
    let plain = format!("{}:{}:{deadline}", tenant.id.0, signed.0);
    app.settings.seal.seal(HANDOVER, plain.as_bytes())
}

/// The sign-in [`hand_over`] sealed, if unexpired, of this instance, and the account may
/// still sign in.
pub async fn take_over(app: &App, tenant: &Tenant, ticket: &str) -> Result<SignedIn> {
    let plain = app
        .settings
        .seal
        .open(HANDOVER, ticket)
        .ok()
        .and_then(|p| String::from_utf8(p).ok())
        .ok_or_else(expired)?;
    let mut parts = plain.split(':').map(|p| p.parse::<i64>().ok());
    let (Some(Some(t)), Some(Some(account)), Some(Some(deadline))) = (parts.next(), parts.next(), parts.next()) else {
        return Err(expired());
    };
    if t != tenant.id.0 || deadline < Timestamp::now().0 {
        return Err(expired());
    }
    super::authenticate::check_standing(app, tenant, account).await?;
    Ok(SignedIn(account))
}
