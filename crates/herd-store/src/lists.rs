//! Lists an account keeps of accounts it follows, their members, and the list timeline.

use crate::changes::{Change, record};
use crate::{Conn, Page, Result, TenantId, placeholders};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListRow {
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: i64,
    pub title: String,
    /// `followed`, `list` or `none`: which replies the list timeline shows.
    pub replies_policy: String,
    /// 1 when the members' posts are left out of the owner's home timeline.
    pub exclusive: i64,
    pub created_at: i64,
}

const COLS: &str = "id, tenant_id, account_id, title, replies_policy, exclusive, created_at";

pub async fn insert(c: &mut Conn, t: TenantId, l: &ListRow) -> Result<()> {
    c.q("INSERT INTO lists (id, tenant_id, account_id, title, replies_policy, exclusive, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(l.id)
        .bind(t.0)
        .bind(l.account_id)
        .bind(l.title.clone())
        .bind(l.replies_policy.clone())
        .bind(l.exclusive)
        .bind(l.created_at)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// Saves a list's title, replies policy and exclusivity; the owner's home feed is refreshed
/// when exclusivity changes what it shows.
pub async fn update(c: &mut Conn, t: TenantId, l: &ListRow) -> Result<()> {
    c.q("UPDATE lists SET title = ?, replies_policy = ?, exclusive = ? WHERE tenant_id = ? AND id = ?")
        .bind(l.title.clone())
        .bind(l.replies_policy.clone())
        .bind(l.exclusive)
        .bind(t.0)
        .bind(l.id)
        .execute(c.ex())
        .await?;
    record(c, t, Change::Feed(l.account_id)).await
}

/// One of `owner`'s lists.
pub async fn owned(c: &mut Conn, t: TenantId, owner: i64, id: i64) -> Result<Option<ListRow>> {
    Ok(c.qa(&format!(
        "SELECT {COLS} FROM lists WHERE tenant_id = ? AND account_id = ? AND id = ?"
    ))
    .bind(t.0)
    .bind(owner)
    .bind(id)
    .fetch_optional(c.ex())
    .await?)
}

/// `owner`'s lists by title, or only those holding `member`.
pub async fn of_owner(c: &mut Conn, t: TenantId, owner: i64, member: Option<i64>) -> Result<Vec<ListRow>> {
    let q = match member {
        Some(_) => format!(
            "SELECT {COLS} FROM lists l WHERE tenant_id = ? AND account_id = ? AND EXISTS \
             (SELECT 1 FROM list_accounts la WHERE la.tenant_id = l.tenant_id AND la.list_id = l.id AND la.account_id = ?) \
             ORDER BY title, id"
        ),
        None => format!("SELECT {COLS} FROM lists WHERE tenant_id = ? AND account_id = ? ORDER BY title, id"),
    };
    let mut q = c.qa(&q).bind(t.0).bind(owner);
    if let Some(m) = member {
        q = q.bind(m);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// Deletes a list and its memberships.
pub async fn delete(c: &mut Conn, t: TenantId, l: &ListRow) -> Result<()> {
    c.q("DELETE FROM list_accounts WHERE tenant_id = ? AND list_id = ?")
        .bind(t.0)
        .bind(l.id)
        .execute(c.ex())
        .await?;
    c.q("DELETE FROM lists WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(l.id)
        .execute(c.ex())
        .await?;
    record(c, t, Change::Feed(l.account_id)).await
}

/// Adds members (each once); `ids` come with the new rows' ids.
pub async fn add_members(c: &mut Conn, t: TenantId, l: &ListRow, members: &[(i64, i64)]) -> Result<()> {
    for (id, account) in members {
        c.q(
            "INSERT INTO list_accounts (id, tenant_id, list_id, account_id) VALUES (?, ?, ?, ?) \
             ON CONFLICT (tenant_id, list_id, account_id) DO NOTHING",
        )
        .bind(*id)
        .bind(t.0)
        .bind(l.id)
        .bind(*account)
        .execute(c.ex())
        .await?;
    }
    record(c, t, Change::Feed(l.account_id)).await
}

pub async fn remove_members(c: &mut Conn, t: TenantId, l: &ListRow, accounts: &[i64]) -> Result<()> {
    if accounts.is_empty() {
        return Ok(());
    }
    let q = format!(
        "DELETE FROM list_accounts WHERE tenant_id = ? AND list_id = ? AND account_id IN ({})",
        placeholders(accounts.len())
    );
    let mut q = c.q(&q).bind(t.0).bind(l.id);
    for a in accounts {
        q = q.bind(*a);
    }
    q.execute(c.ex()).await?;
    record(c, t, Change::Feed(l.account_id)).await
}

/// Takes `member` off every list of `owner` (who stopped following it).
pub async fn leave_all(c: &mut Conn, t: TenantId, owner: i64, member: i64) -> Result<()> {
    let r = c
        .q("DELETE FROM list_accounts WHERE tenant_id = ? AND account_id = ? AND list_id IN \
            (SELECT id FROM lists WHERE tenant_id = ? AND account_id = ?)")
        .bind(t.0)
        .bind(member)
        .bind(t.0)
        .bind(owner)
        .execute(c.ex())
        .await?;
    if r.rows_affected() > 0 {
        record(c, t, Change::Feed(owner)).await?;
    }
    Ok(())
}

/// A page of a list's members: (membership id, account id), newest membership first; a
/// limit of 0 gives them all (as Mastodon's `limit=0`).
pub async fn members(c: &mut Conn, t: TenantId, list: i64, page: &Page) -> Result<Vec<(i64, i64)>> {
    let (clause, args, asc) = page.clause("id");
    let order = match page.limit {
        0 => format!(" ORDER BY id {}", if asc { "ASC" } else { "DESC" }),
        _ => page.order("id", asc),
    };
    let q = format!("SELECT id, account_id FROM list_accounts WHERE tenant_id = ? AND list_id = ?{clause}{order}");
    let mut q = c.qa::<(i64, i64)>(&q).bind(t.0).bind(list);
    for a in args {
        q = q.bind(a);
    }
    let mut rows = q.fetch_all(c.ex()).await?;
    if asc {
        rows.reverse();
    }
    Ok(rows)
}
