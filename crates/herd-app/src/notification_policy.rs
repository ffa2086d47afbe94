//! Notification policies, as Mastodon 4.3 has them: for each kind of sender (accounts the
//! member does not follow, accounts not following the member, accounts younger than 30 days,
//! private mentions from strangers), notifications are accepted, filtered into a request
//! per sender for the member to review, or dropped. Senders the member accepted always get
//! through; follow requests, posts of followed accounts, edits and polls are never filtered.

use herd_core::Timestamp;
use herd_store::notification_requests::{self, PolicyRow, RequestRow};
use herd_store::relationships::{self, Edge};
use herd_store::{Conn, Page, TenantId, accounts, statuses};

use crate::{App, AppError, Result, Tenant};

/// The kinds of notification a policy applies to, as on Mastodon.
const FILTERABLE: [&str; 5] = ["mention", "reblog", "follow", "follow_request", "favourite"];
const NEW_ACCOUNT_MS: i64 = 30 * 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Decision {
    Accept,
    Filter,
    Drop,
}

fn parse(v: &str) -> Decision {
    match v {
        "filter" => Decision::Filter,
        "drop" => Decision::Drop,
        _ => Decision::Accept,
    }
}

/// What `to`'s policy does with a notification of `kind` from `from` (about `status`).
pub(crate) async fn decide(c: &mut Conn, t: TenantId, to: i64, from: i64, kind: &str, status: Option<i64>) -> Result<Decision> {
    if !FILTERABLE.contains(&kind) || notification_requests::permitted(c, t, to, from).await? {
        return Ok(Decision::Accept);
    }
    let p = notification_requests::policy(c, t, to).await?;
    if p == PolicyRow::default() && kind != "mention" {
        return Ok(Decision::Accept);
    }
    let follows = relationships::exists(c, t, Edge::Follow, to, from).await?;
    let mut d = Decision::Accept;
    if !follows {
        d = d.max(parse(&p.for_not_following));
    }
    if !relationships::exists(c, t, Edge::Follow, from, to).await? {
        d = d.max(parse(&p.for_not_followers));
    }
    if accounts::by_id(c, t, from).await?.created_at > Timestamp::now().0 - NEW_ACCOUNT_MS {
        d = d.max(parse(&p.for_new_accounts));
    }
    if kind == "mention"
        && !follows
        && let Some(s) = status
        && let Some(row) = statuses::by_id(c, t, s).await?
        && row.visibility == "direct"
        && row.in_reply_to_account_id != Some(to)
    {
        d = d.max(parse(&p.for_private_mentions));
    }
    Ok(d)
}

/// A policy as a client sets it: each field `accept`, `filter` or `drop`; `None` keeps it.
#[derive(Debug, Default)]
pub struct PolicyChange {
    pub for_not_following: Option<String>,
    pub for_not_followers: Option<String>,
    pub for_new_accounts: Option<String>,
    pub for_private_mentions: Option<String>,
    pub for_limited_accounts: Option<String>,
}

pub async fn policy(c: &mut Conn, t: TenantId, account: i64) -> Result<(PolicyRow, (i64, i64))> {
    Ok((
        notification_requests::policy(c, t, account).await?,
        notification_requests::summary(c, t, account).await?,
    ))
}

pub async fn set_policy(app: &App, tenant: &Tenant, account: i64, change: PolicyChange) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let mut p = notification_requests::policy(&mut tx, tenant.id, account).await?;
    for (name, value, field) in [
        ("for_not_following", change.for_not_following, &mut p.for_not_following),
        ("for_not_followers", change.for_not_followers, &mut p.for_not_followers),
        ("for_new_accounts", change.for_new_accounts, &mut p.for_new_accounts),
        ("for_private_mentions", change.for_private_mentions, &mut p.for_private_mentions),
        ("for_limited_accounts", change.for_limited_accounts, &mut p.for_limited_accounts),
    ] {
        if let Some(v) = value {
            if !matches!(v.as_str(), "accept" | "filter" | "drop") {
                return Err(AppError::Invalid(format!(
                    "Validation failed: {name} must be accept, filter or drop"
                )));
            }
            *field = v;
        }
    }
    notification_requests::set_policy(&mut tx, tenant.id, account, &p, Timestamp::now().0).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn requests(c: &mut Conn, t: TenantId, account: i64, page: &Page) -> Result<Vec<RequestRow>> {
    Ok(notification_requests::list(c, t, account, page).await?)
}

/// Accepts (or dismisses) these requests of `account`; unknown ids are NotFound when `one`.
pub async fn answer(app: &App, tenant: &Tenant, account: i64, ids: &[i64], accept: bool, one: bool) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let found = notification_requests::get(&mut tx, tenant.id, account, ids).await?;
    if one && found.is_empty() {
        return Err(AppError::NotFound("Record not found"));
    }
    for r in &found {
        if accept {
            notification_requests::accept(&mut tx, tenant.id, r).await?;
        } else {
            notification_requests::dismiss(&mut tx, tenant.id, r).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
