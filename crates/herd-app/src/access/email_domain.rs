//! Staff block e-mail domains for sign-ups (a block covers subdomains), or let them sign up
//! with approval only.

use herd_core::{Id, Permission, Timestamp};
use herd_store::StoreError;
use herd_store::access_blocks::{self, EmailDomainBlockRow};

use crate::moderation::Moderator;
use crate::{App, AppError, Result, Tenant, audit, follows};

pub async fn block_email_domain(app: &App, m: &Moderator, tenant: &Tenant, name: &str, approval: bool) -> Result<EmailDomainBlockRow> {
    m.require(&[Permission::ManageBlocks])?;
    let domain = follows::domain_name(name)?;
    let row = EmailDomainBlockRow {
        id: Id::generate().0,
        domain: domain.clone(),
        allow_with_approval: i64::from(approval),
        created_at: Timestamp::now().0,
    };
    let mut tx = app.db.begin().await?;
    match access_blocks::add_email_domain(&mut tx, tenant.id, &row).await {
        Err(StoreError::Conflict) => return Err(AppError::Invalid("Validation failed: Domain has already been taken".into())),
        r => r?,
    }
    audit(
        &mut tx,
        tenant.id,
        &m.actor(),
        "email_domain_block.create",
        &domain,
        serde_json::json!({"allow_with_approval": approval}),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn unblock_email_domain(app: &App, m: &Moderator, tenant: &Tenant, id: i64) -> Result<()> {
    m.require(&[Permission::ManageBlocks])?;
    let mut tx = app.db.begin().await?;
    let row = access_blocks::email_domain(&mut tx, tenant.id, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    access_blocks::remove_email_domain(&mut tx, tenant.id, id).await?;
    audit(
        &mut tx,
        tenant.id,
        &m.actor(),
        "email_domain_block.destroy",
        &row.domain,
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
