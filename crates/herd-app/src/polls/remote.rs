//! Polls of remote posts, read from their Question objects: `oneOf` (one choice) or `anyOf`
//! (several), each option a named note whose `replies.totalItems` is its tally; `endTime` or
//! `closed` for the end; `votersCount`.

use herd_core::{Id, Timestamp};
use herd_store::polls::{self, PollRow};
use herd_store::{Conn, TenantId};
use serde_json::Value;

use crate::Result;

/// The most options kept of a remote poll, and the longest title.
const MAX_OPTIONS: usize = 20;
const MAX_TITLE: usize = 500;

/// What a Question says of its poll.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Question {
    pub multiple: bool,
    pub options: Vec<(String, i64)>,
    pub expires_at: Option<i64>,
    pub voters_count: Option<i64>,
}

/// Reads the poll of a Question; `None` for other objects and for Questions without options.
pub(crate) fn parse(object: &Value) -> Option<Question> {
    if object.get("type").and_then(Value::as_str) != Some("Question") {
        return None;
    }
    let (list, multiple) = match (object.get("anyOf"), object.get("oneOf")) {
        (Some(Value::Array(a)), _) if !a.is_empty() => (a, true),
        (_, Some(Value::Array(a))) => (a, false),
        _ => return None,
    };
    let options: Vec<(String, i64)> = list
        .iter()
        .take(MAX_OPTIONS)
        .filter_map(|o| {
            let title: String = o.get("name").and_then(Value::as_str)?.chars().take(MAX_TITLE).collect();
            let votes = o
                .get("replies")
                .and_then(|r| r.get("totalItems"))
                .and_then(Value::as_i64)
                .unwrap_or(0)
                .max(0);
            Some((title, votes))
        })
        .collect();
    if options.is_empty() {
        return None;
    }
    let time = |k: &str| {
        object
            .get(k)
            .and_then(Value::as_str)
            .and_then(Timestamp::parse_rfc3339)
            .map(|t| t.0)
    };
    Some(Question {
        multiple,
        options,
        expires_at: time("endTime").or_else(|| time("closed")),
        voters_count: object.get("votersCount").and_then(Value::as_i64).map(|v| v.max(0)),
    })
}

/// Stores the poll of a remote post just stored.
pub(crate) async fn store(c: &mut Conn, t: TenantId, status: i64, author: i64, q: &Question) -> Result<()> {
    let row = PollRow {
        id: Id::generate().0,
        tenant_id: t.0,
        status_id: status,
        account_id: author,
        multiple: i64::from(q.multiple),
        hide_totals: 0,
        expires_at: q.expires_at,
        votes_count: q.options.iter().map(|(_, v)| v).sum(),
        voters_count: q.voters_count,
        created_at: Timestamp::now().0,
    };
    polls::insert(c, t, &row, &q.options).await?;
    Ok(())
}

/// Takes a remote post's new version of its poll: its tallies, end and options (new options
/// drop the votes cast here, as their server drops them). Returns whether the options
/// changed, which makes the update an edit.
pub(crate) async fn refresh(c: &mut Conn, t: TenantId, status: i64, author: i64, q: Option<&Question>) -> Result<bool> {
    let old = polls::for_statuses(c, t, &[status]).await?.pop();
    match (old, q) {
        (None, None) => Ok(false),
        (None, Some(q)) => store(c, t, status, author, q).await.map(|_| true),
        (Some(old), None) => Ok(polls::delete(c, t, &old.row).await.map(|_| true)?),
        (Some(old), Some(q)) => {
            let titles_changed =
                old.options.len() != q.options.len() || old.options.iter().zip(&q.options).any(|(o, (title, _))| &o.title != title);
            let reset = titles_changed || (old.row.multiple != 0) != q.multiple;
            let row = PollRow {
                multiple: i64::from(q.multiple),
                expires_at: q.expires_at,
                votes_count: q.options.iter().map(|(_, v)| v).sum(),
                voters_count: q.voters_count,
                ..old.row.clone()
            };
            let same = !reset
                && row.expires_at == old.row.expires_at
                && row.voters_count == old.row.voters_count
                && old.options.iter().zip(&q.options).all(|(o, (_, v))| o.votes_count == *v);
            if !same {
                polls::replace(c, t, &row, &q.options, reset).await?;
            }
            if !reset && row.expires_at != old.row.expires_at {
                // Its end moved (it may have ended early): local voters are told at the new end.
                for voter in polls::voters(c, t, row.id).await? {
                    if herd_store::accounts::by_id(c, t, voter).await?.domain.is_empty() {
                        super::schedule_close(c, t, &row, Some(voter)).await?;
                    }
                }
            }
            Ok(reset)
        }
    }
}
