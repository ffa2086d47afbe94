//! Edges between accounts: follows, follow requests, blocks and mutes.

use crate::{Conn, Result, TenantId, placeholders};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Follow,
    FollowRequest,
    Block,
    Mute,
}

impl Edge {
    fn table(self) -> &'static str {
        match self {
            Edge::Follow => "follows",
            Edge::FollowRequest => "follow_requests",
            Edge::Block => "blocks",
            Edge::Mute => "mutes",
        }
    }

    /// The join for listing the accounts on one side (see `accounts::via`): `outgoing` lists
    /// targets of `key` (following), otherwise sources pointing at `key` (followers).
    pub fn join(self, outgoing: bool) -> String {
        if outgoing {
            format!(
                "{} j JOIN accounts a ON a.id = j.target_account_id WHERE j.account_id = ?",
                self.table()
            )
        } else {
            format!(
                "{} j JOIN accounts a ON a.id = j.account_id WHERE j.target_account_id = ?",
                self.table()
            )
        }
    }
}

/// Options stored on follows and follow requests.
#[derive(Debug, Clone, Copy)]
pub struct FollowOptions {
    pub show_reblogs: bool,
    pub notify: bool,
}

/// Adds an edge; `false` if it existed (a follow's options are then updated). Uses
/// `ON CONFLICT`, never a failed insert: on PostgreSQL an error aborts the whole transaction.
pub async fn add(c: &mut Conn, t: TenantId, edge: Edge, from: i64, to: i64, opts: Option<FollowOptions>, now: i64) -> Result<bool> {
    let id = herd_core::Id::generate().0;
    let inserted = match (edge, opts) {
        (Edge::Follow | Edge::FollowRequest, Some(o)) => {
            let fresh = c
                .q(&format!(
                    "INSERT INTO {} (id, tenant_id, account_id, target_account_id, show_reblogs, notify, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, account_id, target_account_id) DO NOTHING",
                    edge.table()
                ))
                .bind(id)
                .bind(t.0)
                .bind(from)
                .bind(to)
                .bind(i64::from(o.show_reblogs))
                .bind(i64::from(o.notify))
                .bind(now)
                .execute(c.ex())
                .await?
                .rows_affected()
                == 1;
            if !fresh {
                c.q(&format!(
                    "UPDATE {} SET show_reblogs = ?, notify = ? WHERE tenant_id = ? AND account_id = ? AND target_account_id = ?",
                    edge.table()
                ))
                .bind(i64::from(o.show_reblogs))
                .bind(i64::from(o.notify))
                .bind(t.0)
                .bind(from)
                .bind(to)
                .execute(c.ex())
                .await?;
            }
            fresh
        }
        _ => {
            c.q(&format!(
                "INSERT INTO {} (id, tenant_id, account_id, target_account_id, created_at) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (tenant_id, account_id, target_account_id) DO NOTHING",
                edge.table()
            ))
            .bind(id)
            .bind(t.0)
            .bind(from)
            .bind(to)
            .bind(now)
            .execute(c.ex())
            .await?
            .rows_affected()
                == 1
        }
    };
    feeds_changed(c, t, from, to).await?;
    Ok(inserted)
}

/// An edge between two accounts changes what both home feeds show.
async fn feeds_changed(c: &mut Conn, t: TenantId, from: i64, to: i64) -> Result<()> {
    crate::changes::record(c, t, crate::changes::Change::Feed(from)).await?;
    crate::changes::record(c, t, crate::changes::Change::Feed(to)).await
}

pub async fn set_mute_notifications(
    c: &mut Conn,
    t: TenantId,
    from: i64,
    to: i64,
    notifications: bool,
    expires_at: Option<i64>,
) -> Result<()> {
    c.q("UPDATE mutes SET notifications = ?, expires_at = ? WHERE tenant_id = ? AND account_id = ? AND target_account_id = ?")
        .bind(i64::from(notifications))
        .bind(expires_at)
        .bind(t.0)
        .bind(from)
        .bind(to)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// Removes an edge; `false` if there was none.
pub async fn remove(c: &mut Conn, t: TenantId, edge: Edge, from: i64, to: i64) -> Result<bool> {
    let r = c
        .q(&format!(
            "DELETE FROM {} WHERE tenant_id = ? AND account_id = ? AND target_account_id = ?",
            edge.table()
        ))
        .bind(t.0)
        .bind(from)
        .bind(to)
        .execute(c.ex())
        .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    if edge == Edge::Follow {
        // Lists hold only followed accounts (as on Mastodon).
        crate::lists::leave_all(c, t, from, to).await?;
    }
    feeds_changed(c, t, from, to).await?;
    Ok(true)
}

/// When the soonest of an account's timed mutes runs out, if it has any.
pub async fn next_mute_expiry(c: &mut Conn, t: TenantId, account: i64) -> Result<Option<i64>> {
    Ok(
        c.qs("SELECT MIN(expires_at) FROM mutes WHERE tenant_id = ? AND account_id = ? AND expires_at IS NOT NULL")
            .bind(t.0)
            .bind(account)
            .fetch_one(c.ex())
            .await?,
    )
}

/// The accounts that follow an account.
pub async fn followers_ids(c: &mut Conn, t: TenantId, account: i64) -> Result<Vec<i64>> {
    Ok(c.qs("SELECT account_id FROM follows WHERE tenant_id = ? AND target_account_id = ?")
        .bind(t.0)
        .bind(account)
        .fetch_all(c.ex())
        .await?)
}

/// The accounts an account follows.
pub async fn following_ids(c: &mut Conn, t: TenantId, account: i64) -> Result<Vec<i64>> {
    Ok(c.qs("SELECT target_account_id FROM follows WHERE tenant_id = ? AND account_id = ?")
        .bind(t.0)
        .bind(account)
        .fetch_all(c.ex())
        .await?)
}

pub async fn exists(c: &mut Conn, t: TenantId, edge: Edge, from: i64, to: i64) -> Result<bool> {
    let n: i64 = c
        .qs(&format!(
            "SELECT COUNT(*) FROM {} WHERE tenant_id = ? AND account_id = ? AND target_account_id = ?",
            edge.table()
        ))
        .bind(t.0)
        .bind(from)
        .bind(to)
        .fetch_one(c.ex())
        .await?;
    Ok(n > 0)
}

/// One edge row's details, as relationships report them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EdgeRow {
    pub account_id: i64,
    pub target_account_id: i64,
    pub show_reblogs: i64,
    pub notify: i64,
    /// When a timed mute ends (mutes only).
    pub expires_at: Option<i64>,
}

