//! Herd's `/api/v1/admin/blocklist_subscriptions` (Mastodon has none, #116): the lists an
//! instance subscribes to, synced on a schedule or at once.

use axum::extract::{Path, State as S};
use axum::routing::{get, post};
use axum::{Json, Router};
use herd_app::AppError;
use herd_app::blocklists::Format;
use herd_core::Permission;
use serde_json::{Value, json};

use crate::State;
use crate::entities::admin::blocklist_subscription;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};
use crate::routes::accounts::path_id;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/admin/blocklist_subscriptions", get(list).post(add))
        .route("/api/v1/admin/blocklist_subscriptions/{id}", get(show).delete(remove))
        .route("/api/v1/admin/blocklist_subscriptions/{id}/sync", post(sync))
}

async fn list(S(s): S<State>, Ctx(t): Ctx, a: Auth) -> ApiResult<Json<Vec<Value>>> {
    a.staff("admin:read:domain_blocks")?.require(&[Permission::ManageFederation])?;
    let mut c = s.app.db.conn().await?;
    Ok(Json(
        herd_store::blocklists::list(&mut c, t.id)
            .await?
            .iter()
            .map(blocklist_subscription)
            .collect(),
    ))
}

async fn show(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    a.staff("admin:read:domain_blocks")?.require(&[Permission::ManageFederation])?;
    let mut c = s.app.db.conn().await?;
    let row = herd_store::blocklists::get(&mut c, t.id, path_id(&id)?)
        .await?
        .ok_or(ApiError(AppError::NotFound("Record not found")))?;
    Ok(Json(blocklist_subscription(&row)))
}

async fn add(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:domain_blocks")?;
    let url = p
        .str("url")
        .ok_or(ApiError(AppError::Invalid("Validation failed: url can't be blank".into())))?;
    let format = Format::parse(&p.str("format").unwrap_or_else(|| "csv".into()))?;
    let every = p.int("every_seconds")?.unwrap_or(6 * 3600);
    let row = herd_app::blocklists::subscribe(&s.app, &m, &t, &url, format, every.saturating_mul(1000)).await?;
    Ok(Json(blocklist_subscription(&row)))
}

async fn remove(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:domain_blocks")?;
    herd_app::blocklists::unsubscribe(&s.app, &m, &t, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

async fn sync(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:domain_blocks")?;
    m.require(&[Permission::ManageFederation])?;
    let o = herd_app::blocklists::sync_now(&s.app, &t, path_id(&id)?).await?;
    Ok(Json(
        json!({"added": o.added, "changed": o.changed, "removed": o.removed, "kept": o.kept}),
    ))
}
