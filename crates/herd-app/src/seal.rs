//! Secrets the server must read back (TOTP secrets, single sign-on client secrets, later
//! connection tokens of external servers) are sealed with the server's key: AES-256-GCM, a
//! random nonce per value, stored as base64 of nonce and ciphertext. The key comes from the configuration
//! (`secret_key`), or a file in the data directory made at first start.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::{AppError, Result};

pub struct SealKey(LessSafeKey);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(..)")
    }
}

impl SealKey {
    pub fn new(key: &[u8; 32]) -> Result<SealKey> {
        let k = UnboundKey::new(&AES_256_GCM, key).map_err(|_| AppError::Internal("the secret key is unusable".into()))?;
        Ok(SealKey(LessSafeKey::new(k)))
    }

    /// `plain` sealed; `purpose` is bound to it, so a value sealed for one use cannot be
    /// passed off as another.
    pub fn seal(&self, purpose: &str, plain: &[u8]) -> Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::fill(&mut nonce);
        let mut buf = plain.to_vec();
        self.0
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(purpose.as_bytes()), &mut buf)
            .map_err(|_| AppError::Internal("sealing failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend(buf);
        Ok(STANDARD.encode(out))
    }

    pub fn open(&self, purpose: &str, sealed: &str) -> Result<Vec<u8>> {
        let bad = || AppError::Internal("a sealed value could not be opened (was the secret key changed?)".into());
        let mut raw = STANDARD.decode(sealed).map_err(|_| bad())?;
        if raw.len() < NONCE_LEN {
            return Err(bad());
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&raw[..NONCE_LEN]);
        let body = &mut raw[NONCE_LEN..];
        let plain = self
            .0
            .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(purpose.as_bytes()), body)
            .map_err(|_| bad())?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_purpose() {
        let k = SealKey::new(&[7; 32]).expect("key");
        let s = k.seal("totp", b"secret").expect("seal");
        assert_eq!(k.open("totp", &s).expect("open"), b"secret");
        assert!(k.open("token", &s).is_err());
        assert!(SealKey::new(&[8; 32]).expect("key").open("totp", &s).is_err());
        assert_ne!(s, k.seal("totp", b"secret").expect("seal"), "a fresh nonce each time");
    }
}
