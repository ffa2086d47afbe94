//! Markers: saving where an account stopped reading, one transaction for every timeline sent.

use herd_core::Timestamp;
use herd_store::TenantId;

use crate::{App, Result};

pub async fn save(app: &App, t: TenantId, account: i64, set: &[(&str, i64)]) -> Result<()> {
    let now = Timestamp::now().0;
    let mut tx = app.db.begin().await?;
    for (timeline, id) in set {
        herd_store::markers::set(&mut tx, t, account, timeline, *id, now).await?;
    }
    tx.commit().await?;
    Ok(())
}
