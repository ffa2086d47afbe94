//! Actors, notes, activities and collections as Mastodon serves them.

use serde::Serialize;
use serde_json::{Value, json};

/// The `@context` of actors, with the extensions Mastodon declares.
pub fn actor_context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "toot": "http://joinmastodon.org/ns#",
            "featured": {"@id": "toot:featured", "@type": "@id"},
            "featuredTags": {"@id": "toot:featuredTags", "@type": "@id"},
            "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
            "movedTo": {"@id": "as:movedTo", "@type": "@id"},
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "discoverable": "toot:discoverable",
            "suspended": "toot:suspended",
            "memorial": "toot:memorial",
            "indexable": "toot:indexable",
            "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"}
        }
    ])
}

/// The `@context` of notes and activities.
pub fn note_context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        {
            "ostatus": "http://ostatus.org#",
            "atomUri": "ostatus:atomUri",
            "inReplyToAtomUri": "ostatus:inReplyToAtomUri",
            "conversation": "ostatus:conversation",
            "sensitive": "as:sensitive",
            "toot": "http://joinmastodon.org/ns#",
            "votersCount": "toot:votersCount",
            "blurhash": "toot:blurhash",
            "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
            "Hashtag": "as:Hashtag",
            "gts": "https://gotosocial.org/ns#",
            "interactionPolicy": {"@id": "gts:interactionPolicy", "@type": "@id"},
            "canQuote": {"@id": "gts:canQuote", "@type": "@id"},
            "automaticApproval": {"@id": "gts:automaticApproval", "@type": "@id"},
            "manualApproval": {"@id": "gts:manualApproval", "@type": "@id"},
            "interactingObject": {"@id": "gts:interactingObject", "@type": "@id"},
            "interactionTarget": {"@id": "gts:interactionTarget", "@type": "@id"},
            "quote": {"@id": "https://w3id.org/fep/044f#quote", "@type": "@id"},
            "quoteUri": "http://fedibird.com/ns#quoteUri",
            "_misskey_quote": "https://misskey-hub.net/ns#_misskey_quote",
            "quoteAuthorization": {"@id": "https://w3id.org/fep/044f#quoteAuthorization", "@type": "@id"},
            "QuoteRequest": "https://w3id.org/fep/044f#QuoteRequest",
            "QuoteAuthorization": "https://w3id.org/fep/044f#QuoteAuthorization"
        }
    ])
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKey {
    pub id: String,
    pub owner: String,
    pub public_key_pem: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    pub shared_inbox: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub media_type: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PropertyValue {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: String,
    pub value: String,
}

/// A Person (an account) or an Application (the instance actor).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    #[serde(rename = "@context")]
    pub context: Value,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub following: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followers: Option<String>,
    pub inbox: String,
    pub outbox: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub featured: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub featured_tags: Option<String>,
    pub preferred_username: String,
    pub name: String,
    pub summary: String,
    pub url: String,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub published: String,
    pub memorial: bool,
    pub public_key: PublicKey,
    pub tag: Vec<Value>,
    pub attachment: Vec<PropertyValue>,
    pub endpoints: Endpoints,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<Image>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub media_type: String,
    pub url: String,
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blurhash: Option<String>,
    pub focal_point: [f64; 2],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<i64>,
    /// A video's or audio's poster, as Mastodon sends it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<Image>,
}

/// What a note's `tag` lists: mentions and hashtags, and the custom emoji its text uses.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum NoteTag {
    Link(Tag),
    Emoji(Emoji),
}

/// A custom emoji, as Mastodon writes it in a note's `tag`.
#[derive(Debug, Clone, Serialize)]
pub struct Emoji {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `:shortcode:`.
    pub name: String,
    pub updated: String,
    pub icon: Image,
}

/// A Mention or Hashtag in a note's `tag`.
#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub href: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub summary: Option<String>,
    pub in_reply_to: Option<String>,
    pub published: String,
    pub url: String,
    pub attributed_to: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub sensitive: bool,
    pub atom_uri: String,
    pub in_reply_to_atom_uri: Option<String>,
    pub content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_map: Option<serde_json::Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    pub attachment: Vec<Document>,
    pub tag: Vec<NoteTag>,
    /// A Question's options when one may be chosen (each a named note with its tally).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<PollOption>>,
    /// A Question's options when several may be chosen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub any_of: Option<Vec<PollOption>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// When a Question's poll ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voters_count: Option<i64>,
    /// The post this one quotes (FEP-044f), also under the older names other servers read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    #[serde(rename = "_misskey_quote", skip_serializing_if = "Option::is_none")]
    pub misskey_quote: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote_uri: Option<String>,
    /// The quoted author's approval of that quote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote_authorization: Option<String>,
    /// Who may quote this post: `{"canQuote": {"automaticApproval": [...], "manualApproval": [...]}}`.
    pub interaction_policy: Value,
}

