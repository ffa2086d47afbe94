//! The admin API's entities, as Mastodon 4.5 serializes them (`REST::Admin::*`), and Herd's
//! audit log entry, which Mastodon has no API for.

use herd_app::Tenant;
use herd_app::views::StatusView;
use herd_store::accounts::AccountRow;
use herd_store::audit::AuditRow;
use herd_store::federation_policy::{DomainAllowRow, DomainBlockRow};
use herd_store::moderation::{AppealRow, NoteRow, SeveranceRow, StrikeRow};
use herd_store::reports::ReportRow;
use herd_store::tenants::RuleRow;
use herd_store::users::UserRow;
use serde::Serialize;
use serde_json::{Value, json};

use super::{Account, Rule, Status, account, role_entity, rule, status, time};

#[derive(Serialize)]
pub struct AdminAccount {
    pub id: String,
    pub username: String,
    pub domain: Option<String>,
    pub created_at: String,
    pub email: Option<String>,
    /// The newest address the account signed in from; Herd records none.
    pub ip: Option<String>,
    pub ips: Vec<Value>,
    pub confirmed: bool,
    pub suspended: bool,
    pub silenced: bool,
    pub sensitized: bool,
    pub disabled: bool,
    pub approved: bool,
    pub locale: Option<String>,
    pub invite_request: Option<String>,
    pub role: Option<super::account::Role>,
    pub account: Account,
}

pub fn admin_account(tenant: &Tenant, a: &AccountRow, u: Option<&UserRow>) -> AdminAccount {
    AdminAccount {
        id: a.id.to_string(),
        username: a.username.clone(),
        domain: (!a.domain.is_empty()).then(|| a.domain.clone()),
        created_at: time(a.created_at),
        email: u.map(|u| u.email.clone()),
        ip: None,
        ips: Vec::new(),
        confirmed: u.is_some_and(|u| u.confirmed_at.is_some()),
        suspended: a.suspended_at.is_some(),
        silenced: a.silenced_at.is_some(),
        sensitized: a.sensitized_at.is_some(),
        disabled: u.is_some_and(|u| u.disabled != 0),
        approved: u.is_some_and(|u| u.approved != 0),
        locale: u.map(|u| u.locale.clone()),
        invite_request: None,
        role: u.map(|u| role_entity(herd_core::Role::parse(&u.role).unwrap_or(herd_core::Role::Member))),
        account: account(tenant, a),
    }
}

#[derive(Serialize)]
pub struct AdminReport {
    pub id: String,
    pub action_taken: bool,
    pub action_taken_at: Option<String>,
    pub category: String,
    pub comment: String,
    pub forwarded: bool,
    pub created_at: String,
    pub updated_at: String,
    pub account: AdminAccount,
    pub target_account: AdminAccount,
    pub assigned_account: Option<AdminAccount>,
    pub action_taken_by_account: Option<AdminAccount>,
    pub statuses: Vec<Status>,
    pub rules: Vec<Rule>,
}

/// The accounts and posts a report names, loaded by the route.
pub struct ReportParts<'a> {
    pub accounts: &'a [(AccountRow, Option<UserRow>)],
    pub statuses: &'a [StatusView],
    pub rules: &'a [RuleRow],
}

pub fn admin_report(tenant: &Tenant, r: &ReportRow, parts: &ReportParts<'_>) -> Option<AdminReport> {
    let find = |id: i64| {
        parts
            .accounts
            .iter()
            .find(|(a, _)| a.id == id)
            .map(|(a, u)| admin_account(tenant, a, u.as_ref()))
    };
    let status_ids: Vec<i64> = serde_json::from_str(&r.status_ids).unwrap_or_default();
    let rule_ids: Vec<i64> = serde_json::from_str(&r.rule_ids).unwrap_or_default();
    Some(AdminReport {
        id: r.id.to_string(),
        action_taken: r.action_taken_at.is_some(),
        action_taken_at: r.action_taken_at.map(time),
        category: r.category.clone(),
        comment: r.comment.clone(),
        forwarded: r.forwarded != 0,
        created_at: time(r.created_at),
        updated_at: time(r.updated_at.max(r.created_at)),
        account: find(r.account_id)?,
        target_account: find(r.target_account_id)?,
        assigned_account: r.assigned_account_id.and_then(find),
        action_taken_by_account: r.action_taken_by_account_id.and_then(find),
        statuses: status_ids
            .iter()
            .filter_map(|id| parts.statuses.iter().find(|s| s.row.id == *id))
            .map(|s| status(tenant, s))
            .collect(),
        rules: rule_ids
            .iter()
            .filter_map(|id| parts.rules.iter().find(|x| x.id == *id))
            .map(rule)
            .collect(),
    })
}

#[derive(Serialize)]
pub struct AdminDomainBlock {
    pub id: String,
    pub domain: String,
    pub digest: String,
    pub created_at: String,
    pub severity: String,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub private_comment: Option<String>,
    pub public_comment: Option<String>,
    pub obfuscate: bool,
    /// Herd's: the blocklist subscription that made the block (`null`: a moderator's own).
    pub subscription_id: Option<String>,
}

pub fn admin_domain_block(b: &DomainBlockRow) -> AdminDomainBlock {
    AdminDomainBlock {
        id: b.id.to_string(),
        domain: b.domain.clone(),
        digest: herd_app::federation_policy::digest(&b.domain),
        created_at: time(b.created_at),
        severity: b.severity.clone(),
        reject_media: b.reject_media != 0,
        reject_reports: b.reject_reports != 0,
        private_comment: b.private_comment.clone(),
        public_comment: b.public_comment.clone(),
        obfuscate: b.obfuscate != 0,
        subscription_id: b.subscription_id.map(|s| s.to_string()),
    }
}

