//! Reads a subscribed list and applies what changed since the last read. The work is
//! O(changes): the list's entries are compared with what the instance stored of it, and only
//! the domains that differ are written.

use std::collections::{HashMap, HashSet};

use herd_core::{Id, Timestamp};
use herd_jobs::JobKind;
use herd_store::blocklists::{self, EntryRow, SubscriptionRow};
use herd_store::federation_policy::{self, DomainBlockRow};
use herd_store::{Conn, TenantId};
use serde::{Deserialize, Serialize};

use crate::{Actor, App, AppError, Result, Tenant, audit};

/// The largest list read (a 10,000-domain CSV is about 1 MiB).
const MAX_BYTES: usize = 32 << 20;

#[derive(Debug, Serialize, Deserialize)]
pub struct SyncBlocklist {
    pub subscription: i64,
}

impl herd_jobs::JobKind for SyncBlocklist {
    const KIND: &'static str = "moderation.sync_blocklist";
    const LEASE_MS: i64 = 10 * 60 * 1000;
}

/// What one sync did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    /// Domains the list names that the instance had decided on itself (left as they are).
    pub kept: usize,
}

/// The scheduled sync: reads the list, then writes the next sync due after its interval. A
/// sync of the same list already running (started by hand) does this one's work.
pub async fn sync(app: &App, t: TenantId, job: SyncBlocklist) -> Result<()> {
    let tenant = crate::tenants::by_id(app, t).await?;
    let sub = {
        let mut c = app.db.conn().await?;
        blocklists::get(&mut c, t, job.subscription).await?
    };
    let Some(sub) = sub else { return Ok(()) };
    match run(app, &tenant, sub.id).await {
        Ok(_) => {}
        Err(e) => tracing::warn!(tenant = t.0, subscription = sub.id, error = %e, "blocklist sync failed"),
    }
    let mut tx = app.db.begin().await?;
    if blocklists::get(&mut tx, t, sub.id).await?.is_some() {
        herd_jobs::enqueue_at(&mut tx, t, &job, Timestamp::now().0 + sub.every_ms).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Reads the list now and applies it; the error (a fetch or a malformed list) is also kept
/// on the subscription for the operator to see. If another sync of the list is running, this
/// waits for it (a while) and then reads the list again from where that one left it.
pub async fn sync_now(app: &App, tenant: &Tenant, id: i64) -> Result<SyncOutcome> {
    let give_up = std::time::Instant::now() + WAIT;
    loop {
        if let Some(outcome) = run(app, tenant, id).await? {
            return Ok(outcome);
        }
        if std::time::Instant::now() >= give_up {
            return Err(AppError::Conflict(
                "a sync of this list is running; try again when it has finished".into(),
            ));
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// How long a sync by hand waits for a running one.
const WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// One sync under the subscription's lease, so two syncs never read the same cursor and
/// both apply; `None` when another sync holds the lease.
async fn run(app: &App, tenant: &Tenant, id: i64) -> Result<Option<SyncOutcome>> {
    let t = tenant.id;
    let sub = {
        let mut c = app.db.conn().await?;
        let now = Timestamp::now().0;
        blocklists::get(&mut c, t, id)
            .await?
            .ok_or(AppError::NotFound("Record not found"))?;
        if !blocklists::claim_sync(&mut c, t, id, now, now + SyncBlocklist::LEASE_MS).await? {
            return Ok(None);
        }
        // Read after the claim: the cursor the last sync wrote.
        blocklists::get(&mut c, t, id)
            .await?
            .ok_or(AppError::NotFound("Record not found"))?
    };
    let result = read_and_apply(app, tenant, &sub).await;
    if let Err(e) = &result {
        let mut c = app.db.conn().await?;
        blocklists::synced(&mut c, t, id, Timestamp::now().0, Some(&e.to_string()), None, None).await?;
    }
    result.map(Some)
}

async fn fetch(app: &App, url: &str) -> Result<Vec<u8>> {
    app.fetch
        .get_bytes(url, MAX_BYTES)
        .await
        .map_err(|e| AppError::Invalid(format!("the list at {url} could not be read: {e}")))
}

async fn read_and_apply(app: &App, tenant: &Tenant, sub: &SubscriptionRow) -> Result<SyncOutcome> {
    let t = tenant.id;
    // What the list says now: the whole list (`Some`), or changes since the cursor.
    let (whole, changes, changes_url, cursor) = match sub.format.as_str() {
        "csv" => {
            let body = fetch(app, &sub.url).await?;
            let text = String::from_utf8_lossy(&body);
            (Some(super::dedup(super::parse_csv(&text)?)), Vec::new(), None, None)
        }
        _ => match (&sub.changes_url, &sub.cursor) {
            (Some(changes), Some(cursor)) => {
                let sep = if changes.contains('?') { '&' } else { '?' };
                let mut url = Some(format!("{changes}{sep}since={cursor}"));
                let (mut all, mut last) = (Vec::new(), Some(cursor.clone()));
                let mut pages = 0;
                while let Some(u) = url.take() {
                    let page = super::parse_fires(&fetch(app, &u).await?)?;
                    all.extend(page.changes);
                    last = page.cursor.or(last);
                    pages += 1;
                    url = page.next.filter(|_| pages < 100);
                }
                (None, all, None, last)
            }
            _ => {
                let mut url = Some(sub.url.clone());
                let (mut state, mut changes_url, mut last) = (HashMap::new(), None, None);
                let mut pages = 0;
                while let Some(u) = url.take() {
                    let page = super::parse_fires(&fetch(app, &u).await?)?;
                    for (domain, entry) in page.changes {
                        match entry {
                            Some(e) => state.insert(domain, e),
                            None => state.remove(&domain),
                        };
                    }
                    changes_url = page.changes_url.or(changes_url);
                    last = page.cursor.or(last);
                    pages += 1;
                    url = page.next.filter(|_| pages < 100);
                }
                (Some(state.into_values().collect()), Vec::new(), changes_url, last)
            }
        },
    };
    let mut tx = app.db.begin().await?;
    let stored: HashMap<String, EntryRow> = blocklists::entries(&mut tx, t, sub.id)
        .await?
        .into_iter()
        .map(|e| (e.domain.clone(), e))
        .collect();
    let (puts, drops) = match whole {
        Some(list) => {
            let listed: HashSet<String> = list.iter().map(|e| e.domain.clone()).collect();
            let puts: Vec<EntryRow> = list.into_iter().filter(|e| stored.get(&e.domain) != Some(e)).collect();
            let drops: Vec<String> = stored.keys().filter(|d| !listed.contains(*d)).cloned().collect();
            (puts, drops)
        }
        None => {
            let mut last: HashMap<String, Option<EntryRow>> = HashMap::new();
            for (d, e) in changes {
                last.insert(d, e);
            }
            let mut puts = Vec::new();
            let mut drops = Vec::new();
            for (d, e) in last {
                match e {
                    Some(e) if stored.get(&d) != Some(&e) => puts.push(e),
                    None if stored.contains_key(&d) => drops.push(d),
                    _ => {}
                }
            }
            (puts, drops)
        }
    };
    let outcome = apply(&mut tx, tenant, sub.id, &puts, &drops).await?;
    if outcome != SyncOutcome::default() {
        audit(
            &mut tx,
            t,
            &Actor::Subscription(sub.id),
            "blocklist.sync",
            &sub.url,
            serde_json::json!({
                "added": outcome.added, "changed": outcome.changed, "removed": outcome.removed, "kept": outcome.kept,
                "domains_added": puts.iter().take(100).map(|e| e.domain.as_str()).collect::<Vec<_>>(),
                "domains_removed": drops.iter().take(100).map(String::as_str).collect::<Vec<_>>(),
            }),
        )
        .await?;
    }
    blocklists::synced(
        &mut tx,
        t,
        sub.id,
        Timestamp::now().0,
        None,
        changes_url.as_deref(),
        cursor.as_deref(),
    )
    .await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(outcome)
}

/// Every domain a known remote account is on, with its parent domains: a block on a domain
/// outside this set touches no account here, so nothing but the block row is written.
async fn reachable(c: &mut Conn, t: TenantId) -> Result<HashSet<String>> {
    let mut out = HashSet::new();
    for d in federation_policy::known_domains(c, t).await? {
        let host = d.split(':').next().unwrap_or(&d);
        out.extend(herd_core::names::domain_and_parents(host).map(str::to_string));
    }
    Ok(out)
}

fn block_of(e: &EntryRow, sub: i64, base: Option<&DomainBlockRow>, now: i64) -> DomainBlockRow {
    DomainBlockRow {
        id: base.map(|b| b.id).unwrap_or_else(|| Id::generate().0),
        domain: e.domain.clone(),
        severity: e.severity.clone(),
        reject_media: e.reject_media,
        reject_reports: e.reject_reports,
        private_comment: None,
        public_comment: e.public_comment.clone(),
        obfuscate: e.obfuscate,
        created_at: base.map(|b| b.created_at).unwrap_or(now),
        updated_at: now,
        subscription_id: Some(sub),
    }
}

async fn apply(c: &mut Conn, tenant: &Tenant, sub: i64, puts: &[EntryRow], drops: &[String]) -> Result<SyncOutcome> {
    let t = tenant.id;
    let now = Timestamp::now().0;
    let mut out = SyncOutcome::default();
    if puts.is_empty() && drops.is_empty() {
        return Ok(out);
    }
    let reach = reachable(c, t).await?;
    for e in puts {
        blocklists::put_entry(c, t, sub, e, now).await?;
        match federation_policy::block_by_domain(c, t, &e.domain).await? {
            None => {
                let row = block_of(e, sub, None, now);
                federation_policy::insert_block(c, t, &row).await?;
                if reach.contains(&row.domain) {
                    crate::federation_policy::apply(c, tenant, &row, None, now).await?;
                }
                out.added += 1;
            }
            Some(old) if old.subscription_id == Some(sub) => {
                let row = block_of(e, sub, Some(&old), now);
                federation_policy::update_block(c, t, &row).await?;
                if reach.contains(&row.domain) {
                    crate::federation_policy::apply(c, tenant, &row, Some(&old), now).await?;
                }
                out.changed += 1;
            }
            Some(_) => out.kept += 1,
        }
    }
    for d in drops {
        blocklists::drop_entry(c, t, sub, d).await?;
        let Some(old) = federation_policy::block_by_domain(c, t, d).await? else {
            continue;
        };
        if old.subscription_id != Some(sub) {
            continue;
        }
        match blocklists::other_entry(c, t, sub, d).await? {
            // Another list still holds it: the block is that list's now.
            Some((other, e)) => {
                let row = block_of(&e, other, Some(&old), now);
                federation_policy::update_block(c, t, &row).await?;
                if reach.contains(d) {
                    crate::federation_policy::apply(c, tenant, &row, Some(&old), now).await?;
                }
            }
            None => {
                federation_policy::delete_block(c, t, old.id).await?;
                if reach.contains(d) {
                    let accounts = herd_store::moderation::accounts_of_domain(c, t, d).await?;
                    crate::federation_policy::lift(c, t, &accounts, &old.severity, old.created_at).await?;
                }
            }
        }
        out.removed += 1;
    }
    Ok(out)
}

/// Drops domains from a list, as a sync that no longer finds them would.
pub(super) async fn retract(c: &mut Conn, tenant: &Tenant, sub: i64, domains: &[String]) -> Result<usize> {
    Ok(apply(c, tenant, sub, &[], domains).await?.removed)
}
