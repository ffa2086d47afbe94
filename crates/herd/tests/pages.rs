//! Public pages for visitors without an account: about, legal texts, profiles with verified
//! links, posts with their threads, hashtags, RSS; what they show and what they never show.

mod common;

use common::{Server, eventually};
use reqwest::Method;
use serde_json::{Value, json};

/// Changes the instance's settings as its operator.
async fn configure(s: &Server, d: &str, settings: herd_app::tenants::TenantSettings) -> herd_app::Tenant {
    let t = herd_app::tenants::by_domain(s.app(), d).await.expect("tenant");
    herd_app::tenants::configure(s.app(), &herd_app::Actor::Operator, &t, settings)
        .await
        .expect("configured")
}

/// GETs a page as a browser would; (status, content type, body).
async fn page(s: &Server, d: &str, path: &str) -> (u16, String, String) {
    let r = s
        .http
        .get(s.url(d, path))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .expect("sent");
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ct, r.text().await.unwrap_or_default())
}

async fn ok(s: &Server, d: &str, path: &str) -> String {
    let (status, ct, body) = page(s, d, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    assert!(ct.starts_with("text/html") || ct.starts_with("application/rss+xml"), "{path}: {ct}");
    body
}

#[tokio::test]
async fn the_instance_tells_visitors_who_it_is() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let settings = herd_app::tenants::TenantSettings {
        description: Some("We are Org A.\n\nWe post <b>news</b>.".into()),
        contact_email: Some(herd_core::Email::parse("press@org-a.example").expect("email")),
        ..Default::default()
    };
    let t = configure(&s, &d, settings).await;
    herd_app::tenants::add_rule(s.app(), &herd_app::Actor::Operator, &t, "Be kind", "No harassment")
        .await
        .expect("rule");

    let about = ok(&s, &d, "/about").await;
    assert!(about.contains("<p>We are Org A.</p>"), "{about}");
    assert!(
        about.contains("<p>We post &#60;b&#62;news&#60;/b&#62;.</p>"),
        "text is escaped: {about}"
    );
    assert!(about.contains("Be kind") && about.contains("No harassment"));
    assert!(about.contains("mailto:press@org-a.example"));
    assert!(!about.contains("/privacy-policy"), "no link to a policy that is not there");
    let (status, _, _) = page(&s, &d, "/privacy-policy").await;
    assert_eq!(status, 404);
    s.get(&d, "/api/v1/instance/privacy_policy", None).await.expect(404);

    // The operator publishes a privacy policy and a legal notice.
    let settings = herd_app::tenants::TenantSettings {
        privacy_policy: Some("We keep little.\nOnly what we must.\n\nAsk us.".into()),
        imprint: Some("Org A e.V., Kiel".into()),
        ..Default::default()
    };
    configure(&s, &d, settings).await;
    let policy = ok(&s, &d, "/privacy-policy").await;
    assert!(policy.contains("<p>We keep little.<br>Only what we must.</p>"), "{policy}");
    assert!(ok(&s, &d, "/imprint").await.contains("Org A e.V., Kiel"));
    assert!(ok(&s, &d, "/about").await.contains("href=\"/imprint\""));
    let api = s.get(&d, "/api/v1/instance/privacy_policy", None).await.expect(200).json;
    assert_eq!(api["content"], "<p>We keep little.<br>Only what we must.</p><p>Ask us.</p>");
    let ext = s.get(&d, "/api/v1/instance/extended_description", None).await.expect(200).json;
    assert!(ext["content"].as_str().is_some_and(|c| c.starts_with("<p>We are Org A.</p>")));

    // The root leads to the about page; an unknown path gets an HTML 404, not JSON.
    let r = s.http.get(s.url(&d, "/")).send().await.expect("sent");
    assert_eq!(r.status().as_u16(), 302);
    assert_eq!(r.headers()["location"], "/about");
    let (status, ct, body) = page(&s, &d, "/@nobody").await;
    assert_eq!((status, ct.starts_with("text/html")), (404, true), "{body}");
    s.stop().await;
}

