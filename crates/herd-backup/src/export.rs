//! `herd tenant export`: one instance as one file, for the organization to take elsewhere.

use std::path::Path;

use herd_app::{Actor, App, Result, Tenant, audit};

use crate::write::Written;

/// Writes the archive of `tenant` to `path`, encrypted to `recipient` (the key of whoever
/// imports it), and records that it was taken.
pub async fn export(app: &App, tenant: &Tenant, path: &Path, recipient: crate::Recipient, actor: &Actor) -> Result<Written> {
    let w = crate::write::write(app, tenant, path, recipient).await?;
    let mut tx = app.db.begin().await?;
    audit(
        &mut tx,
        tenant.id,
        actor,
        "tenant.export",
        tenant.domain.as_str(),
        serde_json::json!({"path": path.to_string_lossy(), "size": w.size, "rows": w.manifest.rows(), "files": w.manifest.files.len()}),
    )
    .await?;
    tx.commit().await?;
    Ok(w)
}
