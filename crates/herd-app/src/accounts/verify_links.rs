//! Profile links verified as Mastodon verifies them: a field whose value is a web address is
//! verified when the page there links back to the profile with `rel="me"`.

use herd_core::Timestamp;
use herd_store::{TenantId, accounts};
use serde::{Deserialize, Serialize};

use crate::{App, Result};

/// The largest page read for a link back.
const MAX_PAGE: usize = 1 << 20;

/// Checks a local account's profile links; written when its fields change.
#[derive(Debug, Serialize, Deserialize)]
pub struct VerifyLinks {
    pub account: i64,
}

impl herd_jobs::JobKind for VerifyLinks {
    const KIND: &'static str = "accounts.verify_links";
    const MAX_ATTEMPTS: i64 = 3;
}

pub async fn verify_links(app: &App, t: TenantId, job: VerifyLinks) -> Result<()> {
    let tenant = crate::tenants::by_id(app, t).await?;
    let a = {
        let mut c = app.db.conn().await?;
        accounts::by_id(&mut c, t, job.account).await?
    };
    if !a.domain.is_empty() {
        return Ok(());
    }
    let targets = [tenant.profile_url(&a.username), tenant.actor_uri(&a.username)];
    let known: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&a.verified_links).unwrap_or_default();
    let mut verified = serde_json::Map::new();
    for (_, value) in herd_core::content::profile_fields(&a.fields) {
        let url = value.trim();
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(char::is_whitespace) {
            continue;
        }
        // A link verified before stays so until the field changes, as on Mastodon.
        if let Some(at) = known.get(url) {
            verified.insert(url.to_string(), at.clone());
            continue;
        }
        match app.fetch.get_bytes(url, MAX_PAGE).await {
            Ok(body) if links_back(&String::from_utf8_lossy(&body), &targets) => {
                verified.insert(url.to_string(), serde_json::json!(Timestamp::now().0));
            }
            Ok(_) => {}
            Err(e) => tracing::info!(%url, error = %e, "a profile link could not be read for verification"),
        }
    }
    let json = serde_json::Value::Object(verified).to_string();
    if json != a.verified_links {
        let mut tx = app.db.begin().await?;
        accounts::set_verified_links(&mut tx, t, a.id, &json).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Whether an HTML page has an `<a>` or `<link>` with `rel` naming `me` whose `href` is one of
/// `targets` (a trailing slash aside).
pub(crate) fn links_back(html: &str, targets: &[String]) -> bool {
    use herd_core::content::{attribute, start_tags};
    let norm = |u: &str| u.trim().trim_end_matches('/').to_string();
    let targets: Vec<String> = targets.iter().map(|t| norm(t)).collect();
    start_tags(html, &["a", "link"]).iter().any(|(_, attrs)| {
        let me = attribute(attrs, "rel").is_some_and(|rel| rel.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("me")));
        me && attribute(attrs, "href").is_some_and(|h| targets.contains(&norm(h)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_back_with_rel_me() {
        let t = vec!["https://org.example/@alice".to_string()];
        for yes in [
            r#"<a rel="me" href="https://org.example/@alice">me</a>"#,
            r#"<A HREF='https://org.example/@alice/' REL='nofollow me'>"#,
            r#"<link rel=me href=https://org.example/@alice>"#,
        ] {
            assert!(links_back(yes, &t), "{yes}");
        }
        for no in [
            r#"<a href="https://org.example/@alice">no rel</a>"#,
            r#"<a rel="meh" href="https://org.example/@alice">"#,
            r#"<a rel="me" href="https://org.example/@alicex">"#,
            r#"<p rel="me" href="https://org.example/@alice">"#,
            "",
        ] {
            assert!(!links_back(no, &t), "{no}");
        }
    }
}
