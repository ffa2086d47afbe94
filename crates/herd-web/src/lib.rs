//! Public web pages for visitors without an account, server-rendered with no JavaScript:
//! the instance's about page, privacy policy and legal notice, profiles, posts with their
//! threads, hashtag pages, and RSS feeds of profiles and hashtags.
//!
//! **`herd-web` writes no SQL and shows nothing a visitor could not read through the API:**
//! it reads through `herd-app`'s views as an anonymous viewer (public and unlisted posts,
//! never followers-only or direct ones).

mod model;
mod pages;

use askama::Template;
use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use herd_api::State;
use herd_app::AppError;

/// The pages' routes, merged into the server's router by `herd-api`.
pub fn routes() -> Router<State> {
    Router::new()
        .route("/", get(pages::about::home))
        .route("/about", get(pages::about::about))
        .route("/about/more", get(pages::about::more))
        .route("/about/notice", get(pages::legal::form).post(pages::legal::submit))
        .route("/about/notice/{reference}", get(pages::legal::status))
        .route("/about/transparency", get(pages::legal::transparency))
        .route("/privacy-policy", get(pages::about::privacy))
        .route("/imprint", get(pages::about::imprint))
        .route("/assets/herd.css", get(stylesheet))
        .route("/{handle}", get(pages::profile::profile))
        .route("/{handle}/tagged/{tag}", get(pages::profile::tagged))
        .route("/{handle}/{id}", get(pages::post::post))
        .route("/tags/{name}", get(pages::tag::tag))
}

/// What a page can fail with: a page of its own, never JSON.
pub struct PageError(AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl From<herd_store::StoreError> for PageError {
    fn from(e: herd_store::StoreError) -> Self {
        PageError(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    heading: &'static str,
    text: &'static str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, heading, text) = match &self.0 {
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "Not found", "There is nothing here, or it is not public."),
            AppError::Invalid(_) | AppError::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                "Bad request",
                "This address is not one this server understands.",
            ),
            other => {
                tracing::warn!(error = %other, "a public page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Please try again in a moment.",
                )
            }
        };
        let page = ErrorPage {
            status: status.as_u16(),
            heading,
            text,
        };
        let mut r = html(&page);
        *r.status_mut() = status;
        r
    }
}

pub type PageResult = Result<Response, PageError>;

/// Headers of every page: a strict content security policy (no scripts at all), no framing.
const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src * data:; media-src *; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub(crate) fn html<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(body) => (
            [
                (CONTENT_TYPE, "text/html; charset=utf-8"),
                (CONTENT_SECURITY_POLICY, CSP),
                (X_CONTENT_TYPE_OPTIONS, "nosniff"),
                (CACHE_CONTROL, "public, max-age=60"),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "a page template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

pub(crate) fn rss<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(body) => (
            [
                (CONTENT_TYPE, "application/rss+xml; charset=utf-8"),
                (CACHE_CONTROL, "public, max-age=300"),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "a feed template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

pub(crate) fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(LOCATION, to.to_string())]).into_response()
}

/// Whether the client asked for ActivityPub rather than a page.
pub(crate) fn wants_activity(h: &HeaderMap) -> bool {
    h.get_all(axum::http::header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/activity+json") || v.contains("application/ld+json"))
}

const STYLESHEET: &str = include_str!("../assets/herd.css");

/// The stylesheet every page links (`/assets/herd.css`), the consoles' too.
pub async fn stylesheet() -> Response {
    (
        [(CONTENT_TYPE, "text/css; charset=utf-8"), (CACHE_CONTROL, "public, max-age=86400")],
        STYLESHEET,
    )
        .into_response()
}
