//! The provider API (`/api/herd/v1`, on the admin domain): what the console does, as JSON,
//! for a billing system or scripts. A staff member's API token (`herd staff token`) in
//! `Authorization: Bearer`; reading takes any staff role, changing takes an operator.
//! Errors are Mastodon-style `{"error": ...}`. The OpenAPI 3.1 document is generated from
//! these handlers and types (utoipa) and served at `/api/herd/v1/openapi.json`.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path, Query, State as S};
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use herd_api::{ApiError, State};
use herd_app::AppError;
use herd_app::bookings::{NewBooking, Target};
use herd_app::organizations::{NewExternal, NewOrganization, Slug};
use herd_app::staff::Staff;
use herd_core::{Coverage, Domain, RegistrationMode, Service, Terms, Timestamp};
use herd_store::bookings::BookingRow;
use herd_store::organizations::OrgRow;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/herd/v1/openapi.json", get(openapi))
        .route("/api/herd/v1/organizations", get(list_organizations).post(create_organization))
        .route("/api/herd/v1/organizations/{slug}", get(show_organization))
        .route("/api/herd/v1/organizations/{slug}/instances", post(create_instance))
        .route("/api/herd/v1/organizations/{slug}/externals", post(register_external))
        .route(
            "/api/herd/v1/organizations/{slug}/bookings",
            get(list_bookings).post(create_booking),
        )
        .route("/api/herd/v1/organizations/{slug}/bookings/{id}/end", post(end_booking))
        .route("/api/herd/v1/organizations/{slug}/bookings/{id}/reopen", post(reopen_booking))
        .route("/api/herd/v1/organizations/{slug}/usage", get(usage))
        .route("/api/herd/v1/plans", get(list_plans).post(define_plan))
}

/// A JSON body; a malformed one is refused Mastodon-style (`{"error": ...}`, 422).
struct Body<T>(T);

impl<T: serde::de::DeserializeOwned> axum::extract::FromRequest<State> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &State) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e) => Err(ApiError(AppError::Invalid(format!(
                "The request body is not what this route takes: {}",
                e.body_text()
            )))),
        }
    }
}

/// The staff member a request's bearer token acts as.
struct ApiStaff(Staff);

impl FromRequestParts<State> for ApiStaff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &State) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError(AppError::Unauthorized("The access token is invalid".into())))?;
        Ok(ApiStaff(herd_app::staff::authenticate_token(&state.app, token).await?))
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Herd provider API", version = "1", description = "Organizations, their instances and bookings, plans and usage."),
    paths(
        list_organizations, create_organization, show_organization, create_instance, register_external,
        list_bookings, create_booking, end_booking, reopen_booking, usage, list_plans, define_plan
    ),
    components(schemas(Organization, NewOrganizationBody, Instance, External, NewInstanceBody, NewExternalBody,
        Booking, NewBookingBody, TermsBody, EndBody, UsageRow, Plan, NewPlanBody, ErrorBody)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI 3.1 document of this API.
pub fn document() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}

async fn openapi() -> Json<serde_json::Value> {
    Json(document())
}

/// An error, as every route answers it.
#[derive(Serialize, ToSchema)]
struct ErrorBody {
    error: String,
}

#[derive(Serialize, ToSchema)]
struct Organization {
    slug: String,
    name: String,
    notes: String,
    created_at: String,
    instances: Vec<Instance>,
    externals: Vec<External>,
}

#[derive(Serialize, ToSchema)]
struct Instance {
    domain: String,
    title: String,
    /// `hosted`, `read_only` or `suspended`.
    hosting: String,
}

#[derive(Serialize, ToSchema)]
struct External {
    domain: String,
    url: String,
}

fn time(ms: i64) -> String {
    Timestamp(ms).to_rfc3339()
}

