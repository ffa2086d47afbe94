use herd_core::Timestamp;

use crate::{App, AppError, Result, Tenant};

/// The longest private note about an account (Mastodon's limit).
const MAX_NOTE: usize = 2000;

/// Keeps `actor`'s private note about `target`; an empty comment removes it.
pub async fn note(app: &App, tenant: &Tenant, actor: i64, target: i64, comment: &str) -> Result<()> {
    if comment.chars().count() > MAX_NOTE {
        return Err(AppError::Invalid(format!(
            "Validation failed: Comment is too long (maximum is {MAX_NOTE} characters)"
        )));
    }
    let mut tx = app.db.begin().await?;
    herd_store::accounts::by_id(&mut tx, tenant.id, target).await?;
    herd_store::markers::set_note(&mut tx, tenant.id, actor, target, comment.trim(), Timestamp::now().0).await?;
    tx.commit().await?;
    Ok(())
}
