//! `/api/v1/admin/accounts` and `/api/v2/admin/accounts`: the instance's accounts as staff
//! see them, and the actions on them.

use axum::extract::{OriginalUri, Path, State as S};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use herd_app::AppError;
use herd_app::moderation::{ActionParams, Lift};
use herd_core::{AccountAction, Permission, Role};
use herd_store::moderation::AccountFilter;
use serde_json::{Value, json};

use crate::State;
use crate::entities::admin::{AdminAccount, admin_account};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};
use crate::paging;
use crate::routes::accounts::path_id;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/admin/accounts", get(list_v1))
        .route("/api/v2/admin/accounts", get(list_v2))
        .route("/api/v1/admin/accounts/{id}", get(show).delete(destroy))
        .route("/api/v1/admin/accounts/{id}/action", post(action))
        .route("/api/v1/admin/accounts/{id}/approve", post(approve))
        .route("/api/v1/admin/accounts/{id}/reject", post(reject))
        .route("/api/v1/admin/accounts/{id}/enable", post(enable))
        .route("/api/v1/admin/accounts/{id}/unsilence", post(unsilence))
        .route("/api/v1/admin/accounts/{id}/unsuspend", post(unsuspend))
        .route("/api/v1/admin/accounts/{id}/unsensitive", post(unsensitive))
        .route("/api/v1/admin/accounts/{id}/notes", get(notes).post(add_note))
}

fn staff_roles() -> Vec<String> {
    Role::ALL
        .iter()
        .filter(|r| r.can(Permission::ManageReports))
        .map(|r| r.as_str().to_string())
        .collect()
}

fn text_filters(p: &Params, f: &mut AccountFilter) {
    let s = |k: &str| p.str(k).filter(|v| !v.is_empty());
    f.by_domain = s("by_domain");
    f.username = s("username");
    f.display_name = s("display_name");
    f.email = s("email");
    f.ip = s("ip");
}

/// v1: local and active unless asked otherwise, with one flag per status.
async fn list_v1(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<AdminAccount>>)> {
    let mut f = AccountFilter {
        local: Some(true),
        status: Some("active".into()),
        ..AccountFilter::default()
    };
    if p.flag("remote")? {
        f.local = Some(false);
    }
    for st in ["active", "pending", "disabled", "sensitized", "silenced", "suspended"] {
        if p.flag(st)? {
            f.status = Some(st.into());
        }
    }
    if p.flag("staff")? {
        f.roles = staff_roles();
    }
    text_filters(&p, &mut f);
    list(s, t, a, uri, p, f).await
}

/// v2: `origin`, `status`, `permissions=staff`, `role_ids[]`; no filter by default.
async fn list_v2(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<AdminAccount>>)> {
    let mut f = AccountFilter::default();
    match p.str("origin").as_deref() {
        Some("local") => f.local = Some(true),
        Some("remote") => f.local = Some(false),
        Some("") | None => {}
        Some(o) => {
            return Err(ApiError(AppError::Invalid(format!(
                "Validation failed: origin {o:?} is not local or remote"
            ))));
        }
    }
    match p.str("status").as_deref() {
        Some(st @ ("active" | "pending" | "disabled" | "silenced" | "suspended" | "sensitized")) => f.status = Some(st.into()),
        Some("") | None => {}
        Some(st) => {
            return Err(ApiError(AppError::Invalid(format!(
                "Validation failed: status {st:?} is not known"
            ))));
        }
    }
    if p.str("permissions").as_deref() == Some("staff") {
        f.roles = staff_roles();
    }
    let role_ids = p.list("role_ids");
    if !role_ids.is_empty() {
        let by_id = |id: &str| match id {
            "1" => Some(Role::Moderator),
            "2" => Some(Role::Admin),
            "3" => Some(Role::Owner),
            "-99" => Some(Role::Member),
            _ => None,
        };
        f.roles = role_ids.iter().filter_map(|r| by_id(r)).map(|r| r.as_str().to_string()).collect();
        if f.roles.is_empty() {
            f.roles = vec!["-".into()];
        }
    }
    text_filters(&p, &mut f);
    list(s, t, a, uri, p, f).await
}