async fn organization(s: &State, o: &OrgRow) -> Result<Organization, AppError> {
    let mut c = s.app.db.conn().await?;
    let hosted = herd_store::organizations::tenants_of(&mut c, o.id).await?;
    let externals = herd_store::organizations::externals_of(&mut c, o.id).await?;
    drop(c);
    let mut instances = Vec::new();
    for (id, domain, title) in hosted {
        let g = herd_app::entitlements::of(&s.app, herd_store::TenantId(id)).await?;
        let hosting = match g.hosting {
            herd_app::entitlements::Hosting::Active => "hosted",
            herd_app::entitlements::Hosting::ReadOnly { .. } => "read_only",
            herd_app::entitlements::Hosting::Suspended { .. } => "suspended",
        };
        instances.push(Instance {
            domain,
            title,
            hosting: hosting.into(),
        });
    }
    Ok(Organization {
        slug: o.slug.clone(),
        name: o.name.clone(),
        notes: o.notes.clone(),
        created_at: time(o.created_at),
        instances,
        externals: externals
            .into_iter()
            .map(|e| External {
                domain: e.domain,
                url: e.url,
            })
            .collect(),
    })
}

async fn org_of(s: &State, slug: &str) -> ApiResult<OrgRow> {
    let mut c = s.app.db.conn().await?;
    Ok(herd_store::organizations::by_slug(&mut c, slug)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?)
}

/// Organizations by name, 100 at a time.
#[utoipa::path(get, path = "/api/herd/v1/organizations",
    params(("q" = Option<String>, Query, description = "Only names or short names containing this"),
           ("after" = Option<String>, Query, description = "The name the previous page ended with")),
    responses((status = 200, body = [Organization]), (status = 401, body = ErrorBody)))]
async fn list_organizations(S(s): S<State>, _: ApiStaff, Query(q): Query<HashMap<String, String>>) -> ApiResult<Json<Vec<Organization>>> {
    let mut c = s.app.db.conn().await?;
    let rows = herd_store::organizations::list(&mut c, q.get("q").map(String::as_str), q.get("after").map(String::as_str), 100).await?;
    drop(c);
    let mut out = Vec::new();
    for o in &rows {
        out.push(organization(&s, o).await?);
    }
    Ok(Json(out))
}

#[derive(Deserialize, ToSchema)]
struct NewOrganizationBody {
    slug: String,
    name: String,
    #[serde(default)]
    notes: String,
}

#[utoipa::path(post, path = "/api/herd/v1/organizations", request_body = NewOrganizationBody,
    responses((status = 200, body = Organization), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_organization(
    S(s): S<State>,
    ApiStaff(staff): ApiStaff,
    Body(b): Body<NewOrganizationBody>,
) -> ApiResult<Json<Organization>> {
    staff.require_operator()?;
    let o = herd_app::organizations::create(
        &s.app,
        &staff.actor(),
        NewOrganization {
            slug: Slug::parse(&b.slug)?,
            name: b.name,
            notes: b.notes,
        },
    )
    .await?;
    Ok(Json(organization(&s, &o).await?))
}

#[utoipa::path(get, path = "/api/herd/v1/organizations/{slug}", params(("slug" = String, Path)),
    responses((status = 200, body = Organization), (status = 404, body = ErrorBody)))]
async fn show_organization(S(s): S<State>, _: ApiStaff, Path(slug): Path<String>) -> ApiResult<Json<Organization>> {
    let o = org_of(&s, &slug).await?;
    Ok(Json(organization(&s, &o).await?))
}

#[derive(Deserialize, ToSchema)]
struct NewInstanceBody {
    /// Its domain (the instance is served on it).
    domain: String,
    title: Option<String>,
    /// `open`, `approval` (default), `invite` or `closed`.
    registrations: Option<String>,
    /// The hosting plan.
    plan: Option<String>,
}

/// Creates a hosted instance of the organization, its hosting booked from now on.
#[utoipa::path(post, path = "/api/herd/v1/organizations/{slug}/instances", params(("slug" = String, Path)),
    request_body = NewInstanceBody, responses((status = 200, body = Instance), (status = 409, body = ErrorBody)))]
