//! OAuth 2: the sign-in and consent page, the token endpoint (authorization_code with PKCE,
//! password, client_credentials), revocation and server metadata (RFC 8414).

use axum::extract::State as S;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use herd_app::auth::{self, Authorization, FirstFactor, Grant, OOB};
use herd_app::{AppError, Tenant};
use herd_core::content::escape;
use herd_core::{Scopes, secret};
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::State;
use crate::error::oauth_error;
use crate::extract::{ClientIp, Ctx, Params};

pub fn routes() -> Router<State> {
    Router::new()
        .route("/oauth/authorize", get(authorize_page).post(authorize_submit))
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
        .route("/.well-known/oauth-authorization-server", get(metadata))
}

const SCOPES_SUPPORTED: &[&str] = &[
    "read",
    "write",
    "follow",
    "push",
    "profile",
    "admin:read",
    "admin:write",
    "read:accounts",
    "read:blocks",
    "read:bookmarks",
    "read:favourites",
    "read:filters",
    "read:follows",
    "read:lists",
    "read:mutes",
    "read:notifications",
    "read:search",
    "read:statuses",
    "write:accounts",
    "write:blocks",
    "write:bookmarks",
    "write:conversations",
    "write:favourites",
    "write:filters",
    "write:follows",
    "write:lists",
    "write:media",
    "write:mutes",
    "write:notifications",
    "write:reports",
    "write:statuses",
];

async fn metadata(Ctx(t): Ctx) -> Json<serde_json::Value> {
    let base = t.base_url();
    Json(json!({
        "issuer": format!("{base}/"),
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "app_registration_endpoint": format!("{base}/api/v1/apps"),
        "scopes_supported": SCOPES_SUPPORTED,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "grant_types_supported": ["authorization_code", "password", "client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"]
    }))
}

/// Client credentials from HTTP Basic auth or the body.
fn client_credentials(headers: &HeaderMap, p: &Params) -> (Option<String>, Option<String>) {
    let basic = headers
        .get(AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(a, b)| (a.to_string(), b.to_string())));
    match basic {
        Some((id, sec)) => (Some(id), Some(sec)),
        None => (p.str("client_id"), p.str("client_secret")),
    }
}

fn scopes_param(p: &Params) -> Result<Option<Scopes>, AppError> {
    match p.str("scope").or_else(|| p.str("scopes")).filter(|s| !s.trim().is_empty()) {
        Some(s) => Ok(Some(Scopes::parse(&s)?)),
        None => Ok(None),
    }
}

async fn token(S(s): S<State>, Ctx(t): Ctx, ClientIp(ip): ClientIp, headers: HeaderMap, p: Params) -> Response {
    let result = async {
        let (client_id, client_secret) = client_credentials(&headers, &p);
        let client_id = client_id.ok_or_else(|| AppError::Unauthorized("Client authentication failed: no client_id".into()))?;
        let grant = match p.str("grant_type").as_deref() {
            Some("authorization_code") => Grant::AuthorizationCode {
                code: p
                    .str("code")
                    .ok_or_else(|| AppError::Invalid("Missing required parameter: code".into()))?,
                redirect_uri: p.str("redirect_uri").unwrap_or_else(|| OOB.to_string()),
                code_verifier: p.str("code_verifier"),
            },
            Some("password") => {
                let username = p
                    .str("username")
                    .ok_or_else(|| AppError::Invalid("Missing required parameter: username".into()))?;
                if !s.limits.login(t.id.0, ip, &username, herd_core::Timestamp::now().0) {
                    return Err(AppError::RateLimited);
                }
                Grant::Password {
                    username,
                    password: p.str("password").unwrap_or_default(),
                    scopes: scopes_param(&p)?,
                }
            }
            Some("client_credentials") => Grant::ClientCredentials { scopes: scopes_param(&p)? },
            Some(other) => {
                return Err(AppError::Unsupported(format!(
                    "The authorization grant type {other:?} is not supported"
                )));
            }
            None => return Err(AppError::Invalid("Missing required parameter: grant_type".into())),
        };
        auth::issue_token(&s.app, &t, &client_id, client_secret.as_deref(), grant).await
    }
    .await;
    match result {
        Ok(tok) => (
            [(CACHE_CONTROL, "no-store")],
            Json(json!({
                "access_token": tok.token,
                "token_type": "Bearer",
                "scope": tok.scopes.to_string(),
                "created_at": tok.created_at / 1000
            })),
        )
            .into_response(),
        Err(AppError::Invalid(m)) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_request", "error_description": m})),
        )
            .into_response(),
        Err(e) => oauth_error(e),
    }
}

