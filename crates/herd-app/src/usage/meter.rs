//! Counting on the hot paths without a write per event: a user's first request of the day
//! on this node writes their activity row; deliveries are added up in memory and written
//! every few seconds (and at shutdown) by [`flush`]. A node that dies loses at most the
//! deliveries since its last flush; none is ever counted twice. (Inbox activities are
//! counted in the ingest's own transaction, exactly.)

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use herd_core::Timestamp;
use herd_store::TenantId;

use super::day_of;
use crate::{App, Result};

#[derive(Default)]
pub struct Meter {
    /// Users seen today on this node: (day, {(tenant, account)}).
    seen: Mutex<(i64, HashSet<(i64, i64)>)>,
    /// Per (tenant, day): deliveries, failed deliveries.
    counts: Mutex<HashMap<(i64, i64), [i64; 2]>>,
}

impl Meter {
    fn add(&self, t: TenantId, i: usize, n: i64) {
        if let Ok(mut m) = self.counts.lock() {
            m.entry((t.0, day_of(Timestamp::now().0))).or_default()[i] += n;
        }
    }

    /// A delivery to another server was tried (and whether it failed).
    pub fn delivery(&self, t: TenantId, failed: bool) {
        self.add(t, 0, 1);
        if failed {
            self.add(t, 1, 1);
        }
    }

    fn take(&self) -> HashMap<(i64, i64), [i64; 2]> {
        self.counts.lock().map(|mut m| std::mem::take(&mut *m)).unwrap_or_default()
    }

    fn put_back(&self, counts: HashMap<(i64, i64), [i64; 2]>) {
        if let Ok(mut m) = self.counts.lock() {
            for (k, v) in counts {
                let e = m.entry(k).or_default();
                for (a, b) in e.iter_mut().zip(v) {
                    *a += b;
                }
            }
        }
    }
}

/// A signed-in user made a request: the first one of the day (on this node) is written.
pub async fn record_activity(app: &App, t: TenantId, account: i64) -> Result<()> {
    let day = day_of(Timestamp::now().0);
    let new = match app.meter.seen.lock() {
        Ok(mut seen) => {
            if seen.0 != day {
                *seen = (day, HashSet::new());
            }
            seen.1.insert((t.0, account))
        }
        Err(_) => false,
    };
    if new {
        let mut c = app.db.conn().await?;
        if let Err(e) = herd_store::usage::record_activity(&mut c, t, day, account).await {
            // Seen again later, it is written then.
            if let Ok(mut seen) = app.meter.seen.lock() {
                seen.1.remove(&(t.0, account));
            }
            return Err(e.into());
        }
    }
    Ok(())
}

/// Writes the counts added up since the last flush, in one transaction; on failure they
/// are kept for the next.
pub async fn flush(app: &App) -> Result<()> {
    let counts = app.meter.take();
    if counts.is_empty() {
        return Ok(());
    }
    let write = async {
        let mut tx = app.db.begin().await?;
        for ((t, day), [d, f]) in &counts {
            herd_store::usage::count(&mut tx, TenantId(*t), *day, *d, *f, 0).await?;
        }
        tx.commit().await?;
        Ok::<(), crate::AppError>(())
    };
    if let Err(e) = write.await {
        app.meter.put_back(counts);
        return Err(e);
    }
    Ok(())
}
