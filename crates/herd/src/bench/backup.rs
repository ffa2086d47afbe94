//! `herd bench backup`: one instance with many posts backed up while another instance of the
//! same server is under load, then the backup verified and restored; the other instance's
//! request rate during the backup beside its rate just before, in the same run.

use std::time::{Duration, Instant};

use anyhow::bail;
use herd_core::secret;
use herd_store::Db;

use super::{Child, STATUS_COLUMNS, bulk, client, drop_scratch, free_port, in_process, load, posts_of, scratch_database, seed_instance};

pub(super) async fn backup(postgres: Option<String>, accounts: usize, posts: usize, concurrency: usize) -> anyhow::Result<()> {
    if accounts == 0 || posts == 0 {
        bail!("--accounts and --posts must be at least 1");
    }
    let dir = tempfile::tempdir()?;
    let (url, drop_db) = scratch_database(postgres.as_deref(), dir.path()).await?;
    let result = run(&url, dir.path(), accounts, posts, concurrency).await;
    drop_scratch(drop_db).await;
    result
}

async fn run(url: &str, dir: &std::path::Path, accounts: usize, posts: usize, concurrency: usize) -> anyhow::Result<()> {
    let port = free_port()?;
    let big = format!("big.bench.test:{port}");
    let other = format!("other.bench.test:{port}");
    let db = Db::connect(url, 4).await?;
    db.migrate().await?;
    let seeding = Instant::now();
    let hash = herd_app::auth::password::hash(secret::generate()).await?;
    let mut tx = db.begin().await?;
    let (t, ids, _) = seed_instance(&mut tx, &big, accounts, &hash).await?;
    bulk(&mut tx, "statuses", STATUS_COLUMNS, posts_of(t, &ids, posts)).await?;
    let (o, others, tokens) = seed_instance(&mut tx, &other, 100, &hash).await?;
    bulk(&mut tx, "statuses", STATUS_COLUMNS, posts_of(o, &others, 400)).await?;
    tx.commit().await?;
    if db.dialect() == herd_store::Dialect::Postgres {
        let mut c = db.conn().await?;
        c.q("ANALYZE").execute(c.ex()).await?;
    }
    let seeded = seeding.elapsed();

    let child = Child::start(dir, url, port).await?;
    let http = client(child.addr, std::slice::from_ref(&other), concurrency)?;
    let timeline = format!("http://{other}/api/v1/timelines/public?local=true&limit=20");
    load(&http, &timeline, &tokens, concurrency, Duration::from_secs(1)).await?;
    let app = in_process(db.clone(), dir)?;
    let cfg = herd_backup::BackupConfig {
        dir: dir.join("backups"),
        recipient: None,
        identity: dir.join("backup-identity.txt"),
    };
    cfg.recipient()?;
    let tenant = herd_app::tenants::by_domain(&app, &big).await?;

    // The other instance's rate alone, then while the backup runs (in slices of a second,
    // until it is done), at the same concurrency.
    let (base_n, base_err) = load(&http, &timeline, &tokens, concurrency, Duration::from_secs(5)).await?;
    let base_rate = base_n as f64 / 5.0;
    let started = Instant::now();
    let job = {
        let (app, cfg, tenant) = (app.clone(), cfg.clone(), tenant.clone());
        tokio::spawn(async move { herd_backup::run::run(&app, &cfg, &tenant, &herd_app::Actor::Operator).await })
    };
    let (mut during_n, mut during_err) = (0, 0);
    while !job.is_finished() {
        let (n, e) = load(&http, &timeline, &tokens, concurrency, Duration::from_secs(1)).await?;
        during_n += n;
        during_err += e;
    }
    let loaded = started.elapsed();
    let row = job.await??;
    let backup_time = Duration::from_millis((row.finished_at.unwrap_or(row.started_at) - row.started_at).max(0) as u64);
    let during_rate = during_n as f64 / loaded.as_secs_f64();

    let verifying = Instant::now();
    let verified = herd_backup::verify::verify(&app, &cfg, url, &tenant, row.id, &herd_app::Actor::Operator).await?;
    let verify_time = verifying.elapsed();
    if !verified.passed {
        bail!("the backup failed its verification: {}", verified.detail);
    }
    let restoring = Instant::now();
    let identity = cfg.identity()?;
    let restored = herd_backup::restore::restore(
        &app,
        &tenant,
        std::path::Path::new(&row.location),
        identity,
        &herd_app::Actor::Operator,
    )
    .await?;
    let restore_time = restoring.elapsed();
    drop(child);
    db.close().await;

    let dialect = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    println!(
        "herd bench backup on {dialect}: an instance with {accounts} accounts and {posts} posts (seeded in {:.1} s), beside an instance under load ({concurrency} connections)",
        seeded.as_secs_f64()
    );
    println!(
        "{:<52} {:>12}",
        "backup written (rows, media, encrypted)",
        format!("{:.1} s", backup_time.as_secs_f64())
    );
    println!(
        "{:<52} {:>12}",
        "verified (restored in a scratch database, compared)",
        format!("{:.1} s", verify_time.as_secs_f64())
    );
    println!(
        "{:<52} {:>12}",
        "restored in place (3 s drain included)",
        format!("{:.1} s", restore_time.as_secs_f64())
    );
    println!(
        "{:<52} {:>12}",
        "archive size",
        format!("{} bytes, {:.1} per post", row.size_bytes, row.size_bytes as f64 / posts as f64)
    );
    println!("{:<52} {:>12}", "rows in the archive", restored.rows);
    println!("{:<52} {:>12.0}", "other instance, req/s without a backup", base_rate);
    println!("{:<52} {:>12.0}", "other instance, req/s during the backup", during_rate);
    println!(
        "rate during the backup / rate without: {:.1}% (goal: at least 80%); restore {} 10 minutes (goal: under)",
        100.0 * during_rate / base_rate.max(1.0),
        if restore_time < Duration::from_secs(600) { "under" } else { "over" }
    );
    if base_err + during_err > 0 {
        bail!("{} requests to the other instance failed", base_err + during_err);
    }
    Ok(())
}
