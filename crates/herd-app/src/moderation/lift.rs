//! A moderator lifts a restriction: `enable` (sign-in allowed again), `unsensitive`,
//! `unsilence`, `unsuspend` (only a suspension made here; the pending purge is then skipped,
//! and followers get the actor again in an Update).

use herd_core::{Permission, Timestamp};
use herd_store::accounts::{self, AccountRow};
use herd_store::moderation::{self, Restriction};

use super::Moderator;
use crate::federation::outgoing::ProfileChanged;
use crate::{App, AppError, Result, Tenant, audit};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lift {
    Enable,
    Unsensitive,
    Unsilence,
    Unsuspend,
}

impl Lift {
    fn action(self) -> &'static str {
        match self {
            Lift::Enable => "account.enable",
            Lift::Unsensitive => "account.unsensitive",
            Lift::Unsilence => "account.unsilence",
            Lift::Unsuspend => "account.unsuspend",
        }
    }
}

pub async fn lift(app: &App, m: &Moderator, tenant: &Tenant, target: i64, what: Lift) -> Result<()> {
    m.require(&[Permission::ManageUsers])?;
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    let account = accounts::by_id(&mut tx, t, target)
        .await
        .map_err(|_| AppError::NotFound("Record not found"))?;
    undo(&mut tx, t, &account, what).await?;
    audit(
        &mut tx,
        t,
        &m.actor(),
        what.action(),
        &target.to_string(),
        serde_json::json!({"at": Timestamp::now().0}),
    )
    .await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

/// Lifts one restriction of `account` in the caller's transaction (also what an approved
/// appeal does). Only a suspension made here can be lifted here.
pub(super) async fn undo(c: &mut herd_store::Conn, t: herd_store::TenantId, account: &AccountRow, what: Lift) -> Result<()> {
    let local = account.domain.is_empty();
    match what {
        Lift::Enable => {
            if !local {
                return Err(super::not_allowed());
            }
            moderation::set_disabled(c, t, account.id, false).await?;
        }
        Lift::Unsensitive => moderation::restrict(c, t, account.id, Restriction::Sensitized, None, "").await?,
        Lift::Unsilence => moderation::restrict(c, t, account.id, Restriction::Silenced, None, "").await?,
        Lift::Unsuspend => {
            if account.suspended_at.is_some() && account.suspension_origin.as_deref() != Some("local") {
                return Err(super::not_allowed());
            }
            moderation::restrict(c, t, account.id, Restriction::Suspended, None, "").await?;
            if local {
                herd_jobs::enqueue(c, t, &ProfileChanged { account: account.id }).await?;
            }
        }
    }
    Ok(())
}
