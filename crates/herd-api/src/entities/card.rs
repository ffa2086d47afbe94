use herd_store::cards::CardRow;
use serde::Serialize;

/// Mastodon's PreviewCard (a link's preview; Herd makes `link` cards only).
#[derive(Serialize, Clone)]
pub struct PreviewCard {
    pub url: String,
    pub title: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub author_name: String,
    pub author_url: String,
    pub provider_name: String,
    pub provider_url: String,
    pub html: String,
    pub width: i64,
    pub height: i64,
    pub image: Option<String>,
    pub image_description: String,
    pub embed_url: String,
    pub blurhash: Option<String>,
    pub language: Option<String>,
    pub published_at: Option<String>,
    pub authors: Vec<serde_json::Value>,
}

pub fn card(c: &CardRow) -> PreviewCard {
    let provider_url = url_origin(&c.url);
    PreviewCard {
        url: c.url.clone(),
        title: c.title.clone(),
        description: c.description.clone(),
        kind: "link",
        author_name: String::new(),
        author_url: String::new(),
        provider_name: c.provider_name.clone(),
        provider_url,
        html: String::new(),
        width: 0,
        height: 0,
        image: c.image_url.clone(),
        image_description: String::new(),
        embed_url: String::new(),
        blurhash: None,
        language: c.language.clone(),
        published_at: None,
        authors: Vec::new(),
    }
}

/// `https://host` of an address.
fn url_origin(u: &str) -> String {
    let Some((scheme, rest)) = u.split_once("://") else {
        return String::new();
    };
    format!("{scheme}://{}", rest.split(['/', '?', '#']).next().unwrap_or(""))
}
