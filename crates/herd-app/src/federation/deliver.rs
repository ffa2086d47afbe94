//! Delivery: one durable job per activity and inbox, signed by the acting actor's key,
//! retried with the job runner's backoff when the other server fails or is unreachable.

use herd_core::Timestamp;
use herd_federation::fetch::FetchError;
use herd_federation::{ACTIVITY_JSON, signatures};
use herd_jobs::JobKind;
use herd_store::{Conn, TenantId, accounts, hosts, keys};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{App, Result, Tenant};

/// Sends one activity to one inbox.
#[derive(Debug, Serialize, Deserialize)]
pub struct Deliver {
    /// The local account that acts (`keys::INSTANCE_ACTOR` for the instance).
    pub actor: i64,
    pub inbox: String,
    /// The activity, serialized once when the job was written.
    pub activity: String,
}

impl JobKind for Deliver {
    const KIND: &'static str = "federation.deliver";
    /// Other servers may be down for days: about two and a half days of retries.
    const MAX_ATTEMPTS: i64 = 20;
    /// A delivery gives up on the other server after 30 s (the client's timeout).
    const LEASE_MS: i64 = 60_000;
}

/// Writes deliveries of `activity` by `actor` to each inbox, in the caller's transaction.
pub(crate) async fn send(c: &mut Conn, t: TenantId, actor: i64, inboxes: &[String], activity: &Value) -> Result<()> {
    let body = activity.to_string();
    for inbox in inboxes {
        herd_jobs::enqueue(
            c,
            t,
            &Deliver {
                actor,
                inbox: inbox.clone(),
                activity: body.clone(),
            },
        )
        .await?;
    }
    Ok(())
}

/// The key id other servers fetch to check `actor`'s signatures.
pub(crate) async fn key_id(app: &App, tenant: &Tenant, actor: i64) -> Result<String> {
    if actor == keys::INSTANCE_ACTOR {
        return Ok(format!("{}/actor#main-key", tenant.base_url()));
    }
    let mut c = app.db.conn().await?;
    let a = accounts::by_id(&mut c, tenant.id, actor).await?;
    Ok(format!("{}#main-key", tenant.actor_uri(&a.username)))
}

/// Runs one delivery. A 2xx answer is done; 4xx answers other than 408 and 429 mean the
/// other server will never take it (logged and dropped); anything else is retried.
pub async fn deliver(app: &App, t: TenantId, job: Deliver) -> std::result::Result<(), String> {
    let signer = signer(app, t, job.actor).await.map_err(|e| e.to_string())?;
    let url = match url::Url::parse(&job.inbox) {
        Ok(u) => u,
        Err(_) => {
            tracing::warn!(inbox = %job.inbox, "not delivering to a malformed inbox URL");
            return Ok(());
        }
    };
    let host = herd_federation::fetch::host_header(&url);
    let key = host.to_ascii_lowercase();
    // A server suspended since the delivery was written gets nothing.
    let policy = crate::federation_policy::policy(app, t).await.map_err(|e| e.to_string())?;
    if policy.suspends(&key) {
        tracing::info!(inbox = %job.inbox, "not delivering to a server this instance suspends");
        return Ok(());
    }
    let (failures, until) = {
        let mut c = app.db.conn().await.map_err(|e| e.to_string())?;
        hosts::health(&mut c, &key).await.map_err(|e| e.to_string())?
    };
    if until > Timestamp::now().0 {
        return Err(format!("{host} keeps failing; left alone until {}", Timestamp(until).to_rfc3339()));
    }
    let body = job.activity.into_bytes();
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let now = std::time::SystemTime::now();
    let headers =
        signatures::sign("POST", &path, &host, Some(&body), &signer.key_id, &signer.private_pem, now).map_err(|e| e.to_string())?;
    let outcome = match app.fetch.post(&job.inbox, &headers, ACTIVITY_JSON, body).await {
        Ok(s) if (200..300).contains(&s) => Ok(true),
        Ok(s) if (400..500).contains(&s) && s != 408 && s != 429 => {
            tracing::warn!(inbox = %job.inbox, status = s, "the inbox refused a delivery; dropped");
            Ok(true)
        }
        Ok(s) => Err(format!("{} answered {s}", job.inbox)),
        Err(e @ (FetchError::Private(_) | FetchError::BadUrl(_))) => {
            tracing::warn!(inbox = %job.inbox, error = %e, "not delivering");
            Ok(false)
        }
        Err(e) => Err(e.to_string()),
    };
    app.meter.delivery(t, outcome.is_err());
    // The server's health, for the breaker: an answer (even a refusal) means it is up. Only
    // a host that had failed needs a write.
    let mut c = app.db.conn().await.map_err(|e| e.to_string())?;
    match &outcome {
        Ok(true) if failures > 0 => hosts::succeeded(&mut c, &key, Timestamp::now().0)
            .await
            .map_err(|e| e.to_string())?,
        Ok(_) => {}
        Err(_) => {
            let until = hosts::failed(&mut c, &key, Timestamp::now().0).await.map_err(|e| e.to_string())?;
            if until > 0 {
                tracing::warn!(%host, until = %Timestamp(until).to_rfc3339(), "a server keeps failing; deliveries to it pause");
            }
        }
    }
    outcome.map(|_| ())
}

/// A fresh id for an activity that has no object of its own to name it (Follow, Accept).
pub(crate) fn activity_id(actor_uri: &str) -> String {
    format!("{actor_uri}#activities/{}", herd_core::Id::generate_at(Timestamp::now()).0)
}

/// What signing as an actor takes: its key id and private key.
#[derive(Debug)]
pub struct Signer {
    pub key_id: String,
    pub private_pem: String,
}

/// The actor's signer, cached per node (keys do not change; a deleted account's goes with it).
pub(crate) async fn signer(app: &App, t: TenantId, actor: i64) -> Result<std::sync::Arc<Signer>> {
    if let Some(s) = app.caches.signers.get(&(t.0, actor)) {
        return Ok(s);
    }
    let epoch = app.caches.epoch();
    let tenant = crate::tenants::by_id(app, t).await?;
    let key = super::key(app, t, actor).await?;
    let s = std::sync::Arc::new(Signer {
        key_id: key_id(app, &tenant, actor).await?,
        private_pem: key.private_pem,
    });
    app.caches.put(&app.caches.signers, epoch, (t.0, actor), s.clone());
    Ok(s)
}
