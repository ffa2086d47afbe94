//! Team accounts: made here (no password; members act as them), their members added and
//! removed, and what members did as them.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State as S};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use herd_api::{Ctx, State};
use herd_app::accounts;
use herd_app::{AppError, teams};
use herd_core::{Role, Timestamp};
use herd_store::audit::AuditFilter;

use super::{admin, admin_form, done, or_error};
use crate::pages::field;
use crate::{Chrome, csrf_token, page as render};

const HERE: &str = "/admin/teams";

pub(crate) struct Action {
    pub at: String,
    pub who: String,
    pub team: String,
    pub what: &'static str,
    pub post: String,
}

#[derive(Template)]
#[template(path = "console/org_teams.html")]
struct TeamsPage {
    chrome: Chrome,
    teams: Vec<teams::Team>,
    actions: Vec<Action>,
}

const ACTIONS: &[(&str, &str)] = &[
    ("team.status.create", "posted"),
    ("team.status.edit", "edited"),
    ("team.status.delete", "deleted"),
];

pub async fn page(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap) -> Response {
    let m = match admin(&s, &t, &headers, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let r = async {
        let teams = teams::list(&s.app, &t).await?;
        let mut c = s.app.db.conn().await?;
        let mut rows = Vec::new();
        for (action, what) in ACTIONS {
            let f = AuditFilter {
                action: Some(action.to_string()),
                ..AuditFilter::default()
            };
            let page = herd_store::Page {
                max_id: None,
                since_id: None,
                min_id: None,
                limit: 50,
            };
            for r in herd_store::audit::list(&mut c, t.id, &f, &page).await? {
                rows.push((r, *what));
            }
        }
        rows.sort_by_key(|(r, _)| std::cmp::Reverse(r.id));
        rows.truncate(50);
        let mut names: HashMap<i64, String> = HashMap::new();
        let mut name = async |c: &mut herd_store::Conn, id: i64| -> Result<String, AppError> {
            if let Some(n) = names.get(&id) {
                return Ok(n.clone());
            }
            let n = herd_store::accounts::by_id(c, t.id, id)
                .await
                .map(|a| format!("@{}", a.username))
                .unwrap_or_else(|_| id.to_string());
            names.insert(id, n.clone());
            Ok(n)
        };
        let mut actions = Vec::with_capacity(rows.len());
        for (r, what) in rows {
            let member = r.actor.strip_prefix("account:").and_then(|i| i.parse::<i64>().ok());
            let team = serde_json::from_str::<serde_json::Value>(&r.detail)
                .ok()
                .and_then(|d| d["team"].as_str().and_then(|v| v.parse::<i64>().ok()));
            actions.push(Action {
                at: Timestamp(r.created_at).to_rfc3339(),
                who: match member {
                    Some(id) => name(&mut c, id).await?,
                    None => r.actor.clone(),
                },
                team: match team {
                    Some(id) => name(&mut c, id).await?,
                    None => String::new(),
                },
                what,
                post: r.target,
            });
        }
        let (csrf, new) = csrf_token(&headers);
        let p = TeamsPage {
            chrome: Chrome::instance("Team accounts", t.domain.as_str(), Some(&m), &csrf),
            teams,
            actions,
        };
        Ok::<_, AppError>(render(&s, StatusCode::OK, &p, new.then_some(csrf.as_str())))
    }
    .await;
    or_error(&t, r)
}

pub async fn create(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    let m = match admin_form(&s, &t, &headers, &f, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let r = async {
        let n = super::made_account(&f, Role::Member, "a team account", true)?;
        accounts::create(&s.app, &t, &m.actor(), n).await
    }
    .await;
    done(&t, r, HERE)
}

async fn members(s: &State, t: &herd_app::Tenant, headers: &HeaderMap, id: &str, f: &HashMap<String, String>, add: bool) -> Response {
    let m = match admin_form(s, t, headers, f, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let r = async {
        let team = id.parse::<i64>().map_err(|_| AppError::NotFound("Record not found"))?;
        let username = field(f, "username").unwrap_or_default();
        if add {
            teams::add_member(&s.app, &m.actor(), t, team, &username).await
        } else {
            teams::remove_member(&s.app, &m.actor(), t, team, &username).await
        }
    }
    .await;
    done(t, r, HERE)
}

pub async fn add_member(
    S(s): S<State>,
    Ctx(t): Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    members(&s, &t, &headers, &id, &f, true).await
}

pub async fn remove_member(
    S(s): S<State>,
    Ctx(t): Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    members(&s, &t, &headers, &id, &f, false).await
}
