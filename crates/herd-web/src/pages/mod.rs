//! One file per page family.

pub mod about;
pub mod legal;
pub mod post;
pub mod profile;
pub mod tag;

use herd_store::Page;

/// The page of posts older than `max_id`, twenty at a time.
pub(crate) fn page(max_id: Option<&String>) -> Page {
    Page {
        max_id: max_id.and_then(|m| m.parse().ok()),
        since_id: None,
        min_id: None,
        limit: 20,
    }
}

/// The link to the next older page, when this one was full.
pub(crate) fn older(base: &str, cursor: &[i64], limit: i64) -> Option<String> {
    cursor
        .last()
        .filter(|_| cursor.len() as i64 >= limit)
        .map(|last| format!("{base}?max_id={last}"))
}
