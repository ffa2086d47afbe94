//! `/api/v1/scheduled_statuses`: posts waiting for their time.

use axum::extract::{OriginalUri, Path, State as S};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use herd_app::statuses::ScheduledParams;
use herd_app::{AppError, Tenant};
use herd_core::Timestamp;
use herd_store::scheduled::{self, ScheduledRow};
use herd_store::{Conn, media};
use serde_json::{Value, json};

use super::accounts::path_id;
use crate::State;
use crate::entities::{self, ScheduledStatus};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};
use crate::paging;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/scheduled_statuses", get(list))
        .route("/api/v1/scheduled_statuses/{id}", get(show).put(update).delete(remove))
}

/// `scheduled_at` as clients send it; 422 with Mastodon's "Record invalid" when it is no date
/// and time.
pub(super) fn scheduled_at(p: &Params) -> ApiResult<Option<i64>> {
    match p.str("scheduled_at").filter(|s| !s.trim().is_empty()) {
        None => Ok(None),
        Some(s) => Timestamp::parse_iso8601(&s)
            .map(|t| Some(t.0))
            .ok_or_else(|| ApiError(AppError::Invalid("Record invalid".into()))),
    }
}

/// Scheduled posts with their uploads, as clients see them.
pub(super) async fn render(c: &mut Conn, t: &Tenant, rows: &[ScheduledRow]) -> ApiResult<Vec<ScheduledStatus>> {
    let params: Vec<ScheduledParams> = rows.iter().map(ScheduledParams::parse).collect::<Result<_, _>>()?;
    let ids: Vec<i64> = params.iter().flat_map(|p| p.media_ids.iter().copied()).collect();
    let files = media::by_ids(c, t.id, &ids).await?;
    Ok(rows
        .iter()
        .zip(&params)
        .map(|(r, p)| entities::scheduled_status(t, r, p, &files))
        .collect())
}

async fn list(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<ScheduledStatus>>)> {
    let (_, me) = a.user("read:statuses")?;
    let page = paging::page(&p, 20, 40)?;
    let mut c = s.app.db.conn().await?;
    let rows = scheduled::list(&mut c, t.id, me, &page).await?;
    let cursor: Vec<i64> = rows.iter().map(|r| r.id).collect();
    Ok((paging::link(&t, &uri, &cursor), Json(render(&mut c, &t, &rows).await?)))
}

async fn one(s: &State, t: &Tenant, me: i64, id: i64) -> ApiResult<ScheduledStatus> {
    let mut c = s.app.db.conn().await?;
    let row = scheduled::owned(&mut c, t.id, me, id)
        .await?
        .ok_or(ApiError(AppError::NotFound("Record not found")))?;
    render(&mut c, t, std::slice::from_ref(&row))
        .await?
        .pop()
        .ok_or(ApiError(AppError::NotFound("Record not found")))
}

async fn show(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<ScheduledStatus>> {
    let (_, me) = a.user("read:statuses")?;
    Ok(Json(one(&s, &t, me, path_id(&id)?).await?))
}

async fn update(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<ScheduledStatus>> {
    let (_, me) = a.user("write:statuses")?;
    let id = path_id(&id)?;
    let at = scheduled_at(&p)?.ok_or_else(|| ApiError(AppError::Invalid("Validation failed: scheduled_at can't be blank".into())))?;
    herd_app::statuses::reschedule(&s.app, &t, me, id, at).await?;
    Ok(Json(one(&s, &t, me, id).await?))
}

async fn remove(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:statuses")?;
    herd_app::statuses::cancel(&s.app, &t, me, path_id(&id)?).await?;
    Ok(Json(json!({})))
}