/// Edges from `from` to any of `targets` (outgoing) or from any of `targets` to `from`.
pub async fn among(c: &mut Conn, t: TenantId, edge: Edge, from: i64, targets: &[i64], outgoing: bool) -> Result<Vec<EdgeRow>> {
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let extra = match edge {
        Edge::Follow | Edge::FollowRequest => "show_reblogs, notify, CAST(NULL AS BIGINT) AS expires_at",
        Edge::Mute => "notifications AS show_reblogs, 0 AS notify, expires_at",
        Edge::Block => "0 AS show_reblogs, 0 AS notify, CAST(NULL AS BIGINT) AS expires_at",
    };
    let (me, them) = if outgoing {
        ("account_id", "target_account_id")
    } else {
        ("target_account_id", "account_id")
    };
    // A timed mute that has run out no longer counts.
    let live = if edge == Edge::Mute {
        " AND (expires_at IS NULL OR expires_at > ?)"
    } else {
        " AND ? > 0"
    };
    let sql = format!(
        "SELECT account_id, target_account_id, {extra} FROM {} WHERE tenant_id = ? AND {me} = ?{live} AND {them} IN ({})",
        edge.table(),
        placeholders(targets.len())
    );
    let mut q = c.qa::<EdgeRow>(&sql).bind(t.0).bind(from).bind(herd_core::Timestamp::now().0);
    for id in targets {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// Accept every pending request to `target` (the account was unlocked).
pub async fn pending_requests(c: &mut Conn, t: TenantId, target: i64) -> Result<Vec<EdgeRow>> {
    Ok(c.qa(
        "SELECT account_id, target_account_id, show_reblogs, notify, CAST(NULL AS BIGINT) AS expires_at FROM follow_requests \
             WHERE tenant_id = ? AND target_account_id = ? ORDER BY id",
    )
    .bind(t.0)
    .bind(target)
    .fetch_all(c.ex())
    .await?)
}

/// Followers who asked to be notified of the account's posts.
pub async fn among_notify(c: &mut Conn, t: TenantId, account: i64) -> Result<Vec<i64>> {
    Ok(
        c.qs("SELECT account_id FROM follows WHERE tenant_id = ? AND target_account_id = ? AND notify = 1")
            .bind(t.0)
            .bind(account)
            .fetch_all(c.ex())
            .await?,
    )
}

pub async fn count_incoming(c: &mut Conn, t: TenantId, edge: Edge, target: i64) -> Result<i64> {
    Ok(c.qs(&format!(
        "SELECT COUNT(*) FROM {} WHERE tenant_id = ? AND target_account_id = ?",
        edge.table()
    ))
    .bind(t.0)
    .bind(target)
    .fetch_one(c.ex())
    .await?)
}

/// Removes mutes whose time ran out; how many.
pub async fn delete_expired_mutes(c: &mut Conn, t: TenantId, now: i64) -> Result<u64> {
    let owners: Vec<i64> = c
        .qs("SELECT DISTINCT account_id FROM mutes WHERE tenant_id = ? AND expires_at IS NOT NULL AND expires_at <= ?")
        .bind(t.0)
        .bind(now)
        .fetch_all(c.ex())
        .await?;
    let n = c
        .q("DELETE FROM mutes WHERE tenant_id = ? AND expires_at IS NOT NULL AND expires_at <= ?")
        .bind(t.0)
        .bind(now)
        .execute(c.ex())
        .await?
        .rows_affected();
    for o in owners {
        crate::changes::record(c, t, crate::changes::Change::Feed(o)).await?;
    }
    Ok(n)
}
