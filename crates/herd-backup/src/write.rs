//! Writes the archive of one instance: every row as of one moment, then its media files.

use std::path::Path;

use herd_app::{App, AppError, Result, Tenant};
use herd_store::{Dialect, StoreError, snapshot};

use crate::archive::{FORMAT, Header, Manifest, TableOut, VERSION, Writer};

/// What was written.
#[derive(Debug)]
pub struct Written {
    pub size: u64,
    pub manifest: Manifest,
}

/// Writes the archive of `tenant` to `path` (which appears only once it is complete),
/// encrypted to `recipient`. The rows are read in one read-only transaction, so they are one
/// moment of the instance while it keeps serving; the media files are read after it.
pub async fn write(app: &App, tenant: &Tenant, path: &Path, recipient: crate::Recipient) -> Result<Written> {
    let writer = Writer::create(path, recipient)?;
    let mut c = app.db.snapshot().await?;
    let schema = snapshot::schema_version(&mut c).await?;
    let tables = snapshot::tables(&mut c).await?;
    let header = Header {
        format: FORMAT.into(),
        version: VERSION,
        domain: tenant.domain.as_str().to_string(),
        tenant_id: tenant.id.0,
        created_at: herd_core::Timestamp::now().0,
        schema,
        herd_version: env!("CARGO_PKG_VERSION").into(),
        dialect: match app.db.dialect() {
            Dialect::Sqlite => "sqlite".into(),
            Dialect::Postgres => "postgres".into(),
        },
    };
    writer.json("herd-archive.json", &header)?;
    let mut entries = Vec::with_capacity(tables.len());
    for table in &tables {
        let mut out = TableOut::new(&writer, &table.name, &table.columns)?;
        snapshot::read(&mut c, tenant.id, table, |values| {
            out.row(&values).map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .await?;
        entries.push(out.finish()?);
    }
    c.commit().await?;
    let dir = app.files.tenant_dir(tenant.id);
    let files = tokio::task::spawn_blocking(move || crate::media_files(&dir))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("listing the instance's media files: {e}")))?;
    for (key, src) in files {
        writer.file(key, src)?;
    }
    let manifest = Manifest {
        header,
        tables: entries,
        files: Vec::new(),
    };
    let (size, manifest) = tokio::task::spawn_blocking(move || writer.finish(manifest))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(Written { size, manifest })
}
