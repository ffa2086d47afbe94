//! The full-text index of posts, kept by the statements that write posts
//! ([`crate::statuses::insert_new`], `update_content`, `delete`), so no path can forget it.
//! SQLite keeps it in an FTS5 table whose rowid is the post's id; PostgreSQL in a table with
//! a generated `tsvector` under a GIN index.

use crate::statuses::StatusRow;
use crate::{Conn, Dialect, Result, TenantId, placeholders, value_rows};

/// The words a post is found by: its content warning and text (the source of a local post,
/// the sanitised HTML of a remote one, as plain text).
pub fn body(s: &StatusRow) -> String {
    let text = if s.text.is_empty() {
        herd_core::content::plain_text(&s.content_html)
    } else {
        s.text.clone()
    };
    if s.spoiler_text.is_empty() {
        text
    } else {
        format!("{} {text}", s.spoiler_text)
    }
}

/// Reindexes these posts (boosts are not indexed).
pub async fn index(c: &mut Conn, t: TenantId, rows: &[&StatusRow]) -> Result<()> {
    let ids: Vec<i64> = rows.iter().filter(|r| r.reblog_of_id.is_none()).map(|r| r.id).collect();
    unindex(c, t, &ids).await?;
    index_new(c, t, rows).await
}

/// Indexes posts just inserted (nothing of theirs is in the index yet).
pub async fn index_new(c: &mut Conn, t: TenantId, rows: &[&StatusRow]) -> Result<()> {
    let rows: Vec<&&StatusRow> = rows.iter().filter(|r| r.reblog_of_id.is_none()).collect();
    if rows.is_empty() {
        return Ok(());
    }
    let sql = match c.dialect() {
        Dialect::Sqlite => format!(
            "INSERT INTO status_search (rowid, tenant_id, body) VALUES {}",
            value_rows(rows.len(), 3)
        ),
        Dialect::Postgres => format!(
            "INSERT INTO status_search (status_id, tenant_id, body) VALUES {}",
            value_rows(rows.len(), 3)
        ),
    };
    let mut q = c.q(&sql);
    for r in rows {
        q = q.bind(r.id).bind(t.0).bind(body(r));
    }
    q.execute(c.ex()).await?;
    Ok(())
}

/// Takes these posts out of the index.
pub async fn unindex(c: &mut Conn, t: TenantId, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = match c.dialect() {
        Dialect::Sqlite => format!(
            "DELETE FROM status_search WHERE tenant_id = ? AND rowid IN ({})",
            placeholders(ids.len())
        ),
        Dialect::Postgres => format!(
            "DELETE FROM status_search WHERE tenant_id = ? AND status_id IN ({})",
            placeholders(ids.len())
        ),
    };
    let mut q = c.q(&sql).bind(t.0);
    for id in ids {
        q = q.bind(*id);
    }
    q.execute(c.ex()).await?;
    Ok(())
}

/// Posts of this instance not in the index yet (written before it existed), oldest first.
pub async fn unindexed(c: &mut Conn, t: TenantId, limit: i64) -> Result<Vec<StatusRow>> {
    let key = match c.dialect() {
        Dialect::Sqlite => "ss.rowid",
        Dialect::Postgres => "ss.status_id",
    };
    let ids: Vec<i64> = c
        .qs(&format!(
            "SELECT s.id FROM statuses s WHERE s.tenant_id = ? AND s.reblog_of_id IS NULL \
             AND NOT EXISTS (SELECT 1 FROM status_search ss WHERE ss.tenant_id = s.tenant_id AND {key} = s.id) ORDER BY s.id LIMIT ?"
        ))
        .bind(t.0)
        .bind(limit)
        .fetch_all(c.ex())
        .await?;
    crate::statuses::by_ids(c, t, &ids).await
}

/// The words and phrases to find: every positive one must be in a post, no negative one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Terms {
    pub all: Vec<String>,
    pub none: Vec<String>,
}

/// The SQL (a list of post ids) for the posts matching `terms`, and its arguments.
pub(crate) fn matching(dialect: Dialect, t: TenantId, terms: &Terms) -> (String, Vec<String>, i64) {
    match dialect {
        Dialect::Sqlite => {
            let quote = |w: &String| format!("\"{}\"", w.replace('"', "\"\""));
            let mut q = terms.all.iter().map(quote).collect::<Vec<_>>().join(" ");
            for n in &terms.none {
                q.push_str(" NOT ");
                q.push_str(&quote(n));
            }
            (
                "SELECT rowid FROM status_search WHERE status_search MATCH ? AND tenant_id = ?".into(),
                vec![q],
                t.0,
            )
        }
        Dialect::Postgres => {
            let mut parts: Vec<&str> = terms.all.iter().map(|_| "phraseto_tsquery('simple', ?)").collect();
            parts.extend(terms.none.iter().map(|_| "!! phraseto_tsquery('simple', ?)"));
            let args: Vec<String> = terms.all.iter().chain(&terms.none).cloned().collect();
            (
                format!(
                    "SELECT status_id FROM status_search WHERE tsv @@ ({}) AND tenant_id = ?",
                    parts.join(" && ")
                ),
                args,
                t.0,
            )
        }
    }
}

/// Indexes the instance's posts with ids above `after`, up to `limit` of them, oldest first,
/// into an index that holds none of them (a restore rebuilding it); the last id indexed, or
/// `None` when there were none left.
pub async fn index_after(c: &mut Conn, t: TenantId, after: i64, limit: i64) -> Result<Option<i64>> {
    let ids: Vec<i64> = c
        .qs("SELECT id FROM statuses WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?")
        .bind(t.0)
        .bind(after)
        .bind(limit)
        .fetch_all(c.ex())
        .await?;
    let Some(last) = ids.last().copied() else {
        return Ok(None);
    };
    let rows = crate::statuses::by_ids(c, t, &ids).await?;
    let refs: Vec<&StatusRow> = rows.iter().collect();
    index_new(c, t, &refs).await?;
    Ok(Some(last))
}

/// Empties the instance's part of the index (its posts are being replaced by a restore).
pub async fn clear(c: &mut Conn, t: TenantId) -> Result<()> {
    c.q("DELETE FROM status_search WHERE tenant_id = ?")
        .bind(t.0)
        .execute(c.ex())
        .await?;
    Ok(())
}
