//! Views to ActivityPub documents, addressed as Mastodon addresses them.

use herd_core::{Timestamp, Visibility};
use herd_federation::PUBLIC;
use herd_federation::objects::{
    self, Activity, Actor, Document, Emoji, Endpoints, Image, Note, NoteTag, PollOption, PropertyValue, PublicKey, Tag,
};
use herd_store::accounts::AccountRow;
use herd_store::keys::KeyRow;
use serde_json::Value;

use crate::Tenant;
use crate::views::StatusView;

/// An account's actor id: its own URI if remote, else this instance's.
pub(crate) fn actor_id(tenant: &Tenant, a: &AccountRow) -> String {
    a.uri.clone().unwrap_or_else(|| tenant.actor_uri(&a.username))
}

fn image(tenant: &Tenant, key: Option<&str>) -> Option<Image> {
    let key = key?;
    let media_type = match key.rsplit('.').next().unwrap_or("") {
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        _ => "image/png",
    };
    Some(Image {
        kind: "Image",
        media_type: media_type.into(),
        url: tenant.file_url(key),
    })
}

/// A local account as a Person.
pub fn actor(tenant: &Tenant, a: &AccountRow, key: &KeyRow) -> Actor {
    let id = actor_id(tenant, a);
    Actor {
        context: objects::actor_context(),
        following: Some(format!("{id}/following")),
        followers: Some(format!("{id}/followers")),
        inbox: format!("{id}/inbox"),
        outbox: format!("{id}/outbox"),
        featured: Some(format!("{id}/collections/featured")),
        featured_tags: Some(format!("{id}/collections/tags")),
        kind: if a.bot != 0 { "Service" } else { "Person" },
        preferred_username: a.username.clone(),
        name: a.display_name.clone(),
        summary: a.note_html.clone(),
        url: tenant.profile_url(&a.username),
        manually_approves_followers: a.locked != 0,
        discoverable: a.discoverable != 0,
        indexable: a.indexable != 0,
        published: Timestamp(Timestamp(a.created_at).day_start().0).to_rfc3339(),
        memorial: false,
        public_key: PublicKey {
            id: format!("{id}#main-key"),
            owner: id.clone(),
            public_key_pem: key.public_pem.clone(),
        },
        tag: Vec::new(),
        attachment: herd_core::content::profile_fields(&a.fields)
            .into_iter()
            .map(|(name, value)| PropertyValue {
                kind: "PropertyValue",
                name,
                value: herd_core::content::field_html(&value),
            })
            .collect(),
        endpoints: Endpoints {
            shared_inbox: format!("{}/inbox", tenant.base_url()),
        },
        icon: image(tenant, a.avatar_key.as_deref()),
        image: image(tenant, a.header_key.as_deref()),
        id,
    }
}

/// The instance's own actor (`/actor`), which signs what no account does, as Mastodon's.
pub fn instance_actor(tenant: &Tenant, key: &KeyRow) -> Actor {
    let base = tenant.base_url();
    let id = format!("{base}/actor");
    Actor {
        context: objects::actor_context(),
        following: None,
        followers: None,
        inbox: format!("{id}/inbox"),
        outbox: format!("{id}/outbox"),
        featured: None,
        featured_tags: None,
        kind: "Application",
        preferred_username: tenant.domain.as_str().to_string(),
        name: String::new(),
        summary: String::new(),
        url: format!("{base}/about/more?instance_actor=true"),
        manually_approves_followers: true,
        discoverable: false,
        indexable: false,
        published: Timestamp(tenant.row.created_at).to_rfc3339(),
        memorial: false,
        public_key: PublicKey {
            id: format!("{id}#main-key"),
            owner: id.clone(),
            public_key_pem: key.public_pem.clone(),
        },
        tag: Vec::new(),
        attachment: Vec::new(),
        endpoints: Endpoints {
            shared_inbox: format!("{base}/inbox"),
        },
        icon: None,
        image: None,
        id,
    }
}

