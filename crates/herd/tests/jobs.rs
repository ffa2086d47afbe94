//! The job queue takes instances in turn, so one instance's flood of jobs does not hold
//! back another's.

mod common;

use common::Server;
use herd_core::{Id, Timestamp};
use herd_store::jobs::{self, NewJob};

#[tokio::test]
async fn instances_take_turns_at_the_job_queue() {
    let s = Server::start().await;
    let busy = herd_app::tenants::by_domain(s.app(), &s.tenant("org-a.test", "open").await)
        .await
        .expect("tenant")
        .id;
    let quiet = herd_app::tenants::by_domain(s.app(), &s.tenant("org-b.test", "open").await)
        .await
        .expect("tenant")
        .id;
    // Due days from now, so the server's own workers leave them alone.
    let now = Timestamp::now().0;
    let due = now + 5 * 86_400_000;
    let mut c = s.app().db.begin().await.expect("tx");
    for i in 0..20 {
        let job = NewJob {
            id: Id::generate().0,
            kind: "test.flood",
            payload: "{}",
            run_at: due + i,
            max_attempts: 1,
        };
        jobs::enqueue(&mut c, busy, job, now).await.expect("enqueued");
    }
    let reply = NewJob {
        id: Id::generate().0,
        kind: "test.reply",
        payload: "{}",
        run_at: due + 100,
        max_attempts: 1,
    };
    jobs::enqueue(&mut c, quiet, reply, now).await.expect("enqueued");
    c.commit().await.expect("commit");

    let later = due + 86_400_000;
    let mut order = Vec::new();
    let mut after = 0;
    for _ in 0..4 {
        let mut tx = s.app().db.begin().await.expect("tx");
        let job = jobs::lease(&mut tx, later, 60_000, after).await.expect("lease").expect("a due job");
        tx.commit().await.expect("commit");
        after = job.tenant_id;
        order.push(job.kind);
    }
    // The flood's oldest first, then the other instance's one job, though it is the newest.
    assert_eq!(order, ["test.flood", "test.reply", "test.flood", "test.flood"]);
    s.stop().await;
}
