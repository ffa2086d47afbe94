//! A post's page, `/@alice/123`, with the public part of its thread. ActivityPub clients are
//! sent to the note.

use askama::Template;
use axum::extract::{Path, State as S};
use axum::http::HeaderMap;
use herd_api::{Ctx, State};
use herd_app::AppError;

use crate::model::{self, Chrome, Post, excerpt};
use crate::{PageResult, html, redirect, wants_activity};

#[derive(Template)]
#[template(path = "status.html")]
struct PostPage {
    chrome: Chrome,
    ancestors: Vec<Post>,
    post: Post,
    descendants: Vec<Post>,
}

pub async fn post(S(s): S<State>, Ctx(t): Ctx, h: HeaderMap, Path((handle, id)): Path<(String, String)>) -> PageResult {
    let not_found = || AppError::NotFound("Record not found");
    let name = handle.strip_prefix('@').ok_or_else(not_found)?;
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let author = herd_app::federation::read::local_account(&s.app, &t, name).await?;
    let mut c = s.app.db.conn().await?;
    let row = herd_app::views::visible_status(&mut c, t.id, None, id).await?;
    if row.account_id != author.id || row.reblog_of_id.is_some() {
        return Err(not_found().into());
    }
    if wants_activity(&h) {
        return Ok(redirect(&t.status_uri(&author.username, id)));
    }
    let view = herd_app::views::status(&mut c, t.id, None, row).await?;
    let thread = herd_app::timelines::context(&mut c, t.id, None, id).await?;
    drop(c);
    let post = model::post(&t, &view);
    let title = format!("{} ({})", post.author.name, post.author.handle);
    let description = match &post.spoiler {
        Some(cw) => format!("Content warning: {cw}"),
        None => post.text(),
    };
    let mut chrome = Chrome::new(&t, title, excerpt(&description, 300), post.url.clone());
    chrome.og_type = "article";
    chrome.image = post
        .media
        .iter()
        .find(|m| m.kind == "image" && post.spoiler.is_none() && !post.sensitive)
        .map(|m| m.preview.clone().unwrap_or_else(|| m.url.clone()))
        .or_else(|| Some(post.author.avatar.clone()));
    chrome.activity = Some(t.status_uri(&author.username, id));
    Ok(html(&PostPage {
        chrome,
        ancestors: thread.ancestors.iter().map(|v| model::post(&t, v)).collect(),
        descendants: thread.descendants.iter().map(|v| model::post(&t, v)).collect(),
        post,
    }))
}
