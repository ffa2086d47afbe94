use herd_core::{Id, Timestamp};
use herd_store::tags;

use crate::{App, AppError, Result, Tenant};

/// A hashtag's name as written after `#`.
pub(crate) fn tag_name(n: &str) -> Result<String> {
    let n = n.trim().trim_start_matches('#');
    if n.is_empty() || n.chars().count() > 100 || !n.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(AppError::NotFound("Record not found"));
    }
    Ok(n.to_string())
}

/// Follows a hashtag (created here if no post has used it yet); its public posts join the
/// account's home timeline.
pub async fn follow_tag(app: &App, tenant: &Tenant, actor: i64, tag: &str) -> Result<(i64, String)> {
    let n = tag_name(tag)?;
    let now = Timestamp::now().0;
    let mut tx = app.db.begin().await?;
    let id = tags::ensure(&mut tx, tenant.id, Id::generate().0, &n, now).await?;
    tags::follow(&mut tx, tenant.id, Id::generate().0, actor, id, now).await?;
    let found = tags::by_name(&mut tx, tenant.id, &n).await?.unwrap_or((id, n));
    tx.commit().await?;
    Ok(found)
}

pub async fn unfollow_tag(app: &App, tenant: &Tenant, actor: i64, tag: &str) -> Result<(i64, String)> {
    let n = tag_name(tag)?;
    let mut tx = app.db.begin().await?;
    let found = tags::by_name(&mut tx, tenant.id, &n)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    tags::unfollow(&mut tx, tenant.id, actor, found.0).await?;
    tx.commit().await?;
    Ok(found)
}
