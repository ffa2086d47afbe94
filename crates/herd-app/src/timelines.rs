//! Timelines and threads, as views for one viewer.

use herd_store::statuses::{self, AccountFilter, PublicFilter, StatusRow, TagQuery};
use herd_store::{Conn, Page, TenantId};

use std::sync::Arc;

use herd_store::relationships;

use crate::cache::{FEED_LEN, Feed};
use crate::filters::Active;
use crate::views::{self, StatusView};
use crate::{App, LazyConn, Result};

/// One page of a timeline. `cursor` holds the ids the page covered before anything was
/// filtered out, so pagination goes on past a page that filtering emptied.
pub struct Timeline {
    pub items: Vec<StatusView>,
    pub cursor: Vec<i64>,
    /// The cache epoch taken before anything was read (see [`crate::cache::Caches::put`]),
    /// for keeping renderings of these items.
    pub epoch: Option<u64>,
}

/// Views of a page's rows for the viewer, with its filters for `context` applied.
async fn finish(c: &mut Conn, t: TenantId, viewer: Option<i64>, context: &str, rows: Vec<StatusRow>) -> Result<Timeline> {
    let cursor = rows.iter().map(|r| r.id).collect();
    let rows = drop_unseen_boosts(c, t, viewer, rows).await?;
    let filters = Active::load(c, t, viewer, context).await?;
    Ok(Timeline {
        items: filters.apply(views::statuses(c, t, viewer, rows).await?),
        cursor,
        epoch: None,
    })
}

/// The home timeline. Its newest [`FEED_LEN`] entries are cached per account (see
/// [`crate::cache`]); pages past them come from the database.
pub async fn home(app: &App, t: TenantId, viewer: i64, page: &Page) -> Result<Timeline> {
    let start = app.caches.epoch();
    let mut c = LazyConn::new(&app.db);
    let key = (t.0, viewer);
    let now = herd_core::Timestamp::now().0;
    let feed = match app.caches.feeds.get(&key).filter(|f| f.until.is_none_or(|u| u > now)) {
        Some(f) => f,
        None => {
            let epoch = app.caches.epoch();
            let conn = c.get().await?;
            let head = Page {
                limit: FEED_LEN as i64,
                ..Page::default()
            };
            let ids: Vec<i64> = statuses::home(conn, t, viewer, &head).await?.iter().map(|r| r.id).collect();
            let until = relationships::next_mute_expiry(conn, t, viewer).await?;
            let mut sources = relationships::following_ids(conn, t, viewer).await?;
            sources.push(viewer);
            sources.sort_unstable();
            let feed = Arc::new(Feed {
                complete: ids.len() < FEED_LEN,
                ids,
                sources,
                until,
            });
            app.caches.put(&app.caches.feeds, epoch, key, feed.clone());
            feed
        }
    };
    let ids = match feed.page(page) {
        Some(ids) => ids,
        None => statuses::home(c.get().await?, t, viewer, page)
            .await?
            .iter()
            .map(|r| r.id)
            .collect(),
    };
    let mut items = views::cached(app, &mut c, t, Some(viewer), &ids).await?;
    if items.iter().any(|v| v.reblog.is_some()) {
        let conn = c.get().await?;
        let mut kept = Vec::with_capacity(items.len());
        for v in items {
            let seen = match &v.reblog {
                Some(target) => views::visible(conn, t, Some(viewer), &target.row).await?,
                None => true,
            };
            if seen {
                kept.push(v);
            }
        }
        items = kept;
    }
    let filters = Active::cached(app, &mut c, t, viewer, "home").await?;
    Ok(Timeline {
        items: filters.apply(items),
        cursor: ids,
        epoch: Some(start),
    })
}

pub async fn public(c: &mut Conn, t: TenantId, viewer: Option<i64>, f: &PublicFilter, page: &Page) -> Result<Timeline> {
    let rows = statuses::public(c, t, viewer, f, page).await?;
    finish(c, t, viewer, "public", rows).await
}

/// A list's timeline for its owner.
pub async fn list(c: &mut Conn, t: TenantId, viewer: i64, list: &herd_store::lists::ListRow, page: &Page) -> Result<Timeline> {
    let rows = statuses::list(c, t, viewer, list, page).await?;
    finish(c, t, Some(viewer), "home", rows).await
}

