use herd_core::{Email, Id, Role, Timestamp, Username};
use herd_store::accounts::{self, AccountRow};
use herd_store::users;

use crate::auth::password;
use crate::{Actor, App, AppError, Result, Tenant, audit};

pub struct NewLocalAccount {
    pub username: Username,
    pub email: Email,
    /// `None` makes a random password, returned to the caller once.
    pub password: Option<String>,
    pub role: Role,
    /// False while an admin has yet to approve a sign-up.
    pub approved: bool,
    pub confirmed: bool,
    pub locale: String,
    pub reason: String,
    /// A team account: nobody signs in with a password; its team's members act as it
    /// (`crate::teams`).
    pub team: bool,
}

/// Creates a local account with its sign-in identity. Returns the account and, when none was
/// given, the generated password.
pub async fn create(app: &App, tenant: &Tenant, actor: &Actor, n: NewLocalAccount) -> Result<(AccountRow, Option<String>)> {
    let (hash, generated) = password::hash_chosen(n.password).await?;
    let now = Timestamp::now().0;
    let account_id = Id::generate().0;
    let mut tx = app.db.begin().await?;
    // In the write transaction: two sign-ups at once cannot both take the last place.
    crate::entitlements::check_new_account(app, &mut tx, tenant).await?;
    if accounts::by_username(&mut tx, tenant.id, n.username.as_str(), "").await?.is_some() {
        return Err(AppError::Invalid("Validation failed: Username has already been taken".into()));
    }
    if users::by_email(&mut tx, tenant.id, n.email.as_str()).await?.is_some() {
        return Err(AppError::Invalid("Validation failed: Email has already been taken".into()));
    }
    accounts::insert_local(&mut tx, tenant.id, account_id, n.username.as_str(), now).await?;
    users::insert(
        &mut tx,
        tenant.id,
        users::NewUser {
            id: Id::generate().0,
            account_id,
            email: n.email.as_str(),
            password_hash: (!n.team).then_some(hash.as_str()),
            role: n.role.as_str(),
            approved: n.approved,
            confirmed_at: n.confirmed.then_some(now),
            locale: &n.locale,
            reason: &n.reason,
            now,
        },
    )
    .await?;
    if n.team {
        herd_store::teams::create(&mut tx, tenant.id, account_id, now).await?;
    }
    if matches!(actor, Actor::Operator) || n.role != Role::Member || n.team {
        audit(
            &mut tx,
            tenant.id,
            actor,
            if n.team { "team.create" } else { "account.create" },
            n.username.as_str(),
            serde_json::json!({"role": n.role.as_str()}),
        )
        .await?;
    }
    let row = accounts::by_id(&mut tx, tenant.id, account_id).await?;
    tx.commit().await?;
    Ok((row, if n.team { None } else { generated }))
}
