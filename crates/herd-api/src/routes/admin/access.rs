//! `/api/v1/admin/email_domain_blocks`, `/api/v1/admin/canonical_email_blocks` (with
//! `test`) and `/api/v1/admin/ip_blocks`: who may sign up or reach the instance.

use axum::extract::{OriginalUri, Path, State as S};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use herd_app::AppError;
use herd_app::access::IpBlockParams;
use herd_core::{Permission, Timestamp};
use herd_store::access_blocks;
use serde_json::{Value, json};

use crate::State;
use crate::entities::admin::{canonical_email_block, email_domain_block, ip_block};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};
use crate::paging;
use crate::routes::accounts::path_id;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/admin/email_domain_blocks", get(email_domains).post(add_email_domain))
        .route(
            "/api/v1/admin/email_domain_blocks/{id}",
            get(email_domain).delete(remove_email_domain),
        )
        .route("/api/v1/admin/canonical_email_blocks", get(canonicals).post(add_canonical))
        .route("/api/v1/admin/canonical_email_blocks/test", post(test_canonical))
        .route("/api/v1/admin/canonical_email_blocks/{id}", get(canonical).delete(remove_canonical))
        .route("/api/v1/admin/ip_blocks", get(ips).post(add_ip))
        .route("/api/v1/admin/ip_blocks/{id}", get(ip).put(change_ip).delete(remove_ip))
}

fn not_found() -> ApiError {
    ApiError(AppError::NotFound("Record not found"))
}

fn today() -> i64 {
    Timestamp::now().0.div_euclid(86_400_000)
}

async fn email_domains(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Value>>)> {
    a.staff("admin:read:email_domain_blocks")?.require(&[Permission::ManageBlocks])?;
    let page = paging::page(&p, 100, 200)?;
    let mut c = s.app.db.conn().await?;
    let rows = access_blocks::email_domains(&mut c, t.id, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|b| b.id).collect();
    let history = access_blocks::email_domain_history(&mut c, t.id, &ids, today() - 6).await?;
    let out = rows.iter().map(|b| email_domain_block(b, &history, today())).collect();
    Ok((paging::link(&t, &uri, &ids), Json(out)))
}

async fn email_domain(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    a.staff("admin:read:email_domain_blocks")?.require(&[Permission::ManageBlocks])?;
    let mut c = s.app.db.conn().await?;
    let b = access_blocks::email_domain(&mut c, t.id, path_id(&id)?)
        .await?
        .ok_or_else(not_found)?;
    let h = access_blocks::email_domain_history(&mut c, t.id, &[b.id], today() - 6).await?;
    Ok(Json(email_domain_block(&b, &h, today())))
}

async fn add_email_domain(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:email_domain_blocks")?;
    let domain = p
        .str("domain")
        .filter(|d| !d.trim().is_empty())
        .ok_or(ApiError(AppError::Invalid("Validation failed: Domain can't be blank".into())))?;
    let approval = p.bool("allow_with_approval")?.unwrap_or(false);
    let b = herd_app::access::block_email_domain(&s.app, &m, &t, &domain, approval).await?;
    Ok(Json(email_domain_block(&b, &[], today())))
}

async fn remove_email_domain(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:email_domain_blocks")?;
    herd_app::access::unblock_email_domain(&s.app, &m, &t, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

async fn canonicals(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Value>>)> {
    a.staff("admin:read:canonical_email_blocks")?.require(&[Permission::ManageBlocks])?;
    let page = paging::page(&p, 100, 200)?;
    let mut c = s.app.db.conn().await?;
    let rows = access_blocks::canonicals(&mut c, t.id, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|b| b.id).collect();
    Ok((paging::link(&t, &uri, &ids), Json(rows.iter().map(canonical_email_block).collect())))
}

async fn canonical(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    a.staff("admin:read:canonical_email_blocks")?.require(&[Permission::ManageBlocks])?;
    let mut c = s.app.db.conn().await?;
    let b = access_blocks::canonical(&mut c, t.id, path_id(&id)?).await?.ok_or_else(not_found)?;
    Ok(Json(canonical_email_block(&b)))
}

/// The blocks an address would meet.
async fn test_canonical(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Vec<Value>>> {
    a.staff("admin:read:canonical_email_blocks")?.require(&[Permission::ManageBlocks])?;
    let email = p
        .str("email")
        .filter(|e| !e.trim().is_empty())
        .ok_or(ApiError(AppError::BadRequest(
            "param is missing or the value is empty: email".into(),
        )))?;
    let mut c = s.app.db.conn().await?;
    let rows = access_blocks::canonical_by_hash(&mut c, t.id, &herd_app::access::canonical_email_hash(&email)).await?;
    Ok(Json(rows.iter().map(canonical_email_block).collect()))
}

async fn add_canonical(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:canonical_email_blocks")?;
    let b = herd_app::access::block_canonical(&s.app, &m, &t, p.str("email").as_deref(), p.str("canonical_email_hash").as_deref()).await?;
    Ok(Json(canonical_email_block(&b)))
}

async fn remove_canonical(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:canonical_email_blocks")?;
    herd_app::access::unblock_canonical(&s.app, &m, &t, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

fn ip_params(p: &Params) -> ApiResult<IpBlockParams> {
    Ok(IpBlockParams {
        ip: p.str("ip"),
        severity: p.str("severity"),
        comment: p.str("comment"),
        expires_in: match p.get("expires_in") {
            None => None,
            Some(_) => Some(p.int("expires_in")?),
        },
    })
}

async fn ips(S(s): S<State>, Ctx(t): Ctx, a: Auth, OriginalUri(uri): OriginalUri, p: Params) -> ApiResult<(HeaderMap, Json<Vec<Value>>)> {
    a.staff("admin:read:ip_blocks")?.require(&[Permission::ManageBlocks])?;
    let page = paging::page(&p, 100, 200)?;
    let mut c = s.app.db.conn().await?;
    let rows = access_blocks::ips(&mut c, t.id, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|b| b.id).collect();
    Ok((paging::link(&t, &uri, &ids), Json(rows.iter().map(ip_block).collect())))
}

async fn ip(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    a.staff("admin:read:ip_blocks")?.require(&[Permission::ManageBlocks])?;
    let mut c = s.app.db.conn().await?;
    let b = access_blocks::ip(&mut c, t.id, path_id(&id)?).await?.ok_or_else(not_found)?;
    Ok(Json(ip_block(&b)))
}

async fn add_ip(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:ip_blocks")?;
    let b = herd_app::access::block_ip(&s.app, &m, &t, ip_params(&p)?).await?;
    Ok(Json(ip_block(&b)))
}

async fn change_ip(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:ip_blocks")?;
    let b = herd_app::access::update_ip(&s.app, &m, &t, path_id(&id)?, ip_params(&p)?).await?;
    Ok(Json(ip_block(&b)))
}

async fn remove_ip(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:ip_blocks")?;
    herd_app::access::unblock_ip(&s.app, &m, &t, path_id(&id)?).await?;
    Ok(Json(json!({})))
}
