//! The processing layer: every change Herd makes, one verb per file (`statuses/create.rs`,
//! `follows/follow.rs`), each in one transaction with its jobs, local and (later) federated
//! alike; plus the read side (`views`, `timelines`) that gathers rows for rendering.
//!
//! **`herd-app` knows nothing about HTTP.** It takes parsed values and returns rows and views;
//! `herd-api` turns those into Mastodon JSON.

pub mod access;
pub mod accounts;
pub mod announcements;
pub mod auth;
pub mod automod;
pub mod blocklists;
pub mod bookings;
pub mod cache;
pub mod cards;
mod context;
pub mod conversations;
pub mod dsa;
pub mod emojis;
pub mod entitlements;
mod error;
pub mod featured;
pub mod federation;
pub mod federation_policy;
pub mod files;
pub mod filters;
pub mod follows;
pub mod lists;
pub mod maintenance;
pub mod markers;
pub mod media;
pub mod moderation;
pub mod notification_policy;
pub mod notifications;
pub mod organizations;
pub mod polls;
pub mod quotes;
pub mod reports;
pub mod seal;
pub mod search;
pub mod sso;
pub mod staff;
pub mod statuses;
pub mod teams;
pub mod tenants;
pub mod timelines;
pub mod trends;
pub mod two_factor;
pub mod usage;
pub mod views;

pub use context::{Tenant, Viewer};
pub use error::AppError;
pub use files::FileStore;

use herd_core::{Id, Timestamp};
use herd_jobs::Waker;
use herd_store::{Conn, Db, TenantId, audit};

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Settings the processing layer needs, taken from the operator's configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `https` in production, `http` for local testing: the scheme of every URL Herd makes.
    pub public_scheme: String,
    /// Whether outgoing mail is configured; without it, sign-ups need no e-mail confirmation.
    pub mail_configured: bool,
    /// Which addresses requests to other servers may reach.
    pub outbound: herd_federation::fetch::Guard,
    /// Seals secrets the server must read back (see [`seal`]).
    pub seal: std::sync::Arc<seal::SealKey>,
    /// The provider console's domain (`admin_domain`), which no instance may take.
    pub admin_domain: Option<String>,
}

/// The services a request or job works with, built once at start-up.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub files: FileStore,
    pub settings: Settings,
    pub waker: Waker,
    /// Bounds how many images are decoded at once (each may take hundreds of MiB).
    images: std::sync::Arc<tokio::sync::Semaphore>,
    /// Instances recently served, so a request needs no look-up by domain.
    pub(crate) tenants: std::sync::Arc<tenants::TenantCache>,
    /// Sessions, accounts, posts and home feeds; see [`cache`].
    pub caches: std::sync::Arc<cache::Caches>,
    /// The one client for requests to other servers (guarded; see `herd_federation::fetch`).
    pub fetch: herd_federation::fetch::Client,
    /// The inboxes' group commit (see [`federation::ingest`]).
    pub(crate) ingest: std::sync::Arc<federation::ingest::Queue>,
    /// What instances' bookings entitle them to, recently computed (see [`entitlements`]).
    pub(crate) entitlements: std::sync::Arc<entitlements::Cache>,
    /// Metering counts not yet written (see [`usage`]).
    pub(crate) meter: std::sync::Arc<usage::Meter>,
}

impl App {
    pub fn new(db: Db, files: FileStore, settings: Settings) -> Result<App> {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let caches = std::sync::Arc::new(cache::Caches::new(cache::Limits::default()));
        db.set_change_sink(caches.clone());
        let agent = format!("Herd/{} (+{}://)", env!("CARGO_PKG_VERSION"), settings.public_scheme);
        let fetch =
            herd_federation::fetch::Client::new(settings.outbound.clone(), &agent).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(App {
            db,
            files,
            settings,
            waker: Waker::default(),
            images: std::sync::Arc::new(tokio::sync::Semaphore::new(cores)),
            tenants: Default::default(),
            caches,
            fetch,
            ingest: Default::default(),
            entitlements: Default::default(),
            meter: Default::default(),
        })
    }

    /// Waits for a turn to decode an image.
    pub(crate) async fn image_permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>> {
        self.images.acquire().await.map_err(|e| AppError::Internal(e.to_string()))
    }