async fn create_instance(
    S(s): S<State>,
    ApiStaff(staff): ApiStaff,
    Path(slug): Path<String>,
    Body(b): Body<NewInstanceBody>,
) -> ApiResult<Json<Instance>> {
    staff.require_operator()?;
    let org = org_of(&s, &slug).await?;
    let t = herd_app::tenants::create(
        &s.app,
        &staff.actor(),
        herd_app::tenants::NewTenant {
            domain: Domain::parse(&b.domain)?,
            title: b.title,
            registrations: RegistrationMode::parse(b.registrations.as_deref().unwrap_or("approval"))?,
            organization: Some(org),
            hosting_plan: b.plan,
        },
    )
    .await?;
    Ok(Json(Instance {
        domain: t.domain.to_string(),
        title: t.row.title.clone(),
        hosting: "hosted".into(),
    }))
}

#[derive(Deserialize, ToSchema)]
struct NewExternalBody {
    domain: String,
    /// Where its Mastodon API is (default `https://DOMAIN`).
    url: Option<String>,
}

#[utoipa::path(post, path = "/api/herd/v1/organizations/{slug}/externals", params(("slug" = String, Path)),
    request_body = NewExternalBody, responses((status = 200, body = External), (status = 409, body = ErrorBody)))]
async fn register_external(
    S(s): S<State>,
    ApiStaff(staff): ApiStaff,
    Path(slug): Path<String>,
    Body(b): Body<NewExternalBody>,
) -> ApiResult<Json<External>> {
    staff.require_operator()?;
    let org = org_of(&s, &slug).await?;
    let e = herd_app::organizations::register_external(
        &s.app,
        &staff.actor(),
        &org,
        NewExternal {
            domain: Domain::parse(&b.domain)?,
            url: b.url,
        },
    )
    .await?;
    Ok(Json(External {
        domain: e.domain,
        url: e.url,
    }))
}

/// Terms of a service; each overrides the plan's.
#[derive(Serialize, Deserialize, ToSchema, Default)]
struct TermsBody {
    response_minutes: Option<i64>,
    /// `24/7` or like `mon-fri 09:00-17:00 Europe/Berlin`.
    coverage: Option<String>,
    backup_every_hours: Option<i64>,
    backup_keep: Option<i64>,
    max_accounts: Option<i64>,
    max_storage_bytes: Option<i64>,
    grace_days: Option<i64>,
}

impl TermsBody {
    fn terms(&self) -> Result<Terms, AppError> {
        Ok(Terms {
            response_minutes: self.response_minutes,
            coverage: self.coverage.as_deref().map(str::parse::<Coverage>).transpose()?,
            backup_every_hours: self.backup_every_hours,
            backup_keep: self.backup_keep,
            max_accounts: self.max_accounts,
            max_storage_bytes: self.max_storage_bytes,
            grace_days: self.grace_days,
        })
    }

    fn of(t: &Terms) -> TermsBody {
        TermsBody {
            response_minutes: t.response_minutes,
            coverage: t.coverage.as_ref().map(|c| c.to_string()),
            backup_every_hours: t.backup_every_hours,
            backup_keep: t.backup_keep,
            max_accounts: t.max_accounts,
            max_storage_bytes: t.max_storage_bytes,
            grace_days: t.grace_days,
        }
    }
}

#[derive(Serialize, ToSchema)]
struct Booking {
    id: String,
    service: String,
    /// The instance's domain; none for the whole organization.
    instance: Option<String>,
    plan: Option<String>,
    starts_at: String,
    ends_at: Option<String>,
    /// The terms in force: the plan's with the booking's own over them.
    terms: TermsBody,
}

async fn booking(s: &State, b: &BookingRow) -> Result<Booking, AppError> {
    let mut c = s.app.db.conn().await?;
    let instance = match (b.tenant_id, b.external_id) {
        (Some(t), _) => Some(herd_store::tenants::by_id(&mut c, herd_store::TenantId(t)).await?.domain),
        (_, Some(e)) => herd_store::organizations::externals_of(&mut c, b.organization_id)
            .await?
            .into_iter()
            .find(|x| x.id == e)
            .map(|x| x.domain),
        _ => None,
    };
    Ok(Booking {
        id: b.id.to_string(),
        service: b.service.clone(),
        instance,
        plan: b.plan_name.clone(),
        starts_at: time(b.starts_at),
        ends_at: b.ends_at.map(time),
        terms: TermsBody::of(&herd_app::bookings::terms_of(b)),
    })
}

