//! A member's own strikes and their appeals (Herd's: Mastodon shows them on its web pages
//! under `/disputes`), and the staff side: `/api/v1/admin/appeals` to decide them.

use axum::extract::{Path, State as S};
use axum::routing::{get, post};
use axum::{Json, Router};
use herd_core::Permission;
use serde_json::{Value, json};

use crate::State;
use crate::entities::admin::account_warning;
use crate::entities::time;
use crate::error::ApiResult;
use crate::extract::{Auth, Ctx, Params};
use crate::paging;
use crate::routes::accounts::path_id;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/herd/strikes", get(mine))
        .route("/api/v1/herd/strikes/{id}/appeal", post(appeal))
        .route("/api/v1/admin/appeals", get(appeals))
        .route("/api/v1/admin/appeals/{id}/approve", post(approve))
        .route("/api/v1/admin/appeals/{id}/reject", post(reject))
}

async fn mine(S(s): S<State>, Ctx(t): Ctx, a: Auth) -> ApiResult<Json<Vec<Value>>> {
    let (_, me) = a.user("read:accounts")?;
    let mut c = s.app.db.conn().await?;
    let strikes = herd_store::moderation::strikes_of(&mut c, t.id, me).await?;
    let appeals = herd_store::moderation::appeals_of_strikes(&mut c, t.id, &strikes.iter().map(|s| s.id).collect::<Vec<_>>()).await?;
    let account = herd_store::accounts::by_id(&mut c, t.id, me).await?;
    let statements = herd_store::dsa::statements_of(&mut c, t.id, me).await?;
    let mut out = Vec::with_capacity(strikes.len());
    for s in &strikes {
        let mut w = account_warning(&t, s, appeals.iter().find(|a| a.strike_id == s.id), &account);
        // The statement of reasons (DSA Art. 17) for every restriction; an appeal is open
        // until `appeal_deadline`.
        if s.action != "none"
            && let Some(row) = statements.iter().find(|r| r.id == s.id)
        {
            w["statement_of_reasons"] = herd_app::dsa::statement_of_reasons(&t, row);
        }
        w["appeal_deadline"] = json!(time(s.created_at + herd_app::moderation::APPEAL_WINDOW_MS));
        out.push(w);
    }
    Ok(Json(out))
}

fn appeal_entity(a: &herd_store::moderation::AppealRow) -> Value {
    json!({
        "id": a.id.to_string(),
        "strike_id": a.strike_id.to_string(),
        "account_id": a.account_id.to_string(),
        "text": a.text,
        "state": if a.approved_at.is_some() { "approved" } else if a.rejected_at.is_some() { "rejected" } else { "pending" },
        "created_at": time(a.created_at),
    })
}

async fn appeal(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:accounts")?;
    let row = herd_app::moderation::appeal(&s.app, &t, me, path_id(&id)?, &p.str("text").unwrap_or_default()).await?;
    Ok(Json(appeal_entity(&row)))
}

async fn appeals(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Vec<Value>>> {
    let m = a.staff("admin:read:accounts")?;
    m.require(&[Permission::ManageAppeals])?;
    let page = paging::page(&p, 100, 200)?;
    let mut c = s.app.db.conn().await?;
    let rows = herd_store::moderation::appeals(&mut c, t.id, !p.flag("all")?, &page).await?;
    Ok(Json(rows.iter().map(appeal_entity).collect()))
}

async fn decide(s: State, t: std::sync::Arc<herd_app::Tenant>, a: Auth, id: String, approve: bool) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:accounts")?;
    let id = path_id(&id)?;
    herd_app::moderation::decide(&s.app, &m, &t, id, approve).await?;
    let mut c = s.app.db.conn().await?;
    let row = herd_store::moderation::appeal(&mut c, t.id, id)
        .await?
        .ok_or(crate::error::ApiError(herd_app::AppError::NotFound("Record not found")))?;
    Ok(Json(appeal_entity(&row)))
}

async fn approve(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    decide(s, t, a, id, true).await
}

async fn reject(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    decide(s, t, a, id, false).await
}
