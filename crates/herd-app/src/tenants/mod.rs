//! Instances: creating them and finding the one a request is for.

mod configure;
mod create;
pub use configure::{TenantSettings, add_rule, configure, remove_rule};
pub use create::{NewTenant, create};

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use herd_store::tenants;

use crate::{App, Result, Tenant};

/// Instances recently served by this node, by domain. Entries live [`TenantCache::TTL`], so a
/// change made elsewhere (the CLI, another node) shows within that time; a miss is never
/// cached, so a new instance is served at once. Only instances with recent traffic are held.
#[derive(Default)]
pub struct TenantCache {
    map: Mutex<HashMap<String, (Instant, Arc<Tenant>)>>,
}

impl TenantCache {
    const TTL: Duration = Duration::from_secs(2);
    const MAX: usize = 10_000;

    fn get(&self, domain: &str) -> Option<Arc<Tenant>> {
        let map = self.map.lock().ok()?;
        map.get(domain).filter(|(at, _)| at.elapsed() < Self::TTL).map(|(_, t)| t.clone())
    }

    /// Drops an instance changed by this process, so the change shows here at once.
    pub(crate) fn forget(&self, domain: &str) {
        if let Ok(mut map) = self.map.lock() {
            map.remove(domain);
        }
    }

    fn put(&self, t: &Arc<Tenant>) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= Self::MAX {
                map.retain(|_, (at, _)| at.elapsed() < Self::TTL);
            }
            if map.len() < Self::MAX {
                map.insert(t.domain.as_str().to_string(), (Instant::now(), t.clone()));
            }
        }
    }
}

/// The instance served at `host` (the Host header, port included), if any.
pub async fn resolve(app: &App, host: &str) -> Result<Option<Arc<Tenant>>> {
    let Ok(domain) = herd_core::Domain::parse(host) else {
        return Ok(None);
    };
    if let Some(t) = app.tenants.get(domain.as_str()) {
        return Ok(Some(t));
    }
    let mut c = app.db.conn().await?;
    match tenants::by_domain(&mut c, domain.as_str()).await? {
        Some(row) if row.state == "active" => {
            let t = Arc::new(Tenant::from_row(row, &app.settings.public_scheme)?);
            app.tenants.put(&t);
            Ok(Some(t))
        }
        Some(row) if row.state == "restoring" => Err(crate::AppError::Unavailable(format!(
            "{} is being restored from a backup; try again in a few minutes",
            row.domain
        ))),
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

/// An instance by id, for jobs (which carry only the id).
pub async fn by_id(app: &App, t: herd_store::TenantId) -> Result<Tenant> {
    let mut c = app.db.conn().await?;
    let row = tenants::by_id(&mut c, t).await?;
    Tenant::from_row(row, &app.settings.public_scheme)
}
