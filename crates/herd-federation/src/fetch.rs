//! The one way Herd talks to other servers: an HTTP client that refuses private, loopback,
//! link-local and other non-public addresses (checked after DNS resolution, on IP literals and
//! on every redirect), with timeouts and size limits. HTTPS trusts the operating system's
//! certificate store, so an operator (or a test) can add a private CA.
//!
//! Two settings loosen it for local testing and split-horizon networks: `allow_private`
//! (`HERD_ALLOW_PRIVATE_ADDRESSES`) and `overrides` (`HERD_RESOLVE`, `host:port=ip:port`, as
//! curl's `--resolve`).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

/// The largest ActivityPub or WebFinger document read.
pub const MAX_DOCUMENT: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("refused: {0} is not a public address")]
    Private(String),
    #[error("not an http(s) URL: {0}")]
    BadUrl(String),
    #[error("{0} answered {1}")]
    Status(String, u16),
    #[error("the answer from {0} is larger than {1} bytes")]
    TooLarge(String, usize),
    #[error("the answer from {0} is not valid JSON")]
    NotJson(String),
    #[error("request to {0} failed: {1}")]
    Http(String, String),
}

/// Whether an address is on the public internet (not private, loopback, link-local, shared,
/// multicast, documentation or otherwise reserved).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return public_v4(v4);
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64: embeds IPv4
                || s[0] == 0x2002 // 6to4: embeds IPv4
                || (s[0] == 0x2001 && s[1] == 0) // Teredo
                || (s[0] == 0x0100 && s[1] == 0 && s[2] == 0 && s[3] == 0) // discard
                || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1))
        }
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_unspecified()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // shared address space (CGNAT)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking
        || o[0] >= 240) // reserved
}

/// Which addresses outbound requests may reach.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    pub allow_private: bool,
    /// Host name (lower case) to the address its requests go to.
    pub overrides: HashMap<String, SocketAddr>,
}

impl Guard {
    /// Parses `HERD_RESOLVE`: comma-separated `host:port=ip:port`. As with curl, the port
    /// stays the URL's, so both sides must name the same one.
    pub fn parse_overrides(s: &str) -> Result<HashMap<String, SocketAddr>, String> {
        let mut out = HashMap::new();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (from, to) = item.split_once('=').ok_or_else(|| format!("{item:?} is not host:port=ip:port"))?;
            let (host, port) = from.rsplit_once(':').ok_or_else(|| format!("{from:?} has no port"))?;
            let port: u16 = port.parse().map_err(|_| format!("{from:?} has no valid port"))?;
            let addr: SocketAddr = to.parse().map_err(|_| format!("{to:?} is not ip:port"))?;
            if addr.port() != port {
                return Err(format!("{item:?}: the port must be the same on both sides"));
            }
            if host.is_empty() {
                return Err(format!("{item:?} has no host"));
            }
            out.insert(host.to_ascii_lowercase(), addr);
        }
        Ok(out)
    }

    fn allows(&self, ip: IpAddr) -> bool {
        self.allow_private || is_public(ip)
    }

    /// Refuses a URL that is not http(s) or names a non-public IP literally.
    pub fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::BadUrl(url.to_string()));
        }
        match url.host() {
            Some(url::Host::Ipv4(ip)) if !self.allows(IpAddr::V4(ip)) => Err(FetchError::Private(ip.to_string())),
            Some(url::Host::Ipv6(ip)) if !self.allows(IpAddr::V6(ip)) => Err(FetchError::Private(ip.to_string())),
            Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") && !self.allow_private => {
                Err(FetchError::Private(d.to_string()))
            }
            Some(_) => Ok(()),
            None => Err(FetchError::BadUrl(url.to_string())),
        }
    }
}

