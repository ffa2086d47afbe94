//! An admin removes an auto-moderation rule.

use herd_core::Permission;
use herd_store::automod;

use crate::moderation::Moderator;
use crate::{App, AppError, Result, Tenant, audit};

pub async fn remove(app: &App, m: &Moderator, tenant: &Tenant, id: i64) -> Result<()> {
    m.require(&[Permission::ManageSettings, Permission::ManageBlocks])?;
    let mut tx = app.db.begin().await?;
    let row = automod::get(&mut tx, tenant.id, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    automod::remove(&mut tx, tenant.id, id).await?;
    audit(
        &mut tx,
        tenant.id,
        &m.actor(),
        "automod_rule.destroy",
        &id.to_string(),
        serde_json::json!({"pattern": row.pattern}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
