use axum::extract::{OriginalUri, Path, State as S};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use herd_store::statuses::{PublicFilter, TagQuery};

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

type Page = Response;

/// A timeline page as JSON with its Link header. A page read through the caches is written
/// from the node's renderings (the same JSON, without building every entity again).
pub fn respond(s: &State, t: &herd_app::Tenant, uri: &axum::http::Uri, tl: herd_app::timelines::Timeline) -> Page {
    let link = paging::link(t, uri, &tl.cursor);
    match tl.epoch {
        Some(epoch) => {
            let mut body = String::with_capacity(2 + tl.items.len() * 4096);
            body.push('[');
            for (i, v) in tl.items.iter().enumerate() {
                if i > 0 {
                    body.push(',');
                }
                entities::write_status(&s.app.caches, t, v, epoch, &mut body);
            }
            body.push(']');
            (link, [(CONTENT_TYPE, "application/json")], body).into_response()
        }
        None => (link, Json(tl.items.iter().map(|v| entities::status(t, v)).collect::<Vec<Status>>())).into_response(),
    }
}

async fn home(S(s): S<State>, Ctx(t): Ctx, a: Auth, OriginalUri(uri): OriginalUri, p: Params) -> ApiResult<Page> {
    let (_, me) = a.user("read:statuses")?;
    let page = paging::page(&p, 20, 40)?;
    let list = herd_app::timelines::home(&s.app, t.id, me, &page).await?;
    Ok(respond(&s, &t, &uri, list))
}

/// The hashtag of the path with `any[]`, `all[]` and `none[]`, at most four each as on
/// Mastodon; names without their `#`, in key form.
fn tag_query(tag: &str, p: &Params) -> TagQuery {
    let keys = |k: &str| -> Vec<String> {
        let mut v: Vec<String> = p
            .list(k)
            .iter()
            .flat_map(|s| s.split(','))
            .map(|s| s.trim().trim_start_matches('#').to_lowercase())
            .filter(|s| !s.is_empty())
            .collect();
        v.dedup();
        v.truncate(4);
        v
    };
    let mut any = vec![tag.trim_start_matches('#').to_lowercase()];
    any.extend(keys("any"));
    TagQuery {
        any,
        all: keys("all"),
        none: keys("none"),
    }
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
    Ok(respond(&s, &t, &uri, list))
}

async fn tag(S(s): S<State>, Ctx(t): Ctx, a: Auth, OriginalUri(uri): OriginalUri, Path(tag): Path<String>, p: Params) -> ApiResult<Page> {
    let me = a.optional("read:statuses")?;
    let page = paging::page(&p, 20, 40)?;
    let mut c = s.app.db.conn().await?;
    let list = herd_app::timelines::tag(&mut c, t.id, me, &tag_query(&tag, &p), &filter(&p)?, &page).await?;
    Ok(respond(&s, &t, &uri, list))
}
