//! Custom emoji: the instance's own and other servers', and which posts use them.

use crate::changes::{Change, record_many};
use crate::{Conn, Result, TenantId, placeholders, value_rows};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EmojiRow {
    pub id: i64,
    pub tenant_id: i64,
    pub shortcode: String,
    /// '' for the instance's own.
    pub domain: String,
    pub file_key: Option<String>,
    pub static_key: Option<String>,
    pub remote_url: Option<String>,
    /// A remote emoji's ActivityPub id.
    pub uri: Option<String>,
    pub category: Option<String>,
    pub visible_in_picker: i64,
    pub created_at: i64,
}

const COLS: &str = "e.id, e.tenant_id, e.shortcode, e.domain, e.file_key, e.static_key, e.remote_url, e.uri, e.category, \
    e.visible_in_picker, e.created_at";

/// Stores an emoji; false when one with its shortcode exists for its domain.
pub async fn insert(c: &mut Conn, t: TenantId, e: &EmojiRow) -> Result<bool> {
    let r = c
        .q(
            "INSERT INTO custom_emojis (id, tenant_id, shortcode, domain, file_key, static_key, remote_url, uri, category, \
            visible_in_picker, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(e.id)
        .bind(t.0)
        .bind(e.shortcode.clone())
        .bind(e.domain.clone())
        .bind(e.file_key.clone())
        .bind(e.static_key.clone())
        .bind(e.remote_url.clone())
        .bind(e.uri.clone())
        .bind(e.category.clone())
        .bind(e.visible_in_picker)
        .bind(e.created_at)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected() > 0)
}

/// The emoji of one domain ('' for local) with these shortcodes.
pub async fn by_shortcodes(c: &mut Conn, t: TenantId, domain: &str, codes: &[String]) -> Result<Vec<EmojiRow>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLS} FROM custom_emojis e WHERE e.tenant_id = ? AND e.domain = ? AND e.shortcode IN ({})",
        placeholders(codes.len())
    );
    let mut q = c.qa(&sql).bind(t.0).bind(domain.to_string());
    for code in codes {
        q = q.bind(code.clone());
    }
    Ok(q.fetch_all(c.ex()).await?)
}

pub async fn by_id(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<EmojiRow>> {
    Ok(
        c.qa(&format!("SELECT {COLS} FROM custom_emojis e WHERE e.tenant_id = ? AND e.id = ?"))
            .bind(t.0)
            .bind(id)
            .fetch_optional(c.ex())
            .await?,
    )
}

/// The instance's own emoji, by category and shortcode.
pub async fn local(c: &mut Conn, t: TenantId) -> Result<Vec<EmojiRow>> {
    Ok(c.qa(&format!(
        "SELECT {COLS} FROM custom_emojis e WHERE e.tenant_id = ? AND e.domain = '' ORDER BY e.category, e.shortcode"
    ))
    .bind(t.0)
    .fetch_all(c.ex())
    .await?)
}

/// Deletes one of the instance's own emoji; the posts that used it change.
pub async fn delete_local(c: &mut Conn, t: TenantId, shortcode: &str) -> Result<Option<EmojiRow>> {
    let Some(e) = by_shortcodes(c, t, "", &[shortcode.to_string()]).await?.pop() else {
        return Ok(None);
    };
    let posts: Vec<i64> = c
        .qs("SELECT status_id FROM status_emojis WHERE tenant_id = ? AND emoji_id = ?")
        .bind(t.0)
        .bind(e.id)
        .fetch_all(c.ex())
        .await?;
    c.q("DELETE FROM custom_emojis WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(e.id)
        .execute(c.ex())
        .await?;
    record_many(c, t, &posts.into_iter().map(Change::Status).collect::<Vec<_>>()).await?;
    Ok(Some(e))
}

/// A remote emoji's image copied here.
pub async fn set_files(c: &mut Conn, t: TenantId, id: i64, file_key: &str, static_key: &str) -> Result<()> {
    c.q("UPDATE custom_emojis SET file_key = ?, static_key = ? WHERE tenant_id = ? AND id = ?")
        .bind(file_key)
        .bind(static_key)
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    let posts: Vec<i64> = c
        .qs("SELECT status_id FROM status_emojis WHERE tenant_id = ? AND emoji_id = ?")
        .bind(t.0)
        .bind(id)
        .fetch_all(c.ex())
        .await?;
    record_many(c, t, &posts.into_iter().map(Change::Status).collect::<Vec<_>>()).await
}

/// Sets the emoji a post uses (replacing those it used).
pub async fn set_for_status(c: &mut Conn, t: TenantId, status: i64, emoji_ids: &[i64]) -> Result<()> {
    c.q("DELETE FROM status_emojis WHERE tenant_id = ? AND status_id = ?")
        .bind(t.0)
        .bind(status)
        .execute(c.ex())
        .await?;
    if !emoji_ids.is_empty() {
        let sql = format!(
            "INSERT INTO status_emojis (tenant_id, status_id, emoji_id) VALUES {} ON CONFLICT DO NOTHING",
            value_rows(emoji_ids.len(), 3)
        );
        let mut q = c.q(&sql);
        for e in emoji_ids {
            q = q.bind(t.0).bind(status).bind(*e);
        }
        q.execute(c.ex()).await?;
    }
    record_many(c, t, &[Change::Status(status)]).await
}

/// The emoji of these posts: (post id, emoji).
pub async fn for_statuses(c: &mut Conn, t: TenantId, statuses: &[i64]) -> Result<Vec<(i64, EmojiRow)>> {
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT se.status_id, {COLS} FROM status_emojis se JOIN custom_emojis e ON e.tenant_id = se.tenant_id AND e.id = se.emoji_id \
         WHERE se.tenant_id = ? AND se.status_id IN ({}) ORDER BY e.shortcode",
        placeholders(statuses.len())
    );
    let mut q = c.qa::<StatusEmoji>(&sql).bind(t.0);
    for s in statuses {
        q = q.bind(*s);
    }
    Ok(q.fetch_all(c.ex()).await?.into_iter().map(|r| (r.status_id, r.emoji)).collect())
}

#[derive(sqlx::FromRow)]
struct StatusEmoji {
    status_id: i64,
    #[sqlx(flatten)]
    emoji: EmojiRow,
}
