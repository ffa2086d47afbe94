//! Everything done in the organization's name: this instance's audit log (its staff, the
//! operator, rules and subscriptions, the provider's staff acting inside it) and the
//! provider audit rows of the organization (bookings, contacts, instances), merged newest
//! first. Both logs' ids sort by time, so one `max_id` pages through both.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State as S};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use herd_api::{Ctx, State};
use herd_app::AppError;
use herd_core::Timestamp;
use herd_store::{Conn, Page, TenantId};

use super::{admin, or_error, org_of};
use crate::pages::field;
use crate::{Chrome, csrf_token, page as render};

pub(crate) struct Line {
    pub id: i64,
    pub at: String,
    pub place: String,
    pub who: String,
    pub what: String,
    pub on: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "console/org_audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<Line>,
    next: Option<String>,
}

const LIMIT: i64 = 100;

/// `account:1` as `@alice`, `staff:2` as the provider's staff member by name.
async fn who(c: &mut Conn, t: TenantId, actor: &str, names: &mut HashMap<String, String>) -> Result<String, AppError> {
    if let Some(n) = names.get(actor) {
        return Ok(n.clone());
    }
    let name = match actor.split_once(':') {
        Some(("account", id)) => match id.parse::<i64>() {
            Ok(id) => match herd_store::accounts::by_id(c, t, id).await {
                Ok(a) => format!("@{}", a.username),
                Err(_) => actor.to_string(),
            },
            Err(_) => actor.to_string(),
        },
        Some(("staff", id)) => match id.parse::<i64>() {
            Ok(id) => match herd_store::staff::by_id(c, id).await? {
                Some(s) => format!("{} (provider)", s.name),
                None => actor.to_string(),
            },
            Err(_) => actor.to_string(),
        },
        Some(("operator", _)) => "the provider's operator".to_string(),
        _ => actor.to_string(),
    };
    names.insert(actor.to_string(), name.clone());
    Ok(name)
}

pub async fn page(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let m = match admin(&s, &t, &headers, "/admin/audit").await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let max_id = field(&q, "max_id").and_then(|v| v.parse::<i64>().ok());
    let load = async {
        let org = org_of(&s, &t).await?;
        let mut c = s.app.db.conn().await?;
        let local = herd_store::audit::list(
            &mut c,
            t.id,
            &herd_store::audit::AuditFilter::default(),
            &Page {
                max_id,
                since_id: None,
                min_id: None,
                limit: LIMIT,
            },
        )
        .await?;
        let provider = herd_store::provider_audit::list(&mut c, Some(org.id), max_id, LIMIT).await?;
        let mut names = HashMap::new();
        let mut rows = Vec::with_capacity(local.len() + provider.len());
        for r in local {
            rows.push(Line {
                id: r.id,
                at: Timestamp(r.created_at).to_rfc3339(),
                place: t.domain.to_string(),
                who: who(&mut c, t.id, &r.actor, &mut names).await?,
                what: r.action,
                on: r.target,
                detail: r.detail,
            });
        }
        for r in provider {
            rows.push(Line {
                id: r.id,
                at: Timestamp(r.created_at).to_rfc3339(),
                place: "provider".into(),
                who: who(&mut c, t.id, &r.actor, &mut names).await?,
                what: r.action,
                on: r.target,
                detail: r.detail,
            });
        }
        rows.sort_by_key(|r| std::cmp::Reverse(r.id));
        let full = rows.len() as i64 > LIMIT;
        rows.truncate(LIMIT as usize);
        let next = full.then(|| rows.last().map(|r| r.id.to_string())).flatten();
        Ok::<_, AppError>((rows, next))
    };
    let r = async {
        let (rows, next) = load.await?;
        let (csrf, new) = csrf_token(&headers);
        let p = AuditPage {
            chrome: Chrome::instance("Audit log", t.domain.as_str(), Some(&m), &csrf),
            rows,
            next,
        };
        Ok(render(&s, StatusCode::OK, &p, new.then_some(csrf.as_str())))
    }
    .await;
    or_error(&t, r)
}