#[tokio::test]
async fn profiles_and_posts_show_what_is_public_and_nothing_else() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (alice, at) = s.account(&d, "alice", "member").await;
    let (_, bt) = s.account(&d, "bob", "member").await;
    s.call(
        Method::PATCH,
        &d,
        "/api/v1/accounts/update_credentials",
        Some(&at),
        json!({"display_name": "Al <script>x</script>", "note": "Press office of #OrgA"}),
    )
    .await
    .expect(200);
    let public = s.status(&d, &at, json!({"status": "Our annual report is out #news"})).await;
    let unlisted = s
        .status(&d, &at, json!({"status": "Quietly unlisted", "visibility": "unlisted"}))
        .await;
    let private = s
        .status(&d, &at, json!({"status": "Followers only secret", "visibility": "private"}))
        .await;
    let direct = s
        .status(&d, &at, json!({"status": "@bob direct secret", "visibility": "direct"}))
        .await;
    let cw = s
        .status(&d, &at, json!({"status": "The details", "spoiler_text": "Budget talk"}))
        .await;
    let reply = s
        .status(&d, &bt, json!({"status": "Congratulations!", "in_reply_to_id": public}))
        .await;
    let png = s.image(&d, &at, "A bar chart of members").await;
    s.status(&d, &at, json!({"status": "Chart", "media_ids": [png]})).await;
    s.status(
        &d,
        &at,
        json!({"status": "Which day?", "poll": {"options": ["Monday", "Friday"], "expires_in": 3600}}),
    )
    .await;

    let profile = ok(&s, &d, "/@alice").await;
    assert!(profile.contains("Al &#60;script&#62;"), "names are escaped");
    assert!(!profile.contains("<script>"), "no script reaches a page");
    assert!(profile.contains("Our annual report is out"));
    assert!(
        profile.contains("Quietly unlisted"),
        "unlisted posts show on the profile, as on Mastodon"
    );
    for secret in ["Followers only secret", "direct secret"] {
        assert!(!profile.contains(secret), "{secret} must not be on a public page");
    }
    assert!(!profile.contains("Congratulations"), "replies of others are not on her profile");
    assert!(
        profile.contains("<summary>Content warning: Budget talk</summary>"),
        "a content warning folds the post"
    );
    assert!(profile.contains("alt=\"A bar chart of members\""), "images carry their description");
    assert!(profile.contains("Monday") && profile.contains("Friday"), "polls show their options");
    assert!(profile.contains("property=\"og:title\""));
    assert!(
        profile.contains("href=\"http://") && profile.contains("/@alice.rss\""),
        "the feed is linked"
    );
    assert!(profile.contains("<main id=\"main\""), "a main landmark");

    // A post's page shows its public thread; followers-only and direct posts are not found.
    let thread = ok(&s, &d, &format!("/@alice/{public}")).await;
    assert!(
        thread.contains("Our annual report is out") && thread.contains("Congratulations!"),
        "{thread}"
    );
    assert!(thread.contains("property=\"og:type\" content=\"article\""));
    ok(&s, &d, &format!("/@alice/{unlisted}")).await;
    for hidden in [&private, &direct] {
        let (status, _, body) = page(&s, &d, &format!("/@alice/{hidden}")).await;
        assert_eq!(status, 404, "{body}");
        assert!(!body.contains("secret"));
    }
    let (status, _, _) = page(&s, &d, &format!("/@bob/{public}")).await;
    assert_eq!(status, 404, "a post is found under its own author only");
    let (status, _, _) = page(&s, &d, &format!("/@bob/{reply}")).await;
    assert_eq!(status, 200);
    ok(&s, &d, &format!("/@alice/{cw}")).await;

    // ActivityPub clients asking for the page are sent to the actor and the note.
    for (path, to) in [
        ("/@alice".to_string(), "/users/alice".to_string()),
        (format!("/@alice/{public}"), format!("/users/alice/statuses/{public}")),
    ] {
        let r = s
            .http
            .get(s.url(&d, &path))
            .header("accept", "application/activity+json")
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status().as_u16(), 302, "{path}");
        let location = r.headers()["location"].to_str().unwrap_or_default().to_string();
        assert!(location.ends_with(&to), "{path} -> {location}");
    }

    // Hashtag pages and feeds.
    let tag = ok(&s, &d, "/tags/news").await;
    assert!(tag.contains("Our annual report is out") && tag.contains("<h1>#news</h1>"));
    let (status, _, _) = page(&s, &d, "/tags/neverused").await;
    assert_eq!(status, 404, "a hashtag never used here has no page");
    let feed = ok(&s, &d, "/tags/news.rss").await;
    assert!(feed.starts_with("<?xml") && feed.contains("<rss version=\"2.0\""), "{feed}");
    let feed = ok(&s, &d, "/@alice.rss").await;
    assert!(feed.contains(&format!("/@alice/{public}</guid>")));
    assert!(
        feed.contains("&#60;p&#62;Our annual report is out"),
        "a post's HTML is escaped in the feed: {feed}"
    );
    assert!(!feed.contains("secret"));
    assert!(feed.contains("<media:description type=\"plain\">A bar chart of members</media:description>"));
    assert!(
        feed.contains("Content warning: Budget talk") && !feed.contains("The details"),
        "a warned post's text stays folded"
    );
    let _ = alice;
    s.stop().await;
}

