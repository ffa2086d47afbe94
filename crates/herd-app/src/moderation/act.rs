//! A moderator acts on an account (Mastodon's `Admin::AccountAction`): `none` (a warning),
//! `sensitive` (its media always behind a warning), `disable` (sign-in refused, every token
//! revoked), `silence` (limited: hidden from those who do not follow it, follows need
//! approval) or `suspend` (hidden at once, its sessions ended, its followers told by an Update
//! of the actor marked `suspended`, its data purged after 30 days unless lifted). Each action
//! leaves a strike the member reads in a `moderation_warning` notification and may appeal, and
//! resolves the report it came from (for anything but a warning, every open report about the
//! account).

use herd_core::{AccountAction, Id, Permission, Timestamp};
use herd_store::moderation::{self, NewStrike, Restriction};
use herd_store::{accounts, oauth, reports};

use super::{Moderator, PURGE_AFTER_MS, PurgeSuspended};
use crate::federation::outgoing::ProfileChanged;
use crate::{App, AppError, Result, Tenant, audit, notifications};

#[derive(Debug, Clone)]
pub struct ActionParams {
    pub kind: AccountAction,
    pub report_id: Option<i64>,
    /// What the member is told, beside the action.
    pub text: String,
    /// Tell the member (notification, and e-mail once mail is configured). Default true.
    pub notify: bool,
}

/// Acts on `target`; returns the strike's id.
pub async fn act(app: &App, m: &Moderator, tenant: &Tenant, target: i64, p: ActionParams) -> Result<i64> {
    m.require(&[Permission::ManageUsers, Permission::ManageReports])?;
    if p.text.chars().count() > 5000 {
        return Err(AppError::Invalid("Validation failed: text is too long".into()));
    }
    let t = tenant.id;
    let now = Timestamp::now().0;
    let mut tx = app.db.begin().await?;
    let account = accounts::by_id(&mut tx, t, target)
        .await
        .map_err(|_| AppError::NotFound("Record not found"))?;
    let local = account.domain.is_empty();
    m.outranks(&mut tx, t, target).await?;
    if !local && matches!(p.kind, AccountAction::None | AccountAction::Disable) {
        return Err(AppError::Invalid(format!(
            "Validation failed: {} applies only to this instance's own accounts",
            p.kind
        )));
    }
    let report = match p.report_id {
        Some(id) => {
            let r = reports::by_id(&mut tx, t, id)
                .await?
                .ok_or(AppError::NotFound("Record not found"))?;
            if r.target_account_id != target {
                return Err(AppError::Invalid("Validation failed: the report is about another account".into()));
            }
            Some(r)
        }
        None => None,
    };
    match p.kind {
        AccountAction::None => {}
        AccountAction::Disable => {
            moderation::set_disabled(&mut tx, t, target, true).await?;
            oauth::revoke_all_for(&mut tx, t, target, now).await?;
        }
        AccountAction::Sensitive => moderation::restrict(&mut tx, t, target, Restriction::Sensitized, Some(now), "local").await?,
        AccountAction::Silence => moderation::restrict(&mut tx, t, target, Restriction::Silenced, Some(now), "local").await?,
        AccountAction::Suspend => {
            if account.suspended_at.is_some() {
                return Err(AppError::Invalid("Validation failed: the account is suspended already".into()));
            }
            moderation::restrict(&mut tx, t, target, Restriction::Suspended, Some(now), "local").await?;
            if local {
                oauth::revoke_all_for(&mut tx, t, target, now).await?;
                herd_jobs::enqueue(&mut tx, t, &ProfileChanged { account: target }).await?;
            }
            let purge = PurgeSuspended {
                account: target,
                suspended_at: now,
            };
            herd_jobs::enqueue_at(&mut tx, t, &purge, now + PURGE_AFTER_MS).await?;
        }
    }
    let status_ids: Vec<i64> = report
        .as_ref()
        .map(|r| serde_json::from_str(&r.status_ids).unwrap_or_default())
        .unwrap_or_default();
    let strike = Id::generate().0;
    moderation::add_strike(
        &mut tx,
        t,
        NewStrike {
            id: strike,
            moderator: m.account,
            target,
            action: p.kind.as_str(),
            text: p.text.trim(),
            status_ids: &status_ids,
            report_id: p.report_id,
            now,
        },
    )
    .await?;
    let resolved = match (p.kind, &report) {
        (AccountAction::None, Some(r)) => vec![r.id],
        (AccountAction::None, None) => Vec::new(),
        _ => reports::open_about(&mut tx, t, target).await?,
    };
    let actor = m.actor();
    let decision = format!("The moderators acted on the account ({}).", p.kind);
    for id in &resolved {
        reports::set_resolved(&mut tx, t, *id, Some(m.account), now).await?;
        crate::dsa::decided(&mut tx, t, *id, &decision).await?;
        audit(&mut tx, t, &actor, "report.resolve", &id.to_string(), serde_json::json!({})).await?;
    }
    audit(
        &mut tx,
        t,
        &actor,
        &format!("account.{}", p.kind),
        &target.to_string(),
        serde_json::json!({"report_id": p.report_id.map(|r| r.to_string()), "text": p.text.trim(), "strike_id": strike.to_string()}),
    )
    .await?;
    if p.notify && local {
        notifications::notify_about(&mut tx, t, target, m.account.unwrap_or(target), "moderation_warning", strike).await?;
        // Herd has no outgoing mail yet: the warning is logged where an e-mail would go.
        tracing::info!(
            tenant = t.0,
            account = target,
            strike,
            action = p.kind.as_str(),
            "moderation warning (no mail configured)"
        );
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(strike)
}
