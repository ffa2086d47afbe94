//! Coming back from the provider: the state checked against the browser's sealed copy, the
//! code exchanged (with the PKCE verifier), the ID token verified (signature by the
//! provider's published keys, issuer, audience, expiry, nonce), then the account: the one
//! this person signed in as before, else the one the configured claim matches, else a new
//! one where the instance allows it.

use herd_core::{Email, Role, Timestamp, Username};
use herd_store::{accounts, sso, teams, users};
use openidconnect::core::CoreUserInfoClaims;
use openidconnect::{AuthorizationCode, Nonce, OAuth2TokenResponse, PkceCodeVerifier, RequestTokenError, TokenResponse};
use subtle::ConstantTimeEq;

use super::begin::{Pending, STATE};
use super::{MatchClaim, describe, http, unreachable};
use crate::accounts::NewLocalAccount;
use crate::auth::SignedIn;
use crate::{Actor, App, AppError, Result, Tenant, audit};

pub struct Finished {
    pub signed: SignedIn,
    /// What the caller gave [`super::begin`].
    pub return_to: String,
    /// True when this sign-in made the account.
    pub created: bool,
}

fn expired() -> AppError {
    AppError::Unauthorized("The sign-in has expired or did not start here; sign in again".into())
}

/// What the provider says about the person.
#[derive(Debug, Default)]
struct Person {
    subject: String,
    email: Option<String>,
    email_verified: bool,
    username: Option<String>,
    name: Option<String>,
}

/// Completes a sign-in: `sealed` is what [`super::begin`] gave the browser, `state` and
/// `code` what the provider sent it back with.
pub async fn finish(app: &App, tenant: &Tenant, sealed: &str, state: &str, code: &str) -> Result<Finished> {
    let p: Pending = app
        .settings
        .seal
        .open(STATE, sealed)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(expired)?;
    if p.tenant != tenant.id.0 || p.deadline < Timestamp::now().0 || !bool::from(p.state.as_bytes().ct_eq(state.as_bytes())) {
        return Err(expired());
    }
    let mut c = app.db.conn().await?;
    let row = sso::get(&mut c, tenant.id).await?.ok_or_else(expired)?;
    drop(c);
    if row.issuer != p.issuer {
        return Err(expired());
    }
    let person = person(app, tenant, &row, &p, code).await?;
    let claim = MatchClaim::parse(&row.match_claim)?;
    let (account, created) = account_for(app, tenant, &row.issuer, claim, row.create_accounts != 0, &person).await?;
    crate::auth::authenticate::check_standing(app, tenant, account).await?;
    let mut c = app.db.conn().await?;
    sso::touch(&mut c, tenant.id, &row.issuer, &person.subject, Timestamp::now().0).await?;
    Ok(Finished {
        signed: SignedIn::made(account),
        return_to: p.return_to,
        created,
    })
}

/// The code exchanged and the person's claims, from the ID token and, for what it lacks,
/// the userinfo endpoint.
async fn person(app: &App, tenant: &Tenant, row: &sso::SsoRow, p: &Pending, code: &str) -> Result<Person> {
    let client = super::configured(app, tenant, row).await?;
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(unreachable)?
        .set_pkce_verifier(PkceCodeVerifier::new(p.verifier.clone()))
        .request_async(&http(app))
        .await
        .map_err(|e| match &e {
            RequestTokenError::ServerResponse(_) => {
                AppError::Unauthorized(format!("The sign-in provider refused the sign-in: {}", describe(&e)))
            }
            _ => unreachable(describe(&e)),
        })?;
    let id_token = token
        .id_token()
        .ok_or_else(|| AppError::Unauthorized("The sign-in provider sent no ID token".into()))?;
    let claims = id_token
        .claims(&client.id_token_verifier(), &Nonce::new(p.nonce.clone()))
        .map_err(|e| AppError::Unauthorized(format!("The sign-in provider's ID token is not valid: {}", describe(&e))))?;
    let mut person = Person {
        subject: claims.subject().as_str().to_string(),
        email: claims.email().map(|e| e.as_str().to_string()),
        email_verified: claims.email_verified() == Some(true),
        username: claims.preferred_username().map(|u| u.as_str().to_string()),
        name: claims.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_string()),
    };
    if (person.email.is_none() || person.username.is_none() || person.name.is_none()) && client.user_info_url().is_some() {
        let info: CoreUserInfoClaims = client
            .user_info(token.access_token().clone(), Some(claims.subject().clone()))
            .map_err(unreachable)?
            .request_async(&http(app))
            .await
            .map_err(|e| unreachable(describe(&e)))?;
        if person.email.is_none() {
            person.email = info.email().map(|e| e.as_str().to_string());
            person.email_verified = info.email_verified() == Some(true);
        }
        person.username = person
            .username
            .or_else(|| info.preferred_username().map(|u| u.as_str().to_string()));
        person.name = person
            .name
            .or_else(|| info.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_string()));
    }
    Ok(person)
}

