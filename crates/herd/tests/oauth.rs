//! OAuth 2 end to end: the HTML sign-in page with CSRF protection, authorization codes with
//! PKCE, the password and client-credentials grants, revocation, metadata and rate limits.

mod common;

use common::{Resp, Server};
use serde_json::{Value, json};

async fn register(s: &Server, d: &str, redirect: &str) -> Value {
    s.post(
        d,
        "/api/v1/apps",
        None,
        json!({"client_name": "Test app", "redirect_uris": redirect, "scopes": "read write follow", "website": "https://example.org"}),
    )
    .await
    .expect(200)
    .json
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name} in form: {html}")) + marker.len();
    html[start..].split('"').next().unwrap_or("").to_string()
}

#[tokio::test]
async fn authorization_code_with_pkce_and_csrf() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    s.account(&d, "alice", "member").await;
    let app = register(&s, &d, "https://client.example/callback").await;
    let client_id = app["client_id"].as_str().unwrap().to_string();
    assert!(app["client_secret"].as_str().is_some_and(|c| c.len() >= 32));

    // RFC 7636 appendix B.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let q = format!(
        "/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri=https%3A%2F%2Fclient.example%2Fcallback&scope=read+write&state=xyz&code_challenge={challenge}&code_challenge_method=S256"
    );
    let page = s.get(&d, &q, None).await.expect(200);
    assert!(page.text.contains("Test app") && page.text.contains("<form"), "{}", page.text);
    assert!(page.headers.get("content-security-policy").is_some());
    assert_eq!(page.headers.get("x-frame-options").and_then(|v| v.to_str().ok()), Some("DENY"));
    let csp = page
        .headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        !csp.contains("form-action"),
        "form-action would block redirects to apps' custom schemes: {csp}"
    );
    let cookie = page
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("csrf cookie")
        .to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let csrf = hidden(&page.text, "authenticity_token");
    let cookie_pair = cookie.split(';').next().unwrap().to_string();

    let form = |email: &str, password: &str, token: &str| {
        vec![
            ("client_id", client_id.clone()),
            ("redirect_uri", "https://client.example/callback".to_string()),
            ("scope", "read write".to_string()),
            ("state", "xyz".to_string()),
            ("code_challenge", challenge.to_string()),
            ("code_challenge_method", "S256".to_string()),
            ("authenticity_token", token.to_string()),
            ("email", email.to_string()),
            ("password", password.to_string()),
        ]
    };
    let submit = |fields: Vec<(&'static str, String)>, cookie: Option<String>| {
        let mut rb = s.http.post(s.url(&d, "/oauth/authorize")).form(&fields);
        if let Some(c) = cookie {
            rb = rb.header("cookie", c);
        }
        async move { Resp::from(rb.send().await.expect("sent")).await }
    };

    // Without the cookie (a cross-site post), nothing happens.
    submit(form("alice@example.org", "correct horse battery", &csrf), None)
        .await
        .expect(403);
    // Wrong password: the form again, with an error, and no code.
    let r = submit(form("alice@example.org", "wrong password", &csrf), Some(cookie_pair.clone()))
        .await
        .expect(401);
    assert!(r.text.contains("Invalid email or password"), "{}", r.text);
    // Right password: redirected back with a code and the state.
    let r = submit(form("alice@example.org", "correct horse battery", &csrf), Some(cookie_pair.clone()))
        .await
        .expect(302);
    let location = r
        .headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_string();
    assert!(
        location.starts_with("https://client.example/callback?code=") && location.ends_with("&state=xyz"),
        "{location}"
    );
    let code = location.split("code=").nth(1).unwrap().split('&').next().unwrap().to_string();

    // A wrong verifier fails; the right one (no client secret: a public client) succeeds.
    let exchange = |verifier: &str| json!({"grant_type": "authorization_code", "client_id": client_id, "code": code, "redirect_uri": "https://client.example/callback", "code_verifier": verifier});
    let r = s
        .post(&d, "/oauth/token", None, exchange("not-the-verifier-not-the-verifier-000000000"))
        .await;
    assert!(r.status.is_client_error(), "{}", r.text);
    // The failed attempt consumed the code (single use): mint a new one.
    let r = submit(form("alice", "correct horse battery", &csrf), Some(cookie_pair.clone()))
        .await
        .expect(302);
    let location = r.headers.get("location").and_then(|v| v.to_str().ok()).unwrap().to_string();
    let code = location.split("code=").nth(1).unwrap().split('&').next().unwrap().to_string();
    let body = json!({"grant_type": "authorization_code", "client_id": client_id, "code": code, "redirect_uri": "https://client.example/callback", "code_verifier": verifier});
    let tok = s.post(&d, "/oauth/token", None, body.clone()).await.expect(200).json;
    assert_eq!(tok["token_type"], "Bearer");
    assert_eq!(tok["scope"], "read write");
    let access = tok["access_token"].as_str().unwrap().to_string();
    let me = s.get(&d, "/api/v1/accounts/verify_credentials", Some(&access)).await.expect(200);
    assert_eq!(me.json["username"], "alice");
    // The token has only the scopes granted: no follow.
    let bob = s.account(&d, "bob", "member").await.0;
    let r = s
        .post(&d, &format!("/api/v1/accounts/{bob}/follow"), Some(&access), Value::Null)
        .await
        .expect(200);
    assert_eq!(r.json["following"], true, "write covers write:follows");
    // Replaying the code fails and revokes the token it gave.
    let r = s.post(&d, "/oauth/token", None, body).await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    assert_eq!(r.json["error"], "invalid_grant");
    s.get(&d, "/api/v1/accounts/verify_credentials", Some(&access)).await.expect(401);

    // An unregistered redirect URI is refused before any sign-in.
    let bad = format!("/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri=https%3A%2F%2Fevil.example%2F&scope=read");
    s.get(&d, &bad, None).await.expect(400);
    s.stop().await;
}

