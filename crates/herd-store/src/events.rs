//! Events for live clients (streaming): what happened, published when the transaction that
//! made it commits, and never if it rolls back.
//!
//! On PostgreSQL an event is a `NOTIFY` on [`CHANNEL`] sent inside the transaction, so every
//! node sharing the database (this one too) hears it at commit through its `LISTEN`. On
//! SQLite there is one node: events go to the process's [`EventSink`] after the commit.

use crate::{Conn, Dialect, Result, TenantId};

/// The PostgreSQL channel events travel on.
pub const CHANNEL: &str = "herd_events";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A post (or boost) was stored: `subject` is its id, `account` its author.
    Status,
    /// A post was edited.
    StatusUpdate,
    /// A post was deleted.
    Delete,
    /// `account` got notification `subject`.
    Notification,
    /// `account` changed its filters.
    FiltersChanged,
    /// `account`'s conversation `subject` got a direct post.
    Conversation,
    /// Announcement `subject` was published or changed (`account` is 0: everyone's).
    Announcement,
    /// `account` reacted to announcement `subject`, or took a reaction back.
    AnnouncementReaction,
    /// Announcement `subject` was deleted.
    AnnouncementDelete,
}

impl EventKind {
    fn code(self) -> i64 {
        match self {
            EventKind::Status => 1,
            EventKind::StatusUpdate => 2,
            EventKind::Delete => 3,
            EventKind::Notification => 4,
            EventKind::FiltersChanged => 5,
            EventKind::Conversation => 6,
            EventKind::Announcement => 7,
            EventKind::AnnouncementReaction => 8,
            EventKind::AnnouncementDelete => 9,
        }
    }

    fn from_code(c: i64) -> Option<EventKind> {
        Some(match c {
            1 => EventKind::Status,
            2 => EventKind::StatusUpdate,
            3 => EventKind::Delete,
            4 => EventKind::Notification,
            5 => EventKind::FiltersChanged,
            6 => EventKind::Conversation,
            7 => EventKind::Announcement,
            8 => EventKind::AnnouncementReaction,
            9 => EventKind::AnnouncementDelete,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub tenant: TenantId,
    pub kind: EventKind,
    pub subject: i64,
    pub account: i64,
}

impl Event {
    /// The NOTIFY payload: four integers.
    pub fn encode(&self) -> String {
        format!("{},{},{},{}", self.tenant.0, self.kind.code(), self.subject, self.account)
    }

    /// Reads a payload; `None` for one this version does not know.
    pub fn decode(s: &str) -> Option<Event> {
        let mut it = s.split(',').map(|p| p.parse::<i64>().ok());
        let (t, k, subject, account) = (it.next()??, it.next()??, it.next()??, it.next()??);
        Some(Event {
            tenant: TenantId(t),
            kind: EventKind::from_code(k)?,
            subject,
            account,
        })
    }
}

/// Whoever serves live clients in this process.
pub trait EventSink: Send + Sync {
    fn publish(&self, events: &[Event]);
}

/// Publishes an event with this connection's transaction (at once outside one).
pub async fn publish(c: &mut Conn, t: TenantId, kind: EventKind, subject: i64, account: i64) -> Result<()> {
    publish_many(c, t, kind, &[(subject, account)]).await
}

/// Publishes events of one kind, `(subject, account)` each, in one statement.
pub async fn publish_many(c: &mut Conn, t: TenantId, kind: EventKind, items: &[(i64, i64)]) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let events: Vec<Event> = items
        .iter()
        .map(|&(subject, account)| Event {
            tenant: t,
            kind,
            subject,
            account,
        })
        .collect();
    match c.dialect() {
        Dialect::Postgres => {
            let sql = format!(
                "SELECT pg_notify(?, v.p) FROM (VALUES {}) AS v(p)",
                vec!["(CAST(? AS TEXT))"; events.len()].join(", ")
            );
            let mut q = c.q(&sql).bind(CHANNEL);
            for e in &events {
                q = q.bind(e.encode());
            }
            q.execute(c.ex()).await?;
        }
        Dialect::Sqlite => {
            for e in events {
                c.event(e);
            }
        }
    }
    Ok(())
}

/// Hears events every node publishes on PostgreSQL and hands them to `sink`, until `stop`
/// turns true. The connection is made again when it drops (events sent meanwhile are missed:
/// live clients catch up through the timelines, as with Mastodon).
pub async fn listen(url: &str, sink: std::sync::Arc<dyn EventSink>, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect(url).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "streaming: cannot listen for events; trying again");
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => continue,
                    _ = stop.wait_for(|s| *s) => return,
                }
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "streaming: LISTEN failed; trying again");
            continue;
        }
        loop {
            tokio::select! {
                n = listener.recv() => match n {
                    Ok(n) => {
                        if let Some(e) = Event::decode(n.payload()) {
                            sink.publish(&[e]);
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "streaming: the event connection failed; listening again");
                        break;
                    }
                },
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        let e = Event {
            tenant: TenantId(3),
            kind: EventKind::Notification,
            subject: 99,
            account: 7,
        };
        assert_eq!(Event::decode(&e.encode()), Some(e));
        assert_eq!(Event::decode("1,2"), None);
        assert_eq!(Event::decode("1,77,1,1"), None);
    }
}
