//! Activities local accounts send: written as delivery jobs in the transaction of the change
//! that causes them.

use herd_store::accounts::{self, AccountRow};
use herd_store::{Conn, TenantId, remote};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::deliver::{activity_id, send};
use super::render::{self, actor_id};
use crate::views::{self, StatusView};
use crate::{App, Result, Tenant};

const AS: &str = "https://www.w3.org/ns/activitystreams";

/// Whether an account lives on another server.
pub(crate) fn is_remote(a: &AccountRow) -> bool {
    !a.domain.is_empty()
}

async fn inbox_of(c: &mut Conn, t: TenantId, a: &AccountRow) -> Result<Option<String>> {
    Ok(remote::by_account(c, t, a.id).await?.map(|r| r.inbox_url))
}

/// The Follow a local account sends to ask to follow a remote one.
pub(crate) fn follow_activity(tenant: &Tenant, local: &AccountRow, target: &AccountRow) -> Value {
    let me = actor_id(tenant, local);
    json!({"@context": AS, "id": activity_id(&me), "type": "Follow", "actor": me, "object": actor_id(tenant, target)})
}

pub(crate) async fn follow(c: &mut Conn, tenant: &Tenant, local: &AccountRow, target: &AccountRow) -> Result<()> {
    if let Some(inbox) = inbox_of(c, tenant.id, target).await? {
        send(c, tenant.id, local.id, &[inbox], &follow_activity(tenant, local, target)).await?;
    }
    Ok(())
}

/// Takes back a follow (or a request for one).
pub(crate) async fn unfollow(c: &mut Conn, tenant: &Tenant, local: &AccountRow, target: &AccountRow) -> Result<()> {
    if let Some(inbox) = inbox_of(c, tenant.id, target).await? {
        let me = actor_id(tenant, local);
        let undo =
            json!({"@context": AS, "id": activity_id(&me), "type": "Undo", "actor": me, "object": follow_activity(tenant, local, target)});
        send(c, tenant.id, local.id, &[inbox], &undo).await?;
    }
    Ok(())
}

/// Answers a remote account's Follow of a local one: Accept or Reject. `follow` is the Follow
/// as received, or as rebuilt when it was approved later.
pub(crate) async fn answer_follow(
    c: &mut Conn,
    tenant: &Tenant,
    local: &AccountRow,
    follower: &AccountRow,
    follow: Option<Value>,
    accept: bool,
) -> Result<()> {
    let Some(inbox) = inbox_of(c, tenant.id, follower).await? else {
        return Ok(());
    };
    let me = actor_id(tenant, local);
    let object = follow.unwrap_or_else(
        || json!({"id": activity_id(&actor_id(tenant, follower)), "type": "Follow", "actor": actor_id(tenant, follower), "object": me}),
    );
    let kind = if accept { "Accept" } else { "Reject" };
    let answer = json!({"@context": AS, "id": activity_id(&me), "type": kind, "actor": me, "object": object});
    send(c, tenant.id, local.id, &[inbox], &answer).await
}

/// Sends a new post to the servers that should have it: its author's remote followers
/// (unless it is direct) and the remote accounts it mentions. A job, written with the post,
/// so the post's transaction stays short however many followers there are.
#[derive(Debug, Serialize, Deserialize)]
pub struct FanOut {
    pub status: i64,
    /// An edit: sent as Update of the note, not Create.
    #[serde(default)]
    pub update: bool,
    /// An Update that carries a local poll's new tallies (also to the remote voters).
    #[serde(default)]
    pub poll: bool,
}

impl herd_jobs::JobKind for FanOut {
    const KIND: &'static str = "federation.fan_out";
}

