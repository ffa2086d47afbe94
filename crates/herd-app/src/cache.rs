//! Each node's in-memory caches: signed-in sessions, accounts, posts (everything but the
//! viewer's own flags) and the head of each home feed. They stand where Mastodon has Redis,
//! so a home timeline page is served with one query (the viewer's favourites, boosts,
//! bookmarks and pins of the page's posts) instead of seven.
//!
//! **Never stale past a write, on any node.** Every write that makes a cached value stale
//! logs a [`Change`] in its own transaction (`herd_store::changes`). This process drops the
//! stale values the moment the transaction commits ([`ChangeSink`]); every process reads the
//! log with [`follow`] and drops what other processes (other nodes, the CLI) changed within
//! [`POLL`].
//!
//! **No stale refill.** A reader that loaded a value from the database stores it with
//! [`Caches::put`], which undoes the store if any change was applied since the reader took
//! its [`Caches::epoch`] before reading: a value read before a write cannot outlive the write.
//!
//! Sizes are bounded by count ([`Limits`]); eviction is quick_cache's S3-FIFO.

use std::collections::{BTreeSet, HashSet};
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use herd_store::accounts::AccountRow;
use herd_store::changes::{self, Change, ChangeSink};
use herd_store::media::MediaRow;
use herd_store::remote::RemoteRow;
use herd_store::statuses::StatusRow;
use herd_store::{Db, Page, TenantId};
use quick_cache::sync::Cache;

use crate::Viewer;

/// How often each process reads the change log.
pub const POLL: Duration = Duration::from_millis(250);

/// How many home feed entries are kept per account (Mastodon keeps 800 in Redis; 200 is five
/// pages at the largest page size clients ask for).
pub const FEED_LEN: usize = 200;

/// A post with everything but what depends on the viewer.
#[derive(Debug, Clone)]
pub struct StatusParts {
    pub row: Arc<StatusRow>,
    pub media: Vec<MediaRow>,
    pub mentions: Vec<i64>,
    pub tags: Vec<String>,
    /// Its poll, with the tallies as they were read (a vote records `Change::Status`).
    pub poll: Option<Arc<herd_store::polls::Poll>>,
    /// The custom emoji its text uses.
    pub emojis: Vec<herd_store::emojis::EmojiRow>,
    /// The preview of its first link.
    pub card: Option<herd_store::cards::CardRow>,
    /// The post it quotes, if it quotes one.
    pub quote: Option<herd_store::quotes::QuoteRow>,
    /// The API layer's rendering of what depends only on these parts, made once. It goes
    /// with the parts, so it can never outlive what it renders.
    pub fixed: Slot,
}

/// A place for a rendering made on first use and shared by every view of the same parts.
pub type Slot = Arc<std::sync::OnceLock<Arc<str>>>;

/// The newest entries of one account's home feed.
#[derive(Debug, Clone)]
pub struct Feed {
    /// Newest first.
    pub ids: Vec<i64>,
    /// Whether `ids` is the whole feed (it had fewer than [`FEED_LEN`] entries).
    pub complete: bool,
    /// Accounts whose posts appear in it (the followed accounts and the owner), sorted.
    pub sources: Vec<i64>,
    /// When a timed mute of the owner's runs out (epoch ms): the feed is stale from then.
    pub until: Option<i64>,
}

impl Feed {
    /// The ids of one page, newest first, or `None` when the answer lies past the cached head.
    pub fn page(&self, p: &Page) -> Option<Vec<i64>> {
        let limit = p.limit.clamp(1, 200) as usize;
        let lower = match (p.since_id, p.min_id) {
            (Some(s), Some(m)) => Some(s.max(m)),
            (s, m) => s.or(m),
        };
        let ascending = p.min_id.is_some() && p.since_id.is_none();
        let inside = |id: &&i64| p.max_id.is_none_or(|m| **id < m) && lower.is_none_or(|l| **id > l);
        // Every id above `lower` is cached when the feed is complete or its oldest cached
        // entry is at or below `lower`.
        let covers_lower = self.complete || matches!((self.ids.last(), lower), (Some(o), Some(l)) if *o <= l);
        if ascending {
            if !covers_lower {
                return None;
            }
            let mut ids: Vec<i64> = self.ids.iter().rev().filter(inside).take(limit).copied().collect();
            ids.reverse();
            return Some(ids);
        }
        let ids: Vec<i64> = self.ids.iter().filter(inside).take(limit).copied().collect();
        (ids.len() == limit || covers_lower).then_some(ids)
    }
}

