//! The local side of federation: actors' keys, and the ActivityPub documents other servers
//! read, built from the same views the client API renders. Inbox processing and delivery
//! (issue 3's later parts) will be verbs here, one per file, like the rest of `herd-app`.

pub mod deliver;
pub mod inbox;
pub mod ingest;
mod keys;
pub mod outgoing;
pub mod pictures;
pub mod read;
pub(crate) mod render;
pub mod resolve;
pub mod thread;

pub use keys::key;
pub use render::{actor, create_activity, instance_actor, note, object_of};
