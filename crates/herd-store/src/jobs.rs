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

/// A job to write: its kind, payload, when it is due and how often it may be tried.
pub struct NewJob<'a> {
    pub id: i64,
    pub kind: &'a str,
    pub payload: &'a str,
    pub run_at: i64,
    pub max_attempts: i64,
}

pub async fn enqueue(c: &mut Conn, t: TenantId, j: NewJob<'_>, now: i64) -> Result<()> {
    enqueue_many(c, t, std::slice::from_ref(&j), now).await
}

/// Writes several jobs in one statement.
pub async fn enqueue_many(c: &mut Conn, t: TenantId, jobs: &[NewJob<'_>], now: i64) -> Result<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO jobs (id, tenant_id, kind, payload, run_at, max_attempts, created_at) VALUES {}",
        crate::value_rows(jobs.len(), 7)
    );
    let mut q = c.q(&sql);
    for j in jobs {
        q = q
            .bind(j.id)
            .bind(t.0)
            .bind(j.kind)
            .bind(j.payload)
            .bind(j.run_at)
            .bind(j.max_attempts)
            .bind(now);
    }
    q.execute(c.ex()).await?;
    Ok(())
}

/// Leases a due job for `lease_ms`, counting the attempt. Call inside a transaction.
///
/// Instances take turns: the job leased is the oldest due one of the first instance after
/// `after_tenant` that has one (wrapping round), so one instance's fan-out to thousands of
/// servers does not hold back another instance's single reply.
pub async fn lease(c: &mut Conn, now: i64, lease_ms: i64, after_tenant: i64) -> Result<Option<JobRow>> {
    let lock = match c.dialect() {
        Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        Dialect::Sqlite => "",
    };
    let due = "run_at <= ? AND (locked_until IS NULL OR locked_until < ?)";
    let next = format!("SELECT id FROM jobs WHERE {due} AND tenant_id > ? ORDER BY tenant_id, run_at, id LIMIT 1{lock}");
    let mut id: Option<i64> = c.qs(&next).bind(now).bind(now).bind(after_tenant).fetch_optional(c.ex()).await?;
    if id.is_none() && after_tenant != i64::MIN {
        // Round again from the first instance. The same query shape keeps the planner on the
        // (tenant_id, run_at, id) index; without the tenant bound SQLite sorts every due job.
        id = c.qs(&next).bind(now).bind(now).bind(i64::MIN).fetch_optional(c.ex()).await?;
    }
    let Some(id) = id else {
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

/// Sets when a leased job's lease runs out.
pub async fn hold_until(c: &mut Conn, id: i64, until: i64) -> Result<()> {
    c.q("UPDATE jobs SET locked_until = ? WHERE id = ?")
        .bind(until)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
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

/// Holds every queued job of the instance until `until` (its rows are about to be replaced;
/// the restore then replaces its jobs too).
pub async fn hold_tenant(c: &mut Conn, t: TenantId, until: i64) -> Result<u64> {
    Ok(c.q("UPDATE jobs SET locked_until = ? WHERE tenant_id = ?")
        .bind(until)
        .bind(t.0)
        .execute(c.ex())
        .await?
        .rows_affected())
}

/// Whether a job of `kind` is queued for the instance (so a schedule does not queue another).
pub async fn queued(c: &mut Conn, t: TenantId, kind: &str) -> Result<bool> {
    let n: Option<i64> = c
        .qs("SELECT id FROM jobs WHERE tenant_id = ? AND kind = ? LIMIT 1")
        .bind(t.0)
        .bind(kind.to_string())
        .fetch_optional(c.ex())
        .await?;
    Ok(n.is_some())
}