/// What one viewer did to posts seen lately: [`Marks::FAVOURITED`] and the other bits per post
/// id, with 0 for none, so a page of posts seen before needs no query for its flags.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    pub known: std::collections::HashMap<i64, u8>,
}

impl Marks {
    pub const FAVOURITED: u8 = 1;
    pub const REBLOGGED: u8 = 2;
    pub const BOOKMARKED: u8 = 4;
    pub const PINNED: u8 = 8;
    /// Past this many posts the memo starts over.
    pub const MAX: usize = 2000;
}

/// What the API layer rendered once and reuses: an account's entity. Dropped with the
/// account it renders. (A post's rendering lives in its [`StatusParts::fixed`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rendered {
    Account,
}

type RenderedKey = (Rendered, i64, i64);

/// Weighs rendered text by its length, so that cache is bounded in bytes.
#[derive(Clone)]
pub struct TextBytes;

impl quick_cache::Weighter<RenderedKey, Arc<str>> for TextBytes {
    fn weight(&self, _: &RenderedKey, v: &Arc<str>) -> u64 {
        v.len() as u64 + 64
    }
}

/// Entry counts per cache.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub sessions: usize,
    pub accounts: usize,
    pub statuses: usize,
    pub feeds: usize,
    pub marks: usize,
    pub signers: usize,
    /// Remote actors' keys, for checking the signatures their servers send.
    pub remotes: usize,
    /// Bytes of rendered text.
    pub rendered_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            sessions: 20_000,
            accounts: 20_000,
            statuses: 50_000,
            feeds: 5_000,
            marks: 5_000,
            signers: 5_000,
            remotes: 20_000,
            rendered_bytes: 32 << 20,
        }
    }
}

type Key = (i64, i64);

pub struct Caches {
    /// Bumped by every applied batch of changes, before anything is dropped.
    epoch: AtomicU64,
    /// By tenant and token digest.
    pub(crate) sessions: Cache<(i64, String), Arc<Viewer>>,
    pub(crate) accounts: Cache<Key, Arc<AccountRow>>,
    pub(crate) statuses: Cache<Key, Arc<StatusParts>>,
    pub(crate) feeds: Cache<Key, Arc<Feed>>,
    pub(crate) marks: Cache<Key, Arc<Marks>>,
    /// Each account's filters with their keywords and posts (dropped with
    /// [`Change::Filters`]).
    pub(crate) filters: Cache<Key, Arc<Vec<crate::filters::Filter>>>,
    /// Actors' keys for signing deliveries.
    pub(crate) signers: Cache<Key, Arc<crate::federation::deliver::Signer>>,
    /// Remote actors' keys and inboxes, by account (dropped with [`Change::Account`]).
    pub(crate) remotes: Cache<Key, Arc<RemoteRow>>,
    /// Remote accounts as the inboxes know their senders: identity, not counters, so an
    /// account that posts a lot stays cached while it does (dropped with
    /// [`Change::Account`], not [`Change::Counters`]).
    pub(crate) senders: Cache<Key, Arc<AccountRow>>,
    /// Which account a key id names. Never stale in a harmful way: a key found through it is
    /// used only when the account's current row still has that key id.
    pub(crate) key_owners: Cache<(i64, String), i64>,
    /// Each instance's federation policy (dropped with [`Change::Policy`]).
    pub(crate) policies: Cache<i64, Arc<crate::federation_policy::Policy>>,
    /// Pages of the report queue by tenant and filter (dropped with [`Change::Reports`]).
    pub(crate) report_pages: Cache<(i64, String), Arc<Vec<herd_store::reports::ReportRow>>>,
    /// Local accounts' users, as admin views show them (dropped with [`Change::User`]).
    pub(crate) users: Cache<Key, Arc<herd_store::users::UserRow>>,
    rendered: Cache<RenderedKey, Arc<str>, TextBytes>,
}

impl Caches {
    pub fn new(l: Limits) -> Caches {
        Caches {
            epoch: AtomicU64::new(0),
            sessions: Cache::new(l.sessions),
            accounts: Cache::new(l.accounts),
            statuses: Cache::new(l.statuses),
            feeds: Cache::new(l.feeds),
            marks: Cache::new(l.marks),
            filters: Cache::new(l.marks),
            signers: Cache::new(l.signers),
            remotes: Cache::new(l.remotes),
            senders: Cache::new(l.remotes),
            key_owners: Cache::new(l.remotes),
            policies: Cache::new(l.signers),
            report_pages: Cache::new(2_000),
            users: Cache::new(l.accounts),
            rendered: Cache::with_weighter(l.rendered_bytes as usize / 1024, l.rendered_bytes, TextBytes),
        }
    }

