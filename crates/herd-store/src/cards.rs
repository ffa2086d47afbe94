//! Link previews (preview cards) and the posts that show them.

use crate::changes::{Change, record};
use crate::{Conn, Result, TenantId, placeholders};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CardRow {
    pub id: i64,
    pub tenant_id: i64,
    pub url: String,
    pub title: String,
    pub description: String,
    pub image_url: Option<String>,
    pub provider_name: String,
    pub language: Option<String>,
    pub fetched_at: i64,
}

const COLS: &str = "c.id, c.tenant_id, c.url, c.title, c.description, c.image_url, c.provider_name, c.language, c.fetched_at";

pub async fn by_url(c: &mut Conn, t: TenantId, url: &str) -> Result<Option<CardRow>> {
    Ok(
        c.qa(&format!("SELECT {COLS} FROM preview_cards c WHERE c.tenant_id = ? AND c.url = ?"))
            .bind(t.0)
            .bind(url)
            .fetch_optional(c.ex())
            .await?,
    )
}

/// Stores a card for its address, replacing what an earlier fetch found; its id.
pub async fn upsert(c: &mut Conn, t: TenantId, card: &CardRow) -> Result<i64> {
    c.q(
        "INSERT INTO preview_cards (id, tenant_id, url, title, description, image_url, provider_name, language, fetched_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, url) DO UPDATE SET title = excluded.title, \
         description = excluded.description, image_url = excluded.image_url, provider_name = excluded.provider_name, \
         language = excluded.language, fetched_at = excluded.fetched_at",
    )
    .bind(card.id)
    .bind(t.0)
    .bind(card.url.clone())
    .bind(card.title.clone())
    .bind(card.description.clone())
    .bind(card.image_url.clone())
    .bind(card.provider_name.clone())
    .bind(card.language.clone())
    .bind(card.fetched_at)
    .execute(c.ex())
    .await?;
    let id: i64 = c
        .qs("SELECT id FROM preview_cards WHERE tenant_id = ? AND url = ?")
        .bind(t.0)
        .bind(card.url.clone())
        .fetch_one(c.ex())
        .await?;
    Ok(id)
}

/// Shows a card on a post.
pub async fn attach(c: &mut Conn, t: TenantId, status: i64, card: i64) -> Result<()> {
    c.q("INSERT INTO status_cards (tenant_id, status_id, card_id) VALUES (?, ?, ?) \
         ON CONFLICT (tenant_id, status_id) DO UPDATE SET card_id = excluded.card_id")
        .bind(t.0)
        .bind(status)
        .bind(card)
        .execute(c.ex())
        .await?;
    record(c, t, Change::Status(status)).await
}

/// Takes a post's card off (an edit took its link away).
pub async fn detach(c: &mut Conn, t: TenantId, status: i64) -> Result<()> {
    c.q("DELETE FROM status_cards WHERE tenant_id = ? AND status_id = ?")
        .bind(t.0)
        .bind(status)
        .execute(c.ex())
        .await?;
    record(c, t, Change::Status(status)).await
}

/// The cards of these posts: (post id, card).
pub async fn for_statuses(c: &mut Conn, t: TenantId, statuses: &[i64]) -> Result<Vec<(i64, CardRow)>> {
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT sc.status_id, {COLS} FROM status_cards sc JOIN preview_cards c ON c.tenant_id = sc.tenant_id AND c.id = sc.card_id \
         WHERE sc.tenant_id = ? AND sc.status_id IN ({})",
        placeholders(statuses.len())
    );
    let mut q = c.qa::<StatusCard>(&sql).bind(t.0);
    for s in statuses {
        q = q.bind(*s);
    }
    Ok(q.fetch_all(c.ex()).await?.into_iter().map(|r| (r.status_id, r.card)).collect())
}

#[derive(sqlx::FromRow)]
struct StatusCard {
    status_id: i64,
    #[sqlx(flatten)]
    card: CardRow,
}

/// Cards shown on public posts since `since` by at least two accounts, most accounts first.
pub async fn trending(c: &mut Conn, t: TenantId, since: i64, limit: i64, offset: i64) -> Result<Vec<CardRow>> {
    Ok(c.qa(&format!(
        "SELECT {COLS} FROM preview_cards c WHERE c.tenant_id = ? AND c.title <> '' AND c.id IN ( \
               SELECT sc.card_id FROM status_cards sc JOIN statuses s ON s.tenant_id = sc.tenant_id AND s.id = sc.status_id \
               WHERE sc.tenant_id = ? AND s.created_at >= ? AND s.visibility = 'public' \
               GROUP BY sc.card_id HAVING COUNT(DISTINCT s.account_id) >= 2) \
             ORDER BY (SELECT COUNT(DISTINCT s2.account_id) FROM status_cards sc2 JOIN statuses s2 \
               ON s2.tenant_id = sc2.tenant_id AND s2.id = sc2.status_id WHERE sc2.tenant_id = c.tenant_id AND sc2.card_id = c.id \
               AND s2.created_at >= ?) DESC, c.id DESC LIMIT ? OFFSET ?"
    ))
    .bind(t.0)
    .bind(t.0)
    .bind(since)
    .bind(since)
    .bind(limit)
    .bind(offset)
    .fetch_all(c.ex())
    .await?)
}
