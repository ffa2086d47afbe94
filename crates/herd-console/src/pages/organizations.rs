//! Organizations: the list (with search and the form to add one) and one organization's
//! page: its instances (hosted, with their hosting state, and external), contacts and
//! bookings, with the forms that add to each.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State as S};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use herd_api::State;
use herd_app::entitlements::Hosting;
use herd_app::organizations::{NewExternal, NewOrganization, Slug};
use herd_app::{AppError, tenants};
use herd_core::{ContactRole, Domain, Email, RegistrationMode, Service};
use herd_store::organizations::OrgRow;

use super::field;
use crate::{Chrome, csrf_ok, csrf_refused, csrf_token, day, error_page, page, redirect, signed_in};

pub(crate) struct OrgLine {
    pub slug: String,
    pub name: String,
    pub hosted: usize,
    pub external: usize,
}

#[derive(Template)]
#[template(path = "console/organizations.html")]
struct ListPage {
    chrome: Chrome,
    orgs: Vec<OrgLine>,
    q: String,
    next: Option<String>,
    total: i64,
    can_write: bool,
}

const PAGE: i64 = 50;

pub async fn list(S(s): S<State>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let staff = match signed_in(&s, &headers).await {
        Ok(st) => st,
        Err(r) => return r,
    };
    let search = field(&q, "q");
    let after = field(&q, "after");
    let load = async {
        let mut c = s.app.db.conn().await?;
        let rows = herd_store::organizations::list(&mut c, search.as_deref(), after.as_deref(), PAGE + 1).await?;
        let total = herd_store::organizations::count(&mut c).await?;
        let ids: Vec<i64> = rows.iter().map(|o| o.id).collect();
        let counts = herd_store::organizations::instance_counts(&mut c, &ids).await?;
        Ok::<_, AppError>((rows, total, counts))
    };
    let (mut rows, total, counts) = match load.await {
        Ok(x) => x,
        Err(e) => return error_page(&e),
    };
    let next = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        rows.last().map(|o| o.name.clone()).unwrap_or_default()
    });
    let orgs = rows
        .into_iter()
        .map(|o| {
            let (hosted, external) = counts.get(&o.id).copied().unwrap_or((0, 0));
            OrgLine {
                slug: o.slug,
                name: o.name,
                hosted: hosted as usize,
                external: external as usize,
            }
        })
        .collect();
    let (csrf, new) = csrf_token(&headers);
    let p = ListPage {
        chrome: Chrome::new("Organizations", Some(&staff), &csrf),
        orgs,
        q: search.unwrap_or_default(),
        next,
        total,
        can_write: staff.require_operator().is_ok(),
    };
    page(&s, StatusCode::OK, &p, new.then_some(csrf.as_str()))
}

/// The checks every form of the console makes: CSRF, a full session, an operator.
pub(crate) async fn operator(s: &State, headers: &HeaderMap, f: &HashMap<String, String>) -> Result<herd_app::staff::Staff, Response> {
    if !csrf_ok(headers, f.get("authenticity_token")) {
        return Err(csrf_refused());
    }
    let staff = signed_in(s, headers).await?;
    staff.require_operator().map_err(|e| error_page(&e))?;
    Ok(staff)
}

pub async fn create(S(s): S<State>, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    let staff = match operator(&s, &headers, &f).await {
        Ok(st) => st,
        Err(r) => return r,
    };
    let made = async {
        let n = NewOrganization {
            slug: Slug::parse(&field(&f, "slug").unwrap_or_default())?,
            name: field(&f, "name").unwrap_or_default(),
            notes: field(&f, "notes").unwrap_or_default(),
        };
        herd_app::organizations::create(&s.app, &staff.actor(), n).await
    };
    match made.await {
        Ok(o) => redirect(&format!("/organizations/{}", o.slug)),
        Err(e) => error_page(&e),
    }
}

pub(crate) struct InstanceLine {
    pub domain: String,
    pub title: String,
    pub state: String,
}

pub(crate) struct BookingLine {
    pub id: String,
    pub service: String,
    pub target: String,
    pub plan: String,
    pub from: String,
    pub to: String,
    pub terms: String,
    pub ended: bool,
}

#[derive(Template)]
#[template(path = "console/organization.html")]
struct OrgPage {
    chrome: Chrome,
    org: OrgRow,
    hosted: Vec<InstanceLine>,
    external: Vec<(String, String)>,
    contacts: Vec<(String, String, String)>,
    bookings: Vec<BookingLine>,
    plans: Vec<(String, String)>,
    services: Vec<&'static str>,
    can_write: bool,
}

