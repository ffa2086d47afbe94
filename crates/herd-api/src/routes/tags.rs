//! Hashtags: `/api/v1/tags/:name` (with whether the viewer follows it), following and
//! unfollowing them, and `/api/v1/followed_tags`.

use axum::extract::{OriginalUri, Path, State as S};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use herd_app::{AppError, Tenant};
use serde_json::{Value, json};

use crate::State;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};
use crate::paging;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/tags/{name}", get(show))
        .route("/api/v1/tags/{name}/follow", post(follow))
        .route("/api/v1/tags/{name}/unfollow", post(unfollow))
        .route("/api/v1/followed_tags", get(followed))
        .route("/api/v1/trends", get(trending_tags))
        .route("/api/v1/trends/tags", get(trending_tags))
        .route("/api/v1/trends/statuses", get(trending_statuses))
        .route("/api/v1/trends/links", get(trending_links))
}

/// Mastodon's Tag entity: its use on each of the last seven days (public posts, newest day
/// first), and whether the viewer follows it.
pub(super) fn tag(
    t: &Tenant,
    id: i64,
    name: &str,
    following: Option<(bool, bool)>,
    history: Option<&Vec<herd_store::trends::Day>>,
) -> Value {
    let history: Vec<Value> = history
        .into_iter()
        .flatten()
        .map(|d| json!({"day": (d.day * 86_400).to_string(), "uses": d.uses.to_string(), "accounts": d.accounts.to_string()}))
        .collect();
    let mut v = json!({"id": id.to_string(), "name": name.to_lowercase(), "url": t.tag_url(name), "history": history});
    // For a signed-in viewer: whether they follow it and feature it on their profile.
    if let Some((following, featuring)) = following {
        v["following"] = json!(following);
        v["featuring"] = json!(featuring);
    }
    v
}

/// Tag entities for these (id, name) pairs, with their history; with `viewer` (the account
/// and whether it follows them all), `following` and `featuring`.
pub(super) async fn tags(s: &State, t: &Tenant, list: &[(i64, String)], viewer: Option<(i64, bool)>) -> ApiResult<Vec<Value>> {
    let mut c = s.app.db.conn().await?;
    let ids: Vec<i64> = list.iter().map(|(id, _)| *id).collect();
    let history = herd_app::trends::tag_history(&mut c, t.id, &ids).await?;
    let featured: Vec<i64> = match viewer {
        Some((me, _)) => herd_store::featured::tags_of(&mut c, t.id, me)
            .await?
            .iter()
            .map(|f| f.tag_id)
            .collect(),
        None => Vec::new(),
    };
    Ok(list
        .iter()
        .map(|(id, name)| {
            let marks = viewer.map(|(_, following)| (following, featured.contains(id)));
            tag(t, *id, name, marks, history.get(id))
        })
        .collect())
}

async fn show(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    let me = a.optional("read:follows")?;
    let (id, name) = {
        let mut c = s.app.db.conn().await?;
        herd_store::tags::by_name(&mut c, t.id, name.trim_start_matches('#'))
            .await?
            .ok_or(ApiError(AppError::NotFound("Record not found")))?
    };
    let viewer = match me {
        Some(v) => Some((v, herd_store::tags::is_followed(&mut s.app.db.conn().await?, t.id, v, id).await?)),
        None => None,
    };
    Ok(Json(tags(&s, &t, &[(id, name)], viewer).await?.remove(0)))
}

async fn follow(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:follows")?;
    let (id, name) = herd_app::follows::follow_tag(&s.app, &t, me, &name).await?;
    Ok(Json(tags(&s, &t, &[(id, name)], Some((me, true))).await?.remove(0)))
}

async fn unfollow(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:follows")?;
    let (id, name) = herd_app::follows::unfollow_tag(&s.app, &t, me, &name).await?;
    Ok(Json(tags(&s, &t, &[(id, name)], Some((me, false))).await?.remove(0)))
}

async fn followed(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Value>>)> {
    let (_, me) = a.user("read:follows")?;
    let page = paging::page(&p, 100, 200)?;
    let mut c = s.app.db.conn().await?;
    let rows = herd_store::tags::followed(&mut c, t.id, me, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|(id, _, _)| *id).collect();
    drop(c);
    let list: Vec<(i64, String)> = rows.iter().map(|(_, id, name)| (*id, name.clone())).collect();
    Ok((paging::link(&t, &uri, &ids), Json(tags(&s, &t, &list, Some((me, true))).await?)))
}

/// `limit` and `offset`, as the trends endpoints take them.
fn window(p: &Params, default: i64, max: i64) -> ApiResult<(i64, i64)> {
    Ok((
        p.int("limit")?.unwrap_or(default).clamp(1, max),
        p.int("offset")?.unwrap_or(0).max(0),
    ))
}

async fn trending_tags(S(s): S<State>, Ctx(t): Ctx, p: Params) -> ApiResult<Json<Vec<Value>>> {
    let (limit, offset) = window(&p, 10, 20)?;
    let list = {
        let mut c = s.app.db.conn().await?;
        herd_app::trends::tags(&mut c, t.id, limit, offset).await?
    };
    Ok(Json(tags(&s, &t, &list, None).await?))
}

async fn trending_statuses(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Vec<crate::entities::Status>>> {
    let me = a.optional("read:statuses")?;
    let (limit, offset) = window(&p, 20, 40)?;
    let mut c = s.app.db.conn().await?;
    let list = herd_app::trends::statuses(&mut c, t.id, me, limit, offset).await?;
    Ok(Json(list.iter().map(|v| crate::entities::status(&t, v)).collect()))
}

/// Links shared lately by several accounts, as their preview cards with a week of history.
async fn trending_links(S(s): S<State>, Ctx(t): Ctx, p: Params) -> ApiResult<Json<Vec<Value>>> {
    let (limit, offset) = window(&p, 10, 20)?;
    let mut c = s.app.db.conn().await?;
    let list = herd_app::trends::links(&mut c, t.id, limit, offset).await?;
    Ok(Json(
        list.iter()
            .map(|(card, days)| {
                let mut v = serde_json::to_value(crate::entities::card(card)).unwrap_or(Value::Null);
                v["history"] = days
                    .iter()
                    .map(|d| json!({"day": (d.day * 86_400).to_string(), "uses": d.uses.to_string(), "accounts": d.accounts.to_string()}))
                    .collect();
                v
            })
            .collect(),
    ))
}
