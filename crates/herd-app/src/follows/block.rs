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
        herd_store::featured::unendorse(&mut tx, t, a, b).await?;
    }
    relationships::add(&mut tx, t, Edge::Block, actor, target, None, Timestamp::now().0).await?;
    federate(&mut tx, tenant, actor, target, false).await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

pub async fn unblock(app: &App, tenant: &Tenant, actor: i64, target: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    super::other(&mut tx, tenant.id, actor, target).await?;
    if relationships::remove(&mut tx, tenant.id, Edge::Block, actor, target).await? {
        federate(&mut tx, tenant, actor, target, true).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

/// A block of a remote account is a Block sent to its server (which then drops the follows
/// on its side too); an unblock is its Undo.
async fn federate(c: &mut herd_store::Conn, tenant: &Tenant, actor: i64, target: i64, undo: bool) -> Result<()> {
    let to = herd_store::accounts::by_id(c, tenant.id, target).await?;
    if !crate::federation::outgoing::is_remote(&to) {
        return Ok(());
    }
    let me = herd_store::accounts::by_id(c, tenant.id, actor).await?;
    let object = to.uri.clone().unwrap_or_default();
    crate::federation::outgoing::act(c, tenant, &me, &to, "Block", &object, undo).await
}
