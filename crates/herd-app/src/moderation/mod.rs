//! Moderation inside one instance, as Mastodon has it: moderators act on accounts (warn,
//! mark sensitive, disable, limit, suspend) with a strike the member reads and may appeal,
//! work the report queue (assign, note, categorize, resolve, reopen), and decide appeals.
//! Every verb checks the moderator's role (Mastodon's permissions and role positions) and
//! writes an audit record in its transaction. The instance's server blocks are
//! [`crate::federation_policy`].

mod act;
mod appeal;
mod assign;
mod categorize;
mod decide;
mod lift;
mod note;
mod purge;
pub mod queue;
mod resolve;

pub use act::{ActionParams, act};
pub use appeal::appeal;
pub use assign::assign;
pub use categorize::categorize;
pub use decide::decide;
pub use lift::{Lift, lift};
pub use note::{add_note, delete_note};
pub use purge::{PurgeSuspended, purge, purge_now};
pub use resolve::resolve;

use herd_core::{Permission, Role};
use herd_store::{Conn, TenantId, users};

use crate::{Actor, AppError, Result};

/// Who acts: the operator at the command line (every permission) or a signed-in staff member.
#[derive(Debug, Clone, Copy)]
pub struct Moderator {
    pub account: Option<i64>,
    pub role: Role,
}

impl Moderator {
    pub fn operator() -> Moderator {
        Moderator {
            account: None,
            role: Role::Owner,
        }
    }

    pub fn actor(&self) -> Actor {
        match self.account {
            Some(a) => Actor::Account(a),
            None => Actor::Operator,
        }
    }

    /// Refuses, with Mastodon's message, unless the role holds one of `any`.
    pub fn require(&self, any: &[Permission]) -> Result<()> {
        if any.iter().any(|p| self.role.can(*p)) {
            Ok(())
        } else {
            Err(not_allowed())
        }
    }

    /// Refuses unless the role ranks above the target's (a local account's role; remote
    /// accounts have none), as Mastodon's `overrides?`.
    pub async fn outranks(&self, c: &mut Conn, t: TenantId, target: i64) -> Result<()> {
        if self.account.is_none() {
            return Ok(());
        }
        let role = users::by_account(c, t, target)
            .await?
            .and_then(|u| Role::parse(&u.role).ok())
            .unwrap_or(Role::Member);
        if self.role.overrides(role) { Ok(()) } else { Err(not_allowed()) }
    }
}

/// Mastodon's answer to a staff member without the permission.
pub fn not_allowed() -> AppError {
    AppError::Forbidden("This action is not allowed".into())
}

/// Appeals stay open this long after a strike: six months, as the DSA's Art. 20 asks
/// (Mastodon allows 20 days).
pub const APPEAL_WINDOW_MS: i64 = 183 * 86_400_000;

/// A suspended account's data is purged this long after the suspension, unless lifted.
pub const PURGE_AFTER_MS: i64 = 30 * 86_400_000;
