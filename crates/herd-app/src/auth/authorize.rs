use herd_core::{Id, Scopes, Timestamp, secret};
use herd_store::oauth::{self, AppRow};

use crate::{App, AppError, Result, Tenant};

/// What the login and consent page submits.
pub struct Authorization {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Scopes,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    /// Who signed in on the page (password and, where it is on, second factor).
    pub signed_in: super::two_step::SignedIn,
    /// A team account (its username) they act as, when they asked for one.
    pub acting_as: Option<String>,
}

/// Checks an authorization request before the page is shown: the app exists on this
/// instance, the redirect URI is one it registered, and it asks no more than it may.
pub async fn check_client(app: &App, tenant: &Tenant, client_id: &str, redirect_uri: &str, scopes: &Scopes) -> Result<AppRow> {
    let mut c = app.db.conn().await?;
    let row = oauth::app_by_client_id(&mut c, tenant.id, client_id)
        .await?
        .ok_or_else(|| AppError::Unauthorized("Client authentication failed due to unknown client".into()))?;
    if !row.redirect_uris.lines().any(|u| u == redirect_uri) {
        return Err(AppError::BadRequest("The redirect uri included is not valid.".into()));
    }
    let allowed = Scopes::parse(&row.scopes)?;
    if !allowed.contains_all(scopes) {
        return Err(AppError::BadRequest(
            "The requested scope is invalid, unknown, or malformed.".into(),
        ));
    }
    Ok(row)
}

/// Issues a one-time authorization code (valid 10 minutes) to the account that signed in.
pub async fn authorize(app: &App, tenant: &Tenant, a: Authorization) -> Result<String> {
    let client = check_client(app, tenant, &a.client_id, &a.redirect_uri, &a.scopes).await?;
    // RFC 7636: without a method, the challenge is the verifier itself ("plain").
    let method = match (&a.code_challenge, a.code_challenge_method.as_deref()) {
        (None, _) => None,
        (Some(_), None | Some("plain")) => Some("plain"),
        (Some(_), Some("S256")) => Some("S256"),
        (Some(_), Some(other)) => {
            return Err(AppError::BadRequest(format!(
                "Unsupported code challenge method {other:?} (use S256)"
            )));
        }
    };
    let mut c = app.db.conn().await?;
    let team = a
        .acting_as
        .as_deref()
        .map(|u| u.trim().trim_start_matches('@'))
        .filter(|u| !u.is_empty());
    let (account, delegate) = match team {
        None => (a.signed_in.account(), None),
        Some(team) => {
            let not_yours = || AppError::Forbidden(format!("You may not act as @{team}: it is not one of your team accounts"));
            let row = herd_store::accounts::by_username(&mut c, tenant.id, team, "")
                .await?
                .ok_or_else(not_yours)?;
            if !herd_store::teams::is_member(&mut c, tenant.id, row.id, a.signed_in.account()).await? {
                return Err(not_yours());
            }
            (row.id, Some(a.signed_in.account()))
        }
    };
    let code = secret::generate();
    oauth::insert_code(
        &mut c,
        tenant.id,
        oauth::NewCode {
            id: Id::generate().0,
            app_id: client.id,
            account_id: account,
            code_hash: &secret::digest(&code),
            redirect_uri: &a.redirect_uri,
            scopes: &a.scopes.to_string(),
            code_challenge: a.code_challenge.as_deref().filter(|c| !c.is_empty()),
            code_challenge_method: method,
            expires_at: Timestamp::now().plus_secs(600).0,
            delegate_account_id: delegate,
        },
    )
    .await?;
    Ok(code)
}
