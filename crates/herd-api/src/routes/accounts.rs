use axum::extract::{OriginalUri, Path, State as S};
use axum::http::HeaderMap;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use herd_app::accounts::ProfileUpdate;
use herd_app::{AppError, Tenant, follows, views};
use herd_core::{Id, RegistrationMode};
use herd_store::accounts::{self, AccountRow};
use herd_store::relationships::{Edge, FollowOptions};
use herd_store::statuses::AccountFilter;
use herd_store::{Conn, users};
use serde_json::{Value, json};

use crate::State;
use crate::entities::{self, Account, CredentialAccount, Relationship};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};
use crate::paging;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/accounts", post(sign_up))
        .route("/api/v1/accounts/verify_credentials", get(verify_credentials))
        .route("/api/v1/accounts/update_credentials", patch(update_credentials))
        .route("/api/v1/accounts/relationships", get(relationships))
        .route("/api/v1/accounts/lookup", get(lookup))
        .route("/api/v1/accounts/search", get(search))
        .route("/api/v1/accounts/{id}", get(show))
        .route("/api/v1/accounts/{id}/statuses", get(statuses))
        .route("/api/v1/accounts/{id}/followers", get(followers))
        .route("/api/v1/accounts/{id}/following", get(following))
        .route("/api/v1/accounts/{id}/follow", post(follow))
        .route("/api/v1/accounts/{id}/unfollow", post(unfollow))
        .route("/api/v1/accounts/{id}/block", post(block))
        .route("/api/v1/accounts/{id}/unblock", post(unblock))
        .route("/api/v1/accounts/{id}/mute", post(mute))
        .route("/api/v1/accounts/{id}/unmute", post(unmute))
        .route("/api/v1/follow_requests", get(follow_requests))
        .route("/api/v1/follow_requests/{id}/authorize", post(authorize_request))
        .route("/api/v1/follow_requests/{id}/reject", post(reject_request))
        .route("/api/v1/blocks", get(blocks))
        .route("/api/v1/mutes", get(mutes))
        .route("/api/v1/accounts/{id}/note", post(note))
        .route("/api/v1/preferences", get(preferences))
        .route(
            "/api/v1/domain_blocks",
            get(domain_blocks).post(block_domain).delete(unblock_domain),
        )
}

/// An id from the path; anything else is simply not found.
pub fn path_id(s: &str) -> ApiResult<i64> {
    Id::parse("id", s)
        .map(|i| i.0)
        .map_err(|_| ApiError(AppError::NotFound("Record not found")))
}

async fn sign_up(S(s): S<State>, Ctx(t): Ctx, a: Auth, ip: crate::extract::ClientIp, p: Params) -> ApiResult<Json<Value>> {
    let v =
        a.0.clone()
            .ok_or_else(|| ApiError(AppError::Unauthorized("The access token is invalid".into())))?;
    if !v.scopes.allows("write:accounts") {
        return Err(ApiError(AppError::Forbidden("This action is outside the authorized scopes".into())));
    }
    let mode = t.registrations();
    match mode {
        RegistrationMode::Closed => return Err(ApiError(AppError::Forbidden("Registrations are closed on this instance".into()))),
        RegistrationMode::Invite => {
            return Err(ApiError(AppError::Forbidden(
                "This instance accepts new accounts by invitation only".into(),
            )));
        }
        RegistrationMode::Open | RegistrationMode::Approval => {}
    }
    let row = herd_app::accounts::sign_up(
        &s.app,
        &t,
        herd_app::accounts::SignUp {
            username: p.str("username"),
            email: p.str("email"),
            password: p.str("password"),
            agreement: p.flag("agreement")?,
            reason: p.str("reason").unwrap_or_default(),
            locale: p.str("locale").unwrap_or_else(|| "en".into()),
            confirmed: !s.app.settings.mail_configured,
            ip: Some(ip.0),
        },
    )
    .await?;
    let tok = herd_app::auth::issue_after_signup(&s.app, &t, v.app_id, row.id, &v.scopes).await?;
    Ok(Json(
        json!({"access_token": tok.token, "token_type": "Bearer", "scope": tok.scopes.to_string(), "created_at": tok.created_at / 1000}),
    ))
}

pub async fn credential(c: &mut Conn, t: &Tenant, account: i64) -> ApiResult<CredentialAccount> {
    let row = accounts::by_id(c, t.id, account).await?;
    let user = users::by_account(c, t.id, account)
        .await?
        .ok_or(ApiError(AppError::NotFound("Record not found")))?;
    let pending = herd_store::relationships::count_incoming(c, t.id, Edge::FollowRequest, account).await?;
    Ok(entities::credential_account(t, &row, &user, pending))
}

