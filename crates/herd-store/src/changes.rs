//! The change log behind every node's in-memory caches.
//!
//! A write that makes a cached value stale calls [`record`] on the same connection, so the
//! log row commits or rolls back with the write. The node that made the write drops the stale
//! values as soon as the transaction commits (through the [`ChangeSink`] the [`crate::Db`]
//! was given), so its clients read their own writes; every other process (other nodes, and a
//! `herd serve` beside which the CLI wrote) reads the log with [`since`] and drops them a
//! moment later.
//!
//! [`since`] reads across tenants, like the job queue's lease: it is the node's own
//! bookkeeping, not a query for any tenant.

use crate::{Conn, Result, TenantId};

/// What a write made stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// An account's row: profile, keys, counters.
    Account(i64),
    /// Only an account's counters (posts, followers, following) and last post time: what
    /// every post and follow changes, and nothing a signature check or a mention reads.
    Counters(i64),
    /// What an account's sessions depend on: its user (role, approval, password), all its
    /// tokens, its suspension or deletion.
    User(i64),
    /// One access token (revoked).
    Token(i64),
    /// A post's row, counters, media, mentions or tags.
    Status(i64),
    /// An account posted, boosted, deleted a post or was suspended: every home feed that
    /// shows its posts.
    Posted(i64),
    /// What one account's home feed shows (its follows, blocks, mutes).
    Feed(i64),
    /// An account's favourites, bookmarks or pins (its boosts change with [`Change::Posted`]).
    Marks(i64),
    /// An account's filters.
    Filters(i64),
    /// The instance's moderation policy: domain blocks and allows, IP blocks,
    /// auto-moderation rules, its server rules.
    Policy,
    /// The instance's report queue (a report filed, assigned, resolved or recategorized).
    Reports,
    /// Everything of the instance: its rows were replaced (a restore from a backup).
    Tenant,
}

impl Change {
    fn encode(self) -> (i64, i64) {
        match self {
            Change::Account(id) => (1, id),
            Change::Token(id) => (2, id),
            Change::Status(id) => (3, id),
            Change::Posted(id) => (4, id),
            Change::Feed(id) => (5, id),
            Change::Marks(id) => (6, id),
            Change::User(id) => (7, id),
            Change::Filters(id) => (8, id),
            Change::Counters(id) => (9, id),
            Change::Policy => (10, 0),
            Change::Reports => (11, 0),
            Change::Tenant => (12, 0),
        }
    }

    fn decode(kind: i64, subject: i64) -> Option<Change> {
        Some(match kind {
            1 => Change::Account(subject),
            2 => Change::Token(subject),
            3 => Change::Status(subject),
            4 => Change::Posted(subject),
            5 => Change::Feed(subject),
            6 => Change::Marks(subject),
            7 => Change::User(subject),
            8 => Change::Filters(subject),
            9 => Change::Counters(subject),
            10 => Change::Policy,
            11 => Change::Reports,
            12 => Change::Tenant,
            _ => return None,
        })
    }
}

/// Whoever keeps caches in this process: told of changes this process committed.
pub trait ChangeSink: Send + Sync {
    fn apply(&self, changes: &[(TenantId, Change)]);
}

/// Logs that `change` happens in this connection's transaction (or at once, outside one).
pub async fn record(c: &mut Conn, t: TenantId, change: Change) -> Result<()> {
    record_many(c, t, &[change]).await
}

/// Logs several changes in one statement (see [`record`]).
pub async fn record_many(c: &mut Conn, t: TenantId, changes: &[Change]) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let now = herd_core::Timestamp::now().0;
    let sql = format!(
        "INSERT INTO cache_changes (tenant_id, kind, subject, created_at) VALUES {}",
        crate::value_rows(changes.len(), 4)
    );
    let mut q = c.q(&sql);
    for change in changes {
        let (kind, subject) = change.encode();
        q = q.bind(t.0).bind(kind).bind(subject).bind(now);
    }
    q.execute(c.ex()).await?;
    for change in changes {
        c.changed(t, *change);
    }
    Ok(())
}

/// One logged change.
#[derive(Debug, Clone)]
pub struct Logged {
    pub seq: i64,
    pub tenant: TenantId,
    /// `None` for a kind this version does not know (written by a newer node).
    pub change: Option<Change>,
    pub created_at: i64,
}

/// Changes logged after `seq`, oldest first, at most `limit`.
pub async fn since(c: &mut Conn, seq: i64, limit: i64) -> Result<Vec<Logged>> {
    let rows: Vec<(i64, i64, i64, i64, i64)> = c
        .qa("SELECT seq, tenant_id, kind, subject, created_at FROM cache_changes WHERE seq > ? ORDER BY seq LIMIT ?")
        .bind(seq)
        .bind(limit)
        .fetch_all(c.ex())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(seq, t, kind, subject, created_at)| Logged {
            seq,
            tenant: TenantId(t),
            change: Change::decode(kind, subject),
            created_at,
        })
        .collect())
}

/// The newest sequence number logged before `before` (epoch ms; 0 when there is none).
pub async fn latest_before(c: &mut Conn, before: i64) -> Result<i64> {
    let n: Option<i64> = c
        .qs("SELECT MAX(seq) FROM cache_changes WHERE created_at < ?")
        .bind(before)
        .fetch_one(c.ex())
        .await?;
    Ok(n.unwrap_or(0))
}

/// Removes changes older than `before` (epoch ms).
pub async fn prune(c: &mut Conn, before: i64) -> Result<u64> {
    let r = c
        .q("DELETE FROM cache_changes WHERE created_at < ?")
        .bind(before)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected())
}
