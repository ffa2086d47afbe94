mod accounts;
mod admin;
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
mod notification_requests;
mod notifications;
pub(crate) mod oauth;
mod polls;
mod quotes;
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
        .merge(quotes::routes())
        .merge(polls::routes())
        .merge(scheduled::routes())
        .merge(timelines::routes())
        .merge(notifications::routes())
        .merge(notification_requests::routes())
        .merge(media::routes())
        .merge(files::routes())
        .merge(federation::routes())
        .merge(search::routes())
        .merge(lists::routes())
        .merge(markers::routes())
        .merge(filters::routes())
        .merge(reports::routes())
        .merge(admin::routes())
        .merge(conversations::routes())
        .merge(streaming::routes())
        .merge(tags::routes())
        .merge(featured::routes())
        .route("/health", get(|| async { "ok" }))
        .route("/ready", get(ready))
        .fallback(not_found)
        .route("/api/v1/custom_emojis", get(custom_emojis))
}

/// Readiness, apart from liveness (`/health`): the database answers and has this build's
/// migrations, so a load balancer sends this node requests only then.
async fn ready(axum::extract::State(s): axum::extract::State<State>) -> crate::error::ApiResult<&'static str> {
    match s.app.db.migrations_current().await {
        Ok(true) => Ok("ready"),
        Ok(false) => Err(herd_app::AppError::Unavailable("database migrations are pending; run `herd migrate`".into()).into()),
        Err(e) => Err(herd_app::AppError::Unavailable(format!("the database does not answer: {e}")).into()),
    }
}

/// The instance's own emoji that apps offer in their pickers.
async fn custom_emojis(
    axum::extract::State(s): axum::extract::State<State>,
    crate::extract::Ctx(t): crate::extract::Ctx,
) -> crate::error::ApiResult<axum::Json<Vec<crate::entities::CustomEmoji>>> {
    let mut c = s.app.db.conn().await?;
    let list = herd_store::emojis::local(&mut c, t.id).await?;
    Ok(axum::Json(
        list.iter()
            .filter(|e| e.visible_in_picker != 0)
            .map(|e| crate::entities::custom_emoji(&t, e))
            .collect(),
    ))
}

async fn not_found() -> crate::error::ApiError {
    crate::error::ApiError(herd_app::AppError::NotFound("Not found"))
}
