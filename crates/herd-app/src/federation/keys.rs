use herd_core::Timestamp;
use herd_store::TenantId;
use herd_store::keys::{self, KeyRow};

use crate::{App, AppError, Result};

/// The actor's key pair (`herd_store::keys::INSTANCE_ACTOR` for the instance's own actor),
/// made the first time it is needed: generating one takes about a tenth of a second, which
/// accounts that never federate should not pay at sign-up.
pub async fn key(app: &App, t: TenantId, account: i64) -> Result<KeyRow> {
    let mut c = app.db.conn().await?;
    if let Some(k) = keys::get(&mut c, t, account).await? {
        return Ok(k);
    }
    drop(c);
    let pems = tokio::task::spawn_blocking(herd_federation::keys::generate)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut c = app.db.conn().await?;
    keys::insert_if_absent(&mut c, t, account, &pems.public, &pems.private, Timestamp::now().0).await?;
    // Another node may have stored its key first; everyone uses the stored one.
    keys::get(&mut c, t, account)
        .await?
        .ok_or_else(|| AppError::Internal("actor key vanished".into()))
}
