use herd_core::Timestamp;
use herd_store::polls::Poll as PollParts;
use serde::Serialize;

use super::time;

#[derive(Serialize, Clone)]
pub struct PollOption {
    pub title: String,
    /// `null` while the poll hides its tallies.
    pub votes_count: Option<i64>,
}

#[derive(Serialize, Clone)]
pub struct Poll {
    pub id: String,
    pub expires_at: Option<String>,
    pub expired: bool,
    pub multiple: bool,
    pub votes_count: i64,
    pub voters_count: Option<i64>,
    pub options: Vec<PollOption>,
    pub emojis: Vec<serde_json::Value>,
    /// Only for a signed-in viewer, as on Mastodon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub own_votes: Option<Vec<i64>>,
}

/// A poll for a viewer: `own_votes` is `None` without one. The author counts as having voted,
/// as on Mastodon, so apps show the results instead of the choices.
pub fn poll(p: &PollParts, viewer: Option<i64>, own_votes: Option<&[i64]>) -> Poll {
    let expired = herd_app::polls::expired(&p.row, Timestamp::now().0);
    let shown = expired || p.row.hide_totals == 0;
    Poll {
        id: p.row.id.to_string(),
        expires_at: p.row.expires_at.map(time),
        expired,
        multiple: p.row.multiple != 0,
        votes_count: p.row.votes_count,
        voters_count: p.row.voters_count,
        options: p
            .options
            .iter()
            .map(|o| PollOption {
                title: o.title.clone(),
                votes_count: shown.then_some(o.votes_count),
            })
            .collect(),
        emojis: Vec::new(),
        voted: own_votes.map(|v| !v.is_empty() || viewer == Some(p.row.account_id)),
        own_votes: own_votes.map(<[i64]>::to_vec),
    }
}
