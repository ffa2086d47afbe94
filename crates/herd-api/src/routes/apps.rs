use axum::extract::State as S;
use axum::routing::{get, post};
use axum::{Json, Router};
use herd_app::AppError;
use herd_app::auth::{self, NewApp};
use herd_core::Scopes;
use serde_json::{Value, json};

use crate::State;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Ctx, Params};

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/apps", post(create))
        .route("/api/v1/apps/verify_credentials", get(verify))
}

fn app_json(row: &herd_store::oauth::AppRow) -> Value {
    let uris: Vec<&str> = row.redirect_uris.lines().collect();
    json!({
        "id": row.id.to_string(),
        "name": row.name,
        "website": row.website,
        "scopes": row.scopes.split(' ').collect::<Vec<_>>(),
        "redirect_uri": uris.join("\n"),
        "redirect_uris": uris,
        "vapid_key": ""
    })
}

async fn create(S(s): S<State>, Ctx(t): Ctx, p: Params) -> ApiResult<Json<Value>> {
    let name = p.required("client_name")?;
    let mut redirect_uris: Vec<String> = p
        .list("redirect_uris")
        .iter()
        .flat_map(|u| u.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect();
    redirect_uris.dedup();
    if redirect_uris.is_empty() {
        return Err(ApiError(AppError::Invalid("Validation failed: Redirect URI can't be blank".into())));
    }
    let scopes = Scopes::parse(&p.str("scopes").unwrap_or_default())?;
    let (row, secret) = auth::create_app(
        &s.app,
        &t,
        NewApp {
            name,
            redirect_uris,
            scopes,
            website: p.str("website"),
        },
    )
    .await?;
    let mut v = app_json(&row);
    if let Some(o) = v.as_object_mut() {
        o.insert("client_id".into(), json!(row.client_id));
        o.insert("client_secret".into(), json!(secret));
        o.insert("client_secret_expires_at".into(), json!(0));
    }
    Ok(Json(v))
}

async fn verify(S(s): S<State>, Ctx(t): Ctx, a: Auth) -> ApiResult<Json<Value>> {
    let v =
        a.0.ok_or_else(|| ApiError(AppError::Unauthorized("The access token is invalid".into())))?;
    match v.app_id {
        Some(id) => Ok(Json(app_json(&auth::app_of(&s.app, &t, id).await?))),
        None => Ok(Json(
            json!({"name": "Herd command line", "website": null, "scopes": v.scopes.iter().collect::<Vec<_>>(), "redirect_uris": [], "vapid_key": ""}),
        )),
    }
}
