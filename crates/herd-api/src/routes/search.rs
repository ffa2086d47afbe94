//! `GET /api/v2/search`.

use axum::extract::State as S;
use axum::routing::get;
use axum::{Json, Router};
use herd_app::search::{self, Query};
use serde_json::{Value, json};

use crate::State;
use crate::entities;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};

pub fn routes() -> Router<State> {
    Router::new().route("/api/v2/search", get(search_v2))
}

async fn search_v2(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let viewer = a.optional("read:search")?;
    let q = p.required("q")?;
    let kind = p.str("type");
    let want = |k: &str| kind.as_deref().is_none_or(|x| x == k);
    if let Some(k) = kind.as_deref()
        && !matches!(k, "accounts" | "hashtags" | "statuses")
    {
        return Err(ApiError(herd_app::AppError::Invalid(format!(
            "type must be accounts, hashtags or statuses, not {k:?}"
        ))));
    }
    let found = search::search(
        &s.app,
        &t,
        viewer,
        Query {
            q: &q,
            accounts: want("accounts"),
            hashtags: want("hashtags"),
            statuses: want("statuses"),
            resolve: p.flag("resolve")?,
            limit: p.int("limit")?.unwrap_or(20).clamp(1, 40),
            offset: p.int("offset")?.unwrap_or(0).max(0),
            max_id: p.id("max_id")?,
            min_id: p.id("min_id")?,
            account_id: p.id("account_id")?,
        },
    )
    .await?;
    Ok(Json(json!({
        "accounts": found.accounts.iter().map(|r| entities::account(&t, r)).collect::<Vec<_>>(),
        "statuses": found.statuses.iter().map(|v| entities::status(&t, v)).collect::<Vec<_>>(),
        "hashtags": found.hashtags.iter().map(|n| json!({"name": n.to_lowercase(), "url": t.tag_url(n), "history": []})).collect::<Vec<_>>(),
    })))
}
