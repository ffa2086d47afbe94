//! HTTP signatures as the fediverse speaks them (draft-cavage, `rsa-sha256` and `hs2019`
//! with RSA keys), with a body digest, as Mastodon signs and checks them. The signing string
//! is built by `http-signature-normalization`; RSA is [`crate::keys`].
//!
//! Checking a request takes two steps, because the key must be fetched in between:
//! [`check`] parses the header and checks the digest, the date and the covered headers, and
//! returns the key id to look up; [`Pending::verify`] then checks the signature with it.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http_signature_normalization::Config;
use sha2::{Digest as _, Sha256};

/// How far a request's Date may lie in the past or the future. Senders sign each attempt
/// afresh, so a generous window only has to cover clock skew; replays within it are caught by
/// the caller's memory of signatures seen.
pub const WINDOW: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("the request is not signed")]
    Missing,
    #[error("the signature header is malformed: {0}")]
    Malformed(String),
    #[error("the signature does not cover {0}")]
    Uncovered(&'static str),
    #[error("the Date header is missing or malformed")]
    BadDate,
    #[error("the request's Date is outside the accepted window")]
    Stale,
    #[error("the body does not match its Digest")]
    Digest,
    #[error("the signature's algorithm is not supported")]
    Algorithm,
    #[error("signing failed: {0}")]
    Sign(String),
}

/// `SHA-256=<base64>` of a body, as the Digest header carries it.
pub fn digest(body: &[u8]) -> String {
    format!("SHA-256={}", STANDARD.encode(Sha256::digest(body)))
}

/// The headers to send with a signed request: Date, Digest (when there is a body) and
/// Signature, covering `(request-target)`, host, date and digest.
pub fn sign(
    method: &str,
    path_and_query: &str,
    host: &str,
    body: Option<&[u8]>,
    key_id: &str,
    private_pem: &str,
    now: SystemTime,
) -> Result<Vec<(&'static str, String)>, SignatureError> {
    let date = httpdate::fmt_http_date(now);
    let mut headers = BTreeMap::new();
    headers.insert("host".to_string(), host.to_string());
    headers.insert("date".to_string(), date.clone());
    let digest = body.map(digest);
    if let Some(d) = &digest {
        headers.insert("digest".to_string(), d.clone());
    }
    let signed = Config::new()
        .mastodon_compat()
        .begin_sign(method, path_and_query, headers)
        .map_err(|e| SignatureError::Sign(e.to_string()))?
        .sign(key_id.to_string(), |s| {
            crate::keys::sign(private_pem, s.as_bytes()).map(|sig| STANDARD.encode(sig))
        })
        .map_err(|e| SignatureError::Sign(e.to_string()))?;
    let mut out = vec![("date", date)];
    if let Some(d) = digest {
        out.push(("digest", d));
    }
    out.push(("signature", signed.signature_header()));
    Ok(out)
}

/// A signature whose form, date and digest are good, waiting for its key.
#[derive(Debug)]
pub struct Pending {
    pub key_id: String,
    signing_string: String,
    signature: String,
}

impl Pending {
    /// Whether the signature is the key's.
    pub fn verify(&self, public_pem: &str) -> bool {
        let Ok(sig) = STANDARD.decode(self.signature.trim()) else {
            return false;
        };
        crate::keys::verify(public_pem, self.signing_string.as_bytes(), &sig)
    }

    /// The signature itself, for remembering which ones were seen (replays).
    pub fn signature(&self) -> &str {
        &self.signature
    }
}

