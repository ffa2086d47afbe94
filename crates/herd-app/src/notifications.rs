//! Reading and dismissing notifications. Creating them is part of the verb that causes them.

use std::collections::HashMap;

use herd_core::{Id, Timestamp};
use herd_store::accounts::{self, AccountRow};
use herd_store::notifications::{self, Filter, NotificationRow};
use herd_store::{Conn, Page, TenantId, moderation, statuses};

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
    "quote",
    "quoted_update",
    "admin.sign_up",
    "admin.report",
    "moderation_warning",
    "severed_relationships",
];

pub struct NotificationView {
    pub row: NotificationRow,
    pub account: AccountRow,
    pub status: Option<StatusView>,
    /// The strike of a `moderation_warning`, with its appeal if there is one.
    pub strike: Option<(moderation::StrikeRow, Option<moderation::AppealRow>, AccountRow)>,
    /// What a `severed_relationships` notification reports.
    pub severance: Option<moderation::SeveranceRow>,
    /// The report of an `admin.report`, with the account it is about.
    pub report: Option<(herd_store::reports::ReportRow, AccountRow)>,
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

/// The posts of these notifications that the viewer may still see, as the notification list
/// shows them: a post the viewer may no longer see (they unfollowed, they were blocked) or
/// that a `hide` filter matches takes its notification out of the list; others carry
/// `filtered`.
async fn shown_statuses(c: &mut Conn, t: TenantId, viewer: i64, rows: &[NotificationRow]) -> Result<HashMap<i64, StatusView>> {
    let status_ids: Vec<i64> = rows.iter().filter_map(|r| r.status_id).collect();
    let status_rows = statuses::by_ids(c, t, &status_ids).await?;
    let status_rows = views::filter_visible(c, t, Some(viewer), status_rows).await?;
    let filters = crate::filters::Active::load(c, t, Some(viewer), "notifications").await?;
    Ok(filters
        .apply(views::statuses(c, t, Some(viewer), status_rows).await?)
        .into_iter()
        .map(|v| (v.row.id, v))
        .collect())
}

async fn render(c: &mut Conn, t: TenantId, viewer: i64, rows: Vec<NotificationRow>) -> Result<Vec<NotificationView>> {
    let subjects = |kind: &str| -> Vec<i64> { rows.iter().filter(|r| r.kind == kind).filter_map(|r| r.subject_id).collect() };
    let strikes = moderation::strikes_by_ids(c, t, &subjects("moderation_warning")).await?;
    let reports = herd_store::reports::by_ids(c, t, &subjects("admin.report")).await?;
    let mut account_ids: Vec<i64> = rows.iter().map(|r| r.from_account_id).collect();
    account_ids.extend(strikes.iter().map(|s| s.target_account_id));
    account_ids.extend(reports.iter().map(|r| r.target_account_id));
    let accounts: HashMap<i64, AccountRow> = accounts::by_ids(c, t, &account_ids).await?.into_iter().map(|a| (a.id, a)).collect();
    let status_views = shown_statuses(c, t, viewer, &rows).await?;
    let appeals = moderation::appeals_of_strikes(c, t, &strikes.iter().map(|s| s.id).collect::<Vec<_>>()).await?;
    let severances = moderation::severances_by_ids(c, t, &subjects("severed_relationships")).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let account = accounts.get(&r.from_account_id)?.clone();
            let status = match r.status_id {
                Some(s) => Some(status_views.get(&s)?.clone()),
                None => None,
            };
            let strike = match r.kind.as_str() {
                "moderation_warning" => {
                    let s = strikes.iter().find(|s| Some(s.id) == r.subject_id)?.clone();
                    let appeal = appeals.iter().find(|a| a.strike_id == s.id).cloned();
                    let target = accounts.get(&s.target_account_id)?.clone();
                    Some((s, appeal, target))
                }
                _ => None,
            };
            let severance = match r.kind.as_str() {
                "severed_relationships" => Some(severances.iter().find(|s| Some(s.id) == r.subject_id)?.clone()),
                _ => None,
            };
            let report = match r.kind.as_str() {
                "admin.report" => {
                    let report = reports.iter().find(|x| Some(x.id) == r.subject_id)?.clone();
                    let target = accounts.get(&report.target_account_id)?.clone();
                    Some((report, target))
                }
                _ => None,
            };
            Some(NotificationView {
                row: r,
                account,
                status,
                strike,
                severance,
                report,
            })
        })
        .collect())
}

