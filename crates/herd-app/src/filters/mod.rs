//! Filters (Mastodon's v2): an account's keywords and posts, each filter in force in the
//! contexts it names until it expires. Timelines, threads and notifications apply them for
//! their viewer: a `hide` match leaves the post out, a `warn` or `blur` match is shown with
//! the post (`filtered`), and apps decide how to show it.

mod change;
mod parts;

pub use change::{FilterSettings, KeywordChange, create, delete, update};
pub use parts::{add_keyword, add_status, change_keyword, remove_keyword, remove_status};

use std::sync::Arc;

use herd_core::Timestamp;
use herd_store::filters::{self, FilterRow, FilterStatusRow, KeywordRow};
use herd_store::{Conn, TenantId};
use regex::Regex;

use crate::views::StatusView;
use crate::{App, AppError, LazyConn, Result};

/// Where a filter applies.
pub const CONTEXTS: [&str; 5] = ["home", "notifications", "public", "thread", "account"];

/// A filter with its keywords and posts.
#[derive(Debug, Clone)]
pub struct Filter {
    pub row: FilterRow,
    pub keywords: Vec<KeywordRow>,
    pub statuses: Vec<FilterStatusRow>,
}

impl Filter {
    pub fn contexts(&self) -> Vec<String> {
        serde_json::from_str(&self.row.contexts).unwrap_or_default()
    }
}

/// Why a post matched one filter.
#[derive(Debug, Clone)]
pub struct Match {
    pub filter: Arc<Filter>,
    pub keywords: Vec<String>,
    pub statuses: Vec<i64>,
}

/// Tells every node's caches and the owner's live clients (`filters_changed`) that its
/// filters changed.
async fn changed(c: &mut Conn, t: TenantId, owner: i64) -> Result<()> {
    herd_store::changes::record(c, t, herd_store::changes::Change::Filters(owner)).await?;
    herd_store::events::publish(c, t, herd_store::events::EventKind::FiltersChanged, 0, owner).await?;
    Ok(())
}

/// Loads filters with their keywords and posts.
pub async fn with_parts(c: &mut Conn, t: TenantId, rows: Vec<FilterRow>) -> Result<Vec<Filter>> {
    let ids: Vec<i64> = rows.iter().map(|f| f.id).collect();
    let keywords = filters::keywords(c, t, &ids).await?;
    let statuses = filters::statuses(c, t, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| Filter {
            keywords: keywords.iter().filter(|k| k.filter_id == row.id).cloned().collect(),
            statuses: statuses.iter().filter(|s| s.filter_id == row.id).cloned().collect(),
            row,
        })
        .collect())
}

