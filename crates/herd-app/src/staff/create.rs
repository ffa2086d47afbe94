use herd_core::{Email, Id, StaffRole, Timestamp};
use herd_store::StoreError;
use herd_store::staff::{self, StaffRow};

use crate::auth::password;
use crate::{Actor, App, AppError, Result};

pub struct NewStaff {
    pub email: Email,
    pub name: String,
    pub role: StaffRole,
    /// None: a strong one is generated and returned.
    pub password: Option<String>,
}

/// Adds a staff member; their first sign-in enrols the second factor.
pub async fn create(app: &App, actor: &Actor, n: NewStaff) -> Result<(StaffRow, Option<String>)> {
    let name = n.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::Invalid("a name is 1 to 200 characters".into()));
    }
    let (hash, generated) = password::hash_chosen(n.password).await?;
    let now = Timestamp::now().0;
    let row = StaffRow {
        id: Id::generate().0,
        email: n.email.as_str().to_ascii_lowercase(),
        name,
        role: n.role.as_str().into(),
        password_hash: hash,
        totp_sealed: None,
        totp_enabled_at: None,
        recovery_codes: "[]".into(),
        totp_last_step: 0,
        disabled_at: None,
        last_sign_in_at: None,
        created_at: now,
        updated_at: now,
    };
    let mut tx = app.db.begin().await?;
    match staff::insert(&mut tx, &row).await {
        Err(StoreError::Conflict) => return Err(AppError::Conflict(format!("{} is a staff member already", row.email))),
        r => r?,
    }
    crate::organizations::audit(
        &mut tx,
        None,
        actor,
        "staff.create",
        &row.email,
        serde_json::json!({"role": row.role}),
    )
    .await?;
    tx.commit().await?;
    Ok((row, generated))
}
