//! Signing in on an instance's domain, as on Mastodon's `/auth/sign_in`: e-mail address (or
//! username) and password, then the TOTP or recovery code where two-factor authentication is
//! on. Rate-limited per address and per account name (and per ticket for codes), like the
//! OAuth page.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State as S};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use herd_api::{ClientIp, Ctx, State};
use herd_app::auth::{self, FirstFactor, SignedIn};
use herd_app::{AppError, Tenant};
use herd_core::Timestamp;

use super::{SESSION_COOKIE, TICKET_COOKIE, safe_next};
use crate::pages::field;
use crate::pages::sign_in::{CodePage, SignInPage};
use crate::{Chrome, cookie, csrf_ok, csrf_refused_in, csrf_token, error_in, page, redirect};

pub(super) async fn sign_in_page(
    s: &State,
    t: &Tenant,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<String>,
    email: String,
    next: String,
) -> Response {
    let (csrf, new) = csrf_token(headers);
    let sso = match herd_app::sso::of(&s.app, t).await {
        Ok(sso) => sso.map(|x| {
            let href = match next.as_str() {
                "" => "/auth/sso".to_string(),
                n => format!("/auth/sso?next={}", super::url_encode(n)),
            };
            (x.label, href)
        }),
        Err(e) => return error_in(Some(t.domain.as_str()), &e),
    };
    let p = SignInPage {
        chrome: Chrome::instance(format!("Sign in to {}", t.row.title), t.domain.as_str(), None, &csrf),
        error,
        email,
        action: "/auth/sign_in",
        next,
        sso,
    };
    page(s, status, &p, new.then_some(csrf.as_str()))
}

pub async fn form(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let next = safe_next(q.get("next").map(String::as_str)).unwrap_or_default();
    sign_in_page(&s, &t, &headers, StatusCode::OK, None, String::new(), next).await
}

/// A session for a completed sign-in: its token, and where it goes (`next`, else the
/// console for admins and the settings for everyone else).
pub(super) async fn open(s: &State, t: &Tenant, signed: SignedIn, next: Option<String>) -> Result<(String, String), AppError> {
    let token = auth::open_session(&s.app, t, signed).await?;
    let mut c = s.app.db.conn().await?;
    let u = herd_store::users::by_account(&mut c, t.id, signed.account()).await?;
    let admin = u.is_some_and(|u| u.role == "owner" || u.role == "admin");
    let to = next.unwrap_or_else(|| if admin { "/admin".into() } else { "/settings/two-factor".into() });
    Ok((token, to))
}

/// Where a completed sign-in goes, with its session cookie (and the ticket dropped).
async fn complete(s: &State, t: &Tenant, signed: SignedIn, next: Option<String>) -> Response {
    let (token, to) = match open(s, t, signed, next).await {
        Ok(x) => x,
        Err(e) => return error_in(Some(t.domain.as_str()), &e),
    };
    let mut r = redirect(&to);
    let h = r.headers_mut();
    if let Some(c) = cookie(SESSION_COOKIE, &token, auth::SESSION_MS / 1000, s) {
        h.append(SET_COOKIE, c);
    }
    if let Some(c) = cookie(TICKET_COOKIE, "", 0, s) {
        h.append(SET_COOKIE, c);
    }
    r
}

pub async fn submit(
    S(s): S<State>,
    Ctx(t): Ctx,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    if !csrf_ok(&headers, f.get("authenticity_token")) {
        return csrf_refused_in(Some(t.domain.as_str()));
    }
    let email = field(&f, "email").unwrap_or_default();
    let next = safe_next(f.get("next").map(String::as_str));
    let again = async |status, msg: String| {
        sign_in_page(&s, &t, &headers, status, Some(msg), email.clone(), next.clone().unwrap_or_default()).await
    };
    if !s.limits.login(t.id.0, ip, &email, Timestamp::now().0) {
        return again(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many sign-in attempts. Wait a few minutes and try again.".into(),
        )
        .await;
    }
    match auth::password_step(&s.app, &t, &email, f.get("password").cloned().unwrap_or_default()).await {
        Ok(FirstFactor::Done(signed)) => complete(&s, &t, signed, next).await,
        Ok(FirstFactor::Code(ticket)) => {
            let to = match &next {
                Some(n) => format!("/auth/sign_in/two-factor?next={}", super::url_encode(n)),
                None => "/auth/sign_in/two-factor".into(),
            };
            let mut r = redirect(&to);
            if let Some(c) = cookie(TICKET_COOKIE, &ticket, auth::TICKET_MS / 1000, &s) {
                r.headers_mut().append(SET_COOKIE, c);
            }
            r
        }
        Err(AppError::Unauthorized(m) | AppError::Forbidden(m)) => again(StatusCode::UNAUTHORIZED, m).await,
        Err(e) => error_in(Some(t.domain.as_str()), &e),
    }
}

fn code_page(s: &State, t: &Tenant, headers: &HeaderMap, status: StatusCode, error: Option<String>) -> Response {
    let (csrf, new) = csrf_token(headers);
    let p = CodePage {
        chrome: Chrome::instance("Two-factor authentication", t.domain.as_str(), None, &csrf),
        error,
        action: "/auth/sign_in/two-factor",
    };
    page(s, status, &p, new.then_some(csrf.as_str()))
}

pub async fn code_form(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap) -> Response {
    if herd_api::cookie_value(&headers, TICKET_COOKIE).is_none() {
        return redirect("/auth/sign_in");
    }
    code_page(&s, &t, &headers, StatusCode::OK, None)
}

pub async fn code_submit(
    S(s): S<State>,
    Ctx(t): Ctx,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    if !csrf_ok(&headers, f.get("authenticity_token")) {
        return csrf_refused_in(Some(t.domain.as_str()));
    }
    let Some(ticket) = herd_api::cookie_value(&headers, TICKET_COOKIE) else {
        return redirect("/auth/sign_in");
    };
    if !s.limits.login(t.id.0, ip, &auth::attempts_key(&s.app, &ticket), Timestamp::now().0) {
        return code_page(
            &s,
            &t,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many attempts. Wait a few minutes.".into()),
        );
    }
    let next = safe_next(q.get("next").map(String::as_str));
    match auth::code_step(&s.app, &t, &ticket, &f.get("code").cloned().unwrap_or_default()).await {
        Ok(signed) => complete(&s, &t, signed, next).await,
        Err(AppError::Unauthorized(m)) if m.contains("expired") => redirect("/auth/sign_in"),
        Err(AppError::Unauthorized(m)) => code_page(&s, &t, &headers, StatusCode::UNAUTHORIZED, Some(m)),
        Err(AppError::Forbidden(m)) => sign_in_page(&s, &t, &headers, StatusCode::FORBIDDEN, Some(m), String::new(), String::new()).await,
        Err(e) => error_in(Some(t.domain.as_str()), &e),
    }
}

pub async fn sign_out(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    if !csrf_ok(&headers, f.get("authenticity_token")) {
        return csrf_refused_in(Some(t.domain.as_str()));
    }
    if let Some(token) = herd_api::cookie_value(&headers, SESSION_COOKIE)
        && let Err(e) = auth::close_session(&s.app, &t, &token).await
    {
        return error_in(Some(t.domain.as_str()), &e);
    }
    let mut r = redirect("/auth/sign_in");
    if let Some(c) = cookie(SESSION_COOKIE, "", 0, &s) {
        r.headers_mut().append(SET_COOKIE, c);
    }
    r
}
