//! The read side: gathers everything one or many posts need for rendering in a fixed number of
//! queries (not one per post), and decides who may see what.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use herd_core::Visibility;
use herd_store::accounts::{self, AccountRow};
use herd_store::interactions;
use herd_store::media::{self, MediaRow};
use herd_store::polls::{self, Poll};
use herd_store::relationships::{self, Edge};
use herd_store::statuses::{self, StatusRow};
use herd_store::{Conn, TenantId, tags};

use crate::cache::{self, Marks, Slot, StatusParts};
use crate::{App, AppError, LazyConn, Result};

/// A post with everything needed to render it for one viewer.
#[derive(Debug, Clone)]
pub struct StatusView {
    pub row: Arc<StatusRow>,
    pub account: Arc<AccountRow>,
    pub media: Vec<MediaRow>,
    pub mentions: Vec<Arc<AccountRow>>,
    pub tags: Vec<String>,
    pub reblog: Option<Box<StatusView>>,
    /// Where the API layer keeps its rendering of the fixed part (shared through the cache).
    pub fixed: Slot,
    pub favourited: bool,
    pub reblogged: bool,
    pub bookmarked: bool,
    pub pinned: bool,
    /// The viewer's filters it matches (see [`crate::filters`]).
    pub filtered: Vec<crate::filters::Match>,
    /// Its poll, if it has one.
    pub poll: Option<Arc<Poll>>,
    /// The custom emoji its text uses.
    pub emojis: Vec<herd_store::emojis::EmojiRow>,
    /// The viewer's choices in that poll (`None` without a viewer).
    pub own_votes: Option<Vec<i64>>,
    /// The preview of its first link.
    pub card: Option<herd_store::cards::CardRow>,
    /// Who the view is for.
    pub viewer: Option<i64>,
    /// The post it quotes, as the viewer may see it.
    pub quote: Option<Box<QuoteView>>,
    /// Whether the viewer may quote it.
    pub quote_approval: crate::quotes::Approval,
}

/// A post's quote of another, for one viewer.
#[derive(Debug, Clone)]
pub struct QuoteView {
    pub row: herd_store::quotes::QuoteRow,
    /// The state the viewer sees: the stored one, or for an accepted quote whose post the
    /// viewer cannot see, why (`deleted`, `unauthorized`, `blocked_account`,
    /// `blocked_domain`, `muted_account`).
    pub state: &'static str,
    /// The quoted post, when the viewer sees it (never for a quote within a quote).
    pub status: Option<Box<StatusView>>,
    /// A quote within a quoted post is shown by id only (Mastodon's ShallowQuote).
    pub shallow: bool,
}

/// What the quotes on a page need beside the posts' parts: the state each quoted post has
/// for the viewer and the authors the viewer follows or is followed by.
#[derive(Debug, Default)]
struct QuoteContext {
    /// By quoted post id: `None` when the viewer sees it, else the state to show.
    hidden: HashMap<i64, Option<&'static str>>,
    follows: HashSet<i64>,
    followed_by: HashSet<i64>,
}

/// Loads views for `rows`, keeping their order, straight from the database. Boosts carry
/// their target's view.
pub async fn statuses(c: &mut Conn, t: TenantId, viewer: Option<i64>, rows: Vec<StatusRow>) -> Result<Vec<StatusView>> {
    statuses_as(c, t, viewer, rows, false).await
}

/// Posts as a moderator reads them in a report: also those of suspended accounts.
pub async fn statuses_for_moderators(c: &mut Conn, t: TenantId, rows: Vec<StatusRow>) -> Result<Vec<StatusView>> {
    statuses_as(c, t, None, rows, true).await
}

async fn statuses_as(c: &mut Conn, t: TenantId, viewer: Option<i64>, rows: Vec<StatusRow>, moderating: bool) -> Result<Vec<StatusView>> {
    let order: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let target_ids: Vec<i64> = rows.iter().filter_map(|r| r.reblog_of_id).collect();
    let targets = statuses::by_ids(c, t, &target_ids).await?;
    let mut parts = HashMap::new();
    for p in load_parts(c, t, rows.into_iter().chain(targets).collect()).await? {
        parts.insert(p.row.id, Arc::new(p));
    }
    let quoted_ids: Vec<i64> = quoted_of(&parts).into_iter().filter(|id| !parts.contains_key(id)).collect();
    let quoted_rows = statuses::by_ids(c, t, &quoted_ids).await?;
    for p in load_parts(c, t, quoted_rows).await? {
        parts.insert(p.row.id, Arc::new(p));
    }
    let quotes = quote_context(c, t, viewer, &parts).await?;
    let account_ids = accounts_of(parts.values());
    let accounts = accounts::by_ids(c, t, &account_ids)
        .await?
        .into_iter()
        .map(|a| (a.id, Arc::new(a)))
        .collect();
    let flags = match viewer {
        Some(v) => interactions::flags(c, t, v, &parts.keys().copied().collect::<Vec<_>>()).await?,
        None => Default::default(),
    };
    let votes = match viewer {
        Some(v) => Some(votes_in(c, t, v, &parts).await?),
        None => None,
    };
    Ok(assemble(
        &order,
        &parts,
        &accounts,
        flags,
        viewer,
        votes.as_ref(),
        &quotes,
        moderating,
    ))
}

