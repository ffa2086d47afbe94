//! Booking a service, ending a booking and opening it again, from an organization's page.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State as S};
use axum::http::HeaderMap;
use axum::response::Response;
use herd_api::State;
use herd_app::AppError;
use herd_app::bookings::{NewBooking, Target};
use herd_core::service::{parse_bytes, parse_minutes};
use herd_core::{Coverage, Service, Terms, Timestamp};

use super::field;
use super::organizations::{operator, org_of};
use crate::{error_page, redirect};

fn number(f: &HashMap<String, String>, k: &str) -> Result<Option<i64>, AppError> {
    field(f, k)
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| AppError::Invalid(format!("{k}: {v:?} is not a whole number")))
        })
        .transpose()
}

fn date(f: &HashMap<String, String>, k: &str) -> Result<Option<i64>, AppError> {
    field(f, k)
        .map(|v| {
            Timestamp::parse_date(&v)
                .map(|t| t.0)
                .ok_or_else(|| AppError::Invalid(format!("{k}: {v:?} is not a date like 2026-12-31")))
        })
        .transpose()
}

/// Terms from a form's fields (each optional, overriding the plan's).
pub(crate) fn terms(f: &HashMap<String, String>) -> Result<Terms, AppError> {
    Ok(Terms {
        response_minutes: field(f, "response").map(|v| parse_minutes(&v)).transpose()?,
        coverage: field(f, "coverage").map(|v| v.parse::<Coverage>()).transpose()?,
        backup_every_hours: field(f, "backup_every")
            .map(|v| parse_minutes(&v).map(|m| (m + 59) / 60))
            .transpose()?,
        backup_keep: number(f, "backup_keep")?,
        max_accounts: number(f, "max_accounts")?,
        max_storage_bytes: field(f, "max_storage").map(|v| parse_bytes(&v)).transpose()?,
        grace_days: number(f, "grace_days")?,
    })
}

pub async fn book(S(s): S<State>, headers: HeaderMap, Path(slug): Path<String>, Form(f): Form<HashMap<String, String>>) -> Response {
    let staff = match operator(&s, &headers, &f).await {
        Ok(st) => st,
        Err(r) => return r,
    };
    let org = match org_of(&s, &slug).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let made = async {
        let target = Target::named(&s.app, &org, field(&f, "instance").as_deref()).await?;
        let n = NewBooking {
            service: Service::parse(&field(&f, "service").unwrap_or_default())?,
            target,
            plan: field(&f, "plan"),
            terms: terms(&f)?,
            starts_at: date(&f, "starts")?,
            ends_at: date(&f, "ends")?,
        };
        herd_app::bookings::book(&s.app, &staff.actor(), &org, n).await
    };
    match made.await {
        Ok(_) => redirect(&format!("/organizations/{slug}")),
        Err(e) => error_page(&e),
    }
}

async fn change(s: State, headers: HeaderMap, slug: String, id: String, f: HashMap<String, String>, reopen: bool) -> Response {
    let staff = match operator(&s, &headers, &f).await {
        Ok(st) => st,
        Err(r) => return r,
    };
    let org = match org_of(&s, &slug).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let done = async {
        let id: i64 = id.parse().map_err(|_| AppError::NotFound("Record not found"))?;
        let b = herd_app::bookings::of_org(&s.app, org.id, id).await?;
        if reopen {
            herd_app::bookings::reopen(&s.app, &staff.actor(), &org, &b).await
        } else {
            herd_app::bookings::end(&s.app, &staff.actor(), &org, &b, None).await
        }
    };
    match done.await {
        Ok(_) => redirect(&format!("/organizations/{slug}")),
        Err(e) => error_page(&e),
    }
}

pub async fn end(
    S(s): S<State>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    change(s, headers, slug, id, f, false).await
}

pub async fn reopen(
    S(s): S<State>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    change(s, headers, slug, id, f, true).await
}
