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
        .route("/api/v1/notifications/unread_count", get(unread_v1))
        .route("/api/v2/notifications", get(list_grouped))
        .route("/api/v2/notifications/unread_count", get(unread_v2))
        .route("/api/v2/notifications/{key}", get(show_group))
        .route("/api/v2/notifications/{key}/dismiss", post(dismiss_group))
        .route("/api/v2/notifications/{key}/accounts", get(group_accounts))
}

/// `types[]`, `exclude_types[]` and `account_id`, as both versions take them.
fn filter(p: &Params) -> ApiResult<Filter> {
    let known = |v: Vec<String>| {
        v.into_iter()
            .filter(|x| herd_app::notifications::TYPES.contains(&x.as_str()))
            .collect::<Vec<_>>()
    };
    let types = p.list("types");
    Ok(Filter {
        // Asking only for types this server never makes yields nothing, not everything.
        types: if !types.is_empty() && known(types.clone()).is_empty() {
            vec!["-".into()]
        } else {
            known(types)
        },
        exclude_types: p.list("exclude_types"),
        from_account: p.id("account_id")?,
        include_filtered: p.flag("include_filtered")?,
    })
}

/// `grouped_types[]`: the kinds grouped (favourite, reblog and follow unless given).
fn grouped_types(p: &Params) -> Vec<String> {
    match p.get("grouped_types") {
        Some(_) => p.list("grouped_types"),
        None => notifications::GROUPED.iter().map(|k| k.to_string()).collect(),
    }
}

async fn list_grouped(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<entities::GroupedNotifications>)> {
    let (_, me) = a.user("read:notifications")?;
    if let Some(e) = p.str("expand_accounts").filter(|e| e != "full" && e != "partial_avatars") {
        return Err(ApiError(AppError::BadRequest(format!(
            "Invalid value for 'expand_accounts': '{e}', allowed values are 'full' and 'partial_avatars'"
        ))));
    }
    let page = paging::page(&p, 40, 80)?;
    let mut c = s.app.db.conn().await?;
    let g = herd_app::notifications::grouped(&mut c, t.id, me, &filter(&p)?, &page, &grouped_types(&p)).await?;
    Ok((paging::link(&t, &uri, &g.heads), Json(entities::grouped_notifications(&t, &g))))
}

async fn show_group(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(key): Path<String>) -> ApiResult<Json<entities::GroupedNotifications>> {
    let (_, me) = a.user("read:notifications")?;
    let mut c = s.app.db.conn().await?;
    let g = herd_app::notifications::group(&mut c, t.id, me, &key).await?;
    Ok(Json(entities::grouped_notifications(&t, &g)))
}

async fn dismiss_group(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(key): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:notifications")?;
    let mut c = s.app.db.conn().await?;
    notifications::dismiss_group(&mut c, t.id, me, &key).await?;
    Ok(Json(json!({})))
}

async fn group_accounts(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(key): Path<String>) -> ApiResult<Json<Vec<entities::Account>>> {
    let (_, me) = a.user("read:notifications")?;
    let mut c = s.app.db.conn().await?;
    let rows = notifications::group(&mut c, t.id, me, &key, 1000).await?;
    if rows.is_empty() {
        return Err(ApiError(AppError::NotFound("Record not found")));
    }
    let mut ids: Vec<i64> = Vec::new();
    for r in &rows {
        if !ids.contains(&r.from_account_id) {
            ids.push(r.from_account_id);
        }
    }
    let found = herd_store::accounts::by_ids(&mut c, t.id, &ids).await?;
    Ok(Json(
        ids.iter()
            .filter_map(|id| found.iter().find(|a| a.id == *id))
            .map(|a| entities::account(&t, a))
            .collect(),
    ))
}

/// Notifications (or groups) since the notifications marker, as badges show them.
async fn unread(s: &State, t: &herd_app::Tenant, me: i64, p: &Params, grouped: Option<Vec<String>>) -> ApiResult<Json<Value>> {
    let limit = p.int("limit")?.unwrap_or(100).clamp(1, 1000);
    let mut c = s.app.db.conn().await?;
    let after = herd_store::markers::get(&mut c, t.id, me)
        .await?
        .into_iter()
        .find(|m| m.timeline == "notifications")
        .map_or(0, |m| m.last_read_id);
    let count = notifications::unread(&mut c, t.id, me, &filter(p)?, after, limit, grouped.as_deref()).await?;
    Ok(Json(json!({"count": count})))
}

async fn unread_v1(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("read:notifications")?;
    unread(&s, &t, me, &p, None).await
}

async fn unread_v2(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("read:notifications")?;
    unread(&s, &t, me, &p, Some(grouped_types(&p))).await
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
    let f = filter(&p)?;
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
