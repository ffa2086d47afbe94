//! Media attachments: upload (answered while processing), processing as a durable job
//! (images here, video and audio with ffmpeg in `av`), and description, focus and thumbnail
//! changes.

pub mod av;
pub mod image;
mod process;
pub mod remote;
mod upload;

pub use process::{ProcessMedia, process};
pub use upload::{Change, describe, parse_focus, upload};

/// A file as a client sent it.
pub struct Upload {
    pub bytes: Vec<u8>,
    pub mime: Option<String>,
    pub filename: Option<String>,
}
