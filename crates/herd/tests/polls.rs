//! Polls over HTTP as apps use them: created with a post, voted on, closed at their end, and
//! carried between two servers as ActivityPub Questions.

mod common;

use common::{Server, eventually};
use reqwest::Method;
use serde_json::{Value, json};

/// Ends a poll now, as if its time had run out: its end and its closing job are moved to the
/// present (the shortest poll Mastodon allows lasts five minutes).
async fn end_now(s: &Server, poll: &str) {
    let now = herd_core::Timestamp::now().0 - 1;
    let id: i64 = poll.parse().expect("poll id");
    let mut c = s.app().db.conn().await.expect("connection");
    c.q("UPDATE polls SET expires_at = ? WHERE id = ?")
        .bind(now)
        .bind(id)
        .execute(c.ex())
        .await
        .expect("poll ended");
    let payload = json!({"poll": id, "expires_at": now, "voter": null}).to_string();
    let moved = c
        .q("UPDATE jobs SET run_at = ?, payload = ? WHERE kind = 'polls.close' AND payload LIKE ?")
        .bind(now)
        .bind(payload)
        .bind(format!("{{\"poll\":{id},%"))
        .execute(c.ex())
        .await
        .expect("job moved")
        .rows_affected();
    assert_eq!(moved, 1, "the poll's closing job was waiting");
    s.app().waker.wake();
}

fn poll_of(status: &Value) -> Value {
    status["poll"].clone()
}

