//! A moderator limits or suspends another server for the whole instance (Mastodon's domain
//! block). Suspending takes effect at once: the node's policy is dropped at commit, so no
//! delivery goes there and nothing from there is accepted; its accounts are suspended here and
//! every follow between them and the instance's members is severed, each member told in a
//! `severed_relationships` notification. Limiting marks its accounts limited. Lifting a block
//! lifts what the block did, and only that.

use std::collections::HashMap;

use herd_core::{BlockSeverity, Id, Timestamp};
use herd_store::federation_policy::{self, DomainBlockRow};
use herd_store::moderation::{self, Restriction, SeveranceRow};
use herd_store::{Conn, StoreError, TenantId, accounts};

use crate::{Actor, App, AppError, Result, Tenant, audit, follows, notifications};

/// What a moderator sets on a block.
#[derive(Debug, Clone)]
pub struct BlockParams {
    pub severity: BlockSeverity,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub private_comment: Option<String>,
    pub public_comment: Option<String>,
    pub obfuscate: bool,
}

fn comment(s: &Option<String>) -> Result<Option<String>> {
    match s.as_deref().map(str::trim) {
        Some(c) if c.chars().count() > 1000 => Err(AppError::Invalid("Validation failed: comment is too long".into())),
        Some("") | None => Ok(None),
        Some(c) => Ok(Some(c.to_string())),
    }
}

/// Blocks `name`. A domain already blocked is a 422 naming the existing block, as Mastodon's
/// `ExistingDomainBlockError`.
pub async fn create(app: &App, actor: &Actor, tenant: &Tenant, name: &str, p: BlockParams) -> Result<DomainBlockRow> {
    let domain = follows::domain_name(name)?;
    if domain == tenant.domain.as_str() || domain == tenant.handle_domain() {
        return Err(AppError::Invalid("Validation failed: this is your own server".into()));
    }
    let now = Timestamp::now().0;
    let row = DomainBlockRow {
        id: Id::generate().0,
        domain: domain.clone(),
        severity: p.severity.as_str().into(),
        reject_media: i64::from(p.reject_media),
        reject_reports: i64::from(p.reject_reports),
        private_comment: comment(&p.private_comment)?,
        public_comment: comment(&p.public_comment)?,
        obfuscate: i64::from(p.obfuscate),
        created_at: now,
        updated_at: now,
        subscription_id: None,
    };
    let mut tx = app.db.begin().await?;
    match federation_policy::insert_block(&mut tx, tenant.id, &row).await {
        Err(StoreError::Conflict) => {
            return Err(AppError::Invalid(format!(
                "Validation failed: {domain} is already blocked; change the existing block instead"
            )));
        }
        r => r?,
    }
    apply(&mut tx, tenant, &row, None, now).await?;
    audit(&mut tx, tenant.id, actor, "domain_block.create", &domain, detail(&row)).await?;
    tx.commit().await?;
    Ok(row)
}

