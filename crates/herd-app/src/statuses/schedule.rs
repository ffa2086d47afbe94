//! Scheduled posts: checked and stored with their parameters when written, published by a
//! job due at their time through the same [`super::create`] as any post.

use herd_core::{Id, Timestamp, Visibility};
use herd_store::TenantId;
use herd_store::scheduled::{self, ScheduledRow};
use serde::{Deserialize, Serialize};

use super::create::{NewStatus, check};
use crate::polls::NewPoll;
use crate::{App, AppError, Result, Tenant, views};

/// Mastodon's limits: how soon a post may be scheduled, how many in all and on one day.
pub const MIN_DELAY_MS: i64 = 5 * 60 * 1000;
pub const TOTAL_LIMIT: i64 = 300;
pub const DAILY_LIMIT: i64 = 25;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A scheduled post's parameters as stored, and as `/api/v1/scheduled_statuses` shows them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScheduledParams {
    pub text: String,
    pub spoiler_text: String,
    pub visibility: Option<String>,
    pub sensitive: Option<bool>,
    pub language: Option<String>,
    pub in_reply_to_id: Option<i64>,
    pub media_ids: Vec<i64>,
    pub poll: Option<NewPoll>,
    pub application_id: Option<i64>,
    pub idempotency: Option<String>,
    #[serde(default)]
    pub quoted_status_id: Option<i64>,
    #[serde(default)]
    pub quote_approval_policy: Option<String>,
    /// The member who wrote it as a team account, recorded when it is published.
    #[serde(default)]
    pub made_by: Option<i64>,
}

impl ScheduledParams {
    fn of(n: &NewStatus) -> ScheduledParams {
        ScheduledParams {
            text: n.text.clone(),
            spoiler_text: n.spoiler_text.clone(),
            visibility: n.visibility.map(|v| v.as_str().to_string()),
            sensitive: n.sensitive,
            language: n.language.clone(),
            in_reply_to_id: n.in_reply_to_id,
            media_ids: n.media_ids.clone(),
            poll: n.poll.clone(),
            application_id: n.app_id,
            idempotency: n.idempotency_key.clone(),
            quoted_status_id: n.quoted_status_id,
            quote_approval_policy: n.quote_policy.map(|q| q.as_str().to_string()),
            made_by: n.made_by,
        }
    }

    /// The post these parameters make when scheduled post `id` is published.
    fn post(&self, id: i64) -> NewStatus {
        NewStatus {
            text: self.text.clone(),
            spoiler_text: self.spoiler_text.clone(),
            visibility: self.visibility.as_deref().and_then(|v| Visibility::parse(v).ok()),
            sensitive: self.sensitive,
            language: self.language.clone(),
            in_reply_to_id: self.in_reply_to_id,
            media_ids: self.media_ids.clone(),
            // Publishing twice (a retried job) finds the post made the first time.
            idempotency_key: Some(format!("scheduled:{id}")),
            app_id: self.application_id,
            poll: self.poll.clone(),
            scheduled: Some(id),
            quoted_status_id: self.quoted_status_id,
            quote_policy: self
                .quote_approval_policy
                .as_deref()
                .and_then(|q| herd_core::QuotePolicy::parse(q).ok()),
            made_by: self.made_by,
        }
    }

    pub fn parse(row: &ScheduledRow) -> Result<ScheduledParams> {
        serde_json::from_str(&row.params).map_err(|e| AppError::Internal(format!("scheduled post {}: {e}", row.id)))
    }
}

/// Publishes a scheduled post; due at its time.
#[derive(Debug, Serialize, Deserialize)]
pub struct PublishScheduled {
    pub id: i64,
    /// The time the job was written for; a post rescheduled since has a newer job.
    pub scheduled_at: i64,
}

impl herd_jobs::JobKind for PublishScheduled {
    const KIND: &'static str = "statuses.publish_scheduled";
}

