//! Test harness: a real server on port 0 with a fresh database, reached over HTTP with test
//! domains resolved to it by the client (never through /etc/hosts).
//!
//! `HERD_TEST_DATABASE_URL=postgres://user@host:port` runs every test on its own new
//! PostgreSQL database; unset, each test gets its own SQLite file.
#![allow(dead_code)]

pub mod browser;

use std::net::SocketAddr;

use herd::Config;
use herd::server::{self, Running};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const DOMAINS: &[&str] = &["org-a.test", "org-b.test", "org-c.test", "admin.test", "social.example-sh.test"];

pub struct Server {
    pub running: Option<Running>,
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
    pub cfg: Config,
}

async fn fresh_database(dir: &std::path::Path) -> Option<String> {
    let base = std::env::var("HERD_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
    fresh_database_at(&base, dir).await
}

/// A new empty database on the server `base` names (PostgreSQL), or a file in `dir` (SQLite).
pub async fn fresh_database_at(base: &str, dir: &std::path::Path) -> Option<String> {
    if base.starts_with("sqlite") {
        return Some(format!("sqlite://{}", dir.join("herd.db").display()));
    }
    use sqlx::Connection;
    let base = base.trim_end_matches('/');
    let name = format!("herd_test_{:016x}", rand::random::<u64>());
    let mut conn = sqlx::PgConnection::connect(&format!("{base}/postgres"))
        .await
        .expect("connect to PostgreSQL for tests");
    sqlx::Executor::execute(&mut conn, sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create test database");
    Some(format!("{base}/{name}"))
}

impl Server {
    pub async fn start() -> Server {
        Server::start_with(true, String::new()).await
    }

    /// A server whose requests to other servers may reach loopback (`allow_private`) and go
    /// where `resolve` (`HERD_RESOLVE`) says.
    pub async fn start_with(allow_private: bool, resolve: String) -> Server {
        Server::start_at("127.0.0.1:0".into(), allow_private, resolve).await
    }

    /// A server listening on `listen` (for servers that must know each other's ports).
    pub async fn start_at(listen: String, allow_private: bool, resolve: String) -> Server {
        Server::start_scheme(listen, allow_private, resolve, "http").await
    }

    /// A server whose instances' URLs use `scheme` (`https` behind a TLS proxy).
    pub async fn start_scheme(listen: String, allow_private: bool, resolve: String, scheme: &str) -> Server {
        Server::start_tuned(listen, allow_private, resolve, scheme, |_| {}).await
    }

    /// A server with settings changed by `tune` (rate limits, ...).
    pub async fn start_with_config(tune: impl FnOnce(&mut Config)) -> Server {
        Server::start_tuned("127.0.0.1:0".into(), true, String::new(), "http", tune).await
    }

    pub async fn start_tuned(listen: String, allow_private: bool, resolve: String, scheme: &str, tune: impl FnOnce(&mut Config)) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let cfg = Config {
            listen,
            data_dir: dir.path().join("data"),
            database_url: fresh_database(dir.path()).await,
            public_scheme: scheme.into(),
            workers: 2,
            db_max_connections: 8,
            trust_forwarded_for: false,
            allow_private_addresses: allow_private,
            resolve,
            // Tests send many requests from one address; the rate-limit tests come from
            // 127.0.0.2 (`Server::client_from`).
            rate_limit_exempt: "127.0.0.1".into(),
            ..Config::default()
        };
        let mut cfg = cfg;
        tune(&mut cfg);
        // The server's warnings and errors go with the test's output (shown when it fails);
        // HERD_LOG widens them as `herd serve` does.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("HERD_LOG").unwrap_or_else(|_| "warn,sqlx=error".into()))
            .with_test_writer()
            .try_init();
        let running = server::start(&cfg).await.expect("server starts");
        let addr = running.addr;
        let mut b = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).no_proxy();
        for d in DOMAINS {
            b = b.resolve(d, addr);
        }
        Server {
            running: Some(running),
            addr,
            http: b.build().expect("client"),
            dir,
            cfg,
        }
    }

    pub fn domain(&self, name: &str) -> String {
        format!("{name}:{}", self.addr.port())
    }

    pub fn url(&self, domain: &str, path: &str) -> String {
        format!("http://{domain}{path}")
    }

    pub fn app(&self) -> &herd_app::App {
        &self.running.as_ref().expect("running").app
    }

    /// Creates an instance `name` (e.g. "org-a.test") and returns its domain with port.
    pub async fn tenant(&self, name: &str, registrations: &str) -> String {
        let d = self.domain(name);
        herd::commands::tenant_create(self.app(), &d, Some(format!("Instance {name}")), registrations)
            .await
            .expect("tenant");
        d
    }

    /// Creates an account and a token with every client scope; returns (account id, token).
    pub async fn account(&self, domain: &str, username: &str, role: &str) -> (String, String) {
        let (acc, _) = herd::commands::account_create(
            self.app(),
            herd::commands::AccountSpec {
                tenant: domain.into(),
                username: username.into(),
                email: format!("{username}@example.org"),
                password: Some("correct horse battery".into()),
                role: role.into(),
            },
        )
        .await
        .expect("account");
        let token = herd::commands::token_create(self.app(), domain, username, "read write follow push")
            .await
            .expect("token");
        (acc.id.to_string(), token)
    }

    /// Registers an app and returns its client-credentials token answer (`access_token`,
    /// `token_type`, ...), as apps that sign accounts up hold one.
    pub async fn app_token(&self, domain: &str, scopes: &str) -> Value {
        let app = self
            .post(
                domain,
                "/api/v1/apps",
                None,
                serde_json::json!({"client_name": "test app", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": scopes}),
            )
            .await
            .expect(200)
            .json;
        self.post(
            domain,
            "/oauth/token",
            None,
            serde_json::json!({"grant_type": "client_credentials", "client_id": app["client_id"], "client_secret": app["client_secret"], "scope": scopes}),
        )
        .await
        .expect(200)
        .json
    }

    /// A client whose requests come from `ip` (another loopback address, such as 127.0.0.2,
    /// which the tests' rate-limit exemption of 127.0.0.1 does not cover).
    pub fn client_from(&self, ip: &str) -> reqwest::Client {
        let mut b = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .local_address(ip.parse::<std::net::IpAddr>().expect("ip"));
        for d in DOMAINS {
            b = b.resolve(d, self.addr);
        }
        b.build().expect("client")
    }

    /// Sends a request; `body` is sent as JSON when it is an object, nothing when null.
    pub async fn call(&self, method: Method, domain: &str, path: &str, token: Option<&str>, body: Value) -> Resp {
        send(self.http.request(method, self.url(domain, path)), token, body).await
    }

    pub async fn get(&self, domain: &str, path: &str, token: Option<&str>) -> Resp {
        self.call(Method::GET, domain, path, token, Value::Null).await
    }

    pub async fn post(&self, domain: &str, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.call(Method::POST, domain, path, token, body).await
    }

    /// Waits until media processing (a job) has given the attachment a URL.
    pub async fn wait_media(&self, domain: &str, id: &str, token: &str) -> Value {
        for _ in 0..200 {
            let r = self.get(domain, &format!("/api/v1/media/{id}"), Some(token)).await;
            if r.status == StatusCode::OK {
                return r.json;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("media {id} was not processed in time");
    }

    /// Uploads an image through `/api/v2/media` (202 expected); returns the attachment id.
    pub async fn upload(&self, domain: &str, token: &str, bytes: Vec<u8>, name: &'static str) -> String {
        let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
        let r = self
            .http
            .post(self.url(domain, "/api/v2/media"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("upload sent");
        Resp::from(r).await.expect(202).id()
    }

    /// Posts a status (`body` as the API takes it); its id.
    pub async fn status(&self, domain: &str, token: &str, body: Value) -> String {
        self.post(domain, "/api/v1/statuses", Some(token), body).await.expect(200).id()
    }

    /// Uploads a small image with a description and waits until it is processed; its id.
    pub async fn image(&self, domain: &str, token: &str, description: &str) -> String {
        let id = self.upload(domain, token, png(64, 48), "image.png").await;
        self.call(
            Method::PUT,
            domain,
            &format!("/api/v1/media/{id}"),
            Some(token),
            json!({"description": description}),
        )
        .await
        .expect(200);
        self.wait_media(domain, &id, token).await;
        id
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await;
        }
    }

    /// Another node of the same deployment: its own caches and port, this server's database
    /// and data directory, as when several stateless nodes share PostgreSQL.
    pub async fn node(&self) -> Node {
        let running = server::start(&self.cfg).await.expect("second node starts");
        Node {
            addr: running.addr,
            running,
            http: reqwest::Client::builder().no_proxy().build().expect("client"),
        }
    }
}

/// A second node; requests carry the instance's domain in the Host header.
pub struct Node {
    pub running: Running,
    pub addr: SocketAddr,
    pub http: reqwest::Client,
}

impl Node {
    pub async fn call(&self, method: Method, domain: &str, path: &str, token: Option<&str>, body: Value) -> Resp {
        let rb = self
            .http
            .request(method, format!("http://{}{path}", self.addr))
            .header(reqwest::header::HOST, domain);
        send(rb, token, body).await
    }

    pub async fn get(&self, domain: &str, path: &str, token: Option<&str>) -> Resp {
        self.call(Method::GET, domain, path, token, Value::Null).await
    }

    pub async fn stop(self) {
        self.running.shutdown().await;
    }
}

/// Sends with a bearer token if given and `body` as JSON unless it is null.
async fn send(mut rb: reqwest::RequestBuilder, token: Option<&str>, body: Value) -> Resp {
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    if !body.is_null() {
        rb = rb.json(&body);
    }
    Resp::from(rb.send().await.expect("request sent")).await
}

/// Asks `probe` every 50 ms until it answers true, for at most 5 s; false if it never did.
pub async fn eventually<F, Fut>(mut probe: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if probe().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Resp {
    pub async fn from(r: reqwest::Response) -> Resp {
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            text,
            json,
        }
    }

    /// Asserts the status, printing the body when it differs.
    pub fn expect(self, status: u16) -> Resp {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        self
    }

    pub fn id(&self) -> String {
        self.json["id"].as_str().expect("response has an id").to_string()
    }

    pub fn link(&self) -> String {
        self.headers.get("link").and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    }
}

/// A small PNG with an EXIF-like text chunk, made in memory.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

/// A loopback port free at the moment of asking, for a server that must know its port
/// before it starts. It is taken below the ephemeral range the kernel hands out for port 0
/// (32768 and up on Linux), so no other test's socket can be given it between this check and
/// the server's bind; within one test binary, each call gets a port of its own.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FIRST: u32 = 20_000;
    const SPAN: u32 = 12_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let offset = std::process::id() % SPAN;
    for _ in 0..SPAN {
        let port = (FIRST + (offset + NEXT.fetch_add(1, Ordering::Relaxed)) % SPAN) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port from {FIRST} to {}", FIRST + SPAN)
}

/// Two servers, each with its own database, that reach each other over HTTP on loopback.
pub async fn pair() -> (Server, String, Server, String) {
    let (pa, pb) = (free_port(), free_port());
    let a = Server::start_at(format!("127.0.0.1:{pa}"), true, format!("org-b.test:{pb}=127.0.0.1:{pb}")).await;
    let b = Server::start_at(format!("127.0.0.1:{pb}"), true, format!("org-a.test:{pa}=127.0.0.1:{pa}")).await;
    let da = a.tenant("org-a.test", "open").await;
    let db = b.tenant("org-b.test", "open").await;
    (a, da, b, db)
}

/// alice (token `at` on `da`) finds `handle` and asks to follow it; the account's id there
/// and the relationship answered.
pub async fn follow_remote(a: &Server, da: &str, at: &str, handle: &str) -> (String, Value) {
    let id = a
        .get(da, &format!("/api/v1/accounts/lookup?acct={handle}"), Some(at))
        .await
        .expect(200)
        .id();
    let rel = a
        .post(da, &format!("/api/v1/accounts/{id}/follow"), Some(at), json!({}))
        .await
        .expect(200)
        .json;
    (id, rel)
}

/// [`follow_remote`], then waits until the other server has accepted; the account's id.
pub async fn followed(a: &Server, da: &str, at: &str, handle: &str) -> String {
    let (id, _) = follow_remote(a, da, at, handle).await;
    let following = || async {
        let r = a.get(da, &format!("/api/v1/accounts/relationships?id[]={id}"), Some(at)).await.json;
        r[0]["following"] == true
    };
    assert!(eventually(following).await, "{handle}'s server accepted the follow");
    id
}

/// A web page elsewhere (a tiny server on loopback serving `body` as HTML); its address.
pub async fn web_page(body: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new().route(
        "/about-me",
        axum::routing::get(move || {
            let body = body.clone();
            async move { axum::response::Html(body) }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/about-me")
}

/// POSTs `body` to `path` on server `b` (instance `db`), signed by alice (`alice`, the
/// account's id) of server `a` (instance `da`), as her server would; the answer's status.
pub async fn post_signed(a: &Server, da: &str, alice: &str, b: &Server, db: &str, path: &str, body: String) -> u16 {
    let t = herd_app::tenants::by_domain(a.app(), da).await.expect("tenant");
    let key = herd_app::federation::key(a.app(), t.id, alice.parse().expect("id"))
        .await
        .expect("key");
    let key_id = format!("http://{da}/users/alice#main-key");
    let now = std::time::SystemTime::now();
    let headers =
        herd_federation::signatures::sign("POST", path, db, Some(body.as_bytes()), &key_id, &key.private_pem, now).expect("signed");
    let mut rb = b.http.post(format!("http://{db}{path}")).body(body);
    for (k, v) in headers {
        rb = rb.header(k, v);
    }
    rb.send().await.expect("sent").status().as_u16()
}
