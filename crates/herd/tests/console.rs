//! The provider console on the admin domain, over HTTP as a browser speaks it (forms and
//! cookies): staff sign-in with a required second factor, the isolation walk (no session,
//! wrong CSRF token, a role that may not write, the other domains), and the operator's work
//! on an organization.

mod common;

use common::Server;
use common::browser::{Browser, Page};
use herd_app::Actor;
use herd_app::two_factor::Totp;
use herd_core::{Email, StaffRole};
use reqwest::StatusCode;

async fn console() -> Server {
    Server::start_with_config(|c| c.admin_domain = Some("admin.test".into())).await
}

async fn staff(s: &Server, email: &str, role: StaffRole) {
    herd_app::staff::create(
        s.app(),
        &Actor::Operator,
        herd_app::staff::NewStaff {
            email: Email::parse(email).expect("email"),
            name: format!("Staff {email}"),
            role,
            password: Some("a long staff password".into()),
        },
    )
    .await
    .expect("staff");
}

fn secret_of(body: &str) -> String {
    let start = body.find("<code id=\"secret\">").expect("the key is shown") + "<code id=\"secret\">".len();
    body[start..].split('<').next().expect("key").to_string()
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs()
}

/// Signs in for the first time (enrolling the second factor); the browser and the secret.
async fn first_sign_in(s: &Server, email: &str) -> (Browser, Totp, Vec<String>) {
    let mut b = Browser::on("admin.test");
    b.get(s, "/sign-in").await;
    let p = b
        .post(s, "/sign-in", &[("email", email), ("password", "a long staff password")], None)
        .await;
    assert_eq!((p.status, p.location.as_str()), (StatusCode::SEE_OTHER, "/sign-in/setup"));
    let setup = b.get(s, "/sign-in/setup").await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.body);
    let totp = Totp::from_base32(&secret_of(&setup.body)).expect("base32");
    assert!(setup.body.contains("otpauth://totp/Herd:"), "{}", setup.body);
    let code = totp.code_at(now_secs()).expect("code");
    let done = b.post(s, "/sign-in/setup", &[("code", &code)], None).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let codes: Vec<String> = done
        .body
        .split("<li><code>")
        .skip(1)
        .filter_map(|c| c.split('<').next().map(str::to_string))
        .collect();
    assert_eq!(codes.len(), 10, "{}", done.body);
    (b, totp, codes)
}

