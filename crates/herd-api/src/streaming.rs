//! Live clients (Mastodon's streaming API): the node's [`Hub`] of connected clients and the
//! dispatcher that turns events (see `herd_store::events`) into messages for each.
//!
//! Events say only what happened (post 123 was stored); each node loads the post once,
//! decides which of its clients may see it on which stream (home rules, lists, public and
//! hashtag streams, blocks and mutes, filters), renders it once per viewer and hands the
//! message to the client's queue. A client too slow to take its messages loses them, never
//! the node's memory.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use herd_app::filters::Active;
use herd_app::{App, Tenant};
use herd_store::events::{Event, EventKind, EventSink};
use herd_store::{Conn, TenantId, accounts, lists, statuses};
use tokio::sync::mpsc;

use crate::entities;

/// Messages waiting for one client before newer ones are dropped.
const QUEUE: usize = 256;

/// One stream a client follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stream {
    User,
    UserNotification,
    Public { local: bool, remote: bool, media: bool },
    Hashtag { tag: String, local: bool },
    List(i64),
    Direct,
}

impl Stream {
    /// A stream by its name (`public:local:media`, `hashtag`, ...), with the tag or list it
    /// needs.
    pub fn parse(name: &str, tag: Option<&str>, list: Option<&str>) -> Result<Stream, String> {
        let public = |local, remote, media| Ok(Stream::Public { local, remote, media });
        let tag = || {
            tag.map(|t| t.trim_start_matches('#').to_lowercase())
                .filter(|t| !t.is_empty())
                .ok_or_else(|| "Missing hashtag".to_string())
        };
        match name {
            "user" => Ok(Stream::User),
            "user:notification" => Ok(Stream::UserNotification),
            "public" => public(false, false, false),
            "public:media" => public(false, false, true),
            "public:local" => public(true, false, false),
            "public:local:media" => public(true, false, true),
            "public:remote" => public(false, true, false),
            "public:remote:media" => public(false, true, true),
            "hashtag" => Ok(Stream::Hashtag { tag: tag()?, local: false }),
            "hashtag:local" => Ok(Stream::Hashtag { tag: tag()?, local: true }),
            "list" => list
                .and_then(|l| l.parse().ok())
                .map(Stream::List)
                .ok_or_else(|| "Missing list".to_string()),
            "direct" => Ok(Stream::Direct),
            _ => Err("Unknown stream type".to_string()),
        }
    }

    /// The `stream` field of its messages.
    pub fn names(&self) -> Vec<String> {
        match self {
            Stream::User => vec!["user".into()],
            Stream::UserNotification => vec!["user:notification".into()],
            Stream::Public { local, remote, media } => {
                let mut n = String::from("public");
                if *local {
                    n.push_str(":local");
                }
                if *remote {
                    n.push_str(":remote");
                }
                if *media {
                    n.push_str(":media");
                }
                vec![n]
            }
            Stream::Hashtag { tag, local } => {
                vec![if *local { "hashtag:local" } else { "hashtag" }.into(), tag.clone()]
            }
            Stream::List(id) => vec!["list".into(), id.to_string()],
            Stream::Direct => vec!["direct".into()],
        }
    }

    /// Whether it needs a signed-in user.
    pub fn needs_account(&self) -> bool {
        matches!(self, Stream::User | Stream::UserNotification | Stream::List(_) | Stream::Direct)
    }
}

/// A message for a client.
#[derive(Debug, Clone)]
pub struct Message {
    pub event: &'static str,
    /// JSON text (an entity, or an id string for `delete`); none for `filters_changed`.
    pub payload: Option<Arc<str>>,
    /// The whole WebSocket message (`{"stream": [...], "event": ..., "payload": "..."}`),
    /// written once for every client that gets the same one.
    pub frame: Arc<str>,
}

