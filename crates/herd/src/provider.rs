//! `herd org ...`, `herd plan ...`, `herd booking ...` and `herd usage ...`: the provider's
//! side from the command line (organizations, their instances and contacts, the plan
//! catalog, bookings, metering), through the same verbs the consoles use, audited as
//! `operator:cli`.

use clap::{Args, Subcommand};
use herd_app::bookings::{NewBooking, Target};
use herd_app::entitlements::Hosting;
use herd_app::organizations::{NewExternal, NewOrganization, Slug};
use herd_app::{Actor, App};
use herd_core::service::{parse_bytes, parse_minutes};
use herd_core::{ContactRole, Coverage, Domain, Email, Service, Terms, Timestamp};
use herd_store::bookings::BookingRow;

#[derive(Subcommand)]
pub enum OrgCommand {
    /// Create an organization (a customer).
    Create {
        /// A short stable name (a-z, 0-9, '-', '.'), e.g. land-sh.
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// List organizations: short name, name, hosted and external instances.
    List {
        /// Only those whose name or short name contains this.
        #[arg(long)]
        search: Option<String>,
    },
    /// An organization's instances, contacts and bookings.
    Show { slug: String },
    /// Rename an organization or change the notes on it.
    Set {
        slug: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// Add a contact: a person to reach for billing, technical matters, abuse, or an admin.
    Contact {
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "admin", value_parser = ["admin", "billing", "technical", "abuse"])]
        role: String,
    },
    /// Register a Mastodon server the organization runs itself (for moderation or support).
    External {
        slug: String,
        domain: String,
        /// Where its API is (default https://DOMAIN).
        #[arg(long)]
        url: Option<String>,
    },
    /// What was done in the organization's name (newest first).
    Audit {
        slug: String,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

#[derive(Subcommand)]
pub enum StaffCommand {
    /// Add a staff member (prints a generated password unless one is given); their first
    /// sign-in on the admin domain sets up two-factor authentication.
    Create {
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "operator", value_parser = ["operator", "moderator", "support"])]
        role: String,
        #[arg(long)]
        password: Option<String>,
    },
    /// Staff: e-mail, name, role, two-factor, disabled.
    List,
    /// Give a staff member another role (their sessions end).
    Role {
        email: String,
        #[arg(value_parser = ["operator", "moderator", "support"])]
        role: String,
    },
    /// Sign a staff member out everywhere and refuse their sign-in and API tokens.
    Disable {
        email: String,
    },
    Enable {
        email: String,
    },
    /// Drop a staff member's second factor (a lost phone); the next sign-in sets up a new one.
    ResetTwoFactor {
        email: String,
    },
    /// A token for the provider API (`/api/herd/v1`), acting as the staff member; printed once.
    Token {
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

pub async fn staff(app: &App, command: StaffCommand) -> anyhow::Result<()> {
    use herd_app::staff;
    let op = Actor::Operator;
    match command {
        StaffCommand::Create {
            email,
            name,
            role,
            password,
        } => {
            let (row, generated) = staff::create(
                app,
                &op,
                staff::NewStaff {
                    email: Email::parse(&email)?,
                    name,
                    role: herd_core::StaffRole::parse(&role)?,
                    password,
                },
            )
            .await?;
            eprintln!(
                "Staff member {} ({}) created; the first sign-in sets up two-factor authentication.",
                row.email, row.role
            );
            if let Some(p) = generated {
                println!("{p}");
            }
        }
        StaffCommand::List => {
            let mut c = app.db.conn().await?;
            for s in herd_store::staff::list(&mut c).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    s.email,
                    s.name,
                    s.role,
                    if s.totp_enabled_at.is_some() { "2fa" } else { "no 2fa yet" },
                    if s.disabled_at.is_some() { "disabled" } else { "" }
                );
            }
        }
        StaffCommand::Role { email, role } => {
            let s = staff::by_email(app, &email).await?;
            staff::set_role(app, &op, &s, herd_core::StaffRole::parse(&role)?).await?;
        }
        StaffCommand::Disable { email } => {
            staff::disable(app, &op, &staff::by_email(app, &email).await?).await?;
        }
        StaffCommand::Enable { email } => {
            staff::enable(app, &op, &staff::by_email(app, &email).await?).await?;
        }
        StaffCommand::ResetTwoFactor { email } => {
            staff::reset_two_factor(app, &op, &staff::by_email(app, &email).await?).await?;
        }
        StaffCommand::Token { email, name } => {
            let row = staff::by_email(app, &email).await?;
            let s = staff::Staff::from_row(row)?;
            println!("{}", staff::issue_token(app, &op, &s, &name).await?);
        }
    }
    Ok(())
}

