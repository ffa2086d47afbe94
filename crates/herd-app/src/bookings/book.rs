use herd_core::{Id, Service, Terms, Timestamp};
use herd_store::bookings::{self, BookingRow};
use herd_store::organizations::OrgRow;
use herd_store::{Conn, TenantId};

use crate::{Actor, App, AppError, Result};

/// What a booking is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A hosted instance of the organization.
    Hosted(TenantId),
    /// An external instance of the organization (its id).
    External(i64),
    /// Every instance of the organization.
    Organization,
}

impl Target {
    /// The target a domain names for `org`: one of its hosted or external instances, or the
    /// whole organization when there is no domain (or an empty one).
    pub async fn named(app: &App, org: &OrgRow, domain: Option<&str>) -> Result<Target> {
        let Some(d) = domain.map(str::trim).filter(|d| !d.is_empty()) else {
            return Ok(Target::Organization);
        };
        let d = herd_core::Domain::parse(d)?;
        let mut c = app.db.conn().await?;
        if let Some(t) = herd_store::tenants::by_domain(&mut c, d.as_str()).await? {
            return Ok(Target::Hosted(t.tenant_id()));
        }
        match herd_store::organizations::external_by_domain(&mut c, d.as_str()).await? {
            Some(e) if e.organization_id == org.id => Ok(Target::External(e.id)),
            _ => Err(AppError::Invalid(format!("{d} is not an instance of {}", org.slug))),
        }
    }
}

pub struct NewBooking {
    pub service: Service,
    pub target: Target,
    /// A plan in the catalog, by name.
    pub plan: Option<String>,
    /// Terms that override the plan's.
    pub terms: Terms,
    /// Epoch ms; now unless given.
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
}

/// Books a service for an organization.
pub async fn book(app: &App, actor: &Actor, org: &OrgRow, n: NewBooking) -> Result<BookingRow> {
    let mut tx = app.db.begin().await?;
    let id = insert(&mut tx, actor, org, n).await?;
    let row = bookings::by_id(&mut tx, id).await?.ok_or(AppError::NotFound("Record not found"))?;
    tx.commit().await?;
    app.entitlements.forget_all();
    Ok(row)
}

/// The booking, in the caller's transaction (creating a hosted instance books its hosting
/// in the same transaction).
pub(crate) async fn insert(c: &mut Conn, actor: &Actor, org: &OrgRow, n: NewBooking) -> Result<i64> {
    let now = Timestamp::now().0;
    let starts_at = n.starts_at.unwrap_or(now);
    if n.ends_at.is_some_and(|e| e <= starts_at) {
        return Err(AppError::Invalid("a booking must end after it starts".into()));
    }
    n.terms.check_for(n.service)?;
    let (tenant_id, external_id, target) = match n.target {
        Target::Hosted(t) => {
            let row = herd_store::tenants::by_id(c, t).await?;
            if row.organization_id != Some(org.id) {
                return Err(AppError::Invalid(format!("{} is not an instance of {}", row.domain, org.slug)));
            }
            (Some(t.0), None, row.domain)
        }
        Target::External(id) => {
            let ext = herd_store::organizations::externals_of(c, org.id)
                .await?
                .into_iter()
                .find(|e| e.id == id)
                .ok_or_else(|| AppError::Invalid("that external instance is not the organization's".into()))?;
            (None, Some(id), ext.domain)
        }
        Target::Organization => (None, None, org.slug.clone()),
    };
    match (n.service, n.target) {
        (Service::Hosting | Service::Backups, Target::Hosted(_)) => {}
        (Service::Hosting | Service::Backups, _) => {
            return Err(AppError::Invalid(format!("{} is booked for a hosted instance", n.service)));
        }
        _ => {}
    }
    let plan = match &n.plan {
        None => None,
        Some(name) => {
            let p = bookings::plan_by_name(c, name.trim())
                .await?
                .ok_or_else(|| AppError::Invalid(format!("no plan {name:?}; see `herd plan list`")))?;
            if p.service != n.service.as_str() {
                return Err(AppError::Invalid(format!(
                    "the plan {:?} is for {}, not {}",
                    p.name, p.service, n.service
                )));
            }
            if p.retired_at.is_some() {
                return Err(AppError::Invalid(format!("the plan {:?} is retired", p.name)));
            }
            Some(p)
        }
    };
    // One booking of a service per target at a time: two would leave it unclear whose terms
    // apply.
    let overlapping = bookings::of_org(c, org.id).await?.into_iter().find(|b| {
        b.service == n.service.as_str()
            && b.tenant_id == tenant_id
            && b.external_id == external_id
            && b.ends_at.is_none_or(|e| e > starts_at)
            && n.ends_at.is_none_or(|e| b.starts_at < e)
    });
    if let Some(b) = overlapping {
        return Err(AppError::Conflict(format!(
            "{target} has a {} booking already for that time (booking {}); end it first",
            n.service, b.id
        )));
    }
    let id = Id::generate().0;
    let terms = n.terms.to_json();
    bookings::insert(
        c,
        &bookings::NewBooking {
            id,
            organization_id: org.id,
            tenant_id,
            external_id,
            service: n.service.as_str(),
            plan_id: plan.as_ref().map(|p| p.id),
            terms: &terms,
            starts_at,
            ends_at: n.ends_at,
            now,
        },
    )
    .await?;
    crate::organizations::audit(
        c,
        Some(org.id),
        actor,
        "booking.create",
        &target,
        serde_json::json!({
            "booking": id.to_string(), "service": n.service.as_str(), "plan": plan.map(|p| p.name),
            "terms": n.terms, "starts_at": starts_at, "ends_at": n.ends_at,
        }),
    )
    .await?;
    Ok(id)
}
