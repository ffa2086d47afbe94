//! Finding a remote account by its handle: WebFinger on its domain, then its actor document,
//! both through the guarded client; the account is stored (or refreshed) in this instance.

use herd_core::{Id, Timestamp};
use herd_federation::discovery::Jrd;
use herd_federation::objects::RemoteActor;
use herd_store::accounts::{self, AccountRow};
use herd_store::remote::{self, NewRemote};

use crate::{App, AppError, Result, Tenant};

const ACTIVITY: &str = "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

fn not_found() -> AppError {
    AppError::NotFound("Record not found")
}

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
    let actor = match discover(app, tenant, user, &domain).await {
        Ok(a) => a,
        Err(why) => {
            tracing::info!(handle = %format!("{user}@{domain}"), %why, "remote account not found");
            return Err(not_found());
        }
    };
    let mut tx = app.db.begin().await?;
    let id = remote::upsert(
        &mut tx,
        tenant.id,
        Id::generate().0,
        &NewRemote {
            uri: &actor.id,
            username: &actor.preferred_username,
            domain: &domain,
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
    tx.commit().await?;
    Ok(row)
}

/// WebFinger, then the actor; the actor must live on the host it was fetched from.
async fn discover(app: &App, tenant: &Tenant, user: &str, domain: &str) -> std::result::Result<RemoteActor, String> {
    let wf_url = format!("{}://{domain}/.well-known/webfinger?resource=acct:{user}@{domain}", tenant.scheme);
    let jrd: Jrd = serde_json::from_value(
        app.fetch
            .get_json(&wf_url, "application/jrd+json, application/json")
            .await
            .map_err(|e| e.to_string())?,
    )
    .map_err(|e| format!("WebFinger answer: {e}"))?;
    let href = jrd
        .links
        .iter()
        .find(|l| {
            l.rel == "self"
                && l.kind
                    .as_deref()
                    .is_some_and(|k| k.contains("activity+json") || k.contains("ld+json"))
        })
        .and_then(|l| l.href.clone())
        .ok_or("WebFinger names no ActivityPub actor")?;
    let doc = app.fetch.get_json(&href, ACTIVITY).await.map_err(|e| e.to_string())?;
    let actor = RemoteActor::parse(&doc).map_err(|field| format!("actor document: bad or missing {field}"))?;
    let origin = |u: &str| {
        url::Url::parse(u)
            .ok()
            .map(|u| (u.scheme().to_string(), u.host_str().map(str::to_string), u.port()))
    };
    if origin(&actor.id).is_none() || origin(&actor.id) != origin(&href) {
        return Err(format!("actor id {} is not on the host it came from ({href})", actor.id));
    }
    if !actor.preferred_username.eq_ignore_ascii_case(user) {
        return Err(format!("actor is {} not {user}", actor.preferred_username));
    }
    Ok(actor)
}
