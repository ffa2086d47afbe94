use axum::extract::{Path, State as S};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use herd_app::AppError;
use herd_app::media::{Change, parse_focus};
use herd_store::media;

use super::accounts::path_id;
use crate::State;
use crate::entities::{self, Attachment};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v2/media", post(upload_v2))
        .route("/api/v1/media", post(upload_v1))
        .route("/api/v1/media/{id}", get(show).put(update))
}

/// `description`, `focus` and a `thumbnail` file, as uploads and updates take them.
fn change(p: &mut Params) -> ApiResult<Change> {
    Ok(Change {
        description: p.str("description"),
        focus: match p.str("focus").filter(|f| !f.is_empty()) {
            Some(f) => Some(parse_focus(&f)?),
            None => None,
        },
        thumbnail: p.take_file("thumbnail"),
    })
}

async fn upload(s: &State, t: &herd_app::Tenant, a: &Auth, mut p: Params, wait: bool) -> ApiResult<Attachment> {
    let (_, me) = a.user("write:media")?;
    let file = p
        .take_file("file")
        .ok_or(ApiError(AppError::Invalid("Validation failed: File can't be blank".into())))?;
    let mut row = herd_app::media::upload(&s.app, t, me, file, change(&mut p)?).await?;
    if wait {
        // The queued job finds the work done and stops.
        herd_app::media::process(&s.app, t.id, herd_app::media::ProcessMedia { media_id: row.id }).await?;
        let mut c = s.app.db.conn().await?;
        row = herd_store::media::by_id(&mut c, t.id, row.id)
            .await?
            .ok_or(ApiError(AppError::NotFound("Record not found")))?;
        if row.state == "failed" {
            return Err(ApiError(AppError::Invalid(
                row.error
                    .unwrap_or_else(|| "Validation failed: the image could not be processed".into()),
            )));
        }
    }
    Ok(entities::attachment(t, &row))
}

/// Answers 202 while the file is processed; the client polls `GET /api/v1/media/:id`.
async fn upload_v2(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<(StatusCode, Json<Attachment>)> {
    Ok((StatusCode::ACCEPTED, Json(upload(&s, &t, &a, p, false).await?)))
}

/// The deprecated v1 upload answers once the image is processed, as on Mastodon.
async fn upload_v1(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Attachment>> {
    Ok(Json(upload(&s, &t, &a, p, true).await?))
}

/// 206 while processing, 200 when done, 404 once attached to a post (as on Mastodon).
async fn show(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<(StatusCode, Json<Attachment>)> {
    let (_, me) = a.user("write:media")?;
    let mut c = s.app.db.conn().await?;
    let row = media::by_id(&mut c, t.id, path_id(&id)?)
        .await?
        .filter(|m| m.account_id == me && m.status_id.is_none())
        .ok_or(ApiError(AppError::NotFound("Record not found")))?;
    let status = if row.state == "processing" {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    Ok((status, Json(entities::attachment(&t, &row))))
}

async fn update(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, mut p: Params) -> ApiResult<Json<Attachment>> {
    let (_, me) = a.user("write:media")?;
    let row = herd_app::media::describe(&s.app, &t, me, path_id(&id)?, change(&mut p)?).await?;
    Ok(Json(entities::attachment(&t, &row)))
}
