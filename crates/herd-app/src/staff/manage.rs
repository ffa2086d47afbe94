use herd_core::{StaffRole, Timestamp};
use herd_store::staff::{self, StaffRow};

use crate::{Actor, App, Result};

async fn save(app: &App, actor: &Actor, row: StaffRow, action: &str, detail: serde_json::Value, end_sessions: bool) -> Result<StaffRow> {
    let mut tx = app.db.begin().await?;
    staff::update(&mut tx, &row).await?;
    if end_sessions {
        staff::delete_sessions_of(&mut tx, row.id).await?;
    }
    crate::organizations::audit(&mut tx, None, actor, action, &row.email, detail).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn set_role(app: &App, actor: &Actor, row: &StaffRow, role: StaffRole) -> Result<StaffRow> {
    let mut r = row.clone();
    r.role = role.as_str().into();
    r.updated_at = Timestamp::now().0;
    save(
        app,
        actor,
        r,
        "staff.role",
        serde_json::json!({"from": row.role, "to": role.as_str()}),
        true,
    )
    .await
}

/// Signs a staff member out everywhere and refuses their sign-in and API tokens.
pub async fn disable(app: &App, actor: &Actor, row: &StaffRow) -> Result<StaffRow> {
    let mut r = row.clone();
    let now = Timestamp::now().0;
    r.disabled_at = Some(now);
    r.updated_at = now;
    let r = save(app, actor, r, "staff.disable", serde_json::json!({}), true).await?;
    let mut c = app.db.conn().await?;
    staff::revoke_tokens_of(&mut c, r.id, now).await?;
    Ok(r)
}

pub async fn enable(app: &App, actor: &Actor, row: &StaffRow) -> Result<StaffRow> {
    let mut r = row.clone();
    r.disabled_at = None;
    r.updated_at = Timestamp::now().0;
    save(app, actor, r, "staff.enable", serde_json::json!({}), false).await
}

/// Drops a staff member's second factor (a lost phone): their next sign-in enrols a new one.
pub async fn reset_two_factor(app: &App, actor: &Actor, row: &StaffRow) -> Result<StaffRow> {
    let mut r = row.clone();
    r.totp_sealed = None;
    r.totp_enabled_at = None;
    r.recovery_codes = "[]".into();
    r.updated_at = Timestamp::now().0;
    save(app, actor, r, "staff.reset_two_factor", serde_json::json!({}), true).await
}
