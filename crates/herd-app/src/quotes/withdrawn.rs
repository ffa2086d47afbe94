use herd_core::Timestamp;
use herd_store::accounts::AccountRow;
use herd_store::quotes::{self, ACCEPTED, PENDING, REVOKED};
use serde_json::Value;

use crate::federation::inbox::id_of;
use crate::{App, Result, Tenant};

/// Whether a Delete from `sender` takes back an authorization of a quote stored here (the
/// quoted post's author revoked it): the quote becomes revoked and its post no longer shows
/// the quoted one. False when the object is no such authorization.
pub(crate) async fn withdrawn(app: &App, tenant: &Tenant, sender: &AccountRow, object: &Value) -> Result<bool> {
    let t = tenant.id;
    let Some(uri) = id_of(object) else { return Ok(false) };
    let mut tx = app.db.begin().await?;
    let Some(q) = quotes::by_approval(&mut tx, t, uri).await? else {
        return Ok(false);
    };
    if q.quoted_account_id != Some(sender.id) || !matches!(q.state.as_str(), ACCEPTED | PENDING) {
        return Ok(true);
    }
    quotes::set_state(&mut tx, t, &q, REVOKED, None, Timestamp::now().0).await?;
    if herd_store::accounts::by_id(&mut tx, t, q.account_id).await?.domain.is_empty() {
        // A local quoting post: its copies elsewhere drop the quote with its Update.
        let job = crate::federation::outgoing::FanOut {
            status: q.status_id,
            update: true,
            poll: false,
        };
        herd_jobs::enqueue(&mut tx, t, &job).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(true)
}
