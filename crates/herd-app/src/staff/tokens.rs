use herd_core::{Id, Timestamp, secret};
use herd_store::staff;

use super::Staff;
use crate::{Actor, App, AppError, Result};

/// A token for the provider API, acting as `s`; shown once, kept as its digest.
pub async fn issue_token(app: &App, actor: &Actor, s: &Staff, name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::Invalid("a token's name is 1 to 100 characters".into()));
    }
    let token = secret::generate();
    let mut tx = app.db.begin().await?;
    staff::insert_token(
        &mut tx,
        Id::generate().0,
        s.row.id,
        name,
        &secret::digest(&token),
        Timestamp::now().0,
    )
    .await?;
    crate::organizations::audit(&mut tx, None, actor, "staff.token", &s.row.email, serde_json::json!({"name": name})).await?;
    tx.commit().await?;
    Ok(token)
}

/// The staff member a provider API token acts as.
pub async fn authenticate_token(app: &App, token: &str) -> Result<Staff> {
    let invalid = || AppError::Unauthorized("The access token is invalid".into());
    let mut c = app.db.conn().await?;
    let (_, staff_id) = staff::token(&mut c, &secret::digest(token)).await?.ok_or_else(invalid)?;
    let row = staff::by_id(&mut c, staff_id).await?.ok_or_else(invalid)?;
    if row.disabled_at.is_some() {
        return Err(invalid());
    }
    Staff::from_row(row)
}
