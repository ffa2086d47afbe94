use herd_core::{Id, Timestamp};
use herd_store::emojis::{self, EmojiRow};

use crate::{Actor, App, AppError, Result, Tenant, audit};

/// Adds one of the instance's own emoji from an image file, with an audit record.
pub async fn add(app: &App, actor: &Actor, tenant: &Tenant, shortcode: &str, bytes: Vec<u8>, category: Option<String>) -> Result<EmojiRow> {
    if !super::valid_shortcode(shortcode) {
        return Err(AppError::Invalid(format!(
            "{shortcode:?} is not a shortcode: 2 to 64 letters, digits or underscores"
        )));
    }
    let (original, ext, still) = super::images(bytes).await?;
    let id = Id::generate().0;
    let (file_key, static_key) = (format!("emojis/{id}/image.{ext}"), format!("emojis/{id}/still.png"));
    app.files.put(tenant.id, &file_key, &original).await?;
    app.files.put(tenant.id, &static_key, &still).await?;
    let row = EmojiRow {
        id,
        tenant_id: tenant.id.0,
        shortcode: shortcode.to_string(),
        domain: String::new(),
        file_key: Some(file_key.clone()),
        static_key: Some(static_key.clone()),
        remote_url: None,
        uri: None,
        category: category.filter(|c| !c.trim().is_empty()),
        visible_in_picker: 1,
        created_at: Timestamp::now().0,
    };
    let mut tx = app.db.begin().await?;
    if !emojis::insert(&mut tx, tenant.id, &row).await? {
        drop(tx);
        let _ = app.files.delete_all(tenant.id, &[file_key, static_key]).await;
        return Err(AppError::Invalid(format!("the instance has an emoji :{shortcode}: already")));
    }
    audit(
        &mut tx,
        tenant.id,
        actor,
        "custom_emoji.create",
        shortcode,
        serde_json::json!({"id": id.to_string()}),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Removes one of the instance's own emoji; its files go through the durable job.
pub async fn remove(app: &App, actor: &Actor, tenant: &Tenant, shortcode: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let e = emojis::delete_local(&mut tx, tenant.id, shortcode)
        .await?
        .ok_or_else(|| AppError::Invalid(format!("the instance has no emoji :{shortcode}:")))?;
    let keys: Vec<String> = [e.file_key, e.static_key].into_iter().flatten().collect();
    herd_jobs::enqueue(&mut tx, tenant.id, &crate::files::DeleteFiles { keys }).await?;
    audit(
        &mut tx,
        tenant.id,
        actor,
        "custom_emoji.delete",
        shortcode,
        serde_json::json!({"id": e.id.to_string()}),
    )
    .await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}
