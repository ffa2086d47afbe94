//! Profiles: `/@alice` (its public posts, newest first, twenty a page), `/@alice.rss`, and
//! `/@alice/tagged/name`. ActivityPub clients asking for `/@alice` are sent to the actor.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State as S};
use axum::http::HeaderMap;
use herd_api::{Ctx, State};
use herd_app::{AppError, Tenant};
use herd_store::statuses::AccountFilter;

use super::{older, page};
use crate::model::{self, Chrome, Post, Profile, excerpt};
use crate::{PageResult, html, redirect, rss, wants_activity};

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    chrome: Chrome,
    profile: Profile,
    posts: Vec<Post>,
    older: Option<String>,
    tagged: Option<String>,
}

#[derive(Template)]
#[template(path = "feed.xml")]
pub(crate) struct Feed {
    pub title: String,
    pub link: String,
    pub description: String,
    pub image: Option<String>,
    pub self_url: String,
    pub posts: Vec<Post>,
    pub built: String,
}

/// The local account a `@name` path segment names.
async fn account(s: &State, t: &Tenant, handle: &str) -> Result<herd_store::accounts::AccountRow, AppError> {
    let name = handle.strip_prefix('@').ok_or(AppError::NotFound("Record not found"))?;
    herd_app::federation::read::local_account(&s.app, t, name).await
}

pub async fn profile(
    S(s): S<State>,
    Ctx(t): Ctx,
    h: HeaderMap,
    Path(handle): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    if let Some(name) = handle.strip_suffix(".rss") {
        return feed(&s, &t, name).await;
    }
    let a = account(&s, &t, &handle).await?;
    if wants_activity(&h) {
        return Ok(redirect(&t.actor_uri(&a.username)));
    }
    page_of(&s, &t, a, None, q.get("max_id")).await
}

pub async fn tagged(
    S(s): S<State>,
    Ctx(t): Ctx,
    Path((handle, tag)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let a = account(&s, &t, &handle).await?;
    let tag = tag.trim_start_matches('#').to_string();
    if tag.is_empty() || !tag.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(AppError::NotFound("Record not found").into());
    }
    page_of(&s, &t, a, Some(tag), q.get("max_id")).await
}

async fn page_of(
    s: &State,
    t: &Tenant,
    a: herd_store::accounts::AccountRow,
    tagged: Option<String>,
    max_id: Option<&String>,
) -> PageResult {
    let p = page(max_id);
    let mut c = s.app.db.conn().await?;
    let filter = AccountFilter {
        exclude_replies: true,
        tagged: tagged.as_ref().map(|t| t.to_lowercase()),
        ..Default::default()
    };
    let timeline = herd_app::timelines::account(&mut c, t.id, None, a.id, filter, &p).await?;
    let featured = herd_store::featured::tags_of(&mut c, t.id, a.id).await?;
    drop(c);
    let profile = model::profile(t, &a, &featured);
    let base = match &tagged {
        Some(tag) => format!("{}/tagged/{}", t.profile_url(&a.username), tag.to_lowercase()),
        None => t.profile_url(&a.username),
    };
    let title = format!("{} ({})", profile.author.name, profile.author.handle);
    let mut chrome = Chrome::new(t, title, herd_core::content::plain_text(&a.note_html), base.clone());
    chrome.og_type = "profile";
    chrome.image = Some(profile.author.avatar.clone());
    chrome.feed = Some(format!("{}.rss", t.profile_url(&a.username)));
    chrome.activity = Some(t.actor_uri(&a.username));
    Ok(html(&ProfilePage {
        chrome,
        posts: timeline.items.iter().map(|v| model::post(t, v)).collect(),
        older: older(&base, &timeline.cursor, p.limit),
        profile,
        tagged,
    }))
}

/// RSS of an account's public posts (not replies), newest first.
async fn feed(s: &State, t: &Tenant, handle: &str) -> PageResult {
    let a = account(s, t, handle).await?;
    let mut c = s.app.db.conn().await?;
    let filter = AccountFilter {
        exclude_replies: true,
        exclude_reblogs: true,
        ..Default::default()
    };
    let timeline = herd_app::timelines::account(&mut c, t.id, None, a.id, filter, &page(None)).await?;
    drop(c);
    let author = model::author(t, &a);
    let posts: Vec<Post> = timeline
        .items
        .iter()
        .map(|v| model::post(t, v))
        .filter(|p| p.author.url == author.url)
        .collect();
    Ok(rss(&Feed {
        title: format!("{} ({})", author.name, author.handle),
        link: author.url.clone(),
        description: excerpt(&herd_core::content::plain_text(&a.note_html), 500),
        image: Some(author.avatar.clone()),
        self_url: format!("{}.rss", t.profile_url(&a.username)),
        built: model::rss_date(posts.first().map_or(a.updated_at, |p| p.published)),
        posts,
    }))
}
