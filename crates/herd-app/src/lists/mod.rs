//! Lists: an account's named sets of accounts it follows, each with its own timeline, and
//! optionally left out of its home timeline (exclusive lists).

mod create;
mod delete;
mod members;
mod update;

pub use create::create;
pub use delete::delete;
pub use members::{add_members, remove_members};
pub use update::update;

use herd_store::lists::{self, ListRow};
use herd_store::{Conn, TenantId};

use crate::{AppError, Result};

/// What a client sets on a list; `None` keeps a value.
#[derive(Debug, Default)]
pub struct ListSettings {
    pub title: Option<String>,
    pub replies_policy: Option<String>,
    pub exclusive: Option<bool>,
}

/// A list of `owner`'s, or 404 (another account's list is not there for it).
pub async fn owned(c: &mut Conn, t: TenantId, owner: i64, id: i64) -> Result<ListRow> {
    lists::owned(c, t, owner, id).await?.ok_or(AppError::NotFound("Record not found"))
}

/// Applies settings to a list row, checking each.
fn apply(row: &mut ListRow, s: ListSettings) -> Result<()> {
    if let Some(title) = s.title {
        let title = title.trim();
        if title.is_empty() {
            return Err(AppError::Invalid("Validation failed: Title can't be blank".into()));
        }
        if title.chars().count() > 256 {
            return Err(AppError::Invalid(
                "Validation failed: Title is too long (maximum is 256 characters)".into(),
            ));
        }
        row.title = title.to_string();
    }
    if let Some(p) = s.replies_policy {
        if !["followed", "list", "none"].contains(&p.as_str()) {
            return Err(AppError::Invalid(
                "Validation failed: Replies policy must be followed, list or none".into(),
            ));
        }
        row.replies_policy = p;
    }
    if let Some(e) = s.exclusive {
        row.exclusive = i64::from(e);
    }
    Ok(())
}
