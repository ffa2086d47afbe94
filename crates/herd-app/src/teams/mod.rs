//! Team accounts (Mastodon has none; its issue #1405): an organization's own account, say
//! `@press`, that several of its staff post as, each signing in as themselves. A team
//! account is made by `accounts::create` with `team` set (it has no password); an owner or
//! admin adds and removes its members here. A member signs in on the OAuth page naming
//! the team (`auth::authorize`'s `acting_as`), gets a token of the team account that names
//! them (`Viewer::delegate`), and every post, edit and deletion they make with it writes an
//! audit record naming them (`statuses::team_action`). Removing them, or disabling their own
//! account, ends those tokens at once.

mod members;

pub use members::{add_member, remove_member};

use herd_store::teams;

use crate::{App, Result, Tenant};

/// A team account and who may act as it.
pub struct Team {
    pub id: i64,
    pub username: String,
    pub members: Vec<(i64, String)>,
}

/// The instance's team accounts with their members.
pub async fn list(app: &App, tenant: &Tenant) -> Result<Vec<Team>> {
    let mut c = app.db.conn().await?;
    let mut out = Vec::new();
    for (id, username) in teams::list(&mut c, tenant.id).await? {
        let members = teams::members(&mut c, tenant.id, id).await?;
        out.push(Team { id, username, members });
    }
    Ok(out)
}
