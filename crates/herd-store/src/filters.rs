//! An account's filters: each with keywords and posts, in the contexts it names.

use crate::{Conn, Result, TenantId, placeholders};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FilterRow {
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: i64,
    pub title: String,
    /// JSON list of contexts: `home`, `notifications`, `public`, `thread`, `account`.
    pub contexts: String,
    /// `warn`, `hide` or `blur`.
    pub action: String,
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeywordRow {
    pub id: i64,
    pub filter_id: i64,
    pub keyword: String,
    pub whole_word: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FilterStatusRow {
    pub id: i64,
    pub filter_id: i64,
    pub status_id: i64,
}

const COLS: &str = "id, tenant_id, account_id, title, contexts, action, expires_at, created_at";

/// Writes a filter's row, new or changed.
pub async fn save(c: &mut Conn, t: TenantId, f: &FilterRow) -> Result<()> {
    c.q(
        "INSERT INTO filters (id, tenant_id, account_id, title, contexts, action, expires_at, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET title = excluded.title, \
         contexts = excluded.contexts, action = excluded.action, expires_at = excluded.expires_at",
    )
    .bind(f.id)
    .bind(t.0)
    .bind(f.account_id)
    .bind(f.title.clone())
    .bind(f.contexts.clone())
    .bind(f.action.clone())
    .bind(f.expires_at)
    .bind(f.created_at)
    .execute(c.ex())
    .await?;
    Ok(())
}

/// `owner`'s filters, oldest first; only those in force at `now` when it is given.
pub async fn of_owner(c: &mut Conn, t: TenantId, owner: i64, now: Option<i64>) -> Result<Vec<FilterRow>> {
    let q = match now {
        Some(_) => format!(
            "SELECT {COLS} FROM filters WHERE tenant_id = ? AND account_id = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY id"
        ),
        None => format!("SELECT {COLS} FROM filters WHERE tenant_id = ? AND account_id = ? ORDER BY id"),
    };
    let mut q = c.qa(&q).bind(t.0).bind(owner);
    if let Some(n) = now {
        q = q.bind(n);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

pub async fn owned(c: &mut Conn, t: TenantId, owner: i64, id: i64) -> Result<Option<FilterRow>> {
    Ok(c.qa(&format!(
        "SELECT {COLS} FROM filters WHERE tenant_id = ? AND account_id = ? AND id = ?"
    ))
    .bind(t.0)
    .bind(owner)
    .bind(id)
    .fetch_optional(c.ex())
    .await?)
}

pub async fn delete(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    for table in ["filter_keywords", "filter_statuses"] {
        c.q(&format!("DELETE FROM {table} WHERE tenant_id = ? AND filter_id = ?"))
            .bind(t.0)
            .bind(id)
            .execute(c.ex())
            .await?;
    }
    c.q("DELETE FROM filters WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// The keywords of these filters.
pub async fn keywords(c: &mut Conn, t: TenantId, filters: &[i64]) -> Result<Vec<KeywordRow>> {
    if filters.is_empty() {
        return Ok(Vec::new());
    }
    let q = format!(
        "SELECT id, filter_id, keyword, whole_word FROM filter_keywords WHERE tenant_id = ? AND filter_id IN ({}) ORDER BY id",
        placeholders(filters.len())
    );
    let mut q = c.qa(&q).bind(t.0);
    for f in filters {
        q = q.bind(*f);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// The posts of these filters.
pub async fn statuses(c: &mut Conn, t: TenantId, filters: &[i64]) -> Result<Vec<FilterStatusRow>> {
    if filters.is_empty() {
        return Ok(Vec::new());
    }
    let q = format!(
        "SELECT id, filter_id, status_id FROM filter_statuses WHERE tenant_id = ? AND filter_id IN ({}) ORDER BY id",
        placeholders(filters.len())
    );
    let mut q = c.qa(&q).bind(t.0);
    for f in filters {
        q = q.bind(*f);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// Adds or changes a keyword.
pub async fn save_keyword(c: &mut Conn, t: TenantId, k: &KeywordRow) -> Result<()> {
    c.q(
        "INSERT INTO filter_keywords (id, tenant_id, filter_id, keyword, whole_word) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET keyword = excluded.keyword, whole_word = excluded.whole_word",
    )
    .bind(k.id)
    .bind(t.0)
    .bind(k.filter_id)
    .bind(k.keyword.clone())
    .bind(k.whole_word)
    .execute(c.ex())
    .await?;
    Ok(())
}

pub async fn delete_keyword(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    c.q("DELETE FROM filter_keywords WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// Adds a post to a filter; `false` when it is there already.
pub async fn add_status(c: &mut Conn, t: TenantId, s: &FilterStatusRow) -> Result<bool> {
    let r = c
        .q(
            "INSERT INTO filter_statuses (id, tenant_id, filter_id, status_id) VALUES (?, ?, ?, ?) \
            ON CONFLICT (tenant_id, filter_id, status_id) DO NOTHING",
        )
        .bind(s.id)
        .bind(t.0)
        .bind(s.filter_id)
        .bind(s.status_id)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn delete_status(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    c.q("DELETE FROM filter_statuses WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// The filter owning a keyword or a filtered post (`table` names which), with its owner.
pub async fn owner_of(c: &mut Conn, t: TenantId, table: Part, id: i64) -> Result<Option<(i64, i64)>> {
    let q = format!(
        "SELECT f.id, f.account_id FROM {} x JOIN filters f ON f.id = x.filter_id WHERE x.tenant_id = ? AND f.tenant_id = ? AND x.id = ?",
        table.table()
    );
    Ok(c.qa(&q).bind(t.0).bind(t.0).bind(id).fetch_optional(c.ex()).await?)
}

/// A filter's parts that have their own ids in the API.
#[derive(Debug, Clone, Copy)]
pub enum Part {
    Keyword,
    Status,
}

impl Part {
    fn table(self) -> &'static str {
        match self {
            Part::Keyword => "filter_keywords",
            Part::Status => "filter_statuses",
        }
    }
}
