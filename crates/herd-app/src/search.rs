//! Search as Mastodon answers it: accounts by username or display name prefix (and, with
//! `resolve`, a remote handle looked up through WebFinger), hashtags by name prefix, posts by
//! their URL, and, for a signed-in viewer, posts by their words in Mastodon's scope, with its
//! operators (`from:`, `has:`, `is:`, `language:`, `before:`, `after:`, `during:`, quoted
//! phrases and `-word`).

use herd_core::Timestamp;
use herd_store::accounts::AccountRow;
use herd_store::search::Terms;
use herd_store::statuses::TextSearch;
use herd_store::{Conn, Page, TenantId, accounts, tags};

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
    /// Posts only below or above these ids (`max_id`, `min_id`).
    pub max_id: Option<i64>,
    pub min_id: Option<i64>,
    /// Posts only by this account (`account_id`).
    pub account_id: Option<i64>,
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
    // What a query looks for, as Mastodon decides it: a `#word` or a handle alone is not a
    // search of posts' words; `#` never searches accounts, nor a handle with more words; a
    // query with an `@` never searches hashtags.
    // A URL is looked up as the post it names.
    let url = text.starts_with("https://") || text.starts_with("http://");
    let one_word = !text.contains(' ');
    let (hash, at) = (text.starts_with('#'), text.contains('@'));
    let q = Query {
        accounts: q.accounts && !url && !(hash || (at && !one_word)),
        hashtags: q.hashtags && !url && !at,
        statuses: q.statuses && (url || !((hash || at) && one_word)),
        ..q
    };
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
        && url
        && let Some(id) = crate::federation::read::status_by_url(app, tenant, text).await?
    {
        let mut c = app.db.conn().await?;
        if let Ok(row) = views::visible_status(&mut c, t, viewer, id).await {
            found.statuses.push(views::status(&mut c, t, viewer, row).await?);
        }
    }
    // Posts by their words: for signed-in viewers only, as on Mastodon.
    if q.statuses
        && !url
        && let Some(v) = viewer
    {
        let mut c = app.db.conn().await?;
        let Some(mut ts) = parse(&mut c, tenant, v, text).await? else {
            return Ok(found);
        };
        if let Some(a) = q.account_id {
            ts.from_account = Some(a);
        }
        let page = Page {
            max_id: q.max_id,
            since_id: None,
            min_id: q.min_id,
            limit: q.limit,
        };
        let rows = herd_store::statuses::search(&mut c, t, v, &ts, &page, q.offset).await?;
        let rows = views::filter_visible(&mut c, t, viewer, rows).await?;
        found.statuses = views::statuses(&mut c, t, viewer, rows).await?;
    }
    Ok(found)
}

/// Words, quoted phrases and `key:value` operators, as a search box gives them.
fn tokens(q: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut chars = q.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let negated = c == '-';
        if negated {
            chars.next();
        }
        let mut token = String::new();
        let mut quoted = false;
        while let Some(&c) = chars.peek() {
            if c == '"' {
                quoted = !quoted;
                chars.next();
                continue;
            }
            if c.is_whitespace() && !quoted {
                break;
            }
            token.push(c);
            chars.next();
        }
        if !token.trim().is_empty() {
            out.push((negated, token.trim().to_string()));
        }
    }
    out
}

/// A day as `YYYY-MM-DD`, at its start (UTC).
fn day(s: &str) -> Option<i64> {
    Timestamp::parse_iso8601(&format!("{s}T00:00:00Z")).map(|t| t.0)
}

/// The full-text search a query asks for; `None` when an operator names nothing that exists
/// (`from:` an unknown account), so nothing can match.
async fn parse(c: &mut Conn, tenant: &Tenant, viewer: i64, q: &str) -> Result<Option<TextSearch>> {
    let mut ts = TextSearch::default();
    let mut terms = Terms::default();
    for (negated, token) in tokens(q).into_iter().take(32) {
        let op = token.split_once(':').filter(|(k, v)| !v.is_empty() && !k.contains(' '));
        match op.map(|(k, v)| (k.to_ascii_lowercase(), v.to_string())) {
            Some((k, v)) if k == "from" && !negated => {
                let v = v.trim_start_matches('@');
                let account = if v == "me" {
                    Some(viewer)
                } else {
                    let (user, domain) = v.split_once('@').unwrap_or((v, ""));
                    let domain = if domain == tenant.domain.as_str() || domain == tenant.handle_domain() {
                        ""
                    } else {
                        domain
                    };
                    accounts::by_username(c, tenant.id, user, &domain.to_ascii_lowercase())
                        .await?
                        .map(|a| a.id)
                };
                match account {
                    Some(a) => ts.from_account = Some(a),
                    None => return Ok(None),
                }
            }
            Some((k, v)) if k == "has" && !negated => match v.as_str() {
                "media" | "image" | "video" | "audio" => ts.has_media = true,
                "poll" => ts.has_poll = true,
                _ => {}
            },
            Some((k, v)) if k == "is" && !negated => match v.as_str() {
                "reply" => ts.is_reply = true,
                "sensitive" => ts.is_sensitive = true,
                _ => {}
            },
            Some((k, v)) if k == "language" && !negated => ts.language = Some(v.to_ascii_lowercase()),
            Some((k, v)) if k == "before" => ts.before = day(&v),
            Some((k, v)) if k == "after" => ts.after = day(&v).map(|d| d + 86_400_000),
            Some((k, v)) if k == "during" => {
                ts.after = day(&v);
                ts.before = day(&v).map(|d| d + 86_400_000);
            }
            _ if negated => terms.none.push(token),
            _ => terms.all.push(token),
        }
    }
    ts.terms = terms;
    Ok(Some(ts))
}
