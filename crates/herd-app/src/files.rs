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

    /// The folder of one instance's files (each file's key is its path below it).
    pub fn tenant_dir(&self, t: TenantId) -> PathBuf {
        self.root.join(t.0.to_string())
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

    /// Starts writing a file piece by piece (a large download) in the folder of `near`, a
    /// key; it gets its key, which may depend on what was written, in [`FileStore::keep`]. A
    /// pending file dropped unkept is removed.
    pub async fn create(&self, t: TenantId, near: &str) -> std::io::Result<PendingFile> {
        let path = self.path(t, near)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let tmp = path.with_extension(format!("tmp{}", rand::random::<u32>()));
        let file = tokio::fs::File::create(&tmp).await?;
        Ok(PendingFile { file, tmp, kept: false })
    }

    /// Puts a pending file in place under `key`, synced to disk first.
    pub async fn keep(&self, mut p: PendingFile, t: TenantId, key: &str) -> std::io::Result<()> {
        let path = self.path(t, key)?;
        p.file.sync_all().await?;
        tokio::fs::rename(&p.tmp, &path).await?;
        p.kept = true;
        Ok(())
    }

    /// A path in the folder of `near` (a key) for a program to write a file to (ffmpeg); the
    /// file gets its key in [`FileStore::keep_scratch`]. The caller removes it if it is not kept.
    pub async fn scratch(&self, t: TenantId, near: &str) -> std::io::Result<PathBuf> {
        let path = self.path(t, near)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        Ok(path.with_extension(format!("tmp{}", rand::random::<u32>())))
    }

    /// Puts a file written at a [`FileStore::scratch`] path in place under `key`, synced first.
    pub async fn keep_scratch(&self, scratch: &Path, t: TenantId, key: &str) -> std::io::Result<()> {
        let path = self.path(t, key)?;
        tokio::fs::File::open(scratch).await?.sync_all().await?;
        tokio::fs::rename(scratch, &path).await
    }

    /// Where `key` lives on disk, for serving it with range requests.
    pub fn local_path(&self, t: TenantId, key: &str) -> std::io::Result<PathBuf> {
        self.path(t, key)
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

    /// The bytes `keys` take together; a missing file counts nothing.
    pub async fn size_of(&self, t: TenantId, keys: &[&str]) -> std::io::Result<u64> {
        let mut total = 0;
        for k in keys {
            match tokio::fs::metadata(self.path(t, k)?).await {
                Ok(m) => total += m.len(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(total)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// A file being written by [`FileStore::create`].
pub struct PendingFile {
    pub file: tokio::fs::File,
    tmp: PathBuf,
    kept: bool,
}

impl PendingFile {
    /// Reads back the first bytes written (to recognise the file's type).
    pub async fn head(&self, n: usize) -> std::io::Result<Vec<u8>> {
        use tokio::io::AsyncReadExt;
        let mut f = tokio::fs::File::open(&self.tmp).await?;
        let mut buf = vec![0; n];
        let mut filled = 0;
        while filled < n {
            match f.read(&mut buf[filled..]).await? {
                0 => break,
                k => filled += k,
            }
        }
        buf.truncate(filled);
        Ok(buf)
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
