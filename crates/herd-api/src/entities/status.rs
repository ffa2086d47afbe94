use std::fmt::Write;
use std::sync::Arc;

use herd_app::Tenant;
use herd_app::cache::{Caches, Rendered};
use herd_app::views::StatusView;
use herd_store::media::MediaRow;
use herd_store::statuses::EditRow;
use serde::Serialize;

use super::{Account, account, time};

#[derive(Serialize, Clone)]
pub struct Attachment {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub url: Option<String>,
    pub preview_url: Option<String>,
    pub remote_url: Option<String>,
    pub preview_remote_url: Option<String>,
    pub text_url: Option<String>,
    pub meta: serde_json::Value,
    pub description: Option<String>,
    pub blurhash: Option<String>,
}

pub fn attachment(tenant: &Tenant, m: &MediaRow) -> Attachment {
    let mut meta: serde_json::Value = serde_json::from_str(&m.meta).unwrap_or_else(|_| serde_json::json!({}));
    if let Some(o) = meta.as_object_mut() {
        o.insert("focus".into(), serde_json::json!({"x": m.focus_x, "y": m.focus_y}));
    }
    Attachment {
        id: m.id.to_string(),
        kind: if m.state == "failed" { "unknown".into() } else { m.kind.clone() },
        // A remote attachment not (yet) fetched is shown from where it came.
        url: m.file_key.as_deref().map(|k| tenant.file_url(k)).or_else(|| m.remote_url.clone()),
        // A video or audio has a preview only when a thumbnail came with it.
        preview_url: m
            .thumb_key
            .as_deref()
            .map(|k| tenant.file_url(k))
            .or_else(|| m.remote_url.clone().filter(|_| m.kind == "image")),
        remote_url: m.remote_url.clone(),
        preview_remote_url: None,
        text_url: None,
        meta,
        description: Some(m.description.clone()).filter(|d| !d.is_empty()),
        blurhash: m.blurhash.clone(),
    }
}

#[derive(Serialize, Clone)]
pub struct Mention {
    pub id: String,
    pub username: String,
    pub url: String,
    pub acct: String,
}

#[derive(Serialize, Clone)]
pub struct Tag {
    pub name: String,
    pub url: String,
}

#[derive(Serialize, Clone)]
pub struct Status {
    pub id: String,
    pub uri: String,
    pub url: Option<String>,
    pub created_at: String,
    pub account: Account,
    pub content: String,
    pub visibility: String,
    pub sensitive: bool,
    pub spoiler_text: String,
    pub media_attachments: Vec<Attachment>,
    pub application: Option<serde_json::Value>,
    pub mentions: Vec<Mention>,
    pub tags: Vec<Tag>,
    pub emojis: Vec<super::CustomEmoji>,
    pub reblogs_count: i64,
    pub favourites_count: i64,
    pub replies_count: i64,
    /// Quote posts (Mastodon 4.5): the quoted post (a Quote, or within a quoted post a
    /// ShallowQuote), how often this one is quoted, and who may quote it.
    pub quote: Option<serde_json::Value>,
    pub quotes_count: i64,
    pub quote_approval: serde_json::Value,
    pub in_reply_to_id: Option<String>,
    pub in_reply_to_account_id: Option<String>,
    pub reblog: Option<Box<Status>>,
    pub poll: Option<super::Poll>,
    pub card: Option<super::PreviewCard>,
    pub language: Option<String>,
    /// The source text; only in the answer to a delete (for "delete and redraft").
    pub text: Option<String>,
    pub edited_at: Option<String>,
    pub favourited: bool,
    pub reblogged: bool,
    pub muted: bool,
    pub bookmarked: bool,
    pub pinned: bool,
    pub filtered: Vec<super::filter::FilterResult>,
}

fn mentions(tenant: &Tenant, v: &StatusView) -> Vec<Mention> {
    v.mentions
        .iter()
        .map(|a| Mention {
            id: a.id.to_string(),
            username: a.username.clone(),
            url: tenant.profile_url(&a.username),
            acct: if a.domain.is_empty() {
                a.username.clone()
            } else {
                format!("{}@{}", a.username, a.domain)
            },
        })
        .collect()
}

