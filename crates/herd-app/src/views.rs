//! The read side: gathers everything one or many posts need for rendering in a fixed number of
//! queries (not one per post), and decides who may see what.

use std::collections::{HashMap, HashSet};

use herd_core::Visibility;
use herd_store::accounts::{self, AccountRow};
use herd_store::interactions;
use herd_store::media::{self, MediaRow};
use herd_store::relationships::{self, Edge};
use herd_store::statuses::{self, StatusRow};
use herd_store::{Conn, TenantId, tags};

use crate::{AppError, Result};

/// A post with everything needed to render it for one viewer.
#[derive(Debug, Clone)]
pub struct StatusView {
    pub row: StatusRow,
    pub account: AccountRow,
    pub media: Vec<MediaRow>,
    pub mentions: Vec<AccountRow>,
    pub tags: Vec<String>,
    pub reblog: Option<Box<StatusView>>,
    pub favourited: bool,
    pub reblogged: bool,
    pub bookmarked: bool,
    pub pinned: bool,
}

/// Loads views for `rows`, keeping their order. Boosts carry their target's view.
pub async fn statuses(c: &mut Conn, t: TenantId, viewer: Option<i64>, rows: Vec<StatusRow>) -> Result<Vec<StatusView>> {
    let target_ids: Vec<i64> = rows.iter().filter_map(|r| r.reblog_of_id).collect();
    let targets = statuses::by_ids(c, t, &target_ids).await?;
    let all: Vec<&StatusRow> = rows.iter().chain(targets.iter()).collect();
    let ids: Vec<i64> = all.iter().map(|r| r.id).collect();

    let mentions = tags::mentions_for(c, t, &ids).await?;
    let mut account_ids: Vec<i64> = all.iter().map(|r| r.account_id).collect();
    account_ids.extend(mentions.iter().map(|(_, a)| *a));
    account_ids.sort_unstable();
    account_ids.dedup();
    let accounts: HashMap<i64, AccountRow> = accounts::by_ids(c, t, &account_ids).await?.into_iter().map(|a| (a.id, a)).collect();

    let mut media_by: HashMap<i64, Vec<MediaRow>> = HashMap::new();
    for m in media::for_statuses(c, t, &ids).await? {
        if let Some(s) = m.status_id {
            media_by.entry(s).or_default().push(m);
        }
    }
    let mut tags_by: HashMap<i64, Vec<String>> = HashMap::new();
    for (s, name) in tags::for_statuses(c, t, &ids).await? {
        tags_by.entry(s).or_default().push(name);
    }
    let mut mentions_by: HashMap<i64, Vec<AccountRow>> = HashMap::new();
    for (s, a) in &mentions {
        if let Some(acc) = accounts.get(a) {
            mentions_by.entry(*s).or_default().push(acc.clone());
        }
    }
    let flags = match viewer {
        Some(v) => interactions::flags(c, t, v, &ids).await?,
        None => Default::default(),
    };
    let (fav, reb, bm, pin) = (
        set(flags.favourited),
        set(flags.reblogged),
        set(flags.bookmarked),
        set(flags.pinned),
    );

    let build = |r: &StatusRow| -> Option<StatusView> {
        Some(StatusView {
            account: accounts.get(&r.account_id)?.clone(),
            media: media_by.get(&r.id).cloned().unwrap_or_default(),
            mentions: mentions_by.get(&r.id).cloned().unwrap_or_default(),
            tags: tags_by.get(&r.id).cloned().unwrap_or_default(),
            reblog: None,
            favourited: fav.contains(&r.id),
            reblogged: reb.contains(&r.id),
            bookmarked: bm.contains(&r.id),
            pinned: pin.contains(&r.id),
            row: r.clone(),
        })
    };
    let target_views: HashMap<i64, StatusView> = targets.iter().filter_map(|r| build(r).map(|v| (r.id, v))).collect();
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let Some(mut v) = build(r) else { continue };
        if let Some(target) = r.reblog_of_id {
            match target_views.get(&target) {
                Some(tv) => v.reblog = Some(Box::new(tv.clone())),
                None => continue,
            }
        }
        out.push(v);
    }
    Ok(out)
}

fn set(v: Vec<i64>) -> HashSet<i64> {
    v.into_iter().collect()
}

pub async fn status(c: &mut Conn, t: TenantId, viewer: Option<i64>, row: StatusRow) -> Result<StatusView> {
    statuses(c, t, viewer, vec![row])
        .await?
        .pop()
        .ok_or(AppError::NotFound("Record not found"))
}

