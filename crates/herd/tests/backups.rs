//! Backups of one instance and leaving with everything, as an operator runs them: the
//! `herd` binary beside a running server, on the same data.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use common::*;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_herd");

/// `herd ARGS` on the server's data directory and database.
fn command(s: &Server, args: &[&str]) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(BIN);
    c.args(args)
        .env("HERD_DATA_DIR", &s.cfg.data_dir)
        .env("HERD_PUBLIC_SCHEME", "http")
        .env_remove("HERD_DATABASE_URL")
        .env_remove("HERD_BACKUP_IDENTITY");
    if let Some(u) = &s.cfg.database_url {
        c.env("HERD_DATABASE_URL", u);
    }
    c
}

/// Runs `herd ARGS` on the server's data directory and database.
async fn herd(s: &Server, args: &[&str]) -> Output {
    command(s, args).output().await.expect("herd runs")
}

/// `herd backup key` with the identity at `path` (made there): the public key printed.
async fn key_at(s: &Server, path: &Path) -> Output {
    command(s, &["backup", "key"])
        .env("HERD_BACKUP_IDENTITY", path)
        .output()
        .await
        .expect("herd runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// The statuses of an account, as their texts, newest first.
async fn texts(s: &Server, d: &str, account: &str, token: &str) -> Vec<String> {
    let r = s
        .get(d, &format!("/api/v1/accounts/{account}/statuses?limit=40"), Some(token))
        .await
        .expect(200);
    r.json
        .as_array()
        .expect("list")
        .iter()
        .map(|x| x["content"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_damage_restore_while_another_instance_serves() {
    let s = Server::start().await;
    let da = s.tenant("org-a.test", "open").await;
    let db = s.tenant("org-b.test", "open").await;
    let (alice, at) = s.account(&da, "alice", "member").await;
    let (_, bt) = s.account(&db, "bob", "member").await;
    let media = s.image(&da, &at, "a harbour").await;
    let pictured = s.status(&da, &at, json!({"status": "with a picture", "media_ids": [media]})).await;
    let mut kept = Vec::new();
    for i in 0..4 {
        kept.push(s.status(&da, &at, json!({"status": format!("post {i}")})).await);
    }
    let before = texts(&s, &da, &alice, &at).await;
    assert_eq!(before.len(), 5);
    let picture_url = s
        .get(&da, &format!("/api/v1/statuses/{pictured}"), Some(&at))
        .await
        .expect(200)
        .json["media_attachments"][0]["url"]
        .as_str()
        .expect("media url")
        .to_string();

    // A backup, verified at once.
    let out = herd(&s, &["backup", "run", "--tenant", &da]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("verified:"), "{}", text(&out));
    let out = herd(&s, &["backup", "list", "--tenant", &da]).await;
    let listed = text(&out);
    let line = listed.lines().next().expect("a backup is listed");
    assert!(line.contains("\tdone\tverify:passed\t"), "{listed}");
    let backup_id = line.split('\t').next().expect("id").to_string();
    let archive = PathBuf::from(line.rsplit('\t').next().expect("location"));
    assert!(archive.exists(), "{}", archive.display());
    let identity = herd_backup::read_identity(&s.cfg.data_dir.join("backup-identity.txt")).expect("identity");
    let manifest = herd_backup::load::check(&archive, identity.clone())
        .await
        .expect("the archive reads back");
    let t = herd_app::tenants::by_domain(s.app(), &da).await.expect("tenant").id;
    assert_eq!(manifest.header.domain, da);
    assert!(manifest.files.len() >= 2, "the picture and its thumbnail: {:?}", manifest.files);
    let snapshot: Vec<(String, u64, String)> = manifest.tables.iter().map(|e| (e.name.clone(), e.rows, e.sha256.clone())).collect();

    // Damage: half the posts deleted, among them the one with the picture.
    for id in [&pictured, &kept[0], &kept[1]] {
        s.call(
            reqwest::Method::DELETE,
            &da,
            &format!("/api/v1/statuses/{id}"),
            Some(&at),
            json!(null),
        )
        .await
        .expect(200);
    }
    assert!(eventually(|| async { texts(&s, &da, &alice, &at).await.len() == 2 }).await);

    // A tampered archive and a wrong key are refused, and change nothing.
    let tampered = s.dir.path().join("tampered.herd");
    let mut bytes = std::fs::read(&archive).expect("archive");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    std::fs::write(&tampered, &bytes).expect("write");
    let out = herd(
        &s,
        &["backup", "restore", "--tenant", &da, "--file", tampered.to_str().expect("path")],
    )
    .await;
    assert!(!out.status.success());
    assert!(text(&out).contains("damaged"), "{}", text(&out));
    let other = s.dir.path().join("other-identity.txt");
    let out = key_at(&s, &other).await;
    assert!(out.status.success(), "{}", text(&out));
    let out = herd(
        &s,
        &[
            "backup",
            "restore",
            "--tenant",
            &da,
            &backup_id,
            "--identity",
            other.to_str().expect("path"),
        ],
    )
    .await;
    assert!(!out.status.success());
    assert!(text(&out).contains("not encrypted to this key"), "{}", text(&out));
    assert_eq!(texts(&s, &da, &alice, &at).await.len(), 2, "the refused restores changed nothing");

    // The other instance serves throughout the restore; this one answers 503 meanwhile.
    let stop = Arc::new(AtomicBool::new(false));
    let (served, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let loop_b = {
        let (stop, served, failed) = (stop.clone(), served.clone(), failed.clone());
        let (http, url, post_url, bt) = (
            s.http.clone(),
            s.url(&db, "/api/v1/timelines/home"),
            s.url(&db, "/api/v1/statuses"),
            bt.clone(),
        );
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                i += 1;
                let r = if i % 5 == 0 {
                    http.post(&post_url)
                        .bearer_auth(&bt)
                        .json(&json!({"status": format!("still here {i}")}))
                        .send()
                        .await
                } else {
                    http.get(&url).bearer_auth(&bt).send().await
                };
                match r {
                    Ok(r) if r.status().is_success() => served.fetch_add(1, Ordering::SeqCst),
                    _ => failed.fetch_add(1, Ordering::SeqCst),
                };
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        })
    };
    let restore = command(&s, &["backup", "restore", "--tenant", &da, &backup_id])
        .spawn()
        .expect("restore starts");
    let saw_503 = eventually(|| async { s.get(&da, "/api/v1/instance", None).await.status == 503 }).await;
    let out = restore.wait_with_output().await.expect("restore ends");
    assert!(out.status.success(), "{}", text(&out));
    assert!(saw_503, "the instance answered 503 while it was restored");
    stop.store(true, Ordering::SeqCst);
    loop_b.await.expect("loop");
    assert_eq!(failed.load(Ordering::SeqCst), 0, "org-b failed no request during the restore");
    assert!(served.load(Ordering::SeqCst) > 20, "org-b was asked throughout");

    // Back as it was: the posts, the picture, and every table as the snapshot had it (the
    // audit log has the restore's own record on top).
    assert!(eventually(|| async { s.get(&da, "/api/v1/instance", None).await.status == 200 }).await);
    assert_eq!(texts(&s, &da, &alice, &at).await, before);
    let path = picture_url
        .split_once(da.as_str())
        .map(|(_, p)| p.to_string())
        .expect("local media path");
    assert_eq!(s.get(&da, &path, None).await.status, 200, "{picture_url}");
    let live = {
        let mut c = s.app().db.snapshot().await.expect("snapshot");
        herd_backup::verify::tallies(&mut c, t, &manifest).await.expect("live tables")
    };
    for (want, got) in snapshot.iter().zip(&live) {
        if want.0 == "audit_log" {
            assert_eq!(got.1, want.1 + 1, "the audit log holds the snapshot's records and the restore");
        } else if want.0 != "jobs" {
            assert_eq!(want, got, "table {} equals the snapshot", want.0);
        }
    }
    // Search finds the restored posts again.
    let found = s.get(&da, "/api/v2/search?q=picture&type=statuses", Some(&at)).await.expect(200);
    assert_eq!(found.json["statuses"].as_array().map(|a| a.len()), Some(1), "{}", found.json);
    s.stop().await;
}

/// Starts a Herd on `port` whose database is on the other kind of server than the suite's
/// (PostgreSQL when the suite runs on SQLite and `HERD_TEST_CROSS_DATABASE_URL` names one,
/// SQLite when it runs on PostgreSQL).
async fn other_kind(port: u16, resolve: String) -> Server {
    let suite_pg = std::env::var("HERD_TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres"));
    let url = if suite_pg {
        None
    } else {
        match std::env::var("HERD_TEST_CROSS_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))
        {
            Some(base) => fresh_database_at(&base, Path::new("/nonexistent")).await,
            None => None,
        }
    };
    Server::start_tuned(format!("127.0.0.1:{port}"), true, resolve, "http", |c| c.database_url = url).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_moves_to_a_fresh_herd_and_its_followers_keep_receiving() {
    let (pa, pb) = (free_port(), free_port());
    let a = Server::start_at(format!("127.0.0.1:{pa}"), true, format!("org-b.test:{pb}=127.0.0.1:{pb}")).await;
    let b = Server::start_at(format!("127.0.0.1:{pb}"), true, format!("org-a.test:{pa}=127.0.0.1:{pa}")).await;
    let da = a.tenant("org-a.test", "open").await;
    let db = b.tenant("org-b.test", "open").await;
    let (alice, at) = a.account(&da, "alice", "member").await;
    let (_, bt) = b.account(&db, "bob", "member").await;
    let (_, ct) = a.account(&da, "carol", "member").await;
    // bob on the other server follows alice; carol follows her here.
    followed(&b, &db, &bt, &format!("alice@{da}")).await;
    a.post(&da, &format!("/api/v1/accounts/{alice}/follow"), Some(&ct), json!({}))
        .await
        .expect(200);
    let media = a.image(&da, &at, "before the move").await;
    a.status(&da, &at, json!({"status": "before the move", "media_ids": [media]})).await;
    let before = texts(&a, &da, &alice, &at).await;
    let home_before = a.get(&da, "/api/v1/timelines/home", Some(&ct)).await.expect(200).json;

    // The organization's own key: the export is encrypted to it, the import reads with it.
    let key = a.dir.path().join("org-key.txt");
    let out = {
        let mut c = tokio::process::Command::new(BIN);
        c.args(["backup", "key"])
            .env("HERD_DATA_DIR", &a.cfg.data_dir)
            .env("HERD_BACKUP_IDENTITY", &key);
        if let Some(u) = &a.cfg.database_url {
            c.env("HERD_DATABASE_URL", u);
        }
        c.output().await.expect("herd runs")
    };
    assert!(out.status.success(), "{}", text(&out));
    let public = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(public.starts_with("age1pq1"), "{public:.20}");
    let file = a.dir.path().join("org-a.herd");
    let out = herd(&a, &["tenant", "export", &da, file.to_str().expect("path"), "--to", &public]).await;
    assert!(out.status.success(), "{}", text(&out));

    // The old server stops; a fresh Herd on the same address (the same domain) imports it.
    let key_copy = std::env::temp_dir().join(format!("herd-key-{pa}.txt"));
    std::fs::copy(&key, &key_copy).expect("copy key");
    let file_copy = std::env::temp_dir().join(format!("herd-export-{pa}.herd"));
    std::fs::copy(&file, &file_copy).expect("copy export");
    a.stop().await;
    let n = other_kind(pa, format!("org-b.test:{pb}=127.0.0.1:{pb}")).await;
    let out = herd(&n, &["tenant", "import", file_copy.to_str().expect("path")]).await;
    assert!(
        !out.status.success(),
        "the server's own key cannot read an export made for the organization"
    );
    let out = herd(
        &n,
        &[
            "tenant",
            "import",
            file_copy.to_str().expect("path"),
            "--identity",
            key_copy.to_str().expect("path"),
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let _ = std::fs::remove_file(&key_copy);
    let _ = std::fs::remove_file(&file_copy);

    // The same accounts, tokens, posts, media and follows.
    assert_eq!(texts(&n, &da, &alice, &at).await, before);
    assert_eq!(n.get(&da, "/api/v1/timelines/home", Some(&ct)).await.expect(200).json, home_before);
    let pic = n
        .get(&da, &format!("/api/v1/accounts/{alice}/statuses"), Some(&at))
        .await
        .expect(200)
        .json[0]["media_attachments"][0]["url"]
        .as_str()
        .expect("media url")
        .to_string();
    let path = pic.split_once(da.as_str()).map(|(_, p)| p.to_string()).expect("local media path");
    assert_eq!(n.get(&da, &path, None).await.status, 200);
    let form = n
        .post(
            &da,
            "/api/v1/apps",
            None,
            json!({"client_name": "after the move", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read"}),
        )
        .await
        .expect(200);
    assert!(form.json["client_id"].is_string());

    // A post made after the move reaches the follower on the other server.
    n.status(&da, &at, json!({"status": "after the move"})).await;
    let arrived = eventually(|| async {
        let home = b.get(&db, "/api/v1/timelines/home", Some(&bt)).await.json;
        home.as_array()
            .is_some_and(|a| a.iter().any(|s| s["content"].as_str().unwrap_or("").contains("after the move")))
    })
    .await;
    assert!(arrived, "bob's server received the post made after the move");
    n.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_follow_the_booking_and_old_ones_go() {
    let s = Server::start().await;
    let da = s.tenant("org-a.test", "open").await;
    let (_, at) = s.account(&da, "alice", "member").await;
    s.status(&da, &at, json!({"status": "kept safe"})).await;
    let tenant = herd_app::tenants::by_domain(s.app(), &da).await.expect("tenant");
    // Without a backups booking, nothing is scheduled.
    assert_eq!(herd_backup::schedule::due(s.app()).await.expect("due"), 0);
    let org = herd_store::organizations::by_id(
        &mut s.app().db.conn().await.expect("conn"),
        tenant.row.organization_id.expect("org"),
    )
    .await
    .expect("org")
    .expect("org exists");
    let out = herd(
        &s,
        &[
            "booking",
            "add",
            "--org",
            &org.slug,
            "--service",
            "backups",
            "--instance",
            &da,
            "--backup-every",
            "24h",
            "--backup-keep",
            "2",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let queued = eventually(|| async { herd_backup::schedule::due(s.app()).await.expect("due") == 1 }).await;
    assert!(queued, "the booking's schedule queued a backup");
    let list = || async {
        let mut c = s.app().db.conn().await.expect("conn");
        herd_store::backups::list(&mut c, tenant.id, 10).await.expect("list")
    };
    assert!(
        eventually(|| async {
            list()
                .await
                .first()
                .is_some_and(|b| b.state == "done" && b.verify_state == "passed")
        })
        .await,
        "the scheduled backup was written and verified: {:?}",
        list().await
    );
    assert_eq!(
        herd_backup::schedule::due(s.app()).await.expect("due"),
        0,
        "not again within the interval"
    );

    // Two more by hand; the schedule keeps two.
    for _ in 0..2 {
        let out = herd(&s, &["backup", "run", "--tenant", &da]).await;
        assert!(out.status.success(), "{}", text(&out));
    }
    let all = list().await;
    assert_eq!(all.len(), 3);
    let removed = herd_backup::schedule::prune(s.app(), &tenant, 2).await.expect("prune");
    assert_eq!(removed, 1);
    let left = list().await;
    assert_eq!(
        left.iter().map(|b| b.id).collect::<Vec<_>>(),
        all[..2].iter().map(|b| b.id).collect::<Vec<_>>()
    );
    assert!(!Path::new(&all[2].location).exists(), "the oldest archive is gone");
    assert!(Path::new(&left[1].location).exists());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_killed_midway_is_never_taken_for_a_good_one() {
    let s = Server::start().await;
    let da = s.tenant("org-a.test", "open").await;
    let (alice, _) = s.account(&da, "alice", "member").await;
    let tenant = herd_app::tenants::by_domain(s.app(), &da).await.expect("tenant");
    // Enough posts that writing the archive takes a while.
    let base = herd_core::Id::generate().0;
    let mut c = s.app().db.begin().await.expect("tx");
    c.q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
         INSERT INTO statuses (id, tenant_id, account_id, text, content_html, visibility, created_at) \
         SELECT ? + i, ?, ?, 'a post to back up, with some words in it', '<p>a post to back up, with some words in it</p>', 'public', ? FROM n")
        .bind(base)
        .bind(tenant.id.0)
        .bind(alice.parse::<i64>().expect("id"))
        .bind(herd_core::Timestamp::now().0)
        .execute(c.ex())
        .await
        .expect("posts");
    c.commit().await.expect("commit");

    let mut run = command(&s, &["backup", "run", "--tenant", &da]).spawn().expect("backup starts");
    let list = || async {
        let mut c = s.app().db.conn().await.expect("conn");
        herd_store::backups::list(&mut c, tenant.id, 10).await.expect("list")
    };
    let started = eventually(|| async { list().await.first().is_some_and(|b| b.state == "running") }).await;
    assert!(started, "the backup began");
    run.kill().await.expect("SIGKILL");
    let b = list().await.remove(0);
    assert_eq!(b.state, "running", "never marked done");
    assert!(!Path::new(&b.location).exists(), "no archive under its final name");
    let out = herd(&s, &["backup", "restore", "--tenant", &da, &b.id.to_string()]).await;
    assert!(!out.status.success());
    assert!(text(&out).contains("not complete"), "{}", text(&out));
    let out = herd(&s, &["backup", "verify", "--tenant", &da, &b.id.to_string()]).await;
    assert!(!out.status.success());
    // The next backup is whole.
    let out = herd(&s, &["backup", "run", "--tenant", &da]).await;
    assert!(out.status.success(), "{}", text(&out));
    s.stop().await;
}
