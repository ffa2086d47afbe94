//! Finding remote accounts: by handle (WebFinger on its domain, then its actor document) or
//! by actor or key URL, both through the guarded client; the account is stored (or
//! refreshed) in this instance.

use herd_core::{Id, Timestamp};
use herd_federation::discovery::Jrd;
use herd_federation::objects::RemoteActor;
use herd_store::accounts::{self, AccountRow};
use herd_store::remote::{self, NewRemote};

use crate::{App, AppError, Result, Tenant};

pub(crate) const ACTIVITY: &str = "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

/// The account `user@domain` (a remote handle), known already or found now. Anything that
/// goes wrong on the way (unreachable, refused address, malformed documents) is "not found",
/// as on Mastodon; the reason is logged.
pub async fn account(app: &App, tenant: &Tenant, user: &str, domain: &str) -> Result<AccountRow> {
    let domain = domain.to_ascii_lowercase();
    let mut c = app.db.conn().await?;
    if let Some(a) = accounts::by_username(&mut c, tenant.id, user, &domain).await? {
        return Ok(a);
    }
    drop(c);
    if crate::federation_policy::policy(app, tenant.id).await?.suspends(&domain) {
        return Err(AppError::NotFound("Record not found"));
    }
    match discover(app, tenant, user, &domain).await {
        Ok(actor) => store(app, tenant, &actor, &domain).await,
        Err(why) => {
            tracing::info!(handle = %format!("{user}@{domain}"), %why, "remote account not found");
            Err(AppError::NotFound("Record not found"))
        }
    }
}

/// WebFinger, then the actor, which must be the user asked for.
async fn discover(app: &App, tenant: &Tenant, user: &str, domain: &str) -> std::result::Result<RemoteActor, String> {
    let wf_url = format!("{}://{domain}/.well-known/webfinger?resource=acct:{user}@{domain}", tenant.scheme);
    let doc = app
        .fetch
        .get_json(&wf_url, "application/jrd+json, application/json")
        .await
        .map_err(|e| e.to_string())?;
    let jrd: Jrd = serde_json::from_value(doc).map_err(|e| format!("WebFinger answer: {e}"))?;
    let is_activity = |k: &str| k.contains("activity+json") || k.contains("ld+json");
    let href = jrd
        .links
        .iter()
        .find(|l| l.rel == "self" && l.kind.as_deref().is_some_and(is_activity))
        .and_then(|l| l.href.clone())
        .ok_or("WebFinger names no ActivityPub actor")?;
    let actor = fetch_actor(app, tenant, &href).await?;
    if !actor.preferred_username.eq_ignore_ascii_case(user) {
        return Err(format!("actor is {} not {user}", actor.preferred_username));
    }
    Ok(actor)
}

/// Stores (or refreshes) a fetched actor as an account whose handle is `user@domain`.
pub(crate) async fn store(app: &App, tenant: &Tenant, actor: &RemoteActor, domain: &str) -> Result<AccountRow> {
    let mut tx = app.db.begin().await?;
    let before = match remote::account_by_uri(&mut tx, tenant.id, &actor.id).await? {
        Some(id) => remote::by_account(&mut tx, tenant.id, id).await?,
        None => None,
    };
    let id = remote::upsert(
        &mut tx,
        tenant.id,
        Id::generate().0,
        &NewRemote {
            uri: &actor.id,
            username: &actor.preferred_username,
            domain,
            display_name: &actor.name,
            note_html: &actor.summary_html,
            locked: actor.locked,
            bot: actor.bot,
            discoverable: actor.discoverable,
            inbox_url: &actor.inbox,
            shared_inbox_url: actor.shared_inbox.as_deref(),
            followers_url: actor.followers.as_deref(),
            profile_url: actor.url.as_deref(),
            avatar_url: actor.icon.as_deref(),
            header_url: actor.image.as_deref(),
            key_id: &actor.key_id,
            public_key_pem: &actor.public_key_pem,
        },
        Timestamp::now().0,
    )
    .await?;
    let row = accounts::by_id(&mut tx, tenant.id, id).await?;
    // New or changed pictures are fetched by a job.
    let pictures = (actor.icon.clone(), actor.image.clone());
    let had = before.map(|b| (b.avatar_url, b.header_url)).unwrap_or_default();
    if (pictures.0.is_some() || pictures.1.is_some()) && pictures != had {
        herd_jobs::enqueue(&mut tx, tenant.id, &super::pictures::FetchPictures { account: id }).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(row)
}

/// Fetches an actor document (or the actor owning a key document); it must live on the host
/// it was fetched from. Requests are signed by the instance's own actor, so servers that
/// serve documents only to signed requests answer too.
pub(crate) async fn fetch_actor(app: &App, tenant: &Tenant, url: &str) -> std::result::Result<RemoteActor, String> {
    let policy = crate::federation_policy::policy(app, tenant.id).await.map_err(|e| e.to_string())?;
    if crate::federation_policy::host_of(url).is_some_and(|h| policy.suspends(&h)) {
        return Err("the actor's server is suspended by this instance".into());
    }
    let signer = super::deliver::signer(app, tenant.id, herd_store::keys::INSTANCE_ACTOR)
        .await
        .map_err(|e| e.to_string())?;
    let get = |u: String| {
        let signer = signer.clone();
        async move {
            app.fetch
                .get_json_signed(&u, ACTIVITY, &signer.key_id, &signer.private_pem)
                .await
                .map_err(|e| e.to_string())
        }
    };
    let mut doc = get(url.to_string()).await?;
    let mut from = url.to_string();
    if doc.get("inbox").is_none()
        && let Some(owner) = doc.get("owner").and_then(|o| o.as_str()).map(str::to_string)
    {
        doc = get(owner.clone()).await?;
        from = owner;
    }
    let actor = RemoteActor::parse(&doc).map_err(|field| format!("actor document: bad or missing {field}"))?;
    if origin(&actor.id).is_none() || origin(&actor.id) != origin(&from) {
        return Err(format!("actor id {} is not on the host it came from ({from})", actor.id));
    }
    Ok(actor)
}

/// Scheme, host and port of a URL.
pub(crate) fn origin(u: &str) -> Option<(String, String, Option<u16>)> {
    let u = url::Url::parse(u).ok()?;
    Some((u.scheme().to_string(), u.host_str()?.to_string(), u.port()))
}

/// The handle domain for an actor found by URL: its host, with the port if not the default.
pub(crate) fn domain_of(actor_id: &str) -> Option<String> {
    let u = url::Url::parse(actor_id).ok()?;
    Some(herd_federation::fetch::host_header(&u).to_ascii_lowercase())
}

/// Looks up the remote accounts a text mentions that are not known yet (at most ten), so
/// the post can link and notify them. Failures leave the mention as plain text, as on
/// Mastodon. Runs before the post's transaction: no transaction waits on the network.
pub async fn mentions(app: &App, tenant: &Tenant, text: &str) {
    let ex = herd_core::content::extract(text);
    let remote = ex
        .mentions
        .iter()
        .filter_map(|m| Some((m.username.as_str(), m.domain.as_deref()?)))
        .filter(|(_, d)| *d != tenant.domain.as_str() && *d != tenant.handle_domain());
    for (user, domain) in remote.take(10) {
        let _ = account(app, tenant, user, domain).await;
    }
}