async fn revoke(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, p: Params) -> Response {
    let (id, sec) = client_credentials(&headers, &p);
    let (Some(id), Some(sec), Some(tok)) = (id, sec, p.str("token")) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_request", "error_description": "client_id, client_secret and token are required"})),
        )
            .into_response();
    };
    match auth::revoke(&s.app, &t, &id, &sec, &tok).await {
        Ok(()) => Json(json!({})).into_response(),
        Err(e) => oauth_error(e),
    }
}

/// The authorization request as it travels from the page to the form and back.
struct Request {
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: String,
    code_challenge: String,
    code_challenge_method: String,
    /// A team account to act as (a username), when the member asked for one.
    acting_as: String,
}

impl Request {
    /// The request as a query string, to come back to after single sign-on.
    fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("scope", self.scope.as_str()),
            ("state", self.state.as_str()),
            ("code_challenge", self.code_challenge.as_str()),
            ("code_challenge_method", self.code_challenge_method.as_str()),
        ])
        .unwrap_or_default()
    }

    fn from(p: &Params) -> Request {
        Request {
            client_id: p.str("client_id").unwrap_or_default(),
            redirect_uri: p.str("redirect_uri").unwrap_or_default(),
            scope: p.str("scope").or_else(|| p.str("scopes")).unwrap_or_else(|| "read".into()),
            state: p.str("state").unwrap_or_default(),
            code_challenge: p.str("code_challenge").unwrap_or_default(),
            code_challenge_method: p.str("code_challenge_method").unwrap_or_default(),
            acting_as: p.str("acting_as").unwrap_or_default(),
        }
    }
}

