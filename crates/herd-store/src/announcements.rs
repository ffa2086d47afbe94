//! Announcements from an instance's staff, who has read them, and the emoji members react
//! with. Every change publishes an event for the members' streams.

use crate::events::{EventKind, publish};
use crate::{Conn, Result, TenantId, placeholders};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnnouncementRow {
    pub id: i64,
    pub tenant_id: i64,
    pub text: String,
    pub content_html: String,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub all_day: i64,
    pub published_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLS: &str = "id, tenant_id, text, content_html, starts_at, ends_at, all_day, published_at, created_at, updated_at";

pub async fn insert(c: &mut Conn, t: TenantId, a: &AnnouncementRow) -> Result<()> {
    c.q(&format!("INSERT INTO announcements ({COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"))
        .bind(a.id)
        .bind(t.0)
        .bind(a.text.clone())
        .bind(a.content_html.clone())
        .bind(a.starts_at)
        .bind(a.ends_at)
        .bind(a.all_day)
        .bind(a.published_at)
        .bind(a.created_at)
        .bind(a.updated_at)
        .execute(c.ex())
        .await?;
    publish(c, t, EventKind::Announcement, a.id, 0).await
}

/// Saves a changed announcement; members who read it see it again as unread, as on Mastodon.
pub async fn update(c: &mut Conn, t: TenantId, a: &AnnouncementRow) -> Result<()> {
    c.q(
        "UPDATE announcements SET text = ?, content_html = ?, starts_at = ?, ends_at = ?, all_day = ?, updated_at = ? \
         WHERE tenant_id = ? AND id = ?",
    )
    .bind(a.text.clone())
    .bind(a.content_html.clone())
    .bind(a.starts_at)
    .bind(a.ends_at)
    .bind(a.all_day)
    .bind(a.updated_at)
    .bind(t.0)
    .bind(a.id)
    .execute(c.ex())
    .await?;
    c.q("DELETE FROM announcement_reads WHERE tenant_id = ? AND announcement_id = ?")
        .bind(t.0)
        .bind(a.id)
        .execute(c.ex())
        .await?;
    publish(c, t, EventKind::Announcement, a.id, 0).await
}

pub async fn delete(c: &mut Conn, t: TenantId, id: i64) -> Result<bool> {
    let r = c
        .q("DELETE FROM announcements WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    publish(c, t, EventKind::AnnouncementDelete, id, 0).await?;
    Ok(true)
}

pub async fn by_id(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<AnnouncementRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM announcements WHERE tenant_id = ? AND id = ?"))
        .bind(t.0)
        .bind(id)
        .fetch_optional(c.ex())
        .await?)
}

/// The announcements shown at `now` (those not ended), newest first; with `all`, every one.
pub async fn list(c: &mut Conn, t: TenantId, now: i64, all: bool) -> Result<Vec<AnnouncementRow>> {
    let cond = if all { "" } else { " AND (ends_at IS NULL OR ends_at > ?)" };
    let mut q = c
        .qa(&format!(
            "SELECT {COLS} FROM announcements WHERE tenant_id = ?{cond} ORDER BY COALESCE(starts_at, published_at) DESC, id DESC"
        ))
        .bind(t.0);
    if !all {
        q = q.bind(now);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// Which of these announcements `account` dismissed.
pub async fn read_among(c: &mut Conn, t: TenantId, account: i64, ids: &[i64]) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT announcement_id FROM announcement_reads WHERE tenant_id = ? AND account_id = ? AND announcement_id IN ({})",
        placeholders(ids.len())
    );
    let mut q = c.qs(&sql).bind(t.0).bind(account);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

pub async fn dismiss(c: &mut Conn, t: TenantId, id: i64, account: i64) -> Result<()> {
    c.q("INSERT INTO announcement_reads (tenant_id, announcement_id, account_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
        .bind(t.0)
        .bind(id)
        .bind(account)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// One reaction name on an announcement: how many reacted with it, and whether the viewer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reaction {
    pub announcement_id: i64,
    pub name: String,
    pub count: i64,
    pub me: bool,
}

/// The reactions on these announcements, in the order names were first used.
pub async fn reactions(c: &mut Conn, t: TenantId, viewer: Option<i64>, ids: &[i64]) -> Result<Vec<Reaction>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT announcement_id, name, COUNT(*), MIN(id), SUM(CASE WHEN account_id = ? THEN 1 ELSE 0 END) \
         FROM announcement_reactions WHERE tenant_id = ? AND announcement_id IN ({}) \
         GROUP BY announcement_id, name ORDER BY MIN(id)",
        placeholders(ids.len())
    );
    let mut q = c.qa::<(i64, String, i64, i64, i64)>(&sql).bind(viewer.unwrap_or(0)).bind(t.0);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(c.ex())
        .await?
        .into_iter()
        .map(|(announcement_id, name, count, _, mine)| Reaction {
            announcement_id,
            name,
            count,
            me: mine > 0,
        })
        .collect())
}

/// Adds `account`'s reaction; whether it is new.
pub async fn add_reaction(c: &mut Conn, t: TenantId, id: i64, account: i64, name: &str, new_id: i64, now: i64) -> Result<bool> {
    let r = c
        .q(
            "INSERT INTO announcement_reactions (id, tenant_id, announcement_id, account_id, name, created_at) \
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(new_id)
        .bind(t.0)
        .bind(id)
        .bind(account)
        .bind(name)
        .bind(now)
        .execute(c.ex())
        .await?;
    reacted(c, t, id, account, r.rows_affected()).await
}

/// Takes `account`'s reaction back; whether there was one.
pub async fn remove_reaction(c: &mut Conn, t: TenantId, id: i64, account: i64, name: &str) -> Result<bool> {
    let r = c
        .q("DELETE FROM announcement_reactions WHERE tenant_id = ? AND announcement_id = ? AND account_id = ? AND name = ?")
        .bind(t.0)
        .bind(id)
        .bind(account)
        .bind(name)
        .execute(c.ex())
        .await?;
    reacted(c, t, id, account, r.rows_affected()).await
}

async fn reacted(c: &mut Conn, t: TenantId, id: i64, account: i64, changed: u64) -> Result<bool> {
    if changed == 0 {
        return Ok(false);
    }
    publish(c, t, EventKind::AnnouncementReaction, id, account).await?;
    Ok(true)
}

/// The other names already reacted with on an announcement (Mastodon allows few).
pub async fn other_names(c: &mut Conn, t: TenantId, id: i64, name: &str) -> Result<i64> {
    Ok(
        c.qs("SELECT COUNT(DISTINCT name) FROM announcement_reactions WHERE tenant_id = ? AND announcement_id = ? AND name <> ?")
            .bind(t.0)
            .bind(id)
            .bind(name)
            .fetch_one(c.ex())
            .await?,
    )
}
