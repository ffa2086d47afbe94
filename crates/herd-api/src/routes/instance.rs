use axum::extract::State as S;
use axum::routing::get;
use axum::{Json, Router};
use herd_core::{Role, Timestamp};
use herd_store::{TenantId, tenants};
use serde_json::Value;

use crate::State;
use crate::entities::{self, Account};
use crate::error::ApiResult;
use crate::extract::Ctx;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/instance", get(v1))
        .route("/api/v2/instance", get(v2))
        .route("/api/v1/instance/rules", get(rules))
        .route("/api/v1/instance/privacy_policy", get(privacy_policy))
        .route("/api/v1/instance/extended_description", get(extended_description))
}

async fn gather(s: &State, t: TenantId) -> ApiResult<(tenants::Stats, Vec<tenants::RuleRow>, Option<herd_store::accounts::AccountRow>)> {
    let mut c = s.app.db.conn().await?;
    let stats = tenants::stats(&mut c, t, Timestamp::now().plus_secs(-30 * 86_400).0).await?;
    let rules = tenants::rules(&mut c, t).await?;
    let contact = herd_store::users::first_with_role(&mut c, t, Role::Owner.as_str()).await?;
    Ok((stats, rules, contact))
}

async fn v1(S(s): S<State>, Ctx(t): Ctx) -> ApiResult<Json<Value>> {
    let (stats, rules, contact) = gather(&s, t.id).await?;
    let contact: Option<Account> = contact.map(|a| entities::account(&t, &a));
    Ok(Json(entities::instance_v1(&t, &stats, &rules, contact)))
}

async fn v2(S(s): S<State>, Ctx(t): Ctx) -> ApiResult<Json<Value>> {
    let (stats, rules, contact) = gather(&s, t.id).await?;
    let contact: Option<Account> = contact.map(|a| entities::account(&t, &a));
    Ok(Json(entities::instance_v2(&t, &stats, &rules, contact)))
}

async fn rules(S(s): S<State>, Ctx(t): Ctx) -> ApiResult<Json<Vec<entities::Rule>>> {
    let mut c = s.app.db.conn().await?;
    Ok(Json(tenants::rules(&mut c, t.id).await?.iter().map(entities::rule).collect()))
}

/// Plain text (blank lines between paragraphs) as the HTML Mastodon's legal texts come in.
fn paragraphs_html(text: &str) -> String {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", herd_core::content::escape(p).replace('\n', "<br>")))
        .collect()
}

/// `{updated_at, content}`: the instance's privacy policy (404 when it has none).
async fn privacy_policy(Ctx(t): Ctx) -> ApiResult<Json<serde_json::Value>> {
    if t.row.privacy_policy.trim().is_empty() {
        return Err(crate::error::ApiError(herd_app::AppError::NotFound("Record not found")));
    }
    Ok(Json(serde_json::json!({
        "updated_at": entities::time(t.row.policies_updated_at.unwrap_or(t.row.updated_at)),
        "content": paragraphs_html(&t.row.privacy_policy),
    })))
}

/// `{updated_at, content}`: the instance's description, as its about page shows it.
async fn extended_description(Ctx(t): Ctx) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(serde_json::json!({
        "updated_at": entities::time(t.row.updated_at),
        "content": paragraphs_html(&t.row.description),
    })))
}
