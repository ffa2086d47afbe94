//! The organization console at `https://INSTANCE/admin` and members' two-factor
//! authentication, over HTTP as a browser speaks it: an owner's work (staff, rules,
//! settings, announcements, emoji, usage, the audit trail) seen through Mastodon's API
//! afterwards; the isolation walk (no session, a member, another organization's owner, an
//! admin above their rank, missing and wrong CSRF tokens); and a second factor asked for by
//! every browser sign-in and refused to the password grant; team accounts posted as by
//! several members, each post recorded with who made it.

mod common;

use common::Server;
use common::browser::{Browser, Page};
use herd_app::two_factor::Totp;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

/// Signs `login` in on the instance's sign-in page; the browser and where it was sent.
async fn sign_in(s: &Server, host: &str, login: &str, password: &str) -> (Browser, Page) {
    let mut b = Browser::on(host);
    let form = b.get(s, "/auth/sign_in").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let p = b.post(s, "/auth/sign_in", &[("email", login), ("password", password)], None).await;
    (b, p)
}

async fn signed_in(s: &Server, host: &str, login: &str) -> Browser {
    let (b, p) = sign_in(s, host, login, PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(b.cookies.contains_key("herd_session"));
    b
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs()
}

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let i = body.find(start).unwrap_or_else(|| panic!("{start} in {body}")) + start.len();
    body[i..].split(end).next().expect("end")
}

async fn user_role(s: &Server, host: &str, username: &str) -> (String, i64) {
    let t = herd_app::tenants::by_domain(s.app(), &s.domain(host)).await.expect("tenant");
    let a = herd_app::accounts::local_by_username(s.app(), &t, username).await.expect("account");
    let mut c = s.app().db.conn().await.expect("conn");
    let u = herd_store::users::by_account(&mut c, t.id, a.id)
        .await
        .expect("user")
        .expect("a user");
    (u.role, u.disabled)
}

