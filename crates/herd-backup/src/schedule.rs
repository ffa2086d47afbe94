//! Backups on the schedule an instance's backups booking gives (`backup_every_hours`,
//! `backup_keep`): [`due`] queues a [`RunBackup`] job for every instance whose newest backup
//! is older than its booking allows; the job writes the backup, verifies it, and removes the
//! backups beyond the number kept.

use herd_app::{Actor, App, Result, Tenant};
use herd_core::{Service, Timestamp};
use herd_store::{TenantId, backups};
use serde::{Deserialize, Serialize};

use crate::BackupConfig;

/// Backs up an instance now (queued by the schedule), then verifies and prunes.
#[derive(Debug, Serialize, Deserialize)]
pub struct RunBackup {}

impl herd_jobs::JobKind for RunBackup {
    const KIND: &'static str = "run_backup";
    const MAX_ATTEMPTS: i64 = 5;
}

/// How many backups are kept when the booking does not say.
pub const DEFAULT_KEEP: i64 = 7;

/// A backup still `running` this long after it started belongs to a process that died.
const ABANDONED_MS: i64 = 6 * 3_600_000;

/// Queues a backup for every served instance whose booking's interval has passed since its
/// newest backup; returns how many were queued.
pub async fn due(app: &App) -> Result<usize> {
    let tenants = {
        let mut c = app.db.conn().await?;
        herd_store::tenants::list(&mut c).await?
    };
    let now = Timestamp::now().0;
    let mut queued = 0;
    for row in tenants.into_iter().filter(|t| t.state == "active") {
        let t = row.tenant_id();
        let grant = herd_app::entitlements::of(app, t).await?;
        let Some(every) = grant.services.get(&Service::Backups).and_then(|terms| terms.backup_every_hours) else {
            continue;
        };
        let newest = {
            let mut c = app.db.conn().await?;
            backups::list(&mut c, t, 20).await?
        };
        let last = newest
            .iter()
            .filter(|b| b.state == "done" || (b.state == "running" && now - b.started_at < ABANDONED_MS))
            .map(|b| b.started_at)
            .max();
        if last.is_some_and(|at| now - at < every.saturating_mul(3_600_000)) {
            continue;
        }
        let mut tx = app.db.begin().await?;
        if !herd_store::jobs::queued(&mut tx, t, <RunBackup as herd_jobs::JobKind>::KIND).await? {
            herd_jobs::enqueue(&mut tx, t, &RunBackup {}).await?;
            queued += 1;
        }
        tx.commit().await?;
    }
    if queued > 0 {
        app.waker.wake();
    }
    Ok(queued)
}

/// The job: a backup, its verification, and the removal of backups beyond those kept.
pub async fn run_job(app: &App, cfg: &BackupConfig, database_url: &str, t: TenantId) -> std::result::Result<(), String> {
    let tenant = herd_app::tenants::by_id(app, t).await.map_err(|e| e.to_string())?;
    let b = crate::run::run(app, cfg, &tenant, &Actor::Schedule)
        .await
        .map_err(|e| e.to_string())?;
    match crate::verify::verify(app, cfg, database_url, &tenant, b.id, &Actor::Schedule).await {
        Ok(_) => {}
        // No identity here (backups encrypted to a key kept elsewhere): recorded as not
        // verified, and the backup stays.
        Err(e) => tracing::warn!(tenant = %tenant.domain, backup = b.id, error = %e, "backup not verified"),
    }
    let grant = herd_app::entitlements::of(app, t).await.map_err(|e| e.to_string())?;
    let keep = grant
        .services
        .get(&Service::Backups)
        .and_then(|terms| terms.backup_keep)
        .unwrap_or(DEFAULT_KEEP);
    prune(app, &tenant, keep).await.map(|_| ()).map_err(|e| e.to_string())
}

/// Removes the instance's backups beyond the `keep` newest complete ones (their archives
/// and their records), and records of backups that failed or were abandoned before those.
pub async fn prune(app: &App, tenant: &Tenant, keep: i64) -> Result<usize> {
    let now = Timestamp::now().0;
    let all = {
        let mut c = app.db.conn().await?;
        backups::list(&mut c, tenant.id, 100_000).await?
    };
    let mut done = 0;
    let mut removed = 0;
    for b in all {
        let kept = match b.state.as_str() {
            "done" => {
                done += 1;
                done <= keep
            }
            "running" => now - b.started_at < ABANDONED_MS,
            _ => done < keep,
        };
        if kept {
            continue;
        }
        match tokio::fs::remove_file(&b.location).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(backup = b.id, error = %e, "could not remove an old backup");
                continue;
            }
        }
        let _ = tokio::fs::remove_file(std::path::Path::new(&b.location).with_extension("partial")).await;
        let mut c = app.db.conn().await?;
        backups::delete(&mut c, tenant.id, b.id).await?;
        removed += 1;
    }
    Ok(removed)
}
