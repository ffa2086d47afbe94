//! Addresses an instance's staff gave the `no_access` IP block reach nothing of that
//! instance (as Mastodon's Rack::Attack blocklist): 403 before any route runs. Other
//! instances on the same server are not affected.

use axum::extract::{FromRequestParts, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use herd_app::AppError;
use herd_core::Timestamp;

use crate::State;
use crate::error::ApiError;
use crate::extract::Ctx;

pub async fn refuse_blocked(axum::extract::State(state): axum::extract::State<State>, req: Request, next: Next) -> Response {
    let Some(ip) = crate::extract::client_ip(req.headers(), req.extensions(), state.options.trust_forwarded_for) else {
        return next.run(req).await;
    };
    let (mut parts, body) = req.into_parts();
    let Ok(Ctx(tenant)) = Ctx::from_request_parts(&mut parts, &state).await else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    match herd_app::federation_policy::policy(&state.app, tenant.id).await {
        Ok(p) if p.ip_severity(ip, Timestamp::now().0) == Some("no_access") => {
            ApiError(AppError::Forbidden("Your address is blocked by this instance".into())).into_response()
        }
        _ => next.run(Request::from_parts(parts, body)).await,
    }
}
