//! Notifications: who did what to whom, for the recipient's notification list.

use sqlx::FromRow;

use crate::{Conn, Page, Result, TenantId, placeholders};

#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub account_id: i64,
    pub from_account_id: i64,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub status_id: Option<i64>,
    pub created_at: i64,
    /// The group it belongs to (favourites, boosts and follows), if any.
    pub group_key: Option<String>,
    /// The strike of a `moderation_warning`, the severance of a `severed_relationships`.
    pub subject_id: Option<i64>,
}

/// The kinds of notification that are grouped, as on Mastodon.
pub const GROUPED: [&str; 3] = ["favourite", "reblog", "follow"];
/// A group spans at most this many hours from its first notification.
const GROUP_SPAN_HOURS: i64 = 12;
const HOUR_MS: i64 = 3_600_000;

/// Stores a notification; favourites and boosts of one post, and follows, join the group of
/// the same kind begun less than twelve hours before (the row's `group_key` is ignored).
pub async fn insert(c: &mut Conn, t: TenantId, n: &NotificationRow) -> Result<()> {
    insert_as(c, t, n, false).await
}

/// [`insert`], or with `filtered` kept out of the lists (and streams) in a request for the
/// recipient to review; a filtered notification joins no group.
pub async fn insert_as(c: &mut Conn, t: TenantId, n: &NotificationRow, filtered: bool) -> Result<()> {
    let group_key = match (n.kind.as_str(), n.status_id) {
        _ if filtered => None,
        ("favourite" | "reblog", Some(s)) => Some(format!("{}-{s}", n.kind)),
        ("follow", _) => Some("follow".to_string()),
        _ => None,
    };
    let group_key = match group_key {
        Some(prefix) => {
            let bucket = n.created_at.div_euclid(HOUR_MS);
            let previous: Option<String> = c
                .qs(
                    "SELECT group_key FROM notifications WHERE tenant_id = ? AND account_id = ? AND group_key LIKE ? \
                     ORDER BY id DESC LIMIT 1",
                )
                .bind(t.0)
                .bind(n.account_id)
                .bind(format!("{prefix}-%"))
                .fetch_optional(c.ex())
                .await?;
            let previous = previous
                .and_then(|k| k.rsplit('-').next().and_then(|b| b.parse::<i64>().ok()))
                .filter(|p| bucket < p + GROUP_SPAN_HOURS);
            Some(format!("{prefix}-{}", previous.unwrap_or(bucket)))
        }
        None => None,
    };
    c.q(
        "INSERT INTO notifications (id, tenant_id, account_id, from_account_id, type, status_id, created_at, group_key, filtered, \
         subject_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(n.id)
    .bind(t.0)
    .bind(n.account_id)
    .bind(n.from_account_id)
    .bind(n.kind.clone())
    .bind(n.status_id)
    .bind(n.created_at)
    .bind(group_key)
    .bind(i64::from(filtered))
    .bind(n.subject_id)
    .execute(c.ex())
    .await?;
    if !filtered {
        crate::events::publish(c, t, crate::events::EventKind::Notification, n.id, n.account_id).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub types: Vec<String>,
    pub exclude_types: Vec<String>,
    pub from_account: Option<i64>,
    /// Also notifications the recipient's policy filtered into requests.
    pub include_filtered: bool,
}

const COLS: &str = "id, account_id, from_account_id, type, status_id, created_at, group_key, subject_id";

enum Bind {
    I(i64),
    S(String),
}

/// The conditions after `tenant_id = ? AND account_id = ?` that every listing applies: the
/// filter's types and sender, and the hiding of muted, blocked and domain-hidden senders.
fn browsable(t: TenantId, account: i64, f: &Filter) -> (String, Vec<Bind>) {
    let mut sql = String::new();
    let mut binds = Vec::new();
    if !f.include_filtered && f.from_account.is_none() {
        sql.push_str(" AND filtered = 0");
    }
    if !f.types.is_empty() {
        sql.push_str(&format!(" AND type IN ({})", placeholders(f.types.len())));
        binds.extend(f.types.iter().cloned().map(Bind::S));
    }
    if !f.exclude_types.is_empty() {
        sql.push_str(&format!(" AND type NOT IN ({})", placeholders(f.exclude_types.len())));
        binds.extend(f.exclude_types.iter().cloned().map(Bind::S));
    }
    if let Some(a) = f.from_account {
        sql.push_str(" AND from_account_id = ?");
        binds.push(Bind::I(a));
    }
    // Notifications from muted accounts (with notifications muted) stay hidden.
    sql.push_str(
        " AND from_account_id NOT IN (SELECT target_account_id FROM mutes WHERE tenant_id = ? AND account_id = ? AND notifications = 1 \
                                      AND (expires_at IS NULL OR expires_at > ?)) \
          AND from_account_id NOT IN (SELECT target_account_id FROM blocks WHERE tenant_id = ? AND account_id = ? \
                                      UNION SELECT account_id FROM blocks WHERE tenant_id = ? AND target_account_id = ?)",
    );
    sql.push_str(&format!(" AND from_account_id NOT IN ({})", crate::domain_blocks::BLOCKED_ACCOUNTS));
    for b in [
        t.0,
        account,
        herd_core::Timestamp::now().0,
        t.0,
        account,
        t.0,
        account,
        t.0,
        t.0,
        account,
    ] {
        binds.push(Bind::I(b));
    }
    (sql, binds)
}

fn bind_all<O>(mut q: crate::db::QueryAs<O>, binds: Vec<Bind>) -> crate::db::QueryAs<O> {
    for b in binds {
        q = match b {
            Bind::I(i) => q.bind(i),
            Bind::S(s) => q.bind(s),
        };
    }
    q
}

pub async fn list(c: &mut Conn, t: TenantId, account: i64, f: &Filter, page: &Page) -> Result<Vec<NotificationRow>> {
    let (clause, args, asc) = page.clause("id");
    let (cond, binds) = browsable(t, account, f);
    let sql = format!(
        "SELECT {COLS} FROM notifications WHERE tenant_id = ? AND account_id = ?{cond}{clause}{}",
        page.order("id", asc)
    );
    let mut q = bind_all(c.qa::<NotificationRow>(&sql).bind(t.0).bind(account), binds);
    for a in args {
        q = q.bind(a);
    }
    let mut rows = q.fetch_all(c.ex()).await?;
    if asc {
        rows.reverse();
    }
    Ok(rows)
}

/// The SQL for a notification's group as a listing sees it: its `group_key` when its kind
/// is among `grouped` (kinds of [`GROUPED`]), else a group of its own.
fn group_expr(grouped: &[String]) -> String {
    let kinds: Vec<&str> = GROUPED.iter().copied().filter(|k| grouped.iter().any(|g| g == k)).collect();
    if kinds.is_empty() {
        return "('ungrouped-' || id)".into();
    }
    let list = kinds.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ");
    format!("COALESCE(CASE WHEN type IN ({list}) THEN group_key ELSE NULL END, 'ungrouped-' || id)")
}

/// The first notification of each of the page's groups (newest first), as Mastodon pages
/// grouped notifications: walking the notifications in order, each group is seen once.
pub async fn group_heads(
    c: &mut Conn,
    t: TenantId,
    account: i64,
    f: &Filter,
    page: &Page,
    grouped: &[String],
) -> Result<Vec<NotificationRow>> {
    let (clause, args, asc) = page.clause("id");
    let (cond, binds) = browsable(t, account, f);
    let gk = group_expr(grouped);
    let pick = if asc { "MIN(id)" } else { "MAX(id)" };
    let sql = format!(
        "SELECT {COLS} FROM notifications WHERE tenant_id = ? AND account_id = ? AND id IN ( \
           SELECT {pick} FROM notifications WHERE tenant_id = ? AND account_id = ?{cond}{clause} \
           GROUP BY {gk} ORDER BY {pick} {} LIMIT {}) ORDER BY id DESC",
        if asc { "ASC" } else { "DESC" },
        page.limit.clamp(1, 200)
    );
    let q = c.qa::<NotificationRow>(&sql).bind(t.0).bind(account).bind(t.0).bind(account);
    let mut q = bind_all(q, binds);
    for a in args {
        q = q.bind(a);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// The notifications of these groups with ids from `from` to `to`, newest first.
pub async fn in_groups(
    c: &mut Conn,
    t: TenantId,
    account: i64,
    f: &Filter,
    keys: &[String],
    from: i64,
    to: i64,
) -> Result<Vec<NotificationRow>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let (cond, binds) = browsable(t, account, f);
    let sql = format!(
        "SELECT {COLS} FROM notifications WHERE tenant_id = ? AND account_id = ? AND group_key IN ({}) \
         AND id >= ? AND id <= ?{cond} ORDER BY id DESC",
        placeholders(keys.len())
    );
    let mut q = c.qa::<NotificationRow>(&sql).bind(t.0).bind(account);
    for k in keys {
        q = q.bind(k.clone());
    }
    q = q.bind(from).bind(to);
    Ok(bind_all(q, binds).fetch_all(c.ex()).await?)
}

/// The notifications of one group (`ungrouped-<id>` for one alone), newest first.
pub async fn group(c: &mut Conn, t: TenantId, account: i64, key: &str, limit: i64) -> Result<Vec<NotificationRow>> {
    if let Some(id) = key.strip_prefix("ungrouped-") {
        let Ok(id) = id.parse::<i64>() else { return Ok(Vec::new()) };
        return Ok(get(c, t, account, id).await?.into_iter().collect());
    }
    let (cond, binds) = browsable(t, account, &Filter::default());
    let sql = format!(
        "SELECT {COLS} FROM notifications WHERE tenant_id = ? AND account_id = ? AND group_key = ?{cond} \
         ORDER BY id DESC LIMIT {}",
        limit.clamp(1, 1000)
    );
    let q = c.qa::<NotificationRow>(&sql).bind(t.0).bind(account).bind(key.to_string());
    Ok(bind_all(q, binds).fetch_all(c.ex()).await?)
}

/// Dismisses every notification of a group.
pub async fn dismiss_group(c: &mut Conn, t: TenantId, account: i64, key: &str) -> Result<()> {
    if let Some(id) = key.strip_prefix("ungrouped-") {
        if let Ok(id) = id.parse::<i64>() {
            dismiss(c, t, account, id).await?;
        }
        return Ok(());
    }
    c.q("DELETE FROM notifications WHERE tenant_id = ? AND account_id = ? AND group_key = ?")
        .bind(t.0)
        .bind(account)
        .bind(key)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// How many notifications (or, with `grouped`, groups) came after `after`, up to `limit`.
pub async fn unread(
    c: &mut Conn,
    t: TenantId,
    account: i64,
    f: &Filter,
    after: i64,
    limit: i64,
    grouped: Option<&[String]>,
) -> Result<i64> {
    let (cond, binds) = browsable(t, account, f);
    let inner = match grouped {
        Some(g) => format!(
            "SELECT {} AS k FROM notifications WHERE tenant_id = ? AND account_id = ? AND id > ?{cond} GROUP BY {} LIMIT {}",
            group_expr(g),
            group_expr(g),
            limit.clamp(1, 1000)
        ),
        None => format!(
            "SELECT id AS k FROM notifications WHERE tenant_id = ? AND account_id = ? AND id > ?{cond} LIMIT {}",
            limit.clamp(1, 1000)
        ),
    };
    let sql = format!("SELECT COUNT(*) FROM ({inner}) u");
    let mut q = c.qs::<i64>(&sql).bind(t.0).bind(account).bind(after);
    for b in binds {
        q = match b {
            Bind::I(i) => q.bind(i),
            Bind::S(s) => q.bind(s),
        };
    }
    Ok(q.fetch_one(c.ex()).await?)
}

pub async fn get(c: &mut Conn, t: TenantId, account: i64, id: i64) -> Result<Option<NotificationRow>> {
    Ok(c.qa(&format!(
        "SELECT {COLS} FROM notifications WHERE tenant_id = ? AND account_id = ? AND id = ?"
    ))
    .bind(t.0)
    .bind(account)
    .bind(id)
    .fetch_optional(c.ex())
    .await?)
}

pub async fn dismiss(c: &mut Conn, t: TenantId, account: i64, id: i64) -> Result<bool> {
    let r = c
        .q("DELETE FROM notifications WHERE tenant_id = ? AND account_id = ? AND id = ?")
        .bind(t.0)
        .bind(account)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn clear(c: &mut Conn, t: TenantId, account: i64) -> Result<()> {
    c.q("DELETE FROM notifications WHERE tenant_id = ? AND account_id = ?")
        .bind(t.0)
        .bind(account)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// Removes notifications a retracted action caused (an undone favourite, boost or follow).
pub async fn retract(c: &mut Conn, t: TenantId, account: i64, from: i64, kind: &str, status: Option<i64>) -> Result<()> {
    c.q(
        "DELETE FROM notifications WHERE tenant_id = ? AND account_id = ? AND from_account_id = ? AND type = ? \
         AND (status_id = ? OR (status_id IS NULL AND ? IS NULL))",
    )
    .bind(t.0)
    .bind(account)
    .bind(from)
    .bind(kind)
    .bind(status)
    .bind(status)
    .execute(c.ex())
    .await?;
    Ok(())
}
