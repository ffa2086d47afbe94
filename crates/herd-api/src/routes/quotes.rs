//! Quote posts (Mastodon 4.5): the quotes of a post, revoking one, and who may quote a post.

use axum::extract::{OriginalUri, Path, State as S};
use axum::http::HeaderMap;
use axum::routing::{get, post, put};
use axum::{Json, Router};

use super::accounts::path_id;
use super::statuses::{quote_policy, render};
use crate::State;
use crate::entities::{self, Status};
use crate::error::ApiResult;
use crate::extract::{Auth, Ctx, Params};
use crate::paging;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/statuses/{id}/quotes", get(quotes))
        .route("/api/v1/statuses/{id}/quotes/{quoting}/revoke", post(revoke))
        .route("/api/v1/statuses/{id}/interaction_policy", put(interaction_policy))
}

/// The accepted quotes of a post the viewer may see, paged by quote id.
async fn quotes(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Status>>)> {
    let (_, me) = a.user("read:statuses")?;
    let page = paging::page(&p, 20, 40)?;
    let (views, keys) = herd_app::quotes::quotes_of(&s.app, &t, Some(me), path_id(&id)?, &page).await?;
    Ok((
        paging::link(&t, &uri, &keys),
        Json(views.iter().map(|v| entities::status(&t, v)).collect()),
    ))
}

/// The quoted post's author revokes a quote of it; the quoting post, as it is now.
async fn revoke(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path((id, quoting)): Path<(String, String)>) -> ApiResult<Json<Status>> {
    let (_, me) = a.user("write:statuses")?;
    let (quoted, quoting) = (path_id(&id)?, path_id(&quoting)?);
    herd_app::quotes::revoke(&s.app, &t, me, quoted, quoting).await?;
    Ok(Json(render(&s, &t, Some(me), quoting).await?))
}

/// The author changes who may quote a post (blank: their default).
async fn interaction_policy(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<Status>> {
    let (_, me) = a.user("write:statuses")?;
    let id = path_id(&id)?;
    let policy = match quote_policy(&p)? {
        Some(q) => q,
        None => herd_app::quotes::default_policy(&s.app, &t, me).await?,
    };
    herd_app::quotes::set_policy(&s.app, &t, me, id, policy).await?;
    Ok(Json(render(&s, &t, Some(me), id).await?))
}