/// Checks everything about a request's signature but the signature itself. `headers` are
/// the request's headers (names in any case); `body` is `None` for a GET. A POST must carry a
/// Digest that matches its body and is covered by the signature; every signature must cover
/// the request target, Host and Date, and the Date must lie within [`WINDOW`] of `now`.
pub fn check(
    method: &str,
    path_and_query: &str,
    headers: &[(String, String)],
    body: Option<&[u8]>,
    now: SystemTime,
) -> Result<Pending, SignatureError> {
    let map: BTreeMap<String, String> = headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect();
    let header = map.get("signature").ok_or(SignatureError::Missing)?;
    let covered = covered_headers(header)?;
    for (name, what) in [("(request-target)", "(request-target)"), ("host", "Host"), ("date", "Date")] {
        if !covered.iter().any(|c| c == name) {
            return Err(SignatureError::Uncovered(what));
        }
    }
    // (created) and (expires), when given, must be plausible times: the normalization crate
    // adds them to the epoch unchecked, which overflows (and panics) on absurd values.
    for name in ["created", "expires"] {
        if let Some(v) = field(header, name)
            && !v.parse::<u64>().is_ok_and(|n| n < 100_000_000_000)
        {
            return Err(SignatureError::Malformed(format!("{name} is not a time")));
        }
    }
    if let Some(alg) = field(header, "algorithm")
        && !matches!(alg.to_ascii_lowercase().as_str(), "rsa-sha256" | "hs2019")
    {
        return Err(SignatureError::Algorithm);
    }
    let date = map.get("date").ok_or(SignatureError::BadDate)?;
    let date: SystemTime = httpdate::parse_http_date(date).map_err(|_| SignatureError::BadDate)?;
    let skew = match now.duration_since(date) {
        Ok(past) => past,
        Err(e) => e.duration(),
    };
    if skew > WINDOW {
        return Err(SignatureError::Stale);
    }
    if let Some(body) = body {
        if !covered.iter().any(|c| c == "digest") {
            return Err(SignatureError::Uncovered("Digest"));
        }
        let sent = map.get("digest").ok_or(SignatureError::Digest)?;
        // A Digest may list several algorithms; the SHA-256 one must match.
        let ours = digest(body);
        let matches = sent.split(',').map(str::trim).any(|d| {
            d.split_once('=')
                .is_some_and(|(alg, v)| alg.eq_ignore_ascii_case("sha-256") && format!("SHA-256={v}") == ours)
        });
        if !matches {
            return Err(SignatureError::Digest);
        }
    }
    let unverified = Config::new()
        .mastodon_compat()
        .set_expiration(WINDOW)
        .begin_verify(method, path_and_query, map)
        .map_err(|e| SignatureError::Malformed(e.to_string()))?;
    Ok(Pending {
        key_id: unverified.key_id().to_string(),
        signing_string: unverified.signing_string().to_string(),
        signature: unverified.signature().to_string(),
    })
}

/// A quoted field of a Signature header (`name="value"`).
fn field<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(',').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        (k.trim() == name).then(|| v.trim().trim_matches('"'))
    })
}

