use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use herd::commands::{self, AccountSpec};
use herd::config::{Config, Overrides};

/// mimalloc instead of glibc malloc: under inbox load a fifth of the CPU went to glibc's
/// malloc and free (see ARCHITECTURE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Herd: many organizations' Mastodon-compatible instances in one server.
#[derive(Parser)]
#[command(name = "herd", version)]
struct Cli {
    /// A TOML configuration file (also HERD_CONFIG).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Where data is kept (also HERD_DATA_DIR; default ./herd-data).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (migrations apply first).
    Serve {
        /// Address to listen on (also HERD_LISTEN; default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage instances.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Manage accounts.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// An instance's own custom emoji.
    Emoji {
        #[command(subcommand)]
        command: EmojiCommand,
    },
    /// Announcements to an instance's members (shown in their apps).
    Announcement {
        #[command(subcommand)]
        command: AnnouncementCommand,
    },
    /// Backups of one instance: run, list, verify, restore.
    Backup {
        #[command(subcommand)]
        command: herd::backup::BackupCommand,
    },
    /// Moderation of an instance: reports, account actions, server blocks, blocklists.
    Moderation {
        #[command(subcommand)]
        command: herd::moderation::ModerationCommand,
    },
    /// Organizations (customers): their instances, contacts and audit trail.
    Org {
        #[command(subcommand)]
        command: herd::provider::OrgCommand,
    },
    /// The provider's staff (they sign in on the admin domain, with two-factor).
    Staff {
        #[command(subcommand)]
        command: herd::provider::StaffCommand,
    },
    /// The catalog of service plans.
    Plan {
        #[command(subcommand)]
        command: herd::provider::PlanCommand,
    },
    /// What organizations book: hosting, moderation, support, backups, updates.
    Booking {
        #[command(subcommand)]
        command: herd::provider::BookingCommand,
    },
    /// An organization's metering per instance and day, as CSV.
    Usage {
        #[arg(long)]
        org: String,
        /// A month, e.g. 2026-12.
        #[arg(long)]
        month: String,
        /// Roll today's figures up first (they are otherwise rolled up every ten minutes).
        #[arg(long)]
        now: bool,
    },
    /// Make access tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Measure memory per instance and request rates (see README).
    Bench {
        #[command(subcommand)]
        command: herd::bench::BenchCommand,
    },
}

// Parsed once per run: the size of its largest variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum TenantCommand {
    /// Create an instance on its own domain (a port is allowed for local testing).
    Create {
        domain: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "approval", value_parser = ["open", "approval", "invite", "closed"])]
        registrations: String,
        /// The organization it belongs to (`herd org list`); without one it gets its own.
        #[arg(long)]
        org: Option<String>,
        /// The hosting plan it is booked on (`herd plan list`).
        #[arg(long)]
        plan: Option<String>,
    },
    /// List instances: domain, name, registrations, state, organization, hosting.
    List,
    /// Change an instance's settings (only the options given).
    Set {
        domain: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        contact_email: Option<String>,
        /// Comma-separated language codes, e.g. en,de.
        #[arg(long)]
        languages: Option<String>,
        #[arg(long, value_parser = ["open", "approval", "invite", "closed"])]
        registrations: Option<String>,
        #[arg(long)]
        max_post_chars: Option<i64>,
        #[arg(long)]
        max_media_attachments: Option<i64>,
        #[arg(long)]
        max_image_bytes: Option<i64>,
        /// The largest remote video or audio file copied here (0: none; larger ones are shown
        /// from the remote server).
        #[arg(long)]
        max_video_bytes: Option<i64>,
        /// The organization's main domain for handles (alice@org.example) while Herd serves
        /// this instance's own domain; "" for none. Set it before the instance federates.
        #[arg(long)]
        local_domain: Option<String>,
        /// Serve ActivityPub documents only to signed requests (Mastodon's secure mode).
        #[arg(long)]
        authorized_fetch: Option<bool>,
        /// A text file with the privacy policy the public pages show (blank lines between
        /// paragraphs; an empty file removes it).
        #[arg(long)]
        privacy_policy_file: Option<PathBuf>,
        /// A text file with the legal notice (imprint) the public pages show.
        #[arg(long)]
        imprint_file: Option<PathBuf>,
    },
    /// Add a rule to an instance (shown in order of adding).
    Rule {
        domain: String,
        text: String,
        #[arg(long, default_value = "")]
        hint: String,
    },
    /// Write the whole instance to one file (rows, keys, media, queued deliveries), for the
    /// organization to take to another server (`herd tenant import` there).
    Export {
        domain: String,
        file: PathBuf,
        /// The age public key of whoever imports it (`age1pq1...` or `age1...`); default: this
        /// server's backup key (`herd backup key`).
        #[arg(long)]
        to: Option<String>,
    },
    /// Serve an exported instance here, under its own domain, with everything it had.
    Import {
        file: PathBuf,
        /// The age identity (secret key file) the export was made for; default: this
        /// server's backup identity.
        #[arg(long)]
        identity: Option<PathBuf>,
        /// The organization it joins (`herd org list`); without one it gets its own.
        #[arg(long)]
        org: Option<String>,
    },
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Create an account (approved and confirmed).
    Create {
        #[arg(long)]
        tenant: String,
        username: String,
        #[arg(long)]
        email: String,
        /// Omit to have a strong password generated and printed.
        #[arg(long)]
        password: Option<String>,
        #[arg(long, default_value = "member", value_parser = ["owner", "admin", "moderator", "member"])]
        role: String,
    },
    /// List an instance's local accounts (username, e-mail, role, approved).
    List {
        #[arg(long)]
        tenant: String,
        /// Only sign-ups waiting for approval.
        #[arg(long)]
        pending: bool,
    },
    /// Let a sign-up waiting for approval in.
    Approve {
        #[arg(long)]
        tenant: String,
        username: String,
    },
    /// Turn a sign-up waiting for approval away (the account is deleted).
    Reject {
        #[arg(long)]
        tenant: String,
        username: String,
    },
    /// Give an account another role on its instance.
    Role {
        #[arg(long)]
        tenant: String,
        username: String,
        #[arg(value_parser = ["owner", "admin", "moderator", "member"])]
        role: String,
    },
    /// Set a new password and sign the account out everywhere.
    Password {
        #[arg(long)]
        tenant: String,
        username: String,
        /// Omit to have a strong password generated and printed.
        #[arg(long)]
        password: Option<String>,
    },
}