/// Terms given on the command line; each overrides the plan's.
#[derive(Args, Default)]
pub struct TermArgs {
    /// Response-time target (moderation, support), e.g. 4h or 30m.
    #[arg(long)]
    pub response: Option<String>,
    /// When it is staffed: "24/7" or e.g. "mon-fri 09:00-17:00 Europe/Berlin".
    #[arg(long)]
    pub coverage: Option<String>,
    /// Backups: how often, e.g. 24h.
    #[arg(long)]
    pub backup_every: Option<String>,
    /// Backups: how many are kept.
    #[arg(long)]
    pub backup_keep: Option<i64>,
    /// Hosting: the most local accounts.
    #[arg(long)]
    pub max_accounts: Option<i64>,
    /// Hosting: the most bytes of members' uploads, e.g. 10GiB.
    #[arg(long)]
    pub max_storage: Option<String>,
    /// Hosting: days read-only after the booking ends, before the instance is suspended.
    #[arg(long)]
    pub grace_days: Option<i64>,
}

impl TermArgs {
    pub fn terms(&self) -> anyhow::Result<Terms> {
        Ok(Terms {
            response_minutes: self.response.as_deref().map(parse_minutes).transpose()?,
            coverage: self.coverage.as_deref().map(str::parse::<Coverage>).transpose()?,
            backup_every_hours: self
                .backup_every
                .as_deref()
                .map(|s| parse_minutes(s).map(|m| (m + 59) / 60))
                .transpose()?,
            backup_keep: self.backup_keep,
            max_accounts: self.max_accounts,
            max_storage_bytes: self.max_storage.as_deref().map(parse_bytes).transpose()?,
            grace_days: self.grace_days,
        })
    }
}

#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum PlanCommand {
    /// Add a plan to the catalog, or give an existing one new terms.
    Define {
        name: String,
        #[arg(long, value_parser = ["hosting", "moderation", "support", "backups", "updates"])]
        service: String,
        #[command(flatten)]
        terms: TermArgs,
    },
    /// The catalog: name, service, terms, retired.
    List,
    /// Take a plan out of the catalog for new bookings.
    Retire { name: String },
}

// Parsed once per run: the size of its largest variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum BookingCommand {
    /// Book a service for an organization, one of its instances (hosted or external), or all.
    Add {
        #[arg(long)]
        org: String,
        #[arg(long, value_parser = ["hosting", "moderation", "support", "backups", "updates"])]
        service: String,
        /// The instance (a hosted instance's or an external one's domain); none: the whole
        /// organization.
        #[arg(long)]
        instance: Option<String>,
        #[arg(long)]
        plan: Option<String>,
        /// First day (YYYY-MM-DD); today unless given.
        #[arg(long)]
        starts: Option<String>,
        /// Day it ends (YYYY-MM-DD, at 00:00 UTC); open-ended unless given.
        #[arg(long)]
        ends: Option<String>,
        #[command(flatten)]
        terms: TermArgs,
    },
    /// An organization's bookings: id, service, instance, plan, from, to, terms in force.
    List {
        #[arg(long)]
        org: String,
    },
    /// End a booking now (or on a day). Ending hosting makes the instance read-only, then
    /// suspended after its grace period; nothing is deleted.
    End {
        #[arg(long)]
        org: String,
        id: String,
        #[arg(long)]
        on: Option<String>,
    },
    /// Open an ended booking again.
    Reopen {
        #[arg(long)]
        org: String,
        id: String,
    },
}

fn date(s: &str) -> anyhow::Result<i64> {
    Timestamp::parse_date(s)
        .map(|t| t.0)
        .ok_or_else(|| anyhow::anyhow!("{s:?} is not a date like 2026-12-31"))
}

fn day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn booking_line(b: &BookingRow, instance: &str) -> String {
    let terms = herd_app::bookings::terms_of(b);
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
        b.id,
        b.service,
        instance,
        b.plan_name.as_deref().unwrap_or("-"),
        day(b.starts_at),
        b.ends_at.map(day).unwrap_or_else(|| "open".into()),
        terms.to_json()
    )
}

