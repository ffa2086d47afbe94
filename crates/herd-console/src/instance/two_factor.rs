//! A member's two-factor settings: set up (a key for the authenticator app, confirmed by a
//! code, then the recovery codes once), and off again with a current code.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State as S;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use herd_api::{ClientIp, Ctx, State};
use herd_app::Tenant;
use herd_app::accounts::two_factor;
use herd_core::Timestamp;

use super::{Member, member};
use crate::pages::sign_in::{RecoveryPage, SetupPage};
use crate::{Chrome, csrf_ok, csrf_refused_in, csrf_token, day, error_in, redirect};

const HERE: &str = "/settings/two-factor";

#[derive(Template)]
#[template(path = "console/account_two_factor.html")]
struct TwoFactorPage {
    chrome: Chrome,
    error: Option<String>,
    on_since: Option<String>,
}

async fn show(s: &State, t: &Tenant, headers: &HeaderMap, m: &Member, status: StatusCode, error: Option<String>) -> Response {
    let on_since = async {
        let mut c = s.app.db.conn().await?;
        Ok::<_, herd_app::AppError>(
            herd_store::users::two_factor(&mut c, t.id, m.account)
                .await?
                .and_then(|f| f.otp_enabled_at),
        )
    }
    .await;
    let on_since = match on_since {
        Ok(x) => x.map(day),
        Err(e) => return error_in(Some(t.domain.as_str()), &e),
    };
    let (csrf, new) = csrf_token(headers);
    let p = TwoFactorPage {
        chrome: Chrome::instance("Two-factor authentication", t.domain.as_str(), Some(m), &csrf),
        error,
        on_since,
    };
    crate::page(s, status, &p, new.then_some(csrf.as_str()))
}

pub async fn page(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap) -> Response {
    match member(&s, &t, &headers, HERE).await {
        Ok(m) => show(&s, &t, &headers, &m, StatusCode::OK, None).await,
        Err(r) => r,
    }
}

/// The checks every form here makes: CSRF and a session.
async fn form_member(s: &State, t: &Tenant, headers: &HeaderMap, f: &HashMap<String, String>) -> Result<Member, Response> {
    if !csrf_ok(headers, f.get("authenticity_token")) {
        return Err(csrf_refused_in(Some(t.domain.as_str())));
    }
    member(s, t, headers, HERE).await
}

async fn setup_page(s: &State, t: &Tenant, headers: &HeaderMap, m: &Member, status: StatusCode, error: Option<String>) -> Response {
    match two_factor::begin(&s.app, t, m.account, &m.username).await {
        Ok(e) => {
            let (csrf, new) = csrf_token(headers);
            let p = SetupPage {
                chrome: Chrome::instance("Set up two-factor authentication", t.domain.as_str(), Some(m), &csrf),
                error,
                secret: e.secret,
                uri: e.uri,
                intro: "Signing in will ask for a code from an app as well as your password.",
                action: "/settings/two-factor/confirm",
                button: "Turn on",
            };
            crate::page(s, status, &p, new.then_some(csrf.as_str()))
        }
        Err(e) => show(s, t, headers, m, StatusCode::UNPROCESSABLE_ENTITY, Some(e.to_string())).await,
    }
}

pub async fn setup(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    match form_member(&s, &t, &headers, &f).await {
        Ok(m) => setup_page(&s, &t, &headers, &m, StatusCode::OK, None).await,
        Err(r) => r,
    }
}

pub async fn confirm(
    S(s): S<State>,
    Ctx(t): Ctx,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let m = match form_member(&s, &t, &headers, &f).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    if !s.limits.login(t.id.0, ip, &format!("otp:{}", m.account), Timestamp::now().0) {
        return setup_page(
            &s,
            &t,
            &headers,
            &m,
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many attempts. Wait a few minutes.".into()),
        )
        .await;
    }
    match two_factor::confirm(&s.app, &t, m.account, &f.get("code").cloned().unwrap_or_default()).await {
        Ok(codes) => {
            let (csrf, new) = csrf_token(&headers);
            let p = RecoveryPage {
                chrome: Chrome::instance("Your recovery codes", t.domain.as_str(), Some(&m), &csrf),
                codes,
                next: HERE,
            };
            crate::page(&s, StatusCode::OK, &p, new.then_some(csrf.as_str()))
        }
        Err(herd_app::AppError::Invalid(msg)) => setup_page(&s, &t, &headers, &m, StatusCode::UNPROCESSABLE_ENTITY, Some(msg)).await,
        Err(e) => error_in(Some(t.domain.as_str()), &e),
    }
}

pub async fn disable(
    S(s): S<State>,
    Ctx(t): Ctx,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let m = match form_member(&s, &t, &headers, &f).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    if !s.limits.login(t.id.0, ip, &format!("otp:{}", m.account), Timestamp::now().0) {
        return show(
            &s,
            &t,
            &headers,
            &m,
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many attempts. Wait a few minutes.".into()),
        )
        .await;
    }
    match two_factor::disable(&s.app, &t, m.account, &f.get("code").cloned().unwrap_or_default()).await {
        Ok(()) => redirect(HERE),
        Err(herd_app::AppError::Invalid(msg)) => show(&s, &t, &headers, &m, StatusCode::UNPROCESSABLE_ENTITY, Some(msg)).await,
        Err(e) => error_in(Some(t.domain.as_str()), &e),
    }
}