#[tokio::test]
async fn staff_sign_in_requires_a_second_factor() {
    let s = console().await;
    staff(&s, "ops@provider.example", StaffRole::Operator).await;
    let mut b = Browser::on("admin.test");
    let home = b.get(&s, "/").await;
    assert_eq!((home.status, home.location.as_str()), (StatusCode::SEE_OTHER, "/sign-in"));
    b.get(&s, "/sign-in").await;
    let wrong = b
        .post(&s, "/sign-in", &[("email", "ops@provider.example"), ("password", "wrong")], None)
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Invalid e-mail address or password"));
    let unknown = b
        .post(
            &s,
            "/sign-in",
            &[("email", "nobody@provider.example"), ("password", "a long staff password")],
            None,
        )
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNAUTHORIZED,
        "an unknown address reads like a wrong password"
    );

    // A password alone reaches nothing but the second step.
    b.post(
        &s,
        "/sign-in",
        &[("email", "ops@provider.example"), ("password", "a long staff password")],
        None,
    )
    .await;
    assert_eq!(b.get(&s, "/").await.location, "/sign-in", "no console before the second factor");
    let setup = b.get(&s, "/sign-in/setup").await;
    let totp = Totp::from_base32(&secret_of(&setup.body)).expect("base32");
    let bad = b.post(&s, "/sign-in/setup", &[("code", "000000")], None).await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.body.contains("Invalid two-factor code"));
    let code = totp.code_at(now_secs()).expect("code");
    assert_eq!(b.post(&s, "/sign-in/setup", &[("code", &code)], None).await.status, StatusCode::OK);
    let home = b.get(&s, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Organizations"), "{}", home.body);
    assert!(home.body.contains("Staff ops@provider.example (operator)"));
    b.post(&s, "/sign-out", &[], None).await;
    assert_eq!(b.get(&s, "/").await.location, "/sign-in", "signed out");

    // The next sign-in asks for a code; the one already used is refused (replay), a fresh
    // one (the next step) or a recovery code works, each recovery code once.
    let mut b = Browser::on("admin.test");
    b.get(&s, "/sign-in").await;
    let p = b
        .post(
            &s,
            "/sign-in",
            &[("email", "ops@provider.example"), ("password", "a long staff password")],
            None,
        )
        .await;
    assert_eq!(p.location, "/sign-in/two-factor");
    let replay = b.post(&s, "/sign-in/two-factor", &[("code", &code)], None).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "a code is used once");
    let next = totp.code_at(now_secs() + 30).expect("code");
    let ok = b.post(&s, "/sign-in/two-factor", &[("code", &next)], None).await;
    assert_eq!((ok.status, ok.location.as_str()), (StatusCode::SEE_OTHER, "/"));
    assert_eq!(b.get(&s, "/").await.status, StatusCode::OK);

    let (_, _, codes) = {
        staff(&s, "second@provider.example", StaffRole::Support).await;
        first_sign_in(&s, "second@provider.example").await
    };
    for (attempt, expect) in [(&codes[0], StatusCode::SEE_OTHER), (&codes[0], StatusCode::UNAUTHORIZED)] {
        let mut b = Browser::on("admin.test");
        b.get(&s, "/sign-in").await;
        b.post(
            &s,
            "/sign-in",
            &[("email", "second@provider.example"), ("password", "a long staff password")],
            None,
        )
        .await;
        let r = b.post(&s, "/sign-in/two-factor", &[("code", attempt)], None).await;
        assert_eq!(r.status, expect, "recovery code {attempt}: {}", r.body);
    }
    // Every sign-in and the enrolment are in the audit trail.
    let mut c = s.app().db.conn().await.expect("conn");
    let trail = herd_store::provider_audit::list(&mut c, None, None, 100).await.expect("audit");
    assert!(trail.iter().any(|e| e.action == "staff.two_factor.enable"));
    assert!(
        trail
            .iter()
            .any(|e| e.action == "staff.sign_in" && e.detail.contains("\"recovery_code\":true"))
    );
}

