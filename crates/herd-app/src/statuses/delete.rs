use herd_store::{accounts, media, statuses};

use crate::files::DeleteFiles;
use crate::{App, AppError, Result, Tenant};

/// Deletes a post by its author, with its boosts; its media files are removed by a job
/// written in the same transaction.
pub async fn delete(app: &App, tenant: &Tenant, author: i64, id: i64) -> Result<()> {
    delete_as(app, tenant, author, id, None).await
}

/// [`delete`], by `made_by` when the author is a team account (recorded with it).
pub async fn delete_as(app: &App, tenant: &Tenant, author: i64, id: i64, made_by: Option<i64>) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let row = statuses::by_id(&mut tx, tenant.id, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    if row.account_id != author || row.reblog_of_id.is_some() {
        return Err(AppError::NotFound("Record not found"));
    }
    remove(&mut tx, tenant, &row, true).await?;
    super::team_action(&mut tx, tenant, made_by, "team.status.delete", author, id).await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

/// Removes one post in the caller's transaction: counters, media (files by a job), boosts;
/// with `federate`, a Delete to the servers that have it.
pub(crate) async fn remove(tx: &mut herd_store::Conn, tenant: &Tenant, row: &statuses::StatusRow, federate: bool) -> Result<()> {
    let id = row.id;
    let files: Vec<String> = media::for_statuses(tx, tenant.id, &[id])
        .await?
        .into_iter()
        .flat_map(|m| [Some(m.original_key), m.file_key, m.thumb_key])
        .flatten()
        .collect();
    for (_, booster) in statuses::reblogs_of(tx, tenant.id, id).await? {
        accounts::bump(tx, tenant.id, booster, accounts::Counter::Statuses, -1).await?;
    }
    if let Some(p) = row.in_reply_to_id {
        statuses::bump(tx, tenant.id, p, statuses::Counter::Replies, -1).await?;
    }
    accounts::bump(tx, tenant.id, row.account_id, accounts::Counter::Statuses, -1).await?;
    if federate {
        crate::federation::outgoing::delete(tx, tenant, row).await?;
    }
    media::delete_for_status(tx, tenant.id, id).await?;
    statuses::delete(tx, tenant.id, id).await?;
    if !files.is_empty() {
        herd_jobs::enqueue(tx, tenant.id, &DeleteFiles { keys: files }).await?;
    }
    Ok(())
}
