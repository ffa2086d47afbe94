//! Reading and dismissing notifications. Creating them is part of the verb that causes them.

use std::collections::HashMap;

use herd_core::{Id, Timestamp};
use herd_store::accounts::{self, AccountRow};
use herd_store::notifications::{self, Filter, NotificationRow};
use herd_store::{Conn, Page, TenantId, statuses};

use crate::Result;
use crate::views::{self, StatusView};

/// The notification types this server creates.
pub const TYPES: &[&str] = &[
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "update",
    "poll",
    "admin.sign_up",
];

pub struct NotificationView {
    pub row: NotificationRow,
    pub account: AccountRow,
    pub status: Option<StatusView>,
}

pub async fn list(c: &mut Conn, t: TenantId, viewer: i64, f: &Filter, page: &Page) -> Result<Vec<NotificationView>> {
    let rows = notifications::list(c, t, viewer, f, page).await?;
    render(c, t, viewer, rows).await
}

pub async fn get(c: &mut Conn, t: TenantId, viewer: i64, id: i64) -> Result<NotificationView> {
    let row = notifications::get(c, t, viewer, id)
        .await?
        .ok_or(crate::AppError::NotFound("Record not found"))?;
    render(c, t, viewer, vec![row])
        .await?
        .pop()
        .ok_or(crate::AppError::NotFound("Record not found"))
}

async fn render(c: &mut Conn, t: TenantId, viewer: i64, rows: Vec<NotificationRow>) -> Result<Vec<NotificationView>> {
    let account_ids: Vec<i64> = rows.iter().map(|r| r.from_account_id).collect();
    let accounts: HashMap<i64, AccountRow> = accounts::by_ids(c, t, &account_ids).await?.into_iter().map(|a| (a.id, a)).collect();
    let status_ids: Vec<i64> = rows.iter().filter_map(|r| r.status_id).collect();
    // A post the viewer may no longer see (they unfollowed, they were blocked) takes its
    // notification out of the list with it.
    let status_rows = statuses::by_ids(c, t, &status_ids).await?;
    let status_rows = views::filter_visible(c, t, Some(viewer), status_rows).await?;
    // A post a `hide` filter matches takes its notification out too; others carry `filtered`.
    let filters = crate::filters::Active::load(c, t, Some(viewer), "notifications").await?;
    let status_views: HashMap<i64, StatusView> = filters
        .apply(views::statuses(c, t, Some(viewer), status_rows).await?)
        .into_iter()
        .map(|v| (v.row.id, v))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let account = accounts.get(&r.from_account_id)?.clone();
            let status = match r.status_id {
                Some(s) => Some(status_views.get(&s)?.clone()),
                None => None,
            };
            Some(NotificationView { row: r, account, status })
        })
        .collect())
}

/// Creates a notification unless it is to oneself.
pub(crate) async fn notify(c: &mut Conn, t: TenantId, to: i64, from: i64, kind: &str, status: Option<i64>) -> Result<()> {
    if to == from {
        return Ok(());
    }
    insert(c, t, to, from, kind, status).await
}

/// A notification about one's own doing (the end of one's own poll).
pub(crate) async fn notify_self(c: &mut Conn, t: TenantId, to: i64, kind: &str, status: Option<i64>) -> Result<()> {
    insert(c, t, to, to, kind, status).await
}

async fn insert(c: &mut Conn, t: TenantId, to: i64, from: i64, kind: &str, status: Option<i64>) -> Result<()> {
    notifications::insert(
        c,
        t,
        &NotificationRow {
            id: Id::generate().0,
            account_id: to,
            from_account_id: from,
            kind: kind.to_string(),
            status_id: status,
            created_at: Timestamp::now().0,
        },
    )
    .await?;
    Ok(())
}
