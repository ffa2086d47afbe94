use axum::extract::{OriginalUri, Path, State as S};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use herd_store::statuses::PublicFilter;

use crate::State;
use crate::entities::{self, Status};
use crate::error::ApiResult;
use crate::extract::{Auth, Ctx, Params};
use crate::paging;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/timelines/home", get(home))
        .route("/api/v1/timelines/public", get(public))
        .route("/api/v1/timelines/tag/{hashtag}", get(tag))
}

type Page = (HeaderMap, Json<Vec<Status>>);

pub fn respond(t: &herd_app::Tenant, uri: &axum::http::Uri, tl: herd_app::timelines::Timeline) -> Page {
    (
        paging::link(t, uri, &tl.cursor),
        Json(tl.items.iter().map(|v| entities::status(t, v)).collect()),
    )
}

async fn home(S(s): S<State>, Ctx(t): Ctx, a: Auth, OriginalUri(uri): OriginalUri, p: Params) -> ApiResult<Page> {
    let (_, me) = a.user("read:statuses")?;
    let page = paging::page(&p, 20, 40)?;
    let mut c = s.app.db.conn().await?;
    let list = herd_app::timelines::home(&mut c, t.id, me, &page).await?;
    Ok(respond(&t, &uri, list))
}

fn filter(p: &Params) -> ApiResult<PublicFilter> {
    Ok(PublicFilter {
        local_only: p.flag("local")?,
        remote_only: p.flag("remote")?,
        only_media: p.flag("only_media")?,
    })
}

async fn public(S(s): S<State>, Ctx(t): Ctx, a: Auth, OriginalUri(uri): OriginalUri, p: Params) -> ApiResult<Page> {
    let me = a.optional("read:statuses")?;
    let page = paging::page(&p, 20, 40)?;
    let mut c = s.app.db.conn().await?;
    let list = herd_app::timelines::public(&mut c, t.id, me, &filter(&p)?, &page).await?;
    Ok(respond(&t, &uri, list))
}

async fn tag(S(s): S<State>, Ctx(t): Ctx, a: Auth, OriginalUri(uri): OriginalUri, Path(tag): Path<String>, p: Params) -> ApiResult<Page> {
    let me = a.optional("read:statuses")?;
    let page = paging::page(&p, 20, 40)?;
    let mut c = s.app.db.conn().await?;
    let list = herd_app::timelines::tag(&mut c, t.id, me, &tag.to_lowercase(), &filter(&p)?, &page).await?;
    Ok(respond(&t, &uri, list))
}
