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
}

/// Mastodon's Tag entity (usage history is not kept yet: an empty list).
pub(super) fn tag(t: &Tenant, id: i64, name: &str, following: Option<bool>) -> Value {
    let mut v = json!({"id": id.to_string(), "name": name.to_lowercase(), "url": t.tag_url(name), "history": []});
    if let Some(f) = following {
        v["following"] = json!(f);
    }
    v
}

async fn show(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    let me = a.optional("read:follows")?;
    let mut c = s.app.db.conn().await?;
    let (id, name) = herd_store::tags::by_name(&mut c, t.id, name.trim_start_matches('#'))
        .await?
        .ok_or(ApiError(AppError::NotFound("Record not found")))?;
    let following = match me {
        Some(v) => Some(herd_store::tags::is_followed(&mut c, t.id, v, id).await?),
        None => None,
    };
    Ok(Json(tag(&t, id, &name, following)))
}

async fn follow(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:follows")?;
    let (id, name) = herd_app::follows::follow_tag(&s.app, &t, me, &name).await?;
    Ok(Json(tag(&t, id, &name, Some(true))))
}

async fn unfollow(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:follows")?;
    let (id, name) = herd_app::follows::unfollow_tag(&s.app, &t, me, &name).await?;
    Ok(Json(tag(&t, id, &name, Some(false))))
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
    let out = rows.iter().map(|(_, id, name)| tag(&t, *id, name, Some(true))).collect();
    Ok((paging::link(&t, &uri, &ids), Json(out)))
}