/// Resolves through the overrides or the system, then drops what the guard refuses.
struct GuardedResolver(Arc<Guard>);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.0.clone();
        Box::pin(async move {
            let host = name.as_str().to_ascii_lowercase();
            let found: Vec<SocketAddr> = match guard.overrides.get(&host) {
                Some(a) => vec![*a],
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            let allowed: Vec<SocketAddr> = found.iter().copied().filter(|a| guard.allows(a.ip())).collect();
            if allowed.is_empty() {
                let shown = found.first().map(|a| a.ip().to_string()).unwrap_or(host);
                return Err(Box::new(FetchError::Private(shown)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The outbound HTTP client.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    /// The same, following no redirect (OAuth and OpenID Connect exchanges, RFC 6749 §10.6).
    direct: reqwest::Client,
    guard: Arc<Guard>,
}

impl Client {
    pub fn new(guard: Guard, user_agent: &str) -> Result<Client, FetchError> {
        let guard = Arc::new(guard);
        let g = guard.clone();
        let base = || {
            reqwest::Client::builder()
                .user_agent(user_agent)
                .no_proxy()
                .connect_timeout(Duration::from_secs(10))
                .timeout(Duration::from_secs(30))
                .dns_resolver(Arc::new(GuardedResolver(guard.clone())))
        };
        let direct = base()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| FetchError::Http("client".into(), e.to_string()))?;
        let http = base()
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= 5 {
                    let url = attempt.url().to_string();
                    return attempt.error(FetchError::Http(url, "too many redirects".into()));
                }
                match g.check_url(attempt.url()) {
                    Ok(()) => attempt.follow(),
                    Err(e) => attempt.error(e),
                }
            }))
            .build()
            .map_err(|e| FetchError::Http("client".into(), e.to_string()))?;
        Ok(Client { http, direct, guard })
    }

    /// GETs a JSON document (`accept` names the media type wanted), refusing non-public
    /// addresses, bodies over [`MAX_DOCUMENT`] and anything but a 2xx answer.
    pub async fn get_json(&self, url: &str, accept: &str) -> Result<serde_json::Value, FetchError> {
        self.get_json_with(url, accept, &[]).await
    }

    async fn get_json_with(&self, url: &str, accept: &str, headers: &[(&'static str, String)]) -> Result<serde_json::Value, FetchError> {
        let parsed = Url::parse(url).map_err(|_| FetchError::BadUrl(url.to_string()))?;
        self.guard.check_url(&parsed)?;
        let mut rb = self.http.get(parsed).header(reqwest::header::ACCEPT, accept);
        for (k, v) in headers {
            rb = rb.header(*k, v);
        }
        let mut resp = rb.send().await.map_err(|e| error(url, e))?;
        if !resp.status().is_success() {
            return Err(FetchError::Status(url.to_string(), resp.status().as_u16()));
        }
        if resp.content_length().is_some_and(|n| n as usize > MAX_DOCUMENT) {
            return Err(FetchError::TooLarge(url.to_string(), MAX_DOCUMENT));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| error(url, e))? {
            if body.len() + chunk.len() > MAX_DOCUMENT {
                return Err(FetchError::TooLarge(url.to_string(), MAX_DOCUMENT));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|_| FetchError::NotJson(url.to_string()))
    }
}

impl Client {
    /// POSTs `body` with the given headers (a signature's Date, Digest and Signature); the
    /// answer's status. Refuses what [`Client::get_json`] refuses.
    pub async fn post(&self, url: &str, headers: &[(&'static str, String)], content_type: &str, body: Vec<u8>) -> Result<u16, FetchError> {
        let parsed = Url::parse(url).map_err(|_| FetchError::BadUrl(url.to_string()))?;
        self.guard.check_url(&parsed)?;
        let mut rb = self
            .http
            .post(parsed)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        for (k, v) in headers {
            rb = rb.header(*k, v);
        }
        let resp = rb.send().await.map_err(|e| error(url, e))?;
        Ok(resp.status().as_u16())
    }

    /// GETs a document with a signature by `key_id` (for servers that require signed fetches).
    pub async fn get_json_signed(&self, url: &str, accept: &str, key_id: &str, private_pem: &str) -> Result<serde_json::Value, FetchError> {
        let parsed = Url::parse(url).map_err(|_| FetchError::BadUrl(url.to_string()))?;
        let host = host_header(&parsed);
        let path = match parsed.query() {
            Some(q) => format!("{}?{q}", parsed.path()),
            None => parsed.path().to_string(),
        };
        let headers = crate::signatures::sign("GET", &path, &host, None, key_id, private_pem, std::time::SystemTime::now())
            .map_err(|e| FetchError::Http(url.to_string(), e.to_string()))?;
        self.get_json_with(url, accept, &headers).await
    }
}

impl Client {
    /// GETs a file of at most `limit` bytes (a remote image), refusing what
    /// [`Client::get_json`] refuses.
    pub async fn get_bytes(&self, url: &str, limit: usize) -> Result<Vec<u8>, FetchError> {
        let mut body = Vec::new();
        self.download(url, limit, DOWNLOAD_TIME, &mut body).await?;
        Ok(body)
    }

    /// GETs a file of at most `limit` bytes into `out` as it arrives (a remote video, which
    /// must not sit in memory whole), allowing `time` for all of it; the bytes written.
    /// Refuses what [`Client::get_json`] refuses.
    pub async fn download<W>(&self, url: &str, limit: usize, time: Duration, out: &mut W) -> Result<usize, FetchError>
    where
        W: tokio::io::AsyncWrite + Unpin,
    {
        use tokio::io::AsyncWriteExt;
        let parsed = Url::parse(url).map_err(|_| FetchError::BadUrl(url.to_string()))?;
        self.guard.check_url(&parsed)?;
        let mut resp = self.http.get(parsed).timeout(time).send().await.map_err(|e| error(url, e))?;
        if !resp.status().is_success() {
            return Err(FetchError::Status(url.to_string(), resp.status().as_u16()));
        }
        if resp.content_length().is_some_and(|n| n as usize > limit) {
            return Err(FetchError::TooLarge(url.to_string(), limit));
        }
        let mut written = 0;
        while let Some(chunk) = resp.chunk().await.map_err(|e| error(url, e))? {
            if written + chunk.len() > limit {
                return Err(FetchError::TooLarge(url.to_string(), limit));
            }
            out.write_all(&chunk)
                .await
                .map_err(|e| FetchError::Http(url.to_string(), format!("storing the file: {e}")))?;
            written += chunk.len();
        }
        out.flush()
            .await
            .map_err(|e| FetchError::Http(url.to_string(), format!("storing the file: {e}")))?;
        Ok(written)
    }
}

impl Client {
    /// Sends a request as it is and returns the answer as it is (status, headers, a body of
    /// at most [`MAX_DOCUMENT`]), following no redirect: the HTTP under an OpenID Connect
    /// client. Refuses what [`Client::get_json`] refuses.
    pub async fn exchange(&self, req: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, FetchError> {
        let url = req.uri().to_string();
        let parsed = Url::parse(&url).map_err(|_| FetchError::BadUrl(url.clone()))?;
        self.guard.check_url(&parsed)?;
        let (parts, body) = req.into_parts();
        let mut resp = self
            .direct
            .request(parts.method, parsed)
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .map_err(|e| error(&url, e))?;
        if resp.content_length().is_some_and(|n| n as usize > MAX_DOCUMENT) {
            return Err(FetchError::TooLarge(url, MAX_DOCUMENT));
        }
        let mut out = http::Response::builder().status(resp.status());
        if let Some(h) = out.headers_mut() {
            *h = resp.headers().clone();
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| error(&url, e))? {
            if body.len() + chunk.len() > MAX_DOCUMENT {
                return Err(FetchError::TooLarge(url, MAX_DOCUMENT));
            }
            body.extend_from_slice(&chunk);
        }
        out.body(body).map_err(|e| FetchError::Http(url, e.to_string()))
    }
}

/// The time allowed for a remote image, as for any other request.
const DOWNLOAD_TIME: Duration = Duration::from_secs(30);

/// The Host header for a URL: its host, with its port when it is not the scheme's default.
pub fn host_header(u: &Url) -> String {
    match (u.host_str(), u.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => String::new(),
    }
}

/// A transport error, naming the refusal when the guard caused it.
fn error(url: &str, e: reqwest::Error) -> FetchError {
    let mut source: Option<&dyn std::error::Error> = Some(&e);
    while let Some(s) = source {
        if let Some(FetchError::Private(ip)) = s.downcast_ref::<FetchError>() {
            return FetchError::Private(ip.clone());
        }
        source = s.source();
    }
    FetchError::Http(url.to_string(), e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_private_addresses() {
        for ip in ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "2a00:1450::1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn overrides_parse_like_curls() {
        let o = Guard::parse_overrides("org-b.test:8081=127.0.0.1:8081, Org-C.test:443=[::1]:443").unwrap();
        assert_eq!(o["org-b.test"], "127.0.0.1:8081".parse().unwrap());
        assert_eq!(o["org-c.test"], "[::1]:443".parse().unwrap());
        assert!(Guard::parse_overrides("").unwrap().is_empty());
        for bad in [
            "org-b.test=127.0.0.1:1",
            "org-b.test:1=127.0.0.1",
            "org-b.test:1=127.0.0.1:2",
            ":1=127.0.0.1:1",
            "x",
        ] {
            assert!(Guard::parse_overrides(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_naming_private_addresses_are_refused() {
        let g = Guard::default();
        for u in [
            "http://127.0.0.1/",
            "http://[::1]:8080/",
            "https://localhost/x",
            "http://169.254.169.254/latest",
            "ftp://example.org/",
        ] {
            assert!(g.check_url(&Url::parse(u).unwrap()).is_err(), "{u}");
        }
        assert!(g.check_url(&Url::parse("https://example.org/users/a").unwrap()).is_ok());
        let open = Guard {
            allow_private: true,
            ..Guard::default()
        };
        assert!(open.check_url(&Url::parse("http://127.0.0.1/").unwrap()).is_ok());
    }

    #[tokio::test]
    async fn names_resolving_to_private_addresses_are_refused_before_connecting() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let overrides = Guard::parse_overrides(&format!("inside.test:{port}=127.0.0.1:{port}")).expect("overrides");
        let closed = Client::new(
            Guard {
                allow_private: false,
                overrides: overrides.clone(),
            },
            "test",
        )
        .expect("client");
        let url = format!("http://inside.test:{port}/x");
        match closed.get_json(&url, "application/json").await {
            Err(FetchError::Private(ip)) => assert_eq!(ip, "127.0.0.1"),
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(matches!(
            closed.get_json(&format!("http://localhost:{port}/"), "application/json").await,
            Err(FetchError::Private(_))
        ));
        // Allowed, it connects (and this listener answers nothing useful).
        let open = Client::new(
            Guard {
                allow_private: true,
                overrides,
            },
            "test",
        )
        .expect("client");
        let server = tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            if let Ok((mut s, _)) = listener.accept().await {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\n{\"a\": true}").await;
            }
        });
        assert_eq!(
            open.get_json(&url, "application/json").await.expect("fetched"),
            serde_json::json!({"a": true})
        );
        server.abort();
    }
}
