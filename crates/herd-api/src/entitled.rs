//! What an instance's hosting booking allows, before any route runs (the decision itself is
//! `herd_app::entitlements`): a read-only instance answers reads and refuses writes with
//! 403, except signing in, moderation, reports and notices, the organization console (its
//! admins still keep the instance: staff, rules, texts, announcements) and a member's settings, and federation's inboxes (so remote deletions and unfollows still
//! arrive). A suspended instance answers its members' authenticated reads (so they can
//! export), sign-in and the organization console, and 503 to everyone else.

use axum::extract::{FromRequestParts, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use herd_app::AppError;
use herd_app::entitlements::{self, Hosting};

use crate::State;
use crate::error::ApiError;
use crate::extract::{Auth, Ctx};

/// Writes a read-only instance still takes.
fn write_allowed(path: &str) -> bool {
    const EXACT: &[&str] = &[
        "/oauth/token",
        "/oauth/revoke",
        "/oauth/authorize",
        "/api/v1/apps",
        "/inbox",
        "/api/v1/markers",
        "/about/notice",
    ];
    const UNDER: &[&str] = &[
        "/api/v1/admin/",
        "/api/v2/admin/",
        "/api/v1/reports",
        "/api/v1/herd/strikes",
        "/admin/",
        "/auth/",
        "/settings/",
    ];
    EXACT.contains(&path) || UNDER.iter().any(|p| path.starts_with(p)) || (path.starts_with("/users/") && path.ends_with("/inbox"))
}

/// What a suspended instance still answers without a signed-in member (the organization
/// console and the sign-in pages ask for a session themselves).
fn open_when_suspended(path: &str) -> bool {
    path.starts_with("/oauth/")
        || path == "/admin"
        || path.starts_with("/admin/")
        || path.starts_with("/auth/")
        || path.starts_with("/settings/")
        || path.starts_with("/assets/")
        || matches!(
            path,
            "/api/v1/apps" | "/api/v1/instance" | "/api/v2/instance" | "/.well-known/oauth-authorization-server"
        )
}

fn safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

pub async fn enforce(axum::extract::State(state): axum::extract::State<State>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let Ok(Ctx(tenant)) = Ctx::from_request_parts(&mut parts, &state).await else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let grant = match entitlements::of(&state.app, tenant.id).await {
        Ok(g) => g,
        Err(e) => return ApiError(e).into_response(),
    };
    let path = parts.uri.path().to_string();
    let refused = match grant.hosting {
        Hosting::Active => None,
        Hosting::ReadOnly { .. } if safe(&parts.method) || write_allowed(&path) => None,
        Hosting::ReadOnly { .. } => Some(AppError::Forbidden(entitlements::read_only_message().into())),
        Hosting::Suspended { .. } => {
            let member = matches!(Auth::from_request_parts(&mut parts, &state).await, Ok(Auth(Some(v))) if v.account_id.is_some());
            if open_when_suspended(&path) || (member && (safe(&parts.method) || write_allowed(&path) && !path.contains("inbox"))) {
                None
            } else if member {
                Some(AppError::Forbidden(entitlements::suspended_message().into()))
            } else {
                Some(AppError::Unavailable(entitlements::suspended_message().into()))
            }
        }
    };
    let html = !path.starts_with("/api/")
        && parts
            .headers
            .get(axum::http::header::ACCEPT)
            .and_then(|a| a.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
    match refused {
        None => next.run(Request::from_parts(parts, body)).await,
        Some(e) if html => page(&tenant.row.title, e),
        Some(e) => ApiError(e).into_response(),
    }
}

/// A refusal as a web page, for a browser asking for one (the public pages).
fn page(title: &str, e: AppError) -> Response {
    use axum::http::StatusCode;
    let status = match e {
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    let esc = herd_core::content::escape;
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
<body><main><h1>{}</h1><p>{}</p></main></body></html>",
        esc(title),
        esc(title),
        esc(&e.to_string())
    );
    (
        status,
        [
            (axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (axum::http::header::CONTENT_SECURITY_POLICY, "default-src 'none'"),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
