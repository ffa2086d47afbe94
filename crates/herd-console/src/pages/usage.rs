//! An organization's usage in a month: a chart of active users per day (server-rendered
//! SVG, no script) and the table of every instance's daily figures, with the CSV.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State as S};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use herd_api::State;
use herd_app::usage::{self, DAY_MS};

use super::field;
use super::organizations::org_of;
use crate::{Chrome, csrf_token, day, error_page, page, signed_in};

pub(crate) struct Bar {
    pub x: i64,
    pub y: i64,
    pub height: i64,
    pub label: String,
}

pub(crate) struct Row {
    pub instance: String,
    pub date: String,
    pub active: i64,
    pub accounts: i64,
    pub posts: i64,
    pub media_mb: String,
    pub deliveries: i64,
    pub failed: i64,
    pub inbox: i64,
}

#[derive(Template)]
#[template(path = "console/usage.html")]
struct UsagePage {
    chrome: Chrome,
    action: String,
    name: String,
    month: String,
    bars: Vec<Bar>,
    peak: i64,
    rows: Vec<Row>,
}

const CHART_H: i64 = 160;
const BAR_W: i64 = 18;

/// Bars of the day's active users summed over the instances, scaled to the chart.
pub(crate) fn bars(per_day: &BTreeMap<i64, i64>, from: i64, to: i64) -> (Vec<Bar>, i64) {
    let peak = per_day.values().copied().max().unwrap_or(0).max(1);
    let bars = (from..=to)
        .enumerate()
        .map(|(i, d)| {
            let v = per_day.get(&d).copied().unwrap_or(0);
            let h = v * CHART_H / peak;
            Bar {
                x: i as i64 * (BAR_W + 4) + 40,
                y: CHART_H - h + 10,
                height: h,
                label: format!("{}: {v}", day(d * DAY_MS)),
            }
        })
        .collect();
    (bars, peak)
}

pub async fn page_for(s: &State, headers: &HeaderMap, slug: &str, q: &HashMap<String, String>) -> Result<Response, herd_app::AppError> {
    let staff = match signed_in(s, headers).await {
        Ok(st) => st,
        Err(r) => return Ok(r),
    };
    let org = match org_of(s, slug).await {
        Ok(o) => o,
        Err(r) => return Ok(r),
    };
    let (csrf, new) = csrf_token(headers);
    let chrome = |month: &str| Chrome::new(format!("Usage of {} in {month}", org.name), Some(&staff), &csrf);
    let r = render(s, q, &org, &format!("/organizations/{}/usage", org.slug), chrome).await?;
    Ok(with_csrf(s, r, new.then_some(csrf.as_str())))
}

/// Sets a new CSRF cookie on a page made elsewhere.
pub(crate) fn with_csrf(s: &State, mut r: Response, new: Option<&str>) -> Response {
    if let Some(token) = new
        && let Some(v) = crate::cookie(crate::CSRF_COOKIE, token, 12 * 3600, s)
    {
        r.headers_mut().append(axum::http::header::SET_COOKIE, v);
    }
    r
}

/// The usage page (or, with `format=csv`, the CSV) of an organization's month, for either
/// console: `action` is the page's own path, `chrome` its chrome for the month shown.
pub(crate) async fn render(
    s: &State,
    q: &HashMap<String, String>,
    org: &herd_store::organizations::OrgRow,
    action: &str,
    chrome: impl FnOnce(&str) -> Chrome,
) -> Result<Response, herd_app::AppError> {
    let month = field(q, "month").unwrap_or_else(|| chrono::Utc::now().format("%Y-%m").to_string());
    let (from, to) = usage::month(&month)?;
    let u = usage::month_of_org(&s.app, org.id, (from, to)).await?;
    if q.get("format").map(String::as_str) == Some("csv") {
        let mut r = usage::csv(&u).into_response();
        let h = r.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"usage-{}-{month}.csv\"", org.slug)) {
            h.insert(CONTENT_DISPOSITION, v);
        }
        return Ok(r);
    }
    let mut per_day: BTreeMap<i64, i64> = BTreeMap::new();
    for r in &u.rows {
        *per_day.entry(r.day).or_default() += r.active_users;
    }
    let (bars, peak) = bars(&per_day, from, to);
    let name_of = |t: i64| {
        u.instances
            .iter()
            .find(|(id, _)| *id == t)
            .map(|(_, d)| d.clone())
            .unwrap_or_default()
    };
    let rows = u
        .rows
        .iter()
        .map(|r| Row {
            instance: name_of(r.tenant_id),
            date: day(r.day * DAY_MS),
            active: r.active_users,
            accounts: r.accounts,
            posts: r.posts,
            media_mb: format!("{:.1}", (r.media_bytes + r.remote_media_bytes) as f64 / 1e6),
            deliveries: r.deliveries,
            failed: r.delivery_failures,
            inbox: r.inbox_activities,
        })
        .collect();
    let p = UsagePage {
        chrome: chrome(&month),
        action: action.to_string(),
        name: org.name.clone(),
        month,
        bars,
        peak,
        rows,
    };
    Ok(page(s, StatusCode::OK, &p, None))
}

pub async fn page_route(
    S(s): S<State>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match page_for(&s, &headers, &slug, &q).await {
        Ok(r) => r,
        Err(e) => error_page(&e),
    }
}