/// Changes a block; moving between severities applies or lifts what each does.
pub async fn update(app: &App, actor: &Actor, tenant: &Tenant, id: i64, p: BlockParams) -> Result<DomainBlockRow> {
    let mut tx = app.db.begin().await?;
    let old = federation_policy::block(&mut tx, tenant.id, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    let now = Timestamp::now().0;
    let row = DomainBlockRow {
        severity: p.severity.as_str().into(),
        reject_media: i64::from(p.reject_media),
        reject_reports: i64::from(p.reject_reports),
        private_comment: comment(&p.private_comment)?,
        public_comment: comment(&p.public_comment)?,
        obfuscate: i64::from(p.obfuscate),
        updated_at: now,
        // A moderator's change makes the block theirs: no subscription changes it again.
        subscription_id: None,
        ..old.clone()
    };
    federation_policy::update_block(&mut tx, tenant.id, &row).await?;
    apply(&mut tx, tenant, &row, Some(&old), now).await?;
    audit(&mut tx, tenant.id, actor, "domain_block.update", &row.domain, detail(&row)).await?;
    tx.commit().await?;
    Ok(row)
}

/// Removes a block and lifts what it did to the server's accounts.
pub async fn remove(app: &App, actor: &Actor, tenant: &Tenant, id: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let old = federation_policy::block(&mut tx, tenant.id, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    federation_policy::delete_block(&mut tx, tenant.id, id).await?;
    let accounts = moderation::accounts_of_domain(&mut tx, tenant.id, &old.domain).await?;
    lift(&mut tx, tenant.id, &accounts, &old.severity, old.created_at).await?;
    audit(&mut tx, tenant.id, actor, "domain_block.destroy", &old.domain, detail(&old)).await?;
    tx.commit().await?;
    Ok(())
}

fn detail(b: &DomainBlockRow) -> serde_json::Value {
    serde_json::json!({
        "severity": b.severity,
        "reject_media": b.reject_media != 0,
        "reject_reports": b.reject_reports != 0,
        "private_comment": b.private_comment,
        "public_comment": b.public_comment,
    })
}

pub(crate) async fn lift(c: &mut Conn, t: TenantId, accounts: &[i64], severity: &str, since: i64) -> Result<()> {
    match severity {
        "suspend" => moderation::restrict_domain(c, t, accounts, Restriction::Suspended, None, since).await?,
        "silence" => moderation::restrict_domain(c, t, accounts, Restriction::Silenced, None, since).await?,
        _ => 0,
    };
    Ok(())
}

/// Does to the server's accounts what the block's severity says, undoing the old one's.
pub(crate) async fn apply(c: &mut Conn, tenant: &Tenant, row: &DomainBlockRow, old: Option<&DomainBlockRow>, now: i64) -> Result<()> {
    let t = tenant.id;
    let accounts = moderation::accounts_of_domain(c, t, &row.domain).await?;
    if let Some(old) = old
        && old.severity != row.severity
    {
        lift(c, t, &accounts, &old.severity, old.created_at).await?;
    }
    match row.severity.as_str() {
        "suspend" => {
            moderation::restrict_domain(c, t, &accounts, Restriction::Suspended, Some(now), now).await?;
            sever(c, tenant, &row.domain, &accounts, now).await?;
        }
        "silence" => {
            moderation::restrict_domain(c, t, &accounts, Restriction::Silenced, Some(now), now).await?;
        }
        _ => {}
    }
    Ok(())
}

/// Ends every follow and request between members and the server's accounts, telling each
/// member how many they lost.
async fn sever(c: &mut Conn, tenant: &Tenant, domain: &str, remote: &[i64], now: i64) -> Result<()> {
    let t = tenant.id;
    let remote_set: std::collections::HashSet<i64> = remote.iter().copied().collect();
    // member -> (followers lost, following lost)
    let mut lost: HashMap<i64, (i64, i64)> = HashMap::new();
    for (from, to, request) in moderation::edges_with(c, t, remote).await? {
        let edge = if request {
            herd_store::relationships::Edge::FollowRequest
        } else {
            herd_store::relationships::Edge::Follow
        };
        if !herd_store::relationships::remove(c, t, edge, from, to).await? || request {
            continue;
        }
        follows::bump_counts(c, t, from, to, -1).await?;
        if remote_set.contains(&from) && !remote_set.contains(&to) {
            lost.entry(to).or_default().0 += 1;
        } else if remote_set.contains(&to) && !remote_set.contains(&from) {
            lost.entry(from).or_default().1 += 1;
        }
    }
    let members: Vec<i64> = lost.keys().copied().collect();
    let local: std::collections::HashSet<i64> = accounts::by_ids(c, t, &members)
        .await?
        .into_iter()
        .filter(|a| a.domain.is_empty())
        .map(|a| a.id)
        .collect();
    for (member, (followers, following)) in lost {
        if !local.contains(&member) {
            continue;
        }
        let s = SeveranceRow {
            id: Id::generate().0,
            account_id: member,
            kind: "domain_block".into(),
            target_name: domain.to_string(),
            followers_count: followers,
            following_count: following,
            created_at: now,
        };
        moderation::add_severance(c, t, &s).await?;
        notifications::notify_about(c, t, member, member, "severed_relationships", s.id).await?;
    }
    Ok(())
}
