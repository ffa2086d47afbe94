//! The ActivityPub side of Herd, as a protocol: the documents other servers read (WebFinger,
//! host-meta, NodeInfo, actors, notes, collections) as their own types, and actors' keys.
//!
//! **These types are neither storage rows nor Mastodon API entities.** `herd-app` builds them
//! from its views; `herd-api` serves them. Output follows what Mastodon sends, since remote
//! servers are written against Mastodon.

pub mod discovery;
pub mod fetch;
pub mod keys;
pub mod objects;
pub mod sanitize;
pub mod signatures;

/// ActivityPub's media type, as Mastodon sends it.
pub const ACTIVITY_JSON: &str = "application/activity+json; charset=utf-8";

/// The audience meaning "everyone".
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
