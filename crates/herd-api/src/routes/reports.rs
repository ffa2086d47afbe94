//! `POST /api/v1/reports`: a user reports an account (and some of its posts) to the
//! instance's moderators.

use axum::extract::State as S;
use axum::routing::post;
use axum::{Json, Router};
use herd_app::reports::NewUserReport;
use serde_json::Value;

use crate::State;
use crate::entities;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};

pub fn routes() -> Router<State> {
    Router::new().route("/api/v1/reports", post(create))
}

async fn create(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:reports")?;
    let target = p.id("account_id")?.ok_or(ApiError(herd_app::AppError::Invalid(
        "Validation failed: account_id is required".into(),
    )))?;
    let report = NewUserReport {
        target,
        status_ids: p.ids("status_ids")?,
        comment: p.str("comment").unwrap_or_default(),
        category: p.str("category"),
        rule_ids: p.ids("rule_ids")?,
        forward: p.bool("forward")?.unwrap_or(false),
    };
    let row = herd_app::reports::file(&s.app, &t, me, report).await?;
    let mut c = s.app.db.conn().await?;
    let target = herd_store::accounts::by_id(&mut c, t.id, row.target_account_id).await?;
    Ok(Json(entities::report(&t, &row, &target)))
}
