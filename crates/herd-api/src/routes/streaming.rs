//! The streaming API: `/api/v1/streaming` over WebSocket (one connection, many streams,
//! subscribed and unsubscribed by message) and its server-sent-events endpoints
//! (`/api/v1/streaming/user`, `/public/local`, `/hashtag?tag=`, ...), as Mastodon serves them.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State as S};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use herd_app::{AppError, Tenant, Viewer};
use serde_json::{Value, json};

use crate::State;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Ctx, Params};
use crate::streaming::{Membership, Message, Stream};

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/streaming", get(websocket))
        .route("/api/v1/streaming/health", get(|| async { "OK" }))
        .route("/api/v1/streaming/{*path}", get(events))
}

/// The token of a streaming request: `Authorization`, the `access_token` parameter, or the
/// WebSocket subprotocol (which browsers can set where they cannot set headers).
fn token(headers: &HeaderMap, p: &Params) -> Option<String> {
    // A malformed Authorization header counts as none: the other places may carry it.
    let bearer = crate::extract::bearer(headers).ok().flatten();
    let protocol = headers
        .get(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|h| h.to_str().ok())
        .map(|t| t.trim().to_string());
    bearer.or_else(|| p.str("access_token")).or(protocol).filter(|t| !t.is_empty())
}

async fn viewer(s: &State, t: &Tenant, headers: &HeaderMap, p: &Params) -> ApiResult<Option<Viewer>> {
    match token(headers, p) {
        Some(tok) => Ok(Some(herd_app::auth::authenticate(&s.app, t, &tok).await?)),
        None => Ok(None),
    }
}

/// Checks that the viewer may follow `stream`.
fn allowed(v: Option<&Viewer>, stream: &Stream) -> Result<(), (u16, &'static str)> {
    let account = v.and_then(|v| v.account_id);
    if stream.needs_account() && account.is_none() {
        return Err((401, "Missing access token"));
    }
    let scope = match stream {
        Stream::UserNotification => "read:notifications",
        _ => "read:statuses",
    };
    if let Some(v) = v
        && !v.scopes.allows(scope)
    {
        return Err((403, "Access token does not have the required scopes"));
    }
    Ok(())
}

/// Joins the hub for the viewer.
fn join(s: &State, t: Arc<Tenant>, v: Option<&Viewer>) -> (Membership, tokio::sync::mpsc::Receiver<Message>) {
    let account = v.and_then(|v| v.account_id);
    let notifications = v.is_some_and(|v| v.scopes.allows("read:notifications"));
    s.hub.join(t, account, notifications)
}

async fn websocket(
    S(s): S<State>,
    Ctx(t): Ctx,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
    p: Params,
) -> ApiResult<Response> {
    let v = viewer(&s, &t, &headers, &p).await?;
    let Ok(upgrade) = upgrade else {
        // Without an upgrade, `?stream=` asks for server-sent events.
        let name = p.required("stream")?;
        return events_for(&s, t, v.as_ref(), &name, &p);
    };
    let first = match p.str("stream") {
        Some(name) => {
            let stream =
                Stream::parse(&name, p.str("tag").as_deref(), p.str("list").as_deref()).map_err(|e| ApiError(AppError::BadRequest(e)))?;
            allowed(v.as_ref(), &stream).map_err(|(code, msg)| refusal(code, msg))?;
            Some(stream)
        }
        None => None,
    };
    let protocol = headers
        .get(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string);
    // Clients only send small subscribe messages: small buffers keep an idle connection
    // cheap (tungstenite's defaults are 128 KiB each way).
    let upgrade = upgrade
        .read_buffer_size(4096)
        .write_buffer_size(4096)
        .max_write_buffer_size(1 << 20)
        .max_message_size(64 << 10)
        .max_frame_size(64 << 10);
    let upgrade = match protocol {
        Some(p) => upgrade.protocols([p]),
        None => upgrade,
    };
    Ok(upgrade.on_upgrade(move |socket| session(s, t, v, first, socket)).into_response())
}

