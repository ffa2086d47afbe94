//! Single sign-on on an instance's domain: `/auth/sso` leaves for the organization's
//! OpenID Connect provider, `/auth/sso/callback` comes back (`herd_app::sso`). What the
//! browser keeps in between is sealed in a cookie for that path only, `SameSite=Lax` so the
//! provider's redirect back carries it. A sign-in asked for by the console or settings opens
//! a session; one asked for by an app's OAuth page shows that page's consent.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State as S};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use herd_api::{ClientIp, Ctx, State};
use herd_app::{AppError, Tenant, sso};
use herd_core::Timestamp;

use super::sign_in::{open, sign_in_page};
use super::{SESSION_COOKIE, safe_next};
use crate::{Chrome, cookie, csrf_token, error_in, page, redirect, secure};

const SSO_COOKIE: &str = "herd_sso";
/// Where a sign-in was asked for, given to `sso::begin` and back from `sso::finish`.
const FOR_APP: &str = "oauth:";
const FOR_PAGES: &str = "pages:";

fn sso_cookie(value: &str, max_age: i64, s: &State) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{SSO_COOKIE}={value}; Path=/auth/sso; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        secure(s)
    ))
    .ok()
}

async fn refused(s: &State, t: &Tenant, headers: &HeaderMap, status: StatusCode, msg: String) -> Response {
    let mut r = sign_in_page(s, t, headers, status, Some(msg), String::new(), String::new()).await;
    if let Some(c) = sso_cookie("", 0, s) {
        r.headers_mut().append(SET_COOKIE, c);
    }
    r
}

/// `/auth/sso?next=/admin/...` (from the sign-in page) or `?authorize=QUERY` (from the
/// OAuth page).
pub async fn start(
    S(s): S<State>,
    Ctx(t): Ctx,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    // Each start asks the provider for its metadata: counted like sign-in attempts.
    if !s.limits.login(t.id.0, ip, "sso", Timestamp::now().0) {
        return refused(
            &s,
            &t,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            "Too many sign-in attempts. Wait a few minutes and try again.".into(),
        )
        .await;
    }
    let return_to = match q.get("authorize") {
        Some(a) => format!("{FOR_APP}{a}"),
        None => format!("{FOR_PAGES}{}", safe_next(q.get("next").map(String::as_str)).unwrap_or_default()),
    };
    match sso::begin(&s.app, &t, &return_to).await {
        Ok(started) => {
            let mut r = redirect(&started.url);
            if let Some(c) = sso_cookie(&started.sealed, sso::STATE_MS / 1000, &s) {
                r.headers_mut().append(SET_COOKIE, c);
            }
            r
        }
        Err(AppError::NotFound(m)) => refused(&s, &t, &headers, StatusCode::NOT_FOUND, m.into()).await,
        Err(AppError::Unavailable(m)) => refused(&s, &t, &headers, StatusCode::SERVICE_UNAVAILABLE, m).await,
        Err(e) => error_in(Some(t.domain.as_str()), &e),
    }
}

#[derive(Template)]
#[template(path = "console/signed_in.html")]
struct SignedInPage {
    chrome: Chrome,
    username: String,
    created: bool,
    next: String,
}

/// `/auth/sso/callback?code=...&state=...` (or `?error=...`), from the provider.
pub async fn callback(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Some(error) = q.get("error") {
        let why = q.get("error_description").unwrap_or(error);
        return refused(
            &s,
            &t,
            &headers,
            StatusCode::UNAUTHORIZED,
            format!("Your organization's sign-in did not complete: {why}"),
        )
        .await;
    }
    let (Some(sealed), Some(state), Some(code)) = (herd_api::cookie_value(&headers, SSO_COOKIE), q.get("state"), q.get("code")) else {
        return refused(
            &s,
            &t,
            &headers,
            StatusCode::UNAUTHORIZED,
            "The sign-in has expired or did not start here; sign in again".into(),
        )
        .await;
    };
    let done = match sso::finish(&s.app, &t, &sealed, state, code).await {
        Ok(d) => d,
        Err(AppError::Unauthorized(m)) => return refused(&s, &t, &headers, StatusCode::UNAUTHORIZED, m).await,
        Err(AppError::Forbidden(m)) => return refused(&s, &t, &headers, StatusCode::FORBIDDEN, m).await,
        Err(AppError::Unavailable(m)) => return refused(&s, &t, &headers, StatusCode::SERVICE_UNAVAILABLE, m).await,
        Err(e) => return error_in(Some(t.domain.as_str()), &e),
    };
    let mut r = if let Some(query) = done.return_to.strip_prefix(FOR_APP) {
        herd_api::sso_consent(&s, &t, query, done.signed).await
    } else {
        let next = safe_next(done.return_to.strip_prefix(FOR_PAGES));
        let opened = async {
            let (token, to) = open(&s, &t, done.signed, next).await?;
            let username = herd_app::accounts::username_of(&s.app, &t, done.signed.account()).await?;
            Ok::<_, AppError>((token, to, username))
        }
        .await;
        let (token, to, username) = match opened {
            Ok(x) => x,
            Err(e) => return error_in(Some(t.domain.as_str()), &e),
        };
        // A page, not a redirect: the session cookie is `SameSite=Strict`, and a redirect
        // in a chain that began at the provider would arrive without it.
        let (csrf, new) = csrf_token(&headers);
        let p = SignedInPage {
            chrome: Chrome::instance("Signed in", t.domain.as_str(), None, &csrf),
            username,
            created: done.created,
            next: to,
        };
        let mut r = page(&s, StatusCode::OK, &p, new.then_some(csrf.as_str()));
        if let Some(c) = cookie(SESSION_COOKIE, &token, herd_app::auth::SESSION_MS / 1000, &s) {
            r.headers_mut().append(SET_COOKIE, c);
        }
        r
    };
    if let Some(c) = sso_cookie("", 0, &s) {
        r.headers_mut().append(SET_COOKIE, c);
    }
    r
}
