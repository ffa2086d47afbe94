//! Search as Mastodon answers it without a full-text index: accounts by username or display
//! name prefix (and, with `resolve`, a remote handle looked up through WebFinger), hashtags
//! by name prefix, and posts by their URL. Full-text search of posts comes with issue 4.

use herd_store::accounts::AccountRow;
use herd_store::{TenantId, accounts, tags};

use crate::views::{self, StatusView};
use crate::{App, Result, Tenant};

/// What to look for.
pub struct Query<'a> {
    pub q: &'a str,
    pub accounts: bool,
    pub hashtags: bool,
    pub statuses: bool,
    /// Look remote accounts up (signed-in viewers only, as on Mastodon).
    pub resolve: bool,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Default)]
pub struct Found {
    pub accounts: Vec<AccountRow>,
    pub statuses: Vec<StatusView>,
    pub hashtags: Vec<String>,
}

/// `user@domain` or `@user@domain`, if `q` is a handle.
fn handle(q: &str) -> Option<(&str, &str)> {
    let (user, domain) = q.strip_prefix('@').unwrap_or(q).split_once('@')?;
    let ok = !user.is_empty() && !domain.is_empty() && !user.contains(char::is_whitespace) && !domain.contains(['/', ' ', '@']);
    ok.then_some((user, domain))
}

pub async fn search(app: &App, tenant: &Tenant, viewer: Option<i64>, q: Query<'_>) -> Result<Found> {
    let t: TenantId = tenant.id;
    let text = q.q.trim();
    let mut found = Found::default();
    if text.is_empty() {
        return Ok(found);
    }
    if q.accounts {
        match handle(text) {
            Some((user, domain)) if domain != tenant.domain.as_str() && domain != tenant.handle_domain() => {
                let known = accounts::by_username(&mut app.db.conn().await?, t, user, &domain.to_ascii_lowercase()).await?;
                let account = match known {
                    Some(a) => Some(a),
                    None if q.resolve && viewer.is_some() => crate::federation::resolve::account(app, tenant, user, domain).await.ok(),
                    None => None,
                };
                found.accounts.extend(account.filter(|a| a.suspended_at.is_none()));
            }
            Some((user, _)) => found.accounts = accounts::search(&mut app.db.conn().await?, t, user, q.limit, q.offset).await?,
            None => {
                let prefix = text.trim_start_matches('@');
                found.accounts = accounts::search(&mut app.db.conn().await?, t, prefix, q.limit, q.offset).await?;
            }
        }
    }
    if q.hashtags {
        let name = text.trim_start_matches('#');
        if !name.is_empty() && !name.contains(char::is_whitespace) {
            found.hashtags = tags::search(&mut app.db.conn().await?, t, name, q.limit, q.offset).await?;
        }
    }
    if q.statuses
        && (text.starts_with("https://") || text.starts_with("http://"))
        && let Some(id) = crate::federation::read::status_by_url(app, tenant, text).await?
    {
        let mut c = app.db.conn().await?;
        if let Ok(row) = views::visible_status(&mut c, t, viewer, id).await {
            found.statuses.push(views::status(&mut c, t, viewer, row).await?);
        }
    }
    Ok(found)
}