pub async fn fan_out(app: &App, t: TenantId, job: FanOut) -> Result<()> {
    let tenant = crate::tenants::by_id(app, t).await?;
    let mut c = app.db.conn().await?;
    let Some(row) = herd_store::statuses::by_id(&mut c, t, job.status).await? else {
        return Ok(());
    };
    // A post held for review goes out when a moderator releases it; a suspended account's
    // posts do not go out at all.
    if row.held_at.is_some() {
        return Ok(());
    }
    let v: StatusView = match views::status(&mut c, t, None, row).await {
        Ok(v) => v,
        Err(crate::AppError::NotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    if is_remote(&v.account) {
        return Ok(());
    }
    let mut mentioned: Vec<i64> = v.mentions.iter().filter(|a| is_remote(a)).map(|a| a.id).collect();
    if let Some(target) = &v.reblog
        && is_remote(&target.account)
    {
        mentioned.push(target.account.id);
    }
    if job.poll
        && let Some(p) = &v.poll
    {
        for voter in herd_store::polls::voters(&mut c, t, p.row.id).await? {
            mentioned.push(voter);
        }
    }
    let direct = v.row.visibility == "direct";
    let inboxes = remote::follower_inboxes(&mut c, t, v.account.id, !direct, &mentioned).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let note = match v.reblog {
        Some(_) => None,
        None => {
            let parent = super::read::parent_id(app, &tenant, &v).await?;
            Some(render::note(&tenant, &v, parent))
        }
    };
    let mut activity = serde_json::to_value(render::create_activity(&tenant, &v, note, true)).unwrap_or(Value::Null);
    if job.update {
        // New tallies are no edit: each such update gets an id of its own.
        let version = match job.poll {
            true => herd_core::Timestamp::now().0,
            false => v.row.edited_at.unwrap_or_default(),
        };
        activity["type"] = json!("Update");
        activity["id"] = json!(format!("{}#updates/{version}", render::note_id(&tenant, &v)));
    }
    drop(c);
    let mut tx = app.db.begin().await?;
    send(&mut tx, t, v.account.id, &inboxes, &activity).await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

/// Tells the servers that had a local post that it is gone (inside the deleting transaction,
/// while the post, its mentions and its author's followers can still be read).
pub(crate) async fn delete(c: &mut Conn, tenant: &Tenant, row: &herd_store::statuses::StatusRow) -> Result<()> {
    let t = tenant.id;
    let author = accounts::by_id(c, t, row.account_id).await?;
    if is_remote(&author) {
        return Ok(());
    }
    let mut mentioned = Vec::new();
    for (_, a) in herd_store::tags::mentions_for(c, t, &[row.id]).await? {
        mentioned.push(a);
    }
    let inboxes = remote::follower_inboxes(c, t, author.id, row.visibility != "direct", &mentioned).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let me = actor_id(tenant, &author);
    let uri = status_uri(c, tenant, row).await?;
    let delete = json!({
        "@context": AS, "id": format!("{uri}#delete"), "type": "Delete", "actor": me,
        "to": [herd_federation::PUBLIC],
        "object": {"id": uri, "type": "Tombstone", "atomUri": uri},
    });
    send(c, t, author.id, &inboxes, &delete).await
}

/// Sends a local account's new profile to the servers of its followers.
#[derive(Debug, Serialize, Deserialize)]
pub struct ProfileChanged {
    pub account: i64,
}

impl herd_jobs::JobKind for ProfileChanged {
    const KIND: &'static str = "federation.profile_changed";
}

pub async fn profile_changed(app: &App, t: TenantId, job: ProfileChanged) -> Result<()> {
    let tenant = crate::tenants::by_id(app, t).await?;
    let mut c = app.db.conn().await?;
    let a = accounts::by_id(&mut c, t, job.account).await?;
    if is_remote(&a) {
        return Ok(());
    }
    let inboxes = remote::follower_inboxes(&mut c, t, a.id, true, &[]).await?;
    drop(c);
    if inboxes.is_empty() {
        return Ok(());
    }
    let key = super::key(app, t, a.id).await?;
    let actor = serde_json::to_value(render::actor(&tenant, &a, &key)).unwrap_or(Value::Null);
    let me = actor_id(&tenant, &a);
    let update = json!({
        "@context": objects_context(), "id": format!("{me}#updates/{}", a.updated_at), "type": "Update", "actor": me,
        "to": [herd_federation::PUBLIC], "object": actor,
    });
    let mut tx = app.db.begin().await?;
    send(&mut tx, t, a.id, &inboxes, &update).await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

fn objects_context() -> Value {
    herd_federation::objects::actor_context()
}

/// Sends `kind` (Like, Block) or its Undo from a local account to a remote one's inbox;
/// `object` is what the activity is about.
pub(crate) async fn act(
    c: &mut Conn,
    tenant: &Tenant,
    local: &AccountRow,
    to: &AccountRow,
    kind: &str,
    object: &str,
    undo: bool,
) -> Result<()> {
    if !is_remote(to) || is_remote(local) {
        return Ok(());
    }
    let Some(inbox) = inbox_of(c, tenant.id, to).await? else {
        return Ok(());
    };
    let me = actor_id(tenant, local);
    let inner = json!({"id": format!("{me}#{}/{}", kind.to_lowercase(), short_hash(object)), "type": kind, "actor": me, "object": object});
    let activity = if undo {
        json!({"@context": AS, "id": activity_id(&me), "type": "Undo", "actor": me, "object": inner})
    } else {
        let mut a = inner;
        a["@context"] = json!(AS);
        a
    };
    send(c, tenant.id, local.id, &[inbox], &activity).await
}

/// Sends a local account's vote in a remote poll to the poll's author: one Create of a named
/// note per choice (`votes`: the vote's id and the option's title), as Mastodon sends them.
pub(crate) async fn votes(
    c: &mut Conn,
    tenant: &Tenant,
    local: &AccountRow,
    author: &AccountRow,
    poll_uri: &str,
    votes: &[(i64, String)],
) -> Result<()> {
    let Some(inbox) = inbox_of(c, tenant.id, author).await? else {
        return Ok(());
    };
    let me = actor_id(tenant, local);
    let to = actor_id(tenant, author);
    for (id, title) in votes {
        let note = json!({"id": format!("{me}#votes/{id}"), "type": "Note", "name": title, "attributedTo": me,
                          "inReplyTo": poll_uri, "to": to});
        let create = json!({"@context": AS, "id": format!("{me}#votes/{id}/activity"), "type": "Create", "actor": me,
                            "to": to, "object": note});
        send(c, tenant.id, local.id, std::slice::from_ref(&inbox), &create).await?;
    }
    Ok(())
}

/// Sends a report about a remote account to its server, from the instance actor (the
/// reporter stays unnamed, as with Mastodon): a `Flag` of the account and the posts.
pub(crate) async fn flag(
    c: &mut Conn,
    tenant: &Tenant,
    target: &AccountRow,
    objects: Vec<Value>,
    comment: &str,
    report: i64,
) -> Result<()> {
    let Some(inbox) = inbox_of(c, tenant.id, target).await? else {
        return Ok(());
    };
    let me = format!("{}/actor", tenant.base_url());
    let flag = json!({"@context": AS, "id": format!("{}/reports/{report}", tenant.base_url()), "type": "Flag",
                      "actor": me, "content": comment, "object": objects});
    send(c, tenant.id, herd_store::keys::INSTANCE_ACTOR, &[inbox], &flag).await
}

/// A short stable tag for an object, so a Like and its Undo share an id.
fn short_hash(s: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(s.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The id of a post as other servers know it.
pub(crate) async fn status_uri(c: &mut Conn, tenant: &Tenant, row: &herd_store::statuses::StatusRow) -> Result<String> {
    match &row.uri {
        Some(u) => Ok(u.clone()),
        None => {
            let author = accounts::by_id(c, tenant.id, row.account_id).await?;
            Ok(tenant.status_uri(&author.username, row.id))
        }
    }
}

/// Tells the servers of a local account's followers that the account is gone (a Delete of
/// the actor, as Mastodon sends when a suspended account's data is purged).
pub(crate) async fn actor_deleted(c: &mut Conn, tenant: &Tenant, a: &AccountRow) -> Result<()> {
    if is_remote(a) {
        return Ok(());
    }
    let inboxes = remote::follower_inboxes(c, tenant.id, a.id, true, &[]).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let me = actor_id(tenant, a);
    let delete = json!({
        "@context": AS, "id": format!("{me}#delete"), "type": "Delete", "actor": me,
        "to": [herd_federation::PUBLIC], "object": me,
    });
    send(c, tenant.id, a.id, &inboxes, &delete).await
}
