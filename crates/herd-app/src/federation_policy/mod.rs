//! An instance's federation policy, as every layer asks it: which servers it suspends (no
//! delivery to them, nothing accepted from them), limits (their accounts hidden from those who
//! do not follow them) or takes no media from. A block on a domain covers its subdomains, as
//! on Mastodon. Each node keeps every instance's policy it has read in `Caches::policies`,
//! dropped by `Change::Policy`. The instance's IP blocks ride along, since every request
//! asks them and they change as rarely.

mod allow;
mod block;

pub use allow::{allow, disallow};
pub use block::{BlockParams, create, remove, update};
pub(crate) use block::{apply, lift};

use std::sync::Arc;

use herd_store::federation_policy::{self, DomainBlockRow};
use herd_store::{Conn, TenantId};

use crate::{App, Result};

/// The blocks of one instance, loaded once per node until they change.
#[derive(Debug, Default)]
pub struct Policy {
    blocks: std::collections::HashMap<String, DomainBlockRow>,
    /// IP blocks: network, severity, expiry.
    ips: Vec<(herd_core::Cidr, String, Option<i64>)>,
    /// The auto-moderation rules, compiled.
    pub rules: crate::automod::Rules,
    /// The instance's own rules (what reports name).
    pub server_rules: Vec<herd_store::tenants::RuleRow>,
}

impl Policy {
    /// The strongest IP block covering `ip` that has not expired at `now`.
    pub fn ip_severity(&self, ip: std::net::IpAddr, now: i64) -> Option<&str> {
        let rank = |s: &str| match s {
            "no_access" => 3,
            "sign_up_block" => 2,
            _ => 1,
        };
        self.ips
            .iter()
            .filter(|(net, _, expires)| expires.is_none_or(|e| e > now) && net.contains(ip))
            .map(|(_, s, _)| s.as_str())
            .max_by_key(|s| rank(s))
    }

    /// The block that applies to `domain`: its own, or its nearest parent domain's.
    pub fn rule_for(&self, domain: &str) -> Option<&DomainBlockRow> {
        if self.blocks.is_empty() || domain.is_empty() {
            return None;
        }
        let domain = domain.to_ascii_lowercase();
        let host = domain.split(':').next().unwrap_or(&domain);
        herd_core::names::domain_and_parents(host).find_map(|d| self.blocks.get(d))
    }

    /// Whether the instance suspends `domain`: nothing goes there, nothing comes from it.
    pub fn suspends(&self, domain: &str) -> bool {
        self.rule_for(domain).is_some_and(|b| b.severity == "suspend")
    }

    /// Whether accounts of `domain` are limited (hidden from non-followers).
    pub fn silences(&self, domain: &str) -> bool {
        self.rule_for(domain).is_some_and(|b| b.severity == "silence")
    }

    /// Whether media of `domain` is not copied here.
    pub fn rejects_media(&self, domain: &str) -> bool {
        self.rule_for(domain)
            .is_some_and(|b| b.severity == "suspend" || b.reject_media != 0)
    }

    /// Whether reports from `domain` are dropped.
    pub fn rejects_reports(&self, domain: &str) -> bool {
        self.rule_for(domain)
            .is_some_and(|b| b.severity == "suspend" || b.reject_reports != 0)
    }
}

/// The instance's policy, from this node's cache or read once.
pub async fn policy(app: &App, t: TenantId) -> Result<Arc<Policy>> {
    if let Some(p) = app.caches.policies.get(&t.0) {
        return Ok(p);
    }
    let epoch = app.caches.epoch();
    let mut c = app.db.conn().await?;
    let p = Arc::new(read(&mut c, t).await?);
    app.caches.put(&app.caches.policies, epoch, t.0, p.clone());
    Ok(p)
}

/// Whether files of accounts of `domain` are refused here (a suspension or `reject_media`).
pub async fn refuses_media(app: &App, t: TenantId, domain: &str) -> Result<bool> {
    Ok(policy(app, t).await?.rejects_media(domain))
}

/// The policy as the database has it now (inside a transaction, or for one check).
pub async fn read(c: &mut Conn, t: TenantId) -> Result<Policy> {
    Ok(Policy {
        blocks: federation_policy::all_blocks(c, t)
            .await?
            .into_iter()
            .map(|b| (b.domain.clone(), b))
            .collect(),
        ips: herd_store::access_blocks::live_ips(c, t, herd_core::Timestamp::now().0)
            .await?
            .into_iter()
            .filter_map(|b| herd_core::Cidr::parse(&b.ip).ok().map(|n| (n, b.severity, b.expires_at)))
            .collect(),
        rules: crate::automod::Rules::compile(herd_store::automod::all(c, t).await?),
        server_rules: herd_store::tenants::rules(c, t).await?,
    })
}

/// The domain part of an ActivityPub id or URL, lower case (`None` when it has none).
pub fn host_of(uri: &str) -> Option<String> {
    url::Url::parse(uri).ok().and_then(|u| {
        u.host_str().map(|h| match u.port() {
            Some(p) => format!("{}:{p}", h.to_ascii_lowercase()),
            None => h.to_ascii_lowercase(),
        })
    })
}

/// Mastodon's obfuscation of a blocked domain in public lists: the middle half of its
/// characters, dots excepted, replaced by `*`.
pub fn obfuscate(domain: &str) -> String {
    let n = domain.chars().count();
    let visible = n / 4;
    domain
        .chars()
        .enumerate()
        .map(|(i, c)| if i > visible && i < n - visible && c != '.' { '*' } else { c })
        .collect()
}

/// The SHA-256 of a domain in hex, as Mastodon's `digest` lets others check a block
/// without the name.
pub fn digest(domain: &str) -> String {
    herd_core::secret::digest(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(domain: &str, severity: &str) -> DomainBlockRow {
        DomainBlockRow {
            id: 1,
            domain: domain.into(),
            severity: severity.into(),
            reject_media: 0,
            reject_reports: 0,
            private_comment: None,
            public_comment: None,
            obfuscate: 0,
            created_at: 0,
            updated_at: 0,
            subscription_id: None,
        }
    }

    #[test]
    fn blocks_cover_subdomains() {
        let mut p = Policy::default();
        p.blocks.insert("spam.example".into(), block("spam.example", "suspend"));
        p.blocks.insert("loud.example".into(), block("loud.example", "silence"));
        assert!(p.suspends("spam.example"));
        assert!(p.suspends("a.b.SPAM.example"));
        assert!(p.suspends("spam.example:8443"));
        assert!(!p.suspends("notspam.example"));
        assert!(!p.suspends("example"));
        assert!(p.silences("x.loud.example") && !p.suspends("x.loud.example"));
        assert!(p.rejects_media("spam.example") && !p.rejects_media("loud.example"));
        assert_eq!(obfuscate("spam.example"), "spam.****ple");
    }
}
