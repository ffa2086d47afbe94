use herd_core::Id;
use herd_store::lists;
use herd_store::relationships;

use super::owned;
use crate::{App, AppError, Result, Tenant};

/// The most accounts one list holds.
const MAX_MEMBERS: usize = 1000;

/// Adds accounts `owner` follows to one of its lists; all or none.
pub async fn add_members(app: &App, tenant: &Tenant, owner: i64, id: i64, accounts: &[i64]) -> Result<()> {
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    let list = owned(&mut tx, t, owner, id).await?;
    let known = herd_store::accounts::by_ids(&mut tx, t, accounts).await?;
    let following = relationships::following_ids(&mut tx, t, owner).await?;
    let mut rows = Vec::with_capacity(accounts.len());
    for a in accounts {
        if !known.iter().any(|k| k.id == *a) {
            return Err(AppError::NotFound("Record not found"));
        }
        if !following.contains(a) {
            return Err(AppError::Invalid(
                "Validation failed: only accounts you follow can be added to a list".into(),
            ));
        }
        rows.push((Id::generate().0, *a));
    }
    let all = herd_store::Page {
        limit: 0,
        ..Default::default()
    };
    let present = lists::members(&mut tx, t, list.id, &all).await?;
    let new = rows.iter().filter(|(_, a)| !present.iter().any(|(_, p)| p == a)).count();
    if present.len() + new > MAX_MEMBERS {
        return Err(AppError::Invalid(format!(
            "Validation failed: a list holds at most {MAX_MEMBERS} accounts"
        )));
    }
    lists::add_members(&mut tx, t, &list, &rows).await?;
    tx.commit().await?;
    Ok(())
}

/// Takes accounts off one of `owner`'s lists (those not on it are ignored).
pub async fn remove_members(app: &App, tenant: &Tenant, owner: i64, id: i64, accounts: &[i64]) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let list = owned(&mut tx, tenant.id, owner, id).await?;
    lists::remove_members(&mut tx, tenant.id, &list, accounts).await?;
    tx.commit().await?;
    Ok(())
}
