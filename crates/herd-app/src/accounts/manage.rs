//! What an instance's operator or admins do to accounts: approve or reject sign-ups, change
//! roles, reset passwords. Each writes an audit record in its transaction.

use herd_core::{Role, Timestamp};
use herd_store::{accounts, oauth, users};

use crate::auth::password;
use crate::{Actor, App, AppError, Result, Tenant, audit};

async fn pending_user(c: &mut herd_store::Conn, tenant: &Tenant, account: i64) -> Result<users::UserRow> {
    let user = users::by_account(c, tenant.id, account)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    if user.approved != 0 {
        return Err(AppError::Invalid("this account is not waiting for approval".into()));
    }
    Ok(user)
}

/// Lets a sign-up waiting for approval in.
pub async fn approve(app: &App, actor: &Actor, tenant: &Tenant, account: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    pending_user(&mut tx, tenant, account).await?;
    users::set_approved(&mut tx, tenant.id, account).await?;
    audit(
        &mut tx,
        tenant.id,
        actor,
        "account.approve",
        &account.to_string(),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Turns a sign-up waiting for approval away: the account and its tokens are deleted.
pub async fn reject(app: &App, actor: &Actor, tenant: &Tenant, account: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let user = pending_user(&mut tx, tenant, account).await?;
    accounts::delete(&mut tx, tenant.id, account).await?;
    audit(
        &mut tx,
        tenant.id,
        actor,
        "account.reject",
        &account.to_string(),
        serde_json::json!({"email": user.email}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Gives a local account another role on this instance.
pub async fn set_role(app: &App, actor: &Actor, tenant: &Tenant, account: i64, role: Role) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let user = users::by_account(&mut tx, tenant.id, account)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    // Its members act as it: a role would lend its powers to whoever an admin adds.
    if herd_store::teams::is_team(&mut tx, tenant.id, account).await? && role != Role::Member {
        return Err(AppError::Invalid("A team account keeps the member role".into()));
    }
    if user.role == Role::Owner.as_str() && role != Role::Owner && users::count_role(&mut tx, tenant.id, Role::Owner.as_str()).await? <= 1 {
        return Err(AppError::Invalid(
            "this is the instance's only owner; make another account owner first".into(),
        ));
    }
    users::set_role(&mut tx, tenant.id, account, role.as_str()).await?;
    audit(
        &mut tx,
        tenant.id,
        actor,
        "account.role",
        &account.to_string(),
        serde_json::json!({"from": user.role, "to": role.as_str()}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password (generated when none is given, and returned) and signs the account
/// out everywhere: every token it held is revoked.
pub async fn reset_password(app: &App, actor: &Actor, tenant: &Tenant, account: i64, new: Option<String>) -> Result<Option<String>> {
    let (hash, generated) = password::hash_chosen(new).await?;
    let mut tx = app.db.begin().await?;
    users::by_account(&mut tx, tenant.id, account)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    users::set_password(&mut tx, tenant.id, account, &hash).await?;
    oauth::revoke_all_for(&mut tx, tenant.id, account, Timestamp::now().0).await?;
    audit(
        &mut tx,
        tenant.id,
        actor,
        "account.reset_password",
        &account.to_string(),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(generated)
}
