//! `POST /api/v1/reports`: a user reports an account (and some of its posts) to the
//! instance's moderators.

use axum::extract::State as S;
use axum::routing::post;
use axum::{Json, Router};
use herd_app::reports::NewUserReport;
use serde_json::{Value, json};

use crate::State;
use crate::entities::{self, time};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};

pub fn routes() -> Router<State> {
    Router::new().route("/api/v1/reports", post(create))
}

/// A JSON list of ids as stored, as Mastodon's strings (`null` when empty).
fn ids(stored: &str) -> Value {
    let list: Vec<i64> = serde_json::from_str(stored).unwrap_or_default();
    if list.is_empty() {
        Value::Null
    } else {
        json!(list.iter().map(i64::to_string).collect::<Vec<_>>())
    }
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
    Ok(Json(json!({
        "id": row.id.to_string(),
        "action_taken": false,
        "action_taken_at": null,
        "category": row.category,
        "comment": row.comment,
        "forwarded": row.forwarded != 0,
        "created_at": time(row.created_at),
        "status_ids": ids(&row.status_ids),
        "rule_ids": ids(&row.rule_ids),
        "target_account": entities::account(&t, &target),
    })))
}
