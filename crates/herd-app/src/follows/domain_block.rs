use herd_core::{Id, Timestamp};
use herd_store::relationships::{self, Edge};
use herd_store::{accounts, domain_blocks};

use crate::federation::outgoing;
use crate::{App, AppError, Result, Tenant};

/// A domain as users name it: lowercase, without a scheme, path or surrounding spaces.
pub(crate) fn domain(d: &str) -> Result<String> {
    let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
    let ok =
        !d.is_empty() && d.len() <= 253 && d.contains('.') && d.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if !ok {
        return Err(AppError::Invalid(format!("Validation failed: {d:?} is not a domain")));
    }
    Ok(d)
}

/// Hides a domain from `actor` (Mastodon's user-level domain block): its accounts' posts and
/// notifications no longer reach `actor`, and its accounts stop following `actor` (their
/// servers get a Reject) and asking to.
pub async fn block_domain(app: &App, tenant: &Tenant, actor: i64, name: &str) -> Result<()> {
    let d = domain(name)?;
    if d == tenant.domain.as_str() || d == tenant.handle_domain() {
        return Err(AppError::Invalid("Validation failed: this is your own server".into()));
    }
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    domain_blocks::add(&mut tx, t, Id::generate().0, actor, &d, Timestamp::now().0).await?;
    let me = accounts::by_id(&mut tx, t, actor).await?;
    let followers = relationships::followers_ids(&mut tx, t, actor).await?;
    let requests: Vec<i64> = relationships::pending_requests(&mut tx, t, actor)
        .await?
        .iter()
        .map(|r| r.account_id)
        .collect();
    for (id, edge) in followers
        .into_iter()
        .map(|f| (f, Edge::Follow))
        .chain(requests.into_iter().map(|r| (r, Edge::FollowRequest)))
    {
        let follower = accounts::by_id(&mut tx, t, id).await?;
        if follower.domain != d {
            continue;
        }
        if relationships::remove(&mut tx, t, edge, id, actor).await? && edge == Edge::Follow {
            super::follow::bump_counts(&mut tx, t, id, actor, -1).await?;
        }
        outgoing::answer_follow(&mut tx, tenant, &me, &follower, None, false).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

pub async fn unblock_domain(app: &App, tenant: &Tenant, actor: i64, name: &str) -> Result<()> {
    let d = domain(name)?;
    let mut tx = app.db.begin().await?;
    domain_blocks::remove(&mut tx, tenant.id, actor, &d).await?;
    tx.commit().await?;
    Ok(())
}