/// One option of a Question, as Mastodon writes it: its tally is `replies.totalItems`.
#[derive(Debug, Clone, Serialize)]
pub struct PollOption {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: String,
    pub replies: Value,
}

impl PollOption {
    pub fn new(name: String, votes: i64) -> PollOption {
        PollOption {
            kind: "Note",
            name,
            replies: json!({"type": "Collection", "totalItems": votes}),
        }
    }
}

/// An activity wrapping an object (Create of a note) or pointing at one (Announce).
#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub actor: String,
    pub published: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub object: Value,
}

/// An OrderedCollection whose items are on pages (`first`), with its total.
pub fn collection(id: &str, total: i64, first: Option<String>) -> Value {
    let mut v = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "OrderedCollection",
        "totalItems": total,
    });
    if let Some(f) = first {
        v["first"] = json!(f);
    }
    v
}

/// One page of an OrderedCollection.
pub fn collection_page(id: &str, part_of: &str, items: Vec<Value>, next: Option<String>, prev: Option<String>) -> Value {
    let mut v = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "OrderedCollectionPage",
        "partOf": part_of,
        "orderedItems": items,
    });
    if let Some(n) = next {
        v["next"] = json!(n);
    }
    if let Some(p) = prev {
        v["prev"] = json!(p);
    }
    v
}

/// What Herd keeps of a remote actor, read tolerantly from its document (a string or an
/// object where either may come, unknown fields ignored, as Mastodon reads them).
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteActor {
    pub id: String,
    pub kind: String,
    pub preferred_username: String,
    pub name: String,
    /// Sanitised.
    pub summary_html: String,
    pub url: Option<String>,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub followers: Option<String>,
    pub key_id: String,
    pub public_key_pem: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub icon: Option<String>,
    pub image: Option<String>,
    /// Other actors this one says it also is (a moved account's new actor names the old).
    pub also_known_as: Vec<String>,
}

/// The URL in a field that may be a string, an object with `href`/`url`/`id`, or a list.
fn url_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => a.iter().find_map(url_of),
        Value::Object(o) => ["href", "url", "id"].iter().find_map(|k| o.get(*k).and_then(url_of)),
        _ => None,
    }
}

fn text(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or_default().to_string()
}

impl RemoteActor {
    /// Reads an actor document; `None` names what is missing.
    pub fn parse(v: &Value) -> Result<RemoteActor, &'static str> {
        let id = v.get("id").and_then(Value::as_str).ok_or("id")?.to_string();
        let kind = text(v, "type");
        if !matches!(kind.as_str(), "Person" | "Service" | "Application" | "Group" | "Organization") {
            return Err("type");
        }
        let preferred_username = text(v, "preferredUsername");
        if preferred_username.is_empty() || preferred_username.len() > 200 {
            return Err("preferredUsername");
        }
        let inbox = v.get("inbox").and_then(url_of).ok_or("inbox")?;
        let key = v.get("publicKey").map(|k| match k {
            Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
            other => other.clone(),
        });
        let key = key.ok_or("publicKey")?;
        let public_key_pem = text(&key, "publicKeyPem");
        let key_id = text(&key, "id");
        if public_key_pem.is_empty() || key_id.is_empty() {
            return Err("publicKey");
        }
        let summary: String = text(v, "summary").chars().take(20_000).collect();
        Ok(RemoteActor {
            name: text(v, "name").chars().take(200).collect(),
            summary_html: crate::sanitize::html(&summary),
            url: v.get("url").and_then(url_of),
            shared_inbox: v.get("endpoints").and_then(|e| e.get("sharedInbox")).and_then(url_of),
            followers: v.get("followers").and_then(url_of),
            locked: v.get("manuallyApprovesFollowers").and_then(Value::as_bool).unwrap_or(false),
            bot: matches!(kind.as_str(), "Service" | "Application"),
            discoverable: v.get("discoverable").and_then(Value::as_bool).unwrap_or(false),
            icon: v.get("icon").and_then(url_of),
            image: v.get("image").and_then(url_of),
            also_known_as: match v.get("alsoKnownAs") {
                Some(Value::Array(a)) => a.iter().filter_map(url_of).take(20).collect(),
                Some(other) => url_of(other).into_iter().collect(),
                None => Vec::new(),
            },
            id,
            kind,
            preferred_username,
            inbox,
            key_id,
            public_key_pem,
        })
    }
}
