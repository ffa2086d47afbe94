//! Quote posts (FEP-044f): which post quotes which, and whether the quoted post's author
//! allowed it. One row per quoting post; the quoted post's `quotes_count` counts the
//! accepted ones.

use sqlx::FromRow;

use crate::changes::Change;
use crate::statuses::{self, Counter};
use crate::{Conn, Page, Result, TenantId, placeholders};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct QuoteRow {
    pub id: i64,
    pub tenant_id: i64,
    /// The quoting post.
    pub status_id: i64,
    pub account_id: i64,
    /// The quoted post, once stored here (`None` when it is not, or is gone).
    pub quoted_status_id: Option<i64>,
    pub quoted_account_id: Option<i64>,
    pub quoted_uri: String,
    /// `pending`, `accepted`, `rejected` or `revoked`.
    pub state: String,
    /// The QuoteAuthorization of an accepted quote.
    pub approval_uri: Option<String>,
    /// The QuoteRequest that asked for it.
    pub activity_uri: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub const PENDING: &str = "pending";
pub const ACCEPTED: &str = "accepted";
pub const REJECTED: &str = "rejected";
pub const REVOKED: &str = "revoked";

const COLS: &str = "id, tenant_id, status_id, account_id, quoted_status_id, quoted_account_id, quoted_uri, state, \
    approval_uri, activity_uri, created_at, updated_at";

/// Records that a post quotes another, replacing what it quoted before (an edit). An
/// accepted quote counts on the quoted post.
pub async fn set(c: &mut Conn, t: TenantId, q: &QuoteRow) -> Result<()> {
    remove(c, t, q.status_id).await?;
    c.q(&format!("INSERT INTO quotes ({COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"))
        .bind(q.id)
        .bind(t.0)
        .bind(q.status_id)
        .bind(q.account_id)
        .bind(q.quoted_status_id)
        .bind(q.quoted_account_id)
        .bind(q.quoted_uri.clone())
        .bind(q.state.clone())
        .bind(q.approval_uri.clone())
        .bind(q.activity_uri.clone())
        .bind(q.created_at)
        .bind(q.updated_at)
        .execute(c.ex())
        .await?;
    if q.state == ACCEPTED
        && let Some(quoted) = q.quoted_status_id
    {
        statuses::bump(c, t, quoted, Counter::Quotes, 1).await?;
    }
    crate::changes::record(c, t, Change::Status(q.status_id)).await?;
    Ok(())
}

/// Takes away a post's quote (an edit that removes it, or the post's deletion); the quote
/// removed, if there was one.
pub async fn remove(c: &mut Conn, t: TenantId, status: i64) -> Result<Option<QuoteRow>> {
    let Some(old) = of_status(c, t, status).await? else {
        return Ok(None);
    };
    c.q("DELETE FROM quotes WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(old.id)
        .execute(c.ex())
        .await?;
    if old.state == ACCEPTED
        && let Some(quoted) = old.quoted_status_id
    {
        statuses::bump(c, t, quoted, Counter::Quotes, -1).await?;
    }
    crate::changes::record(c, t, Change::Status(status)).await?;
    Ok(Some(old))
}

/// A quote's new state (and its authorization, when accepted), keeping `quotes_count` true.
/// False when the quote was already in that state.
pub async fn set_state(c: &mut Conn, t: TenantId, q: &QuoteRow, state: &str, approval_uri: Option<&str>, now: i64) -> Result<bool> {
    let r = c
        .q(
            "UPDATE quotes SET state = ?, approval_uri = COALESCE(?, approval_uri), updated_at = ? \
            WHERE tenant_id = ? AND id = ? AND state <> ?",
        )
        .bind(state)
        .bind(approval_uri)
        .bind(now)
        .bind(t.0)
        .bind(q.id)
        .bind(state)
        .execute(c.ex())
        .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    if let Some(quoted) = q.quoted_status_id {
        match (q.state == ACCEPTED, state == ACCEPTED) {
            (false, true) => statuses::bump(c, t, quoted, Counter::Quotes, 1).await?,
            (true, false) => statuses::bump(c, t, quoted, Counter::Quotes, -1).await?,
            _ => {}
        }
    }
    crate::changes::record(c, t, Change::Status(q.status_id)).await?;
    Ok(true)
}

/// Links quotes of a post that was not stored here to it, now that it is; their ids.
pub async fn link_quoted(c: &mut Conn, t: TenantId, uri: &str, quoted: i64, quoted_account: i64) -> Result<Vec<QuoteRow>> {
    let found: Vec<QuoteRow> = c
        .qa(&format!(
            "SELECT {COLS} FROM quotes WHERE tenant_id = ? AND quoted_uri = ? AND quoted_status_id IS NULL"
        ))
        .bind(t.0)
        .bind(uri)
        .fetch_all(c.ex())
        .await?;
    for q in &found {
        c.q("UPDATE quotes SET quoted_status_id = ?, quoted_account_id = ? WHERE tenant_id = ? AND id = ?")
            .bind(quoted)
            .bind(quoted_account)
            .bind(t.0)
            .bind(q.id)
            .execute(c.ex())
            .await?;
        if q.state == ACCEPTED {
            statuses::bump(c, t, quoted, Counter::Quotes, 1).await?;
        }
        crate::changes::record(c, t, Change::Status(q.status_id)).await?;
    }
    Ok(found)
}

pub async fn of_status(c: &mut Conn, t: TenantId, status: i64) -> Result<Option<QuoteRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM quotes WHERE tenant_id = ? AND status_id = ?"))
        .bind(t.0)
        .bind(status)
        .fetch_optional(c.ex())
        .await?)
}

