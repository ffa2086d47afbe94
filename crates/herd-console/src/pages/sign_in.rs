//! Signing in: e-mail and password, then a TOTP code (or a recovery code); the first time,
//! the second factor is set up instead, and its recovery codes are shown once.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State as S;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use herd_api::{ClientIp, State};
use herd_app::AppError;
use herd_core::Timestamp;

use super::field;
use crate::{Chrome, PENDING_COOKIE, SESSION_COOKIE, cookie, csrf_ok, csrf_refused, csrf_token, error_page, page, redirect};

#[derive(Template)]
#[template(path = "console/sign_in.html")]
pub(crate) struct SignInPage {
    pub chrome: Chrome,
    pub error: Option<String>,
    pub email: String,
    pub action: &'static str,
    pub next: String,
    /// Where the instance has single sign-on: the button's words and where it leads.
    pub sso: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "console/two_factor.html")]
pub(crate) struct CodePage {
    pub chrome: Chrome,
    pub error: Option<String>,
    pub action: &'static str,
}

#[derive(Template)]
#[template(path = "console/setup.html")]
pub(crate) struct SetupPage {
    pub chrome: Chrome,
    pub error: Option<String>,
    pub secret: String,
    pub uri: String,
    pub intro: &'static str,
    pub action: &'static str,
    pub button: &'static str,
}

#[derive(Template)]
#[template(path = "console/recovery.html")]
pub(crate) struct RecoveryPage {
    pub chrome: Chrome,
    pub codes: Vec<String>,
    pub next: &'static str,
}

fn sign_in_page(state: &State, headers: &HeaderMap, status: StatusCode, error: Option<String>, email: String) -> Response {
    let (csrf, new) = csrf_token(headers);
    let p = SignInPage {
        sso: None,
        chrome: Chrome::new("Sign in", None, &csrf),
        error,
        email,
        action: "/sign-in",
        next: String::new(),
    };
    page(state, status, &p, new.then_some(csrf.as_str()))
}

pub async fn form(S(s): S<State>, headers: HeaderMap) -> Response {
    sign_in_page(&s, &headers, StatusCode::OK, None, String::new())
}

pub async fn submit(S(s): S<State>, ClientIp(ip): ClientIp, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    if !csrf_ok(&headers, f.get("authenticity_token")) {
        return csrf_refused();
    }
    let email = field(&f, "email").unwrap_or_default();
    let password = f.get("password").cloned().unwrap_or_default();
    if !s.limits.login(0, ip, &email, Timestamp::now().0) {
        return sign_in_page(
            &s,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many sign-in attempts. Wait a few minutes and try again.".into()),
            email,
        );
    }
    match herd_app::staff::sign_in(&s.app, &email, &password).await {
        Ok(signed) => {
            let mut r = redirect(if signed.needs_enrolment {
                "/sign-in/setup"
            } else {
                "/sign-in/two-factor"
            });
            if let Some(c) = cookie(PENDING_COOKIE, &signed.token, herd_app::staff::PENDING_MS / 1000, &s) {
                r.headers_mut().append(SET_COOKIE, c);
            }
            r
        }
        Err(AppError::Unauthorized(m)) => sign_in_page(&s, &headers, StatusCode::UNAUTHORIZED, Some(m), email),
        Err(e) => error_page(&e),
    }
}

fn pending(headers: &HeaderMap) -> Option<String> {
    herd_api::cookie_value(headers, PENDING_COOKIE)
}

fn code_page(state: &State, headers: &HeaderMap, status: StatusCode, error: Option<String>) -> Response {
    let (csrf, new) = csrf_token(headers);
    let p = CodePage {
        chrome: Chrome::new("Two-factor authentication", None, &csrf),
        error,
        action: "/sign-in/two-factor",
    };
    page(state, status, &p, new.then_some(csrf.as_str()))
}

pub async fn code_form(S(s): S<State>, headers: HeaderMap) -> Response {
    if pending(&headers).is_none() {
        return redirect("/sign-in");
    }
    code_page(&s, &headers, StatusCode::OK, None)
}

/// The full session's cookie set, the pending one dropped.
fn signed_in(state: &State, to: &str, token: &str) -> Response {
    let mut r = redirect(to);
    full_session(state, &mut r, token);
    r
}

