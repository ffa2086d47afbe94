//! Tenants (organization instances) and their rules. The tenant row is the root every other
//! row hangs from, so look-ups here are by domain or by the tenant's own id.

use sqlx::FromRow;

use crate::{Conn, Result, StoreError, TenantId};

#[derive(Debug, Clone, FromRow)]
pub struct TenantRow {
    pub id: i64,
    pub domain: String,
    pub local_domain: Option<String>,
    pub title: String,
    pub description: String,
    pub contact_email: String,
    pub languages: String,
    pub registrations: String,
    pub max_post_chars: i64,
    pub max_media_attachments: i64,
    pub max_image_bytes: i64,
    pub max_image_pixels: i64,
    pub state: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// 1 when ActivityPub documents are served only to signed requests.
    pub authorized_fetch: i64,
    /// The largest remote video or audio file copied here; larger ones stay remote.
    pub max_video_bytes: i64,
    /// The instance's privacy policy and legal notice, as plain text.
    pub privacy_policy: String,
    pub imprint: String,
    pub policies_updated_at: Option<i64>,
    /// The organization (customer) the instance belongs to.
    pub organization_id: Option<i64>,
}

impl TenantRow {
    pub fn tenant_id(&self) -> TenantId {
        TenantId(self.id)
    }
}

const COLS: &str = "id, domain, local_domain, title, description, contact_email, languages, \
    registrations, max_post_chars, max_media_attachments, max_image_bytes, max_image_pixels, \
    state, created_at, updated_at, authorized_fetch, max_video_bytes, privacy_policy, imprint, policies_updated_at, organization_id";

pub struct NewTenant<'a> {
    pub id: i64,
    pub organization_id: i64,
    pub domain: &'a str,
    pub title: &'a str,
    pub registrations: &'a str,
    pub now: i64,
}

pub async fn insert(c: &mut Conn, t: NewTenant<'_>) -> Result<()> {
    c.q("INSERT INTO tenants (id, organization_id, domain, title, registrations, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(t.id)
        .bind(t.organization_id)
        .bind(t.domain)
        .bind(t.title)
        .bind(t.registrations)
        .bind(t.now)
        .bind(t.now)
        .execute(c.ex())
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn by_domain(c: &mut Conn, domain: &str) -> Result<Option<TenantRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM tenants WHERE domain = ?"))
        .bind(domain)
        .fetch_optional(c.ex())
        .await?)
}

pub async fn by_id(c: &mut Conn, t: TenantId) -> Result<TenantRow> {
    c.qa(&format!("SELECT {COLS} FROM tenants WHERE id = ?"))
        .bind(t.0)
        .fetch_optional(c.ex())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn list(c: &mut Conn) -> Result<Vec<TenantRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM tenants ORDER BY domain"))
        .fetch_all(c.ex())
        .await?)
}

/// Settings an admin may change. `None` leaves a value as it is.
#[derive(Debug, Default)]
pub struct SettingsChange {
    pub title: Option<String>,
    pub description: Option<String>,
    pub contact_email: Option<String>,
    pub languages: Option<String>,
    pub registrations: Option<String>,
    pub max_post_chars: Option<i64>,
    pub max_media_attachments: Option<i64>,
    pub max_image_bytes: Option<i64>,
    pub max_video_bytes: Option<i64>,
    /// `Some(None)` clears it (handles are then on the instance's own domain).
    pub local_domain: Option<Option<String>>,
    pub authorized_fetch: Option<bool>,
    pub privacy_policy: Option<String>,
    pub imprint: Option<String>,
}

