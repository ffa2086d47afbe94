//! Storage: SQL on SQLite and PostgreSQL behind one narrow interface.
//!
//! **No query runs without a tenant id**: every repository function takes a [`TenantId`] and
//! every statement filters on it (tables are shared; `tenant_id` is on every row).
//! **Rows are not API entities**: the `*Row` types here never reach a client directly.
//!
//! Queries are written once with `?` placeholders; [`Db`] rewrites them to `$n` for
//! PostgreSQL. Flags are stored as integers and instants as epoch milliseconds so the two
//! databases read back the same values through sqlx's `Any` driver.

pub mod access_blocks;
pub mod accounts;
pub mod announcements;
pub mod audit;
pub mod automod;
pub mod backups;
pub mod blocklists;
pub mod bookings;
pub mod cards;
pub mod changes;
pub mod conversations;
mod db;
pub mod domain_blocks;
pub mod dsa;
pub mod emojis;
pub mod events;
pub mod featured;
pub mod federation_policy;
pub mod filters;
pub mod hosts;
pub mod interactions;
pub mod jobs;
pub mod keys;
pub mod lists;
pub mod markers;
pub mod media;
pub mod metrics;
pub mod moderation;
pub mod notification_requests;
pub mod notifications;
pub mod oauth;
pub mod organizations;
pub mod polls;
pub mod provider_audit;
pub mod quotes;
pub mod relationships;
pub mod remote;
pub mod reports;
pub mod scheduled;
pub mod search;
pub mod snapshot;
mod sql;
pub mod sso;
pub mod staff;
pub mod statuses;
pub mod tags;
pub mod teams;
pub mod tenants;
pub mod trends;
pub mod usage;
pub mod users;

pub use db::{Conn, Db, Dialect, StoreError, TenantId, placeholders, value_rows};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A page request on an id-ordered list, as Mastodon clients send it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Page {
    /// Only items with ids below this.
    pub max_id: Option<i64>,
    /// Only items with ids above this; newest first.
    pub since_id: Option<i64>,
    /// Only items with ids above this; the ones just above it (oldest first, then reversed).
    pub min_id: Option<i64>,
    pub limit: i64,
}

impl Page {
    /// The `AND col < ? ...` clause and whether results must be read ascending (min_id).
    pub fn clause(&self, col: &str) -> (String, Vec<i64>, bool) {
        let mut sql = String::new();
        let mut args = Vec::new();
        if let Some(m) = self.max_id {
            sql.push_str(&format!(" AND {col} < ?"));
            args.push(m);
        }
        if let Some(s) = self.since_id {
            sql.push_str(&format!(" AND {col} > ?"));
            args.push(s);
        }
        let ascending = match self.min_id {
            Some(m) if self.since_id.is_none() => {
                sql.push_str(&format!(" AND {col} > ?"));
                args.push(m);
                true
            }
            Some(m) => {
                sql.push_str(&format!(" AND {col} > ?"));
                args.push(m);
                false
            }
            None => false,
        };
        (sql, args, ascending)
    }

    /// `ORDER BY col DESC LIMIT n`, or ascending for min_id.
    pub fn order(&self, col: &str, ascending: bool) -> String {
        format!(
            " ORDER BY {col} {} LIMIT {}",
            if ascending { "ASC" } else { "DESC" },
            self.limit.clamp(1, 200)
        )
    }
}
