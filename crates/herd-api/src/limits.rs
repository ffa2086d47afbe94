//! Rate limits as Mastodon has them: fixed windows counted per access token or per client
//! address (the whole API, media uploads, posting, follows, sign-ups, sign-in), with
//! `X-RateLimit-*` headers, configurable, and networks an operator exempts.
//!
//! Counters are kept per node in memory, not in the database: a limit is checked on every API
//! request, and a warm home page is answered without any query (see `herd bench timeline`), so
//! a shared counter would cost more than the request it guards. With several nodes behind a
//! load balancer a client can therefore get up to one allowance per node; ARCHITECTURE.md and
//! README say so.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Request};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use herd_app::{AppError, Viewer};
use herd_core::{Cidr, Timestamp};

use crate::State;
use crate::error::ApiError;
use crate::extract::Ctx;
use std::hash::{BuildHasher, Hash};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

/// At most `limit` requests in each window of `period`; `limit` 0 switches the limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub limit: u32,
    pub period: Duration,
}

impl Rate {
    pub const OFF: Rate = Rate {
        limit: 0,
        period: Duration::from_secs(1),
    };

    const fn per(limit: u32, secs: u64) -> Rate {
        Rate {
            limit,
            period: Duration::from_secs(secs),
        }
    }

    /// `300/5m`, `30/30m`, `5/1h`, `10/30s`, `400/1d`, or `off`.
    pub fn parse(s: &str) -> Result<Rate, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("off") || s == "0" {
            return Ok(Rate::OFF);
        }
        let bad = || format!("{s:?} is not a rate: write requests/period, as 300/5m (s, m, h or d), or off");
        let (n, period) = s.split_once('/').ok_or_else(bad)?;
        let limit: u32 = n.trim().parse().map_err(|_| bad())?;
        let period = period.trim();
        let split = period.find(|c: char| !c.is_ascii_digit()).unwrap_or(period.len());
        let (count, unit) = period.split_at(split);
        let count: u64 = if count.is_empty() { 1 } else { count.parse().map_err(|_| bad())? };
        let unit = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3_600,
            "d" => 86_400,
            _ => return Err(bad()),
        };
        if count == 0 || count.saturating_mul(unit) > 366 * 86_400 {
            return Err(bad());
        }
        Ok(Rate {
            limit,
            period: Duration::from_secs(count * unit),
        })
    }

    pub fn is_off(&self) -> bool {
        self.limit == 0
    }
}

/// The configured limits. Defaults are Mastodon 4.5's (its `rack_attack.rb` and
/// `RateLimiter` families).
#[derive(Debug, Clone)]
pub struct RateLimits {
    /// Every API request, per access token, and per address for requests without a user
    /// (300 per 5 minutes).
    pub api: Rate,
    /// Every API request, per account, whichever of its tokens (1,500 per 5 minutes).
    pub api_account: Rate,
    /// Media uploads per account (30 per 30 minutes).
    pub media: Rate,
    /// Deletions of posts and boosts per account (30 per 30 minutes).
    pub deletes: Rate,
    /// Posts, edits and boosts per account, counted when they are made (300 per 3 hours).
    pub statuses: Rate,
    /// Follows of accounts and hashtags per account, counted when made (400 per day).
    pub follows: Rate,
    /// Sign-ups through the API per address (5 per 30 minutes).
    pub sign_up: Rate,
    /// Apps registered per address (5 per 10 minutes).
    pub apps: Rate,
    /// Sign-in attempts per address (25 per 5 minutes).
    pub sign_in: Rate,
    /// Sign-in attempts per account name, from anywhere (25 per hour).
    pub sign_in_name: Rate,
    /// Networks no limit applies to (none by default; Mastodon 4.5 exempts nothing, not
    /// even loopback, since behind a local proxy that would exempt everyone).
    pub exempt: Vec<Cidr>,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            api: Rate::per(300, 300),
            api_account: Rate::per(1_500, 300),
            media: Rate::per(30, 1_800),
            deletes: Rate::per(30, 1_800),
            statuses: Rate::per(300, 10_800),
            follows: Rate::per(400, 86_400),
            sign_up: Rate::per(5, 1_800),
            apps: Rate::per(5, 600),
            sign_in: Rate::per(25, 300),
            sign_in_name: Rate::per(25, 3_600),
            exempt: Vec::new(),
        }
    }
}