async fn verify_credentials(S(s): S<State>, Ctx(t): Ctx, a: Auth) -> ApiResult<Json<CredentialAccount>> {
    let account = match a.user("read:accounts") {
        Ok((_, id)) => id,
        Err(e) => {
            a.0.as_ref()
                .filter(|v| v.scopes.allows("profile"))
                .and_then(|v| v.account_id)
                .ok_or(e)?
        }
    };
    let mut c = s.app.db.conn().await?;
    Ok(Json(credential(&mut c, &t, account).await?))
}

async fn update_credentials(S(s): S<State>, Ctx(t): Ctx, a: Auth, mut p: Params) -> ApiResult<Json<CredentialAccount>> {
    let (_, me) = a.user("write:accounts")?;
    let source = p.get("source").cloned().unwrap_or(Value::Null);
    let update = ProfileUpdate {
        display_name: p.str("display_name"),
        note: p.str("note"),
        fields: p.fields("fields_attributes"),
        avatar: p.take_file("avatar"),
        header: p.take_file("header"),
        locked: p.bool("locked")?,
        bot: p.bool("bot")?,
        discoverable: p.bool("discoverable")?,
        indexable: p.bool("indexable")?,
        default_visibility: match source.get("privacy").and_then(Value::as_str).filter(|v| !v.is_empty()) {
            Some(v) => Some(herd_core::Visibility::parse(v)?),
            None => None,
        },
        default_sensitive: match source.get("sensitive") {
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::String(v)) => Some(matches!(v.as_str(), "true" | "1" | "on")),
            _ => None,
        },
        default_language: source.get("language").and_then(Value::as_str).map(str::to_string),
        default_quote_policy: match source.get("quote_policy").and_then(Value::as_str).filter(|v| !v.is_empty()) {
            Some(v) => Some(herd_core::QuotePolicy::parse(v)?),
            None => None,
        },
    };
    herd_app::accounts::update_profile(&s.app, &t, me, update).await?;
    let mut c = s.app.db.conn().await?;
    Ok(Json(credential(&mut c, &t, me).await?))
}

