//! Announcements from an instance's staff to its members: published (or changed, or deleted)
//! by the operator or an admin with an audit record, dismissed and reacted to by members.
//! Each change reaches the members' streams as an event.

mod dismiss;
mod publish;
mod react;

pub use dismiss::dismiss;
pub use publish::{NewAnnouncement, delete, publish, update};
pub use react::{MAX_REACTIONS, react};

use herd_core::Timestamp;
use herd_store::announcements::{self, AnnouncementRow, Reaction};
use herd_store::{Conn, TenantId};

use crate::Result;

/// An announcement as one member sees it.
#[derive(Debug, Clone)]
pub struct AnnouncementView {
    pub row: AnnouncementRow,
    /// Dismissed by the viewer (`false` without one).
    pub read: bool,
    pub reactions: Vec<Reaction>,
}

/// The announcements shown now, newest first, for `viewer`; `with_dismissed` keeps those the
/// viewer dismissed (the default, as on Mastodon).
pub async fn list(c: &mut Conn, t: TenantId, viewer: Option<i64>, with_dismissed: bool) -> Result<Vec<AnnouncementView>> {
    let rows = announcements::list(c, t, Timestamp::now().0, false).await?;
    let mut views = views(c, t, viewer, rows).await?;
    if !with_dismissed {
        views.retain(|v| !v.read);
    }
    Ok(views)
}

/// One announcement for `viewer`, whether shown now or not.
pub async fn get(c: &mut Conn, t: TenantId, viewer: Option<i64>, id: i64) -> Result<Option<AnnouncementView>> {
    let Some(row) = announcements::by_id(c, t, id).await? else {
        return Ok(None);
    };
    Ok(views(c, t, viewer, vec![row]).await?.pop())
}

async fn views(c: &mut Conn, t: TenantId, viewer: Option<i64>, rows: Vec<AnnouncementRow>) -> Result<Vec<AnnouncementView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let read = match viewer {
        Some(v) => announcements::read_among(c, t, v, &ids).await?,
        None => Vec::new(),
    };
    let mut reactions = announcements::reactions(c, t, viewer, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (mine, rest): (Vec<Reaction>, Vec<Reaction>) = reactions.drain(..).partition(|r| r.announcement_id == row.id);
            reactions = rest;
            AnnouncementView {
                read: read.contains(&row.id),
                reactions: mine,
                row,
            }
        })
        .collect())
}
