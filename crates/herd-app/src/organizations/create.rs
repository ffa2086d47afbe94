use herd_core::{Id, Timestamp};
use herd_store::StoreError;
use herd_store::organizations::{self, OrgRow};

use super::Slug;
use crate::{Actor, App, AppError, Result};

pub struct NewOrganization {
    pub slug: Slug,
    pub name: String,
    pub notes: String,
}

/// Creates an organization (a customer) with no instances or bookings yet.
pub async fn create(app: &App, actor: &Actor, n: NewOrganization) -> Result<OrgRow> {
    let mut tx = app.db.begin().await?;
    let row = insert(&mut tx, actor, n).await?;
    tx.commit().await?;
    Ok(row)
}

/// The insert, in the caller's transaction (an instance created without an organization
/// gets one of its own in the same transaction).
pub(crate) async fn insert(c: &mut herd_store::Conn, actor: &Actor, n: NewOrganization) -> Result<OrgRow> {
    let name = n.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::Invalid("an organization's name is 1 to 200 characters".into()));
    }
    let now = Timestamp::now().0;
    let row = OrgRow {
        id: Id::generate().0,
        slug: n.slug.as_str().to_string(),
        name,
        notes: n.notes,
        created_at: now,
        updated_at: now,
    };
    match organizations::insert(c, &row).await {
        Err(StoreError::Conflict) => {
            return Err(AppError::Conflict(format!("an organization named {:?} exists already", row.slug)));
        }
        r => r?,
    }
    super::audit(
        c,
        Some(row.id),
        actor,
        "organization.create",
        &row.slug,
        serde_json::json!({"name": row.name}),
    )
    .await?;
    Ok(row)
}