#[tokio::test]
async fn an_owner_works_the_organization_console() {
    let s = Server::start().await;
    let a = s.tenant("org-a.test", "open").await;
    let (_, alice_token) = s.account(&a, "alice", "owner").await;

    // Without a session the console sends the browser to sign in, and back afterwards.
    let mut nobody = Browser::on("org-a.test");
    let p = nobody.get(&s, "/admin").await;
    assert_eq!(
        (p.status, p.location.as_str()),
        (StatusCode::SEE_OTHER, "/auth/sign_in?next=%2Fadmin")
    );
    let (_, wrong) = sign_in(&s, "org-a.test", "alice@example.org", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Invalid email or password"), "{}", wrong.body);

    let mut b = signed_in(&s, "org-a.test", "alice").await;
    let home = b.get(&s, "/admin").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(
        home.body.contains("Hosted") && home.body.contains("<td>hosting</td>"),
        "{}",
        home.body
    );
    assert!(home.body.contains("@alice (owner)"), "{}", home.body);
    // A session is no app token, and an app's token (even the owner's) is no session.
    let session = b.cookies["herd_session"].clone();
    s.get(&a, "/api/v1/accounts/verify_credentials", Some(&session)).await.expect(401);
    let mut borrowed = Browser::on("org-a.test");
    borrowed.cookies.insert("herd_session".into(), alice_token.clone());
    assert_eq!(
        borrowed.get(&s, "/admin").await.status,
        StatusCode::SEE_OTHER,
        "an app token opens no console"
    );

    // Staff: an invited moderator, then an admin; disabled and enabled again.
    let made = b
        .post(
            &s,
            "/admin/accounts",
            &[("username", "mod1"), ("email", "mod1@example.org"), ("role", "moderator")],
            None,
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let password = between(&made.body, "<code id=\"new-password\">", "<").to_string();
    assert!(password.len() >= 16, "{password}");
    let (mut m, p) = sign_in(&s, "org-a.test", "mod1@example.org", &password).await;
    assert_eq!((p.status, p.location.as_str()), (StatusCode::SEE_OTHER, "/settings/two-factor"));
    assert_eq!(
        m.get(&s, "/admin").await.status,
        StatusCode::FORBIDDEN,
        "a moderator is not an admin"
    );
    let p = b
        .post(&s, "/admin/accounts/role", &[("username", "@mod1"), ("role", "admin")], None)
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(user_role(&s, "org-a.test", "mod1").await.0, "admin");
    assert_eq!(m.get(&s, "/admin").await.status, StatusCode::OK, "the new role counts at once");
    let staff = b.get(&s, "/admin/accounts").await;
    assert!(
        staff.body.contains("@mod1") && staff.body.contains("mod1@example.org"),
        "{}",
        staff.body
    );
    let mod1 = herd_app::accounts::local_by_username(s.app(), &herd_app::tenants::by_domain(s.app(), &a).await.expect("t"), "mod1")
        .await
        .expect("mod1")
        .id;
    let p = b.post(&s, &format!("/admin/accounts/{mod1}/disable"), &[], None).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(user_role(&s, "org-a.test", "mod1").await.1, 1);
    let p = m.get(&s, "/admin").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "a disabled account's session ends");
    let (_, refused) = sign_in(&s, "org-a.test", "mod1", &password).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.body.contains("disabled"), "{}", refused.body);
    b.post(&s, &format!("/admin/accounts/{mod1}/enable"), &[], None).await;
    let (_, again) = sign_in(&s, "org-a.test", "mod1", &password).await;
    assert_eq!((again.status, again.location.as_str()), (StatusCode::SEE_OTHER, "/admin"));
    let own = b
        .post(&s, "/admin/accounts/role", &[("username", "alice"), ("role", "admin")], None)
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "nobody changes their own role here");

    // Rules, settings, announcements and emoji, as Mastodon's API shows them afterwards.
    let p = b
        .post(&s, "/admin/rules", &[("text", "Be kind"), ("hint", "No harassment.")], None)
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let rules = s.get(&a, "/api/v1/instance/rules", None).await.expect(200).json;
    assert_eq!(rules[0]["text"], "Be kind");
    let rule_id = rules[0]["id"].as_str().expect("id").to_string();
    let p = b.post(&s, "/admin/rules", &[("text", "  "), ("hint", "")], None).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "an empty rule is refused: {}", p.body);
    b.post(&s, &format!("/admin/rules/{rule_id}/delete"), &[], None).await;
    assert_eq!(s.get(&a, "/api/v1/instance/rules", None).await.expect(200).json, json!([]));

    let p = b
        .post(
            &s,
            "/admin/settings",
            &[
                ("title", "Land Schleswig-Holstein"),
                ("contact_email", "social@example-sh.test"),
                ("registrations", "closed"),
                ("description", "The state's own instance."),
                ("privacy_policy", "We keep what you post."),
                ("imprint", "Landesregierung"),
            ],
            None,
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let inst = s.get(&a, "/api/v2/instance", None).await.expect(200).json;
    assert_eq!(inst["title"], "Land Schleswig-Holstein");
    assert_eq!(inst["registrations"]["enabled"], false);
    let bad = b
        .post(&s, "/admin/settings", &[("title", "x"), ("registrations", "sometimes")], None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(
        s.get(&a, "/api/v2/instance", None).await.expect(200).json["title"],
        "Land Schleswig-Holstein",
        "nothing of a refused form is kept"
    );

    let p = b
        .post(
            &s,
            "/admin/announcements",
            &[("text", "Maintenance on Sunday"), ("starts_at", "2026-12-13")],
            None,
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let ann = s.get(&a, "/api/v1/announcements", Some(&alice_token)).await.expect(200).json;
    assert!(
        ann[0]["content"].as_str().expect("content").contains("Maintenance on Sunday"),
        "{ann}"
    );
    let bad = b
        .post(&s, "/admin/announcements", &[("text", "x"), ("starts_at", "Sunday")], None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    b.post(
        &s,
        &format!("/admin/announcements/{}/delete", ann[0]["id"].as_str().expect("id")),
        &[],
        None,
    )
    .await;
    assert_eq!(
        s.get(&a, "/api/v1/announcements", Some(&alice_token)).await.expect(200).json,
        json!([])
    );

    let form = reqwest::multipart::Form::new()
        .text("authenticity_token", b.cookies["herd_console_csrf"].clone())
        .text("shortcode", "herd")
        .part(
            "image",
            reqwest::multipart::Part::bytes(common::png(32, 32))
                .file_name("herd.png")
                .mime_str("image/png")
                .expect("mime"),
        );
    let r = s
        .http
        .post(s.url(&a, "/admin/emoji"))
        .header("cookie", b.header())
        .multipart(form)
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let emoji = s.get(&a, "/api/v1/custom_emojis", None).await.expect(200).json;
    assert_eq!(emoji[0]["shortcode"], "herd", "{emoji}");
    let page = b.get(&s, "/admin/emoji").await;
    assert!(
        page.body.contains(":herd:") && page.body.contains("<img src=\"/system/"),
        "{}",
        page.body
    );
    b.post(&s, "/admin/emoji/herd/delete", &[], None).await;
    assert_eq!(s.get(&a, "/api/v1/custom_emojis", None).await.expect(200).json, json!([]));

    // Usage and the audit trail: the provider's rows (the instance and its hosting booking)
    // and the instance's own, with who did them.
    let usage = b.get(&s, "/admin/usage").await;
    assert_eq!(usage.status, StatusCode::OK);
    assert!(usage.body.contains("<svg"), "{}", usage.body);
    let csv = b.get(&s, "/admin/usage?format=csv").await;
    assert!(csv.body.starts_with("instance,"), "{}", csv.body);
    let audit = b.get(&s, "/admin/audit").await;
    for what in [
        "instance.create",
        "booking.create",
        "account.role",
        "account.disable",
        "rule.create",
        "rule.delete",
        "tenant.configure",
        "emoji",
    ] {
        assert!(audit.body.contains(what), "{what} in {}", audit.body);
    }
    assert!(
        audit.body.contains("<td>@alice</td>") && audit.body.contains("<td>provider</td>"),
        "{}",
        audit.body
    );

    // Signing out ends the session: its cookie is worth nothing afterwards.
    let old = b.clone();
    let out = b.post(&s, "/auth/sign_out", &[], None).await;
    assert_eq!((out.status, out.location.as_str()), (StatusCode::SEE_OTHER, "/auth/sign_in"));
    let mut old = old;
    assert_eq!(old.get(&s, "/admin").await.status, StatusCode::SEE_OTHER);
}

const PAGES: &[&str] = &[
    "/admin",
    "/admin/usage",
    "/admin/audit",
    "/admin/accounts",
    "/admin/rules",
    "/admin/settings",
    "/admin/emoji",
    "/admin/announcements",
    "/admin/teams",
    "/admin/sso",
];

const FORMS: &[&str] = &[
    "/admin/accounts",
    "/admin/accounts/role",
    "/admin/accounts/1/disable",
    "/admin/accounts/1/enable",
    "/admin/accounts/1/reset-two-factor",
    "/admin/rules",
    "/admin/rules/1/delete",
    "/admin/settings",
    "/admin/emoji/x/delete",
    "/admin/announcements",
    "/admin/announcements/1/delete",
    "/admin/teams",
    "/admin/teams/1/members",
    "/admin/teams/1/members/remove",
    "/admin/sso",
    "/admin/sso/disable",
    "/settings/two-factor/setup",
    "/settings/two-factor/confirm",
    "/settings/two-factor/disable",
    "/auth/sign_out",
];

#[tokio::test]
async fn the_organization_console_is_closed_to_everyone_else() {
    let s = Server::start().await;
    let a = s.tenant("org-a.test", "open").await;
    let b_dom = s.tenant("org-b.test", "open").await;
    s.account(&a, "alice", "owner").await;
    s.account(&a, "adm", "admin").await;
    s.account(&a, "bob", "member").await;
    s.account(&b_dom, "bea", "owner").await;
    let nobody = Browser::on("org-a.test");
    let mut member = signed_in(&s, "org-a.test", "bob").await;
    let mut other = signed_in(&s, "org-b.test", "bea").await;
    // Bea's session, carried to org-a.test, means nothing there.
    let mut carried = other.clone();
    carried.host = "org-a.test".into();
    let mut alice = signed_in(&s, "org-a.test", "alice").await;

    for path in PAGES {
        let mut n = nobody.clone();
        let p = n.get(&s, path).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{path} without a session");
        assert!(p.location.starts_with("/auth/sign_in?next="), "{path}: {}", p.location);
        assert_eq!(member.get(&s, path).await.status, StatusCode::FORBIDDEN, "{path} for a member");
        let p = carried.get(&s, path).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{path} with another instance's session");
        assert_eq!(alice.get(&s, path).await.status, StatusCode::OK, "{path} for the owner");
    }
    // Bea's own console shows her organization only.
    for path in ["/admin", "/admin/audit", "/admin/usage", "/admin/accounts"] {
        let p = other.get(&s, path).await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(!p.body.contains("org-a.test") && !p.body.contains("alice"), "{path}: {}", p.body);
    }
    let token = alice.cookies["herd_console_csrf"].clone();
    for path in FORMS {
        let mut n = nobody.clone();
        assert_eq!(
            n.post(&s, path, &[], Some("")).await.status,
            StatusCode::FORBIDDEN,
            "{path} without a token"
        );
        assert_eq!(
            alice.post(&s, path, &[], Some("")).await.status,
            StatusCode::FORBIDDEN,
            "{path}: a missing token"
        );
        let wrong = "w".repeat(token.len());
        assert_eq!(
            alice.post(&s, path, &[], Some(&wrong)).await.status,
            StatusCode::FORBIDDEN,
            "{path}: a wrong token"
        );
        if path.starts_with("/admin") {
            assert_eq!(
                member.post(&s, path, &[], None).await.status,
                StatusCode::FORBIDDEN,
                "{path} for a member"
            );
            let p = carried.post(&s, path, &[], Some(&other.cookies["herd_console_csrf"])).await;
            assert!(
                matches!(p.status, StatusCode::SEE_OTHER | StatusCode::FORBIDDEN),
                "{path} with another instance's session: {}",
                p.status
            );
            if p.status == StatusCode::SEE_OTHER {
                assert!(p.location.starts_with("/auth/sign_in"), "{path}: {}", p.location);
            }
        }
    }
    // An admin acts only below their rank, and gives only roles below their own.
    let mut adm = signed_in(&s, "org-a.test", "adm").await;
    let owner_id = herd_app::accounts::local_by_username(s.app(), &herd_app::tenants::by_domain(s.app(), &a).await.expect("t"), "alice")
        .await
        .expect("alice")
        .id;
    let p = adm.post(&s, &format!("/admin/accounts/{owner_id}/disable"), &[], None).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    let p = adm
        .post(&s, "/admin/accounts/role", &[("username", "bob"), ("role", "owner")], None)
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    let p = adm
        .post(&s, "/admin/accounts/role", &[("username", "bob"), ("role", "moderator")], None)
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        user_role(&s, "org-a.test", "alice").await,
        ("owner".to_string(), 0),
        "nothing happened to the owner"
    );
    // Only safe places to go back to after signing in.
    let mut n = nobody.clone();
    n.get(&s, "/auth/sign_in").await;
    let p = n
        .post(
            &s,
            "/auth/sign_in",
            &[("email", "alice"), ("password", PASSWORD), ("next", "//evil.example/admin")],
            None,
        )
        .await;
    assert_eq!(p.location, "/admin");
}

/// Registers an app on the instance; its client id and secret.
async fn register_app(s: &Server, domain: &str) -> (String, String) {
    let r = s
        .post(
            domain,
            "/api/v1/apps",
            None,
            json!({"client_name": "test", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write"}),
        )
        .await
        .expect(200)
        .json;
    (
        r["client_id"].as_str().expect("id").into(),
        r["client_secret"].as_str().expect("secret").into(),
    )
}

async fn password_grant(s: &Server, domain: &str, app: &(String, String), username: &str) -> (u16, Value) {
    let r = s
        .http
        .post(s.url(domain, "/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", &app.0),
            ("client_secret", &app.1),
            ("username", username),
            ("password", PASSWORD),
            ("scope", "read"),
        ])
        .send()
        .await
        .expect("sent");
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_member_turns_on_two_factor_and_every_sign_in_asks_for_it() {
    let s = Server::start().await;
    let a = s.tenant("org-a.test", "open").await;
    s.account(&a, "alice", "owner").await;
    let (bob_id, _) = s.account(&a, "bob", "member").await;
    let app = register_app(&s, &a).await;
    assert_eq!(password_grant(&s, &a, &app, "bob@example.org").await.0, 200);

    let mut b = signed_in(&s, "org-a.test", "bob@example.org").await;
    let page = b.get(&s, "/settings/two-factor").await;
    assert!(page.body.contains("<strong>off</strong>"), "{}", page.body);
    let setup = b.post(&s, "/settings/two-factor/setup", &[], None).await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.body);
    assert!(setup.body.contains("otpauth://totp/org-a.test"), "{}", setup.body);
    let totp = Totp::from_base32(between(&setup.body, "<code id=\"secret\">", "<")).expect("base32");
    let wrong = b.post(&s, "/settings/two-factor/confirm", &[("code", "000000")], None).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let now = now_secs();
    let done = b
        .post(
            &s,
            "/settings/two-factor/confirm",
            &[("code", &totp.code_at(now).expect("code"))],
            None,
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let codes: Vec<String> = done
        .body
        .split("<li><code>")
        .skip(1)
        .filter_map(|c| c.split('<').next().map(str::to_string))
        .collect();
    assert_eq!(codes.len(), 10);

    // The password grant cannot give a code: refused, as Mastodon refuses it.
    let (status, body) = password_grant(&s, &a, &app, "bob@example.org").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");

    // The browser sign-in asks for the code; the code just used does not work twice.
    let (mut c, p) = sign_in(&s, "org-a.test", "bob", PASSWORD).await;
    assert_eq!((p.status, p.location.as_str()), (StatusCode::SEE_OTHER, "/auth/sign_in/two-factor"));
    assert!(!c.cookies.contains_key("herd_session"), "no session before the code");
    let again = c
        .post(&s, "/auth/sign_in/two-factor", &[("code", &totp.code_at(now).expect("code"))], None)
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "a code is used once");
    let next = c
        .post(
            &s,
            "/auth/sign_in/two-factor",
            &[("code", &totp.code_at(now + 30).expect("code"))],
            None,
        )
        .await;
    assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
    assert!(c.cookies.contains_key("herd_session") && !c.cookies.contains_key("herd_sign_in"));
    assert!(c.get(&s, "/settings/two-factor").await.body.contains("<strong>on</strong>"));

    // The OAuth page: password, then a recovery code (once only).
    let mut o = Browser::on("org-a.test");
    let q = format!(
        "/oauth/authorize?response_type=code&client_id={}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read",
        app.0
    );
    let form = o.get(&s, &q).await;
    assert_eq!(form.status, StatusCode::OK);
    let fields = |extra: &[(&'static str, String)]| {
        let mut f: Vec<(&'static str, String)> = vec![
            ("client_id", app.0.clone()),
            ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob".into()),
            ("scope", "read".into()),
        ];
        f.extend_from_slice(extra);
        f
    };
    let csrf = o.cookies["herd_csrf"].clone();
    let f = fields(&[("email", "bob@example.org".into()), ("password", PASSWORD.into())]);
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let asked = o.post(&s, "/oauth/authorize", &f, Some(&csrf)).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(asked.body.contains("name=\"code\""), "{}", asked.body);
    let ticket = between(&asked.body, "name=\"ticket\" value=\"", "\"").to_string();
    for (round, want) in [(0, StatusCode::OK), (1, StatusCode::UNAUTHORIZED)] {
        let csrf = o.cookies["herd_csrf"].clone();
        let f = fields(&[("ticket", ticket.clone()), ("code", codes[0].clone())]);
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let p = o.post(&s, "/oauth/authorize", &f, Some(&csrf)).await;
        assert_eq!(p.status, want, "round {round}: {}", p.body);
        if round == 0 {
            assert!(p.body.contains("Authorization code"), "{}", p.body);
        }
    }
    let forged = o
        .post(
            &s,
            "/oauth/authorize",
            &[("ticket", "forged"), ("code", "123456")],
            Some(&o.cookies["herd_csrf"].clone()),
        )
        .await;
    assert_eq!(
        forged.status,
        StatusCode::BAD_REQUEST,
        "a request without its client is refused first"
    );

    // Bob lost his phone: an admin turns his second factor off, and the password is enough again.
    let mut alice = signed_in(&s, "org-a.test", "alice").await;
    let staff = alice.get(&s, "/admin/accounts").await;
    assert!(!staff.body.contains("@bob"), "members are not staff");
    let p = alice
        .post(&s, &format!("/admin/accounts/{bob_id}/reset-two-factor"), &[], None)
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(password_grant(&s, &a, &app, "bob@example.org").await.0, 200);
    let audit = alice.get(&s, "/admin/audit").await;
    assert!(
        audit.body.contains("account.two_factor.reset") && audit.body.contains("account.two_factor.enable"),
        "{}",
        audit.body
    );
}

/// The OAuth page as an app opens it: signs `login` in (acting as `team` when given) and
/// exchanges the code; the token, or the page that refused.
async fn authorize(s: &Server, host: &str, app: &(String, String), login: &str, team: &str) -> Result<String, Page> {
    let d = s.domain(host);
    let mut o = Browser::on(host);
    let q = format!(
        "/oauth/authorize?response_type=code&client_id={}&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read+write",
        app.0
    );
    let form = o.get(s, &q).await;
    assert!(form.body.contains("name=\"acting_as\""), "{}", form.body);
    let csrf = o.cookies["herd_csrf"].clone();
    let p = o
        .post(
            s,
            "/oauth/authorize",
            &[
                ("client_id", &app.0),
                ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
                ("scope", "read write"),
                ("email", login),
                ("password", PASSWORD),
                ("acting_as", team),
            ],
            Some(&csrf),
        )
        .await;
    if p.status != StatusCode::OK || !p.body.contains("Authorization code") {
        return Err(p);
    }
    let code = between(&p.body, "<p><code>", "<").to_string();
    let r = s
        .http
        .post(s.url(&d, "/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", &app.0),
            ("client_secret", &app.1),
            ("code", &code),
            ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
        ])
        .send()
        .await
        .expect("sent");
    let v: Value = r.json().await.expect("json");
    Ok(v["access_token"].as_str().expect("token").to_string())
}

#[tokio::test]
async fn a_team_account_is_posted_as_by_its_members_and_each_post_names_who() {
    let s = Server::start().await;
    let a = s.tenant("org-a.test", "open").await;
    s.account(&a, "alice", "owner").await;
    s.account(&a, "carol", "member").await;
    s.account(&a, "dave", "member").await;
    let mut admin = signed_in(&s, "org-a.test", "alice").await;
    let p = admin
        .post(&s, "/admin/teams", &[("username", "press"), ("email", "press@example.org")], None)
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let t = herd_app::tenants::by_domain(s.app(), &a).await.expect("t");
    let press = herd_app::accounts::local_by_username(s.app(), &t, "press").await.expect("press").id;
    let p = admin
        .post(&s, &format!("/admin/teams/{press}/members"), &[("username", "@carol")], None)
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    for (who, why) in [("nobody", "no account"), ("press", "a team cannot act as a team")] {
        let p = admin
            .post(&s, &format!("/admin/teams/{press}/members"), &[("username", who)], None)
            .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {}", p.body);
    }

    // Carol signs in as herself, naming the team, and posts as @press.
    let app = register_app(&s, &a).await;
    let token = authorize(&s, "org-a.test", &app, "carol@example.org", "@press")
        .await
        .unwrap_or_else(|p| panic!("{}", p.body));
    let me = s
        .get(&a, "/api/v1/accounts/verify_credentials", Some(&token))
        .await
        .expect(200)
        .json;
    assert_eq!(me["username"], "press");
    let post = s.status(&a, &token, json!({"status": "Our statement on the budget"})).await;
    let public = s.get(&a, &format!("/api/v1/statuses/{post}"), None).await.expect(200);
    assert_eq!(public.json["account"]["username"], "press");
    assert!(!public.text.contains("carol"), "the public never sees who: {}", public.text);
    let note = s
        .http
        .get(s.url(&a, &format!("/users/press/statuses/{post}")))
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    assert!(note.contains("Our statement") && !note.contains("carol"), "{note}");
    let second = s.status(&a, &token, json!({"status": "A correction"})).await;
    s.call(
        reqwest::Method::DELETE,
        &a,
        &format!("/api/v1/statuses/{second}"),
        Some(&token),
        json!({}),
    )
    .await
    .expect(200);

    // The admins see who made each one.
    let page = admin.get(&s, "/admin/teams").await;
    assert!(page.body.contains("<td>@carol</td><td>@press</td><td>posted</td>"), "{}", page.body);
    assert!(page.body.contains("<td>deleted</td>"), "{}", page.body);
    let audit = admin.get(&s, "/admin/audit").await;
    assert!(
        audit.body.contains("team.status.create") && audit.body.contains(&post),
        "{}",
        audit.body
    );

    // Dave is no member; nobody signs in as the team with a password; removing Carol ends
    // her token for it at once, while her own account is untouched.
    let refused = authorize(&s, "org-a.test", &app, "dave@example.org", "press")
        .await
        .expect_err("dave is no member");
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("You may not act as @press"), "{}", refused.body);
    assert_eq!(password_grant(&s, &a, &app, "press@example.org").await.0, 400);
    let p = admin
        .post(&s, "/admin/accounts/role", &[("username", "press"), ("role", "admin")], None)
        .await;
    assert_eq!(
        p.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a team keeps the member role: {}",
        p.body
    );
    // Disabling Carol ends her team token for good, not only while she is disabled.
    let carol = herd_app::accounts::local_by_username(s.app(), &t, "carol").await.expect("carol").id;
    admin.post(&s, &format!("/admin/accounts/{carol}/disable"), &[], None).await;
    s.get(&a, "/api/v1/accounts/verify_credentials", Some(&token)).await.expect(401);
    admin.post(&s, &format!("/admin/accounts/{carol}/enable"), &[], None).await;
    s.get(&a, "/api/v1/accounts/verify_credentials", Some(&token)).await.expect(401);
    let token = authorize(&s, "org-a.test", &app, "carol@example.org", "press")
        .await
        .unwrap_or_else(|p| panic!("{}", p.body));
    let own = authorize(&s, "org-a.test", &app, "carol@example.org", "")
        .await
        .unwrap_or_else(|p| panic!("{}", p.body));
    let p = admin
        .post(&s, &format!("/admin/teams/{press}/members/remove"), &[("username", "carol")], None)
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    s.get(&a, "/api/v1/accounts/verify_credentials", Some(&token)).await.expect(401);
    admin
        .post(&s, &format!("/admin/teams/{press}/members"), &[("username", "carol")], None)
        .await;
    s.get(&a, "/api/v1/accounts/verify_credentials", Some(&token)).await.expect(401);
    let mine = s.get(&a, "/api/v1/accounts/verify_credentials", Some(&own)).await.expect(200).json;
    assert_eq!(mine["username"], "carol");
}
