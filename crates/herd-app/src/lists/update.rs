use herd_store::lists::{self, ListRow};

use super::{ListSettings, apply, owned};
use crate::{App, Result, Tenant};

/// Changes one of `owner`'s lists.
pub async fn update(app: &App, tenant: &Tenant, owner: i64, id: i64, s: ListSettings) -> Result<ListRow> {
    let mut tx = app.db.begin().await?;
    let mut row = owned(&mut tx, tenant.id, owner, id).await?;
    apply(&mut row, s)?;
    lists::update(&mut tx, tenant.id, &row).await?;
    tx.commit().await?;
    Ok(row)
}