/// What a limit is counted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    Api,
    ApiAccount,
    Media,
    Deletes,
    Statuses,
    Follows,
    SignUp,
    Apps,
    SignIn,
    SignInName,
    /// Notices from visitors on the public form, per address (counted like sign-ups).
    Notice,
}

/// Whose requests are counted together.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    Token(i64),
    Account(i64),
    /// An IPv4 address, or the /64 of an IPv6 one (as Mastodon groups them).
    Address(IpAddr),
    Name(String),
}

impl Subject {
    pub fn address(ip: IpAddr) -> Subject {
        Subject::Address(match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(std::net::Ipv6Addr::from_bits(v6.to_bits() & !((1u128 << 64) - 1))),
            },
            v4 => v4,
        })
    }
}

/// The answer to one check: allowed or not, and what the headers say.
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// When the window ends, epoch milliseconds.
    pub reset_ms: i64,
}

type Key = (Bucket, i64, Subject);

const SHARDS: usize = 16;
/// A shard this large forgets its ended windows.
const TIDY_AT: usize = 4_096;

/// The node's counters: one fixed window per key, aligned to the epoch as rack-attack's are.
pub struct Limits {
    pub config: RateLimits,
    shards: Vec<Mutex<HashMap<Key, (i64, u32)>>>,
    hasher: std::collections::hash_map::RandomState,
}

impl Limits {
    pub fn new(config: RateLimits) -> Limits {
        Limits {
            config,
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            hasher: Default::default(),
        }
    }

    fn rate(&self, b: Bucket) -> Rate {
        let c = &self.config;
        match b {
            Bucket::Api => c.api,
            Bucket::ApiAccount => c.api_account,
            Bucket::Media => c.media,
            Bucket::Deletes => c.deletes,
            Bucket::Statuses => c.statuses,
            Bucket::Follows => c.follows,
            Bucket::SignUp => c.sign_up,
            Bucket::Apps => c.apps,
            Bucket::SignIn => c.sign_in,
            Bucket::SignInName => c.sign_in_name,
            Bucket::Notice => c.sign_up,
        }
    }

    /// Networks the operator exempts from every limit.
    pub fn exempt(&self, ip: IpAddr) -> bool {
        self.config.exempt.iter().any(|n| n.contains(ip))
    }

    /// Counts one request against `bucket` and says whether it may go on. `None` when that
    /// limit is off.
    pub fn hit(&self, bucket: Bucket, tenant: i64, who: Subject, now_ms: i64) -> Option<Verdict> {
        self.count(bucket, tenant, who, now_ms, 1)
    }

    /// Whether one more would be allowed, without counting it (for limits counted only when
    /// the request succeeded: [`Limits::add`]).
    pub fn peek(&self, bucket: Bucket, tenant: i64, who: Subject, now_ms: i64) -> Option<Verdict> {
        self.count(bucket, tenant, who, now_ms, 0)
    }

    /// Counts one done request.
    pub fn add(&self, bucket: Bucket, tenant: i64, who: Subject, now_ms: i64) {
        self.count(bucket, tenant, who, now_ms, 1);
    }

    fn count(&self, bucket: Bucket, tenant: i64, who: Subject, now_ms: i64, by: u32) -> Option<Verdict> {
        let rate = self.rate(bucket);
        if rate.is_off() {
            return None;
        }
        let period = rate.period.as_millis().max(1) as i64;
        let window = now_ms.div_euclid(period);
        let key = (bucket, tenant, who);
        let shard = &self.shards[(self.hasher.hash_one(&key) as usize) % SHARDS];
        let mut map = shard.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= TIDY_AT {
            // An entry is kept while its window has not ended; ended ones count nothing.
            map.retain(|(b, _, _), (w, _)| (*w + 1) * (self.rate(*b).period.as_millis().max(1) as i64) > now_ms);
        }
        let entry = map.entry(key).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        let used = entry.1;
        let allowed = used < rate.limit;
        let after = if allowed { used + by } else { used };
        entry.1 = after;
        Some(Verdict {
            allowed,
            limit: rate.limit,
            remaining: rate.limit.saturating_sub(after),
            reset_ms: (window + 1) * period,
        })
    }

