//! Herd's `/api/v1/admin/automod_rules` (Mastodon has none, #29256): the instance's
//! auto-moderation rules.

use axum::extract::{Path, State as S};
use axum::routing::get;
use axum::{Json, Router};
use herd_app::automod::NewRule;
use herd_core::Permission;
use herd_store::automod::RuleRow;
use serde_json::{Value, json};

use crate::State;
use crate::entities::time;
use crate::error::ApiResult;
use crate::extract::{Auth, Ctx, Params};
use crate::routes::accounts::path_id;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/admin/automod_rules", get(list).post(add))
        .route("/api/v1/admin/automod_rules/{id}", axum::routing::delete(remove))
}

fn entity(r: &RuleRow) -> Value {
    json!({"id": r.id.to_string(), "kind": r.kind, "pattern": r.pattern, "action": r.action, "scope": r.scope, "created_at": time(r.created_at)})
}

async fn list(S(s): S<State>, Ctx(t): Ctx, a: Auth) -> ApiResult<Json<Vec<Value>>> {
    a.staff("admin:read")?
        .require(&[Permission::ManageSettings, Permission::ManageBlocks])?;
    let mut c = s.app.db.conn().await?;
    Ok(Json(herd_store::automod::all(&mut c, t.id).await?.iter().map(entity).collect()))
}

async fn add(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write")?;
    let r = NewRule {
        kind: p.str("kind").unwrap_or_default(),
        pattern: p.str("pattern").unwrap_or_default(),
        action: p.str("action").unwrap_or_else(|| "flag".into()),
        scope: p.str("scope").unwrap_or_else(|| "all".into()),
    };
    Ok(Json(entity(&herd_app::automod::add(&s.app, &m, &t, r).await?)))
}

async fn remove(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write")?;
    herd_app::automod::remove(&s.app, &m, &t, path_id(&id)?).await?;
    Ok(Json(json!({})))
}
