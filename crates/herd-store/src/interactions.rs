//! Marks an account puts on a post: favourites, bookmarks and pins. All three tables have the
//! same shape, so one set of functions serves them.

use crate::{Conn, Page, Result, TenantId, placeholders};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Favourite,
    Bookmark,
    Pin,
}

impl Mark {
    fn table(self) -> &'static str {
        match self {
            Mark::Favourite => "favourites",
            Mark::Bookmark => "bookmarks",
            Mark::Pin => "pins",
        }
    }
}

/// Adds the mark; `false` if it was there already.
pub async fn add(c: &mut Conn, t: TenantId, mark: Mark, id: i64, account: i64, status: i64, now: i64) -> Result<bool> {
    let r = c
        .q(&format!(
            "INSERT INTO {} (id, tenant_id, account_id, status_id, created_at) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (tenant_id, account_id, status_id) DO NOTHING",
            mark.table()
        ))
        .bind(id)
        .bind(t.0)
        .bind(account)
        .bind(status)
        .bind(now)
        .execute(c.ex())
        .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    crate::changes::record(c, t, crate::changes::Change::Marks(account)).await?;
    Ok(true)
}

/// Removes the mark; `false` if there was none.
pub async fn remove(c: &mut Conn, t: TenantId, mark: Mark, account: i64, status: i64) -> Result<bool> {
    let r = c
        .q(&format!(
            "DELETE FROM {} WHERE tenant_id = ? AND account_id = ? AND status_id = ?",
            mark.table()
        ))
        .bind(t.0)
        .bind(account)
        .bind(status)
        .execute(c.ex())
        .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    crate::changes::record(c, t, crate::changes::Change::Marks(account)).await?;
    Ok(true)
}

pub async fn count(c: &mut Conn, t: TenantId, mark: Mark, account: i64) -> Result<i64> {
    Ok(c.qs(&format!(
        "SELECT COUNT(*) FROM {} WHERE tenant_id = ? AND account_id = ?",
        mark.table()
    ))
    .bind(t.0)
    .bind(account)
    .fetch_one(c.ex())
    .await?)
}

/// The account's marked posts, newest mark first: `(mark id, status id)` pairs.
pub async fn list(c: &mut Conn, t: TenantId, mark: Mark, account: i64, page: &Page) -> Result<Vec<(i64, i64)>> {
    let (clause, args, asc) = page.clause("id");
    let sql = format!(
        "SELECT id, status_id FROM {} WHERE tenant_id = ? AND account_id = ?{clause}{}",
        mark.table(),
        page.order("id", asc)
    );
    let mut q = c.qa::<(i64, i64)>(&sql).bind(t.0).bind(account);
    for a in args {
        q = q.bind(a);
    }
    let mut rows = q.fetch_all(c.ex()).await?;
    if asc {
        rows.reverse();
    }
    Ok(rows)
}

/// The join for "who favourited this post" (see `accounts::via`).
pub const FAVOURITED_BY: &str = "favourites j JOIN accounts a ON a.id = j.account_id WHERE j.status_id = ?";
/// The join for "who boosted this post".
pub const REBLOGGED_BY: &str = "statuses j JOIN accounts a ON a.id = j.account_id WHERE j.reblog_of_id = ?";

/// The viewer's favourites, boosts, bookmarks and pins among `statuses`, in one query.
#[derive(Debug, Default)]
pub struct Flags {
    pub favourited: Vec<i64>,
    pub reblogged: Vec<i64>,
    pub bookmarked: Vec<i64>,
    pub pinned: Vec<i64>,
}

pub async fn flags(c: &mut Conn, t: TenantId, account: i64, statuses: &[i64]) -> Result<Flags> {
    let mut f = Flags::default();
    if statuses.is_empty() {
        return Ok(f);
    }
    let list = placeholders(statuses.len());
    let sql = format!(
        "SELECT 0 AS k, status_id AS s FROM favourites WHERE tenant_id = ? AND account_id = ? AND status_id IN ({list}) \
         UNION ALL SELECT 1, reblog_of_id FROM statuses WHERE tenant_id = ? AND account_id = ? AND reblog_of_id IN ({list}) \
         UNION ALL SELECT 2, status_id FROM bookmarks WHERE tenant_id = ? AND account_id = ? AND status_id IN ({list}) \
         UNION ALL SELECT 3, status_id FROM pins WHERE tenant_id = ? AND account_id = ? AND status_id IN ({list})"
    );
    let mut q = c.qa::<(i64, i64)>(&sql);
    for _ in 0..4 {
        q = q.bind(t.0).bind(account);
        for s in statuses {
            q = q.bind(*s);
        }
    }
    for (k, s) in q.fetch_all(c.ex()).await? {
        match k {
            0 => f.favourited.push(s),
            1 => f.reblogged.push(s),
            2 => f.bookmarked.push(s),
            _ => f.pinned.push(s),
        }
    }
    Ok(f)
}
