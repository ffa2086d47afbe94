//! The checks verbs make against a [`super::Grant`]: quotas on new accounts and uploads.
//! Read-only and suspended instances are refused writes before any verb runs (in
//! `herd-api`), with the messages here.

use herd_core::Service;
use herd_store::Conn;

use super::{Hosting, of};
use crate::{App, AppError, Result, Tenant};

pub fn read_only_message() -> &'static str {
    "This instance is read-only: its hosting has ended. Everything can still be read and exported, but nothing new can be posted or changed"
}

pub fn suspended_message() -> &'static str {
    "This instance is suspended: its hosting has ended. Its members can still sign in and export their data"
}

/// Refuses a new local account when the instance is not writable or has reached its
/// account quota.
pub async fn check_new_account(app: &App, c: &mut Conn, tenant: &Tenant) -> Result<()> {
    let g = of(app, tenant.id).await?;
    match g.hosting {
        Hosting::Active => {}
        Hosting::ReadOnly { .. } => return Err(AppError::Forbidden(read_only_message().into())),
        Hosting::Suspended { .. } => return Err(AppError::Forbidden(suspended_message().into())),
    }
    if let Some(max) = g.terms(Service::Hosting).and_then(|t| t.max_accounts) {
        let n = herd_store::usage::local_accounts(c, tenant.id).await?;
        if n >= max {
            return Err(AppError::Invalid(format!(
                "Validation failed: This instance has reached its limit of {max} accounts"
            )));
        }
    }
    Ok(())
}

/// Refuses an upload of `bytes` that would take the instance's members' uploads over its
/// storage quota.
pub async fn check_upload(app: &App, c: &mut Conn, tenant: &Tenant, bytes: i64) -> Result<()> {
    let g = of(app, tenant.id).await?;
    if !g.writable() {
        return Err(AppError::Forbidden(read_only_message().into()));
    }
    if let Some(max) = g.terms(Service::Hosting).and_then(|t| t.max_storage_bytes) {
        let used = herd_store::usage::local_media_bytes(c, tenant.id).await?;
        if used.saturating_add(bytes) > max {
            return Err(AppError::Invalid(format!(
                "Validation failed: This instance's storage is full ({used} of {max} bytes used); delete media or ask for a larger plan"
            )));
        }
    }
    Ok(())
}