/// The WebSocket messages written for one event, shared by the clients that get the same.
#[derive(Default)]
struct Frames(HashMap<(Vec<String>, &'static str, usize), Arc<str>>);

impl Frames {
    fn get(&mut self, stream: Vec<String>, event: &'static str, payload: &Option<Arc<str>>) -> Arc<str> {
        let key = (stream, event, payload.as_ref().map_or(0, |p| Arc::as_ptr(p) as *const u8 as usize));
        if let Some(f) = self.0.get(&key) {
            return f.clone();
        }
        #[derive(serde::Serialize)]
        struct Out<'a> {
            stream: &'a [String],
            event: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            payload: Option<&'a str>,
        }
        let frame: Arc<str> = serde_json::to_string(&Out {
            stream: &key.0,
            event,
            payload: payload.as_deref(),
        })
        .unwrap_or_default()
        .into();
        self.0.insert(key, frame.clone());
        frame
    }
}

/// A connected client.
pub struct Sub {
    id: u64,
    tenant: Arc<Tenant>,
    account: Option<i64>,
    notifications: bool,
    streams: Mutex<Vec<Stream>>,
    tx: mpsc::Sender<Message>,
}

impl Sub {
    pub fn subscribe(&self, s: Stream) {
        if let Ok(mut list) = self.streams.lock()
            && !list.contains(&s)
        {
            list.push(s);
        }
    }

    pub fn unsubscribe(&self, s: &Stream) {
        if let Ok(mut list) = self.streams.lock() {
            list.retain(|x| x != s);
        }
    }

    fn streams(&self) -> Vec<Stream> {
        self.streams.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn send(&self, frames: &mut Frames, stream: &Stream, event: &'static str, payload: Option<Arc<str>>) {
        let frame = frames.get(stream.names(), event, &payload);
        // A full queue means a client that does not read: it misses messages.
        let _ = self.tx.try_send(Message { event, payload, frame });
    }
}

/// This node's connected clients, by instance.
pub struct Hub {
    subs: RwLock<HashMap<i64, Vec<Arc<Sub>>>>,
    next: AtomicU64,
    events: mpsc::UnboundedSender<Event>,
    /// Turns true when the server stops: connections end so shutdown does not wait on them.
    stopped: tokio::sync::watch::Receiver<bool>,
}

/// Takes a client off the hub when its connection ends.
pub struct Membership {
    hub: Arc<Hub>,
    pub sub: Arc<Sub>,
}

impl Drop for Membership {
    fn drop(&mut self) {
        if let Ok(mut subs) = self.hub.subs.write()
            && let Some(list) = subs.get_mut(&self.sub.tenant.id.0)
        {
            list.retain(|s| s.id != self.sub.id);
        }
    }
}

impl EventSink for Hub {
    fn publish(&self, events: &[Event]) {
        for e in events {
            let _ = self.events.send(*e);
        }
    }
}

impl Hub {
    /// The hub and the receiving end of its events, for [`run`]; its connections end when
    /// `stopped` turns true.
    pub fn new(stopped: tokio::sync::watch::Receiver<bool>) -> (Arc<Hub>, mpsc::UnboundedReceiver<Event>) {
        let (events, rx) = mpsc::unbounded_channel();
        let hub = Hub {
            subs: RwLock::new(HashMap::new()),
            next: AtomicU64::new(1),
            events,
            stopped,
        };
        (Arc::new(hub), rx)
    }

    /// Resolves when the server stops.
    pub async fn stopping(&self) {
        let mut s = self.stopped.clone();
        let _ = s.wait_for(|s| *s).await;
    }

    /// Adds a client; it leaves when the membership is dropped.
    pub fn join(self: &Arc<Hub>, tenant: Arc<Tenant>, account: Option<i64>, notifications: bool) -> (Membership, mpsc::Receiver<Message>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let sub = Arc::new(Sub {
            id: self.next.fetch_add(1, Ordering::Relaxed),
            tenant,
            account,
            notifications,
            streams: Mutex::new(Vec::new()),
            tx,
        });
        if let Ok(mut subs) = self.subs.write() {
            subs.entry(sub.tenant.id.0).or_default().push(sub.clone());
        }
        (Membership { hub: self.clone(), sub }, rx)
    }

    fn subs_of(&self, t: TenantId) -> Vec<Arc<Sub>> {
        self.subs.read().ok().and_then(|s| s.get(&t.0).cloned()).unwrap_or_default()
    }
}

/// Dispatches events until the sending side closes.
pub async fn run(app: Arc<App>, hub: Arc<Hub>, mut events: mpsc::UnboundedReceiver<Event>) {
    while let Some(e) = events.recv().await {
        let subs = hub.subs_of(e.tenant);
        if subs.is_empty() {
            continue;
        }
        if let Err(err) = dispatch(&app, &subs, e).await {
            tracing::warn!(error = %err, event = ?e, "streaming: an event was not delivered");
        }
    }
}

async fn dispatch(app: &App, subs: &[Arc<Sub>], e: Event) -> herd_app::Result<()> {
    let mut frames = Frames::default();
    match e.kind {
        EventKind::Status => post(app, subs, e.subject, "update").await,
        EventKind::StatusUpdate => post(app, subs, e.subject, "status.update").await,
        EventKind::Delete => {
            let id: Arc<str> = e.subject.to_string().into();
            for s in subs {
                if let Some(first) = s.streams().first() {
                    s.send(&mut frames, first, "delete", Some(id.clone()));
                }
            }
            Ok(())
        }
        EventKind::Notification => {
            let mine: Vec<&Arc<Sub>> = subs.iter().filter(|s| s.account == Some(e.account) && s.notifications).collect();
            if mine.is_empty() {
                return Ok(());
            }
            let mut c = app.db.conn().await?;
            let n = match herd_app::notifications::get(&mut c, e.tenant, e.account, e.subject).await {
                Ok(n) => n,
                // Gone, or about a post a filter hides.
                Err(herd_app::AppError::NotFound(_)) => return Ok(()),
                Err(err) => return Err(err),
            };
            let mut text: Option<Arc<str>> = None;
            for s in mine {
                for stream in s.streams() {
                    if matches!(stream, Stream::User | Stream::UserNotification) {
                        let payload = text
                            .get_or_insert_with(|| {
                                serde_json::to_string(&entities::notification(&s.tenant, &n))
                                    .unwrap_or_default()
                                    .into()
                            })
                            .clone();
                        s.send(&mut frames, &stream, "notification", Some(payload));
                    }
                }
            }
            Ok(())
        }
        EventKind::Conversation => {
            let mine: Vec<&Arc<Sub>> = subs
                .iter()
                .filter(|s| s.account == Some(e.account) && s.streams().contains(&Stream::Direct))
                .collect();
            if mine.is_empty() {
                return Ok(());
            }
            let mut c = app.db.conn().await?;
            let v = match herd_app::conversations::get(&mut c, e.tenant, e.account, e.subject).await {
                Ok(v) => v,
                Err(herd_app::AppError::NotFound(_)) => return Ok(()),
                Err(err) => return Err(err),
            };
            let text: Arc<str> = serde_json::to_string(&entities::conversation(&mine[0].tenant, &v))
                .unwrap_or_default()
                .into();
            for s in mine {
                s.send(&mut frames, &Stream::Direct, "conversation", Some(text.clone()));
            }
            Ok(())
        }
        EventKind::Announcement | EventKind::AnnouncementReaction => {
            let users: Vec<&Arc<Sub>> = subs
                .iter()
                .filter(|s| s.account.is_some() && s.streams().contains(&Stream::User))
                .collect();
            if users.is_empty() {
                return Ok(());
            }
            let mut c = app.db.conn().await?;
            if e.kind == EventKind::AnnouncementReaction {
                let Some(v) = herd_app::announcements::get(&mut c, e.tenant, None, e.subject).await? else {
                    return Ok(());
                };
                for r in &v.reactions {
                    let text: Arc<str> = serde_json::json!({"name": r.name, "count": r.count, "announcement_id": e.subject.to_string()})
                        .to_string()
                        .into();
                    for s in &users {
                        s.send(&mut frames, &Stream::User, "announcement.reaction", Some(text.clone()));
                    }
                }
            }
            // The whole announcement as each member sees it: after a reaction too, since the
            // reaction events cannot tell of a name whose last reaction was taken back.
            for s in users {
                if let Some(v) = herd_app::announcements::get(&mut c, e.tenant, s.account, e.subject).await? {
                    let text: Arc<str> = serde_json::to_string(&entities::announcement(&v, true)).unwrap_or_default().into();
                    s.send(&mut frames, &Stream::User, "announcement", Some(text));
                }
            }
            Ok(())
        }
        EventKind::AnnouncementDelete => {
            let id: Arc<str> = e.subject.to_string().into();
            for s in subs.iter().filter(|s| s.account.is_some() && s.streams().contains(&Stream::User)) {
                s.send(&mut frames, &Stream::User, "announcement.delete", Some(id.clone()));
            }
            Ok(())
        }
        EventKind::FiltersChanged => {
            for s in subs.iter().filter(|s| s.account == Some(e.account)) {
                if s.streams().contains(&Stream::User) {
                    s.send(&mut frames, &Stream::User, "filters_changed", None);
                }
            }
            Ok(())
        }
    }
}

/// Renderings of one post, per viewer and filter context (`None`: hidden from that viewer).
struct Renderings {
    by_viewer: HashMap<(Option<i64>, &'static str), Option<Arc<str>>>,
    /// For a post just stored (not a boost): nobody has marked it yet, so every viewer whose
    /// filters it does not match sees the same JSON, rendered once.
    shared: Option<(herd_app::views::StatusView, Arc<str>)>,
    fresh: bool,
}

impl Renderings {
    fn new(fresh: bool) -> Renderings {
        Renderings {
            by_viewer: HashMap::new(),
            shared: None,
            fresh,
        }
    }

    async fn get(
        &mut self,
        c: &mut Conn,
        app: &App,
        tenant: &Tenant,
        row: &statuses::StatusRow,
        viewer: Option<i64>,
        context: &'static str,
    ) -> herd_app::Result<Option<Arc<str>>> {
        if let Some(r) = self.by_viewer.get(&(viewer, context)) {
            return Ok(r.clone());
        }
        // Through the node's cache of each account's filters (dropped by Change::Filters).
        let filters = match viewer {
            Some(v) => Active::cached(app, &mut herd_app::LazyConn::new(&app.db), tenant.id, v, context).await?,
            None => Active::none(),
        };
        let text = if self.fresh {
            if self.shared.is_none() {
                let v = herd_app::views::statuses(c, tenant.id, None, vec![row.clone()]).await?;
                if let Some(v) = v.into_iter().next() {
                    let text = Arc::<str>::from(serde_json::to_string(&entities::status(tenant, &v)).unwrap_or_default());
                    self.shared = Some((v, text));
                }
            }
            match &self.shared {
                Some((v, text)) => match filters.apply(vec![v.clone()]).pop() {
                    Some(f) if f.filtered.is_empty() => Some(text.clone()),
                    Some(f) => Some(Arc::from(serde_json::to_string(&entities::status(tenant, &f)).unwrap_or_default())),
                    None => None,
                },
                None => None,
            }
        } else {
            let views = herd_app::views::statuses(c, tenant.id, viewer, vec![row.clone()]).await?;
            filters
                .apply(views)
                .first()
                .map(|v| Arc::<str>::from(serde_json::to_string(&entities::status(tenant, v)).unwrap_or_default()))
        };
        self.by_viewer.insert((viewer, context), text.clone());
        Ok(text)
    }
}

/// A stored or edited post, to every client whose streams show it.
async fn post(app: &App, subs: &[Arc<Sub>], id: i64, event: &'static str) -> herd_app::Result<()> {
    let tenant = subs[0].tenant.clone();
    let t = tenant.id;
    let mut c = app.db.conn().await?;
    let Some(row) = statuses::by_id(&mut c, t, id).await? else {
        return Ok(());
    };
    let author = accounts::by_id(&mut c, t, row.account_id).await?;
    let is_local = author.domain.is_empty();
    // Public and hashtag streams: public posts, no boosts, no replies to others.
    let public = row.visibility == "public" && row.reblog_of_id.is_none() && row.in_reply_to_account_id.is_none_or(|a| a == row.account_id);
    let (tags, media) = if public {
        let v = herd_app::views::statuses(&mut c, t, None, vec![row.clone()]).await?;
        v.first().map(|v| (v.tags.clone(), !v.media.is_empty())).unwrap_or_default()
    } else {
        (Vec::new(), false)
    };
    let mut rendered = Renderings::new(event == "update" && row.reblog_of_id.is_none());
    let mut frames = Frames::default();
    let mut home: HashMap<i64, bool> = HashMap::new();
    let mut unwanted: HashMap<i64, bool> = HashMap::new();
    for s in subs {
        for stream in s.streams() {
            let (shown, context) = match &stream {
                Stream::User => match s.account {
                    Some(v) => {
                        let has = match home.get(&v) {
                            Some(h) => *h,
                            None => {
                                let h = statuses::home_has(&mut c, t, v, id).await?;
                                home.insert(v, h);
                                h
                            }
                        };
                        (has, "home")
                    }
                    None => (false, "home"),
                },
                Stream::List(l) => match s.account {
                    Some(v) => match lists::owned(&mut c, t, v, *l).await? {
                        Some(list) => (statuses::list_has(&mut c, t, v, &list, id).await?, "home"),
                        None => (false, "home"),
                    },
                    None => (false, "home"),
                },
                Stream::Public { local, remote, media: m } => {
                    (public && (!local || is_local) && (!remote || !is_local) && (!m || media), "public")
                }
                Stream::Hashtag { tag, local } => (
                    public && (!local || is_local) && tags.iter().any(|x| x.to_lowercase() == *tag),
                    "public",
                ),
                Stream::UserNotification | Stream::Direct => (false, "home"),
            };
            if !shown {
                continue;
            }
            if context == "public"
                && let Some(v) = s.account
            {
                let skip = match unwanted.get(&v) {
                    Some(u) => *u,
                    None => {
                        let u = statuses::unwanted_by(&mut c, t, v, row.account_id).await?;
                        unwanted.insert(v, u);
                        u
                    }
                };
                if skip {
                    continue;
                }
            }
            if let Some(text) = rendered.get(&mut c, app, &tenant, &row, s.account, context).await? {
                s.send(&mut frames, &stream, event, Some(text));
            }
        }
    }
    Ok(())
}
