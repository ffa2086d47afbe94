//! `/api/v1/admin/domain_blocks` and `/api/v1/admin/domain_allows`: the instance's
//! federation policy; and the public `/api/v1/instance/domain_blocks`.

use axum::extract::{OriginalUri, Path, State as S};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use herd_app::AppError;
use herd_app::federation_policy::BlockParams;
use herd_core::{BlockSeverity, Permission};
use herd_store::federation_policy::{self, DomainBlockRow};
use serde_json::{Value, json};

use crate::State;
use crate::entities::admin::{AdminDomainBlock, admin_domain_allow, admin_domain_block, public_domain_block};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};
use crate::paging;
use crate::routes::accounts::path_id;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/admin/domain_blocks", get(list).post(create))
        .route("/api/v1/admin/domain_blocks/{id}", get(show).put(update).delete(remove))
        .route("/api/v1/admin/domain_allows", get(allows).post(allow))
        .route("/api/v1/admin/domain_allows/{id}", get(show_allow).delete(disallow))
        .route("/api/v1/instance/domain_blocks", get(public_list))
}

/// The block's settings from a request, starting from `base` (an update changes only what
/// it names).
fn params(p: &Params, base: Option<&DomainBlockRow>) -> ApiResult<BlockParams> {
    let severity = match p.str("severity").filter(|s| !s.is_empty()) {
        Some(s) => BlockSeverity::parse(&s).map_err(|e| ApiError(AppError::Invalid(format!("Validation failed: {e}"))))?,
        None => base
            .and_then(|b| BlockSeverity::parse(&b.severity).ok())
            .unwrap_or(BlockSeverity::Silence),
    };
    let flag = |k: &str, old: Option<i64>| -> ApiResult<bool> { Ok(p.bool(k)?.unwrap_or(old.is_some_and(|v| v != 0))) };
    let text = |k: &str, old: Option<&Option<String>>| -> Option<String> {
        match p.get(k) {
            Some(_) => p.str(k),
            None => old.cloned().flatten(),
        }
    };
    Ok(BlockParams {
        severity,
        reject_media: flag("reject_media", base.map(|b| b.reject_media))?,
        reject_reports: flag("reject_reports", base.map(|b| b.reject_reports))?,
        private_comment: text("private_comment", base.map(|b| &b.private_comment)),
        public_comment: text("public_comment", base.map(|b| &b.public_comment)),
        obfuscate: flag("obfuscate", base.map(|b| b.obfuscate))?,
    })
}

async fn list(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<AdminDomainBlock>>)> {
    let m = a.staff("admin:read:domain_blocks")?;
    m.require(&[Permission::ManageFederation])?;
    let page = paging::page(&p, 100, 200)?;
    let mut c = s.app.db.conn().await?;
    let rows = federation_policy::blocks(&mut c, t.id, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|b| b.id).collect();
    Ok((paging::link(&t, &uri, &ids), Json(rows.iter().map(admin_domain_block).collect())))
}

async fn find(s: &State, t: &herd_app::Tenant, id: &str) -> ApiResult<DomainBlockRow> {
    let mut c = s.app.db.conn().await?;
    federation_policy::block(&mut c, t.id, path_id(id)?)
        .await?
        .ok_or(ApiError(AppError::NotFound("Record not found")))
}

async fn show(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<AdminDomainBlock>> {
    let m = a.staff("admin:read:domain_blocks")?;
    m.require(&[Permission::ManageFederation])?;
    Ok(Json(admin_domain_block(&find(&s, &t, &id).await?)))
}

async fn create(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<AdminDomainBlock>> {
    let m = a.staff("admin:write:domain_blocks")?;
    m.require(&[Permission::ManageFederation])?;
    let domain = p
        .str("domain")
        .filter(|d| !d.trim().is_empty())
        .ok_or(ApiError(AppError::Invalid("Validation failed: Domain can't be blank".into())))?;
    let row = herd_app::federation_policy::create(&s.app, &m.actor(), &t, &domain, params(&p, None)?).await?;
    Ok(Json(admin_domain_block(&row)))
}

async fn update(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<AdminDomainBlock>> {
    let m = a.staff("admin:write:domain_blocks")?;
    m.require(&[Permission::ManageFederation])?;
    let old = find(&s, &t, &id).await?;
    let row = herd_app::federation_policy::update(&s.app, &m.actor(), &t, old.id, params(&p, Some(&old))?).await?;
    Ok(Json(admin_domain_block(&row)))
}

async fn remove(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:domain_blocks")?;
    m.require(&[Permission::ManageFederation])?;
    herd_app::federation_policy::remove(&s.app, &m.actor(), &t, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

async fn allows(S(s): S<State>, Ctx(t): Ctx, a: Auth) -> ApiResult<Json<Vec<Value>>> {
    let m = a.staff("admin:read:domain_allows")?;
    m.require(&[Permission::ManageFederation])?;
    let mut c = s.app.db.conn().await?;
    let rows = federation_policy::all_allows(&mut c, t.id).await?;
    Ok(Json(rows.iter().map(admin_domain_allow).collect()))
}

async fn show_allow(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:read:domain_allows")?;
    m.require(&[Permission::ManageFederation])?;
    let mut c = s.app.db.conn().await?;
    let row = federation_policy::allowed(&mut c, t.id, path_id(&id)?)
        .await?
        .ok_or(ApiError(AppError::NotFound("Record not found")))?;
    Ok(Json(admin_domain_allow(&row)))
}

async fn allow(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:domain_allows")?;
    m.require(&[Permission::ManageFederation])?;
    let domain = p
        .str("domain")
        .filter(|d| !d.trim().is_empty())
        .ok_or(ApiError(AppError::Invalid("Validation failed: Domain can't be blank".into())))?;
    let row = herd_app::federation_policy::allow(&s.app, &m.actor(), &t, &domain).await?;
    Ok(Json(admin_domain_allow(&row)))
}

async fn disallow(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:domain_allows")?;
    m.require(&[Permission::ManageFederation])?;
    herd_app::federation_policy::disallow(&s.app, &m.actor(), &t, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

/// The servers this instance limits or suspends, as Mastodon shows them to everyone.
async fn public_list(S(s): S<State>, Ctx(t): Ctx) -> ApiResult<Json<Vec<Value>>> {
    let mut c = s.app.db.conn().await?;
    let mut rows: Vec<DomainBlockRow> = federation_policy::all_blocks(&mut c, t.id)
        .await?
        .into_iter()
        .filter(|b| b.severity != "noop")
        .collect();
    rows.sort_by(|a, b| (a.severity != "silence", &a.domain).cmp(&(b.severity != "silence", &b.domain)));
    Ok(Json(rows.iter().map(public_domain_block).collect()))
}
