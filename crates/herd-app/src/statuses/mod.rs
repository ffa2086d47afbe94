//! Posting and everything done to a post.

mod create;
mod delete;
mod edit;
mod mark;
mod reblog;
mod schedule;

pub use create::{NewStatus, create};
pub(crate) use delete::remove;
pub use delete::{delete, delete_as};
pub(crate) use edit::snapshot;
pub use edit::{StatusEdit, edit};
pub use mark::{mark, unmark};
pub use reblog::{reblog, unreblog};
pub use schedule::{PublishScheduled, ScheduledParams, cancel, publish, reschedule, schedule};

use herd_core::{Id, Timestamp};
use herd_store::accounts::AccountRow;
use herd_store::media::{self, MediaRow};
use herd_store::{Conn, tags};

use crate::{AppError, Result, Tenant};

/// Checks and orders the attachments named by a post: the author's own, processed, within
/// the instance's limit, attached to no other post and held for no other scheduled post
/// (`scheduled` is the scheduled post being published, if any).
pub(crate) async fn own_media(
    c: &mut Conn,
    tenant: &Tenant,
    author: i64,
    ids: &[i64],
    status: Option<i64>,
    scheduled: Option<i64>,
) -> Result<Vec<MediaRow>> {
    if ids.len() as i64 > tenant.row.max_media_attachments {
        return Err(AppError::Invalid(format!(
            "Cannot attach more than {} files",
            tenant.row.max_media_attachments
        )));
    }
    let rows = media::by_ids(c, tenant.id, ids).await?;
    let mut ordered = Vec::with_capacity(ids.len());
    for id in ids {
        let m = rows
            .iter()
            .find(|m| {
                m.id == *id
                    && m.account_id == author
                    && (m.status_id.is_none() || m.status_id == status)
                    && (m.scheduled_status_id.is_none() || m.scheduled_status_id == scheduled)
            })
            .ok_or(AppError::Invalid(
                "Validation failed: media attachment not found or already attached".into(),
            ))?;
        if m.state == "processing" {
            return Err(AppError::Invalid(
                "Cannot attach files that have not finished processing. Try again in a moment!".into(),
            ));
        }
        if m.state == "failed" {
            return Err(AppError::Invalid(
                "Validation failed: a media attachment could not be processed".into(),
            ));
        }
        ordered.push(m.clone());
    }
    // A video or audio goes alone, as on Mastodon.
    if ordered.len() > 1 && ordered.iter().any(|m| matches!(m.kind.as_str(), "video" | "gifv" | "audio")) {
        return Err(AppError::Invalid(
            "Cannot attach a video to a post that already contains images".into(),
        ));
    }
    Ok(ordered)
}

/// Stores mentions and hashtags for a post's current text; the accounts mentioned.
pub(crate) async fn link_text(c: &mut Conn, tenant: &Tenant, status: i64, mentioned: &[AccountRow], tag_names: &[String]) -> Result<()> {
    let now = Timestamp::now().0;
    let mut tag_ids = Vec::new();
    for name in tag_names {
        tag_ids.push(tags::ensure(c, tenant.id, Id::generate().0, name, now).await?);
    }
    tags::set_for_status(c, tenant.id, status, &tag_ids).await?;
    let pairs: Vec<(i64, i64)> = mentioned.iter().map(|a| (Id::generate().0, a.id)).collect();
    tags::set_mentions(c, tenant.id, status, &pairs).await?;
    Ok(())
}

/// What a member did as a team account, in the instance's audit log (in the verb's
/// transaction): who, what, which post and which team. Not shown publicly anywhere.
pub(crate) async fn team_action(tx: &mut Conn, tenant: &Tenant, made_by: Option<i64>, action: &str, team: i64, status: i64) -> Result<()> {
    let Some(member) = made_by.filter(|m| *m != team) else {
        return Ok(());
    };
    crate::audit(
        tx,
        tenant.id,
        &crate::Actor::Account(member),
        action,
        &status.to_string(),
        serde_json::json!({"team": team.to_string()}),
    )
    .await
}