#[tokio::test]
async fn a_profile_link_that_links_back_is_verified() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (alice, at) = s.account(&d, "alice", "member").await;
    let good = common::web_page(format!(
        r#"<html><body><a rel="me" href="http://{d}/@alice">Our fediverse account</a></body></html>"#
    ))
    .await;
    let bad = common::web_page("<html><body><a href=\"http://elsewhere.example/\">nothing</a></body></html>".into()).await;
    s.call(
        Method::PATCH,
        &d,
        "/api/v1/accounts/update_credentials",
        Some(&at),
        json!({"fields_attributes": [{"name": "Website", "value": good}, {"name": "Blog", "value": bad}, {"name": "Motto", "value": "Be kind"}]}),
    )
    .await
    .expect(200);
    let verified = || async {
        let a = s.get(&d, &format!("/api/v1/accounts/{alice}"), None).await.json;
        a["fields"][0]["verified_at"].is_string()
    };
    assert!(eventually(verified).await, "the link that links back is verified");
    let a = s.get(&d, &format!("/api/v1/accounts/{alice}"), None).await.json;
    assert_eq!(a["fields"][1]["verified_at"], Value::Null, "{a}");
    assert_eq!(a["fields"][2]["verified_at"], Value::Null);
    let profile = ok(&s, &d, "/@alice").await;
    assert_eq!(profile.matches("Verified link").count(), 1, "{profile}");

    // Taking the link off the profile takes the mark with it.
    s.call(
        Method::PATCH,
        &d,
        "/api/v1/accounts/update_credentials",
        Some(&at),
        json!({"fields_attributes": [{"name": "Blog", "value": bad}]}),
    )
    .await
    .expect(200);
    let a = s.get(&d, &format!("/api/v1/accounts/{alice}"), None).await.json;
    assert_eq!(a["fields"][0]["verified_at"], Value::Null);
    s.stop().await;
}

/// `tests/pages` (puppeteer-core and axe-core from npm, `npm ci` there; `scripts/test` does it).
fn checker() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/pages")
}

