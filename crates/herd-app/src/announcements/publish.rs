use herd_core::{Id, Timestamp};
use herd_store::announcements::{self, AnnouncementRow};

use crate::{Actor, App, AppError, Result, Tenant, audit};

/// What staff write: the text (links, mentions and hashtags rendered as in posts) and,
/// optionally, when the event it announces starts and ends.
#[derive(Debug, Clone, Default)]
pub struct NewAnnouncement {
    pub text: String,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub all_day: bool,
}

async fn checked(app: &App, tenant: &Tenant, a: &NewAnnouncement) -> Result<String> {
    let text = a.text.trim();
    if text.is_empty() || text.chars().count() > 5000 {
        return Err(AppError::Invalid("an announcement needs 1 to 5000 characters of text".into()));
    }
    if let (Some(s), Some(e)) = (a.starts_at, a.ends_at)
        && e < s
    {
        return Err(AppError::Invalid("an announcement cannot end before it starts".into()));
    }
    let mut c = app.db.conn().await?;
    let (html, _, _) = crate::accounts::render_text(&mut c, tenant, text).await?;
    Ok(html)
}

/// Publishes an announcement to the instance's members; its id.
pub async fn publish(app: &App, actor: &Actor, tenant: &Tenant, a: NewAnnouncement) -> Result<i64> {
    let html = checked(app, tenant, &a).await?;
    let now = Timestamp::now().0;
    let row = AnnouncementRow {
        id: Id::generate().0,
        tenant_id: tenant.id.0,
        text: a.text.trim().to_string(),
        content_html: html,
        starts_at: a.starts_at,
        ends_at: a.ends_at,
        all_day: i64::from(a.all_day),
        published_at: now,
        created_at: now,
        updated_at: now,
    };
    let mut tx = app.db.begin().await?;
    announcements::insert(&mut tx, tenant.id, &row).await?;
    audit(
        &mut tx,
        tenant.id,
        actor,
        "announcement.create",
        &row.id.to_string(),
        serde_json::json!({"text": row.text}),
    )
    .await?;
    tx.commit().await?;
    Ok(row.id)
}

/// Changes an announcement; members see it as unread again.
pub async fn update(app: &App, actor: &Actor, tenant: &Tenant, id: i64, a: NewAnnouncement) -> Result<()> {
    let html = checked(app, tenant, &a).await?;
    let mut tx = app.db.begin().await?;
    let mut row = announcements::by_id(&mut tx, tenant.id, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    row.text = a.text.trim().to_string();
    row.content_html = html;
    row.starts_at = a.starts_at;
    row.ends_at = a.ends_at;
    row.all_day = i64::from(a.all_day);
    row.updated_at = Timestamp::now().0;
    announcements::update(&mut tx, tenant.id, &row).await?;
    audit(
        &mut tx,
        tenant.id,
        actor,
        "announcement.update",
        &id.to_string(),
        serde_json::json!({"text": row.text}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete(app: &App, actor: &Actor, tenant: &Tenant, id: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    if !announcements::delete(&mut tx, tenant.id, id).await? {
        return Err(AppError::NotFound("Record not found"));
    }
    audit(
        &mut tx,
        tenant.id,
        actor,
        "announcement.delete",
        &id.to_string(),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
