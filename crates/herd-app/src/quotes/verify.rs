use herd_core::Timestamp;
use herd_federation::fetch::FetchError;
use herd_jobs::JobKind;
use herd_store::quotes::{self, ACCEPTED, PENDING, REJECTED, REVOKED};
use herd_store::{TenantId, accounts, statuses};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::federation::inbox::id_of;
use crate::federation::resolve::{ACTIVITY, origin};
use crate::{App, AppError, Result};

/// How far down a chain of quotes Herd fetches quoted posts for one post that arrived.
const MAX_DEPTH: u8 = 4;

/// Proves a received post's quote of another server's post: the quoted post is fetched when
/// it is not here, then the authorization the quoting post names, and the quote is accepted
/// when that authorization, issued by the quoted post's author on their own server, names
/// both posts. A refused or missing authorization (404, 410) rejects the quote (revokes it
/// when it had been accepted); a busy server leaves the job to retry.
#[derive(Debug, Serialize, Deserialize)]
pub struct VerifyQuote {
    pub quote: i64,
    pub approval: Option<String>,
    /// Quotes down from the post that arrived (1 for its own quote).
    pub depth: u8,
}

impl JobKind for VerifyQuote {
    const KIND: &'static str = "quotes.verify";
    const LEASE_MS: i64 = 2 * 60 * 1000;
}

pub async fn verify(app: &App, t: TenantId, job: VerifyQuote) -> Result<()> {
    let tenant = crate::tenants::by_id(app, t).await?;
    let mut c = app.db.conn().await?;
    let Some(mut q) = quotes::by_id(&mut c, t, job.quote).await? else {
        return Ok(());
    };
    if q.state != PENDING && !(q.state == ACCEPTED && job.approval.is_some() && job.approval != q.approval_uri) {
        return Ok(());
    }
    drop(c);
    if q.quoted_status_id.is_none() {
        if job.depth > MAX_DEPTH {
            return Ok(());
        }
        let Some(found) = crate::federation::thread::fetch_post(app, &tenant, &q.quoted_uri, job.depth).await? else {
            return Ok(());
        };
        let mut tx = app.db.begin().await?;
        let Some(quoted) = statuses::by_id(&mut tx, t, found).await? else {
            return Ok(());
        };
        // Another author's post that is not public is never shown in a quote.
        if quoted.account_id != q.account_id && !matches!(quoted.visibility.as_str(), "public" | "unlisted") {
            return Ok(());
        }
        quotes::link_quoted(&mut tx, t, &q.quoted_uri, quoted.id, quoted.account_id).await?;
        tx.commit().await?;
        q.quoted_status_id = Some(quoted.id);
        q.quoted_account_id = Some(quoted.account_id);
    }
    let (Some(quoted_id), Some(quoted_account)) = (q.quoted_status_id, q.quoted_account_id) else {
        return Ok(());
    };
    let mut c = app.db.conn().await?;
    let author = accounts::by_id(&mut c, t, quoted_account).await?;
    let quoting = statuses::by_id(&mut c, t, q.status_id).await?;
    let quoted = statuses::by_id(&mut c, t, quoted_id).await?;
    drop(c);
    let (Some(quoting), Some(quoted)) = (quoting, quoted) else {
        return Ok(());
    };
    let now = Timestamp::now().0;
    if author.domain.is_empty() {
        // A post of this instance is quoted only through a QuoteRequest sent here.
        return Ok(());
    }
    if quoted.account_id == q.account_id {
        let mut tx = app.db.begin().await?;
        quotes::set_state(&mut tx, t, &q, ACCEPTED, None, now).await?;
        tx.commit().await?;
        return Ok(());
    }
    let Some(approval) = job.approval else {
        return Ok(());
    };
    let signer = crate::federation::deliver::signer(app, t, herd_store::keys::INSTANCE_ACTOR).await?;
    let stamp = match app
        .fetch
        .get_json_signed(&approval, ACTIVITY, &signer.key_id, &signer.private_pem)
        .await
    {
        Ok(v) => v,
        Err(FetchError::Status(_, 404 | 410)) => {
            let state = if q.state == ACCEPTED { REVOKED } else { REJECTED };
            let mut tx = app.db.begin().await?;
            quotes::set_state(&mut tx, t, &q, state, None, now).await?;
            tx.commit().await?;
            return Ok(());
        }
        Err(
            e @ (FetchError::Status(..)
            | FetchError::Private(_)
            | FetchError::BadUrl(_)
            | FetchError::TooLarge(..)
            | FetchError::NotJson(_)),
        ) => {
            tracing::info!(url = %approval, error = %e, "a quote's authorization could not be read");
            return Ok(());
        }
        Err(e) => return Err(AppError::Internal(e.to_string())),
    };
    let uri_of = |row: &herd_store::statuses::StatusRow| row.uri.clone().unwrap_or_default();
    let field = |k: &str| stamp.get(k).and_then(id_of);
    let is_authorization = match stamp.get("type") {
        Some(Value::String(s)) => s == "QuoteAuthorization",
        Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some("QuoteAuthorization")),
        _ => false,
    };
    let valid = is_authorization
        && field("id") == Some(approval.as_str())
        && field("attributedTo").and_then(origin) == origin(&approval)
        && field("attributedTo") == author.uri.as_deref()
        && field("interactingObject") == Some(uri_of(&quoting).as_str())
        && field("interactionTarget") == Some(uri_of(&quoted).as_str());
    if !valid {
        tracing::info!(url = %approval, "a quote's authorization does not match the posts");
        return Ok(());
    }
    let mut tx = app.db.begin().await?;
    quotes::set_state(&mut tx, t, &q, ACCEPTED, Some(&approval), now).await?;
    tx.commit().await?;
    Ok(())
}