    /// Taken before reading what will be stored with [`Caches::put`].
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Stores a value read from the database after `epoch` was taken, unless a change was
    /// applied since (then the value may predate it, and is not kept).
    pub fn put<K: Eq + Hash + Clone, V: Clone, W: quick_cache::Weighter<K, V> + Clone>(
        &self,
        cache: &Cache<K, V, W>,
        epoch: u64,
        key: K,
        value: V,
    ) {
        if self.epoch() != epoch {
            return;
        }
        cache.insert(key.clone(), value);
        // A batch applied between the check and the insert bumped the epoch before dropping
        // anything: seeing it unchanged now means that batch's drops come after this insert.
        if self.epoch() != epoch {
            cache.remove(&key);
        }
    }

    pub fn rendered(&self, kind: Rendered, t: TenantId, id: i64) -> Option<Arc<str>> {
        self.rendered.get(&(kind, t.0, id))
    }

    /// Keeps a rendering made from values read after `epoch` was taken (see [`Caches::put`]).
    pub fn keep_rendered(&self, kind: Rendered, t: TenantId, id: i64, epoch: u64, text: Arc<str>) {
        self.put(&self.rendered, epoch, (kind, t.0, id), text);
    }

    /// Drops everything (the change log could not be read for a while).
    pub fn clear(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.sessions.clear();
        self.accounts.clear();
        self.statuses.clear();
        self.feeds.clear();
        self.marks.clear();
        self.filters.clear();
        self.signers.clear();
        self.remotes.clear();
        self.senders.clear();
        self.key_owners.clear();
        self.policies.clear();
        self.report_pages.clear();
        self.users.clear();
        self.rendered.clear();
    }

    /// Drops everything cached of one instance (its rows were replaced).
    fn forget_tenant(&self, t: TenantId) {
        let t = t.0;
        self.sessions.retain(|(k, _), _| *k != t);
        self.accounts.retain(|(k, _), _| *k != t);
        self.statuses.retain(|(k, _), _| *k != t);
        self.feeds.retain(|(k, _), _| *k != t);
        self.marks.retain(|(k, _), _| *k != t);
        self.filters.retain(|(k, _), _| *k != t);
        self.signers.retain(|(k, _), _| *k != t);
        self.remotes.retain(|(k, _), _| *k != t);
        self.senders.retain(|(k, _), _| *k != t);
        self.key_owners.retain(|(k, _), _| *k != t);
        self.policies.remove(&t);
        self.report_pages.retain(|(k, _), _| *k != t);
        self.users.retain(|(k, _), _| *k != t);
        self.rendered.retain(|(_, k, _), _| *k != t);
    }

    fn drop_changed(&self, changes: &[(TenantId, Change)]) {
        if changes.is_empty() {
            return;
        }
        self.epoch.fetch_add(1, Ordering::SeqCst);
        let (mut users, mut tokens, mut posted, mut feeds) = (HashSet::new(), HashSet::new(), HashSet::new(), HashSet::new());
        let mut queues: HashSet<i64> = HashSet::new();
        for &(t, ch) in changes {
            match ch {
                Change::Account(id) => {
                    self.accounts.remove(&(t.0, id));
                    self.remotes.remove(&(t.0, id));
                    self.senders.remove(&(t.0, id));
                    self.rendered.remove(&(Rendered::Account, t.0, id));
                }
                Change::Counters(id) => {
                    self.accounts.remove(&(t.0, id));
                    self.rendered.remove(&(Rendered::Account, t.0, id));
                }
                Change::User(id) => {
                    self.signers.remove(&(t.0, id));
                    self.users.remove(&(t.0, id));
                    users.insert((t.0, id));
                }
                Change::Token(id) => {
                    tokens.insert((t.0, id));
                }
                Change::Status(id) => {
                    self.statuses.remove(&(t.0, id));
                }
                Change::Posted(id) => {
                    // Its own boosts are among its marks.
                    self.marks.remove(&(t.0, id));
                    posted.insert((t.0, id));
                }
                Change::Marks(id) => {
                    self.marks.remove(&(t.0, id));
                }
                Change::Feed(id) => {
                    feeds.insert((t.0, id));
                }
                Change::Filters(id) => {
                    self.filters.remove(&(t.0, id));
                }
                Change::Policy => {
                    self.policies.remove(&t.0);
                }
                Change::Reports => {
                    queues.insert(t.0);
                }
                Change::Tenant => self.forget_tenant(t),
            }
        }
        if !users.is_empty() || !tokens.is_empty() {
            self.sessions.retain(|(t, _), v| {
                !(v.account_id.is_some_and(|a| users.contains(&(*t, a)))
                    || v.delegate.is_some_and(|d| users.contains(&(*t, d)))
                    || tokens.contains(&(*t, v.token_id)))
            });
        }
        for k in &feeds {
            self.feeds.remove(k);
        }
        if !queues.is_empty() {
            self.report_pages.retain(|(t, _), _| !queues.contains(t));
        }
        if !posted.is_empty() {
            self.feeds
                .retain(|(t, owner), f| !(posted.contains(&(*t, *owner)) || f.sources.iter().any(|s| posted.contains(&(*t, *s)))));
        }
    }
}

