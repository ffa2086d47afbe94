//! The `herd` binary as an operator uses it: commands beside a running server on the same
//! data, clear errors for bad settings and arguments, graceful shutdown on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_herd");

fn herd(data: &std::path::Path, db: &Option<String>, args: &[&str]) -> std::process::Output {
    let mut c = Command::new(BIN);
    c.args(args)
        .env("HERD_DATA_DIR", data)
        .env("HERD_PUBLIC_SCHEME", "http")
        .env_remove("HERD_DATABASE_URL");
    if let Some(u) = db {
        c.env("HERD_DATABASE_URL", u);
    }
    c.output().expect("herd runs")
}

fn test_db() -> Option<String> {
    let base = std::env::var("HERD_TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres"))?;
    let name = format!("herd_cli_{:016x}", rand::random::<u64>());
    let ok = Command::new("psql")
        .arg(format!("{}/postgres", base.trim_end_matches('/')))
        .args(["-qc", &format!("CREATE DATABASE {name}")])
        .status();
    assert!(ok.map(|s| s.success()).unwrap_or(false), "psql could create the test database");
    Some(format!("{}/{name}", base.trim_end_matches('/')))
}

/// Kills the server if the test fails before stopping it.
struct Guard(std::process::Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `herd serve` on a free port over `data` (and `db`), with what it prints to read.
fn serve(data: &std::path::Path, db: &Option<String>) -> (Guard, std::io::Lines<BufReader<std::process::ChildStderr>>) {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--listen", "127.0.0.1:0"])
        .env("HERD_DATA_DIR", data)
        .env("HERD_PUBLIC_SCHEME", "http")
        .env_remove("HERD_DATABASE_URL")
        .stderr(Stdio::piped());
    if let Some(u) = db {
        cmd.env("HERD_DATABASE_URL", u);
    }
    let mut server = Guard(cmd.spawn().expect("serve starts"));
    let lines = BufReader::new(server.0.stderr.take().expect("stderr")).lines();
    (server, lines)
}

#[test]
fn commands_work_beside_a_running_server() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let db = test_db();
    let (mut server, mut lines) = serve(&data, &db);
    let mut banner = Vec::new();
    let addr = loop {
        let line = lines.next().expect("serve prints its address").expect("utf-8");
        banner.push(line.clone());
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().expect("address").to_string();
        }
    };
    // With no instance yet, the server tells the newcomer what to run next.
    for _ in 0..4 {
        banner.push(lines.next().expect("guidance").expect("utf-8"));
    }
    let text = banner.join("\n");
    assert!(
        text.contains(&format!("{BIN} tenant create")) && text.contains(&format!("{BIN} account create")),
        "{text}"
    );
    std::thread::spawn(move || for _ in lines {});

    let port = addr.rsplit(':').next().expect("port");
    let domain = format!("org-a.test:{port}");
    let out = herd(
        &data,
        &db,
        &["tenant", "create", &domain, "--name", "Org A", "--registrations", "open"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = herd(
        &data,
        &db,
        &[
            "account",
            "create",
            "--tenant",
            &domain,
            "alice",
            "--email",
            "alice@example.org",
            "--role",
            "owner",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("Generated password") && said.contains("toot login_cli"), "{said}");
    let out = herd(
        &data,
        &db,
        &["token", "create", "--tenant", &domain, "alice", "--scopes", "read write"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).expect("utf-8");
    let token = token.trim();
    assert_eq!(token.lines().count(), 1, "the token alone on stdout");
    let out = herd(
        &data,
        &db,
        &[
            "tenant",
            "set",
            &domain,
            "--description",
            "We are Org A",
            "--max-post-chars",
            "1000",
            "--languages",
            "en,de",
            "--contact-email",
            "team@org-a.example",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = herd(&data, &db, &["tenant", "rule", &domain, "Be kind", "--hint", "No harassment"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = herd(&data, &db, &["tenant", "set", &domain, "--max-post-chars", "0"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("max_post_chars"));
    // Account lifecycle: a role change, a password reset that signs the account out.
    let out = herd(
        &data,
        &db,
        &[
            "account",
            "create",
            "--tenant",
            &domain,
            "bob",
            "--email",
            "bob@example.org",
            "--password",
            "bob's long password",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bob_token = String::from_utf8(herd(&data, &db, &["token", "create", "--tenant", &domain, "bob"]).stdout)
        .expect("utf-8")
        .trim()
        .to_string();
    assert!(
        herd(&data, &db, &["account", "role", "--tenant", &domain, "bob", "moderator"])
            .status
            .success()
    );
    let out = herd(&data, &db, &["account", "role", "--tenant", &domain, "alice", "member"]);
    assert!(
        !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("only owner"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let accounts = String::from_utf8(herd(&data, &db, &["account", "list", "--tenant", &domain]).stdout).expect("utf-8");
    assert!(accounts.contains("bob\tbob@example.org\tmoderator\tapproved"), "{accounts}");
    let pending = String::from_utf8(herd(&data, &db, &["account", "list", "--tenant", &domain, "--pending"]).stdout).expect("utf-8");
    assert!(pending.trim().is_empty(), "{pending}");
    let out = herd(&data, &db, &["account", "password", "--tenant", &domain, "bob"]);
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stderr).contains("Generated password"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = herd(&data, &db, &["account", "approve", "--tenant", &domain, "bob"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("not waiting for approval"));
    let list = String::from_utf8(herd(&data, &db, &["tenant", "list"]).stdout).expect("utf-8");
    assert!(list.contains(&domain) && list.contains("Org A"), "{list}");

    // The running server sees what the commands made.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    let client = reqwest::Client::builder()
        .resolve("org-a.test", addr.parse().expect("addr"))
        .no_proxy()
        .build()
        .expect("client");
    let get = |path: &str, token: Option<&str>| {
        let mut rb = client.get(format!("http://{domain}{path}"));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        rt.block_on(async {
            let r = rb.send().await.expect("sent");
            let status = r.status().as_u16();
            (status, r.json::<serde_json::Value>().await.unwrap_or_default())
        })
    };
    let (_, me) = get("/api/v1/accounts/verify_credentials", Some(token));
    assert_eq!(me["username"], "alice");
    assert_eq!(me["role"]["name"], "owner");
    let (bob, _) = get("/api/v1/accounts/verify_credentials", Some(&bob_token));
    assert_eq!(bob, 401, "a password reset revokes the account's tokens");
    // Settings made at the command line reach the API (the server's cache holds them ~2 s).
    std::thread::sleep(Duration::from_millis(2100));
    let (_, inst) = get("/api/v2/instance", None);
    assert_eq!(inst["configuration"]["statuses"]["max_characters"], 1000);
    assert_eq!(inst["description"], "We are Org A");
    assert_eq!(inst["languages"], serde_json::json!(["en", "de"]));
    assert_eq!(inst["contact"]["email"], "team@org-a.example");
    assert_eq!(inst["contact"]["account"]["username"], "alice");
    assert_eq!(inst["rules"][0]["text"], "Be kind");
    assert_eq!(inst["rules"][0]["hint"], "No harassment");

    // Errors name the problem and change nothing.
    let out = herd(&data, &db, &["tenant", "create", "not a domain"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("domain"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = herd(&data, &db, &["tenant", "create", &domain]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("exists already"));
    let out = herd(
        &data,
        &db,
        &["account", "create", "--tenant", &domain, "alice", "--email", "other@example.org"],
    );
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("Username has already been taken"));
    let out = herd(
        &data,
        &db,
        &["account", "create", "--tenant", "nowhere.test", "zed", "--email", "z@example.org"],
    );
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("no instance with domain"));
    let out = Command::new(BIN)
        .args(["migrate"])
        .env("HERD_DATA_DIR", &data)
        .env("HERD_PUBLIC_SCHEME", "ftp")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("HERD_PUBLIC_SCHEME") && err.contains("ftp"), "{err}");

    // SIGTERM stops the server cleanly.
    let killed = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let mut waited = 0;
    let status = loop {
        if let Some(s) = server.0.try_wait().expect("wait") {
            break s;
        }
        assert!(waited < 100, "server did not stop within 10 s of SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
        waited += 1;
    };
    assert!(status.success(), "graceful exit, got {status}");
}

/// The first five minutes, as README tells them: `herd serve` with `HERD_PUBLIC_SCHEME=http`
/// prints commands; pasted as printed into a shell that has none of the server's settings,
/// they create an instance whose printed sign-in URL answers, and a token that works there.
#[test]
fn printed_commands_work_as_printed() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let db = test_db();
    let (_server, mut lines) = serve(&data, &db);
    let mut printed = Vec::new();
    let mut addr = None;
    while printed.len() < 2 {
        let line = lines.next().expect("serve prints guidance").expect("utf-8");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            addr = rest.split_whitespace().next().map(str::to_string);
        } else if let Some(cmd) = line.strip_prefix("  ") {
            printed.push(cmd.to_string());
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let addr: std::net::SocketAddr = addr.expect("address printed").parse().expect("address");

    // A second terminal: none of the server's settings in its environment.
    let paste = |line: &str| {
        let out = Command::new("sh")
            .args(["-c", line])
            .env_remove("HERD_DATA_DIR")
            .env_remove("HERD_PUBLIC_SCHEME")
            .env_remove("HERD_DATABASE_URL")
            .output()
            .expect("sh runs");
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{line}\n{err}");
        (String::from_utf8_lossy(&out.stdout).to_string(), err)
    };
    assert!(printed[0].contains("tenant create"), "{printed:?}");
    let (_, said) = paste(&printed[0]);
    assert!(said.contains(&format!("(http://localhost:{})", addr.port())), "{said}");
    let (_, said) = paste(&printed[1]);
    let url = said
        .split("Sign in with any Mastodon app at ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("a sign-in URL")
        .to_string();
    assert_eq!(url, format!("http://localhost:{}", addr.port()), "{said}");
    let token_cmd = said
        .split("or make a token for scripts: ")
        .nth(1)
        .and_then(|r| r.lines().next())
        .expect("a token command");
    let (token, _) = paste(token_cmd);

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    let client = reqwest::Client::builder()
        .resolve("localhost", addr)
        .no_proxy()
        .build()
        .expect("client");
    rt.block_on(async {
        let r = client.get(format!("{url}/api/v2/instance")).send().await.expect("sent");
        assert_eq!(r.status(), 200, "the printed URL answers");
        let inst: serde_json::Value = r.json().await.expect("json");
        assert_eq!(inst["domain"], format!("localhost:{}", addr.port()));
        let me = client
            .get(format!("{url}/api/v1/accounts/verify_credentials"))
            .bearer_auth(token.trim())
            .send()
            .await
            .expect("sent");
        assert_eq!(me.status(), 200);
        let me: serde_json::Value = me.json().await.expect("json");
        assert_eq!(me["username"], "admin");
        assert!(me["url"].as_str().is_some_and(|u| u.starts_with(&url)), "{me}");
    });
}

/// `herd moderation`: blocks imported from and exported to Mastodon's CSV, an account action
/// and the report queue, with errors naming the problem.
#[test]
fn moderation_commands() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let db = test_db();
    let ok = |args: &[&str]| {
        let out = herd(&data, &db, args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    ok(&["tenant", "create", "org-a.test"]);
    ok(&[
        "account",
        "create",
        "--tenant",
        "org-a.test",
        "bob",
        "--email",
        "bob@example.org",
        "--password",
        "long enough pw",
    ]);
    let csv = dir.path().join("blocks.csv");
    std::fs::write(
        &csv,
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
         spam.example,suspend,false,false,\"spam, lots\",false\nloud.example,silence,true,false,,true\n",
    )
    .expect("write");
    ok(&[
        "moderation",
        "blocks",
        "import",
        "--tenant",
        "org-a.test",
        csv.to_str().expect("path"),
    ]);
    let again = herd(
        &data,
        &db,
        &[
            "moderation",
            "blocks",
            "import",
            "--tenant",
            "org-a.test",
            csv.to_str().expect("path"),
        ],
    );
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("0 blocks added"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let listed = ok(&["moderation", "blocks", "list", "--tenant", "org-a.test"]);
    assert!(
        listed.contains("spam.example\tsuspend") && listed.contains("loud.example\tsilence\ttrue"),
        "{listed}"
    );
    let exported = ok(&["moderation", "blocks", "export", "--tenant", "org-a.test", "-"]);
    assert!(
        exported.starts_with("#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate"),
        "{exported}"
    );
    assert!(
        exported.contains("spam.example,suspend,false,false,\"spam, lots\",false"),
        "{exported}"
    );
    ok(&["moderation", "blocks", "remove", "--tenant", "org-a.test", "loud.example"]);
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "fine.example,suspend\nnot a domain,suspend\n").expect("write");
    let out = herd(
        &data,
        &db,
        &[
            "moderation",
            "blocks",
            "import",
            "--tenant",
            "org-a.test",
            bad.to_str().expect("path"),
        ],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 2"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    ok(&[
        "moderation",
        "account",
        "action",
        "--tenant",
        "org-a.test",
        "bob",
        "--type",
        "silence",
        "--text",
        "calm down",
    ]);
    let out = herd(
        &data,
        &db,
        &[
            "moderation",
            "account",
            "action",
            "--tenant",
            "org-a.test",
            "bob",
            "--type",
            "explode",
        ],
    );
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("explode"));
    let out = herd(
        &data,
        &db,
        &[
            "moderation",
            "account",
            "action",
            "--tenant",
            "org-a.test",
            "nobody",
            "--type",
            "none",
        ],
    );
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("nobody"));
    assert_eq!(ok(&["moderation", "report", "list", "--tenant", "org-a.test"]), "");
}

/// `herd org`, `herd plan`, `herd booking` and `herd usage`: an organization with a hosted
/// and an external instance, plans and bookings, a hosting booking ended and reopened, and
/// the month's usage as CSV; mistakes are named.
#[test]
fn provider_commands() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let db = test_db();
    let run = |args: &[&str]| herd(&data, &db, args);
    let ok = |args: &[&str]| {
        let out = run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let fails = |args: &[&str], says: &str| {
        let out = run(args);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(err.contains(says), "{args:?}: {err}");
    };
    ok(&["org", "create", "land-sh", "--name", "Land Schleswig-Holstein"]);
    fails(&["org", "create", "Land SH", "--name", "x"], "short name");
    ok(&[
        "plan",
        "define",
        "host-s",
        "--service",
        "hosting",
        "--max-accounts",
        "50",
        "--max-storage",
        "10GiB",
    ]);
    ok(&[
        "plan",
        "define",
        "mod-24-7",
        "--service",
        "moderation",
        "--response",
        "4h",
        "--coverage",
        "24/7",
    ]);
    fails(
        &["plan", "define", "bad", "--service", "support", "--max-accounts", "3"],
        "max_accounts is not a term of support",
    );
    fails(
        &[
            "plan",
            "define",
            "bad",
            "--service",
            "support",
            "--coverage",
            "mon-fri 09:00-17:00 Mars/Base",
        ],
        "not a known time zone",
    );
    ok(&["tenant", "create", "social.example-sh.test", "--org", "land-sh", "--plan", "host-s"]);
    ok(&["org", "external", "land-sh", "mastodon.example-ministry.test"]);
    ok(&[
        "booking",
        "add",
        "--org",
        "land-sh",
        "--service",
        "moderation",
        "--instance",
        "social.example-sh.test",
        "--plan",
        "mod-24-7",
    ]);
    ok(&[
        "booking",
        "add",
        "--org",
        "land-sh",
        "--service",
        "support",
        "--coverage",
        "mon-fri 09:00-17:00 Europe/Berlin",
        "--response",
        "1d",
    ]);
    fails(
        &[
            "booking",
            "add",
            "--org",
            "land-sh",
            "--service",
            "hosting",
            "--instance",
            "mastodon.example-ministry.test",
        ],
        "hosting is booked for a hosted instance",
    );
    fails(
        &[
            "booking",
            "add",
            "--org",
            "land-sh",
            "--service",
            "moderation",
            "--instance",
            "social.example-sh.test",
        ],
        "has a moderation booking already",
    );
    let list = ok(&["booking", "list", "--org", "land-sh"]);
    assert_eq!(list.lines().count(), 3, "{list}");
    let hosting = list
        .lines()
        .find(|l| l.split('\t').nth(1) == Some("hosting"))
        .and_then(|l| l.split('\t').next())
        .expect("hosting booking")
        .to_string();
    assert!(list.contains("\"max_accounts\":50"), "{list}");
    assert!(list.contains("mon-fri 09:00-17:00 Europe/Berlin"), "{list}");
    let tenants = ok(&["tenant", "list"]);
    assert!(tenants.contains("land-sh\thosted"), "{tenants}");
    ok(&["booking", "end", "--org", "land-sh", &hosting]);
    let tenants = ok(&["tenant", "list"]);
    assert!(tenants.contains("land-sh\tread-only until"), "{tenants}");
    ok(&["booking", "reopen", "--org", "land-sh", &hosting]);
    assert!(ok(&["tenant", "list"]).contains("land-sh\thosted"));
    let show = ok(&["org", "show", "land-sh"]);
    assert!(
        show.contains("external\tmastodon.example-ministry.test\thttps://mastodon.example-ministry.test"),
        "{show}"
    );
    let audit = ok(&["org", "audit", "land-sh"]);
    for action in [
        "organization.create",
        "instance.create",
        "booking.create",
        "booking.end",
        "booking.reopen",
        "external_instance.register",
    ] {
        assert!(audit.contains(action), "{action} in {audit}");
    }
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let csv = ok(&["usage", "--org", "land-sh", "--month", &month, "--now"]);
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .is_some_and(|h| h.starts_with("instance,date,active_users,accounts,posts"))
    );
    assert!(lines.next().is_some_and(|l| l.starts_with("social.example-sh.test,")), "{csv}");
    fails(&["usage", "--org", "land-sh", "--month", "December"], "is not a month like 2026-12");
    fails(&["usage", "--org", "nobody", "--month", &month], "no organization \"nobody\"");

    // Staff: the first operator from the command line, with a generated password.
    let password = ok(&["staff", "create", "ops@provider.example", "--name", "Ops"]);
    assert!(password.trim().len() >= 16, "{password}");
    fails(
        &["staff", "create", "ops@provider.example", "--name", "Again"],
        "is a staff member already",
    );
    fails(&["staff", "create", "not-an-address", "--name", "X"], "email");
    let list = ok(&["staff", "list"]);
    assert!(list.contains("ops@provider.example\tOps\toperator\tno 2fa yet"), "{list}");
    let token = ok(&["staff", "token", "ops@provider.example"]);
    assert_eq!(token.trim().len(), 43);
    ok(&["staff", "role", "ops@provider.example", "support"]);
    ok(&["staff", "disable", "ops@provider.example"]);
    let list = ok(&["staff", "list"]);
    assert!(list.contains("support\tno 2fa yet\tdisabled"), "{list}");
    fails(&["staff", "disable", "nobody@provider.example"], "no staff member");
}
