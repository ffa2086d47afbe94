//! What accounts feature on their profiles: `/api/v1/featured_tags` and endorsements
//! (`/api/v1/accounts/:id/endorse`, and `pin`, its older name).

use axum::extract::{OriginalUri, Path, State as S};
use axum::http::HeaderMap;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use herd_app::{Tenant, views};
use herd_store::{accounts, featured};
use serde_json::{Value, json};

use super::accounts::{path_id, relationship_with};
use crate::State;
use crate::entities::{self, Account, FeaturedTag, Relationship};
use crate::error::ApiResult;
use crate::extract::{Auth, Ctx, Params};
use crate::paging;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/featured_tags", get(mine).post(feature))
        .route("/api/v1/featured_tags/suggestions", get(suggestions))
        .route("/api/v1/featured_tags/{id}", delete(unfeature))
        .route("/api/v1/accounts/{id}/featured_tags", get(of_account))
        .route("/api/v1/accounts/{id}/endorse", post(endorse))
        .route("/api/v1/accounts/{id}/unendorse", post(unendorse))
        .route("/api/v1/accounts/{id}/pin", post(endorse))
        .route("/api/v1/accounts/{id}/unpin", post(unendorse))
        .route("/api/v1/endorsements", get(my_endorsements))
        .route("/api/v1/accounts/{id}/endorsements", get(endorsements_of))
}

async fn tags_of(s: &State, t: &Tenant, account: i64) -> ApiResult<Vec<FeaturedTag>> {
    let mut c = s.app.db.conn().await?;
    let a = views::account(&mut c, t.id, account).await?;
    let rows = featured::tags_of(&mut c, t.id, account).await?;
    Ok(rows.iter().map(|f| entities::featured_tag(t, &a.username, f)).collect())
}

async fn mine(S(s): S<State>, Ctx(t): Ctx, a: Auth) -> ApiResult<Json<Vec<FeaturedTag>>> {
    let (_, me) = a.user("read:accounts")?;
    Ok(Json(tags_of(&s, &t, me).await?))
}

async fn of_account(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<FeaturedTag>>> {
    a.optional("read:accounts")?;
    Ok(Json(tags_of(&s, &t, path_id(&id)?).await?))
}

async fn feature(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:accounts")?;
    let id = herd_app::featured::feature_tag(&s.app, &t, me, &p.required("name")?).await?;
    let all = tags_of(&s, &t, me).await?;
    let one = all.into_iter().find(|f| f.id == id.to_string());
    Ok(Json(serde_json::to_value(one).unwrap_or(Value::Null)))
}

async fn unfeature(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:accounts")?;
    herd_app::featured::unfeature_tag(&s.app, &t, me, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

/// The hashtags the user used most lately and does not feature yet, as Tag entities.
async fn suggestions(S(s): S<State>, Ctx(t): Ctx, a: Auth) -> ApiResult<Json<Vec<Value>>> {
    let (_, me) = a.user("read:accounts")?;
    let mut c = s.app.db.conn().await?;
    let rows = featured::suggested_tags(&mut c, t.id, me, 10).await?;
    drop(c);
    Ok(Json(super::tags::tags(&s, &t, &rows, None).await?))
}

async fn endorse(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Relationship>> {
    let (_, me) = a.user("write:accounts")?;
    let target = path_id(&id)?;
    herd_app::featured::endorse(&s.app, &t, me, target).await?;
    relationship_with(&s, &t, me, target).await
}

async fn unendorse(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Relationship>> {
    let (_, me) = a.user("write:accounts")?;
    let target = path_id(&id)?;
    herd_app::featured::unendorse(&s.app, &t, me, target).await?;
    relationship_with(&s, &t, me, target).await
}

async fn endorsed(s: &State, t: &Tenant, uri: &axum::http::Uri, p: &Params, account: i64) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let page = paging::page(p, 40, 80)?;
    let mut c = s.app.db.conn().await?;
    views::account(&mut c, t.id, account).await?;
    let rows = featured::endorsed(&mut c, t.id, account, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|(_, a)| *a).collect();
    let found = accounts::by_ids(&mut c, t.id, &ids).await?;
    let list: Vec<Account> = ids
        .iter()
        .filter_map(|id| found.iter().find(|a| a.id == *id && a.suspended_at.is_none()))
        .map(|a| entities::account(t, a))
        .collect();
    let cursor: Vec<i64> = rows.iter().map(|(e, _)| *e).collect();
    Ok((paging::link(t, uri, &cursor), Json(list)))
}

async fn my_endorsements(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let (_, me) = a.user("read:accounts")?;
    endorsed(&s, &t, &uri, &p, me).await
}

async fn endorsements_of(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    a.optional("read:accounts")?;
    endorsed(&s, &t, &uri, &p, path_id(&id)?).await
}
