//! Herd's DSA routes: `GET /api/v1/admin/transparency` (the report of a period, JSON or
//! `format=csv`), `GET /api/v1/admin/statements_of_reasons` (JSON lines in the fields of the
//! EU transparency database) and the public `GET /api/v1/instance/transparency`.

use axum::extract::State as S;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use herd_core::Permission;

use crate::State;
use crate::error::ApiResult;
use crate::extract::{Auth, Ctx, Params};

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/admin/transparency", get(report))
        .route("/api/v1/admin/statements_of_reasons", get(statements))
        .route("/api/v1/instance/transparency", get(public))
}

fn period(p: &Params) -> ApiResult<(i64, i64)> {
    Ok(herd_app::dsa::period(p.str("from").as_deref(), p.str("to").as_deref())?)
}

async fn render(s: &State, t: &herd_app::Tenant, p: &Params) -> ApiResult<Response> {
    let (from, to) = period(p)?;
    let r = herd_app::dsa::transparency(&s.app, t, from, to).await?;
    Ok(match p.str("format").as_deref() {
        Some("csv") => ([(CONTENT_TYPE, "text/csv; charset=utf-8")], r.to_csv()).into_response(),
        _ => Json(r).into_response(),
    })
}

async fn report(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Response> {
    a.staff("admin:read")?.require(&[Permission::ViewAuditLog])?;
    render(&s, &t, &p).await
}

/// The transparency report is public, as the DSA asks.
async fn public(S(s): S<State>, Ctx(t): Ctx, p: Params) -> ApiResult<Response> {
    render(&s, &t, &p).await
}

async fn statements(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Response> {
    a.staff("admin:read")?.require(&[Permission::ViewAuditLog])?;
    let (from, to) = period(&p)?;
    let body = herd_app::dsa::statements_jsonl(&s.app, &t, from, to).await?;
    Ok(([(CONTENT_TYPE, "application/x-ndjson")], body).into_response())
}
