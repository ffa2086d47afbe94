use herd_core::{Id, Timestamp};
use herd_jobs::JobKind;
use herd_store::accounts::{self, AccountRow};
use herd_store::quotes::{self, ACCEPTED, PENDING, QuoteRow};
use herd_store::relationships::{self, Edge};
use herd_store::statuses::{self, StatusRow};
use herd_store::{Conn, TenantId};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Approval;
use crate::federation::outgoing::is_remote;
use crate::federation::render::actor_id;
use crate::notifications::notify;
use crate::{App, AppError, Result, Tenant, views};

/// Mastodon's answer to a quote of a post one may not quote, whatever the reason.
const NOT_QUOTABLE: &str = "The post you are trying to quote does not appear to exist.";

/// The post `author` asks to quote, if they may: one they can see (a boost stands for the
/// post it boosts), by no one they block or who blocks them, whose policy does not deny
/// them (manual and unknown policies are asked). 404 otherwise, with Mastodon's message,
/// which does not tell a missing post from a refused quote.
pub(crate) async fn check_quotable(c: &mut Conn, tenant: &Tenant, author: i64, quoted: i64) -> Result<(StatusRow, Approval)> {
    let t = tenant.id;
    let not_found = |_| AppError::NotFound(NOT_QUOTABLE);
    let mut row = views::visible_status(c, t, Some(author), quoted).await.map_err(not_found)?;
    if let Some(target) = row.reblog_of_id {
        row = views::visible_status(c, t, Some(author), target).await.map_err(not_found)?;
    }
    if relationships::exists(c, t, Edge::Block, author, row.account_id).await?
        || relationships::exists(c, t, Edge::Block, row.account_id, author).await?
    {
        return Err(AppError::NotFound(NOT_QUOTABLE));
    }
    let follows = relationships::exists(c, t, Edge::Follow, author, row.account_id).await?;
    let followed = relationships::exists(c, t, Edge::Follow, row.account_id, author).await?;
    let approval = super::approval(&row, Some(author), follows, followed);
    if approval == Approval::Denied {
        return Err(AppError::NotFound(NOT_QUOTABLE));
    }
    Ok((row, approval))
}

/// Makes `status` quote `quoted` (checked by [`check_quotable`]), in the caller's
/// transaction: a local post's policy decides at once (accepted, with this instance's
/// authorization, and its author told); another server's post waits for that server's answer
/// to a `QuoteRequest`, which a job sends.
pub async fn attach(c: &mut Conn, tenant: &Tenant, status: &StatusRow, quoted: &StatusRow, approval: Approval) -> Result<QuoteRow> {
    let t = tenant.id;
    let quoted_author = accounts::by_id(c, t, quoted.account_id).await?;
    let quoting_author = accounts::by_id(c, t, status.account_id).await?;
    let id = Id::generate().0;
    let now = Timestamp::now().0;
    let remote = is_remote(&quoted_author);
    let accepted = !remote && approval == Approval::Automatic;
    let row = QuoteRow {
        id,
        tenant_id: t.0,
        status_id: status.id,
        account_id: status.account_id,
        quoted_status_id: Some(quoted.id),
        quoted_account_id: Some(quoted.account_id),
        quoted_uri: crate::federation::outgoing::status_uri(c, tenant, quoted).await?,
        state: if accepted { ACCEPTED } else { PENDING }.into(),
        approval_uri: accepted
            .then(|| super::authorization_uri(tenant, &quoted_author.username, id))
            .filter(|_| quoted.account_id != status.account_id),
        activity_uri: remote.then(|| format!("{}/quote_requests/{id}", actor_id(tenant, &quoting_author))),
        created_at: now,
        updated_at: now,
    };
    quotes::set(c, t, &row).await?;
    if accepted {
        notify(c, t, quoted.account_id, status.account_id, "quote", Some(status.id)).await?;
    }
    if remote && !is_remote(&quoting_author) {
        herd_jobs::enqueue(c, t, &QuoteRequest { quote: id }).await?;
    }
    Ok(row)
}

/// Asks another server's author for a local post's quote of their post: a `QuoteRequest`
/// with the quoting note as its instrument, to the quoted author's inbox. A job, written with
/// the quote, rendered when it runs (after the post's transaction).
#[derive(Debug, Serialize, Deserialize)]
pub struct QuoteRequest {
    pub quote: i64,
}

impl JobKind for QuoteRequest {
    const KIND: &'static str = "quotes.request";
}

pub(crate) async fn send_request(app: &App, t: TenantId, job: QuoteRequest) -> Result<()> {
    let tenant = crate::tenants::by_id(app, t).await?;
    let mut c = app.db.conn().await?;
    let Some(q) = quotes::by_id(&mut c, t, job.quote).await? else {
        return Ok(());
    };
    let (Some(quoted_account), Some(activity_id)) = (q.quoted_account_id, q.activity_uri.clone()) else {
        return Ok(());
    };
    if q.state != PENDING {
        return Ok(());
    }
    let Some(row) = statuses::by_id(&mut c, t, q.status_id).await? else {
        return Ok(());
    };
    let target: AccountRow = accounts::by_id(&mut c, t, quoted_account).await?;
    let Some(inbox) = herd_store::remote::by_account(&mut c, t, target.id).await?.map(|r| r.inbox_url) else {
        return Ok(());
    };
    let v = views::status(&mut c, t, None, row).await?;
    drop(c);
    let parent = crate::federation::read::parent_id(app, &tenant, &v).await?;
    let note = crate::federation::render::note(&tenant, &v, parent);
    let request = json!({
        "@context": herd_federation::objects::note_context(),
        "id": activity_id,
        "type": "QuoteRequest",
        "actor": actor_id(&tenant, &v.account),
        "object": q.quoted_uri,
        "instrument": serde_json::to_value(note).unwrap_or(Value::Null),
    });
    let mut tx = app.db.begin().await?;
    crate::federation::deliver::send(&mut tx, t, v.account.id, &[inbox], &request).await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}
