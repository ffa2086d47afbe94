use herd_core::{Id, Timestamp};
use herd_store::accounts::{self, AccountRow, ProfileChange};
use herd_store::relationships;

use crate::media::{self, Upload};
use crate::{App, AppError, Result, Tenant, follows};

#[derive(Default)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    pub note: Option<String>,
    pub fields: Option<Vec<(String, String)>>,
    pub avatar: Option<Upload>,
    pub header: Option<Upload>,
    pub locked: Option<bool>,
    pub bot: Option<bool>,
    pub discoverable: Option<bool>,
    pub indexable: Option<bool>,
    /// Posting defaults (`source[privacy]`, `source[sensitive]`, `source[language]`; an
    /// empty language clears it).
    pub default_visibility: Option<herd_core::Visibility>,
    pub default_sensitive: Option<bool>,
    pub default_language: Option<String>,
    /// Who may quote new posts (`source[quote_policy]`).
    pub default_quote_policy: Option<herd_core::QuotePolicy>,
}

const MAX_FIELDS: usize = 4;

/// Changes the signed-in account's profile. Unlocking accepts waiting follow requests, as
/// Mastodon does.
pub async fn update_profile(app: &App, tenant: &Tenant, account: i64, u: ProfileUpdate) -> Result<AccountRow> {
    if let Some(d) = &u.display_name
        && d.chars().count() > 30
    {
        return Err(AppError::Invalid(
            "Validation failed: Display name is too long (maximum is 30 characters)".into(),
        ));
    }
    if let Some(n) = &u.note
        && n.chars().count() > 500
    {
        return Err(AppError::Invalid(
            "Validation failed: Note is too long (maximum is 500 characters)".into(),
        ));
    }
    if let Some(f) = &u.fields {
        if f.len() > MAX_FIELDS {
            return Err(AppError::Invalid(format!("Validation failed: at most {MAX_FIELDS} profile fields")));
        }
        if f.iter().any(|(n, v)| n.chars().count() > 255 || v.chars().count() > 2047) {
            return Err(AppError::Invalid("Validation failed: a profile field is too long".into()));
        }
    }
    let language = match u.default_language.as_deref().map(str::trim) {
        Some("") => Some(None),
        Some(l) if l.len() <= 16 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => Some(Some(l.to_string())),
        Some(_) => return Err(AppError::Invalid("Validation failed: Language is not a valid language code".into())),
        None => None,
    };
    let mut change = ProfileChange {
        display_name: u.display_name.map(|d| d.trim().to_string()),
        locked: u.locked,
        bot: u.bot,
        discoverable: u.discoverable,
        indexable: u.indexable,
        ..Default::default()
    };
    // Images are processed before the transaction; a failure changes nothing.
    let mut written = Vec::new();
    for (upload, kind) in [(u.avatar, "avatar"), (u.header, "header")] {
        let Some(upload) = upload else { continue };
        if upload.bytes.len() as i64 > tenant.row.max_image_bytes {
            return Err(AppError::Invalid(format!(
                "Validation failed: {kind} must be smaller than {} bytes",
                tenant.row.max_image_bytes
            )));
        }
        let _turn = app.image_permit().await?;
        let (w, h) = if kind == "avatar" { (400, 400) } else { (1500, 500) };
        let (bytes, ext) = media::image::cropped(upload.bytes, tenant.row.max_image_pixels as u64, w, h).await?;
        let key = format!(
            "accounts/{account}/{kind}-{}-{}.{ext}",
            Id::generate(),
            &herd_core::secret::generate()[..16]
        );
        app.files.put(tenant.id, &key, &bytes).await?;
        written.push(key.clone());
        if kind == "avatar" {
            change.avatar_key = Some(key);
        } else {
            change.header_key = Some(key);
        }
    }
    let mut tx = app.db.begin().await?;
    if let Some(note) = &u.note {
        let (html, _, _) = super::render_text(&mut tx, tenant, note).await?;
        change.note = Some(note.clone());
        change.note_html = Some(html);
    }
    if let Some(fields) = &u.fields {
        let json: Vec<serde_json::Value> = fields
            .iter()
            .filter(|(n, v)| !n.trim().is_empty() || !v.trim().is_empty())
            .map(|(n, v)| serde_json::json!({"name": n.trim(), "value": v.trim()}))
            .collect();
        change.fields = Some(serde_json::Value::Array(json).to_string());
    }
    let before = accounts::by_id(&mut tx, tenant.id, account).await?;
    accounts::update_profile(&mut tx, tenant.id, account, &change, Timestamp::now().0).await?;
    if before.locked != 0 && u.locked == Some(false) {
        for req in relationships::pending_requests(&mut tx, tenant.id, account).await? {
            follows::accept(&mut tx, tenant.id, account, req.account_id).await?;
            let follower = accounts::by_id(&mut tx, tenant.id, req.account_id).await?;
            if crate::federation::outgoing::is_remote(&follower) {
                crate::federation::outgoing::answer_follow(&mut tx, tenant, &before, &follower, None, true).await?;
            }
        }
    }
    if u.default_visibility.is_some() || u.default_sensitive.is_some() || language.is_some() {
        herd_store::users::set_defaults(
            &mut tx,
            tenant.id,
            account,
            u.default_visibility.map(|v| v.as_str()),
            u.default_sensitive,
            language.as_ref().map(|l| l.as_deref()),
        )
        .await?;
    }
    if let Some(policy) = u.default_quote_policy {
        herd_store::users::set_quote_policy(&mut tx, tenant.id, account, policy.as_str()).await?;
    }
    let after = accounts::by_id(&mut tx, tenant.id, account).await?;
    herd_jobs::enqueue(&mut tx, tenant.id, &crate::federation::outgoing::ProfileChanged { account }).await?;
    if after.fields != before.fields {
        // Links taken off the profile lose their mark at once; new ones are checked.
        let kept: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&before.verified_links)
                .unwrap_or_default()
                .into_iter()
                .filter(|(url, _)| {
                    herd_core::content::profile_fields(&after.fields)
                        .iter()
                        .any(|(_, v)| v.trim() == url)
                })
                .collect();
        accounts::set_verified_links(&mut tx, tenant.id, account, &serde_json::Value::Object(kept).to_string()).await?;
        herd_jobs::enqueue(&mut tx, tenant.id, &super::VerifyLinks { account }).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    // The replaced images are no longer referenced.
    let old: Vec<String> = [(before.avatar_key, &after.avatar_key), (before.header_key, &after.header_key)]
        .into_iter()
        .filter_map(|(old, new)| old.filter(|o| Some(o) != new.as_ref()))
        .collect();
    if !old.is_empty() {
        let _ = app.files.delete_all(tenant.id, &old).await;
    }
    Ok(after)
}
