//! Rate limits on what can be guessed: passwords, sign-ups. Kept per node in memory; a burst
//! spread over several nodes gets each node's allowance (noted in ARCHITECTURE.md).

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

pub struct Limits {
    /// Sign-in attempts per client address and instance.
    login_by_ip: DefaultKeyedRateLimiter<(i64, IpAddr)>,
    /// Sign-in attempts per account name and instance, whatever the address.
    login_by_name: DefaultKeyedRateLimiter<(i64, String)>,
    /// Sign-ups per client address and instance.
    signup_by_ip: DefaultKeyedRateLimiter<(i64, IpAddr)>,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl Limits {
    pub fn new() -> Limits {
        Limits {
            login_by_ip: RateLimiter::keyed(per_minute(10).allow_burst(NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN))),
            login_by_name: RateLimiter::keyed(per_minute(5).allow_burst(NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN))),
            signup_by_ip: RateLimiter::keyed(Quota::per_hour(NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN))),
        }
    }

    pub fn login(&self, tenant: i64, ip: IpAddr, name: &str) -> bool {
        self.tidy();
        self.login_by_ip.check_key(&(tenant, ip)).is_ok() && self.login_by_name.check_key(&(tenant, name.to_lowercase())).is_ok()
    }

    pub fn signup(&self, tenant: i64, ip: IpAddr) -> bool {
        self.tidy();
        self.signup_by_ip.check_key(&(tenant, ip)).is_ok()
    }

    /// Forgets keys whose allowance is full again, so memory stays bounded.
    fn tidy(&self) {
        if self.login_by_ip.len() + self.login_by_name.len() + self.signup_by_ip.len() > 10_000 {
            self.login_by_ip.retain_recent();
            self.login_by_name.retain_recent();
            self.signup_by_ip.retain_recent();
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new()
    }
}