#[utoipa::path(get, path = "/api/herd/v1/organizations/{slug}/bookings", params(("slug" = String, Path)),
    responses((status = 200, body = [Booking]), (status = 404, body = ErrorBody)))]
async fn list_bookings(S(s): S<State>, _: ApiStaff, Path(slug): Path<String>) -> ApiResult<Json<Vec<Booking>>> {
    let org = org_of(&s, &slug).await?;
    let mut c = s.app.db.conn().await?;
    let rows = herd_store::bookings::of_org(&mut c, org.id).await?;
    drop(c);
    let mut out = Vec::new();
    for b in &rows {
        out.push(booking(&s, b).await?);
    }
    Ok(Json(out))
}

#[derive(Deserialize, ToSchema)]
struct NewBookingBody {
    /// `hosting`, `moderation`, `support`, `backups` or `updates`.
    service: String,
    /// A hosted or external instance's domain; none: the whole organization.
    instance: Option<String>,
    plan: Option<String>,
    #[serde(default)]
    terms: TermsBody,
    /// RFC 3339; now unless given.
    starts_at: Option<String>,
    ends_at: Option<String>,
}

fn instant(s: Option<&str>) -> Result<Option<i64>, AppError> {
    s.map(|v| {
        Timestamp::parse_rfc3339(v)
            .map(|t| t.0)
            .ok_or_else(|| AppError::Invalid(format!("{v:?} is not an RFC 3339 time")))
    })
    .transpose()
}

#[utoipa::path(post, path = "/api/herd/v1/organizations/{slug}/bookings", params(("slug" = String, Path)),
    request_body = NewBookingBody, responses((status = 200, body = Booking), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_booking(
    S(s): S<State>,
    ApiStaff(staff): ApiStaff,
    Path(slug): Path<String>,
    Body(b): Body<NewBookingBody>,
) -> ApiResult<Json<Booking>> {
    staff.require_operator()?;
    let org = org_of(&s, &slug).await?;
    let target = Target::named(&s.app, &org, b.instance.as_deref()).await?;
    let row = herd_app::bookings::book(
        &s.app,
        &staff.actor(),
        &org,
        NewBooking {
            service: Service::parse(&b.service)?,
            target,
            plan: b.plan,
            terms: b.terms.terms()?,
            starts_at: instant(b.starts_at.as_deref())?,
            ends_at: instant(b.ends_at.as_deref())?,
        },
    )
    .await?;
    Ok(Json(booking(&s, &row).await?))
}

#[derive(Deserialize, ToSchema, Default)]
struct EndBody {
    /// RFC 3339; now unless given.
    at: Option<String>,
}

fn booking_id(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound("Record not found"))
}

/// Ends a booking; ending hosting makes the instance read-only, then suspended after its
/// grace period. Nothing is deleted.
#[utoipa::path(post, path = "/api/herd/v1/organizations/{slug}/bookings/{id}/end", params(("slug" = String, Path), ("id" = String, Path)),
    request_body = EndBody, responses((status = 200, body = Booking), (status = 404, body = ErrorBody)))]