fn refusal(code: u16, msg: &'static str) -> ApiError {
    match code {
        401 => ApiError(AppError::Unauthorized(msg.into())),
        _ => ApiError(AppError::Forbidden(msg.into())),
    }
}

/// One WebSocket client: messages out as they come, subscriptions in.
async fn session(s: State, t: Arc<Tenant>, v: Option<Viewer>, first: Option<Stream>, mut socket: WebSocket) {
    let (membership, mut rx) = join(&s, t, v.as_ref());
    if let Some(stream) = first {
        membership.sub.subscribe(stream);
    }
    let mut ping = tokio::time::interval(Duration::from_secs(30));
    ping.tick().await;
    loop {
        tokio::select! {
            m = rx.recv() => {
                let Some(m) = m else { return };
                if socket.send(WsMessage::Text(m.frame.to_string().into())).await.is_err() {
                    return;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(WsMessage::Text(text))) => {
                    if let Some(reply) = command(&membership, v.as_ref(), &text)
                        && socket.send(WsMessage::Text(reply.into())).await.is_err()
                    {
                        return;
                    }
                }
                Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            _ = s.hub.stopping() => {
                let _ = socket.send(WsMessage::Close(None)).await;
                return;
            }
            _ = ping.tick() => {
                if socket.send(WsMessage::Ping(Default::default())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// A client's `{"type": "subscribe" | "unsubscribe", "stream": ..., "tag"/"list": ...}`; an
/// error message to answer, if any.
fn command(m: &Membership, v: Option<&Viewer>, text: &str) -> Option<String> {
    let err = |msg: &str, status: u16| Some(json!({"error": msg, "status": status}).to_string());
    let Ok(cmd) = serde_json::from_str::<Value>(text) else {
        return err("Invalid JSON", 400);
    };
    let field = |k: &str| match cmd.get(k) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let stream = match Stream::parse(
        &field("stream").unwrap_or_default(),
        field("tag").as_deref(),
        field("list").as_deref(),
    ) {
        Ok(s) => s,
        Err(e) => return err(&e, 400),
    };
    match field("type").as_deref() {
        Some("subscribe") => {
            if let Err((status, msg)) = allowed(v, &stream) {
                return err(msg, status);
            }
            m.sub.subscribe(stream);
            None
        }
        Some("unsubscribe") => {
            m.sub.unsubscribe(&stream);
            None
        }
        _ => err("Unknown type: use subscribe or unsubscribe", 400),
    }
}

/// Server-sent events: `/api/v1/streaming/public/local` is the stream `public:local`.
async fn events(S(s): S<State>, Ctx(t): Ctx, headers: HeaderMap, Path(path): Path<String>, p: Params) -> ApiResult<Response> {
    let v = viewer(&s, &t, &headers, &p).await?;
    let name = path.trim_matches('/').replace('/', ":");
    events_for(&s, t, v.as_ref(), &name, &p)
}

fn events_for(s: &State, t: Arc<Tenant>, v: Option<&Viewer>, name: &str, p: &Params) -> ApiResult<Response> {
    let stream = Stream::parse(name, p.str("tag").as_deref(), p.str("list").as_deref()).map_err(|e| match e.as_str() {
        "Unknown stream type" => ApiError(AppError::NotFound("Unknown stream type")),
        _ => ApiError(AppError::BadRequest(e)),
    })?;
    allowed(v, &stream).map_err(|(code, msg)| refusal(code, msg))?;
    let (membership, rx) = join(s, t, v);
    membership.sub.subscribe(stream);
    let hub = s.hub.clone();
    let out = futures_util::stream::unfold((membership, rx, hub), |(membership, mut rx, hub)| async move {
        let m = tokio::select! {
            m = rx.recv() => m?,
            _ = hub.stopping() => return None,
        };
        let mut e = SseEvent::default().event(m.event);
        e = e.data(m.payload.as_deref().unwrap_or(""));
        Some((Ok::<_, Infallible>(e), (membership, rx, hub)))
    });
    Ok(Sse::new(out)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)).text("thump"))
        .into_response())
}
