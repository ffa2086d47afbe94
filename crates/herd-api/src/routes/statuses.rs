use axum::extract::{OriginalUri, Path, State as S};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use herd_app::statuses::{NewStatus, StatusEdit};
use herd_app::{AppError, Tenant, views};
use herd_core::Visibility;
use herd_store::interactions::{self, Mark};
use herd_store::{accounts, media, statuses};
use serde_json::{Value, json};

use super::accounts::path_id;
use crate::State;
use crate::entities::{self, Account, Status};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};
use crate::paging;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/statuses", post(create).get(many))
        .route("/api/v1/statuses/{id}", get(show).delete(delete).put(edit))
        .route("/api/v1/statuses/{id}/context", get(context))
        .route("/api/v1/statuses/{id}/history", get(history))
        .route("/api/v1/statuses/{id}/source", get(source))
        .route("/api/v1/statuses/{id}/favourited_by", get(favourited_by))
        .route("/api/v1/statuses/{id}/reblogged_by", get(reblogged_by))
        .route("/api/v1/statuses/{id}/favourite", post(favourite))
        .route("/api/v1/statuses/{id}/unfavourite", post(unfavourite))
        .route("/api/v1/statuses/{id}/reblog", post(reblog))
        .route("/api/v1/statuses/{id}/unreblog", post(unreblog))
        .route("/api/v1/statuses/{id}/bookmark", post(bookmark))
        .route("/api/v1/statuses/{id}/unbookmark", post(unbookmark))
        .route("/api/v1/statuses/{id}/pin", post(pin))
        .route("/api/v1/statuses/{id}/unpin", post(unpin))
        .route("/api/v1/bookmarks", get(bookmarks))
        .route("/api/v1/favourites", get(favourites))
}

/// One post as `viewer` sees it (NotFound when they may not).
pub async fn render(s: &State, t: &Tenant, viewer: Option<i64>, id: i64) -> ApiResult<Status> {
    let mut c = s.app.db.conn().await?;
    let row = views::visible_status(&mut c, t.id, viewer, id).await?;
    let mut view = views::status(&mut c, t.id, viewer, row).await?;
    // One post asked for by itself shows, on a boost, the viewer's marks of the boosted post,
    // as Mastodon's serializer asks `status.proper` (a boost's answer says `reblogged: true`).
    // Timelines keep each boost's own (always false), as Mastodon's do.
    if let Some(proper) = view.reblog.as_deref() {
        (view.favourited, view.reblogged, view.bookmarked) = (proper.favourited, proper.reblogged, proper.bookmarked);
    }
    Ok(entities::status(t, &view))
}

fn visibility(p: &Params) -> ApiResult<Option<Visibility>> {
    Ok(match p.str("visibility").filter(|v| !v.is_empty()) {
        Some(v) => Some(Visibility::parse(&v)?),
        None => None,
    })
}

/// `quote_approval_policy`: blank for the author's default; anything but Mastodon's three
/// values is refused as Mastodon refuses it.
pub(crate) fn quote_policy(p: &Params) -> ApiResult<Option<herd_core::QuotePolicy>> {
    match p.str("quote_approval_policy").filter(|v| !v.trim().is_empty()) {
        Some(v) => herd_core::QuotePolicy::parse(&v)
            .map(Some)
            .map_err(|_| AppError::Invalid("Record invalid".into()).into()),
        None => Ok(None),
    }
}

/// `poll[options][]`, `poll[expires_in]`, `poll[multiple]`, `poll[hide_totals]`, as forms or
/// JSON give them.
fn new_poll(p: &Params) -> ApiResult<Option<herd_app::polls::NewPoll>> {
    let Some(poll) = p.nested("poll")? else { return Ok(None) };
    Ok(Some(herd_app::polls::NewPoll::parse(
        poll.list("options"),
        poll.int("expires_in")?,
        poll.flag("multiple")?,
        poll.flag("hide_totals")?,
    )?))
}