#[tokio::test]
async fn the_console_is_closed_to_everyone_else() {
    let s = console().await;
    staff(&s, "ops@provider.example", StaffRole::Operator).await;
    staff(&s, "mod@provider.example", StaffRole::Moderator).await;
    let (mut ops, _, _) = first_sign_in(&s, "ops@provider.example").await;
    let org = ops
        .post(
            &s,
            "/organizations",
            &[("name", "Land Schleswig-Holstein"), ("slug", "land-sh")],
            None,
        )
        .await;
    assert_eq!(
        (org.status, org.location.as_str()),
        (StatusCode::SEE_OTHER, "/organizations/land-sh")
    );
    let pages = ["/", "/organizations/land-sh", "/organizations/land-sh/usage", "/plans", "/audit"];
    let forms = [
        "/organizations",
        "/organizations/land-sh/instances",
        "/organizations/land-sh/externals",
        "/organizations/land-sh/contacts",
        "/organizations/land-sh/bookings",
        "/plans",
    ];
    // Without a session: every page sends to the sign-in, every form is refused.
    let mut nobody = Browser::on("admin.test");
    for p in pages {
        let r = nobody.get(&s, p).await;
        assert_eq!((r.status, r.location.as_str()), (StatusCode::SEE_OTHER, "/sign-in"), "{p}");
    }
    nobody.get(&s, "/sign-in").await;
    for f in forms {
        let r = nobody.post(&s, f, &[("name", "x"), ("slug", "xx")], None).await;
        assert!(
            matches!(r.status, StatusCode::SEE_OTHER | StatusCode::FORBIDDEN),
            "{f}: {}",
            r.status
        );
        assert_ne!(r.location, "/organizations/xx");
    }
    // With a session: a missing or wrong CSRF token is refused.
    for f in forms {
        for token in ["", "not-the-token-of-this-browser-at-all-0123456789"] {
            let r = ops.post(&s, f, &[("name", "Other"), ("slug", "other")], Some(token)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{f} with {token:?}");
        }
    }
    // A moderator reads but does not change.
    let (mut moderator, _, _) = first_sign_in(&s, "mod@provider.example").await;
    for p in pages {
        assert_eq!(moderator.get(&s, p).await.status, StatusCode::OK, "{p}");
    }
    let page = moderator.get(&s, "/organizations/land-sh").await;
    assert!(!page.body.contains("Book a service"), "no forms for a moderator");
    let r = moderator
        .post(&s, "/organizations", &[("name", "Other"), ("slug", "other")], None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = moderator
        .post(&s, "/organizations/land-sh/bookings", &[("service", "support")], None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut c = s.app().db.conn().await.expect("conn");
    assert!(herd_store::organizations::by_slug(&mut c, "other").await.expect("org").is_none());
    assert!(herd_store::organizations::by_slug(&mut c, "xx").await.expect("org").is_none());
    drop(c);
    // The console is on the admin domain only; an instance's domain never serves it, and
    // the admin domain serves no instance.
    let d = s.tenant("org-a.test", "open").await;
    let (_, alice) = s.account(&d, "alice", "owner").await;
    assert_ne!(s.get(&d, "/plans", None).await.status, StatusCode::OK);
    assert_eq!(s.get(&d, "/sign-in", Some(&alice)).await.status, StatusCode::NOT_FOUND);
    let admin = s.domain("admin.test");
    assert_eq!(s.get(&admin, "/api/v1/instance", None).await.status, StatusCode::NOT_FOUND);
    // A member's session cookie or token of an instance means nothing here.
    let r = s.http.get(s.url(&admin, "/")).bearer_auth(&alice).send().await.expect("sent");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// The operator's journey over HTTP: an organization with a hosted instance and an external
/// one, plans, bookings (hosting, backups, moderation 4 h 24/7 for the instance, support in
/// Berlin business hours for the organization), a contact, the usage page and the audit trail;
/// ending the hosting booking shows on the page.
#[tokio::test]
async fn an_operator_sets_up_an_organization() {
    let s = console().await;
    staff(&s, "ops@provider.example", StaffRole::Operator).await;
    let (mut b, _, _) = first_sign_in(&s, "ops@provider.example").await;
    let see = |p: &Page, to: &str| {
        assert_eq!((p.status, p.location.as_str()), (StatusCode::SEE_OTHER, to), "{}", p.body);
    };
    see(
        &b.post(
            &s,
            "/organizations",
            &[("name", "Land Schleswig-Holstein"), ("slug", "land-sh")],
            None,
        )
        .await,
        "/organizations/land-sh",
    );
    see(
        &b.post(
            &s,
            "/plans",
            &[
                ("name", "mod-4h"),
                ("service", "moderation"),
                ("response", "4h"),
                ("coverage", "24/7"),
            ],
            None,
        )
        .await,
        "/plans",
    );
    see(
        &b.post(
            &s,
            "/plans",
            &[
                ("name", "backup-daily"),
                ("service", "backups"),
                ("backup_every", "24h"),
                ("backup_keep", "14"),
            ],
            None,
        )
        .await,
        "/plans",
    );
    let bad = b
        .post(&s, "/plans", &[("name", "x"), ("service", "support"), ("max_accounts", "3")], None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("max_accounts is not a term of support"), "{}", bad.body);
    let taken = b
        .post(
            &s,
            "/organizations/land-sh/instances",
            &[("domain", "admin.test"), ("registrations", "approval")],
            None,
        )
        .await;
    assert_eq!(
        taken.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the console's own domain: {}",
        taken.body
    );
    assert!(taken.body.contains("provider console"), "{}", taken.body);
    let domain = s.domain("social.example-sh.test");
    see(
        &b.post(
            &s,
            "/organizations/land-sh/instances",
            &[("domain", &domain), ("title", "Social SH"), ("registrations", "approval")],
            None,
        )
        .await,
        "/organizations/land-sh",
    );
    see(
        &b.post(
            &s,
            "/organizations/land-sh/externals",
            &[("domain", "mastodon.example-ministry.test")],
            None,
        )
        .await,
        "/organizations/land-sh",
    );
    for form in [
        vec![("service", "backups"), ("instance", domain.as_str()), ("plan", "backup-daily")],
        vec![("service", "moderation"), ("instance", domain.as_str()), ("plan", "mod-4h")],
        vec![
            ("service", "support"),
            ("instance", ""),
            ("coverage", "mon-fri 09:00-17:00 Europe/Berlin"),
        ],
    ] {
        see(
            &b.post(&s, "/organizations/land-sh/bookings", &form, None).await,
            "/organizations/land-sh",
        );
    }
    let twice = b
        .post(
            &s,
            "/organizations/land-sh/bookings",
            &[("service", "moderation"), ("instance", &domain)],
            None,
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    see(
        &b.post(
            &s,
            "/organizations/land-sh/contacts",
            &[("name", "Ada Admin"), ("email", "ada@example-sh.test"), ("role", "admin")],
            None,
        )
        .await,
        "/organizations/land-sh",
    );
    let page = b.get(&s, "/organizations/land-sh").await;
    for text in [
        "Social SH",
        "mastodon.example-ministry.test",
        "response 4 h, 24/7",
        "mon-fri 09:00-17:00 Europe/Berlin",
        "backup every 24 h, 14 kept",
        "Ada Admin",
        "Hosted",
    ] {
        assert!(page.body.contains(text), "{text} in {}", page.body);
    }
    // The instance is served, and its organization's bookings entitle it.
    let t = herd_app::tenants::by_domain(s.app(), &domain).await.expect("instance");
    let g = herd_app::entitlements::of(s.app(), t.id).await.expect("grant");
    assert!(g.has(herd_core::Service::Moderation) && g.has(herd_core::Service::Support) && g.has(herd_core::Service::Backups));
    s.get(&domain, "/api/v1/instance", None).await.expect(200);

    // Usage: the chart and the CSV.
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    herd_app::usage::roll_up(s.app(), herd_app::usage::day_of(herd_core::Timestamp::now().0))
        .await
        .expect("roll-up");
    let usage = b.get(&s, &format!("/organizations/land-sh/usage?month={month}")).await;
    assert_eq!(usage.status, StatusCode::OK);
    assert!(
        usage.body.contains("<svg role=\"img\"") && usage.body.contains(&domain),
        "{}",
        usage.body
    );
    let csv = b.get(&s, &format!("/organizations/land-sh/usage?month={month}&format=csv")).await;
    assert!(csv.body.starts_with("instance,date,active_users"), "{}", csv.body);
    let bad_month = b.get(&s, "/organizations/land-sh/usage?month=soon").await;
    assert_eq!(bad_month.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Ending hosting from the console: the page says read-only.
    let mut c = s.app().db.conn().await.expect("conn");
    let hosting = herd_store::bookings::for_tenant(&mut c, t.id)
        .await
        .expect("bookings")
        .into_iter()
        .find(|b| b.service == "hosting")
        .expect("hosting");
    drop(c);
    see(
        &b.post(&s, &format!("/organizations/land-sh/bookings/{}/end", hosting.id), &[], None)
            .await,
        "/organizations/land-sh",
    );
    assert!(b.get(&s, "/organizations/land-sh").await.body.contains("Read-only; suspended from"));
    let audit = b.get(&s, "/audit?org=land-sh").await;
    for a in [
        "organization.create",
        "instance.create",
        "external_instance.register",
        "booking.create",
        "booking.end",
        "organization.contact.add",
    ] {
        assert!(audit.body.contains(a), "{a} in the audit page");
    }
    assert!(audit.body.contains("staff:"), "actions are the staff member's, not the CLI's");
}

/// The operator journey, the organization admin's journey and TOTP sign-ins (staff and
/// instance account) in Chromium (`tests/pages/console.mjs`, with
/// puppeteer-core and axe-core from `tests/pages`): every console page it reaches passes
/// axe's WCAG 2.1 A/AA rules, and its picture is kept in `target/console-screenshots` for a
/// person to look at.
#[tokio::test]
async fn the_operator_journey_in_a_browser() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/pages");
    assert!(
        dir.join("node_modules/axe-core/axe.min.js").exists() && dir.join("node_modules/puppeteer-core").exists(),
        "axe-core and puppeteer-core are not installed: run `npm ci` in tests/pages"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "Chromium is not installed: `apt-get install chromium` (Debian's package), or set CHROMIUM"
    );
    let s = console().await;
    staff(&s, "ops@provider.example", StaffRole::Operator).await;
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/console-screenshots");
    let instance = s.domain("social.example-sh.test");
    let out = tokio::process::Command::new("node")
        .arg(dir.join("console.mjs"))
        .arg(s.url(&s.domain("admin.test"), ""))
        .arg("ops@provider.example")
        .arg("a long staff password")
        .arg(&instance)
        .env("CHROMIUM", &chromium)
        .env(
            "HERD_RESOLVE_RULES",
            "MAP admin.test 127.0.0.1, MAP social.example-sh.test 127.0.0.1",
        )
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
    let parsed: serde_json::Value = serde_json::from_str(&report).expect("a JSON report");
    let pages = parsed["pages"].as_array().cloned().unwrap_or_default();
    assert_eq!(pages.len(), 24, "{report}");
    assert!(pages.iter().all(|p| p["passes"].as_i64() > Some(5)), "axe ran its rules: {report}");
    for p in &pages {
        let name = p["name"].as_str().expect("name");
        assert!(
            std::fs::metadata(shots.join(format!("{name}.png"))).is_ok_and(|m| m.len() > 5_000),
            "a picture of {name}"
        );
    }
    // What the browser did is what the provider's data says.
    let t = herd_app::tenants::by_domain(s.app(), &instance).await.expect("the hosted instance");
    let g = herd_app::entitlements::of(s.app(), t.id).await.expect("grant");
    assert_eq!(g.terms(herd_core::Service::Moderation).and_then(|t| t.response_minutes), Some(240));
    let support = g.terms(herd_core::Service::Support).and_then(|t| t.coverage.clone());
    assert_eq!(support.map(|c| c.to_string()).as_deref(), Some("mon-fri 09:00-17:00 Europe/Berlin"));
    assert_eq!(g.terms(herd_core::Service::Backups).and_then(|t| t.backup_keep), Some(14));
}

/// The provider API for a billing system: a staff member's token, operators change and
/// everyone else reads, Mastodon-style errors, and an OpenAPI document naming every route.
#[tokio::test]
async fn the_provider_api_serves_a_billing_system() {
    use serde_json::json;
    let s = console().await;
    staff(&s, "ops@provider.example", StaffRole::Operator).await;
    staff(&s, "help@provider.example", StaffRole::Support).await;
    let token = |email: &'static str| {
        let app = s.app().clone();
        async move {
            let row = herd_app::staff::by_email(&app, email).await.expect("staff");
            let st = herd_app::staff::Staff::from_row(row).expect("staff");
            herd_app::staff::issue_token(&app, &Actor::Operator, &st, "billing")
                .await
                .expect("token")
        }
    };
    let (ops, help) = (token("ops@provider.example").await, token("help@provider.example").await);
    let admin = s.domain("admin.test");
    let none = s.get(&admin, "/api/herd/v1/organizations", None).await.expect(401);
    assert_eq!(none.json["error"], "The access token is invalid");
    s.get(&admin, "/api/herd/v1/organizations", Some("not-a-token")).await.expect(401);
    let made = s
        .post(
            &admin,
            "/api/herd/v1/organizations",
            Some(&ops),
            json!({"slug": "land-sh", "name": "Land Schleswig-Holstein"}),
        )
        .await
        .expect(200);
    assert_eq!(made.json["slug"], "land-sh");
    s.post(
        &admin,
        "/api/herd/v1/organizations",
        Some(&ops),
        json!({"slug": "land-sh", "name": "Again"}),
    )
    .await
    .expect(409);
    s.post(
        &admin,
        "/api/herd/v1/organizations",
        Some(&help),
        json!({"slug": "other", "name": "Other"}),
    )
    .await
    .expect(403);
    let domain = s.domain("social.example-sh.test");
    let i = s
        .post(
            &admin,
            "/api/herd/v1/organizations/land-sh/instances",
            Some(&ops),
            json!({"domain": domain, "title": "Social SH"}),
        )
        .await
        .expect(200);
    assert_eq!(i.json["hosting"], "hosted");
    s.post(
        &admin,
        "/api/herd/v1/plans",
        Some(&ops),
        json!({"name": "mod-4h", "service": "moderation", "terms": {"response_minutes": 240, "coverage": "24/7"}}),
    )
    .await
    .expect(200);
    let b = s
        .post(
            &admin,
            "/api/herd/v1/organizations/land-sh/bookings",
            Some(&ops),
            json!({"service": "moderation", "instance": domain, "plan": "mod-4h", "terms": {"response_minutes": 60}}),
        )
        .await
        .expect(200);
    assert_eq!(b.json["terms"]["response_minutes"], 60);
    assert_eq!(b.json["terms"]["coverage"], "24/7");
    let bad = s
        .post(
            &admin,
            "/api/herd/v1/organizations/land-sh/bookings",
            Some(&ops),
            json!({"service": "support", "terms": {"coverage": "sometimes"}}),
        )
        .await
        .expect(422);
    assert!(bad.json["error"].as_str().is_some_and(|e| e.contains("24/7")), "{}", bad.json);
    let list = s
        .get(&admin, "/api/herd/v1/organizations/land-sh/bookings", Some(&help))
        .await
        .expect(200);
    assert_eq!(list.json.as_array().map(Vec::len), Some(2), "hosting and moderation: {}", list.json);
    let hosting = list
        .json
        .as_array()
        .and_then(|l| l.iter().find(|b| b["service"] == "hosting"))
        .and_then(|b| b["id"].as_str())
        .expect("hosting")
        .to_string();
    let ended = s
        .post(
            &admin,
            &format!("/api/herd/v1/organizations/land-sh/bookings/{hosting}/end"),
            Some(&ops),
            json!({}),
        )
        .await
        .expect(200);
    assert!(ended.json["ends_at"].is_string());
    let org = s.get(&admin, "/api/herd/v1/organizations/land-sh", Some(&help)).await.expect(200);
    assert_eq!(org.json["instances"][0]["hosting"], "read_only");
    s.post(
        &admin,
        &format!("/api/herd/v1/organizations/land-sh/bookings/{hosting}/reopen"),
        Some(&ops),
        json!({}),
    )
    .await
    .expect(200);
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    herd_app::usage::roll_up(s.app(), herd_app::usage::day_of(herd_core::Timestamp::now().0))
        .await
        .expect("roll-up");
    let usage = s
        .get(
            &admin,
            &format!("/api/herd/v1/organizations/land-sh/usage?month={month}"),
            Some(&help),
        )
        .await
        .expect(200);
    assert_eq!(usage.json[0]["instance"], domain.as_str());
    s.get(&admin, "/api/herd/v1/organizations/land-sh/usage?month=May", Some(&help))
        .await
        .expect(422);
    s.get(&admin, "/api/herd/v1/organizations/nobody", Some(&help)).await.expect(404);
    let malformed = s
        .post(&admin, "/api/herd/v1/plans", Some(&ops), json!({"name": 3}))
        .await
        .expect(422);
    assert!(
        malformed.json["error"]
            .as_str()
            .is_some_and(|e| e.contains("not what this route takes"))
    );
    // An instance's own tokens are nothing here.
    let (_, member) = s.account(&domain, "alice", "owner").await;
    s.get(&admin, "/api/herd/v1/organizations", Some(&member)).await.expect(401);

    let doc = s.get(&admin, "/api/herd/v1/openapi.json", None).await.expect(200).json;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{doc}");
    for path in [
        "/api/herd/v1/organizations",
        "/api/herd/v1/organizations/{slug}",
        "/api/herd/v1/organizations/{slug}/instances",
        "/api/herd/v1/organizations/{slug}/externals",
        "/api/herd/v1/organizations/{slug}/bookings",
        "/api/herd/v1/organizations/{slug}/bookings/{id}/end",
        "/api/herd/v1/organizations/{slug}/bookings/{id}/reopen",
        "/api/herd/v1/organizations/{slug}/usage",
        "/api/herd/v1/plans",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} in the OpenAPI document");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}