#[tokio::test]
async fn pages_work_in_a_real_browser_and_pass_an_accessibility_check() {
    let dir = checker();
    assert!(
        dir.join("node_modules/axe-core/axe.min.js").exists() && dir.join("node_modules/puppeteer-core").exists(),
        "axe-core and puppeteer-core are not installed: run `npm ci` in tests/pages"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "Chromium is not installed: `apt-get install chromium` (Debian's package), or set CHROMIUM"
    );
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let settings = herd_app::tenants::TenantSettings {
        description: Some("The fediverse home of Org A.".into()),
        contact_email: Some(herd_core::Email::parse("press@org-a.example").expect("email")),
        privacy_policy: Some("We keep little.".into()),
        imprint: Some("Org A e.V.".into()),
        ..Default::default()
    };
    let t = configure(&s, &d, settings).await;
    herd_app::tenants::add_rule(s.app(), &herd_app::Actor::Operator, &t, "Be kind", "")
        .await
        .expect("rule");
    let (_, at) = s.account(&d, "alice", "member").await;
    let (_, bt) = s.account(&d, "bob", "member").await;
    s.call(
        Method::PATCH,
        &d,
        "/api/v1/accounts/update_credentials",
        Some(&at),
        json!({"display_name": "Alice of Org A", "note": "Press office. #OrgA",
               "fields_attributes": [{"name": "Website", "value": "https://org-a.example"}]}),
    )
    .await
    .expect(200);
    let png = s.image(&d, &at, "A bar chart").await;
    let post = s
        .status(&d, &at, json!({"status": "Our report is out #news", "media_ids": [png]}))
        .await;
    s.status(&d, &bt, json!({"status": "Well done!", "in_reply_to_id": post})).await;
    s.status(&d, &at, json!({"status": "Details", "spoiler_text": "Budget"})).await;
    let poll = json!({"status": "Which day? #news", "poll": {"options": ["Mon", "Fri"], "expires_in": 600}});
    s.status(&d, &at, poll).await;

    let urls: Vec<String> = [
        "/about",
        "/privacy-policy",
        "/imprint",
        "/@alice",
        &format!("/@alice/{post}"),
        "/tags/news",
        "/@nobody",
        "/about/notice",
        "/about/transparency",
    ]
    .iter()
    .map(|p| s.url(&d, p))
    .collect();
    let shot = s.dir.path().join("profile.png");
    let out = tokio::process::Command::new("node")
        .arg(dir.join("check.mjs"))
        .args(&urls[..6])
        .env("CHROMIUM", &chromium)
        .env("HERD_RESOLVE_RULES", "MAP org-a.test 127.0.0.1")
        .env("HERD_SCREENSHOT", &shot)
        .output()
        .await
        .expect("node runs");
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "a page failed in Chromium or has serious accessibility violations:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Value = serde_json::from_str(&report).expect("a JSON report");
    assert_eq!(parsed.as_array().map(Vec::len), Some(6), "every page was checked: {report}");
    assert!(
        parsed.as_array().into_iter().flatten().all(|p| p["passes"].as_i64() > Some(5)),
        "axe ran its rules: {report}"
    );
    assert!(
        std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
        "Chromium drew the profile"
    );
    // The not-found page loads too (as a 404), without serious violations.
    let out = tokio::process::Command::new("node")
        .arg(dir.join("check.mjs"))
        .arg(&urls[6])
        .env("CHROMIUM", &chromium)
        .env("HERD_RESOLVE_RULES", "MAP org-a.test 127.0.0.1")
        .output()
        .await
        .expect("node runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_eq!(report[0]["status"], 404);
    let serious = report[0]["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["impact"] == "serious" || v["impact"] == "critical")
        .count();
    assert_eq!(serious, 0, "{report}");
    s.stop().await;
}

#[tokio::test]
async fn remote_posts_on_pages_are_sanitised() {
    let (a, da, b, db) = common::pair().await;
    let (alice, _) = a.account(&da, "alice", "member").await;
    let (_, bt) = b.account(&db, "bob", "member").await;
    common::followed(&b, &db, &bt, &format!("alice@{da}")).await;
    // alice's server sends a post whose HTML tries scripts, handlers and styles.
    let actor = format!("http://{da}/users/alice");
    let note = json!({
        "id": format!("{actor}/statuses/1"), "type": "Note", "attributedTo": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [format!("{actor}/followers")],
        "published": "2026-01-01T00:00:00Z",
        "content": "<p onclick=\"steal()\">Hello <script>alert(1)</script><a href=\"javascript:alert(2)\">x</a> <a href=\"http://b.test/tags/mix\" class=\"mention hashtag\" rel=\"tag\">#<span>mix</span></a><style>body{display:none}</style><img src=x onerror=alert(3)></p>",
        "tag": [{"type": "Hashtag", "name": "#mix", "href": "http://b.test/tags/mix"}]
    });
    let create = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("{actor}/statuses/1/activity"),
                        "type": "Create", "actor": actor, "to": note["to"], "cc": note["cc"], "object": note})
    .to_string();
    assert_eq!(common::post_signed(&a, &da, &alice, &b, &db, "/inbox", create).await, 202);
    let stored = || async {
        let (status, _, body) = page(&b, &db, "/tags/mix").await;
        status == 200 && body.contains("Hello")
    };
    assert!(eventually(stored).await, "the remote post is on the hashtag page");
    let (_, _, body) = page(&b, &db, "/tags/mix").await;
    for bad in ["<script", "onclick", "javascript:", "onerror", "<style", "alert(1)"] {
        assert!(!body.contains(bad), "{bad} reached the page: {body}");
    }
    a.stop().await;
    b.stop().await;
}
