//! The overview: the organization, the instance's hosting state and quotas, and every
//! booking that concerns the instance (its own and the organization's), read only; and the
//! organization's usage.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State as S};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use herd_api::{Ctx, State};
use herd_app::AppError;
use herd_core::Service;

use super::{admin, or_error, org_of};
use crate::pages::organizations::{BookingLine, hosting_text};
use crate::{Chrome, csrf_token, page as render};

#[derive(Template)]
#[template(path = "console/org_overview.html")]
struct OverviewPage {
    chrome: Chrome,
    org: String,
    state: String,
    accounts: String,
    storage: String,
    bookings: Vec<BookingLine>,
}

pub async fn page(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap) -> Response {
    let m = match admin(&s, &t, &headers, "/admin").await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let load = async {
        let org = org_of(&s, &t).await?;
        let grant = herd_app::entitlements::of(&s.app, t.id).await?;
        let mut c = s.app.db.conn().await?;
        let bookings = herd_store::bookings::for_tenant(&mut c, t.id).await?;
        let externals = herd_store::organizations::externals_of(&mut c, org.id).await?;
        let accounts = herd_store::usage::local_accounts(&mut c, t.id).await?;
        let bytes = herd_store::usage::local_media_bytes(&mut c, t.id).await?;
        drop(c);
        let hosting = grant.terms(Service::Hosting);
        let now = herd_core::Timestamp::now().0;
        let lines = bookings
            .iter()
            .map(|b| {
                let target = match (b.tenant_id, b.external_id) {
                    (Some(_), _) => t.domain.to_string(),
                    (_, Some(e)) => externals.iter().find(|x| x.id == e).map(|x| x.domain.clone()).unwrap_or_default(),
                    _ => "Whole organization".into(),
                };
                BookingLine::of(b, target, now)
            })
            .collect();
        Ok::<_, AppError>(OverviewPage {
            chrome: Chrome::instance(org.name.clone(), t.domain.as_str(), Some(&m), ""),
            org: org.name,
            state: hosting_text(grant.hosting),
            accounts: match hosting.and_then(|h| h.max_accounts) {
                Some(max) => format!("{accounts} of {max}"),
                None => accounts.to_string(),
            },
            storage: match hosting.and_then(|h| h.max_storage_bytes) {
                Some(max) => format!("{:.1} MB of {:.1} MB", bytes as f64 / 1e6, max as f64 / 1e6),
                None => format!("{:.1} MB", bytes as f64 / 1e6),
            },
            bookings: lines,
        })
    };
    match load.await {
        Ok(mut p) => {
            let (csrf, new) = csrf_token(&headers);
            p.chrome.csrf = csrf.clone();
            render(&s, StatusCode::OK, &p, new.then_some(csrf.as_str()))
        }
        Err(e) => or_error(&t, Err(e)),
    }
}

pub async fn usage(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let m = match admin(&s, &t, &headers, "/admin/usage").await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let r = async {
        let org = org_of(&s, &t).await?;
        let (csrf, new) = csrf_token(&headers);
        let chrome = |month: &str| Chrome::instance(format!("Usage of {} in {month}", org.name), t.domain.as_str(), Some(&m), &csrf);
        let r = crate::pages::usage::render(&s, &q, &org, "/admin/usage", chrome).await?;
        Ok(crate::pages::usage::with_csrf(&s, r, new.then_some(csrf.as_str())))
    }
    .await;
    or_error(&t, r)
}