/// The cached values for these ids of one tenant, and the ids not cached.
pub fn lookup<V: Clone>(cache: &Cache<Key, V>, t: TenantId, ids: &[i64]) -> (std::collections::HashMap<i64, V>, Vec<i64>) {
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    let mut missing = Vec::new();
    for &id in ids {
        match cache.get(&(t.0, id)) {
            Some(v) => {
                found.insert(id, v);
            }
            None => missing.push(id),
        }
    }
    (found, missing)
}

impl ChangeSink for Caches {
    fn apply(&self, changes: &[(TenantId, Change)]) {
        self.drop_changed(changes);
    }
}

/// How far the change log has been read: everything up to `frontier`, and `seen` above it.
/// On PostgreSQL a sequence number can commit after a higher one (or never, if its
/// transaction rolled back), so a gap is waited for a while before it is passed over.
struct Reader {
    frontier: i64,
    seen: BTreeSet<i64>,
    /// The frontier at which the current gap was first seen, and when.
    gap: Option<(i64, Instant)>,
}

/// How long a gap in the change log is waited for: longer than any write transaction runs.
const GAP_WAIT: Duration = Duration::from_secs(30);

/// Rows read from the change log at a time.
const BATCH: i64 = 1000;

impl Reader {
    /// Takes newly read rows; returns the changes not applied before, and whether a gap was
    /// given up on (then a change may have been missed, and the caches must go).
    fn take(&mut self, rows: Vec<changes::Logged>) -> (Vec<(TenantId, Change)>, bool) {
        let mut fresh = Vec::new();
        for r in rows {
            if r.seq > self.frontier && self.seen.insert(r.seq) {
                // A change this version does not know (a newer node wrote it) still counts as read.
                if let Some(ch) = r.change {
                    fresh.push((r.tenant, ch));
                }
            }
        }
        self.advance();
        let mut gave_up = false;
        match (self.seen.first().copied(), self.gap) {
            (None, _) => self.gap = None,
            (Some(next), Some((at, since))) if at == self.frontier => {
                if since.elapsed() > GAP_WAIT {
                    self.frontier = next - 1;
                    self.advance();
                    self.gap = None;
                    gave_up = true;
                }
            }
            // A new gap (or the frontier moved past the last one): time it from now.
            (Some(_), _) => self.gap = Some((self.frontier, Instant::now())),
        }
        (fresh, gave_up)
    }

    fn advance(&mut self) {
        while self.seen.first() == Some(&(self.frontier + 1)) {
            self.frontier += 1;
            self.seen.pop_first();
        }
    }
}

