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

/// What a day's use is counted of: hashtags, or links (preview cards).
#[derive(Debug, Clone, Copy)]
pub enum Used {
    Tags,
    Links,
}

/// The use of these hashtags (or links) on each day since `since` (epoch milliseconds), by
/// public posts.
pub async fn history(c: &mut Conn, t: TenantId, used: Used, ids: &[i64], since: i64) -> Result<Vec<Day>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (table, column) = match used {
        Used::Tags => ("status_tags", "tag_id"),
        Used::Links => ("status_cards", "card_id"),
    };
    let sql = format!(
        "SELECT x.{column} AS id, s.created_at / {DAY_MS} AS day, COUNT(*) AS uses, COUNT(DISTINCT s.account_id) AS accounts \
         FROM {table} x JOIN statuses s ON s.tenant_id = x.tenant_id AND s.id = x.status_id \
         WHERE x.tenant_id = ? AND x.{column} IN ({}) AND s.created_at >= ? AND s.visibility = 'public' \
         GROUP BY x.{column}, s.created_at / {DAY_MS}",
        placeholders(ids.len())
    );
    let mut q = c.qa::<Day>(&sql).bind(t.0);
    for id in ids {
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