async fn create(S(s): S<State>, Ctx(t): Ctx, a: Auth, headers: HeaderMap, p: Params) -> ApiResult<Response> {
    let (viewer, me) = a.user("write:statuses")?;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| k.chars().take(128).collect::<String>())
        .filter(|k| !k.is_empty());
    let post = NewStatus {
        text: p.str("status").unwrap_or_default(),
        spoiler_text: p.str("spoiler_text").unwrap_or_default(),
        visibility: visibility(&p)?,
        sensitive: p.bool("sensitive")?,
        language: p.str("language"),
        in_reply_to_id: p.id("in_reply_to_id")?,
        media_ids: p.ids("media_ids")?,
        idempotency_key: key,
        app_id: viewer.app_id,
        poll: new_poll(&p)?,
        scheduled: None,
        quoted_status_id: p.id("quoted_status_id")?,
        quote_policy: quote_policy(&p)?,
        made_by: viewer.delegate,
    };
    // A time already past publishes at once, as on Mastodon.
    if let Some(at) = super::scheduled::scheduled_at(&p)?.filter(|at| *at > herd_core::Timestamp::now().0) {
        let row = herd_app::statuses::schedule(&s.app, &t, me, post, at).await?;
        let mut c = s.app.db.conn().await?;
        let out = super::scheduled::render(&mut c, &t, std::slice::from_ref(&row)).await?.pop();
        return Ok(Json(out).into_response());
    }
    let id = herd_app::statuses::create(&s.app, &t, me, post).await?;
    Ok(Json(render(&s, &t, Some(me), id).await?).into_response())
}

