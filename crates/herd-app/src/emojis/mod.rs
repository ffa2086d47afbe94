//! Custom emoji: an instance's own, added by its operator, and other servers', met in their
//! posts and copied here by a job. Posts record which they use, so rendering needs no
//! search of their text.

mod add;
mod fetch;

pub use add::{add, remove};
pub use fetch::{FetchEmoji, fetch};

use herd_core::{Id, Timestamp};
use herd_store::emojis::{self, EmojiRow};
use herd_store::{Conn, TenantId};
use serde_json::Value;

use crate::Result;

/// The largest emoji image, as on Mastodon.
pub const MAX_BYTES: usize = 256 * 1024;

/// Whether a shortcode is one Mastodon accepts.
pub fn valid_shortcode(s: &str) -> bool {
    (2..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The `:shortcode:`s in these texts, each once.
pub(crate) fn shortcodes(texts: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for text in texts {
        let mut rest = *text;
        while let Some(start) = rest.find(':') {
            let after = &rest[start + 1..];
            match after.find(':') {
                Some(end) if valid_shortcode(&after[..end]) => {
                    let code = after[..end].to_string();
                    if !out.contains(&code) {
                        out.push(code);
                    }
                    rest = &after[end + 1..];
                }
                Some(end) => rest = &after[end..],
                None => break,
            }
        }
    }
    out
}

/// Records which of the instance's own emoji a local post uses.
pub(crate) async fn link_local(c: &mut Conn, t: TenantId, status: i64, texts: &[&str]) -> Result<()> {
    let found = emojis::by_shortcodes(c, t, "", &shortcodes(texts)).await?;
    emojis::set_for_status(c, t, status, &found.iter().map(|e| e.id).collect::<Vec<_>>()).await?;
    Ok(())
}

/// Records the emoji a remote post's `tag` names (`Emoji` objects with a `:name:` and an
/// `icon`), storing those not seen before; returns whether jobs to copy them were written.
pub(crate) async fn link_remote(c: &mut Conn, t: TenantId, status: i64, domain: &str, note: &Value) -> Result<bool> {
    let tags: Vec<&Value> = match note.get("tag") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    };
    let mut ids = Vec::new();
    let mut queued = false;
    for tag in tags
        .into_iter()
        .filter(|x| x.get("type").and_then(Value::as_str) == Some("Emoji"))
        .take(50)
    {
        let code = tag.get("name").and_then(Value::as_str).unwrap_or_default().trim_matches(':');
        let url = tag.get("icon").and_then(|i| i.get("url")).and_then(Value::as_str);
        let (true, Some(url)) = (
            valid_shortcode(code),
            url.filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        ) else {
            continue;
        };
        let row = EmojiRow {
            id: Id::generate().0,
            tenant_id: t.0,
            shortcode: code.to_string(),
            domain: domain.to_string(),
            file_key: None,
            static_key: None,
            remote_url: Some(url.chars().take(2000).collect()),
            uri: tag.get("id").and_then(Value::as_str).map(|u| u.chars().take(2000).collect()),
            category: None,
            visible_in_picker: 0,
            created_at: Timestamp::now().0,
        };
        if emojis::insert(c, t, &row).await? {
            herd_jobs::enqueue(c, t, &FetchEmoji { id: row.id }).await?;
            queued = true;
        }
        if let Some(e) = emojis::by_shortcodes(c, t, domain, &[code.to_string()]).await?.pop() {
            ids.push(e.id);
        }
    }
    if !ids.is_empty() {
        emojis::set_for_status(c, t, status, &ids).await?;
    }
    Ok(queued)
}

/// An emoji image checked and made ready to store: the original (PNG, GIF or WebP, as
/// given) and a still PNG of its first frame. CPU-bound work on a blocking thread.
pub(crate) async fn images(bytes: Vec<u8>) -> Result<(Vec<u8>, &'static str, Vec<u8>)> {
    if bytes.len() > MAX_BYTES {
        return Err(crate::AppError::Invalid(format!(
            "an emoji image must be at most {MAX_BYTES} bytes"
        )));
    }
    tokio::task::spawn_blocking(move || {
        let ext = match crate::media::image::sniff(&bytes) {
            Some(image::ImageFormat::Png) => "png",
            Some(image::ImageFormat::Gif) => "gif",
            Some(image::ImageFormat::WebP) => "webp",
            _ => return Err(crate::AppError::Invalid("an emoji image must be PNG, GIF or WebP".into())),
        };
        let img = crate::media::image::decode(&bytes, 1024 * 1024)?;
        let (still, _, _) = crate::media::image::encode(&img, true)?;
        Ok((bytes, ext, still))
    })
    .await
    .map_err(|e| crate::AppError::Internal(e.to_string()))?
}
