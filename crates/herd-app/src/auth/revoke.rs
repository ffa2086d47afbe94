use herd_core::{Timestamp, secret};
use herd_store::oauth;

use crate::{App, AppError, Result, Tenant};

/// Revokes a token the client was issued (RFC 7009: unknown tokens are not an error).
pub async fn revoke(app: &App, tenant: &Tenant, client_id: &str, client_secret: &str, token: &str) -> Result<()> {
    let mut c = app.db.conn().await?;
    let client = oauth::app_by_client_id(&mut c, tenant.id, client_id).await?;
    let Some(client) = client.filter(|a| secret::matches(client_secret, &a.secret_hash)) else {
        return Err(AppError::Forbidden("You are not authorized to revoke this token".into()));
    };
    oauth::revoke_token(&mut c, tenant.id, &secret::digest(token), client.id, Timestamp::now().0).await?;
    Ok(())
}
