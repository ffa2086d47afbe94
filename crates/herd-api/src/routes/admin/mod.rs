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
