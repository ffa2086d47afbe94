use herd_core::{Id, Timestamp};
use herd_store::announcements;

use crate::{App, AppError, Result, Tenant};

/// The most different emoji on one announcement, as on Mastodon.
pub const MAX_REACTIONS: i64 = 8;

/// A member reacts to an announcement with one emoji (or takes the reaction back).
/// Idempotent both ways.
pub async fn react(app: &App, tenant: &Tenant, account: i64, id: i64, name: &str, remove: bool) -> Result<()> {
    let name = name.trim();
    if !remove && emojis::get(name).is_none() {
        return Err(AppError::Invalid("Validation failed: Name is not a recognized emoji".into()));
    }
    let mut tx = app.db.begin().await?;
    announcements::by_id(&mut tx, tenant.id, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    if !remove && announcements::other_names(&mut tx, tenant.id, id, name).await? >= MAX_REACTIONS {
        return Err(AppError::Invalid(format!(
            "Validation failed: at most {MAX_REACTIONS} different reactions per announcement"
        )));
    }
    if remove {
        announcements::remove_reaction(&mut tx, tenant.id, id, account, name).await?;
    } else {
        announcements::add_reaction(&mut tx, tenant.id, id, account, name, Id::generate().0, Timestamp::now().0).await?;
    }
    tx.commit().await?;
    Ok(())
}