/// Reads the change log for as long as the process runs, dropping what other processes
/// changed. It starts [`GAP_WAIT`] in the past, so changes committed while the node started
/// (or late, by transactions begun before) are applied too; applying one twice is harmless.
/// After the log could not be read for a while, everything is dropped, since the changes
/// missed meanwhile may have been pruned. Returns once `stopped` turns true.
pub async fn follow(db: Db, caches: Arc<Caches>, mut stopped: tokio::sync::watch::Receiver<bool>) {
    let mut reader: Option<Reader> = None;
    let mut failing_since: Option<Instant> = None;
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
        let read = async {
            let mut c = db.conn().await?;
            let r = match &mut reader {
                Some(r) => r,
                None => {
                    let since = herd_core::Timestamp::now().0 - GAP_WAIT.as_millis() as i64;
                    reader.insert(Reader {
                        frontier: changes::latest_before(&mut c, since).await?,
                        seen: BTreeSet::new(),
                        gap: None,
                    })
                }
            };
            // From the frontier (a late commit fills a gap), then on past every row read, so
            // a long stretch above a gap cannot hold newer changes back.
            let mut cursor = r.frontier;
            loop {
                let rows = changes::since(&mut c, cursor, BATCH).await?;
                let full = rows.len() as i64 == BATCH;
                if let Some(last) = rows.last() {
                    cursor = last.seq;
                }
                let (fresh, gave_up) = r.take(rows);
                if gave_up {
                    tracing::warn!("a change-log entry never committed within {GAP_WAIT:?}; dropping every cache");
                    caches.clear();
                }
                caches.drop_changed(&fresh);
                if !full {
                    break;
                }
            }
            Ok::<_, herd_store::StoreError>(())
        };
        match read.await {
            Ok(()) => {
                if failing_since.take().is_some_and(|s| s.elapsed() > Duration::from_secs(10)) {
                    caches.clear();
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "reading the cache change log failed");
                failing_since.get_or_insert_with(Instant::now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(ids: &[i64], complete: bool) -> Feed {
        Feed {
            ids: ids.to_vec(),
            complete,
            sources: vec![],
            until: None,
        }
    }

    fn page(max: Option<i64>, since: Option<i64>, min: Option<i64>, limit: i64) -> Page {
        Page {
            max_id: max,
            since_id: since,
            min_id: min,
            limit,
        }
    }

    #[test]
    fn pages_from_the_cached_head_only_when_exact() {
        let f = feed(&[10, 9, 8, 7, 6], false);
        assert_eq!(f.page(&page(None, None, None, 2)), Some(vec![10, 9]));
        assert_eq!(f.page(&page(Some(9), None, None, 2)), Some(vec![8, 7]));
        // Runs past the head of an incomplete feed: the database must answer.
        assert_eq!(f.page(&page(Some(7), None, None, 2)), None);
        // Everything above since_id is cached.
        assert_eq!(f.page(&page(None, Some(8), None, 5)), Some(vec![10, 9]));
        // min_id: the oldest ones just above it, newest first.
        assert_eq!(f.page(&page(None, None, Some(7), 2)), Some(vec![9, 8]));
        assert_eq!(f.page(&page(None, None, Some(3), 2)), None);
        let done = feed(&[10, 9], true);
        assert_eq!(done.page(&page(Some(9), None, None, 5)), Some(vec![]));
        assert_eq!(done.page(&page(None, None, Some(1), 5)), Some(vec![10, 9]));
    }

    fn logged(seq: i64) -> changes::Logged {
        changes::Logged {
            seq,
            tenant: TenantId(1),
            change: Some(Change::Status(seq)),
            created_at: 0,
        }
    }

    #[test]
    fn reader_waits_at_gaps_and_applies_each_change_once() {
        let mut r = Reader {
            frontier: 0,
            seen: BTreeSet::new(),
            gap: None,
        };
        assert_eq!(r.take(vec![logged(1), logged(3)]).0.len(), 2);
        assert_eq!(r.frontier, 1);
        assert_eq!(r.gap.map(|g| g.0), Some(1));
        // 3 comes again while 2 is missing: not applied twice.
        assert_eq!(r.take(vec![logged(3)]).0.len(), 0);
        assert_eq!(r.take(vec![logged(2), logged(3), logged(4), logged(6)]).0.len(), 3);
        assert_eq!(r.frontier, 4);
        // A new gap is timed from when it appeared, not from the first one.
        assert!(r.gap.is_some_and(|(at, since)| at == 4 && since.elapsed() < GAP_WAIT));
        r.gap = Some((4, Instant::now() - GAP_WAIT - Duration::from_secs(1)));
        let (_, gave_up) = r.take(vec![]);
        assert!(gave_up);
        assert_eq!(r.frontier, 6);
        assert!(r.seen.is_empty());
    }

    #[test]
    fn a_value_read_before_a_change_is_not_kept() {
        let c = Caches::new(Limits::default());
        let e = c.epoch();
        c.drop_changed(&[(TenantId(1), Change::Status(5))]);
        c.put(&c.statuses, e, (1, 5), Arc::new(parts(5)));
        assert!(c.statuses.get(&(1, 5)).is_none());
        let e = c.epoch();
        c.put(&c.statuses, e, (1, 5), Arc::new(parts(5)));
        assert!(c.statuses.get(&(1, 5)).is_some());
        c.drop_changed(&[(TenantId(1), Change::Status(5))]);
        assert!(c.statuses.get(&(1, 5)).is_none());
    }

    fn parts(id: i64) -> StatusParts {
        StatusParts {
            row: Arc::new(StatusRow { id, ..Default::default() }),
            media: vec![],
            mentions: vec![],
            tags: vec![],
            poll: None,
            emojis: vec![],
            card: None,
            quote: None,
            fixed: Slot::default(),
        }
    }
}
