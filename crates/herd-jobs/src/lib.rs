//! The durable job runner. Jobs live in the database (`herd_store::jobs`), are written in the
//! same transaction as the change that causes them, and are leased by workers with
//! `locked_until`; a crashed worker's lease runs out and the job runs again. **No transaction
//! is held open while a job runs**: lease, run, record are three separate steps.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use herd_core::{Id, Timestamp};
use herd_store::{Conn, Db, TenantId, jobs};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::{Notify, watch};

/// A kind of job: its name in the table and its payload type.
pub trait JobKind: Serialize + DeserializeOwned + Send + 'static {
    const KIND: &'static str;
    /// How often it is tried before it is parked for an operator to see. With the backoff
    /// below, 10 attempts span about three hours and 20 about two and a half days.
    const MAX_ATTEMPTS: i64 = 10;
    /// How long a worker holds a job before another may take it (after a crash): longer than
    /// the job can run.
    const LEASE_MS: i64 = 5 * 60 * 1000;
}

/// Writes a job in the caller's transaction, due now.
pub async fn enqueue<J: JobKind>(c: &mut Conn, t: TenantId, job: &J) -> herd_store::Result<()> {
    enqueue_many(c, t, std::slice::from_ref(job)).await
}

/// Writes a job in the caller's transaction, due at `run_at` (epoch milliseconds).
pub async fn enqueue_at<J: JobKind>(c: &mut Conn, t: TenantId, job: &J, run_at: i64) -> herd_store::Result<()> {
    write(c, t, std::slice::from_ref(job), Some(run_at)).await
}

/// Writes several jobs of one kind in the caller's transaction, due now, in one statement.
pub async fn enqueue_many<J: JobKind>(c: &mut Conn, t: TenantId, jobs: &[J]) -> herd_store::Result<()> {
    write(c, t, jobs, None).await
}

async fn write<J: JobKind>(c: &mut Conn, t: TenantId, jobs: &[J], run_at: Option<i64>) -> herd_store::Result<()> {
    let payloads = jobs
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| herd_store::StoreError::Corrupt(e.to_string()))?;
    let now = Timestamp::now().0;
    let rows: Vec<jobs::NewJob<'_>> = payloads
        .iter()
        .map(|payload| jobs::NewJob {
            id: Id::generate().0,
            kind: J::KIND,
            payload,
            run_at: run_at.unwrap_or(now),
            max_attempts: J::MAX_ATTEMPTS,
        })
        .collect();
    jobs::enqueue_many(c, t, &rows, now).await
}

pub type JobFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
type Handler = Arc<dyn Fn(TenantId, String) -> JobFuture + Send + Sync>;

/// The handlers for every job kind, with each kind's lease, built once at start-up.
#[derive(Default, Clone)]
pub struct Registry {
    handlers: HashMap<&'static str, (Handler, i64)>,
}

impl Registry {
    pub fn on<J, F, Fut>(mut self, f: F) -> Self
    where
        J: JobKind,
        F: Fn(TenantId, J) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let f = Arc::new(f);
        self.handlers.insert(
            J::KIND,
            (
                Arc::new(move |t, payload: String| {
                    let f = f.clone();
                    Box::pin(async move {
                        let job: J = serde_json::from_str(&payload).map_err(|e| format!("bad payload: {e}"))?;
                        f(t, job).await
                    })
                }),
                J::LEASE_MS,
            ),
        );
        self
    }
}

/// Wakes idle workers when a job was just enqueued by this process.
#[derive(Clone, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    pub fn wake(&self) {
        self.0.notify_waiters();
    }
}

/// A pool of workers leasing from the job table.
pub struct Runner {
    db: Db,
    registry: Registry,
    waker: Waker,
    workers: usize,
    done: Arc<AtomicU64>,
    /// The instance whose job was leased last: the next lease starts after it.
    last_tenant: Arc<AtomicI64>,
}

const LEASE_MS: i64 = 5 * 60 * 1000;
const POLL: Duration = Duration::from_secs(1);

impl Runner {
    pub fn new(db: Db, registry: Registry, waker: Waker, workers: usize) -> Runner {
        Runner {
            db,
            registry,
            waker,
            workers: workers.max(1),
            done: Arc::default(),
            last_tenant: Arc::default(),
        }
    }

    /// Jobs finished since start, for health reports.
    pub fn completed(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    /// Runs until `shutdown` turns true; a job under way is finished first.
    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        let me = Arc::new(self);
        let mut tasks = Vec::new();
        for _ in 0..me.workers {
            let me = me.clone();
            let mut shutdown = shutdown.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    if *shutdown.borrow() {
                        break;
                    }
                    match me.once().await {
                        Ok(true) => continue,
                        Ok(false) => {}
                        Err(e) => tracing::warn!(error = %e, "job queue unavailable"),
                    }
                    let notified = me.waker.0.notified();
                    tokio::select! {
                        _ = notified => {}
                        _ = tokio::time::sleep(POLL) => {}
                        _ = shutdown.changed() => {}
                    }
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    }

    /// Leases and runs one due job. `Ok(false)` when none was due.
    pub async fn once(&self) -> herd_store::Result<bool> {
        let now = Timestamp::now().0;
        let mut tx = self.db.begin().await?;
        let after = self.last_tenant.load(Ordering::Relaxed);
        let Some(job) = jobs::lease(&mut tx, now, LEASE_MS, after).await? else {
            tx.commit().await?;
            return Ok(false);
        };
        // Kinds that cannot run long are given back sooner after a crash.
        if let Some((_, lease)) = self.registry.handlers.get(job.kind.as_str())
            && *lease < LEASE_MS
        {
            jobs::hold_until(&mut tx, job.id, now + lease).await?;
        }
        tx.commit().await?;
        self.last_tenant.store(job.tenant_id, Ordering::Relaxed);

        let t = TenantId(job.tenant_id);
        let outcome = match self.registry.handlers.get(job.kind.as_str()) {
            Some((h, _)) => h(t, job.payload.clone()).await,
            None => Err(format!("no handler for job kind {:?}", job.kind)),
        };
        let mut c = self.db.conn().await?;
        match outcome {
            Ok(()) => {
                jobs::complete(&mut c, job.id).await?;
                self.done.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                let next = if job.attempts >= job.max_attempts {
                    tracing::error!(job = job.id, kind = %job.kind, error = %e, "job gave up");
                    i64::MAX / 4
                } else {
                    tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job failed; will retry");
                    Timestamp::now().0 + backoff_ms(job.attempts)
                };
                jobs::fail(&mut c, job.id, &e, next).await?;
            }
        }
        Ok(true)
    }
}

/// Exponential backoff with jitter: about 10 s, 20 s, 40 s ... capped at 6 hours.
pub fn backoff_ms(attempts: i64) -> i64 {
    let base = 10_000i64.saturating_mul(1i64 << attempts.clamp(0, 20));
    let capped = base.min(6 * 3600 * 1000);
    capped + rand::random_range(0..=capped / 4)
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_caps() {
        assert!(super::backoff_ms(0) >= 10_000);
        assert!(super::backoff_ms(3) >= 80_000);
        assert!(super::backoff_ms(60) <= 6 * 3600 * 1000 * 5 / 4);
    }
}
