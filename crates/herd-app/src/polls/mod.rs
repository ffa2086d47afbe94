//! Polls: attached to a post when it is written or edited, voted on by local accounts and by
//! other servers, closed by a job at their end, and read from other servers' Questions.

mod close;
pub(crate) mod remote;
mod vote;

pub use close::{ClosePoll, close};
pub use vote::vote;
pub(crate) use vote::{is_vote, receive as receive_vote};

use herd_core::{Id, Timestamp};
use herd_store::polls::{self, Poll, PollRow};
use herd_store::{Conn, TenantId};

use crate::{AppError, Result, Tenant};

/// Mastodon's limits, as `/api/v2/instance` reports them.
pub const MAX_OPTIONS: usize = 4;
pub const MAX_OPTION_CHARS: usize = 50;
pub const MIN_EXPIRATION_SECS: i64 = 300;
pub const MAX_EXPIRATION_SECS: i64 = 2_629_746;

/// A poll as a client asks for it with a post (kept as such by a scheduled post).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NewPoll {
    pub options: Vec<String>,
    pub expires_in: i64,
    pub multiple: bool,
    pub hide_totals: bool,
}

impl NewPoll {
    /// Checks the poll against Mastodon's rules; the options trimmed.
    pub fn parse(options: Vec<String>, expires_in: Option<i64>, multiple: bool, hide_totals: bool) -> Result<NewPoll> {
        let options: Vec<String> = options.iter().map(|o| o.trim().to_string()).collect();
        let invalid = |m: String| Err(AppError::Invalid(format!("Validation failed: {m}")));
        if options.len() < 2 {
            return invalid("Poll must have at least 2 options".into());
        }
        if options.len() > MAX_OPTIONS {
            return invalid(format!("Poll can't contain more than {MAX_OPTIONS} items"));
        }
        if options.iter().any(String::is_empty) {
            return invalid("Poll options can't be blank".into());
        }
        if options.iter().any(|o| o.chars().count() > MAX_OPTION_CHARS) {
            return invalid(format!("Poll options can't be longer than {MAX_OPTION_CHARS} characters"));
        }
        let mut seen = options.clone();
        seen.sort();
        seen.dedup();
        if seen.len() != options.len() {
            return invalid("Poll contains duplicate items".into());
        }
        let Some(expires_in) = expires_in else {
            return invalid("Poll expiration can't be blank".into());
        };
        if expires_in < MIN_EXPIRATION_SECS {
            return invalid("Poll duration is too short".into());
        }
        if expires_in > MAX_EXPIRATION_SECS {
            return invalid("Poll duration is too long".into());
        }
        Ok(NewPoll {
            options,
            expires_in,
            multiple,
            hide_totals,
        })
    }
}

/// Attaches a new local poll to a post in the caller's transaction, with the job that closes
/// it at its end.
pub(crate) async fn attach(c: &mut Conn, tenant: &Tenant, status: i64, author: i64, p: &NewPoll) -> Result<()> {
    let now = Timestamp::now().0;
    let row = PollRow {
        id: Id::generate().0,
        tenant_id: tenant.id.0,
        status_id: status,
        account_id: author,
        multiple: i64::from(p.multiple),
        hide_totals: i64::from(p.hide_totals),
        expires_at: Some(now + p.expires_in * 1000),
        votes_count: 0,
        voters_count: Some(0),
        created_at: now,
    };
    let options: Vec<(String, i64)> = p.options.iter().map(|o| (o.clone(), 0)).collect();
    polls::insert(c, tenant.id, &row, &options).await?;
    schedule_close(c, tenant.id, &row, None).await
}

/// An edit's poll: replaced, kept or taken off. Votes go when the options or the choice rule
/// change, as on Mastodon. Returns whether the poll changed in a way that makes a new version.
pub(crate) async fn edit(c: &mut Conn, tenant: &Tenant, status: i64, author: i64, new: Option<&NewPoll>) -> Result<bool> {
    let old = polls::for_statuses(c, tenant.id, &[status]).await?.pop();
    match (old, new) {
        (None, None) => Ok(false),
        (Some(old), None) => {
            polls::delete(c, tenant.id, &old.row).await?;
            Ok(true)
        }
        (None, Some(p)) => {
            attach(c, tenant, status, author, p).await?;
            Ok(true)
        }
        (Some(old), Some(p)) => {
            let titles: Vec<String> = old.options.iter().map(|o| o.title.clone()).collect();
            let reset = titles != p.options || (old.row.multiple != 0) != p.multiple;
            let mut row = old.row.clone();
            row.multiple = i64::from(p.multiple);
            row.hide_totals = i64::from(p.hide_totals);
            row.expires_at = Some(Timestamp::now().0 + p.expires_in * 1000);
            let options: Vec<(String, i64)> = if reset {
                row.votes_count = 0;
                row.voters_count = Some(0);
                p.options.iter().map(|o| (o.clone(), 0)).collect()
            } else {
                old.options.iter().map(|o| (o.title.clone(), o.votes_count)).collect()
            };
            polls::replace(c, tenant.id, &row, &options, reset).await?;
            if row.expires_at != old.row.expires_at {
                schedule_close(c, tenant.id, &row, None).await?;
            }
            Ok(reset)
        }
    }
}

/// Writes the job that ends a poll at its end: for a local poll, `voter` is `None` (the
/// author and every local voter are told, other servers get the final tallies); for a remote
/// one, the local account that voted (told when it ends).
pub(crate) async fn schedule_close(c: &mut Conn, t: TenantId, poll: &PollRow, voter: Option<i64>) -> Result<()> {
    let Some(at) = poll.expires_at else { return Ok(()) };
    let job = ClosePoll {
        poll: poll.id,
        expires_at: at,
        voter,
    };
    herd_jobs::enqueue_at(c, t, &job, at).await?;
    Ok(())
}

/// Whether the poll has ended at `now`.
pub fn expired(p: &PollRow, now: i64) -> bool {
    p.expires_at.is_some_and(|e| e <= now)
}

/// The option titles of a post's poll, as an edit's snapshot keeps them.
pub fn titles_json(p: Option<&Poll>) -> Option<String> {
    p.map(|p| serde_json::to_string(&p.options.iter().map(|o| o.title.as_str()).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into()))
}
