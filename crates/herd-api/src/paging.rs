//! Mastodon's pagination: `max_id`, `since_id`, `min_id`, `limit` in; a `Link` header out.

use axum::http::{HeaderMap, HeaderValue, Uri};
use herd_app::Tenant;
use herd_store::Page;

use crate::error::ApiResult;
use crate::extract::Params;

pub fn page(p: &Params, default: i64, max: i64) -> ApiResult<Page> {
    Ok(Page {
        max_id: p.id("max_id").ok().flatten(),
        since_id: p.id("since_id").ok().flatten(),
        min_id: p.id("min_id").ok().flatten(),
        limit: p.int("limit")?.unwrap_or(default).clamp(1, max),
    })
}

/// The `Link` header for a page whose items carry the given ids (newest first): `next` for
/// older items, `prev` for newer, keeping the request's other query parameters.
pub fn link(tenant: &Tenant, uri: &Uri, ids: &[i64]) -> HeaderMap {
    let mut h = HeaderMap::new();
    let (Some(first), Some(last)) = (ids.first(), ids.last()) else {
        return h;
    };
    let kept: Vec<(String, String)> = uri
        .query()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| !matches!(k.as_str(), "max_id" | "min_id" | "since_id"))
        .collect();
    let url = |k: &str, v: i64| {
        let mut q = kept.clone();
        q.push((k.to_string(), v.to_string()));
        format!(
            "{}{}?{}",
            tenant.base_url(),
            uri.path(),
            serde_urlencoded::to_string(&q).unwrap_or_default()
        )
    };
    let value = format!(
        "<{}>; rel=\"next\", <{}>; rel=\"prev\"",
        url("max_id", *last),
        url("min_id", *first)
    );
    if let Ok(v) = HeaderValue::from_str(&value) {
        h.insert("link", v);
    }
    h
}
