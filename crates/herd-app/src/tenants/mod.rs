//! Instances: creating them and finding the one a request is for.

mod create;
pub use create::{NewTenant, create};

use herd_store::tenants;

use crate::{App, Result, Tenant};

/// The instance served at `host` (the Host header, port included), if any.
pub async fn resolve(app: &App, host: &str) -> Result<Option<Tenant>> {
    let Ok(domain) = herd_core::Domain::parse(host) else {
        return Ok(None);
    };
    let mut c = app.db.conn().await?;
    match tenants::by_domain(&mut c, domain.as_str()).await? {
        Some(row) if row.state == "active" => Ok(Some(Tenant::from_row(row, &app.settings.public_scheme)?)),
        _ => Ok(None),
    }
}

pub async fn by_domain(app: &App, domain: &str) -> Result<Tenant> {
    let d = herd_core::Domain::parse(domain)?;
    let mut c = app.db.conn().await?;
    let row = tenants::by_domain(&mut c, d.as_str())
        .await?
        .ok_or_else(|| crate::AppError::Invalid(format!("no instance with domain {d}; see `herd tenant list`")))?;
    Tenant::from_row(row, &app.settings.public_scheme)
}
