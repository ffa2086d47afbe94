//! What every instance's domain has for a signed-in browser, beside the public pages: the
//! sign-in (`/auth/sign_in`: password, then the second factor where it is on), and a
//! member's two-factor settings (`/settings/two-factor`). The session is a token of the
//! instance (`herd_app::auth::open_session`) in an `HttpOnly`, `SameSite=Strict` cookie;
//! every request authenticates it as the API authenticates a bearer token.

mod sign_in;
mod sso;
mod two_factor;

use axum::Router;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use herd_api::State;
use herd_app::moderation::Moderator;
use herd_app::{Actor, AppError, Tenant};
use herd_core::Role;

use crate::{error_in, redirect};

pub(crate) const SESSION_COOKIE: &str = "herd_session";
pub(crate) const TICKET_COOKIE: &str = "herd_sign_in";

pub fn routes() -> Router<State> {
    Router::new()
        .route("/auth/sign_in", get(sign_in::form).post(sign_in::submit))
        .route("/auth/sign_in/two-factor", get(sign_in::code_form).post(sign_in::code_submit))
        .route("/auth/sign_out", post(sign_in::sign_out))
        .route("/auth/sso", get(sso::start))
        .route("/auth/sso/callback", get(sso::callback))
        .route("/settings/two-factor", get(two_factor::page))
        .route("/settings/two-factor/setup", post(two_factor::setup))
        .route("/settings/two-factor/confirm", post(two_factor::confirm))
        .route("/settings/two-factor/disable", post(two_factor::disable))
}

/// The signed-in account of a browser on an instance's domain.
pub(crate) struct Member {
    pub account: i64,
    pub username: String,
    pub role: Role,
}

impl Member {
    pub fn is_admin(&self) -> bool {
        matches!(self.role, Role::Owner | Role::Admin)
    }

    pub fn actor(&self) -> Actor {
        Actor::Account(self.account)
    }

    pub fn moderator(&self) -> Moderator {
        Moderator {
            account: Some(self.account),
            role: self.role,
        }
    }
}

/// Where a sign-in may lead back to: this site's console and settings pages only.
pub(crate) fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| {
        (*n == "/admin" || n.starts_with("/admin/") || n.starts_with("/settings/"))
            && !n.contains("//")
            && !n.contains('\\')
            && n.chars().all(|c| c.is_ascii_graphic())
    })
    .map(str::to_string)
}

/// The signed-in member, or the way to the sign-in page (coming back to `here`).
pub(crate) async fn member(s: &State, t: &Tenant, headers: &HeaderMap, here: &str) -> Result<Member, Response> {
    let to_sign_in = || redirect(&format!("/auth/sign_in?next={}", url_encode(here)));
    let Some(token) = herd_api::cookie_value(headers, SESSION_COOKIE) else {
        return Err(to_sign_in());
    };
    let viewer = match herd_app::auth::session(&s.app, t, &token).await {
        Ok(v) => v,
        Err(AppError::Unauthorized(_) | AppError::Forbidden(_)) => return Err(to_sign_in()),
        Err(e) => return Err(error_in(Some(t.domain.as_str()), &e)),
    };
    let Some(account) = viewer.account_id else {
        return Err(to_sign_in());
    };
    let username = async {
        let mut c = s.app.db.conn().await?;
        Ok::<_, AppError>(herd_store::accounts::by_id(&mut c, t.id, account).await?.username)
    }
    .await
    .map_err(|e| error_in(Some(t.domain.as_str()), &e))?;
    Ok(Member {
        account,
        username,
        role: viewer.role,
    })
}

pub(crate) fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
