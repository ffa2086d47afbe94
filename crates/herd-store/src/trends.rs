//! What is trending on an instance: hashtags used by several accounts lately, and posts
//! others interact with; and each hashtag's use per day.

use crate::statuses::StatusRow;
use crate::{Conn, Result, TenantId, placeholders};

const DAY_MS: i64 = 86_400_000;

/// One day of a hashtag's (or a link's) use: its public posts and how many accounts wrote
/// them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Day {
    /// The hashtag's (or preview card's) id.
    pub id: i64,
    /// Days since the epoch (UTC).
    pub day: i64,
    pub uses: i64,
    pub accounts: i64,
}

/// The use of these hashtags on each day since `since` (epoch milliseconds), by public posts.
pub async fn tag_history(c: &mut Conn, t: TenantId, tag_ids: &[i64], since: i64) -> Result<Vec<Day>> {
    if tag_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT st.tag_id AS id, s.created_at / {DAY_MS} AS day, COUNT(*) AS uses, COUNT(DISTINCT s.account_id) AS accounts \
         FROM status_tags st JOIN statuses s ON s.tenant_id = st.tenant_id AND s.id = st.status_id \
         WHERE st.tenant_id = ? AND st.tag_id IN ({}) AND s.created_at >= ? AND s.visibility = 'public' \
         GROUP BY st.tag_id, s.created_at / {DAY_MS}",
        placeholders(tag_ids.len())
    );
    let mut q = c.qa::<Day>(&sql).bind(t.0);
    for id in tag_ids {
        q = q.bind(*id);
    }
    Ok(q.bind(since).fetch_all(c.ex()).await?)
}

/// Hashtags of public posts since `since` used by at least two accounts, most accounts first:
/// (tag id, name).
pub async fn tags(c: &mut Conn, t: TenantId, since: i64, limit: i64, offset: i64) -> Result<Vec<(i64, String)>> {
    Ok(c.qa("SELECT tg.id, tg.name FROM status_tags st \
             JOIN statuses s ON s.tenant_id = st.tenant_id AND s.id = st.status_id \
             JOIN tags tg ON tg.tenant_id = st.tenant_id AND tg.id = st.tag_id \
             JOIN accounts a ON a.tenant_id = s.tenant_id AND a.id = s.account_id \
             WHERE st.tenant_id = ? AND s.created_at >= ? AND s.visibility = 'public' AND s.reblog_of_id IS NULL \
               AND a.suspended_at IS NULL \
             GROUP BY tg.id, tg.name HAVING COUNT(DISTINCT s.account_id) >= 2 \
             ORDER BY COUNT(DISTINCT s.account_id) DESC, COUNT(*) DESC, tg.name LIMIT ? OFFSET ?")
        .bind(t.0)
        .bind(since)
        .bind(limit)
        .bind(offset)
        .fetch_all(c.ex())
        .await?)
}

/// Public posts since `since` by accounts that let themselves be featured (`discoverable`),
/// with boosts, favourites or replies, the most interacted with first.
pub async fn statuses(c: &mut Conn, t: TenantId, since: i64, limit: i64, offset: i64) -> Result<Vec<StatusRow>> {
    let ids: Vec<i64> = c
        .qs(
            "SELECT s.id FROM statuses s JOIN accounts a ON a.tenant_id = s.tenant_id AND a.id = s.account_id \
             WHERE s.tenant_id = ? AND s.created_at >= ? AND s.visibility = 'public' AND s.reblog_of_id IS NULL \
               AND s.in_reply_to_id IS NULL AND a.discoverable = 1 AND a.suspended_at IS NULL \
               AND s.reblogs_count * 2 + s.favourites_count + s.replies_count > 0 \
             ORDER BY s.reblogs_count * 2 + s.favourites_count + s.replies_count DESC, s.id DESC LIMIT ? OFFSET ?",
        )
        .bind(t.0)
        .bind(since)
        .bind(limit)
        .bind(offset)
        .fetch_all(c.ex())
        .await?;
    let rows = crate::statuses::by_ids(c, t, &ids).await?;
    Ok(ids.iter().filter_map(|id| rows.iter().find(|r| r.id == *id).cloned()).collect())
}

/// The use of these links (preview cards) on each day since `since`, by public posts.
pub async fn link_history(c: &mut Conn, t: TenantId, card_ids: &[i64], since: i64) -> Result<Vec<Day>> {
    if card_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT sc.card_id AS id, s.created_at / {DAY_MS} AS day, COUNT(*) AS uses, COUNT(DISTINCT s.account_id) AS accounts \
         FROM status_cards sc JOIN statuses s ON s.tenant_id = sc.tenant_id AND s.id = sc.status_id \
         WHERE sc.tenant_id = ? AND sc.card_id IN ({}) AND s.created_at >= ? AND s.visibility = 'public' \
         GROUP BY sc.card_id, s.created_at / {DAY_MS}",
        placeholders(card_ids.len())
    );
    let mut q = c.qa::<Day>(&sql).bind(t.0);
    for id in card_ids {
        q = q.bind(*id);
    }
    Ok(q.bind(since).fetch_all(c.ex()).await?)
}
