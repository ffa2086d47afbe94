//! The consoles. On every instance's domain, the organization console at `/admin` for the
//! instance's owners and admins (`organization`), with the browser sign-in and a member's
//! two-factor settings it stands on (`instance`). On the operator's domain, the provider
//! console (`pages`, `api`):
//!
//! The provider console: the operator's domain (`admin_domain`), where the provider's staff
//! sign in (password, then a TOTP code; the first sign-in enrols the second factor) and
//! work on organizations, their instances, bookings, plans and usage, and read the audit
//! trail. Server-rendered with the public pages' template engine, templates and stylesheet,
//! usable without JavaScript (the pages run none).
//!
//! **`herd-console` writes no SQL**: it calls `herd-app` verbs and read-side repository
//! functions, as `herd-web` does. Every form carries a double-submit CSRF token; sessions
//! are `HttpOnly`, `SameSite=Strict` cookies (`Secure` under https); sign-in is rate-limited
//! per address and per e-mail address.

pub mod api;
mod instance;
mod organization;
mod pages;

use askama::Template;
use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION, SET_COOKIE, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use herd_api::State;
use herd_app::AppError;
use herd_app::staff::Staff;
use subtle::ConstantTimeEq;

pub(crate) const SESSION_COOKIE: &str = "herd_staff";
pub(crate) const PENDING_COOKIE: &str = "herd_staff_pending";
pub(crate) const CSRF_COOKIE: &str = "herd_console_csrf";

/// The pages every instance's domain has beside the public ones: browser sign-in, a
/// member's two-factor settings, and the organization console at `/admin`.
pub fn instance_routes() -> Router<State> {
    instance::routes().merge(organization::routes())
}

/// The console's routes; the server mounts them for requests to the admin domain only.
pub fn routes() -> Router<State> {
    use pages::{audit, bookings, organizations, plans, sign_in, usage};
    Router::new()
        .route("/", get(organizations::list))
        .route("/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/sign-in/two-factor", get(sign_in::code_form).post(sign_in::code_submit))
        .route("/sign-in/setup", get(sign_in::setup_form).post(sign_in::setup_submit))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/organizations", post(organizations::create))
        .route("/organizations/{slug}", get(organizations::show))
        .route("/organizations/{slug}/instances", post(organizations::add_instance))
        .route("/organizations/{slug}/externals", post(organizations::add_external))
        .route("/organizations/{slug}/contacts", post(organizations::add_contact))
        .route("/organizations/{slug}/owners", post(organizations::invite_owner))
        .route("/organizations/{slug}/bookings", post(bookings::book))
        .route("/organizations/{slug}/bookings/{id}/end", post(bookings::end))
        .route("/organizations/{slug}/bookings/{id}/reopen", post(bookings::reopen))
        .route("/organizations/{slug}/usage", get(usage::page_route))
        .route("/plans", get(plans::list).post(plans::define))
        .route("/audit", get(audit::page))
        .route("/assets/herd.css", get(herd_web::stylesheet))
        .merge(api::routes())
}

/// The console's pages may post forms to themselves and nothing else; no script runs.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Whether cookies are marked `Secure` (the admin domain is served over https).
pub(crate) fn secure(state: &State) -> &'static str {
    if state.app.settings.public_scheme == "https" {
        "; Secure"
    } else {
        ""
    }
}

pub(crate) fn cookie(name: &str, value: &str, max_age: i64, state: &State) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        secure(state)
    ))
    .ok()
}

/// The CSRF token of this browser: the one its cookie holds, or a new one (set with the page).
pub(crate) fn csrf_token(headers: &HeaderMap) -> (String, bool) {
    match herd_api::cookie_value(headers, CSRF_COOKIE).filter(|v| v.len() >= 32) {
        Some(v) => (v, false),
        None => (herd_core::secret::generate(), true),
    }
}

/// Whether a form's `authenticity_token` matches the browser's CSRF cookie.
pub(crate) fn csrf_ok(headers: &HeaderMap, sent: Option<&String>) -> bool {
    let expected = herd_api::cookie_value(headers, CSRF_COOKIE).unwrap_or_default();
    let sent = sent.map(String::as_str).unwrap_or("");
    !sent.is_empty() && expected.len() >= 32 && bool::from(sent.as_bytes().ct_eq(expected.as_bytes()))
}

