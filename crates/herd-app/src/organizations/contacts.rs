use herd_core::{ContactRole, Email, Id, Timestamp};
use herd_store::organizations::{self, ContactRow, OrgRow};

use crate::{Actor, App, AppError, Result};

/// Adds a person to reach at the organization, for what `role` says.
pub async fn add_contact(app: &App, actor: &Actor, org: &OrgRow, name: &str, email: &Email, role: ContactRole) -> Result<ContactRow> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::Invalid("a contact's name is 1 to 200 characters".into()));
    }
    let row = ContactRow {
        id: Id::generate().0,
        organization_id: org.id,
        name: name.to_string(),
        email: email.as_str().to_string(),
        role: role.as_str().to_string(),
        created_at: Timestamp::now().0,
    };
    let mut tx = app.db.begin().await?;
    organizations::add_contact(&mut tx, &row).await?;
    super::audit(
        &mut tx,
        Some(org.id),
        actor,
        "organization.contact.add",
        &row.email,
        serde_json::json!({"name": row.name, "role": row.role}),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn remove_contact(app: &App, actor: &Actor, org: &OrgRow, id: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    if !organizations::remove_contact(&mut tx, org.id, id).await? {
        return Err(AppError::NotFound("Record not found"));
    }
    super::audit(
        &mut tx,
        Some(org.id),
        actor,
        "organization.contact.remove",
        &id.to_string(),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