/// The account this person signs in as, and whether it was made now.
async fn account_for(app: &App, tenant: &Tenant, issuer: &str, claim: MatchClaim, create: bool, person: &Person) -> Result<(i64, bool)> {
    let mut c = app.db.conn().await?;
    if let Some(account) = sso::identity(&mut c, tenant.id, issuer, &person.subject).await? {
        return Ok((account, false));
    }
    let matched = match claim {
        MatchClaim::Email => match &person.email {
            Some(email) if person.email_verified => users::by_email(&mut c, tenant.id, email).await?.map(|u| u.account_id),
            Some(_) => {
                return Err(AppError::Forbidden(
                    "Your sign-in provider has not verified your e-mail address, so it cannot be matched to an account here".into(),
                ));
            }
            None => None,
        },
        MatchClaim::PreferredUsername => match &person.username {
            Some(name) => match accounts::by_username(&mut c, tenant.id, name, "").await? {
                Some(a) if users::by_account(&mut c, tenant.id, a.id).await?.is_some() => Some(a.id),
                _ => None,
            },
            None => None,
        },
    };
    if let Some(account) = matched {
        if teams::is_team(&mut c, tenant.id, account).await? {
            return Err(AppError::Forbidden(
                "That is a team account: sign in as yourself, then choose the team to act as".into(),
            ));
        }
        drop(c);
        return Ok((link(app, tenant, issuer, person, account, "sso.link").await?, false));
    }
    if !create {
        return Err(AppError::Forbidden(format!(
            "No account on {} matches your sign-in; ask one of its admins to invite you",
            tenant.row.title
        )));
    }
    drop(c);
    let account = make(app, tenant, person).await?;
    Ok((link(app, tenant, issuer, person, account, "sso.account.create").await?, true))
}

/// Links the person to `account`, with an audit record; the account they are linked to
/// (another sign-in of theirs may have linked them a moment before).
async fn link(app: &App, tenant: &Tenant, issuer: &str, person: &Person, account: i64, action: &str) -> Result<i64> {
    let mut tx = app.db.begin().await?;
    if !sso::link(&mut tx, tenant.id, issuer, &person.subject, account, Timestamp::now().0).await? {
        return sso::identity(&mut tx, tenant.id, issuer, &person.subject)
            .await?
            .ok_or_else(expired);
    }
    let username = accounts::by_id(&mut tx, tenant.id, account).await?.username;
    audit(
        &mut tx,
        tenant.id,
        &Actor::Account(account),
        action,
        &username,
        serde_json::json!({"issuer": issuer, "subject": person.subject}),
    )
    .await?;
    tx.commit().await?;
    Ok(account)
}

/// A new member account from the provider's claims: the username from
/// `preferred_username` (or the e-mail address's local part), made valid and unique; the
/// provider vouches for the person, so it is approved at once, and confirmed when the
/// provider verified the address. Its password is random and shown to nobody.
async fn make(app: &App, tenant: &Tenant, person: &Person) -> Result<i64> {
    let email = person
        .email
        .as_deref()
        .ok_or_else(|| AppError::Forbidden("Your sign-in provider did not give an e-mail address, which a new account needs".into()))?;
    let email = Email::parse(email).map_err(|e| AppError::Forbidden(format!("Your sign-in provider's e-mail address: {e}")))?;
    let wanted = person
        .username
        .clone()
        .unwrap_or_else(|| email.as_str().split('@').next().unwrap_or_default().to_string());
    let base = username_from(&wanted);
    let mut c = app.db.conn().await?;
    let mut username = None;
    for n in 1..100 {
        let candidate = if n == 1 {
            base.clone()
        } else {
            let suffix = n.to_string();
            format!("{}{suffix}", &base[..base.len().min(30 - suffix.len())])
        };
        if accounts::by_username(&mut c, tenant.id, &candidate, "").await?.is_none() {
            username = Some(candidate);
            break;
        }
    }
    drop(c);
    let username = username.ok_or_else(|| AppError::Conflict(format!("No free username like {base:?} is left")))?;
    let (row, _) = crate::accounts::create(
        app,
        tenant,
        &Actor::Visitor,
        NewLocalAccount {
            username: Username::parse(&username)?,
            email,
            password: None,
            role: Role::Member,
            approved: true,
            confirmed: person.email_verified,
            locale: tenant.row.languages.split(',').next().unwrap_or("en").trim().to_string(),
            reason: "single sign-on".into(),
            team: false,
        },
    )
    .await?;
    if let Some(name) = person.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        let change = accounts::ProfileChange {
            display_name: Some(name.chars().take(30).collect()),
            ..Default::default()
        };
        let mut c = app.db.conn().await?;
        accounts::update_profile(&mut c, tenant.id, row.id, &change, Timestamp::now().0).await?;
    }
    Ok(row.id)
}

/// A valid username from what the provider calls the person: letters, digits and
/// underscores kept (others become underscores), at most 30 characters.
fn username_from(wanted: &str) -> String {
    let mut s: String = wanted
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(30)
        .collect();
    s = s.trim_matches('_').to_string();
    if s.is_empty() { "member".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::username_from;

    #[test]
    fn usernames_from_claims() {
        assert_eq!(username_from("alice"), "alice");
        assert_eq!(username_from("Jörg.Müller"), "J_rg_M_ller");
        assert_eq!(username_from("__"), "member");
        assert_eq!(username_from(&"x".repeat(40)).len(), 30);
    }
}
