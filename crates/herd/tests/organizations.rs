//! Organizations and what they book, against the real server: entitlements (quotas, the
//! hosting grace policy), metering equal to the rows, and one organization's bookings and
//! usage kept from another's.

mod common;

use common::{Server, eventually, pair, png};
use herd_app::Actor;
use herd_app::bookings::{NewBooking, Target};
use herd_app::entitlements::Hosting;
use herd_app::organizations::{NewOrganization, Slug};
use herd_core::{Service, Terms, Timestamp};
use herd_store::organizations::OrgRow;
use serde_json::json;

async fn organization(s: &Server, slug: &str) -> OrgRow {
    herd_app::organizations::create(
        s.app(),
        &Actor::Operator,
        NewOrganization {
            slug: Slug::parse(slug).expect("slug"),
            name: format!("Organization {slug}"),
            notes: String::new(),
        },
    )
    .await
    .expect("organization")
}

/// The instance's own organization (every instance has one) and its hosting booking.
async fn hosting_of(s: &Server, d: &str) -> (OrgRow, herd_store::bookings::BookingRow) {
    let t = herd_app::tenants::by_domain(s.app(), d).await.expect("tenant");
    let mut c = s.app().db.conn().await.expect("conn");
    let org = herd_store::organizations::of_tenant(&mut c, t.id)
        .await
        .expect("org")
        .expect("every instance has an organization");
    let b = herd_store::bookings::for_tenant(&mut c, t.id)
        .await
        .expect("bookings")
        .into_iter()
        .rev()
        .find(|b| b.service == "hosting")
        .expect("a hosting booking");
    (org, b)
}

async fn grant(s: &Server, d: &str) -> std::sync::Arc<herd_app::entitlements::Grant> {
    let t = herd_app::tenants::by_domain(s.app(), d).await.expect("tenant");
    herd_app::entitlements::of(s.app(), t.id).await.expect("grant")
}

