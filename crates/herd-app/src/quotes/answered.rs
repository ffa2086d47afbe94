use herd_core::Timestamp;
use herd_store::accounts::{self, AccountRow};
use herd_store::quotes::{self, ACCEPTED, PENDING, QuoteRow, REJECTED};
use herd_store::statuses;
use serde_json::Value;

use crate::federation::inbox::id_of;
use crate::federation::resolve::origin;
use crate::{App, Result, Tenant};

/// The quote a local post asked another server for, if this Accept or Reject from `sender`
/// answers it: by the id of the QuoteRequest, else by the request it echoes.
pub(crate) async fn asked(app: &App, tenant: &Tenant, sender: &AccountRow, object: &Value) -> Result<Option<QuoteRow>> {
    let t = tenant.id;
    let mut c = app.db.conn().await?;
    let mut q = match id_of(object) {
        Some(id) => quotes::by_activity(&mut c, t, id).await?,
        None => None,
    };
    if q.is_none()
        && object.get("type").and_then(Value::as_str) == Some("QuoteRequest")
        && let Some(instrument) = object.get("instrument").and_then(id_of)
        && let Some(status) = statuses::id_by_uri(&mut c, t, instrument).await?
    {
        q = quotes::of_status(&mut c, t, status).await?;
    }
    let Some(q) = q else { return Ok(None) };
    let quoter = accounts::by_id(&mut c, t, q.account_id).await?;
    Ok((q.quoted_account_id == Some(sender.id) && quoter.domain.is_empty()).then_some(q))
}

/// The quoted post's server answered a local post's QuoteRequest. An Accept makes the
/// quote accepted with the authorization it names (which must live on the answering
/// server), and the quoting post's copies elsewhere learn it by an Update; a Reject makes
/// it rejected. Only a pending quote changes.
pub(crate) async fn answered(app: &App, tenant: &Tenant, q: QuoteRow, sender: &AccountRow, answer: &Value, accepted: bool) -> Result<()> {
    let t = tenant.id;
    if q.state != PENDING {
        return Ok(());
    }
    let now = Timestamp::now().0;
    let mut tx = app.db.begin().await?;
    if accepted {
        let Some(result) = answer
            .get("result")
            .and_then(id_of)
            .filter(|r| r.len() <= 2000 && origin(r).is_some() && origin(r) == sender.uri.as_deref().and_then(origin))
        else {
            return Ok(());
        };
        quotes::set_state(&mut tx, t, &q, ACCEPTED, Some(result), now).await?;
        let job = crate::federation::outgoing::FanOut {
            status: q.status_id,
            update: true,
            poll: false,
        };
        herd_jobs::enqueue(&mut tx, t, &job).await?;
    } else {
        quotes::set_state(&mut tx, t, &q, REJECTED, None, now).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}
