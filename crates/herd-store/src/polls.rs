//! Polls attached to posts, their options with tallies, and the votes cast here.
//!
//! A local poll's tallies count the votes stored here (local accounts' and those other
//! servers sent); a remote poll's are what its server last said, plus the votes cast here
//! since. Every change to a poll records `Change::Status` of its post, whose cached parts
//! hold the poll.

use crate::changes::{Change, record};
use crate::{Conn, Result, TenantId, placeholders, value_rows};

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct PollRow {
    pub id: i64,
    pub tenant_id: i64,
    pub status_id: i64,
    pub account_id: i64,
    pub multiple: i64,
    pub hide_totals: i64,
    pub expires_at: Option<i64>,
    pub votes_count: i64,
    /// Unknown for some remote polls (single-choice polls of older servers).
    pub voters_count: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OptionRow {
    pub poll_id: i64,
    pub position: i64,
    pub title: String,
    pub votes_count: i64,
}

/// A poll with its options in order.
#[derive(Debug, Clone)]
pub struct Poll {
    pub row: PollRow,
    pub options: Vec<OptionRow>,
}

const COLS: &str = "p.id, p.tenant_id, p.status_id, p.account_id, p.multiple, p.hide_totals, p.expires_at, \
    p.votes_count, p.voters_count, p.created_at";

/// Stores a poll and its options (titles with their tallies, zero for a new local poll).
pub async fn insert(c: &mut Conn, t: TenantId, p: &PollRow, options: &[(String, i64)]) -> Result<()> {
    c.q(
        "INSERT INTO polls (id, tenant_id, status_id, account_id, multiple, hide_totals, expires_at, \
         votes_count, voters_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(p.id)
    .bind(t.0)
    .bind(p.status_id)
    .bind(p.account_id)
    .bind(p.multiple)
    .bind(p.hide_totals)
    .bind(p.expires_at)
    .bind(p.votes_count)
    .bind(p.voters_count)
    .bind(p.created_at)
    .execute(c.ex())
    .await?;
    insert_options(c, t, p.id, options).await?;
    record(c, t, Change::Status(p.status_id)).await
}

async fn insert_options(c: &mut Conn, t: TenantId, poll: i64, options: &[(String, i64)]) -> Result<()> {
    if options.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO poll_options (tenant_id, poll_id, position, title, votes_count) VALUES {}",
        value_rows(options.len(), 5)
    );
    let mut q = c.q(&sql);
    for (i, (title, votes)) in options.iter().enumerate() {
        q = q.bind(t.0).bind(poll).bind(i as i64).bind(title.clone()).bind(*votes);
    }
    q.execute(c.ex()).await?;
    Ok(())
}

/// Replaces a poll's settings, options and tallies (an edit, or a remote server's new
/// version). With `reset`, the votes cast here go too.
pub async fn replace(c: &mut Conn, t: TenantId, p: &PollRow, options: &[(String, i64)], reset: bool) -> Result<()> {
    if reset {
        c.q("DELETE FROM poll_votes WHERE tenant_id = ? AND poll_id = ?")
            .bind(t.0)
            .bind(p.id)
            .execute(c.ex())
            .await?;
    }
    c.q(
        "UPDATE polls SET multiple = ?, hide_totals = ?, expires_at = ?, votes_count = ?, voters_count = ? \
         WHERE tenant_id = ? AND id = ?",
    )
    .bind(p.multiple)
    .bind(p.hide_totals)
    .bind(p.expires_at)
    .bind(p.votes_count)
    .bind(p.voters_count)
    .bind(t.0)
    .bind(p.id)
    .execute(c.ex())
    .await?;
    c.q("DELETE FROM poll_options WHERE tenant_id = ? AND poll_id = ?")
        .bind(t.0)
        .bind(p.id)
        .execute(c.ex())
        .await?;
    insert_options(c, t, p.id, options).await?;
    record(c, t, Change::Status(p.status_id)).await
}

/// Takes a post's poll off (an edit without one).
pub async fn delete(c: &mut Conn, t: TenantId, p: &PollRow) -> Result<()> {
    c.q("DELETE FROM polls WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(p.id)
        .execute(c.ex())
        .await?;
    record(c, t, Change::Status(p.status_id)).await
}

pub async fn by_id(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<Poll>> {
    let row: Option<PollRow> = c
        .qa(&format!("SELECT {COLS} FROM polls p WHERE p.tenant_id = ? AND p.id = ?"))
        .bind(t.0)
        .bind(id)
        .fetch_optional(c.ex())
        .await?;
    match row {
        Some(row) => Ok(with_options(c, t, vec![row]).await?.pop()),
        None => Ok(None),
    }
}

/// The polls of these posts, with their options.
pub async fn for_statuses(c: &mut Conn, t: TenantId, status_ids: &[i64]) -> Result<Vec<Poll>> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLS} FROM polls p WHERE p.tenant_id = ? AND p.status_id IN ({})",
        placeholders(status_ids.len())
    );
    let mut q = c.qa(&sql).bind(t.0);
    for id in status_ids {
        q = q.bind(*id);
    }
    let rows: Vec<PollRow> = q.fetch_all(c.ex()).await?;
    with_options(c, t, rows).await
}

