//! What the Digital Services Act asks of the public pages: the notice form for visitors
//! without an account (`/about/notice`: the form, the acknowledgement, and the page a
//! notice's secret reference opens with its decision) and the transparency report
//! (`/about/transparency`). The form is protected by a double-submit CSRF cookie and counted
//! per address like sign-ups; its page alone allows a form to post (to itself).

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State as S};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use herd_api::{ClientIp, Ctx, State};
use herd_app::{AppError, Tenant};
use herd_core::Timestamp;
use subtle::ConstantTimeEq;

use crate::model::{Chrome, date_text};
use crate::{PageResult, html};

const CSRF_COOKIE: &str = "herd_notice_csrf";
const FORM_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticeForm {
    chrome: Chrome,
    csrf: String,
    example: String,
    grounds: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    item: String,
    ground: String,
    explanation: String,
    contact: String,
}

#[derive(Template)]
#[template(path = "notice_sent.html")]
struct NoticeSent {
    chrome: Chrome,
    received: String,
    link: String,
    has_contact: bool,
}

#[derive(Template)]
#[template(path = "notice_status.html")]
struct NoticeStatus {
    chrome: Chrome,
    item: String,
    ground: String,
    received: String,
    decision: Option<String>,
    decided: String,
}

fn chrome(t: &Tenant, title: &str, path: &str) -> Chrome {
    Chrome::new(
        t,
        format!("{title} – {}", t.row.title),
        title.to_string(),
        format!("{}{path}", t.base_url()),
    )
}

/// The form page: its own CSP (the form posts to itself), never cached, a fresh CSRF token.
fn form_page(t: &Tenant, status: StatusCode, fields: &HashMap<String, String>, error: Option<String>) -> Response {
    let csrf = herd_core::secret::generate();
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let page = NoticeForm {
        chrome: chrome(t, "Report illegal content", "/about/notice"),
        csrf: csrf.clone(),
        example: format!("{}/@name/123", t.base_url()),
        grounds: herd_app::dsa::GROUNDS.to_vec(),
        error,
        item: get("item"),
        ground: get("ground"),
        explanation: get("explanation"),
        contact: get("contact"),
    };
    let mut r = html(&page);
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(FORM_CSP));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let secure = if t.scheme == "https" { "; Secure" } else { "" };
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{CSRF_COOKIE}={csrf}; Path=/about/notice; HttpOnly; SameSite=Strict; Max-Age=3600{secure}"
    )) {
        h.insert(SET_COOKIE, v);
    }
    r
}

pub async fn form(Ctx(t): Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut fields = HashMap::new();
    if let Some(item) = q.get("item") {
        fields.insert("item".to_string(), item.clone());
    }
    form_page(&t, StatusCode::OK, &fields, None)
}

pub async fn submit(
    S(s): S<State>,
    Ctx(t): Ctx,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let sent = fields.get("authenticity_token").cloned().unwrap_or_default();
    let expected = herd_api::cookie_value(&headers, CSRF_COOKIE).unwrap_or_default();
    if sent.is_empty() || !bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
        let msg = "The form expired or did not come from this site. Please send it again.".to_string();
        return form_page(&t, StatusCode::FORBIDDEN, &fields, Some(msg));
    }
    if !s.limits.notice(t.id.0, ip, Timestamp::now().0) {
        let msg = "Too many notices from your address. Please wait a while and try again.".to_string();
        return form_page(&t, StatusCode::TOO_MANY_REQUESTS, &fields, Some(msg));
    }
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let notice = herd_app::dsa::NewNotice {
        item_url: get("item"),
        ground: get("ground"),
        explanation: get("explanation"),
        contact: Some(get("contact")),
        confirmed: !get("confirm").is_empty(),
    };
    match herd_app::dsa::submit(&s.app, &t, notice).await {
        Ok((row, reference)) => {
            let page = NoticeSent {
                chrome: chrome(&t, "Notice received", "/about/notice"),
                received: date_text(row.created_at),
                link: format!("{}/about/notice/{reference}", t.base_url()),
                has_contact: row.contact.is_some(),
            };
            let mut r = html(&page);
            r.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(AppError::Invalid(msg)) => form_page(&t, StatusCode::UNPROCESSABLE_ENTITY, &fields, Some(msg)),
        Err(e) => crate::PageError::from(e).into_response(),
    }
}

pub async fn status(S(s): S<State>, Ctx(t): Ctx, Path(reference): Path<String>) -> PageResult {
    let n = herd_app::dsa::lookup(&s.app, &t, &reference).await?;
    let ground = herd_app::dsa::GROUNDS
        .iter()
        .find(|(g, _)| *g == n.ground)
        .map(|(_, l)| l.to_string())
        .unwrap_or(n.ground.clone());
    let mut r = html(&NoticeStatus {
        chrome: chrome(&t, "Your notice", "/about/notice"),
        item: n.item_url,
        ground,
        received: date_text(n.created_at),
        decision: n.decision,
        decided: n.decided_at.map(date_text).unwrap_or_default(),
    });
    r.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

#[derive(Template)]
#[template(path = "transparency.html")]
struct TransparencyPage {
    chrome: Chrome,
    from: String,
    to: String,
    json: String,
    csv: String,
    sections: Vec<(&'static str, Vec<(String, i64)>)>,
    resolved: usize,
    median: String,
}

pub async fn transparency(S(s): S<State>, Ctx(t): Ctx, Query(q): Query<HashMap<String, String>>) -> PageResult {
    let (from, to) = herd_app::dsa::period(q.get("from").map(String::as_str), q.get("to").map(String::as_str))?;
    let r = herd_app::dsa::transparency(&s.app, &t, from, to).await?;
    match q.get("format").map(String::as_str) {
        Some("json") => {
            return Ok((
                [(CONTENT_TYPE, "application/json")],
                serde_json::to_string_pretty(&r).unwrap_or_default(),
            )
                .into_response());
        }
        Some("csv") => return Ok(([(CONTENT_TYPE, "text/csv; charset=utf-8")], r.to_csv()).into_response()),
        _ => {}
    }
    let pairs = |v: &[herd_app::dsa::Count]| v.iter().map(|c| (c.key.clone(), c.count)).collect::<Vec<_>>();
    let actions = r
        .actions
        .iter()
        .map(|a| (format!("{} ({})", a.action, a.ground.replace('_', " ")), a.count))
        .collect();
    let query = format!("from={}&to={}", Timestamp(from).to_date(), Timestamp(to - 86_400_000).to_date());
    Ok(html(&TransparencyPage {
        chrome: chrome(&t, "Transparency report", "/about/transparency"),
        from: date_text(from),
        to: date_text(to - 1),
        json: format!("/about/transparency?{query}&format=json"),
        csv: format!("/about/transparency?{query}&format=csv"),
        sections: vec![
            ("Notices received", pairs(&r.notices)),
            ("Reports by source", pairs(&r.reports_by_origin)),
            ("Reports by category", pairs(&r.reports_by_category)),
            ("Actions by type and ground", actions),
            ("Automated decisions", pairs(&r.automated_decisions)),
            ("Appeals", pairs(&r.appeals)),
        ],
        resolved: r.reports_resolved,
        median: r
            .median_handling_hours
            .map(|h| format!("{h} hours"))
            .unwrap_or_else(|| "none resolved".into()),
    }))
}
