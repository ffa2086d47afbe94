use herd_core::Timestamp;
use herd_store::quotes::{self, ACCEPTED, PENDING, REVOKED};
use herd_store::{accounts, statuses};
use serde_json::json;

use crate::federation::outgoing::is_remote;
use crate::federation::render::actor_id;
use crate::{App, AppError, Result, Tenant};

/// The quoted post's author takes back their approval of one quote (`quoting`) of their post
/// (`quoted`): the quote is revoked, the quoting post shows it so, and when the quoting post
/// lives on another server its author's server gets a `Delete` of the authorization, as
/// Mastodon sends it. 404 unless the viewer wrote the quoted post and the quote stands.
pub async fn revoke(app: &App, tenant: &Tenant, author: i64, quoted: i64, quoting: i64) -> Result<()> {
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    let row = statuses::by_id(&mut tx, t, quoted)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    let q = quotes::of_status(&mut tx, t, quoting)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    if row.account_id != author || q.quoted_status_id != Some(quoted) || !matches!(q.state.as_str(), ACCEPTED | PENDING) {
        return Err(AppError::NotFound("Record not found"));
    }
    quotes::set_state(&mut tx, t, &q, REVOKED, None, Timestamp::now().0).await?;
    let me = accounts::by_id(&mut tx, t, author).await?;
    let quoter = accounts::by_id(&mut tx, t, q.account_id).await?;
    if let Some(authorization) = q.approval_uri.as_deref().filter(|_| is_remote(&quoter))
        && let Some(inbox) = herd_store::remote::by_account(&mut tx, t, quoter.id).await?.map(|r| r.inbox_url)
    {
        let actor = actor_id(tenant, &me);
        let delete = json!({
            "@context": herd_federation::objects::note_context(),
            "id": format!("{authorization}#delete"),
            "type": "Delete",
            "actor": actor,
            "to": [herd_federation::PUBLIC],
            "object": authorization,
        });
        crate::federation::deliver::send(&mut tx, t, author, &[inbox], &delete).await?;
    }
    if !is_remote(&quoter) {
        // The quoting post's copies elsewhere drop the quote with its Update.
        let job = crate::federation::outgoing::FanOut {
            status: quoting,
            update: true,
            poll: false,
        };
        herd_jobs::enqueue(&mut tx, t, &job).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}
