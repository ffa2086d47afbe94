//! Lists (`/api/v1/lists`), their members, the lists holding an account, and the list
//! timeline.

use axum::extract::{OriginalUri, Path, State as S};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use herd_app::lists::ListSettings;
use herd_store::lists::{self, ListRow};
use serde::Serialize;
use serde_json::{Value, json};

use super::accounts::path_id;
use super::timelines::respond;
use crate::State;
use crate::entities::{self, Account};
use crate::error::ApiResult;
use crate::extract::{Auth, Ctx, Params};
use crate::paging;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/lists", get(index).post(create))
        .route("/api/v1/lists/{id}", get(show).put(update).delete(delete))
        .route("/api/v1/lists/{id}/accounts", get(members).post(add).delete(remove))
        .route("/api/v1/accounts/{id}/lists", get(holding))
        .route("/api/v1/timelines/list/{id}", get(timeline))
}

/// Mastodon's List entity.
#[derive(Serialize)]
pub struct List {
    pub id: String,
    pub title: String,
    pub replies_policy: String,
    pub exclusive: bool,
}

fn list(l: &ListRow) -> List {
    List {
        id: l.id.to_string(),
        title: l.title.clone(),
        replies_policy: l.replies_policy.clone(),
        exclusive: l.exclusive != 0,
    }
}

fn settings(p: &Params) -> ApiResult<ListSettings> {
    Ok(ListSettings {
        title: p.str("title"),
        replies_policy: p.str("replies_policy").filter(|r| !r.is_empty()),
        exclusive: p.bool("exclusive")?,
    })
}

async fn index(S(s): S<State>, Ctx(t): Ctx, a: Auth) -> ApiResult<Json<Vec<List>>> {
    let (_, me) = a.user("read:lists")?;
    let mut c = s.app.db.conn().await?;
    Ok(Json(lists::of_owner(&mut c, t.id, me, None).await?.iter().map(list).collect()))
}

async fn show(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<List>> {
    let (_, me) = a.user("read:lists")?;
    let mut c = s.app.db.conn().await?;
    Ok(Json(list(&herd_app::lists::owned(&mut c, t.id, me, path_id(&id)?).await?)))
}

async fn create(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<List>> {
    let (_, me) = a.user("write:lists")?;
    Ok(Json(list(&herd_app::lists::create(&s.app, &t, me, settings(&p)?).await?)))
}

async fn update(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<List>> {
    let (_, me) = a.user("write:lists")?;
    let row = herd_app::lists::update(&s.app, &t, me, path_id(&id)?, settings(&p)?).await?;
    Ok(Json(list(&row)))
}

async fn delete(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:lists")?;
    herd_app::lists::delete(&s.app, &t, me, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

async fn members(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let (_, me) = a.user("read:lists")?;
    let mut c = s.app.db.conn().await?;
    let l = herd_app::lists::owned(&mut c, t.id, me, path_id(&id)?).await?;
    // `limit=0` asks for every member, as on Mastodon.
    let page = match p.int("limit")? {
        Some(0) => herd_store::Page {
            limit: 0,
            ..paging::page(&p, 40, 80)?
        },
        _ => paging::page(&p, 40, 80)?,
    };
    let rows = lists::members(&mut c, t.id, l.id, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|(_, a)| *a).collect();
    let accounts = herd_store::accounts::by_ids(&mut c, t.id, &ids).await?;
    let found: Vec<Account> = ids
        .iter()
        .filter_map(|id| accounts.iter().find(|a| a.id == *id))
        .map(|a| entities::account(&t, a))
        .collect();
    let cursor: Vec<i64> = rows.iter().map(|(j, _)| *j).collect();
    let link = if page.limit == 0 {
        HeaderMap::new()
    } else {
        paging::link(&t, &uri, &cursor)
    };
    Ok((link, Json(found)))
}

async fn add(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:lists")?;
    herd_app::lists::add_members(&s.app, &t, me, path_id(&id)?, &p.ids("account_ids")?).await?;
    Ok(Json(json!({})))
}

async fn remove(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:lists")?;
    herd_app::lists::remove_members(&s.app, &t, me, path_id(&id)?, &p.ids("account_ids")?).await?;
    Ok(Json(json!({})))
}

async fn holding(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<List>>> {
    let (_, me) = a.user("read:lists")?;
    let mut c = s.app.db.conn().await?;
    let account = path_id(&id)?;
    herd_app::views::account(&mut c, t.id, account).await?;
    Ok(Json(
        lists::of_owner(&mut c, t.id, me, Some(account)).await?.iter().map(list).collect(),
    ))
}

async fn timeline(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult<axum::response::Response> {
    let (_, me) = a.user("read:lists")?;
    let page = paging::page(&p, 20, 40)?;
    let mut c = s.app.db.conn().await?;
    let l = herd_app::lists::owned(&mut c, t.id, me, path_id(&id)?).await?;
    let tl = herd_app::timelines::list(&mut c, t.id, me, &l, &page).await?;
    Ok(respond(&s, &t, &uri, tl))
}
