use herd_core::{Id, Timestamp};
use herd_store::{featured, tags};

use crate::{App, AppError, Result, Tenant};

/// The most hashtags an account features, as on Mastodon.
pub const LIMIT: i64 = 10;

/// Features a hashtag on the account's profile (created here if no post used it yet);
/// returns the featured tag's id.
pub async fn feature_tag(app: &App, tenant: &Tenant, actor: i64, name: &str) -> Result<i64> {
    let name = crate::follows::tag_name(name).map_err(|_| AppError::Invalid("Validation failed: Name is not a valid hashtag".into()))?;
    let now = Timestamp::now().0;
    let mut tx = app.db.begin().await?;
    if featured::count_tags(&mut tx, tenant.id, actor).await? >= LIMIT {
        return Err(AppError::Invalid(format!(
            "Validation failed: You can feature at most {LIMIT} hashtags"
        )));
    }
    let tag = tags::ensure(&mut tx, tenant.id, Id::generate().0, &name, now).await?;
    let id = Id::generate().0;
    if !featured::add_tag(&mut tx, tenant.id, id, actor, tag, now).await? {
        return Err(AppError::Invalid("Validation failed: Name has already been taken".into()));
    }
    tx.commit().await?;
    Ok(id)
}

pub async fn unfeature_tag(app: &App, tenant: &Tenant, actor: i64, id: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    if !featured::remove_tag(&mut tx, tenant.id, actor, id).await? {
        return Err(AppError::NotFound("Record not found"));
    }
    tx.commit().await?;
    Ok(())
}