/// Herd's blocklist subscription entity.
pub fn blocklist_subscription(s: &herd_store::blocklists::SubscriptionRow) -> Value {
    json!({
        "id": s.id.to_string(),
        "url": s.url,
        "format": s.format,
        "every_seconds": s.every_ms / 1000,
        "last_synced_at": s.last_synced_at.map(time),
        "last_error": s.last_error,
        "created_at": time(s.created_at),
    })
}

/// The public list (`/api/v1/instance/domain_blocks`): limited and suspended servers, the
/// name obfuscated where the block says so.
pub fn public_domain_block(b: &DomainBlockRow) -> Value {
    let domain = if b.obfuscate != 0 {
        herd_app::federation_policy::obfuscate(&b.domain)
    } else {
        b.domain.clone()
    };
    json!({
        "domain": domain,
        "digest": herd_app::federation_policy::digest(&b.domain),
        "severity": b.severity,
        "comment": b.public_comment,
    })
}

pub fn admin_domain_allow(a: &DomainAllowRow) -> Value {
    json!({"id": a.id.to_string(), "domain": a.domain, "created_at": time(a.created_at)})
}

/// Mastodon's AccountWarning entity, as the `moderation_warning` notification carries it.
pub fn account_warning(tenant: &Tenant, s: &StrikeRow, appeal: Option<&AppealRow>, target: &AccountRow) -> Value {
    let ids: Vec<i64> = serde_json::from_str(&s.status_ids).unwrap_or_default();
    json!({
        "id": s.id.to_string(),
        "action": s.action,
        "text": s.text,
        "status_ids": ids.iter().map(i64::to_string).collect::<Vec<_>>(),
        "target_account": account(tenant, target),
        "appeal": appeal.map(|a| json!({
            "text": a.text,
            "state": if a.approved_at.is_some() { "approved" } else if a.rejected_at.is_some() { "rejected" } else { "pending" },
        })),
        "created_at": time(s.created_at),
    })
}

/// Mastodon's RelationshipSeveranceEvent entity.
pub fn severance_event(s: &SeveranceRow) -> Value {
    json!({
        "id": s.id.to_string(),
        "type": s.kind,
        "purged": false,
        "target_name": s.target_name,
        "followers_count": s.followers_count,
        "following_count": s.following_count,
        "created_at": time(s.created_at),
    })
}

pub fn moderation_note(n: &NoteRow) -> Value {
    json!({
        "id": n.id.to_string(),
        "content": n.content,
        "account_id": n.account_id.map(|a| a.to_string()),
        "created_at": time(n.created_at),
    })
}

/// One audit record: who (`account:ID` or `operator:cli`), what, on what, with the details.
pub fn audit_entry(e: &AuditRow) -> Value {
    json!({
        "id": e.id.to_string(),
        "action": e.action,
        "actor": e.actor,
        "account_id": e.actor.strip_prefix("account:"),
        "target": e.target,
        "detail": serde_json::from_str::<Value>(&e.detail).unwrap_or(Value::Null),
        "created_at": time(e.created_at),
    })
}

/// Mastodon's Admin::EmailDomainBlock, with its history of the last seven days.
/// `history`: (block, day, distinct addresses, attempts) rows, of this block or others.
pub fn email_domain_block(b: &herd_store::access_blocks::EmailDomainBlockRow, history: &[(i64, i64, i64, i64)], today: i64) -> Value {
    let days: Vec<Value> = (0..7)
        .map(|back| {
            let day = today - back;
            let (accounts, uses) = history
                .iter()
                .find(|(block, d, _, _)| *block == b.id && *d == day)
                .map(|(_, _, a, u)| (*a, *u))
                .unwrap_or((0, 0));
            json!({"day": (day * 86_400).to_string(), "accounts": accounts.to_string(), "uses": uses.to_string()})
        })
        .collect();
    json!({
        "id": b.id.to_string(),
        "domain": b.domain,
        "created_at": time(b.created_at),
        "history": days,
        "allow_with_approval": b.allow_with_approval != 0,
    })
}

pub fn canonical_email_block(b: &herd_store::access_blocks::CanonicalEmailBlockRow) -> Value {
    json!({"id": b.id.to_string(), "canonical_email_hash": b.canonical_email_hash})
}

pub fn ip_block(b: &herd_store::access_blocks::IpBlockRow) -> Value {
    json!({
        "id": b.id.to_string(),
        "ip": b.ip,
        "severity": b.severity,
        "comment": b.comment,
        "created_at": time(b.created_at),
        "expires_at": b.expires_at.map(time),
    })
}

/// A JSON list of ids as stored, as Mastodon's strings (`null` when empty).
fn ids(stored: &str) -> Value {
    let list: Vec<i64> = serde_json::from_str(stored).unwrap_or_default();
    if list.is_empty() {
        Value::Null
    } else {
        json!(list.iter().map(i64::to_string).collect::<Vec<_>>())
    }
}

/// Mastodon's Report entity (what the reporter and an `admin.report` notification see).
pub fn report(tenant: &Tenant, r: &ReportRow, target: &AccountRow) -> Value {
    json!({
        "id": r.id.to_string(),
        "action_taken": r.action_taken_at.is_some(),
        "action_taken_at": r.action_taken_at.map(time),
        "category": r.category,
        "comment": r.comment,
        "forwarded": r.forwarded != 0,
        "created_at": time(r.created_at),
        "status_ids": ids(&r.status_ids),
        "rule_ids": ids(&r.rule_ids),
        "target_account": account(tenant, target),
    })
}
