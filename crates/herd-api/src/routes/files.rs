//! Serving stored media files and the placeholder avatar and header. A file is served only
//! under the host of the instance it belongs to.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::{Path, State as S};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use herd_app::AppError;

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

fn mime(key: &str) -> &'static str {
    match key.rsplit('.').next().unwrap_or("") {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        _ => "application/octet-stream",
    }
}

async fn file(S(s): S<State>, Ctx(t): Ctx, Path(key): Path<String>) -> ApiResult<Response> {
    // Originals are kept for reprocessing, never served: they may carry metadata.
    if key.contains("/original.") {
        return Err(ApiError(AppError::NotFound("Not found")));
    }
    let bytes = s
        .app
        .files
        .get(t.id, &key)
        .await
        .map_err(|_| ApiError(AppError::NotFound("Not found")))?;
    Ok((
        [
            (CONTENT_TYPE, mime(&key)),
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        bytes,
    )
        .into_response())
}