impl BookingLine {
    /// A booking as the tables show it; `target` names what it is for.
    pub(crate) fn of(b: &herd_store::bookings::BookingRow, target: String, now: i64) -> BookingLine {
        BookingLine {
            id: b.id.to_string(),
            service: b.service.clone(),
            target,
            plan: b.plan_name.clone().unwrap_or_else(|| "–".into()),
            from: day(b.starts_at),
            to: b.ends_at.map(day).unwrap_or_else(|| "open".into()),
            terms: terms_text(&herd_app::bookings::terms_of(b)),
            ended: b.ends_at.is_some_and(|e| e <= now),
        }
    }
}

pub(crate) fn hosting_text(h: Hosting) -> String {
    match h {
        Hosting::Active => "Hosted".into(),
        Hosting::ReadOnly { suspend_at: Some(s), .. } => format!("Read-only; suspended from {}", day(s)),
        Hosting::ReadOnly { .. } => "Read-only (no hosting booked)".into(),
        Hosting::Suspended { since } => format!("Suspended since {}", day(since)),
    }
}

pub(crate) async fn org_of(s: &State, slug: &str) -> Result<OrgRow, Response> {
    let mut c = s.app.db.conn().await.map_err(|e| error_page(&e.into()))?;
    herd_store::organizations::by_slug(&mut c, slug)
        .await
        .map_err(|e| error_page(&e.into()))?
        .ok_or_else(|| error_page(&AppError::NotFound("Record not found")))
}

pub async fn show(S(s): S<State>, headers: HeaderMap, Path(slug): Path<String>) -> Response {
    let staff = match signed_in(&s, &headers).await {
        Ok(st) => st,
        Err(r) => return r,
    };
    let org = match org_of(&s, &slug).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let load = async {
        let mut c = s.app.db.conn().await?;
        let hosted_rows = herd_store::organizations::tenants_of(&mut c, org.id).await?;
        let external_rows = herd_store::organizations::externals_of(&mut c, org.id).await?;
        let contacts = herd_store::organizations::contacts(&mut c, org.id).await?;
        let bookings = herd_store::bookings::of_org(&mut c, org.id).await?;
        let plans = herd_store::bookings::plans(&mut c).await?;
        drop(c);
        let mut hosted = Vec::new();
        for (id, domain, title) in &hosted_rows {
            let g = herd_app::entitlements::of(&s.app, herd_store::TenantId(*id)).await?;
            hosted.push(InstanceLine {
                domain: domain.clone(),
                title: title.clone(),
                state: hosting_text(g.hosting),
            });
        }
        let now = herd_core::Timestamp::now().0;
        let bookings = bookings
            .iter()
            .map(|b| {
                let target = match (b.tenant_id, b.external_id) {
                    (Some(t), _) => hosted_rows.iter().find(|h| h.0 == t).map(|h| h.1.clone()).unwrap_or_default(),
                    (_, Some(e)) => external_rows
                        .iter()
                        .find(|x| x.id == e)
                        .map(|x| x.domain.clone())
                        .unwrap_or_default(),
                    _ => "Whole organization".into(),
                };
                BookingLine::of(b, target, now)
            })
            .collect();
        Ok::<_, AppError>(OrgPage {
            chrome: Chrome::new(org.name.clone(), Some(&staff), ""),
            org: org.clone(),
            hosted,
            external: external_rows.into_iter().map(|e| (e.domain, e.url)).collect(),
            contacts: contacts.into_iter().map(|k| (k.name, k.email, k.role)).collect(),
            bookings,
            plans: plans
                .into_iter()
                .filter(|p| p.retired_at.is_none())
                .map(|p| (p.name, p.service))
                .collect(),
            services: Service::ALL.iter().map(|s| s.as_str()).collect(),
            can_write: staff.require_operator().is_ok(),
        })
    };
    match load.await {
        Ok(mut p) => {
            let (csrf, new) = csrf_token(&headers);
            p.chrome.csrf = csrf.clone();
            page(&s, StatusCode::OK, &p, new.then_some(csrf.as_str()))
        }
        Err(e) => error_page(&e),
    }
}

/// Terms in words, for tables.
pub(crate) fn terms_text(t: &herd_core::Terms) -> String {
    let mut parts = Vec::new();
    if let Some(m) = t.response_minutes {
        parts.push(if m % 60 == 0 {
            format!("response {} h", m / 60)
        } else {
            format!("response {m} min")
        });
    }
    if let Some(c) = &t.coverage {
        parts.push(c.to_string());
    }
    if let Some(h) = t.backup_every_hours {
        parts.push(format!("backup every {h} h"));
    }
    if let Some(k) = t.backup_keep {
        parts.push(format!("{k} kept"));
    }
    if let Some(a) = t.max_accounts {
        parts.push(format!("up to {a} accounts"));
    }
    if let Some(b) = t.max_storage_bytes {
        parts.push(format!("up to {:.1} GB", b as f64 / 1e9));
    }
    if let Some(g) = t.grace_days {
        parts.push(format!("{g} days' grace"));
    }
    if parts.is_empty() { "–".into() } else { parts.join(", ") }
}