/// The quotes made by these posts.
pub async fn for_statuses(c: &mut Conn, t: TenantId, ids: &[i64]) -> Result<Vec<QuoteRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLS} FROM quotes WHERE tenant_id = ? AND status_id IN ({})",
        placeholders(ids.len())
    );
    let mut q = c.qa(&sql).bind(t.0);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

pub async fn by_id(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<QuoteRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM quotes WHERE tenant_id = ? AND id = ?"))
        .bind(t.0)
        .bind(id)
        .fetch_optional(c.ex())
        .await?)
}

/// The quote an authorization (another server's, or this one's) approved.
pub async fn by_approval(c: &mut Conn, t: TenantId, uri: &str) -> Result<Option<QuoteRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM quotes WHERE tenant_id = ? AND approval_uri = ?"))
        .bind(t.0)
        .bind(uri)
        .fetch_optional(c.ex())
        .await?)
}

/// The quote a `QuoteRequest` (this instance's, under the quoting actor) asked for.
pub async fn by_activity(c: &mut Conn, t: TenantId, uri: &str) -> Result<Option<QuoteRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM quotes WHERE tenant_id = ? AND activity_uri = ?"))
        .bind(t.0)
        .bind(uri)
        .fetch_optional(c.ex())
        .await?)
}

/// The accepted quotes of one post, newest first, as `(quote id, quoting post id)`.
pub async fn of_quoted(c: &mut Conn, t: TenantId, quoted: i64, page: &Page) -> Result<Vec<(i64, i64)>> {
    let (clause, args, asc) = page.clause("id");
    let sql = format!(
        "SELECT id, status_id FROM quotes WHERE tenant_id = ? AND quoted_status_id = ? AND state = 'accepted'{clause}{}",
        page.order("id", asc)
    );
    let mut q = c.qa::<(i64, i64)>(&sql).bind(t.0).bind(quoted);
    for a in args {
        q = q.bind(a);
    }
    let mut rows = q.fetch_all(c.ex()).await?;
    if asc {
        rows.reverse();
    }
    Ok(rows)
}

/// The local quotes of a post that was edited: who quoted it (for `quoted_update`).
pub async fn quoting_accounts(c: &mut Conn, t: TenantId, quoted: i64) -> Result<Vec<(i64, i64)>> {
    Ok(c.qa::<(i64, i64)>(
        "SELECT q.status_id, q.account_id FROM quotes q JOIN accounts a ON a.tenant_id = q.tenant_id AND a.id = q.account_id \
         WHERE q.tenant_id = ? AND a.tenant_id = ? AND q.quoted_status_id = ? AND q.state = 'accepted' AND a.domain = ''",
    )
    .bind(t.0)
    .bind(t.0)
    .bind(quoted)
    .fetch_all(c.ex())
    .await?)
}

/// Quoting posts whose rendering shows this post (so a deletion drops them from caches).
pub async fn quoting_ids(c: &mut Conn, t: TenantId, quoted: i64) -> Result<Vec<i64>> {
    Ok(c.qs("SELECT status_id FROM quotes WHERE tenant_id = ? AND quoted_status_id = ?")
        .bind(t.0)
        .bind(quoted)
        .fetch_all(c.ex())
        .await?)
}
