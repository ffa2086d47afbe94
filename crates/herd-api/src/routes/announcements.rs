//! `/api/v1/announcements`: what the instance's staff announced, dismissing it, reacting.

use axum::extract::{Path, State as S};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::accounts::path_id;
use crate::State;
use crate::entities::{self, Announcement};
use crate::error::ApiResult;
use crate::extract::{Auth, Ctx, Params};

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/announcements", get(list))
        .route("/api/v1/announcements/{id}/dismiss", post(dismiss))
        .route("/api/v1/announcements/{id}/reactions/{name}", put(react).delete(unreact))
}

async fn list(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Vec<Announcement>>> {
    let me = a.optional("read")?;
    let with_dismissed = p.bool("with_dismissed")?.unwrap_or(true);
    let mut c = s.app.db.conn().await?;
    let list = herd_app::announcements::list(&mut c, t.id, me, with_dismissed).await?;
    Ok(Json(list.iter().map(|v| entities::announcement(v, me.is_some())).collect()))
}

async fn dismiss(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:accounts")?;
    herd_app::announcements::dismiss(&s.app, &t, me, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

async fn react(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path((id, name)): Path<(String, String)>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:favourites")?;
    herd_app::announcements::react(&s.app, &t, me, path_id(&id)?, &name, false).await?;
    Ok(Json(json!({})))
}

async fn unreact(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path((id, name)): Path<(String, String)>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:favourites")?;
    herd_app::announcements::react(&s.app, &t, me, path_id(&id)?, &name, true).await?;
    Ok(Json(json!({})))
}
