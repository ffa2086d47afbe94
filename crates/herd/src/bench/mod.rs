//! `herd bench`: figures anyone can rerun, always as ratios measured side by side in one run.
//!
//! - `herd bench memory`: resident memory of a `herd serve` process holding 1 instance and of
//!   one holding N instances (all migrated, each with a few accounts), after the same warm-up;
//!   the difference per additional instance is the cost of an idle instance.
//! - `herd bench timeline`: requests per second for `GET /api/v1/timelines/home?limit=20` on a
//!   seeded instance at a given concurrency, beside a trivial endpoint of the same server.
//!
//! The server under test is a separate `herd serve` process (this binary), so the figures are
//! those of the real server; the load comes from this process over loopback. Seeding writes
//! rows in bulk (a benchmark does not need 3,000 argon2 hashes), through the same schema.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Subcommand;
use herd_core::{Id, Timestamp, secret};
use herd_store::{Conn, Db, TenantId};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::Config;

mod backup;
mod consoles;
mod media;
mod moderation;

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Memory per idle instance: one server with 1 instance beside one with --instances.
    Memory {
        #[arg(long, default_value_t = 1000)]
        instances: usize,
        /// Accounts per instance.
        #[arg(long, default_value_t = 3)]
        accounts: usize,
        /// Warm-up requests sent to each server, spread over its instances.
        #[arg(long, default_value_t = 3000)]
        requests: usize,
    },
    /// Home timeline throughput beside a trivial endpoint, on SQLite or PostgreSQL.
    Timeline {
        /// `postgres://user@host:port` to run on a fresh PostgreSQL database there (dropped
        /// afterwards); default SQLite in a temporary directory.
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value_t = 1000)]
        accounts: usize,
        /// Accounts each account follows.
        #[arg(long, default_value_t = 100)]
        follows: usize,
        #[arg(long, default_value_t = 200_000)]
        posts: usize,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Seconds of load per endpoint.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Fan-out: one post to followers on --servers remote servers, beside signing the same
    /// requests alone.
    Fanout {
        #[arg(long, default_value_t = 1000)]
        servers: usize,
        /// Job workers of the server (default: one per core).
        #[arg(long)]
        workers: Option<usize>,
    },
    /// Ingest: signed Create activities accepted and stored per second, beside checking
    /// their signatures alone.
    Ingest {
        #[arg(long, default_value_t = 20000)]
        activities: usize,
        /// Auto-moderation rules active on the instance (keywords no post meets, so every
        /// post is checked against all of them).
        #[arg(long, default_value_t = 0)]
        rules: usize,
        /// Deliveries under way at once. A throughput is measured with the server saturated;
        /// a busy inbox has deliveries from many servers (each with many workers) at once.
        #[arg(long, default_value_t = 512)]
        concurrency: usize,
    },
    /// Moderation: an instance's report list and admin account search beside a trivial
    /// endpoint, with many instances and open reports on the server.
    Moderation {
        #[arg(long, default_value_t = 100)]
        instances: usize,
        /// Open reports in all, spread evenly over the instances.
        #[arg(long, default_value_t = 100_000)]
        reports: usize,
        #[arg(long, default_value_t = 200)]
        accounts: usize,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Blocklist subscriptions: the first sync of a large CSV list, then re-syncs unchanged
    /// and with a few changes.
    Blocklist {
        #[arg(long, default_value_t = 10_000)]
        domains: usize,
        #[arg(long, default_value_t = 100)]
        changes: usize,
    },
    /// The provider console: the organization list and an organization's usage page with
    /// many organizations and instances (p50 and p99 beside a trivial route), and the usage
    /// roll-up of a day for every instance.
    Consoles {
        #[arg(long, default_value_t = 1000)]
        organizations: usize,
        #[arg(long, default_value_t = 10_000)]
        instances: usize,
        /// Days of usage rows per instance (the month so far).
        #[arg(long, default_value_t = 7)]
        days: usize,
        /// Requests per page.
        #[arg(long, default_value_t = 500)]
        requests: usize,
    },
    /// Backups: one large instance backed up, verified and restored (times, archive size per
    /// post), and another instance's request rate during the backup beside its rate without.
    Backup {
        /// `postgres://user@host:port` to run on a fresh PostgreSQL database there (dropped
        /// afterwards); default SQLite in a temporary directory.
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value_t = 1000)]
        accounts: usize,
        #[arg(long, default_value_t = 1_000_000)]
        posts: usize,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
    /// Media: a video uploaded and processed by the server (time and peak memory), beside
    /// ffmpeg's own time for the same transcode.
    Media {
        /// Seconds of 1280x720 video (with sound) to upload.
        #[arg(long, default_value_t = 30)]
        seconds: u32,
    },
    /// Streaming: idle WebSocket clients on one instance, the memory each costs the server,
    /// and the time from a post's creation until every client has it.
    Streaming {
        #[arg(long, default_value_t = 5000)]
        clients: usize,
        /// Accounts the clients are signed in as (spread evenly); each follows the poster.
        #[arg(long, default_value_t = 100)]
        accounts: usize,
        #[arg(long, default_value_t = 20)]
        posts: usize,
    },
}

pub async fn run(command: BenchCommand, _cfg: &Config) -> anyhow::Result<()> {
    match command {
        BenchCommand::Memory {
            instances,
            accounts,
            requests,
        } => memory(instances, accounts, requests).await,
        BenchCommand::Timeline {
            postgres,
            accounts,
            follows,
            posts,
            concurrency,
            seconds,
        } => timeline(postgres, accounts, follows, posts, concurrency, seconds).await,
        BenchCommand::Fanout { servers, workers } => fanout(servers, workers).await,
        BenchCommand::Ingest {
            activities,
            concurrency,
            rules,
        } => ingest(activities, concurrency, rules).await,
        BenchCommand::Moderation {
            instances,
            reports,
            accounts,
            concurrency,
            seconds,
        } => moderation::moderation(instances, reports, accounts, concurrency, seconds).await,
        BenchCommand::Blocklist { domains, changes } => moderation::blocklist(domains, changes).await,
        BenchCommand::Streaming { clients, accounts, posts } => streaming(clients, accounts, posts).await,
        BenchCommand::Media { seconds } => media::media(seconds).await,
        BenchCommand::Consoles {
            organizations,
            instances,
            days,
            requests,
        } => consoles::consoles(organizations, instances, days, requests).await,
        BenchCommand::Backup {
            postgres,
            accounts,
            posts,
            concurrency,
        } => backup::backup(postgres, accounts, posts, concurrency).await,
    }
}

