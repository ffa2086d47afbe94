//! The organization console at `https://INSTANCE/admin`, for the instance's owners and
//! admins (signed in on their own instance's domain, `crate::instance`): what the
//! organization booked (read only) and used, everything done in its name (by its own staff
//! and by the provider's), and the instance's staff accounts, rules, sign-up policy, texts,
//! custom emoji and announcements. One file per page; each form is CSRF-checked, each
//! change goes through the same `herd-app` verb as the CLI and Mastodon's admin API, with
//! the audit record that verb writes.

mod accounts;
mod announcements;
mod audit;
mod emoji;
mod overview;
mod rules;
mod settings;
mod sso;
mod teams;

use std::collections::HashMap;

use axum::Router;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use herd_api::State;
use herd_app::{AppError, Tenant};
use herd_store::organizations::OrgRow;

use crate::instance::{Member, member};
use crate::{csrf_ok, csrf_refused_in, error_in, redirect};

pub fn routes() -> Router<State> {
    Router::new()
        .route("/admin", get(overview::page))
        .route("/admin/usage", get(overview::usage))
        .route("/admin/audit", get(audit::page))
        .route("/admin/accounts", get(accounts::page).post(accounts::invite))
        .route("/admin/accounts/role", post(accounts::role))
        .route("/admin/accounts/{id}/disable", post(accounts::disable))
        .route("/admin/accounts/{id}/enable", post(accounts::enable))
        .route("/admin/accounts/{id}/reset-two-factor", post(accounts::reset_two_factor))
        .route("/admin/rules", get(rules::page).post(rules::add))
        .route("/admin/rules/{id}/delete", post(rules::remove))
        .route("/admin/settings", get(settings::page).post(settings::save))
        .route("/admin/sso", get(sso::page).post(sso::save))
        .route("/admin/sso/disable", post(sso::turn_off))
        .route("/admin/emoji", get(emoji::page).post(emoji::add))
        .route("/admin/emoji/{shortcode}/delete", post(emoji::remove))
        .route("/admin/announcements", get(announcements::page).post(announcements::publish))
        .route("/admin/announcements/{id}/delete", post(announcements::remove))
        .route("/admin/teams", get(teams::page).post(teams::create))
        .route("/admin/teams/{id}/members", post(teams::add_member))
        .route("/admin/teams/{id}/members/remove", post(teams::remove_member))
}

/// A signed-in owner or admin of this instance, or the page that says why not.
pub(crate) async fn admin(s: &State, t: &Tenant, headers: &HeaderMap, here: &str) -> Result<Member, Response> {
    let m = member(s, t, headers, here).await?;
    if !m.is_admin() {
        return Err(error_in(
            Some(t.domain.as_str()),
            &AppError::Forbidden("The organization console is for the instance's owners and admins".into()),
        ));
    }
    Ok(m)
}

/// The checks every form of the console makes: CSRF, then an owner or admin.
pub(crate) async fn admin_form(
    s: &State,
    t: &Tenant,
    headers: &HeaderMap,
    f: &HashMap<String, String>,
    here: &str,
) -> Result<Member, Response> {
    if !csrf_ok(headers, f.get("authenticity_token")) {
        return Err(csrf_refused_in(Some(t.domain.as_str())));
    }
    admin(s, t, headers, here).await
}

/// After a form: back to its page, or the verb's refusal.
pub(crate) fn done<T>(t: &Tenant, r: Result<T, AppError>, back: &str) -> Response {
    match r {
        Ok(_) => redirect(back),
        Err(e) => error_in(Some(t.domain.as_str()), &e),
    }
}

/// The organization the instance belongs to.
pub(crate) async fn org_of(s: &State, t: &Tenant) -> Result<OrgRow, AppError> {
    let mut c = s.app.db.conn().await?;
    herd_store::organizations::of_tenant(&mut c, t.id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))
}

/// A page's body, or the refusal as a page of this instance.
pub(crate) fn or_error(t: &Tenant, r: Result<Response, AppError>) -> Response {
    r.unwrap_or_else(|e| error_in(Some(t.domain.as_str()), &e))
}

/// An account made from a console form (`username`, `email`): approved and confirmed, its
/// password generated (and shown once, except for a team account, which has none).
pub(crate) fn made_account(
    f: &HashMap<String, String>,
    role: herd_core::Role,
    reason: &str,
    team: bool,
) -> Result<herd_app::accounts::NewLocalAccount, AppError> {
    use crate::pages::field;
    Ok(herd_app::accounts::NewLocalAccount {
        username: herd_core::Username::parse(&field(f, "username").unwrap_or_default())?,
        email: herd_core::Email::parse(&field(f, "email").unwrap_or_default())?,
        password: None,
        role,
        approved: true,
        confirmed: true,
        locale: "en".into(),
        reason: reason.into(),
        team,
    })
}
