//! What an organization books: services (hosting, moderation, support, backups, updates)
//! per instance or for the whole organization, each from a plan in the operator's catalog
//! with terms a booking may override. What a booking entitles is decided in one place,
//! [`crate::entitlements`].

pub(crate) mod book;
mod end;
mod plan;

pub use book::{NewBooking, Target, book};
pub use end::{end, reopen};
pub use plan::{define_plan, retire_plan};

use herd_core::{Service, Terms};
use herd_store::bookings::BookingRow;

use crate::{AppError, Result};

/// A booking as its terms apply: its plan's, overridden by its own.
pub fn terms_of(b: &BookingRow) -> Terms {
    let own = Terms::from_json(&b.terms).unwrap_or_default();
    match b.plan_terms.as_deref().map(Terms::from_json) {
        Some(Ok(plan)) => plan.overlaid(&own),
        _ => own,
    }
}

/// Whether the booking is in force at `at` (epoch ms).
pub fn active_at(b: &BookingRow, at: i64) -> bool {
    b.starts_at <= at && b.ends_at.is_none_or(|e| at < e)
}

pub fn service_of(b: &BookingRow) -> Result<Service> {
    Service::parse(&b.service).map_err(|e| AppError::Internal(format!("stored booking {}: {e}", b.id)))
}

/// The booking with that id, if it is `org`'s.
pub async fn of_org(app: &crate::App, org: i64, id: i64) -> Result<BookingRow> {
    let mut c = app.db.conn().await?;
    herd_store::bookings::by_id(&mut c, id)
        .await?
        .filter(|b| b.organization_id == org)
        .ok_or(AppError::NotFound("Record not found"))
}