/// Loads views for the posts with these ids, keeping their order, through the node's caches
/// (see [`crate::cache`]): a connection is taken only for what is not cached, and always for
/// the viewer's own flags. Ids of posts that no longer exist are skipped.
pub async fn cached(app: &App, c: &mut LazyConn<'_>, t: TenantId, viewer: Option<i64>, ids: &[i64]) -> Result<Vec<StatusView>> {
    let mut parts = cached_parts(app, c, t, ids).await?;
    let target_ids: Vec<i64> = parts.values().filter_map(|p| p.row.reblog_of_id).collect();
    parts.extend(cached_parts(app, c, t, &target_ids).await?);
    let quoted_ids: Vec<i64> = quoted_of(&parts).into_iter().filter(|id| !parts.contains_key(id)).collect();
    parts.extend(cached_parts(app, c, t, &quoted_ids).await?);
    // Quotes are rare: a connection is taken for them only when a page has one (or a post
    // whose quote policy depends on who follows whom).
    let needed = parts
        .values()
        .any(|p| p.quote.is_some() || (viewer.is_some() && crate::quotes::needs_relations(&p.row)));
    let quotes = if needed {
        quote_context(c.get().await?, t, viewer, &parts).await?
    } else {
        QuoteContext::default()
    };
    let (mut accounts, missing) = cache::lookup(&app.caches.accounts, t, &accounts_of(parts.values()));
    if !missing.is_empty() {
        let epoch = app.caches.epoch();
        for a in accounts::by_ids(c.get().await?, t, &missing).await? {
            let a = Arc::new(a);
            app.caches.put(&app.caches.accounts, epoch, (t.0, a.id), a.clone());
            accounts.insert(a.id, a);
        }
    }
    let flags = match viewer {
        Some(v) if !parts.is_empty() => cached_flags(app, c, t, v, &parts.keys().copied().collect::<Vec<_>>()).await?,
        _ => Default::default(),
    };
    // Polls are rare: a connection is taken for the viewer's votes only when a page has one.
    let votes = match viewer {
        Some(v) if parts.values().any(|p| p.poll.is_some()) => Some(votes_in(c.get().await?, t, v, &parts).await?),
        Some(_) => Some(HashMap::new()),
        None => None,
    };
    Ok(assemble(ids, &parts, &accounts, flags, viewer, votes.as_ref(), &quotes, false))
}

/// The viewer's flags on these posts, asking the database only about posts not in its memo.
async fn cached_flags(app: &App, c: &mut LazyConn<'_>, t: TenantId, viewer: i64, ids: &[i64]) -> Result<interactions::Flags> {
    let key = (t.0, viewer);
    let epoch = app.caches.epoch();
    let memo = app.caches.marks.get(&key).unwrap_or_default();
    let unknown: Vec<i64> = ids.iter().copied().filter(|id| !memo.known.contains_key(id)).collect();
    let memo = if unknown.is_empty() {
        memo
    } else {
        let found = interactions::flags(c.get().await?, t, viewer, &unknown).await?;
        let mut next = if memo.known.len() + unknown.len() > Marks::MAX {
            Marks::default()
        } else {
            (*memo).clone()
        };
        for id in &unknown {
            next.known.insert(*id, 0);
        }
        for (list, bit) in [
            (&found.favourited, Marks::FAVOURITED),
            (&found.reblogged, Marks::REBLOGGED),
            (&found.bookmarked, Marks::BOOKMARKED),
            (&found.pinned, Marks::PINNED),
        ] {
            for id in list {
                *next.known.entry(*id).or_default() |= bit;
            }
        }
        let next = Arc::new(next);
        app.caches.put(&app.caches.marks, epoch, key, next.clone());
        next
    };
    let with = |bit: u8| {
        ids.iter()
            .copied()
            .filter(|id| memo.known.get(id).is_some_and(|m| m & bit != 0))
            .collect()
    };
    Ok(interactions::Flags {
        favourited: with(Marks::FAVOURITED),
        reblogged: with(Marks::REBLOGGED),
        bookmarked: with(Marks::BOOKMARKED),
        pinned: with(Marks::PINNED),
    })
}

