//! Killing Herd with SIGKILL in the middle of a large fan-out loses no delivery: after a
//! restart, every remaining one is made. Deliveries are durable jobs written with the post.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use herd_core::{Id, Timestamp};
use herd_store::{Db, accounts, tenants};

const BIN: &str = env!("CARGO_BIN_EXE_herd");
const SERVERS: usize = 1000;

/// Many remote servers on one loopback port: each POST is answered 202 (a little slowly, as
/// real servers are) and the Host it was for is recorded.
async fn inboxes() -> (u16, Arc<Mutex<HashSet<String>>>) {
    let seen: Arc<Mutex<HashSet<String>>> = Arc::default();
    let record = seen.clone();
    let app = axum::Router::new().fallback(move |h: HeaderMap| {
        let record = record.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            if let Some(host) = h.get("host").and_then(|v| v.to_str().ok()) {
                record.lock().expect("lock").insert(host.to_string());
            }
            axum::http::StatusCode::ACCEPTED
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, seen)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn command(data: &std::path::Path, db: &str, resolve: &str) -> Command {
    let mut c = Command::new(BIN);
    c.env("HERD_DATA_DIR", data)
        .env("HERD_DATABASE_URL", db)
        .env("HERD_PUBLIC_SCHEME", "http")
        .env("HERD_ALLOW_PRIVATE_ADDRESSES", "true")
        .env("HERD_RESOLVE", resolve)
        .env("HERD_WORKERS", "2");
    c
}

fn serve(data: &std::path::Path, db: &str, resolve: &str, listen: &str) -> Server {
    let mut child = command(data, db, resolve)
        .args(["serve", "--listen", listen])
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    loop {
        let line = lines.next().expect("serve prints its address").expect("utf-8");
        if line.contains("listening on http://") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    Server(child)
}

fn run(data: &std::path::Path, db: &str, args: &[&str]) -> String {
    let out = command(data, db, "").args(args).output().expect("herd runs");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

async fn database(dir: &std::path::Path) -> String {
    match std::env::var("HERD_TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres")) {
        Some(base) => {
            use sqlx::Connection;
            let base = base.trim_end_matches('/');
            let name = format!("herd_test_{:016x}", rand::random::<u64>());
            let mut conn = sqlx::PgConnection::connect(&format!("{base}/postgres")).await.expect("connect");
            sqlx::Executor::execute(&mut conn, sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .expect("create database");
            format!("{base}/{name}")
        }
        None => format!("sqlite://{}", dir.join("herd.db").display()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_large_fan_out_loses_no_delivery() {
    let (rport, seen) = inboxes().await;
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let db = database(dir.path()).await;
    let hosts: Vec<String> = (0..SERVERS).map(|i| format!("srv{i}.test:{rport}")).collect();
    let resolve = hosts.iter().map(|h| format!("{h}=127.0.0.1:{rport}")).collect::<Vec<_>>().join(",");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let domain = format!("org-a.test:{port}");
    run(&data, &db, &["migrate"]);
    run(&data, &db, &["tenant", "create", &domain, "--registrations", "closed"]);
    run(
        &data,
        &db,
        &["account", "create", "--tenant", &domain, "alice", "--email", "alice@example.org"],
    );
    let token = run(&data, &db, &["token", "create", "--tenant", &domain, "alice"]);

    // alice is followed from SERVERS remote servers.
    let store = Db::connect(&db, 2).await.expect("db");
    let mut tx = store.begin().await.expect("tx");
    let t = tenants::by_domain(&mut tx, &domain)
        .await
        .expect("read")
        .expect("tenant")
        .tenant_id();
    let alice = accounts::by_username(&mut tx, t, "alice", "")
        .await
        .expect("read")
        .expect("alice")
        .id;
    let now = Timestamp::now().0;
    for h in &hosts {
        let id = Id::generate().0;
        let uri = format!("http://{h}/users/follower");
        tx.q("INSERT INTO accounts (id, tenant_id, username, username_key, domain, uri, created_at, updated_at) VALUES (?, ?, 'follower', 'follower', ?, ?, ?, ?)")
            .bind(id).bind(t.0).bind(h.as_str()).bind(uri.as_str()).bind(now).bind(now)
            .execute(tx.ex()).await.expect("account");
        tx.q("INSERT INTO remote_actors (tenant_id, account_id, inbox_url, shared_inbox_url, key_id, public_key_pem, fetched_at) VALUES (?, ?, ?, ?, ?, 'unused', ?)")
            .bind(t.0).bind(id).bind(format!("{uri}/inbox")).bind(format!("http://{h}/inbox")).bind(format!("{uri}#main-key")).bind(now)
            .execute(tx.ex()).await.expect("remote actor");
        tx.q("INSERT INTO follows (id, tenant_id, account_id, target_account_id, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(Id::generate().0)
            .bind(t.0)
            .bind(id)
            .bind(alice)
            .bind(now)
            .execute(tx.ex())
            .await
            .expect("follow");
    }
    tx.commit().await.expect("commit");
    store.close().await;

    let listen = format!("127.0.0.1:{port}");
    let mut server = serve(&data, &db, &resolve, &listen);
    let http = reqwest::Client::builder().no_proxy().build().expect("client");
    let r = http
        .post(format!("http://127.0.0.1:{port}/api/v1/statuses"))
        .header("host", &domain)
        .bearer_auth(&token)
        .json(&serde_json::json!({"status": "to a thousand servers"}))
        .send()
        .await
        .expect("posted");
    assert!(r.status().is_success(), "{:?}", r.text().await);

    // Kill it once deliveries are under way.
    let started = Instant::now();
    while seen.lock().expect("lock").len() < 50 {
        assert!(started.elapsed() < Duration::from_secs(60), "deliveries began");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.0.kill().expect("SIGKILL");
    let _ = server.0.wait();
    let at_kill = seen.lock().expect("lock").len();
    assert!(at_kill < SERVERS, "the fan-out was still under way when killed ({at_kill})");

    // After a restart every server gets the post (the deliveries in flight at the kill are
    // retried once their lease runs out).
    let _server = serve(&data, &db, &resolve, &listen);
    let restarted = Instant::now();
    while seen.lock().expect("lock").len() < SERVERS {
        assert!(
            restarted.elapsed() < Duration::from_secs(150),
            "only {} of {SERVERS} servers got the post",
            seen.lock().expect("lock").len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(*seen.lock().expect("lock"), hosts.into_iter().collect::<HashSet<_>>());
}