pub fn status(tenant: &Tenant, v: &StatusView) -> Status {
    let r = &v.row;
    let author = &v.account;
    Status {
        id: r.id.to_string(),
        uri: r.uri.clone().unwrap_or_else(|| match r.reblog_of_id {
            Some(_) => format!("{}/activity", tenant.status_uri(&author.username, r.id)),
            None => tenant.status_uri(&author.username, r.id),
        }),
        url: if r.reblog_of_id.is_some() {
            None
        } else {
            Some(tenant.status_url(&author.username, r.id))
        },
        created_at: time(r.created_at),
        account: account(tenant, author),
        content: herd_app::quotes::content(v).into_owned(),
        visibility: r.visibility.clone(),
        sensitive: sensitive(v),
        spoiler_text: r.spoiler_text.clone(),
        media_attachments: v.media.iter().map(|m| attachment(tenant, m)).collect(),
        application: None,
        mentions: mentions(tenant, v),
        tags: v
            .tags
            .iter()
            .map(|t| Tag {
                name: t.to_lowercase(),
                url: tenant.tag_url(t),
            })
            .collect(),
        emojis: v.emojis.iter().map(|e| super::custom_emoji(tenant, e)).collect(),
        reblogs_count: r.reblogs_count,
        favourites_count: r.favourites_count,
        replies_count: r.replies_count,
        quote: v.quote.as_deref().map(|q| quote(tenant, q)),
        quotes_count: r.quotes_count,
        quote_approval: quote_approval(v),
        in_reply_to_id: r.in_reply_to_id.map(|i| i.to_string()),
        in_reply_to_account_id: r.in_reply_to_account_id.map(|i| i.to_string()),
        reblog: v.reblog.as_ref().map(|rv| Box::new(status(tenant, rv))),
        poll: status_poll(v),
        card: v.card.as_ref().map(super::card),
        language: r.language.clone(),
        text: None,
        edited_at: r.edited_at.map(time),
        favourited: v.favourited,
        reblogged: v.reblogged,
        muted: false,
        bookmarked: v.bookmarked,
        pinned: v.pinned,
        filtered: super::filter::filter_results(&v.filtered),
    }
}

/// A post's quote as the viewer sees it: Mastodon's Quote (the quoted post itself, when the
/// viewer may see it) or, for a quote inside a quoted post, its ShallowQuote.
fn quote(tenant: &Tenant, q: &herd_app::views::QuoteView) -> serde_json::Value {
    if q.shallow {
        return serde_json::json!({
            "state": q.state,
            "quoted_status_id": q.row.quoted_status_id.filter(|_| q.state == "accepted").map(|i| i.to_string()),
        });
    }
    serde_json::json!({
        "state": q.state,
        "quoted_status": q.status.as_deref().map(|s| status(tenant, s)),
    })
}

/// Who may quote the post, and whether the viewer may.
fn quote_approval(v: &StatusView) -> serde_json::Value {
    use herd_app::quotes::flag_names;
    serde_json::json!({
        "automatic": flag_names(v.row.quote_automatic),
        "manual": flag_names(v.row.quote_manual),
        "current_user": v.quote_approval.as_str(),
    })
}

/// The post's poll for the viewer the view was loaded for.
fn status_poll(v: &StatusView) -> Option<super::Poll> {
    v.poll.as_ref().map(|p| super::poll(p, v.viewer, v.own_votes.as_deref()))
}

#[derive(Serialize)]
pub struct StatusEdit {
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub created_at: String,
    pub account: Account,
    pub poll: Option<serde_json::Value>,
    pub media_attachments: Vec<Attachment>,
    pub emojis: Vec<serde_json::Value>,
}

pub fn status_edit(tenant: &Tenant, v: &StatusView, e: &EditRow, media: &[MediaRow]) -> StatusEdit {
    let ids: Vec<i64> = serde_json::from_str(&e.media_ids).unwrap_or_default();
    // A version's poll as Mastodon shows it in the history: its option titles.
    let poll = e
        .poll_options
        .as_deref()
        .and_then(|p| serde_json::from_str::<Vec<String>>(p).ok())
        .map(|titles| serde_json::json!({"options": titles.iter().map(|t| serde_json::json!({"title": t})).collect::<Vec<_>>()}));
    StatusEdit {
        content: e.content_html.clone(),
        spoiler_text: e.spoiler_text.clone(),
        sensitive: e.sensitive != 0,
        created_at: time(e.created_at),
        account: account(tenant, &v.account),
        poll,
        media_attachments: ids
            .iter()
            .filter_map(|id| media.iter().find(|m| m.id == *id))
            .map(|m| attachment(tenant, m))
            .collect(),
        emojis: Vec::new(),
    }
}

/// Keys of the status entity written afresh for each answer: they depend on the viewer, or on
/// values rendered on their own (the author, the mentioned accounts, the boosted post).
/// Whether a post's media shows behind a warning: as its author marked it, and always
/// (but to the author) when a moderator marked the account sensitive.
fn sensitive(v: &StatusView) -> bool {
    v.row.sensitive != 0 || (v.account.sensitized_at.is_some() && v.viewer != Some(v.account.id))
}

