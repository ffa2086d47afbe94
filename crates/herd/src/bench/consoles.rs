//! `herd bench consoles`: the provider console's organization list and an organization's
//! usage page with many organizations and instances (latency percentiles beside the console's
//! trivial stylesheet route, same server, same run), and the usage roll-up of one day for
//! every instance.

use std::time::{Duration, Instant};

use anyhow::bail;
use herd_core::{Id, Timestamp, secret};
use herd_store::Db;

use super::{Child, V, bulk, client, free_port};

const DAY_MS: i64 = 86_400_000;

/// Latencies of `n` requests to `url` one after another (the console is a person's page,
/// not a crowd's), sorted.
async fn latencies(http: &reqwest::Client, urls: &[String], cookie: &str, n: usize) -> anyhow::Result<Vec<Duration>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let url = &urls[i % urls.len()];
        let t = Instant::now();
        let r = http.get(url).header("cookie", cookie).send().await?;
        let ok = r.status().is_success();
        let body = r.bytes().await?;
        if !ok || body.is_empty() {
            bail!("{url} failed");
        }
        out.push(t.elapsed());
    }
    out.sort();
    Ok(out)
}

fn pct(l: &[Duration], p: f64) -> f64 {
    let i = ((l.len() as f64 * p).ceil() as usize).clamp(1, l.len()) - 1;
    l[i].as_secs_f64() * 1000.0
}