/// Whether `viewer` may see `row`: public and unlisted posts unless the author blocks the
/// viewer; followers-only posts for followers and mentioned accounts; direct posts for the
/// mentioned. Authors always see their own.
pub async fn visible(c: &mut Conn, t: TenantId, viewer: Option<i64>, row: &StatusRow) -> Result<bool> {
    if viewer == Some(row.account_id) {
        return Ok(true);
    }
    let vis = Visibility::parse(&row.visibility).unwrap_or(Visibility::Direct);
    let Some(v) = viewer else {
        return Ok(matches!(vis, Visibility::Public | Visibility::Unlisted));
    };
    if relationships::exists(c, t, Edge::Block, row.account_id, v).await? {
        return Ok(false);
    }
    Ok(match vis {
        Visibility::Public | Visibility::Unlisted => true,
        Visibility::Private => relationships::exists(c, t, Edge::Follow, v, row.account_id).await? || mentioned(c, t, row.id, v).await?,
        Visibility::Direct => mentioned(c, t, row.id, v).await?,
    })
}

async fn mentioned(c: &mut Conn, t: TenantId, status: i64, account: i64) -> Result<bool> {
    Ok(tags::mentions_for(c, t, &[status]).await?.iter().any(|(_, a)| *a == account))
}

/// A post the viewer may see, or NotFound (never Forbidden, so existence does not leak).
pub async fn visible_status(c: &mut Conn, t: TenantId, viewer: Option<i64>, id: i64) -> Result<StatusRow> {
    let row = statuses::by_id(c, t, id).await?.ok_or(AppError::NotFound("Record not found"))?;
    if visible(c, t, viewer, &row).await? {
        Ok(row)
    } else {
        Err(AppError::NotFound("Record not found"))
    }
}

/// Keeps the posts the viewer may see (and whose boosted post they may see).
pub async fn filter_visible(c: &mut Conn, t: TenantId, viewer: Option<i64>, rows: Vec<StatusRow>) -> Result<Vec<StatusRow>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if !visible(c, t, viewer, &r).await? {
            continue;
        }
        if let Some(target) = r.reblog_of_id {
            match statuses::by_id(c, t, target).await? {
                Some(tr) if visible(c, t, viewer, &tr).await? => {}
                _ => continue,
            }
        }
        out.push(r);
    }
    Ok(out)
}

/// The relationship of the viewer to each of `targets`, as Mastodon reports it.
#[derive(Debug, Clone, Default)]
pub struct Relationship {
    pub id: i64,
    pub following: bool,
    pub showing_reblogs: bool,
    pub notifying: bool,
    pub followed_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
    pub requested: bool,
    pub requested_by: bool,
    pub endorsed: bool,
    pub note: String,
}

pub async fn relationships(c: &mut Conn, t: TenantId, viewer: i64, targets: &[i64]) -> Result<Vec<Relationship>> {
    let following = relationships::among(c, t, Edge::Follow, viewer, targets, true).await?;
    let followed_by = set(relationships::among(c, t, Edge::Follow, viewer, targets, false)
        .await?
        .iter()
        .map(|e| e.account_id)
        .collect());
    let requested = relationships::among(c, t, Edge::FollowRequest, viewer, targets, true).await?;
    let requested_by = set(relationships::among(c, t, Edge::FollowRequest, viewer, targets, false)
        .await?
        .iter()
        .map(|e| e.account_id)
        .collect());
    let blocking = set(relationships::among(c, t, Edge::Block, viewer, targets, true)
        .await?
        .iter()
        .map(|e| e.target_account_id)
        .collect());
    let blocked_by = set(relationships::among(c, t, Edge::Block, viewer, targets, false)
        .await?
        .iter()
        .map(|e| e.account_id)
        .collect());
    let mutes = relationships::among(c, t, Edge::Mute, viewer, targets, true).await?;
    Ok(targets
        .iter()
        .map(|&id| {
            let f = following.iter().find(|e| e.target_account_id == id);
            let rq = requested.iter().find(|e| e.target_account_id == id);
            let m = mutes.iter().find(|e| e.target_account_id == id);
            let edge = f.or(rq);
            Relationship {
                id,
                following: f.is_some(),
                showing_reblogs: edge.is_some_and(|e| e.show_reblogs != 0),
                notifying: edge.is_some_and(|e| e.notify != 0),
                followed_by: followed_by.contains(&id),
                blocking: blocking.contains(&id),
                blocked_by: blocked_by.contains(&id),
                muting: m.is_some(),
                muting_notifications: m.is_some_and(|e| e.show_reblogs != 0),
                requested: rq.is_some(),
                requested_by: requested_by.contains(&id),
                ..Default::default()
            }
        })
        .collect())
}

/// A local or known account of this tenant that is not suspended.
pub async fn account(c: &mut Conn, t: TenantId, id: i64) -> Result<AccountRow> {
    let a = accounts::by_id(c, t, id)
        .await
        .map_err(|_| AppError::NotFound("Record not found"))?;
    if a.suspended_at.is_some() {
        return Err(AppError::NotFound("Record not found"));
    }
    Ok(a)
}
