//! What a rule's hit leaves behind, in the caller's transaction: an audit record always,
//! and for `flag` and `hide` a report from the system about the post, for moderators.

use herd_core::{Id, Timestamp};
use herd_store::reports::NewReport;
use herd_store::{Conn, TenantId};

use super::{Action, Hit};
use crate::{Actor, Result, audit};

/// Records a hit on `status` (none when the post was rejected) by `author`.
pub(crate) async fn record_hit(c: &mut Conn, t: TenantId, hit: &Hit, status: Option<i64>, author: i64, uri: Option<&str>) -> Result<()> {
    let what = match hit.action {
        Action::Flag => "automod.flag",
        Action::Hide => "automod.hide",
        Action::Reject => "automod.reject",
    };
    audit(
        c,
        t,
        &Actor::Rule(hit.rule),
        what,
        &author.to_string(),
        serde_json::json!({"status_id": status.map(|s| s.to_string()), "uri": uri, "kind": hit.kind, "pattern": hit.pattern}),
    )
    .await?;
    if hit.action == Action::Reject {
        return Ok(());
    }
    let verb = if hit.action == Action::Hide { "held" } else { "flagged" };
    let comment = format!(
        "Automatic rule {} ({} {:?}) {verb} this post for review.",
        hit.rule, hit.kind, hit.pattern
    );
    let ids: Vec<i64> = status.into_iter().collect();
    // A system report names the author as reporter too: reports need an account on both
    // sides, and `origin` says who really filed it.
    crate::reports::open(
        c,
        t,
        NewReport {
            id: Id::generate().0,
            reporter: author,
            target: author,
            status_ids: &ids,
            comment: &comment,
            category: "other",
            uri: None,
            rule_ids: &[],
            forwarded: false,
            origin: "system",
            now: Timestamp::now().0,
        },
    )
    .await?;
    Ok(())
}
