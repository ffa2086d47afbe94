//! Statements of reasons (DSA Art. 17): every restriction of a member's content or account
//! (each strike but a plain warning), in the fields of the EU transparency database's API
//! (`decision_visibility`, `decision_account`, `decision_ground`, `category`,
//! `source_type`, `automated_detection`, ...), so they can be submitted as they are.

use herd_core::Timestamp;
use herd_store::dsa::{self, StatementRow};

use crate::{App, Result, Tenant};

fn date(ms: i64) -> String {
    Timestamp(ms).to_date()
}

/// The statement for one strike.
pub fn statement_of_reasons(tenant: &Tenant, s: &StatementRow) -> serde_json::Value {
    let illegal = s.category.as_deref() == Some("legal");
    let (visibility, account): (Vec<&str>, Option<&str>) = match s.action.as_str() {
        "suspend" => (Vec::new(), Some("DECISION_ACCOUNT_SUSPENDED")),
        "disable" => (Vec::new(), Some("DECISION_ACCOUNT_SUSPENDED")),
        "silence" => (vec!["DECISION_VISIBILITY_CONTENT_DEMOTED"], None),
        "sensitive" | "mark_statuses_as_sensitive" => (vec!["DECISION_VISIBILITY_CONTENT_LABELLED"], None),
        "delete_statuses" => (vec!["DECISION_VISIBILITY_CONTENT_REMOVED"], None),
        _ => (vec!["DECISION_VISIBILITY_OTHER"], None),
    };
    let source = match s.origin.as_deref() {
        Some("visitor") => "SOURCE_ARTICLE_16",
        Some("member" | "remote") => "SOURCE_TYPE_OTHER_NOTIFICATION",
        _ => "SOURCE_VOLUNTARY",
    };
    let category = match s.category.as_deref() {
        Some("spam") => "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        Some("legal") => "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
        _ => "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    };
    let ids: Vec<i64> = serde_json::from_str(&s.status_ids).unwrap_or_default();
    let facts = if s.text.trim().is_empty() {
        format!("The instance's moderators applied the action \"{}\".", s.action)
    } else {
        s.text.clone()
    };
    serde_json::json!({
        "puid": format!("{}-{}", tenant.domain, s.id),
        "decision_visibility": visibility,
        "decision_account": account,
        "account_type": "ACCOUNT_TYPE_PRIVATE",
        "decision_ground": if illegal { "DECISION_GROUND_ILLEGAL_CONTENT" } else { "DECISION_GROUND_INCOMPATIBLE_CONTENT" },
        "illegal_content_legal_ground": if illegal { Some("Notice of illegal content") } else { None },
        "illegal_content_explanation": if illegal { Some(facts.clone()) } else { None },
        "incompatible_content_ground": if illegal { None } else { Some("The instance's rules") },
        "incompatible_content_explanation": if illegal { None } else { Some(facts.clone()) },
        "category": category,
        "content_type": if ids.is_empty() { vec!["CONTENT_TYPE_OTHER"] } else { vec!["CONTENT_TYPE_TEXT"] },
        "content_date": date(s.report_created_at.unwrap_or(s.created_at)),
        "application_date": date(s.created_at),
        "decision_facts": facts,
        "source_type": source,
        "automated_detection": if s.origin.as_deref() == Some("system") { "Yes" } else { "No" },
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "territorial_scope": ["EU"],
        "status_ids": ids.iter().map(i64::to_string).collect::<Vec<_>>(),
    })
}

/// The statements of a period as JSON lines, one per restriction.
pub async fn statements_jsonl(app: &App, tenant: &Tenant, from: i64, to: i64) -> Result<String> {
    let mut c = app.db.conn().await?;
    let mut out = String::new();
    for s in dsa::statements(&mut c, tenant.id, from, to).await? {
        out.push_str(&statement_of_reasons(tenant, &s).to_string());
        out.push('\n');
    }
    Ok(out)
}