const LIVE: [&str; 13] = [
    "account",
    "sensitive",
    "poll",
    "quote",
    "quote_approval",
    "mentions",
    "reblog",
    "favourited",
    "reblogged",
    "muted",
    "bookmarked",
    "pinned",
    "filtered",
];

/// Appends the JSON of [`status`] for `v` to `out`, reusing this node's renderings of the
/// author and of the post's fixed part (see `herd_app::cache`). `epoch` is the cache epoch
/// taken before `v` was read, so a rendering of an account that changed meanwhile is not
/// kept; the fixed part lives in the post's cached parts and goes with them.
pub fn write_status(caches: &Caches, tenant: &Tenant, v: &StatusView, epoch: u64, out: &mut String) {
    let fixed = v.fixed.get_or_init(|| {
        let shallow = StatusView { reblog: None, ..v.clone() };
        let mut value = serde_json::to_value(status(tenant, &shallow)).unwrap_or_default();
        if let Some(o) = value.as_object_mut() {
            for k in LIVE {
                o.remove(k);
            }
        }
        value.to_string().into()
    });
    let author = rendered(caches, tenant, Rendered::Account, v.account.id, epoch, || {
        serde_json::to_string(&account(tenant, &v.account)).unwrap_or_default()
    });
    // `fixed` is a whole object: its closing brace is replaced by the live keys.
    out.push_str(fixed.strip_suffix('}').unwrap_or("{"));
    if fixed.len() > 2 {
        out.push(',');
    }
    let _ = write!(out, "\"sensitive\":{},\"account\":", sensitive(v));
    out.push_str(&author);
    out.push_str(",\"mentions\":");
    out.push_str(&serde_json::to_string(&mentions(tenant, v)).unwrap_or_else(|_| "[]".into()));
    // A poll's `expired` depends on the time and `voted` on the viewer.
    out.push_str(",\"poll\":");
    match status_poll(v) {
        Some(p) => out.push_str(&serde_json::to_string(&p).unwrap_or_else(|_| "null".into())),
        None => out.push_str("null"),
    }
    // The quote's state and the viewer's approval depend on the viewer.
    out.push_str(",\"quote\":");
    match v.quote.as_deref() {
        Some(q) if !q.shallow => {
            let _ = write!(out, "{{\"state\":\"{}\",\"quoted_status\":", q.state);
            match q.status.as_deref() {
                Some(qs) => write_status(caches, tenant, qs, epoch, out),
                None => out.push_str("null"),
            }
            out.push('}');
        }
        Some(q) => out.push_str(&quote(tenant, q).to_string()),
        None => out.push_str("null"),
    }
    out.push_str(",\"quote_approval\":");
    out.push_str(&quote_approval(v).to_string());
    out.push_str(",\"reblog\":");
    match &v.reblog {
        Some(r) => write_status(caches, tenant, r, epoch, out),
        None => out.push_str("null"),
    }
    let _ = write!(
        out,
        ",\"favourited\":{},\"reblogged\":{},\"muted\":false,\"bookmarked\":{},\"pinned\":{},\"filtered\":",
        v.favourited, v.reblogged, v.bookmarked, v.pinned
    );
    if v.filtered.is_empty() {
        out.push_str("[]}");
    } else {
        out.push_str(&serde_json::to_string(&super::filter::filter_results(&v.filtered)).unwrap_or_else(|_| "[]".into()));
        out.push('}');
    }
}

fn rendered(caches: &Caches, tenant: &Tenant, kind: Rendered, id: i64, epoch: u64, render: impl FnOnce() -> String) -> Arc<str> {
    caches.rendered(kind, tenant.id, id).unwrap_or_else(|| {
        let text: Arc<str> = render().into();
        caches.keep_rendered(kind, tenant.id, id, epoch, text.clone());
        text
    })
}

#[derive(Serialize, Clone)]
pub struct Conversation {
    pub id: String,
    pub unread: bool,
    pub accounts: Vec<Account>,
    pub last_status: Option<Status>,
}

pub fn conversation(tenant: &Tenant, v: &herd_app::conversations::ConversationView) -> Conversation {
    Conversation {
        id: v.row.id.to_string(),
        unread: v.row.unread != 0,
        accounts: v.accounts.iter().map(|a| account(tenant, a)).collect(),
        last_status: v.last_status.as_ref().map(|s| status(tenant, s)),
    }
}
