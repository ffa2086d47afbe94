//! Thirty days after a suspension, unless it was lifted, the account's posts and media are
//! purged and, for a local account, its followers' servers get a Delete of the actor. The
//! account row stays, suspended, so its name is not taken again and the audit trail keeps
//! pointing at it.

use herd_store::{Conn, TenantId, accounts, statuses};
use serde::{Deserialize, Serialize};

use crate::{App, Result};

#[derive(Debug, Serialize, Deserialize)]
pub struct PurgeSuspended {
    pub account: i64,
    /// The suspension this purge belongs to: a lifted and repeated suspension starts over.
    pub suspended_at: i64,
}

impl herd_jobs::JobKind for PurgeSuspended {
    const KIND: &'static str = "moderation.purge_suspended";
    const LEASE_MS: i64 = 10 * 60 * 1000;
}

pub async fn purge(app: &App, t: TenantId, job: PurgeSuspended) -> Result<()> {
    let tenant = crate::tenants::by_id(app, t).await?;
    let mut c = app.db.conn().await?;
    let Ok(account) = accounts::by_id(&mut c, t, job.account).await else {
        return Ok(());
    };
    if account.suspended_at != Some(job.suspended_at) {
        return Ok(());
    }
    drop(c);
    let mut tx = app.db.begin().await?;
    crate::federation::outgoing::actor_deleted(&mut tx, &tenant, &account).await?;
    tx.commit().await?;
    // Posts go a hundred per transaction, so a large account does not hold the write lock.
    loop {
        let mut tx = app.db.begin().await?;
        let rows = posts_of(&mut tx, t, account.id).await?;
        if rows.is_empty() {
            tx.commit().await?;
            break;
        }
        for row in &rows {
            crate::statuses::remove(&mut tx, &tenant, row, false).await?;
        }
        tx.commit().await?;
    }
    app.waker.wake();
    Ok(())
}

async fn posts_of(c: &mut Conn, t: TenantId, account: i64) -> Result<Vec<statuses::StatusRow>> {
    Ok(statuses::of_author(c, t, account, 100).await?)
}

/// A moderator purges a suspended account's data now rather than after 30 days: the purge
/// job is written due at once.
pub async fn purge_now(app: &App, m: &super::Moderator, tenant: &crate::Tenant, target: i64) -> Result<()> {
    m.require(&[herd_core::Permission::DeleteUserData])?;
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    let a = accounts::by_id(&mut tx, t, target)
        .await
        .map_err(|_| crate::AppError::NotFound("Record not found"))?;
    let Some(at) = a.suspended_at else {
        return Err(super::not_allowed());
    };
    herd_jobs::enqueue(
        &mut tx,
        t,
        &PurgeSuspended {
            account: target,
            suspended_at: at,
        },
    )
    .await?;
    crate::audit(
        &mut tx,
        t,
        &m.actor(),
        "account.destroy",
        &target.to_string(),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}
