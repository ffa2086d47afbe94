//! The provider audit trail, all of it or one organization's.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State as S};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use herd_api::State;
use herd_core::Timestamp;

use super::field;
use crate::{Chrome, csrf_token, error_page, signed_in};

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    chrome: Chrome,
    org: String,
    rows: Vec<(String, String, String, String, String)>,
    next: Option<String>,
}

async fn load(s: &State, headers: &HeaderMap, q: &HashMap<String, String>) -> Result<Response, herd_app::AppError> {
    let staff = match signed_in(s, headers).await {
        Ok(st) => st,
        Err(r) => return Ok(r),
    };
    let mut c = s.app.db.conn().await?;
    let slug = field(q, "org");
    let org = match &slug {
        Some(sl) => Some(
            herd_store::organizations::by_slug(&mut c, sl)
                .await?
                .ok_or(herd_app::AppError::NotFound("Record not found"))?,
        ),
        None => None,
    };
    let max_id = field(q, "max_id").and_then(|m| m.parse().ok());
    let rows = herd_store::provider_audit::list(&mut c, org.as_ref().map(|o| o.id), max_id, 100).await?;
    let next = (rows.len() == 100).then(|| rows.last().map(|r| r.id.to_string())).flatten();
    let (csrf, new) = csrf_token(headers);
    let p = AuditPage {
        chrome: Chrome::new("Audit log", Some(&staff), &csrf),
        org: slug.unwrap_or_default(),
        rows: rows
            .into_iter()
            .map(|r| (Timestamp(r.created_at).to_rfc3339(), r.actor, r.action, r.target, r.detail))
            .collect(),
        next,
    };
    Ok(crate::page(s, StatusCode::OK, &p, new.then_some(csrf.as_str())))
}

pub async fn page(S(s): S<State>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    match load(&s, &headers, &q).await {
        Ok(r) => r,
        Err(e) => error_page(&e),
    }
}
