//! Password hashing with argon2 (Argon2id, the crate's defaults), off the async threads.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::{AppError, Result};

pub fn check_strength(p: &str) -> Result<()> {
    let n = p.chars().count();
    if !(8..=72).contains(&n) {
        return Err(AppError::Invalid("Validation failed: Password must be 8 to 72 characters".into()));
    }
    Ok(())
}

/// Hashes the password given, or a strong generated one. Returns the hash and, when it was
/// generated, the password itself, to be shown once.
pub async fn hash_chosen(given: Option<String>) -> Result<(String, Option<String>)> {
    let (plain, generated) = match given {
        Some(p) => (p, None),
        None => {
            let p = herd_core::secret::generate()[..20].to_string();
            (p.clone(), Some(p))
        }
    };
    check_strength(&plain)?;
    Ok((hash(plain).await?, generated))
}

pub async fn hash(plain: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(plain.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("hashing: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Constant-time verification (argon2's own comparison). A missing hash never matches, but
/// the work is still done so timing does not tell whether an account exists.
pub async fn verify(plain: String, stored: Option<String>) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| DUMMY.to_string());
        let ok = Argon2::default().verify_password(plain.as_bytes(), stored.as_str()).is_ok();
        ok && stored != DUMMY
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// A valid hash of a random password, verified against when no account matched.
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$VJ9Lp1yoUbj6zFEyLbTvLKjqZNbQPtr1Fy1kVlmZpE0";
