//! Conversations (`/api/v1/conversations`): direct messages grouped by participants.

use axum::extract::{OriginalUri, Path, State as S};
use axum::http::HeaderMap;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::accounts::path_id;
use crate::State;
use crate::entities::{self, Conversation};
use crate::error::ApiResult;
use crate::extract::{Auth, Ctx, Params};
use crate::paging;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/conversations", get(list))
        .route("/api/v1/conversations/{id}", delete(remove))
        .route("/api/v1/conversations/{id}/read", post(read))
}

async fn list(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Conversation>>)> {
    let (_, me) = a.user("read:statuses")?;
    let page = paging::page(&p, 20, 40)?;
    let mut c = s.app.db.conn().await?;
    let list = herd_app::conversations::list(&mut c, t.id, me, &page).await?;
    let cursor: Vec<i64> = list.iter().map(|v| v.row.last_status_id).collect();
    Ok((
        paging::link(&t, &uri, &cursor),
        Json(list.iter().map(|v| entities::conversation(&t, v)).collect()),
    ))
}

async fn read(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Conversation>> {
    let (_, me) = a.user("write:conversations")?;
    let v = herd_app::conversations::read(&s.app, &t, me, path_id(&id)?).await?;
    Ok(Json(entities::conversation(&t, &v)))
}

async fn remove(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:conversations")?;
    herd_app::conversations::remove(&s.app, &t, me, path_id(&id)?).await?;
    Ok(Json(json!({})))
}
