use axum::extract::{OriginalUri, Path, State as S};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use herd_app::AppError;
use herd_store::notifications::{self, Filter};
use serde_json::{Value, json};

use super::accounts::path_id;
use crate::State;
use crate::entities::{self, Notification};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};
use crate::paging;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/notifications", get(list))
        .route("/api/v1/notifications/clear", post(clear))
        .route("/api/v1/notifications/dismiss", post(dismiss_legacy))
        .route("/api/v1/notifications/{id}", get(show))
        .route("/api/v1/notifications/{id}/dismiss", post(dismiss))
}

async fn list(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Notification>>)> {
    let (_, me) = a.user("read:notifications")?;
    let page = paging::page(&p, 40, 80)?;
    let known = |v: Vec<String>| {
        v.into_iter()
            .filter(|x| herd_app::notifications::TYPES.contains(&x.as_str()))
            .collect::<Vec<_>>()
    };
    let types = p.list("types");
    let f = Filter {
        // Asking only for types this server never makes yields nothing, not everything.
        types: if !types.is_empty() && known(types.clone()).is_empty() {
            vec!["-".into()]
        } else {
            known(types)
        },
        exclude_types: p.list("exclude_types"),
        from_account: p.id("account_id")?,
    };
    let mut c = s.app.db.conn().await?;
    let list = herd_app::notifications::list(&mut c, t.id, me, &f, &page).await?;
    let ids: Vec<i64> = list.iter().map(|n| n.row.id).collect();
    Ok((
        paging::link(&t, &uri, &ids),
        Json(list.iter().map(|n| entities::notification(&t, n)).collect()),
    ))
}

async fn show(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Notification>> {
    let (_, me) = a.user("read:notifications")?;
    let mut c = s.app.db.conn().await?;
    let n = herd_app::notifications::get(&mut c, t.id, me, path_id(&id)?).await?;
    Ok(Json(entities::notification(&t, &n)))
}

async fn dismiss_one(s: &State, t: &herd_app::Tenant, me: i64, id: i64) -> ApiResult<Json<Value>> {
    let mut c = s.app.db.conn().await?;
    if notifications::dismiss(&mut c, t.id, me, id).await? {
        Ok(Json(json!({})))
    } else {
        Err(ApiError(AppError::NotFound("Record not found")))
    }
}

async fn dismiss(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:notifications")?;
    dismiss_one(&s, &t, me, path_id(&id)?).await
}

async fn dismiss_legacy(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:notifications")?;
    let id = p
        .id("id")?
        .ok_or(ApiError(AppError::BadRequest("Missing required parameter: id".into())))?;
    dismiss_one(&s, &t, me, id).await
}

async fn clear(S(s): S<State>, Ctx(t): Ctx, a: Auth) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:notifications")?;
    let mut c = s.app.db.conn().await?;
    notifications::clear(&mut c, t.id, me).await?;
    Ok(Json(json!({})))
}