async fn relationships(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Vec<Relationship>>> {
    let (_, me) = a.user("read:follows")?;
    let ids: Vec<i64> = p
        .list("id")
        .iter()
        .filter_map(|i| Id::parse("id", i).ok())
        .map(|i| i.0)
        .take(100)
        .collect();
    let mut c = s.app.db.conn().await?;
    let known: Vec<i64> = accounts::by_ids(&mut c, t.id, &ids).await?.iter().map(|a| a.id).collect();
    let ids: Vec<i64> = ids.into_iter().filter(|i| known.contains(i)).collect();
    Ok(Json(
        views::relationships(&mut c, t.id, me, &ids)
            .await?
            .iter()
            .map(entities::relationship)
            .collect(),
    ))
}

async fn lookup(S(s): S<State>, Ctx(t): Ctx, p: Params) -> ApiResult<Json<Account>> {
    let acct = p.required("acct")?;
    let acct = acct.trim_start_matches('@');
    let (user, domain) = acct
        .split_once('@')
        .map(|(u, d)| (u, Some(d.to_ascii_lowercase())))
        .unwrap_or((acct, None));
    let local = domain.as_deref().is_none_or(|d| d == t.domain.as_str() || d == t.handle_domain());
    let row = match domain.as_deref() {
        Some(d) if !local => Some(herd_app::federation::resolve::account(&s.app, &t, user, d).await?),
        _ => accounts::by_username(&mut s.app.db.conn().await?, t.id, user, "").await?,
    };
    match row {
        Some(r) if r.suspended_at.is_none() => Ok(Json(entities::account(&t, &r))),
        _ => Err(ApiError(AppError::NotFound("Record not found"))),
    }
}

async fn search(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Vec<Account>>> {
    let (_, me) = a.user("read:accounts")?;
    let me = Some(me);
    let q = p.required("q")?;
    let q = q.trim().trim_start_matches('@');
    let q = q.split('@').next().unwrap_or("");
    let limit = p.int("limit")?.unwrap_or(40).clamp(1, 80);
    let offset = p.int("offset")?.unwrap_or(0).max(0);
    let mut c = s.app.db.conn().await?;
    let mut rows = accounts::search(&mut c, t.id, q, limit, offset).await?;
    if p.flag("following")? {
        let Some(me) = me else {
            return Err(ApiError(AppError::Unauthorized("The access token is invalid".into())));
        };
        let rels = views::relationships(&mut c, t.id, me, &rows.iter().map(|r| r.id).collect::<Vec<_>>()).await?;
        rows.retain(|r| rels.iter().any(|x| x.id == r.id && x.following));
    }
    Ok(Json(rows.iter().map(|r| entities::account(&t, r)).collect()))
}

async fn show(S(s): S<State>, Ctx(t): Ctx, Path(id): Path<String>) -> ApiResult<Json<Account>> {
    let mut c = s.app.db.conn().await?;
    Ok(Json(entities::account(&t, &views::account(&mut c, t.id, path_id(&id)?).await?)))
}

async fn statuses(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult<axum::response::Response> {
    let me = a.optional("read:statuses")?;
    let id = path_id(&id)?;
    let page = paging::page(&p, 20, 40)?;
    let mut c = s.app.db.conn().await?;
    views::account(&mut c, t.id, id).await?;
    let filter = AccountFilter {
        exclude_replies: p.flag("exclude_replies")?,
        exclude_reblogs: p.flag("exclude_reblogs")?,
        only_media: p.flag("only_media")?,
        pinned: p.flag("pinned")?,
        tagged: p.str("tagged").filter(|s| !s.is_empty()),
        ..Default::default()
    };
    let tl = herd_app::timelines::account(&mut c, t.id, me, id, filter, &page).await?;
    Ok(super::timelines::respond(&s, &t, &uri, tl))
}

async fn account_list(
    s: &State,
    t: &Tenant,
    uri: &axum::http::Uri,
    join: &str,
    key: i64,
    p: &Params,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let page = paging::page(p, 40, 80)?;
    let mut c = s.app.db.conn().await?;
    let rows: Vec<(i64, AccountRow)> = accounts::via(&mut c, t.id, join, key, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|(j, _)| *j).collect();
    Ok((
        paging::link(t, uri, &ids),
        Json(rows.iter().map(|(_, a)| entities::account(t, a)).collect()),
    ))
}

async fn followers(
    S(s): S<State>,
    Ctx(t): Ctx,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let id = path_id(&id)?;
    views::account(&mut s.app.db.conn().await?, t.id, id).await?;
    account_list(&s, &t, &uri, &Edge::Follow.join(false), id, &p).await
}

async fn following(
    S(s): S<State>,
    Ctx(t): Ctx,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let id = path_id(&id)?;
    views::account(&mut s.app.db.conn().await?, t.id, id).await?;
    account_list(&s, &t, &uri, &Edge::Follow.join(true), id, &p).await
}

async fn blocks(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let (_, me) = a.user("read:blocks")?;
    account_list(&s, &t, &uri, &Edge::Block.join(true), me, &p).await
}

async fn mutes(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let (_, me) = a.user("read:mutes")?;
    account_list(&s, &t, &uri, &Edge::Mute.join(true), me, &p).await
}

async fn follow_requests(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let (_, me) = a.user("read:follows")?;
    account_list(&s, &t, &uri, &Edge::FollowRequest.join(false), me, &p).await
}

pub(super) async fn relationship_with(s: &State, t: &Tenant, me: i64, target: i64) -> ApiResult<Json<Relationship>> {
    let mut c = s.app.db.conn().await?;
    let rels = views::relationships(&mut c, t.id, me, &[target]).await?;
    let r = rels.first().ok_or(ApiError(AppError::NotFound("Record not found")))?;
    Ok(Json(entities::relationship(r)))
}

/// What one account does to another through the account and follow-request routes.
enum Act {
    Follow(FollowOptions),
    Unfollow,
    Block,
    Unblock,
    Mute { notifications: bool, duration: Option<i64> },
    Unmute,
    Authorize,
    Reject,
}

/// Checks the scope, reads the action's parameters, does it, and answers with the
/// relationship as it now stands.
async fn act(
    s: &State,
    t: &Tenant,
    a: &Auth,
    id: &str,
    scope: &str,
    read: impl FnOnce() -> ApiResult<Act>,
) -> ApiResult<Json<Relationship>> {
    let (_, me) = a.user(scope)?;
    let other = path_id(id)?;
    let app = &s.app;
    match read()? {
        Act::Follow(o) => follows::follow(app, t, me, other, o).await?,
        Act::Unfollow => follows::unfollow(app, t, me, other).await?,
        Act::Block => follows::block(app, t, me, other).await?,
        Act::Unblock => follows::unblock(app, t, me, other).await?,
        Act::Mute { notifications, duration } => follows::mute(app, t, me, other, notifications, duration).await?,
        Act::Unmute => follows::unmute(app, t, me, other).await?,
        Act::Authorize => follows::authorize(app, t, me, other).await?,
        Act::Reject => follows::reject(app, t, me, other).await?,
    }
    relationship_with(s, t, me, other).await
}

type Rel = ApiResult<Json<Relationship>>;

async fn follow(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> Rel {
    act(&s, &t, &a, &id, "write:follows", || {
        Ok(Act::Follow(FollowOptions {
            show_reblogs: p.bool("reblogs")?.unwrap_or(true),
            notify: p.flag("notify")?,
        }))
    })
    .await
}

async fn unfollow(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> Rel {
    act(&s, &t, &a, &id, "write:follows", || Ok(Act::Unfollow)).await
}

async fn block(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> Rel {
    act(&s, &t, &a, &id, "write:blocks", || Ok(Act::Block)).await
}

async fn unblock(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> Rel {
    act(&s, &t, &a, &id, "write:blocks", || Ok(Act::Unblock)).await
}

async fn mute(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> Rel {
    act(&s, &t, &a, &id, "write:mutes", || {
        Ok(Act::Mute {
            notifications: p.bool("notifications")?.unwrap_or(true),
            duration: p.int("duration")?,
        })
    })
    .await
}

async fn unmute(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> Rel {
    act(&s, &t, &a, &id, "write:mutes", || Ok(Act::Unmute)).await
}

async fn authorize_request(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> Rel {
    act(&s, &t, &a, &id, "write:follows", || Ok(Act::Authorize)).await
}

async fn reject_request(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>) -> Rel {
    act(&s, &t, &a, &id, "write:follows", || Ok(Act::Reject)).await
}

async fn note(S(s): S<State>, Ctx(t): Ctx, a: Auth, Path(id): Path<String>, p: Params) -> ApiResult<Json<Relationship>> {
    let (_, me) = a.user("write:accounts")?;
    let target = path_id(&id)?;
    herd_app::accounts::note(&s.app, &t, me, target, &p.str("comment").unwrap_or_default()).await?;
    let mut c = s.app.db.conn().await?;
    let rel = views::relationships(&mut c, t.id, me, &[target]).await?;
    rel.first()
        .map(|r| Json(entities::relationship(r)))
        .ok_or(ApiError(AppError::NotFound("Record not found")))
}

/// The signed-in user's preferences, as Mastodon names them.
async fn preferences(S(s): S<State>, Ctx(t): Ctx, a: Auth) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("read:accounts")?;
    let mut c = s.app.db.conn().await?;
    let user = users::by_account(&mut c, t.id, me)
        .await?
        .ok_or(ApiError(AppError::NotFound("Record not found")))?;
    Ok(Json(json!({
        "posting:default:visibility": user.default_visibility,
        "posting:default:sensitive": user.default_sensitive != 0,
        "posting:default:language": user.default_language,
        "posting:default:quote_policy": user.default_quote_policy,
        "reading:expand:media": "default",
        "reading:expand:spoilers": false,
        "reading:autoplay:gifs": false,
    })))
}

/// `GET /api/v1/domain_blocks`: the domains the user hides, newest first.
async fn domain_blocks(
    S(s): S<State>,
    Ctx(t): Ctx,
    a: Auth,
    OriginalUri(uri): OriginalUri,
    p: Params,
) -> ApiResult<(HeaderMap, Json<Vec<String>>)> {
    let (_, me) = a.user("read:blocks")?;
    let page = paging::page(&p, 100, 200)?;
    let mut c = s.app.db.conn().await?;
    let rows = herd_store::domain_blocks::list(&mut c, t.id, me, &page).await?;
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    Ok((paging::link(&t, &uri, &ids), Json(rows.into_iter().map(|(_, d)| d).collect())))
}

async fn block_domain(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:blocks")?;
    follows::block_domain(&s.app, &t, me, &p.required("domain")?).await?;
    Ok(Json(json!({})))
}

async fn unblock_domain(S(s): S<State>, Ctx(t): Ctx, a: Auth, p: Params) -> ApiResult<Json<Value>> {
    let (_, me) = a.user("write:blocks")?;
    follows::unblock_domain(&s.app, &t, me, &p.required("domain")?).await?;
    Ok(Json(json!({})))
}
