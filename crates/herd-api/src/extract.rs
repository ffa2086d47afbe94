//! Request extractors: the instance (from the Host header), the signed-in viewer (from the
//! bearer token) and parameters, which real clients send as query strings, form bodies, JSON
//! or multipart, with Rails-style `a[]` and `a[0][name]` keys.

use std::collections::HashMap;

use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use axum::http::request::Parts;
use herd_app::media::Upload;
use herd_app::{AppError, Tenant, Viewer};
use herd_core::Id;
use serde_json::{Map, Value};

use crate::State;
use crate::error::{ApiError, ApiResult};

/// The instance this request is for. Unknown hosts get 404 and no data.
pub struct Ctx(pub std::sync::Arc<Tenant>);

impl FromRequestParts<State> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &State) -> Result<Self, Self::Rejection> {
        if let Some(t) = parts.extensions.get::<std::sync::Arc<Tenant>>() {
            return Ok(Ctx(t.clone()));
        }
        let host = parts
            .headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .unwrap_or("");
        match herd_app::tenants::resolve(&state.app, host).await? {
            Some(t) => {
                parts.extensions.insert(t.clone());
                Ok(Ctx(t))
            }
            None => Err(ApiError(AppError::NotFound("No instance is served at this address"))),
        }
    }
}

/// The viewer, if the request carries a valid token of this instance. A token that is
/// present but invalid is an error, as on Mastodon.
pub struct Auth(pub Option<Viewer>);

impl FromRequestParts<State> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &State) -> Result<Self, Self::Rejection> {
        if let Some(v) = parts.extensions.get::<Viewer>() {
            return Ok(Auth(Some(v.clone())));
        }
        let Some(token) = bearer(&parts.headers)? else {
            return Ok(Auth(None));
        };
        let Ctx(tenant) = Ctx::from_request_parts(parts, state).await?;
        let v = herd_app::auth::authenticate(&state.app, &tenant, &token).await?;
        parts.extensions.insert(v.clone());
        Ok(Auth(Some(v)))
    }
}

/// The bearer token of a request, if it carries one; a malformed header is an error.
pub(crate) fn bearer(headers: &axum::http::HeaderMap) -> ApiResult<Option<String>> {
    let Some(h) = headers.get(AUTHORIZATION) else { return Ok(None) };
    let invalid = || ApiError(AppError::Unauthorized("The access token is invalid".into()));
    let h = h.to_str().map_err(|_| invalid())?;
    if h.starts_with("Basic ") {
        return Ok(None);
    }
    let token = h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")).unwrap_or("").trim();
    if token.is_empty() {
        return Err(invalid());
    }
    Ok(Some(token.to_string()))
}

