use herd_core::{Email, Id, RegistrationMode, Timestamp};
use herd_store::tenants::{self, SettingsChange};

use crate::{Actor, App, AppError, Result, Tenant, audit};

/// Settings an operator or admin may change; `None` keeps a value.
#[derive(Debug, Default)]
pub struct TenantSettings {
    pub title: Option<String>,
    pub description: Option<String>,
    pub contact_email: Option<Email>,
    pub languages: Option<Vec<String>>,
    pub registrations: Option<RegistrationMode>,
    pub max_post_chars: Option<i64>,
    pub max_media_attachments: Option<i64>,
    pub max_image_bytes: Option<i64>,
    /// The largest remote video or audio file copied here (larger ones are shown from the
    /// remote server).
    pub max_video_bytes: Option<i64>,
    /// The organization's main domain for handles (`@alice@org.example`) while Herd serves a
    /// subdomain (Mastodon's LOCAL_DOMAIN); `Some(None)` clears it. Set it before the
    /// instance federates: other servers remember handles.
    pub local_domain: Option<Option<herd_core::Domain>>,
    /// Serve ActivityPub documents only to signed requests.
    pub authorized_fetch: Option<bool>,
    /// The privacy policy and the legal notice (imprint) the public pages show, as plain
    /// text with blank lines between paragraphs.
    pub privacy_policy: Option<String>,
    pub imprint: Option<String>,
}

fn within(name: &str, v: Option<i64>, lo: i64, hi: i64) -> Result<Option<i64>> {
    match v {
        Some(n) if !(lo..=hi).contains(&n) => Err(AppError::Invalid(format!("{name} must be from {lo} to {hi}, not {n}"))),
        v => Ok(v),
    }
}

/// Changes an instance's settings, with an audit record.
pub async fn configure(app: &App, actor: &Actor, tenant: &Tenant, s: TenantSettings) -> Result<Tenant> {
    if let Some(t) = &s.title
        && (t.trim().is_empty() || t.chars().count() > 100)
    {
        return Err(AppError::Invalid("title must be 1 to 100 characters".into()));
    }
    if s.description.as_ref().is_some_and(|d| d.chars().count() > 5000) {
        return Err(AppError::Invalid("description must be at most 5000 characters".into()));
    }
    for (name, text) in [("privacy_policy", &s.privacy_policy), ("imprint", &s.imprint)] {
        if text.as_ref().is_some_and(|t| t.chars().count() > 100_000) {
            return Err(AppError::Invalid(format!("{name} must be at most 100000 characters")));
        }
    }
    let languages = match &s.languages {
        Some(l) => {
            let ok = !l.is_empty()
                && l.iter()
                    .all(|c| !c.is_empty() && c.len() <= 16 && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-'));
            if !ok {
                return Err(AppError::Invalid("languages must be language codes such as en,de".into()));
            }
            Some(serde_json::to_string(l).map_err(|e| AppError::Internal(e.to_string()))?)
        }
        None => None,
    };
    let change = SettingsChange {
        title: s.title.map(|t| t.trim().to_string()),
        description: s.description,
        contact_email: s.contact_email.map(|e| e.as_str().to_string()),
        languages,
        registrations: s.registrations.map(|r| r.as_str().to_string()),
        max_post_chars: within("max_post_chars", s.max_post_chars, 1, 100_000)?,
        max_media_attachments: within("max_media_attachments", s.max_media_attachments, 0, 16)?,
        max_image_bytes: within("max_image_bytes", s.max_image_bytes, 1024, 100 << 20)?,
        max_video_bytes: within("max_video_bytes", s.max_video_bytes, 0, 1 << 30)?,
        local_domain: s.local_domain.map(|d| d.map(|d| d.as_str().to_string())),
        authorized_fetch: s.authorized_fetch,
        privacy_policy: s.privacy_policy,
        imprint: s.imprint,
    };
    let mut tx = app.db.begin().await?;
    tenants::update_settings(&mut tx, tenant.id, &change, Timestamp::now().0).await?;
    audit(
        &mut tx,
        tenant.id,
        actor,
        "tenant.configure",
        tenant.domain.as_str(),
        serde_json::json!(format!("{change:?}")),
    )
    .await?;
    let row = tenants::by_id(&mut tx, tenant.id).await?;
    tx.commit().await?;
    app.tenants.forget(tenant.domain.as_str());
    Tenant::from_row(row, &app.settings.public_scheme)
}

/// Adds a rule to the instance's rules, last in order.
pub async fn add_rule(app: &App, actor: &Actor, tenant: &Tenant, text: &str, hint: &str) -> Result<i64> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 300 || hint.chars().count() > 1000 {
        return Err(AppError::Invalid(
            "a rule needs 1 to 300 characters of text and at most 1000 of hint".into(),
        ));
    }
    let id = Id::generate().0;
    let mut tx = app.db.begin().await?;
    tenants::add_rule(&mut tx, tenant.id, id, text, hint.trim(), Timestamp::now().0).await?;
    audit(
        &mut tx,
        tenant.id,
        actor,
        "rule.create",
        &id.to_string(),
        serde_json::json!({"text": text}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes one of the instance's rules (reports that cite it keep its id).
pub async fn remove_rule(app: &App, actor: &Actor, tenant: &Tenant, id: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    if !tenants::remove_rule(&mut tx, tenant.id, id).await? {
        return Err(AppError::NotFound("Record not found"));
    }
    audit(&mut tx, tenant.id, actor, "rule.delete", &id.to_string(), serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}
