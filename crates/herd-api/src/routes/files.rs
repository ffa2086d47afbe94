//! Serving stored media files and the placeholder avatar and header. A file is served only
//! under the host of the instance it belongs to.

use std::sync::LazyLock;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State as S};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use herd_app::AppError;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::State;
use crate::error::{ApiError, ApiResult};
use crate::extract::Ctx;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/system/{*key}", get(file))
        .route("/avatars/original/missing.png", get(|| async { png(&AVATAR) }))
        .route("/headers/original/missing.png", get(|| async { png(&HEADER) }))
}

fn solid_png(w: u32, h: u32, rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb(rgb));
    let mut out = std::io::Cursor::new(Vec::new());
    match image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png) {
        Ok(()) => out.into_inner(),
        Err(_) => Vec::new(),
    }
}

static AVATAR: LazyLock<Vec<u8>> = LazyLock::new(|| solid_png(120, 120, [0x9b, 0xa3, 0xaf]));
static HEADER: LazyLock<Vec<u8>> = LazyLock::new(|| solid_png(600, 200, [0x4b, 0x55, 0x63]));

fn png(bytes: &[u8]) -> Response {
    (
        [(CONTENT_TYPE, "image/png"), (CACHE_CONTROL, "public, max-age=86400")],
        bytes.to_vec(),
    )
        .into_response()
}

/// A stored file, with range requests (video players need them), `HEAD` and conditional
/// requests; its type follows its key's extension, which Herd chose from the file's bytes.
async fn file(S(s): S<State>, Ctx(t): Ctx, Path(key): Path<String>, req: Request) -> ApiResult<Response> {
    // Originals are kept for reprocessing, never served: they may carry metadata.
    let not_found = || ApiError(AppError::NotFound("Not found"));
    if key.contains("/original") || key.contains(".tmp") {
        return Err(not_found());
    }
    let path = s.app.files.local_path(t.id, &key).map_err(|_| not_found())?;
    let served = ServeFile::new(path)
        .oneshot(req)
        .await
        .map_err(|e| ApiError(AppError::Internal(e.to_string())))?;
    if served.status() == StatusCode::NOT_FOUND {
        return Err(not_found());
    }
    let mut res = served.map(Body::new);
    let h = res.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(res)
}