/// `to` and `cc` for a post's visibility.
fn audience(tenant: &Tenant, v: &StatusView) -> (Vec<String>, Vec<String>) {
    let followers = format!("{}/followers", actor_id(tenant, &v.account));
    let mentioned: Vec<String> = v.mentions.iter().map(|a| actor_id(tenant, a)).collect();
    let with = |mut first: Vec<String>| {
        first.extend(mentioned.iter().cloned());
        first
    };
    match Visibility::parse(&v.row.visibility).unwrap_or(Visibility::Direct) {
        Visibility::Public => (vec![PUBLIC.into()], with(vec![followers])),
        Visibility::Unlisted => (vec![followers], with(vec![PUBLIC.into()])),
        Visibility::Private => (vec![followers], mentioned.clone()),
        Visibility::Direct => (mentioned.clone(), Vec::new()),
    }
}

/// A post's id (its `uri`).
pub(crate) fn note_id(tenant: &Tenant, v: &StatusView) -> String {
    v.row
        .uri
        .clone()
        .unwrap_or_else(|| tenant.status_uri(&v.account.username, v.row.id))
}

/// A post as a Note. `in_reply_to` is the id of the post it answers, if any.
pub fn note(tenant: &Tenant, v: &StatusView, in_reply_to: Option<String>) -> Note {
    let r = &v.row;
    let id = note_id(tenant, v);
    let (to, cc) = audience(tenant, v);
    let mut tag: Vec<Tag> = v
        .mentions
        .iter()
        .map(|a| Tag {
            kind: "Mention",
            href: actor_id(tenant, a),
            name: if a.domain.is_empty() {
                format!("@{}", a.username)
            } else {
                format!("@{}@{}", a.username, a.domain)
            },
        })
        .collect();
    tag.extend(v.tags.iter().map(|t| Tag {
        kind: "Hashtag",
        href: tenant.tag_url(t),
        name: format!("#{}", t.to_lowercase()),
    }));
    let mut tag: Vec<NoteTag> = tag.into_iter().map(NoteTag::Link).collect();
    // The instance's own emoji (a remote post is never rendered as this instance's note).
    tag.extend(v.emojis.iter().filter(|e| e.domain.is_empty()).filter_map(|e| {
        let key = e.file_key.as_deref()?;
        Some(NoteTag::Emoji(Emoji {
            id: format!("{}/emojis/{}", tenant.base_url(), e.id),
            kind: "Emoji",
            name: format!(":{}:", e.shortcode),
            updated: Timestamp(e.created_at).to_rfc3339(),
            icon: image(tenant, Some(key))?,
        }))
    }));
    let now = Timestamp::now().0;
    // A poll makes the note a Question; hidden tallies go out as zero until it ends.
    let options = v.poll.as_ref().map(|p| {
        let shown = p.row.hide_totals == 0 || crate::polls::expired(&p.row, now);
        p.options
            .iter()
            .map(|o| PollOption::new(o.title.clone(), if shown { o.votes_count } else { 0 }))
            .collect::<Vec<_>>()
    });
    let multiple = v.poll.as_ref().is_some_and(|p| p.row.multiple != 0);
    let ends = v.poll.as_ref().and_then(|p| p.row.expires_at);
    // A quote names the quoted post, and says so in the text for servers that do not show
    // quotes, as Mastodon does (`quote-inline`, which quote-aware clients hide).
    let quote = v.quote.as_ref().map(|q| q.row.quoted_uri.clone());
    let content = crate::quotes::content(v).into_owned();
    Note {
        context: None,
        kind: if v.poll.is_some() { "Question" } else { "Note" },
        one_of: options.clone().filter(|_| !multiple),
        any_of: options.filter(|_| multiple),
        end_time: ends.map(|e| Timestamp(e).to_rfc3339()),
        closed: ends.filter(|e| *e <= now).map(|e| Timestamp(e).to_rfc3339()),
        voters_count: v.poll.as_ref().and_then(|p| p.row.voters_count),
        summary: Some(r.spoiler_text.clone()).filter(|s| !s.is_empty()),
        in_reply_to_atom_uri: in_reply_to.clone(),
        in_reply_to,
        published: Timestamp(r.created_at).to_rfc3339(),
        url: tenant.status_url(&v.account.username, r.id),
        attributed_to: actor_id(tenant, &v.account),
        to,
        cc,
        sensitive: r.sensitive != 0,
        atom_uri: id.clone(),
        content_map: r.language.as_ref().map(|l| {
            let mut m = serde_json::Map::new();
            m.insert(l.clone(), Value::String(content.clone()));
            m
        }),
        content,
        updated: r.edited_at.map(|e| Timestamp(e).to_rfc3339()),
        attachment: v
            .media
            .iter()
            .filter_map(|m| {
                let meta: Value = serde_json::from_str(&m.meta).unwrap_or(Value::Null);
                Some(Document {
                    kind: "Document",
                    media_type: m.mime.clone(),
                    url: tenant.file_url(m.file_key.as_deref()?),
                    name: Some(m.description.clone()).filter(|d| !d.is_empty()),
                    blurhash: m.blurhash.clone(),
                    focal_point: [m.focus_x, m.focus_y],
                    // A video's size is the served file's (top level); an image's is `original`.
                    width: meta["width"].as_i64().or_else(|| meta["original"]["width"].as_i64()),
                    height: meta["height"].as_i64().or_else(|| meta["original"]["height"].as_i64()),
                    icon: m.thumb_key.as_deref().filter(|_| m.kind != "image").map(|k| Image {
                        kind: "Image",
                        media_type: if k.ends_with(".png") { "image/png" } else { "image/jpeg" }.into(),
                        url: tenant.file_url(k),
                    }),
                })
            })
            .collect(),
        tag,
        quote: quote.clone(),
        misskey_quote: quote.clone(),
        quote_uri: quote,
        quote_authorization: v
            .quote
            .as_ref()
            .filter(|q| q.row.state == herd_store::quotes::ACCEPTED)
            .and_then(|q| q.row.approval_uri.clone()),
        interaction_policy: interaction_policy(tenant, v),
        id,
    }
}