async fn cached_parts(app: &App, c: &mut LazyConn<'_>, t: TenantId, ids: &[i64]) -> Result<HashMap<i64, Arc<StatusParts>>> {
    let (mut out, missing) = cache::lookup(&app.caches.statuses, t, ids);
    if !missing.is_empty() {
        let epoch = app.caches.epoch();
        let c = c.get().await?;
        let rows = statuses::by_ids(c, t, &missing).await?;
        for p in load_parts(c, t, rows).await? {
            let p = Arc::new(p);
            app.caches.put(&app.caches.statuses, epoch, (t.0, p.row.id), p.clone());
            out.insert(p.row.id, p);
        }
    }
    Ok(out)
}

/// The viewer's choices in the polls of these posts, by poll id.
async fn votes_in(c: &mut Conn, t: TenantId, viewer: i64, parts: &HashMap<i64, Arc<StatusParts>>) -> Result<HashMap<i64, Vec<i64>>> {
    let poll_ids: Vec<i64> = parts.values().filter_map(|p| p.poll.as_ref()).map(|p| p.row.id).collect();
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for (poll, choice) in polls::own_votes(c, t, viewer, &poll_ids).await? {
        out.entry(poll).or_default().push(choice);
    }
    Ok(out)
}

/// Media, mentions, tags and polls of these posts, in a fixed number of queries.
async fn load_parts(c: &mut Conn, t: TenantId, rows: Vec<StatusRow>) -> Result<Vec<StatusParts>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut mentions_by: HashMap<i64, Vec<i64>> = HashMap::new();
    for (s, a) in tags::mentions_for(c, t, &ids).await? {
        mentions_by.entry(s).or_default().push(a);
    }
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
    let mut emojis_by: HashMap<i64, Vec<herd_store::emojis::EmojiRow>> = HashMap::new();
    for (s, e) in herd_store::emojis::for_statuses(c, t, &ids).await? {
        emojis_by.entry(s).or_default().push(e);
    }
    let mut card_by: HashMap<i64, herd_store::cards::CardRow> = herd_store::cards::for_statuses(c, t, &ids).await?.into_iter().collect();
    let mut quote_by: HashMap<i64, herd_store::quotes::QuoteRow> = herd_store::quotes::for_statuses(c, t, &ids)
        .await?
        .into_iter()
        .map(|q| (q.status_id, q))
        .collect();
    let mut poll_by: HashMap<i64, Arc<Poll>> = HashMap::new();
    for p in polls::for_statuses(c, t, &ids).await? {
        poll_by.insert(p.row.status_id, Arc::new(p));
    }
    Ok(rows
        .into_iter()
        .map(|row| StatusParts {
            media: media_by.remove(&row.id).unwrap_or_default(),
            mentions: mentions_by.remove(&row.id).unwrap_or_default(),
            tags: tags_by.remove(&row.id).unwrap_or_default(),
            poll: poll_by.remove(&row.id),
            emojis: emojis_by.remove(&row.id).unwrap_or_default(),
            card: card_by.remove(&row.id),
            quote: quote_by.remove(&row.id),
            row: Arc::new(row),
            fixed: Slot::default(),
        })
        .collect())
}

