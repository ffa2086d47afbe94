//! A poll's end: the job written with the poll (or with a local vote on a remote poll) and
//! due at its end.

use herd_core::Timestamp;
use herd_store::TenantId;
use herd_store::accounts;
use herd_store::polls;
use serde::{Deserialize, Serialize};

use crate::{App, Result};

#[derive(Debug, Serialize, Deserialize)]
pub struct ClosePoll {
    pub poll: i64,
    /// The end the job was written for; a poll whose end changed since has newer jobs.
    pub expires_at: i64,
    /// For a remote poll, the local account that voted.
    pub voter: Option<i64>,
}

impl herd_jobs::JobKind for ClosePoll {
    const KIND: &'static str = "polls.close";
}

/// Tells who should know that a poll ended, in one transaction: for a local poll its author
/// and local voters, with the final tallies sent to other servers; for a remote poll the
/// local voter the job is for.
pub async fn close(app: &App, t: TenantId, job: ClosePoll) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let Some(poll) = polls::by_id(&mut tx, t, job.poll).await? else {
        return Ok(());
    };
    let now = Timestamp::now().0;
    if poll.row.expires_at != Some(job.expires_at) || !super::expired(&poll.row, now) {
        // Its end moved: whoever moved it (an edit, the remote server's update) wrote the
        // jobs for the new end.
        return Ok(());
    }
    let author = accounts::by_id(&mut tx, t, poll.row.account_id).await?;
    let status = Some(poll.row.status_id);
    match job.voter {
        Some(voter) => {
            crate::notifications::notify(&mut tx, t, voter, author.id, "poll", status).await?;
        }
        None if author.domain.is_empty() => {
            crate::notifications::notify_self(&mut tx, t, author.id, "poll", status).await?;
            for voter in polls::voters(&mut tx, t, poll.row.id).await? {
                let v = accounts::by_id(&mut tx, t, voter).await?;
                if v.domain.is_empty() {
                    crate::notifications::notify(&mut tx, t, voter, author.id, "poll", status).await?;
                }
            }
            let fan_out = crate::federation::outgoing::FanOut {
                status: poll.row.status_id,
                update: true,
                poll: true,
            };
            herd_jobs::enqueue(&mut tx, t, &fan_out).await?;
        }
        None => {}
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}
