//! Organizations: the provider's customers. An organization has contacts, hosted instances
//! (tenants) and external instances (Mastodon servers it runs itself), and books services
//! for them ([`crate::bookings`]). Every change is recorded in the provider audit log, which
//! the organization reads as "what was done in our name".

mod contacts;
pub(crate) mod create;
mod external;
mod update;

pub use contacts::{add_contact, remove_contact};
pub use create::{NewOrganization, create};
pub use external::{NewExternal, register_external};
pub use update::update;

use herd_core::{Id, Timestamp};
use herd_store::Conn;
use herd_store::organizations::{self, OrgRow};
use herd_store::provider_audit::{self, ProviderAuditRow};

use crate::{Actor, App, AppError, Result};

/// A short stable name: lower-case letters, digits and dashes, 2 to 40 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(s: &str) -> Result<Slug> {
        let s = s.trim();
        let ok = (2..=40).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if !ok {
            return Err(AppError::Invalid(format!(
                "{s:?} is not a usable short name (2 to 40 of a-z, 0-9, '-' and '.', not starting or ending with '-')"
            )));
        }
        Ok(Slug(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The organization with that short name.
pub async fn by_slug(app: &App, slug: &str) -> Result<OrgRow> {
    let mut c = app.db.conn().await?;
    organizations::by_slug(&mut c, slug.trim())
        .await?
        .ok_or_else(|| AppError::Invalid(format!("no organization {slug:?}; see `herd org list`")))
}

/// Records a provider-level action in the same transaction as the action.
pub(crate) async fn audit(
    c: &mut Conn,
    org: Option<i64>,
    actor: &Actor,
    action: &str,
    target: &str,
    detail: serde_json::Value,
) -> Result<()> {
    provider_audit::record(
        c,
        &ProviderAuditRow {
            id: Id::generate().0,
            organization_id: org,
            actor: actor.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            detail: detail.to_string(),
            created_at: Timestamp::now().0,
        },
    )
    .await?;
    Ok(())
}
