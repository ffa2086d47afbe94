use herd_core::{Domain, RegistrationMode, Role, Scopes};
use herd_store::TenantId;
use herd_store::tenants::TenantRow;

/// The instance a request or job is for, with its settings.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: TenantId,
    pub domain: Domain,
    pub row: TenantRow,
    /// `https` or `http`; the scheme of every URL this instance makes.
    pub scheme: String,
}

impl Tenant {
    pub fn from_row(row: TenantRow, scheme: &str) -> crate::Result<Tenant> {
        let domain = Domain::parse(&row.domain).map_err(|e| crate::AppError::Internal(format!("stored tenant domain: {e}")))?;
        Ok(Tenant {
            id: row.tenant_id(),
            domain,
            row,
            scheme: scheme.to_string(),
        })
    }

    pub fn registrations(&self) -> RegistrationMode {
        RegistrationMode::parse(&self.row.registrations).unwrap_or(RegistrationMode::Closed)
    }

    /// `https://org-a.test`
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.domain)
    }

    /// The domain in handles (`@alice@org.example`): the organization's main domain where one
    /// is set, else the instance's own.
    pub fn handle_domain(&self) -> &str {
        self.row.local_domain.as_deref().unwrap_or(self.domain.as_str())
    }

    pub fn profile_url(&self, username: &str) -> String {
        format!("{}/@{username}", self.base_url())
    }

    pub fn actor_uri(&self, username: &str) -> String {
        format!("{}/users/{username}", self.base_url())
    }

    pub fn status_url(&self, username: &str, id: i64) -> String {
        format!("{}/@{username}/{id}", self.base_url())
    }

    pub fn status_uri(&self, username: &str, id: i64) -> String {
        format!("{}/users/{username}/statuses/{id}", self.base_url())
    }

    pub fn tag_url(&self, name: &str) -> String {
        format!("{}/tags/{}", self.base_url(), name.to_lowercase())
    }

    pub fn file_url(&self, key: &str) -> String {
        format!("{}/system/{key}", self.base_url())
    }
}

/// The signed-in account (or app) a request acts for.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// `None` for an app-only token (client credentials).
    pub account_id: Option<i64>,
    pub role: Role,
    pub scopes: Scopes,
    pub app_id: Option<i64>,
    pub token_id: i64,
    /// When `account_id` is a team account: the member acting as it (recorded with what
    /// they do, never shown publicly).
    pub delegate: Option<i64>,
    /// A browser session of the instance's own pages (never an app's bearer token), and
    /// when it began.
    pub web_session: bool,
    pub created_at: i64,
}
