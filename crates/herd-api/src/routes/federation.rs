//! What other servers read: WebFinger, host-meta, NodeInfo, actors, notes and collections,
//! as ActivityPub JSON (`application/activity+json`) by content negotiation.

use axum::Router;
use axum::extract::{OriginalUri, Path, State as S};
use axum::http::header::{ACCEPT, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use herd_app::federation::read;
use herd_app::{AppError, Tenant};
use herd_federation::discovery::{self, NodeFacts, Resource};
use herd_federation::{ACTIVITY_JSON, objects};
use herd_store::Page;
use serde::Serialize;
use serde_json::{Value, json};

use super::accounts::path_id;
use crate::State;
use crate::entities::VERSION_MASTODON;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Ctx, Params};

pub fn routes() -> Router<State> {
    Router::new()
        .route("/.well-known/webfinger", get(webfinger))
        .route("/.well-known/host-meta", get(host_meta))
        .route("/.well-known/nodeinfo", get(nodeinfo_links))
        .route("/nodeinfo/{version}", get(nodeinfo))
        .route("/actor", get(instance_actor))
        .route("/users/{username}", get(person))
        .route("/users/{username}/statuses/{id}", get(note))
        .route("/users/{username}/statuses/{id}/activity", get(activity))
        .route("/users/{username}/quote_authorizations/{id}", get(quote_authorization))
        .route("/users/{username}/outbox", get(outbox))
        .route("/users/{username}/followers", get(followers))
        .route("/users/{username}/following", get(following))
        .route("/users/{username}/collections/featured", get(featured))
        .route("/users/{username}/collections/tags", get(featured_tags))
        .route("/users/{username}/inbox", post(personal_inbox))
        .route("/inbox", post(shared_inbox))
}

/// The largest activity an inbox takes.
const MAX_ACTIVITY: usize = 1 << 20;

async fn receive(s: &State, t: &Tenant, uri: &axum::http::Uri, h: &HeaderMap, body: &[u8]) -> ApiResult<Response> {
    if body.len() > MAX_ACTIVITY {
        return Err(ApiError(AppError::TooLarge("Activity too large".into())));
    }
    let headers: Vec<(String, String)> = h
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_string(), v.to_string())))
        .collect();
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    herd_app::federation::inbox::receive(&s.app, t, path, &headers, body).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

async fn personal_inbox(
    S(s): S<State>,
    Ctx(t): Ctx,
    OriginalUri(uri): OriginalUri,
    h: HeaderMap,
    Path(username): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    read::local_account(&s.app, &t, &username).await?;
    receive(&s, &t, &uri, &h, &body).await
}

async fn shared_inbox(
    S(s): S<State>,
    Ctx(t): Ctx,
    OriginalUri(uri): OriginalUri,
    h: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    receive(&s, &t, &uri, &h, &body).await
}

/// Whether the client asked for ActivityPub rather than a web page.
fn wants_activity(h: &HeaderMap) -> bool {
    h.get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/activity+json") || v.contains("application/ld+json"))
}

fn activity_json<T: Serialize>(body: &T) -> Response {
    ([(CONTENT_TYPE, ACTIVITY_JSON)], serde_json::to_string(body).unwrap_or_default()).into_response()
}

fn redirect(to: String) -> Response {
    (StatusCode::FOUND, [(LOCATION, to)]).into_response()
}

async fn webfinger(S(s): S<State>, Ctx(t): Ctx, p: Params) -> ApiResult<Response> {
    let Some(resource) = p.str("resource").filter(|r| !r.trim().is_empty()) else {
        return Err(ApiError(AppError::BadRequest("resource is missing".into())));
    };
    let Some(resource) = Resource::parse(&resource) else {
        return Err(ApiError(AppError::BadRequest("resource is not an acct: URI or a URL".into())));
    };
    let base = t.base_url();
    let username = match resource {
        Resource::Acct { user, domain } => {
            let ours = domain == t.domain.as_str() || domain.eq_ignore_ascii_case(t.handle_domain());
            if !ours {
                return Err(ApiError(AppError::NotFound("Record not found")));
            }
            user
        }
        Resource::Url(u) => {
            let path = u.strip_prefix(&base).ok_or(ApiError(AppError::NotFound("Record not found")))?;
            match path {
                "/actor" => t.domain.as_str().to_string(),
                p => p
                    .strip_prefix("/users/")
                    .or_else(|| p.strip_prefix("/@"))
                    .filter(|u| !u.contains('/'))
                    .ok_or(ApiError(AppError::NotFound("Record not found")))?
                    .to_string(),
            }
        }
    };
    let subscribe = format!("{base}/authorize_interaction?uri={{uri}}");
    let jrd = if username.eq_ignore_ascii_case(t.domain.as_str()) || username.eq_ignore_ascii_case(t.handle_domain()) {
        let actor = format!("{base}/actor");
        discovery::actor_jrd(
            format!("acct:{}@{}", t.domain, t.handle_domain()),
            &actor,
            &format!("{base}/about/more?instance_actor=true"),
            subscribe,
        )
    } else {
        let a = read::local_account(&s.app, &t, &username).await?;
        discovery::actor_jrd(
            format!("acct:{}@{}", a.username, t.handle_domain()),
            &t.actor_uri(&a.username),
            &t.profile_url(&a.username),
            subscribe,
        )
    };
    Ok((
        [(CONTENT_TYPE, "application/jrd+json; charset=utf-8")],
        serde_json::to_string(&jrd).unwrap_or_default(),
    )
        .into_response())
}

