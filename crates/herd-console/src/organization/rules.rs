//! The instance's rules: listed in order, added, removed.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State as S};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use herd_api::{Ctx, State};
use herd_app::{AppError, tenants};
use herd_store::tenants::RuleRow;

use super::{admin, admin_form, done, or_error};
use crate::{Chrome, csrf_token, page as render};

const HERE: &str = "/admin/rules";

#[derive(Template)]
#[template(path = "console/org_rules.html")]
struct RulesPage {
    chrome: Chrome,
    rules: Vec<RuleRow>,
}

pub async fn page(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap) -> Response {
    let m = match admin(&s, &t, &headers, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let r = async {
        let mut c = s.app.db.conn().await?;
        let rules = herd_store::tenants::rules(&mut c, t.id).await?;
        let (csrf, new) = csrf_token(&headers);
        let p = RulesPage {
            chrome: Chrome::instance("Rules", t.domain.as_str(), Some(&m), &csrf),
            rules,
        };
        Ok::<_, AppError>(render(&s, StatusCode::OK, &p, new.then_some(csrf.as_str())))
    }
    .await;
    or_error(&t, r)
}

pub async fn add(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    let m = match admin_form(&s, &t, &headers, &f, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let text = f.get("text").cloned().unwrap_or_default();
    let hint = f.get("hint").cloned().unwrap_or_default();
    done(&t, tenants::add_rule(&s.app, &m.actor(), &t, &text, &hint).await, HERE)
}

pub async fn remove(
    S(s): S<State>,
    Ctx(t): Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let m = match admin_form(&s, &t, &headers, &f, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let r = match id.parse::<i64>() {
        Ok(id) => tenants::remove_rule(&s.app, &m.actor(), &t, id).await,
        Err(_) => Err(AppError::NotFound("Record not found")),
    };
    done(&t, r, HERE)
}
