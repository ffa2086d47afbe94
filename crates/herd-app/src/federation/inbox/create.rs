//! Create: remote posts stored, many at once. The ingest hands over every Create that arrived
//! while the last batch was written ([`crate::federation::ingest`]); a job applies one.

use std::collections::{HashMap, HashSet};

use herd_core::{Id, Timestamp};
use herd_store::accounts::{self, AccountRow};
use herd_store::relationships::{self, Edge};
use herd_store::statuses::{self, StatusRow};
use herd_store::{Conn, remote, tags};
use serde_json::Value;

use super::{id_of, local_by_uri};
use crate::federation::read::status_by_url_on;
use crate::federation::resolve::origin;
use crate::notifications::notify;
use crate::{Result, Tenant};

/// A received post and who sent it.
pub struct Post<'a> {
    pub sender: &'a AccountRow,
    /// The sender's followers collection, for reading the post's visibility.
    pub followers: Option<&'a str>,
    pub note: &'a Value,
    /// [`text_of`] the note, made before the batch's transaction (sanitising is the costly
    /// part, and inboxes do it in parallel).
    pub text: &'a Text,
    /// `Some(depth)` for a post fetched as the parent of a stored reply, `depth` replies up
    /// from the post that arrived: kept whoever follows its author.
    pub ancestor: Option<u8>,
}

/// What one kept post brings beside its row.
struct Kept<'a> {
    post: &'a Post<'a>,
    mentioned: Vec<AccountRow>,
    parent: Option<StatusRow>,
    /// The auto-moderation rule it met, if any.
    hit: Option<crate::automod::Hit>,
}

