//! A moderator marks a report resolved (without acting on the account), or open again.

use herd_core::{Permission, Timestamp};
use herd_store::reports;

use super::Moderator;
use crate::{App, AppError, Result, Tenant, audit};

pub async fn resolve(app: &App, m: &Moderator, tenant: &Tenant, report: i64, resolved: bool) -> Result<()> {
    m.require(&[Permission::ManageReports])?;
    let mut tx = app.db.begin().await?;
    reports::by_id(&mut tx, tenant.id, report)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    let state = if resolved { Some(m.account) } else { None };
    reports::set_resolved(&mut tx, tenant.id, report, state, Timestamp::now().0).await?;
    let action = if resolved { "report.resolve" } else { "report.reopen" };
    audit(&mut tx, tenant.id, &m.actor(), action, &report.to_string(), serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}