#[derive(Subcommand)]
enum EmojiCommand {
    /// Add an emoji from a PNG, GIF or WebP file (at most 256 KiB).
    Add {
        #[arg(long)]
        tenant: String,
        shortcode: String,
        file: PathBuf,
        #[arg(long)]
        category: Option<String>,
    },
    /// List the instance's emoji (shortcode, category, URL).
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Remove an emoji (posts that used it show its shortcode as text).
    Remove {
        #[arg(long)]
        tenant: String,
        shortcode: String,
    },
}

/// What an announcement says, and when the event it announces takes place.
#[derive(clap::Args)]
struct AnnouncementText {
    text: String,
    /// When the event it announces starts (ISO 8601, e.g. 2026-12-24T18:00:00Z).
    #[arg(long)]
    starts_at: Option<String>,
    /// When it ends; the announcement is shown until then.
    #[arg(long)]
    ends_at: Option<String>,
    #[arg(long)]
    all_day: bool,
}

impl AnnouncementText {
    fn parse(self) -> anyhow::Result<herd_app::announcements::NewAnnouncement> {
        Ok(herd_app::announcements::NewAnnouncement {
            text: self.text,
            starts_at: cli_time("starts-at", self.starts_at)?,
            ends_at: cli_time("ends-at", self.ends_at)?,
            all_day: self.all_day,
        })
    }
}

#[derive(Subcommand)]
enum AnnouncementCommand {
    /// Publish an announcement; prints its id.
    Create {
        #[arg(long)]
        tenant: String,
        #[command(flatten)]
        announcement: AnnouncementText,
    },
    /// Change an announcement (members see it as unread again).
    Update {
        #[arg(long)]
        tenant: String,
        id: String,
        #[command(flatten)]
        announcement: AnnouncementText,
    },
    /// List an instance's announcements (id, ends, text).
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Delete an announcement.
    Delete {
        #[arg(long)]
        tenant: String,
        id: String,
    },
}

