//! `/api/v1/polls`: a poll as the viewer sees it, and voting.

use axum::extract::{Path, State as S};
use axum::routing::{get, post};
use axum::{Json, Router};
use herd_app::{AppError, Tenant, views};
use herd_store::polls;

use super::accounts::path_id;
use crate::State;
use crate::entities::{self, Poll};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/polls/{id}", get(show))
        .route("/api/v1/polls/{id}/votes", post(vote))
}

/// A poll whose post `viewer` may see (404 otherwise, as for the post).
async fn render(s: &State, t: &Tenant, viewer: Option<i64>, id: i64) -> ApiResult<Poll> {
    let mut c = s.app.db.conn().await?;
    let poll = polls::by_id(&mut c, t.id, id)
        .await?
        .ok_or(ApiError(AppError::NotFound("Record not found")))?;
    let row = views::visible_status(&mut c, t.id, viewer, poll.row.status_id).await?;
    let view = views::status(&mut c, t.id, viewer, row).await?;
    let p = view.poll.as_deref().ok_or(ApiError(AppError::NotFound("Record not found")))?;
    Ok(entities::poll(p, viewer, view.own_votes.as_deref()))
}

async fn show(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Poll>> {
    let me = a.optional("read:statuses")?;
    Ok(Json(render(&s, &t, me, path_id(&id)?).await?))
}

async fn vote(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<Poll>> {
    let (_, me) = a.user("write:statuses")?;
    let id = path_id(&id)?;
    let mut choices = Vec::new();
    for c in p.list("choices") {
        choices.push(
            c.trim()
                .parse::<i64>()
                .map_err(|_| ApiError(AppError::Invalid("Validation failed: choices must be whole numbers".into())))?,
        );
    }
    herd_app::polls::vote(&s.app, &t, me, id, &choices).await?;
    Ok(Json(render(&s, &t, Some(me), id).await?))
}
