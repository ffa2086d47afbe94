//! Loading what other servers fetch: actors, posts and collections, as anyone without an
//! account may see them (public and unlisted posts only: signed fetches come with the inbox).

use herd_federation::objects::{Activity, Actor, Note};
use herd_store::accounts::{self, AccountRow};
use herd_store::relationships::Edge;
use herd_store::statuses::{self, AccountFilter};
use herd_store::{Conn, Page, keys};

use super::render;
use crate::timelines;
use crate::views::{self, StatusView};
use crate::{App, AppError, Result, Tenant};

fn not_found() -> AppError {
    AppError::NotFound("Record not found")
}

/// A local account that is not suspended, by username.
pub async fn local_account(app: &App, tenant: &Tenant, username: &str) -> Result<AccountRow> {
    let mut c = app.db.conn().await?;
    match accounts::by_username(&mut c, tenant.id, username, "").await? {
        Some(a) if a.suspended_at.is_none() => Ok(a),
        _ => Err(not_found()),
    }
}

pub async fn person(app: &App, tenant: &Tenant, username: &str) -> Result<Actor> {
    let a = local_account(app, tenant, username).await?;
    let key = super::key(app, tenant.id, a.id).await?;
    Ok(render::actor(tenant, &a, &key))
}

pub async fn instance(app: &App, tenant: &Tenant) -> Result<Actor> {
    let key = super::key(app, tenant.id, keys::INSTANCE_ACTOR).await?;
    Ok(render::instance_actor(tenant, &key))
}

/// A public or unlisted post of `username`'s, as its view.
async fn public_view(app: &App, tenant: &Tenant, username: &str, id: i64) -> Result<StatusView> {
    let a = local_account(app, tenant, username).await?;
    let mut c = app.db.conn().await?;
    let row = views::visible_status(&mut c, tenant.id, None, id).await?;
    if row.account_id != a.id {
        return Err(not_found());
    }
    views::status(&mut c, tenant.id, None, row).await
}

/// The id of the post a view answers, if any (and it still exists).
pub(crate) async fn parent_id(app: &App, tenant: &Tenant, v: &StatusView) -> Result<Option<String>> {
    let Some(parent) = v.row.in_reply_to_id else { return Ok(None) };
    let mut c = app.db.conn().await?;
    let Some(row) = statuses::by_id(&mut c, tenant.id, parent).await? else {
        return Ok(None);
    };
    Ok(Some(super::outgoing::status_uri(&mut c, tenant, &row).await?))
}

async fn note_of(app: &App, tenant: &Tenant, v: &StatusView) -> Result<Note> {
    let parent = parent_id(app, tenant, v).await?;
    Ok(render::note(tenant, v, parent))
}

/// A post as a Note document. Boosts are not notes (their activity is).
pub async fn note(app: &App, tenant: &Tenant, username: &str, id: i64) -> Result<Note> {
    let v = public_view(app, tenant, username, id).await?;
    if v.reblog.is_some() {
        return Err(not_found());
    }
    Ok(render::object_of(note_of(app, tenant, &v).await?))
}

/// The activity that published a post (Create, or Announce for a boost).
pub async fn activity(app: &App, tenant: &Tenant, username: &str, id: i64) -> Result<Activity> {
    let v = public_view(app, tenant, username, id).await?;
    let note = match v.reblog {
        Some(_) => None,
        None => Some(note_of(app, tenant, &v).await?),
    };
    Ok(render::create_activity(tenant, &v, note, true))
}

/// One page of an account's outbox: its public and unlisted posts and boosts, newest first,
/// with the ids the page covered (for its links).
pub async fn outbox_page(app: &App, tenant: &Tenant, username: &str, page: &Page) -> Result<(Vec<Activity>, Vec<i64>)> {
    let a = local_account(app, tenant, username).await?;
    let mut c = app.db.conn().await?;
    let tl = timelines::account(&mut c, tenant.id, None, a.id, AccountFilter::default(), page).await?;
    drop(c);
    let mut out = Vec::with_capacity(tl.items.len());
    for v in &tl.items {
        let note = match v.reblog {
            Some(_) => None,
            None => Some(note_of(app, tenant, v).await?),
        };
        out.push(render::create_activity(tenant, v, note, false));
    }
    Ok((out, tl.cursor))
}

/// An account's pinned posts, as notes.
pub async fn featured(app: &App, tenant: &Tenant, username: &str) -> Result<Vec<Note>> {
    let a = local_account(app, tenant, username).await?;
    let mut c = app.db.conn().await?;
    let f = AccountFilter {
        pinned: true,
        ..Default::default()
    };
    let tl = timelines::account(
        &mut c,
        tenant.id,
        None,
        a.id,
        f,
        &Page {
            limit: 40,
            ..Page::default()
        },
    )
    .await?;
    drop(c);
    let mut out = Vec::with_capacity(tl.items.len());
    for v in &tl.items {
        out.push(note_of(app, tenant, v).await?);
    }
    Ok(out)
}

/// Who follows `username` (or whom it follows, `outgoing`): one page of actor ids, with the
/// ids of the follow rows for paging, and the total.
pub async fn follow_page(app: &App, tenant: &Tenant, username: &str, outgoing: bool, page: &Page) -> Result<(i64, Vec<String>, Vec<i64>)> {
    let a = local_account(app, tenant, username).await?;
    let total = if outgoing { a.following_count } else { a.followers_count };
    let mut c = app.db.conn().await?;
    let rows = accounts::via(&mut c, tenant.id, &Edge::Follow.join(outgoing), a.id, page).await?;
    let cursor = rows.iter().map(|(j, _)| *j).collect();
    let ids = rows.iter().map(|(_, acc)| render::actor_id(tenant, acc)).collect();
    Ok((total, ids, cursor))
}

/// NodeInfo's usage figures for an instance.
pub async fn usage(app: &App, tenant: &Tenant) -> Result<herd_federation::discovery::Usage> {
    let mut c = app.db.conn().await?;
    let (total, month, half, posts) = accounts::local_usage(&mut c, tenant.id, herd_core::Timestamp::now().0).await?;
    Ok(herd_federation::discovery::Usage {
        users: herd_federation::discovery::Users {
            total,
            active_month: month,
            active_halfyear: half,
        },
        local_posts: posts,
    })
}

/// The post a URL names, if this instance has it: one of its own (by its id or its page)
/// or a stored remote one (by its id). The one place such URLs are read.
pub async fn status_by_url(app: &App, tenant: &Tenant, url: &str) -> Result<Option<i64>> {
    let mut c = app.db.conn().await?;
    status_by_url_on(&mut c, tenant, url).await
}

/// [`status_by_url`] on the caller's connection (or transaction).
pub async fn status_by_url_on(c: &mut Conn, tenant: &Tenant, url: &str) -> Result<Option<i64>> {
    if let Some(id) = statuses::id_by_uri(c, tenant.id, url).await? {
        return Ok(Some(id));
    }
    let Some(path) = url.strip_prefix(&tenant.base_url()) else {
        return Ok(None);
    };
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (user, id) = match parts.as_slice() {
        ["users", user, "statuses", id] => (user.to_string(), *id),
        [at, id] if at.starts_with('@') => (at.trim_start_matches('@').to_string(), *id),
        _ => return Ok(None),
    };
    let Ok(id) = id.parse::<i64>() else { return Ok(None) };
    let Some(row) = statuses::by_id(c, tenant.id, id).await? else {
        return Ok(None);
    };
    let author = accounts::by_id(c, tenant.id, row.account_id).await?;
    Ok((author.domain.is_empty() && author.username.eq_ignore_ascii_case(&user)).then_some(id))
}
