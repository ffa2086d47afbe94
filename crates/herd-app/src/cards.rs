//! Link previews, as Mastodon shows them under a post: the first link of a post's text (not a
//! mention or hashtag) is fetched by a job, and what the page says of itself in its OpenGraph
//! tags (or its title) becomes the post's card. One card per address and instance, fetched
//! again after two weeks.

use herd_core::content::{attribute, start_tags};
use herd_core::{Id, Timestamp};
use herd_store::cards::{self, CardRow};
use herd_store::{Conn, TenantId};
use serde::{Deserialize, Serialize};

use crate::{App, Result};

/// The largest page read for a preview.
const MAX_PAGE: usize = 1 << 20;
const FRESH_MS: i64 = 14 * 86_400_000;

#[derive(Debug, Serialize, Deserialize)]
pub struct FetchCard {
    pub status: i64,
    pub url: String,
}

impl herd_jobs::JobKind for FetchCard {
    const KIND: &'static str = "cards.fetch";
    const MAX_ATTEMPTS: i64 = 3;
}

/// The address of the first link in a post's HTML that is neither a mention nor a hashtag.
pub(crate) fn first_link(html: &str) -> Option<String> {
    if !html.contains("<a") && !html.contains("<A") {
        return None;
    }
    start_tags(html, &["a"]).into_iter().find_map(|(_, attrs)| {
        let class = attribute(&attrs, "class").unwrap_or_default();
        let rel = attribute(&attrs, "rel").unwrap_or_default();
        if class.split_whitespace().any(|k| k == "mention" || k == "hashtag") || rel.split_whitespace().any(|r| r == "tag") {
            return None;
        }
        attribute(&attrs, "href")
            .filter(|h| (h.starts_with("https://") || h.starts_with("http://")) && h.len() <= 2000)
            .map(str::to_string)
    })
}

/// Gives a post the card of its first link, in the post's transaction: at once when this
/// instance has a fresh one for the address, else through a `FetchCard` job. An edited post
/// (`edited`) without a link loses any card. Returns whether a job was written.
pub(crate) async fn link(c: &mut Conn, t: TenantId, status: i64, html: &str, edited: bool) -> Result<bool> {
    let Some(url) = first_link(html) else {
        if edited {
            cards::detach(c, t, status).await?;
        }
        return Ok(false);
    };
    if let Some(card) = cards::by_url(c, t, &url).await?
        && card.fetched_at > Timestamp::now().0 - FRESH_MS
    {
        if !card.title.is_empty() {
            cards::attach(c, t, status, card.id).await?;
        }
        return Ok(false);
    }
    herd_jobs::enqueue(c, t, &FetchCard { status, url }).await?;
    Ok(true)
}

/// What a page says of itself.
pub(crate) fn parse(url: &str, html: &str) -> CardRow {
    let mut og = std::collections::HashMap::new();
    for (_, attrs) in start_tags(html, &["meta"]) {
        let key = attribute(&attrs, "property")
            .or_else(|| attribute(&attrs, "name"))
            .unwrap_or_default()
            .to_ascii_lowercase();
        if let Some(content) = attribute(&attrs, "content") {
            og.entry(key).or_insert_with(|| content.trim().to_string());
        }
    }
    let title = og.get("og:title").cloned().or_else(|| {
        regex::Regex::new(r"(?is)<title[^>]*>(.*?)</title>")
            .ok()?
            .captures(html)
            .and_then(|c| c.get(1))
            .map(|m| herd_core::content::plain_text(m.as_str()))
    });
    let lang = regex::Regex::new(r#"(?is)<html[^>]*\slang\s*=\s*"([a-zA-Z-]{2,16})""#)
        .ok()
        .and_then(|r| r.captures(html))
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_ascii_lowercase());
    let cut = |s: String, n: usize| s.chars().take(n).collect::<String>();
    CardRow {
        id: Id::generate().0,
        tenant_id: 0,
        url: url.to_string(),
        title: cut(title.unwrap_or_default(), 300),
        description: cut(
            og.get("og:description")
                .or_else(|| og.get("description"))
                .cloned()
                .unwrap_or_default(),
            1000,
        ),
        image_url: og
            .get("og:image")
            .filter(|i| i.starts_with("https://") || i.starts_with("http://"))
            .map(|i| cut(i.clone(), 2000)),
        provider_name: cut(og.get("og:site_name").cloned().unwrap_or_default(), 200),
        language: lang,
        fetched_at: Timestamp::now().0,
    }
}

/// Fetches the page through the guarded client and shows its card on the post. A page that
/// cannot be read gets an empty card (no preview), remembered like any other so it is not
/// fetched again for every post that links it.
pub async fn fetch(app: &App, t: TenantId, job: FetchCard) -> Result<()> {
    let card = match app.fetch.get_bytes(&job.url, MAX_PAGE).await {
        Ok(body) => parse(&job.url, &String::from_utf8_lossy(&body)),
        Err(e) => {
            tracing::info!(url = %job.url, error = %e, "a linked page could not be read for its preview");
            parse(&job.url, "")
        }
    };
    let mut tx = app.db.begin().await?;
    let id = cards::upsert(&mut tx, t, &card).await?;
    let still_there = herd_store::statuses::by_id(&mut tx, t, job.status).await?.is_some();
    if still_there && !card.title.is_empty() {
        cards::attach(&mut tx, t, job.status, id).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_link_that_is_no_mention_or_hashtag() {
        let html = r#"<p><span class="h-card"><a href="https://a.test/@bob" class="u-url mention">@bob</a></span>
            <a href="https://a.test/tags/x" class="mention hashtag" rel="tag">#x</a>
            <a href="https://example.org/report?a=1&amp;b=2" target="_blank" rel="nofollow noopener">report</a></p>"#;
        assert_eq!(first_link(html).as_deref(), Some("https://example.org/report?a=1&b=2"));
        assert_eq!(first_link("<p>no links</p>"), None);
        assert_eq!(first_link(r#"<a href="javascript:alert(1)">x</a>"#), None);
    }

    #[test]
    fn what_a_page_says_of_itself() {
        let page = r#"<html lang="de"><head><title>Fallback &amp; title</title>
            <meta property="og:title" content="Annual report 2026">
            <meta name="description" content="What we did &quot;this year&quot;">
            <meta property="og:image" content="https://example.org/cover.png">
            <meta property="og:site_name" content='Org A'></head></html>"#;
        let c = parse("https://example.org/r", page);
        assert_eq!(c.title, "Annual report 2026");
        assert_eq!(c.description, "What we did \"this year\"");
        assert_eq!(c.image_url.as_deref(), Some("https://example.org/cover.png"));
        assert_eq!(c.provider_name, "Org A");
        assert_eq!(c.language.as_deref(), Some("de"));
        assert_eq!(parse("https://x", "<title>Only a title</title>").title, "Only a title");
        assert_eq!(parse("https://x", "").title, "");
    }
}
