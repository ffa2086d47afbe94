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

/// The bytes a media row's files take in the store (original, processed version, thumbnail).
pub(crate) async fn measure(app: &crate::App, t: herd_store::TenantId, m: &herd_store::media::MediaRow) -> crate::Result<i64> {
    let keys: Vec<&str> = [Some(m.original_key.as_str()), m.file_key.as_deref(), m.thumb_key.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    Ok(app.files.size_of(t, &keys).await? as i64)
}
