//! Staff block an e-mail address in its canonical form (given as an address or as its
//! hash), so the same person cannot sign up again with a `+tag` or dots.

use herd_core::{Id, Permission, Timestamp};
use herd_store::StoreError;
use herd_store::access_blocks::{self, CanonicalEmailBlockRow};

use crate::moderation::Moderator;
use crate::{App, AppError, Result, Tenant, audit};

pub async fn block_canonical(
    app: &App,
    m: &Moderator,
    tenant: &Tenant,
    email: Option<&str>,
    hash: Option<&str>,
) -> Result<CanonicalEmailBlockRow> {
    m.require(&[Permission::ManageBlocks])?;
    let hash = match (
        email.map(str::trim).filter(|e| !e.is_empty()),
        hash.map(str::trim).filter(|h| !h.is_empty()),
    ) {
        (Some(e), _) => {
            if !e.contains('@') {
                return Err(AppError::Invalid("Validation failed: email is not an e-mail address".into()));
            }
            super::canonical_email_hash(e)
        }
        (None, Some(h)) if h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()) => h.to_ascii_lowercase(),
        (None, Some(_)) => {
            return Err(AppError::Invalid(
                "Validation failed: canonical_email_hash must be a SHA-256 in hex".into(),
            ));
        }
        (None, None) => return Err(AppError::Invalid("Validation failed: Canonical email hash can't be blank".into())),
    };
    let row = CanonicalEmailBlockRow {
        id: Id::generate().0,
        canonical_email_hash: hash.clone(),
        reference_account_id: None,
        created_at: Timestamp::now().0,
    };
    let mut tx = app.db.begin().await?;
    match access_blocks::add_canonical(&mut tx, tenant.id, &row).await {
        Err(StoreError::Conflict) => {
            return Err(AppError::Invalid(
                "Validation failed: Canonical email hash has already been taken".into(),
            ));
        }
        r => r?,
    }
    audit(
        &mut tx,
        tenant.id,
        &m.actor(),
        "canonical_email_block.create",
        &hash,
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn unblock_canonical(app: &App, m: &Moderator, tenant: &Tenant, id: i64) -> Result<()> {
    m.require(&[Permission::ManageBlocks])?;
    let mut tx = app.db.begin().await?;
    let row = access_blocks::canonical(&mut tx, tenant.id, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    access_blocks::remove_canonical(&mut tx, tenant.id, id).await?;
    audit(
        &mut tx,
        tenant.id,
        &m.actor(),
        "canonical_email_block.destroy",
        &row.canonical_email_hash,
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
