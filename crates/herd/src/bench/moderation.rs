//! `herd bench moderation`: an instance's report queue and admin account search beside a
//! trivial endpoint, on a server holding many instances with many open reports; and
//! `herd bench blocklist`: a blocklist subscription's first sync and re-syncs (unchanged, and
//! with a few changes), timed side by side.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use herd_core::{Id, Timestamp, secret};
use herd_store::Db;

use super::{Child, V, bulk, client, free_port, load, seed_instance};

const ADMIN_SCOPES: &str = "read write follow admin:read admin:write";

pub(super) async fn moderation(instances: usize, reports: usize, accounts: usize, concurrency: usize, seconds: u64) -> anyhow::Result<()> {
    if instances == 0 || accounts < 2 {
        bail!("--instances must be at least 1 and --accounts at least 2");
    }
    let dir = tempfile::tempdir()?;
    let port = free_port()?;
    let url = format!("sqlite://{}", dir.path().join("herd.db").display());
    let db = Db::connect(&url, 2).await?;
    db.migrate().await?;
    let seeding = Instant::now();
    let hash = herd_app::auth::password::hash(secret::generate()).await?;
    let per = reports / instances;
    let now = Timestamp::now().0;
    let mut measured = None;
    for i in 0..instances {
        let domain = format!("org{i}.bench.test:{port}");
        let mut tx = db.begin().await?;
        let (t, ids, tokens) = seed_instance(&mut tx, &domain, accounts, &hash).await?;
        let rows: Vec<Vec<V>> = (0..per)
            .map(|r| {
                let at = now - ((per - r) as i64) * 1000;
                vec![
                    V::I(Id::generate_at(Timestamp(at)).0),
                    V::I(t.0),
                    V::I(ids[1 + r % (ids.len() - 1)]),
                    V::I(ids[1 + (r * 7 + 3) % (ids.len() - 1)]),
                    V::S(format!("report {r}: this account posts spam")),
                    V::S("spam".into()),
                    V::I(at),
                    V::I(at),
                ]
            })
            .collect();
        bulk(
            &mut tx,
            "reports",
            &[
                "id",
                "tenant_id",
                "account_id",
                "target_account_id",
                "comment",
                "category",
                "created_at",
                "updated_at",
            ],
            rows,
        )
        .await?;
        if i == 0 {
            // The first account of the first instance is its admin, with an admin token.
            tx.q("UPDATE users SET role = 'admin' WHERE tenant_id = ? AND account_id = ?")
                .bind(t.0)
                .bind(ids[0])
                .execute(tx.ex())
                .await?;
            tx.q("UPDATE oauth_tokens SET scopes = ? WHERE tenant_id = ? AND account_id = ?")
                .bind(ADMIN_SCOPES)
                .bind(t.0)
                .bind(ids[0])
                .execute(tx.ex())
                .await?;
            measured = Some((domain, tokens[0].clone()));
        }
        tx.commit().await?;
    }
    db.close().await;
    let seeded = seeding.elapsed();
    let (domain, token) = measured.context("no instance")?;
    let child = Child::start(dir.path(), &url, port).await?;
    let http = client(child.addr, std::slice::from_ref(&domain), concurrency)?;
    let tokens = [token];
    let endpoints = [
        ("GET /health (trivial)", format!("http://{domain}/health")),
        (
            "GET /api/v1/admin/reports?limit=20",
            format!("http://{domain}/api/v1/admin/reports?limit=20"),
        ),
        (
            "GET /api/v2/admin/accounts?username=user1&limit=20",
            format!("http://{domain}/api/v2/admin/accounts?username=user1&limit=20"),
        ),
    ];
    for (_, u) in &endpoints {
        load(&http, u, &tokens, concurrency, Duration::from_secs(1)).await?;
    }
    let mut rates = Vec::new();
    let mut errors = 0;
    for (_, u) in &endpoints {
        let (n, e) = load(&http, u, &tokens, concurrency, Duration::from_secs(seconds)).await?;
        rates.push(n as f64 / seconds as f64);
        errors += e;
    }
    println!(
        "herd bench moderation on SQLite: {instances} instances, {} open reports in all ({per} each), {accounts} accounts each (seeded in {:.1} s)",
        per * instances,
        seeded.as_secs_f64()
    );
    println!("{concurrency} concurrent connections, {seconds} s per endpoint");
    println!("{:<52} {:>10}", "endpoint", "req/s");
    for ((name, _), r) in endpoints.iter().zip(&rates) {
        println!("{name:<52} {r:>10.0}");
    }
    println!(
        "report list / trivial: {:.1}%, account search / trivial: {:.1}% (goal: at least 20% each)",
        100.0 * rates[1] / rates[0].max(1.0),
        100.0 * rates[2] / rates[0].max(1.0)
    );
    if errors > 0 {
        bail!("{errors} requests failed");
    }
    Ok(())
}