/// An ISO 8601 time from the command line, or an error naming the option.
fn cli_time(name: &str, v: Option<String>) -> anyhow::Result<Option<i64>> {
    v.map(|s| {
        herd_core::Timestamp::parse_iso8601(&s)
            .map(|t| t.0)
            .ok_or_else(|| anyhow::anyhow!("--{name}: {s:?} is not an ISO 8601 date and time"))
    })
    .transpose()
}

fn cli_id(s: &str) -> anyhow::Result<i64> {
    s.parse().map_err(|_| anyhow::anyhow!("{s:?} is not an announcement id"))
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Print a new access token for an account (the token alone, on stdout).
    Create {
        #[arg(long)]
        tenant: String,
        username: String,
        #[arg(long, default_value = "read write follow push")]
        scopes: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HERD_LOG").unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let listen = match &cli.command {
        Command::Serve { listen } => listen.clone(),
        _ => None,
    };
    let cfg = match Config::load(
        cli.config.clone(),
        Overrides {
            listen,
            data_dir: cli.data_dir.clone(),
        },
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("herd: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("herd: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.command, cfg)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("herd: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, cfg: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve { .. } => herd::server::serve(&cfg).await,
        Command::Bench { command } => herd::bench::run(command, &cfg).await,
        Command::Migrate => {
            herd::server::open(&cfg).await?;
            eprintln!("Migrations applied to {}", herd::server::redact(&cfg.database_url()));
            Ok(())
        }
        Command::Tenant { command } => {
            let app = herd::server::open(&cfg).await?;
            match command {
                TenantCommand::Create {
                    domain,
                    name,
                    registrations,
                    org,
                    plan,
                } => {
                    let t = commands::tenant_create_in(&app, &domain, name, &registrations, org.as_deref(), plan).await?;
                    println!("{}", t.domain);
                    eprintln!(
                        "Instance {} created ({}://{}). Registrations: {}.",
                        t.row.title, cfg.public_scheme, t.domain, t.row.registrations
                    );
                    eprintln!("Next, create its first account:");
                    eprintln!(
                        "  {}{} account create --tenant {} admin --email admin@example.org --role owner",
                        herd::server::settings_prefix(&cfg),
                        herd::server::invoked_as(),
                        t.domain
                    );
                }
                TenantCommand::Set {
                    domain,
                    name,
                    description,
                    contact_email,
                    languages,
                    registrations,
                    max_post_chars,
                    max_media_attachments,
                    max_image_bytes,
                    max_video_bytes,
                    local_domain,
                    authorized_fetch,
                    privacy_policy_file,
                    imprint_file,
                } => {
                    let read = |p: Option<PathBuf>| {
                        p.map(|p| std::fs::read_to_string(&p).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", p.display())))
                            .transpose()
                    };
                    let (privacy_policy, imprint) = (read(privacy_policy_file)?, read(imprint_file)?);
                    let t = herd_app::tenants::by_domain(&app, &domain).await?;
                    let settings = herd_app::tenants::TenantSettings {
                        title: name,
                        description,
                        contact_email: contact_email.as_deref().map(herd_core::Email::parse).transpose()?,
                        languages: languages.map(|l| l.split(',').map(|c| c.trim().to_string()).collect()),
                        registrations: registrations.as_deref().map(herd_core::RegistrationMode::parse).transpose()?,
                        max_post_chars,
                        max_media_attachments,
                        max_image_bytes,
                        max_video_bytes,
                        local_domain: local_domain
                            .map(|d| {
                                if d.trim().is_empty() {
                                    Ok(None)
                                } else {
                                    herd_core::Domain::parse(&d).map(Some)
                                }
                            })
                            .transpose()?,
                        authorized_fetch,
                        privacy_policy,
                        imprint,
                    };
                    let t = herd_app::tenants::configure(&app, &herd_app::Actor::Operator, &t, settings).await?;
                    eprintln!("Settings of {} saved (running servers pick them up within seconds).", t.domain);
                }
                TenantCommand::Rule { domain, text, hint } => {
                    let t = herd_app::tenants::by_domain(&app, &domain).await?;
                    println!(
                        "{}",
                        herd_app::tenants::add_rule(&app, &herd_app::Actor::Operator, &t, &text, &hint).await?
                    );
                }
                TenantCommand::Export { domain, file, to } => herd::backup::export(&app, &cfg, &domain, file, to).await?,
                TenantCommand::Import { file, identity, org } => herd::backup::import(&app, &cfg, file, identity, org).await?,
                TenantCommand::List => {
                    for t in commands::tenant_list(&app).await? {
                        let org = match t.organization_id {
                            Some(o) => herd_store::organizations::by_id(&mut app.db.conn().await?, o)
                                .await?
                                .map(|o| o.slug)
                                .unwrap_or_default(),
                            None => String::new(),
                        };
                        let grant = herd_app::entitlements::of(&app, t.tenant_id()).await?;
                        println!(
                            "{}\t{}\t{}\t{}\t{}\t{}",
                            t.domain,
                            t.title,
                            t.registrations,
                            t.state,
                            org,
                            herd::provider::hosting_state(grant.hosting)
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Account { command } => {
            let app = herd::server::open(&cfg).await?;
            let op = herd_app::Actor::Operator;
            let find = |tenant: String, username: String| {
                let app = app.clone();
                async move {
                    let t = herd_app::tenants::by_domain(&app, &tenant).await?;
                    let a = herd_app::accounts::local_by_username(&app, &t, &username).await?;
                    anyhow::Ok((t, a.id))
                }
            };
            match command {
                AccountCommand::Create {
                    tenant,
                    username,
                    email,
                    password,
                    role,
                } => {
                    let spec = AccountSpec {
                        tenant: tenant.clone(),
                        username,
                        email: email.clone(),
                        password,
                        role,
                    };
                    let (acc, generated) = commands::account_create(&app, spec).await?;
                    println!("{}", acc.id);
                    if let Some(p) = generated {
                        eprintln!("Generated password (shown once): {p}");
                    }
                    let url = format!("{}://{}", cfg.public_scheme, tenant);
                    let exe = herd::server::invoked_as();
                    eprintln!("Account @{} created on {tenant}.", acc.username);
                    eprintln!("Sign in with any Mastodon app at {url} (e-mail {email}), for example:");
                    eprintln!("  toot login_cli -i {url} -e {email}");
                    let env = herd::server::settings_prefix(&cfg);
                    eprintln!(
                        "or make a token for scripts: {env}{exe} token create --tenant {tenant} {}",
                        acc.username
                    );
                }
                AccountCommand::List { tenant, pending } => {
                    let t = herd_app::tenants::by_domain(&app, &tenant).await?;
                    let mut c = app.db.conn().await?;
                    for (username, u) in herd_store::users::list(&mut c, t.id, pending).await? {
                        let state = if u.approved != 0 { "approved" } else { "pending" };
                        println!("{username}\t{}\t{}\t{state}", u.email, u.role);
                    }
                }
                AccountCommand::Approve { tenant, username } => {
                    let (t, id) = find(tenant.clone(), username.clone()).await?;
                    herd_app::accounts::approve(&app, &op, &t, id).await?;
                    eprintln!("@{username} may now sign in on {tenant}.");
                }
                AccountCommand::Reject { tenant, username } => {
                    let (t, id) = find(tenant.clone(), username.clone()).await?;
                    herd_app::accounts::reject(&app, &op, &t, id).await?;
                    eprintln!("The sign-up of @{username} on {tenant} was rejected and deleted.");
                }
                AccountCommand::Role { tenant, username, role } => {
                    let (t, id) = find(tenant.clone(), username.clone()).await?;
                    herd_app::accounts::set_role(&app, &op, &t, id, herd_core::Role::parse(&role)?).await?;
                    eprintln!("@{username} is now {role} on {tenant}.");
                }
                AccountCommand::Password {
                    tenant,
                    username,
                    password,
                } => {
                    let (t, id) = find(tenant.clone(), username.clone()).await?;
                    if let Some(p) = herd_app::accounts::reset_password(&app, &op, &t, id, password).await? {
                        eprintln!("Generated password (shown once): {p}");
                    }
                    eprintln!("Password of @{username} changed; every token it held is revoked.");
                }
            }
            Ok(())
        }
        Command::Emoji { command } => {
            let app = herd::server::open(&cfg).await?;
            let op = herd_app::Actor::Operator;
            match command {
                EmojiCommand::Add {
                    tenant,
                    shortcode,
                    file,
                    category,
                } => {
                    let t = herd_app::tenants::by_domain(&app, &tenant).await?;
                    let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
                    let e = herd_app::emojis::add(&app, &op, &t, &shortcode, bytes, category).await?;
                    eprintln!(":{}: added to {tenant}.", e.shortcode);
                }
                EmojiCommand::List { tenant } => {
                    let t = herd_app::tenants::by_domain(&app, &tenant).await?;
                    let mut c = app.db.conn().await?;
                    for e in herd_store::emojis::local(&mut c, t.id).await? {
                        let url = e.file_key.as_deref().map(|k| t.file_url(k)).unwrap_or_default();
                        println!("{}\t{}\t{url}", e.shortcode, e.category.unwrap_or_default());
                    }
                }
                EmojiCommand::Remove { tenant, shortcode } => {
                    let t = herd_app::tenants::by_domain(&app, &tenant).await?;
                    herd_app::emojis::remove(&app, &op, &t, &shortcode).await?;
                    eprintln!(":{shortcode}: removed from {tenant}.");
                }
            }
            Ok(())
        }
        Command::Announcement { command } => {
            let app = herd::server::open(&cfg).await?;
            let op = herd_app::Actor::Operator;
            match command {
                AnnouncementCommand::Create { tenant, announcement } => {
                    let t = herd_app::tenants::by_domain(&app, &tenant).await?;
                    println!("{}", herd_app::announcements::publish(&app, &op, &t, announcement.parse()?).await?);
                }
                AnnouncementCommand::Update { tenant, id, announcement } => {
                    let t = herd_app::tenants::by_domain(&app, &tenant).await?;
                    herd_app::announcements::update(&app, &op, &t, cli_id(&id)?, announcement.parse()?).await?;
                    eprintln!("Announcement {id} changed.");
                }
                AnnouncementCommand::List { tenant } => {
                    let t = herd_app::tenants::by_domain(&app, &tenant).await?;
                    let mut c = app.db.conn().await?;
                    for a in herd_store::announcements::list(&mut c, t.id, 0, true).await? {
                        let ends = a
                            .ends_at
                            .map(|e| herd_core::Timestamp(e).to_rfc3339())
                            .unwrap_or_else(|| "-".into());
                        println!("{}\t{ends}\t{}", a.id, a.text.replace('\n', " "));
                    }
                }
                AnnouncementCommand::Delete { tenant, id } => {
                    let t = herd_app::tenants::by_domain(&app, &tenant).await?;
                    herd_app::announcements::delete(&app, &op, &t, cli_id(&id)?).await?;
                    eprintln!("Announcement {id} deleted.");
                }
            }
            Ok(())
        }
        Command::Backup { command } => herd::backup::run(&herd::server::open(&cfg).await?, &cfg, command).await,
        Command::Moderation { command } => {
            let app = herd::server::open(&cfg).await?;
            herd::moderation::run(&app, command).await
        }
        Command::Org { command } => herd::provider::org(&herd::server::open(&cfg).await?, command).await,
        Command::Staff { command } => herd::provider::staff(&herd::server::open(&cfg).await?, command).await,
        Command::Plan { command } => herd::provider::plan(&herd::server::open(&cfg).await?, command).await,
        Command::Booking { command } => herd::provider::booking(&herd::server::open(&cfg).await?, command).await,
        Command::Usage { org, month, now } => {
            let app = herd::server::open(&cfg).await?;
            print!("{}", herd::provider::usage(&app, &org, &month, now).await?);
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Create { tenant, username, scopes },
        } => {
            let app = herd::server::open(&cfg).await?;
            println!("{}", commands::token_create(&app, &tenant, &username, &scopes).await?);
            Ok(())
        }
    }
}
