//! The provider's staff: operators, moderators and support agents. They are not accounts of
//! any instance; they sign in on the operator's admin domain with a password and a second
//! factor (TOTP, required: the first sign-in enrols it), hold browser sessions in secure
//! cookies and API tokens for `/api/herd/v1`. Every change is in the provider audit log.

mod create;
mod manage;
mod sign_in;
mod tokens;

pub use crate::two_factor::Enrolment;
pub use create::{NewStaff, create};
pub use manage::{disable, enable, reset_two_factor, set_role};
pub use sign_in::{SignedIn, confirm_enrolment, enrol, second_factor, sign_in, sign_out};
pub use tokens::{authenticate_token, issue_token};

use herd_core::{StaffRole, Timestamp};
use herd_store::staff::{self, StaffRow};

use crate::{App, AppError, Result};

/// A signed-in staff member.
#[derive(Debug, Clone)]
pub struct Staff {
    pub row: StaffRow,
    pub role: StaffRole,
}

impl Staff {
    pub fn from_row(row: StaffRow) -> Result<Staff> {
        let role = StaffRole::parse(&row.role).map_err(|e| AppError::Internal(format!("stored staff role: {e}")))?;
        Ok(Staff { row, role })
    }

    pub fn actor(&self) -> crate::Actor {
        crate::Actor::Staff(self.row.id)
    }

    /// Refuses anyone but an operator.
    pub fn require_operator(&self) -> Result<()> {
        if self.role != StaffRole::Operator {
            return Err(AppError::Forbidden("This action is not allowed".into()));
        }
        Ok(())
    }
}

/// How long a browser session lasts, and how long the step between password and second
/// factor may take.
pub const SESSION_MS: i64 = 12 * 3_600_000;
pub const PENDING_MS: i64 = 10 * 60_000;

/// The session a cookie names: the staff member and whether the second factor was given.
pub async fn session(app: &App, token: &str) -> Result<Option<(Staff, bool)>> {
    let mut c = app.db.conn().await?;
    let Some((_, staff_id, stage)) = staff::session(&mut c, &herd_core::secret::digest(token), Timestamp::now().0).await? else {
        return Ok(None);
    };
    let Some(row) = staff::by_id(&mut c, staff_id).await? else {
        return Ok(None);
    };
    if row.disabled_at.is_some() {
        return Ok(None);
    }
    Ok(Some((Staff::from_row(row)?, stage == "full")))
}

/// A staff member by e-mail, for the command line.
pub async fn by_email(app: &App, email: &str) -> Result<StaffRow> {
    let mut c = app.db.conn().await?;
    staff::by_email(&mut c, &email.trim().to_ascii_lowercase())
        .await?
        .ok_or_else(|| AppError::Invalid(format!("no staff member {email:?}; see `herd staff list`")))
}
