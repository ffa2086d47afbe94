use herd_core::Timestamp;
use herd_store::bookings::{self, BookingRow};
use herd_store::organizations::OrgRow;

use crate::{Actor, App, AppError, Result};

/// Ends a booking at `at` (now unless given). Ending hosting puts the instance into its
/// grace policy (read-only, then suspended); nothing is deleted.
pub async fn end(app: &App, actor: &Actor, org: &OrgRow, booking: &BookingRow, at: Option<i64>) -> Result<BookingRow> {
    let now = Timestamp::now().0;
    let at = at.unwrap_or(now);
    if at < booking.starts_at {
        return Err(AppError::Invalid("a booking cannot end before it starts".into()));
    }
    set(app, actor, org, booking, Some(at), "booking.end").await
}

/// Opens an ended booking again, with no end (the instance is served as before).
pub async fn reopen(app: &App, actor: &Actor, org: &OrgRow, booking: &BookingRow) -> Result<BookingRow> {
    let mut c = app.db.conn().await?;
    let clash = bookings::of_org(&mut c, org.id).await?.into_iter().any(|b| {
        b.id != booking.id
            && b.service == booking.service
            && b.tenant_id == booking.tenant_id
            && b.external_id == booking.external_id
            && b.ends_at.is_none_or(|e| e > booking.starts_at)
    });
    drop(c);
    if clash {
        return Err(AppError::Conflict(
            "a later booking of the same service is in force; end it first".into(),
        ));
    }
    set(app, actor, org, booking, None, "booking.reopen").await
}

async fn set(app: &App, actor: &Actor, org: &OrgRow, booking: &BookingRow, ends_at: Option<i64>, action: &str) -> Result<BookingRow> {
    let now = Timestamp::now().0;
    let mut tx = app.db.begin().await?;
    bookings::set_end(&mut tx, booking.id, ends_at, now).await?;
    crate::organizations::audit(
        &mut tx,
        Some(org.id),
        actor,
        action,
        &booking.id.to_string(),
        serde_json::json!({"service": booking.service, "ends_at": ends_at}),
    )
    .await?;
    let row = bookings::by_id(&mut tx, booking.id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    tx.commit().await?;
    app.entitlements.forget_all();
    Ok(row)
}
