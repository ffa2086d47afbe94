//! Threads: a reply that answers a post not seen here is stored unlinked, and this job fetches
//! the post it answers (signed by the instance actor), stores it and links the reply, as
//! Mastodon does. The fetched post may itself answer an unseen post: its own job follows,
//! up to [`MAX_DEPTH`] posts up the thread.

use herd_federation::fetch::FetchError;
use herd_jobs::JobKind;
use herd_store::{remote, statuses};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::inbox::create::{self, Post};
use super::read::status_by_url_on;
use super::resolve::{self, origin};
use crate::{App, AppError, Result};

/// How many posts up a thread Herd fetches for one reply that arrived.
pub const MAX_DEPTH: u8 = 16;

/// Fetch the post at `url` and link the reply `status` to it.
#[derive(Debug, Serialize, Deserialize)]
pub struct FetchParent {
    pub status: i64,
    pub url: String,
    /// Posts up from the reply that arrived (1 for its parent).
    pub depth: u8,
}

impl JobKind for FetchParent {
    const KIND: &'static str = "federation.fetch_parent";
    const LEASE_MS: i64 = 2 * 60 * 1000;
}

pub async fn fetch_parent(app: &App, t: herd_store::TenantId, job: FetchParent) -> Result<()> {
    let tenant = crate::tenants::by_id(app, t).await?;
    let mut c = app.db.conn().await?;
    if let Some(parent) = status_by_url_on(&mut c, &tenant, &job.url).await? {
        // Here already (it arrived, or another reply fetched it).
        return link(app, t, job.status, parent).await;
    }
    drop(c);
    match fetch_post(app, &tenant, &job.url, job.depth).await? {
        Some(parent) => link(app, t, job.status, parent).await,
        None => Ok(()),
    }
}

/// Fetches another server's post (signed by the instance actor) and stores it, kept whoever
/// follows its author; its id here. `None` when it cannot be had: not a post, not where it
/// claims to live, gone, private or refused. A busy server is an error (the job retries).
/// `depth` is how far up a thread (or down a chain of quotes) it was reached from a post
/// that arrived.
pub(crate) async fn fetch_post(app: &App, tenant: &crate::Tenant, url: &str, depth: u8) -> Result<Option<i64>> {
    let t = tenant.id;
    if origin(url).is_none() || url.starts_with(&tenant.base_url()) {
        return Ok(None);
    }
    let policy = crate::federation_policy::policy(app, t).await?;
    if crate::federation_policy::host_of(url).is_some_and(|h| policy.suspends(&h)) {
        return Ok(None);
    }
    let signer = super::deliver::signer(app, t, herd_store::keys::INSTANCE_ACTOR).await?;
    let note = match app
        .fetch
        .get_json_signed(url, resolve::ACTIVITY, &signer.key_id, &signer.private_pem)
        .await
    {
        Ok(n) => n,
        Err(e @ (FetchError::Status(..) | FetchError::Private(_) | FetchError::BadUrl(_) | FetchError::TooLarge(..))) => {
            tracing::info!(%url, error = %e, "a post could not be fetched");
            return Ok(None);
        }
        Err(e) => return Err(AppError::Internal(e.to_string())),
    };
    let Some(id) = note.get("id").and_then(Value::as_str) else {
        return Ok(None);
    };
    let kind = note.get("type").and_then(Value::as_str);
    let author = note.get("attributedTo").and_then(super::inbox::id_of);
    // It must be a post that lives where it was fetched from, by an actor of that server.
    if !matches!(kind, Some("Note" | "Article" | "Question")) || origin(id) != origin(url) {
        return Ok(None);
    }
    let Some(author) = author.filter(|a| origin(a) == origin(id)) else {
        return Ok(None);
    };
    let mut c = app.db.conn().await?;
    let known = match remote::account_by_uri(&mut c, t, author).await? {
        Some(a) => Some(herd_store::accounts::by_id(&mut c, t, a).await?),
        None => None,
    };
    drop(c);
    let author = match known {
        Some(a) => a,
        None => {
            // Its server may be busy: the job is tried again later.
            let actor = resolve::fetch_actor(app, tenant, author).await.map_err(AppError::Internal)?;
            let Some(domain) = resolve::domain_of(&actor.id) else {
                return Ok(None);
            };
            resolve::store(app, tenant, &actor, &domain).await?
        }
    };
    let mut c = app.db.conn().await?;
    let followers = remote::by_account(&mut c, t, author.id).await?.and_then(|r| r.followers_url);
    drop(c);
    let text = create::text_of(&note).checked(&policy.rules);
    let post = Post {
        sender: &author,
        followers: followers.as_deref(),
        note: &note,
        text: &text,
        ancestor: Some(depth),
    };
    let mut tx = app.db.begin().await?;
    let queued = create::store(&mut tx, tenant, std::slice::from_ref(&post)).await?;
    tx.commit().await?;
    if queued {
        app.waker.wake();
    }
    let mut c = app.db.conn().await?;
    Ok(statuses::id_by_uri(&mut c, t, id).await?)
}

async fn link(app: &App, t: herd_store::TenantId, reply: i64, parent: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    if let Some(p) = statuses::by_id(&mut tx, t, parent).await?
        && let Some(r) = statuses::by_id(&mut tx, t, reply).await?
        && p.id != r.id
    {
        statuses::set_parent(&mut tx, t, &r, &p).await?;
    }
    tx.commit().await?;
    Ok(())
}
