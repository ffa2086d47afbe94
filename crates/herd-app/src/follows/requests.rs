use herd_store::relationships::{self, Edge};

use crate::{App, AppError, Result, Tenant};

/// The target of a follow request accepts it.
pub async fn authorize(app: &App, tenant: &Tenant, target: i64, follower: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    if !super::accept(&mut tx, tenant.id, target, follower).await? {
        return Err(AppError::NotFound("Record not found"));
    }
    crate::notifications::notify(&mut tx, tenant.id, target, follower, "follow", None).await?;
    tx.commit().await?;
    Ok(())
}

/// The target of a follow request turns it down.
pub async fn reject(app: &App, tenant: &Tenant, target: i64, follower: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    if !relationships::remove(&mut tx, tenant.id, Edge::FollowRequest, follower, target).await? {
        return Err(AppError::NotFound("Record not found"));
    }
    herd_store::notifications::retract(&mut tx, tenant.id, target, follower, "follow_request", None).await?;
    tx.commit().await?;
    Ok(())
}
