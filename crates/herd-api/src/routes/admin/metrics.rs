//! `POST /api/v1/admin/measures`: the dashboard's counts per day, as Mastodon computes them
//! (`keys[]`, `start_at`, `end_at`, and `tag_*[id]` or `instance_*[domain]` where a measure
//! needs one). Keys Herd does not know are left out, as Mastodon leaves them out.

use axum::extract::State as S;
use axum::routing::post;
use axum::{Json, Router};
use herd_app::AppError;
use herd_core::{Permission, Timestamp};
use herd_store::metrics::{self, Measure};
use serde_json::{Value, json};

use crate::State;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};

pub fn routes() -> Router<State> {
    Router::new().route("/api/v1/admin/measures", post(measures))
}

const DAY: i64 = 86_400_000;

/// A date (`2026-12-01`) or a date and time, as the start of its UTC day.
fn day(p: &Params, k: &'static str) -> ApiResult<i64> {
    let raw = p
        .str(k)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| ApiError(AppError::BadRequest(format!("param is missing or the value is empty: {k}"))))?;
    let at = Timestamp::parse_iso8601(&raw).or_else(|| Timestamp::parse_date(&raw)).map(|t| t.0);
    at.map(|t| Timestamp(t).day_start().0)
        .ok_or_else(|| ApiError(AppError::Invalid(format!("Validation failed: {k} {raw:?} is not a date"))))
}

fn measure(key: &str, p: &Params) -> ApiResult<Option<Measure>> {
    let arg = |name: &str| {
        p.str(&format!("{key}[{name}]"))
            .or_else(|| p.get(key).and_then(|v| v.get(name)).and_then(|v| v.as_str().map(str::to_string)))
    };
    let tag = || -> ApiResult<i64> {
        arg("id")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| ApiError(AppError::BadRequest(format!("param is missing or the value is empty: {key}"))))
    };
    let domain = || -> ApiResult<String> {
        arg("domain")
            .filter(|d| !d.is_empty())
            .ok_or_else(|| ApiError(AppError::BadRequest(format!("param is missing or the value is empty: {key}"))))
    };
    Ok(Some(match key {
        "new_users" => Measure::NewUsers,
        "active_users" => Measure::ActiveUsers,
        "interactions" => Measure::Interactions,
        "opened_reports" => Measure::OpenedReports,
        "resolved_reports" => Measure::ResolvedReports,
        "tag_accounts" => Measure::TagAccounts(tag()?),
        "tag_uses" => Measure::TagUses(tag()?),
        "tag_servers" => Measure::TagServers(tag()?),
        "instance_accounts" => Measure::InstanceAccounts(domain()?),
        "instance_statuses" => Measure::InstanceStatuses(domain()?),
        "instance_follows" => Measure::InstanceFollows(domain()?),
        "instance_followers" => Measure::InstanceFollowers(domain()?),
        "instance_reports" => Measure::InstanceReports(domain()?),
        _ => return Ok(None),
    }))
}

async fn measures(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Vec<Value>>> {
    a.staff("admin:read")?.require(&[Permission::ViewDashboard])?;
    let keys = p.list("keys");
    if keys.is_empty() {
        return Err(ApiError(AppError::BadRequest(
            "param is missing or the value is empty: keys".into(),
        )));
    }
    let end = day(&p, "end_at")? + DAY;
    // At most two years, as Mastodon.
    let start = day(&p, "start_at")?.max(end - 731 * DAY);
    if start >= end {
        return Err(ApiError(AppError::Invalid(
            "Validation failed: start_at must be before end_at".into(),
        )));
    }
    let span = end - start;
    let mut c = s.app.db.conn().await?;
    let mut out = Vec::new();
    for key in &keys {
        let Some(m) = measure(key, &p)? else { continue };
        let (days, total) = metrics::measure(&mut c, t.id, &m, start, end).await?;
        let (_, previous) = metrics::measure(&mut c, t.id, &m, start - span, start).await?;
        let data: Vec<Value> = (0..span / DAY)
            .map(|i| {
                let d = start / DAY + i;
                let v = days.iter().find(|(day, _)| *day == d).map(|(_, v)| *v).unwrap_or(0);
                json!({"date": Timestamp(d * DAY).to_rfc3339(), "value": v.to_string()})
            })
            .collect();
        out.push(json!({"key": key, "unit": null, "total": total.to_string(), "previous_total": previous.to_string(), "data": data}));
    }
    Ok(Json(out))
}
