use herd_core::{Id, Timestamp};
use herd_store::reports::{NewReport, ReportRow};
use herd_store::statuses;
use serde_json::json;

use crate::federation::outgoing;
use crate::{App, AppError, Result, Tenant, views};

/// What a user reports: an account, optionally some of its posts.
pub struct NewUserReport {
    pub target: i64,
    pub status_ids: Vec<i64>,
    pub comment: String,
    /// `spam`, `legal`, `violation` (of `rule_ids`) or `other`.
    pub category: Option<String>,
    pub rule_ids: Vec<i64>,
    /// Also send it, without saying who filed it, to the reported account's server.
    pub forward: bool,
}

/// The longest comment (Mastodon's limit).
const MAX_COMMENT: usize = 1000;

/// Files a report in the instance's queue. A remote account's server gets a `Flag` from the instance actor when
/// the user asks for it, as Mastodon sends it.
pub async fn file(app: &App, tenant: &Tenant, reporter: i64, r: NewUserReport) -> Result<ReportRow> {
    if r.comment.chars().count() > MAX_COMMENT {
        return Err(AppError::Invalid(format!(
            "Validation failed: Comment is too long (maximum is {MAX_COMMENT} characters)"
        )));
    }
    if r.target == reporter {
        return Err(AppError::Invalid("Validation failed: you cannot report yourself".into()));
    }
    let category = match r.category.as_deref().filter(|c| !c.is_empty()) {
        Some(c @ ("spam" | "legal" | "violation" | "other")) => c.to_string(),
        Some(_) => {
            return Err(AppError::Invalid(
                "Validation failed: Category must be spam, legal, violation or other".into(),
            ));
        }
        None if !r.rule_ids.is_empty() => "violation".into(),
        None => "other".into(),
    };
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    let target = views::account(&mut tx, t, r.target).await?;
    if category == "violation" {
        let rules = herd_store::tenants::rules(&mut tx, t).await?;
        if r.rule_ids.is_empty() || r.rule_ids.iter().any(|id| !rules.iter().any(|x| x.id == *id)) {
            return Err(AppError::Invalid("Validation failed: Rules must name this server's rules".into()));
        }
    }
    let mut uris = Vec::new();
    for id in &r.status_ids {
        let row = statuses::by_id(&mut tx, t, *id)
            .await?
            .filter(|s| s.account_id == target.id)
            .ok_or(AppError::NotFound("Record not found"))?;
        uris.push(outgoing::status_uri(&mut tx, tenant, &row).await?);
    }
    let forwarded = r.forward && outgoing::is_remote(&target);
    let row = ReportRow {
        id: Id::generate().0,
        account_id: reporter,
        target_account_id: target.id,
        status_ids: serde_json::to_string(&r.status_ids).unwrap_or_else(|_| "[]".into()),
        comment: r.comment.trim().to_string(),
        category,
        uri: None,
        action_taken_at: None,
        created_at: Timestamp::now().0,
        rule_ids: serde_json::to_string(&r.rule_ids).unwrap_or_else(|_| "[]".into()),
        forwarded: i64::from(forwarded),
        assigned_account_id: None,
        action_taken_by_account_id: None,
        updated_at: Timestamp::now().0,
        origin: "member".into(),
    };
    super::open(
        &mut tx,
        t,
        NewReport {
            id: row.id,
            reporter,
            target: target.id,
            status_ids: &r.status_ids,
            comment: &row.comment,
            category: &row.category,
            uri: None,
            rule_ids: &r.rule_ids,
            forwarded,
            origin: "member",
            now: row.created_at,
        },
    )
    .await?;
    if forwarded {
        let mut objects = vec![json!(target.uri)];
        objects.extend(uris.into_iter().map(serde_json::Value::from));
        outgoing::flag(&mut tx, tenant, &target, objects, &row.comment, row.id).await?;
    }
    tx.commit().await?;
    if forwarded {
        app.waker.wake();
    }
    Ok(row)
}
