use herd_app::Tenant;
use herd_store::featured::FeaturedTagRow;
use serde::Serialize;

/// Mastodon's FeaturedTag. As Mastodon writes it, `statuses_count` is a string and
/// `last_status_at` a date without a time.
#[derive(Serialize)]
pub struct FeaturedTag {
    pub id: String,
    pub name: String,
    pub url: String,
    pub statuses_count: String,
    pub last_status_at: Option<String>,
}

pub fn featured_tag(tenant: &Tenant, username: &str, f: &FeaturedTagRow) -> FeaturedTag {
    FeaturedTag {
        id: f.id.to_string(),
        name: f.name.clone(),
        url: format!("{}/tagged/{}", tenant.profile_url(username), f.name.to_lowercase()),
        statuses_count: f.statuses_count.to_string(),
        last_status_at: f.last_status_at.map(|t| super::time(t).chars().take(10).collect()),
    }
}