/// A value for a bulk insert.
enum V {
    I(i64),
    S(String),
}

/// Inserts rows in statements of `chunk` rows.
async fn bulk(c: &mut Conn, table: &str, cols: &[&str], rows: Vec<Vec<V>>) -> anyhow::Result<()> {
    let chunk = (4000 / cols.len()).max(1);
    let one = format!("({})", vec!["?"; cols.len()].join(", "));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<Vec<V>> = rows.by_ref().take(chunk).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            cols.join(", "),
            vec![one.as_str(); batch.len()].join(", ")
        );
        let mut q = c.q(&sql);
        for row in batch {
            for v in row {
                q = match v {
                    V::I(i) => q.bind(i),
                    V::S(s) => q.bind(s),
                };
            }
        }
        q.execute(c.ex()).await.with_context(|| format!("seeding {table}"))?;
    }
    Ok(())
}

/// An organization of its own for a seeded instance (id `id`), and the instance's open
/// hosting booking (written after the instance), as `herd tenant create` makes them.
async fn seed_organization(c: &mut Conn, id: i64, domain: &str, now: i64) -> anyhow::Result<()> {
    herd_store::organizations::insert(
        c,
        &herd_store::organizations::OrgRow {
            id,
            slug: domain.replace(':', "-"),
            name: domain.to_string(),
            notes: String::new(),
            created_at: now,
            updated_at: now,
        },
    )
    .await?;
    Ok(())
}

async fn seed_hosting(c: &mut Conn, id: i64, now: i64) -> anyhow::Result<()> {
    herd_store::bookings::insert(
        c,
        &herd_store::bookings::NewBooking {
            id,
            organization_id: id,
            tenant_id: Some(id),
            external_id: None,
            service: "hosting",
            plan_id: None,
            terms: "{}",
            starts_at: now,
            ends_at: None,
            now,
        },
    )
    .await?;
    Ok(())
}

/// Seeds one instance with `accounts` accounts (each signed in with one token); returns the
/// tenant and the tokens, in account order.
async fn seed_instance(
    c: &mut Conn,
    domain: &str,
    accounts: usize,
    password_hash: &str,
) -> anyhow::Result<(TenantId, Vec<i64>, Vec<String>)> {
    let now = Timestamp::now().0;
    let t = TenantId(Id::generate().0);
    seed_organization(c, t.0, domain, now).await?;
    herd_store::tenants::insert(
        c,
        herd_store::tenants::NewTenant {
            id: t.0,
            organization_id: t.0,
            domain,
            title: domain,
            registrations: "open",
            now,
        },
    )
    .await?;
    seed_hosting(c, t.0, now).await?;
    let ids: Vec<i64> = (0..accounts).map(|_| Id::generate().0).collect();
    let tokens: Vec<String> = (0..accounts).map(|_| secret::generate()).collect();
    let acc = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            vec![
                V::I(*id),
                V::I(t.0),
                V::S(format!("user{i}")),
                V::S(format!("user{i}")),
                V::I(now),
                V::I(now),
            ]
        })
        .collect();
    bulk(
        c,
        "accounts",
        &["id", "tenant_id", "username", "username_key", "created_at", "updated_at"],
        acc,
    )
    .await?;
    let users = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let email = format!("user{i}@bench.example");
            vec![
                V::I(Id::generate().0),
                V::I(t.0),
                V::I(*id),
                V::S(email.clone()),
                V::S(email),
                V::S(password_hash.to_string()),
                V::S("member".into()),
                V::I(now),
            ]
        })
        .collect();
    bulk(
        c,
        "users",
        &[
            "id",
            "tenant_id",
            "account_id",
            "email",
            "email_key",
            "password_hash",
            "role",
            "created_at",
        ],
        users,
    )
    .await?;
    let toks = ids
        .iter()
        .zip(&tokens)
        .map(|(id, tok)| {
            vec![
                V::I(Id::generate().0),
                V::I(t.0),
                V::I(*id),
                V::S(secret::digest(tok)),
                V::S("read write follow".into()),
                V::I(now),
            ]
        })
        .collect();
    bulk(
        c,
        "oauth_tokens",
        &["id", "tenant_id", "account_id", "token_hash", "scopes", "created_at"],
        toks,
    )
    .await?;
    Ok((t, ids, tokens))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A `herd serve` child process on `port`, killed when dropped.
struct Child {
    proc: tokio::process::Child,
    addr: SocketAddr,
}

impl Child {
    async fn start(data_dir: &Path, database_url: &str, port: u16) -> anyhow::Result<Child> {
        Child::start_with(data_dir, database_url, port, &[]).await
    }

