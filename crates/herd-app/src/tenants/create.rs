use herd_core::{Domain, Id, RegistrationMode, Timestamp};
use herd_store::tenants;

use crate::{Actor, App, AppError, Result, Tenant, audit};

pub struct NewTenant {
    pub domain: Domain,
    pub title: Option<String>,
    pub registrations: RegistrationMode,
}

/// Creates an instance on its own domain.
pub async fn create(app: &App, actor: &Actor, n: NewTenant) -> Result<Tenant> {
    let now = Timestamp::now().0;
    let id = Id::generate().0;
    let title = n.title.unwrap_or_else(|| n.domain.host().to_string());
    let mut tx = app.db.begin().await?;
    if tenants::by_domain(&mut tx, n.domain.as_str()).await?.is_some() {
        return Err(AppError::Conflict(format!("an instance with domain {} exists already", n.domain)));
    }
    tenants::insert(
        &mut tx,
        tenants::NewTenant {
            id,
            domain: n.domain.as_str(),
            title: &title,
            registrations: n.registrations.as_str(),
            now,
        },
    )
    .await?;
    let t = herd_store::TenantId(id);
    audit(
        &mut tx,
        t,
        actor,
        "tenant.create",
        n.domain.as_str(),
        serde_json::json!({"title": title, "registrations": n.registrations.as_str()}),
    )
    .await?;
    let row = tenants::by_id(&mut tx, t).await?;
    tx.commit().await?;
    Tenant::from_row(row, &app.settings.public_scheme)
}