/// Who may quote a post, as Mastodon writes it: its author always, and the audiences of its
/// policy's automatic and manual approval.
fn interaction_policy(tenant: &Tenant, v: &StatusView) -> Value {
    use herd_store::statuses::quote_flags;
    let me = actor_id(tenant, &v.account);
    let audience = |flags: i64| -> Vec<String> {
        let mut out = Vec::new();
        if flags & quote_flags::PUBLIC != 0 {
            out.push(PUBLIC.to_string());
        }
        if flags & quote_flags::FOLLOWERS != 0 {
            out.push(format!("{me}/followers"));
        }
        if flags & quote_flags::FOLLOWING != 0 {
            out.push(format!("{me}/following"));
        }
        out
    };
    let mut automatic = audience(v.row.quote_automatic);
    if v.row.visibility != "direct" {
        automatic.insert(0, me.clone());
    }
    serde_json::json!({"canQuote": {"automaticApproval": automatic, "manualApproval": audience(v.row.quote_manual)}})
}

/// A Note as a standalone document, with its `@context`.
pub fn object_of(note: Note) -> Note {
    Note {
        context: Some(objects::note_context()),
        ..note
    }
}

/// The activity that published a post: Create of its Note, or Announce of the boosted post.
pub fn create_activity(tenant: &Tenant, v: &StatusView, note: Option<Note>, context: bool) -> Activity {
    let (to, cc) = audience(tenant, v);
    let id = note_id(tenant, v);
    let (kind, object) = match (&v.reblog, note) {
        (Some(target), _) => ("Announce", Value::String(note_id(tenant, target))),
        (None, Some(n)) => ("Create", serde_json::to_value(n).unwrap_or(Value::Null)),
        (None, None) => ("Create", Value::String(id.clone())),
    };
    Activity {
        context: context.then(objects::note_context),
        // As the client API gives a boost's `uri`.
        id: format!("{id}/activity"),
        kind,
        actor: actor_id(tenant, &v.account),
        published: Timestamp(v.row.created_at).to_rfc3339(),
        to,
        cc,
        object,
    }
}
