use herd_core::{Id, Scopes, Timestamp, secret};
use herd_store::oauth::{self, AppRow};

use crate::{App, AppError, Result, Tenant};

/// The grants `/oauth/token` accepts.
pub enum Grant {
    AuthorizationCode {
        code: String,
        redirect_uri: String,
        code_verifier: Option<String>,
    },
    Password {
        username: String,
        password: String,
        scopes: Option<Scopes>,
    },
    ClientCredentials {
        scopes: Option<Scopes>,
    },
}

pub struct IssuedToken {
    pub token: String,
    pub scopes: Scopes,
    pub created_at: i64,
}

fn invalid_client() -> AppError {
    AppError::Unauthorized(
        "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."
            .into(),
    )
}

fn invalid_grant() -> AppError {
    AppError::BadRequest("The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.".into())
}

/// Exchanges a grant for an access token. The client authenticates with its secret, or, for
/// an authorization code issued with a PKCE challenge, with the verifier alone.
pub async fn issue_token(app: &App, tenant: &Tenant, client_id: &str, client_secret: Option<&str>, grant: Grant) -> Result<IssuedToken> {
    let mut c = app.db.conn().await?;
    let client = oauth::app_by_client_id(&mut c, tenant.id, client_id)
        .await?
        .ok_or_else(invalid_client)?;
    let secret_ok = client_secret.is_some_and(|s| secret::matches(s, &client.secret_hash));
    let allowed = Scopes::parse(&client.scopes)?;
    // Without a `scope` parameter a token gets Mastodon's default, `read`.
    let within = |s: Option<Scopes>| -> Result<Scopes> {
        let s = match s {
            Some(s) => s,
            None => Scopes::parse("read")?,
        };
        if allowed.contains_all(&s) {
            Ok(s)
        } else {
            Err(AppError::BadRequest(
                "The requested scope is invalid, unknown, or malformed.".into(),
            ))
        }
    };
    let now = Timestamp::now().0;
    let mut delegate = None;
    let (account, scopes) = match grant {
        Grant::ClientCredentials { scopes } => {
            if !secret_ok {
                return Err(invalid_client());
            }
            (None, within(scopes)?)
        }
        Grant::Password {
            username,
            password,
            scopes,
        } => {
            if !secret_ok {
                return Err(invalid_client());
            }
            let scopes = within(scopes)?;
            drop(c);
            let account = super::authenticate::sign_in(app, tenant, &username, password)
                .await
                .map_err(|e| match e {
                    AppError::Unauthorized(_) => invalid_grant(),
                    e => e,
                })?;
            // As Mastodon: the password grant cannot give the second factor, so an account
            // with one on signs in through the authorization page.
            if crate::accounts::two_factor::enabled(app, tenant, account).await? {
                return Err(invalid_grant());
            }
            c = app.db.conn().await?;
            (Some(account), scopes)
        }
        Grant::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            let mut tx = app.db.begin().await?;
            let (row, won) = oauth::take_code(&mut tx, tenant.id, &secret::digest(&code), now)
                .await?
                .ok_or_else(invalid_grant)?;
            if !won {
                // A replayed code: revoke what it was exchanged for (RFC 6749 4.1.2).
                oauth::revoke_for(&mut tx, tenant.id, row.app_id, row.account_id, now).await?;
                tx.commit().await?;
                return Err(invalid_grant());
            }
            tx.commit().await?;
            let pkce_ok = match (&row.code_challenge, &code_verifier) {
                (Some(ch), Some(v)) if row.code_challenge_method.as_deref() == Some("S256") => secret::pkce_s256_matches(v, ch),
                (Some(ch), Some(v)) => secret::matches(v, &secret::digest(ch)),
                (Some(_), None) => false,
                (None, _) => true,
            };
            let client_ok = secret_ok || (row.code_challenge.is_some() && pkce_ok);
            if !client_ok {
                return Err(invalid_client());
            }
            if row.app_id != client.id || row.redirect_uri != redirect_uri || row.expires_at < now || !pkce_ok {
                return Err(invalid_grant());
            }
            delegate = row.delegate_account_id;
            (Some(row.account_id), Scopes::parse(&row.scopes)?)
        }
    };
    mint(&mut c, tenant, Some(client.id), account, scopes, delegate).await
}

/// Makes a token: a fresh secret, stored only as its digest.
pub(crate) async fn mint(
    c: &mut herd_store::Conn,
    tenant: &Tenant,
    app_id: Option<i64>,
    account: Option<i64>,
    scopes: Scopes,
    delegate: Option<i64>,
) -> Result<IssuedToken> {
    insert(c, tenant, app_id, account, scopes, delegate, false).await
}

async fn insert(
    c: &mut herd_store::Conn,
    tenant: &Tenant,
    app_id: Option<i64>,
    account: Option<i64>,
    scopes: Scopes,
    delegate: Option<i64>,
    web_session: bool,
) -> Result<IssuedToken> {
    let token = secret::generate();
    let now = Timestamp::now().0;
    oauth::insert_token(
        c,
        tenant.id,
        oauth::NewToken {
            id: Id::generate().0,
            app_id,
            account_id: account,
            token_hash: &secret::digest(&token),
            scopes: &scopes.to_string(),
            now,
            delegate_account_id: delegate,
            web_session,
        },
    )
    .await?;
    Ok(IssuedToken {
        token,
        scopes,
        created_at: now,
    })
}

/// A token for a local account, made by the operator (`herd token create`).
pub async fn issue_for_cli(app: &App, tenant: &Tenant, account: i64, scopes: &Scopes) -> Result<String> {
    let mut tx = app.db.begin().await?;
    let issued = mint(&mut tx, tenant, None, Some(account), scopes.clone(), None).await?;
    crate::audit(
        &mut tx,
        tenant.id,
        &crate::Actor::Operator,
        "token.create",
        &account.to_string(),
        serde_json::json!({"scopes": scopes.to_string()}),
    )
    .await?;
    tx.commit().await?;
    Ok(issued.token)
}

/// The app a client id names, for `verify_credentials` of apps.
pub async fn app_of(app: &App, tenant: &Tenant, app_id: i64) -> Result<AppRow> {
    let mut c = app.db.conn().await?;
    oauth::app_by_id(&mut c, tenant.id, app_id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))
}

/// A token for an account that just signed up through an app (`POST /api/v1/accounts`).
pub async fn issue_after_signup(app: &App, tenant: &Tenant, app_id: Option<i64>, account: i64, scopes: &Scopes) -> Result<IssuedToken> {
    let mut c = app.db.conn().await?;
    mint(&mut c, tenant, app_id, Some(account), scopes.clone(), None).await
}

/// A browser session's token for the instance's own pages (`web_session`).
pub(crate) async fn mint_session(c: &mut herd_store::Conn, tenant: &Tenant, account: i64, scopes: Scopes) -> Result<IssuedToken> {
    insert(c, tenant, None, Some(account), scopes, None, true).await
}
