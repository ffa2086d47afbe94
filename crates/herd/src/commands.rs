//! The operator's commands (`herd tenant ...`, `herd account ...`, `herd token ...`). They work
//! on the same data as a running `herd serve`: everything goes through the database.

use herd_app::accounts::NewLocalAccount;
use herd_app::tenants::NewTenant;
use herd_app::{Actor, App};
use herd_core::{Domain, Email, RegistrationMode, Role, Scopes, Username};

pub async fn tenant_create(app: &App, domain: &str, name: Option<String>, registrations: &str) -> anyhow::Result<herd_app::Tenant> {
    tenant_create_in(app, domain, name, registrations, None, None).await
}

/// Creates an instance of organization `org` (its own organization when `None`), its
/// hosting booked on `plan`.
pub async fn tenant_create_in(
    app: &App,
    domain: &str,
    name: Option<String>,
    registrations: &str,
    org: Option<&str>,
    plan: Option<String>,
) -> anyhow::Result<herd_app::Tenant> {
    let organization = match org {
        Some(o) => Some(herd_app::organizations::by_slug(app, o).await?),
        None => None,
    };
    let t = herd_app::tenants::create(
        app,
        &Actor::Operator,
        NewTenant {
            domain: Domain::parse(domain)?,
            title: name,
            registrations: RegistrationMode::parse(registrations)?,
            organization,
            hosting_plan: plan,
        },
    )
    .await?;
    Ok(t)
}

pub async fn tenant_list(app: &App) -> anyhow::Result<Vec<herd_store::tenants::TenantRow>> {
    let mut c = app.db.conn().await?;
    Ok(herd_store::tenants::list(&mut c).await?)
}

pub struct AccountSpec {
    pub tenant: String,
    pub username: String,
    pub email: String,
    pub password: Option<String>,
    pub role: String,
}

/// Creates an approved, confirmed account; returns it and the generated password, if any.
pub async fn account_create(app: &App, spec: AccountSpec) -> anyhow::Result<(herd_store::accounts::AccountRow, Option<String>)> {
    let tenant = herd_app::tenants::by_domain(app, &spec.tenant).await?;
    let r = herd_app::accounts::create(
        app,
        &tenant,
        &Actor::Operator,
        NewLocalAccount {
            username: Username::parse(&spec.username)?,
            email: Email::parse(&spec.email)?,
            password: spec.password,
            role: Role::parse(&spec.role)?,
            approved: true,
            confirmed: true,
            locale: "en".into(),
            reason: String::new(),
            team: false,
        },
    )
    .await?;
    Ok(r)
}

pub async fn token_create(app: &App, tenant: &str, username: &str, scopes: &str) -> anyhow::Result<String> {
    let tenant = herd_app::tenants::by_domain(app, tenant).await?;
    let account = herd_app::accounts::local_by_username(app, &tenant, username).await?;
    Ok(herd_app::auth::issue_for_cli(app, &tenant, account.id, &Scopes::parse(scopes)?).await?)
}