async fn list(
    s: State,
    t: std::sync::Arc<herd_app::Tenant>,
    a: Auth,
    uri: axum::http::Uri,
    p: Params,
    f: AccountFilter,
) -> ApiResult<(HeaderMap, Json<Vec<AdminAccount>>)> {
    let m = a.staff("admin:read:accounts")?;
    m.require(&[Permission::ManageUsers])?;
    let page = paging::page(&p, 100, 200)?;
    let mut c = herd_app::LazyConn::new(&s.app.db);
    let rows = herd_store::moderation::accounts(c.get().await?, t.id, &f, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    let local: Vec<i64> = rows.iter().filter(|a| a.domain.is_empty()).map(|a| a.id).collect();
    let users = herd_app::moderation::queue::users(&s.app, &mut c, t.id, &local).await?;
    Ok((
        paging::link(&t, &uri, &ids),
        Json(
            rows.iter()
                .map(|a| admin_account(&t, a, users.get(&a.id).map(|u| u.as_ref())))
                .collect(),
        ),
    ))
}

async fn one(s: &State, t: &herd_app::Tenant, id: i64) -> ApiResult<AdminAccount> {
    let mut c = herd_app::LazyConn::new(&s.app.db);
    let rows = herd_app::moderation::queue::with_users(&s.app, &mut c, t.id, &[id]).await?;
    let (a, u) = rows.first().ok_or(ApiError(AppError::NotFound("Record not found")))?;
    Ok(admin_account(t, a, u.as_deref()))
}

async fn show(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<AdminAccount>> {
    let m = a.staff("admin:read:accounts")?;
    m.require(&[Permission::ManageUsers])?;
    Ok(Json(one(&s, &t, path_id(&id)?).await?))
}

async fn action(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:accounts")?;
    let kind = AccountAction::parse(&p.str("type").unwrap_or_default())
        .map_err(|e| ApiError(AppError::Invalid(format!("Validation failed: {e}"))))?;
    let params = ActionParams {
        kind,
        report_id: p.id("report_id")?,
        text: p.str("text").unwrap_or_default(),
        notify: p.bool("send_email_notification")?.unwrap_or(true),
    };
    herd_app::moderation::act(&s.app, &m, &t, path_id(&id)?, params).await?;
    Ok(Json(json!({})))
}

async fn lift(s: State, t: std::sync::Arc<herd_app::Tenant>, a: Auth, id: String, what: Lift) -> ApiResult<Json<AdminAccount>> {
    let m = a.staff("admin:write:accounts")?;
    let id = path_id(&id)?;
    herd_app::moderation::lift(&s.app, &m, &t, id, what).await?;
    Ok(Json(one(&s, &t, id).await?))
}

async fn enable(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<AdminAccount>> {
    lift(s, t, a, id, Lift::Enable).await
}

async fn unsilence(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<AdminAccount>> {
    lift(s, t, a, id, Lift::Unsilence).await
}

async fn unsuspend(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<AdminAccount>> {
    lift(s, t, a, id, Lift::Unsuspend).await
}

async fn unsensitive(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<AdminAccount>> {
    lift(s, t, a, id, Lift::Unsensitive).await
}

async fn approve(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<AdminAccount>> {
    let m = a.staff("admin:write:accounts")?;
    m.require(&[Permission::ManageUsers])?;
    let id = path_id(&id)?;
    herd_app::accounts::approve(&s.app, &m.actor(), &t, id).await?;
    Ok(Json(one(&s, &t, id).await?))
}

async fn reject(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:accounts")?;
    m.require(&[Permission::ManageUsers])?;
    herd_app::accounts::reject(&s.app, &m.actor(), &t, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

/// Deletes a suspended account's data now instead of after 30 days (Mastodon allows it only
/// for suspended accounts, to those who may delete user data).
async fn destroy(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:accounts")?;
    m.require(&[Permission::DeleteUserData])?;
    herd_app::moderation::purge_now(&s.app, &m, &t, path_id(&id)?).await?;
    Ok(Json(json!({})))
}

async fn notes(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Vec<Value>>> {
    let m = a.staff("admin:read:accounts")?;
    m.require(&[Permission::ManageUsers, Permission::ManageReports])?;
    let mut c = s.app.db.conn().await?;
    let list = herd_store::moderation::notes(&mut c, t.id, herd_store::moderation::Subject::Account(path_id(&id)?)).await?;
    Ok(Json(list.iter().map(crate::entities::admin::moderation_note).collect()))
}

async fn add_note(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<Value>> {
    let m = a.staff("admin:write:accounts")?;
    let on = herd_store::moderation::Subject::Account(path_id(&id)?);
    let n = herd_app::moderation::add_note(&s.app, &m, &t, on, &p.str("content").unwrap_or_default()).await?;
    Ok(Json(crate::entities::admin::moderation_note(&n)))
}