async fn end_booking(
    S(s): S<State>,
    ApiStaff(staff): ApiStaff,
    Path((slug, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Booking>> {
    staff.require_operator()?;
    let org = org_of(&s, &slug).await?;
    let b = herd_app::bookings::of_org(&s.app, org.id, booking_id(&id)?).await?;
    let body: EndBody = if body.iter().all(u8::is_ascii_whitespace) {
        EndBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| AppError::Invalid(format!("The request body is not what this route takes: {e}")))?
    };
    let at = instant(body.at.as_deref())?;
    let row = herd_app::bookings::end(&s.app, &staff.actor(), &org, &b, at).await?;
    Ok(Json(booking(&s, &row).await?))
}

#[utoipa::path(post, path = "/api/herd/v1/organizations/{slug}/bookings/{id}/reopen", params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Booking), (status = 409, body = ErrorBody)))]
async fn reopen_booking(S(s): S<State>, ApiStaff(staff): ApiStaff, Path((slug, id)): Path<(String, String)>) -> ApiResult<Json<Booking>> {
    staff.require_operator()?;
    let org = org_of(&s, &slug).await?;
    let b = herd_app::bookings::of_org(&s.app, org.id, booking_id(&id)?).await?;
    let row = herd_app::bookings::reopen(&s.app, &staff.actor(), &org, &b).await?;
    Ok(Json(booking(&s, &row).await?))
}

#[derive(Serialize, ToSchema)]
struct UsageRow {
    instance: String,
    /// YYYY-MM-DD (UTC).
    date: String,
    active_users: i64,
    accounts: i64,
    posts: i64,
    media_bytes: i64,
    remote_media_bytes: i64,
    deliveries: i64,
    delivery_failures: i64,
    inbox_activities: i64,
}

/// The organization's figures per instance and day in a month.
#[utoipa::path(get, path = "/api/herd/v1/organizations/{slug}/usage",
    params(("slug" = String, Path), ("month" = String, Query, description = "YYYY-MM")),
    responses((status = 200, body = [UsageRow]), (status = 422, body = ErrorBody)))]
async fn usage(
    S(s): S<State>,
    _: ApiStaff,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Vec<UsageRow>>> {
    let org = org_of(&s, &slug).await?;
    let month = q
        .get("month")
        .ok_or_else(|| AppError::BadRequest("month is missing (YYYY-MM)".into()))?;
    let u = herd_app::usage::month_of_org(&s.app, org.id, herd_app::usage::month(month)?).await?;
    let name = |t: i64| {
        u.instances
            .iter()
            .find(|(id, _)| *id == t)
            .map(|(_, d)| d.clone())
            .unwrap_or_default()
    };
    Ok(Json(
        u.rows
            .iter()
            .map(|r| UsageRow {
                instance: name(r.tenant_id),
                date: chrono::DateTime::from_timestamp_millis(r.day * herd_app::usage::DAY_MS)
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                active_users: r.active_users,
                accounts: r.accounts,
                posts: r.posts,
                media_bytes: r.media_bytes,
                remote_media_bytes: r.remote_media_bytes,
                deliveries: r.deliveries,
                delivery_failures: r.delivery_failures,
                inbox_activities: r.inbox_activities,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
struct Plan {
    name: String,
    service: String,
    terms: TermsBody,
    retired: bool,
}

#[utoipa::path(get, path = "/api/herd/v1/plans", responses((status = 200, body = [Plan])))]
async fn list_plans(S(s): S<State>, _: ApiStaff) -> ApiResult<Json<Vec<Plan>>> {
    let mut c = s.app.db.conn().await?;
    Ok(Json(
        herd_store::bookings::plans(&mut c)
            .await?
            .into_iter()
            .map(|p| Plan {
                terms: TermsBody::of(&Terms::from_json(&p.terms).unwrap_or_default()),
                name: p.name,
                service: p.service,
                retired: p.retired_at.is_some(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
struct NewPlanBody {
    name: String,
    service: String,
    #[serde(default)]
    terms: TermsBody,
}

/// Adds a plan, or gives the plan of that name new terms.
#[utoipa::path(post, path = "/api/herd/v1/plans", request_body = NewPlanBody,
    responses((status = 200, body = Plan), (status = 422, body = ErrorBody)))]
async fn define_plan(S(s): S<State>, ApiStaff(staff): ApiStaff, Body(b): Body<NewPlanBody>) -> ApiResult<Json<Plan>> {
    staff.require_operator()?;
    let terms = b.terms.terms()?;
    let p = herd_app::bookings::define_plan(&s.app, &staff.actor(), &b.name, Service::parse(&b.service)?, &terms).await?;
    Ok(Json(Plan {
        name: p.name,
        service: p.service,
        terms: TermsBody::of(&terms),
        retired: false,
    }))
}
