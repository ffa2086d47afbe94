//! Moderation inside one instance through Mastodon's admin API: the report queue worked end
//! to end by two moderators, account actions with strikes the member reads and appeals, the
//! audit log, the role walk, and a server suspended across two Herd processes.

mod common;

use common::{Server, eventually, followed, pair};
use reqwest::Method;
use serde_json::{Value, json};

const ADMIN_SCOPES: &str = "read write follow push admin:read admin:write";

async fn staff(s: &Server, d: &str, name: &str, role: &str) -> (String, String) {
    let (id, _) = s.account(d, name, role).await;
    let token = herd::commands::token_create(s.app(), d, name, ADMIN_SCOPES).await.expect("token");
    (id, token)
}

#[tokio::test]
async fn a_report_is_worked_end_to_end_and_audited() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, mod1) = staff(&s, &d, "mod1", "moderator").await;
    let (mod2_id, mod2) = staff(&s, &d, "mod2", "moderator").await;
    let (_, alice) = s.account(&d, "alice", "member").await;
    let (bob_id, bob) = s.account(&d, "bob", "member").await;
    let spam = s.status(&d, &bob, json!({"status": "buy cheap things"})).await;
    let report = s
        .post(
            &d,
            "/api/v1/reports",
            Some(&alice),
            json!({"account_id": bob_id, "status_ids": [spam], "category": "spam", "comment": "spam"}),
        )
        .await
        .expect(200)
        .id();

    // Staff who work reports are told, as on Mastodon; the reporter is not.
    let told = s
        .get(&d, "/api/v1/notifications?types[]=admin.report", Some(&mod2))
        .await
        .expect(200)
        .json;
    assert_eq!(told[0]["report"]["id"], report, "{told}");
    assert_eq!(told[0]["report"]["target_account"]["username"], "bob");
    let none = s
        .get(&d, "/api/v1/notifications?types[]=admin.report", Some(&alice))
        .await
        .expect(200)
        .json;
    assert_eq!(none.as_array().map(Vec::len), Some(0));

    // The open queue, filtered as Mastodon's.
    let open = s.get(&d, "/api/v1/admin/reports", Some(&mod1)).await.expect(200).json;
    assert_eq!(open.as_array().map(Vec::len), Some(1), "{open}");
    assert_eq!(open[0]["id"], report);
    assert_eq!(open[0]["category"], "spam");
    assert_eq!(open[0]["target_account"]["username"], "bob");
    assert_eq!(open[0]["statuses"][0]["id"], spam);
    assert_eq!(open[0]["action_taken"], false);
    let none = s.get(&d, "/api/v1/admin/reports?resolved=true", Some(&mod1)).await.expect(200).json;
    assert_eq!(none.as_array().map(Vec::len), Some(0));
    let by_target = s
        .get(&d, &format!("/api/v1/admin/reports?target_account_id={bob_id}"), Some(&mod1))
        .await
        .json;
    assert_eq!(by_target.as_array().map(Vec::len), Some(1));

    // Assigned, noted, acted on with a strike.
    let assigned = s
        .post(
            &d,
            &format!("/api/v1/admin/reports/{report}/assign_to_self"),
            Some(&mod1),
            json!({}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(assigned["assigned_account"]["username"], "mod1");
    s.post(
        &d,
        &format!("/api/v1/admin/reports/{report}/notes"),
        Some(&mod1),
        json!({"content": "clear spam"}),
    )
    .await
    .expect(200);
    s.post(
        &d,
        &format!("/api/v1/admin/accounts/{bob_id}/action"),
        Some(&mod1),
        json!({"type": "silence", "report_id": report, "text": "No advertising here."}),
    )
    .await
    .expect(200);
    let shown = s
        .get(&d, &format!("/api/v1/admin/reports/{report}"), Some(&mod1))
        .await
        .expect(200)
        .json;
    assert_eq!(shown["action_taken"], true, "{shown}");
    assert_eq!(shown["action_taken_by_account"]["username"], "mod1");
    // The node's cached pages of the queue follow at once.
    let open = s.get(&d, "/api/v1/admin/reports", Some(&mod1)).await.expect(200).json;
    assert_eq!(open.as_array().map(Vec::len), Some(0), "{open}");
    let done = s.get(&d, "/api/v1/admin/reports?resolved=true", Some(&mod1)).await.expect(200).json;
    assert_eq!(done[0]["id"], report);
    assert_eq!(done[0]["target_account"]["silenced"], true, "the cached account follows too");
    let acct = s
        .get(&d, &format!("/api/v1/admin/accounts/{bob_id}"), Some(&mod1))
        .await
        .expect(200)
        .json;
    assert_eq!(acct["silenced"], true);
    assert_eq!(acct["email"], "bob@example.org");

    // The member reads the strike in a notification and appeals it.
    let notes = s
        .get(&d, "/api/v1/notifications?types[]=moderation_warning", Some(&bob))
        .await
        .expect(200)
        .json;
    let warning = &notes[0]["moderation_warning"];
    assert_eq!(warning["action"], "silence", "{notes}");
    assert_eq!(warning["text"], "No advertising here.");
    assert_eq!(warning["status_ids"][0], spam);
    let strike = warning["id"].as_str().expect("strike id").to_string();
    let grouped = s
        .get(&d, "/api/v2/notifications?types[]=moderation_warning", Some(&bob))
        .await
        .expect(200)
        .json;
    assert_eq!(grouped["notification_groups"][0]["moderation_warning"]["id"], strike, "{grouped}");
    s.post(
        &d,
        &format!("/api/v1/herd/strikes/{strike}/appeal"),
        Some(&bob),
        json!({"text": ""}),
    )
    .await
    .expect(422);
    let appeal = s
        .post(
            &d,
            &format!("/api/v1/herd/strikes/{strike}/appeal"),
            Some(&bob),
            json!({"text": "It was a joke."}),
        )
        .await
        .expect(200)
        .id();
    s.post(
        &d,
        &format!("/api/v1/herd/strikes/{strike}/appeal"),
        Some(&bob),
        json!({"text": "again"}),
    )
    .await
    .expect(422);
    // Moderators may not decide appeals (Mastodon gives that to admins).
    s.post(&d, &format!("/api/v1/admin/appeals/{appeal}/approve"), Some(&mod2), json!({}))
        .await
        .expect(403);
    let (_, admin) = staff(&s, &d, "admin", "admin").await;
    let approved = s
        .post(&d, &format!("/api/v1/admin/appeals/{appeal}/approve"), Some(&admin), json!({}))
        .await
        .expect(200)
        .json;
    assert_eq!(approved["state"], "approved");
    let acct = s.get(&d, &format!("/api/v1/admin/accounts/{bob_id}"), Some(&mod1)).await.json;
    assert_eq!(acct["silenced"], false, "an approved appeal lifts the silence");
    let mine = s.get(&d, "/api/v1/herd/strikes", Some(&bob)).await.expect(200).json;
    assert_eq!(mine[0]["appeal"]["state"], "approved");

    // Reopened and resolved again by the second moderator; all of it in the audit log.
    s.post(&d, &format!("/api/v1/admin/reports/{report}/reopen"), Some(&mod2), json!({}))
        .await
        .expect(200);
    let resolved = s
        .post(&d, &format!("/api/v1/admin/reports/{report}/resolve"), Some(&mod2), json!({}))
        .await
        .expect(200)
        .json;
    assert_eq!(resolved["action_taken_by_account"]["id"], mod2_id);
    let log = s.get(&d, "/api/v1/admin/audit_log", Some(&mod2)).await.expect(200).json;
    let actions: Vec<&str> = log.as_array().expect("log").iter().filter_map(|e| e["action"].as_str()).collect();
    for want in [
        "report.assigned_to_self",
        "report_note.create",
        "account.silence",
        "report.resolve",
        "appeal.create",
        "appeal.approve",
        "report.reopen",
    ] {
        assert!(actions.contains(&want), "{want} missing from {actions:?}");
    }
    let silence = log
        .as_array()
        .and_then(|l| l.iter().find(|e| e["action"] == "account.silence"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(silence["detail"]["report_id"], report, "the audit record names the report");
    assert_eq!(silence["detail"]["text"], "No advertising here.");
}

#[tokio::test]
async fn account_actions_take_effect() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, m) = staff(&s, &d, "mod", "moderator").await;
    let (_, alice) = s.account(&d, "alice", "member").await;
    let (bob_id, bob) = s.account(&d, "bob", "member").await;
    let (carol_id, carol) = s.account(&d, "carol", "member").await;
    let post = s.status(&d, &bob, json!({"status": "hello public"})).await;

    // Marked sensitive: others see its posts as sensitive.
    s.post(
        &d,
        &format!("/api/v1/admin/accounts/{bob_id}/action"),
        Some(&m),
        json!({"type": "sensitive"}),
    )
    .await
    .expect(200);
    let seen = s.get(&d, &format!("/api/v1/statuses/{post}"), Some(&alice)).await.expect(200).json;
    assert_eq!(seen["sensitive"], true);
    s.post(&d, &format!("/api/v1/admin/accounts/{bob_id}/unsensitive"), Some(&m), json!({}))
        .await
        .expect(200);

    // Limited: gone from the public timeline of those who do not follow it; its follows wait.
    s.post(
        &d,
        &format!("/api/v1/admin/accounts/{bob_id}/action"),
        Some(&m),
        json!({"type": "silence"}),
    )
    .await
    .expect(200);
    let public = s.get(&d, "/api/v1/timelines/public", Some(&alice)).await.expect(200).json;
    assert!(
        !public.as_array().expect("list").iter().any(|p| p["id"] == post),
        "a limited account's post left the public timeline"
    );
    let rel = s
        .post(&d, &format!("/api/v1/accounts/{carol_id}/follow"), Some(&bob), json!({}))
        .await
        .expect(200)
        .json;
    assert_eq!(rel["requested"], true, "a limited account's follow needs approval: {rel}");
    let _ = carol;
    s.post(&d, &format!("/api/v1/admin/accounts/{bob_id}/unsilence"), Some(&m), json!({}))
        .await
        .expect(200);

    // Disabled: its tokens stop working; enabled again, it may sign in.
    s.post(
        &d,
        &format!("/api/v1/admin/accounts/{bob_id}/action"),
        Some(&m),
        json!({"type": "disable"}),
    )
    .await
    .expect(200);
    let r = s.get(&d, "/api/v1/accounts/verify_credentials", Some(&bob)).await;
    assert_eq!(r.status.as_u16(), 401, "{}", r.text);
    let disabled = s.get(&d, "/api/v2/admin/accounts?status=disabled", Some(&m)).await.expect(200).json;
    assert_eq!(disabled[0]["id"], bob_id);
    s.post(&d, &format!("/api/v1/admin/accounts/{bob_id}/enable"), Some(&m), json!({}))
        .await
        .expect(200);

    // Suspended: its posts and profile are hidden at once; lifted, they are back.
    s.post(
        &d,
        &format!("/api/v1/admin/accounts/{bob_id}/action"),
        Some(&m),
        json!({"type": "suspend"}),
    )
    .await
    .expect(200);
    s.get(&d, &format!("/api/v1/statuses/{post}"), Some(&alice)).await.expect(404);
    s.get(&d, &format!("/api/v1/accounts/{bob_id}"), Some(&alice)).await.expect(404);
    let suspended = s.get(&d, "/api/v1/admin/accounts?suspended=true", Some(&m)).await.expect(200).json;
    assert_eq!(suspended[0]["suspended"], true);
    s.post(&d, &format!("/api/v1/admin/accounts/{bob_id}/unsuspend"), Some(&m), json!({}))
        .await
        .expect(200);
    s.get(&d, &format!("/api/v1/statuses/{post}"), Some(&alice)).await.expect(200);

    // Bad input: an unknown action, a moderator acting on an admin.
    s.post(
        &d,
        &format!("/api/v1/admin/accounts/{bob_id}/action"),
        Some(&m),
        json!({"type": "explode"}),
    )
    .await
    .expect(422);
    let (admin_id, _) = staff(&s, &d, "boss", "admin").await;
    s.post(
        &d,
        &format!("/api/v1/admin/accounts/{admin_id}/action"),
        Some(&m),
        json!({"type": "suspend"}),
    )
    .await
    .expect(403);
    s.post(&d, "/api/v1/admin/accounts/99999999/action", Some(&m), json!({"type": "suspend"}))
        .await
        .expect(404);
}

#[tokio::test]
async fn every_admin_route_is_refused_to_members_and_other_instances() {
    let s = Server::start().await;
    let da = s.tenant("org-a.test", "open").await;
    let db = s.tenant("org-b.test", "open").await;
    let (_, admin_a) = staff(&s, &da, "admin", "admin").await;
    let (_, admin_b) = staff(&s, &db, "admin", "admin").await;
    let (_, member) = staff(&s, &da, "member", "member").await;
    let (bob_id, bob) = s.account(&da, "bob", "member").await;
    let (_, alice) = s.account(&da, "alice", "member").await;
    let report = s
        .post(&da, "/api/v1/reports", Some(&alice), json!({"account_id": bob_id}))
        .await
        .expect(200)
        .id();
    let block = s
        .post(
            &da,
            "/api/v1/admin/domain_blocks",
            Some(&admin_a),
            json!({"domain": "spam.example", "severity": "suspend"}),
        )
        .await
        .expect(200)
        .id();
    let _ = bob;
    let routes: Vec<(Method, String)> = vec![
        (Method::GET, "/api/v1/admin/accounts".into()),
        (Method::GET, "/api/v2/admin/accounts".into()),
        (Method::GET, format!("/api/v1/admin/accounts/{bob_id}")),
        (Method::POST, format!("/api/v1/admin/accounts/{bob_id}/action")),
        (Method::POST, format!("/api/v1/admin/accounts/{bob_id}/enable")),
        (Method::POST, format!("/api/v1/admin/accounts/{bob_id}/unsilence")),
        (Method::POST, format!("/api/v1/admin/accounts/{bob_id}/unsuspend")),
        (Method::POST, format!("/api/v1/admin/accounts/{bob_id}/unsensitive")),
        (Method::DELETE, format!("/api/v1/admin/accounts/{bob_id}")),
        (Method::GET, format!("/api/v1/admin/accounts/{bob_id}/notes")),
        (Method::GET, "/api/v1/admin/reports".into()),
        (Method::GET, format!("/api/v1/admin/reports/{report}")),
        (Method::PUT, format!("/api/v1/admin/reports/{report}")),
        (Method::POST, format!("/api/v1/admin/reports/{report}/assign_to_self")),
        (Method::POST, format!("/api/v1/admin/reports/{report}/unassign")),
        (Method::POST, format!("/api/v1/admin/reports/{report}/resolve")),
        (Method::POST, format!("/api/v1/admin/reports/{report}/reopen")),
        (Method::GET, format!("/api/v1/admin/reports/{report}/notes")),
        (Method::GET, "/api/v1/admin/domain_blocks".into()),
        (Method::POST, "/api/v1/admin/domain_blocks".into()),
        (Method::GET, format!("/api/v1/admin/domain_blocks/{block}")),
        (Method::PUT, format!("/api/v1/admin/domain_blocks/{block}")),
        (Method::DELETE, format!("/api/v1/admin/domain_blocks/{block}")),
        (Method::GET, "/api/v1/admin/domain_allows".into()),
        (Method::POST, "/api/v1/admin/domain_allows".into()),
        (Method::GET, "/api/v1/admin/audit_log".into()),
        (Method::GET, "/api/v1/admin/appeals".into()),
        (Method::GET, "/api/v1/admin/email_domain_blocks".into()),
        (Method::POST, "/api/v1/admin/email_domain_blocks".into()),
        (Method::GET, "/api/v1/admin/canonical_email_blocks".into()),
        (Method::POST, "/api/v1/admin/canonical_email_blocks".into()),
        (Method::POST, "/api/v1/admin/canonical_email_blocks/test".into()),
        (Method::GET, "/api/v1/admin/ip_blocks".into()),
        (Method::POST, "/api/v1/admin/ip_blocks".into()),
        (Method::POST, "/api/v1/admin/measures".into()),
    ];
    for (method, path) in &routes {
        let r = s
            .call(
                method.clone(),
                &da,
                path,
                Some(&member),
                json!({"type": "suspend", "domain": "x.example"}),
            )
            .await;
        assert_eq!(r.status.as_u16(), 403, "{method} {path} for a member: {}", r.text);
        assert_eq!(r.json["error"], "This action is not allowed", "{method} {path}");
        let r = s
            .call(
                method.clone(),
                &da,
                path,
                Some(&admin_b),
                json!({"type": "suspend", "domain": "x.example"}),
            )
            .await;
        assert_eq!(r.status.as_u16(), 401, "{method} {path} with another instance's token: {}", r.text);
    }
    // Nothing changed on org-a; org-b's admin sees none of it in its own instance.
    let acct = s
        .get(&da, &format!("/api/v1/admin/accounts/{bob_id}"), Some(&admin_a))
        .await
        .expect(200)
        .json;
    assert_eq!(acct["suspended"], false);
    let b_blocks = s.get(&db, "/api/v1/admin/domain_blocks", Some(&admin_b)).await.expect(200).json;
    assert_eq!(b_blocks.as_array().map(Vec::len), Some(0));
    let b_reports = s.get(&db, "/api/v1/admin/reports", Some(&admin_b)).await.expect(200).json;
    assert_eq!(b_reports.as_array().map(Vec::len), Some(0));
    // A token without admin scopes is refused for its scopes.
    let (_, plain) = s.account(&da, "plainadmin", "admin").await;
    let r = s.get(&da, "/api/v1/admin/accounts", Some(&plain)).await.expect(403);
    assert_eq!(r.json["error"], "This action is outside the authorized scopes");
}

#[tokio::test]
async fn domain_blocks_as_mastodon_lists_them() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, admin) = staff(&s, &d, "admin", "admin").await;
    let b = s
        .post(
            &d,
            "/api/v1/admin/domain_blocks",
            Some(&admin),
            json!({"domain": "spam.example", "severity": "suspend", "public_comment": "spam", "private_comment": "seen in #123", "obfuscate": true}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(b["severity"], "suspend");
    assert_eq!(b["digest"].as_str().map(str::len), Some(64));
    s.post(&d, "/api/v1/admin/domain_blocks", Some(&admin), json!({"domain": "spam.example"}))
        .await
        .expect(422);
    s.post(
        &d,
        "/api/v1/admin/domain_blocks",
        Some(&admin),
        json!({"domain": "x.example", "severity": "nuke"}),
    )
    .await
    .expect(422);
    s.post(&d, "/api/v1/admin/domain_blocks", Some(&admin), json!({"domain": "not a domain"}))
        .await
        .expect(422);
    s.post(
        &d,
        "/api/v1/admin/domain_blocks",
        Some(&admin),
        json!({"domain": "loud.example", "severity": "silence"}),
    )
    .await
    .expect(200);
    let public = s.get(&d, "/api/v1/instance/domain_blocks", None).await.expect(200).json;
    assert_eq!(public[0]["domain"], "loud.example", "{public}");
    assert_eq!(public[1]["domain"], "spam.****ple", "obfuscated: {public}");
    assert_eq!(public[1]["comment"], "spam");
    assert!(public[1].get("private_comment").is_none());
    let id = b["id"].as_str().expect("id");
    let changed = s
        .call(
            Method::PUT,
            &d,
            &format!("/api/v1/admin/domain_blocks/{id}"),
            Some(&admin),
            json!({"severity": "silence"}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(changed["severity"], "silence");
    assert_eq!(changed["public_comment"], "spam", "an update keeps what it does not name");
    s.call(
        Method::DELETE,
        &d,
        &format!("/api/v1/admin/domain_blocks/{id}"),
        Some(&admin),
        json!({}),
    )
    .await
    .expect(200);
    let list = s.get(&d, "/api/v1/admin/domain_blocks", Some(&admin)).await.expect(200).json;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
}

/// org-b suspends org-a: deliveries both ways stop, org-b takes nothing from org-a, and
/// org-b's members' follows of org-a's accounts are severed with a notification.
#[tokio::test]
async fn a_suspended_server_is_cut_off() {
    let (a, da, b, db) = pair().await;
    let (alice_id, alice) = a.account(&da, "alice", "member").await;
    let (_, bob) = b.account(&db, "bob", "member").await;
    let (_, admin_b) = {
        let (id, _) = b.account(&db, "admin", "admin").await;
        (
            id,
            herd::commands::token_create(b.app(), &db, "admin", ADMIN_SCOPES)
                .await
                .expect("token"),
        )
    };
    let alice_there = followed(&b, &db, &bob, &format!("alice@{da}")).await;
    let first = a.status(&da, &alice, json!({"status": "before the block"})).await;
    let _ = first;
    let arrived = || async {
        let home = b.get(&db, "/api/v1/timelines/home", Some(&bob)).await.json;
        home.as_array().is_some_and(|l| {
            l.iter()
                .any(|p| p["content"].as_str().is_some_and(|c| c.contains("before the block")))
        })
    };
    assert!(eventually(arrived).await, "federation works before the block");

    let host = da.split(':').next().unwrap_or(&da).to_string();
    b.post(
        &db,
        "/api/v1/admin/domain_blocks",
        Some(&admin_b),
        json!({"domain": host, "severity": "suspend"}),
    )
    .await
    .expect(200);
    // bob's follow of alice is gone, and bob was told.
    let rel = b
        .get(&db, &format!("/api/v1/accounts/relationships?id[]={alice_there}"), Some(&bob))
        .await
        .json;
    assert_eq!(rel[0]["following"], false, "{rel}");
    let notes = b
        .get(&db, "/api/v1/notifications?types[]=severed_relationships", Some(&bob))
        .await
        .expect(200)
        .json;
    assert_eq!(notes[0]["event"]["type"], "domain_block", "{notes}");
    assert_eq!(notes[0]["event"]["following_count"], 1);
    assert_eq!(notes[0]["event"]["target_name"], host);

    // Nothing from org-a is accepted any more: a signed delivery gets 403.
    let status = common::post_signed(
        &a,
        &da,
        &alice_id,
        &b,
        &db,
        "/inbox",
        json!({"@context": "https://www.w3.org/ns/activitystreams", "id": format!("http://{da}/users/alice#x"), "type": "Like",
               "actor": format!("http://{da}/users/alice"), "object": format!("http://{db}/users/bob")})
        .to_string(),
    )
    .await;
    assert_eq!(status, 403);
    // bob can no longer find org-a's accounts.
    b.get(&db, &format!("/api/v1/accounts/lookup?acct=carol@{da}"), Some(&bob))
        .await
        .expect(404);
}

async fn sign_up(s: &Server, d: &str, app: &str, name: &str, email: &str) -> common::Resp {
    s.post(
        d,
        "/api/v1/accounts",
        Some(app),
        json!({"username": name, "email": email, "password": "long enough pw", "agreement": true, "locale": "en"}),
    )
    .await
}

#[tokio::test]
async fn e_mail_and_ip_blocks_gate_sign_ups_and_access() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let other = s.tenant("org-b.test", "open").await;
    let (_, admin) = staff(&s, &d, "admin", "admin").await;
    let app = s.app_token(&d, "read write").await["access_token"]
        .as_str()
        .expect("token")
        .to_string();

    // An e-mail domain block covers subdomains; with approval, the account waits.
    let b = s
        .post(
            &d,
            "/api/v1/admin/email_domain_blocks",
            Some(&admin),
            json!({"domain": "spam.example"}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(b["history"].as_array().map(Vec::len), Some(7));
    s.post(
        &d,
        "/api/v1/admin/email_domain_blocks",
        Some(&admin),
        json!({"domain": "spam.example"}),
    )
    .await
    .expect(422);
    let refused = sign_up(&s, &d, &app, "spammer", "x@mail.spam.example").await.expect(422);
    assert_eq!(refused.json["details"]["email"][0]["error"], "ERR_BLOCKED", "{}", refused.text);
    let shown = s
        .get(
            &d,
            &format!("/api/v1/admin/email_domain_blocks/{}", b["id"].as_str().unwrap_or("")),
            Some(&admin),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(shown["history"][0]["uses"], "1", "the attempt is counted: {shown}");
    s.post(
        &d,
        "/api/v1/admin/email_domain_blocks",
        Some(&admin),
        json!({"domain": "maybe.example", "allow_with_approval": true}),
    )
    .await
    .expect(200);
    sign_up(&s, &d, &app, "maybe", "m@maybe.example").await.expect(200);
    let pending = s
        .get(&d, "/api/v2/admin/accounts?status=pending", Some(&admin))
        .await
        .expect(200)
        .json;
    assert_eq!(pending[0]["username"], "maybe", "{pending}");

    // A canonical e-mail block catches dots and +tags; `test` tells which blocks match.
    let c = s
        .post(
            &d,
            "/api/v1/admin/canonical_email_blocks",
            Some(&admin),
            json!({"email": "john.doe@example.com"}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(c["canonical_email_hash"].as_str().map(str::len), Some(64));
    let hit = s
        .post(
            &d,
            "/api/v1/admin/canonical_email_blocks/test",
            Some(&admin),
            json!({"email": "JohnDoe+x@example.com"}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(hit[0]["id"], c["id"]);
    sign_up(&s, &d, &app, "johnd", "j.o.h.n.doe+new@example.com").await.expect(422);
    s.post(
        &d,
        "/api/v1/admin/canonical_email_blocks",
        Some(&admin),
        json!({"canonical_email_hash": "nothex"}),
    )
    .await
    .expect(422);

    // IP blocks: three severities, normalized networks, expiry.
    let ip = s
        .post(
            &d,
            "/api/v1/admin/ip_blocks",
            Some(&admin),
            json!({"ip": "127.0.0.2/32", "severity": "no_access", "comment": "abuse", "expires_in": 3600}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(ip["ip"], "127.0.0.2/32");
    assert!(ip["expires_at"].is_string());
    s.post(
        &d,
        "/api/v1/admin/ip_blocks",
        Some(&admin),
        json!({"ip": "300.1.1.1", "severity": "no_access"}),
    )
    .await
    .expect(422);
    s.post(
        &d,
        "/api/v1/admin/ip_blocks",
        Some(&admin),
        json!({"ip": "10.1.2.3/8", "severity": "everything"}),
    )
    .await
    .expect(422);
    let net = s
        .post(
            &d,
            "/api/v1/admin/ip_blocks",
            Some(&admin),
            json!({"ip": "10.1.2.3/8", "severity": "sign_up_block"}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(net["ip"], "10.0.0.0/8");
    let blocked = s.client_from("127.0.0.2");
    let r = blocked.get(s.url(&d, "/api/v1/instance")).send().await.expect("sent");
    assert_eq!(r.status().as_u16(), 403, "no_access refuses every request of the instance");
    let r = blocked.get(s.url(&other, "/api/v1/instance")).send().await.expect("sent");
    assert_eq!(r.status().as_u16(), 200, "another instance is not affected");
    let id = ip["id"].as_str().expect("id");
    let changed = s
        .call(
            Method::PUT,
            &d,
            &format!("/api/v1/admin/ip_blocks/{id}"),
            Some(&admin),
            json!({"severity": "sign_up_requires_approval"}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(changed["severity"], "sign_up_requires_approval");
    assert_eq!(changed["comment"], "abuse");
    let r = blocked.get(s.url(&d, "/api/v1/instance")).send().await.expect("sent");
    assert_eq!(r.status().as_u16(), 200, "the change applies at once");
    let r = blocked
        .post(s.url(&d, "/api/v1/accounts"))
        .bearer_auth(&app)
        .json(&json!({"username": "fromtwo", "email": "two@example.org", "password": "long enough pw", "agreement": true}))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 200);
    let pending = s
        .get(&d, "/api/v2/admin/accounts?status=pending&username=fromtwo", Some(&admin))
        .await
        .expect(200)
        .json;
    assert_eq!(pending[0]["approved"], false, "sign-ups from the address wait for approval");
    s.call(
        Method::DELETE,
        &d,
        &format!("/api/v1/admin/ip_blocks/{id}"),
        Some(&admin),
        json!({}),
    )
    .await
    .expect(200);
    let list = s.get(&d, "/api/v1/admin/ip_blocks", Some(&admin)).await.expect(200).json;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn measures_count_what_happened() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, admin) = staff(&s, &d, "admin", "admin").await;
    let (_, alice) = s.account(&d, "alice", "member").await;
    let (bob_id, bob) = s.account(&d, "bob", "member").await;
    let post = s.status(&d, &bob, json!({"status": "hello #herd"})).await;
    s.post(&d, &format!("/api/v1/statuses/{post}/favourite"), Some(&alice), json!({}))
        .await
        .expect(200);
    s.post(&d, "/api/v1/reports", Some(&alice), json!({"account_id": bob_id}))
        .await
        .expect(200);
    let today = herd_core::Timestamp::now().to_date();
    let week_ago = herd_core::Timestamp(herd_core::Timestamp::now().0 - 6 * 86_400_000).to_date();
    let m = s
        .post(
            &d,
            "/api/v1/admin/measures",
            Some(&admin),
            json!({"keys": ["new_users", "active_users", "interactions", "opened_reports", "resolved_reports", "no_such_key"],
                   "start_at": week_ago, "end_at": today}),
        )
        .await
        .expect(200)
        .json;
    let by = |k: &str| {
        m.as_array()
            .and_then(|l| l.iter().find(|x| x["key"] == k))
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(m.as_array().map(Vec::len), Some(5), "unknown keys are left out: {m}");
    assert_eq!(by("new_users")["total"], "3");
    assert_eq!(by("new_users")["data"].as_array().map(Vec::len), Some(7));
    assert_eq!(by("new_users")["data"][6]["value"], "3");
    assert_eq!(by("active_users")["total"], "2", "bob posted, alice favourited");
    assert_eq!(by("interactions")["total"], "1");
    assert_eq!(by("opened_reports")["total"], "1");
    assert_eq!(by("resolved_reports")["total"], "0");
    assert_eq!(by("new_users")["previous_total"], "0");
    s.post(
        &d,
        "/api/v1/admin/measures",
        Some(&admin),
        json!({"keys": ["new_users"], "start_at": "yesterday", "end_at": today}),
    )
    .await
    .expect(422);
    let (_, member) = staff(&s, &d, "member", "member").await;
    s.post(
        &d,
        "/api/v1/admin/measures",
        Some(&member),
        json!({"keys": ["new_users"], "start_at": week_ago, "end_at": today}),
    )
    .await
    .expect(403);
}

/// A list served on loopback whose text the test changes.
async fn list_server(body: std::sync::Arc<std::sync::Mutex<String>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new().route(
        "/list",
        axum::routing::get(move || {
            let body = body.clone();
            async move { body.lock().map(|b| b.clone()).unwrap_or_default() }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/list")
}

#[tokio::test]
async fn a_blocklist_subscription_adds_and_retracts_and_leaves_moderators_alone() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, admin) = staff(&s, &d, "admin", "admin").await;
    // A moderator's own decision on a domain the list will also name.
    s.post(
        &d,
        "/api/v1/admin/domain_blocks",
        Some(&admin),
        json!({"domain": "mine.example", "severity": "silence", "private_comment": "ours"}),
    )
    .await
    .expect(200);
    let body = std::sync::Arc::new(std::sync::Mutex::new(
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
         spam.example,suspend,false,false,spam farm,false\n\
         junk.example,silence,true,false,,false\n\
         mine.example,suspend,false,false,,false\n"
            .to_string(),
    ));
    let url = list_server(body.clone()).await;
    let sub = s
        .post(
            &d,
            "/api/v1/admin/blocklist_subscriptions",
            Some(&admin),
            json!({"url": url, "format": "csv"}),
        )
        .await
        .expect(200)
        .id();
    // The first sync is a job written with the subscription.
    let synced = || async {
        let l = s.get(&d, "/api/v1/admin/domain_blocks", Some(&admin)).await.json;
        l.as_array().is_some_and(|l| l.iter().any(|b| b["domain"] == "spam.example"))
    };
    assert!(eventually(synced).await, "the list's blocks arrived");
    let blocks = s.get(&d, "/api/v1/admin/domain_blocks", Some(&admin)).await.expect(200).json;
    let find = |l: &Value, d: &str| {
        l.as_array()
            .and_then(|l| l.iter().find(|b| b["domain"] == d))
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(find(&blocks, "spam.example")["subscription_id"], sub);
    assert_eq!(find(&blocks, "junk.example")["reject_media"], true);
    let mine = find(&blocks, "mine.example");
    assert_eq!(mine["severity"], "silence", "the list does not overwrite a moderator's block");
    assert_eq!(mine["subscription_id"], Value::Null);

    // The list drops spam.example and mine.example: the first is retracted, ours stays.
    *body.lock().expect("lock") = "#domain,#severity\njunk.example,silence\n".into();
    let o = s
        .post(
            &d,
            &format!("/api/v1/admin/blocklist_subscriptions/{sub}/sync"),
            Some(&admin),
            json!({}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(o["removed"], 1, "{o}");
    assert_eq!(o["changed"], 1, "junk.example lost reject_media");
    let again = s
        .post(
            &d,
            &format!("/api/v1/admin/blocklist_subscriptions/{sub}/sync"),
            Some(&admin),
            json!({}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(
        again,
        json!({"added": 0, "changed": 0, "removed": 0, "kept": 0}),
        "a re-sync of an unchanged list writes nothing"
    );
    let blocks = s.get(&d, "/api/v1/admin/domain_blocks", Some(&admin)).await.expect(200).json;
    assert_eq!(find(&blocks, "spam.example"), Value::Null);
    assert_eq!(find(&blocks, "mine.example")["severity"], "silence");
    assert_eq!(find(&blocks, "junk.example")["reject_media"], false);

    // A broken list is reported and changes nothing.
    *body.lock().expect("lock") = "not a domain!,suspend\n".into();
    s.post(
        &d,
        &format!("/api/v1/admin/blocklist_subscriptions/{sub}/sync"),
        Some(&admin),
        json!({}),
    )
    .await
    .expect(422);
    let shown = s
        .get(&d, &format!("/api/v1/admin/blocklist_subscriptions/{sub}"), Some(&admin))
        .await
        .expect(200)
        .json;
    assert!(shown["last_error"].as_str().is_some_and(|e| e.contains("line 1")), "{shown}");

    // A second list also holds junk.example. Unsubscribing the first lifts what only it
    // made and hands junk.example to the second.
    let other = list_server(std::sync::Arc::new(std::sync::Mutex::new("junk.example,suspend\n".into()))).await;
    let second = s
        .post(
            &d,
            "/api/v1/admin/blocklist_subscriptions",
            Some(&admin),
            json!({"url": other, "format": "csv"}),
        )
        .await
        .expect(200)
        .id();
    // (Its first sync is a job too, so this one may find nothing new.)
    s.post(
        &d,
        &format!("/api/v1/admin/blocklist_subscriptions/{second}/sync"),
        Some(&admin),
        json!({}),
    )
    .await
    .expect(200);
    let blocks = s.get(&d, "/api/v1/admin/domain_blocks", Some(&admin)).await.expect(200).json;
    assert_eq!(
        find(&blocks, "junk.example")["subscription_id"],
        sub,
        "junk.example stays the first list's"
    );
    s.call(
        Method::DELETE,
        &d,
        &format!("/api/v1/admin/blocklist_subscriptions/{sub}"),
        Some(&admin),
        json!({}),
    )
    .await
    .expect(200);
    let blocks = s.get(&d, "/api/v1/admin/domain_blocks", Some(&admin)).await.expect(200).json;
    assert_eq!(blocks.as_array().map(Vec::len), Some(2), "{blocks}");
    assert_eq!(find(&blocks, "mine.example")["subscription_id"], Value::Null);
    assert_eq!(find(&blocks, "junk.example")["subscription_id"], second);
    assert_eq!(
        find(&blocks, "junk.example")["severity"],
        "suspend",
        "now as the second list has it"
    );
    let log = s
        .get(&d, "/api/v1/admin/audit_log?action=blocklist.sync", Some(&admin))
        .await
        .expect(200)
        .json;
    assert!(
        log.as_array().is_some_and(|l| l.len() >= 2),
        "each sync that changed something is audited: {log}"
    );
}

#[tokio::test]
async fn a_fires_dataset_is_followed_by_its_changes() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, admin) = staff(&s, &d, "admin", "admin").await;
    let body = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let url = list_server(body.clone()).await;
    *body.lock().expect("lock") = json!({
        "type": "OrderedCollection",
        "changes": url,
        "orderedItems": [
            {"id": "01", "type": "recommendation", "entityKind": "domain", "entityKey": "spam.example", "recommendedPolicy": "drop"},
            {"id": "02", "type": "recommendation", "entityKind": "domain", "entityKey": "loud.example", "recommendedPolicy": "filter", "recommendedFilters": ["reject-media"]},
        ]
    })
    .to_string();
    let sub = s
        .post(
            &d,
            "/api/v1/admin/blocklist_subscriptions",
            Some(&admin),
            json!({"url": url, "format": "fires"}),
        )
        .await
        .expect(200)
        .id();
    // The first sync is the job written with the subscription; one by hand then finds the
    // list as it was read.
    let shown = || async {
        let v = s
            .get(&d, &format!("/api/v1/admin/blocklist_subscriptions/{sub}"), Some(&admin))
            .await
            .json;
        v["last_synced_at"].is_string()
    };
    assert!(eventually(shown).await, "the scheduled sync ran");
    let o = s
        .post(
            &d,
            &format!("/api/v1/admin/blocklist_subscriptions/{sub}/sync"),
            Some(&admin),
            json!({}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(o, json!({"added": 0, "changed": 0, "removed": 0, "kept": 0}));
    let blocks = s.get(&d, "/api/v1/admin/domain_blocks", Some(&admin)).await.expect(200).json;
    assert_eq!(blocks.as_array().map(Vec::len), Some(2), "{o} {blocks}");
    // The changes since "02": spam.example retracted.
    *body.lock().expect("lock") = json!({"orderedItems": [
        {"id": "03", "type": "retraction", "entityKind": "domain", "entityKey": "spam.example"}
    ]})
    .to_string();
    let o = s
        .post(
            &d,
            &format!("/api/v1/admin/blocklist_subscriptions/{sub}/sync"),
            Some(&admin),
            json!({}),
        )
        .await
        .expect(200)
        .json;
    assert_eq!(o["removed"], 1, "{o}");
    let blocks = s.get(&d, "/api/v1/admin/domain_blocks", Some(&admin)).await.expect(200).json;
    assert_eq!(blocks.as_array().map(Vec::len), Some(1));
    assert_eq!(blocks[0]["domain"], "loud.example");
    assert_eq!(blocks[0]["reject_media"], true);
}

/// An auto-moderation rule holds a post that arrives and files a system report; resolving
/// the report releases it. Local posts meet the rules when they are made.
#[tokio::test]
async fn auto_moderation_holds_incoming_posts_for_review() {
    let (a, da, b, db) = pair().await;
    let (_, alice) = a.account(&da, "alice", "member").await;
    let (_, bob) = b.account(&db, "bob", "member").await;
    let (_, admin_b) = {
        let (id, _) = b.account(&db, "admin", "admin").await;
        (
            id,
            herd::commands::token_create(b.app(), &db, "admin", ADMIN_SCOPES)
                .await
                .expect("token"),
        )
    };
    followed(&b, &db, &bob, &format!("alice@{da}")).await;
    let rule = b
        .post(
            &db,
            "/api/v1/admin/automod_rules",
            Some(&admin_b),
            json!({"kind": "keyword", "pattern": "casino", "action": "hide", "scope": "remote"}),
        )
        .await
        .expect(200)
        .json;
    b.post(
        &db,
        "/api/v1/admin/automod_rules",
        Some(&admin_b),
        json!({"kind": "regex", "pattern": "(unclosed", "action": "hide"}),
    )
    .await
    .expect(422);
    b.post(
        &db,
        "/api/v1/admin/automod_rules",
        Some(&admin_b),
        json!({"kind": "keyword", "pattern": "forbidden", "action": "reject", "scope": "local"}),
    )
    .await
    .expect(200);
    a.status(&da, &alice, json!({"status": "Visit my Casino tonight"})).await;
    a.status(&da, &alice, json!({"status": "just a normal post"})).await;
    let normal = || async {
        let home = b.get(&db, "/api/v1/timelines/home", Some(&bob)).await.json;
        home.as_array()
            .is_some_and(|l| l.iter().any(|p| p["content"].as_str().is_some_and(|c| c.contains("normal post"))))
    };
    assert!(eventually(normal).await, "posts arrive");
    let reported = || async {
        let r = b.get(&db, "/api/v1/admin/reports", Some(&admin_b)).await.json;
        r.as_array().is_some_and(|l| !l.is_empty())
    };
    assert!(eventually(reported).await, "the rule filed a report");
    let home = b.get(&db, "/api/v1/timelines/home", Some(&bob)).await.json;
    assert!(
        !home
            .as_array()
            .expect("home")
            .iter()
            .any(|p| p["content"].as_str().is_some_and(|c| c.contains("Casino"))),
        "the held post is out of sight: {home}"
    );
    let reports = b.get(&db, "/api/v1/admin/reports", Some(&admin_b)).await.json;
    assert_eq!(reports.as_array().map(Vec::len), Some(1), "{reports}");
    let report = &reports[0];
    assert_eq!(report["target_account"]["username"], "alice");
    assert!(
        report["comment"]
            .as_str()
            .is_some_and(|c| c.contains(rule["id"].as_str().unwrap_or("?"))),
        "{report}"
    );
    assert!(
        report["statuses"][0]["content"].as_str().is_some_and(|c| c.contains("Casino")),
        "moderators see the held post"
    );
    let log = b
        .get(&db, "/api/v1/admin/audit_log?action=automod.hide", Some(&admin_b))
        .await
        .expect(200)
        .json;
    assert_eq!(log.as_array().map(Vec::len), Some(1));

    // Reviewed and let stand: the post appears.
    let id = report["id"].as_str().expect("id");
    b.post(&db, &format!("/api/v1/admin/reports/{id}/resolve"), Some(&admin_b), json!({}))
        .await
        .expect(200);
    let home = b.get(&db, "/api/v1/timelines/home", Some(&bob)).await.json;
    assert!(
        home.as_array()
            .expect("home")
            .iter()
            .any(|p| p["content"].as_str().is_some_and(|c| c.contains("Casino"))),
        "{home}"
    );

    // A local post meeting a reject rule is refused and audited.
    let r = b
        .post(&db, "/api/v1/statuses", Some(&bob), json!({"status": "something Forbidden here"}))
        .await
        .expect(422);
    assert!(r.json["error"].as_str().is_some_and(|e| e.contains("rule")), "{}", r.text);
    let log = b
        .get(&db, "/api/v1/admin/audit_log?action=automod.reject", Some(&admin_b))
        .await
        .expect(200)
        .json;
    assert_eq!(log.as_array().map(Vec::len), Some(1));
}

/// The form's CSRF token and cookie, from its page.
async fn notice_form(s: &Server, d: &str) -> (String, String) {
    let r = s.http.get(s.url(d, "/about/notice")).send().await.expect("sent");
    assert_eq!(r.status().as_u16(), 200);
    let csp = r
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(csp.contains("form-action 'self'") && !csp.contains("script-src"), "{csp}");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("herd_notice_csrf="))
        .and_then(|c| c.split(';').next())
        .expect("csrf cookie")
        .to_string();
    let body = r.text().await.expect("body");
    let token = body
        .split("name=\"authenticity_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("token in the form")
        .to_string();
    (token, cookie)
}

async fn send_notice(s: &Server, d: &str, token: &str, cookie: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let mut form: Vec<(&str, &str)> = vec![("authenticity_token", token)];
    form.extend_from_slice(fields);
    let r = s
        .http
        .post(s.url(d, "/about/notice"))
        .header("cookie", cookie)
        .form(&form)
        .send()
        .await
        .expect("sent");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

/// A visitor's notice goes from the public form to the queue, a moderator decides, the
/// visitor's reference shows the decision, and the member reads the statement of reasons.
#[tokio::test]
async fn a_visitor_notice_is_decided_with_a_statement_of_reasons() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, m) = staff(&s, &d, "mod", "moderator").await;
    let (bob_id, bob) = s.account(&d, "bob", "member").await;
    let post = s.status(&d, &bob, json!({"status": "an illegal offer"})).await;
    let item = s.url(&d, &format!("/@bob/{post}"));
    let item = item.replace(&format!(":{}", s.addr.port()), "");

    // Bad input: no CSRF cookie, a foreign address, a short explanation.
    let (token, cookie) = notice_form(&s, &d).await;
    let fields = [
        ("item", item.as_str()),
        ("ground", "scam_fraud"),
        ("explanation", "This offer is a fraud scheme."),
        ("contact", "v@example.net"),
        ("confirm", "1"),
    ];
    let (status, _) = send_notice(&s, &d, &token, "herd_notice_csrf=other", &fields).await;
    assert_eq!(status, 403);
    let (status, body) = send_notice(
        &s,
        &d,
        &token,
        &cookie,
        &[
            ("item", "https://elsewhere.example/@x/1"),
            ("ground", "scam_fraud"),
            ("explanation", "This offer is a fraud scheme."),
            ("confirm", "1"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("not a post or a profile on this instance"), "{body}");
    let (token, cookie) = notice_form(&s, &d).await;
    let (status, body) = send_notice(&s, &d, &token, &cookie, &fields).await;
    assert_eq!(status, 200, "{body}");
    let link = body
        .split("href=\"")
        .find_map(|p| p.split('"').next().filter(|l| l.contains("/about/notice/")))
        .expect("reference link")
        .to_string();
    let path = link
        .split_once("/about/notice/")
        .map(|(_, r)| format!("/about/notice/{r}"))
        .expect("path");
    let pending = s
        .http
        .get(s.url(&d, &path))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .unwrap_or_default();
    assert!(pending.contains("Under review"), "{pending}");

    // The queue has it as a legal report from a visitor, with the post.
    let reports = s.get(&d, "/api/v1/admin/reports", Some(&m)).await.expect(200).json;
    let r = &reports[0];
    assert_eq!(r["category"], "legal", "{reports}");
    assert_eq!(r["statuses"][0]["id"], post);
    assert!(r["comment"].as_str().is_some_and(|c| c.contains("fraud scheme")));
    let rid = r["id"].as_str().expect("id").to_string();
    s.post(
        &d,
        &format!("/api/v1/admin/accounts/{bob_id}/action"),
        Some(&m),
        json!({"type": "sensitive", "report_id": rid, "text": "Fraudulent offers are illegal."}),
    )
    .await
    .expect(200);
    let decided = s
        .http
        .get(s.url(&d, &path))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .unwrap_or_default();
    assert!(decided.contains("The moderators acted on the account (sensitive)"), "{decided}");

    // The member's statement of reasons, and the export in the EU database's fields.
    let strikes = s.get(&d, "/api/v1/herd/strikes", Some(&bob)).await.expect(200).json;
    let sor = &strikes[0]["statement_of_reasons"];
    assert_eq!(sor["decision_ground"], "DECISION_GROUND_ILLEGAL_CONTENT", "{strikes}");
    assert_eq!(sor["source_type"], "SOURCE_ARTICLE_16");
    assert_eq!(sor["decision_visibility"][0], "DECISION_VISIBILITY_CONTENT_LABELLED");
    assert_eq!(sor["decision_facts"], "Fraudulent offers are illegal.");
    assert!(strikes[0]["appeal_deadline"].is_string());
    let lines = s.get(&d, "/api/v1/admin/statements_of_reasons", Some(&m)).await.expect(200).text;
    assert_eq!(lines.lines().count(), 1, "{lines}");
    assert!(serde_json::from_str::<Value>(lines.trim()).is_ok_and(|v| v["puid"].is_string()));

    // The transparency report counts it.
    let tr = s.get(&d, "/api/v1/instance/transparency", None).await.expect(200).json;
    assert_eq!(tr["notices"][0], json!({"key": "scam_fraud", "count": 1}), "{tr}");
    assert_eq!(
        tr["actions"][0],
        json!({"action": "sensitive", "ground": "illegal_content", "count": 1})
    );
    assert_eq!(tr["reports_resolved"], 1);
    assert!(tr["median_handling_hours"].is_number());
    let csv = s.get(&d, "/api/v1/admin/transparency?format=csv", Some(&m)).await.expect(200).text;
    assert!(
        csv.starts_with("section,key,ground,count") && csv.contains("notices,scam_fraud,,1"),
        "{csv}"
    );
    s.get(&d, "/api/v1/admin/transparency?from=2026-13-01", Some(&m)).await.expect(422);
    let page = s
        .http
        .get(s.url(&d, "/about/transparency"))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .unwrap_or_default();
    assert!(page.contains("Transparency report") && page.contains("scam_fraud"), "{page}");
}
