use herd_core::Timestamp;
use herd_store::announcements;

use crate::{App, AppError, Result, Tenant};

/// Marks an announcement read for a member.
pub async fn dismiss(app: &App, tenant: &Tenant, account: i64, id: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let a = announcements::by_id(&mut tx, tenant.id, id)
        .await?
        .filter(|a| a.published_at <= Timestamp::now().0)
        .ok_or(AppError::NotFound("Record not found"))?;
    announcements::dismiss(&mut tx, tenant.id, a.id, account).await?;
    tx.commit().await?;
    Ok(())
}