/// Stores the posts of one instance in the caller's transaction. A post is kept when someone
/// here follows its author, it mentions someone here, or it answers a post here; a post
/// whose URI is stored already, or that its sender did not write, is skipped. A reply to a
/// post not seen here is stored unlinked, and a job fetches that post and links them.
/// Returns whether jobs were written (media and parent fetches), for the caller to wake the
/// workers.
pub async fn store(c: &mut Conn, tenant: &Tenant, posts: &[Post<'_>]) -> Result<bool> {
    let t = tenant.id;
    let mut fresh: Vec<(&Post, &str)> = Vec::new();
    for p in posts {
        let Some(uri) = p.note.get("id").and_then(Value::as_str) else {
            continue;
        };
        let author = p.sender.uri.as_deref();
        if p.note.get("attributedTo").and_then(id_of) != author || origin(uri) != author.and_then(origin) {
            continue;
        }
        if !fresh.iter().any(|(_, u)| *u == uri) {
            fresh.push((p, uri));
        }
    }
    // A post stored before is skipped by the insert (URIs are unique per instance).
    let now = Timestamp::now();
    let mut followed: HashMap<i64, bool> = HashMap::new();
    let (mut rows, mut kept) = (Vec::new(), Vec::new());
    let mut queued = false;
    for (p, uri) in fresh {
        if crate::polls::is_vote(p.note) {
            queued |= crate::polls::receive_vote(c, tenant, p.sender, p.note).await?;
            continue;
        }
        let parent = match p.note.get("inReplyTo").and_then(id_of) {
            Some(url) => match status_by_url_on(c, tenant, url).await? {
                Some(id) => statuses::by_id(c, t, id).await?,
                None => None,
            },
            None => None,
        };
        let mentioned = mentions(c, tenant, p.note).await?;
        let is_followed = match followed.get(&p.sender.id) {
            Some(f) => *f,
            None => {
                let f = relationships::count_incoming(c, t, Edge::Follow, p.sender.id).await? > 0;
                followed.insert(p.sender.id, f);
                f
            }
        };
        let wanted = is_followed || mentioned.iter().any(|a| a.domain.is_empty()) || parent.is_some();
        if !(wanted || p.ancestor.is_some()) {
            continue;
        }
        // The instance's auto-moderation rules, in the batch: a rejected post is not stored,
        // a held one is stored out of sight until a moderator reviews it.
        let hit = p.text.hit.clone();
        if let Some(h) = hit.as_ref().filter(|h| h.action == crate::automod::Action::Reject) {
            crate::automod::record_hit(c, t, h, None, p.sender.id, Some(uri)).await?;
            continue;
        }
        let mut r = row(tenant, p, uri, parent.as_ref(), now);
        if hit.as_ref().is_some_and(|h| h.action == crate::automod::Action::Hide) {
            r.held_at = Some(now.0);
        }
        rows.push(r);
        kept.push(Kept {
            post: p,
            mentioned,
            parent,
            hit,
        });
    }
    let inserted: HashSet<i64> = statuses::insert_new(c, t, &rows).await?.into_iter().collect();

    let (mut tagged, mut mention_rows) = (Vec::new(), Vec::new());
    let mut posted: HashMap<i64, (i64, i64)> = HashMap::new();
    for (row, k) in rows.iter().zip(&kept).filter(|(r, _)| inserted.contains(&r.id)) {
        let (sender, note) = (k.post.sender, k.post.note);
        let list = items(note.get("attachment"));
        if !list.is_empty() {
            let max = tenant.row.max_media_attachments.clamp(0, 16) as usize;
            crate::media::remote::record(c, t, sender.id, row.id, &list, max).await?;
            queued = true;
        }
        if let Some(q) = crate::polls::remote::parse(note) {
            crate::polls::remote::store(c, t, row.id, sender.id, &q).await?;
        }
        queued |= crate::emojis::link_remote(c, t, row.id, &sender.domain, note).await?;
        queued |= crate::cards::link(c, t, row.id, &row.content_html, false).await?;
        queued |= crate::quotes::record(c, tenant, row, sender, note).await?;
        mention_rows.extend(k.mentioned.iter().map(|a| (Id::generate().0, row.id, a.id)));
        crate::conversations::record(c, t, row, sender, &k.mentioned).await?;
        for name in hashtags(note) {
            tagged.push((row.id, tags::ensure(c, t, Id::generate().0, name, now.0).await?));
        }
        if let Some(p) = &k.parent {
            statuses::bump(c, t, p.id, statuses::Counter::Replies, 1).await?;
        } else if let Some(url) = note.get("inReplyTo").and_then(id_of) {
            // It answers a post not seen here: fetched, for the thread (as Mastodon does).
            let depth = k.post.ancestor.map_or(1, |d| d.saturating_add(1));
            if depth <= crate::federation::thread::MAX_DEPTH && url.len() <= 2000 {
                let job = crate::federation::thread::FetchParent {
                    status: row.id,
                    url: url.to_string(),
                    depth,
                };
                herd_jobs::enqueue(c, t, &job).await?;
                queued = true;
            }
        }
        let entry = posted.entry(sender.id).or_insert((0, 0));
        *entry = (entry.0 + 1, entry.1.max(row.created_at));
        if let Some(h) = &k.hit {
            crate::automod::record_hit(c, t, h, Some(row.id), sender.id, row.uri.as_deref()).await?;
        }
        for m in k.mentioned.iter().filter(|a| a.domain.is_empty() && row.held_at.is_none()) {
            if !relationships::exists(c, t, Edge::Block, m.id, sender.id).await? {
                notify(c, t, m.id, sender.id, "mention", Some(row.id)).await?;
            }
        }
    }
    tags::add_to_new(c, t, &tagged, &mention_rows).await?;
    for (account, (n, at)) in posted {
        accounts::posted(c, t, account, n, at).await?;
    }
    Ok(queued)
}

/// The post's row: sanitised HTML, visibility from its addressing, an id from its publication
/// time (never later than now), so ids sort by creation.
fn row(tenant: &Tenant, p: &Post<'_>, uri: &str, parent: Option<&StatusRow>, now: Timestamp) -> StatusRow {
    let note = p.note;
    let published = note
        .get("published")
        .and_then(Value::as_str)
        .and_then(Timestamp::parse_rfc3339)
        .filter(|p| p.0 <= now.0)
        .unwrap_or(now);
    let text = p.text.clone();
    let language = note
        .get("contentMap")
        .and_then(Value::as_object)
        .and_then(|m| m.keys().next().cloned())
        .filter(|l| l.len() <= 16);
    let (quote_automatic, quote_manual) = crate::quotes::remote_flags(note, p.sender.uri.as_deref(), p.followers);
    StatusRow {
        id: Id::generate_at(published).0,
        quote_automatic,
        quote_manual,
        tenant_id: tenant.id.0,
        account_id: p.sender.id,
        uri: Some(uri.to_string()),
        in_reply_to_id: parent.map(|p| p.id),
        in_reply_to_account_id: parent.map(|p| p.account_id),
        text: String::new(),
        spoiler_text: text.spoiler_text,
        content_html: text.content_html,
        visibility: visibility(note, p.followers).to_string(),
        sensitive: text.sensitive,
        language,
        created_at: published.0,
        ..Default::default()
    }
}

/// What a post says, as stored: sanitised HTML, content warning, sensitive flag.
#[derive(Debug, Clone)]
pub struct Text {
    pub content_html: String,
    pub spoiler_text: String,
    pub sensitive: i64,
    /// The auto-moderation rule the text meets ([`Text::checked`]), found before the batch's
    /// transaction like the sanitising.
    pub hit: Option<crate::automod::Hit>,
}

impl Text {
    /// The text checked against the instance's auto-moderation rules.
    pub fn checked(mut self, rules: &crate::automod::Rules) -> Text {
        self.hit = rules.check(&self.spoiler_text, &self.content_html, false);
        self
    }
}

/// A remote post's text, within Herd's limits.
pub fn text_of(note: &Value) -> Text {
    let field = |k: &str, max: usize| -> String { note.get(k).and_then(Value::as_str).unwrap_or_default().chars().take(max).collect() };
    Text {
        content_html: herd_federation::sanitize::html(&field("content", 100_000)),
        spoiler_text: field("summary", 1000),
        sensitive: i64::from(note.get("sensitive").and_then(Value::as_bool).unwrap_or(false)),
        hit: None,
    }
}

/// The accounts a post mentions that this instance knows: its own, and remote ones it has
/// stored. Others are not fetched for a mention.
async fn mentions(c: &mut Conn, tenant: &Tenant, note: &Value) -> Result<Vec<AccountRow>> {
    let mut found: Vec<AccountRow> = Vec::new();
    for m in items(note.get("tag"))
        .into_iter()
        .filter(|x| x.get("type").and_then(Value::as_str) == Some("Mention"))
    {
        let Some(href) = m.get("href").and_then(Value::as_str) else {
            continue;
        };
        let account = match local_by_uri(c, tenant, href).await? {
            Some(local) => Some(local),
            None => match remote::account_by_uri(c, tenant.id, href).await? {
                Some(id) => Some(accounts::by_id(c, tenant.id, id).await?),
                None => None,
            },
        };
        if let Some(a) = account
            && !found.iter().any(|f| f.id == a.id)
        {
            found.push(a);
        }
    }
    Ok(found)
}

/// The well-formed hashtag names of a post, each once.
fn hashtags(note: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for h in items(note.get("tag"))
        .into_iter()
        .filter(|x| x.get("type").and_then(Value::as_str) == Some("Hashtag"))
    {
        let name = h.get("name").and_then(Value::as_str).unwrap_or_default().trim_start_matches('#');
        let valid = !name.is_empty() && name.len() <= 100 && name.chars().all(|ch| ch.is_alphanumeric() || ch == '_');
        if valid && !names.iter().any(|n| n.to_lowercase() == name.to_lowercase()) {
            names.push(name);
        }
    }
    names
}

/// The values of a property that may hold one value or a list (JSON-LD compaction writes a
/// list of one as the value alone, as Fedify does for a single tag or attachment).
fn items(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(one) => vec![one],
    }
}

/// Visibility of a remote post from its addressing, as Mastodon reads it.
fn visibility(note: &Value, followers: Option<&str>) -> &'static str {
    let list = |k: &str| -> Vec<String> {
        match note.get(k) {
            Some(Value::Array(a)) => a.iter().filter_map(id_of).map(str::to_string).collect(),
            Some(v) => id_of(v).map(|s| vec![s.to_string()]).unwrap_or_default(),
            None => Vec::new(),
        }
    };
    let public = |l: &[String]| l.iter().any(|x| x == herd_federation::PUBLIC || x == "as:Public" || x == "Public");
    let (to, cc) = (list("to"), list("cc"));
    if public(&to) {
        "public"
    } else if public(&cc) {
        "unlisted"
    } else if followers.is_some_and(|f| to.iter().chain(cc.iter()).any(|x| x == f)) {
        "private"
    } else {
        "direct"
    }
}
