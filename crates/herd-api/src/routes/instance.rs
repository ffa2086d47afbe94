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