/// An organization's bookings decide what each instance has: an instance's own booking
/// comes before the organization's, plans give terms that bookings override, and nothing
/// of one organization can be booked through another.
#[tokio::test]
async fn bookings_entitle_each_instance_to_what_was_booked() {
    let s = Server::start().await;
    let sh = organization(&s, "land-sh").await;
    let other = organization(&s, "other-org").await;
    let op = Actor::Operator;
    let plan = |name: &str, service, terms| {
        let app = s.app().clone();
        let name = name.to_string();
        async move { herd_app::bookings::define_plan(&app, &Actor::Operator, &name, service, &terms).await }
    };
    plan(
        "mod-4h",
        Service::Moderation,
        Terms {
            response_minutes: Some(240),
            coverage: Some("24/7".parse().expect("coverage")),
            ..Terms::default()
        },
    )
    .await
    .expect("plan");
    assert!(
        plan(
            "bad",
            Service::Support,
            Terms {
                max_accounts: Some(3),
                ..Terms::default()
            }
        )
        .await
        .is_err(),
        "a quota is no term of support"
    );
    let d = s.domain("org-a.test");
    herd::commands::tenant_create_in(s.app(), &d, None, "open", Some("land-sh"), None)
        .await
        .expect("instance");
    let t = herd_app::tenants::by_domain(s.app(), &d).await.expect("tenant");
    let ext = herd_app::organizations::register_external(
        s.app(),
        &op,
        &sh,
        herd_app::organizations::NewExternal {
            domain: herd_core::Domain::parse("mastodon.example-ministry.test").expect("domain"),
            url: None,
        },
    )
    .await
    .expect("external");
    let book = |org: OrgRow, service, target, plan: Option<&str>, terms| {
        let app = s.app().clone();
        let plan = plan.map(str::to_string);
        async move {
            herd_app::bookings::book(
                &app,
                &Actor::Operator,
                &org,
                NewBooking {
                    service,
                    target,
                    plan,
                    terms,
                    starts_at: None,
                    ends_at: None,
                },
            )
            .await
        }
    };
    // The organization's support, Europe/Berlin business hours; the instance's moderation
    // from the plan with a faster target of its own.
    book(
        sh.clone(),
        Service::Support,
        Target::Organization,
        None,
        Terms {
            coverage: Some("mon-fri 09:00-17:00 Europe/Berlin".parse().expect("coverage")),
            ..Terms::default()
        },
    )
    .await
    .expect("support");
    book(
        sh.clone(),
        Service::Moderation,
        Target::Hosted(t.id),
        Some("mod-4h"),
        Terms {
            response_minutes: Some(60),
            ..Terms::default()
        },
    )
    .await
    .expect("moderation");
    book(
        sh.clone(),
        Service::Moderation,
        Target::External(ext.id),
        Some("mod-4h"),
        Terms::default(),
    )
    .await
    .expect("moderation of the external instance");
    let g = grant(&s, &d).await;
    assert_eq!(g.hosting, Hosting::Active);
    let m = g.terms(Service::Moderation).expect("moderation");
    assert_eq!(
        (m.response_minutes, m.coverage.as_ref().map(|c| c.to_string())),
        (Some(60), Some("24/7".into()))
    );
    assert!(g.has(Service::Support) && !g.has(Service::Backups));

    // Mistakes are refused and named.
    let twice = book(sh.clone(), Service::Moderation, Target::Hosted(t.id), None, Terms::default()).await;
    assert!(
        matches!(&twice, Err(herd_app::AppError::Conflict(m)) if m.contains("moderation booking already")),
        "{twice:?}"
    );
    let wrong_org = book(other.clone(), Service::Moderation, Target::Hosted(t.id), None, Terms::default()).await;
    assert!(matches!(&wrong_org, Err(herd_app::AppError::Invalid(m)) if m.contains("is not an instance of other-org")));
    let ext_of_other = book(other.clone(), Service::Support, Target::External(ext.id), None, Terms::default()).await;
    assert!(ext_of_other.is_err(), "another organization's external instance");
    let hosting_external = book(sh.clone(), Service::Hosting, Target::External(ext.id), None, Terms::default()).await;
    assert!(matches!(&hosting_external, Err(herd_app::AppError::Invalid(m)) if m.contains("hosted instance")));
    let wrong_plan = book(
        sh.clone(),
        Service::Support,
        Target::External(ext.id),
        Some("mod-4h"),
        Terms::default(),
    )
    .await;
    assert!(matches!(&wrong_plan, Err(herd_app::AppError::Invalid(m)) if m.contains("is for moderation")));

    // The organization's trail names every step; the other organization's holds none of it.
    let mut c = s.app().db.conn().await.expect("conn");
    let trail = herd_store::provider_audit::list(&mut c, Some(sh.id), None, 100)
        .await
        .expect("audit");
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "organization.create",
        "instance.create",
        "external_instance.register",
        "booking.create",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    assert_eq!(
        trail.iter().filter(|e| e.action == "booking.create").count(),
        4,
        "hosting, support, two moderations"
    );
    let theirs = herd_store::provider_audit::list(&mut c, Some(other.id), None, 100)
        .await
        .expect("audit");
    assert_eq!(
        theirs.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["organization.create"]
    );
}

