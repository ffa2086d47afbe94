//! Metering per instance and day: monthly active users (as Mastodon counts them: distinct
//! users who used the instance in the last four weeks), accounts, posts, bytes of media,
//! deliveries tried and failed, inbox activities. A daily row per instance is written by
//! the roll-up (housekeeping, one node per day); the consoles and `herd usage` read them.

mod meter;
mod report;
mod roll_up;

pub use meter::{Meter, flush, record_activity};
pub use report::{MonthUsage, csv, month, month_of_org, of_tenant};
pub use roll_up::{roll_up, roll_up_due};

pub use herd_store::usage::{DAY_MS, DailyRow};

/// The epoch day (UTC) of an instant in epoch ms.
pub fn day_of(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS)
}