/// One group of notifications on a page of `/api/v2/notifications`.
#[derive(Debug, Clone)]
pub struct GroupView {
    pub key: String,
    pub kind: String,
    pub count: i64,
    pub most_recent_id: i64,
    pub page_min_id: i64,
    pub page_max_id: i64,
    pub latest_at: i64,
    /// The newest distinct senders, at most [`SAMPLE_ACCOUNTS`].
    pub sample_account_ids: Vec<i64>,
    pub status_id: Option<i64>,
    /// What a moderation notification is about, as in [`NotificationView`].
    pub strike: Option<(moderation::StrikeRow, Option<moderation::AppealRow>, AccountRow)>,
    pub severance: Option<moderation::SeveranceRow>,
    pub report: Option<(herd_store::reports::ReportRow, AccountRow)>,
}

/// A page of grouped notifications with the accounts and posts its groups name.
#[derive(Debug, Default)]
pub struct Grouped {
    pub groups: Vec<GroupView>,
    pub accounts: Vec<AccountRow>,
    pub statuses: Vec<StatusView>,
    /// The first notification of each group, newest first: the page's cursor.
    pub heads: Vec<i64>,
}

pub const SAMPLE_ACCOUNTS: usize = 8;

/// A page of groups, as Mastodon pages them: the first `page.limit` groups met walking the
/// notifications from the cursor; each group counts its notifications within the page's
/// range of ids. Kinds not in `grouped` stand alone.
pub async fn grouped(c: &mut Conn, t: TenantId, viewer: i64, f: &Filter, page: &Page, grouped: &[String]) -> Result<Grouped> {
    let heads = notifications::group_heads(c, t, viewer, f, page, grouped).await?;
    let (Some(first), Some(last)) = (heads.first(), heads.last()) else {
        return Ok(Grouped::default());
    };
    let (mut from, mut to) = (last.id, first.id);
    // A page that is not full is the last one that way: its range runs to the cursor.
    if (heads.len() as i64) < page.limit {
        if page.min_id.is_some() {
            to = page.max_id.map_or(i64::MAX, |m| m - 1);
        } else {
            from = page.since_id.map_or(0, |s| s + 1);
        }
    }
    let is_grouped = |r: &NotificationRow| r.group_key.is_some() && grouped.contains(&r.kind);
    let keys: Vec<String> = heads.iter().filter(|r| is_grouped(r)).filter_map(|r| r.group_key.clone()).collect();
    let members = notifications::in_groups(c, t, viewer, f, &keys, from, to).await?;
    let shown = shown_statuses(c, t, viewer, &heads).await?;
    let mut out = Grouped::default();
    for head in &heads {
        if head.status_id.is_some_and(|s| !shown.contains_key(&s)) {
            continue;
        }
        let rows: Vec<&NotificationRow> = match (&head.group_key, is_grouped(head)) {
            (Some(k), true) => members.iter().filter(|m| m.group_key.as_ref() == Some(k)).collect(),
            _ => vec![head],
        };
        let rows = if rows.is_empty() { vec![head] } else { rows };
        let key = match is_grouped(head) {
            true => head.group_key.clone().unwrap_or_default(),
            false => format!("ungrouped-{}", head.id),
        };
        out.groups.push(view_of(key, head, &rows));
    }
    out.heads = heads.iter().map(|h| h.id).collect();
    // Moderation notifications stand alone and carry what they are about.
    let about: Vec<NotificationRow> = heads.iter().filter(|h| h.subject_id.is_some()).cloned().collect();
    if !about.is_empty() {
        for v in render(c, t, viewer, about).await? {
            if let Some(g) = out.groups.iter_mut().find(|g| g.most_recent_id == v.row.id) {
                g.strike = v.strike;
                g.severance = v.severance;
                g.report = v.report;
            }
        }
    }
    let mut ids: Vec<i64> = out.groups.iter().flat_map(|g| g.sample_account_ids.iter().copied()).collect();
    ids.sort_unstable();
    ids.dedup();
    out.accounts = accounts::by_ids(c, t, &ids).await?;
    let mut status_ids: Vec<i64> = out.groups.iter().filter_map(|g| g.status_id).collect();
    status_ids.sort_unstable();
    status_ids.dedup();
    out.statuses = status_ids.iter().filter_map(|s| shown.get(s).cloned()).collect();
    Ok(out)
}

