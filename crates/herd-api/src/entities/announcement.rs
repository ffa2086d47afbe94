use herd_app::announcements::AnnouncementView;
use serde::Serialize;

use super::time;

#[derive(Serialize)]
pub struct Reaction {
    pub name: String,
    pub count: i64,
    /// Only for a signed-in viewer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub me: Option<bool>,
}

/// Mastodon's Announcement entity.
#[derive(Serialize)]
pub struct Announcement {
    pub id: String,
    pub content: String,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub all_day: bool,
    pub published_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read: Option<bool>,
    pub mentions: Vec<serde_json::Value>,
    pub statuses: Vec<serde_json::Value>,
    pub tags: Vec<serde_json::Value>,
    pub emojis: Vec<serde_json::Value>,
    pub reactions: Vec<Reaction>,
}

pub fn announcement(v: &AnnouncementView, signed_in: bool) -> Announcement {
    Announcement {
        id: v.row.id.to_string(),
        content: v.row.content_html.clone(),
        starts_at: v.row.starts_at.map(time),
        ends_at: v.row.ends_at.map(time),
        all_day: v.row.all_day != 0,
        published_at: time(v.row.published_at),
        updated_at: time(v.row.updated_at),
        read: signed_in.then_some(v.read),
        mentions: Vec::new(),
        statuses: Vec::new(),
        tags: Vec::new(),
        emojis: Vec::new(),
        reactions: v
            .reactions
            .iter()
            .map(|r| Reaction {
                name: r.name.clone(),
                count: r.count,
                me: signed_in.then_some(r.me),
            })
            .collect(),
    }
}
