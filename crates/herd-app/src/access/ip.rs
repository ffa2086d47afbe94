//! Staff block an address or network: sign-ups from it need approval
//! (`sign_up_requires_approval`), are refused (`sign_up_block`), or it may not reach the
//! instance at all (`no_access`), optionally for a time (`expires_in`, seconds).

use herd_core::{Cidr, Id, Permission, Timestamp};
use herd_store::StoreError;
use herd_store::access_blocks::{self, IpBlockRow};

use crate::moderation::Moderator;
use crate::{App, AppError, Result, Tenant, audit};

pub const SEVERITIES: [&str; 3] = ["sign_up_requires_approval", "sign_up_block", "no_access"];

#[derive(Debug, Clone, Default)]
pub struct IpBlockParams {
    pub ip: Option<String>,
    pub severity: Option<String>,
    pub comment: Option<String>,
    /// Seconds from now; `Some(None)` clears an expiry on update.
    pub expires_in: Option<Option<i64>>,
}

fn network(s: &str) -> Result<String> {
    Cidr::parse(s)
        .map(|c| c.normalized().to_string())
        .map_err(|why| AppError::Invalid(format!("Validation failed: Ip {why}")))
}

fn severity(s: &str) -> Result<String> {
    if SEVERITIES.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(AppError::Invalid(format!(
            "Validation failed: Severity must be one of {}",
            SEVERITIES.join(", ")
        )))
    }
}

fn expiry(secs: Option<i64>, now: i64) -> Result<Option<i64>> {
    match secs {
        None => Ok(None),
        Some(s) if s > 0 && s <= 10 * 365 * 86_400 => Ok(Some(now + s * 1000)),
        Some(_) => Err(AppError::Invalid(
            "Validation failed: expires_in must be a number of seconds up to ten years".into(),
        )),
    }
}

pub async fn block_ip(app: &App, m: &Moderator, tenant: &Tenant, p: IpBlockParams) -> Result<IpBlockRow> {
    m.require(&[Permission::ManageBlocks])?;
    let now = Timestamp::now().0;
    let row = IpBlockRow {
        id: Id::generate().0,
        ip: network(
            p.ip.as_deref()
                .ok_or(AppError::Invalid("Validation failed: Ip can't be blank".into()))?,
        )?,
        severity: severity(
            p.severity
                .as_deref()
                .ok_or(AppError::Invalid("Validation failed: Severity can't be blank".into()))?,
        )?,
        comment: p.comment.unwrap_or_default().trim().to_string(),
        expires_at: expiry(p.expires_in.flatten(), now)?,
        created_at: now,
        updated_at: now,
    };
    let mut tx = app.db.begin().await?;
    match access_blocks::add_ip(&mut tx, tenant.id, &row).await {
        Err(StoreError::Conflict) => return Err(AppError::Invalid("Validation failed: Ip has already been taken".into())),
        r => r?,
    }
    audit(
        &mut tx,
        tenant.id,
        &m.actor(),
        "ip_block.create",
        &row.ip,
        serde_json::json!({"severity": row.severity, "comment": row.comment}),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn update_ip(app: &App, m: &Moderator, tenant: &Tenant, id: i64, p: IpBlockParams) -> Result<IpBlockRow> {
    m.require(&[Permission::ManageBlocks])?;
    let now = Timestamp::now().0;
    let mut tx = app.db.begin().await?;
    let old = access_blocks::ip(&mut tx, tenant.id, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    let row = IpBlockRow {
        ip: match p.ip {
            Some(ip) => network(&ip)?,
            None => old.ip.clone(),
        },
        severity: match p.severity {
            Some(s) => severity(&s)?,
            None => old.severity.clone(),
        },
        comment: p.comment.map(|c| c.trim().to_string()).unwrap_or(old.comment.clone()),
        expires_at: match p.expires_in {
            Some(secs) => expiry(secs, now)?,
            None => old.expires_at,
        },
        updated_at: now,
        ..old
    };
    match access_blocks::update_ip(&mut tx, tenant.id, &row).await {
        Err(StoreError::Conflict) => return Err(AppError::Invalid("Validation failed: Ip has already been taken".into())),
        r => r?,
    }
    audit(
        &mut tx,
        tenant.id,
        &m.actor(),
        "ip_block.update",
        &row.ip,
        serde_json::json!({"severity": row.severity}),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn unblock_ip(app: &App, m: &Moderator, tenant: &Tenant, id: i64) -> Result<()> {
    m.require(&[Permission::ManageBlocks])?;
    let mut tx = app.db.begin().await?;
    let row = access_blocks::ip(&mut tx, tenant.id, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    access_blocks::remove_ip(&mut tx, tenant.id, id).await?;
    audit(&mut tx, tenant.id, &m.actor(), "ip_block.destroy", &row.ip, serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}
