//! Mastodon's admin API (`/api/v1/admin/...`, `/api/v2/admin/accounts`) for an instance's
//! staff, and Herd's additions: the audit log, notes on reports and accounts, appeals, and
//! a member's own strikes. Every route takes a token with the granular admin scope Mastodon
//! asks for; the verb checks the role's permission.

mod access;
mod accounts;
mod audit;
mod automod;
mod blocklists;
mod domains;
mod dsa;
mod metrics;
mod reports;
mod strikes;

use axum::Router;
use herd_store::accounts::AccountRow;
use herd_store::users::UserRow;
use herd_store::{Conn, TenantId, moderation};

use crate::State;

pub fn routes() -> Router<State> {
    Router::new()
        .merge(accounts::routes())
        .merge(access::routes())
        .merge(reports::routes())
        .merge(domains::routes())
        .merge(dsa::routes())
        .merge(audit::routes())
        .merge(automod::routes())
        .merge(blocklists::routes())
        .merge(metrics::routes())
        .merge(strikes::routes())
}

/// Accounts with their users, for admin entities.
pub(super) async fn with_users(c: &mut Conn, t: TenantId, ids: &[i64]) -> herd_store::Result<Vec<(AccountRow, Option<UserRow>)>> {
    let accounts = herd_store::accounts::by_ids(c, t, ids).await?;
    let users = moderation::users_of(c, t, ids).await?;
    Ok(accounts
        .into_iter()
        .map(|a| {
            let u = users.iter().find(|u| u.account_id == a.id).cloned();
            (a, u)
        })
        .collect())
}
