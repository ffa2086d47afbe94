//! Start-up wiring and the server's lifecycle: build the services in order (database, files,
//! processing layer, job runner, HTTP), run until told to stop, then stop in reverse order,
//! letting requests and jobs under way finish.

use std::net::SocketAddr;

use anyhow::Context;
use axum::ServiceExt;
use herd_app::{App, FileStore, Settings};
use herd_jobs::Runner;
use herd_store::Db;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;

use crate::Config;

/// Opens the database (creating the data directory) and applies migrations.
pub async fn open(cfg: &Config) -> anyhow::Result<App> {
    std::fs::create_dir_all(&cfg.data_dir).with_context(|| format!("creating data directory {}", cfg.data_dir.display()))?;
    let url = cfg.database_url();
    let db = Db::connect(&url, cfg.db_max_connections)
        .await
        .with_context(|| format!("opening database {}", redact(&url)))?;
    db.migrate().await.context("applying migrations")?;
    let files = FileStore::new(cfg.data_dir.join("media"));
    let outbound = herd_federation::fetch::Guard {
        allow_private: cfg.allow_private_addresses,
        overrides: cfg.resolve_overrides()?,
    };
    Ok(App::new(
        db,
        files,
        Settings {
            public_scheme: cfg.public_scheme.clone(),
            mail_configured: false,
            outbound,
            seal: std::sync::Arc::new(herd_app::seal::SealKey::new(&cfg.seal_key()?)?),
            admin_domain: cfg.admin_domain()?.map(|d| d.as_str().to_string()),
        },
    )?)
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***@{}", &url[..s], &url[at + 1..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub app: App,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Serves the HTTP server's inboxes; stopped after it.
    ingest: herd_app::federation::ingest::Ingest,
    /// Turns events into messages for live clients; ended after the HTTP server.
    streaming: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stops accepting, lets requests and jobs under way finish, closes the database.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
        // The HTTP server has finished every request, so no activity is waiting for it.
        self.ingest.stop().await;
        self.streaming.abort();
        // Every job has finished: the deliveries they counted are written.
        if let Err(e) = herd_app::usage::flush(&self.app).await {
            tracing::warn!(error = %e, "metering counts could not be written at shutdown");
        }
        self.app.db.close().await;
    }
}

/// Builds every service and starts serving on `cfg.listen` (port 0 picks a free port).
pub async fn start(cfg: &Config) -> anyhow::Result<Running> {
    let app = open(cfg).await?;
    let (stop, stopped) = watch::channel(false);

    // Bind first: if the address is taken, nothing else has started.
    let listener = TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| format!("listening on {}", cfg.listen))?;
    let addr = listener.local_addr()?;

    let registry = {
        let (app, backups, url) = (app.clone(), cfg.backups(), cfg.database_url());
        app.job_registry().on(move |t, _: herd_backup::schedule::RunBackup| {
            let (app, backups, url) = (app.clone(), backups.clone(), url.clone());
            async move { herd_backup::schedule::run_job(&app, &backups, &url, t).await }
        })
    };
    let runner = Runner::new(app.db.clone(), registry, app.waker.clone(), cfg.workers);
    let jobs = tokio::spawn(runner.run(stopped.clone()));
    let housekeeping = tokio::spawn(maintain(app.clone(), stopped.clone()));
    let metering = tokio::spawn(meter(app.clone(), stopped.clone()));
    let changes = tokio::spawn(herd_app::cache::follow(app.db.clone(), app.caches.clone(), stopped.clone()));
    let ingest = herd_app::federation::ingest::Ingest::start(app.clone());
    // Live clients: events reach this node's hub from its own commits (SQLite, one node) or
    // from every node through PostgreSQL's LISTEN.
    let (hub, events) = herd_api::streaming::Hub::new(stopped.clone());
    let mut tasks = Vec::new();
    match app.db.dialect() {
        herd_store::Dialect::Sqlite => app.db.set_event_sink(hub.clone()),
        herd_store::Dialect::Postgres => {
            let url = cfg.database_url();
            let (sink, stopped) = (hub.clone(), stopped.clone());
            tasks.push(tokio::spawn(async move { herd_store::events::listen(&url, sink, stopped).await }));
        }
    }
    let streaming = tokio::spawn(herd_api::streaming::run(std::sync::Arc::new(app.clone()), hub.clone(), events));
    let router = herd_api::router(
        app.clone(),
        herd_api::Options {
            trust_forwarded_for: cfg.trust_forwarded_for,
            rate_limits: cfg.rate_limits()?,
        },
        hub,
        herd_web::routes().merge(herd_console::instance_routes()),
        cfg.admin_domain()?.map(|d| (d.as_str().to_string(), herd_console::routes())),
    )
    .layer(tower_http::trace::TraceLayer::new_for_http());
    // Mastodon answers `/api/v1/instance/` like `/api/v1/instance`; clients rely on it.
    let service = NormalizePathLayer::trim_trailing_slash().layer(router);
    let mut stopped_http = stopped.clone();
    let http = tokio::spawn(async move {
        let serve = axum::serve(
            listener,
            ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<SocketAddr>(service),
        )
        .with_graceful_shutdown(async move {
            let _ = stopped_http.wait_for(|s| *s).await;
        });
        if let Err(e) = serve.await {
            tracing::error!(error = %e, "HTTP server failed");
        }
    });
    tasks.extend([http, jobs, housekeeping, metering, changes]);
    Ok(Running {
        addr,
        app,
        stop,
        tasks,
        ingest,
        streaming,
    })
}