async fn host_meta(Ctx(t): Ctx) -> Response {
    (
        [(CONTENT_TYPE, "application/xrd+xml; charset=utf-8")],
        discovery::host_meta(&t.base_url()),
    )
        .into_response()
}

async fn nodeinfo_links(Ctx(t): Ctx) -> Response {
    axum::Json(discovery::nodeinfo_links(&t.base_url())).into_response()
}

async fn nodeinfo(S(s): S<State>, Ctx(t): Ctx, Path(version): Path<String>) -> ApiResult<Response> {
    let schema = match version.as_str() {
        "2.0" | "2.0.json" => "2.0",
        "2.1" | "2.1.json" => "2.1",
        _ => return Err(ApiError(AppError::NotFound("Record not found"))),
    };
    let doc = discovery::nodeinfo(
        schema,
        NodeFacts {
            herd_version: env!("CARGO_PKG_VERSION"),
            mastodon_version: VERSION_MASTODON,
            name: &t.row.title,
            description: &t.row.description,
            open_registrations: matches!(
                t.registrations(),
                herd_core::RegistrationMode::Open | herd_core::RegistrationMode::Approval
            ),
            usage: read::usage(&s.app, &t).await?,
        },
    );
    let ct = format!("application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/{schema}#\"");
    Ok(([(CONTENT_TYPE, ct)], serde_json::to_string(&doc).unwrap_or_default()).into_response())
}

async fn instance_actor(S(s): S<State>, Ctx(t): Ctx) -> ApiResult<Response> {
    Ok(activity_json(&read::instance(&s.app, &t).await?))
}

async fn person(S(s): S<State>, Ctx(t): Ctx, h: HeaderMap, Path(username): Path<String>) -> ApiResult<Response> {
    let actor = read::person(&s.app, &t, &username).await?;
    if !wants_activity(&h) {
        return Ok(redirect(actor.url));
    }
    Ok(activity_json(&actor))
}

async fn note(S(s): S<State>, Ctx(t): Ctx, h: HeaderMap, Path((username, id)): Path<(String, String)>) -> ApiResult<Response> {
    let note = read::note(&s.app, &t, &username, path_id(&id)?).await?;
    if !wants_activity(&h) {
        return Ok(redirect(note.url));
    }
    Ok(activity_json(&note))
}

async fn activity(S(s): S<State>, Ctx(t): Ctx, Path((username, id)): Path<(String, String)>) -> ApiResult<Response> {
    Ok(activity_json(&read::activity(&s.app, &t, &username, path_id(&id)?).await?))
}

/// This instance's proof that it let a post quote one of its member's posts.
async fn quote_authorization(S(s): S<State>, Ctx(t): Ctx, Path((username, id)): Path<(String, String)>) -> ApiResult<Response> {
    Ok(activity_json(
        &herd_app::quotes::authorization(&s.app, &t, &username, path_id(&id)?).await?,
    ))
}

/// `?page=true` with `max_id` / `min_id`, as Mastodon pages its collections.
fn collection_page(p: &Params) -> ApiResult<Option<Page>> {
    if p.str("page").is_none() {
        return Ok(None);
    }
    Ok(Some(Page {
        max_id: p.id("max_id")?,
        min_id: p.id("min_id")?,
        since_id: None,
        limit: 20,
    }))
}

/// A collection page's own id and its neighbours, from the ids it covered (newest first).
fn page_links(id: &str, page: &Page, cursor: &[i64], full: bool) -> (String, Option<String>, Option<String>) {
    let this = match (page.max_id, page.min_id) {
        (Some(m), _) => format!("{id}?max_id={m}&page=true"),
        (None, Some(m)) => format!("{id}?min_id={m}&page=true"),
        (None, None) => format!("{id}?page=true"),
    };
    let next = cursor.last().filter(|_| full).map(|l| format!("{id}?max_id={l}&page=true"));
    let prev = cursor.first().map(|f| format!("{id}?min_id={f}&page=true"));
    (this, next, prev)
}

