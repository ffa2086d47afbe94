//! A moderator marks a report resolved (without acting on the account), or open again.
//! Resolving a report releases the posts an auto-moderation rule held for it: the moderator
//! reviewed them and let them stand (a local post then goes out to other servers).

use herd_core::{Permission, Timestamp};
use herd_store::{reports, statuses};

use super::Moderator;
use crate::federation::outgoing::FanOut;
use crate::{App, AppError, Result, Tenant, audit};

pub async fn resolve(app: &App, m: &Moderator, tenant: &Tenant, report: i64, resolved: bool) -> Result<()> {
    m.require(&[Permission::ManageReports])?;
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    let row = reports::by_id(&mut tx, t, report)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    let state = if resolved { Some(m.account) } else { None };
    reports::set_resolved(&mut tx, t, report, state, Timestamp::now().0).await?;
    let mut released = Vec::new();
    if resolved {
        let ids: Vec<i64> = serde_json::from_str(&row.status_ids).unwrap_or_default();
        for s in statuses::by_ids(&mut tx, t, &ids).await? {
            if s.held_at.is_none() {
                continue;
            }
            statuses::release(&mut tx, t, &[s.id]).await?;
            if s.uri.is_none() {
                herd_jobs::enqueue(
                    &mut tx,
                    t,
                    &FanOut {
                        status: s.id,
                        update: false,
                        poll: false,
                    },
                )
                .await?;
            }
            released.push(s.id.to_string());
        }
    }
    if resolved {
        crate::dsa::decided(
            &mut tx,
            t,
            report,
            "The moderators reviewed the content and took no action against it.",
        )
        .await?;
    }
    let action = if resolved { "report.resolve" } else { "report.reopen" };
    audit(
        &mut tx,
        t,
        &m.actor(),
        action,
        &report.to_string(),
        serde_json::json!({"released": released}),
    )
    .await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}
