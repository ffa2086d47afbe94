use herd_app::Tenant;
use herd_core::RegistrationMode;
use herd_store::tenants::{RuleRow, Stats};
use serde::Serialize;
use serde_json::{Value, json};

use super::Account;

/// What clients read to decide which API calls exist: a Mastodon version they know, with
/// Herd named beside it.
/// The Mastodon version whose API Herd offers.
pub const VERSION_MASTODON: &str = "4.5.0";
pub const VERSION: &str = concat!("4.5.0 (compatible; Herd ", env!("CARGO_PKG_VERSION"), ")");

#[derive(Serialize, Clone)]
pub struct Rule {
    pub id: String,
    pub text: String,
    pub hint: String,
    /// The rule in other languages (Mastodon 4.4); Herd keeps one text.
    pub translations: serde_json::Map<String, Value>,
}

pub fn rule(r: &RuleRow) -> Rule {
    Rule {
        id: r.id.to_string(),
        text: r.text.clone(),
        hint: r.hint.clone(),
        translations: Default::default(),
    }
}

fn languages(t: &Tenant) -> Value {
    serde_json::from_str(&t.row.languages).unwrap_or_else(|_| json!(["en"]))
}

/// What uploads may be: images, and video and audio that ffmpeg turns into mp4 and mp3.
const MIME_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "video/mp4",
    "video/webm",
    "video/quicktime",
    "video/x-m4v",
    "audio/mpeg",
    "audio/mp3",
    "audio/ogg",
    "audio/wav",
    "audio/x-wav",
    "audio/flac",
    "audio/aac",
    "audio/mp4",
    "audio/m4a",
    "audio/x-m4a",
];

fn configuration(t: &Tenant) -> Value {
    let streaming = format!("{}://{}", if t.scheme == "https" { "wss" } else { "ws" }, t.domain);
    json!({
        "urls": {
            "streaming": streaming,
            "status": null,
            "about": format!("{}/about", t.base_url()),
            "privacy_policy": format!("{}/privacy-policy", t.base_url()),
            "terms_of_service": null
        },
        "vapid": {"public_key": ""},
        "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
        "statuses": {
            "max_characters": t.row.max_post_chars,
            "max_media_attachments": t.row.max_media_attachments,
            "characters_reserved_per_url": 23
        },
        "media_attachments": {
            "supported_mime_types": MIME_TYPES,
            "description_limit": 1500,
            "image_size_limit": t.row.max_image_bytes,
            "image_matrix_limit": t.row.max_image_pixels,
            "video_size_limit": t.row.max_video_bytes,
            "video_frame_rate_limit": 120,
            "video_matrix_limit": herd_app::media::av::MATRIX_LIMIT
        },
        "polls": {"max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2629746},
        "translation": {"enabled": false},
        // Who may read which feeds (Mastodon 4.4): everyone, signed in or not, as Herd serves them.
        "timelines_access": {
            "live_feeds": {"local": "public", "remote": "public"},
            "hashtag_feeds": {"local": "public", "remote": "public"},
            "trending_link_feeds": {"local": "public", "remote": "public"}
        },
        "limited_federation": false
    })
}

pub fn instance_v2(t: &Tenant, stats: &Stats, rules: &[RuleRow], contact: Option<Account>) -> Value {
    let mode = t.registrations();
    json!({
        "domain": t.domain.as_str(),
        "title": t.row.title,
        "version": VERSION,
        "source_url": "",
        "description": t.row.description,
        "usage": {"users": {"active_month": stats.active_month}},
        "thumbnail": {"url": format!("{}/headers/original/missing.png", t.base_url()), "blurhash": null, "versions": {}},
        "icon": [],
        "languages": languages(t),
        "configuration": configuration(t),
        "registrations": {
            "enabled": matches!(mode, RegistrationMode::Open | RegistrationMode::Approval),
            "approval_required": mode == RegistrationMode::Approval,
            "reason_required": false,
            "message": null,
            "min_age": null,
            "url": null
        },
        "api_versions": {"mastodon": 7},
        "contact": {"email": t.row.contact_email, "account": contact},
        "rules": rules.iter().map(rule).collect::<Vec<_>>()
    })
}

pub fn instance_v1(t: &Tenant, stats: &Stats, rules: &[RuleRow], contact: Option<Account>) -> Value {
    let mode = t.registrations();
    let mut config = configuration(t);
    if let Some(o) = config.as_object_mut() {
        o.remove("urls");
    }
    json!({
        "uri": t.domain.as_str(),
        "title": t.row.title,
        "short_description": t.row.description,
        "description": t.row.description,
        "email": t.row.contact_email,
        "version": VERSION,
        "urls": {"streaming_api": format!("{}://{}", if t.scheme == "https" { "wss" } else { "ws" }, t.domain)},
        "stats": {"user_count": stats.users, "status_count": stats.statuses, "domain_count": 0},
        "thumbnail": format!("{}/headers/original/missing.png", t.base_url()),
        "languages": languages(t),
        "registrations": matches!(mode, RegistrationMode::Open | RegistrationMode::Approval),
        "approval_required": mode == RegistrationMode::Approval,
        "invites_enabled": mode == RegistrationMode::Invite,
        "configuration": config,
        "contact_account": contact,
        "rules": rules.iter().map(rule).collect::<Vec<_>>()
    })
}
