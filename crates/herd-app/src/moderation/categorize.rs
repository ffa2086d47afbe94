//! A moderator changes what a report is about: its category and, for a violation, the
//! instance's rules it names (unknown rule ids are refused).

use herd_core::{Permission, ReportCategory, Timestamp};
use herd_store::reports;

use super::Moderator;
use crate::{App, AppError, Result, Tenant, audit};

pub async fn categorize(
    app: &App,
    m: &Moderator,
    tenant: &Tenant,
    report: i64,
    category: Option<ReportCategory>,
    rule_ids: Option<Vec<i64>>,
) -> Result<()> {
    m.require(&[Permission::ManageReports])?;
    let mut tx = app.db.begin().await?;
    let row = reports::by_id(&mut tx, tenant.id, report)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    let category = match category {
        Some(c) => c,
        None => ReportCategory::parse(&row.category).unwrap_or(ReportCategory::Other),
    };
    let mut rules = rule_ids.unwrap_or_else(|| serde_json::from_str(&row.rule_ids).unwrap_or_default());
    if category != ReportCategory::Violation {
        rules.clear();
    }
    let known: Vec<i64> = herd_store::tenants::rules(&mut tx, tenant.id).await?.iter().map(|r| r.id).collect();
    if let Some(bad) = rules.iter().find(|r| !known.contains(r)) {
        return Err(AppError::Invalid(format!(
            "Validation failed: rule {bad} is not one of this instance's rules"
        )));
    }
    reports::categorize(&mut tx, tenant.id, report, category.as_str(), &rules, Timestamp::now().0).await?;
    audit(
        &mut tx,
        tenant.id,
        &m.actor(),
        "report.update",
        &report.to_string(),
        serde_json::json!({"category": category.as_str(), "rule_ids": rules}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
