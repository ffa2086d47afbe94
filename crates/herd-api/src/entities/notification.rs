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
}

pub fn notification(tenant: &Tenant, n: &NotificationView) -> Notification {
    Notification {
        id: n.row.id.to_string(),
        kind: n.row.kind.clone(),
        group_key: format!("ungrouped-{}", n.row.id),
        created_at: time(n.row.created_at),
        account: account(tenant, &n.account),
        status: n.status.as_ref().map(|s| status(tenant, s)),
    }
}