pub async fn add_instance(
    S(s): S<State>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let staff = match operator(&s, &headers, &f).await {
        Ok(st) => st,
        Err(r) => return r,
    };
    let org = match org_of(&s, &slug).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let made = async {
        let n = tenants::NewTenant {
            domain: Domain::parse(&field(&f, "domain").unwrap_or_default())?,
            title: field(&f, "title"),
            registrations: RegistrationMode::parse(&field(&f, "registrations").unwrap_or_else(|| "approval".into()))?,
            organization: Some(org.clone()),
            hosting_plan: field(&f, "plan"),
        };
        tenants::create(&s.app, &staff.actor(), n).await
    };
    match made.await {
        Ok(_) => redirect(&format!("/organizations/{slug}")),
        Err(e) => error_page(&e),
    }
}

pub async fn add_external(
    S(s): S<State>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let staff = match operator(&s, &headers, &f).await {
        Ok(st) => st,
        Err(r) => return r,
    };
    let org = match org_of(&s, &slug).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let made = async {
        let n = NewExternal {
            domain: Domain::parse(&field(&f, "domain").unwrap_or_default())?,
            url: field(&f, "url"),
        };
        herd_app::organizations::register_external(&s.app, &staff.actor(), &org, n).await
    };
    match made.await {
        Ok(_) => redirect(&format!("/organizations/{slug}")),
        Err(e) => error_page(&e),
    }
}

pub async fn add_contact(S(s): S<State>, headers: HeaderMap, Path(slug): Path<String>, Form(f): Form<HashMap<String, String>>) -> Response {
    let staff = match operator(&s, &headers, &f).await {
        Ok(st) => st,
        Err(r) => return r,
    };
    let org = match org_of(&s, &slug).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let made = async {
        let email = Email::parse(&field(&f, "email").unwrap_or_default())?;
        let role = ContactRole::parse(&field(&f, "role").unwrap_or_else(|| "admin".into()))?;
        herd_app::organizations::add_contact(&s.app, &staff.actor(), &org, &field(&f, "name").unwrap_or_default(), &email, role).await
    };
    match made.await {
        Ok(_) => redirect(&format!("/organizations/{slug}")),
        Err(e) => error_page(&e),
    }
}

#[derive(Template)]
#[template(path = "console/invited.html")]
struct InvitedPage {
    chrome: Chrome,
    slug: String,
    name: String,
    instance: String,
    username: String,
    password: String,
    sign_in: String,
}

/// Invites a hosted instance's admin: an owner account with a generated password, shown
/// once (no mail is sent yet), through the same verb as `herd account create`.
pub async fn invite_owner(
    S(s): S<State>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let staff = match operator(&s, &headers, &f).await {
        Ok(st) => st,
        Err(r) => return r,
    };
    let org = match org_of(&s, &slug).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let made = async {
        let target = herd_app::bookings::Target::named(&s.app, &org, field(&f, "instance").as_deref()).await?;
        let herd_app::bookings::Target::Hosted(t) = target else {
            return Err(AppError::Invalid("Choose one of the organization's hosted instances".into()));
        };
        let tenant = tenants::by_id(&s.app, t).await?;
        let n = herd_app::accounts::NewLocalAccount {
            username: herd_core::Username::parse(&field(&f, "username").unwrap_or_default())?,
            email: Email::parse(&field(&f, "email").unwrap_or_default())?,
            password: None,
            role: herd_core::Role::Owner,
            approved: true,
            confirmed: true,
            locale: "en".into(),
            reason: "invited by the provider".into(),
            team: false,
        };
        let (account, password) = herd_app::accounts::create(&s.app, &tenant, &staff.actor(), n).await?;
        Ok::<_, AppError>((tenant, account, password.unwrap_or_default()))
    };
    match made.await {
        Ok((tenant, account, password)) => {
            let (csrf, new) = csrf_token(&headers);
            let p = InvitedPage {
                chrome: Chrome::new(format!("@{} on {}", account.username, tenant.domain), Some(&staff), &csrf),
                slug: org.slug.clone(),
                name: org.name.clone(),
                instance: tenant.domain.to_string(),
                username: account.username,
                password,
                sign_in: format!("{}/auth/sign_in", tenant.base_url()),
            };
            page(&s, StatusCode::OK, &p, new.then_some(csrf.as_str()))
        }
        Err(e) => error_page(&e),
    }
}
