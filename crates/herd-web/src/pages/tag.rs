//! A hashtag's page, `/tags/name` (its public posts, local and from other servers), and its
//! feed, `/tags/name.rss`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State as S};
use herd_api::{Ctx, State};
use herd_app::AppError;
use herd_store::statuses::{PublicFilter, TagQuery};

use super::profile::Feed;
use super::{older, page};
use crate::model::{self, Chrome, Post};
use crate::{PageResult, html, rss};

#[derive(Template)]
#[template(path = "tag.html")]
struct TagPage {
    chrome: Chrome,
    name: String,
    posts: Vec<Post>,
    older: Option<String>,
}

pub async fn tag(S(s): S<State>, Ctx(t): Ctx, Path(name): Path<String>, Query(q): Query<HashMap<String, String>>) -> PageResult {
    let (name, as_feed) = match name.strip_suffix(".rss") {
        Some(n) => (n.to_string(), true),
        None => (name, false),
    };
    let name = name.trim_start_matches('#').to_lowercase();
    if name.is_empty() || name.chars().count() > 100 || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(AppError::NotFound("Record not found").into());
    }
    let p = page(if as_feed { None } else { q.get("max_id") });
    let mut c = s.app.db.conn().await?;
    // A hashtag no post here ever used has no page, as on Mastodon.
    if herd_store::tags::by_name(&mut c, t.id, &name).await?.is_none() {
        return Err(AppError::NotFound("Record not found").into());
    }
    let timeline = herd_app::timelines::tag(&mut c, t.id, None, &TagQuery::one(&name), &PublicFilter::default(), &p).await?;
    drop(c);
    let posts: Vec<Post> = timeline.items.iter().map(|v| model::post(&t, v)).collect();
    let url = t.tag_url(&name);
    if as_feed {
        return Ok(rss(&Feed {
            title: format!("#{name} on {}", t.row.title),
            link: url.clone(),
            description: format!("Public posts tagged #{name}"),
            image: None,
            self_url: format!("{url}.rss"),
            built: model::rss_date(posts.first().map_or(herd_core::Timestamp::now().0, |p| p.published)),
            posts,
        }));
    }
    let mut chrome = Chrome::new(
        &t,
        format!("#{name} – {}", t.row.title),
        format!("Public posts tagged #{name} on {}", t.row.title),
        url.clone(),
    );
    chrome.feed = Some(format!("{url}.rss"));
    Ok(html(&TagPage {
        chrome,
        older: older(&url, &timeline.cursor, p.limit),
        name,
        posts,
    }))
}
