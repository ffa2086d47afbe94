use herd_app::Tenant;
use herd_app::statuses::ScheduledParams;
use herd_store::media::MediaRow;
use herd_store::scheduled::ScheduledRow;
use serde::Serialize;
use serde_json::{Value, json};

use super::{Attachment, attachment, time};

/// Mastodon's ScheduledStatus: the post's parameters as the client gave them.
#[derive(Serialize)]
pub struct ScheduledStatus {
    pub id: String,
    pub scheduled_at: String,
    pub params: Value,
    pub media_attachments: Vec<Attachment>,
}

pub fn scheduled_status(tenant: &Tenant, row: &ScheduledRow, p: &ScheduledParams, media: &[MediaRow]) -> ScheduledStatus {
    let poll = p.poll.as_ref().map(|poll| {
        json!({"options": poll.options, "expires_in": poll.expires_in.to_string(),
               "multiple": poll.multiple, "hide_totals": poll.hide_totals})
    });
    ScheduledStatus {
        id: row.id.to_string(),
        scheduled_at: time(row.scheduled_at),
        params: json!({
            "text": p.text,
            "poll": poll,
            "media_ids": p.media_ids.iter().map(i64::to_string).collect::<Vec<_>>(),
            "sensitive": p.sensitive,
            "spoiler_text": p.spoiler_text,
            "visibility": p.visibility,
            "in_reply_to_id": p.in_reply_to_id.map(|i| i.to_string()),
            "language": p.language,
            "application_id": p.application_id,
            "scheduled_at": null,
            "idempotency": p.idempotency,
            "with_rate_limit": false,
        }),
        media_attachments: p
            .media_ids
            .iter()
            .filter_map(|id| media.iter().find(|m| m.id == *id))
            .map(|m| attachment(tenant, m))
            .collect(),
    }
}
