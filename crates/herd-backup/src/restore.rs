//! `herd backup restore`: one instance put back to the state of an archive, in place, while
//! the server keeps serving every other instance.

use std::path::Path;
use std::time::Duration;

use herd_app::{Actor, App, AppError, Result, Tenant, audit};
use herd_core::{Id, Timestamp};
use herd_store::{jobs, snapshot, tenants};

/// How long every node is given to stop serving the instance before its rows go: longer
/// than a node keeps an instance cached (two seconds) and than a request takes.
pub const DRAIN: Duration = Duration::from_secs(3);

#[derive(Debug)]
pub struct Restored {
    pub rows: u64,
    pub files: usize,
}

/// Restores `tenant` from the archive at `path`. The archive is read through and checked
/// first; a wrong key or a damaged archive is refused before anything changes. Then the
/// instance answers 503 on every node (its state is `restoring`, its cached values dropped
/// and its queued jobs held), its rows and files are replaced by the archive's (its queued
/// jobs with them, so nothing made after the snapshot is delivered), and it is served again.
/// The organization it belongs to, its bookings and its metering stay as they are.
pub async fn restore(app: &App, tenant: &Tenant, path: &Path, identity: crate::Identity, actor: &Actor) -> Result<Restored> {
    let manifest = crate::load::check(path, identity.clone()).await?;
    if manifest.header.domain != tenant.domain.as_str() {
        return Err(AppError::Invalid(format!(
            "the archive is of {}, not of {}",
            manifest.header.domain, tenant.domain
        )));
    }
    let before = tenant.row.state.clone();
    let now = Timestamp::now().0;
    {
        let mut tx = app.db.begin().await?;
        tenants::set_state(&mut tx, tenant.id, "restoring").await?;
        jobs::hold_tenant(&mut tx, tenant.id, now + 3_600_000).await?;
        tx.commit().await?;
    }
    tokio::time::sleep(DRAIN).await;
    let live = app.files.tenant_dir(tenant.id);
    let n = Id::generate().0;
    let staged = live.with_file_name(format!("{}.restore-{n}", tenant.id.0));
    let replaced = swap(app, tenant, path, identity, &staged).await;
    let manifest = match replaced {
        Ok(m) => m,
        Err(e) => {
            let _ = tokio::fs::remove_dir_all(&staged).await;
            tracing::error!(tenant = %tenant.domain, error = %e, "restore failed; the instance stays unavailable");
            return Err(AppError::Internal(format!(
                "the restore failed ({e}); {} answers 503 until a restore succeeds: run it again",
                tenant.domain
            )));
        }
    };
    let old = live.with_file_name(format!("{}.old-{n}", tenant.id.0));
    let moved = match tokio::fs::rename(&live, &old).await {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(AppError::Internal(format!("moving {} aside: {e}", live.display()))),
    };
    tokio::fs::create_dir_all(&staged)
        .await
        .map_err(|e| AppError::Internal(format!("creating {}: {e}", staged.display())))?;
    tokio::fs::rename(&staged, &live)
        .await
        .map_err(|e| AppError::Internal(format!("putting the restored files in place: {e}")))?;
    if moved {
        let _ = tokio::fs::remove_dir_all(&old).await;
    }
    let mut tx = app.db.begin().await?;
    tenants::set_state(&mut tx, tenant.id, &before).await?;
    audit(
        &mut tx,
        tenant.id,
        actor,
        "backup.restore",
        path.to_string_lossy().as_ref(),
        serde_json::json!({"snapshot_at": manifest.header.created_at, "rows": manifest.rows(), "files": manifest.files.len()}),
    )
    .await?;
    tx.commit().await?;
    Ok(Restored {
        rows: manifest.rows(),
        files: manifest.files.len(),
    })
}

/// Deletes the instance's rows (each table after those that refer to it) and loads the
/// archive's.
async fn swap(app: &App, tenant: &Tenant, path: &Path, identity: crate::Identity, staged: &Path) -> Result<crate::archive::Manifest> {
    let tables = {
        let mut c = app.db.conn().await?;
        snapshot::tables(&mut c).await?
    };
    {
        let mut tx = app.db.begin().await?;
        herd_store::search::clear(&mut tx, tenant.id).await?;
        for table in tables.iter().rev() {
            snapshot::remove(&mut tx, tenant.id, table).await?;
        }
        tx.commit().await?;
    }
    crate::load::load(&app.db, tenant.id, path, identity, staged.to_path_buf()).await
}
