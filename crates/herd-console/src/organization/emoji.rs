//! The instance's own custom emoji: listed with their images, added from an uploaded image
//! (checked and stored by the same verb as `herd emoji add`), removed.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State as S};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use herd_api::{Ctx, Params, State};
use herd_app::AppError;

use super::{admin, admin_form, done, or_error};
use crate::{Chrome, csrf_token, page as render};

const HERE: &str = "/admin/emoji";

pub(crate) struct EmojiLine {
    pub shortcode: String,
    pub category: String,
    pub url: Option<String>,
}

#[derive(Template)]
#[template(path = "console/org_emoji.html")]
struct EmojiPage {
    chrome: Chrome,
    emoji: Vec<EmojiLine>,
}

pub async fn page(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap) -> Response {
    let m = match admin(&s, &t, &headers, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let r = async {
        let mut c = s.app.db.conn().await?;
        let rows = herd_store::emojis::local(&mut c, t.id).await?;
        let (csrf, new) = csrf_token(&headers);
        let p = EmojiPage {
            chrome: Chrome::instance("Custom emoji", t.domain.as_str(), Some(&m), &csrf),
            emoji: rows
                .into_iter()
                .map(|e| EmojiLine {
                    url: e.static_key.or(e.file_key).map(|k| format!("/system/{k}")),
                    shortcode: e.shortcode,
                    category: e.category.unwrap_or_default(),
                })
                .collect(),
        };
        Ok::<_, AppError>(render(&s, StatusCode::OK, &p, new.then_some(csrf.as_str())))
    }
    .await;
    or_error(&t, r)
}

pub async fn add(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, mut p: Params) -> Response {
    let f: HashMap<String, String> = ["authenticity_token", "shortcode", "category"]
        .iter()
        .filter_map(|k| p.str(k).map(|v| (k.to_string(), v)))
        .collect();
    let m = match admin_form(&s, &t, &headers, &f, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let r = async {
        let image = p
            .take_file("image")
            .ok_or_else(|| AppError::Invalid("Choose an image file for the emoji".into()))?;
        let category = f.get("category").map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
        let shortcode = f.get("shortcode").cloned().unwrap_or_default();
        herd_app::emojis::add(&s.app, &m.actor(), &t, shortcode.trim(), image.bytes, category).await
    }
    .await;
    done(&t, r, HERE)
}

pub async fn remove(
    S(s): S<State>,
    Ctx(t): Ctx,
    headers: HeaderMap,
    Path(shortcode): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let m = match admin_form(&s, &t, &headers, &f, HERE).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    done(&t, herd_app::emojis::remove(&s.app, &m.actor(), &t, &shortcode).await, HERE)
}
