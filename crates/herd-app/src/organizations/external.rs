use herd_core::{Domain, Id, Timestamp};
use herd_store::StoreError;
use herd_store::organizations::{self, ExternalRow, OrgRow};

use crate::{Actor, App, AppError, Result};

pub struct NewExternal {
    pub domain: Domain,
    /// Where its Mastodon API is (`https://DOMAIN` unless given).
    pub url: Option<String>,
}

/// Registers a Mastodon server the organization runs itself, so that services (moderation,
/// support) can be booked for it. Its connection (an admin token) is added by the desk.
pub async fn register_external(app: &App, actor: &Actor, org: &OrgRow, n: NewExternal) -> Result<ExternalRow> {
    let url = n.url.unwrap_or_else(|| format!("https://{}", n.domain));
    let parsed = url::Url::parse(url.trim()).map_err(|_| AppError::Invalid(format!("{url:?} is not a URL")))?;
    if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() {
        return Err(AppError::Invalid(format!("{url:?} is not an http(s) URL")));
    }
    let now = Timestamp::now().0;
    let row = ExternalRow {
        id: Id::generate().0,
        organization_id: org.id,
        domain: n.domain.as_str().to_string(),
        url: parsed.as_str().trim_end_matches('/').to_string(),
        created_at: now,
        updated_at: now,
    };
    let mut tx = app.db.begin().await?;
    if herd_store::tenants::by_domain(&mut tx, &row.domain).await?.is_some() {
        return Err(AppError::Conflict(format!("{} is an instance hosted here", row.domain)));
    }
    match organizations::insert_external(&mut tx, &row).await {
        Err(StoreError::Conflict) => {
            return Err(AppError::Conflict(format!("{} is registered already", row.domain)));
        }
        r => r?,
    }
    super::audit(
        &mut tx,
        Some(org.id),
        actor,
        "external_instance.register",
        &row.domain,
        serde_json::json!({"url": row.url}),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}
