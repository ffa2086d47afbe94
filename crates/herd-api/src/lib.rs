//! HTTP: axum routers for OAuth, the Mastodon client API and media files. Handlers parse
//! (extractors), call a processing verb in `herd-app`, and render entities.
//!
//! **`herd-api` writes no SQL**; it reaches storage only through `herd-app` (and the
//! read-side repositories for simple look-ups). Errors become responses only in `error.rs`.

mod blocked;
mod entities;
mod entitled;
mod error;
mod extract;
mod limits;
mod paging;
mod routes;
pub mod streaming;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use herd_app::App;

pub use entities::instance_v2;
pub use error::ApiError;
pub use extract::{ClientIp, Ctx, Params, cookie_value};
pub use herd_core::Cidr;
pub use limits::{Limits, Rate, RateLimits};
pub use routes::oauth::sso_consent;

/// What every handler can reach.
#[derive(Clone)]
pub struct State {
    pub app: Arc<App>,
    pub limits: Arc<Limits>,
    pub options: Options,
    /// This node's live clients.
    pub hub: Arc<streaming::Hub>,
}

/// How the HTTP layer sees its surroundings.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Behind a reverse proxy that appends the client's address to `X-Forwarded-For`: rate
    /// limits then key on that address instead of the proxy's.
    pub trust_forwarded_for: bool,
    /// The rate limits and the networks exempt from them.
    pub rate_limits: RateLimits,
}

/// The whole HTTP surface of Herd: the API, federation and files, and `pages` (the public
/// web pages, from `herd-web`, which builds on this crate's state and extractors). With a
/// `console` (the admin domain and its routes, from `herd-console`), requests for that
/// domain go to the console and never reach an instance.
pub fn router(
    app: App,
    options: Options,
    hub: Arc<streaming::Hub>,
    pages: Router<State>,
    console: Option<(String, Router<State>)>,
) -> Router {
    let state = State {
        app: Arc::new(app),
        limits: Arc::new(Limits::new(options.rate_limits.clone())),
        options,
        hub,
    };
    let instances = routes::routes()
        .merge(pages)
        .layer(axum::middleware::from_fn_with_state(state.clone(), entitled::enforce))
        .layer(axum::middleware::from_fn_with_state(state.clone(), limits::throttle))
        .layer(axum::middleware::from_fn_with_state(state.clone(), extract::check_token))
        .layer(axum::middleware::from_fn_with_state(state.clone(), routes::signed_fetch))
        .layer(axum::middleware::from_fn_with_state(state.clone(), blocked::refuse_blocked))
        .layer(cors())
        // Uploads are checked against each instance's own limit (videos up to Mastodon's
        // 99 MiB by default); this only bounds memory.
        .layer(DefaultBodyLimit::max(100 << 20))
        .with_state(state.clone());
    let Some((domain, console)) = console else { return instances };
    let console = console.layer(DefaultBodyLimit::max(1 << 20)).with_state(state);
    let domain = domain.to_ascii_lowercase();
    Router::new().fallback_service(tower::service_fn(move |req: axum::extract::Request| {
        let for_console = is_host(&req, &domain);
        let (console, instances) = (console.clone(), instances.clone());
        async move {
            use tower::ServiceExt;
            if for_console {
                console.oneshot(req).await
            } else {
                instances.oneshot(req).await
            }
        }
    }))
}

/// Whether a request is for `domain` (its port compared only when `domain` names one).
fn is_host(req: &axum::extract::Request, domain: &str) -> bool {
    let host = req
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
        .unwrap_or("")
        .to_ascii_lowercase();
    if domain.contains(':') {
        host == domain
    } else {
        host.split(':').next() == Some(domain)
    }
}

/// Browser-based clients (Elk, Phanpy, ...) call the API from other origins, as Mastodon
/// allows: any origin, no cookies, the pagination `Link` header readable.
fn cors() -> tower_http::cors::CorsLayer {
    use axum::http::{Method, header};
    tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers(tower_http::cors::AllowHeaders::mirror_request())
        .expose_headers([header::LINK])
        .max_age(std::time::Duration::from_secs(86_400))
}
