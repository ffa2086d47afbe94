//! Single sign-on per instance through the organization's own OpenID Connect provider:
//! discovery from its issuer, the authorization code flow with PKCE and a nonce, the ID
//! token verified against the provider's keys (the `openidconnect` crate), and the person
//! found by an earlier sign-in (issuer and `sub`), matched to an existing account by a
//! configured claim, or given a new account where the instance allows it.
//!
//! Its HTTP goes through Herd's guarded client (`App::fetch`), so a provider URL naming a
//! private address is refused as a federation fetch would be. The browser's part (the
//! state, PKCE verifier and nonce between leaving for the provider and coming back) is
//! sealed with the server's key and kept by the browser, so any node can take the
//! callback and nothing is stored until the sign-in completes.

mod begin;
mod configure;
mod finish;

pub use begin::{STATE_MS, Started, begin};
pub use configure::{SsoSetup, configure, turn_off};
pub use finish::{Finished, finish};

use herd_store::sso::{self, SsoRow};
use openidconnect::core::{CoreClient, CoreProviderMetadata};
use openidconnect::{ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, RedirectUrl};

use crate::{App, AppError, Result, Tenant};

/// The claim that finds an existing account at a first sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchClaim {
    /// `email` (only when the provider says `email_verified`), against accounts' addresses.
    Email,
    /// `preferred_username`, against the instance's usernames.
    PreferredUsername,
}

impl MatchClaim {
    pub fn parse(s: &str) -> Result<MatchClaim> {
        match s.trim() {
            "email" => Ok(MatchClaim::Email),
            "preferred_username" => Ok(MatchClaim::PreferredUsername),
            other => Err(AppError::Invalid(format!(
                "{other:?} is not a claim accounts can be matched by: use email or preferred_username"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MatchClaim::Email => "email",
            MatchClaim::PreferredUsername => "preferred_username",
        }
    }
}

/// An instance's single sign-on, as its pages show it (the client secret stays sealed).
#[derive(Debug, Clone)]
pub struct Sso {
    pub issuer: String,
    pub client_id: String,
    pub match_claim: MatchClaim,
    pub create_accounts: bool,
    pub label: String,
}

/// The instance's single sign-on, if it has one.
pub async fn of(app: &App, tenant: &Tenant) -> Result<Option<Sso>> {
    let mut c = app.db.conn().await?;
    let Some(row) = sso::get(&mut c, tenant.id).await? else {
        return Ok(None);
    };
    Ok(Some(Sso {
        match_claim: MatchClaim::parse(&row.match_claim)?,
        create_accounts: row.create_accounts != 0,
        issuer: row.issuer,
        client_id: row.client_id,
        label: row.label,
    }))
}

/// Where the provider sends the browser back: to be registered with the provider.
pub fn redirect_uri(tenant: &Tenant) -> String {
    format!("{}/auth/sso/callback", tenant.base_url())
}

type Client = CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

const SECRET: &str = "sso-client-secret";

fn unreachable(e: impl std::fmt::Display) -> AppError {
    AppError::Unavailable(format!("The sign-in provider could not be used: {e}"))
}

/// The HTTP under the OpenID Connect client: Herd's guarded one, following no redirect.
fn http(app: &App) -> impl Fn(openidconnect::HttpRequest) -> HttpCall + use<> {
    let fetch = app.fetch.clone();
    move |req| {
        let fetch = fetch.clone();
        Box::pin(async move { fetch.exchange(req).await })
    }
}

type HttpCall =
    std::pin::Pin<Box<dyn Future<Output = std::result::Result<openidconnect::HttpResponse, herd_federation::fetch::FetchError>> + Send>>;

/// The provider's metadata (discovery) and a client for it.
async fn client(app: &App, tenant: &Tenant, issuer: &str, client_id: &str, secret: String) -> Result<Client> {
    let issuer = IssuerUrl::new(issuer.to_string()).map_err(|e| AppError::Invalid(format!("the issuer is not a URL: {e}")))?;
    let meta = CoreProviderMetadata::discover_async(issuer, &http(app))
        .await
        .map_err(|e| unreachable(describe(&e)))?;
    let redirect = RedirectUrl::new(redirect_uri(tenant)).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(
        CoreClient::from_provider_metadata(meta, ClientId::new(client_id.to_string()), Some(ClientSecret::new(secret)))
            .set_redirect_uri(redirect),
    )
}

/// The client for the instance's configured provider.
async fn configured(app: &App, tenant: &Tenant, row: &SsoRow) -> Result<Client> {
    let secret = String::from_utf8(app.settings.seal.open(SECRET, &row.client_secret_sealed)?)
        .map_err(|_| AppError::Internal("the sealed client secret is not text".into()))?;
    client(app, tenant, &row.issuer, &row.client_id, secret).await
}

/// An error with its causes, as one line.
fn describe(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}