fn tallies(poll: &Value) -> Vec<Value> {
    poll["options"]
        .as_array()
        .map(|o| o.iter().map(|x| x["votes_count"].clone()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn polls_are_posted_voted_on_and_closed() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (alice, at) = s.account(&d, "alice", "member").await;
    let (_, bt) = s.account(&d, "bob", "member").await;
    let (_, ct) = s.account(&d, "carol", "member").await;

    // Mastodon's rules for a new poll, each refused with 422 and a message naming it.
    let bad = [
        (json!({"options": ["only"], "expires_in": 600}), "at least 2"),
        (json!({"options": ["a", "b", "c", "d", "e"], "expires_in": 600}), "more than 4"),
        (json!({"options": ["a", "a"], "expires_in": 600}), "duplicate"),
        (json!({"options": ["a", " "], "expires_in": 600}), "blank"),
        (json!({"options": ["a", "x".repeat(51)], "expires_in": 600}), "50 characters"),
        (json!({"options": ["a", "b"], "expires_in": 60}), "too short"),
        (json!({"options": ["a", "b"], "expires_in": 99_999_999}), "too long"),
        (json!({"options": ["a", "b"]}), "expiration"),
        (json!({"options": ["a", "b"], "expires_in": "soon"}), "whole number"),
        (json!("yes"), "object"),
    ];
    for (poll, why) in bad {
        let r = s
            .post(&d, "/api/v1/statuses", Some(&at), json!({"status": "Lunch?", "poll": poll}))
            .await
            .expect(422);
        assert!(r.text.contains(why), "{poll} is refused naming {why}: {}", r.text);
    }
    let png = s.upload(&d, &at, common::png(4, 4), "a.png").await;
    s.wait_media(&d, &png, &at).await;
    s.post(
        &d,
        "/api/v1/statuses",
        Some(&at),
        json!({"status": "Lunch?", "media_ids": [png], "poll": {"options": ["a", "b"], "expires_in": 600}}),
    )
    .await
    .expect(422);

    // A poll as a form sends it (`poll[options][]=...`), as most apps do.
    let form = [
        ("status", "Where shall we eat?"),
        ("poll[options][]", "Pizza"),
        ("poll[options][]", "Sushi"),
        ("poll[options][]", "Salad"),
        ("poll[expires_in]", "3600"),
    ];
    let r = s
        .http
        .post(s.url(&d, "/api/v1/statuses"))
        .bearer_auth(&at)
        .form(&form)
        .send()
        .await
        .expect("sent");
    let status = common::Resp::from(r).await.expect(200).json;
    let poll = poll_of(&status);
    assert_eq!(poll["multiple"], false);
    assert_eq!(poll["expired"], false);
    assert_eq!(poll["votes_count"], 0);
    assert_eq!(poll["voters_count"], 0);
    assert_eq!(poll["voted"], true, "the author counts as having voted: {poll}");
    assert_eq!(poll["own_votes"], json!([]));
    assert_eq!(tallies(&poll), vec![json!(0), json!(0), json!(0)]);
    assert_eq!(poll["options"][1]["title"], "Sushi");
    let pid = poll["id"].as_str().expect("poll id").to_string();
    let votes = format!("/api/v1/polls/{pid}/votes");

    // Voting: checked, counted once, and shown to the voter.
    let refusals = [
        (&at, json!({"choices": [0]}), "Validation failed: You cannot vote in your own polls"),
        (&bt, json!({"choices": []}), "blank"),
        (
            &bt,
            json!({"choices": [3]}),
            "Validation failed: The chosen vote option does not exist",
        ),
        // Mastodon's words for a second choice where one is allowed.
        (
            &bt,
            json!({"choices": [0, 1]}),
            "Validation failed: You have already voted on this poll",
        ),
        (&bt, json!({"choices": ["x"]}), "whole numbers"),
    ];
    for (token, body, why) in refusals {
        let r = s.post(&d, &votes, Some(token), body).await.expect(422);
        assert!(r.text.contains(why), "refused naming {why}: {}", r.text);
    }
    s.post(&d, "/api/v1/polls/123456/votes", Some(&bt), json!({"choices": [0]}))
        .await
        .expect(404);
    let voted = s.post(&d, &votes, Some(&bt), json!({"choices": [1]})).await.expect(200).json;
    assert_eq!(voted["voted"], true);
    assert_eq!(voted["own_votes"], json!([1]));
    assert_eq!(voted["votes_count"], 1);
    assert_eq!(voted["voters_count"], 1);
    assert_eq!(tallies(&voted), vec![json!(0), json!(1), json!(0)]);
    let again = s.post(&d, &votes, Some(&bt), json!({"choices": [2]})).await.expect(422);
    assert!(again.text.contains("already voted"), "{}", again.text);
    s.post(&d, &votes, Some(&ct), json!({"choices": [1]})).await.expect(200);

    // Every way a post is read carries its poll as that viewer sees it.
    let sid = status["id"].as_str().expect("id");
    let shown = s.get(&d, &format!("/api/v1/polls/{pid}"), Some(&ct)).await.expect(200).json;
    assert_eq!(shown["own_votes"], json!([1]));
    assert_eq!(shown["votes_count"], 2);
    let anonymous = s.get(&d, &format!("/api/v1/polls/{pid}"), None).await.expect(200).json;
    assert!(anonymous.get("voted").is_none(), "no `voted` without a viewer: {anonymous}");
    let for_bob = s.get(&d, &format!("/api/v1/statuses/{sid}"), Some(&bt)).await.expect(200).json;
    assert_eq!(poll_of(&for_bob)["own_votes"], json!([1]));
    assert_eq!(poll_of(&for_bob)["votes_count"], 2);
    s.post(&d, &format!("/api/v1/accounts/{alice}/follow"), Some(&bt), json!({}))
        .await
        .expect(200);
    for _ in 0..2 {
        // Twice: the second page comes from the node's caches.
        let home = s.get(&d, "/api/v1/timelines/home", Some(&bt)).await.expect(200).json;
        let p = poll_of(&home[0]);
        assert_eq!(p["own_votes"], json!([1]), "{home}");
        assert_eq!(tallies(&p), vec![json!(0), json!(2), json!(0)]);
        let mine = s.get(&d, "/api/v1/timelines/home", Some(&at)).await.expect(200).json;
        assert_eq!(poll_of(&mine[0])["voted"], true);
        assert_eq!(poll_of(&mine[0])["own_votes"], json!([]));
    }

    // At its end the author and the voters are told, and no more votes are taken.
    end_now(&s, &pid).await;
    for token in [&at, &bt, &ct] {
        let told = || async {
            let n = s.get(&d, "/api/v1/notifications?types[]=poll", Some(token)).await.json;
            n[0]["type"] == "poll" && n[0]["status"]["id"] == sid
        };
        assert!(eventually(told).await, "a poll notification arrives");
    }
    let n = s.get(&d, "/api/v1/notifications?types[]=poll", Some(&bt)).await.json;
    assert_eq!(n.as_array().map(Vec::len), Some(1), "told once: {n}");
    assert_eq!(n[0]["account"]["id"], alice.as_str());
    let ended = s.get(&d, &format!("/api/v1/polls/{pid}"), Some(&bt)).await.expect(200).json;
    assert_eq!(ended["expired"], true);
    let (_, dt) = s.account(&d, "dave", "member").await;
    let late = s.post(&d, &votes, Some(&dt), json!({"choices": [0]})).await.expect(422);
    assert!(late.text.contains("ended"), "{}", late.text);
    s.stop().await;
}

#[tokio::test]
async fn hidden_tallies_multiple_choices_and_edits() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let (_, at) = s.account(&d, "alice", "member").await;
    let (_, bt) = s.account(&d, "bob", "member").await;
    let status = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "Which days?", "poll": {"options": ["Mon", "Tue", "Wed"], "expires_in": 86400,
                   "multiple": true, "hide_totals": true}}),
        )
        .await
        .expect(200)
        .json;
    let poll = poll_of(&status);
    assert_eq!(poll["multiple"], true);
    assert_eq!(
        tallies(&poll),
        vec![Value::Null, Value::Null, Value::Null],
        "tallies hidden until the end"
    );
    let pid = poll["id"].as_str().expect("id").to_string();
    let sid = status["id"].as_str().expect("id").to_string();
    let voted = s
        .post(&d, &format!("/api/v1/polls/{pid}/votes"), Some(&bt), json!({"choices": ["0", "2"]}))
        .await
        .expect(200)
        .json;
    assert_eq!(voted["own_votes"], json!([0, 2]));
    assert_eq!(voted["votes_count"], 2);
    assert_eq!(voted["voters_count"], 1);
    assert_eq!(tallies(&voted), vec![Value::Null, Value::Null, Value::Null]);

    // An edit that keeps the options keeps the votes; new options drop them.
    let path = format!("/api/v1/statuses/{sid}");
    let same = json!({"status": "Which days suit you?", "poll": {"options": ["Mon", "Tue", "Wed"], "expires_in": 86400,
                      "multiple": true, "hide_totals": false}});
    let kept = s.call(Method::PUT, &d, &path, Some(&at), same).await.expect(200).json;
    assert_eq!(tallies(&poll_of(&kept)), vec![json!(1), json!(0), json!(1)], "{kept}");
    let other = json!({"status": "Which days suit you?", "poll": {"options": ["Thu", "Fri"], "expires_in": 86400}});
    let reset = s.call(Method::PUT, &d, &path, Some(&at), other).await.expect(200).json;
    assert_eq!(tallies(&poll_of(&reset)), vec![json!(0), json!(0)]);
    assert_eq!(poll_of(&reset)["multiple"], false);
    let for_bob = s.get(&d, &format!("/api/v1/polls/{pid}"), Some(&bt)).await.expect(200).json;
    assert_eq!(for_bob["voted"], false, "bob may vote again: {for_bob}");
    let history = s.get(&d, &format!("{path}/history"), Some(&at)).await.expect(200).json;
    let versions: Vec<Value> = history
        .as_array()
        .map(|h| h.iter().map(|v| v["poll"]["options"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(versions.len(), 3, "{history}");
    assert_eq!(versions[0], json!([{"title": "Mon"}, {"title": "Tue"}, {"title": "Wed"}]));
    assert_eq!(versions[2], json!([{"title": "Thu"}, {"title": "Fri"}]));

    // An edit without a poll takes it off, as on Mastodon.
    let gone = s
        .call(Method::PUT, &d, &path, Some(&at), json!({"status": "No poll after all"}))
        .await
        .expect(200)
        .json;
    assert_eq!(gone["poll"], Value::Null);
    s.get(&d, &format!("/api/v1/polls/{pid}"), Some(&bt)).await.expect(404);
    s.stop().await;
}

#[tokio::test]
async fn a_poll_is_private_to_those_who_may_see_its_post() {
    let s = Server::start().await;
    let d = s.tenant("org-a.test", "open").await;
    let e = s.tenant("org-b.test", "open").await;
    let (_, at) = s.account(&d, "alice", "member").await;
    let (_, bt) = s.account(&d, "bob", "member").await;
    let (_, et) = s.account(&e, "erin", "member").await;
    let status = s
        .post(
            &d,
            "/api/v1/statuses",
            Some(&at),
            json!({"status": "Followers only", "visibility": "private",
                   "poll": {"options": ["yes", "no"], "expires_in": 600}}),
        )
        .await
        .expect(200)
        .json;
    let pid = poll_of(&status)["id"].as_str().expect("id").to_string();
    s.get(&d, &format!("/api/v1/polls/{pid}"), Some(&bt)).await.expect(404);
    s.post(&d, &format!("/api/v1/polls/{pid}/votes"), Some(&bt), json!({"choices": [0]}))
        .await
        .expect(404);
    // Another instance on the same server knows nothing of it.
    s.get(&e, &format!("/api/v1/polls/{pid}"), Some(&et)).await.expect(404);
    s.post(&e, &format!("/api/v1/polls/{pid}/votes"), Some(&et), json!({"choices": [0]}))
        .await
        .expect(404);
    s.stop().await;
}

#[tokio::test]
async fn polls_travel_between_servers_as_questions() {
    let (a, da, b, db) = common::pair().await;
    let (_, at) = a.account(&da, "alice", "member").await;
    let (_, bt) = b.account(&db, "bob", "member").await;
    common::followed(&a, &da, &at, &format!("bob@{db}")).await;

    // bob's poll is a Question with its options, end and tallies.
    let status = b
        .post(
            &db,
            "/api/v1/statuses",
            Some(&bt),
            json!({"status": "Tabs or spaces?", "poll": {"options": ["Tabs", "Spaces"], "expires_in": 3600}}),
        )
        .await
        .expect(200)
        .json;
    let bob_poll = poll_of(&status)["id"].as_str().expect("id").to_string();
    let doc = b
        .http
        .get(status["uri"].as_str().expect("uri"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .expect("sent")
        .json::<Value>()
        .await
        .expect("json");
    assert_eq!(doc["type"], "Question", "{doc}");
    assert_eq!(doc["oneOf"][1]["name"], "Spaces");
    assert_eq!(doc["oneOf"][1]["replies"]["totalItems"], 0);
    assert!(doc["endTime"].is_string() && doc.get("closed").is_none(), "{doc}");
    assert_eq!(doc["votersCount"], 0);

    // It reaches alice with its poll; she votes there and bob's server counts it.
    let arrived = || async {
        let home = a.get(&da, "/api/v1/timelines/home", Some(&at)).await.json;
        home[0]["uri"] == status["uri"] && home[0]["poll"]["options"][1]["title"] == "Spaces"
    };
    assert!(eventually(arrived).await, "the post arrived with its poll");
    let home = a.get(&da, "/api/v1/timelines/home", Some(&at)).await.json;
    let local_poll = poll_of(&home[0]);
    assert_eq!(local_poll["voted"], false);
    assert_eq!(local_poll["expired"], false);
    let lp = local_poll["id"].as_str().expect("id").to_string();
    let voted = a
        .post(&da, &format!("/api/v1/polls/{lp}/votes"), Some(&at), json!({"choices": [1]}))
        .await
        .expect(200)
        .json;
    assert_eq!(voted["own_votes"], json!([1]));
    assert_eq!(tallies(&voted), vec![json!(0), json!(1)], "counted here at once");
    let counted = || async {
        let p = b.get(&db, &format!("/api/v1/polls/{bob_poll}"), Some(&bt)).await.json;
        p["votes_count"] == 1 && p["options"][1]["votes_count"] == 1 && p["voters_count"] == 1
    };
    assert!(eventually(counted).await, "bob's server counted alice's vote");
    let vote_note = b.get(&db, "/api/v1/timelines/home", Some(&bt)).await.json;
    assert_eq!(vote_note.as_array().map(Vec::len), Some(1), "a vote is no post: {vote_note}");

    // At the end bob is told, the final tallies reach alice's server, and she is told too.
    end_now(&b, &bob_poll).await;
    let bob_told = || async {
        let n = b.get(&db, "/api/v1/notifications?types[]=poll", Some(&bt)).await.json;
        n[0]["type"] == "poll"
    };
    assert!(eventually(bob_told).await, "bob is told his poll ended");
    let alice_told = || async {
        let n = a.get(&da, "/api/v1/notifications?types[]=poll", Some(&at)).await.json;
        n[0]["type"] == "poll" && n[0]["status"]["poll"]["expired"] == true
    };
    assert!(eventually(alice_told).await, "alice is told the poll she voted in ended");
    let fin = a.get(&da, &format!("/api/v1/polls/{lp}"), Some(&at)).await.expect(200).json;
    assert_eq!(tallies(&fin), vec![json!(0), json!(1)], "{fin}");
    assert_eq!(fin["own_votes"], json!([1]));
    a.stop().await;
    b.stop().await;
}
