//! An operator or admin subscribes the instance to a blocklist by URL, or ends the
//! subscription (the blocks only that list made are lifted).

use herd_core::{Id, Permission, Timestamp};
use herd_store::StoreError;
use herd_store::blocklists::{self, SubscriptionRow};
use herd_store::federation_policy;

use super::SyncBlocklist;
use crate::moderation::Moderator;
use crate::{App, AppError, Result, Tenant, audit};

/// A list's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Fires,
}

impl Format {
    pub fn parse(s: &str) -> Result<Format> {
        match s {
            "csv" => Ok(Format::Csv),
            "fires" => Ok(Format::Fires),
            other => Err(AppError::Invalid(format!("format {other:?} is not csv or fires"))),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Fires => "fires",
        }
    }
}

/// Subscribes; the first sync is a job due now, then every `every_ms` (at least 5 minutes).
pub async fn subscribe(app: &App, m: &Moderator, tenant: &Tenant, url: &str, format: Format, every_ms: i64) -> Result<SubscriptionRow> {
    m.require(&[Permission::ManageFederation])?;
    let parsed = url::Url::parse(url.trim()).map_err(|_| AppError::Invalid(format!("{url:?} is not a URL")))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(AppError::Invalid(format!("{url:?} is not an http(s) URL")));
    }
    if every_ms < 5 * 60 * 1000 {
        return Err(AppError::Invalid("a list is read at most every 5 minutes".into()));
    }
    let row = SubscriptionRow {
        id: Id::generate().0,
        url: parsed.to_string(),
        format: format.as_str().into(),
        every_ms,
        changes_url: None,
        cursor: None,
        last_synced_at: None,
        last_error: None,
        created_at: Timestamp::now().0,
    };
    let mut tx = app.db.begin().await?;
    match blocklists::add(&mut tx, tenant.id, &row).await {
        Err(StoreError::Conflict) => return Err(AppError::Invalid(format!("the instance already subscribes to {}", row.url))),
        r => r?,
    }
    herd_jobs::enqueue(&mut tx, tenant.id, &SyncBlocklist { subscription: row.id }).await?;
    audit(
        &mut tx,
        tenant.id,
        &m.actor(),
        "blocklist.subscribe",
        &row.url,
        serde_json::json!({"format": row.format}),
    )
    .await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(row)
}

/// Ends a subscription: the blocks it made go (handed to another list that holds the same
/// domain, else lifted); blocks moderators made or edited stay.
pub async fn unsubscribe(app: &App, m: &Moderator, tenant: &Tenant, id: i64) -> Result<()> {
    m.require(&[Permission::ManageFederation])?;
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    let sub = blocklists::get(&mut tx, t, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    let drops: Vec<String> = federation_policy::blocks_of_subscription(&mut tx, t, id)
        .await?
        .into_iter()
        .map(|b| b.domain)
        .collect();
    super::sync::retract(&mut tx, tenant, id, &drops).await?;
    blocklists::remove(&mut tx, t, id).await?;
    audit(
        &mut tx,
        t,
        &m.actor(),
        "blocklist.unsubscribe",
        &sub.url,
        serde_json::json!({"removed": drops.len()}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