pub(super) async fn consoles(organizations: usize, instances: usize, days: usize, requests: usize) -> anyhow::Result<()> {
    if organizations == 0 || instances < organizations {
        bail!("--organizations must be at least 1 and --instances at least as many");
    }
    let dir = tempfile::tempdir()?;
    let port = free_port()?;
    let url = format!("sqlite://{}", dir.path().join("herd.db").display());
    let db = Db::connect(&url, 2).await?;
    db.migrate().await?;
    let seeding = Instant::now();
    let now = Timestamp::now().0;
    let today = now.div_euclid(DAY_MS);
    let orgs: Vec<i64> = (0..organizations).map(|_| Id::generate().0).collect();
    let mut tx = db.begin().await?;
    bulk(
        &mut tx,
        "organizations",
        &["id", "slug", "name", "created_at", "updated_at"],
        orgs.iter()
            .enumerate()
            .map(|(i, id)| {
                vec![
                    V::I(*id),
                    V::S(format!("org-{i:05}")),
                    V::S(format!("Organization {i:05}")),
                    V::I(now),
                    V::I(now),
                ]
            })
            .collect(),
    )
    .await?;
    let tenants: Vec<(i64, i64)> = (0..instances).map(|i| (Id::generate().0, orgs[i % orgs.len()])).collect();
    bulk(
        &mut tx,
        "tenants",
        &["id", "organization_id", "domain", "title", "created_at", "updated_at"],
        tenants
            .iter()
            .enumerate()
            .map(|(i, (id, org))| {
                vec![
                    V::I(*id),
                    V::I(*org),
                    V::S(format!("i{i}.bench.test")),
                    V::S(format!("Instance {i}")),
                    V::I(now),
                    V::I(now),
                ]
            })
            .collect(),
    )
    .await?;
    bulk(
        &mut tx,
        "bookings",
        &[
            "id",
            "organization_id",
            "tenant_id",
            "service",
            "terms",
            "starts_at",
            "created_at",
            "updated_at",
        ],
        tenants
            .iter()
            .map(|(id, org)| {
                vec![
                    V::I(*id),
                    V::I(*org),
                    V::I(*id),
                    V::S("hosting".into()),
                    V::S("{}".into()),
                    V::I(now),
                    V::I(now),
                    V::I(now),
                ]
            })
            .collect(),
    )
    .await?;
    // Three local accounts and ten posts per instance, for the roll-up to count.
    let mut accounts = Vec::new();
    let mut posts = Vec::new();
    for (t, _) in &tenants {
        for a in 0..3 {
            let id = Id::generate().0;
            accounts.push(vec![
                V::I(id),
                V::I(*t),
                V::S(format!("user{a}")),
                V::S(format!("user{a}")),
                V::I(now),
                V::I(now),
            ]);
            for p in 0..3 + a {
                posts.push(vec![
                    V::I(Id::generate().0),
                    V::I(*t),
                    V::I(id),
                    V::S(format!("post {p}")),
                    V::S("public".into()),
                    V::I(now),
                ]);
            }
        }
    }
    bulk(
        &mut tx,
        "accounts",
        &["id", "tenant_id", "username", "username_key", "created_at", "updated_at"],
        accounts,
    )
    .await?;
    bulk(
        &mut tx,
        "statuses",
        &["id", "tenant_id", "account_id", "text", "visibility", "created_at"],
        posts,
    )
    .await?;
    // The month so far: a daily row per instance.
    let mut daily = Vec::new();
    for (t, _) in &tenants {
        for d in 0..days as i64 {
            daily.push(vec![
                V::I(*t),
                V::I(today - d),
                V::I(2 + d % 3),
                V::I(3),
                V::I(10 + d),
                V::I(1_000_000),
                V::I(0),
                V::I(40),
                V::I(1),
                V::I(35),
            ]);
        }
    }
    bulk(
        &mut tx,
        "usage_daily",
        &[
            "tenant_id",
            "day",
            "active_users",
            "accounts",
            "posts",
            "media_bytes",
            "remote_media_bytes",
            "deliveries",
            "delivery_failures",
            "inbox_activities",
        ],
        daily,
    )
    .await?;
    // An operator with a signed-in session.
    let staff = Id::generate().0;
    bulk(
        &mut tx,
        "staff",
        &[
            "id",
            "email",
            "name",
            "role",
            "password_hash",
            "totp_enabled_at",
            "created_at",
            "updated_at",
        ],
        vec![vec![
            V::I(staff),
            V::S("ops@bench.test".into()),
            V::S("Ops".into()),
            V::S("operator".into()),
            V::S("-".into()),
            V::I(now),
            V::I(now),
            V::I(now),
        ]],
    )
    .await?;
    let token = secret::generate();
    herd_store::staff::insert_session(&mut tx, Id::generate().0, staff, &secret::digest(&token), "full", now, now + DAY_MS).await?;
    tx.commit().await?;
    let seeded = seeding.elapsed();

    // The roll-up of one day for every instance, in-process on the same database.
    let app = super::in_process(db.clone(), dir.path())?;
    let t = Instant::now();
    let rolled = herd_app::usage::roll_up(&app, today).await?;
    let roll = t.elapsed();
    db.close().await;

    let admin = format!("admin.bench.test:{port}");
    let child = Child::start_with(dir.path(), &url, port, &[("HERD_ADMIN_DOMAIN", admin.clone())]).await?;
    let http = client(child.addr, std::slice::from_ref(&admin), 1)?;
    let cookie = format!("herd_staff={token}");
    let base = format!("http://{admin}");
    let trivial = vec![format!("{base}/assets/herd.css")];
    let list = vec![format!("{base}/")];
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let usage: Vec<String> = (0..organizations.min(200))
        .map(|i| format!("{base}/organizations/org-{i:05}/usage?month={month}"))
        .collect();
    // Warm up, then measure each side by side.
    latencies(&http, &list, &cookie, 20).await?;
    latencies(&http, &usage, &cookie, 20).await?;
    let lt = latencies(&http, &trivial, &cookie, requests).await?;
    let ll = latencies(&http, &list, &cookie, requests).await?;
    let lu = latencies(&http, &usage, &cookie, requests).await?;
    println!(
        "herd bench consoles on SQLite: {organizations} organizations, {instances} instances, {days} days of usage each (seeded in {:.1} s)",
        seeded.as_secs_f64()
    );
    println!("{requests} requests per page, one at a time");
    println!("{:<48} {:>9} {:>9}", "page", "p50 ms", "p99 ms");
    for (name, l) in [
        ("GET /assets/herd.css (trivial)", &lt),
        ("GET / (organizations, first page)", &ll),
        ("GET /organizations/:slug/usage (a month)", &lu),
    ] {
        println!("{name:<48} {:>9.1} {:>9.1}", pct(l, 0.5), pct(l, 0.99));
    }
    println!(
        "p99 of the organization list: {:.1} ms, of the usage page: {:.1} ms (goal: under 100 ms)",
        pct(&ll, 0.99),
        pct(&lu, 0.99)
    );
    println!(
        "usage roll-up of one day for {rolled} instances: {:.2} s (goal: under 10 s)",
        roll.as_secs_f64()
    );
    drop(child);
    Ok(())
}