/// A hosting plan's quotas: the account over the limit and the upload over the storage are
/// refused with Mastodon-style errors, and nothing already there is lost.
#[tokio::test]
async fn quotas_refuse_clearly_and_lose_nothing() {
    let s = Server::start().await;
    herd_app::bookings::define_plan(
        s.app(),
        &Actor::Operator,
        "tiny",
        Service::Hosting,
        &Terms {
            max_accounts: Some(2),
            max_storage_bytes: Some(20_000),
            ..Terms::default()
        },
    )
    .await
    .expect("plan");
    organization(&s, "small").await;
    let d = s.domain("org-a.test");
    herd::commands::tenant_create_in(s.app(), &d, None, "open", Some("small"), Some("tiny".into()))
        .await
        .expect("instance");
    let (_, alice) = s.account(&d, "alice", "owner").await;
    let app = s.app_token(&d, "read write").await;
    let token = app["access_token"].as_str().expect("token").to_string();
    let sign_up = |name: &str| json!({"username": name, "email": format!("{name}@example.org"), "password": "long enough pw", "agreement": true, "locale": "en"});
    s.post(&d, "/api/v1/accounts", Some(&token), sign_up("bob")).await.expect(200);
    let third = s.post(&d, "/api/v1/accounts", Some(&token), sign_up("carol")).await.expect(422);
    assert_eq!(
        third.json["error"], "Validation failed: This instance has reached its limit of 2 accounts",
        "{}",
        third.json
    );
    let accounts = s.get(&d, "/api/v1/accounts/lookup?acct=bob", Some(&alice)).await.expect(200);
    assert_eq!(accounts.json["username"], "bob");

    // Uploads: the first fits, the next one would not.
    let small = png(8, 8);
    let first = s.upload(&d, &alice, small.clone(), "a.png").await;
    s.wait_media(&d, &first, &alice).await;
    let big = png(1200, 1200);
    assert!(big.len() > 20_000, "{}", big.len());
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(big).file_name("big.png"));
    let r = s
        .http
        .post(s.url(&d, "/api/v2/media"))
        .bearer_auth(&alice)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let r = common::Resp::from(r).await.expect(422);
    assert!(
        r.json["error"].as_str().is_some_and(|e| e.contains("storage is full")),
        "{}",
        r.json
    );
    s.get(&d, &format!("/api/v1/media/{first}"), Some(&alice)).await.expect(200);
    // The same instance's metering counts the upload.
    let t = herd_app::tenants::by_domain(s.app(), &d).await.expect("tenant");
    let mut c = s.app().db.conn().await.expect("conn");
    let used = herd_store::usage::local_media_bytes(&mut c, t.id).await.expect("bytes");
    assert!(used >= small.len() as i64, "{used}");
}

