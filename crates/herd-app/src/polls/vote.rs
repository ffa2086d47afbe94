//! Voting: a local account's vote (sent to the poll's server when the poll is remote), and a
//! vote another server sends for a local poll.

use herd_core::{Id, Timestamp};
use herd_store::accounts::AccountRow;
use herd_store::polls::{self, Poll};
use herd_store::{Conn, relationships};
use serde_json::Value;

use crate::federation::outgoing;
use crate::{App, AppError, Result, Tenant, views};

/// How long after a vote a local poll's new tallies go to other servers (votes meanwhile
/// ride along), as Mastodon waits before it distributes them.
const DISTRIBUTE_AFTER_MS: i64 = 60_000;

/// `voter` votes in a poll: the choices checked, stored and counted in one transaction, with
/// the vote's delivery to the poll's server (remote polls) or the tallies' later distribution
/// (local polls whose tallies are shown).
pub async fn vote(app: &App, tenant: &Tenant, voter: i64, poll_id: i64, choices: &[i64]) -> Result<()> {
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    let poll = polls::by_id(&mut tx, t, poll_id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    let status = views::visible_status(&mut tx, t, Some(voter), poll.row.status_id).await?;
    if relationships::exists(&mut tx, t, relationships::Edge::Block, voter, poll.row.account_id).await? {
        return Err(AppError::NotFound("Record not found"));
    }
    let now = Timestamp::now().0;
    let choices = check(&mut tx, &poll, voter, choices, now).await?;
    let rows: Vec<(i64, i64, Option<String>)> = choices.iter().map(|c| (Id::generate().0, *c, None)).collect();
    let counted = polls::vote(&mut tx, t, &poll.row, voter, &rows, now).await?;
    let author = herd_store::accounts::by_id(&mut tx, t, poll.row.account_id).await?;
    if outgoing::is_remote(&author) {
        let me = herd_store::accounts::by_id(&mut tx, t, voter).await?;
        let target = outgoing::status_uri(&mut tx, tenant, &status).await?;
        let votes: Vec<(i64, String)> = counted
            .iter()
            .filter_map(|(id, c)| Some((*id, poll.options.get(*c as usize)?.title.clone())))
            .collect();
        outgoing::votes(&mut tx, tenant, &me, &author, &target, &votes).await?;
        super::schedule_close(&mut tx, t, &poll.row, Some(voter)).await?;
    } else {
        distribute_later(&mut tx, tenant, &poll, now).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

/// The choices, checked as Mastodon's vote validator does, with its messages in its order
/// (ended, no such option, own poll, already voted): a second choice in a poll that takes
/// one, or the same choice twice, is a vote already cast.
async fn check(c: &mut Conn, poll: &Poll, voter: i64, choices: &[i64], now: i64) -> Result<Vec<i64>> {
    if choices.is_empty() {
        return Err(AppError::Invalid("Validation failed: Choices can't be blank".into()));
    }
    let mut list = choices.to_vec();
    list.sort_unstable();
    list.dedup();
    let mut errors = Vec::new();
    if super::expired(&poll.row, now) {
        errors.push("The poll has already ended");
    }
    if list.iter().any(|c| *c < 0 || *c as usize >= poll.options.len()) {
        errors.push("The chosen vote option does not exist");
    }
    if poll.row.account_id == voter {
        errors.push("You cannot vote in your own polls");
    }
    let voted = !polls::own_votes(c, herd_store::TenantId(poll.row.tenant_id), voter, &[poll.row.id])
        .await?
        .is_empty();
    if voted || list.len() != choices.len() || (poll.row.multiple == 0 && list.len() > 1) {
        errors.push("You have already voted on this poll");
    }
    if errors.is_empty() {
        Ok(list)
    } else {
        Err(AppError::Invalid(format!("Validation failed: {}", errors.join(", "))))
    }
}

/// A local poll's new tallies go to the servers that have it, once a minute at most; not
/// while the tallies are hidden (the end sends them).
async fn distribute_later(c: &mut Conn, tenant: &Tenant, poll: &Poll, now: i64) -> Result<()> {
    if poll.row.hide_totals != 0 {
        return Ok(());
    }
    let due = now + DISTRIBUTE_AFTER_MS;
    if polls::claim_distribution(c, tenant.id, poll.row.id, now, due).await? {
        let job = outgoing::FanOut {
            status: poll.row.status_id,
            update: true,
            poll: true,
        };
        herd_jobs::enqueue_at(c, tenant.id, &job, due).await?;
    }
    Ok(())
}

/// Whether a received note is a vote: a named note without content that answers a post.
pub(crate) fn is_vote(note: &Value) -> bool {
    let named = note.get("name").and_then(Value::as_str).is_some_and(|n| !n.is_empty());
    let content = note.get("content").and_then(Value::as_str).is_some_and(|c| !c.is_empty());
    named && !content && note.get("inReplyTo").is_some()
}

/// A vote another server sent for a local poll (Mastodon sends one note per choice), in the
/// ingest's transaction. Votes for polls that are not local, ended, or not open to the voter
/// are dropped, as Mastodon drops them. Returns whether a job was written.
pub(crate) async fn receive(c: &mut Conn, tenant: &Tenant, sender: &AccountRow, note: &Value) -> Result<bool> {
    let t = tenant.id;
    let Some(target) = note.get("inReplyTo").and_then(crate::federation::inbox::id_of) else {
        return Ok(false);
    };
    let Some(status) = crate::federation::read::status_by_url_on(c, tenant, target).await? else {
        return Ok(false);
    };
    let Some(poll) = polls::for_statuses(c, t, &[status]).await?.pop() else {
        return Ok(false);
    };
    let Some(row) = herd_store::statuses::by_id(c, t, status).await? else {
        return Ok(false);
    };
    let author = herd_store::accounts::by_id(c, t, poll.row.account_id).await?;
    let now = Timestamp::now().0;
    if outgoing::is_remote(&author) || super::expired(&poll.row, now) || !views::visible(c, t, Some(sender.id), &row).await? {
        return Ok(false);
    }
    let name = note.get("name").and_then(Value::as_str).unwrap_or_default();
    let Some(choice) = poll.options.iter().position(|o| o.title == name) else {
        return Ok(false);
    };
    let mine = polls::own_votes(c, t, sender.id, &[poll.row.id]).await?;
    if poll.row.multiple == 0 && mine.iter().any(|(_, ch)| *ch != choice as i64) {
        return Ok(false);
    }
    let uri = note.get("id").and_then(Value::as_str).map(|u| u.chars().take(2000).collect());
    polls::vote(c, t, &poll.row, sender.id, &[(Id::generate().0, choice as i64, uri)], now).await?;
    distribute_later(c, tenant, &poll, now).await?;
    Ok(poll.row.hide_totals == 0)
}