async fn with_options(c: &mut Conn, t: TenantId, rows: Vec<PollRow>) -> Result<Vec<Poll>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT poll_id, position, title, votes_count FROM poll_options WHERE tenant_id = ? AND poll_id IN ({}) \
         ORDER BY poll_id, position",
        placeholders(rows.len())
    );
    let mut q = c.qa(&sql).bind(t.0);
    for r in &rows {
        q = q.bind(r.id);
    }
    let mut options: Vec<OptionRow> = q.fetch_all(c.ex()).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (mine, rest): (Vec<OptionRow>, Vec<OptionRow>) = options.drain(..).partition(|o| o.poll_id == row.id);
            options = rest;
            Poll { row, options: mine }
        })
        .collect())
}

/// The choices `account` made in each of these polls, as (poll id, choice) in order.
pub async fn own_votes(c: &mut Conn, t: TenantId, account: i64, poll_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    if poll_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT poll_id, choice FROM poll_votes WHERE tenant_id = ? AND account_id = ? AND poll_id IN ({}) \
         ORDER BY poll_id, choice",
        placeholders(poll_ids.len())
    );
    let mut q = c.qa(&sql).bind(t.0).bind(account);
    for id in poll_ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// A vote of `account`: its choices stored and counted. Choices stored before are skipped
/// (a vote received twice). Returns the choices newly counted, with the ids given to them.
pub async fn vote(
    c: &mut Conn,
    t: TenantId,
    poll: &PollRow,
    account: i64,
    choices: &[(i64, i64, Option<String>)],
    now: i64,
) -> Result<Vec<(i64, i64)>> {
    let voted_before: Option<i64> = c
        .qs("SELECT choice FROM poll_votes WHERE tenant_id = ? AND poll_id = ? AND account_id = ? LIMIT 1")
        .bind(t.0)
        .bind(poll.id)
        .bind(account)
        .fetch_optional(c.ex())
        .await?;
    let mut counted = Vec::new();
    for (id, choice, uri) in choices {
        let added = c
            .q(
                "INSERT INTO poll_votes (id, tenant_id, poll_id, account_id, choice, uri, created_at) \
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(*id)
            .bind(t.0)
            .bind(poll.id)
            .bind(account)
            .bind(*choice)
            .bind(uri.clone())
            .bind(now)
            .execute(c.ex())
            .await?
            .rows_affected();
        if added == 0 {
            continue;
        }
        c.q("UPDATE poll_options SET votes_count = votes_count + 1 WHERE tenant_id = ? AND poll_id = ? AND position = ?")
            .bind(t.0)
            .bind(poll.id)
            .bind(*choice)
            .execute(c.ex())
            .await?;
        counted.push((*id, *choice));
    }
    if counted.is_empty() {
        return Ok(counted);
    }
    let new_voter = i64::from(voted_before.is_none());
    c.q("UPDATE polls SET votes_count = votes_count + ?, \
         voters_count = CASE WHEN voters_count IS NULL THEN NULL ELSE voters_count + ? END \
         WHERE tenant_id = ? AND id = ?")
        .bind(counted.len() as i64)
        .bind(new_voter)
        .bind(t.0)
        .bind(poll.id)
        .execute(c.ex())
        .await?;
    record(c, t, Change::Status(poll.status_id)).await?;
    Ok(counted)
}

/// The accounts that voted in a poll, each once.
pub async fn voters(c: &mut Conn, t: TenantId, poll: i64) -> Result<Vec<i64>> {
    Ok(
        c.qs("SELECT DISTINCT account_id FROM poll_votes WHERE tenant_id = ? AND poll_id = ? ORDER BY account_id")
            .bind(t.0)
            .bind(poll)
            .fetch_all(c.ex())
            .await?,
    )
}

/// Claims the next distribution of a local poll's tallies: true (and `due` recorded) when
/// none is pending at `now`, so votes in a burst cause one update to other servers.
pub async fn claim_distribution(c: &mut Conn, t: TenantId, poll: i64, now: i64, due: i64) -> Result<bool> {
    let r = c
        .q("UPDATE polls SET distribute_at = ? WHERE tenant_id = ? AND id = ? \
            AND (distribute_at IS NULL OR distribute_at < ?)")
        .bind(due)
        .bind(t.0)
        .bind(poll)
        .bind(now)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected() > 0)
}
