//! `GET /api/v1/admin/audit_log` (Herd's; Mastodon has none, #23403): every privileged
//! action on the instance, newest first, for staff who may view it.

use axum::extract::{OriginalUri, State as S};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use herd_core::Permission;
use herd_store::audit::AuditFilter;
use serde_json::Value;

use crate::State;
use crate::entities::admin::audit_entry;
use crate::error::ApiResult;
use crate::extract::{Auth, Ctx, Params};
use crate::paging;

pub fn routes() -> Router<State> {
    Router::new().route("/api/v1/admin/audit_log", get(list))
}

async fn list(S(s): S<State>, Ctx(t): Ctx, a: Auth, OriginalUri(uri): OriginalUri, p: Params) -> ApiResult<(HeaderMap, Json<Vec<Value>>)> {
    let m = a.staff("admin:read")?;
    m.require(&[Permission::ViewAuditLog])?;
    let f = AuditFilter {
        actor: p.id("account_id")?.map(|id| format!("account:{id}")),
        action: p.str("action").filter(|v| !v.is_empty()),
        target: p.str("target").filter(|v| !v.is_empty()),
    };
    let page = paging::page(&p, 100, 200)?;
    let mut c = s.app.db.conn().await?;
    let rows = herd_store::audit::list(&mut c, t.id, &f, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    Ok((paging::link(&t, &uri, &ids), Json(rows.iter().map(audit_entry).collect())))
}
