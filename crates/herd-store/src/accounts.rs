//! Accounts: the public identity that posts and is followed. Local accounts have a
//! [`crate::users`] row beside them for signing in.

use sqlx::FromRow;

use crate::{Conn, Page, Result, StoreError, TenantId, placeholders};

#[derive(Debug, Clone, FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub tenant_id: i64,
    pub username: String,
    pub domain: String,
    pub uri: Option<String>,
    pub display_name: String,
    pub note: String,
    pub note_html: String,
    pub fields: String,
    pub avatar_key: Option<String>,
    pub header_key: Option<String>,
    pub locked: i64,
    pub bot: i64,
    pub discoverable: i64,
    pub indexable: i64,
    pub followers_count: i64,
    pub following_count: i64,
    pub statuses_count: i64,
    pub last_status_at: Option<i64>,
    pub suspended_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// A remote account's profile page.
    pub url: Option<String>,
    /// Profile links verified with `rel="me"`: a JSON object from URL to epoch milliseconds.
    pub verified_links: String,
    /// Limited by a moderator (Mastodon's silence): hidden from those who do not follow it.
    pub silenced_at: Option<i64>,
    /// Its media always shown behind a warning.
    pub sensitized_at: Option<i64>,
    /// `local` when suspended by a moderator here, `remote` when its own server deleted it.
    pub suspension_origin: Option<String>,
}

pub const COLS: &str = "a.id, a.tenant_id, a.username, a.domain, a.uri, a.display_name, a.note, \
    a.note_html, a.fields, a.avatar_key, a.header_key, a.locked, a.bot, a.discoverable, \
    a.indexable, a.followers_count, a.following_count, a.statuses_count, a.last_status_at, \
    a.suspended_at, a.created_at, a.updated_at, a.url, a.verified_links, a.silenced_at, a.sensitized_at, \
    a.suspension_origin";

pub async fn insert_local(c: &mut Conn, t: TenantId, id: i64, username: &str, now: i64) -> Result<()> {
    c.q(
        "INSERT INTO accounts (id, tenant_id, username, username_key, domain, created_at, updated_at) \
         VALUES (?, ?, ?, ?, '', ?, ?)",
    )
    .bind(id)
    .bind(t.0)
    .bind(username)
    .bind(username.to_ascii_lowercase())
    .bind(now)
    .bind(now)
    .execute(c.ex())
    .await
    .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn by_id(c: &mut Conn, t: TenantId, id: i64) -> Result<AccountRow> {
    c.qa(&format!("SELECT {COLS} FROM accounts a WHERE a.tenant_id = ? AND a.id = ?"))
        .bind(t.0)
        .bind(id)
        .fetch_optional(c.ex())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn by_ids(c: &mut Conn, t: TenantId, ids: &[i64]) -> Result<Vec<AccountRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLS} FROM accounts a WHERE a.tenant_id = ? AND a.id IN ({})",
        placeholders(ids.len())
    );
    let mut q = c.qa(&sql).bind(t.0);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// A local account (domain `""`) or a known remote one, by case-insensitive username.
pub async fn by_username(c: &mut Conn, t: TenantId, username: &str, domain: &str) -> Result<Option<AccountRow>> {
    Ok(c.qa(&format!(
        "SELECT {COLS} FROM accounts a WHERE a.tenant_id = ? AND a.domain = ? AND a.username_key = ?"
    ))
    .bind(t.0)
    .bind(domain)
    .bind(username.to_ascii_lowercase())
    .fetch_optional(c.ex())
    .await?)
}

