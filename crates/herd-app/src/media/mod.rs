//! Media attachments: upload (answered while processing), processing as a durable job, and
//! description/focus changes.

pub mod image;
mod process;
pub mod remote;
mod upload;

pub use process::{ProcessMedia, process};
pub use upload::{describe, parse_focus, upload};

/// A file as a client sent it.
pub struct Upload {
    pub bytes: Vec<u8>,
    pub mime: Option<String>,
    pub filename: Option<String>,
}
