mod accounts;
mod announcements;
mod apps;
mod conversations;
mod featured;
mod federation;
pub(crate) use federation::signed_fetch;
mod files;
mod filters;
mod instance;
mod lists;
mod markers;
mod media;
mod notifications;
mod oauth;
mod polls;
mod reports;
mod scheduled;
mod search;
mod statuses;
mod streaming;
mod tags;
mod timelines;

use axum::Router;
use axum::routing::get;

use crate::State;

pub fn routes() -> Router<State> {
    Router::new()
        .merge(instance::routes())
        .merge(apps::routes())
        .merge(oauth::routes())
        .merge(accounts::routes())
        .merge(announcements::routes())
        .merge(statuses::routes())
        .merge(polls::routes())
        .merge(scheduled::routes())
        .merge(timelines::routes())
        .merge(notifications::routes())
        .merge(media::routes())
        .merge(files::routes())
        .merge(federation::routes())
        .merge(search::routes())
        .merge(lists::routes())
        .merge(markers::routes())
        .merge(filters::routes())
        .merge(reports::routes())
        .merge(conversations::routes())
        .merge(streaming::routes())
        .merge(tags::routes())
        .merge(featured::routes())
        .route("/health", get(|| async { "ok" }))
        .fallback(not_found)
        .route("/api/v1/custom_emojis", get(|| async { axum::Json(Vec::<()>::new()) }))
}

async fn not_found() -> crate::error::ApiError {
    crate::error::ApiError(herd_app::AppError::NotFound("Not found"))
}
