//! A visitor sends a notice about a post or a profile of this instance: it becomes a report
//! with the category `legal` in the queue, and the visitor keeps a secret reference to look
//! up the decision (and gets it at their contact address once mail is configured).

use herd_core::{Id, Timestamp};
use herd_store::dsa::{self, NoticeRow};
use herd_store::reports::NewReport;
use herd_store::{accounts, statuses};

use crate::{Actor, App, AppError, Result, Tenant, audit};

/// The grounds a visitor may name, as (value, label).
pub const GROUNDS: &[(&str, &str)] = &[
    ("illegal_hate_speech", "Illegal hate speech or incitement"),
    ("terrorist_content", "Terrorist content"),
    ("child_sexual_abuse", "Child sexual abuse material"),
    ("non_consensual_imagery", "Non-consensual intimate images"),
    ("intellectual_property", "Infringement of intellectual property"),
    ("privacy", "Violation of privacy or personal data"),
    ("defamation", "Defamation"),
    ("scam_fraud", "Scam or fraud"),
    ("other_illegal", "Other illegal content"),
];

#[derive(Debug, Clone, Default)]
pub struct NewNotice {
    pub item_url: String,
    pub ground: String,
    pub explanation: String,
    pub contact: Option<String>,
    /// The sender confirms the notice is accurate and complete (Art. 16(2)(d)).
    pub confirmed: bool,
}

/// What the notice names on this instance: the account and, for a post, the post.
async fn item(c: &mut herd_store::Conn, tenant: &Tenant, url: &str) -> Result<(i64, Option<i64>)> {
    let bad = || AppError::Invalid("The address is not a post or a profile on this instance.".into());
    let u = url::Url::parse(url.trim()).map_err(|_| bad())?;
    if u.host_str().map(str::to_ascii_lowercase).as_deref() != Some(tenant.domain.host()) {
        return Err(bad());
    }
    let parts: Vec<&str> = u.path().trim_matches('/').split('/').collect();
    let (user, post) = match parts.as_slice() {
        [h] if h.starts_with('@') => (h.trim_start_matches('@'), None),
        [h, id] if h.starts_with('@') => (h.trim_start_matches('@'), Some(*id)),
        ["users", u] => (*u, None),
        ["users", u, "statuses", id] => (*u, Some(*id)),
        _ => return Err(bad()),
    };
    let account = accounts::by_username(c, tenant.id, user, "").await?.ok_or_else(bad)?;
    let status = match post {
        Some(id) => {
            let id: i64 = id.parse().map_err(|_| bad())?;
            let s = statuses::by_id(c, tenant.id, id)
                .await?
                .filter(|s| s.account_id == account.id)
                .ok_or_else(bad)?;
            Some(s.id)
        }
        None => None,
    };
    Ok((account.id, status))
}

/// Files the notice; the secret reference is returned once (only its digest is kept).
pub async fn submit(app: &App, tenant: &Tenant, n: NewNotice) -> Result<(NoticeRow, String)> {
    if !GROUNDS.iter().any(|(g, _)| *g == n.ground) {
        return Err(AppError::Invalid("Choose the reason the content is illegal.".into()));
    }
    let explanation = n.explanation.trim();
    if explanation.chars().count() < 10 || explanation.chars().count() > 5000 {
        return Err(AppError::Invalid(
            "Explain in 10 to 5,000 characters why the content is illegal.".into(),
        ));
    }
    let contact = match n.contact.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => Some(
            herd_core::Email::parse(c)
                .map_err(|_| AppError::Invalid("The contact address is not an e-mail address.".into()))?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    if !n.confirmed {
        return Err(AppError::Invalid(
            "Confirm that the notice is accurate and complete to the best of your knowledge.".into(),
        ));
    }
    let t = tenant.id;
    let now = Timestamp::now().0;
    let mut tx = app.db.begin().await?;
    let (account, status) = item(&mut tx, tenant, &n.item_url).await?;
    let label = GROUNDS.iter().find(|(g, _)| *g == n.ground).map(|(_, l)| *l).unwrap_or_default();
    let report = Id::generate().0;
    let ids: Vec<i64> = status.into_iter().collect();
    let comment = format!("Notice from a visitor (DSA Art. 16). Ground: {label}.\n\n{explanation}");
    // A visitor has no account here: the report names the reported account on both sides,
    // and its origin says a visitor sent it.
    crate::reports::open(
        &mut tx,
        t,
        NewReport {
            id: report,
            reporter: account,
            target: account,
            status_ids: &ids,
            comment: &comment,
            category: "legal",
            uri: None,
            rule_ids: &[],
            forwarded: false,
            origin: "visitor",
            now,
        },
    )
    .await?;
    let reference = herd_core::secret::generate();
    let row = NoticeRow {
        id: Id::generate().0,
        report_id: Some(report),
        item_url: n.item_url.trim().to_string(),
        ground: n.ground.clone(),
        explanation: explanation.to_string(),
        contact,
        reference_hash: herd_core::secret::digest(&reference),
        decision: None,
        decided_at: None,
        notified_at: None,
        created_at: now,
    };
    dsa::add_notice(&mut tx, t, &row).await?;
    audit(
        &mut tx,
        t,
        &Actor::Visitor,
        "notice.create",
        &report.to_string(),
        serde_json::json!({"ground": n.ground, "item": row.item_url}),
    )
    .await?;
    tx.commit().await?;
    Ok((row, reference))
}

/// A notice by its secret reference (what the visitor sees of it).
pub async fn lookup(app: &App, tenant: &Tenant, reference: &str) -> Result<NoticeRow> {
    let mut c = app.db.conn().await?;
    dsa::notice_by_reference(&mut c, tenant.id, &herd_core::secret::digest(reference.trim()))
        .await?
        .ok_or(AppError::NotFound("Record not found"))
}