    /// With more settings (`HERD_*` variables).
    async fn start_with(data_dir: &Path, database_url: &str, port: u16, env: &[(&str, String)]) -> anyhow::Result<Child> {
        let exe = std::env::current_exe()?;
        let mut cmd = tokio::process::Command::new(exe);
        cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("HERD_DATA_DIR", data_dir)
            .env("HERD_DATABASE_URL", database_url)
            .env("HERD_PUBLIC_SCHEME", "http")
            .env("HERD_LOG", "warn")
            // The load comes from one address, far over Mastodon's limits: counted (the
            // cost is measured) but never refused.
            .env("HERD_RATE_LIMIT_API", "2000000000/5m")
            .env("HERD_RATE_LIMIT_API_ACCOUNT", "2000000000/5m")
            .env("HERD_RATE_LIMIT_STATUSES", "2000000000/5m")
            .env("HERD_RATE_LIMIT_FOLLOWS", "2000000000/5m")
            .env("HERD_RATE_LIMIT_MEDIA", "2000000000/5m")
            .env("HERD_RATE_LIMIT_SIGN_IN", "2000000000/5m")
            .env("HERD_RATE_LIMIT_SIGN_IN_NAME", "2000000000/5m")
            .env("HERD_RATE_LIMIT_SIGN_UP", "2000000000/5m")
            .env("HERD_RATE_LIMIT_APPS", "2000000000/5m");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut proc = cmd
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting herd serve")?;
        let stderr = proc.stderr.take().context("stderr")?;
        let mut lines = BufReader::new(stderr).lines();
        let mut said = Vec::new();
        loop {
            match tokio::time::timeout(Duration::from_secs(60), lines.next_line()).await {
                Ok(Ok(Some(l))) if l.contains("listening on") => break,
                Ok(Ok(Some(l))) => said.push(l),
                _ => bail!("herd serve did not start; it said:\n{}", said.join("\n")),
            }
        }
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Child {
            proc,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        })
    }

    /// Resident memory in KiB, from /proc.
    fn rss_kib(&self) -> anyhow::Result<u64> {
        self.status_kib("VmRSS:")
    }

    /// The most resident memory the process has had, in KiB.
    fn peak_rss_kib(&self) -> anyhow::Result<u64> {
        self.status_kib("VmHWM:")
    }

    fn status_kib(&self, field: &str) -> anyhow::Result<u64> {
        let pid = self.proc.id().context("pid")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("{field} in /proc/<pid>/status"))
    }
}

fn client(addr: SocketAddr, domains: &[String], concurrency: usize) -> anyhow::Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(concurrency.max(1))
        .timeout(Duration::from_secs(30));
    for d in domains {
        b = b.resolve(d.split(':').next().unwrap_or(d), addr);
    }
    Ok(b.build()?)
}

