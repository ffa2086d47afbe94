//! The one place where errors become HTTP responses: Mastodon's `{"error": "..."}` bodies.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use herd_app::AppError;

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<herd_store::StoreError> for ApiError {
    fn from(e: herd_store::StoreError) -> Self {
        ApiError(e.into())
    }
}

impl From<herd_core::ParseError> for ApiError {
    fn from(e: herd_core::ParseError) -> Self {
        ApiError(e.into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let AppError::Fields(errors) = &self.0 {
            let mut details = serde_json::Map::new();
            for e in errors {
                if let serde_json::Value::Array(list) = details.entry(e.field).or_insert_with(|| serde_json::json!([])) {
                    list.push(serde_json::json!({"error": e.code, "description": e.description}));
                }
            }
            let body = serde_json::json!({"error": self.0.to_string(), "details": details});
            return (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
        }
        let (status, msg) = match &self.0 {
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, m.to_string()),
            AppError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m.clone()),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, m.clone()),
            AppError::Invalid(m) => (StatusCode::UNPROCESSABLE_ENTITY, m.clone()),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            AppError::Conflict(m) => (StatusCode::CONFLICT, m.clone()),
            AppError::Unsupported(m) => (StatusCode::BAD_REQUEST, m.clone()),
            AppError::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, m.clone()),
            AppError::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "Too many requests".to_string()),
            AppError::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, m.clone()),
            AppError::Fields(_) => (StatusCode::UNPROCESSABLE_ENTITY, self.0.to_string()),
            AppError::Store(e) => {
                tracing::error!(error = %e, "storage error");
                (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error".to_string())
            }
            AppError::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error".to_string())
            }
        };
        (status, Json(serde_json::json!({ "error": msg }))).into_response()
    }
}

/// OAuth endpoints answer with RFC 6749 error codes beside the description.
pub fn oauth_error(e: AppError) -> Response {
    let (status, code) = match &e {
        AppError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "invalid_client"),
        AppError::BadRequest(m) if m.contains("scope") => (StatusCode::BAD_REQUEST, "invalid_scope"),
        AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "invalid_grant"),
        AppError::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
        AppError::Unsupported(_) => (StatusCode::BAD_REQUEST, "unsupported_grant_type"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "unauthorized_client"),
        AppError::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "slow_down"),
        _ => return ApiError(e).into_response(),
    };
    (status, Json(serde_json::json!({"error": code, "error_description": e.to_string()}))).into_response()
}
