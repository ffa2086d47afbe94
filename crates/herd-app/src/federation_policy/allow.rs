//! The servers an instance names as allowed (Mastodon's domain allows, used in its limited
//! federation mode).

use herd_core::{Id, Timestamp};
use herd_store::federation_policy::{self, DomainAllowRow};

use crate::{Actor, App, AppError, Result, Tenant, audit, follows};

pub async fn allow(app: &App, actor: &Actor, tenant: &Tenant, name: &str) -> Result<DomainAllowRow> {
    let domain = follows::domain_name(name)?;
    let mut tx = app.db.begin().await?;
    let row = federation_policy::allow(&mut tx, tenant.id, Id::generate().0, &domain, Timestamp::now().0).await?;
    audit(&mut tx, tenant.id, actor, "domain_allow.create", &domain, serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn disallow(app: &App, actor: &Actor, tenant: &Tenant, id: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let row = federation_policy::allowed(&mut tx, tenant.id, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    federation_policy::disallow(&mut tx, tenant.id, id).await?;
    audit(
        &mut tx,
        tenant.id,
        actor,
        "domain_allow.destroy",
        &row.domain,
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