pub async fn update_settings(c: &mut Conn, t: TenantId, s: &SettingsChange, now: i64) -> Result<()> {
    c.q(
        "UPDATE tenants SET title = COALESCE(?, title), description = COALESCE(?, description), \
         contact_email = COALESCE(?, contact_email), languages = COALESCE(?, languages), \
         registrations = COALESCE(?, registrations), max_post_chars = COALESCE(?, max_post_chars), \
         max_media_attachments = COALESCE(?, max_media_attachments), \
         max_image_bytes = COALESCE(?, max_image_bytes), \
         max_video_bytes = COALESCE(?, max_video_bytes), updated_at = ? WHERE id = ?",
    )
    .bind(s.title.clone())
    .bind(s.description.clone())
    .bind(s.contact_email.clone())
    .bind(s.languages.clone())
    .bind(s.registrations.clone())
    .bind(s.max_post_chars)
    .bind(s.max_media_attachments)
    .bind(s.max_image_bytes)
    .bind(s.max_video_bytes)
    .bind(now)
    .bind(t.0)
    .execute(c.ex())
    .await?;
    if let Some(d) = &s.local_domain {
        c.q("UPDATE tenants SET local_domain = ? WHERE id = ?")
            .bind(d.clone())
            .bind(t.0)
            .execute(c.ex())
            .await?;
    }
    if s.privacy_policy.is_some() || s.imprint.is_some() {
        c.q(
            "UPDATE tenants SET privacy_policy = COALESCE(?, privacy_policy), imprint = COALESCE(?, imprint), \
             policies_updated_at = ? WHERE id = ?",
        )
        .bind(s.privacy_policy.clone())
        .bind(s.imprint.clone())
        .bind(now)
        .bind(t.0)
        .execute(c.ex())
        .await?;
    }
    if let Some(on) = s.authorized_fetch {
        c.q("UPDATE tenants SET authorized_fetch = ? WHERE id = ?")
            .bind(i64::from(on))
            .bind(t.0)
            .execute(c.ex())
            .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct RuleRow {
    pub id: i64,
    pub text: String,
    pub hint: String,
}

pub async fn rules(c: &mut Conn, t: TenantId) -> Result<Vec<RuleRow>> {
    Ok(c.qa("SELECT id, text, hint FROM rules WHERE tenant_id = ? ORDER BY position, id")
        .bind(t.0)
        .fetch_all(c.ex())
        .await?)
}

pub async fn add_rule(c: &mut Conn, t: TenantId, id: i64, text: &str, hint: &str, now: i64) -> Result<()> {
    c.q("INSERT INTO rules (id, tenant_id, text, hint, position, created_at) \
         VALUES (?, ?, ?, ?, (SELECT COUNT(*) FROM rules WHERE tenant_id = ?), ?)")
        .bind(id)
        .bind(t.0)
        .bind(text)
        .bind(hint)
        .bind(t.0)
        .bind(now)
        .execute(c.ex())
        .await?;
    // Moderators' report views show the rules from the node's cached policy.
    crate::changes::record(c, t, crate::changes::Change::Policy).await?;
    Ok(())
}

/// Figures for the instance's own summary (instance v1 `stats`, usage in v2).
pub struct Stats {
    pub users: i64,
    pub statuses: i64,
    pub active_month: i64,
}

pub async fn stats(c: &mut Conn, t: TenantId, month_ago: i64) -> Result<Stats> {
    let users: i64 = c
        .qs("SELECT COUNT(*) FROM accounts WHERE tenant_id = ? AND domain = ''")
        .bind(t.0)
        .fetch_one(c.ex())
        .await?;
    let statuses: i64 = c
        .qs("SELECT COUNT(*) FROM statuses s JOIN accounts a ON a.id = s.account_id \
             WHERE s.tenant_id = ? AND a.tenant_id = ? AND a.domain = ''")
        .bind(t.0)
        .bind(t.0)
        .fetch_one(c.ex())
        .await?;
    let active_month: i64 = c
        .qs("SELECT COUNT(*) FROM accounts WHERE tenant_id = ? AND domain = '' AND last_status_at >= ?")
        .bind(t.0)
        .bind(month_ago)
        .fetch_one(c.ex())
        .await?;
    Ok(Stats {
        users,
        statuses,
        active_month,
    })
}

/// Removes a rule; reports that cite it keep its id.
pub async fn remove_rule(c: &mut Conn, t: TenantId, id: i64) -> Result<bool> {
    let done = c
        .q("DELETE FROM rules WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::Policy).await?;
    Ok(done.rows_affected() == 1)
}

/// Sets whether the instance is served (`active`) or answers 503 while its rows are replaced
/// (`restoring`), and drops every node's cached values of it.
///
/// `updated_at` stays: it dates the instance's own settings, which an archive carries.
pub async fn set_state(c: &mut Conn, t: TenantId, state: &str) -> Result<()> {
    c.q("UPDATE tenants SET state = ? WHERE id = ?")
        .bind(state.to_string())
        .bind(t.0)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::Tenant).await
}
