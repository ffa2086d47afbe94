//! Who may sign up to an instance, or reach it at all, as Mastodon decides it: e-mail domain
//! blocks (a block covers subdomains; `allow_with_approval` sends the sign-up to approval),
//! canonical e-mail blocks (an address in Mastodon's canonical form, hashed) and IP blocks
//! (`sign_up_requires_approval`, `sign_up_block`, `no_access`, each until it expires). The
//! staff verbs are one per file; `gate` is what sign-up asks.

mod canonical;
mod email_domain;
mod ip;

pub use canonical::{block_canonical, unblock_canonical};
pub use email_domain::{block_email_domain, unblock_email_domain};
pub use ip::{IpBlockParams, block_ip, unblock_ip, update_ip};

use std::net::IpAddr;

use herd_core::Timestamp;
use herd_store::{TenantId, access_blocks};

use crate::{App, Result};

/// An address in Mastodon's canonical form: lower case, the local part without dots and
/// without a `+tag`.
pub fn canonical_email(email: &str) -> String {
    let lower = email.trim().to_lowercase();
    match lower.split_once('@') {
        Some((local, domain)) => {
            let local = local.replace('.', "");
            let local = local.split('+').next().unwrap_or_default();
            format!("{local}@{domain}")
        }
        None => lower,
    }
}

/// The SHA-256 hex of the canonical form, as Mastodon stores it.
pub fn canonical_email_hash(email: &str) -> String {
    herd_core::secret::digest(&canonical_email(email))
}

/// What sign-up may do for an address from an IP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Open,
    /// The account waits for a moderator's approval.
    Approval,
    /// The address is refused (`ERR_BLOCKED` on the field named).
    Blocked(&'static str),
}

/// Asks the instance's blocks about a sign-up. A refused or held attempt by an e-mail domain
/// block is counted in its history.
pub async fn gate(app: &App, t: TenantId, email: &str, ip: Option<IpAddr>) -> Result<Gate> {
    let now = Timestamp::now().0;
    let mut gate = Gate::Open;
    if let Some(ip) = ip {
        match crate::federation_policy::policy(app, t).await?.ip_severity(ip, now) {
            Some("sign_up_block" | "no_access") => return Ok(Gate::Blocked("ip")),
            Some("sign_up_requires_approval") => gate = Gate::Approval,
            _ => {}
        }
    }
    let mut c = app.db.conn().await?;
    if !access_blocks::canonical_by_hash(&mut c, t, &canonical_email_hash(email))
        .await?
        .is_empty()
    {
        return Ok(Gate::Blocked("email"));
    }
    let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    let domain = domain.trim().trim_end_matches('.').to_lowercase();
    let candidates: Vec<String> = herd_core::names::domain_and_parents(&domain).map(str::to_string).collect();
    let blocks = access_blocks::email_domains_matching(&mut c, t, &candidates).await?;
    drop(c);
    if blocks.is_empty() {
        return Ok(gate);
    }
    let mut tx = app.db.begin().await?;
    let day = now.div_euclid(86_400_000);
    let who = ip.map(|i| i.to_string()).unwrap_or_default();
    for b in &blocks {
        access_blocks::email_domain_attempt(&mut tx, t, b.id, day, &who).await?;
    }
    tx.commit().await?;
    if blocks.iter().any(|b| b.allow_with_approval == 0) {
        Ok(Gate::Blocked("email"))
    } else {
        Ok(Gate::Approval)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        assert_eq!(canonical_email("J.Doe+news@Mail.Example"), "jdoe@mail.example");
        assert_eq!(
            canonical_email_hash("jdoe@mail.example"),
            canonical_email_hash("j.d.o.e+x@MAIL.example")
        );
    }
}