/// Refuses a time too soon, or one that would pass Mastodon's limits (`except`: the
/// scheduled post being moved, which counts already).
async fn check_time(c: &mut herd_store::Conn, t: TenantId, author: i64, at: i64, except: Option<&ScheduledRow>) -> Result<()> {
    if at < Timestamp::now().0 + MIN_DELAY_MS {
        return Err(AppError::Invalid(
            "Validation failed: Scheduled at date must be in the future".into(),
        ));
    }
    let day_start = at - at.rem_euclid(DAY_MS);
    let (total, day) = scheduled::counts(c, t, author, day_start, day_start + DAY_MS).await?;
    let (total, day) = match except {
        Some(row) => (
            total - 1,
            day - i64::from(row.scheduled_at >= day_start && row.scheduled_at < day_start + DAY_MS),
        ),
        None => (total, day),
    };
    if total >= TOTAL_LIMIT {
        return Err(AppError::Invalid(format!(
            "Validation failed: You have exceeded the limit of {TOTAL_LIMIT} scheduled posts"
        )));
    }
    if day >= DAILY_LIMIT {
        return Err(AppError::Invalid(format!(
            "Validation failed: You have exceeded the limit of {DAILY_LIMIT} scheduled posts for today"
        )));
    }
    Ok(())
}

/// Schedules a post for `at` (epoch milliseconds): checked as a post now, stored with its
/// uploads held for it, and the job that publishes it written in the same transaction.
pub async fn schedule(app: &App, tenant: &Tenant, author: i64, n: NewStatus, at: i64) -> Result<ScheduledRow> {
    check(tenant, &n)?;
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    check_time(&mut tx, t, author, at, None).await?;
    super::own_media(&mut tx, tenant, author, &n.media_ids, None, None).await?;
    if let Some(parent) = n.in_reply_to_id {
        views::visible_status(&mut tx, t, Some(author), parent).await?;
    }
    let params = serde_json::to_string(&ScheduledParams::of(&n)).map_err(|e| AppError::Internal(e.to_string()))?;
    let row = ScheduledRow {
        id: Id::generate().0,
        tenant_id: t.0,
        account_id: author,
        scheduled_at: at,
        params,
        created_at: Timestamp::now().0,
    };
    scheduled::insert(&mut tx, t, &row, &n.media_ids).await?;
    herd_jobs::enqueue_at(
        &mut tx,
        t,
        &PublishScheduled {
            id: row.id,
            scheduled_at: at,
        },
        at,
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Moves one of `owner`'s scheduled posts to another time.
pub async fn reschedule(app: &App, tenant: &Tenant, owner: i64, id: i64, at: i64) -> Result<ScheduledRow> {
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    let mut row = scheduled::owned(&mut tx, t, owner, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    check_time(&mut tx, t, owner, at, Some(&row)).await?;
    scheduled::reschedule(&mut tx, t, id, at, &row.params).await?;
    herd_jobs::enqueue_at(&mut tx, t, &PublishScheduled { id, scheduled_at: at }, at).await?;
    tx.commit().await?;
    row.scheduled_at = at;
    Ok(row)
}

/// Deletes one of `owner`'s scheduled posts; its uploads are free again.
pub async fn cancel(app: &App, tenant: &Tenant, owner: i64, id: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    scheduled::owned(&mut tx, tenant.id, owner, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    scheduled::delete(&mut tx, tenant.id, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes a scheduled post at its time. A reply whose post is gone by then is published
/// as a post of its own; any other failure leaves the scheduled post in place and the job
/// retried (then parked for an operator), so nothing written is lost.
pub async fn publish(app: &App, t: TenantId, job: PublishScheduled) -> Result<()> {
    let tenant = crate::tenants::by_id(app, t).await?;
    let mut c = app.db.conn().await?;
    let Some(row) = scheduled::by_id(&mut c, t, job.id).await? else {
        return Ok(());
    };
    drop(c);
    if row.scheduled_at != job.scheduled_at {
        return Ok(());
    }
    let params = ScheduledParams::parse(&row)?;
    let post = params.post(row.id);
    match super::create(app, &tenant, row.account_id, post).await {
        Err(AppError::NotFound(_)) if params.in_reply_to_id.is_some() => {
            let alone = ScheduledParams {
                in_reply_to_id: None,
                ..params
            };
            super::create(app, &tenant, row.account_id, alone.post(row.id)).await?;
        }
        other => {
            other?;
        }
    }
    let mut tx = app.db.begin().await?;
    scheduled::delete(&mut tx, t, row.id).await?;
    tx.commit().await?;
    Ok(())
}
