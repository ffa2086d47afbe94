//! Filters, v2 (`/api/v2/filters`), with their keywords and posts.

use axum::extract::{Path, State as S};
use axum::routing::get;
use axum::{Json, Router};
use herd_app::AppError;
use herd_app::filters::{FilterSettings, KeywordChange};
use herd_store::filters as store;
use serde_json::{Value, json};

use super::accounts::path_id;
use crate::State;
use crate::entities::{Filter, FilterKeyword, FilterStatus, filter, filter_keyword, filter_status};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v2/filters", get(index).post(create))
        .route("/api/v2/filters/{id}", get(show).put(update).delete(delete))
        .route("/api/v2/filters/{id}/keywords", get(keywords).post(add_keyword))
        .route(
            "/api/v2/filters/keywords/{id}",
            get(keyword).put(change_keyword).delete(remove_keyword),
        )
        .route("/api/v2/filters/{id}/statuses", get(statuses).post(add_status))
        .route("/api/v2/filters/statuses/{id}", get(status).delete(remove_status))
}

/// A flag as clients send it: JSON boolean, or a form's "true"/"1"/"on".
fn flag(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => Some(matches!(s.as_str(), "true" | "1" | "on")),
        Value::Number(n) => Some(n.as_i64() != Some(0)),
        _ => None,
    }
}

fn settings(p: &Params) -> ApiResult<FilterSettings> {
    let contexts = p.list("context");
    let expires_in = match p.get("expires_in") {
        None => None,
        Some(Value::String(s)) if s.is_empty() => Some(None),
        Some(_) => Some(Some(p.int("expires_in")?.unwrap_or(0))),
    };
    // keywords_attributes as a list, or as an object keyed by index (`[0][keyword]`).
    let items: Vec<&Value> = match p.get("keywords_attributes") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(Value::Object(m)) => m.values().collect(),
        _ => Vec::new(),
    };
    let mut keywords = Vec::with_capacity(items.len());
    for k in items {
        let id = match k.get("id") {
            Some(Value::String(s)) => Some(path_id(s)?),
            Some(Value::Number(n)) => n.as_i64(),
            _ => None,
        };
        keywords.push(KeywordChange {
            id,
            keyword: k.get("keyword").and_then(Value::as_str).map(str::to_string),
            whole_word: flag(k.get("whole_word")),
            destroy: flag(k.get("_destroy")).unwrap_or(false),
        });
    }
    Ok(FilterSettings {
        title: p.str("title"),
        contexts: (!contexts.is_empty() || p.get("context").is_some()).then_some(contexts),
        action: p.str("filter_action").filter(|a| !a.is_empty()),
        expires_in,
        keywords,
    })
}

async fn index(S(s): S<State>, Ctx(t): Ctx, a: Auth) -> ApiResult<Json<Vec<Filter>>> {
    let (_, me) = a.user("read:filters")?;
    let mut c = s.app.db.conn().await?;
    let rows = store::of_owner(&mut c, t.id, me, None).await?;
    let all = herd_app::filters::with_parts(&mut c, t.id, rows).await?;
    Ok(Json(all.iter().map(filter).collect()))
}

async fn show(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Filter>> {
    let (_, me) = a.user("read:filters")?;
    let mut c = s.app.db.conn().await?;
    Ok(Json(filter(&herd_app::filters::owned(&mut c, t.id, me, path_id(&id)?).await?)))
}

async fn create(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Filter>> {
    let (_, me) = a.user("write:filters")?;
    Ok(Json(filter(&herd_app::filters::create(&s.app, &t, me, settings(&p)?).await?)))
}

async fn update(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<Filter>> {
    let (_, me) = a.user("write:filters")?;
    let f = herd_app::filters::update(&s.app, &t, me, path_id(&id)?, settings(&p)?).await?;
    Ok(Json(filter(&f)))
}

async fn delete(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:filters")?;
    herd_app::filters::delete(&s.app, &t, me, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

async fn keywords(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<FilterKeyword>>> {
    let (_, me) = a.user("read:filters")?;
    let mut c = s.app.db.conn().await?;
    let f = herd_app::filters::owned(&mut c, t.id, me, path_id(&id)?).await?;
    Ok(Json(f.keywords.iter().map(filter_keyword).collect()))
}

async fn add_keyword(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<FilterKeyword>> {
    let (_, me) = a.user("write:filters")?;
    let keyword = p.required("keyword")?;
    let whole = p.bool("whole_word")?.unwrap_or(true);
    let k = herd_app::filters::add_keyword(&s.app, &t, me, path_id(&id)?, &keyword, whole).await?;
    Ok(Json(filter_keyword(&k)))
}

/// The keyword (or filtered post) with this id, when its filter is `me`'s: the filter that
/// holds it is found by the part's id, then read with its parts.
async fn find<T>(
    s: &State,
    t: &herd_app::Tenant,
    me: i64,
    part: store::Part,
    id: &str,
    pick: impl Fn(herd_app::filters::Filter, i64) -> Option<T>,
) -> ApiResult<T> {
    let id = path_id(id)?;
    let not_found = || ApiError(AppError::NotFound("Record not found"));
    let mut c = s.app.db.conn().await?;
    let (filter, _) = store::owner_of(&mut c, t.id, part, id)
        .await?
        .filter(|(_, owner)| *owner == me)
        .ok_or_else(not_found)?;
    let f = herd_app::filters::owned(&mut c, t.id, me, filter).await?;
    pick(f, id).ok_or_else(not_found)
}

async fn keyword(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<FilterKeyword>> {
    let (_, me) = a.user("read:filters")?;
    let k = find(&s, &t, me, store::Part::Keyword, &id, |f, id| {
        f.keywords.into_iter().find(|k| k.id == id)
    })
    .await?;
    Ok(Json(filter_keyword(&k)))
}

async fn change_keyword(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<FilterKeyword>> {
    let (_, me) = a.user("write:filters")?;
    let k = herd_app::filters::change_keyword(&s.app, &t, me, path_id(&id)?, p.str("keyword").as_deref(), p.bool("whole_word")?).await?;
    Ok(Json(filter_keyword(&k)))
}

async fn remove_keyword(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:filters")?;
    herd_app::filters::remove_keyword(&s.app, &t, me, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

async fn statuses(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<FilterStatus>>> {
    let (_, me) = a.user("read:filters")?;
    let mut c = s.app.db.conn().await?;
    let f = herd_app::filters::owned(&mut c, t.id, me, path_id(&id)?).await?;
    Ok(Json(f.statuses.iter().map(filter_status).collect()))
}

async fn add_status(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<FilterStatus>> {
    let (_, me) = a.user("write:filters")?;
    let status = p
        .id("status_id")?
        .ok_or(ApiError(AppError::Invalid("Validation failed: status_id is required".into())))?;
    let row = herd_app::filters::add_status(&s.app, &t, me, path_id(&id)?, status).await?;
    Ok(Json(filter_status(&row)))
}

async fn status(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<FilterStatus>> {
    let (_, me) = a.user("read:filters")?;
    let row = find(&s, &t, me, store::Part::Status, &id, |f, id| {
        f.statuses.into_iter().find(|x| x.id == id)
    })
    .await?;
    Ok(Json(filter_status(&row)))
}

async fn remove_status(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:filters")?;
    herd_app::filters::remove_status(&s.app, &t, me, path_id(&id)?).await?;
    Ok(Json(json!({})))
}
