use herd_store::relationships::{self, Edge};

use crate::{App, AppError, Result, Tenant};

/// The target of a follow request accepts it.
pub async fn authorize(app: &App, tenant: &Tenant, target: i64, follower: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    if !super::accept(&mut tx, tenant.id, target, follower).await? {
        return Err(AppError::NotFound("Record not found"));
    }
    crate::notifications::notify(&mut tx, tenant.id, target, follower, "follow", None).await?;
    answer_remote(&mut tx, tenant, target, follower, true).await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

/// The target of a follow request turns it down.
pub async fn reject(app: &App, tenant: &Tenant, target: i64, follower: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    if !relationships::remove(&mut tx, tenant.id, Edge::FollowRequest, follower, target).await? {
        return Err(AppError::NotFound("Record not found"));
    }
    herd_store::notifications::retract(&mut tx, tenant.id, target, follower, "follow_request", None).await?;
    answer_remote(&mut tx, tenant, target, follower, false).await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

/// A remote follower's server hears the answer.
async fn answer_remote(c: &mut herd_store::Conn, tenant: &Tenant, target: i64, follower: i64, accept: bool) -> Result<()> {
    let follower_row = herd_store::accounts::by_id(c, tenant.id, follower).await?;
    if crate::federation::outgoing::is_remote(&follower_row) {
        let me = herd_store::accounts::by_id(c, tenant.id, target).await?;
        crate::federation::outgoing::answer_follow(c, tenant, &me, &follower_row, None, accept).await?;
    }
    Ok(())
}
