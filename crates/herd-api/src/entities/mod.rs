//! Mastodon's API entities, as its documentation gives them, and the one conversion from
//! Herd's views into each. Nothing else serializes data for clients.

mod account;
pub mod admin;
pub use admin::report;
mod announcement;
mod card;
mod emoji;
mod featured;
mod filter;
mod instance;
mod notification;
mod poll;
mod scheduled;
mod status;

pub use account::{Account, CredentialAccount, Relationship, account, credential_account, relationship, role_entity};
pub use announcement::{Announcement, announcement};
pub use card::{PreviewCard, card};
pub use emoji::{CustomEmoji, custom_emoji};
pub use featured::{FeaturedTag, featured_tag};
pub use filter::{Filter, FilterKeyword, FilterStatus, filter, filter_keyword, filter_status};
pub use instance::{Rule, VERSION_MASTODON, instance_v1, instance_v2, rule};
pub use notification::{GroupedNotifications, Notification, grouped_notifications, notification};
pub use poll::{Poll, poll};
pub use scheduled::{ScheduledStatus, scheduled_status};
pub use status::{Attachment, Conversation, Status, StatusEdit, attachment, conversation, status, status_edit, write_status};

use herd_core::Timestamp;

pub fn time(ms: i64) -> String {
    Timestamp(ms).to_rfc3339()
}

/// Public URL of a stored file, or Mastodon's placeholder for a missing avatar/header.
pub(crate) fn file_or(tenant: &herd_app::Tenant, key: Option<&str>, missing: &str) -> String {
    match key {
        Some(k) => tenant.file_url(k),
        None => format!("{}{missing}", tenant.base_url()),
    }
}
