//! A moderator takes a report (`assign_to_self`) or gives it back to the queue (`unassign`).

use herd_core::{Permission, Timestamp};
use herd_store::reports;

use super::Moderator;
use crate::{App, AppError, Result, Tenant, audit};

pub async fn assign(app: &App, m: &Moderator, tenant: &Tenant, report: i64, to_self: bool) -> Result<()> {
    m.require(&[Permission::ManageReports])?;
    let mut tx = app.db.begin().await?;
    reports::by_id(&mut tx, tenant.id, report)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    let to = if to_self { m.account } else { None };
    reports::assign(&mut tx, tenant.id, report, to, Timestamp::now().0).await?;
    let action = if to_self { "report.assigned_to_self" } else { "report.unassigned" };
    audit(&mut tx, tenant.id, &m.actor(), action, &report.to_string(), serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}
