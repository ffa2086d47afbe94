//! Media files in the data directory, one folder per tenant: `media/<tenant>/<key>`. Writes go
//! to a temporary file first and are renamed into place, so a crash never leaves half a file.
//! (S3-compatible storage for scale-out is a later addition behind the same methods.)

use std::path::{Path, PathBuf};

use herd_store::TenantId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

/// Deletes files no longer referenced (a deleted post's media). Durable, so a crash between
/// the database change and the file removal leaves no orphans behind for long.
#[derive(Debug, Serialize, Deserialize)]
pub struct DeleteFiles {
    pub keys: Vec<String>,
}

impl herd_jobs::JobKind for DeleteFiles {
    const KIND: &'static str = "delete_files";
}

impl FileStore {
    pub fn new(root: impl Into<PathBuf>) -> FileStore {
        FileStore { root: root.into() }
    }

    fn path(&self, t: TenantId, key: &str) -> std::io::Result<PathBuf> {
        let ok = !key.is_empty() && key.split('/').all(|p| !p.is_empty() && p != "." && p != ".." && !p.contains('\\'));
        if !ok {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "bad file key"));
        }
        Ok(self.root.join(t.0.to_string()).join(key))
    }

    pub async fn put(&self, t: TenantId, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(t, key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let tmp = path.with_extension(format!("tmp{}", rand::random::<u32>()));
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::rename(&tmp, &path).await
    }

    pub async fn get(&self, t: TenantId, key: &str) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(self.path(t, key)?).await
    }

    pub async fn delete_all(&self, t: TenantId, keys: &[String]) -> std::io::Result<()> {
        for k in keys {
            match tokio::fs::remove_file(self.path(t, k)?).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}
