use herd_store::relationships::{self, Edge};

use crate::{App, Result, Tenant};

/// Stops following (or withdraws a request). Idempotent.
pub async fn unfollow(app: &App, tenant: &Tenant, actor: i64, target: i64) -> Result<()> {
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    super::other(&mut tx, t, actor, target).await?;
    if relationships::remove(&mut tx, t, Edge::Follow, actor, target).await? {
        super::follow::bump_counts(&mut tx, t, actor, target, -1).await?;
    }
    if relationships::remove(&mut tx, t, Edge::FollowRequest, actor, target).await? {
        herd_store::notifications::retract(&mut tx, t, target, actor, "follow_request", None).await?;
    }
    tx.commit().await?;
    Ok(())
}