/// One of `owner`'s filters with its parts, or 404.
pub async fn owned(c: &mut Conn, t: TenantId, owner: i64, id: i64) -> Result<Filter> {
    let row = filters::owned(c, t, owner, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    Ok(with_parts(c, t, vec![row]).await?.remove(0))
}

/// A keyword as a pattern: case-insensitive, and with `whole_word` only between word
/// boundaries, as Mastodon matches them.
fn pattern(k: &KeywordRow) -> Option<Regex> {
    let escaped = regex::escape(k.keyword.trim());
    let p = if k.whole_word != 0 {
        format!(r"(?i)(?:^|[^\w]){escaped}(?:$|[^\w])")
    } else {
        format!("(?i){escaped}")
    };
    Regex::new(&p).ok()
}

/// A filter with its keywords compiled: (keyword, pattern).
type Compiled = (Arc<Filter>, Vec<(String, Regex)>);

/// The filters a viewer has in force in one context.
pub struct Active {
    filters: Vec<Compiled>,
}

impl Active {
    pub fn none() -> Active {
        Active { filters: Vec::new() }
    }

    /// Loads them (one query when there are none).
    pub async fn load(c: &mut Conn, t: TenantId, viewer: Option<i64>, context: &str) -> Result<Active> {
        let Some(v) = viewer else {
            return Ok(Active::none());
        };
        let rows: Vec<FilterRow> = filters::of_owner(c, t, v, Some(Timestamp::now().0))
            .await?
            .into_iter()
            .filter(|f| in_context(f, context))
            .collect();
        if rows.is_empty() {
            return Ok(Active::none());
        }
        Ok(Active::of(with_parts(c, t, rows).await?))
    }

    /// As [`Active::load`], through this node's cache of each account's filters, so a warm
    /// request (the home timeline) needs no query for them.
    pub async fn cached(app: &App, c: &mut LazyConn<'_>, t: TenantId, viewer: i64, context: &str) -> Result<Active> {
        let key = (t.0, viewer);
        let all = match app.caches.filters.get(&key) {
            Some(all) => all,
            None => {
                let epoch = app.caches.epoch();
                let conn = c.get().await?;
                let rows = filters::of_owner(conn, t, viewer, None).await?;
                let all = Arc::new(with_parts(conn, t, rows).await?);
                app.caches.put(&app.caches.filters, epoch, key, all.clone());
                all
            }
        };
        let now = Timestamp::now().0;
        Ok(Active::of(
            all.iter()
                .filter(|f| in_context(&f.row, context) && f.row.expires_at.is_none_or(|e| e > now))
                .cloned()
                .collect(),
        ))
    }

    fn of(filters: Vec<Filter>) -> Active {
        let filters = filters
            .into_iter()
            .map(|f| {
                let patterns = f.keywords.iter().filter_map(|k| Some((k.keyword.clone(), pattern(k)?))).collect();
                (Arc::new(f), patterns)
            })
            .collect();
        Active { filters }
    }

    /// The filters a post (or, for a boost, the boosted post) matches.
    pub fn matches(&self, v: &StatusView) -> Vec<Match> {
        if self.filters.is_empty() {
            return Vec::new();
        }
        let shown = v.reblog.as_deref().unwrap_or(v);
        let text = searchable(shown);
        let mut out = Vec::new();
        for (f, patterns) in &self.filters {
            let keywords: Vec<String> = patterns
                .iter()
                .filter(|(_, re)| re.is_match(&text))
                .map(|(k, _)| k.clone())
                .collect();
            let statuses: Vec<i64> = f
                .statuses
                .iter()
                .filter(|s| s.status_id == shown.row.id)
                .map(|s| s.status_id)
                .collect();
            if !keywords.is_empty() || !statuses.is_empty() {
                out.push(Match {
                    filter: f.clone(),
                    keywords,
                    statuses,
                });
            }
        }
        out
    }

    /// Drops posts a `hide` filter matches and marks the rest with their matches.
    pub fn apply(&self, items: Vec<StatusView>) -> Vec<StatusView> {
        if self.filters.is_empty() {
            return items;
        }
        items
            .into_iter()
            .filter_map(|mut v| {
                let found = self.matches(&v);
                if found.iter().any(|m| m.filter.row.action == "hide") {
                    return None;
                }
                v.filtered = found;
                Some(v)
            })
            .collect()
    }
}

/// What a filter's keywords are matched against: the text without markup, the content
/// warning and the media descriptions.
fn searchable(v: &StatusView) -> String {
    let mut out = plain(&v.row.content_html);
    out.push('\n');
    out.push_str(&v.row.spoiler_text);
    for m in &v.media {
        out.push('\n');
        out.push_str(&m.description);
    }
    out
}

fn in_context(f: &FilterRow, context: &str) -> bool {
    serde_json::from_str::<Vec<String>>(&f.contexts).is_ok_and(|cs| cs.iter().any(|x| x == context))
}

/// HTML as text: tags dropped (a `<br>` or `<p>` as a line break) and entities decoded.
fn plain(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[i + 1..i + end].to_ascii_lowercase();
        if tag.starts_with("br") || tag.starts_with("/p") {
            out.push('\n');
        }
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kw(k: &str, whole: bool) -> Regex {
        pattern(&KeywordRow {
            id: 1,
            filter_id: 1,
            keyword: k.into(),
            whole_word: i64::from(whole),
        })
        .expect("pattern")
    }

    #[test]
    fn keywords_match_as_mastodon_matches_them() {
        assert!(kw("cat", true).is_match("A Cat sat"));
        assert!(!kw("cat", true).is_match("concatenate"));
        assert!(kw("cat", false).is_match("concatenate"));
        assert!(kw("c++", true).is_match("I like c++."));
        assert!(kw("spoiler", true).is_match("spoiler"));
        assert_eq!(plain("<p>a &amp; b</p><p>c<br>d</p>"), "a & b\nc\nd\n");
    }
}
