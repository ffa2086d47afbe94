//! Delivery: one durable job per activity and inbox, signed by the acting actor's key,
//! retried with the job runner's backoff when the other server fails or is unreachable.

use herd_core::Timestamp;
use herd_federation::fetch::FetchError;
use herd_federation::{ACTIVITY_JSON, signatures};
use herd_jobs::JobKind;
use herd_store::{Conn, TenantId, accounts, keys};
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
    let tenant = crate::tenants::by_id(app, t).await.map_err(|e| e.to_string())?;
    let key = super::key(app, t, job.actor).await.map_err(|e| e.to_string())?;
    let key_id = key_id(app, &tenant, job.actor).await.map_err(|e| e.to_string())?;
    let url = match url::Url::parse(&job.inbox) {
        Ok(u) => u,
        Err(_) => {
            tracing::warn!(inbox = %job.inbox, "not delivering to a malformed inbox URL");
            return Ok(());
        }
    };
    let host = herd_federation::fetch::host_header(&url);
    let body = job.activity.into_bytes();
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let headers = signatures::sign(
        "POST",
        &path,
        &host,
        Some(&body),
        &key_id,
        &key.private_pem,
        std::time::SystemTime::now(),
    )
    .map_err(|e| e.to_string())?;
    match app.fetch.post(&job.inbox, &headers, ACTIVITY_JSON, body).await {
        Ok(s) if (200..300).contains(&s) => Ok(()),
        Ok(s) if (400..500).contains(&s) && s != 408 && s != 429 => {
            tracing::warn!(inbox = %job.inbox, status = s, "the inbox refused a delivery; dropped");
            Ok(())
        }
        Ok(s) => Err(format!("{} answered {s}", job.inbox)),
        Err(e @ (FetchError::Private(_) | FetchError::BadUrl(_))) => {
            tracing::warn!(inbox = %job.inbox, error = %e, "not delivering");
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// A fresh id for an activity that has no object of its own to name it (Follow, Accept).
pub(crate) fn activity_id(actor_uri: &str) -> String {
    format!("{actor_uri}#activities/{}", herd_core::Id::generate_at(Timestamp::now()).0)
}