/// Ending the hosting booking makes the instance read-only (posting refused with a clear
/// error; reading, sign-in and moderation work), then suspended after its grace period
/// (the public and other servers get 503, members still read and export); reopening the
/// booking restores it. No data is deleted at any step.
#[tokio::test]
async fn ended_hosting_is_read_only_then_suspended_and_reopening_restores_it() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, alice) = s.account(&d, "alice", "member").await;
    s.account(&d, "admin", "admin").await;
    let admin = herd::commands::token_create(s.app(), &d, "admin", "admin:read admin:write")
        .await
        .expect("token");
    let post = s.status(&d, &alice, json!({"status": "before the end"})).await;
    let (org, hosting) = hosting_of(&s, &d).await;
    let op = Actor::Operator;
    herd_app::bookings::end(s.app(), &op, &org, &hosting, None).await.expect("end");
    assert!(matches!(grant(&s, &d).await.hosting, Hosting::ReadOnly { suspend_at: Some(_), .. }));

    let refused = s
        .post(&d, "/api/v1/statuses", Some(&alice), json!({"status": "after"}))
        .await
        .expect(403);
    assert!(
        refused.json["error"].as_str().is_some_and(|e| e.contains("read-only")),
        "{}",
        refused.json
    );
    s.post(&d, &format!("/api/v1/statuses/{post}/favourite"), Some(&alice), json!({}))
        .await
        .expect(403);
    s.get(&d, &format!("/api/v1/statuses/{post}"), None).await.expect(200);
    s.get(&d, "/api/v1/timelines/home", Some(&alice)).await.expect(200);
    s.get(&d, "/api/v1/accounts/verify_credentials", Some(&alice)).await.expect(200);
    s.get(&d, "/@alice", None).await.expect(200);
    // Signing in still works (an app and a token), and so does moderation.
    s.app_token(&d, "read").await;
    s.get(&d, "/api/v1/admin/reports", Some(&admin)).await.expect(200);
    let sign_up = s.app_token(&d, "read write").await;
    s.post(
        &d,
        "/api/v1/accounts",
        sign_up["access_token"].as_str(),
        json!({"username": "late", "email": "late@example.org", "password": "long enough pw", "agreement": true, "locale": "en"}),
    )
    .await
    .expect(403);
    // The organization console stays open to the instance's admins, with the state shown.
    let mut console = common::browser::Browser::on("org-a.test");
    console.get(&s, "/auth/sign_in").await;
    let signed = console
        .post(
            &s,
            "/auth/sign_in",
            &[("email", "admin"), ("password", "correct horse battery")],
            None,
        )
        .await;
    assert_eq!(signed.location, "/admin", "{}", signed.body);
    let overview = console.get(&s, "/admin").await;
    assert!(overview.body.contains("Read-only; suspended from"), "{}", overview.body);
    let rule = console.post(&s, "/admin/rules", &[("text", "Still moderated")], None).await;
    assert_eq!(rule.status.as_u16(), 303, "{}", rule.body);

    // A hosting booking on a plan without grace, ended: suspended at once.
    herd_app::bookings::define_plan(
        s.app(),
        &op,
        "no-grace",
        Service::Hosting,
        &Terms {
            grace_days: Some(0),
            ..Terms::default()
        },
    )
    .await
    .expect("plan");
    let t = herd_app::tenants::by_domain(s.app(), &d).await.expect("tenant");
    let short = herd_app::bookings::book(
        s.app(),
        &op,
        &org,
        NewBooking {
            service: Service::Hosting,
            target: Target::Hosted(t.id),
            plan: Some("no-grace".into()),
            terms: Terms::default(),
            starts_at: None,
            ends_at: None,
        },
    )
    .await
    .expect("booking");
    assert_eq!(grant(&s, &d).await.hosting, Hosting::Active);
    s.status(&d, &alice, json!({"status": "served again"})).await;
    herd_app::bookings::end(s.app(), &op, &org, &short, None).await.expect("end");
    assert!(matches!(grant(&s, &d).await.hosting, Hosting::Suspended { .. }));
    let gone = s.get(&d, &format!("/api/v1/statuses/{post}"), None).await.expect(503);
    assert!(
        gone.json["error"].as_str().is_some_and(|e| e.contains("suspended")),
        "{}",
        gone.json
    );
    s.get(&d, "/@alice", None).await.expect(503);
    let browser = s
        .http
        .get(s.url(&d, "/@alice"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .expect("sent");
    assert_eq!(browser.status().as_u16(), 503);
    assert!(browser.headers()["content-type"].to_str().expect("type").starts_with("text/html"));
    assert!(browser.text().await.expect("text").contains("suspended"), "a page for a browser");
    s.get(&d, "/.well-known/webfinger?resource=acct:alice@org-a.test", None)
        .await
        .expect(503);
    s.post(&d, "/inbox", None, json!({"type": "Delete"})).await.expect(503);
    let overview = console.get(&s, "/admin").await;
    assert!(
        overview.body.contains("Suspended since"),
        "the console still answers: {}",
        overview.body
    );
    // Members still sign in and read what they have (export).
    s.get(&d, "/api/v1/instance", None).await.expect(200);
    s.app_token(&d, "read").await;
    let mine = s.get(&d, "/api/v1/accounts/verify_credentials", Some(&alice)).await.expect(200);
    let statuses = s
        .get(
            &d,
            &format!("/api/v1/accounts/{}/statuses", mine.json["id"].as_str().expect("id")),
            Some(&alice),
        )
        .await
        .expect(200);
    assert_eq!(statuses.json.as_array().map(Vec::len), Some(2), "nothing was deleted");
    s.post(&d, "/api/v1/statuses", Some(&alice), json!({"status": "no"}))
        .await
        .expect(403);

    // Reopening the booking restores the instance.
    herd_app::bookings::reopen(s.app(), &op, &org, &short).await.expect("reopen");
    assert_eq!(grant(&s, &d).await.hosting, Hosting::Active);
    s.get(&d, &format!("/api/v1/statuses/{post}"), None).await.expect(200);
    s.status(&d, &alice, json!({"status": "back"})).await;
    // Another instance on the same server was never touched.
    let other = s.tenant("org-b.test", "open").await;
    let (_, bob) = s.account(&other, "bob", "member").await;
    s.status(&other, &bob, json!({"status": "unaffected"})).await;
}

/// The roll-up's figures equal counts computed from the rows: active users (who made an
/// authenticated request), local accounts and posts (boosts not counted), bytes of uploads,
/// activities that reached the inbox, deliveries tried; and an organization's usage holds
/// only its own instances.
#[tokio::test]
async fn metering_equals_the_rows() {
    let (a, da, b, db) = pair().await;
    let (_, alice) = a.account(&da, "alice", "member").await;
    let (_, _carol) = a.account(&da, "carol", "member").await;
    let (_, bob) = b.account(&db, "bob", "member").await;
    // bob follows alice: a Follow reaches org-a's inbox, an Accept goes out.
    common::followed(&b, &db, &bob, &format!("alice@{da}")).await;
    let first = a.status(&da, &alice, json!({"status": "one"})).await;
    a.status(&da, &alice, json!({"status": "two"})).await;
    a.post(&da, &format!("/api/v1/statuses/{first}/reblog"), Some(&alice), json!({}))
        .await
        .expect(200);
    a.image(&da, &alice, "a picture").await;
    let t = herd_app::tenants::by_domain(a.app(), &da).await.expect("tenant");
    // The deliveries to org-b (Accept, the posts) are tried by jobs; wait until they ran.
    let delivered = || async {
        let r = b.get(&db, "/api/v1/timelines/home", Some(&bob)).await.json;
        r.as_array().is_some_and(|l| l.len() >= 2)
    };
    assert!(eventually(delivered).await, "alice's posts reached bob");
    let today = herd_app::usage::day_of(Timestamp::now().0);
    herd_app::usage::roll_up(a.app(), today).await.expect("roll-up");
    let mut c = a.app().db.conn().await.expect("conn");
    let rows = herd_store::usage::of_tenant(&mut c, t.id, today, today).await.expect("rows");
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    let tid = t.id.0;
    let scalar = |sql: &'static str| {
        let db = a.app().db.clone();
        async move {
            let mut c = db.conn().await.expect("conn");
            c.qs::<i64>(sql).bind(tid).fetch_one(c.ex()).await.expect("count")
        }
    };
    assert_eq!(
        r.accounts,
        scalar("SELECT COUNT(*) FROM accounts WHERE tenant_id = ? AND domain = ''").await
    );
    assert_eq!(r.accounts, 2);
    assert_eq!(
        r.posts,
        scalar(
            "SELECT COUNT(*) FROM statuses s JOIN accounts a ON a.id = s.account_id WHERE s.tenant_id = ? AND a.domain = '' \
             AND s.reblog_of_id IS NULL"
        )
        .await
    );
    assert_eq!(r.posts, 2, "the boost is not a post");
    assert_eq!(
        r.media_bytes,
        scalar(
            "SELECT CAST(SUM(m.bytes) AS BIGINT) FROM media m JOIN accounts a ON a.id = m.account_id WHERE m.tenant_id = ? \
             AND a.domain = ''"
        )
        .await
    );
    assert!(r.media_bytes > 0);
    assert_eq!(
        r.active_users,
        scalar("SELECT COUNT(DISTINCT account_id) FROM user_activity_days WHERE tenant_id = ?").await
    );
    assert_eq!(r.active_users, 1, "alice used the instance; carol never did");
    assert!(r.inbox_activities >= 1, "bob's Follow: {r:?}");
    assert!(r.deliveries >= 3, "the Accept and two posts: {r:?}");
    assert_eq!(r.delivery_failures, 0, "{r:?}");

    // The organization's month holds its own instance only.
    let (org, _) = hosting_of(&a, &da).await;
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let u = herd_app::usage::month_of_org(a.app(), org.id, herd_app::usage::month(&month).expect("month"))
        .await
        .expect("usage");
    let csv = herd_app::usage::csv(&u);
    assert!(csv.lines().nth(1).is_some_and(|l| l.starts_with(&format!("{da},"))), "{csv}");
    assert_eq!(csv.lines().count(), 2, "{csv}");
    let other_org = organization(&a, "someone-else").await;
    let theirs = herd_app::usage::month_of_org(a.app(), other_org.id, herd_app::usage::month(&month).expect("month"))
        .await
        .expect("usage");
    assert!(theirs.rows.is_empty() && theirs.instances.is_empty());
}