async fn memory(instances: usize, accounts: usize, requests: usize) -> anyhow::Result<()> {
    if instances < 2 || accounts == 0 {
        bail!("--instances must be at least 2 and --accounts at least 1");
    }
    let hash = herd_app::auth::password::hash(secret::generate()).await?;
    let mut rows = Vec::new();
    for n in [1, instances] {
        let dir = tempfile::tempdir()?;
        let port = free_port()?;
        let url = format!("sqlite://{}", dir.path().join("herd.db").display());
        let db = Db::connect(&url, 1).await?;
        db.migrate().await?;
        let mut tx = db.begin().await?;
        let mut targets = Vec::new();
        for i in 0..n {
            let domain = format!("org{i}.bench.test:{port}");
            let (_, _, tokens) = seed_instance(&mut tx, &domain, accounts, &hash).await?;
            targets.push((domain, tokens[0].clone()));
        }
        tx.commit().await?;
        db.close().await;
        let child = Child::start(dir.path(), &url, port).await?;
        let domains: Vec<String> = targets.iter().map(|(d, _)| d.clone()).collect();
        let http = client(child.addr, &domains, 4)?;
        let idle = child.rss_kib()?;
        // The same warm-up for both: `requests` requests over the server's instances.
        for r in 0..requests {
            let (domain, token) = &targets[r % targets.len()];
            let path = ["/api/v1/instance", "/api/v1/accounts/verify_credentials", "/api/v1/timelines/home"][r % 3];
            let resp = http.get(format!("http://{domain}{path}")).bearer_auth(token).send().await?;
            if !resp.status().is_success() {
                bail!("warm-up request {path} on {domain} answered {}", resp.status());
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let warm = child.rss_kib()?;
        rows.push((n, idle, warm));
        drop(child);
    }
    let (n1, _, one) = rows[0];
    let (nn, _, many) = rows[1];
    println!("herd bench memory: {accounts} accounts per instance, {requests} warm-up requests per server");
    println!("{:>10} {:>14} {:>14}", "instances", "RSS start KiB", "RSS warm KiB");
    for (n, idle, warm) in &rows {
        println!("{n:>10} {idle:>14} {warm:>14}");
    }
    let per = (many as f64 - one as f64) / (nn - n1) as f64;
    println!("memory per additional idle instance: {per:.2} KiB (goal: under 100 KiB)");
    Ok(())
}

async fn timeline(
    postgres: Option<String>,
    accounts: usize,
    follows: usize,
    posts: usize,
    concurrency: usize,
    seconds: u64,
) -> anyhow::Result<()> {
    if follows >= accounts {
        bail!("--follows must be less than --accounts");
    }
    let dir = tempfile::tempdir()?;
    let (url, drop_db) = scratch_database(postgres.as_deref(), dir.path()).await?;
    let result = timeline_on(&url, dir.path(), accounts, follows, posts, concurrency, seconds).await;
    drop_scratch(drop_db).await;
    result
}

/// The bench's database: a fresh PostgreSQL database on the server `postgres` names (with
/// what [`drop_scratch`] needs to drop it), or a SQLite file in `dir`.
async fn scratch_database(postgres: Option<&str>, dir: &Path) -> anyhow::Result<(String, Option<(String, String)>)> {
    Ok(match postgres {
        Some(base) => {
            use sqlx::Connection;
            let base = base.trim_end_matches('/').to_string();
            let name = format!("herd_bench_{:08x}", rand::random::<u32>());
            let mut admin = sqlx::PgConnection::connect(&format!("{base}/postgres"))
                .await
                .context("connecting to PostgreSQL")?;
            sqlx::Executor::execute(&mut admin, sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).await?;
            (format!("{base}/{name}"), Some((base, name)))
        }
        None => (format!("sqlite://{}", dir.join("herd.db").display()), None),
    })
}

async fn drop_scratch(db: Option<(String, String)>) {
    if let Some((base, name)) = db {
        use sqlx::Connection;
        if let Ok(mut admin) = sqlx::PgConnection::connect(&format!("{base}/postgres")).await {
            let _ = sqlx::Executor::execute(
                &mut admin,
                sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")),
            )
            .await;
        }
    }
}

async fn timeline_on(
    url: &str,
    dir: &Path,
    accounts: usize,
    follows: usize,
    posts: usize,
    concurrency: usize,
    seconds: u64,
) -> anyhow::Result<()> {
    let port = free_port()?;
    let domain = format!("bench.test:{port}");
    let db = Db::connect(url, 4).await?;
    db.migrate().await?;
    let seeding = Instant::now();
    let hash = herd_app::auth::password::hash(secret::generate()).await?;
    let mut tx = db.begin().await?;
    let (t, ids, tokens) = seed_instance(&mut tx, &domain, accounts, &hash).await?;
    let now = Timestamp::now();
    let mut edges = Vec::with_capacity(accounts * follows);
    for (i, a) in ids.iter().enumerate() {
        // Each follows the next `follows` accounts round the ring: every account has as many
        // followers as it follows.
        for k in 1..=follows {
            let target = ids[(i + k) % ids.len()];
            edges.push(vec![V::I(Id::generate().0), V::I(t.0), V::I(*a), V::I(target), V::I(now.0)]);
        }
    }
    bulk(
        &mut tx,
        "follows",
        &["id", "tenant_id", "account_id", "target_account_id", "created_at"],
        edges,
    )
    .await?;
    bulk(&mut tx, "statuses", STATUS_COLUMNS, posts_of(t, &ids, posts)).await?;
    // The instance books what a full customer books, so its entitlements are all there.
    for service in ["moderation", "support", "backups"] {
        herd_store::bookings::insert(
            &mut tx,
            &herd_store::bookings::NewBooking {
                id: Id::generate().0,
                organization_id: t.0,
                tenant_id: Some(t.0),
                external_id: None,
                service,
                plan_id: None,
                terms: r#"{"response_minutes": 240}"#,
                starts_at: now.0,
                ends_at: None,
                now: now.0,
            },
        )
        .await?;
    }
    tx.commit().await?;
    if db.dialect() == herd_store::Dialect::Postgres {
        let mut c = db.conn().await?;
        c.q("ANALYZE").execute(c.ex()).await?;
    }
    let seeded = seeding.elapsed();

    let child = Child::start(dir, url, port).await?;
    let http = client(child.addr, std::slice::from_ref(&domain), concurrency)?;
    // Warm up both endpoints, then measure each for the same time at the same concurrency.
    let trivial = format!("http://{domain}/health");
    let home = format!("http://{domain}/api/v1/timelines/home?limit=20");
    load(&http, &trivial, &tokens, concurrency, Duration::from_secs(1)).await?;
    load(&http, &home, &tokens, concurrency, Duration::from_secs(1)).await?;
    let (tn, terr) = load(&http, &trivial, &tokens, concurrency, Duration::from_secs(seconds)).await?;
    let (hn, herr) = load(&http, &home, &tokens, concurrency, Duration::from_secs(seconds)).await?;
    let (trps, hrps) = (tn as f64 / seconds as f64, hn as f64 / seconds as f64);
    let dialect = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    println!(
        "herd bench timeline on {dialect}: {accounts} accounts following {follows} each, {posts} posts (seeded in {:.1} s)",
        seeded.as_secs_f64()
    );
    println!("{concurrency} concurrent connections, {seconds} s per endpoint");
    println!("{:<40} {:>10} {:>8}", "endpoint", "req/s", "errors");
    println!("{:<40} {:>10.0} {:>8}", "GET /health (trivial)", trps, terr);
    println!("{:<40} {:>10.0} {:>8}", "GET /api/v1/timelines/home?limit=20", hrps, herr);
    println!(
        "home timeline rate / trivial rate: {:.1}% (goal: at least 25%)",
        100.0 * hrps / trps.max(1.0)
    );
    // The entitlement check every request makes, alone, on the same machine once the server
    // is idle: its share of a home timeline request's work.
    let (checks, seen) = per_request_work(db.clone(), dir, t, ids[0], concurrency, Duration::from_secs(seconds.min(5))).await?;
    db.close().await;
    println!(
        "entitlement check (4 bookings): {checks:.0} checks/s; its share of a home timeline request: {:.2}% (goal: under 5%)",
        100.0 * hrps / checks.max(1.0)
    );
    println!(
        "activity recording (a user seen today): {seen:.0}/s; its share of a home timeline request: {:.2}%",
        100.0 * hrps / seen.max(1.0)
    );
    if terr + herr > 0 {
        bail!("{} requests failed", terr + herr);
    }
    Ok(())
}

/// The columns [`posts_of`] fills.
const STATUS_COLUMNS: &[&str] = &["id", "tenant_id", "account_id", "text", "content_html", "visibility", "created_at"];

/// `posts` public posts of instance `t` by `authors` in turn, spread over the past `posts`
/// seconds, oldest first.
fn posts_of(t: TenantId, authors: &[i64], posts: usize) -> Vec<Vec<V>> {
    let now = Timestamp::now();
    (0..posts)
        .map(|p| {
            let at = Timestamp(now.0 - ((posts - p) as i64) * 1000);
            let text = format!("Post number {p} of the benchmark, with a few words in it.");
            vec![
                V::I(Id::generate_at(at).0),
                V::I(t.0),
                V::I(authors[p % authors.len()]),
                V::S(text.clone()),
                V::S(format!("<p>{text}</p>")),
                V::S("public".into()),
                V::I(at.0),
            ]
        })
        .collect()
}

/// An `App` on the bench's database in this process (for work timed without a server).
fn in_process(db: Db, dir: &Path) -> anyhow::Result<herd_app::App> {
    Ok(herd_app::App::new(
        db,
        herd_app::FileStore::new(dir.join("media-bench")),
        herd_app::Settings {
            public_scheme: "http".into(),
            mail_configured: false,
            outbound: herd_federation::fetch::Guard::default(),
            seal: Arc::new(herd_app::seal::SealKey::new(&[0; 32])?),
            admin_domain: None,
        },
    )?)
}

/// What every request adds for the provider's side, alone, from `concurrency` tasks in an
/// in-process `App`: entitlement checks of instance `t` per second (cached, as requests make
/// them), and activity recordings of a user already seen today per second.
async fn per_request_work(db: Db, dir: &Path, t: TenantId, user: i64, concurrency: usize, dur: Duration) -> anyhow::Result<(f64, f64)> {
    let app = in_process(db, dir)?;
    let g = herd_app::entitlements::of(&app, t).await?;
    if !g.writable() || !g.has(herd_core::Service::Moderation) {
        bail!("the seeded instance is not entitled as booked");
    }
    herd_app::usage::record_activity(&app, t, user).await?;
    let mut rates = [0.0; 2];
    for (which, rate) in rates.iter_mut().enumerate() {
        let done = Arc::new(AtomicU64::new(0));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (app, done) = (app.clone(), done.clone());
            tasks.push(tokio::spawn(async move {
                while start.elapsed() < dur {
                    for _ in 0..64 {
                        let ok = if which == 0 {
                            herd_app::entitlements::of(&app, t).await.is_ok_and(|g| g.writable())
                        } else {
                            herd_app::usage::record_activity(&app, t, user).await.is_ok()
                        };
                        if ok {
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    tokio::task::yield_now().await;
                }
            }));
        }
        for task in tasks {
            task.await?;
        }
        *rate = done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64();
    }
    Ok((rates[0], rates[1]))
}

/// Sends requests from `concurrency` tasks for `dur`, each as a user in turn; counts successes
/// and failures (a home page must hold 20 posts to count).
async fn load(http: &reqwest::Client, url: &str, tokens: &[String], concurrency: usize, dur: Duration) -> anyhow::Result<(u64, u64)> {
    let ok = Arc::new(AtomicU64::new(0));
    let bad = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + dur;
    let tokens = Arc::new(tokens.to_vec());
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let (http, url, ok, bad, tokens) = (http.clone(), url.to_string(), ok.clone(), bad.clone(), tokens.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = w;
            while Instant::now() < deadline {
                let token = &tokens[i % tokens.len()];
                i += concurrency;
                let good = match http.get(&url).bearer_auth(token).send().await {
                    Ok(r) if r.status().is_success() => match r.bytes().await {
                        Ok(b) => !url.contains("timelines") || b.windows(13).filter(|w| w == b"\"favourited\":").count() == 20,
                        Err(_) => false,
                    },
                    _ => false,
                };
                if good { &ok } else { &bad }.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    Ok((ok.load(Ordering::Relaxed), bad.load(Ordering::Relaxed)))
}

/// Remote accounts `username@host` (one per host) with their inboxes and key; their ids.
async fn seed_remote(c: &mut Conn, t: TenantId, hosts: &[String], username: &str, public_pem: &str) -> anyhow::Result<Vec<i64>> {
    let now = Timestamp::now().0;
    let ids: Vec<i64> = hosts.iter().map(|_| Id::generate().0).collect();
    let (mut accounts, mut actors) = (Vec::new(), Vec::new());
    for (id, h) in ids.iter().zip(hosts) {
        let uri = format!("http://{h}/users/{username}");
        accounts.push(vec![
            V::I(*id),
            V::I(t.0),
            V::S(username.into()),
            V::S(username.into()),
            V::S(h.clone()),
            V::S(uri.clone()),
            V::I(now),
            V::I(now),
        ]);
        actors.push(vec![
            V::I(t.0),
            V::I(*id),
            V::S(format!("{uri}/inbox")),
            V::S(format!("http://{h}/inbox")),
            V::S(format!("{uri}#main-key")),
            V::S(public_pem.into()),
            V::I(now),
        ]);
    }
    let account_cols = [
        "id",
        "tenant_id",
        "username",
        "username_key",
        "domain",
        "uri",
        "created_at",
        "updated_at",
    ];
    bulk(c, "accounts", &account_cols, accounts).await?;
    let actor_cols = [
        "tenant_id",
        "account_id",
        "inbox_url",
        "shared_inbox_url",
        "key_id",
        "public_key_pem",
        "fetched_at",
    ];
    bulk(c, "remote_actors", &actor_cols, actors).await?;
    Ok(ids)
}

/// Follows, as (follower, followed) pairs.
async fn seed_follows(c: &mut Conn, t: TenantId, edges: &[(i64, i64)]) -> anyhow::Result<()> {
    let now = Timestamp::now().0;
    let rows = edges
        .iter()
        .map(|(a, b)| vec![V::I(Id::generate().0), V::I(t.0), V::I(*a), V::I(*b), V::I(now)])
        .collect();
    bulk(
        c,
        "follows",
        &["id", "tenant_id", "account_id", "target_account_id", "created_at"],
        rows,
    )
    .await
}

/// Many remote servers on one loopback port: each POST is answered 202 at once and the Host
/// it was for recorded; `all` is notified when `expect` different hosts have been seen.
async fn inboxes(expect: usize) -> anyhow::Result<(u16, Arc<std::sync::Mutex<HashSet<String>>>, Arc<tokio::sync::Notify>)> {
    let seen: Arc<std::sync::Mutex<HashSet<String>>> = Arc::default();
    let all = Arc::new(tokio::sync::Notify::new());
    let (record, done) = (seen.clone(), all.clone());
    let app = axum::Router::new().fallback(move |h: axum::http::HeaderMap| {
        let (record, done) = (record.clone(), done.clone());
        async move {
            if let Some(host) = h.get("host").and_then(|v| v.to_str().ok())
                && let Ok(mut s) = record.lock()
                && s.insert(host.to_string())
                && s.len() == expect
            {
                done.notify_one();
            }
            axum::http::StatusCode::ACCEPTED
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((port, seen, all))
}

async fn fanout(servers: usize, workers: Option<usize>) -> anyhow::Result<()> {
    if servers == 0 {
        bail!("--servers must be at least 1");
    }
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let workers = workers.unwrap_or(cores).max(1);
    let (rport, seen, all) = inboxes(servers).await?;
    let hosts: Vec<String> = (0..servers).map(|i| format!("srv{i}.bench.test:{rport}")).collect();

    let dir = tempfile::tempdir()?;
    let port = free_port()?;
    let domain = format!("org.bench.test:{port}");
    let url = format!("sqlite://{}", dir.path().join("herd.db").display());
    let db = Db::connect(&url, 2).await?;
    db.migrate().await?;
    let hash = herd_app::auth::password::hash(secret::generate()).await?;
    let mut tx = db.begin().await?;
    let (t, ids, tokens) = seed_instance(&mut tx, &domain, 1, &hash).await?;
    let followers = seed_remote(&mut tx, t, &hosts, "follower", "unused").await?;
    let edges = followers.iter().map(|f| (*f, ids[0])).collect::<Vec<_>>();
    seed_follows(&mut tx, t, &edges).await?;
    tx.commit().await?;
    db.close().await;

    let resolve = hosts.iter().map(|h| format!("{h}=127.0.0.1:{rport}")).collect::<Vec<_>>().join(",");
    let env = [
        ("HERD_RESOLVE", resolve),
        ("HERD_ALLOW_PRIVATE_ADDRESSES", "true".to_string()),
        ("HERD_WORKERS", workers.to_string()),
    ];
    let child = Child::start_with(dir.path(), &url, port, &env).await?;
    let http = client(child.addr, std::slice::from_ref(&domain), 2)?;
    // The author's key is made on first need: make it before the clock starts.
    let actor = http
        .get(format!("http://{domain}/users/user0"))
        .header("accept", "application/activity+json")
        .send()
        .await?;
    if !actor.status().is_success() {
        bail!("the author's actor document answered {}", actor.status());
    }

    let started = Instant::now();
    let posted = http
        .post(format!("http://{domain}/api/v1/statuses"))
        .bearer_auth(&tokens[0])
        .json(&serde_json::json!({"status": "One post, a thousand servers. #bench"}))
        .send()
        .await?;
    if !posted.status().is_success() {
        bail!("posting answered {}", posted.status());
    }
    if tokio::time::timeout(Duration::from_secs(600), all.notified()).await.is_err() {
        bail!(
            "only {} of {servers} servers got the post within 10 minutes",
            seen.lock().map(|s| s.len()).unwrap_or(0)
        );
    }
    let fanned = started.elapsed();
    drop(child);

    // The floor: signing the same requests (same key size, a body of the same size), alone.
    let key = herd_federation::keys::generate()?;
    let body = vec![b'x'; 1500];
    let signing = Instant::now();
    for h in &hosts {
        herd_federation::signatures::sign(
            "POST",
            "/inbox",
            h,
            Some(&body),
            "http://org.bench.test/users/user0#main-key",
            &key.private,
            std::time::SystemTime::now(),
        )?;
    }
    let signed = signing.elapsed();
    println!("herd bench fanout on SQLite: one post by an account followed from {servers} servers, {workers} job workers");
    println!("{:<52} {:>10}", "measure", "seconds");
    println!("{:<52} {:>10.3}", "post created until every server has it", fanned.as_secs_f64());
    println!(
        "{:<52} {:>10.3}",
        format!("signing the same {servers} requests alone (1 thread)"),
        signed.as_secs_f64()
    );
    println!(
        "fan-out time / signing floor: {:.2}x (goal: within 3x)",
        fanned.as_secs_f64() / signed.as_secs_f64().max(1e-9)
    );
    Ok(())
}

async fn ingest(activities: usize, concurrency: usize, rules: usize) -> anyhow::Result<()> {
    if activities == 0 || concurrency == 0 {
        bail!("--activities and --concurrency must be at least 1");
    }
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let dir = tempfile::tempdir()?;
    let port = free_port()?;
    let domain = format!("org.bench.test:{port}");
    let remote = "remote.bench.test";
    let actor_uri = format!("http://{remote}/users/alice");
    let key_id = format!("{actor_uri}#main-key");
    let key = herd_federation::keys::generate()?;

    // bob (local) follows alice (remote), so her posts are kept.
    let url = format!("sqlite://{}", dir.path().join("herd.db").display());
    let db = Db::connect(&url, 2).await?;
    db.migrate().await?;
    let hash = herd_app::auth::password::hash(secret::generate()).await?;
    let mut tx = db.begin().await?;
    let (t, ids, _) = seed_instance(&mut tx, &domain, 1, &hash).await?;
    let alice = seed_remote(&mut tx, t, &[remote.to_string()], "alice", &key.public).await?[0];
    seed_follows(&mut tx, t, &[(ids[0], alice)]).await?;
    let rule_rows: Vec<Vec<V>> = (0..rules)
        .map(|i| {
            let (kind, pattern) = if i % 2 == 0 {
                ("keyword", format!("neverword{i}"))
            } else {
                ("regex", format!(r"never\s+phrase\s+{i}"))
            };
            vec![
                V::I(Id::generate().0),
                V::I(t.0),
                V::S(kind.into()),
                V::S(pattern),
                V::S("hide".into()),
                V::I(0),
            ]
        })
        .collect();
    bulk(
        &mut tx,
        "automod_rules",
        &["id", "tenant_id", "kind", "pattern", "action", "created_at"],
        rule_rows,
    )
    .await?;
    tx.commit().await?;

    // The activities, signed before the clock starts (signing is the sender's cost), on
    // every core: RSA signing is slow, and none of it is measured.
    let signed: Vec<Signed> = {
        let (actor_uri, key_id, domain, private) = (&actor_uri, &key_id, &domain, &key.private);
        let chunk = activities.div_ceil(cores);
        let parts: Vec<anyhow::Result<Vec<_>>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..cores)
                .map(|c| {
                    s.spawn(move || {
                        (c * chunk..((c + 1) * chunk).min(activities))
                            .map(|i| create_activity(i, actor_uri, key_id, domain, private))
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(anyhow::anyhow!("a signing thread panicked"))))
                .collect()
        });
        let mut all = Vec::with_capacity(activities);
        for p in parts {
            all.extend(p?);
        }
        all
    };

    // Checking the same signatures alone: parse, digest, date, RSA verification. Measured
    // before and after the ingest, and the two averaged: the machine's speed drifts during a
    // run, and this puts both measures under the same drift.
    let check_before = check_all(&signed, &domain, &key.public)?;

    let env = [("HERD_WORKERS", cores.to_string())];
    let child = Child::start_with(dir.path(), &url, port, &env).await?;
    // The requests are built before the clock starts too, and sent with hyper on kept-alive
    // HTTP/1.1 connections: the load generator shares the machine with the server, and the
    // less of it it takes, the closer the figure is to what the server does with its own.
    let mut requests = Vec::with_capacity(activities);
    for (body, headers) in &signed {
        let mut rb = hyper::Request::post("/inbox")
            .header("host", &domain)
            .header("content-type", "application/activity+json");
        for (k, v) in headers {
            rb = rb.header(k, v);
        }
        requests.push(rb.body(http_body_util::Full::new(bytes::Bytes::from(body.clone())))?);
    }
    let requests = Arc::new(std::sync::Mutex::new(requests));
    let refused = Arc::new(AtomicU64::new(0));
    let mut connections = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let stream = tokio::net::TcpStream::connect(child.addr).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        connections.push(sender);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for mut sender in connections {
        let (requests, refused) = (requests.clone(), refused.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let next = requests.lock().ok().and_then(|mut r| r.pop());
                let Some(request) = next else { break };
                let answered = match sender.send_request(request).await {
                    Ok(r) => {
                        let ok = r.status().as_u16() == 202;
                        // The body is read to its end, so the connection can carry the next.
                        ok && http_body_util::BodyExt::collect(r.into_body()).await.is_ok()
                    }
                    Err(_) => false,
                };
                if !answered {
                    refused.fetch_add(1, Ordering::Relaxed);
                    break;
                }
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    // Requests left unsent (every connection failed) count as refused, so the wait below ends.
    let unsent = requests.lock().map(|r| r.len()).unwrap_or(0);
    refused.fetch_add(unsent as u64, Ordering::Relaxed);
    let accepted_in = started.elapsed();
    // Until every post is stored (the inbox's jobs have run).
    loop {
        let mut c = db.conn().await?;
        let stored: i64 = c
            .qs("SELECT COUNT(*) FROM statuses WHERE tenant_id = ? AND account_id = ?")
            .bind(t.0)
            .bind(alice)
            .fetch_one(c.ex())
            .await?;
        drop(c);
        // A refused activity is never stored; the run fails below once the rest are.
        if stored as usize + refused.load(Ordering::Relaxed) as usize >= activities {
            break;
        }
        if started.elapsed() > Duration::from_secs(600) {
            bail!("only {stored} of {activities} posts stored within 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stored_in = started.elapsed();
    drop(child);
    db.close().await;
    let check_after = check_all(&signed, &domain, &key.public)?;
    let bad = refused.load(Ordering::Relaxed);
    if bad > 0 {
        bail!("{bad} activities were refused");
    }
    let (before, after) = (
        activities as f64 / check_before.as_secs_f64(),
        activities as f64 / check_after.as_secs_f64(),
    );
    let check_rate = (before + after) / 2.0;
    let (accept_rate, ingest_rate) = (
        activities as f64 / accepted_in.as_secs_f64(),
        activities as f64 / stored_in.as_secs_f64(),
    );
    println!(
        "herd bench ingest on SQLite: {activities} signed Create activities, {concurrency} concurrent connections, {cores} job workers, {rules} auto-moderation rules"
    );
    println!("{:<52} {:>10}", "measure", "per second");
    println!("{:<52} {:>10.0}", "signatures checked alone (1 thread), before", before);
    println!("{:<52} {:>10.0}", "signatures checked alone (1 thread), after", after);
    println!("{:<52} {:>10.0}", "signatures checked alone (1 thread), mean", check_rate);
    println!("{:<52} {:>10.0}", "activities accepted at the inbox (202)", accept_rate);
    println!("{:<52} {:>10.0}", "activities accepted and stored as posts", ingest_rate);
    println!(
        "ingest rate / signature-check rate: {:.1}% (goal: at least 30%)",
        100.0 * ingest_rate / check_rate
    );
    Ok(())
}

/// A signed activity: its body and its signature headers.
type Signed = (Vec<u8>, Vec<(String, String)>);

/// Activity `i` of the ingest bench, and its signature headers.
fn create_activity(i: usize, actor_uri: &str, key_id: &str, domain: &str, private: &str) -> anyhow::Result<Signed> {
    let note = format!("{actor_uri}/statuses/{i}");
    let body = serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{note}/activity"), "type": "Create", "actor": actor_uri,
        "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [format!("{actor_uri}/followers")],
        "object": {
            "id": note, "type": "Note", "attributedTo": actor_uri, "content": format!("<p>Post {i} from far away</p>"),
            "published": Timestamp::now().to_rfc3339(),
            "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [format!("{actor_uri}/followers")],
        },
    })
    .to_string()
    .into_bytes();
    let headers = herd_federation::signatures::sign("POST", "/inbox", domain, Some(&body), key_id, private, std::time::SystemTime::now())?;
    Ok((body, headers.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

/// The time to check every signature alone, on one thread.
fn check_all(signed: &[Signed], domain: &str, public: &str) -> anyhow::Result<Duration> {
    let started = Instant::now();
    for (body, headers) in signed {
        let mut h = headers.clone();
        h.push(("host".into(), domain.to_string()));
        let p = herd_federation::signatures::check("POST", "/inbox", &h, Some(body), std::time::SystemTime::now())?;
        if !p.verify(public) {
            bail!("a signature did not verify");
        }
    }
    Ok(started.elapsed())
}

/// One streaming client: connects, then records when each bench post reaches it.
async fn listener(
    addr: SocketAddr,
    domain: String,
    token: String,
    sent: Arc<Vec<std::sync::OnceLock<Instant>>>,
    latencies: Arc<std::sync::Mutex<Vec<Duration>>>,
    connected: Arc<AtomicU64>,
) -> anyhow::Result<()> {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = format!("ws://{domain}/api/v1/streaming?stream=user&access_token={token}").into_client_request()?;
    req.headers_mut().insert("host", domain.parse()?);
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let (mut ws, _) = tokio_tungstenite::client_async(req, tcp).await?;
    connected.fetch_add(1, Ordering::Relaxed);
    while let Some(m) = ws.next().await {
        let Message::Text(text) = m? else { continue };
        let arrived = Instant::now();
        // The post's number is in its text: "bench-post-<n>-end".
        let Some(n) = text
            .split("bench-post-")
            .nth(1)
            .and_then(|r| r.split("-end").next())
            .and_then(|n| n.parse::<usize>().ok())
        else {
            continue;
        };
        if let Some(t0) = sent.get(n).and_then(|s| s.get())
            && let Ok(mut l) = latencies.lock()
        {
            l.push(arrived - *t0);
        }
    }
    Ok(())
}

async fn streaming(clients: usize, accounts: usize, posts: usize) -> anyhow::Result<()> {
    if clients == 0 || accounts == 0 || posts == 0 {
        bail!("--clients, --accounts and --posts must be at least 1");
    }
    let dir = tempfile::tempdir()?;
    let port = free_port()?;
    let domain = format!("org.bench.test:{port}");
    let url = format!("sqlite://{}", dir.path().join("herd.db").display());
    let db = Db::connect(&url, 2).await?;
    db.migrate().await?;
    let hash = herd_app::auth::password::hash(secret::generate()).await?;
    let mut tx = db.begin().await?;
    // user0 posts; user1..=accounts listen, each following user0.
    let (t, ids, tokens) = seed_instance(&mut tx, &domain, accounts + 1, &hash).await?;
    let edges: Vec<(i64, i64)> = ids[1..].iter().map(|f| (*f, ids[0])).collect();
    seed_follows(&mut tx, t, &edges).await?;
    tx.commit().await?;
    db.close().await;

    let child = Child::start(dir.path(), &url, port).await?;
    let http = client(child.addr, std::slice::from_ref(&domain), 8)?;
    let post = |text: String| {
        let (http, domain, token) = (http.clone(), domain.clone(), tokens[0].clone());
        async move {
            let r = http
                .post(format!("http://{domain}/api/v1/statuses"))
                .bearer_auth(token)
                .json(&serde_json::json!({"status": text}))
                .send()
                .await?;
            if !r.status().is_success() {
                bail!("posting answered {}", r.status());
            }
            anyhow::Ok(())
        }
    };
    // Warm up the paths once, so the memory measured is the connections'.
    post("warm-up".into()).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = child.rss_kib()?;

    let sent: Arc<Vec<std::sync::OnceLock<Instant>>> = Arc::new((0..posts).map(|_| std::sync::OnceLock::new()).collect());
    let latencies = Arc::new(std::sync::Mutex::new(Vec::with_capacity(clients * posts)));
    let connected = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(clients);
    for i in 0..clients {
        let token = tokens[1 + i % accounts].clone();
        tasks.push(tokio::spawn(listener(
            child.addr,
            domain.clone(),
            token,
            sent.clone(),
            latencies.clone(),
            connected.clone(),
        )));
        if i % 200 == 199 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while (connected.load(Ordering::Relaxed) as usize) < clients {
        if Instant::now() > deadline {
            bail!("only {} of {clients} clients connected", connected.load(Ordering::Relaxed));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = child.rss_kib()?;

    for n in 0..posts {
        let _ = sent[n].set(Instant::now());
        post(format!("bench-post-{n}-end")).await?;
        let want = clients * (n + 1);
        let until = Instant::now() + Duration::from_secs(10);
        while latencies.lock().map(|l| l.len()).unwrap_or(0) < want && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for t in &tasks {
        t.abort();
    }
    drop(child);
    let mut l = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    l.sort_unstable();
    let delivered = l.len();
    let pct = |p: f64| {
        l.get(((l.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or_default()
    };
    let per_conn = (after.saturating_sub(before)) as f64 / clients as f64;
    println!("herd bench streaming on SQLite: {clients} idle WebSocket clients (user stream, {accounts} accounts), {posts} posts");
    println!("{:<52} {:>12}", "measure", "value");
    println!("{:<52} {:>9} KiB", "server memory before the clients", before);
    println!("{:<52} {:>9} KiB", "server memory with the clients connected", after);
    println!("{:<52} {:>9.1} KiB (goal: under 20)", "memory per idle connection", per_conn);
    println!(
        "{:<52} {:>12}",
        "messages delivered (clients x posts)",
        format!("{delivered}/{}", clients * posts)
    );
    println!("{:<52} {:>9.1} ms", "delivery time, median", pct(0.50).as_secs_f64() * 1000.0);
    println!(
        "{:<52} {:>9.1} ms (goal: under 200)",
        "delivery time, p99",
        pct(0.99).as_secs_f64() * 1000.0
    );
    println!(
        "{:<52} {:>9.1} ms",
        "delivery time, slowest",
        l.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
    if delivered < clients * posts {
        bail!("{} messages were not delivered within 10 s", clients * posts - delivered);
    }
    Ok(())
}
