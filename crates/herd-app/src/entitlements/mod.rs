//! What an instance's bookings entitle it to, decided in one place that every layer asks:
//! whether it is served normally, read-only or suspended (hosting and its grace policy),
//! its quotas, and which services it has (the desks and backup schedules read these).
//!
//! A [`Grant`] is computed from the instance's bookings and cached per node for
//! [`Cache::TTL`] (as the tenant cache is), so a booking changed on another node shows
//! within that time; changes made on this node drop the cache at once.

mod check;

pub use check::{check_new_account, check_upload, read_only_message, suspended_message};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use herd_core::service::DEFAULT_GRACE_DAYS;
use herd_core::{Service, Terms, Timestamp};
use herd_store::TenantId;
use herd_store::bookings::BookingRow;

use crate::{App, Result};

const DAY_MS: i64 = 86_400_000;

/// How an instance is served, from its hosting booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hosting {
    /// A hosting booking is in force.
    Active,
    /// No hosting booking is in force: everything can be read and exported, nothing new
    /// written. `suspend_at` is when the grace period ends (epoch ms), if a booking ended.
    ReadOnly { since: Option<i64>, suspend_at: Option<i64> },
    /// The grace period after the last hosting booking is over: the instance is not served
    /// to the public or other servers; its members can still sign in, read and export.
    Suspended { since: i64 },
}

/// What an instance is entitled to at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub hosting: Hosting,
    /// The services in force and their terms (an instance's own booking before its
    /// organization's).
    pub services: HashMap<Service, Terms>,
}

impl Grant {
    /// From the bookings that concern an instance (its own and its organization's), at `now`.
    pub fn of(bookings: &[BookingRow], tenant: TenantId, now: i64) -> Grant {
        let mut services: HashMap<Service, (bool, Terms)> = HashMap::new();
        for b in bookings.iter().filter(|b| crate::bookings::active_at(b, now)) {
            let Ok(s) = crate::bookings::service_of(b) else { continue };
            let own = b.tenant_id == Some(tenant.0);
            match services.get(&s) {
                Some((true, _)) if !own => {}
                _ => {
                    services.insert(s, (own, crate::bookings::terms_of(b)));
                }
            }
        }
        let services: HashMap<Service, Terms> = services.into_iter().map(|(s, (_, t))| (s, t)).collect();
        let hosting = if services.contains_key(&Service::Hosting) {
            Hosting::Active
        } else {
            let last = bookings
                .iter()
                .filter(|b| b.service == Service::Hosting.as_str() && b.tenant_id == Some(tenant.0))
                .filter_map(|b| b.ends_at.filter(|e| *e <= now).map(|e| (e, b)))
                .max_by_key(|(e, _)| *e);
            match last {
                None => Hosting::ReadOnly {
                    since: None,
                    suspend_at: None,
                },
                Some((ended, b)) => {
                    let grace = crate::bookings::terms_of(b).grace_days.unwrap_or(DEFAULT_GRACE_DAYS);
                    let suspend_at = ended.saturating_add(grace.saturating_mul(DAY_MS));
                    if now < suspend_at {
                        Hosting::ReadOnly {
                            since: Some(ended),
                            suspend_at: Some(suspend_at),
                        }
                    } else {
                        Hosting::Suspended { since: suspend_at }
                    }
                }
            }
        };
        Grant { hosting, services }
    }

    pub fn has(&self, s: Service) -> bool {
        self.services.contains_key(&s)
    }

    pub fn terms(&self, s: Service) -> Option<&Terms> {
        self.services.get(&s)
    }

    /// Whether members may write (post, follow, upload, change settings).
    pub fn writable(&self) -> bool {
        self.hosting == Hosting::Active
    }
}

/// Grants recently computed on this node, by instance.
#[derive(Default)]
pub struct Cache {
    map: Mutex<HashMap<i64, (Instant, Arc<Grant>)>>,
}

impl Cache {
    const TTL: Duration = Duration::from_secs(2);
    const MAX: usize = 10_000;

    fn get(&self, t: TenantId) -> Option<Arc<Grant>> {
        let map = self.map.lock().ok()?;
        map.get(&t.0).filter(|(at, _)| at.elapsed() < Self::TTL).map(|(_, g)| g.clone())
    }

    fn put(&self, t: TenantId, g: Arc<Grant>) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= Self::MAX {
                map.retain(|_, (at, _)| at.elapsed() < Self::TTL);
            }
            if map.len() < Self::MAX {
                map.insert(t.0, (Instant::now(), g));
            }
        }
    }

    /// Drops every grant (a booking or plan changed on this node).
    pub fn forget_all(&self) {
        if let Ok(mut map) = self.map.lock() {
            map.clear();
        }
    }
}

/// What the instance is entitled to now.
pub async fn of(app: &App, t: TenantId) -> Result<Arc<Grant>> {
    if let Some(g) = app.entitlements.get(t) {
        return Ok(g);
    }
    let rows = {
        let mut c = app.db.conn().await?;
        herd_store::bookings::for_tenant(&mut c, t).await?
    };
    let g = Arc::new(Grant::of(&rows, t, Timestamp::now().0));
    app.entitlements.put(t, g.clone());
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn booking(service: &str, tenant: Option<i64>, starts: i64, ends: Option<i64>, terms: &str) -> BookingRow {
        BookingRow {
            id: starts,
            organization_id: 1,
            tenant_id: tenant,
            external_id: None,
            service: service.into(),
            plan_id: None,
            terms: terms.into(),
            starts_at: starts,
            ends_at: ends,
            created_at: starts,
            updated_at: starts,
            plan_name: None,
            plan_terms: Some(r#"{"max_accounts": 10}"#.into()).filter(|_| service == "hosting"),
        }
    }

    #[test]
    fn hosting_ends_in_read_only_then_suspension() {
        let t = TenantId(7);
        let ended = 10 * DAY_MS;
        let b = [booking("hosting", Some(7), 0, Some(ended), r#"{"grace_days": 5}"#)];
        assert_eq!(Grant::of(&b, t, ended - 1).hosting, Hosting::Active);
        assert_eq!(
            Grant::of(&b, t, ended - 1).terms(Service::Hosting).and_then(|t| t.max_accounts),
            Some(10)
        );
        assert_eq!(
            Grant::of(&b, t, ended).hosting,
            Hosting::ReadOnly {
                since: Some(ended),
                suspend_at: Some(ended + 5 * DAY_MS)
            }
        );
        assert_eq!(
            Grant::of(&b, t, ended + 5 * DAY_MS).hosting,
            Hosting::Suspended { since: ended + 5 * DAY_MS }
        );
        assert_eq!(
            Grant::of(&[], t, 0).hosting,
            Hosting::ReadOnly {
                since: None,
                suspend_at: None
            },
            "never booked: read-only, never suspended by itself"
        );
    }

    #[test]
    fn an_instance_booking_comes_before_the_organizations() {
        let t = TenantId(7);
        let b = [
            booking("moderation", Some(7), 0, None, r#"{"response_minutes": 60}"#),
            booking("moderation", None, 1, None, r#"{"response_minutes": 240}"#),
            booking("support", None, 2, None, r#"{"coverage": "24/7"}"#),
        ];
        let g = Grant::of(&b, t, 100);
        assert_eq!(g.terms(Service::Moderation).and_then(|t| t.response_minutes), Some(60));
        assert!(g.has(Service::Support));
        assert!(!g.has(Service::Backups));
        let other = Grant::of(&b[1..], TenantId(8), 100);
        assert_eq!(other.terms(Service::Moderation).and_then(|t| t.response_minutes), Some(240));
    }
}
