//! Single sign-on through the organization's own OpenID Connect provider: the issuer, the
//! client Herd is registered as there, the claim that finds existing accounts and whether a
//! first sign-in may make one. Saving finds the provider by discovery first; a provider that
//! cannot be used is refused with why, and the form keeps what was typed.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State as S;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use herd_api::{Ctx, State};
use herd_app::sso::{self, MatchClaim, SsoSetup};
use herd_app::{AppError, Tenant};

use super::{Member, admin, admin_form, done};
use crate::pages::field;
use crate::{Chrome, csrf_token, error_in, page as render};

const HERE: &str = "/admin/sso";

#[derive(Template)]
#[template(path = "console/org_sso.html")]
struct SsoPage {
    chrome: Chrome,
    error: Option<String>,
    form: Shown,
    redirect_uri: String,
    claims: Vec<(&'static str, &'static str)>,
}

const CLAIMS: &[(&str, &str)] = &[
    ("email", "E-mail address (only addresses the provider has verified)"),
    ("preferred_username", "Username (preferred_username)"),
];

fn show(s: &State, t: &Tenant, headers: &HeaderMap, m: &Member, status: StatusCode, error: Option<String>, p: Shown) -> Response {
    let (csrf, new) = csrf_token(headers);
    let body = SsoPage {
        chrome: Chrome::instance("Single sign-on", t.domain.as_str(), Some(m), &csrf),
        error,
        form: p,
        redirect_uri: sso::redirect_uri(t),
        claims: CLAIMS.to_vec(),
    };
    render(s, status, &body, new.then_some(csrf.as_str()))
}

/// What the form shows.
#[derive(Default)]
struct Shown {
    on: bool,
    issuer: String,
    client_id: String,
    match_claim: String,
    create_accounts: bool,
    label: String,
}

pub async fn page(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap) -> Response {
    let m = match admin(&s, &t, &headers, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let shown = match sso::of(&s.app, &t).await {
        Ok(Some(x)) => Shown {
            on: true,
            issuer: x.issuer,
            client_id: x.client_id,
            match_claim: x.match_claim.as_str().into(),
            create_accounts: x.create_accounts,
            label: x.label,
        },
        Ok(None) => Shown {
            match_claim: "email".into(),
            ..Shown::default()
        },
        Err(e) => return error_in(Some(t.domain.as_str()), &e),
    };
    show(&s, &t, &headers, &m, StatusCode::OK, None, shown)
}

pub async fn save(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    let m = match admin_form(&s, &t, &headers, &f, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let typed = Shown {
        on: matches!(sso::of(&s.app, &t).await, Ok(Some(_))),
        issuer: field(&f, "issuer").unwrap_or_default(),
        client_id: field(&f, "client_id").unwrap_or_default(),
        match_claim: field(&f, "match_claim").unwrap_or_else(|| "email".into()),
        create_accounts: f.get("create_accounts").is_some_and(|v| v == "1"),
        label: field(&f, "label").unwrap_or_default(),
    };
    let r = async {
        let setup = SsoSetup {
            issuer: typed.issuer.clone(),
            client_id: typed.client_id.clone(),
            client_secret: f.get("client_secret").cloned().unwrap_or_default(),
            match_claim: MatchClaim::parse(&typed.match_claim)?,
            create_accounts: typed.create_accounts,
            label: typed.label.clone(),
        };
        sso::configure(&s.app, &m.actor(), &t, setup).await
    }
    .await;
    match r {
        Ok(()) => done(&t, Ok(()), HERE),
        Err(AppError::Invalid(msg) | AppError::Unavailable(msg)) => {
            show(&s, &t, &headers, &m, StatusCode::UNPROCESSABLE_ENTITY, Some(msg), typed)
        }
        Err(e) => error_in(Some(t.domain.as_str()), &e),
    }
}

pub async fn turn_off(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    let m = match admin_form(&s, &t, &headers, &f, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    done(&t, sso::turn_off(&s.app, &m.actor(), &t).await, HERE)
}
