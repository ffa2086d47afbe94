//! The inbox: a signed POST is checked (signature, digest, date, replay, sender) and its
//! activity written as a durable job; the job then applies it. Activities Herd does not act
//! on yet are accepted and dropped, as servers do with what they do not understand.

use std::time::SystemTime;

use herd_core::{Id, Timestamp};
use herd_federation::signatures;
use herd_jobs::JobKind;
use herd_store::accounts::{self, AccountRow, Counter};
use herd_store::relationships::{self, Edge, FollowOptions};
use herd_store::{TenantId, remote, statuses, tags};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::outgoing;
use super::resolve::{self, origin};
use crate::notifications::notify;
use crate::{App, AppError, Result, Tenant};

/// An activity received from `sender` (a verified remote account).
#[derive(Debug, Serialize, Deserialize)]
pub struct Inbound {
    pub sender: i64,
    pub activity: String,
}

impl JobKind for Inbound {
    const KIND: &'static str = "federation.inbound";
}

fn unauthorized(why: impl std::fmt::Display) -> AppError {
    AppError::Unauthorized(format!("Request not signed properly: {why}"))
}

/// A string, or the `id` of an object, as ActivityPub allows either.
fn id_of(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// Checks a POST to an inbox and queues its activity. `path` is the request's path and query.
pub async fn receive(app: &App, tenant: &Tenant, path: &str, headers: &[(String, String)], body: &[u8]) -> Result<()> {
    let pending = signatures::check("POST", path, headers, Some(body), SystemTime::now()).map_err(unauthorized)?;
    let activity: Value = serde_json::from_slice(body).map_err(|_| AppError::BadRequest("the body is not JSON".into()))?;
    let actor_uri = activity
        .get("actor")
        .and_then(id_of)
        .ok_or(AppError::BadRequest("the activity has no actor".into()))?;
    let sender = sender(app, tenant, &pending).await?;
    if sender.uri.as_deref() != Some(actor_uri) {
        return Err(unauthorized("the signer is not the activity's actor"));
    }
    let mut tx = app.db.begin().await?;
    let seen = hex_digest(pending.signature());
    let keep_until = Timestamp::now().0 + 2 * signatures::WINDOW.as_millis() as i64;
    if !remote::first_sighting(&mut tx, tenant.id, &seen, keep_until).await? {
        return Err(unauthorized("this signature was used before"));
    }
    herd_jobs::enqueue(
        &mut tx,
        tenant.id,
        &Inbound {
            sender: sender.id,
            activity: activity.to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

/// The remote actor that signed a GET (for instances that serve ActivityPub documents only
/// to signed requests).
pub async fn signed_get(app: &App, tenant: &Tenant, path: &str, headers: &[(String, String)]) -> Result<AccountRow> {
    let pending = signatures::check("GET", path, headers, None, SystemTime::now()).map_err(unauthorized)?;
    sender(app, tenant, &pending).await
}

fn hex_digest(s: &str) -> String {
    Sha256::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The account whose key made the signature: known, or fetched now; fetched again once when
/// the stored key does not verify (the key may have rotated).
async fn sender(app: &App, tenant: &Tenant, pending: &signatures::Pending) -> Result<AccountRow> {
    let mut c = app.db.conn().await?;
    let known = remote::by_key_id(&mut c, tenant.id, &pending.key_id).await?;
    drop(c);
    if let Some(k) = &known
        && pending.verify(&k.public_key_pem)
    {
        let mut c = app.db.conn().await?;
        return Ok(accounts::by_id(&mut c, tenant.id, k.account_id).await?);
    }
    let key_url = pending.key_id.split('#').next().unwrap_or_default();
    let actor = resolve::fetch_actor(app, tenant, key_url).await.map_err(unauthorized)?;
    if actor.key_id != pending.key_id || !pending.verify(&actor.public_key_pem) {
        return Err(unauthorized("the signature does not match the actor's key"));
    }
    let domain = resolve::domain_of(&actor.id).ok_or_else(|| unauthorized("the actor has no host"))?;
    resolve::store(app, tenant, &actor, &domain).await
}

/// The local account an actor URI of this instance names.
async fn local_by_uri(app: &App, tenant: &Tenant, uri: &str) -> Result<Option<AccountRow>> {
    let prefix = format!("{}/users/", tenant.base_url());
    let Some(name) = uri.strip_prefix(&prefix).filter(|n| !n.is_empty() && !n.contains(['/', '#', '?'])) else {
        return Ok(None);
    };
    let mut c = app.db.conn().await?;
    Ok(accounts::by_username(&mut c, tenant.id, name, "")
        .await?
        .filter(|a| a.suspended_at.is_none()))
}

/// Applies one received activity.
pub async fn process(app: &App, t: TenantId, job: Inbound) -> Result<()> {
    let tenant = crate::tenants::by_id(app, t).await?;
    let v: Value = serde_json::from_str(&job.activity).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut c = app.db.conn().await?;
    let sender = accounts::by_id(&mut c, t, job.sender).await?;
    drop(c);
    let object = v.get("object").cloned().unwrap_or(Value::Null);
    match v.get("type").and_then(Value::as_str).unwrap_or("") {
        "Follow" => followed(app, &tenant, &sender, &v).await,
        "Accept" => answered(app, &tenant, &sender, &object, true).await,
        "Reject" => answered(app, &tenant, &sender, &object, false).await,
        "Undo" => match object.get("type").and_then(Value::as_str) {
            Some("Follow") => unfollowed(app, &tenant, &sender, &object).await,
            Some(kind @ ("Like" | "Announce" | "Block")) => {
                let inner = object.get("object").cloned().unwrap_or(Value::Null);
                acted(app, &tenant, &sender, kind, &inner, true).await
            }
            _ => Ok(()),
        },
        kind @ ("Like" | "Announce" | "Block") => acted(app, &tenant, &sender, kind, &object, false).await,
        "Update" => updated(app, &tenant, &sender, &object).await,
        "Flag" => flagged(app, &tenant, &sender, &v).await,
        "Move" => moved(app, &tenant, &sender, &v).await,
        "Create" => match object.get("type").and_then(Value::as_str) {
            Some("Note" | "Article" | "Question") => created(app, &tenant, &sender, &object).await,
            _ => Ok(()),
        },
        "Delete" => deleted(app, &tenant, &sender, &object).await,
        other => {
            tracing::debug!(kind = other, "inbox: activity not acted on");
            Ok(())
        }
    }
}

/// A remote account asks to follow a local one.
async fn followed(app: &App, tenant: &Tenant, sender: &AccountRow, follow: &Value) -> Result<()> {
    let Some(target) = follow.get("object").and_then(id_of) else {
        return Ok(());
    };
    let Some(local) = local_by_uri(app, tenant, target).await? else {
        return Ok(());
    };
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    let now = Timestamp::now().0;
    let opts = FollowOptions {
        show_reblogs: true,
        notify: false,
    };
    let blocked = relationships::exists(&mut tx, t, Edge::Block, local.id, sender.id).await?;
    if blocked {
        outgoing::answer_follow(&mut tx, tenant, &local, sender, Some(follow.clone()), false).await?;
    } else if relationships::exists(&mut tx, t, Edge::Follow, sender.id, local.id).await? {
        // Already following (the other server lost track): confirm again.
        outgoing::answer_follow(&mut tx, tenant, &local, sender, Some(follow.clone()), true).await?;
    } else if local.locked != 0 {
        if relationships::add(&mut tx, t, Edge::FollowRequest, sender.id, local.id, Some(opts), now).await? {
            notify(&mut tx, t, local.id, sender.id, "follow_request", None).await?;
        }
    } else {
        relationships::add(&mut tx, t, Edge::Follow, sender.id, local.id, Some(opts), now).await?;
        crate::follows::bump_counts(&mut tx, t, sender.id, local.id, 1).await?;
        notify(&mut tx, t, local.id, sender.id, "follow", None).await?;
        outgoing::answer_follow(&mut tx, tenant, &local, sender, Some(follow.clone()), true).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

/// A remote account accepted (or rejected) a local account's Follow.
async fn answered(app: &App, tenant: &Tenant, sender: &AccountRow, follow: &Value, accepted: bool) -> Result<()> {
    // The Follow is embedded (Mastodon) or named by its id, which Herd makes under the actor's URI.
    let follower_uri = follow
        .get("actor")
        .and_then(id_of)
        .map(str::to_string)
        .or_else(|| id_of(follow).and_then(|id| id.split('#').next()).map(str::to_string));
    let Some(follower_uri) = follower_uri else { return Ok(()) };
    let Some(local) = local_by_uri(app, tenant, &follower_uri).await? else {
        return Ok(());
    };
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    if accepted {
        crate::follows::accept(&mut tx, t, sender.id, local.id).await?;
    } else {
        relationships::remove(&mut tx, t, Edge::FollowRequest, local.id, sender.id).await?;
        if relationships::remove(&mut tx, t, Edge::Follow, local.id, sender.id).await? {
            crate::follows::bump_counts(&mut tx, t, local.id, sender.id, -1).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// A remote account stopped following a local one (or withdrew its request): the same verb
/// as a local unfollow (nothing is sent, the target being local).
async fn unfollowed(app: &App, tenant: &Tenant, sender: &AccountRow, follow: &Value) -> Result<()> {
    let Some(target) = follow.get("object").and_then(id_of) else {
        return Ok(());
    };
    let Some(local) = local_by_uri(app, tenant, target).await? else {
        return Ok(());
    };
    crate::follows::unfollow(app, tenant, sender.id, local.id).await
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

/// A remote post, kept when someone here follows its author, it mentions someone here, or it
/// answers a post here.
async fn created(app: &App, tenant: &Tenant, sender: &AccountRow, note: &Value) -> Result<()> {
    let t = tenant.id;
    let Some(uri) = note.get("id").and_then(Value::as_str) else {
        return Ok(());
    };
    if note.get("attributedTo").and_then(id_of) != sender.uri.as_deref() || origin(uri) != sender.uri.as_deref().and_then(origin) {
        return Ok(());
    }
    let mut c = app.db.conn().await?;
    if statuses::id_by_uri(&mut c, t, uri).await?.is_some() {
        return Ok(());
    }
    let parent = match note.get("inReplyTo").and_then(id_of) {
        Some(p) => match super::read::status_by_url(app, tenant, p).await? {
            Some(id) => statuses::by_id(&mut c, t, id).await?,
            None => None,
        },
        None => None,
    };
    let mut mentioned: Vec<AccountRow> = Vec::new();
    if let Some(Value::Array(tag)) = note.get("tag") {
        for m in tag.iter().filter(|x| x.get("type").and_then(Value::as_str) == Some("Mention")) {
            if let Some(href) = m.get("href").and_then(Value::as_str) {
                if let Some(local) = local_by_uri(app, tenant, href).await? {
                    mentioned.push(local);
                } else if let Some(id) = remote::account_by_uri(&mut c, t, href).await? {
                    mentioned.push(accounts::by_id(&mut c, t, id).await?);
                }
            }
        }
    }
    let followed = relationships::count_incoming(&mut c, t, Edge::Follow, sender.id).await? > 0;
    let local_mentions = mentioned.iter().any(|a| a.domain.is_empty());
    if !(followed || local_mentions || parent.is_some()) {
        return Ok(());
    }
    let followers = remote::by_account(&mut c, t, sender.id).await?.and_then(|r| r.followers_url);
    drop(c);

    let now = Timestamp::now();
    let published = note
        .get("published")
        .and_then(Value::as_str)
        .and_then(Timestamp::parse_rfc3339)
        .filter(|p| p.0 <= now.0)
        .unwrap_or(now);
    let content = note.get("content").and_then(Value::as_str).unwrap_or_default();
    let language = note
        .get("contentMap")
        .and_then(Value::as_object)
        .and_then(|m| m.keys().next().cloned())
        .filter(|l| l.len() <= 16);
    let id = Id::generate_at(published).0;
    let row = statuses::StatusRow {
        id,
        tenant_id: t.0,
        account_id: sender.id,
        uri: Some(uri.to_string()),
        in_reply_to_id: parent.as_ref().map(|p| p.id),
        in_reply_to_account_id: parent.as_ref().map(|p| p.account_id),
        text: String::new(),
        spoiler_text: note
            .get("summary")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .chars()
            .take(1000)
            .collect(),
        content_html: herd_federation::sanitize::html(&content.chars().take(100_000).collect::<String>()),
        visibility: visibility(note, followers.as_deref()).to_string(),
        sensitive: i64::from(note.get("sensitive").and_then(Value::as_bool).unwrap_or(false)),
        language,
        created_at: published.0,
        ..Default::default()
    };
    let mut tx = app.db.begin().await?;
    match statuses::insert(&mut tx, t, &row).await {
        Err(herd_store::StoreError::Conflict) => return Ok(()),
        r => r?,
    }
    if let Some(Value::Array(list)) = note.get("attachment") {
        let max = tenant.row.max_media_attachments.clamp(0, 16) as usize;
        crate::media::remote::record(&mut tx, t, sender.id, id, list, max).await?;
    }
    let mention_rows: Vec<(i64, i64)> = mentioned.iter().map(|a| (Id::generate().0, a.id)).collect();
    tags::set_mentions(&mut tx, t, id, &mention_rows).await?;
    if let Some(Value::Array(tag)) = note.get("tag") {
        let mut tag_ids = Vec::new();
        for h in tag.iter().filter(|x| x.get("type").and_then(Value::as_str) == Some("Hashtag")) {
            let name = h.get("name").and_then(Value::as_str).unwrap_or_default().trim_start_matches('#');
            if !name.is_empty() && name.len() <= 100 && name.chars().all(|ch| ch.is_alphanumeric() || ch == '_') {
                tag_ids.push(tags::ensure(&mut tx, t, Id::generate().0, name, now.0).await?);
            }
        }
        tags::set_for_status(&mut tx, t, id, &tag_ids).await?;
    }
    if let Some(p) = &parent {
        statuses::bump(&mut tx, t, p.id, statuses::Counter::Replies, 1).await?;
    }
    accounts::bump(&mut tx, t, sender.id, Counter::Statuses, 1).await?;
    accounts::touch_last_status(&mut tx, t, sender.id, published.0).await?;
    for m in mentioned.iter().filter(|a| a.domain.is_empty()) {
        if !relationships::exists(&mut tx, t, Edge::Block, m.id, sender.id).await? {
            notify(&mut tx, t, m.id, sender.id, "mention", Some(id)).await?;
        }
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

/// A remote account deleted one of its posts.
async fn deleted(app: &App, tenant: &Tenant, sender: &AccountRow, object: &Value) -> Result<()> {
    let Some(uri) = id_of(object) else { return Ok(()) };
    let t = tenant.id;
    let mut c = app.db.conn().await?;
    let Some(id) = statuses::id_by_uri(&mut c, t, uri).await? else {
        return Ok(());
    };
    let Some(row) = statuses::by_id(&mut c, t, id).await? else {
        return Ok(());
    };
    drop(c);
    if row.account_id != sender.id {
        return Ok(());
    }
    crate::statuses::delete(app, tenant, sender.id, id).await
}

/// Like, Announce and Block (or their Undo) by a remote account: applied through the same
/// verbs local accounts use, so counts, notifications and visibility rules are the same.
async fn acted(app: &App, tenant: &Tenant, sender: &AccountRow, kind: &str, object: &Value, undo: bool) -> Result<()> {
    let Some(target) = id_of(object) else { return Ok(()) };
    let outcome = match kind {
        "Block" => {
            let Some(local) = local_by_uri(app, tenant, target).await? else {
                return Ok(());
            };
            if undo {
                crate::follows::unblock(app, tenant, sender.id, local.id).await
            } else {
                crate::follows::block(app, tenant, sender.id, local.id).await
            }
        }
        _ => {
            let Some(status) = super::read::status_by_url(app, tenant, target).await? else {
                return Ok(());
            };
            let fav = herd_store::interactions::Mark::Favourite;
            match (kind, undo) {
                ("Like", false) => crate::statuses::mark(app, tenant, sender.id, fav, status).await,
                ("Like", true) => crate::statuses::unmark(app, tenant, sender.id, fav, status).await,
                (_, false) => crate::statuses::reblog(app, tenant, sender.id, status, None).await.map(|_| ()),
                (_, true) => crate::statuses::unreblog(app, tenant, sender.id, status).await.map(|_| ()),
            }
        }
    };
    match outcome {
        // The post is gone or not visible to the sender: nothing to do, as on Mastodon.
        Err(AppError::NotFound(_) | AppError::Forbidden(_) | AppError::Invalid(_)) => Ok(()),
        other => other,
    }
}

/// A remote account changed a post of its own or its profile.
async fn updated(app: &App, tenant: &Tenant, sender: &AccountRow, object: &Value) -> Result<()> {
    let Some(id) = object.get("id").and_then(Value::as_str) else {
        return Ok(());
    };
    match object.get("type").and_then(Value::as_str) {
        Some("Person" | "Service" | "Application" | "Group" | "Organization") if Some(id) == sender.uri.as_deref() => {
            let Ok(actor) = herd_federation::objects::RemoteActor::parse(object) else {
                return Ok(());
            };
            resolve::store(app, tenant, &actor, &sender.domain).await.map(|_| ())
        }
        Some("Note" | "Article" | "Question") => {
            let t = tenant.id;
            let mut tx = app.db.begin().await?;
            let Some(sid) = statuses::id_by_uri(&mut tx, t, id).await? else {
                return Ok(());
            };
            let Some(mut row) = statuses::by_id(&mut tx, t, sid).await? else {
                return Ok(());
            };
            if row.account_id != sender.id {
                return Ok(());
            }
            let content = object.get("content").and_then(Value::as_str).unwrap_or_default();
            row.content_html = herd_federation::sanitize::html(&content.chars().take(100_000).collect::<String>());
            row.spoiler_text = object
                .get("summary")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .chars()
                .take(1000)
                .collect();
            row.sensitive = i64::from(object.get("sensitive").and_then(Value::as_bool).unwrap_or(false));
            let now = Timestamp::now();
            let edited = object
                .get("updated")
                .and_then(Value::as_str)
                .and_then(Timestamp::parse_rfc3339)
                .filter(|u| u.0 <= now.0)
                .unwrap_or(now);
            row.edited_at = Some(edited.0);
            statuses::update_content(&mut tx, t, &row).await?;
            tx.commit().await?;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Another server reports local accounts (and some of their posts): each reported account
/// gets a report in this instance's queue, for its moderators.
async fn flagged(app: &App, tenant: &Tenant, sender: &AccountRow, flag: &Value) -> Result<()> {
    let objects: Vec<String> = match flag.get("object") {
        Some(Value::Array(a)) => a.iter().filter_map(id_of).map(str::to_string).collect(),
        Some(v) => id_of(v).map(|s| vec![s.to_string()]).unwrap_or_default(),
        None => Vec::new(),
    };
    let mut targets: Vec<AccountRow> = Vec::new();
    let mut posts: Vec<(i64, i64)> = Vec::new();
    for o in objects.iter().take(100) {
        if let Some(a) = local_by_uri(app, tenant, o).await? {
            if !targets.iter().any(|x| x.id == a.id) {
                targets.push(a);
            }
        } else if let Some(id) = super::read::status_by_url(app, tenant, o).await? {
            let mut c = app.db.conn().await?;
            if let Some(row) = statuses::by_id(&mut c, tenant.id, id).await? {
                posts.push((row.account_id, id));
            }
        }
    }
    let comment: String = flag
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .chars()
        .take(5000)
        .collect();
    let mut tx = app.db.begin().await?;
    for target in &targets {
        let ids: Vec<i64> = posts.iter().filter(|(a, _)| *a == target.id).map(|(_, s)| *s).collect();
        herd_store::reports::insert(
            &mut tx,
            tenant.id,
            herd_store::reports::NewReport {
                id: Id::generate().0,
                reporter: sender.id,
                target: target.id,
                status_ids: &ids,
                comment: &comment,
                category: "other",
                uri: flag.get("id").and_then(Value::as_str),
                now: Timestamp::now().0,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A remote account moved to another: its local followers follow the new account instead,
/// as on Mastodon, once the new actor confirms it is also the old one (`alsoKnownAs`).
async fn moved(app: &App, tenant: &Tenant, sender: &AccountRow, activity: &Value) -> Result<()> {
    if activity.get("object").and_then(id_of) != sender.uri.as_deref() {
        return Ok(());
    }
    let Some(target_uri) = activity.get("target").and_then(id_of) else {
        return Ok(());
    };
    let new = match resolve::fetch_actor(app, tenant, target_uri).await {
        Ok(a) => a,
        Err(why) => {
            tracing::info!(%why, "a Move's target could not be read");
            return Ok(());
        }
    };
    if new.id != target_uri || !new.also_known_as.iter().any(|a| Some(a.as_str()) == sender.uri.as_deref()) {
        tracing::info!(target = %target_uri, "a Move's target does not name the old account; ignored");
        return Ok(());
    }
    let Some(domain) = resolve::domain_of(&new.id) else { return Ok(()) };
    let new_account = resolve::store(app, tenant, &new, &domain).await?;
    let followers: Vec<i64> = {
        let mut c = app.db.conn().await?;
        herd_store::relationships::followers_ids(&mut c, tenant.id, sender.id).await?
    };
    for f in followers {
        let mut c = app.db.conn().await?;
        let follower = accounts::by_id(&mut c, tenant.id, f).await?;
        drop(c);
        if !follower.domain.is_empty() {
            continue;
        }
        let opts = FollowOptions {
            show_reblogs: true,
            notify: false,
        };
        // Already following the new account, or blocked by it: only the old follow goes.
        let _ = crate::follows::follow(app, tenant, f, new_account.id, opts).await;
        crate::follows::unfollow(app, tenant, f, sender.id).await?;
    }
    Ok(())
}
