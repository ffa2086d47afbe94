//! The durable job table. Jobs are inserted in the transaction of the change that causes them
//! and leased by workers: a lease is a `locked_until` in the future, so a worker that dies
//! simply lets its lease run out and another picks the job up.

use sqlx::FromRow;

use crate::{Conn, Dialect, Result, TenantId};

#[derive(Debug, Clone, FromRow)]
pub struct JobRow {
    pub id: i64,
    pub tenant_id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
}

pub async fn enqueue(c: &mut Conn, t: TenantId, id: i64, kind: &str, payload: &str, run_at: i64, now: i64) -> Result<()> {
    c.q("INSERT INTO jobs (id, tenant_id, kind, payload, run_at, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(id)
        .bind(t.0)
        .bind(kind)
        .bind(payload)
        .bind(run_at)
        .bind(now)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// Leases the oldest due job for `lease_ms`, counting the attempt. Call inside a transaction.
pub async fn lease(c: &mut Conn, now: i64, lease_ms: i64) -> Result<Option<JobRow>> {
    let pick = match c.dialect() {
        Dialect::Postgres => {
            "SELECT id FROM jobs WHERE run_at <= ? AND (locked_until IS NULL OR locked_until < ?) \
                              ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
        }
        Dialect::Sqlite => {
            "SELECT id FROM jobs WHERE run_at <= ? AND (locked_until IS NULL OR locked_until < ?) \
                            ORDER BY run_at, id LIMIT 1"
        }
    };
    let Some(id): Option<i64> = c.qs(pick).bind(now).bind(now).fetch_optional(c.ex()).await? else {
        return Ok(None);
    };
    c.q("UPDATE jobs SET locked_until = ?, attempts = attempts + 1 WHERE id = ?")
        .bind(now + lease_ms)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(
        c.qa("SELECT id, tenant_id, kind, payload, attempts, max_attempts FROM jobs WHERE id = ?")
            .bind(id)
            .fetch_optional(c.ex())
            .await?,
    )
}

pub async fn complete(c: &mut Conn, id: i64) -> Result<()> {
    c.q("DELETE FROM jobs WHERE id = ?").bind(id).execute(c.ex()).await?;
    Ok(())
}

/// Records a failure and schedules the next attempt; the job stays in the table (with
/// `run_at` far in the future) once attempts are exhausted, so an operator can see it.
pub async fn fail(c: &mut Conn, id: i64, error: &str, next_run_at: i64) -> Result<()> {
    c.q("UPDATE jobs SET locked_until = NULL, last_error = ?, run_at = ? WHERE id = ?")
        .bind(error)
        .bind(next_run_at)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}
