//! Local accounts: creating them (CLI, sign-up) and changing their profile.

mod create;
mod manage;
mod note;
mod sign_up;
pub mod two_factor;
mod update;
mod verify_links;

pub use create::{NewLocalAccount, create};
pub use manage::{approve, reject, reset_password, set_role};
pub use note::note;
pub use sign_up::{SignUp, sign_up};
pub use update::{ProfileUpdate, update_profile};
pub use verify_links::{VerifyLinks, verify_links};

use herd_store::accounts::{self, AccountRow};

use crate::{App, AppError, Result, Tenant};

/// A local account by username, for the CLI.
pub async fn local_by_username(app: &App, tenant: &Tenant, username: &str) -> Result<AccountRow> {
    let mut c = app.db.conn().await?;
    accounts::by_username(&mut c, tenant.id, username, "")
        .await?
        .ok_or_else(|| AppError::Invalid(format!("no account {username:?} on {}", tenant.domain)))
}

/// A local account's username.
pub async fn username_of(app: &App, tenant: &Tenant, account: i64) -> Result<String> {
    let mut c = app.db.conn().await?;
    Ok(accounts::by_id(&mut c, tenant.id, account).await?.username)
}

/// Profile text rendered with links, mentions of local accounts and hashtags.
pub(crate) async fn render_text(c: &mut herd_store::Conn, tenant: &Tenant, text: &str) -> Result<(String, Vec<AccountRow>, Vec<String>)> {
    let ex = herd_core::content::extract(text);
    let mut found = Vec::new();
    for m in &ex.mentions {
        let domain = match m.domain.as_deref() {
            Some(d) if d != tenant.domain.as_str() && d != tenant.handle_domain() => d.to_ascii_lowercase(),
            _ => String::new(),
        };
        // Remote accounts are found only if known (`federation::resolve::mentions` looks
        // them up before the transaction).
        if let Some(a) = accounts::by_username(c, tenant.id, &m.username, &domain).await?
            && !found.iter().any(|f: &AccountRow| f.id == a.id)
        {
            found.push(a);
        }
    }
    let html = herd_core::content::render(
        text,
        |m| {
            let local = m
                .domain
                .as_deref()
                .is_none_or(|d| d == tenant.domain.as_str() || d == tenant.handle_domain());
            let domain = m.domain.as_deref().unwrap_or("").to_ascii_lowercase();
            found
                .iter()
                .find(|a| a.username.eq_ignore_ascii_case(&m.username) && if local { a.domain.is_empty() } else { a.domain == domain })
                .map(|a| a.uri.clone().unwrap_or_else(|| tenant.profile_url(&a.username)))
        },
        |name| tenant.tag_url(name),
    );
    Ok((html, found, ex.tags))
}
