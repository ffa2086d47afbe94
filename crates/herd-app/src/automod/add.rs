//! An admin adds an auto-moderation rule (a regular expression is checked to compile, within
//! a size bound, before it is stored).

use herd_core::{Id, Permission, Timestamp};
use herd_store::automod::{self, RuleRow};

use super::Action;
use crate::moderation::Moderator;
use crate::{App, AppError, Result, Tenant, audit};

#[derive(Debug, Clone)]
pub struct NewRule {
    pub kind: String,
    pub pattern: String,
    pub action: String,
    pub scope: String,
}

pub async fn add(app: &App, m: &Moderator, tenant: &Tenant, r: NewRule) -> Result<RuleRow> {
    m.require(&[Permission::ManageSettings, Permission::ManageBlocks])?;
    let pattern = r.pattern.trim().to_string();
    if pattern.is_empty() || pattern.chars().count() > 500 {
        return Err(AppError::Invalid("Validation failed: pattern must be 1 to 500 characters".into()));
    }
    match r.kind.as_str() {
        "keyword" => {}
        "regex" => {
            regex::RegexBuilder::new(&pattern)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| AppError::Invalid(format!("Validation failed: pattern is not a regular expression: {e}")))?;
        }
        "link_domain" => {
            crate::follows::domain_name(&pattern)?;
        }
        other => {
            return Err(AppError::Invalid(format!(
                "Validation failed: kind {other:?} is not keyword, regex or link_domain"
            )));
        }
    }
    if Action::parse(&r.action).is_none() {
        return Err(AppError::Invalid(format!(
            "Validation failed: action {:?} is not flag, hide or reject",
            r.action
        )));
    }
    if !matches!(r.scope.as_str(), "local" | "remote" | "all") {
        return Err(AppError::Invalid(format!(
            "Validation failed: scope {:?} is not local, remote or all",
            r.scope
        )));
    }
    let row = RuleRow {
        id: Id::generate().0,
        kind: r.kind,
        pattern,
        action: r.action,
        scope: r.scope,
        created_at: Timestamp::now().0,
    };
    let mut tx = app.db.begin().await?;
    automod::add(&mut tx, tenant.id, &row).await?;
    audit(
        &mut tx,
        tenant.id,
        &m.actor(),
        "automod_rule.create",
        &row.id.to_string(),
        serde_json::json!({"kind": row.kind, "pattern": row.pattern, "action": row.action, "scope": row.scope}),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}
