//! Edges between accounts: follows (and requests to follow locked accounts), blocks, mutes,
//! the domains a user hides, and the hashtags it follows.

mod block;
mod domain_block;
mod follow;
mod mute;
mod requests;
mod tags;
mod unfollow;

pub use block::{block, unblock};
pub(crate) use domain_block::domain as domain_name;
pub use domain_block::{block_domain, unblock_domain};
pub(crate) use follow::accept;
pub(crate) use follow::bump_counts;
pub use follow::follow;
pub use mute::{mute, unmute};
pub use requests::{authorize, reject};
pub(crate) use tags::tag_name;
pub use tags::{follow_tag, unfollow_tag};
pub use unfollow::unfollow;

use herd_store::{Conn, TenantId};

use crate::{AppError, Result, views};

/// The target of an action on another account: exists here, is not the actor.
pub(crate) async fn other(c: &mut Conn, t: TenantId, actor: i64, target: i64) -> Result<()> {
    views::account(c, t, target).await?;
    if actor == target {
        return Err(AppError::Forbidden("This action is not allowed on your own account".into()));
    }
    Ok(())
}
