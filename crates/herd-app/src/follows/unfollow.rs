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
    // Only followed accounts are endorsed.
    herd_store::featured::unendorse(&mut tx, t, actor, target).await?;
    let requested = relationships::remove(&mut tx, t, Edge::FollowRequest, actor, target).await?;
    if requested {
        herd_store::notifications::retract(&mut tx, t, target, actor, "follow_request", None).await?;
    }
    let target_row = herd_store::accounts::by_id(&mut tx, t, target).await?;
    if crate::federation::outgoing::is_remote(&target_row) {
        let me = herd_store::accounts::by_id(&mut tx, t, actor).await?;
        crate::federation::outgoing::unfollow(&mut tx, tenant, &me, &target_row).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}
