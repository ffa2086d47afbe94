//! `herd backup run`: a backup of one instance, written to the backup folder and recorded.

use herd_app::{Actor, App, Result, Tenant, audit};
use herd_core::{Id, Timestamp};
use herd_store::backups::{self, BackupRow};

use crate::BackupConfig;

/// Writes a backup of `tenant` and records it. The record says `running` until the archive
/// is complete on disk, so a backup cut short (the process killed) is never taken for one
/// that can be restored.
pub async fn run(app: &App, cfg: &BackupConfig, tenant: &Tenant, actor: &Actor) -> Result<BackupRow> {
    let recipient = cfg.recipient()?;
    let id = Id::generate().0;
    let folder = tenant.domain.as_str().replace(':', "_");
    let location = cfg.dir.join(folder).join(format!("{id}.herd"));
    {
        let mut c = app.db.conn().await?;
        backups::start(&mut c, tenant.id, id, &location.to_string_lossy(), Timestamp::now().0).await?;
    }
    match crate::write::write(app, tenant, &location, recipient).await {
        Ok(w) => {
            let (rows, files) = (w.manifest.rows() as i64, w.manifest.files.len() as i64);
            let mut tx = app.db.begin().await?;
            backups::finish(&mut tx, tenant.id, id, w.size as i64, rows, files, Timestamp::now().0).await?;
            audit(
                &mut tx,
                tenant.id,
                actor,
                "backup.run",
                &id.to_string(),
                serde_json::json!({"location": location.to_string_lossy(), "size": w.size, "rows": rows, "files": files}),
            )
            .await?;
            tx.commit().await?;
        }
        Err(e) => {
            tracing::error!(tenant = %tenant.domain, backup = id, error = %e, "backup failed");
            let mut c = app.db.conn().await?;
            backups::fail(&mut c, tenant.id, id, &e.to_string(), Timestamp::now().0).await?;
            return Err(e);
        }
    }
    let mut c = app.db.conn().await?;
    backups::get(&mut c, tenant.id, id)
        .await?
        .ok_or(herd_app::AppError::NotFound("backup"))
}
