//! The operator's backup key: an age identity in a file (as `age-keygen` writes it), whose
//! public half backups are encrypted to. Without a configured recipient or identity, one is
//! made in the data directory on first use: a post-quantum (ML-KEM-768 + X25519) key, as age
//! 1.3 makes with `age-keygen -pq`. Classic X25519 keys (`age1...`, `AGE-SECRET-KEY-1...`)
//! an operator has already are read too.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use herd_app::{AppError, Result};

/// Whom an archive is encrypted to.
pub type Recipient = Box<dyn age::Recipient + Send>;
/// What reads an archive.
pub type Identity = std::sync::Arc<dyn age::Identity + Send + Sync>;

/// An age public key: `age1pq1...` (post-quantum) or `age1...` (X25519).
pub fn parse_recipient(s: &str) -> Result<Recipient> {
    let s = s.trim();
    let bad = |e: &dyn std::fmt::Display| AppError::Invalid(format!("{s:.20}... is not an age public key (age1pq1... or age1...): {e}"));
    if s.starts_with("age1pq1") {
        Ok(Box::new(age::pq::Recipient::from_str(s).map_err(|e| bad(&e))?))
    } else {
        #[allow(deprecated)]
        let r = age::x25519::Recipient::from_str(s).map_err(|e| bad(&e))?;
        Ok(Box::new(r))
    }
}

/// An age secret key line: `AGE-SECRET-KEY-PQ-1...` or `AGE-SECRET-KEY-1...`.
fn parse_identity(line: &str) -> std::result::Result<Identity, String> {
    if line.starts_with("AGE-SECRET-KEY-PQ-") {
        Ok(std::sync::Arc::new(age::pq::Identity::from_str(line).map_err(|e| e.to_string())?))
    } else {
        Ok(std::sync::Arc::new(
            age::x25519::Identity::from_str(line).map_err(|e| e.to_string())?,
        ))
    }
}

/// Where backups go and which key protects them.
#[derive(Debug, Clone)]
pub struct BackupConfig {
    /// The folder archives are written to, one folder per instance.
    pub dir: PathBuf,
    /// The public key (`age1...`) backups are encrypted to; without one, the identity's.
    pub recipient: Option<String>,
    /// The identity (secret key) file that verification and restore read.
    pub identity: PathBuf,
}

impl BackupConfig {
    /// The key archives are encrypted to: the configured recipient, else the identity file's
    /// public key, the file made first if it does not exist.
    pub fn recipient(&self) -> Result<Recipient> {
        if let Some(r) = self.recipient.as_deref().filter(|r| !r.trim().is_empty()) {
            return parse_recipient(r);
        }
        parse_recipient(&self.public_key()?)
    }

    /// The public key of the identity file (made first if it does not exist).
    pub fn public_key(&self) -> Result<String> {
        if !self.identity.exists() {
            make_identity(&self.identity)?;
        }
        let text = std::fs::read_to_string(&self.identity)
            .map_err(|e| AppError::Invalid(format!("cannot read the backup identity {}: {e}", self.identity.display())))?;
        let line = secret_line(&text, &self.identity)?;
        if line.starts_with("AGE-SECRET-KEY-PQ-") {
            let id = age::pq::Identity::from_str(line).map_err(|e| AppError::Invalid(format!("{}: {e}", self.identity.display())))?;
            Ok(id.to_public().to_string())
        } else {
            let id = age::x25519::Identity::from_str(line).map_err(|e| AppError::Invalid(format!("{}: {e}", self.identity.display())))?;
            #[allow(deprecated)]
            let public = id.to_public().to_string();
            Ok(public)
        }
    }

    /// The identity archives are read with.
    pub fn identity(&self) -> Result<Identity> {
        read_identity(&self.identity)
    }
}

/// Reads an age identity file: comment lines and one `AGE-SECRET-KEY-1...` line.
pub fn read_identity(path: &Path) -> Result<Identity> {
    let text = std::fs::read_to_string(path).map_err(|e| AppError::Invalid(format!("cannot read the identity {}: {e}", path.display())))?;
    parse_identity(secret_line(&text, path)?).map_err(|e| AppError::Invalid(format!("{}: {e}", path.display())))
}

fn secret_line<'a>(text: &'a str, path: &Path) -> Result<&'a str> {
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .ok_or_else(|| AppError::Invalid(format!("{} holds no AGE-SECRET-KEY-... line", path.display())))
}

fn make_identity(path: &Path) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let id = age::pq::Identity::generate();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| AppError::Internal(format!("creating {}: {e}", dir.display())))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| AppError::Internal(format!("creating {}: {e}", path.display())))?;
    let text = format!(
        "# Herd's backup identity: keep a copy somewhere else; without it no backup can be read.\n# public key: {}\n{}\n",
        id.to_public(),
        id.to_string().expose_secret()
    );
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| AppError::Internal(format!("writing {}: {e}", path.display())))?;
    tracing::info!(path = %path.display(), "made a backup identity");
    Ok(())
}
