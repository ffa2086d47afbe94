//! The ingest: the inboxes' group commit. Every checked activity is handed to one task per
//! process, which takes all activities waiting and commits them in one transaction: the
//! replay check, the posts of Create activities (stored at once, see
//! [`super::inbox::create`]), and every other activity written as a job. Each inbox request
//! is answered after that commit, so an accepted activity is never lost; a burst of N
//! activities costs a handful of statements instead of a dozen per activity, which is what
//! bounds SQLite (one writer) and PostgreSQL (one commit per transaction) alike.
//!
//! Only one batch is written at a time: activities that arrive meanwhile wait for the next,
//! which is how batches grow with load and stay at one activity when the inbox is quiet.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use herd_federation::signatures;
use herd_store::accounts::AccountRow;
use herd_store::remote;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::inbox::{Inbound, create, unauthorized};
use crate::{App, AppError, Result, Tenant};

/// The most activities committed in one transaction.
const BATCH: usize = 256;
/// Activities waiting for the ingest before inbox requests wait to hand theirs over.
const WAITING: usize = 4096;

/// A checked activity: signed by `sender`'s key, not yet checked for replay.
pub struct Arrival {
    pub tenant: Tenant,
    pub sender: Arc<AccountRow>,
    /// The sender's followers collection (a post addressed to it is followers-only).
    pub followers: Option<String>,
    pub activity: Value,
    /// The text of the post it carries, when it is a Create ([`post_of`]).
    pub text: Option<create::Text>,
    /// The signature's digest, remembered to refuse a replay.
    pub seen: String,
}

type Waiting = (Arrival, oneshot::Sender<Result<()>>);

/// The way to this process's ingest task.
pub struct Queue {
    tx: mpsc::Sender<Waiting>,
    rx: std::sync::Mutex<Option<mpsc::Receiver<Waiting>>>,
    running: AtomicBool,
}

impl Default for Queue {
    fn default() -> Queue {
        let (tx, rx) = mpsc::channel(WAITING);
        Queue {
            tx,
            rx: std::sync::Mutex::new(Some(rx)),
            running: AtomicBool::new(false),
        }
    }
}

/// Commits an activity (with whatever else is waiting); returns once it is durable.
pub async fn submit(app: &App, arrival: Arrival) -> Result<()> {
    if !app.ingest.running.load(Ordering::Acquire) {
        // No ingest task in this process (a command, not `herd serve`): commit it alone.
        return commit(app, std::slice::from_ref(&arrival)).await?.pop().unwrap_or(Ok(()));
    }
    let (done, answer) = oneshot::channel();
    if app.ingest.tx.send((arrival, done)).await.is_err() {
        return Err(AppError::Internal("the ingest has stopped".into()));
    }
    answer
        .await
        .unwrap_or_else(|_| Err(AppError::Internal("the ingest stopped before committing".into())))
}

/// Marks the ingest stopped however its task ends.
struct Running<'a>(&'a AtomicBool);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// The running ingest of this process.
pub struct Ingest {
    finish: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Ingest {
    /// Starts it; inboxes hand their activities to it from now on.
    pub fn start(app: App) -> Ingest {
        let (finish, finished) = oneshot::channel();
        Ingest {
            finish: Some(finish),
            task: Some(tokio::spawn(run(app, finished))),
        }
    }

    /// Stops it once the HTTP server (its only caller) has stopped: nothing waits for it then.
    pub async fn stop(mut self) {
        if let Some(f) = self.finish.take() {
            let _ = f.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

async fn run(app: App, mut finished: oneshot::Receiver<()>) {
    let taken = app.ingest.rx.lock().ok().and_then(|mut rx| rx.take());
    let Some(mut rx) = taken else {
        tracing::error!("the ingest was started twice");
        return;
    };
    app.ingest.running.store(true, Ordering::Release);
    let _running = Running(&app.ingest.running);
    loop {
        let first = tokio::select! {
            w = rx.recv() => match w {
                Some(w) => w,
                None => return,
            },
            _ = &mut finished => return,
        };
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(w) => batch.push(w),
                Err(_) => break,
            }
        }
        let (arrivals, answers): (Vec<Arrival>, Vec<_>) = batch.into_iter().unzip();
        let outcomes = match commit(&app, &arrivals).await {
            Ok(outcomes) => outcomes,
            // One activity may have made the whole batch fail: each alone, so only it fails.
            Err(e) if arrivals.len() > 1 => {
                tracing::warn!(error = %e, size = arrivals.len(), "ingest: a batch failed; committing its activities one by one");
                let mut outcomes = Vec::with_capacity(arrivals.len());
                for a in &arrivals {
                    outcomes.push(match commit(&app, std::slice::from_ref(a)).await {
                        Ok(mut one) => one.pop().unwrap_or(Ok(())),
                        Err(e) => Err(e),
                    });
                }
                outcomes
            }
            Err(e) => vec![Err(e)],
        };
        for (answer, outcome) in answers.into_iter().zip(outcomes) {
            let _ = answer.send(outcome);
        }
    }
}

/// The post a Create activity carries, when it carries one embedded (as every server sends
/// it); anything else goes to a job.
pub(crate) fn post_of(activity: &Value) -> Option<&Value> {
    if activity.get("type").and_then(Value::as_str) != Some("Create") {
        return None;
    }
    let object = activity.get("object")?;
    matches!(object.get("type").and_then(Value::as_str), Some("Note" | "Article" | "Question")).then_some(object)
}

/// Commits these activities in one transaction; the outcome of each (a replay is refused).
async fn commit(app: &App, arrivals: &[Arrival]) -> Result<Vec<Result<()>>> {
    let mut outcomes: Vec<Result<()>> = arrivals.iter().map(|_| Ok(())).collect();
    let mut by_tenant: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, a) in arrivals.iter().enumerate() {
        by_tenant.entry(a.tenant.id.0).or_default().push(i);
    }
    let keep_until = herd_core::Timestamp::now().0 + 2 * signatures::WINDOW.as_millis() as i64;
    let mut tx = app.db.begin().await?;
    let mut queued = false;
    for indexes in by_tenant.values() {
        let tenant = &arrivals[indexes[0]].tenant;
        let digests: Vec<&str> = indexes.iter().map(|&i| arrivals[i].seen.as_str()).collect();
        let mut fresh: HashSet<String> = remote::first_sightings(&mut tx, tenant.id, &digests, keep_until)
            .await?
            .into_iter()
            .collect();
        let (mut posts, mut jobs) = (Vec::new(), Vec::new());
        for &i in indexes {
            let a = &arrivals[i];
            if !fresh.remove(&a.seen) {
                outcomes[i] = Err(unauthorized("this signature was used before"));
                continue;
            }
            match (post_of(&a.activity), &a.text) {
                (Some(note), Some(text)) => posts.push(create::Post {
                    sender: &a.sender,
                    followers: a.followers.as_deref(),
                    note,
                    text,
                    ancestor: None,
                }),
                _ => jobs.push(Inbound {
                    sender: a.sender.id,
                    activity: a.activity.to_string(),
                }),
            }
        }
        queued |= create::store(&mut tx, tenant, &posts).await? || !jobs.is_empty();
        herd_jobs::enqueue_many(&mut tx, tenant.id, &jobs).await?;
        let accepted = (posts.len() + jobs.len()) as i64;
        if accepted > 0 {
            let day = crate::usage::day_of(herd_core::Timestamp::now().0);
            herd_store::usage::count(&mut tx, tenant.id, day, 0, 0, accepted).await?;
        }
    }
    tx.commit().await?;
    if queued {
        app.waker.wake();
    }
    Ok(outcomes)
}