async fn many(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Vec<Status>>> {
    let me = a.optional("read:statuses")?;
    let ids: Vec<i64> = p
        .list("id")
        .iter()
        .filter_map(|i| herd_core::Id::parse("id", i).ok())
        .map(|i| i.0)
        .take(20)
        .collect();
    let mut c = s.app.db.conn().await?;
    let rows = statuses::by_ids(&mut c, t.id, &ids).await?;
    let rows = views::filter_visible(&mut c, t.id, me, rows).await?;
    let list = views::statuses(&mut c, t.id, me, rows).await?;
    Ok(Json(list.iter().map(|v| entities::status(&t, v)).collect()))
}

async fn show(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    let me = a.optional("read:statuses")?;
    Ok(Json(render(&s, &t, me, path_id(&id)?).await?))
}

async fn delete(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    let (viewer, me) = a.user("write:statuses")?;
    let id = path_id(&id)?;
    let mut c = s.app.db.conn().await?;
    let row = statuses::by_id(&mut c, t.id, id)
        .await?
        .filter(|r| r.account_id == me)
        .ok_or(ApiError(AppError::NotFound("Record not found")))?;
    let mut out = entities::status(&t, &views::status(&mut c, t.id, Some(me), row.clone()).await?);
    drop(c);
    herd_app::statuses::delete_as(&s.app, &t, me, id, viewer.delegate).await?;
    out.text = Some(row.text);
    Ok(Json(out))
}

async fn edit(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<Status>> {
    let (viewer, me) = a.user("write:statuses")?;
    let id = path_id(&id)?;
    let media_ids = if p.get("media_ids").is_some() {
        Some(p.ids("media_ids")?)
    } else {
        None
    };
    herd_app::statuses::edit(
        &s.app,
        &t,
        me,
        id,
        StatusEdit {
            text: p.str("status").unwrap_or_default(),
            spoiler_text: p.str("spoiler_text"),
            sensitive: p.bool("sensitive")?,
            language: p.str("language"),
            media_ids,
            poll: new_poll(&p)?,
            quote_policy: quote_policy(&p)?,
            made_by: viewer.delegate,
        },
    )
    .await?;
    Ok(Json(render(&s, &t, Some(me), id).await?))
}

async fn context(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let me = a.optional("read:statuses")?;
    let mut c = s.app.db.conn().await?;
    let ctx = herd_app::timelines::context(&mut c, t.id, me, path_id(&id)?).await?;
    let f = |l: &[views::StatusView]| l.iter().map(|v| entities::status(&t, v)).collect::<Vec<_>>();
    Ok(Json(json!({"ancestors": f(&ctx.ancestors), "descendants": f(&ctx.descendants)})))
}

async fn history(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<entities::StatusEdit>>> {
    let me = a.optional("read:statuses")?;
    let mut c = s.app.db.conn().await?;
    let row = views::visible_status(&mut c, t.id, me, path_id(&id)?).await?;
    let view = views::status(&mut c, t.id, me, row.clone()).await?;
    let mut edits = statuses::edits(&mut c, t.id, row.id).await?;
    if edits.is_empty() {
        let ids: Vec<i64> = view.media.iter().map(|m| m.id).collect();
        edits.push(statuses::EditRow {
            id: row.id,
            status_id: row.id,
            text: row.text.clone(),
            spoiler_text: row.spoiler_text.clone(),
            content_html: row.content_html.clone(),
            sensitive: row.sensitive,
            media_ids: serde_json::to_string(&ids).unwrap_or_default(),
            poll_options: herd_app::polls::titles_json(view.poll.as_deref()),
            created_at: row.created_at,
        });
    }
    let media_ids: Vec<i64> = edits
        .iter()
        .flat_map(|e| serde_json::from_str::<Vec<i64>>(&e.media_ids).unwrap_or_default())
        .collect();
    let media = media::by_ids(&mut c, t.id, &media_ids).await?;
    Ok(Json(edits.iter().map(|e| entities::status_edit(&t, &view, e, &media)).collect()))
}

async fn source(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("read:statuses")?;
    let mut c = s.app.db.conn().await?;
    let row = statuses::by_id(&mut c, t.id, path_id(&id)?)
        .await?
        .filter(|r| r.account_id == me)
        .ok_or(ApiError(AppError::NotFound("Record not found")))?;
    Ok(Json(
        json!({"id": row.id.to_string(), "text": row.text, "spoiler_text": row.spoiler_text}),
    ))
}

async fn who(
    s: &State,
    t: &Tenant,
    a: &Auth,
    uri: &axum::http::Uri,
    id: &str,
    join: &str,
    p: &Params,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let me = a.optional("read:accounts")?;
    let page = paging::page(p, 40, 80)?;
    let mut c = s.app.db.conn().await?;
    let row = views::visible_status(&mut c, t.id, me, path_id(id)?).await?;
    let rows = accounts::via(&mut c, t.id, join, row.id, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|(j, _)| *j).collect();
    Ok((
        paging::link(t, uri, &ids),
        Json(rows.iter().map(|(_, a)| entities::account(t, a)).collect()),
    ))
}

async fn favourited_by(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    who(&s, &t, &a, &uri, &id, interactions::FAVOURITED_BY, &p).await
}

async fn reblogged_by(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    who(&s, &t, &a, &uri, &id, interactions::REBLOGGED_BY, &p).await
}

async fn set_mark(s: &State, t: &Tenant, a: &Auth, id: &str, scope: &str, mark: Mark, on: bool) -> ApiResult<Json<Status>> {
    let (_, me) = a.user(scope)?;
    let id = path_id(id)?;
    if on {
        herd_app::statuses::mark(&s.app, t, me, mark, id).await?;
    } else {
        herd_app::statuses::unmark(&s.app, t, me, mark, id).await?;
    }
    Ok(Json(render(s, t, Some(me), id).await?))
}

async fn favourite(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    set_mark(&s, &t, &a, &id, "write:favourites", Mark::Favourite, true).await
}
async fn unfavourite(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    set_mark(&s, &t, &a, &id, "write:favourites", Mark::Favourite, false).await
}
async fn bookmark(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    set_mark(&s, &t, &a, &id, "write:bookmarks", Mark::Bookmark, true).await
}
async fn unbookmark(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    set_mark(&s, &t, &a, &id, "write:bookmarks", Mark::Bookmark, false).await
}
async fn pin(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    set_mark(&s, &t, &a, &id, "write:accounts", Mark::Pin, true).await
}
async fn unpin(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    set_mark(&s, &t, &a, &id, "write:accounts", Mark::Pin, false).await
}

async fn reblog(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<Status>> {
    let (_, me) = a.user("write:statuses")?;
    let boost = herd_app::statuses::reblog(&s.app, &t, me, path_id(&id)?, visibility(&p)?).await?;
    Ok(Json(render(&s, &t, Some(me), boost).await?))
}

async fn unreblog(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Status>> {
    let (_, me) = a.user("write:statuses")?;
    let original = herd_app::statuses::unreblog(&s.app, &t, me, path_id(&id)?).await?;
    Ok(Json(render(&s, &t, Some(me), original).await?))
}

async fn marked(
    s: &State,
    t: &Tenant,
    a: &Auth,
    uri: &axum::http::Uri,
    scope: &str,
    mark: Mark,
    p: &Params,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    let (_, me) = a.user(scope)?;
    let page = paging::page(p, 20, 40)?;
    let mut c = s.app.db.conn().await?;
    let pairs = interactions::list(&mut c, t.id, mark, me, &page).await?;
    let ids: Vec<i64> = pairs.iter().map(|(_, st)| *st).collect();
    let mut rows = statuses::by_ids(&mut c, t.id, &ids).await?;
    rows.sort_by_key(|r| ids.iter().position(|i| *i == r.id));
    let rows = views::filter_visible(&mut c, t.id, Some(me), rows).await?;
    let list = views::statuses(&mut c, t.id, Some(me), rows).await?;
    let mark_ids: Vec<i64> = pairs.iter().map(|(m, _)| *m).collect();
    Ok((
        paging::link(t, uri, &mark_ids),
        Json(list.iter().map(|v| entities::status(t, v)).collect()),
    ))
}

async fn bookmarks(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    marked(&s, &t, &a, &uri, "read:bookmarks", Mark::Bookmark, &p).await
}

async fn favourites(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    marked(&s, &t, &a, &uri, "read:favourites", Mark::Favourite, &p).await
}
