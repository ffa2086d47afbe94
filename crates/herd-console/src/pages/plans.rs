//! The catalog of service plans, and the form that defines one.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State as S;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use herd_api::State;
use herd_core::{Service, Terms};

use super::field;
use super::organizations::{operator, terms_text};
use crate::{Chrome, csrf_token, error_page, page, redirect, signed_in};

#[derive(Template)]
#[template(path = "console/plans.html")]
struct PlansPage {
    chrome: Chrome,
    plans: Vec<(String, String, String, bool)>,
    services: Vec<&'static str>,
    can_write: bool,
}

pub async fn list(S(s): S<State>, headers: HeaderMap) -> Response {
    let staff = match signed_in(&s, &headers).await {
        Ok(st) => st,
        Err(r) => return r,
    };
    let rows = match s.app.db.conn().await {
        Ok(mut c) => herd_store::bookings::plans(&mut c).await,
        Err(e) => Err(e),
    };
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return error_page(&e.into()),
    };
    let (csrf, new) = csrf_token(&headers);
    let p = PlansPage {
        chrome: Chrome::new("Plans", Some(&staff), &csrf),
        plans: rows
            .into_iter()
            .map(|p| {
                let t = Terms::from_json(&p.terms).unwrap_or_default();
                (p.name, p.service, terms_text(&t), p.retired_at.is_some())
            })
            .collect(),
        services: Service::ALL.iter().map(|s| s.as_str()).collect(),
        can_write: staff.require_operator().is_ok(),
    };
    page(&s, StatusCode::OK, &p, new.then_some(csrf.as_str()))
}

pub async fn define(S(s): S<State>, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    let staff = match operator(&s, &headers, &f).await {
        Ok(st) => st,
        Err(r) => return r,
    };
    let made = async {
        let service = Service::parse(&field(&f, "service").unwrap_or_default())?;
        let terms = super::bookings::terms(&f)?;
        herd_app::bookings::define_plan(&s.app, &staff.actor(), &field(&f, "name").unwrap_or_default(), service, &terms).await
    };
    match made.await {
        Ok(_) => redirect("/plans"),
        Err(e) => error_page(&e),
    }
}
