//! Remote accounts: their `accounts` row (with `domain` and `uri` set) and what federation
//! needs of them in `remote_actors`.

use crate::changes::{Change, record};
use crate::{Conn, Result, TenantId};

/// A remote actor as fetched, to store.
#[derive(Debug, Clone)]
pub struct NewRemote<'a> {
    pub uri: &'a str,
    pub username: &'a str,
    /// The handle's domain (`bob@<domain>`), from WebFinger.
    pub domain: &'a str,
    pub display_name: &'a str,
    pub note_html: &'a str,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub inbox_url: &'a str,
    pub shared_inbox_url: Option<&'a str>,
    pub followers_url: Option<&'a str>,
    pub profile_url: Option<&'a str>,
    pub avatar_url: Option<&'a str>,
    pub header_url: Option<&'a str>,
    pub key_id: &'a str,
    pub public_key_pem: &'a str,
}

/// The account with this actor id, if known.
pub async fn account_by_uri(c: &mut Conn, t: TenantId, uri: &str) -> Result<Option<i64>> {
    Ok(c.qs("SELECT id FROM accounts WHERE tenant_id = ? AND uri = ?")
        .bind(t.0)
        .bind(uri)
        .fetch_optional(c.ex())
        .await?)
}

/// Creates or refreshes a remote account; its id.
pub async fn upsert(c: &mut Conn, t: TenantId, new_id: i64, r: &NewRemote<'_>, now: i64) -> Result<i64> {
    let id = match account_by_uri(c, t, r.uri).await? {
        Some(id) => {
            c.q(
                "UPDATE accounts SET display_name = ?, note_html = ?, locked = ?, bot = ?, discoverable = ?, url = ?, \
                 updated_at = ? WHERE tenant_id = ? AND id = ?",
            )
            .bind(r.display_name)
            .bind(r.note_html)
            .bind(i64::from(r.locked))
            .bind(i64::from(r.bot))
            .bind(i64::from(r.discoverable))
            .bind(r.profile_url)
            .bind(now)
            .bind(t.0)
            .bind(id)
            .execute(c.ex())
            .await?;
            record(c, t, Change::Account(id)).await?;
            id
        }
        None => {
            c.q(
                "INSERT INTO accounts (id, tenant_id, username, username_key, domain, uri, display_name, note_html, \
                 locked, bot, discoverable, url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(new_id)
            .bind(t.0)
            .bind(r.username)
            .bind(r.username.to_ascii_lowercase())
            .bind(r.domain)
            .bind(r.uri)
            .bind(r.display_name)
            .bind(r.note_html)
            .bind(i64::from(r.locked))
            .bind(i64::from(r.bot))
            .bind(i64::from(r.discoverable))
            .bind(r.profile_url)
            .bind(now)
            .bind(now)
            .execute(c.ex())
            .await
            .map_err(crate::StoreError::from_sqlx)?;
            new_id
        }
    };
    c.q("DELETE FROM remote_actors WHERE tenant_id = ? AND account_id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    c.q(
        "INSERT INTO remote_actors (tenant_id, account_id, inbox_url, shared_inbox_url, followers_url, profile_url, \
         avatar_url, header_url, key_id, public_key_pem, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(t.0)
    .bind(id)
    .bind(r.inbox_url)
    .bind(r.shared_inbox_url)
    .bind(r.followers_url)
    .bind(r.profile_url)
    .bind(r.avatar_url)
    .bind(r.header_url)
    .bind(r.key_id)
    .bind(r.public_key_pem)
    .bind(now)
    .execute(c.ex())
    .await?;
    Ok(id)
}

/// What federation needs of a remote account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RemoteRow {
    pub account_id: i64,
    pub avatar_url: Option<String>,
    pub header_url: Option<String>,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub key_id: String,
    pub public_key_pem: String,
    pub fetched_at: i64,
}

const REMOTE_COLS: &str =
    "account_id, avatar_url, header_url, inbox_url, shared_inbox_url, followers_url, key_id, public_key_pem, fetched_at";

pub async fn by_account(c: &mut Conn, t: TenantId, account: i64) -> Result<Option<RemoteRow>> {
    Ok(c.qa(&format!(
        "SELECT {REMOTE_COLS} FROM remote_actors WHERE tenant_id = ? AND account_id = ?"
    ))
    .bind(t.0)
    .bind(account)
    .fetch_optional(c.ex())
    .await?)
}

pub async fn by_key_id(c: &mut Conn, t: TenantId, key_id: &str) -> Result<Option<RemoteRow>> {
    Ok(c.qa(&format!(
        "SELECT {REMOTE_COLS} FROM remote_actors WHERE tenant_id = ? AND key_id = ?"
    ))
    .bind(t.0)
    .bind(key_id)
    .fetch_optional(c.ex())
    .await?)
}

/// The inboxes (shared where the server has one) of `account`'s remote followers and of
/// `also` (remote accounts a post mentions), each once.
pub async fn follower_inboxes(c: &mut Conn, t: TenantId, account: i64, followers: bool, also: &[i64]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    if followers {
        out = c
            .qs("SELECT DISTINCT COALESCE(ra.shared_inbox_url, ra.inbox_url) FROM follows f \
                 JOIN remote_actors ra ON ra.tenant_id = f.tenant_id AND ra.account_id = f.account_id \
                 WHERE f.tenant_id = ? AND f.target_account_id = ?")
            .bind(t.0)
            .bind(account)
            .fetch_all(c.ex())
            .await?;
    }
    for a in also {
        if let Some(r) = by_account(c, t, *a).await? {
            out.push(r.shared_inbox_url.unwrap_or(r.inbox_url));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Remembers a signature accepted at an inbox; `false` if it was seen already (a replay).
pub async fn first_sighting(c: &mut Conn, t: TenantId, digest: &str, expires_at: i64) -> Result<bool> {
    let r = c
        .q("INSERT INTO seen_signatures (tenant_id, digest, expires_at) VALUES (?, ?, ?) ON CONFLICT (tenant_id, digest) DO NOTHING")
        .bind(t.0)
        .bind(digest)
        .bind(expires_at)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Records several signatures at once; returns the digests not seen before (the others are
/// replays).
pub async fn first_sightings(c: &mut Conn, t: TenantId, digests: &[&str], expires_at: i64) -> Result<Vec<String>> {
    if digests.is_empty() {
        return Ok(Vec::new());
    }
    // One statement whatever the count: the digests go as one JSON array.
    let json = serde_json::to_string(digests).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
    match c.dialect() {
        crate::Dialect::Postgres => Ok(c
            .qs("INSERT INTO seen_signatures (tenant_id, digest, expires_at) \
                 SELECT ?, value, ? FROM json_array_elements_text(CAST(? AS json)) \
                 ON CONFLICT (tenant_id, digest) DO NOTHING RETURNING digest")
            .bind(t.0)
            .bind(expires_at)
            .bind(json)
            .fetch_all(c.ex())
            .await?),
        // SQLite hands a statement's rows over 50 at a time, each handover waiting for the
        // caller's task to run: a RETURNING row per digest made this statement the slowest of
        // a busy inbox's batch. Only the digests seen before come back (almost always none),
        // and the insert returns nothing. Exact, since a SQLite writer holds the one write
        // lock from the first statement of its transaction (`BEGIN IMMEDIATE`).
        crate::Dialect::Sqlite => {
            let seen: Vec<String> = c
                .qs("SELECT digest FROM seen_signatures WHERE tenant_id = ? \
                     AND digest IN (SELECT value FROM json_each(?))")
                .bind(t.0)
                .bind(json.clone())
                .fetch_all(c.ex())
                .await?;
            c.q("INSERT INTO seen_signatures (tenant_id, digest, expires_at) \
                 SELECT ?, value, ? FROM json_each(?) WHERE true \
                 ON CONFLICT (tenant_id, digest) DO NOTHING")
                .bind(t.0)
                .bind(expires_at)
                .bind(json)
                .execute(c.ex())
                .await?;
            let seen: std::collections::HashSet<String> = seen.into_iter().collect();
            Ok(digests.iter().filter(|d| !seen.contains(**d)).map(|d| d.to_string()).collect())
        }
    }
}

/// Forgets signatures whose window has passed.
pub async fn prune_signatures(c: &mut Conn, now: i64) -> Result<u64> {
    Ok(c.q("DELETE FROM seen_signatures WHERE expires_at < ?")
        .bind(now)
        .execute(c.ex())
        .await?
        .rows_affected())
}
