//! Hashtags, per instance, and which posts carry them.

use crate::{Conn, Result, TenantId, placeholders};

/// The tag's id, created on first use.
pub async fn ensure(c: &mut Conn, t: TenantId, new_id: i64, name: &str, now: i64) -> Result<i64> {
    let key = name.to_lowercase();
    c.q(
        "INSERT INTO tags (id, tenant_id, name, name_key, created_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (tenant_id, name_key) DO NOTHING",
    )
    .bind(new_id)
    .bind(t.0)
    .bind(name)
    .bind(key.clone())
    .bind(now)
    .execute(c.ex())
    .await?;
    Ok(c.qs("SELECT id FROM tags WHERE tenant_id = ? AND name_key = ?")
        .bind(t.0)
        .bind(key)
        .fetch_one(c.ex())
        .await?)
}

/// Replaces the set of tags on a post.
pub async fn set_for_status(c: &mut Conn, t: TenantId, status: i64, tag_ids: &[i64]) -> Result<()> {
    c.q("DELETE FROM status_tags WHERE tenant_id = ? AND status_id = ?")
        .bind(t.0)
        .bind(status)
        .execute(c.ex())
        .await?;
    for tag in tag_ids {
        c.q("INSERT INTO status_tags (tenant_id, status_id, tag_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(t.0)
            .bind(status)
            .bind(*tag)
            .execute(c.ex())
            .await?;
    }
    crate::changes::record(c, t, crate::changes::Change::Status(status)).await?;
    tag_followers_changed(c, t, tag_ids).await?;
    Ok(())
}

/// `(status id, tag name)` for these posts.
pub async fn for_statuses(c: &mut Conn, t: TenantId, statuses: &[i64]) -> Result<Vec<(i64, String)>> {
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT st.status_id, tg.name FROM status_tags st JOIN tags tg ON tg.id = st.tag_id \
         WHERE st.tenant_id = ? AND st.status_id IN ({}) ORDER BY tg.name_key",
        placeholders(statuses.len())
    );
    let mut q = c.qa::<(i64, String)>(&sql).bind(t.0);
    for s in statuses {
        q = q.bind(*s);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// Mentions: `(status id, account id)` for these posts.
pub async fn mentions_for(c: &mut Conn, t: TenantId, statuses: &[i64]) -> Result<Vec<(i64, i64)>> {
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT status_id, account_id FROM mentions WHERE tenant_id = ? AND status_id IN ({}) ORDER BY id",
        placeholders(statuses.len())
    );
    let mut q = c.qa::<(i64, i64)>(&sql).bind(t.0);
    for s in statuses {
        q = q.bind(*s);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// Records the tags and mentions of new posts (which have none yet): `(status, tag)` and
/// `(mention id, status, account)`.
pub async fn add_to_new(c: &mut Conn, t: TenantId, tagged: &[(i64, i64)], mentions: &[(i64, i64, i64)]) -> Result<()> {
    if !tagged.is_empty() {
        let sql = format!(
            "INSERT INTO status_tags (tenant_id, status_id, tag_id) VALUES {} ON CONFLICT DO NOTHING",
            crate::value_rows(tagged.len(), 3)
        );
        let mut q = c.q(&sql);
        for (status, tag) in tagged {
            q = q.bind(t.0).bind(*status).bind(*tag);
        }
        q.execute(c.ex()).await?;
        let mut tags: Vec<i64> = tagged.iter().map(|(_, tag)| *tag).collect();
        tags.sort_unstable();
        tags.dedup();
        tag_followers_changed(c, t, &tags).await?;
    }
    if !mentions.is_empty() {
        let sql = format!(
            "INSERT INTO mentions (id, tenant_id, status_id, account_id) VALUES {} ON CONFLICT DO NOTHING",
            crate::value_rows(mentions.len(), 4)
        );
        let mut q = c.q(&sql);
        for (id, status, account) in mentions {
            q = q.bind(*id).bind(t.0).bind(*status).bind(*account);
        }
        q.execute(c.ex()).await?;
    }
    // Who is mentioned decides who sees a direct post at home.
    let mut touched: Vec<i64> = mentions.iter().map(|m| m.2).collect();
    touched.sort_unstable();
    touched.dedup();
    let changes: Vec<crate::changes::Change> = touched.into_iter().map(crate::changes::Change::Feed).collect();
    crate::changes::record_many(c, t, &changes).await
}

/// Replaces the set of accounts a post mentions.
pub async fn set_mentions(c: &mut Conn, t: TenantId, status: i64, ids: &[(i64, i64)]) -> Result<()> {
    // Who is mentioned decides who sees a direct post at home: both the old and the new.
    let mut touched: Vec<i64> = c
        .qs("SELECT account_id FROM mentions WHERE tenant_id = ? AND status_id = ?")
        .bind(t.0)
        .bind(status)
        .fetch_all(c.ex())
        .await?;
    touched.extend(ids.iter().map(|(_, a)| *a));
    touched.sort_unstable();
    touched.dedup();
    c.q("DELETE FROM mentions WHERE tenant_id = ? AND status_id = ?")
        .bind(t.0)
        .bind(status)
        .execute(c.ex())
        .await?;
    for (id, account) in ids {
        c.q("INSERT INTO mentions (id, tenant_id, status_id, account_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(*id)
            .bind(t.0)
            .bind(status)
            .bind(*account)
            .execute(c.ex())
            .await?;
    }
    crate::changes::record(c, t, crate::changes::Change::Status(status)).await?;
    for a in touched {
        crate::changes::record(c, t, crate::changes::Change::Feed(a)).await?;
    }
    Ok(())
}

/// Hashtags whose name starts with `prefix` (case-insensitively), most used first.
pub async fn search(c: &mut Conn, t: TenantId, prefix: &str, limit: i64, offset: i64) -> Result<Vec<String>> {
    let pattern = format!("{}%", prefix.to_lowercase().replace(['%', '_', '\\'], ""));
    Ok(c.qs("SELECT tg.name FROM tags tg WHERE tg.tenant_id = ? AND tg.name_key LIKE ? \
         ORDER BY (SELECT COUNT(*) FROM status_tags st WHERE st.tenant_id = tg.tenant_id AND st.tag_id = tg.id) DESC, tg.name_key \
         LIMIT ? OFFSET ?")
        .bind(t.0)
        .bind(pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(c.ex())
        .await?)
}

/// A tag by name (any case): (id, name).
pub async fn by_name(c: &mut Conn, t: TenantId, name: &str) -> Result<Option<(i64, String)>> {
    Ok(c.qa("SELECT id, name FROM tags WHERE tenant_id = ? AND name_key = ?")
        .bind(t.0)
        .bind(name.to_lowercase())
        .fetch_optional(c.ex())
        .await?)
}

/// `account` follows a tag (again: nothing changes).
pub async fn follow(c: &mut Conn, t: TenantId, id: i64, account: i64, tag: i64, now: i64) -> Result<()> {
    c.q(
        "INSERT INTO tag_follows (id, tenant_id, account_id, tag_id, created_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (tenant_id, account_id, tag_id) DO NOTHING",
    )
    .bind(id)
    .bind(t.0)
    .bind(account)
    .bind(tag)
    .bind(now)
    .execute(c.ex())
    .await?;
    crate::changes::record(c, t, crate::changes::Change::Feed(account)).await
}

pub async fn unfollow(c: &mut Conn, t: TenantId, account: i64, tag: i64) -> Result<()> {
    c.q("DELETE FROM tag_follows WHERE tenant_id = ? AND account_id = ? AND tag_id = ?")
        .bind(t.0)
        .bind(account)
        .bind(tag)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::Feed(account)).await
}

/// Whether `account` follows the tag.
pub async fn is_followed(c: &mut Conn, t: TenantId, account: i64, tag: i64) -> Result<bool> {
    let n: i64 = c
        .qs("SELECT COUNT(*) FROM tag_follows WHERE tenant_id = ? AND account_id = ? AND tag_id = ?")
        .bind(t.0)
        .bind(account)
        .bind(tag)
        .fetch_one(c.ex())
        .await?;
    Ok(n > 0)
}

/// Whether `account` follows any tag.
pub async fn follows_any(c: &mut Conn, t: TenantId, account: i64) -> Result<bool> {
    let n: i64 = c
        .qs("SELECT COUNT(*) FROM tag_follows WHERE tenant_id = ? AND account_id = ?")
        .bind(t.0)
        .bind(account)
        .fetch_one(c.ex())
        .await?;
    Ok(n > 0)
}

/// A page of the tags `account` follows: (follow id, tag id, name), newest first.
pub async fn followed(c: &mut Conn, t: TenantId, account: i64, page: &crate::Page) -> Result<Vec<(i64, i64, String)>> {
    let (clause, args, asc) = page.clause("tf.id");
    let q = format!(
        "SELECT tf.id, tg.id, tg.name FROM tag_follows tf JOIN tags tg ON tg.id = tf.tag_id \
         WHERE tf.tenant_id = ? AND tg.tenant_id = ? AND tf.account_id = ?{clause}{}",
        page.order("tf.id", asc)
    );
    let mut q = c.qa::<(i64, i64, String)>(&q).bind(t.0).bind(t.0).bind(account);
    for a in args {
        q = q.bind(a);
    }
    let mut rows = q.fetch_all(c.ex()).await?;
    if asc {
        rows.reverse();
    }
    Ok(rows)
}

/// The home feeds of the accounts following these tags now show new posts (see
/// [`crate::statuses::home`]).
async fn tag_followers_changed(c: &mut Conn, t: TenantId, tags: &[i64]) -> Result<()> {
    if tags.is_empty() {
        return Ok(());
    }
    let q = format!(
        "SELECT DISTINCT account_id FROM tag_follows WHERE tenant_id = ? AND tag_id IN ({})",
        placeholders(tags.len())
    );
    let mut q = c.qs::<i64>(&q).bind(t.0);
    for tag in tags {
        q = q.bind(*tag);
    }
    let followers = q.fetch_all(c.ex()).await?;
    let changes: Vec<crate::changes::Change> = followers.into_iter().map(crate::changes::Change::Feed).collect();
    crate::changes::record_many(c, t, &changes).await
}
