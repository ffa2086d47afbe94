use herd_core::Timestamp;
use herd_store::accounts::{self, AccountRow};
use herd_store::quotes::{self, ACCEPTED, PENDING, QuoteRow, REJECTED};
use herd_store::{remote, statuses};
use serde_json::{Value, json};

use super::Approval;
use crate::federation::inbox::create::{self, Post};
use crate::federation::inbox::id_of;
use crate::federation::read::status_by_url_on;
use crate::federation::render::actor_id;
use crate::federation::resolve::origin;
use crate::notifications::notify;
use crate::{App, AppError, Result, Tenant};

/// Another server asks, for its member `sender`, to quote a post of this instance: the
/// quoting post (the request's `instrument`) is stored, and the quoted post's policy answers,
/// as on Mastodon: an Accept whose `result` is this instance's authorization (which anyone
/// can fetch afterwards), with a `quote` notification for the author; else a Reject. A
/// request for a followers-only or direct post, or for no post of this instance, is
/// dropped without an answer.
pub(crate) async fn requested(app: &App, tenant: &Tenant, sender: &AccountRow, activity: &Value) -> Result<()> {
    let t = tenant.id;
    let Some(request_id) = activity.get("id").and_then(Value::as_str) else {
        return Ok(());
    };
    if origin(request_id).map(|o| o.1) != sender.uri.as_deref().and_then(origin).map(|o| o.1) {
        return Ok(());
    }
    let Some(object) = activity.get("object").and_then(id_of) else {
        return Ok(());
    };
    let mut c = app.db.conn().await?;
    let Some(quoted_id) = status_by_url_on(&mut c, tenant, object).await? else {
        return Ok(());
    };
    let Some(quoted) = statuses::by_id(&mut c, t, quoted_id).await? else {
        return Ok(());
    };
    let author = accounts::by_id(&mut c, t, quoted.account_id).await?;
    if !author.domain.is_empty() || quoted.reblog_of_id.is_some() || !matches!(quoted.visibility.as_str(), "public" | "unlisted") {
        return Ok(());
    }
    drop(c);
    let Some(quoting) = instrument(app, tenant, sender, activity.get("instrument")).await? else {
        return Ok(());
    };
    let mut tx = app.db.begin().await?;
    let Some(q) = quotes::of_status(&mut tx, t, quoting).await? else {
        return Ok(());
    };
    // The post must quote this one, and be the requester's.
    if q.quoted_status_id != Some(quoted.id) || q.account_id != sender.id {
        return Ok(());
    }
    let allowed = match super::check_quotable(&mut tx, tenant, sender.id, quoted.id).await {
        Ok((_, approval)) => approval != Approval::Denied,
        Err(AppError::NotFound(_)) => false,
        Err(e) => return Err(e),
    };
    let me = actor_id(tenant, &author);
    let echoed = json!({
        "id": request_id,
        "type": "QuoteRequest",
        "actor": sender.uri,
        "object": object,
        "instrument": activity.get("instrument").and_then(id_of),
    });
    let now = Timestamp::now().0;
    let answer = if allowed {
        let authorization = super::authorization_uri(tenant, &author.username, q.id);
        if q.state != ACCEPTED {
            quotes::set(
                &mut tx,
                t,
                &QuoteRow {
                    state: ACCEPTED.into(),
                    approval_uri: Some(authorization.clone()),
                    activity_uri: Some(request_id.to_string()),
                    updated_at: now,
                    ..q.clone()
                },
            )
            .await?;
            notify(&mut tx, t, author.id, sender.id, "quote", Some(quoting)).await?;
        }
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", {"QuoteRequest": "https://w3id.org/fep/044f#QuoteRequest"}],
            "id": format!("{me}#accepts/quote_requests/{}", q.id),
            "type": "Accept",
            "actor": me,
            "object": echoed,
            "result": authorization,
        })
    } else {
        if q.state == PENDING {
            quotes::set_state(&mut tx, t, &q, REJECTED, None, now).await?;
        }
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", {"QuoteRequest": "https://w3id.org/fep/044f#QuoteRequest"}],
            "id": format!("{me}#rejects/quote_requests/{}", q.id),
            "type": "Reject",
            "actor": me,
            "object": echoed,
        })
    };
    if let Some(inbox) = remote::by_account(&mut tx, t, sender.id).await?.map(|r| r.inbox_url) {
        crate::federation::deliver::send(&mut tx, t, author.id, &[inbox], &answer).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

/// The quoting post a request names: stored already, or the one it carries when that one is
/// the requester's own (same server), or fetched.
async fn instrument(app: &App, tenant: &Tenant, sender: &AccountRow, instrument: Option<&Value>) -> Result<Option<i64>> {
    let t = tenant.id;
    let Some(uri) = instrument.and_then(id_of) else {
        return Ok(None);
    };
    let mut c = app.db.conn().await?;
    if let Some(id) = statuses::id_by_uri(&mut c, t, uri).await? {
        return Ok(Some(id));
    }
    drop(c);
    match instrument {
        Some(note @ Value::Object(_)) if origin(uri) == sender.uri.as_deref().and_then(origin) => {
            let mut c = app.db.conn().await?;
            let followers = remote::by_account(&mut c, t, sender.id).await?.and_then(|r| r.followers_url);
            drop(c);
            let policy = crate::federation_policy::policy(app, tenant.id).await?;
            let text = create::text_of(note).checked(&policy.rules);
            let post = Post {
                sender,
                followers: followers.as_deref(),
                note,
                text: &text,
                ancestor: Some(1),
            };
            let mut tx = app.db.begin().await?;
            let queued = create::store(&mut tx, tenant, std::slice::from_ref(&post)).await?;
            tx.commit().await?;
            if queued {
                app.waker.wake();
            }
            let mut c = app.db.conn().await?;
            Ok(statuses::id_by_uri(&mut c, t, uri).await?)
        }
        _ => crate::federation::thread::fetch_post(app, tenant, uri, 1).await,
    }
}
