//! Sign-up through the API (`POST /api/v1/accounts`), checked as Mastodon checks it: every
//! field at once, each problem named in Mastodon's words and codes (`ERR_TAKEN`, ...), so an
//! app can show each beside its field.

use herd_core::{Email, RegistrationMode, Role, Username};
use herd_store::{accounts, users};

use super::{NewLocalAccount, create};
use crate::error::FieldError;
use crate::{Actor, App, AppError, Result, Tenant};
use herd_store::accounts::AccountRow;

/// What a sign-up form sends, unchecked.
pub struct SignUp {
    pub username: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub agreement: bool,
    pub reason: String,
    pub locale: String,
    /// No e-mail is sent yet, so an address cannot be confirmed: accounts start confirmed.
    pub confirmed: bool,
    /// Where the request came from, for the instance's IP blocks.
    pub ip: Option<std::net::IpAddr>,
}

pub async fn sign_up(app: &App, tenant: &Tenant, s: SignUp) -> Result<AccountRow> {
    let mode = tenant.registrations();
    let mut errors = Vec::new();
    let blank = |field, label| FieldError::new(field, label, "ERR_BLANK", "can't be blank");
    let username = match s.username.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        None => {
            errors.push(blank("username", "Username"));
            None
        }
        Some(u) => match Username::parse(u) {
            Ok(u) => Some(u),
            Err(_) => {
                errors.push(FieldError::new(
                    "username",
                    "Username",
                    "ERR_INVALID",
                    "must contain only letters, numbers and underscores",
                ));
                None
            }
        },
    };
    let email = match s.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        None => {
            errors.push(blank("email", "E-mail address"));
            None
        }
        Some(e) => match Email::parse(e) {
            Ok(e) => Some(e),
            Err(_) => {
                errors.push(FieldError::new("email", "E-mail address", "ERR_INVALID", "is invalid"));
                None
            }
        },
    };
    match s.password.as_deref().map(|p| p.chars().count()) {
        None | Some(0) => errors.push(blank("password", "Password")),
        Some(n) if n < 8 => errors.push(FieldError::new(
            "password",
            "Password",
            "ERR_TOO_SHORT",
            "is too short (minimum is 8 characters)",
        )),
        Some(n) if n > 72 => errors.push(FieldError::new(
            "password",
            "Password",
            "ERR_TOO_LONG",
            "is too long (maximum is 72 characters)",
        )),
        Some(_) => {}
    }
    if !s.agreement {
        errors.push(FieldError::new(
            "agreement",
            "Service agreement",
            "ERR_ACCEPTED",
            "must be accepted",
        ));
    }
    if mode == RegistrationMode::Approval && s.reason.trim().is_empty() {
        errors.push(blank("reason", "Reason"));
    }
    {
        let mut c = app.db.conn().await?;
        if let Some(u) = &username
            && accounts::by_username(&mut c, tenant.id, u.as_str(), "").await?.is_some()
        {
            errors.push(FieldError::new("username", "Username", "ERR_TAKEN", "has already been taken"));
        }
        if let Some(e) = &email
            && users::by_email(&mut c, tenant.id, e.as_str()).await?.is_some()
        {
            errors.push(FieldError::new("email", "E-mail address", "ERR_TAKEN", "has already been taken"));
        }
    }
    let mut approval = mode != RegistrationMode::Open;
    if let Some(e) = &email {
        match crate::access::gate(app, tenant.id, e.as_str(), s.ip).await? {
            crate::access::Gate::Open => {}
            crate::access::Gate::Approval => approval = true,
            crate::access::Gate::Blocked("ip") => {
                return Err(AppError::Forbidden(
                    "Sign-ups from your address are not allowed on this instance".into(),
                ));
            }
            crate::access::Gate::Blocked(_) => {
                errors.push(FieldError::new(
                    "email",
                    "E-mail address",
                    "ERR_BLOCKED",
                    "uses a disallowed e-mail provider",
                ));
            }
        }
    }
    let (Some(username), Some(email), Some(password), true) = (username, email, s.password, errors.is_empty()) else {
        return Err(AppError::Fields(errors));
    };
    let (row, _) = create(
        app,
        tenant,
        &Actor::Operator,
        NewLocalAccount {
            username,
            email,
            password: Some(password),
            role: Role::Member,
            approved: !approval,
            confirmed: s.confirmed,
            locale: s.locale,
            reason: s.reason,
            team: false,
        },
    )
    .await?;
    Ok(row)
}