    /// Sign-in attempts, per address and per account name (none counted from an exempt
    /// network).
    pub fn login(&self, tenant: i64, ip: IpAddr, name: &str, now_ms: i64) -> bool {
        if self.exempt(ip) {
            return true;
        }
        let by_ip = self.hit(Bucket::SignIn, tenant, Subject::address(ip), now_ms);
        let by_name = self.hit(Bucket::SignInName, tenant, Subject::Name(name.to_lowercase()), now_ms);
        by_ip.is_none_or(|v| v.allowed) && by_name.is_none_or(|v| v.allowed)
    }
}

impl Limits {
    /// A notice sent on the public form, per address (none counted from an exempt network).
    pub fn notice(&self, tenant: i64, ip: IpAddr, now_ms: i64) -> bool {
        self.exempt(ip)
            || self
                .hit(Bucket::Notice, tenant, Subject::address(ip), now_ms)
                .is_none_or(|v| v.allowed)
    }
}

/// What one API request is counted against, before it runs (`now`) and when it has succeeded
/// (`on_success`: Mastodon counts posts and follows when they are made).
struct Plan {
    now: Vec<(Bucket, Subject)>,
    on_success: Vec<(Bucket, Subject)>,
}

fn plan(method: &Method, path: &str, ip: IpAddr, viewer: Option<&Viewer>) -> Plan {
    let mut p = Plan {
        now: Vec::new(),
        on_success: Vec::new(),
    };
    let account = viewer.and_then(|v| v.account_id);
    if let Some(v) = viewer {
        p.now.push((Bucket::Api, Subject::Token(v.token_id)));
    }
    match account {
        Some(a) => p.now.push((Bucket::ApiAccount, Subject::Account(a))),
        None => p.now.push((Bucket::Api, Subject::address(ip))),
    }
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    // ["", "api", "v1", ...]
    let rest = parts.get(3..).unwrap_or(&[]);
    let post = *method == Method::POST;
    let by_account = |b: Bucket| account.map(|a| (b, Subject::Account(a)));
    match (rest, parts.get(2).copied()) {
        (["media"], Some("v1" | "v2")) if post => p.now.extend(by_account(Bucket::Media)),
        (["accounts"], Some("v1")) if post => p.now.push((Bucket::SignUp, Subject::address(ip))),
        (["apps"], Some("v1")) if post => p.now.push((Bucket::Apps, Subject::address(ip))),
        (["statuses", _, "unreblog"], Some("v1")) if post => p.now.extend(by_account(Bucket::Deletes)),
        (["statuses", _], Some("v1")) if *method == Method::DELETE => p.now.extend(by_account(Bucket::Deletes)),
        (["statuses"], Some("v1")) | (["statuses", _, "reblog"], Some("v1")) if post => p.on_success.extend(by_account(Bucket::Statuses)),
        (["statuses", _], Some("v1")) if *method == Method::PUT => p.on_success.extend(by_account(Bucket::Statuses)),
        (["accounts", _, "follow"] | ["tags", _, "follow"], Some("v1")) if post => p.on_success.extend(by_account(Bucket::Follows)),
        _ => {}
    }
    p
}

/// Counts every `/api` request against Mastodon's limits, refuses one over a limit with 429
/// and `{"error": "Too many requests"}`, and tells the client where it stands in
/// `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (the limit closest to
/// running out). Runs after `check_token`, so a signed-in request is counted by its token.
pub async fn throttle(axum::extract::State(state): axum::extract::State<State>, req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let Some(ip) = crate::extract::client_ip(req.headers(), req.extensions(), state.options.trust_forwarded_for) else {
        return next.run(req).await;
    };
    let limits = &state.limits;
    if limits.exempt(ip) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let Ok(Ctx(tenant)) = Ctx::from_request_parts(&mut parts, &state).await else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let tenant = tenant.id.0;
    let plan = plan(&parts.method, parts.uri.path(), ip, parts.extensions.get::<Viewer>());
    let now = Timestamp::now().0;
    let mut closest: Option<Verdict> = None;
    let mut keep = |v: Verdict| {
        if closest.is_none_or(|c| v.remaining < c.remaining) {
            closest = Some(v);
        }
    };
    for (bucket, who) in &plan.now {
        if let Some(v) = limits.hit(*bucket, tenant, who.clone(), now) {
            if !v.allowed {
                return too_many(v);
            }
            keep(v);
        }
    }
    for (bucket, who) in &plan.on_success {
        if let Some(v) = limits.peek(*bucket, tenant, who.clone(), now) {
            if !v.allowed {
                return too_many(v);
            }
            keep(Verdict {
                remaining: v.remaining.saturating_sub(1),
                ..v
            });
        }
    }
    let mut res = next.run(Request::from_parts(parts, body)).await;
    if res.status().is_success() {
        for (bucket, who) in plan.on_success {
            limits.add(bucket, tenant, who, now);
        }
    }
    if let Some(v) = closest {
        headers(res.headers_mut(), &v);
    }
    res
}