pub(super) async fn blocklist(domains: usize, changes: usize) -> anyhow::Result<()> {
    if domains == 0 || changes > domains {
        bail!("--domains must be at least 1 and --changes at most --domains");
    }
    // The list, served on loopback; its text changes between syncs.
    let list = |changed: usize| {
        let mut s = String::from("#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n");
        for i in 0..domains {
            let severity = if i < changed { "silence" } else { "suspend" };
            s.push_str(&format!("spam{i}.example,{severity},false,false,listed,false\n"));
        }
        s
    };
    let body = Arc::new(std::sync::Mutex::new(list(0)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let list_addr = listener.local_addr()?;
    let served = body.clone();
    let app = axum::Router::new().route(
        "/list.csv",
        axum::routing::get(move || {
            let b = served.clone();
            async move { b.lock().map(|b| b.clone()).unwrap_or_default() }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let dir = tempfile::tempdir()?;
    let port = free_port()?;
    let domain = format!("org.bench.test:{port}");
    let url = format!("sqlite://{}", dir.path().join("herd.db").display());
    let db = Db::connect(&url, 2).await?;
    db.migrate().await?;
    let hash = herd_app::auth::password::hash(secret::generate()).await?;
    let mut tx = db.begin().await?;
    let (t, ids, tokens) = seed_instance(&mut tx, &domain, 1, &hash).await?;
    tx.q("UPDATE users SET role = 'admin' WHERE tenant_id = ? AND account_id = ?")
        .bind(t.0)
        .bind(ids[0])
        .execute(tx.ex())
        .await?;
    tx.q("UPDATE oauth_tokens SET scopes = ? WHERE tenant_id = ?")
        .bind(ADMIN_SCOPES)
        .bind(t.0)
        .execute(tx.ex())
        .await?;
    // The subscription, written here rather than through the API, so no sync job races the
    // ones measured below.
    let sub = Id::generate().0;
    tx.q("INSERT INTO blocklist_subscriptions (id, tenant_id, url, format, every_ms, created_at) VALUES (?, ?, ?, 'csv', ?, ?)")
        .bind(sub)
        .bind(t.0)
        .bind(format!("http://{list_addr}/list.csv"))
        .bind(86_400_000i64)
        .bind(Timestamp::now().0)
        .execute(tx.ex())
        .await?;
    tx.commit().await?;
    db.close().await;

    let child = Child::start_with(dir.path(), &url, port, &[("HERD_ALLOW_PRIVATE_ADDRESSES", "true".into())]).await?;
    let http = client(child.addr, std::slice::from_ref(&domain), 1)?;
    let token = &tokens[0];
    let id = sub.to_string();
    let sync = |label: &'static str| {
        let (http, id, domain, token) = (http.clone(), id.clone(), domain.clone(), token.clone());
        async move {
            let started = Instant::now();
            let r: serde_json::Value = http
                .post(format!("http://{domain}/api/v1/admin/blocklist_subscriptions/{id}/sync"))
                .bearer_auth(&token)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            anyhow::Ok((label, started.elapsed(), r))
        }
    };
    let (_, first_took, first_r) = sync("first sync").await?;
    let first = (first_took, first_r);
    let unchanged = sync("re-sync, unchanged").await?;
    *body.lock().map_err(|_| anyhow::anyhow!("lock"))? = list(changes);
    let changed = sync("re-sync, changed").await?;
    println!("herd bench blocklist on SQLite: a {domains}-domain CSV list, then {changes} entries changed");
    println!("{:<34} {:>10} {:>8} {:>8} {:>8}", "sync", "ms", "added", "changed", "removed");
    let row = |label: &str, took: Duration, r: &serde_json::Value| {
        println!(
            "{label:<34} {:>10.0} {:>8} {:>8} {:>8}",
            took.as_secs_f64() * 1000.0,
            r["added"].as_u64().unwrap_or(0),
            r["changed"].as_u64().unwrap_or(0),
            r["removed"].as_u64().unwrap_or(0)
        );
    };
    row("first sync (whole list)", first.0, &first.1);
    row(unchanged.0, unchanged.1, &unchanged.2);
    row(changed.0, changed.1, &changed.2);
    println!(
        "unchanged re-sync / first sync: {:.1}%; changed re-sync / first sync: {:.1}% (goal: first sync under 5 s, re-syncs O(changes))",
        100.0 * unchanged.1.as_secs_f64() / first.0.as_secs_f64().max(1e-9),
        100.0 * changed.1.as_secs_f64() / first.0.as_secs_f64().max(1e-9)
    );
    Ok(())
}