/// Where a booking applies, by name.
async fn instance_name(app: &App, b: &BookingRow) -> anyhow::Result<String> {
    let mut c = app.db.conn().await?;
    Ok(match (b.tenant_id, b.external_id) {
        (Some(t), _) => herd_store::tenants::by_id(&mut c, herd_store::TenantId(t)).await?.domain,
        (_, Some(e)) => herd_store::organizations::externals_of(&mut c, b.organization_id)
            .await?
            .into_iter()
            .find(|x| x.id == e)
            .map(|x| x.domain)
            .unwrap_or_default(),
        _ => "(organization)".into(),
    })
}

pub fn hosting_state(h: Hosting) -> String {
    match h {
        Hosting::Active => "hosted".into(),
        Hosting::ReadOnly { suspend_at: Some(s), .. } => format!("read-only until {}", day(s)),
        Hosting::ReadOnly { .. } => "read-only (no hosting booked)".into(),
        Hosting::Suspended { since } => format!("suspended since {}", day(since)),
    }
}

pub async fn org(app: &App, command: OrgCommand) -> anyhow::Result<()> {
    let op = Actor::Operator;
    match command {
        OrgCommand::Create { slug, name, notes } => {
            let o = herd_app::organizations::create(
                app,
                &op,
                NewOrganization {
                    slug: Slug::parse(&slug)?,
                    name,
                    notes,
                },
            )
            .await?;
            eprintln!("Organization {} ({}) created.", o.slug, o.name);
        }
        OrgCommand::List { search } => {
            let mut c = app.db.conn().await?;
            let mut after: Option<String> = None;
            loop {
                let page = herd_store::organizations::list(&mut c, search.as_deref(), after.as_deref(), 500).await?;
                for o in &page {
                    let hosted = herd_store::organizations::tenants_of(&mut c, o.id).await?;
                    let external = herd_store::organizations::externals_of(&mut c, o.id).await?;
                    println!(
                        "{}\t{}\t{}\t{}",
                        o.slug,
                        o.name,
                        hosted.iter().map(|(_, d, _)| d.as_str()).collect::<Vec<_>>().join(","),
                        external.iter().map(|e| e.domain.as_str()).collect::<Vec<_>>().join(",")
                    );
                }
                match page.last() {
                    Some(o) if page.len() == 500 => after = Some(o.name.clone()),
                    _ => break,
                }
            }
        }
        OrgCommand::Show { slug } => {
            let o = herd_app::organizations::by_slug(app, &slug).await?;
            println!("{} ({})", o.name, o.slug);
            if !o.notes.is_empty() {
                println!("notes: {}", o.notes);
            }
            let mut c = app.db.conn().await?;
            for (id, domain, title) in herd_store::organizations::tenants_of(&mut c, o.id).await? {
                let g = herd_app::entitlements::of(app, herd_store::TenantId(id)).await?;
                println!("hosted\t{domain}\t{title}\t{}", hosting_state(g.hosting));
            }
            for e in herd_store::organizations::externals_of(&mut c, o.id).await? {
                println!("external\t{}\t{}", e.domain, e.url);
            }
            for k in herd_store::organizations::contacts(&mut c, o.id).await? {
                println!("contact\t{}\t{}\t{}\t{}", k.id, k.role, k.name, k.email);
            }
            drop(c);
            let mut c = app.db.conn().await?;
            for b in herd_store::bookings::of_org(&mut c, o.id).await? {
                println!("booking\t{}", booking_line(&b, &instance_name(app, &b).await?));
            }
        }
        OrgCommand::Set { slug, name, notes } => {
            let o = herd_app::organizations::by_slug(app, &slug).await?;
            herd_app::organizations::update(app, &op, &o, name, notes).await?;
            eprintln!("Organization {slug} saved.");
        }
        OrgCommand::Contact { slug, name, email, role } => {
            let o = herd_app::organizations::by_slug(app, &slug).await?;
            let k = herd_app::organizations::add_contact(app, &op, &o, &name, &Email::parse(&email)?, ContactRole::parse(&role)?).await?;
            println!("{}", k.id);
        }
        OrgCommand::External { slug, domain, url } => {
            let o = herd_app::organizations::by_slug(app, &slug).await?;
            let e = herd_app::organizations::register_external(
                app,
                &op,
                &o,
                NewExternal {
                    domain: Domain::parse(&domain)?,
                    url,
                },
            )
            .await?;
            eprintln!("{} registered for {} (its API at {}).", e.domain, o.slug, e.url);
        }
        OrgCommand::Audit { slug, limit } => {
            let o = herd_app::organizations::by_slug(app, &slug).await?;
            let mut c = app.db.conn().await?;
            for e in herd_store::provider_audit::list(&mut c, Some(o.id), None, limit.clamp(1, 1000)).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    Timestamp(e.created_at).to_rfc3339(),
                    e.actor,
                    e.action,
                    e.target,
                    e.detail
                );
            }
        }
    }
    Ok(())
}