    /// The job handlers this layer provides, for the runner.
    pub fn job_registry(&self) -> herd_jobs::Registry {
        let a = self.clone();
        let b = self.clone();
        let (c, d, e, f, g, h) = (self.clone(), self.clone(), self.clone(), self.clone(), self.clone(), self.clone());
        herd_jobs::Registry::default()
            .on(move |t, job: federation::deliver::Deliver| {
                let app = c.clone();
                async move { federation::deliver::deliver(&app, t, job).await }
            })
            .on(move |t, job: federation::outgoing::FanOut| {
                let app = d.clone();
                async move { federation::outgoing::fan_out(&app, t, job).await.map_err(|e| e.to_string()) }
            })
            .on(move |t, job: federation::outgoing::ProfileChanged| {
                let app = f.clone();
                async move { federation::outgoing::profile_changed(&app, t, job).await.map_err(|e| e.to_string()) }
            })
            .on(move |t, job: federation::pictures::FetchPictures| {
                let app = h.clone();
                async move { federation::pictures::fetch(&app, t, job).await.map_err(|e| e.to_string()) }
            })
            .on(move |t, job: media::remote::FetchRemoteMedia| {
                let app = g.clone();
                async move { media::remote::fetch(&app, t, job).await.map_err(|e| e.to_string()) }
            })
            .on({
                let app = self.clone();
                move |t, job: federation::thread::FetchParent| {
                    let app = app.clone();
                    async move { federation::thread::fetch_parent(&app, t, job).await.map_err(|e| e.to_string()) }
                }
            })
            .on({
                let app = self.clone();
                move |t, job: cards::FetchCard| {
                    let app = app.clone();
                    async move { cards::fetch(&app, t, job).await.map_err(|e| e.to_string()) }
                }
            })
            .on({
                let app = self.clone();
                move |t, job: emojis::FetchEmoji| {
                    let app = app.clone();
                    async move { emojis::fetch(&app, t, job).await.map_err(|e| e.to_string()) }
                }
            })
            .on({
                let app = self.clone();
                move |t, job: accounts::VerifyLinks| {
                    let app = app.clone();
                    async move { accounts::verify_links(&app, t, job).await.map_err(|e| e.to_string()) }
                }
            })
            .on({
                let app = self.clone();
                move |t, job: statuses::PublishScheduled| {
                    let app = app.clone();
                    async move { statuses::publish(&app, t, job).await.map_err(|e| e.to_string()) }
                }
            })
            .on({
                let app = self.clone();
                move |t, job: quotes::QuoteRequest| {
                    let app = app.clone();
                    async move { quotes::send_request(&app, t, job).await.map_err(|e| e.to_string()) }
                }
            })
            .on({
                let app = self.clone();
                move |t, job: blocklists::SyncBlocklist| {
                    let app = app.clone();
                    async move { blocklists::sync(&app, t, job).await.map_err(|e| e.to_string()) }
                }
            })
            .on({
                let app = self.clone();
                move |t, job: moderation::PurgeSuspended| {
                    let app = app.clone();
                    async move { moderation::purge(&app, t, job).await.map_err(|e| e.to_string()) }
                }
            })
            .on({
                let app = self.clone();
                move |t, job: quotes::VerifyQuote| {
                    let app = app.clone();
                    async move { quotes::verify(&app, t, job).await.map_err(|e| e.to_string()) }
                }
            })
            .on({
                let app = self.clone();
                move |t, job: polls::ClosePoll| {
                    let app = app.clone();
                    async move { polls::close(&app, t, job).await.map_err(|e| e.to_string()) }
                }
            })
            .on(move |t, job: federation::inbox::Inbound| {
                let app = e.clone();
                async move { federation::inbox::process(&app, t, job).await.map_err(|e| e.to_string()) }
            })
            .on(move |t, job: media::ProcessMedia| {
                let app = a.clone();
                async move { media::process(&app, t, job).await.map_err(|e| e.to_string()) }
            })
            .on(move |t, job: files::DeleteFiles| {
                let app = b.clone();
                async move { app.files.delete_all(t, &job.keys).await.map_err(|e| e.to_string()) }
            })
    }
}

/// A connection taken from the pool on first use, so a request answered from the caches
/// takes none.
pub struct LazyConn<'a> {
    db: &'a Db,
    conn: Option<Conn>,
}

impl<'a> LazyConn<'a> {
    pub fn new(db: &'a Db) -> LazyConn<'a> {
        LazyConn { db, conn: None }
    }

    pub async fn get(&mut self) -> Result<&mut Conn> {
        if self.conn.is_none() {
            self.conn = Some(self.db.conn().await?);
        }
        self.conn.as_mut().ok_or_else(|| AppError::Internal("connection vanished".into()))
    }
}

/// Who did a privileged action, for the audit trail.
#[derive(Debug, Clone)]
pub enum Actor {
    /// The operator at the command line.
    Operator,
    /// A signed-in account of the instance.
    Account(i64),
    /// A blocklist the instance subscribes to, applied by its sync job.
    Subscription(i64),
    /// An auto-moderation rule that a post met.
    Rule(i64),
    /// A visitor without an account (a notice on the public form).
    Visitor,
    /// A member of the provider's staff.
    Staff(i64),
    /// The instance's booked schedule (its backups).
    Schedule,
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Operator => f.write_str("operator:cli"),
            Actor::Account(id) => write!(f, "account:{id}"),
            Actor::Subscription(id) => write!(f, "subscription:{id}"),
            Actor::Rule(id) => write!(f, "automod:{id}"),
            Actor::Visitor => f.write_str("visitor"),
            Actor::Staff(id) => write!(f, "staff:{id}"),
            Actor::Schedule => f.write_str("schedule"),
        }
    }
}

/// Records a privileged action in the same transaction as the action.
pub async fn audit(c: &mut Conn, t: TenantId, actor: &Actor, action: &str, target: &str, detail: serde_json::Value) -> Result<()> {
    audit::record(
        c,
        t,
        &audit::AuditRow {
            id: Id::generate().0,
            actor: actor.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            detail: detail.to_string(),
            created_at: Timestamp::now().0,
        },
    )
    .await?;
    Ok(())
}
