use herd_core::Timestamp;
use herd_store::accounts::{self, Counter};
use herd_store::relationships::{self, Edge, FollowOptions};
use herd_store::{Conn, TenantId};

use crate::federation::outgoing;
use crate::notifications::notify;
use crate::{App, AppError, Result, Tenant};

/// Follows an account, or asks to when it is locked. Following again updates the options.
pub async fn follow(app: &App, tenant: &Tenant, actor: i64, target: i64, opts: FollowOptions) -> Result<()> {
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    super::other(&mut tx, t, actor, target).await?;
    if relationships::exists(&mut tx, t, Edge::Block, target, actor).await?
        || relationships::exists(&mut tx, t, Edge::Block, actor, target).await?
    {
        return Err(AppError::Forbidden("This action is not allowed".into()));
    }
    let now = Timestamp::now().0;
    let target_row = accounts::by_id(&mut tx, t, target).await?;
    if relationships::exists(&mut tx, t, Edge::Follow, actor, target).await? {
        relationships::add(&mut tx, t, Edge::Follow, actor, target, Some(opts), now).await?;
    } else if outgoing::is_remote(&target_row) {
        // A remote account answers for itself: the request stands until its server accepts.
        relationships::add(&mut tx, t, Edge::FollowRequest, actor, target, Some(opts), now).await?;
        let me = accounts::by_id(&mut tx, t, actor).await?;
        outgoing::follow(&mut tx, tenant, &me, &target_row).await?;
        tx.commit().await?;
        app.waker.wake();
        return Ok(());
    } else if target_row.locked != 0 || accounts::by_id(&mut tx, t, actor).await?.silenced_at.is_some() {
        // A limited account's follows wait for approval, as on Mastodon.
        if relationships::add(&mut tx, t, Edge::FollowRequest, actor, target, Some(opts), now).await? {
            notify(&mut tx, t, target, actor, "follow_request", None).await?;
        }
    } else {
        relationships::add(&mut tx, t, Edge::Follow, actor, target, Some(opts), now).await?;
        bump_counts(&mut tx, t, actor, target, 1).await?;
        notify(&mut tx, t, target, actor, "follow", None).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn bump_counts(c: &mut Conn, t: TenantId, follower: i64, followed: i64, delta: i64) -> Result<()> {
    accounts::bump(c, t, follower, Counter::Following, delta).await?;
    accounts::bump(c, t, followed, Counter::Followers, delta).await?;
    Ok(())
}

/// Turns a pending request from `follower` into a follow of `target` (inside the caller's
/// transaction). `false` if there was no request.
pub(crate) async fn accept(c: &mut Conn, t: TenantId, target: i64, follower: i64) -> Result<bool> {
    let reqs = relationships::among(c, t, Edge::FollowRequest, follower, &[target], true).await?;
    let Some(req) = reqs.first() else { return Ok(false) };
    let opts = FollowOptions {
        show_reblogs: req.show_reblogs != 0,
        notify: req.notify != 0,
    };
    relationships::remove(c, t, Edge::FollowRequest, follower, target).await?;
    if relationships::add(c, t, Edge::Follow, follower, target, Some(opts), Timestamp::now().0).await? {
        bump_counts(c, t, follower, target, 1).await?;
    }
    herd_store::notifications::retract(c, t, target, follower, "follow_request", None).await?;
    Ok(true)
}
