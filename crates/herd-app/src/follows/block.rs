use herd_core::Timestamp;
use herd_store::relationships::{self, Edge};

use crate::{App, Result, Tenant};

/// Blocks an account: follows and requests in both directions end.
pub async fn block(app: &App, tenant: &Tenant, actor: i64, target: i64) -> Result<()> {
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    super::other(&mut tx, t, actor, target).await?;
    for (a, b) in [(actor, target), (target, actor)] {
        if relationships::remove(&mut tx, t, Edge::Follow, a, b).await? {
            super::follow::bump_counts(&mut tx, t, a, b, -1).await?;
        }
        relationships::remove(&mut tx, t, Edge::FollowRequest, a, b).await?;
    }
    relationships::add(&mut tx, t, Edge::Block, actor, target, None, Timestamp::now().0).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn unblock(app: &App, tenant: &Tenant, actor: i64, target: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    super::other(&mut tx, tenant.id, actor, target).await?;
    relationships::remove(&mut tx, tenant.id, Edge::Block, actor, target).await?;
    tx.commit().await?;
    Ok(())
}
