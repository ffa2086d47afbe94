//! Markers (`/api/v1/markers`): where an account stopped reading its home timeline and
//! notifications, shared between its apps.

use axum::extract::State as S;
use axum::routing::get;
use axum::{Json, Router};
use herd_app::AppError;
use herd_store::markers::{self, MarkerRow};
use serde_json::{Map, Value, json};

use crate::State;
use crate::entities::time;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};

pub fn routes() -> Router<State> {
    Router::new().route("/api/v1/markers", get(show).post(save))
}

const TIMELINES: [&str; 2] = ["home", "notifications"];

fn render(rows: &[MarkerRow], wanted: &[String]) -> Value {
    let mut out = Map::new();
    for r in rows.iter().filter(|r| wanted.is_empty() || wanted.contains(&r.timeline)) {
        out.insert(
            r.timeline.clone(),
            json!({"last_read_id": r.last_read_id.to_string(), "version": r.version, "updated_at": time(r.updated_at)}),
        );
    }
    Value::Object(out)
}

async fn show(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("read:statuses")?;
    let mut c = s.app.db.conn().await?;
    Ok(Json(render(&markers::get(&mut c, t.id, me).await?, &p.list("timeline"))))
}

async fn save(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:statuses")?;
    let mut set = Vec::new();
    for timeline in TIMELINES {
        let Some(m) = p.get(timeline) else { continue };
        let id = m
            .get("last_read_id")
            .and_then(|v| match v {
                Value::String(s) => herd_core::Id::parse("last_read_id", s).ok().map(|i| i.0),
                Value::Number(n) => n.as_i64(),
                _ => None,
            })
            .ok_or_else(|| {
                ApiError(AppError::Invalid(format!(
                    "Validation failed: {timeline}[last_read_id] must be an id"
                )))
            })?;
        set.push((timeline, id));
    }
    if set.is_empty() {
        return Err(ApiError(AppError::BadRequest(
            "Missing parameter: home[last_read_id] or notifications[last_read_id]".into(),
        )));
    }
    herd_app::markers::save(&s.app, t.id, me, &set).await?;
    let mut c = s.app.db.conn().await?;
    let names: Vec<String> = set.iter().map(|(n, _)| n.to_string()).collect();
    Ok(Json(render(&markers::get(&mut c, t.id, me).await?, &names)))
}