fn full_session(state: &State, r: &mut Response, token: &str) {
    let h = r.headers_mut();
    if let Some(c) = cookie(SESSION_COOKIE, token, herd_app::staff::SESSION_MS / 1000, state) {
        h.append(SET_COOKIE, c);
    }
    if let Some(c) = cookie(PENDING_COOKIE, "", 0, state) {
        h.append(SET_COOKIE, c);
    }
}

pub async fn code_submit(S(s): S<State>, ClientIp(ip): ClientIp, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    if !csrf_ok(&headers, f.get("authenticity_token")) {
        return csrf_refused();
    }
    let Some(token) = pending(&headers) else {
        return redirect("/sign-in");
    };
    // Codes are guessable: counted like sign-ins, per address and per pending session.
    if !s.limits.login(0, ip, &token, Timestamp::now().0) {
        return code_page(
            &s,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many attempts. Wait a few minutes.".into()),
        );
    }
    let code = f.get("code").cloned().unwrap_or_default();
    match herd_app::staff::second_factor(&s.app, &token, &code).await {
        Ok(full) => signed_in(&s, "/", &full),
        Err(AppError::Unauthorized(m)) if m.contains("expired") => redirect("/sign-in"),
        Err(AppError::Unauthorized(m)) => code_page(&s, &headers, StatusCode::UNAUTHORIZED, Some(m)),
        Err(e) => error_page(&e),
    }
}

async fn setup_page(state: &State, headers: &HeaderMap, status: StatusCode, error: Option<String>) -> Response {
    let Some(token) = pending(headers) else {
        return redirect("/sign-in");
    };
    match herd_app::staff::enrol(&state.app, &token, "Herd").await {
        Ok(e) => {
            let (csrf, new) = csrf_token(headers);
            let p = SetupPage {
                chrome: Chrome::new("Set up two-factor authentication", None, &csrf),
                error,
                secret: e.secret,
                uri: e.uri,
                intro: "The console needs a second factor.",
                action: "/sign-in/setup",
                button: "Turn on and sign in",
            };
            page(state, status, &p, new.then_some(csrf.as_str()))
        }
        Err(AppError::Unauthorized(_)) => redirect("/sign-in"),
        Err(e) => error_page(&e),
    }
}

pub async fn setup_form(S(s): S<State>, headers: HeaderMap) -> Response {
    setup_page(&s, &headers, StatusCode::OK, None).await
}

pub async fn setup_submit(S(s): S<State>, ClientIp(ip): ClientIp, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    if !csrf_ok(&headers, f.get("authenticity_token")) {
        return csrf_refused();
    }
    let Some(token) = pending(&headers) else {
        return redirect("/sign-in");
    };
    if !s.limits.login(0, ip, &token, Timestamp::now().0) {
        return setup_page(
            &s,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many attempts. Wait a few minutes.".into()),
        )
        .await;
    }
    let code = f.get("code").cloned().unwrap_or_default();
    match herd_app::staff::confirm_enrolment(&s.app, &token, &code).await {
        Ok((full, codes)) => {
            let (csrf, _) = csrf_token(&headers);
            let p = RecoveryPage {
                chrome: Chrome::new("Your recovery codes", None, &csrf),
                codes,
                next: "/",
            };
            let mut r = page(&s, StatusCode::OK, &p, None);
            full_session(&s, &mut r, &full);
            r
        }
        Err(AppError::Unauthorized(m)) if m.contains("expired") => redirect("/sign-in"),
        Err(AppError::Unauthorized(m)) => setup_page(&s, &headers, StatusCode::UNAUTHORIZED, Some(m)).await,
        Err(e) => error_page(&e),
    }
}

pub async fn sign_out(S(s): S<State>, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    if !csrf_ok(&headers, f.get("authenticity_token")) {
        return csrf_refused();
    }
    if let Some(t) = herd_api::cookie_value(&headers, SESSION_COOKIE)
        && let Err(e) = herd_app::staff::sign_out(&s.app, &t).await
    {
        return error_page(&e);
    }
    let mut r = redirect("/sign-in");
    if let Some(c) = cookie(SESSION_COOKIE, "", 0, &s) {
        r.headers_mut().append(SET_COOKIE, c);
    }
    r
}
