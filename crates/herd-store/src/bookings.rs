//! The operator's catalog of service plans and the bookings organizations hold.

use sqlx::FromRow;

use crate::{Conn, Result, StoreError, TenantId};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PlanRow {
    pub id: i64,
    pub name: String,
    pub service: String,
    /// JSON of `herd_core::Terms`.
    pub terms: String,
    pub retired_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const PLAN: &str = "id, name, service, terms, retired_at, created_at, updated_at";

pub async fn insert_plan(c: &mut Conn, p: &PlanRow) -> Result<()> {
    c.q("INSERT INTO service_plans (id, name, service, terms, retired_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(p.id)
        .bind(p.name.clone())
        .bind(p.service.clone())
        .bind(p.terms.clone())
        .bind(p.retired_at)
        .bind(p.created_at)
        .bind(p.updated_at)
        .execute(c.ex())
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn update_plan(c: &mut Conn, p: &PlanRow) -> Result<()> {
    c.q("UPDATE service_plans SET terms = ?, retired_at = ?, updated_at = ? WHERE id = ?")
        .bind(p.terms.clone())
        .bind(p.retired_at)
        .bind(p.updated_at)
        .bind(p.id)
        .execute(c.ex())
        .await?;
    Ok(())
}

pub async fn plan_by_name(c: &mut Conn, name: &str) -> Result<Option<PlanRow>> {
    Ok(c.qa(&format!("SELECT {PLAN} FROM service_plans WHERE name = ?"))
        .bind(name)
        .fetch_optional(c.ex())
        .await?)
}

pub async fn plan_by_id(c: &mut Conn, id: i64) -> Result<Option<PlanRow>> {
    Ok(c.qa(&format!("SELECT {PLAN} FROM service_plans WHERE id = ?"))
        .bind(id)
        .fetch_optional(c.ex())
        .await?)
}

pub async fn plans(c: &mut Conn) -> Result<Vec<PlanRow>> {
    Ok(c.qa(&format!("SELECT {PLAN} FROM service_plans ORDER BY service, name"))
        .fetch_all(c.ex())
        .await?)
}

/// A booking, with its plan's name and terms where it has a plan.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct BookingRow {
    pub id: i64,
    pub organization_id: i64,
    pub tenant_id: Option<i64>,
    pub external_id: Option<i64>,
    pub service: String,
    pub plan_id: Option<i64>,
    pub terms: String,
    pub starts_at: i64,
    pub ends_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub plan_name: Option<String>,
    pub plan_terms: Option<String>,
}

const BOOKING: &str = "b.id, b.organization_id, b.tenant_id, b.external_id, b.service, b.plan_id, b.terms, b.starts_at, \
    b.ends_at, b.created_at, b.updated_at, p.name AS plan_name, p.terms AS plan_terms \
    FROM bookings b LEFT JOIN service_plans p ON p.id = b.plan_id";

/// What a new booking is.
pub struct NewBooking<'a> {
    pub id: i64,
    pub organization_id: i64,
    pub tenant_id: Option<i64>,
    pub external_id: Option<i64>,
    pub service: &'a str,
    pub plan_id: Option<i64>,
    pub terms: &'a str,
    pub starts_at: i64,
    pub ends_at: Option<i64>,
    pub now: i64,
}

pub async fn insert(c: &mut Conn, b: &NewBooking<'_>) -> Result<()> {
    c.q(
        "INSERT INTO bookings (id, organization_id, tenant_id, external_id, service, plan_id, terms, starts_at, ends_at, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(b.id)
    .bind(b.organization_id)
    .bind(b.tenant_id)
    .bind(b.external_id)
    .bind(b.service)
    .bind(b.plan_id)
    .bind(b.terms)
    .bind(b.starts_at)
    .bind(b.ends_at)
    .bind(b.now)
    .bind(b.now)
    .execute(c.ex())
    .await?;
    Ok(())
}

pub async fn by_id(c: &mut Conn, id: i64) -> Result<Option<BookingRow>> {
    Ok(c.qa(&format!("SELECT {BOOKING} WHERE b.id = ?"))
        .bind(id)
        .fetch_optional(c.ex())
        .await?)
}

/// Every booking of an organization, newest first.
pub async fn of_org(c: &mut Conn, org: i64) -> Result<Vec<BookingRow>> {
    Ok(c.qa(&format!(
        "SELECT {BOOKING} WHERE b.organization_id = ? ORDER BY b.starts_at DESC, b.id DESC"
    ))
    .bind(org)
    .fetch_all(c.ex())
    .await?)
}

/// The bookings that concern one hosted instance: its own and its organization's.
pub async fn for_tenant(c: &mut Conn, t: TenantId) -> Result<Vec<BookingRow>> {
    Ok(c.qa(&format!(
        "SELECT {BOOKING} WHERE b.tenant_id = ? OR (b.tenant_id IS NULL AND b.external_id IS NULL \
         AND b.organization_id = (SELECT organization_id FROM tenants WHERE id = ?)) ORDER BY b.starts_at, b.id"
    ))
    .bind(t.0)
    .bind(t.0)
    .fetch_all(c.ex())
    .await?)
}

/// Sets when a booking ends (`None`: open again).
pub async fn set_end(c: &mut Conn, id: i64, ends_at: Option<i64>, now: i64) -> Result<()> {
    c.q("UPDATE bookings SET ends_at = ?, updated_at = ? WHERE id = ?")
        .bind(ends_at)
        .bind(now)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

pub async fn set_terms(c: &mut Conn, id: i64, terms: &str, now: i64) -> Result<()> {
    c.q("UPDATE bookings SET terms = ?, updated_at = ? WHERE id = ?")
        .bind(terms)
        .bind(now)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}