async fn outbox(S(s): S<State>, Ctx(t): Ctx, Path(username): Path<String>, p: Params) -> ApiResult<Response> {
    let a = read::local_account(&s.app, &t, &username).await?;
    let id = format!("{}/outbox", t.actor_uri(&a.username));
    let Some(page) = collection_page(&p)? else {
        let mut v = objects::collection(&id, a.statuses_count, Some(format!("{id}?page=true")));
        v["last"] = json!(format!("{id}?min_id=0&page=true"));
        return Ok(activity_json(&v));
    };
    let (items, cursor) = read::outbox_page(&s.app, &t, &a.username, &page).await?;
    let (this, next, prev) = page_links(&id, &page, &cursor, cursor.len() as i64 >= page.limit);
    let items: Vec<Value> = items.iter().map(|i| serde_json::to_value(i).unwrap_or(Value::Null)).collect();
    Ok(activity_json(&objects::collection_page(&this, &id, items, next, prev)))
}

async fn follow_collection(s: &State, t: &Tenant, username: &str, outgoing: bool, p: &Params) -> ApiResult<Response> {
    let a = read::local_account(&s.app, t, username).await?;
    let id = format!("{}/{}", t.actor_uri(&a.username), if outgoing { "following" } else { "followers" });
    let Some(page) = collection_page(p)? else {
        let total = if outgoing { a.following_count } else { a.followers_count };
        return Ok(activity_json(&objects::collection(&id, total, Some(format!("{id}?page=true")))));
    };
    let (_, items, cursor) = read::follow_page(&s.app, t, &a.username, outgoing, &page).await?;
    let (this, next, prev) = page_links(&id, &page, &cursor, cursor.len() as i64 >= page.limit);
    let items = items.into_iter().map(Value::String).collect();
    Ok(activity_json(&objects::collection_page(&this, &id, items, next, prev)))
}

async fn followers(S(s): S<State>, Ctx(t): Ctx, Path(username): Path<String>, p: Params) -> ApiResult<Response> {
    follow_collection(&s, &t, &username, false, &p).await
}

async fn following(S(s): S<State>, Ctx(t): Ctx, Path(username): Path<String>, p: Params) -> ApiResult<Response> {
    follow_collection(&s, &t, &username, true, &p).await
}

async fn featured(S(s): S<State>, Ctx(t): Ctx, Path(username): Path<String>) -> ApiResult<Response> {
    let a = read::local_account(&s.app, &t, &username).await?;
    let notes = read::featured(&s.app, &t, &a.username).await?;
    let id = format!("{}/collections/featured", t.actor_uri(&a.username));
    let mut v = objects::collection(&id, notes.len() as i64, None);
    v["orderedItems"] = serde_json::to_value(&notes).unwrap_or(Value::Null);
    Ok(activity_json(&v))
}

/// The hashtags an account features, as Mastodon's `featuredTags` collection.
async fn featured_tags(S(s): S<State>, Ctx(t): Ctx, Path(username): Path<String>) -> ApiResult<Response> {
    let a = read::local_account(&s.app, &t, &username).await?;
    let mut c = s.app.db.conn().await?;
    let tags = herd_store::featured::tags_of(&mut c, t.id, a.id).await?;
    let id = format!("{}/collections/tags", t.actor_uri(&a.username));
    let items: Vec<Value> = tags
        .iter()
        .map(|f| {
            serde_json::json!({"type": "Hashtag", "href": format!("{}/tagged/{}", t.profile_url(&a.username), f.name.to_lowercase()),
                               "name": format!("#{}", f.name)})
        })
        .collect();
    let v = serde_json::json!({"@context": "https://www.w3.org/ns/activitystreams", "id": id, "type": "Collection",
                               "totalItems": items.len(), "items": items});
    Ok(activity_json(&v))
}

/// Where an instance serves ActivityPub documents only to signed requests, a GET of an
/// actor's documents must be signed by a remote actor whose key verifies; a browser asking
/// for a profile or post page is still redirected. The instance actor, discovery and inboxes
/// stay open, so other servers can check Herd's own signatures.
pub(crate) async fn signed_fetch(S(s): S<State>, req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let gated = req.method() == axum::http::Method::GET && req.uri().path().starts_with("/users/");
    if !gated {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let t = match <Ctx as axum::extract::FromRequestParts<State>>::from_request_parts(&mut parts, &s).await {
        Ok(Ctx(t)) => t,
        Err(e) => return e.into_response(),
    };
    let segments = parts.uri.path().trim_matches('/').split('/').count();
    let page = !wants_activity(&parts.headers) && (segments == 2 || segments == 4);
    if t.row.authorized_fetch != 0 && !page {
        let headers: Vec<(String, String)> = parts
            .headers
            .iter()
            .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_string(), v.to_string())))
            .collect();
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        if let Err(e) = herd_app::federation::inbox::signed_get(&s.app, &t, &path, &headers).await {
            return ApiError(e).into_response();
        }
    }
    next.run(axum::extract::Request::from_parts(parts, body)).await
}