/// Sweeps every instance and rolls usage up every ten minutes (first a minute after start)
/// until shutdown.
async fn maintain(app: App, mut stopped: watch::Receiver<bool>) {
    let mut next = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(next) => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
        if let Err(e) = herd_app::maintenance::sweep_all(&app).await {
            tracing::warn!(error = %e, "maintenance sweep failed; will try again");
        }
        if let Err(e) = herd_app::usage::roll_up_due(&app).await {
            tracing::warn!(error = %e, "usage roll-up failed; will try again");
        }
        // Backups as the instances' bookings schedule them (hours apart at the least).
        if let Err(e) = herd_backup::schedule::due(&app).await {
            tracing::warn!(error = %e, "backup schedule could not be read; will try again");
        }
        next = tokio::time::Instant::now() + std::time::Duration::from_secs(600);
    }
}

/// Writes the metering counts added up in memory every five seconds until shutdown.
async fn meter(app: App, mut stopped: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
        if let Err(e) = herd_app::usage::flush(&app).await {
            tracing::warn!(error = %e, "metering counts could not be written; will try again");
        }
    }
}

/// `herd serve`: runs until SIGINT or SIGTERM.
pub async fn serve(cfg: &Config) -> anyhow::Result<()> {
    let running = start(cfg).await?;
    let mut c = running.app.db.conn().await?;
    let tenants = herd_store::tenants::list(&mut c).await?;
    drop(c);
    let scheme = &cfg.public_scheme;
    eprintln!(
        "Herd {} listening on http://{} (data in {}, database {})",
        env!("CARGO_PKG_VERSION"),
        running.addr,
        cfg.data_dir.display(),
        redact(&cfg.database_url())
    );
    if tenants.is_empty() {
        eprintln!();
        let exe = invoked_as();
        let d = suggest_domain(&running.addr);
        let env = settings_prefix(cfg);
        eprintln!("No instance exists yet. In another terminal (same directory), create one and its first account:");
        eprintln!("  {env}{exe} tenant create {d} --name \"My organization\" --registrations open");
        eprintln!("  {env}{exe} account create --tenant {d} admin --email admin@example.org --role owner");
        if redact(&cfg.database_url()) != cfg.database_url() {
            eprintln!("(with HERD_DATABASE_URL set as for this server: its password is not printed)");
        }
    } else {
        for t in &tenants {
            eprintln!("  instance {scheme}://{} ({})", t.domain, t.title);
        }
    }
    shutdown_signal().await;
    eprintln!("Shutting down: finishing requests and jobs under way...");
    running.shutdown().await;
    Ok(())
}

/// How this program was started, for commands printed to paste: `herd` when it was found on
/// the PATH, else the path it was run by (`target/release/herd`).
pub fn invoked_as() -> String {
    let arg0 = std::env::args().next().unwrap_or_else(|| "herd".into());
    if arg0.contains('/') { arg0 } else { "herd".into() }
}

/// The settings a command run beside this server needs to reach the same data and print the
/// same URLs, as `VAR=value ` assignments to paste before it: only those that differ from the
/// defaults (a database password is left out; the caller says so).
pub fn settings_prefix(cfg: &Config) -> String {
    let default = Config::default();
    let mut out = String::new();
    if cfg.public_scheme != default.public_scheme {
        out.push_str(&format!("HERD_PUBLIC_SCHEME={} ", shell_word(&cfg.public_scheme)));
    }
    if cfg.data_dir != default.data_dir {
        out.push_str(&format!("HERD_DATA_DIR={} ", shell_word(&cfg.data_dir.to_string_lossy())));
    }
    if let Some(url) = &cfg.database_url
        && redact(url) == *url
    {
        out.push_str(&format!("HERD_DATABASE_URL={} ", shell_word(url)));
    }
    out
}

/// `s` as one word for a POSIX shell: bare when it is plain, else in single quotes.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-:@=,+%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// A domain a newcomer can reach at once: `localhost` with the port.
pub fn suggest_domain(addr: &SocketAddr) -> String {
    format!("localhost:{}", addr.port())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
