//! Time-based one-time passwords (RFC 6238: SHA-1, six digits, 30-second steps, as every
//! authenticator app reads them) and recovery codes, for the provider's staff and instance
//! accounts. A code is accepted for the step before and after the current one, and
//! each step only once (the caller records the step it used).

use totp_rs::{Algorithm, TOTP};

use crate::{AppError, Result};

const STEP_SECS: u64 = 30;

/// What an authenticator app needs to enrol: the key typed in, or the `otpauth://` URI.
pub struct Enrolment {
    pub secret: String,
    pub uri: String,
}

/// Now, in whole seconds since the epoch, as TOTP counts.
pub fn now_secs() -> u64 {
    (herd_core::Timestamp::now().0 / 1000).max(0) as u64
}

/// Ten fresh recovery codes and the JSON array of their digests, as stored.
pub fn new_recovery_codes() -> (Vec<String>, String) {
    let codes = recovery_codes();
    let digests: Vec<String> = codes.iter().map(|c| herd_core::secret::digest(&normalise_recovery(c))).collect();
    (codes, serde_json::to_string(&digests).unwrap_or_else(|_| "[]".into()))
}

/// Spends a recovery code from the stored JSON array of digests: the array left, or `None`
/// when the code is not among them.
pub fn spend_recovery(stored: &str, code: &str) -> Option<String> {
    let given = herd_core::secret::digest(&normalise_recovery(code));
    let mut left: Vec<String> = serde_json::from_str(stored).unwrap_or_default();
    let before = left.len();
    left.retain(|d| !herd_core::secret::constant_time_eq(d.as_bytes(), given.as_bytes()));
    (left.len() < before).then(|| serde_json::to_string(&left).unwrap_or_else(|_| "[]".into()))
}

pub struct Totp {
    secret: Vec<u8>,
}

impl Totp {
    /// A new random secret (160 bits, as RFC 4226 recommends).
    pub fn generate() -> Totp {
        let mut secret = vec![0u8; 20];
        rand::fill(&mut secret[..]);
        Totp { secret }
    }

    pub fn from_secret(secret: Vec<u8>) -> Totp {
        Totp { secret }
    }

    /// From the base32 text an authenticator app is given.
    pub fn from_base32(s: &str) -> Result<Totp> {
        let secret = totp_rs::Secret::Encoded(s.trim().to_string())
            .to_bytes()
            .map_err(|_| AppError::Invalid("not a base32 secret".into()))?;
        Ok(Totp { secret })
    }

    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    /// The secret as authenticator apps take it typed in (base32).
    pub fn base32(&self) -> String {
        totp_rs::Secret::Raw(self.secret.clone()).to_encoded().to_string()
    }

    /// The `otpauth://` URI an authenticator app reads (from a QR code or a link).
    pub fn uri(&self, issuer: &str, account: &str) -> String {
        let enc = |s: &str| {
            url::form_urlencoded::byte_serialize(s.as_bytes())
                .collect::<String>()
                .replace('+', "%20")
        };
        format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
            enc(issuer),
            enc(account),
            self.base32(),
            enc(issuer)
        )
    }

    fn totp(&self) -> Result<TOTP> {
        TOTP::new(Algorithm::SHA1, 6, 0, STEP_SECS, self.secret.clone()).map_err(|e| AppError::Internal(format!("TOTP secret: {e}")))
    }

    /// The code for the step `unix_secs` falls in (for tests and enrolment checks).
    pub fn code_at(&self, unix_secs: u64) -> Result<String> {
        Ok(self.totp()?.generate(unix_secs))
    }

    /// The step a six-digit `code` is valid for around `unix_secs`, if any.
    pub fn step_of(&self, code: &str, unix_secs: u64) -> Result<Option<i64>> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
            return Ok(None);
        }
        let t = self.totp()?;
        for delta in [-1i64, 0, 1] {
            let at = (unix_secs as i64 + delta * STEP_SECS as i64).max(0) as u64;
            if herd_core::secret::constant_time_eq(t.generate(at).as_bytes(), code.as_bytes()) {
                return Ok(Some((at / STEP_SECS) as i64));
            }
        }
        Ok(None)
    }
}

/// Ten recovery codes, each usable once instead of a TOTP code (`xxxxx-xxxxx`, lower-case
/// letters and digits: about 52 bits each).
pub fn recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..10)
        .map(|_| {
            let mut raw = [0u8; 10];
            rand::fill(&mut raw);
            let chars: String = raw.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// A recovery code as it is compared and stored (digested): lower case, no spaces.
pub fn normalise_recovery(code: &str) -> String {
    code.trim().to_ascii_lowercase().replace(' ', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_vector() {
        // RFC 6238, appendix B: the SHA-1 secret "12345678901234567890" at 59 s gives
        // 94287082 with eight digits; six digits are its last six.
        let t = Totp::from_secret(b"12345678901234567890".to_vec());
        assert_eq!(t.code_at(59).expect("code"), "287082");
        assert_eq!(t.step_of("287082", 59).expect("step"), Some(1));
        assert_eq!(
            t.step_of("287 082", 80).expect("step"),
            Some(1),
            "the step before is still accepted"
        );
        assert_eq!(t.step_of("287082", 200).expect("step"), None);
        assert_eq!(t.step_of("abcdef", 59).expect("step"), None);
    }

    #[test]
    fn uri_and_recovery_codes() {
        let t = Totp::generate();
        let uri = t.uri("Herd provider", "ops@example.org");
        assert!(uri.starts_with("otpauth://totp/Herd%20provider:ops%40example.org?secret="), "{uri}");
        let codes = recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
    }
}
