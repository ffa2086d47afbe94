//! Backups of one instance, their verification and restore, and leaving with everything:
//! export of an instance to one file and its import into another Herd.
//!
//! One archive format serves all of them (see [`archive`] and `docs/archive-format.md`). An
//! archive holds every row of the instance as of one moment (one read transaction) and its
//! media files, encrypted with age: backups to the operator's key, exports to the key of
//! whoever takes the instance. The processing follows the house rule, one verb per file:
//! [`run`] (write a backup and record it), [`verify`] (restore it into a scratch database
//! and compare), [`restore`] (replace the instance's rows in place, the instance answering
//! 503 meanwhile), [`export`] and [`import`]. [`write`] and [`load`] are the two halves
//! they share.

pub mod archive;
pub mod export;
pub mod import;
mod keys;
pub mod load;
pub mod restore;
pub mod run;
pub mod schedule;
pub mod verify;
pub mod write;

pub use keys::{BackupConfig, Identity, Recipient, parse_recipient, read_identity};

/// Files of an instance's media folder that are not media: a write still in progress
/// (`FileStore` writes `KEY.tmpNNN` and renames it into place).
fn in_progress(name: &str) -> bool {
    name.rsplit_once(".tmp").is_some_and(|(_, n)| n.chars().all(|c| c.is_ascii_digit()))
}

/// Every media file under `dir`, as (key, path), in key order.
fn media_files(dir: &std::path::Path) -> std::io::Result<Vec<(String, std::path::PathBuf)>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            let ty = entry.file_type()?;
            if ty.is_dir() {
                stack.push(path);
            } else if ty.is_file() {
                let Ok(rel) = path.strip_prefix(dir) else { continue };
                let key = rel.to_string_lossy().replace('\\', "/");
                if !in_progress(&key) && archive::valid_key(&key) {
                    out.push((key, path));
                }
            }
        }
    }
    out.sort();
    Ok(out)
}
