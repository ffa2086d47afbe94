use herd_core::{Id, Scopes, Timestamp, secret};
use herd_store::oauth::{self, AppRow};

use crate::{App, AppError, Result, Tenant};

pub struct NewApp {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub scopes: Scopes,
    pub website: Option<String>,
}

/// Registers a client application. Returns the row and the client secret, shown once.
pub async fn create_app(app: &App, tenant: &Tenant, n: NewApp) -> Result<(AppRow, String)> {
    let name = n.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(AppError::Invalid(
            "Validation failed: Application name must be 1 to 60 characters".into(),
        ));
    }
    if n.redirect_uris.is_empty() {
        return Err(AppError::Invalid("Validation failed: Redirect URI can't be blank".into()));
    }
    for u in &n.redirect_uris {
        let ok = u == super::OOB || (u.contains(':') && !u.contains(char::is_whitespace) && !u.contains('#'));
        if !ok {
            return Err(AppError::Invalid(format!(
                "Validation failed: Redirect URI {u:?} must be an absolute URI"
            )));
        }
    }
    let secret = secret::generate();
    let row = AppRow {
        id: Id::generate().0,
        tenant_id: tenant.id.0,
        name: name.to_string(),
        website: n.website.filter(|w| !w.trim().is_empty()),
        redirect_uris: n.redirect_uris.join("\n"),
        scopes: n.scopes.to_string(),
        client_id: secret::generate(),
        secret_hash: secret::digest(&secret),
        created_at: Timestamp::now().0,
    };
    let mut c = app.db.conn().await?;
    oauth::insert_app(&mut c, tenant.id, &row).await?;
    Ok((row, secret))
}
