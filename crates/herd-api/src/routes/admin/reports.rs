//! `/api/v1/admin/reports`: the instance's report queue, and Herd's notes on reports.

use axum::extract::{OriginalUri, Path, State as S};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use herd_app::AppError;
use herd_core::{Permission, ReportCategory};
use herd_store::moderation::Subject;
use herd_store::reports::{ReportFilter, ReportRow};
use serde_json::Value;

use crate::State;
use crate::entities::admin::{AdminReport, ReportParts, admin_report, moderation_note};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};
use crate::paging;
use crate::routes::accounts::path_id;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/admin/reports", get(list))
        .route("/api/v1/admin/reports/{id}", get(show).put(update))
        .route("/api/v1/admin/reports/{id}/assign_to_self", post(assign_to_self))
        .route("/api/v1/admin/reports/{id}/unassign", post(unassign))
        .route("/api/v1/admin/reports/{id}/resolve", post(resolve))
        .route("/api/v1/admin/reports/{id}/reopen", post(reopen))
        .route("/api/v1/admin/reports/{id}/notes", get(notes).post(add_note))
}

/// Renders reports with their accounts, posts and rules, loaded once for the whole page
/// (accounts, users and rules through the node's caches).
async fn render(s: &State, t: &herd_app::Tenant, rows: &[ReportRow]) -> ApiResult<Vec<AdminReport>> {
    let mut c = herd_app::LazyConn::new(&s.app.db);
    let mut ids: Vec<i64> = Vec::new();
    let mut status_ids: Vec<i64> = Vec::new();
    for r in rows {
        ids.extend(
            [
                Some(r.account_id),
                Some(r.target_account_id),
                r.assigned_account_id,
                r.action_taken_by_account_id,
            ]
            .into_iter()
            .flatten(),
        );
        status_ids.extend(serde_json::from_str::<Vec<i64>>(&r.status_ids).unwrap_or_default());
    }
    ids.sort_unstable();
    ids.dedup();
    let accounts: Vec<_> = herd_app::moderation::queue::with_users(&s.app, &mut c, t.id, &ids)
        .await?
        .into_iter()
        .map(|(a, u)| ((*a).clone(), u.map(|u| (*u).clone())))
        .collect();
    let statuses = if status_ids.is_empty() {
        Vec::new()
    } else {
        let conn = c.get().await?;
        let posts = herd_store::statuses::by_ids(conn, t.id, &status_ids).await?;
        herd_app::views::statuses_for_moderators(conn, t.id, posts).await?
    };
    let policy = herd_app::federation_policy::policy(&s.app, t.id).await?;
    let parts = ReportParts {
        accounts: &accounts,
        statuses: &statuses,
        rules: &policy.server_rules,
    };
    Ok(rows.iter().filter_map(|r| admin_report(t, r, &parts)).collect())
}

async fn list(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<AdminReport>>)> {
    let m = a.staff("admin:read:reports")?;
    m.require(&[Permission::ManageReports])?;
    let f = ReportFilter {
        resolved: p.flag("resolved")?,
        account_id: p.id("account_id")?,
        target_account_id: p.id("target_account_id")?,
        by_target_domain: p.str("by_target_domain").filter(|d| !d.is_empty()),
        assigned_account_id: p.id("assigned_account_id")?,
    };
    let page = paging::page(&p, 100, 200)?;
    let rows = herd_app::moderation::queue::report_page(&s.app, &mut herd_app::LazyConn::new(&s.app.db), t.id, &f, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    Ok((paging::link(&t, &uri, &ids), Json(render(&s, &t, &rows).await?)))
}

async fn one(s: &State, t: &herd_app::Tenant, id: i64) -> ApiResult<AdminReport> {
    let mut c = s.app.db.conn().await?;
    let row = herd_store::reports::by_id(&mut c, t.id, id)
        .await?
        .ok_or(ApiError(AppError::NotFound("Record not found")))?;
    drop(c);
    render(s, t, &[row])
        .await?
        .pop()
        .ok_or(ApiError(AppError::NotFound("Record not found")))
}

async fn show(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<AdminReport>> {
    let m = a.staff("admin:read:reports")?;
    m.require(&[Permission::ManageReports])?;
    Ok(Json(one(&s, &t, path_id(&id)?).await?))
}

async fn update(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<AdminReport>> {
    let m = a.staff("admin:write:reports")?;
    let id = path_id(&id)?;
    let category = match p.str("category").filter(|c| !c.is_empty()) {
        Some(c) => Some(ReportCategory::parse(&c).map_err(|e| ApiError(AppError::Invalid(format!("Validation failed: {e}"))))?),
        None => None,
    };
    let rules = if p.get("rule_ids").is_some() {
        Some(p.ids("rule_ids")?)
    } else {
        None
    };
    herd_app::moderation::categorize(&s.app, &m, &t, id, category, rules).await?;
    Ok(Json(one(&s, &t, id).await?))
}

async fn assign_to_self(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<AdminReport>> {
    let m = a.staff("admin:write:reports")?;
    let id = path_id(&id)?;
    herd_app::moderation::assign(&s.app, &m, &t, id, true).await?;
    Ok(Json(one(&s, &t, id).await?))
}

async fn unassign(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<AdminReport>> {
    let m = a.staff("admin:write:reports")?;
    let id = path_id(&id)?;
    herd_app::moderation::assign(&s.app, &m, &t, id, false).await?;
    Ok(Json(one(&s, &t, id).await?))
}

async fn resolve(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<AdminReport>> {
    let m = a.staff("admin:write:reports")?;
    let id = path_id(&id)?;
    herd_app::moderation::resolve(&s.app, &m, &t, id, true).await?;
    Ok(Json(one(&s, &t, id).await?))
}

async fn reopen(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<AdminReport>> {
    let m = a.staff("admin:write:reports")?;
    let id = path_id(&id)?;
    herd_app::moderation::resolve(&s.app, &m, &t, id, false).await?;
    Ok(Json(one(&s, &t, id).await?))
}

async fn notes(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<Value>>> {
    let m = a.staff("admin:read:reports")?;
    m.require(&[Permission::ManageReports])?;
    let mut c = s.app.db.conn().await?;
    let list = herd_store::moderation::notes(&mut c, t.id, Subject::Report(path_id(&id)?)).await?;
    Ok(Json(list.iter().map(moderation_note).collect()))
}

async fn add_note(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:reports")?;
    let n = herd_app::moderation::add_note(
        &s.app,
        &m,
        &t,
        Subject::Report(path_id(&id)?),
        &p.str("content").unwrap_or_default(),
    )
    .await?;
    Ok(Json(moderation_note(&n)))
}
