use herd_core::{QuotePolicy, Visibility};
use herd_store::statuses;

use crate::{App, AppError, Result, Tenant};

/// A member's default for new posts (Mastodon's `source[quote_policy]`).
pub async fn default_policy(app: &App, tenant: &Tenant, account: i64) -> Result<QuotePolicy> {
    let mut c = app.db.conn().await?;
    let user = herd_store::users::by_account(&mut c, tenant.id, account).await?;
    Ok(user
        .and_then(|u| QuotePolicy::parse(&u.default_quote_policy).ok())
        .unwrap_or(QuotePolicy::Public))
}

/// The author changes who may quote a post (Mastodon 4.5's interaction policy); other
/// servers hear of it with the post's Update. Quotes made already stay.
pub async fn set_policy(app: &App, tenant: &Tenant, author: i64, id: i64, policy: QuotePolicy) -> Result<()> {
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    let row = statuses::by_id(&mut tx, t, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    if row.account_id != author || row.reblog_of_id.is_some() {
        return Err(AppError::Forbidden("This action is not allowed".into()));
    }
    let visibility = Visibility::parse(&row.visibility).unwrap_or(Visibility::Direct);
    let (automatic, manual) = super::flags(policy, visibility);
    if (automatic, manual) == (row.quote_automatic, row.quote_manual) {
        return Ok(());
    }
    statuses::set_quote_policy(&mut tx, t, id, automatic, manual).await?;
    herd_jobs::enqueue(
        &mut tx,
        t,
        &crate::federation::outgoing::FanOut {
            status: id,
            update: true,
            poll: false,
        },
    )
    .await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}
