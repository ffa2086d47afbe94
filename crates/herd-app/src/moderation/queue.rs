//! The read side of moderation, through the node's caches: pages of the report queue
//! (dropped by `Change::Reports`) and accounts with their users (dropped by
//! `Change::Account` and `Change::User`), so a moderator's busy queue costs no query when
//! nothing changed.

use std::sync::Arc;

use herd_store::accounts::{self, AccountRow};
use herd_store::reports::{self, ReportFilter, ReportRow};
use herd_store::users::UserRow;
use herd_store::{Page, TenantId, moderation};

use crate::cache;
use crate::{App, LazyConn, Result};

/// One page of the queue.
pub async fn report_page(app: &App, c: &mut LazyConn<'_>, t: TenantId, f: &ReportFilter, page: &Page) -> Result<Arc<Vec<ReportRow>>> {
    let key = (t.0, format!("{f:?}{page:?}"));
    if let Some(p) = app.caches.report_pages.get(&key) {
        return Ok(p);
    }
    let epoch = app.caches.epoch();
    let rows = Arc::new(reports::list(c.get().await?, t, f, page).await?);
    app.caches.put(&app.caches.report_pages, epoch, key, rows.clone());
    Ok(rows)
}

/// These accounts with their users (local accounts have one), in no particular order.
pub async fn with_users(app: &App, c: &mut LazyConn<'_>, t: TenantId, ids: &[i64]) -> Result<Vec<(Arc<AccountRow>, Option<Arc<UserRow>>)>> {
    let (mut found, missing) = cache::lookup(&app.caches.accounts, t, ids);
    if !missing.is_empty() {
        let epoch = app.caches.epoch();
        for a in accounts::by_ids(c.get().await?, t, &missing).await? {
            let a = Arc::new(a);
            app.caches.put(&app.caches.accounts, epoch, (t.0, a.id), a.clone());
            found.insert(a.id, a);
        }
    }
    let local: Vec<i64> = found.values().filter(|a| a.domain.is_empty()).map(|a| a.id).collect();
    let users = users(app, c, t, &local).await?;
    Ok(found
        .into_values()
        .map(|a| {
            let u = users.get(&a.id).cloned();
            (a, u)
        })
        .collect())
}

/// The users of these local accounts, by account id.
pub async fn users(app: &App, c: &mut LazyConn<'_>, t: TenantId, accounts: &[i64]) -> Result<std::collections::HashMap<i64, Arc<UserRow>>> {
    let (mut users, missing) = cache::lookup(&app.caches.users, t, accounts);
    if !missing.is_empty() {
        let epoch = app.caches.epoch();
        for u in moderation::users_of(c.get().await?, t, &missing).await? {
            let u = Arc::new(u);
            app.caches.put(&app.caches.users, epoch, (t.0, u.account_id), u.clone());
            users.insert(u.account_id, u);
        }
    }
    Ok(users)
}
