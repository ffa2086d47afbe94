use herd_core::Timestamp;
use herd_store::relationships::{self, Edge};

use crate::{App, Result, Tenant};

/// Mutes an account, optionally its notifications too, optionally for `duration_secs`.
pub async fn mute(app: &App, tenant: &Tenant, actor: i64, target: i64, notifications: bool, duration_secs: Option<i64>) -> Result<()> {
    let t = tenant.id;
    let now = Timestamp::now();
    let mut tx = app.db.begin().await?;
    super::other(&mut tx, t, actor, target).await?;
    relationships::add(&mut tx, t, Edge::Mute, actor, target, None, now.0).await?;
    let expires = duration_secs.filter(|d| *d > 0).map(|d| now.plus_secs(d).0);
    relationships::set_mute_notifications(&mut tx, t, actor, target, notifications, expires).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn unmute(app: &App, tenant: &Tenant, actor: i64, target: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    super::other(&mut tx, tenant.id, actor, target).await?;
    relationships::remove(&mut tx, tenant.id, Edge::Mute, actor, target).await?;
    tx.commit().await?;
    Ok(())
}
