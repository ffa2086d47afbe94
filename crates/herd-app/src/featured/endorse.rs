use herd_core::{Id, Timestamp};
use herd_store::featured;
use herd_store::relationships::{self, Edge};

use crate::{App, AppError, Result, Tenant};

/// Endorses an account on the actor's profile; only an account the actor follows, as on
/// Mastodon. Idempotent.
pub async fn endorse(app: &App, tenant: &Tenant, actor: i64, target: i64) -> Result<()> {
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    crate::follows::other(&mut tx, t, actor, target).await?;
    if !relationships::exists(&mut tx, t, Edge::Follow, actor, target).await? {
        return Err(AppError::Invalid(
            "Validation failed: You can only endorse accounts you follow".into(),
        ));
    }
    featured::endorse(&mut tx, t, Id::generate().0, actor, target, Timestamp::now().0).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn unendorse(app: &App, tenant: &Tenant, actor: i64, target: i64) -> Result<()> {
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    crate::follows::other(&mut tx, t, actor, target).await?;
    featured::unendorse(&mut tx, t, actor, target).await?;
    tx.commit().await?;
    Ok(())
}
