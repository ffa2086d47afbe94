//! When a report that came from visitors' notices is decided, each notice records the
//! decision and its sender is told: by e-mail once mail is configured (logged until then),
//! and on the page their reference opens.

use herd_core::Timestamp;
use herd_store::{Conn, TenantId, dsa};

use crate::Result;

pub(crate) async fn decided(c: &mut Conn, t: TenantId, report: i64, decision: &str) -> Result<()> {
    let now = Timestamp::now().0;
    for n in dsa::notices_of_report(c, t, report).await? {
        if n.decided_at.is_some() {
            continue;
        }
        let notified = n.contact.is_some();
        if let Some(to) = &n.contact {
            tracing::info!(tenant = t.0, notice = n.id, %to, decision, "notice decided (no mail configured; the sender's page shows it)");
        }
        dsa::decide_notice(c, t, n.id, decision, now, notified).await?;
    }
    Ok(())
}