/// A token that is sent must be valid, on every API route (Mastodon's
/// `authorize_if_got_token!`), except the instance's public description.
pub async fn check_token(
    axum::extract::State(state): axum::extract::State<State>,
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = req.uri().path();
    let exempt = !path.starts_with("/api/") || path.starts_with("/api/v1/instance") || path.starts_with("/api/v2/instance");
    if exempt || !req.headers().contains_key(AUTHORIZATION) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    if let Err(e) = Auth::from_request_parts(&mut parts, &state).await {
        return e.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

impl Auth {
    /// A token of a user (not only an app) holding `scope`.
    pub fn user(&self, scope: &str) -> ApiResult<(Viewer, i64)> {
        let v = self
            .0
            .clone()
            .ok_or_else(|| ApiError(AppError::Unauthorized("The access token is invalid".into())))?;
        let Some(account) = v.account_id else {
            return Err(ApiError(AppError::Invalid("This method requires an authenticated user".into())));
        };
        if !v.scopes.allows(scope) {
            return Err(ApiError(AppError::Forbidden("This action is outside the authorized scopes".into())));
        }
        Ok((v, account))
    }

    /// A staff member acting through the admin API with `scope` (a granular admin scope, which
    /// `admin:read` or `admin:write` covers). Their role's permissions are checked by the verb;
    /// a member gets Mastodon's 403 here already.
    pub fn staff(&self, scope: &str) -> ApiResult<herd_app::moderation::Moderator> {
        let (v, account) = self.user(scope)?;
        if !v.role.is_staff() {
            return Err(ApiError(herd_app::moderation::not_allowed()));
        }
        Ok(herd_app::moderation::Moderator {
            account: Some(account),
            role: v.role,
        })
    }

    /// The viewer's account id when signed in with `scope`; anonymous access is allowed.
    pub fn optional(&self, scope: &str) -> ApiResult<Option<i64>> {
        match &self.0 {
            None => Ok(None),
            Some(v) if v.account_id.is_none() => Ok(None),
            Some(_) => Ok(Some(self.user(scope)?.1)),
        }
    }
}

/// The client's address: the peer, or with `trust_forwarded_for` the last address the proxy
/// appended to `X-Forwarded-For`.
pub struct ClientIp(pub std::net::IpAddr);

impl FromRequestParts<State> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &State) -> Result<Self, Self::Rejection> {
        client_ip(&parts.headers, &parts.extensions, state.options.trust_forwarded_for)
            .map(ClientIp)
            .ok_or_else(|| ApiError(AppError::Internal("no peer address on the connection".into())))
    }
}

/// The client's address (see [`ClientIp`]).
pub(crate) fn client_ip(
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
    trust_forwarded_for: bool,
) -> Option<std::net::IpAddr> {
    if trust_forwarded_for {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
            .next_back();
        if forwarded.is_some() {
            return forwarded;
        }
    }
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

/// Parameters from the query string and body, merged (body wins).
#[derive(Default)]
pub struct Params {
    map: Map<String, Value>,
    files: HashMap<String, Upload>,
}

impl FromRequest<State> for Params {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &State) -> Result<Self, Self::Rejection> {
        let mut p = Params::default();
        if let Some(q) = req.uri().query() {
            p.add_pairs(q)?;
        }
        let ctype = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if ctype.starts_with("multipart/form-data") {
            let mut mp = Multipart::from_request(req, state)
                .await
                .map_err(|e| bad(format!("multipart body: {e}")))?;
            while let Some(field) = mp.next_field().await.map_err(|e| bad(format!("multipart body: {e}")))? {
                let name = field.name().unwrap_or("").to_string();
                if field.file_name().is_some() {
                    let filename = field.file_name().map(str::to_string);
                    let mime = field.content_type().map(str::to_string);
                    let bytes = field.bytes().await.map_err(|e| bad(format!("multipart body: {e}")))?.to_vec();
                    p.files.insert(name, Upload { bytes, mime, filename });
                } else {
                    let text = field.text().await.map_err(|e| bad(format!("multipart body: {e}")))?;
                    insert(&mut p.map, &name, Value::String(text))?;
                }
            }
            return Ok(p);
        }
        let body = axum::body::to_bytes(req.into_body(), MAX_BODY).await.map_err(|_| {
            ApiError(AppError::TooLarge(format!(
                "The request body is over {MAX_BODY} bytes (files go in multipart uploads)"
            )))
        })?;
        if body.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(p);
        }
        if ctype.starts_with("application/json") || (ctype.is_empty() && body.first() == Some(&b'{')) {
            let v: Value = serde_json::from_slice(&body).map_err(|e| bad(format!("the JSON body could not be parsed: {e}")))?;
            match v {
                Value::Object(m) => p.map.extend(m),
                _ => return Err(bad("the JSON body must be an object".into())),
            }
        } else {
            let text = std::str::from_utf8(&body).map_err(|_| bad("the form body is not UTF-8".into()))?;
            p.add_pairs(text)?;
        }
        Ok(p)
    }
}

fn bad(msg: String) -> ApiError {
    ApiError(AppError::BadRequest(msg))
}

