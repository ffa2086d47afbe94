//! `herd tenant import`: an exported instance served by this Herd, under its own domain, with
//! its accounts, keys, posts, follows, media and queued deliveries.

use std::path::Path;

use herd_app::tenants::NewTenant;
use herd_app::{Actor, App, AppError, Result, Tenant, audit};
use herd_core::{Domain, RegistrationMode};
use herd_store::organizations::OrgRow;
use herd_store::{snapshot, tenants};

/// Imports the archive at `path`: checks it whole, creates the instance (in `organization`,
/// or an organization of its own, with its hosting booked as `herd tenant create` does) and
/// loads its rows and files. The instance answers 503 until everything is in; if the load
/// fails, what was loaded is removed again and the instance stays unserved.
pub async fn import(app: &App, path: &Path, identity: crate::Identity, organization: Option<OrgRow>, actor: &Actor) -> Result<Tenant> {
    let manifest = crate::load::check(path, identity.clone()).await?;
    let domain = Domain::parse(&manifest.header.domain)?;
    let created = herd_app::tenants::create(
        app,
        actor,
        NewTenant {
            domain,
            title: None,
            registrations: RegistrationMode::Approval,
            organization,
            hosting_plan: None,
        },
    )
    .await?;
    {
        let mut c = app.db.conn().await?;
        tenants::set_state(&mut c, created.id, "restoring").await?;
    }
    let loaded = crate::load::load(&app.db, created.id, path, identity, app.files.tenant_dir(created.id)).await;
    if let Err(e) = loaded {
        let mut tx = app.db.begin().await?;
        let tables = snapshot::tables(&mut tx).await?;
        herd_store::search::clear(&mut tx, created.id).await?;
        for t in tables.iter().rev() {
            snapshot::remove(&mut tx, created.id, t).await?;
        }
        tx.commit().await?;
        return Err(AppError::Internal(format!(
            "the import failed ({e}); {} exists but is not served and holds no rows",
            created.domain
        )));
    }
    let mut tx = app.db.begin().await?;
    tenants::set_state(&mut tx, created.id, "active").await?;
    audit(
        &mut tx,
        created.id,
        actor,
        "tenant.import",
        created.domain.as_str(),
        serde_json::json!({
            "exported_at": manifest.header.created_at,
            "from": manifest.header.dialect,
            "rows": manifest.rows(),
            "files": manifest.files.len(),
        }),
    )
    .await?;
    tx.commit().await?;
    herd_app::tenants::by_domain(app, created.domain.as_str()).await
}
