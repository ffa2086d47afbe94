//! The inbox: a signed POST is checked (signature, digest, date, sender) and handed to the
//! ingest ([`crate::federation::ingest`]), which commits it together with whatever else
//! arrived meanwhile: replay check, posts of Create activities stored, every other activity
//! written as a job that applies it. The 202 goes out after that commit, so an accepted
//! activity is never lost. Activities Herd does not act on yet are accepted and dropped, as
//! servers do with what they do not understand.

pub mod create;

use std::sync::Arc;
use std::time::SystemTime;

use herd_core::{Id, Timestamp};
use herd_federation::signatures;
use herd_jobs::JobKind;
use herd_store::accounts::{self, AccountRow};
use herd_store::relationships::{self, Edge, FollowOptions};
use herd_store::remote::RemoteRow;
use herd_store::{Conn, TenantId, remote, statuses};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::ingest::{self, Arrival};
use super::outgoing;
use super::resolve;
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

pub(super) fn unauthorized(why: impl std::fmt::Display) -> AppError {
    AppError::Unauthorized(format!("Request not signed properly: {why}"))
}

/// A string, or the `id` of an object, as ActivityPub allows either.
pub(crate) fn id_of(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// Checks a POST to an inbox and has its activity committed. `path` is the request's path
/// and query.
pub async fn receive(app: &App, tenant: &Tenant, path: &str, headers: &[(String, String)], body: &[u8]) -> Result<()> {
    let pending = signatures::check("POST", path, headers, Some(body), SystemTime::now()).map_err(unauthorized)?;
    let activity: Value = serde_json::from_slice(body).map_err(|_| AppError::BadRequest("the body is not JSON".into()))?;
    let actor_uri = activity
        .get("actor")
        .and_then(id_of)
        .ok_or(AppError::BadRequest("the activity has no actor".into()))?;
    let policy = refuse_suspended(app, tenant, &[&pending.key_id, actor_uri]).await?;
    let (sender, key) = sender(app, tenant, &pending).await?;
    if sender.uri.as_deref() != Some(actor_uri) {
        return Err(unauthorized("the signer is not the activity's actor"));
    }
    ingest::submit(
        app,
        Arrival {
            tenant: tenant.clone(),
            sender,
            followers: key.followers_url.clone(),
            text: ingest::post_of(&activity).map(|note| create::text_of(note).checked(&policy.rules)),
            activity,
            seen: hex_digest(pending.signature()),
        },
    )
    .await
}

/// The remote actor that signed a GET (for instances that serve ActivityPub documents only
/// to signed requests).
pub async fn signed_get(app: &App, tenant: &Tenant, path: &str, headers: &[(String, String)]) -> Result<AccountRow> {
    let pending = signatures::check("GET", path, headers, None, SystemTime::now()).map_err(unauthorized)?;
    refuse_suspended(app, tenant, &[&pending.key_id]).await?;
    Ok(sender(app, tenant, &pending).await?.0.as_ref().clone())
}

/// Nothing is accepted from a server the instance suspends: refused before any key is
/// fetched, with a 403, which senders do not retry.
async fn refuse_suspended(app: &App, tenant: &Tenant, uris: &[&str]) -> Result<Arc<crate::federation_policy::Policy>> {
    let policy = crate::federation_policy::policy(app, tenant.id).await?;
    for uri in uris {
        if crate::federation_policy::host_of(uri).is_some_and(|h| policy.suspends(&h)) {
            return Err(AppError::Forbidden("Your server is blocked by this instance".into()));
        }
    }
    Ok(policy)
}

fn hex_digest(s: &str) -> String {
    Sha256::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The remote account whose key made the signature, and its key: known (cached on this node,
/// or stored), or fetched now; fetched again once when the known key does not verify (the
/// key may have rotated).
async fn sender(app: &App, tenant: &Tenant, pending: &signatures::Pending) -> Result<(Arc<AccountRow>, Arc<RemoteRow>)> {
    let t = tenant.id;
    if let Some(k) = known_key(app, t, &pending.key_id).await?
        && pending.verify(&k.public_key_pem)
    {
        return Ok((account(app, t, k.account_id).await?, k));
    }
    let key_url = pending.key_id.split('#').next().unwrap_or_default();
    let actor = resolve::fetch_actor(app, tenant, key_url).await.map_err(unauthorized)?;
    if actor.key_id != pending.key_id || !pending.verify(&actor.public_key_pem) {
        return Err(unauthorized("the signature does not match the actor's key"));
    }
    let domain = resolve::domain_of(&actor.id).ok_or_else(|| unauthorized("the actor has no host"))?;
    let stored = resolve::store(app, tenant, &actor, &domain).await?;
    let key = known_key(app, t, &pending.key_id)
        .await?
        .ok_or_else(|| AppError::Internal("a stored actor's key is missing".into()))?;
    Ok((Arc::new(stored), key))
}

/// The stored remote actor with this key id.
async fn known_key(app: &App, t: TenantId, key_id: &str) -> Result<Option<Arc<RemoteRow>>> {
    let caches = &app.caches;
    if let Some(owner) = caches.key_owners.get(&(t.0, key_id.to_string()))
        && let Some(r) = caches.remotes.get(&(t.0, owner))
        && r.key_id == key_id
    {
        return Ok(Some(r));
    }
    let epoch = caches.epoch();
    let mut c = app.db.conn().await?;
    let Some(row) = remote::by_key_id(&mut c, t, key_id).await? else {
        return Ok(None);
    };
    let row = Arc::new(row);
    caches.key_owners.insert((t.0, key_id.to_string()), row.account_id);
    caches.put(&caches.remotes, epoch, (t.0, row.account_id), row.clone());
    Ok(Some(row))
}

/// The account that sent an activity, from this node's cache of senders when it has it:
/// its counters may be behind (they are not what an activity is checked or stored with).
async fn account(app: &App, t: TenantId, id: i64) -> Result<Arc<AccountRow>> {
    let caches = &app.caches;
    if let Some(a) = caches.senders.get(&(t.0, id)) {
        return Ok(a);
    }
    let epoch = caches.epoch();
    let mut c = app.db.conn().await?;
    let a = Arc::new(accounts::by_id(&mut c, t, id).await?);
    caches.put(&caches.senders, epoch, (t.0, id), a.clone());
    Ok(a)
}

/// The local account an actor URI of this instance names.
async fn local(app: &App, tenant: &Tenant, uri: &str) -> Result<Option<AccountRow>> {
    let mut c = app.db.conn().await?;
    local_by_uri(&mut c, tenant, uri).await
}

/// [`local`] on the caller's connection.
pub(super) async fn local_by_uri(c: &mut Conn, tenant: &Tenant, uri: &str) -> Result<Option<AccountRow>> {
    let prefix = format!("{}/users/", tenant.base_url());
    let Some(name) = uri.strip_prefix(&prefix).filter(|n| !n.is_empty() && !n.contains(['/', '#', '?'])) else {
        return Ok(None);
    };
    Ok(accounts::by_username(c, tenant.id, name, "")
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
        kind @ ("Accept" | "Reject") => {
            let accepted = kind == "Accept";
            match crate::quotes::asked(app, &tenant, &sender, &object).await? {
                Some(q) => crate::quotes::answered(app, &tenant, q, &sender, &v, accepted).await,
                None => answered(app, &tenant, &sender, &object, accepted).await,
            }
        }
        "QuoteRequest" => crate::quotes::requested(app, &tenant, &sender, &v).await,
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

/// A remote post, from a job (the ingest stores most posts itself; see [`create`]).
async fn created(app: &App, tenant: &Tenant, sender: &AccountRow, note: &Value) -> Result<()> {
    let mut c = app.db.conn().await?;
    let followers = remote::by_account(&mut c, tenant.id, sender.id)
        .await?
        .and_then(|r| r.followers_url);
    drop(c);
    let policy = crate::federation_policy::policy(app, tenant.id).await?;
    let mut tx = app.db.begin().await?;
    let text = create::text_of(note).checked(&policy.rules);
    let post = create::Post {
        sender,
        followers: followers.as_deref(),
        note,
        text: &text,
        ancestor: None,
    };
    let queued = create::store(&mut tx, tenant, std::slice::from_ref(&post)).await?;
    tx.commit().await?;
    if queued {
        app.waker.wake();
    }
    Ok(())
}

/// A remote account asks to follow a local one.
async fn followed(app: &App, tenant: &Tenant, sender: &AccountRow, follow: &Value) -> Result<()> {
    let Some(target) = follow.get("object").and_then(id_of) else {
        return Ok(());
    };
    let Some(local) = local(app, tenant, target).await? else {
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
    } else if local.locked != 0 || sender.silenced_at.is_some() {
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
    let Some(local) = local(app, tenant, &follower_uri).await? else {
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
    let Some(local) = local(app, tenant, target).await? else {
        return Ok(());
    };
    crate::follows::unfollow(app, tenant, sender.id, local.id).await
}

/// A remote account deleted one of its posts.
async fn deleted(app: &App, tenant: &Tenant, sender: &AccountRow, object: &Value) -> Result<()> {
    let Some(uri) = id_of(object) else { return Ok(()) };
    if Some(uri) == sender.uri.as_deref() {
        // The account was deleted on its server: suspended here, as Mastodon marks it.
        if sender.suspended_at.is_none() {
            let mut tx = app.db.begin().await?;
            herd_store::moderation::restrict(
                &mut tx,
                tenant.id,
                sender.id,
                herd_store::moderation::Restriction::Suspended,
                Some(Timestamp::now().0),
                "remote",
            )
            .await?;
            tx.commit().await?;
        }
        return Ok(());
    }
    if crate::quotes::withdrawn(app, tenant, sender, object).await? {
        return Ok(());
    }
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
            let Some(local) = local(app, tenant, target).await? else {
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
            let old_poll = crate::polls::titles_json(herd_store::polls::for_statuses(&mut tx, t, &[sid]).await?.first());
            let question = crate::polls::remote::parse(object);
            let poll_edited = crate::polls::remote::refresh(&mut tx, t, sid, sender.id, question.as_ref()).await?;
            crate::emojis::link_remote(&mut tx, t, sid, &sender.domain, object).await?;
            let followers = remote::by_account(&mut tx, t, sender.id).await?.and_then(|r| r.followers_url);
            let (automatic, manual) = crate::quotes::remote_flags(object, sender.uri.as_deref(), followers.as_deref());
            if (automatic, manual) != (row.quote_automatic, row.quote_manual) {
                statuses::set_quote_policy(&mut tx, t, sid, automatic, manual).await?;
            }
            crate::quotes::refresh(&mut tx, tenant, &row, sender, object).await?;
            let text = create::text_of(object);
            if !poll_edited
                && text.content_html == row.content_html
                && text.spoiler_text == row.spoiler_text
                && text.sensitive == row.sensitive
            {
                // A poll's tallies or a field Herd does not keep changed: no new version.
                tx.commit().await?;
                app.waker.wake();
                return Ok(());
            }
            // The history holds every version, the original first, as for local edits.
            let media: Vec<i64> = herd_store::media::for_statuses(&mut tx, t, &[sid])
                .await?
                .iter()
                .map(|m| m.id)
                .collect();
            if statuses::edits(&mut tx, t, sid).await?.is_empty() {
                statuses::insert_edit(&mut tx, t, &crate::statuses::snapshot(&row, &media, old_poll, row.created_at)).await?;
            }
            (row.content_html, row.spoiler_text, row.sensitive) = (text.content_html, text.spoiler_text, text.sensitive);
            let now = Timestamp::now();
            let edited = object
                .get("updated")
                .and_then(Value::as_str)
                .and_then(Timestamp::parse_rfc3339)
                .filter(|u| u.0 <= now.0)
                .unwrap_or(now);
            row.edited_at = Some(edited.0);
            statuses::update_content(&mut tx, t, &row).await?;
            crate::cards::link(&mut tx, t, sid, &row.content_html, true).await?;
            let new_poll =
                question.map(|q| serde_json::to_string(&q.options.iter().map(|(o, _)| o).collect::<Vec<_>>()).unwrap_or_default());
            statuses::insert_edit(&mut tx, t, &crate::statuses::snapshot(&row, &media, new_poll, edited.0)).await?;
            for (_, booster) in statuses::reblogs_of(&mut tx, t, sid).await? {
                notify(&mut tx, t, booster, sender.id, "update", Some(sid)).await?;
            }
            crate::quotes::notify_quoters(&mut tx, t, sender.id, sid).await?;
            tx.commit().await?;
            app.waker.wake();
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Another server reports local accounts (and some of their posts): each reported account
/// gets a report in this instance's queue, for its moderators.
async fn flagged(app: &App, tenant: &Tenant, sender: &AccountRow, flag: &Value) -> Result<()> {
    if crate::federation_policy::policy(app, tenant.id)
        .await?
        .rejects_reports(&sender.domain)
    {
        return Ok(());
    }
    let objects: Vec<String> = match flag.get("object") {
        Some(Value::Array(a)) => a.iter().filter_map(id_of).map(str::to_string).collect(),
        Some(v) => id_of(v).map(|s| vec![s.to_string()]).unwrap_or_default(),
        None => Vec::new(),
    };
    let mut targets: Vec<AccountRow> = Vec::new();
    let mut posts: Vec<(i64, i64)> = Vec::new();
    for o in objects.iter().take(100) {
        if let Some(a) = local(app, tenant, o).await? {
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
        crate::reports::open(
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
                rule_ids: &[],
                forwarded: false,
                origin: "remote",
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