/// Authors and mentioned accounts of these posts, sorted and without repeats.
fn accounts_of<'a>(parts: impl Iterator<Item = &'a Arc<StatusParts>>) -> Vec<i64> {
    let mut ids: Vec<i64> = parts
        .flat_map(|p| std::iter::once(p.row.account_id).chain(p.mentions.iter().copied()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Views in the order of `ids`; posts whose author (or boosted post) is missing are left out.
// Every argument is one of the loaded parts a view is built from; a struct would only rename them.
#[allow(clippy::too_many_arguments)]
fn assemble(
    ids: &[i64],
    parts: &HashMap<i64, Arc<StatusParts>>,
    accounts: &HashMap<i64, Arc<AccountRow>>,
    flags: interactions::Flags,
    viewer: Option<i64>,
    votes: Option<&HashMap<i64, Vec<i64>>>,
    quotes: &QuoteContext,
    moderating: bool,
) -> Vec<StatusView> {
    let (fav, reb, bm, pin) = (
        set(flags.favourited),
        set(flags.reblogged),
        set(flags.bookmarked),
        set(flags.pinned),
    );
    let build = |p: &StatusParts| -> Option<StatusView> {
        let account = accounts.get(&p.row.account_id)?;
        // A suspended account's posts are hidden at once, everywhere but in moderation.
        if account.suspended_at.is_some() && !moderating {
            return None;
        }
        // A post a rule holds is seen by its author (and moderators) only.
        if p.row.held_at.is_some() && !moderating && viewer != Some(p.row.account_id) {
            return None;
        }
        Some(StatusView {
            account: account.clone(),
            media: p.media.clone(),
            mentions: p.mentions.iter().filter_map(|a| accounts.get(a)).cloned().collect(),
            tags: p.tags.clone(),
            reblog: None,
            favourited: fav.contains(&p.row.id),
            reblogged: reb.contains(&p.row.id),
            bookmarked: bm.contains(&p.row.id),
            pinned: pin.contains(&p.row.id),
            row: p.row.clone(),
            fixed: p.fixed.clone(),
            filtered: Vec::new(),
            own_votes: match (&p.poll, votes) {
                (Some(poll), Some(v)) => Some(v.get(&poll.row.id).cloned().unwrap_or_default()),
                (None, Some(_)) => Some(Vec::new()),
                (_, None) => None,
            },
            poll: p.poll.clone(),
            emojis: p.emojis.clone(),
            card: p.card.clone(),
            viewer,
            quote: p.quote.as_ref().map(|q| {
                Box::new(QuoteView {
                    row: q.clone(),
                    state: shallow_state(q),
                    status: None,
                    shallow: true,
                })
            }),
            quote_approval: crate::quotes::approval(
                &p.row,
                viewer,
                quotes.follows.contains(&p.row.account_id),
                quotes.followed_by.contains(&p.row.account_id),
            ),
        })
    };
    // A post's quote shows the quoted post (whose own quote is shown by id only).
    let with_quote = |mut v: StatusView| -> StatusView {
        if let Some(q) = v.quote.as_mut() {
            q.shallow = false;
            if q.row.state == herd_store::quotes::ACCEPTED
                && let Some(qid) = q.row.quoted_status_id
            {
                match (quotes.hidden.get(&qid), parts.get(&qid).and_then(|qp| build(qp))) {
                    (Some(None), Some(qv)) => {
                        q.state = herd_store::quotes::ACCEPTED;
                        q.status = Some(Box::new(qv));
                    }
                    (Some(Some(state)), qv) => {
                        // Blocked and muted authors' posts come along, for a click-through
                        // (as on Mastodon); a post the viewer may not see does not.
                        q.state = state;
                        if *state != "unauthorized" {
                            q.status = qv.map(Box::new);
                        }
                    }
                    (_, None) | (None, _) => q.state = "deleted",
                }
            }
        }
        v
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(p) = parts.get(id) else { continue };
        let Some(v) = build(p) else { continue };
        let mut v = with_quote(v);
        if let Some(target) = p.row.reblog_of_id {
            match parts.get(&target).and_then(|tp| build(tp)) {
                Some(tv) => v.reblog = Some(Box::new(with_quote(tv))),
                None => continue,
            }
        }
        out.push(v);
    }
    out
}

/// The state of a quote within a quoted post, from its row alone.
fn shallow_state(q: &herd_store::quotes::QuoteRow) -> &'static str {
    use herd_store::quotes::{ACCEPTED, PENDING, REJECTED, REVOKED};
    match q.state.as_str() {
        ACCEPTED if q.quoted_status_id.is_none() => "deleted",
        ACCEPTED => ACCEPTED,
        REJECTED => REJECTED,
        REVOKED => REVOKED,
        _ => PENDING,
    }
}

/// The posts accepted quotes on a page show.
fn quoted_of(parts: &HashMap<i64, Arc<StatusParts>>) -> Vec<i64> {
    let mut ids: Vec<i64> = parts
        .values()
        .filter_map(|p| p.quote.as_ref())
        .filter(|q| q.state == herd_store::quotes::ACCEPTED)
        .filter_map(|q| q.quoted_status_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// For the viewer: which quoted posts on a page it may not see and why (as Mastodon's
/// status filter says: a block, a hidden domain, a mute, or the post's visibility), and
/// which authors it follows or is followed by (for quote policies).
async fn quote_context(c: &mut Conn, t: TenantId, viewer: Option<i64>, parts: &HashMap<i64, Arc<StatusParts>>) -> Result<QuoteContext> {
    let mut out = QuoteContext::default();
    let quoted = quoted_of(parts);
    let quoted_rows: Vec<&StatusRow> = quoted.iter().filter_map(|id| parts.get(id)).map(|p| p.row.as_ref()).collect();
    let mut authors: Vec<i64> = quoted_rows.iter().map(|r| r.account_id).collect();
    if viewer.is_some() {
        authors.extend(
            parts
                .values()
                .filter(|p| crate::quotes::needs_relations(&p.row))
                .map(|p| p.row.account_id),
        );
    }
    authors.sort_unstable();
    authors.dedup();
    let (mut blocking, mut muting, mut hidden_domains) = (HashSet::new(), HashSet::new(), HashSet::new());
    if let Some(v) = viewer {
        let others: Vec<i64> = authors.iter().copied().filter(|a| *a != v).collect();
        out.follows = set(relationships::among(c, t, Edge::Follow, v, &others, true)
            .await?
            .iter()
            .map(|e| e.target_account_id)
            .collect());
        out.followed_by = set(relationships::among(c, t, Edge::Follow, v, &others, false)
            .await?
            .iter()
            .map(|e| e.account_id)
            .collect());
        if !quoted_rows.is_empty() {
            blocking = set(relationships::among(c, t, Edge::Block, v, &others, true)
                .await?
                .iter()
                .map(|e| e.target_account_id)
                .collect());
            let now = herd_core::Timestamp::now().0;
            muting = set(relationships::among(c, t, Edge::Mute, v, &others, true)
                .await?
                .iter()
                .filter(|e| e.expires_at.is_none_or(|x| x > now))
                .map(|e| e.target_account_id)
                .collect());
            let quoted_authors = accounts::by_ids(c, t, &others).await?;
            let mut domains: Vec<String> = quoted_authors.iter().map(|a| a.domain.clone()).filter(|d| !d.is_empty()).collect();
            domains.sort();
            domains.dedup();
            let blocked = herd_store::domain_blocks::blocked_among(c, t, v, &domains).await?;
            hidden_domains = quoted_authors
                .iter()
                .filter(|a| blocked.contains(&a.domain))
                .map(|a| a.id)
                .collect();
        }
    }
    for row in quoted_rows {
        let a = row.account_id;
        let state = if blocking.contains(&a) {
            Some("blocked_account")
        } else if hidden_domains.contains(&a) {
            Some("blocked_domain")
        } else if muting.contains(&a) {
            Some("muted_account")
        } else if !visible(c, t, viewer, row).await? {
            Some("unauthorized")
        } else {
            None
        };
        out.hidden.insert(row.id, state);
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
    if accounts::by_id(c, t, row.account_id).await.is_ok_and(|a| a.suspended_at.is_some()) {
        return Ok(false);
    }
    visible_by_audience(c, t, viewer, row).await
}

/// [`visible`] once the author is known not to be suspended.
async fn visible_by_audience(c: &mut Conn, t: TenantId, viewer: Option<i64>, row: &StatusRow) -> Result<bool> {
    if viewer == Some(row.account_id) {
        return Ok(true);
    }
    if row.held_at.is_some() {
        return Ok(false);
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
    // The authors' suspensions, in one query for the page.
    let authors: Vec<i64> = rows.iter().map(|r| r.account_id).collect::<HashSet<_>>().into_iter().collect();
    let suspended: HashSet<i64> = accounts::by_ids(c, t, &authors)
        .await?
        .into_iter()
        .filter(|a| a.suspended_at.is_some())
        .map(|a| a.id)
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if suspended.contains(&r.account_id) || !visible_by_audience(c, t, viewer, &r).await? {
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
    /// When a timed mute ends.
    pub muting_expires_at: Option<i64>,
    pub requested: bool,
    pub requested_by: bool,
    pub endorsed: bool,
    pub domain_blocking: bool,
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
    let notes = herd_store::markers::notes(c, t, viewer, targets).await?;
    let endorsed = set(herd_store::featured::endorsed_among(c, t, viewer, targets).await?);
    let target_rows = accounts::by_ids(c, t, targets).await?;
    let mut domains: Vec<String> = target_rows.iter().map(|a| a.domain.clone()).filter(|d| !d.is_empty()).collect();
    domains.sort();
    domains.dedup();
    let hidden = herd_store::domain_blocks::blocked_among(c, t, viewer, &domains).await?;
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
                muting_expires_at: m.and_then(|e| e.expires_at),
                requested: rq.is_some(),
                requested_by: requested_by.contains(&id),
                note: notes.iter().find(|(n, _)| *n == id).map(|(_, c)| c.clone()).unwrap_or_default(),
                endorsed: endorsed.contains(&id),
                domain_blocking: target_rows.iter().find(|a| a.id == id).is_some_and(|a| hidden.contains(&a.domain)),
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
