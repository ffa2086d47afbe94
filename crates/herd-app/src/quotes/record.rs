use herd_core::{Id, Timestamp};
use herd_store::Conn;
use herd_store::accounts::{self, AccountRow};
use herd_store::quotes::{self, ACCEPTED, PENDING, QuoteRow};
use herd_store::statuses::{self, StatusRow, quote_flags};
use serde_json::Value;

use super::verify::VerifyQuote;
use crate::federation::inbox::id_of;
use crate::federation::read::status_by_url_on;
use crate::federation::resolve::origin;
use crate::{Result, Tenant};

/// The post a received note quotes, by the first of the properties servers use for it
/// (FEP-044f's `quote`, then Misskey's, then the older ones), as Mastodon reads them.
pub(crate) fn quoted_uri(note: &Value) -> Option<&str> {
    ["quote", "_misskey_quote", "quoteUrl", "quoteUri"]
        .iter()
        .find_map(|k| note.get(*k).and_then(id_of))
        .filter(|u| u.len() <= 2000 && origin(u).is_some())
}

/// The authorization a received note shows for its quote: another server's URL (one of this
/// instance's own proves nothing that this instance did not record itself).
pub(crate) fn authorization_of<'a>(tenant: &Tenant, note: &'a Value) -> Option<&'a str> {
    note.get("quoteAuthorization")
        .and_then(id_of)
        .filter(|a| a.len() <= 2000 && origin(a).is_some() && !a.starts_with(&tenant.base_url()))
}

/// Who may quote a received post, as its `interactionPolicy.canQuote` says, in Mastodon's
/// flags `(automatic, manual)`: the public, the author's followers; the author themself is
/// implied; anyone else named is a policy Herd cannot apply (`unsupported`). Without
/// `canQuote` nobody but the author may.
pub(crate) fn remote_flags(note: &Value, author: Option<&str>, followers: Option<&str>) -> (i64, i64) {
    let can = note.get("interactionPolicy").and_then(|p| p.get("canQuote"));
    let flags = |key: &str| -> i64 {
        let list: Vec<&str> = match can.and_then(|c| c.get(key)) {
            Some(Value::Array(a)) => a.iter().filter_map(id_of).collect(),
            Some(v) => id_of(v).into_iter().collect(),
            None => Vec::new(),
        };
        list.into_iter().fold(0, |f, who| {
            f | if who == herd_federation::PUBLIC || who == "as:Public" || who == "Public" {
                quote_flags::PUBLIC
            } else if Some(who) == followers {
                quote_flags::FOLLOWERS
            } else if Some(who) == author {
                0
            } else {
                quote_flags::UNSUPPORTED
            }
        })
    };
    (flags("automaticApproval"), flags("manualApproval"))
}

/// Records the quote a received post makes, in the caller's transaction (the post was
/// just stored, or edited to quote something else). It is pending until proven: a quote of
/// the author's own post at once; one of another server's post by the authorization that
/// server issued, which a job fetches (with the quoted post, when it is not here yet); one
/// of a post of this instance only by the `QuoteRequest` its server sends here. Returns
/// whether a job was written.
pub(crate) async fn record(c: &mut Conn, tenant: &Tenant, row: &StatusRow, sender: &AccountRow, note: &Value) -> Result<bool> {
    let t = tenant.id;
    let Some(uri) = quoted_uri(note) else {
        return Ok(false);
    };
    let quoted = match status_by_url_on(c, tenant, uri).await? {
        Some(id) => statuses::by_id(c, t, id).await?,
        None => None,
    };
    // Another author's followers-only or direct post is never shown in a quote.
    let quoted = quoted.filter(|q| q.account_id == sender.id || matches!(q.visibility.as_str(), "public" | "unlisted"));
    let quoted_is_local = match &quoted {
        Some(q) => accounts::by_id(c, t, q.account_id).await?.domain.is_empty(),
        None => uri.starts_with(&tenant.base_url()),
    };
    let self_quote = quoted.as_ref().is_some_and(|q| q.account_id == sender.id);
    let now = Timestamp::now().0;
    let quoted_uri = match &quoted {
        Some(q) => crate::federation::outgoing::status_uri(c, tenant, q).await?,
        None => uri.to_string(),
    };
    let q = QuoteRow {
        id: Id::generate().0,
        tenant_id: t.0,
        status_id: row.id,
        account_id: sender.id,
        quoted_status_id: quoted.as_ref().map(|q| q.id),
        quoted_account_id: quoted.as_ref().map(|q| q.account_id),
        quoted_uri,
        state: if self_quote { ACCEPTED } else { PENDING }.into(),
        approval_uri: None,
        activity_uri: None,
        created_at: now,
        updated_at: now,
    };
    quotes::set(c, t, &q).await?;
    if self_quote || quoted_is_local {
        return Ok(false);
    }
    let approval = authorization_of(tenant, note);
    if approval.is_none() && quoted.is_some() {
        // A quote without authorization stays pending, as on Mastodon (older servers').
        return Ok(false);
    }
    let job = VerifyQuote {
        quote: q.id,
        approval: approval.map(str::to_string),
        depth: 1,
    };
    herd_jobs::enqueue(c, t, &job).await?;
    Ok(true)
}

/// A received edit of a post: its quote follows the note. A new quoted post starts over;
/// a quote taken away goes; a new authorization for a quote not yet proven is checked.
/// Returns whether a job was written.
pub(crate) async fn refresh(c: &mut Conn, tenant: &Tenant, row: &StatusRow, sender: &AccountRow, note: &Value) -> Result<bool> {
    let t = tenant.id;
    let old = quotes::of_status(c, t, row.id).await?;
    let Some(uri) = quoted_uri(note) else {
        if old.is_some() {
            quotes::remove(c, t, row.id).await?;
        }
        return Ok(false);
    };
    let Some(old) = old else {
        return record(c, tenant, row, sender, note).await;
    };
    let same_target = old.quoted_uri == uri
        || match old.quoted_status_id {
            Some(id) => status_by_url_on(c, tenant, uri).await? == Some(id),
            None => false,
        };
    if !same_target {
        return record(c, tenant, row, sender, note).await;
    }
    let approval = authorization_of(tenant, note);
    if old.state == PENDING
        && let Some(a) = approval
        && old.approval_uri.as_deref() != Some(a)
    {
        let job = VerifyQuote {
            quote: old.id,
            approval: Some(a.to_string()),
            depth: 1,
        };
        herd_jobs::enqueue(c, t, &job).await?;
        return Ok(true);
    }
    Ok(false)
}