/// A hashtag's public posts; `tags` may add hashtags any, all or none of which they carry.
pub async fn tag(c: &mut Conn, t: TenantId, viewer: Option<i64>, tags: &TagQuery, f: &PublicFilter, page: &Page) -> Result<Timeline> {
    let rows = statuses::tagged(c, t, viewer, tags, f, page).await?;
    finish(c, t, viewer, "public", rows).await
}

/// An account's posts as the viewer may see them.
pub async fn account(c: &mut Conn, t: TenantId, viewer: Option<i64>, account: i64, mut f: AccountFilter, page: &Page) -> Result<Timeline> {
    let is_self = viewer == Some(account);
    let follows = match viewer {
        Some(v) if !is_self => herd_store::relationships::exists(c, t, herd_store::relationships::Edge::Follow, v, account).await?,
        _ => false,
    };
    if let Some(v) = viewer
        && !is_self
        && herd_store::relationships::exists(c, t, herd_store::relationships::Edge::Block, account, v).await?
    {
        return Ok(Timeline {
            items: Vec::new(),
            cursor: Vec::new(),
            epoch: None,
        });
    }
    f.visibilities = match (is_self, follows) {
        (true, _) => vec!["public", "unlisted", "private", "direct"],
        (false, true) => vec!["public", "unlisted", "private"],
        (false, false) => vec!["public", "unlisted"],
    };
    f.viewer = viewer.filter(|_| !is_self);
    let rows = statuses::by_account(c, t, account, &f, page).await?;
    finish(c, t, viewer, "account", rows).await
}

/// Boosts whose original the viewer may not see are left out.
async fn drop_unseen_boosts(c: &mut Conn, t: TenantId, viewer: Option<i64>, rows: Vec<StatusRow>) -> Result<Vec<StatusRow>> {
    if rows.iter().all(|r| r.reblog_of_id.is_none()) {
        return Ok(rows);
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        match r.reblog_of_id {
            None => out.push(r),
            Some(target) => {
                if let Some(tr) = statuses::by_id(c, t, target).await?
                    && views::visible(c, t, viewer, &tr).await?
                {
                    out.push(r);
                }
            }
        }
    }
    Ok(out)
}

/// A thread around a post: ancestors oldest first, descendants in reply order.
pub struct Context {
    pub ancestors: Vec<StatusView>,
    pub descendants: Vec<StatusView>,
}

const MAX_ANCESTORS: usize = 40;
const MAX_DESCENDANTS: usize = 60;

pub async fn context(c: &mut Conn, t: TenantId, viewer: Option<i64>, id: i64) -> Result<Context> {
    let row = views::visible_status(c, t, viewer, id).await?;
    let mut ancestors = Vec::new();
    let mut parent = row.in_reply_to_id;
    while let Some(p) = parent {
        if ancestors.len() >= MAX_ANCESTORS {
            break;
        }
        let Some(pr) = statuses::by_id(c, t, p).await? else { break };
        parent = pr.in_reply_to_id;
        ancestors.push(pr);
    }
    ancestors.reverse();
    // Depth-first, so each reply follows the one it answers.
    let mut descendants = Vec::new();
    let mut stack = vec![row.id];
    while let Some(p) = stack.pop() {
        if descendants.len() >= MAX_DESCENDANTS {
            break;
        }
        let children = statuses::replies_to(c, t, &[p]).await?;
        for ch in children.iter().rev() {
            stack.push(ch.id);
        }
        descendants.extend(children.into_iter().take(MAX_DESCENDANTS - descendants.len()));
    }
    // Order descendants as a depth-first walk.
    let ordered = depth_first(row.id, descendants);
    let ancestors = views::filter_visible(c, t, viewer, ancestors).await?;
    let descendants = views::filter_visible(c, t, viewer, ordered).await?;
    let filters = Active::load(c, t, viewer, "thread").await?;
    Ok(Context {
        ancestors: filters.apply(views::statuses(c, t, viewer, ancestors).await?),
        descendants: filters.apply(views::statuses(c, t, viewer, descendants).await?),
    })
}

fn depth_first(root: i64, mut rows: Vec<StatusRow>) -> Vec<StatusRow> {
    rows.sort_by_key(|r| r.id);
    let mut out = Vec::with_capacity(rows.len());
    fn walk(parent: i64, rows: &[StatusRow], out: &mut Vec<StatusRow>) {
        for r in rows.iter().filter(|r| r.in_reply_to_id == Some(parent)) {
            out.push(r.clone());
            walk(r.id, rows, out);
        }
    }
    walk(root, &rows, &mut out);
    out
}