#[tokio::test]
async fn password_and_client_credentials_grants() {
    let mut s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    s.account(&d, "alice", "member").await;
    let app = register(&s, &d, "urn:ietf:wg:oauth:2.0:oob").await;
    let (id, secret) = (app["client_id"].clone(), app["client_secret"].clone());

    let meta = s.get(&d, "/.well-known/oauth-authorization-server", None).await.expect(200).json;
    assert_eq!(meta["token_endpoint"], format!("http://{d}/oauth/token"));
    assert!(meta["grant_types_supported"].as_array().unwrap().iter().any(|g| g == "password"));

    let pw = |password: &str, scope: &str| json!({"grant_type": "password", "client_id": id, "client_secret": secret, "username": "alice@example.org", "password": password, "scope": scope});
    let tok = s
        .post(&d, "/oauth/token", None, pw("correct horse battery", "read"))
        .await
        .expect(200)
        .json;
    let access = tok["access_token"].as_str().unwrap().to_string();
    assert_eq!(tok["scope"], "read");
    // A read-only token cannot post.
    let r = s
        .post(&d, "/api/v1/statuses", Some(&access), json!({"status": "hi"}))
        .await
        .expect(403);
    assert_eq!(r.json["error"], "This action is outside the authorized scopes");
    // Asking for more than the app registered is refused.
    let r = s.post(&d, "/oauth/token", None, pw("correct horse battery", "admin:write")).await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    // A wrong secret is an unknown client.
    let r = s
        .post(
            &d,
            "/oauth/token",
            None,
            json!({"grant_type": "client_credentials", "client_id": id, "client_secret": "nope"}),
        )
        .await
        .expect(401);
    assert_eq!(r.json["error"], "invalid_client");
    // Client credentials give an app token: it can verify the app but is no user.
    let app_tok = s
        .post(
            &d,
            "/oauth/token",
            None,
            json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}),
        )
        .await
        .expect(200)
        .json;
    let app_access = app_tok["access_token"].as_str().unwrap().to_string();
    let v = s
        .get(&d, "/api/v1/apps/verify_credentials", Some(&app_access))
        .await
        .expect(200)
        .json;
    assert_eq!(v["name"], "Test app");
    s.get(&d, "/api/v1/accounts/verify_credentials", Some(&app_access))
        .await
        .expect(422);
    // Revocation.
    s.post(
        &d,
        "/oauth/revoke",
        None,
        json!({"client_id": id, "client_secret": secret, "token": access}),
    )
    .await
    .expect(200);
    s.get(&d, "/api/v1/accounts/verify_credentials", Some(&access)).await.expect(401);

    // Guessing passwords is rate limited (from an address that is not exempt).
    s.http = s.client_from("127.0.0.2");
    let mut last = 0;
    for _ in 0..30 {
        last = s
            .post(&d, "/oauth/token", None, pw("guess guess guess", "read"))
            .await
            .status
            .as_u16();
        if last == 429 {
            break;
        }
        assert_eq!(last, 400);
    }
    assert_eq!(last, 429, "password guessing must be rate limited");
    s.stop().await;
}

