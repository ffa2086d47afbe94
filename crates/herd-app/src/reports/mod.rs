//! Reports an instance's own accounts file (`POST /api/v1/reports`), into the instance's
//! report queue; reports other servers send arrive as `Flag` (see `federation::inbox`),
//! visitors' notices through `dsa`, automatic ones through `automod`. Every report enters
//! the queue through [`open`], which tells the staff who work reports (`admin.report`).

mod file;

pub use file::{NewUserReport, file};

use herd_core::{Permission, Role};
use herd_store::reports::{self, NewReport};
use herd_store::{Conn, TenantId, users};

use crate::Result;

/// Puts a report in the queue and notifies every staff member who may work it.
pub(crate) async fn open(c: &mut Conn, t: TenantId, r: NewReport<'_>) -> Result<()> {
    let (id, reporter, target) = (r.id, r.reporter, r.target);
    reports::insert(c, t, r).await?;
    let roles: Vec<&str> = Role::ALL
        .iter()
        .filter(|r| r.can(Permission::ManageReports))
        .map(|r| r.as_str())
        .collect();
    for staff in users::with_roles(c, t, &roles).await? {
        if staff != target && staff != reporter {
            crate::notifications::notify_about(c, t, staff, reporter, "admin.report", id).await?;
        }
    }
    Ok(())
}