/// The largest non-multipart body read (JSON or form); uploads are multipart.
const MAX_BODY: usize = 1 << 20;
/// Nesting allowed in a parameter key (`fields_attributes[0][name]` has 2).
const MAX_KEY_DEPTH: usize = 4;
const MAX_KEY_LEN: usize = 256;

/// Inserts `value` under a Rails-style key: `a`, `a[]`, `a[b]`, `a[0][name]`. Keys are
/// bounded in length and depth, so no input can nest values without limit.
fn insert(map: &mut Map<String, Value>, key: &str, value: Value) -> ApiResult<()> {
    if key.len() > MAX_KEY_LEN {
        return Err(bad(format!("parameter name too long (over {MAX_KEY_LEN} characters)")));
    }
    let (head, rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    let mut segs: Vec<&str> = Vec::new();
    let mut r = rest;
    while let Some(stripped) = r.strip_prefix('[') {
        let Some(end) = stripped.find(']') else { break };
        segs.push(&stripped[..end]);
        r = &stripped[end + 1..];
        if segs.len() > MAX_KEY_DEPTH {
            return Err(bad(format!("parameter {key:?} is nested too deeply")));
        }
    }
    fn place(slot: &mut Value, segs: &[&str], value: Value) {
        match segs.split_first() {
            None => *slot = value,
            Some((&"", rest)) => {
                if !slot.is_array() {
                    *slot = Value::Array(Vec::new());
                }
                if let Value::Array(a) = slot {
                    if rest.is_empty() {
                        a.push(value);
                    } else {
                        // `a[][k]=1&a[][j]=2` is one element {k, j}, `a[][k]=1&a[][k]=2` two,
                        // as Rack reads them.
                        let open = a
                            .last_mut()
                            .filter(|last| last.as_object().is_some_and(|o| !o.contains_key(rest[0])));
                        match open {
                            Some(last) => place(last, rest, value),
                            None => {
                                let mut v = Value::Null;
                                place(&mut v, rest, value);
                                a.push(v);
                            }
                        }
                    }
                }
            }
            Some((k, rest)) => {
                if !slot.is_object() {
                    *slot = Value::Object(Map::new());
                }
                if let Value::Object(m) = slot {
                    place(m.entry(k.to_string()).or_insert(Value::Null), rest, value);
                }
            }
        }
    }
    place(map.entry(head.to_string()).or_insert(Value::Null), &segs, value);
    Ok(())
}

impl Params {
    /// The parameters of a query string (one carried through a sign-in elsewhere).
    pub fn from_query(q: &str) -> ApiResult<Params> {
        let mut p = Params::default();
        p.add_pairs(q)?;
        Ok(p)
    }

    fn add_pairs(&mut self, s: &str) -> ApiResult<()> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(s).map_err(|e| bad(format!("parameters could not be parsed: {e}")))?;
        for (k, v) in pairs {
            insert(&mut self.map, &k, Value::String(v))?;
        }
        Ok(())
    }

    pub fn get(&self, k: &str) -> Option<&Value> {
        self.map.get(k).filter(|v| !v.is_null())
    }

    pub fn str(&self, k: &str) -> Option<String> {
        match self.get(k)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A non-empty string parameter, or 400 naming it.
    pub fn required(&self, k: &str) -> ApiResult<String> {
        self.str(k)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| bad(format!("Missing required parameter: {k}")))
    }

    pub fn bool(&self, k: &str) -> ApiResult<Option<bool>> {
        Ok(match self.get(k) {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::Number(n)) => Some(n.as_i64().unwrap_or(0) != 0),
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "t" | "on" | "yes" => Some(true),
                "0" | "false" | "f" | "off" | "no" | "" => Some(false),
                _ => return Err(ApiError(AppError::Invalid(format!("Validation failed: {k} must be true or false")))),
            },
            Some(_) => return Err(ApiError(AppError::Invalid(format!("Validation failed: {k} must be true or false")))),
        })
    }

    pub fn flag(&self, k: &str) -> ApiResult<bool> {
        Ok(self.bool(k)?.unwrap_or(false))
    }

    pub fn int(&self, k: &str) -> ApiResult<Option<i64>> {
        match self.str(k) {
            None => Ok(None),
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| ApiError(AppError::Invalid(format!("Validation failed: {k} must be a whole number")))),
        }
    }

    pub fn id(&self, k: &str) -> ApiResult<Option<i64>> {
        match self.str(k) {
            None => Ok(None),
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => Ok(Some(
                Id::parse("id", &s).map_err(|_| ApiError(AppError::NotFound("Record not found")))?.0,
            )),
        }
    }

    /// A list given as `k[]=a&k[]=b`, `k[0]=a`, a JSON array, or a single value.
    pub fn list(&self, k: &str) -> Vec<String> {
        let scalar = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match self.get(k) {
            Some(Value::Array(a)) => a.iter().filter_map(scalar).collect(),
            Some(Value::Object(m)) => m.values().filter_map(scalar).collect(),
            Some(v) => scalar(v).into_iter().collect(),
            None => Vec::new(),
        }
    }

    pub fn ids(&self, k: &str) -> ApiResult<Vec<i64>> {
        self.list(k)
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| {
                Id::parse("id", s)
                    .map(|i| i.0)
                    .map_err(|_| ApiError(AppError::Invalid(format!("Validation failed: {k} has an invalid id"))))
            })
            .collect()
    }

    /// `fields_attributes` as Mastodon takes it: an object keyed by index or an array of
    /// `{name, value}`.
    pub fn fields(&self, k: &str) -> Option<Vec<(String, String)>> {
        let entry = |v: &Value| {
            let name = v.get("name").and_then(Value::as_str).unwrap_or("").to_string();
            let value = v.get("value").and_then(Value::as_str).unwrap_or("").to_string();
            (name, value)
        };
        match self.get(k)? {
            Value::Array(a) => Some(a.iter().map(entry).collect()),
            Value::Object(m) => {
                let mut items: Vec<(usize, (String, String))> =
                    m.iter().map(|(i, v)| (i.parse().unwrap_or(usize::MAX), entry(v))).collect();
                items.sort_by_key(|(i, _)| *i);
                Some(items.into_iter().map(|(_, e)| e).collect())
            }
            _ => None,
        }
    }

    /// The parameters under `k` (`k[a]=1&k[b]=2`, or a JSON object), or `None` when absent;
    /// 422 when `k` is there but holds no object.
    pub fn nested(&self, k: &str) -> ApiResult<Option<Params>> {
        match self.get(k) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(Params {
                map: m.clone(),
                ..Params::default()
            })),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(_) => Err(ApiError(AppError::Invalid(format!("Validation failed: {k} must be an object")))),
        }
    }

    pub fn take_file(&mut self, k: &str) -> Option<Upload> {
        self.files.remove(k)
    }
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rails_keys() {
        let mut p = Params::default();
        p.add_pairs(
            "media_ids[]=1&media_ids[]=2&fields_attributes[0][name]=a&fields_attributes[0][value]=b&fields_attributes[1][name]=c&x=1",
        )
        .unwrap();
        assert_eq!(p.list("media_ids"), vec!["1", "2"]);
        assert_eq!(
            p.fields("fields_attributes").unwrap(),
            vec![("a".into(), "b".into()), ("c".into(), "".into())]
        );
        assert_eq!(p.bool("x").unwrap(), Some(true));
        assert_eq!(p.list("x"), vec!["1"]);
        assert!(p.bool("media_ids").is_err());
        let deep = format!("a{}=1", "[]".repeat(50_000));
        assert!(
            Params::default().add_pairs(&deep).is_err(),
            "deep keys are refused, not recursed into"
        );
    }
}
