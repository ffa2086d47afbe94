//! Moderators' notes on a report or an account, for each other (never shown to the member).

use herd_core::{Id, Permission, Timestamp};
use herd_store::moderation::{self, NoteRow, Subject};
use herd_store::{accounts, reports};

use super::Moderator;
use crate::{App, AppError, Result, Tenant, audit};

pub async fn add_note(app: &App, m: &Moderator, tenant: &Tenant, on: Subject, content: &str) -> Result<NoteRow> {
    m.require(&[Permission::ManageReports, Permission::ManageUsers])?;
    let content = content.trim();
    if content.is_empty() || content.chars().count() > 5000 {
        return Err(AppError::Invalid("Validation failed: content must be 1 to 5000 characters".into()));
    }
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    let (action, target) = match on {
        Subject::Report(id) => {
            reports::by_id(&mut tx, t, id)
                .await?
                .ok_or(AppError::NotFound("Record not found"))?;
            ("report_note.create", id)
        }
        Subject::Account(id) => {
            accounts::by_id(&mut tx, t, id)
                .await
                .map_err(|_| AppError::NotFound("Record not found"))?;
            ("account_note.create", id)
        }
    };
    let id = Id::generate().0;
    let now = Timestamp::now().0;
    moderation::add_note(&mut tx, t, id, on, m.account, content, now).await?;
    audit(
        &mut tx,
        t,
        &m.actor(),
        action,
        &target.to_string(),
        serde_json::json!({"note_id": id.to_string()}),
    )
    .await?;
    let row = moderation::note(&mut tx, t, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    tx.commit().await?;
    Ok(row)
}

/// Deletes a note: its author may, and so may an admin.
pub async fn delete_note(app: &App, m: &Moderator, tenant: &Tenant, id: i64) -> Result<()> {
    m.require(&[Permission::ManageReports, Permission::ManageUsers])?;
    let t = tenant.id;
    let mut tx = app.db.begin().await?;
    let note = moderation::note(&mut tx, t, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    if note.account_id != m.account && !m.role.can(Permission::ManageSettings) {
        return Err(super::not_allowed());
    }
    moderation::delete_note(&mut tx, t, id).await?;
    audit(
        &mut tx,
        t,
        &m.actor(),
        &format!("{}_note.destroy", note.subject),
        &note.subject_id.to_string(),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
