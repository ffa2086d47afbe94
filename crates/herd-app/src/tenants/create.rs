use herd_core::{Domain, Id, RegistrationMode, Service, Terms, Timestamp};
use herd_store::organizations::OrgRow;
use herd_store::tenants;

use crate::bookings::{NewBooking, Target};
use crate::organizations::{NewOrganization, Slug};
use crate::{Actor, App, AppError, Result, Tenant, audit};

pub struct NewTenant {
    pub domain: Domain,
    pub title: Option<String>,
    pub registrations: RegistrationMode,
    /// The organization it belongs to; without one, it gets an organization of its own
    /// (named after the instance), as instances made before organizations existed did.
    pub organization: Option<OrgRow>,
    /// The hosting plan it is booked on (none: hosting with no terms).
    pub hosting_plan: Option<String>,
}

/// Creates an instance on its own domain, with its hosting booked from now on, in one
/// transaction.
pub async fn create(app: &App, actor: &Actor, n: NewTenant) -> Result<Tenant> {
    let now = Timestamp::now().0;
    let id = Id::generate().0;
    let title = n.title.unwrap_or_else(|| n.domain.host().to_string());
    if let Some(admin) = &app.settings.admin_domain {
        let host = |d: &str| d.split(':').next().unwrap_or(d).to_ascii_lowercase();
        let same = if admin.contains(':') {
            admin.eq_ignore_ascii_case(n.domain.as_str())
        } else {
            host(admin) == host(n.domain.as_str())
        };
        if same {
            return Err(AppError::Invalid(format!(
                "{} is the provider console's domain (admin_domain); an instance cannot have it",
                n.domain
            )));
        }
    }
    let mut tx = app.db.begin().await?;
    if tenants::by_domain(&mut tx, n.domain.as_str()).await?.is_some() {
        return Err(AppError::Conflict(format!("an instance with domain {} exists already", n.domain)));
    }
    if herd_store::organizations::external_by_domain(&mut tx, n.domain.as_str())
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!("{} is registered as an external instance", n.domain)));
    }
    let org = match n.organization {
        Some(o) => o,
        None => {
            let base: String = n.domain.as_str().replace(':', "-").chars().take(33).collect();
            let base = base.trim_end_matches(['-', '.']).to_string();
            let slug = match herd_store::organizations::by_slug(&mut tx, &base).await? {
                None => base,
                Some(_) => format!("{base}-{:06}", id.rem_euclid(1_000_000)),
            };
            crate::organizations::create::insert(
                &mut tx,
                actor,
                NewOrganization {
                    slug: Slug::parse(&slug)?,
                    name: title.clone(),
                    notes: String::new(),
                },
            )
            .await?
        }
    };
    tenants::insert(
        &mut tx,
        tenants::NewTenant {
            id,
            organization_id: org.id,
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
        serde_json::json!({"title": title, "registrations": n.registrations.as_str(), "organization": org.slug}),
    )
    .await?;
    crate::organizations::audit(
        &mut tx,
        Some(org.id),
        actor,
        "instance.create",
        n.domain.as_str(),
        serde_json::json!({"title": title}),
    )
    .await?;
    crate::bookings::book::insert(
        &mut tx,
        actor,
        &org,
        NewBooking {
            service: Service::Hosting,
            target: Target::Hosted(t),
            plan: n.hosting_plan,
            terms: Terms::default(),
            starts_at: Some(now),
            ends_at: None,
        },
    )
    .await?;
    let row = tenants::by_id(&mut tx, t).await?;
    tx.commit().await?;
    app.entitlements.forget_all();
    Tenant::from_row(row, &app.settings.public_scheme)
}