const CSRF_COOKIE: &str = "herd_csrf";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><style>body{{font-family:system-ui,sans-serif;background:#f4f4f8;color:#1a1a1a;margin:0}}\
main{{max-width:26rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}}\
label{{display:block;margin-top:1rem;font-weight:600}}input[type=email],input[type=text],input[type=password]{{width:100%;padding:.6rem;margin-top:.3rem;box-sizing:border-box;border:1px solid #767676;border-radius:4px}}\
button{{margin-top:1.5rem;width:100%;padding:.7rem;background:#4338ca;color:#fff;border:0;border-radius:4px;font-size:1rem;cursor:pointer}}\
button:focus,input:focus{{outline:3px solid #f59e0b}}.error{{color:#b00020;font-weight:600}}code{{word-break:break-all;font-size:1.1rem}}</style></head>\
<body><main><h1>{title}</h1>{body}</main></body></html>"
    )
}

fn html_response(status: StatusCode, html: String, cookie: Option<String>) -> Response {
    let mut r = (status, Html(html)).into_response();
    let h = r.headers_mut();
    h.insert(
        "content-security-policy",
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
            .parse()
            .expect("static header"),
    );
    h.insert("x-frame-options", "DENY".parse().expect("static header"));
    h.insert(CACHE_CONTROL, "no-store".parse().expect("static header"));
    h.insert("referrer-policy", "no-referrer".parse().expect("static header"));
    if let Some(c) = cookie.and_then(|c| c.parse().ok()) {
        h.insert(SET_COOKIE, c);
    }
    r
}

fn error_page(status: StatusCode, msg: &str) -> Response {
    html_response(
        status,
        page(
            "Authorization failed",
            &format!("<p class=\"error\" role=\"alert\">{}</p>", escape(msg)),
        ),
        None,
    )
}

fn hidden_request(r: &Request, csrf: &str) -> String {
    let hidden = |name: &str, value: &str| format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(value));
    [
        hidden("client_id", &r.client_id),
        hidden("redirect_uri", &r.redirect_uri),
        hidden("scope", &r.scope),
        hidden("state", &r.state),
        hidden("code_challenge", &r.code_challenge),
        hidden("code_challenge_method", &r.code_challenge_method),
        hidden("authenticity_token", csrf),
    ]
    .concat()
}

fn error_line(error: Option<&str>) -> String {
    error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default()
}

fn scope_list(r: &Request) -> String {
    r.scope.split_whitespace().map(|s| format!("<li>{}</li>", escape(s))).collect()
}

/// The way to the organization's own sign-in, where the instance has single sign-on.
fn sso_link(r: &Request, sso: Option<&str>) -> String {
    sso.map(|label| {
        format!(
            "<p><a class=\"sso\" href=\"/auth/sso?authorize={}\">Sign in with {}</a></p><p>or with a password:</p>",
            escape(&url_encode(&r.query())),
            escape(label)
        )
    })
    .unwrap_or_default()
}

fn url_encode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|q| q.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

fn form(t: &Tenant, app_name: &str, r: &Request, csrf: &str, error: Option<&str>, sso: Option<&str>) -> String {
    let scopes = scope_list(r);
    page(
        &format!("Sign in to {}", escape(&t.row.title)),
        &format!(
            "{}<p><strong>{}</strong> asks for access to your account on {} with these permissions:</p><ul>{scopes}</ul>{}\
<form method=\"post\" action=\"/oauth/authorize\">{}\
<label for=\"email\">E-mail address or username</label><input id=\"email\" type=\"text\" name=\"email\" autocomplete=\"username\" required>\
<label for=\"password\">Password</label><input id=\"password\" type=\"password\" name=\"password\" autocomplete=\"current-password\" required>\
<label for=\"acting_as\">Sign in as a team account you post for (optional, e.g. @press)</label>\
<input id=\"acting_as\" type=\"text\" name=\"acting_as\" autocomplete=\"off\" value=\"{}\">\
<button type=\"submit\">Authorize</button></form>",
            error_line(error),
            escape(app_name),
            escape(t.domain.as_str()),
            sso_link(r, sso),
            hidden_request(r, csrf),
            escape(&r.acting_as),
        ),
    )
}

/// The consent after single sign-on: who signed in, what the app asks, and the sign-in
/// carried as a sealed ticket (`auth::hand_over`) to the form.
fn consent_form(t: &Tenant, app_name: &str, who: &str, r: &Request, csrf: &str, ticket: &str, error: Option<&str>) -> String {
    page(
        &format!("Sign in to {}", escape(&t.row.title)),
        &format!(
            "{}<p>Signed in as <strong>@{}</strong>.</p><p><strong>{}</strong> asks for access to your account on {} with these permissions:</p><ul>{}</ul>\
<form method=\"post\" action=\"/oauth/authorize\">{}<input type=\"hidden\" name=\"signed\" value=\"{}\">\
<label for=\"acting_as\">Sign in as a team account you post for (optional, e.g. @press)</label>\
<input id=\"acting_as\" type=\"text\" name=\"acting_as\" autocomplete=\"off\" value=\"{}\">\
<button type=\"submit\">Authorize</button></form>",
            error_line(error),
            escape(who),
            escape(app_name),
            escape(t.domain.as_str()),
            scope_list(r),
            hidden_request(r, csrf),
            escape(ticket),
            escape(&r.acting_as),
        ),
    )
}

/// After single sign-on that started on this page (`query` is [`Request::query`]): the
/// consent page for the signed-in account.
pub async fn sso_consent(s: &State, t: &Tenant, query: &str, signed: auth::SignedIn) -> Response {
    let r = match Params::from_query(query) {
        Ok(p) => Request::from(&p),
        Err(_) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "The authorization request was lost; start again in the app.",
            );
        }
    };
    let scopes = match Scopes::parse(&r.scope) {
        Ok(s) => s,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let app = match auth::check_client(&s.app, t, &r.client_id, &r.redirect_uri, &scopes).await {
        Ok(a) => a,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    consent(s, t, &app.name, &r, signed, None, StatusCode::OK).await
}

/// The consent page for an account signed in by single sign-on.
async fn consent(
    s: &State,
    t: &Tenant,
    app_name: &str,
    r: &Request,
    signed: auth::SignedIn,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let shown = async {
        let ticket = auth::hand_over(&s.app, t, signed)?;
        let who = herd_app::accounts::username_of(&s.app, t, signed.account()).await?;
        Ok::<_, AppError>((ticket, who))
    }
    .await;
    match shown {
        Ok((ticket, who)) => {
            let csrf = secret::generate();
            html_response(
                status,
                consent_form(t, app_name, &who, r, &csrf, &ticket, error),
                Some(csrf_cookie(t, &csrf)),
            )
        }
        Err(e) => error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

/// The second step for an account with two-factor authentication on.
fn code_form(t: &Tenant, r: &Request, csrf: &str, ticket: &str, error: Option<&str>) -> String {
    page(
        &format!("Sign in to {}", escape(&t.row.title)),
        &format!(
            "{}<form method=\"post\" action=\"/oauth/authorize\">{}<input type=\"hidden\" name=\"ticket\" value=\"{}\">\
<label for=\"code\">The six-digit code from your authenticator app, or a recovery code</label>\
<input id=\"code\" type=\"text\" name=\"code\" autocomplete=\"one-time-code\" inputmode=\"numeric\" required>\
<button type=\"submit\">Authorize</button></form>",
            error_line(error),
            [
                hidden_request(r, csrf),
                format!("<input type=\"hidden\" name=\"acting_as\" value=\"{}\">", escape(&r.acting_as))
            ]
            .concat(),
            escape(ticket),
        ),
    )
}

fn csrf_cookie(t: &Tenant, value: &str) -> String {
    let secure = if t.scheme == "https" { "; Secure" } else { "" };
    format!("{CSRF_COOKIE}={value}; Path=/oauth; HttpOnly; SameSite=Strict; Max-Age=3600{secure}")
}

/// The label of the instance's single sign-on, if it has one.
async fn sso_label(s: &State, t: &Tenant) -> Option<String> {
    match herd_app::sso::of(&s.app, t).await {
        Ok(sso) => sso.map(|x| x.label),
        Err(e) => {
            tracing::warn!(tenant = t.id.0, error = %e, "could not read the instance's single sign-on");
            None
        }
    }
}

async fn authorize_page(S(s): S<State>, Ctx(t): Ctx, p: Params) -> Response {
    let r = Request::from(&p);
    if p.str("response_type").as_deref().unwrap_or("code") != "code" {
        return error_page(StatusCode::BAD_REQUEST, "Only response_type=code is supported.");
    }
    let scopes = match Scopes::parse(&r.scope) {
        Ok(s) => s,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    match auth::check_client(&s.app, &t, &r.client_id, &r.redirect_uri, &scopes).await {
        Ok(app) => {
            let csrf = secret::generate();
            let sso = sso_label(&s, &t).await;
            html_response(
                StatusCode::OK,
                form(&t, &app.name, &r, &csrf, None, sso.as_deref()),
                Some(csrf_cookie(&t, &csrf)),
            )
        }
        Err(e) => error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

async fn authorize_submit(S(s): S<State>, Ctx(t): Ctx, ClientIp(ip): ClientIp, headers: HeaderMap, p: Params) -> Response {
    let r = Request::from(&p);
    let sent = p.str("authenticity_token").unwrap_or_default();
    let cookie = crate::extract::cookie_value(&headers, CSRF_COOKIE).unwrap_or_default();
    if sent.is_empty() || !bool::from(sent.as_bytes().ct_eq(cookie.as_bytes())) {
        return error_page(
            StatusCode::FORBIDDEN,
            "The form expired or did not come from this site. Go back, reload the page and try again.",
        );
    }
    let scopes = match Scopes::parse(&r.scope) {
        Ok(s) => s,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let app = match auth::check_client(&s.app, &t, &r.client_id, &r.redirect_uri, &scopes).await {
        Ok(a) => a,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let email = p.str("email").unwrap_or_default();
    let sso = sso_label(&s, &t).await;
    let retry = |msg: &str, status: StatusCode| {
        let csrf = secret::generate();
        html_response(
            status,
            form(&t, &app.name, &r, &csrf, Some(msg), sso.as_deref()),
            Some(csrf_cookie(&t, &csrf)),
        )
    };
    let ask_code = |ticket: &str, msg: Option<&str>, status: StatusCode| {
        let csrf = secret::generate();
        html_response(status, code_form(&t, &r, &csrf, ticket, msg), Some(csrf_cookie(&t, &csrf)))
    };
    let ticket = p.str("ticket").filter(|x| !x.is_empty());
    let handed = p.str("signed").filter(|x| !x.is_empty());
    // Codes are guessable too: counted per address and per ticket like passwords.
    let subject = match &ticket {
        Some(tk) => auth::attempts_key(&s.app, tk),
        None => email.clone(),
    };
    if !s.limits.login(t.id.0, ip, &subject, herd_core::Timestamp::now().0) {
        return match &ticket {
            Some(tk) => ask_code(
                tk,
                Some("Too many attempts. Wait a minute and try again."),
                StatusCode::TOO_MANY_REQUESTS,
            ),
            None => retry("Too many attempts. Wait a minute and try again.", StatusCode::TOO_MANY_REQUESTS),
        };
    }
    let signed_in = match (&handed, &ticket) {
        // Signed in at the organization's provider a moment ago (`sso_consent`).
        (Some(h), _) => match auth::take_over(&s.app, &t, h).await {
            Ok(si) => si,
            Err(AppError::Unauthorized(m) | AppError::Forbidden(m)) => return retry(&m, StatusCode::UNAUTHORIZED),
            Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
        },
        (None, Some(tk)) => match auth::code_step(&s.app, &t, tk, &p.str("code").unwrap_or_default()).await {
            Ok(si) => si,
            Err(AppError::Unauthorized(m)) if m.contains("expired") => return retry(&m, StatusCode::UNAUTHORIZED),
            Err(AppError::Unauthorized(m)) => return ask_code(tk, Some(&m), StatusCode::UNAUTHORIZED),
            Err(AppError::Forbidden(m)) => return retry(&m, StatusCode::FORBIDDEN),
            Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
        },
        (None, None) => match auth::password_step(&s.app, &t, &email, p.str("password").unwrap_or_default()).await {
            Ok(FirstFactor::Done(si)) => si,
            Ok(FirstFactor::Code(tk)) => return ask_code(&tk, None, StatusCode::OK),
            Err(AppError::Unauthorized(m)) => return retry(&m, StatusCode::UNAUTHORIZED),
            Err(AppError::Forbidden(m)) => return retry(&m, StatusCode::FORBIDDEN),
            Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.to_string()),
        },
    };
    let result = auth::authorize(
        &s.app,
        &t,
        Authorization {
            client_id: r.client_id.clone(),
            redirect_uri: r.redirect_uri.clone(),
            scopes,
            code_challenge: Some(r.code_challenge.clone()).filter(|c| !c.is_empty()),
            code_challenge_method: Some(r.code_challenge_method.clone()).filter(|c| !c.is_empty()),
            signed_in,
            acting_as: Some(r.acting_as.clone()).filter(|a| !a.trim().is_empty()),
        },
    )
    .await;
    match result {
        Ok(code) if r.redirect_uri == OOB => html_response(
            StatusCode::OK,
            page(
                "Authorization code",
                &format!(
                    "<p>Copy this code and paste it into the application:</p><p><code>{}</code></p>",
                    escape(&code)
                ),
            ),
            None,
        ),
        Ok(code) => {
            let mut q = vec![("code", code.as_str())];
            if !r.state.is_empty() {
                q.push(("state", r.state.as_str()));
            }
            let sep = if r.redirect_uri.contains('?') { '&' } else { '?' };
            let location = format!("{}{sep}{}", r.redirect_uri, serde_urlencoded::to_string(&q).unwrap_or_default());
            let mut resp = StatusCode::FOUND.into_response();
            if let Ok(v) = location.parse() {
                resp.headers_mut().insert(LOCATION, v);
            }
            resp
        }
        // After single sign-on, the consent again (a team the member cannot act as, say).
        Err(AppError::Unauthorized(m) | AppError::Forbidden(m)) if handed.is_some() => {
            consent(&s, &t, &app.name, &r, signed_in, Some(&m), StatusCode::FORBIDDEN).await
        }
        Err(AppError::Unauthorized(m)) => retry(&m, StatusCode::UNAUTHORIZED),
        Err(AppError::Forbidden(m)) => retry(&m, StatusCode::FORBIDDEN),
        Err(e) => error_page(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}