fn too_many(v: Verdict) -> Response {
    let mut res = ApiError(AppError::RateLimited).into_response();
    headers(res.headers_mut(), &Verdict { remaining: 0, ..v });
    res
}

fn headers(h: &mut axum::http::HeaderMap, v: &Verdict) {
    let reset = chrono::DateTime::from_timestamp_millis(v.reset_ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
        .unwrap_or_default();
    for (name, value) in [
        ("x-ratelimit-limit", v.limit.to_string()),
        ("x-ratelimit-remaining", v.remaining.to_string()),
        ("x-ratelimit-reset", reset),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            h.insert(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_networks_parse_or_say_why() {
        assert_eq!(Rate::parse("300/5m"), Ok(Rate::per(300, 300)));
        assert_eq!(Rate::parse("30/30m"), Ok(Rate::per(30, 1_800)));
        assert_eq!(Rate::parse("5/h"), Ok(Rate::per(5, 3_600)));
        assert_eq!(Rate::parse("off"), Ok(Rate::OFF));
        for bad in ["", "300", "x/5m", "300/5y", "300/0m", "300/-5m", "1/999d"] {
            assert!(Rate::parse(bad).is_err(), "{bad}");
        }
        let n = Cidr::parse_list("10.0.0.0/8, 192.168.1.7,fd00::/8").expect("parses");
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        assert!(n[0].contains(ip("10.200.3.4")) && !n[0].contains(ip("11.0.0.1")));
        assert!(n[1].contains(ip("192.168.1.7")) && !n[1].contains(ip("192.168.1.8")));
        assert!(n[2].contains(ip("fd12::1")) && !n[2].contains(ip("fe80::1")));
        assert!(n[0].contains(ip("::ffff:10.1.2.3")), "IPv4-mapped addresses are their IPv4 selves");
        assert!(Cidr::parse("10.0.0.0/33").is_err() && Cidr::parse("ten").is_err());
        assert!(Cidr::parse_list("").expect("empty").is_empty());
        let l = Limits::new(RateLimits::default());
        assert!(!l.exempt(ip("127.0.0.1")), "nothing is exempt unless configured");
        assert_eq!(
            Subject::address(ip("2001:db8::1")),
            Subject::address(ip("2001:db8::ffff:2")),
            "IPv6 by /64"
        );
        assert_ne!(Subject::address(ip("2001:db8::1")), Subject::address(ip("2001:db8:0:1::1")));
    }

    #[test]
    fn a_window_counts_then_resets() {
        let l = Limits::new(RateLimits {
            api: Rate::per(3, 60),
            ..RateLimits::default()
        });
        let who = || Subject::Token(7);
        let t0 = 120_000;
        let seen: Vec<(bool, u32)> = (0..4)
            .map(|i| l.hit(Bucket::Api, 1, who(), t0 + i).map(|v| (v.allowed, v.remaining)).expect("on"))
            .collect();
        assert_eq!(seen, [(true, 2), (true, 1), (true, 0), (false, 0)]);
        assert_eq!(l.hit(Bucket::Api, 1, who(), t0).expect("on").reset_ms, 180_000);
        assert!(
            l.hit(Bucket::Api, 2, who(), t0).expect("on").allowed,
            "another instance counts apart"
        );
        assert!(l.hit(Bucket::Api, 1, who(), 180_000).expect("on").allowed, "a new window");
        // Counted only on success: a peek does not use the allowance.
        assert!(l.peek(Bucket::Statuses, 1, Subject::Account(1), t0).expect("on").allowed);
        assert_eq!(l.peek(Bucket::Statuses, 1, Subject::Account(1), t0).expect("on").remaining, 300);
        l.add(Bucket::Statuses, 1, Subject::Account(1), t0);
        assert_eq!(l.peek(Bucket::Statuses, 1, Subject::Account(1), t0).expect("on").remaining, 299);
    }
}
