use herd_core::{Id, Timestamp};
use herd_store::lists::{self, ListRow};

use super::{ListSettings, apply};
use crate::{App, AppError, Result, Tenant};

/// The most lists one account keeps.
const MAX_LISTS: usize = 50;

/// Creates a list for `owner`; a title is required.
pub async fn create(app: &App, tenant: &Tenant, owner: i64, s: ListSettings) -> Result<ListRow> {
    if s.title.is_none() {
        return Err(AppError::Invalid("Validation failed: Title can't be blank".into()));
    }
    let mut row = ListRow {
        id: Id::generate().0,
        tenant_id: tenant.id.0,
        account_id: owner,
        title: String::new(),
        replies_policy: "list".into(),
        exclusive: 0,
        created_at: Timestamp::now().0,
    };
    apply(&mut row, s)?;
    let mut tx = app.db.begin().await?;
    if lists::of_owner(&mut tx, tenant.id, owner, None).await?.len() >= MAX_LISTS {
        return Err(AppError::Invalid(format!(
            "Validation failed: you can have at most {MAX_LISTS} lists"
        )));
    }
    lists::insert(&mut tx, tenant.id, &row).await?;
    tx.commit().await?;
    Ok(row)
}
