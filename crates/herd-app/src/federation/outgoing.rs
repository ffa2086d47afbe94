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
    let v: StatusView = views::status(&mut c, t, None, row).await?;
    if is_remote(&v.account) {
        return Ok(());
    }
    let mentioned: Vec<i64> = v.mentions.iter().filter(|a| is_remote(a)).map(|a| a.id).collect();
    let direct = v.row.visibility == "direct";
    let inboxes = remote::follower_inboxes(&mut c, t, v.account.id, !direct, &mentioned).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let note = match v.reblog {
        Some(_) => None,
        None => {
            let parent = match v.row.in_reply_to_id {
                Some(p) => match herd_store::statuses::by_id(&mut c, t, p).await? {
                    Some(pr) => {
                        let author = accounts::by_id(&mut c, t, pr.account_id).await?;
                        Some(pr.uri.clone().unwrap_or_else(|| tenant.status_uri(&author.username, pr.id)))
                    }
                    None => None,
                },
                None => None,
            };
            Some(render::note(&tenant, &v, parent))
        }
    };
    let activity = serde_json::to_value(render::create_activity(&tenant, &v, note, true)).unwrap_or(Value::Null);
    drop(c);
    let mut tx = app.db.begin().await?;
    send(&mut tx, t, v.account.id, &inboxes, &activity).await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}
