use herd_store::lists;

use super::owned;
use crate::{App, Result, Tenant};

/// Deletes one of `owner`'s lists (its members stay followed).
pub async fn delete(app: &App, tenant: &Tenant, owner: i64, id: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let row = owned(&mut tx, tenant.id, owner, id).await?;
    lists::delete(&mut tx, tenant.id, &row).await?;
    tx.commit().await?;
    Ok(())
}
