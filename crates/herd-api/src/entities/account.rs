use herd_app::Tenant;
use herd_app::views::Relationship as RelView;
use herd_core::content::escape;
use herd_store::accounts::AccountRow;
use herd_store::users::UserRow;
use serde::Serialize;

use super::{file_or, time};

#[derive(Serialize, Clone)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub verified_at: Option<String>,
}

#[derive(Serialize, Clone)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub acct: String,
    pub display_name: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub group: bool,
    pub created_at: String,
    pub note: String,
    pub url: String,
    pub uri: String,
    pub avatar: String,
    pub avatar_static: String,
    /// Alt texts of the pictures (Mastodon 4.6); Herd keeps none yet.
    pub avatar_description: String,
    pub header_description: String,
    pub header: String,
    pub header_static: String,
    /// What the profile shows (Mastodon 4.6): media and replies with media, featured items.
    pub show_media: bool,
    pub show_media_replies: bool,
    pub show_featured: bool,
    /// Who may feature the account in collections (Mastodon 4.6); Herd has no collections.
    pub feature_approval: serde_json::Value,
    pub followers_count: i64,
    pub following_count: i64,
    pub statuses_count: i64,
    pub last_status_at: Option<String>,
    pub hide_collections: bool,
    pub noindex: bool,
    pub emojis: Vec<serde_json::Value>,
    pub roles: Vec<serde_json::Value>,
    pub fields: Vec<Field>,
}

pub fn account(tenant: &Tenant, a: &AccountRow) -> Account {
    let local = a.domain.is_empty();
    let acct = if local {
        a.username.clone()
    } else {
        format!("{}@{}", a.username, a.domain)
    };
    let avatar = file_or(tenant, a.avatar_key.as_deref(), "/avatars/original/missing.png");
    let header = file_or(tenant, a.header_key.as_deref(), "/headers/original/missing.png");
    Account {
        id: a.id.to_string(),
        username: a.username.clone(),
        acct,
        display_name: a.display_name.clone(),
        locked: a.locked != 0,
        bot: a.bot != 0,
        discoverable: a.discoverable != 0,
        indexable: a.indexable != 0,
        group: false,
        created_at: time(herd_core::Timestamp(a.created_at).day_start().0),
        note: a.note_html.clone(),
        url: a.url.clone().unwrap_or_else(|| tenant.profile_url(&a.username)),
        uri: a.uri.clone().unwrap_or_else(|| tenant.actor_uri(&a.username)),
        avatar_static: avatar.clone(),
        avatar,
        header_static: header.clone(),
        header,
        avatar_description: String::new(),
        header_description: String::new(),
        show_media: true,
        show_media_replies: true,
        show_featured: true,
        feature_approval: serde_json::json!({"automatic": [], "manual": [], "current_user": "denied"}),
        followers_count: a.followers_count,
        following_count: a.following_count,
        statuses_count: a.statuses_count,
        last_status_at: a.last_status_at.map(|t| herd_core::Timestamp(t).to_date()),
        hide_collections: false,
        noindex: false,
        emojis: Vec::new(),
        roles: Vec::new(),
        fields: fields(a),
    }
}

/// Profile fields as HTML, with when each link was verified (`rel="me"`).
pub(crate) fn fields(a: &AccountRow) -> Vec<Field> {
    let verified: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&a.verified_links).unwrap_or_default();
    herd_core::content::profile_fields(&a.fields)
        .into_iter()
        .map(|(name, value)| Field {
            name: escape(&name),
            verified_at: verified.get(value.trim()).and_then(serde_json::Value::as_i64).map(time),
            value: herd_core::content::field_html(&value),
        })
        .collect()
}

#[derive(Serialize)]
pub struct Source {
    pub privacy: String,
    pub sensitive: bool,
    pub language: String,
    pub note: String,
    pub fields: Vec<Field>,
    pub follow_requests_count: i64,
    pub hide_collections: bool,
    pub discoverable: bool,
    pub indexable: bool,
    /// Sites allowed to credit the account as author (Mastodon 4.4); none set here.
    pub attribution_domains: Vec<String>,
    /// Who may quote new posts by default (Mastodon 4.5).
    pub quote_policy: String,
}

#[derive(Serialize)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub permissions: String,
    pub color: String,
    pub highlighted: bool,
}

/// Mastodon's Role entity for one of Herd's fixed roles (ids as Mastodon's seeds number them;
/// members have the "everyone" role, -99).
pub fn role_entity(role: herd_core::Role) -> Role {
    Role {
        id: match role {
            herd_core::Role::Member => "-99".into(),
            herd_core::Role::Moderator => "1".into(),
            herd_core::Role::Admin => "2".into(),
            herd_core::Role::Owner => "3".into(),
        },
        name: if role == herd_core::Role::Member {
            String::new()
        } else {
            role.as_str().to_string()
        },
        permissions: role.permission_bits().to_string(),
        color: String::new(),
        highlighted: role.is_staff(),
    }
}

#[derive(Serialize)]
pub struct CredentialAccount {
    #[serde(flatten)]
    pub account: Account,
    pub source: Source,
    pub role: Role,
}

/// The signed-in user's own account, with the plain-text source of their profile.
pub fn credential_account(tenant: &Tenant, a: &AccountRow, user: &UserRow, follow_requests: i64) -> CredentialAccount {
    let role = herd_core::Role::parse(&user.role).unwrap_or(herd_core::Role::Member);
    CredentialAccount {
        account: account(tenant, a),
        source: Source {
            privacy: user.default_visibility.clone(),
            sensitive: user.default_sensitive != 0,
            language: user.default_language.clone().unwrap_or_else(|| user.locale.clone()),
            note: a.note.clone(),
            fields: herd_core::content::profile_fields(&a.fields)
                .into_iter()
                .map(|(name, value)| Field {
                    name,
                    value,
                    verified_at: None,
                })
                .collect(),
            follow_requests_count: follow_requests,
            hide_collections: false,
            discoverable: a.discoverable != 0,
            indexable: a.indexable != 0,
            attribution_domains: Vec::new(),
            quote_policy: user.default_quote_policy.clone(),
        },
        role: role_entity(role),
    }
}

#[derive(Serialize)]
pub struct Relationship {
    pub id: String,
    pub following: bool,
    pub showing_reblogs: bool,
    pub notifying: bool,
    pub languages: Option<Vec<String>>,
    pub followed_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
    /// When a timed mute ends (Mastodon 4.6), null for none or one without end.
    pub muting_expires_at: Option<String>,
    pub requested: bool,
    pub requested_by: bool,
    pub domain_blocking: bool,
    pub endorsed: bool,
    pub note: String,
}

pub fn relationship(r: &RelView) -> Relationship {
    Relationship {
        id: r.id.to_string(),
        following: r.following,
        showing_reblogs: r.showing_reblogs,
        notifying: r.notifying,
        languages: None,
        followed_by: r.followed_by,
        blocking: r.blocking,
        blocked_by: r.blocked_by,
        muting: r.muting,
        muting_notifications: r.muting_notifications,
        muting_expires_at: r.muting_expires_at.map(time),
        requested: r.requested,
        requested_by: r.requested_by,
        domain_blocking: r.domain_blocking,
        endorsed: r.endorsed,
        note: r.note.clone(),
    }
}
