//! Single sign-on through an organization's own OpenID Connect provider, against a small
//! provider the test starts (panva's oidc-provider from npm, `tests/pages/idp.mjs`): the
//! journeys in Chromium (`tests/pages/sso.mjs`) for the console, a Mastodon app's OAuth
//! page, a newcomer, and the refusals; then, over plain HTTP, what the flow sends the
//! provider and what a callback that did not start here gets.

mod common;

use std::process::Stdio;

use common::Server;
use common::browser::Browser;
use herd_app::sso::{self, MatchClaim, SsoSetup};
use herd_app::{Actor, AppError};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

fn pages_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/pages")
}

/// The provider, on its own port, with a client per instance and its people; the process
/// ends with the value.
struct Provider {
    issuer: String,
    _child: tokio::process::Child,
    _config: tempfile::NamedTempFile,
}

async fn provider(clients: Value) -> Provider {
    let dir = pages_dir();
    assert!(
        dir.join("node_modules/oidc-provider").exists(),
        "oidc-provider is not installed: run `npm ci` in tests/pages"
    );
    let config = json!({
        "clients": clients,
        "people": {
            "alice": {"email": "alice@example.org", "email_verified": true, "name": "Alice Admin", "preferred_username": "alice"},
            "newbie": {"email": "newbie@example-sh.test", "email_verified": true, "name": "New Person", "preferred_username": "newbie"},
            "unverified": {"email": "carol@example.org", "email_verified": false, "name": "Carol", "preferred_username": "carol"},
            "stranger": {"email": "stranger@example.net", "email_verified": true, "name": "Stranger", "preferred_username": "stranger"},
            "bob": {"email": "bob-elsewhere@example.net", "email_verified": true, "name": "Bob", "preferred_username": "bob"}
        }
    });
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), config.to_string()).expect("written");
    let port = common::free_port();
    let mut child = tokio::process::Command::new("node")
        .arg(dir.join("idp.mjs"))
        .arg(port.to_string())
        .arg(file.path())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let (tx, rx) = tokio::sync::oneshot::channel();
    // Read to the end, so the provider never writes into a closed pipe.
    tokio::spawn(async move {
        let mut tx = Some(tx);
        while let Ok(Some(l)) = lines.next_line().await {
            if l.trim() == "ready"
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(true);
            }
        }
    });
    let ready = tokio::time::timeout(std::time::Duration::from_secs(30), rx)
        .await
        .map(|r| r.unwrap_or(false));
    assert_eq!(ready, Ok(true), "the provider started");
    Provider {
        issuer: format!("http://127.0.0.1:{port}"),
        _child: child,
        _config: file,
    }
}

fn client(id: &str, domain: &str) -> Value {
    json!({"client_id": id, "client_secret": format!("{id}-secret"), "redirect_uris": [format!("http://{domain}/auth/sso/callback")]})
}

async fn turn_on(s: &Server, domain: &str, issuer: &str, id: &str, claim: MatchClaim, create: bool) {
    let t = herd_app::tenants::by_domain(s.app(), domain).await.expect("tenant");
    sso::configure(
        s.app(),
        &Actor::Operator,
        &t,
        SsoSetup {
            issuer: issuer.into(),
            client_id: id.into(),
            client_secret: format!("{id}-secret"),
            match_claim: claim,
            create_accounts: create,
            label: "Example ID".into(),
        },
    )
    .await
    .expect("single sign-on configured");
}

/// The instance's audit log: action and target.
async fn audit(s: &Server, t: &herd_app::Tenant) -> Vec<(String, String)> {
    let mut c = s.app().db.conn().await.expect("conn");
    let page = herd_store::Page {
        max_id: None,
        since_id: None,
        min_id: None,
        limit: 100,
    };
    herd_store::audit::list(&mut c, t.id, &Default::default(), &page)
        .await
        .expect("audit")
        .into_iter()
        .map(|r| (r.action, r.target))
        .collect()
}

