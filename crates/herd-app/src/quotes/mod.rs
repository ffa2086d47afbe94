//! Quote posts as Mastodon 4.5 has them (FEP-044f): a post quotes another when the quoted
//! post's author allows it, by the post's quote policy (automatically) or, for another
//! server's post, by that server's answer to a `QuoteRequest`. An accepted quote carries a
//! `QuoteAuthorization` that anyone can fetch from the quoted post's server; revoking it
//! detaches the quote everywhere.

mod answered;
mod attach;
mod authorization;
mod list;
mod policy;
mod record;
mod requested;
mod revoke;
mod verify;
mod withdrawn;

pub(crate) use answered::{answered, asked};
pub use attach::attach;
pub(crate) use attach::{QuoteRequest, check_quotable, send_request};
pub use authorization::authorization;
pub use list::quotes_of;
pub use policy::{default_policy, set_policy};
pub(crate) use record::{record, refresh, remote_flags};
pub(crate) use requested::requested;
pub use revoke::revoke;
pub use verify::{VerifyQuote, verify};
pub(crate) use withdrawn::withdrawn;

use herd_core::{QuotePolicy, Visibility};
use herd_store::statuses::{StatusRow, quote_flags};

/// Whether a viewer may quote a post (Mastodon's `quote_approval.current_user`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// Allowed at once.
    Automatic,
    /// Allowed once the author approves.
    Manual,
    /// The post's server has a policy Herd does not know.
    Unknown,
    Denied,
}

impl Approval {
    pub fn as_str(self) -> &'static str {
        match self {
            Approval::Automatic => "automatic",
            Approval::Manual => "manual",
            Approval::Unknown => "unknown",
            Approval::Denied => "denied",
        }
    }
}

/// The approval flags `(automatic, manual)` a post gets from its author's choice: public
/// and unlisted posts take it as it is; followers-only and direct posts are quoted by nobody
/// but their author, as on Mastodon 4.5.
pub fn flags(policy: QuotePolicy, visibility: Visibility) -> (i64, i64) {
    let policy = match (visibility, policy) {
        (Visibility::Direct | Visibility::Private, _) => QuotePolicy::Nobody,
        (_, p) => p,
    };
    match policy {
        QuotePolicy::Public => (quote_flags::PUBLIC, 0),
        QuotePolicy::Followers => (quote_flags::FOLLOWERS, 0),
        QuotePolicy::Nobody => (0, 0),
    }
}

/// The policy a local post's flags stand for (for the author's `source`, and editing).
pub fn policy_of(row: &StatusRow) -> QuotePolicy {
    if row.quote_automatic & quote_flags::PUBLIC != 0 {
        QuotePolicy::Public
    } else if row.quote_automatic & quote_flags::FOLLOWERS != 0 {
        QuotePolicy::Followers
    } else {
        QuotePolicy::Nobody
    }
}

/// The names of the flags, as the API lists them (`public`, `followers`, `following`,
/// `unsupported_policy`).
pub fn flag_names(flags: i64) -> Vec<&'static str> {
    [
        (quote_flags::PUBLIC, "public"),
        (quote_flags::FOLLOWERS, "followers"),
        (quote_flags::FOLLOWING, "following"),
        (quote_flags::UNSUPPORTED, "unsupported_policy"),
    ]
    .into_iter()
    .filter(|(f, _)| flags & f != 0)
    .map(|(_, n)| n)
    .collect()
}

/// Whether `viewer` may quote `row`: its author always (a direct post not even them); others by the
/// automatic policy, then by the manual one; `follows_author` says whether the viewer
/// follows the post's author, `followed_by_author` whether the author follows the viewer.
pub fn approval(row: &StatusRow, viewer: Option<i64>, follows_author: bool, followed_by_author: bool) -> Approval {
    let Some(viewer) = viewer else { return Approval::Denied };
    if row.reblog_of_id.is_some() || row.visibility == "direct" {
        return Approval::Denied;
    }
    if viewer == row.account_id {
        return Approval::Automatic;
    }
    let allows = |flags: i64| {
        flags & quote_flags::PUBLIC != 0
            || (flags & quote_flags::FOLLOWERS != 0 && follows_author)
            || (flags & quote_flags::FOLLOWING != 0 && followed_by_author)
    };
    if allows(row.quote_automatic) {
        Approval::Automatic
    } else if allows(row.quote_manual) {
        Approval::Manual
    } else if (row.quote_automatic | row.quote_manual) & quote_flags::UNSUPPORTED != 0 {
        Approval::Unknown
    } else {
        Approval::Denied
    }
}

/// Whether a post's policy needs to know who follows whom to answer [`approval`].
pub fn needs_relations(row: &StatusRow) -> bool {
    let flags = row.quote_automatic | row.quote_manual;
    row.quote_automatic & quote_flags::PUBLIC == 0 && flags & (quote_flags::FOLLOWERS | quote_flags::FOLLOWING) != 0
}

/// The URI of this instance's authorization of a quote of a local post.
pub fn authorization_uri(tenant: &crate::Tenant, quoted_author: &str, quote_id: i64) -> String {
    format!("{}/quote_authorizations/{quote_id}", tenant.actor_uri(quoted_author))
}

/// Tells the members here who quoted a post that it was edited (Mastodon's `quoted_update`,
/// carrying each quoter's own post), in the edit's transaction.
pub(crate) async fn notify_quoters(c: &mut herd_store::Conn, t: herd_store::TenantId, author: i64, quoted: i64) -> crate::Result<()> {
    for (status, quoter) in herd_store::quotes::quoting_accounts(c, t, quoted).await? {
        if quoter != author {
            crate::notifications::notify(c, t, quoter, author, "quoted_update", Some(status)).await?;
        }
    }
    Ok(())
}

/// A local post's HTML as it is shown and sent, with Mastodon's fallback for readers that do
/// not show quotes: a first paragraph `RE: <link>` of class `quote-inline` (which quote-aware
/// apps hide), unless the quoted post is gone or the text links it already. Remote posts
/// come as their server wrote them.
pub fn content(v: &crate::views::StatusView) -> std::borrow::Cow<'_, str> {
    let html = &v.row.content_html;
    let Some(q) = v.quote.as_deref().filter(|_| v.account.domain.is_empty()) else {
        return std::borrow::Cow::Borrowed(html);
    };
    let gone = q.row.quoted_status_id.is_none() && q.row.state == herd_store::quotes::ACCEPTED;
    let link = herd_core::content::escape(&q.row.quoted_uri);
    if gone || html.contains(&link) {
        return std::borrow::Cow::Borrowed(html);
    }
    std::borrow::Cow::Owned(format!(
        "<p class=\"quote-inline\">RE: <a href=\"{link}\" target=\"_blank\" rel=\"nofollow noopener\" translate=\"no\">{link}</a></p>{html}"
    ))
}