pub async fn plan(app: &App, command: PlanCommand) -> anyhow::Result<()> {
    let op = Actor::Operator;
    match command {
        PlanCommand::Define { name, service, terms } => {
            let p = herd_app::bookings::define_plan(app, &op, &name, Service::parse(&service)?, &terms.terms()?).await?;
            eprintln!("Plan {} ({}) saved: {}", p.name, p.service, p.terms);
        }
        PlanCommand::List => {
            let mut c = app.db.conn().await?;
            for p in herd_store::bookings::plans(&mut c).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    p.name,
                    p.service,
                    p.terms,
                    p.retired_at.map(|r| format!("retired {}", day(r))).unwrap_or_default()
                );
            }
        }
        PlanCommand::Retire { name } => {
            herd_app::bookings::retire_plan(app, &op, &name).await?;
            eprintln!("Plan {name} retired; its bookings keep its terms.");
        }
    }
    Ok(())
}

fn booking_id(s: &str) -> anyhow::Result<i64> {
    s.trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("{s:?} is not a booking id; see `herd booking list`"))
}

pub async fn booking(app: &App, command: BookingCommand) -> anyhow::Result<()> {
    let op = Actor::Operator;
    match command {
        BookingCommand::Add {
            org,
            service,
            instance,
            plan,
            starts,
            ends,
            terms,
        } => {
            let o = herd_app::organizations::by_slug(app, &org).await?;
            let b = herd_app::bookings::book(
                app,
                &op,
                &o,
                NewBooking {
                    service: Service::parse(&service)?,
                    target: Target::named(app, &o, instance.as_deref()).await?,
                    plan,
                    terms: terms.terms()?,
                    starts_at: starts.as_deref().map(date).transpose()?,
                    ends_at: ends.as_deref().map(date).transpose()?,
                },
            )
            .await?;
            println!("{}", b.id);
        }
        BookingCommand::List { org } => {
            let o = herd_app::organizations::by_slug(app, &org).await?;
            let mut c = app.db.conn().await?;
            let rows = herd_store::bookings::of_org(&mut c, o.id).await?;
            drop(c);
            for b in rows {
                println!("{}", booking_line(&b, &instance_name(app, &b).await?));
            }
        }
        BookingCommand::End { org, id, on } => {
            let o = herd_app::organizations::by_slug(app, &org).await?;
            let b = herd_app::bookings::of_org(app, o.id, booking_id(&id)?).await?;
            let b = herd_app::bookings::end(app, &op, &o, &b, on.as_deref().map(date).transpose()?).await?;
            eprintln!("Booking {} ({}) ends {}.", b.id, b.service, b.ends_at.map(day).unwrap_or_default());
        }
        BookingCommand::Reopen { org, id } => {
            let o = herd_app::organizations::by_slug(app, &org).await?;
            let b = herd_app::bookings::of_org(app, o.id, booking_id(&id)?).await?;
            herd_app::bookings::reopen(app, &op, &o, &b).await?;
            eprintln!("Booking {} ({}) is open again.", b.id, b.service);
        }
    }
    Ok(())
}

/// `herd usage --org ORG --month 2026-12`: the organization's daily figures as CSV.
pub async fn usage(app: &App, org: &str, month: &str, roll_up: bool) -> anyhow::Result<String> {
    let o = herd_app::organizations::by_slug(app, org).await?;
    if roll_up {
        herd_app::usage::roll_up(app, herd_app::usage::day_of(Timestamp::now().0)).await?;
    }
    let u = herd_app::usage::month_of_org(app, o.id, herd_app::usage::month(month)?).await?;
    Ok(herd_app::usage::csv(&u))
}
