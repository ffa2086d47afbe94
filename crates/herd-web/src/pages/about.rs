//! The instance's own pages: about (description, rules, contact), privacy policy, legal
//! notice.

use askama::Template;
use axum::extract::State as S;
use axum::response::Response;
use herd_api::{Ctx, State};

use crate::model::{Chrome, paragraphs};
use crate::{PageResult, html, redirect};

#[derive(Template)]
#[template(path = "about.html")]
struct About {
    chrome: Chrome,
    description: Vec<Vec<String>>,
    rules: Vec<(String, String)>,
    contact: String,
    users: i64,
    posts: i64,
}

#[derive(Template)]
#[template(path = "text.html")]
struct Text {
    chrome: Chrome,
    heading: String,
    updated: String,
    text: Vec<Vec<String>>,
}

pub async fn home() -> Response {
    redirect("/about")
}

pub async fn more() -> Response {
    redirect("/about")
}

pub async fn about(S(s): S<State>, Ctx(t): Ctx) -> PageResult {
    let rules = {
        let mut c = s.app.db.conn().await?;
        herd_store::tenants::rules(&mut c, t.id).await?
    };
    let usage = herd_app::federation::read::usage(&s.app, &t).await?;
    let chrome = Chrome::new(
        &t,
        format!("About {}", t.row.title),
        t.row.description.clone(),
        format!("{}/about", t.base_url()),
    );
    Ok(html(&About {
        chrome,
        description: paragraphs(&t.row.description),
        rules: rules.into_iter().map(|r| (r.text, r.hint)).collect(),
        contact: t.row.contact_email.clone(),
        users: usage.users.total,
        posts: usage.local_posts,
    }))
}

async fn text_page(t: &herd_app::Tenant, heading: &str, path: &str, text: &str) -> PageResult {
    if text.trim().is_empty() {
        return Err(herd_app::AppError::NotFound("Record not found").into());
    }
    let chrome = Chrome::new(
        t,
        format!("{heading} – {}", t.row.title),
        text.to_string(),
        format!("{}{path}", t.base_url()),
    );
    Ok(html(&Text {
        chrome,
        heading: heading.to_string(),
        updated: t.row.policies_updated_at.map(crate::model::date_text).unwrap_or_default(),
        text: paragraphs(text),
    }))
}

pub async fn privacy(Ctx(t): Ctx) -> PageResult {
    text_page(&t, "Privacy policy", "/privacy-policy", &t.row.privacy_policy).await
}

pub async fn imprint(Ctx(t): Ctx) -> PageResult {
    text_page(&t, "Legal notice", "/imprint", &t.row.imprint).await
}
