//! Announcements to the instance's members: listed (current, scheduled and past), published,
//! deleted, through the same verbs as Mastodon's admin API and `herd announcement`.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State as S};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use herd_api::{Ctx, State};
use herd_app::AppError;
use herd_app::announcements::NewAnnouncement;
use herd_core::Timestamp;

use super::{admin, admin_form, done, or_error};
use crate::pages::field;
use crate::{Chrome, csrf_token, day, page as render};

const HERE: &str = "/admin/announcements";

pub(crate) struct Line {
    pub id: String,
    pub published: String,
    pub text: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "console/org_announcements.html")]
struct AnnouncementsPage {
    chrome: Chrome,
    announcements: Vec<Line>,
}

pub async fn page(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap) -> Response {
    let m = match admin(&s, &t, &headers, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let r = async {
        let mut c = s.app.db.conn().await?;
        let rows = herd_store::announcements::list(&mut c, t.id, Timestamp::now().0, true).await?;
        let (csrf, new) = csrf_token(&headers);
        let p = AnnouncementsPage {
            chrome: Chrome::instance("Announcements", t.domain.as_str(), Some(&m), &csrf),
            announcements: rows
                .into_iter()
                .map(|a| Line {
                    id: a.id.to_string(),
                    published: Timestamp(a.published_at).to_rfc3339(),
                    text: a.text,
                    when: match (a.starts_at, a.ends_at) {
                        (None, None) => "–".into(),
                        (s, e) => format!("{} to {}", s.map(day).unwrap_or_default(), e.map(day).unwrap_or_default()),
                    },
                })
                .collect(),
        };
        Ok::<_, AppError>(render(&s, StatusCode::OK, &p, new.then_some(csrf.as_str())))
    }
    .await;
    or_error(&t, r)
}

/// `YYYY-MM-DD` as the start of that day (UTC), or a clear refusal.
fn date(f: &HashMap<String, String>, k: &str) -> Result<Option<i64>, AppError> {
    match field(f, k) {
        None => Ok(None),
        Some(v) => chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| Some(d.and_utc().timestamp_millis()))
            .ok_or_else(|| AppError::Invalid(format!("{k} must be a date written YYYY-MM-DD, not {v:?}"))),
    }
}

pub async fn publish(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    let m = match admin_form(&s, &t, &headers, &f, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let r = async {
        let starts_at = date(&f, "starts_at")?;
        let ends_at = date(&f, "ends_at")?;
        let a = NewAnnouncement {
            text: f.get("text").cloned().unwrap_or_default(),
            all_day: starts_at.is_some() || ends_at.is_some(),
            starts_at,
            ends_at,
        };
        herd_app::announcements::publish(&s.app, &m.actor(), &t, a).await
    }
    .await;
    done(&t, r, HERE)
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
        Ok(id) => herd_app::announcements::delete(&s.app, &m.actor(), &t, id).await,
        Err(_) => Err(AppError::NotFound("Record not found")),
    };
    done(&t, r, HERE)
}
