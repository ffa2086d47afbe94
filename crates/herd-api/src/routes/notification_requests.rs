//! Notification policies and the requests holding what they filtered:
//! `/api/v2/notifications/policy` (and v1's), `/api/v1/notifications/requests`.

use axum::extract::{OriginalUri, Path, State as S};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use herd_app::notification_policy::{self, PolicyChange};
use herd_app::{AppError, Tenant, views};
use herd_store::notification_requests::{PolicyRow, RequestRow};
use serde_json::{Value, json};

use super::accounts::path_id;
use crate::State;
use crate::entities;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};
use crate::paging;

pub fn routes() -> Router<State> {
    Router::new()
        .route(
            "/api/v2/notifications/policy",
            get(policy_v2).patch(set_policy_v2).put(set_policy_v2),
        )
        .route(
            "/api/v1/notifications/policy",
            get(policy_v1).patch(set_policy_v1).put(set_policy_v1),
        )
        .route("/api/v1/notifications/requests", get(requests))
        .route("/api/v1/notifications/requests/merged", get(merged))
        .route("/api/v1/notifications/requests/accept", post(accept_many))
        .route("/api/v1/notifications/requests/dismiss", post(dismiss_many))
        .route("/api/v1/notifications/requests/{id}", get(request))
        .route("/api/v1/notifications/requests/{id}/accept", post(accept))
        .route("/api/v1/notifications/requests/{id}/dismiss", post(dismiss))
}

fn summary(counts: (i64, i64)) -> Value {
    json!({"pending_requests_count": counts.0, "pending_notifications_count": counts.1})
}

fn v2(p: &PolicyRow, counts: (i64, i64)) -> Value {
    json!({
        "for_not_following": p.for_not_following,
        "for_not_followers": p.for_not_followers,
        "for_new_accounts": p.for_new_accounts,
        "for_private_mentions": p.for_private_mentions,
        "for_limited_accounts": p.for_limited_accounts,
        "summary": summary(counts),
    })
}

/// Mastodon 4.2's booleans: filtered (or dropped) means `true`.
fn v1(p: &PolicyRow, counts: (i64, i64)) -> Value {
    let on = |v: &str| v != "accept";
    json!({
        "filter_not_following": on(&p.for_not_following),
        "filter_not_followers": on(&p.for_not_followers),
        "filter_new_accounts": on(&p.for_new_accounts),
        "filter_private_mentions": on(&p.for_private_mentions),
        "summary": summary(counts),
    })
}

async fn current(s: &State, t: &Tenant, me: i64) -> ApiResult<(PolicyRow, (i64, i64))> {
    let mut c = s.app.db.conn().await?;
    Ok(notification_policy::policy(&mut c, t.id, me).await?)
}

async fn policy_v2(S(s): S<State>, Ctx(t): Ctx, a: Auth) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("read:notifications")?;
    let (p, counts) = current(&s, &t, me).await?;
    Ok(Json(v2(&p, counts)))
}

async fn set_policy_v2(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:notifications")?;
    let change = PolicyChange {
        for_not_following: p.str("for_not_following"),
        for_not_followers: p.str("for_not_followers"),
        for_new_accounts: p.str("for_new_accounts"),
        for_private_mentions: p.str("for_private_mentions"),
        for_limited_accounts: p.str("for_limited_accounts"),
    };
    notification_policy::set_policy(&s.app, &t, me, change).await?;
    let (p, counts) = current(&s, &t, me).await?;
    Ok(Json(v2(&p, counts)))
}

async fn policy_v1(S(s): S<State>, Ctx(t): Ctx, a: Auth) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("read:notifications")?;
    let (p, counts) = current(&s, &t, me).await?;
    Ok(Json(v1(&p, counts)))
}

async fn set_policy_v1(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:notifications")?;
    let flag =
        |k: &str| -> ApiResult<Option<String>> { Ok(p.bool(k)?.map(|on| if on { "filter".to_string() } else { "accept".to_string() })) };
    let change = PolicyChange {
        for_not_following: flag("filter_not_following")?,
        for_not_followers: flag("filter_not_followers")?,
        for_new_accounts: flag("filter_new_accounts")?,
        for_private_mentions: flag("filter_private_mentions")?,
        for_limited_accounts: None,
    };
    notification_policy::set_policy(&s.app, &t, me, change).await?;
    let (p, counts) = current(&s, &t, me).await?;
    Ok(Json(v1(&p, counts)))
}

/// Mastodon's NotificationRequest entities.
async fn render(s: &State, t: &Tenant, me: i64, rows: &[RequestRow]) -> ApiResult<Vec<Value>> {
    let mut c = s.app.db.conn().await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.from_account_id).collect();
    let accounts = herd_store::accounts::by_ids(&mut c, t.id, &ids).await?;
    let status_ids: Vec<i64> = rows.iter().filter_map(|r| r.last_status_id).collect();
    let status_rows = herd_store::statuses::by_ids(&mut c, t.id, &status_ids).await?;
    let status_rows = views::filter_visible(&mut c, t.id, Some(me), status_rows).await?;
    let statuses = views::statuses(&mut c, t.id, Some(me), status_rows).await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let a = accounts.iter().find(|a| a.id == r.from_account_id)?;
            let last = r.last_status_id.and_then(|id| statuses.iter().find(|v| v.row.id == id));
            Some(json!({
                "id": r.id.to_string(),
                "created_at": entities::time(r.created_at),
                "updated_at": entities::time(r.updated_at),
                "account": entities::account(t, a),
                "notifications_count": r.notifications_count.to_string(),
                "last_status": last.map(|v| entities::status(t, v)),
            }))
        })
        .collect())
}

async fn requests(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Value>>)> {
    let (_, me) = a.user("read:notifications")?;
    let page = paging::page(&p, 40, 80)?;
    let rows = {
        let mut c = s.app.db.conn().await?;
        notification_policy::requests(&mut c, t.id, me, &page).await?
    };
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    Ok((paging::link(&t, &uri, &ids), Json(render(&s, &t, me, &rows).await?)))
}

async fn request(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("read:notifications")?;
    let rows = {
        let mut c = s.app.db.conn().await?;
        herd_store::notification_requests::get(&mut c, t.id, me, &[path_id(&id)?]).await?
    };
    render(&s, &t, me, &rows)
        .await?
        .pop()
        .map(Json)
        .ok_or(ApiError(AppError::NotFound("Record not found")))
}

async fn accept(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:notifications")?;
    notification_policy::answer(&s.app, &t, me, &[path_id(&id)?], true, true).await?;
    Ok(Json(json!({})))
}

async fn dismiss(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:notifications")?;
    notification_policy::answer(&s.app, &t, me, &[path_id(&id)?], false, true).await?;
    Ok(Json(json!({})))
}

async fn accept_many(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:notifications")?;
    notification_policy::answer(&s.app, &t, me, &p.ids("id")?, true, false).await?;
    Ok(Json(json!({})))
}

async fn dismiss_many(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:notifications")?;
    notification_policy::answer(&s.app, &t, me, &p.ids("id")?, false, false).await?;
    Ok(Json(json!({})))
}

/// Accepting a request merges its notifications at once here: always done.
async fn merged(a: Auth) -> ApiResult<Json<Value>> {
    a.user("read:notifications")?;
    Ok(Json(json!({"merged": true})))
}
