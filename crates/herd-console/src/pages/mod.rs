//! One file per part of the console.

pub mod audit;
pub mod bookings;
pub mod organizations;
pub mod plans;
pub mod sign_in;
pub mod usage;

use std::collections::HashMap;

/// A form field, trimmed; empty as none.
pub(crate) fn field(f: &HashMap<String, String>, k: &str) -> Option<String> {
    f.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}
