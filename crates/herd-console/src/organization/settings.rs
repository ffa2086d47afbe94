//! The instance's settings an organization decides: its name, contact address, sign-up
//! policy and texts (description, privacy policy, legal notice). Limits and federation
//! settings stay with the operator.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State as S;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use herd_api::{Ctx, State};
use herd_app::tenants::{self, TenantSettings};
use herd_core::{Email, RegistrationMode};

use super::{admin, admin_form, done};
use crate::{Chrome, csrf_token, page as render};

const HERE: &str = "/admin/settings";

#[derive(Template)]
#[template(path = "console/org_settings.html")]
struct SettingsPage {
    chrome: Chrome,
    title: String,
    contact_email: String,
    registrations: String,
    modes: Vec<(&'static str, &'static str)>,
    description: String,
    privacy_policy: String,
    imprint: String,
}

const MODES: &[(&str, &str)] = &[
    ("open", "Anyone can sign up"),
    ("approval", "Anyone can apply; an admin approves each sign-up"),
    ("invite", "Only people invited"),
    ("closed", "Nobody can sign up"),
];

pub async fn page(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap) -> Response {
    let m = match admin(&s, &t, &headers, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let (csrf, new) = csrf_token(&headers);
    let row = &t.row;
    let p = SettingsPage {
        chrome: Chrome::instance("Settings", t.domain.as_str(), Some(&m), &csrf),
        title: row.title.clone(),
        contact_email: row.contact_email.clone(),
        registrations: t.registrations().as_str().to_string(),
        modes: MODES.to_vec(),
        description: row.description.clone(),
        privacy_policy: row.privacy_policy.clone(),
        imprint: row.imprint.clone(),
    };
    render(&s, StatusCode::OK, &p, new.then_some(csrf.as_str()))
}

pub async fn save(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    let m = match admin_form(&s, &t, &headers, &f, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let r = async {
        let contact = f.get("contact_email").map(|e| e.trim()).filter(|e| !e.is_empty());
        let settings = TenantSettings {
            title: f.get("title").cloned(),
            description: f.get("description").cloned(),
            contact_email: contact.map(Email::parse).transpose()?,
            registrations: f.get("registrations").map(|r| RegistrationMode::parse(r)).transpose()?,
            privacy_policy: f.get("privacy_policy").cloned(),
            imprint: f.get("imprint").cloned(),
            ..TenantSettings::default()
        };
        tenants::configure(&s.app, &m.actor(), &t, settings).await
    }
    .await;
    done(&t, r, HERE)
}
