//! The instance's staff accounts: who holds which role, with two-factor on or not; invite
//! someone (an account made with a password shown once, since mail is not sent yet); give
//! an account another role; disable and enable; turn off someone's second factor.
//!
//! Roles follow Mastodon's positions: an owner may do anything (the last owner stays), an
//! admin acts only on accounts below admin and gives only roles below their own. Nobody acts
//! on their own account here.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State as S};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use herd_api::{Ctx, State};
use herd_app::accounts;
use herd_app::moderation::{ActionParams, Lift};
use herd_app::{AppError, Tenant};
use herd_core::{AccountAction, Role};

use super::{admin, admin_form, done, or_error};
use crate::instance::Member;
use crate::pages::field;
use crate::{Chrome, csrf_token, day, page as render};

const HERE: &str = "/admin/accounts";

pub(crate) struct StaffLine {
    pub id: String,
    pub username: String,
    pub email: String,
    pub role: String,
    pub two_factor: String,
    pub disabled: bool,
    pub is_self: bool,
}

#[derive(Template)]
#[template(path = "console/org_accounts.html")]
struct AccountsPage {
    chrome: Chrome,
    staff: Vec<StaffLine>,
    roles: Vec<&'static str>,
    created: Option<(String, String)>,
}

/// The roles `m` may give.
fn grantable(m: &Member) -> Vec<Role> {
    [Role::Member, Role::Moderator, Role::Admin, Role::Owner]
        .into_iter()
        .filter(|r| m.role == Role::Owner || m.role.overrides(*r))
        .collect()
}

async fn show(s: &State, t: &Tenant, headers: &HeaderMap, m: &Member, created: Option<(String, String)>) -> Response {
    let r = async {
        let mut c = s.app.db.conn().await?;
        let rows = herd_store::users::staff(&mut c, t.id).await?;
        drop(c);
        let staff = rows
            .into_iter()
            .map(|(username, u, otp)| StaffLine {
                id: u.account_id.to_string(),
                is_self: u.account_id == m.account,
                username,
                email: u.email,
                role: u.role,
                two_factor: otp.map(|at| format!("on since {}", day(at))).unwrap_or_else(|| "off".into()),
                disabled: u.disabled != 0,
            })
            .collect();
        let (csrf, new) = csrf_token(headers);
        let p = AccountsPage {
            chrome: Chrome::instance("Staff accounts", t.domain.as_str(), Some(m), &csrf),
            staff,
            roles: grantable(m).into_iter().map(|r| r.as_str()).collect(),
            created,
        };
        Ok(render(s, StatusCode::OK, &p, new.then_some(csrf.as_str())))
    }
    .await;
    or_error(t, r)
}

pub async fn page(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap) -> Response {
    match admin(&s, &t, &headers, HERE).await {
        Ok(m) => show(&s, &t, &headers, &m, None).await,
        Err(r) => r,
    }
}

fn role_field(f: &HashMap<String, String>, m: &Member) -> Result<Role, AppError> {
    let role = Role::parse(&field(f, "role").unwrap_or_else(|| "member".into()))?;
    if !grantable(m).contains(&role) {
        return Err(AppError::Forbidden(format!("You cannot give the role {}", role.as_str())));
    }
    Ok(role)
}

/// Refuses acting on oneself, or (for an admin) on an account of admin rank or above.
async fn may_act_on(s: &State, t: &Tenant, m: &Member, target: i64) -> Result<(), AppError> {
    if target == m.account {
        return Err(AppError::Forbidden(
            "Use another owner's or admin's account to change your own".into(),
        ));
    }
    if m.role == Role::Owner {
        return Ok(());
    }
    let mut c = s.app.db.conn().await?;
    m.moderator().outranks(&mut c, t.id, target).await
}

pub async fn invite(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    let m = match admin_form(&s, &t, &headers, &f, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let made = async {
        let n = super::made_account(&f, role_field(&f, &m)?, "invited from the organization console", false)?;
        accounts::create(&s.app, &t, &m.actor(), n).await
    };
    match made.await {
        Ok((a, password)) => show(&s, &t, &headers, &m, Some((a.username, password.unwrap_or_default()))).await,
        Err(e) => done::<()>(&t, Err(e), HERE),
    }
}

pub async fn role(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    let m = match admin_form(&s, &t, &headers, &f, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let r = async {
        let role = role_field(&f, &m)?;
        let username = field(&f, "username").unwrap_or_default();
        let account = accounts::local_by_username(&s.app, &t, username.trim_start_matches('@')).await?;
        may_act_on(&s, &t, &m, account.id).await?;
        accounts::set_role(&s.app, &m.actor(), &t, account.id, role).await
    }
    .await;
    done(&t, r, HERE)
}

async fn on_account(s: &State, t: &Tenant, headers: &HeaderMap, f: &HashMap<String, String>, id: &str) -> Result<(Member, i64), Response> {
    let m = admin_form(s, t, headers, f, HERE).await?;
    let target = id
        .parse::<i64>()
        .map_err(|_| crate::error_in(Some(t.domain.as_str()), &AppError::NotFound("Record not found")))?;
    may_act_on(s, t, &m, target)
        .await
        .map_err(|e| crate::error_in(Some(t.domain.as_str()), &e))?;
    Ok((m, target))
}

pub async fn disable(
    S(s): S<State>,
    Ctx(t): Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let (m, target) = match on_account(&s, &t, &headers, &f, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let p = ActionParams {
        kind: AccountAction::Disable,
        report_id: None,
        text: field(&f, "text").unwrap_or_default(),
        notify: false,
    };
    done(&t, herd_app::moderation::act(&s.app, &m.moderator(), &t, target, p).await, HERE)
}

pub async fn enable(
    S(s): S<State>,
    Ctx(t): Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let (m, target) = match on_account(&s, &t, &headers, &f, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    done(
        &t,
        herd_app::moderation::lift(&s.app, &m.moderator(), &t, target, Lift::Enable).await,
        HERE,
    )
}

pub async fn reset_two_factor(
    S(s): S<State>,
    Ctx(t): Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let (m, target) = match on_account(&s, &t, &headers, &f, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    done(&t, accounts::two_factor::reset(&s.app, &m.actor(), &t, target).await, HERE)
}
