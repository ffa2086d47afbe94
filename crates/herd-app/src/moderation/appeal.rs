//! A member appeals a strike against them (DSA Art. 20's internal complaint), once per
//! strike, within the appeal window.

use herd_core::{Id, Timestamp};
use herd_store::moderation::{self, AppealRow};

use super::APPEAL_WINDOW_MS;
use crate::{App, AppError, Result, Tenant, audit};

pub async fn appeal(app: &App, tenant: &Tenant, member: i64, strike: i64, text: &str) -> Result<AppealRow> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 2000 {
        return Err(AppError::Invalid("Validation failed: Text must be 1 to 2000 characters".into()));
    }
    let t = tenant.id;
    let now = Timestamp::now().0;
    let mut tx = app.db.begin().await?;
    let s = moderation::strike(&mut tx, t, strike)
        .await?
        .filter(|s| s.target_account_id == member)
        .ok_or(AppError::NotFound("Record not found"))?;
    if s.overruled_at.is_some() {
        return Err(AppError::Invalid("Validation failed: this decision was already reversed".into()));
    }
    if now - s.created_at > APPEAL_WINDOW_MS {
        return Err(AppError::Invalid(
            "Validation failed: the time to appeal this decision has passed".into(),
        ));
    }
    let id = Id::generate().0;
    if !moderation::add_appeal(&mut tx, t, id, strike, member, text, now).await? {
        return Err(AppError::Invalid("Validation failed: this decision was already appealed".into()));
    }
    audit(
        &mut tx,
        t,
        &crate::Actor::Account(member),
        "appeal.create",
        &strike.to_string(),
        serde_json::json!({"appeal_id": id.to_string()}),
    )
    .await?;
    let row = moderation::appeal(&mut tx, t, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    tx.commit().await?;
    Ok(row)
}