/// A group of `rows` (newest first; never empty) led by `head`.
fn view_of(key: String, head: &NotificationRow, rows: &[&NotificationRow]) -> GroupView {
    let mut sample: Vec<i64> = Vec::new();
    for r in rows {
        if !sample.contains(&r.from_account_id) && sample.len() < SAMPLE_ACCOUNTS {
            sample.push(r.from_account_id);
        }
    }
    let newest = rows.iter().max_by_key(|r| r.id).copied().unwrap_or(head);
    GroupView {
        key,
        kind: head.kind.clone(),
        count: rows.len() as i64,
        most_recent_id: newest.id,
        page_min_id: rows.iter().map(|r| r.id).min().unwrap_or(head.id),
        page_max_id: newest.id,
        latest_at: newest.created_at,
        sample_account_ids: sample,
        status_id: head.status_id,
        strike: None,
        severance: None,
        report: None,
    }
}

/// One group by its key, whole, or NotFound.
pub async fn group(c: &mut Conn, t: TenantId, viewer: i64, key: &str) -> Result<Grouped> {
    let rows = notifications::group(c, t, viewer, key, 1000).await?;
    let Some(newest) = rows.first() else {
        return Err(crate::AppError::NotFound("Record not found"));
    };
    let shown = shown_statuses(c, t, viewer, std::slice::from_ref(newest)).await?;
    if newest.status_id.is_some_and(|s| !shown.contains_key(&s)) {
        // About a post the viewer may no longer see: shown as no group, as in the list.
        return Ok(Grouped::default());
    }
    let key = newest.group_key.clone().unwrap_or_else(|| format!("ungrouped-{}", newest.id));
    let view = view_of(key, newest, &rows.iter().collect::<Vec<_>>());
    Ok(Grouped {
        accounts: accounts::by_ids(c, t, &view.sample_account_ids).await?,
        statuses: shown.into_values().collect(),
        heads: vec![newest.id],
        groups: vec![view],
    })
}

/// Creates a notification unless it is to oneself, as the recipient's notification policy
/// says: into the list, filtered into the sender's request, or not at all.
pub(crate) async fn notify(c: &mut Conn, t: TenantId, to: i64, from: i64, kind: &str, status: Option<i64>) -> Result<()> {
    if to == from {
        return Ok(());
    }
    match crate::notification_policy::decide(c, t, to, from, kind, status).await? {
        crate::notification_policy::Decision::Accept => insert(c, t, to, from, kind, status).await,
        crate::notification_policy::Decision::Drop => Ok(()),
        crate::notification_policy::Decision::Filter => {
            let now = Timestamp::now().0;
            let row = NotificationRow {
                id: Id::generate().0,
                account_id: to,
                from_account_id: from,
                kind: kind.to_string(),
                status_id: status,
                created_at: now,
                group_key: None,
                subject_id: None,
            };
            notifications::insert_as(c, t, &row, true).await?;
            herd_store::notification_requests::file(c, t, Id::generate().0, to, from, status, now).await?;
            Ok(())
        }
    }
}

/// A notification about one's own doing (the end of one's own poll).
pub(crate) async fn notify_self(c: &mut Conn, t: TenantId, to: i64, kind: &str, status: Option<i64>) -> Result<()> {
    insert(c, t, to, to, kind, status).await
}

async fn insert(c: &mut Conn, t: TenantId, to: i64, from: i64, kind: &str, status: Option<i64>) -> Result<()> {
    insert_about(c, t, to, from, kind, status, None).await
}

/// A notification from the instance's moderators about `subject` (a strike, a severance):
/// never filtered, as Mastodon never filters them.
pub(crate) async fn notify_about(c: &mut Conn, t: TenantId, to: i64, from: i64, kind: &str, subject: i64) -> Result<()> {
    insert_about(c, t, to, from, kind, None, Some(subject)).await
}

async fn insert_about(c: &mut Conn, t: TenantId, to: i64, from: i64, kind: &str, status: Option<i64>, subject: Option<i64>) -> Result<()> {
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
            group_key: None,
            subject_id: subject,
        },
    )
    .await?;
    Ok(())
}
