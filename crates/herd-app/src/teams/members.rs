//! Who may act as a team account: added and removed by the instance's owners and admins,
//! each change in the audit log.

use herd_core::Timestamp;
use herd_store::{accounts, teams, users};

use crate::{Actor, App, AppError, Result, Tenant, audit};

async fn team_and_member(c: &mut herd_store::Conn, tenant: &Tenant, team: i64, member: &str) -> Result<(i64, i64)> {
    if !teams::is_team(c, tenant.id, team).await? {
        return Err(AppError::NotFound("Record not found"));
    }
    let name = member.trim().trim_start_matches('@');
    let account = accounts::by_username(c, tenant.id, name, "")
        .await?
        .ok_or_else(|| AppError::Invalid(format!("There is no account @{name} on this instance")))?;
    if users::by_account(c, tenant.id, account.id).await?.is_none() || teams::is_team(c, tenant.id, account.id).await? {
        return Err(AppError::Invalid(format!(
            "@{name} cannot act as a team: only people's own accounts can"
        )));
    }
    Ok((team, account.id))
}

pub async fn add_member(app: &App, actor: &Actor, tenant: &Tenant, team: i64, member: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let (team, member) = team_and_member(&mut tx, tenant, team, member).await?;
    if !teams::add_member(&mut tx, tenant.id, team, member, Timestamp::now().0).await? {
        return Err(AppError::Invalid("That account is a member of this team already".into()));
    }
    audit(
        &mut tx,
        tenant.id,
        actor,
        "team.member.add",
        &team.to_string(),
        serde_json::json!({"member": member.to_string()}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_member(app: &App, actor: &Actor, tenant: &Tenant, team: i64, member: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let (team, member) = team_and_member(&mut tx, tenant, team, member).await?;
    if !teams::remove_member(&mut tx, tenant.id, team, member, Timestamp::now().0).await? {
        return Err(AppError::NotFound("Record not found"));
    }
    audit(
        &mut tx,
        tenant.id,
        actor,
        "team.member.remove",
        &team.to_string(),
        serde_json::json!({"member": member.to_string()}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
