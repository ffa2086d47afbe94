use herd_core::{Id, Timestamp, Visibility};
use herd_store::statuses::{self, StatusRow};
use herd_store::{accounts, notifications};

use crate::notifications::notify;
use crate::{App, AppError, Result, Tenant, views};

/// Boosts a post; boosting twice returns the first boost. Followers-only posts can be
/// boosted only by their author, direct posts never.
pub async fn reblog(app: &App, tenant: &Tenant, account: i64, target: i64, visibility: Option<Visibility>) -> Result<i64> {
    let mut tx = app.db.begin().await?;
    let mut original = views::visible_status(&mut tx, tenant.id, Some(account), target).await?;
    if let Some(inner) = original.reblog_of_id {
        original = views::visible_status(&mut tx, tenant.id, Some(account), inner).await?;
    }
    if let Some(existing) = statuses::reblog_by(&mut tx, tenant.id, account, original.id).await? {
        return Ok(existing.id);
    }
    let vis = Visibility::parse(&original.visibility).unwrap_or(Visibility::Direct);
    let allowed = match vis {
        Visibility::Public | Visibility::Unlisted => true,
        Visibility::Private => original.account_id == account,
        Visibility::Direct => false,
    };
    if !allowed {
        return Err(AppError::Forbidden("This action is not allowed".into()));
    }
    let visibility = match (visibility.unwrap_or(Visibility::Public), vis) {
        (_, Visibility::Private) => Visibility::Private,
        (Visibility::Direct, _) => Visibility::Public,
        (v, _) => v,
    };
    let now = Timestamp::now().0;
    let id = Id::generate().0;
    let row = StatusRow {
        id,
        tenant_id: tenant.id.0,
        account_id: account,
        uri: None,
        in_reply_to_id: None,
        in_reply_to_account_id: None,
        reblog_of_id: Some(original.id),
        text: String::new(),
        spoiler_text: String::new(),
        content_html: String::new(),
        visibility: visibility.as_str().to_string(),
        sensitive: 0,
        language: None,
        app_id: None,
        replies_count: 0,
        reblogs_count: 0,
        favourites_count: 0,
        created_at: now,
        edited_at: None,
        ..Default::default()
    };
    match statuses::insert(&mut tx, tenant.id, &row).await {
        Err(herd_store::StoreError::Conflict) => {
            drop(tx);
            let mut c = app.db.conn().await?;
            return statuses::reblog_by(&mut c, tenant.id, account, original.id)
                .await?
                .map(|r| r.id)
                .ok_or(AppError::NotFound("Record not found"));
        }
        r => r?,
    }
    statuses::bump(&mut tx, tenant.id, original.id, statuses::Counter::Reblogs, 1).await?;
    accounts::bump(&mut tx, tenant.id, account, accounts::Counter::Statuses, 1).await?;
    notify(&mut tx, tenant.id, original.account_id, account, "reblog", Some(original.id)).await?;
    herd_jobs::enqueue(
        &mut tx,
        tenant.id,
        &crate::federation::outgoing::FanOut {
            status: id,
            update: false,
            poll: false,
        },
    )
    .await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(id)
}

/// Undoes a boost; returns the original post's id.
pub async fn unreblog(app: &App, tenant: &Tenant, account: i64, target: i64) -> Result<i64> {
    let mut tx = app.db.begin().await?;
    let original = views::visible_status(&mut tx, tenant.id, Some(account), target).await?;
    if let Some(boost) = statuses::reblog_by(&mut tx, tenant.id, account, original.id).await? {
        statuses::delete(&mut tx, tenant.id, boost.id).await?;
        statuses::bump(&mut tx, tenant.id, original.id, statuses::Counter::Reblogs, -1).await?;
        accounts::bump(&mut tx, tenant.id, account, accounts::Counter::Statuses, -1).await?;
        notifications::retract(&mut tx, tenant.id, original.account_id, account, "reblog", Some(original.id)).await?;
    }
    tx.commit().await?;
    Ok(original.id)
}
