use herd_app::Tenant;
use herd_app::notifications::NotificationView;
use serde::Serialize;

use super::{Account, Status, account, status, time};

#[derive(Serialize)]
pub struct Notification {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub group_key: String,
    pub created_at: String,
    pub account: Account,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The strike of a `moderation_warning`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moderation_warning: Option<serde_json::Value>,
    /// The severance of a `severed_relationships`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<serde_json::Value>,
    /// The report of an `admin.report`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<serde_json::Value>,
}

pub fn notification(tenant: &Tenant, n: &NotificationView) -> Notification {
    Notification {
        id: n.row.id.to_string(),
        kind: n.row.kind.clone(),
        group_key: n.row.group_key.clone().unwrap_or_else(|| format!("ungrouped-{}", n.row.id)),
        created_at: time(n.row.created_at),
        account: account(tenant, &n.account),
        status: n.status.as_ref().map(|s| status(tenant, s)),
        moderation_warning: n
            .strike
            .as_ref()
            .map(|(s, appeal, target)| super::admin::account_warning(tenant, s, appeal.as_ref(), target)),
        event: n.severance.as_ref().map(super::admin::severance_event),
        report: n.report.as_ref().map(|(r, target)| super::admin::report(tenant, r, target)),
    }
}

/// Mastodon's NotificationGroup, with its accounts and post named by id (the page carries
/// them once each).
#[derive(Serialize)]
pub struct NotificationGroup {
    pub group_key: String,
    pub notifications_count: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub most_recent_notification_id: String,
    pub page_min_id: String,
    pub page_max_id: String,
    pub latest_page_notification_at: String,
    pub sample_account_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moderation_warning: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<serde_json::Value>,
}

/// Mastodon's GroupedNotificationsResults.
#[derive(Serialize)]
pub struct GroupedNotifications {
    pub accounts: Vec<Account>,
    pub statuses: Vec<Status>,
    pub notification_groups: Vec<NotificationGroup>,
}

pub fn grouped_notifications(tenant: &Tenant, g: &herd_app::notifications::Grouped) -> GroupedNotifications {
    GroupedNotifications {
        accounts: g.accounts.iter().map(|a| account(tenant, a)).collect(),
        statuses: g.statuses.iter().map(|s| status(tenant, s)).collect(),
        notification_groups: g
            .groups
            .iter()
            .map(|v| NotificationGroup {
                group_key: v.key.clone(),
                notifications_count: v.count,
                kind: v.kind.clone(),
                most_recent_notification_id: v.most_recent_id.to_string(),
                page_min_id: v.page_min_id.to_string(),
                page_max_id: v.page_max_id.to_string(),
                latest_page_notification_at: time(v.latest_at),
                sample_account_ids: v.sample_account_ids.iter().map(i64::to_string).collect(),
                status_id: v.status_id.map(|s| s.to_string()),
                moderation_warning: v
                    .strike
                    .as_ref()
                    .map(|(s, appeal, target)| super::admin::account_warning(tenant, s, appeal.as_ref(), target)),
                event: v.severance.as_ref().map(super::admin::severance_event),
                report: v.report.as_ref().map(|(r, target)| super::admin::report(tenant, r, target)),
            })
            .collect(),
    }
}
