use herd_app::Tenant;
use herd_store::emojis::EmojiRow;
use serde::Serialize;

/// Mastodon's CustomEmoji.
#[derive(Serialize, Clone)]
pub struct CustomEmoji {
    pub shortcode: String,
    pub url: String,
    pub static_url: String,
    pub visible_in_picker: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

/// An emoji from this instance's files, or (not copied yet) from where it came.
pub fn custom_emoji(tenant: &Tenant, e: &EmojiRow) -> CustomEmoji {
    let url = e
        .file_key
        .as_deref()
        .map(|k| tenant.file_url(k))
        .or_else(|| e.remote_url.clone())
        .unwrap_or_default();
    CustomEmoji {
        shortcode: e.shortcode.clone(),
        static_url: e.static_key.as_deref().map(|k| tenant.file_url(k)).unwrap_or_else(|| url.clone()),
        url,
        visible_in_picker: e.visible_in_picker != 0,
        category: e.category.clone(),
    }
}
