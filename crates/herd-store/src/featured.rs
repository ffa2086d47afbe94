//! What an account features on its profile: hashtags, and accounts it endorses.

use crate::{Conn, Page, Result, TenantId, placeholders};

/// A featured hashtag with what the account's public and unlisted posts say of it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeaturedTagRow {
    pub id: i64,
    pub tag_id: i64,
    pub name: String,
    pub statuses_count: i64,
    pub last_status_at: Option<i64>,
}

/// Features a hashtag; false when it is featured already.
pub async fn add_tag(c: &mut Conn, t: TenantId, id: i64, account: i64, tag: i64, now: i64) -> Result<bool> {
    let r = c
        .q(
            "INSERT INTO featured_tags (id, tenant_id, account_id, tag_id, created_at) VALUES (?, ?, ?, ?, ?) \
            ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(t.0)
        .bind(account)
        .bind(tag)
        .bind(now)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected() > 0)
}

/// Stops featuring one of `account`'s featured hashtags; false when it is not theirs.
pub async fn remove_tag(c: &mut Conn, t: TenantId, account: i64, id: i64) -> Result<bool> {
    let r = c
        .q("DELETE FROM featured_tags WHERE tenant_id = ? AND account_id = ? AND id = ?")
        .bind(t.0)
        .bind(account)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected() > 0)
}

/// `account`'s featured hashtags in the order they were featured, with their counts.
pub async fn tags_of(c: &mut Conn, t: TenantId, account: i64) -> Result<Vec<FeaturedTagRow>> {
    Ok(c.qa(
        "SELECT f.id, f.tag_id, tg.name, COUNT(s.id) AS statuses_count, MAX(s.created_at) AS last_status_at \
             FROM featured_tags f JOIN tags tg ON tg.tenant_id = f.tenant_id AND tg.id = f.tag_id \
             LEFT JOIN status_tags st ON st.tenant_id = f.tenant_id AND st.tag_id = f.tag_id \
             LEFT JOIN statuses s ON s.tenant_id = st.tenant_id AND s.id = st.status_id AND s.account_id = f.account_id \
               AND s.visibility IN ('public', 'unlisted') \
             WHERE f.tenant_id = ? AND f.account_id = ? \
             GROUP BY f.id, f.tag_id, tg.name ORDER BY f.id",
    )
    .bind(t.0)
    .bind(account)
    .fetch_all(c.ex())
    .await?)
}

/// The hashtags `account` used most in its latest posts and does not feature yet: (tag id, name).
pub async fn suggested_tags(c: &mut Conn, t: TenantId, account: i64, limit: i64) -> Result<Vec<(i64, String)>> {
    Ok(c.qa("SELECT tg.id, tg.name FROM tags tg JOIN ( \
               SELECT st.tag_id, COUNT(*) AS uses FROM status_tags st \
               JOIN (SELECT id FROM statuses WHERE tenant_id = ? AND account_id = ? ORDER BY id DESC LIMIT 500) s \
                 ON s.id = st.status_id \
               WHERE st.tenant_id = ? GROUP BY st.tag_id) u ON u.tag_id = tg.id \
             WHERE tg.tenant_id = ? AND NOT EXISTS (SELECT 1 FROM featured_tags f \
               WHERE f.tenant_id = tg.tenant_id AND f.account_id = ? AND f.tag_id = tg.id) \
             ORDER BY u.uses DESC, tg.name LIMIT ?")
        .bind(t.0)
        .bind(account)
        .bind(t.0)
        .bind(t.0)
        .bind(account)
        .bind(limit)
        .fetch_all(c.ex())
        .await?)
}

pub async fn count_tags(c: &mut Conn, t: TenantId, account: i64) -> Result<i64> {
    Ok(c.qs("SELECT COUNT(*) FROM featured_tags WHERE tenant_id = ? AND account_id = ?")
        .bind(t.0)
        .bind(account)
        .fetch_one(c.ex())
        .await?)
}

/// `account` endorses `target`; false when it does already.
pub async fn endorse(c: &mut Conn, t: TenantId, id: i64, account: i64, target: i64, now: i64) -> Result<bool> {
    let r = c
        .q(
            "INSERT INTO endorsements (id, tenant_id, account_id, target_account_id, created_at) VALUES (?, ?, ?, ?, ?) \
            ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(t.0)
        .bind(account)
        .bind(target)
        .bind(now)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn unendorse(c: &mut Conn, t: TenantId, account: i64, target: i64) -> Result<()> {
    c.q("DELETE FROM endorsements WHERE tenant_id = ? AND account_id = ? AND target_account_id = ?")
        .bind(t.0)
        .bind(account)
        .bind(target)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// The accounts `account` endorses, newest endorsement first: (endorsement id, account id).
pub async fn endorsed(c: &mut Conn, t: TenantId, account: i64, page: &Page) -> Result<Vec<(i64, i64)>> {
    let (clause, args, ascending) = page.clause("id");
    let sql = format!(
        "SELECT id, target_account_id FROM endorsements WHERE tenant_id = ? AND account_id = ?{clause}{}",
        page.order("id", ascending)
    );
    let mut q = c.qa(&sql).bind(t.0).bind(account);
    for a in args {
        q = q.bind(a);
    }
    let mut rows: Vec<(i64, i64)> = q.fetch_all(c.ex()).await?;
    if ascending {
        rows.reverse();
    }
    Ok(rows)
}

/// Which of `targets` `account` endorses.
pub async fn endorsed_among(c: &mut Conn, t: TenantId, account: i64, targets: &[i64]) -> Result<Vec<i64>> {
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT target_account_id FROM endorsements WHERE tenant_id = ? AND account_id = ? AND target_account_id IN ({})",
        placeholders(targets.len())
    );
    let mut q = c.qs(&sql).bind(t.0).bind(account);
    for id in targets {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(c.ex()).await?)
}
