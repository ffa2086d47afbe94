use herd_core::{Id, Timestamp};
use herd_store::media::{self, MediaRow};

use super::{ProcessMedia, Upload, image};
use crate::{App, AppError, Result, Tenant};

/// Stores an upload and queues its processing in the same transaction as the row. The
/// returned row is still `processing`; clients poll until it has a URL.
pub async fn upload(
    app: &App,
    tenant: &Tenant,
    account: i64,
    up: Upload,
    description: Option<String>,
    focus: Option<(f64, f64)>,
) -> Result<MediaRow> {
    if up.bytes.is_empty() {
        return Err(AppError::Invalid("Validation failed: File can't be blank".into()));
    }
    if up.bytes.len() as i64 > tenant.row.max_image_bytes {
        return Err(AppError::Invalid(format!(
            "Validation failed: File size must be less than {} bytes",
            tenant.row.max_image_bytes
        )));
    }
    let description = description.unwrap_or_default();
    check_description(&description)?;
    let format = image::sniff(&up.bytes).ok_or_else(|| {
        AppError::Invalid("Validation failed: File content type is not supported (PNG, JPEG, GIF and WebP images are)".into())
    })?;
    let id = Id::generate().0;
    let ext = format.extensions_str().first().copied().unwrap_or("bin");
    // A random folder makes file URLs unguessable, as media of private posts is served
    // without a token (as on Mastodon).
    let key = format!("media/{id}/{}/original.{ext}", herd_core::secret::generate());
    app.files.put(tenant.id, &key, &up.bytes).await?;
    let (fx, fy) = focus.unwrap_or((0.0, 0.0));
    let row = MediaRow {
        id,
        tenant_id: tenant.id.0,
        account_id: account,
        status_id: None,
        position: 0,
        kind: "image".into(),
        state: "processing".into(),
        original_key: key,
        file_key: None,
        thumb_key: None,
        mime: image::mime_of(format).to_string(),
        description,
        focus_x: fx,
        focus_y: fy,
        blurhash: None,
        meta: "{}".into(),
        error: None,
        created_at: Timestamp::now().0,
        remote_url: None,
        scheduled_status_id: None,
    };
    let mut tx = app.db.begin().await?;
    media::insert(&mut tx, tenant.id, &row).await?;
    herd_jobs::enqueue(&mut tx, tenant.id, &ProcessMedia { media_id: id }).await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(row)
}

fn check_description(d: &str) -> Result<()> {
    if d.chars().count() > 1500 {
        return Err(AppError::Invalid(
            "Validation failed: Description is too long (maximum is 1500 characters)".into(),
        ));
    }
    Ok(())
}

/// Changes the description or focus of one's own attachment.
pub async fn describe(
    app: &App,
    tenant: &Tenant,
    account: i64,
    id: i64,
    description: Option<String>,
    focus: Option<(f64, f64)>,
) -> Result<MediaRow> {
    let mut c = app.db.begin().await?;
    let row = media::by_id(&mut c, tenant.id, id)
        .await?
        .filter(|m| m.account_id == account)
        .ok_or(AppError::NotFound("Record not found"))?;
    let d = description.unwrap_or_else(|| row.description.clone());
    check_description(&d)?;
    let f = focus.unwrap_or((row.focus_x, row.focus_y));
    media::describe(&mut c, tenant.id, id, &d, f).await?;
    let row = media::by_id(&mut c, tenant.id, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    c.commit().await?;
    Ok(row)
}

/// Parses Mastodon's focus parameter `"x,y"`, each in -1.0..=1.0.
pub fn parse_focus(s: &str) -> Result<(f64, f64)> {
    let bad = || AppError::Invalid("Validation failed: focus must be two numbers from -1.0 to 1.0, like \"0.5,-0.2\"".into());
    let (x, y) = s.split_once(',').ok_or_else(bad)?;
    let x: f64 = x.trim().parse().map_err(|_| bad())?;
    let y: f64 = y.trim().parse().map_err(|_| bad())?;
    if !(-1.0..=1.0).contains(&x) || !(-1.0..=1.0).contains(&y) {
        return Err(bad());
    }
    Ok((x, y))
}
