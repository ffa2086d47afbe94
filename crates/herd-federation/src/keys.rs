//! Actors' RSA keys: 2048-bit, as Mastodon uses, kept as PEM (public: SubjectPublicKeyInfo,
//! private: PKCS#8). RSA comes from aws-lc-rs.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{self, KeyPair as _, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key generation failed")]
    Generate,
    #[error("malformed key: {0}")]
    Malformed(&'static str),
    #[error("signing failed")]
    Sign,
}

/// A key pair as stored.
#[derive(Debug, Clone)]
pub struct Pems {
    pub public: String,
    pub private: String,
}

/// A fresh 2048-bit RSA key pair. Takes about a tenth of a second: run it off the async
/// threads.
pub fn generate() -> Result<Pems, KeyError> {
    let kp = KeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generate)?;
    let private: Pkcs8V1Der = kp.as_der().map_err(|_| KeyError::Generate)?;
    let public: PublicKeyX509Der = kp.public_key().as_der().map_err(|_| KeyError::Generate)?;
    Ok(Pems {
        public: pem("PUBLIC KEY", public.as_ref()),
        private: pem("PRIVATE KEY", private.as_ref()),
    })
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The DER inside a PEM block (any label).
pub fn pem_der(pem: &str) -> Result<Vec<u8>, KeyError> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .collect();
    if body.is_empty() {
        return Err(KeyError::Malformed("no PEM body"));
    }
    STANDARD.decode(body).map_err(|_| KeyError::Malformed("PEM body is not base64"))
}

/// Signs `message` with RSASSA-PKCS1-v1_5 and SHA-256 (HTTP signatures' `rsa-sha256`).
pub fn sign(private_pem: &str, message: &[u8]) -> Result<Vec<u8>, KeyError> {
    let kp = KeyPair::from_pkcs8(&pem_der(private_pem)?).map_err(|_| KeyError::Malformed("not a PKCS#8 RSA key"))?;
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let mut sig = vec![0; kp.public_modulus_len()];
    kp.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut sig)
        .map_err(|_| KeyError::Sign)?;
    Ok(sig)
}

/// Whether `sig` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `message` by this public key.
pub fn verify(public_pem: &str, message: &[u8], sig: &[u8]) -> bool {
    let Ok(der) = pem_der(public_pem) else { return false };
    UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, der)
        .verify(message, sig)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_sign_and_verify_through_pem() {
        let k = generate().expect("key");
        assert!(k.public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(k.private.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let sig = sign(&k.private, b"(request-target): post /inbox").expect("sign");
        assert!(verify(&k.public, b"(request-target): post /inbox", &sig));
        assert!(!verify(&k.public, b"(request-target): post /inbox2", &sig));
        let other = generate().expect("key");
        assert!(!verify(&other.public, b"(request-target): post /inbox", &sig));
        assert!(!verify("not a key", b"x", &sig));
    }
}