/// Accounts whose username or display name starts with `prefix`, local first.
pub async fn search(c: &mut Conn, t: TenantId, prefix: &str, limit: i64, offset: i64) -> Result<Vec<AccountRow>> {
    let pattern = format!("{}%", prefix.to_lowercase().replace(['%', '_', '\\'], ""));
    Ok(c.qa(&format!(
        "SELECT {COLS} FROM accounts a WHERE a.tenant_id = ? AND a.suspended_at IS NULL \
         AND (a.username_key LIKE ? OR LOWER(a.display_name) LIKE ?) \
         ORDER BY CASE WHEN a.domain = '' THEN 0 ELSE 1 END, a.followers_count DESC, a.id \
         LIMIT ? OFFSET ?"
    ))
    .bind(t.0)
    .bind(pattern.clone())
    .bind(pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(c.ex())
    .await?)
}

/// What `update_credentials` may change; `None` leaves a value alone.
#[derive(Debug, Default, Clone)]
pub struct ProfileChange {
    pub display_name: Option<String>,
    pub note: Option<String>,
    pub note_html: Option<String>,
    pub fields: Option<String>,
    pub avatar_key: Option<String>,
    pub header_key: Option<String>,
    pub locked: Option<bool>,
    pub bot: Option<bool>,
    pub discoverable: Option<bool>,
    pub indexable: Option<bool>,
}

pub async fn update_profile(c: &mut Conn, t: TenantId, id: i64, p: &ProfileChange, now: i64) -> Result<()> {
    c.q(
        "UPDATE accounts SET display_name = COALESCE(?, display_name), note = COALESCE(?, note), \
         note_html = COALESCE(?, note_html), fields = COALESCE(?, fields), \
         avatar_key = COALESCE(?, avatar_key), header_key = COALESCE(?, header_key), \
         locked = COALESCE(?, locked), bot = COALESCE(?, bot), \
         discoverable = COALESCE(?, discoverable), indexable = COALESCE(?, indexable), \
         updated_at = ? WHERE tenant_id = ? AND id = ?",
    )
    .bind(p.display_name.clone())
    .bind(p.note.clone())
    .bind(p.note_html.clone())
    .bind(p.fields.clone())
    .bind(p.avatar_key.clone())
    .bind(p.header_key.clone())
    .bind(p.locked.map(i64::from))
    .bind(p.bot.map(i64::from))
    .bind(p.discoverable.map(i64::from))
    .bind(p.indexable.map(i64::from))
    .bind(now)
    .bind(t.0)
    .bind(id)
    .execute(c.ex())
    .await?;
    crate::changes::record(c, t, crate::changes::Change::Account(id)).await?;
    Ok(())
}

/// A counter column on accounts.
#[derive(Debug, Clone, Copy)]
pub enum Counter {
    Followers,
    Following,
    Statuses,
}

pub async fn bump(c: &mut Conn, t: TenantId, id: i64, counter: Counter, delta: i64) -> Result<()> {
    let col = match counter {
        Counter::Followers => "followers_count",
        Counter::Following => "following_count",
        Counter::Statuses => "statuses_count",
    };
    c.q(&format!(
        "UPDATE accounts SET {col} = CASE WHEN {col} + ? < 0 THEN 0 ELSE {col} + ? END \
         WHERE tenant_id = ? AND id = ?"
    ))
    .bind(delta)
    .bind(delta)
    .bind(t.0)
    .bind(id)
    .execute(c.ex())
    .await?;
    crate::changes::record(c, t, crate::changes::Change::Counters(id)).await?;
    Ok(())
}

/// An account posted `n` posts, the newest at `at`: one update of its count and last-post
/// time.
pub async fn posted(c: &mut Conn, t: TenantId, id: i64, n: i64, at: i64) -> Result<()> {
    c.q("UPDATE accounts SET statuses_count = statuses_count + ?, \
         last_status_at = CASE WHEN last_status_at IS NULL OR last_status_at < ? THEN ? ELSE last_status_at END \
         WHERE tenant_id = ? AND id = ?")
        .bind(n)
        .bind(at)
        .bind(at)
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::Counters(id)).await?;
    Ok(())
}

/// Accounts on the far side of a join table (followers, favourited_by, ...), paged by the
/// join row's id, which is returned beside each account for the Link header.
pub async fn via(c: &mut Conn, t: TenantId, join_sql: &str, key: i64, page: &Page) -> Result<Vec<(i64, AccountRow)>> {
    let (clause, args, asc) = page.clause("j.id");
    let sql = format!(
        "SELECT j.id AS join_id, {COLS} FROM {join_sql} AND j.tenant_id = ? AND a.tenant_id = ?{clause}{}",
        page.order("j.id", asc)
    );
    let mut q = c.q(&sql).bind(key).bind(t.0).bind(t.0);
    for a in args {
        q = q.bind(a);
    }
    let rows = q.fetch_all(c.ex()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        use sqlx::Row;
        let join_id: i64 = r.try_get("join_id")?;
        out.push((join_id, AccountRow::from_row(&r)?));
    }
    if asc {
        out.reverse();
    }
    Ok(out)
}

/// Deletes an account and everything it owns (a rejected sign-up).
pub async fn delete(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    c.q("DELETE FROM actor_keys WHERE tenant_id = ? AND account_id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    c.q("DELETE FROM accounts WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::Account(id)).await?;
    crate::changes::record(c, t, crate::changes::Change::User(id)).await?;
    crate::changes::record(c, t, crate::changes::Change::Posted(id)).await?;
    Ok(())
}

/// What NodeInfo reports of an instance: local accounts, those that posted within 30 and
/// 180 days of `now`, and their posts.
pub async fn local_usage(c: &mut Conn, t: TenantId, now: i64) -> Result<(i64, i64, i64, i64)> {
    let month = now - 30 * 86_400_000;
    let half_year = now - 180 * 86_400_000;
    // SUM is NULL over no rows, and NUMERIC for BIGINT on PostgreSQL: both are cast back.
    let row: (i64, i64, i64, i64) = c
        .qa("SELECT CAST(COUNT(*) AS BIGINT), \
                    CAST(COALESCE(SUM(CASE WHEN last_status_at >= ? THEN 1 ELSE 0 END), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(CASE WHEN last_status_at >= ? THEN 1 ELSE 0 END), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(statuses_count), 0) AS BIGINT) \
             FROM accounts WHERE tenant_id = ? AND domain = '' AND suspended_at IS NULL")
        .bind(month)
        .bind(half_year)
        .bind(t.0)
        .fetch_one(c.ex())
        .await?;
    Ok(row)
}

/// Records which of a local account's profile links are verified (a JSON object from URL to
/// when), as a job found them.
pub async fn set_verified_links(c: &mut Conn, t: TenantId, id: i64, links: &str) -> Result<()> {
    c.q("UPDATE accounts SET verified_links = ? WHERE tenant_id = ? AND id = ?")
        .bind(links)
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::Account(id)).await
}
