use herd_store::accounts;
use herd_store::quotes::{self, ACCEPTED};
use herd_store::statuses;
use serde_json::{Value, json};

use crate::federation::render::actor_id;
use crate::{App, AppError, Result, Tenant};

/// This instance's authorization of a quote of a local post, as other servers fetch it to
/// prove the quote (FEP-044f's `QuoteAuthorization`). 404 unless the quote is accepted, both
/// posts exist and the quoted post is `username`'s: a revoked authorization is gone.
pub async fn authorization(app: &App, tenant: &Tenant, username: &str, id: i64) -> Result<Value> {
    let t = tenant.id;
    let gone = || AppError::NotFound("Record not found");
    let mut c = app.db.conn().await?;
    let q = quotes::by_id(&mut c, t, id).await?.ok_or_else(gone)?;
    let (Some(quoted_id), Some(author_id)) = (q.quoted_status_id, q.quoted_account_id) else {
        return Err(gone());
    };
    let author = accounts::by_id(&mut c, t, author_id).await?;
    if q.state != ACCEPTED || !author.domain.is_empty() || author.username != username || author.suspended_at.is_some() {
        return Err(gone());
    }
    let quoting = statuses::by_id(&mut c, t, q.status_id).await?.ok_or_else(gone)?;
    let quoted = statuses::by_id(&mut c, t, quoted_id).await?.ok_or_else(gone)?;
    if !matches!(quoted.visibility.as_str(), "public" | "unlisted") {
        return Err(gone());
    }
    let me = actor_id(tenant, &author);
    Ok(json!({
        "@context": ["https://www.w3.org/ns/activitystreams", {
            "gts": "https://gotosocial.org/ns#",
            "QuoteAuthorization": "https://w3id.org/fep/044f#QuoteAuthorization",
            "interactingObject": {"@id": "gts:interactingObject", "@type": "@id"},
            "interactionTarget": {"@id": "gts:interactionTarget", "@type": "@id"},
        }],
        "id": super::authorization_uri(tenant, username, q.id),
        "type": "QuoteAuthorization",
        "attributedTo": me,
        "interactingObject": crate::federation::outgoing::status_uri(&mut c, tenant, &quoting).await?,
        "interactionTarget": crate::federation::outgoing::status_uri(&mut c, tenant, &quoted).await?,
    }))
}
