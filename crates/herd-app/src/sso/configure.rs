//! Setting an instance's OpenID Connect provider (checked by discovery before it is kept),
//! and turning single sign-on off.

use herd_core::Timestamp;
use herd_store::sso::{self, SsoRow};

use super::{MatchClaim, SECRET};
use crate::{Actor, App, AppError, Result, Tenant, audit};

/// What an admin sets. An empty `client_secret` keeps the one already stored.
pub struct SsoSetup {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub match_claim: MatchClaim,
    pub create_accounts: bool,
    pub label: String,
}

/// Sets the provider, after finding it by discovery: a provider that cannot be reached or
/// does not speak OpenID Connect is refused with what went wrong, and nothing changes.
pub async fn configure(app: &App, actor: &Actor, tenant: &Tenant, s: SsoSetup) -> Result<()> {
    let issuer = s.issuer.trim().trim_end_matches('/').to_string();
    let url = url::Url::parse(&issuer).map_err(|_| AppError::Invalid(format!("{issuer:?} is not an issuer URL")))?;
    // Plain http only where Herd itself runs without TLS (development, tests).
    if url.scheme() != "https" && !(url.scheme() == "http" && app.settings.public_scheme == "http") {
        return Err(AppError::Invalid("The issuer must be an https:// URL".into()));
    }
    let client_id = s.client_id.trim().to_string();
    if client_id.is_empty() || client_id.len() > 255 {
        return Err(AppError::Invalid("The client ID must have 1 to 255 characters".into()));
    }
    let label = s.label.trim().to_string();
    if label.chars().count() > 60 {
        return Err(AppError::Invalid("The button's label may have at most 60 characters".into()));
    }
    let mut c = app.db.conn().await?;
    let before = sso::get(&mut c, tenant.id).await?;
    drop(c);
    let secret = match (s.client_secret.trim(), &before) {
        ("", Some(b)) => String::from_utf8(app.settings.seal.open(SECRET, &b.client_secret_sealed)?)
            .map_err(|_| AppError::Internal("the sealed client secret is not text".into()))?,
        ("", None) => return Err(AppError::Invalid("The client secret is missing".into())),
        (sec, _) => sec.to_string(),
    };
    // Discovery now, so a mistyped issuer shows here and not at someone's sign-in. The
    // issuer as the provider names itself (discovery checks they agree).
    super::client(app, tenant, &issuer, &client_id, secret.clone()).await?;
    let row = SsoRow {
        tenant_id: tenant.id.0,
        issuer: issuer.clone(),
        client_id: client_id.clone(),
        client_secret_sealed: app.settings.seal.seal(SECRET, secret.as_bytes())?,
        match_claim: s.match_claim.as_str().into(),
        create_accounts: i64::from(s.create_accounts),
        label: if label.is_empty() {
            "your organization's sign-in".into()
        } else {
            label
        },
        updated_at: Timestamp::now().0,
    };
    let mut tx = app.db.begin().await?;
    sso::put(&mut tx, &row).await?;
    audit(
        &mut tx,
        tenant.id,
        actor,
        "sso.configure",
        &issuer,
        serde_json::json!({
            "client_id": client_id,
            "match_claim": row.match_claim,
            "create_accounts": s.create_accounts,
            "secret_changed": !s.client_secret.trim().is_empty(),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Turns single sign-on off: passwords (and their second factors) are the way in again.
/// Links to people at the provider stay, for when it is turned on again.
pub async fn turn_off(app: &App, actor: &Actor, tenant: &Tenant) -> Result<()> {
    let mut tx = app.db.begin().await?;
    if !sso::remove(&mut tx, tenant.id).await? {
        return Err(AppError::NotFound("Single sign-on is not set up"));
    }
    audit(
        &mut tx,
        tenant.id,
        actor,
        "sso.disable",
        tenant.domain.as_str(),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
