use herd_core::Timestamp;
use herd_store::organizations::{self, OrgRow};

use crate::{Actor, App, AppError, Result};

/// Renames an organization or changes the operator's notes on it (only what is given).
pub async fn update(app: &App, actor: &Actor, org: &OrgRow, name: Option<String>, notes: Option<String>) -> Result<OrgRow> {
    let mut row = org.clone();
    if let Some(n) = name {
        let n = n.trim().to_string();
        if n.is_empty() || n.chars().count() > 200 {
            return Err(AppError::Invalid("an organization's name is 1 to 200 characters".into()));
        }
        row.name = n;
    }
    if let Some(n) = notes {
        row.notes = n;
    }
    row.updated_at = Timestamp::now().0;
    let mut tx = app.db.begin().await?;
    organizations::update(&mut tx, &row).await?;
    super::audit(
        &mut tx,
        Some(row.id),
        actor,
        "organization.update",
        &row.slug,
        serde_json::json!({"name": row.name, "notes_changed": row.notes != org.notes}),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}
