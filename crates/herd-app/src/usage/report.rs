use herd_store::TenantId;
use herd_store::usage::{self, DAY_MS, DailyRow};

use crate::{App, AppError, Result};

/// A calendar month, `2026-12`: its first and last epoch day.
pub fn month(s: &str) -> Result<(i64, i64)> {
    let bad = || AppError::Invalid(format!("{s:?} is not a month like 2026-12"));
    let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let first = chrono::NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
    let next = if m == 12 {
        chrono::NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        chrono::NaiveDate::from_ymd_opt(y, m + 1, 1)
    }
    .ok_or_else(bad)?;
    let day = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis() / DAY_MS);
    Ok((day(first).ok_or_else(bad)?, day(next).ok_or_else(bad)? - 1))
}

/// An organization's usage in a month: each instance's daily rows, and its domain.
pub struct MonthUsage {
    pub instances: Vec<(i64, String)>,
    pub rows: Vec<DailyRow>,
}

pub async fn month_of_org(app: &App, org: i64, (from, to): (i64, i64)) -> Result<MonthUsage> {
    let mut c = app.db.conn().await?;
    let instances = herd_store::organizations::tenants_of(&mut c, org)
        .await?
        .into_iter()
        .map(|(id, domain, _)| (id, domain))
        .collect();
    let rows = usage::of_org(&mut c, org, from, to).await?;
    Ok(MonthUsage { instances, rows })
}

/// One instance's rows for days `[from, to]`.
pub async fn of_tenant(app: &App, t: TenantId, from: i64, to: i64) -> Result<Vec<DailyRow>> {
    let mut c = app.db.conn().await?;
    Ok(usage::of_tenant(&mut c, t, from, to).await?)
}

/// The rows as CSV: one line per instance and day.
pub fn csv(u: &MonthUsage) -> String {
    let mut out = String::from(
        "instance,date,active_users,accounts,posts,media_bytes,remote_media_bytes,deliveries,delivery_failures,inbox_activities\n",
    );
    for r in &u.rows {
        let domain = u
            .instances
            .iter()
            .find(|(id, _)| *id == r.tenant_id)
            .map_or("", |(_, d)| d.as_str());
        let date = chrono::DateTime::from_timestamp_millis(r.day * DAY_MS)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        out.push_str(&format!(
            "{domain},{date},{},{},{},{},{},{},{},{}\n",
            r.active_users, r.accounts, r.posts, r.media_bytes, r.remote_media_bytes, r.deliveries, r.delivery_failures, r.inbox_activities
        ));
    }
    out
}