#[tokio::test]
async fn people_sign_in_through_their_organizations_provider_in_a_browser() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "Chromium is not installed: `apt-get install chromium`"
    );
    let s = Server::start().await;
    let a = s.tenant("org-a.test", "closed").await;
    let b = s.tenant("org-b.test", "closed").await;
    s.account(&a, "alice", "owner").await;
    s.account(&b, "bob", "member").await;
    let idp = provider(json!([client("herd-a", &a), client("herd-b", &b)])).await;
    turn_on(&s, &a, &idp.issuer, "herd-a", MatchClaim::Email, true).await;
    turn_on(&s, &b, &idp.issuer, "herd-b", MatchClaim::PreferredUsername, false).await;
    let app = s
        .post(
            &a,
            "/api/v1/apps",
            None,
            json!({"client_name": "Tusky", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write"}),
        )
        .await
        .expect(200)
        .json;

    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/console-screenshots");
    let out = tokio::process::Command::new("node")
        .arg(pages_dir().join("sso.mjs"))
        .arg(json!({"a": s.url(&a, ""), "b": s.url(&b, ""), "client_id": app["client_id"]}).to_string())
        .env("CHROMIUM", &chromium)
        .env("HERD_RESOLVE_RULES", "MAP org-a.test 127.0.0.1, MAP org-b.test 127.0.0.1")
        .env("HERD_SHOTS", &shots)
        .output()
        .await
        .expect("node runs");
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "a step failed in Chromium or a page has serious accessibility violations:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Value = serde_json::from_str(&report).expect("a JSON report");
    assert_eq!(parsed["steps"].as_array().map(Vec::len), Some(7), "{report}");
    assert_eq!(parsed["pages"].as_array().map(Vec::len), Some(5), "{report}");

    // The app's code is a token for alice, as after a password sign-in.
    let token = s
        .post(
            &a,
            "/oauth/token",
            None,
            json!({
                "grant_type": "authorization_code", "code": parsed["code"], "client_id": app["client_id"],
                "client_secret": app["client_secret"], "redirect_uri": "urn:ietf:wg:oauth:2.0:oob"
            }),
        )
        .await
        .expect(200)
        .json;
    let me = s
        .get(&a, "/api/v1/accounts/verify_credentials", token["access_token"].as_str())
        .await
        .expect(200)
        .json;
    assert_eq!(me["username"], "alice");

    // The newcomer's account, from the provider's claims; nobody made on org-b.
    let ta = herd_app::tenants::by_domain(s.app(), &a).await.expect("tenant");
    let newbie = herd_app::accounts::local_by_username(s.app(), &ta, "newbie")
        .await
        .expect("newbie's account");
    assert_eq!(newbie.display_name, "New Person");
    let tb = herd_app::tenants::by_domain(s.app(), &b).await.expect("tenant");
    assert!(herd_app::accounts::local_by_username(s.app(), &tb, "stranger").await.is_err());
    assert!(
        herd_app::accounts::local_by_username(s.app(), &ta, "carol").await.is_err(),
        "no account for an unverified address"
    );

    // Each link and each account made is in the instance's audit log, and only there.
    let actions_a = audit(&s, &ta).await;
    assert!(actions_a.contains(&("sso.link".into(), "alice".into())), "{actions_a:?}");
    assert!(actions_a.contains(&("sso.account.create".into(), "newbie".into())), "{actions_a:?}");
    let actions_b = audit(&s, &tb).await;
    assert!(actions_b.contains(&("sso.link".into(), "bob".into())), "{actions_b:?}");
    assert!(!actions_b.iter().any(|(_, t)| t == "alice" || t == "newbie"), "{actions_b:?}");
}

#[tokio::test]
async fn the_flow_binds_each_callback_to_the_browser_and_instance_that_started_it() {
    let s = Server::start().await;
    let a = s.tenant("org-a.test", "closed").await;
    let b = s.tenant("org-b.test", "closed").await;
    s.account(&a, "alice", "owner").await;

    // No single sign-on yet: the link leads nowhere, and a callback is refused.
    let mut br = Browser::on("org-a.test");
    let p = br.get(&s, "/auth/sso").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "{}", p.body);
    assert!(
        !br.get(&s, "/auth/sign_in").await.body.contains("/auth/sso"),
        "no button without a provider"
    );

    let idp = provider(json!([client("herd-a", &a), client("herd-b", &b)])).await;
    let ta = herd_app::tenants::by_domain(s.app(), &a).await.expect("tenant");
    // A provider that is not there is refused before anything is kept.
    let wrong = sso::configure(
        s.app(),
        &Actor::Operator,
        &ta,
        SsoSetup {
            issuer: "http://127.0.0.1:9".into(),
            client_id: "herd-a".into(),
            client_secret: "x".into(),
            match_claim: MatchClaim::Email,
            create_accounts: false,
            label: String::new(),
        },
    )
    .await;
    assert!(matches!(wrong, Err(AppError::Unavailable(_))), "{wrong:?}");
    assert!(sso::of(s.app(), &ta).await.expect("read").is_none());
    turn_on(&s, &a, &idp.issuer, "herd-a", MatchClaim::Email, true).await;
    turn_on(&s, &b, &idp.issuer, "herd-b", MatchClaim::Email, true).await;
    assert!(br.get(&s, "/auth/sign_in").await.body.contains("Sign in with Example ID"));

    // Leaving: code flow, PKCE S256, a nonce and a state, the instance's own callback.
    let p = br.get(&s, "/auth/sso?next=/admin/audit").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let to = reqwest::Url::parse(&p.location).expect("a URL");
    assert!(p.location.starts_with(&format!("{}/auth?", idp.issuer)), "{}", p.location);
    let q: std::collections::HashMap<String, String> = to.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["client_id"], "herd-a");
    assert_eq!(q["redirect_uri"], format!("http://{a}/auth/sso/callback"));
    assert!(q["scope"].split(' ').any(|x| x == "openid") && q["scope"].contains("email"));
    assert!(q["nonce"].len() >= 16 && q["state"].len() >= 16 && q["code_challenge"].len() >= 43);
    let sealed = br.cookies.get("herd_sso").cloned().expect("the state is kept in the browser");

    // A state that is not the one sent, a browser without the cookie, and the cookie taken
    // to another instance: all refused, and nobody is signed in.
    let p = br.get(&s, "/auth/sso/callback?state=forged&code=x").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{}", p.body);
    assert!(p.body.contains("did not start here"), "{}", p.body);
    let p = Browser::on("org-a.test")
        .get(&s, &format!("/auth/sso/callback?state={}&code=x", q["state"]))
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{}", p.body);
    let mut other = Browser::on("org-b.test");
    other.cookies.insert("herd_sso".into(), sealed.clone());
    let p = other.get(&s, &format!("/auth/sso/callback?state={}&code=x", q["state"])).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{}", p.body);
    // The right state with a code the provider never issued: the provider refuses it.
    br.cookies.insert("herd_sso".into(), sealed);
    let p = br.get(&s, &format!("/auth/sso/callback?state={}&code=made-up", q["state"])).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{}", p.body);
    assert!(p.body.contains("refused"), "{}", p.body);
    assert!(!br.cookies.contains_key("herd_session"));
    // The provider's own refusal is shown as such.
    let p = br
        .get(&s, "/auth/sso/callback?error=access_denied&error_description=Denied+by+policy")
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(p.body.contains("Denied by policy"), "{}", p.body);

    // Turned off: the button goes, passwords still work, and it is in the audit log.
    sso::turn_off(s.app(), &Actor::Operator, &ta).await.expect("off");
    assert!(!Browser::on("org-a.test").get(&s, "/auth/sign_in").await.body.contains("/auth/sso"));
    let actions: Vec<String> = audit(&s, &ta).await.into_iter().map(|(a, _)| a).collect();
    assert!(
        actions.contains(&"sso.configure".to_string()) && actions.contains(&"sso.disable".to_string()),
        "{actions:?}"
    );
}