#[tokio::test]
async fn sign_up_follows_registration_mode() {
    let s = Server::start().await;
    let open = s.tenant("org-a.test", "open").await;
    let approval = s.tenant("org-b.test", "approval").await;
    let closed = s.tenant("org-c.test", "closed").await;
    for (d, expect) in [(&open, 200), (&approval, 200), (&closed, 403)] {
        let app = register(&s, d, "urn:ietf:wg:oauth:2.0:oob").await;
        let app_tok = s
            .post(d, "/oauth/token", None, json!({"grant_type": "client_credentials", "client_id": app["client_id"], "client_secret": app["client_secret"], "scope": "read write"}))
            .await
            .expect(200)
            .json["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        // Missing agreement and bad input are clear errors.
        let r = s
            .post(
                d,
                "/api/v1/accounts",
                Some(&app_tok),
                json!({"username": "new", "email": "new@example.org", "password": "long enough pw"}),
            )
            .await;
        assert!(r.status.as_u16() == 422 || r.status.as_u16() == 403, "{}", r.text);
        let r = s
            .post(
                d,
                "/api/v1/accounts",
                Some(&app_tok),
                json!({"username": "bad name", "email": "x@example.org", "password": "long enough pw", "agreement": true}),
            )
            .await;
        assert!(r.status.as_u16() == 422 || r.status.as_u16() == 403, "{}", r.text);
        let r = s
            .post(d, "/api/v1/accounts", Some(&app_tok), json!({"username": "newbie", "email": "newbie@example.org", "password": "long enough pw", "agreement": true, "reason": "I work here", "locale": "de"}))
            .await
            .expect(expect);
        if expect != 200 {
            continue;
        }
        // Every field's problem at once, in Mastodon's words and codes.
        let refused = s
            .post(
                d,
                "/api/v1/accounts",
                Some(&app_tok),
                json!({"username": "newbie", "email": "newbie@example.org", "password": "short"}),
            )
            .await
            .expect(422);
        let error = refused.json["error"].as_str().unwrap_or_default();
        assert!(error.starts_with("Validation failed: "), "{error}");
        assert!(
            error.contains("E-mail address has already been taken") && error.contains("Service agreement must be accepted"),
            "{error}"
        );
        let details = &refused.json["details"];
        assert_eq!(
            details["username"][0],
            json!({"error": "ERR_TAKEN", "description": "has already been taken"})
        );
        assert_eq!(details["email"][0]["error"], "ERR_TAKEN");
        assert_eq!(details["password"][0]["error"], "ERR_TOO_SHORT");
        assert_eq!(details["agreement"][0]["error"], "ERR_ACCEPTED");
        let user_tok = r.json["access_token"].as_str().unwrap().to_string();
        let me = s.get(d, "/api/v1/accounts/verify_credentials", Some(&user_tok)).await;
        if d == &open {
            assert_eq!(me.expect(200).json["username"], "newbie");
        } else {
            let me = me.expect(403);
            assert_eq!(me.json["error"], "Your login is currently pending approval");
            // An admin lets the sign-up in; the same token then works.
            let t = herd_app::tenants::by_domain(s.app(), d).await.unwrap();
            let mut c = s.app().db.conn().await.unwrap();
            let pending = herd_store::users::list(&mut c, t.id, true).await.unwrap();
            assert_eq!(pending.iter().map(|(u, _)| u.as_str()).collect::<Vec<_>>(), ["newbie"]);
            let id = pending[0].1.account_id;
            drop(c);
            herd_app::accounts::approve(s.app(), &herd_app::Actor::Operator, &t, id)
                .await
                .unwrap();
            let me = s.get(d, "/api/v1/accounts/verify_credentials", Some(&user_tok)).await.expect(200);
            assert_eq!(me.json["username"], "newbie");
            assert!(
                herd_app::accounts::approve(s.app(), &herd_app::Actor::Operator, &t, id)
                    .await
                    .is_err(),
                "approving twice is an error"
            );
            // Another sign-up is turned away: its account and token are gone.
            let r = s
                .post(d, "/api/v1/accounts", Some(&app_tok), json!({"username": "spammer", "email": "spam@example.org", "password": "long enough pw", "agreement": true, "reason": "buy"}))
                .await
                .expect(200);
            let spam_tok = r.json["access_token"].as_str().unwrap().to_string();
            let mut c = s.app().db.conn().await.unwrap();
            let spam = herd_store::users::list(&mut c, t.id, true).await.unwrap()[0].1.account_id;
            drop(c);
            herd_app::accounts::reject(s.app(), &herd_app::Actor::Operator, &t, spam)
                .await
                .unwrap();
            s.get(d, "/api/v1/accounts/verify_credentials", Some(&spam_tok)).await.expect(401);
            s.get(d, "/api/v1/accounts/lookup?acct=spammer", None).await.expect(404);
        }
        // The name is taken now.
        let r = s
            .post(
                d,
                "/api/v1/accounts",
                Some(&app_tok),
                json!({"username": "NewBie", "email": "other@example.org", "password": "long enough pw", "agreement": true, "reason": "x"}),
            )
            .await;
        assert_eq!(r.status.as_u16(), 422, "{}", r.text);
    }
    s.stop().await;
}