/// The headers a signature covers; `date` alone when the field is absent (draft-cavage).
fn covered_headers(header: &str) -> Result<Vec<String>, SignatureError> {
    if field(header, "signature").is_none() || field(header, "keyId").is_none() {
        return Err(SignatureError::Malformed("keyId and signature are required".into()));
    }
    Ok(field(header, "headers")
        .unwrap_or("date")
        .split_whitespace()
        .map(|h| h.to_ascii_lowercase())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: &[u8], now: SystemTime, pem: &str) -> Vec<(String, String)> {
        let mut h: Vec<(String, String)> = sign(
            "POST",
            "/users/bob/inbox",
            "org-b.test",
            Some(body),
            "https://org-a.test/users/alice#main-key",
            pem,
            now,
        )
        .expect("signed")
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        h.push(("Host".into(), "org-b.test".into()));
        h.push(("Content-Type".into(), "application/activity+json".into()));
        h
    }

    #[test]
    fn signed_requests_verify_and_tampering_does_not() {
        let key = crate::keys::generate().expect("key");
        let other = crate::keys::generate().expect("key");
        let now = SystemTime::now();
        let body = br#"{"type":"Follow"}"#;
        let h = request(body, now, &key.private);
        let p = check("POST", "/users/bob/inbox", &h, Some(body), now).expect("checks");
        assert_eq!(p.key_id, "https://org-a.test/users/alice#main-key");
        assert!(p.verify(&key.public));
        assert!(!p.verify(&other.public), "wrong key");
        // Tampered body: the digest no longer matches.
        assert_eq!(
            check("POST", "/users/bob/inbox", &h, Some(b"{}"), now).unwrap_err(),
            SignatureError::Digest
        );
        // Another path: the signing string differs, so the signature fails.
        let p = check("POST", "/users/carol/inbox", &h, Some(body), now).expect("form is fine");
        assert!(!p.verify(&key.public));
        // Another host header.
        let mut moved = h.clone();
        for (k, v) in moved.iter_mut() {
            if k == "Host" {
                *v = "org-c.test".into();
            }
        }
        assert!(
            !check("POST", "/users/bob/inbox", &moved, Some(body), now)
                .expect("form")
                .verify(&key.public)
        );
        // Stale and future dates.
        let later = now + WINDOW + Duration::from_secs(60);
        assert_eq!(
            check("POST", "/users/bob/inbox", &h, Some(body), later).unwrap_err(),
            SignatureError::Stale
        );
        let earlier = now - WINDOW - Duration::from_secs(60);
        assert_eq!(
            check("POST", "/users/bob/inbox", &h, Some(body), earlier).unwrap_err(),
            SignatureError::Stale
        );
        // Missing headers.
        let unsigned: Vec<_> = h.iter().filter(|(k, _)| k != "signature").cloned().collect();
        assert_eq!(
            check("POST", "/users/bob/inbox", &unsigned, Some(body), now).unwrap_err(),
            SignatureError::Missing
        );
        let undated: Vec<_> = h.iter().filter(|(k, _)| k != "date").cloned().collect();
        assert_eq!(
            check("POST", "/users/bob/inbox", &undated, Some(body), now).unwrap_err(),
            SignatureError::BadDate
        );
        let undigested: Vec<_> = h.iter().filter(|(k, _)| k != "digest").cloned().collect();
        assert_eq!(
            check("POST", "/users/bob/inbox", &undigested, Some(body), now).unwrap_err(),
            SignatureError::Digest
        );
    }

    #[test]
    fn signatures_must_cover_target_host_date_and_digest() {
        let now = SystemTime::now();
        let date = httpdate::fmt_http_date(now);
        let with = |headers: &str| {
            vec![
                ("Date".to_string(), date.clone()),
                ("Host".to_string(), "org-b.test".to_string()),
                ("Digest".to_string(), digest(b"x")),
                (
                    "Signature".to_string(),
                    format!("keyId=\"k\",algorithm=\"rsa-sha256\",headers=\"{headers}\",signature=\"AAAA\""),
                ),
            ]
        };
        let err = |h: &str| check("POST", "/inbox", &with(h), Some(b"x"), now).unwrap_err();
        assert_eq!(err("host date digest"), SignatureError::Uncovered("(request-target)"));
        assert_eq!(err("(request-target) date digest"), SignatureError::Uncovered("Host"));
        assert_eq!(err("(request-target) host digest"), SignatureError::Uncovered("Date"));
        assert_eq!(err("(request-target) host date"), SignatureError::Uncovered("Digest"));
        let mut odd = with("(request-target) host date digest");
        odd[3].1 = odd[3].1.replace("rsa-sha256", "hmac-sha256");
        assert_eq!(
            check("POST", "/inbox", &odd, Some(b"x"), now).unwrap_err(),
            SignatureError::Algorithm
        );
        let mut absurd = with("(request-target) host date digest");
        absurd[3].1 = absurd[3].1.replace("signature=", "created=\"18446744073709551615\",signature=");
        assert!(matches!(
            check("POST", "/inbox", &absurd, Some(b"x"), now),
            Err(SignatureError::Malformed(_))
        ));
        let mut junk = with("(request-target) host date digest");
        junk[3].1 = "garbage".into();
        assert!(matches!(
            check("POST", "/inbox", &junk, Some(b"x"), now),
            Err(SignatureError::Malformed(_))
        ));
        // A GET needs no digest.
        assert!(check("GET", "/users/alice", &with("(request-target) host date"), None, now).is_ok());
    }
}
