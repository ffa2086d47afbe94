//! Blocklists: Mastodon's domain-block CSV (`#domain,#severity,#reject_media,
//! #reject_reports,#public_comment,#obfuscate`) imported or exported by an operator, and
//! subscriptions to lists others keep (Mastodon has none, #116), as CSV or as FIRES datasets
//! (a snapshot, then its changes). A `SyncBlocklist` job reads a list through the guarded
//! client on its schedule and applies the difference: a domain the list adds is blocked
//! (unless the instance already decided on it), a domain it drops is unblocked if the list
//! made that block and no other list holds it. A moderator's own block is never changed by a
//! list, and a block a moderator edits becomes theirs.

mod csv_format;
mod fires;
mod import;
mod subscribe;
mod sync;

pub use csv_format::{parse_csv, to_csv};
pub use fires::{FiresPage, parse_fires};
pub use import::{ImportOutcome, export, import};
pub use subscribe::{Format, subscribe, unsubscribe};
pub use sync::{SyncBlocklist, SyncOutcome, sync, sync_now};

use herd_store::blocklists::EntryRow;

/// Keeps the first entry per domain (lists sometimes repeat one) and only real domains.
pub(crate) fn dedup(entries: Vec<EntryRow>) -> Vec<EntryRow> {
    let mut seen = std::collections::HashSet::new();
    entries
        .into_iter()
        .filter_map(|mut e| {
            e.domain = crate::follows::domain_name(&e.domain).ok()?;
            seen.insert(e.domain.clone()).then_some(e)
        })
        .collect()
}
