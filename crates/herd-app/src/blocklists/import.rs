//! An operator imports a domain-block CSV as the instance's own decisions (domains already
//! blocked are left as they are), or exports the instance's blocks in Mastodon's format.

use herd_core::Permission;
use herd_store::federation_policy;

use crate::federation_policy::BlockParams;
use crate::moderation::Moderator;
use crate::{App, AppError, Result, Tenant};

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    pub added: usize,
    /// Domains the instance had a block for already.
    pub skipped: usize,
}

pub async fn import(app: &App, m: &Moderator, tenant: &Tenant, csv: &str) -> Result<ImportOutcome> {
    m.require(&[Permission::ManageFederation])?;
    let mut out = ImportOutcome::default();
    for e in super::dedup(super::parse_csv(csv)?) {
        let p = BlockParams {
            severity: herd_core::BlockSeverity::parse(&e.severity).map_err(|e| AppError::Invalid(e.to_string()))?,
            reject_media: e.reject_media != 0,
            reject_reports: e.reject_reports != 0,
            private_comment: None,
            public_comment: e.public_comment.clone(),
            obfuscate: e.obfuscate != 0,
        };
        match crate::federation_policy::create(app, &m.actor(), tenant, &e.domain, p).await {
            Ok(_) => out.added += 1,
            Err(AppError::Invalid(_)) => out.skipped += 1,
            Err(other) => return Err(other),
        }
    }
    Ok(out)
}

pub async fn export(app: &App, m: &Moderator, tenant: &Tenant) -> Result<String> {
    m.require(&[Permission::ManageFederation])?;
    let mut c = app.db.conn().await?;
    Ok(super::to_csv(&federation_policy::all_blocks(&mut c, tenant.id).await?))
}
