//! Sessions of the instance's own pages (the organization console at `/admin`, a member's
//! settings): a token like any app's, made after a browser sign-in, kept in an `HttpOnly`
//! cookie and worth nothing after `SESSION_MS` or signing out. Authenticating it is
//! authenticating a token, so a disabled account or a revoked token ends it at once.

use herd_core::{Scopes, Timestamp, secret};
use herd_store::oauth;

use super::two_step::SignedIn;
use crate::{App, AppError, Result, Tenant, Viewer};

/// How long a browser session lasts.
pub const SESSION_MS: i64 = 12 * 3600 * 1000;

const SCOPES: &str = "read write follow admin:read admin:write";

/// Opens a session for a completed sign-in: its token.
pub async fn open_session(app: &App, tenant: &Tenant, signed: SignedIn) -> Result<String> {
    let scopes = Scopes::parse(SCOPES)?;
    let mut c = app.db.conn().await?;
    Ok(super::issue_token::mint_session(&mut c, tenant, signed.account(), scopes)
        .await?
        .token)
}

/// The viewer of a browser session's token: only a token made by [`open_session`], for
/// a person's own account, younger than a session lasts.
pub async fn session(app: &App, tenant: &Tenant, token: &str) -> Result<Viewer> {
    let viewer = super::authenticate::viewer_of(app, tenant, token).await?;
    let expired = || AppError::Unauthorized("The session has expired; sign in again".into());
    if !viewer.web_session || viewer.delegate.is_some() || viewer.created_at + SESSION_MS < Timestamp::now().0 {
        return Err(expired());
    }
    Ok(viewer)
}

/// Ends a session: its token is revoked.
pub async fn close_session(app: &App, tenant: &Tenant, token: &str) -> Result<()> {
    let mut c = app.db.conn().await?;
    oauth::revoke_by_hash(&mut c, tenant.id, &secret::digest(token), Timestamp::now().0).await?;
    Ok(())
}