/// A page: its headers (CSP, no caching of anything a session shows) and, when the browser
/// has none yet, its CSRF cookie.
pub(crate) fn page<T: Template>(state: &State, status: StatusCode, t: &T, new_csrf: Option<&str>) -> Response {
    let body = match t.render() {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "a console template failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response();
        }
    };
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(token) = new_csrf
        && let Some(v) = cookie(CSRF_COOKIE, token, 12 * 3600, state)
    {
        h.append(SET_COOKIE, v);
    }
    r
}

pub(crate) fn redirect(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(LOCATION, v);
    }
    r
}

/// The signed-in staff member (both factors given), or the way to the sign-in page.
pub(crate) async fn signed_in(state: &State, headers: &HeaderMap) -> Result<Staff, Response> {
    let Some(token) = herd_api::cookie_value(headers, SESSION_COOKIE) else {
        return Err(redirect("/sign-in"));
    };
    match herd_app::staff::session(&state.app, &token).await {
        Ok(Some((s, true))) => Ok(s),
        Ok(_) => Err(redirect("/sign-in")),
        Err(e) => Err(error_page(&e)),
    }
}

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage {
    chrome: Chrome,
    heading: &'static str,
    text: String,
}

/// What the console's chrome shows: the page title and who is signed in.
pub(crate) struct Chrome {
    pub title: String,
    pub staff: Option<String>,
    pub csrf: String,
    /// On an instance's domain (the organization console and a member's settings): the
    /// instance and, once signed in, who.
    pub instance: Option<InstanceChrome>,
}

pub(crate) struct InstanceChrome {
    pub domain: String,
    pub who: Option<String>,
    /// Whether the organization console's pages are offered (an owner or admin).
    pub admin: bool,
}

impl Chrome {
    pub fn new(title: impl Into<String>, staff: Option<&Staff>, csrf: &str) -> Chrome {
        Chrome {
            title: title.into(),
            staff: staff.map(|s| format!("{} ({})", s.row.name, s.role)),
            csrf: csrf.to_string(),
            instance: None,
        }
    }

    /// The chrome of a page on an instance's domain.
    pub fn instance(title: impl Into<String>, domain: &str, who: Option<&instance::Member>, csrf: &str) -> Chrome {
        Chrome {
            title: title.into(),
            staff: None,
            csrf: csrf.to_string(),
            instance: Some(InstanceChrome {
                domain: domain.to_string(),
                who: who.map(|m| format!("@{} ({})", m.username, m.role.as_str())),
                admin: who.is_some_and(|m| m.is_admin()),
            }),
        }
    }
}

/// A verb's refusal as a page (the message is the verb's own, written for people).
pub(crate) fn error_page(e: &AppError) -> Response {
    error_in(None, e)
}

/// A refusal as a page of the provider console (`None`) or of an instance's domain.
pub(crate) fn error_in(domain: Option<&str>, e: &AppError) -> Response {
    let (status, heading) = match e {
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "Not found"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "Not allowed"),
        AppError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "Not signed in"),
        AppError::Invalid(_) | AppError::BadRequest(_) | AppError::Fields(_) => (StatusCode::UNPROCESSABLE_ENTITY, "That did not work"),
        AppError::Conflict(_) => (StatusCode::CONFLICT, "That did not work"),
        AppError::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "Too many attempts"),
        _ => {
            tracing::warn!(error = %e, "a console page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong")
        }
    };
    let text = match e {
        AppError::Store(_) | AppError::Internal(_) => "Please try again in a moment.".to_string(),
        other => other.to_string(),
    };
    let p = ErrorPage {
        chrome: match domain {
            Some(d) => Chrome::instance(heading, d, None, ""),
            None => Chrome::new(heading, None, ""),
        },
        heading,
        text,
    };
    let body = p.render().unwrap_or_else(|_| heading.to_string());
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A form refused for its CSRF token.
pub(crate) fn csrf_refused() -> Response {
    csrf_refused_in(None)
}

pub(crate) fn csrf_refused_in(domain: Option<&str>) -> Response {
    error_in(
        domain,
        &AppError::Forbidden("The form expired or did not come from this site. Go back, reload the page and send it again.".into()),
    )
}

/// Epoch ms as a day, for tables.
pub(crate) fn day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}
