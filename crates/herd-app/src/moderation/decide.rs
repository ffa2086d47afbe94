//! A moderator decides an appeal. Approving overrules the strike and lifts what it did
//! (as Mastodon's `ApproveAppealService`); the member is told either way.

use herd_core::{Permission, Timestamp};
use herd_store::moderation;

use super::{Lift, Moderator};
use crate::{App, AppError, Result, Tenant, audit};

pub async fn decide(app: &App, m: &Moderator, tenant: &Tenant, appeal: i64, approve: bool) -> Result<()> {
    m.require(&[Permission::ManageAppeals])?;
    let t = tenant.id;
    let now = Timestamp::now().0;
    let mut tx = app.db.begin().await?;
    let a = moderation::appeal(&mut tx, t, appeal)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    if a.approved_at.is_some() || a.rejected_at.is_some() {
        return Err(AppError::Invalid("Validation failed: this appeal was already decided".into()));
    }
    let s = moderation::strike(&mut tx, t, a.strike_id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    moderation::decide_appeal(&mut tx, t, appeal, approve, m.account, now).await?;
    if approve {
        moderation::overrule(&mut tx, t, s.id, now).await?;
        let lifted = match s.action.as_str() {
            "disable" => Some(Lift::Enable),
            "sensitive" => Some(Lift::Unsensitive),
            "silence" => Some(Lift::Unsilence),
            "suspend" => Some(Lift::Unsuspend),
            _ => None,
        };
        if let Some(what) = lifted {
            let account = herd_store::accounts::by_id(&mut tx, t, s.target_account_id).await?;
            super::lift::undo(&mut tx, t, &account, what).await?;
        }
    }
    let (action, kind) = if approve {
        ("appeal.approve", "appeal_approved")
    } else {
        ("appeal.reject", "appeal_rejected")
    };
    audit(
        &mut tx,
        t,
        &m.actor(),
        action,
        &appeal.to_string(),
        serde_json::json!({"strike_id": s.id.to_string()}),
    )
    .await?;
    tracing::info!(
        tenant = t.0,
        account = a.account_id,
        appeal,
        outcome = kind,
        "appeal decided (no mail configured)"
    );
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}
