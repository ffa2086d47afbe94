//! Leaving for the provider: the authorization URL (code flow, PKCE S256, a nonce, scopes
//! `openid email profile`) and the sealed state the browser keeps until it comes back.

use herd_core::Timestamp;
use herd_store::sso;
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{CsrfToken, Nonce, PkceCodeChallenge, Scope};
use serde::{Deserialize, Serialize};

use crate::{App, AppError, Result, Tenant};

pub(super) const STATE: &str = "sso-state";
/// How long the browser may stay at the provider.
pub const STATE_MS: i64 = 10 * 60 * 1000;

/// What the browser keeps while it is at the provider, sealed.
#[derive(Serialize, Deserialize)]
pub(super) struct Pending {
    pub tenant: i64,
    pub issuer: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub deadline: i64,
    pub return_to: String,
}

pub struct Started {
    /// Where to send the browser.
    pub url: String,
    /// To keep in the browser (a cookie) until the callback.
    pub sealed: String,
}

/// Starts a sign-in at the instance's provider. `return_to` is the caller's, given back by
/// [`super::finish`] (where the sign-in was asked for).
pub async fn begin(app: &App, tenant: &Tenant, return_to: &str) -> Result<Started> {
    let mut c = app.db.conn().await?;
    let row = sso::get(&mut c, tenant.id)
        .await?
        .ok_or(AppError::NotFound("Single sign-on is not set up on this instance"))?;
    drop(c);
    let client = super::configured(app, tenant, &row).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let pending = Pending {
        tenant: tenant.id.0,
        issuer: row.issuer,
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
        deadline: Timestamp::now().0 + STATE_MS,
        return_to: return_to.to_string(),
    };
    let plain = serde_json::to_vec(&pending).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Started {
        url: url.to_string(),
        sealed: app.settings.seal.seal(STATE, &plain)?,
    })
}
