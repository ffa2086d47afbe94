use herd_core::{Id, Timestamp};
use herd_store::interactions::{self, Mark};
use herd_store::{notifications, statuses};

use crate::notifications::notify;
use crate::{App, AppError, Result, Tenant, views};

/// The most posts one account may pin, as on Mastodon.
const MAX_PINS: i64 = 5;

/// Favourites, bookmarks or pins a post the account can see. Idempotent.
pub async fn mark(app: &App, tenant: &Tenant, account: i64, mark: Mark, status: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let row = views::visible_status(&mut tx, tenant.id, Some(account), status).await?;
    if mark == Mark::Pin {
        if row.account_id != account || row.reblog_of_id.is_some() {
            return Err(AppError::Invalid("Validation failed: You can only pin your own posts".into()));
        }
        if row.visibility == "direct" {
            return Err(AppError::Invalid("Validation failed: Direct posts cannot be pinned".into()));
        }
        if interactions::count(&mut tx, tenant.id, Mark::Pin, account).await? >= MAX_PINS {
            return Err(AppError::Invalid(format!(
                "Validation failed: You can only pin up to {MAX_PINS} posts"
            )));
        }
    }
    let added = interactions::add(&mut tx, tenant.id, mark, Id::generate().0, account, row.id, Timestamp::now().0).await?;
    if added && mark == Mark::Favourite {
        statuses::bump(&mut tx, tenant.id, row.id, statuses::Counter::Favourites, 1).await?;
        notify(&mut tx, tenant.id, row.account_id, account, "favourite", Some(row.id)).await?;
        like(&mut tx, tenant, account, &row, false).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

/// Removes the mark. Idempotent; the post must still be visible to the account.
pub async fn unmark(app: &App, tenant: &Tenant, account: i64, mark: Mark, status: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let row = match statuses::by_id(&mut tx, tenant.id, status).await? {
        Some(r) => r,
        None => return Err(AppError::NotFound("Record not found")),
    };
    let removed = interactions::remove(&mut tx, tenant.id, mark, account, row.id).await?;
    if removed && mark == Mark::Favourite {
        statuses::bump(&mut tx, tenant.id, row.id, statuses::Counter::Favourites, -1).await?;
        notifications::retract(&mut tx, tenant.id, row.account_id, account, "favourite", Some(row.id)).await?;
        like(&mut tx, tenant, account, &row, true).await?;
    }
    if !removed && !views::visible(&mut tx, tenant.id, Some(account), &row).await? {
        return Err(AppError::NotFound("Record not found"));
    }
    tx.commit().await?;
    Ok(())
}

/// A favourite of a remote post is a Like sent to its author's server.
async fn like(c: &mut herd_store::Conn, tenant: &Tenant, account: i64, row: &statuses::StatusRow, undo: bool) -> Result<()> {
    let author = herd_store::accounts::by_id(c, tenant.id, row.account_id).await?;
    if !crate::federation::outgoing::is_remote(&author) {
        return Ok(());
    }
    let me = herd_store::accounts::by_id(c, tenant.id, account).await?;
    let uri = crate::federation::outgoing::status_uri(c, tenant, row).await?;
    crate::federation::outgoing::act(c, tenant, &me, &author, "Like", &uri, undo).await
}
