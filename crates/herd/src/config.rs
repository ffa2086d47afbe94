//! One typed configuration, layered: built-in defaults, then a TOML file (`--config` or
//! `HERD_CONFIG`), then `HERD_*` environment variables, then command-line flags. Errors name
//! the key and where its value came from.

use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The keys of [`Config`], as read from `HERD_<KEY>` variables.
const KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "database_url",
    "public_scheme",
    "workers",
    "db_max_connections",
    "trust_forwarded_for",
    "allow_private_addresses",
    "resolve",
    "rate_limit_exempt",
    "rate_limit_api",
    "rate_limit_api_account",
    "rate_limit_media",
    "rate_limit_deletes",
    "rate_limit_statuses",
    "rate_limit_follows",
    "rate_limit_sign_up",
    "rate_limit_apps",
    "rate_limit_sign_in",
    "rate_limit_sign_in_name",
    "admin_domain",
    "secret_key",
    "backup_dir",
    "backup_recipient",
    "backup_identity",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to listen on (`HERD_LISTEN`).
    pub listen: String,
    /// Where the embedded database and media files live (`HERD_DATA_DIR`).
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...` (`HERD_DATABASE_URL`); default: SQLite in the data
    /// directory.
    pub database_url: Option<String>,
    /// Scheme of every URL Herd generates (`HERD_PUBLIC_SCHEME`): `https`, or `http` for local
    /// testing.
    pub public_scheme: String,
    /// Background job workers per node (`HERD_WORKERS`).
    pub workers: usize,
    /// Database connections per node (`HERD_DB_MAX_CONNECTIONS`).
    pub db_max_connections: u32,
    /// Set when a reverse proxy in front of Herd appends the client's address to
    /// `X-Forwarded-For` (`HERD_TRUST_FORWARDED_FOR`); rate limits then see real clients.
    pub trust_forwarded_for: bool,
    /// Lets requests to other servers reach private, loopback and link-local addresses
    /// (`HERD_ALLOW_PRIVATE_ADDRESSES`): for local testing and split-horizon networks only.
    pub allow_private_addresses: bool,
    /// Where requests to given hosts go (`HERD_RESOLVE`): comma-separated `host:port=ip:port`,
    /// as curl's `--resolve`; the port is the URL's, so both sides name the same one.
    pub resolve: String,
    /// Networks no rate limit applies to (`HERD_RATE_LIMIT_EXEMPT`): comma-separated CIDR
    /// ranges, as `10.0.0.0/8,fd00::/8`; none by default.
    pub rate_limit_exempt: String,
    /// Rate limits, each `requests/period` (`300/5m`; s, m, h, d) or `off`; Mastodon's by
    /// default (`HERD_RATE_LIMIT_<NAME>`; see README).
    pub rate_limit_api: String,
    pub rate_limit_api_account: String,
    pub rate_limit_media: String,
    pub rate_limit_deletes: String,
    pub rate_limit_statuses: String,
    pub rate_limit_follows: String,
    pub rate_limit_sign_up: String,
    pub rate_limit_apps: String,
    pub rate_limit_sign_in: String,
    pub rate_limit_sign_in_name: String,
    /// The domain the provider's staff sign in on and the provider API answers at
    /// (`HERD_ADMIN_DOMAIN`, e.g. `admin.provider.example`); none: no provider console.
    pub admin_domain: Option<String>,
    /// 64 hex digits (`HERD_SECRET_KEY`) sealing secrets the server reads back (two-factor
    /// secrets); all nodes need the same. Unset: a key made once in the data directory
    /// (`secret.key`), for one node.
    pub secret_key: Option<String>,
    /// Where backups are written (`HERD_BACKUP_DIR`); default: `backups` in the data directory.
    pub backup_dir: Option<PathBuf>,
    /// The age public key backups are encrypted to (`HERD_BACKUP_RECIPIENT`, `age1pq1...` or
    /// `age1...`); default: the backup identity's. Set it, and keep the identity elsewhere, to
    /// make backups that this server cannot read back (they are then not verified here).
    pub backup_recipient: Option<String>,
    /// The age identity file backups are verified and restored with (`HERD_BACKUP_IDENTITY`);
    /// default: `backup-identity.txt` in the data directory, made on first use.
    pub backup_identity: Option<PathBuf>,
}

impl Config {
    /// Where backups go and which key protects them.
    pub fn backups(&self) -> herd_backup::BackupConfig {
        herd_backup::BackupConfig {
            dir: self.backup_dir.clone().unwrap_or_else(|| self.data_dir.join("backups")),
            recipient: self.backup_recipient.clone().filter(|r| !r.trim().is_empty()),
            identity: self
                .backup_identity
                .clone()
                .unwrap_or_else(|| self.data_dir.join("backup-identity.txt")),
        }
    }

    /// The key that seals secrets: `secret_key`, or the data directory's `secret.key`
    /// (made on first use, readable by the owner only).
    pub fn seal_key(&self) -> anyhow::Result<[u8; 32]> {
        let parse = |s: &str| -> Option<[u8; 32]> { hex::decode(s.trim()).ok()?.try_into().ok() };
        if let Some(k) = &self.secret_key {
            return parse(k).ok_or_else(|| ConfigError::SecretKey.into());
        }
        let path = self.data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(s) => parse(&s).ok_or_else(|| anyhow::anyhow!("{} does not hold 64 hex digits", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key: [u8; 32] = rand::random();
                use std::io::Write;
                use std::os::unix::fs::OpenOptionsExt;
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&path)
                    .map_err(|e| anyhow::anyhow!("creating {}: {e}", path.display()))?;
                f.write_all(hex::encode(key).as_bytes())?;
                f.sync_all()?;
                Ok(key)
            }
            Err(e) => Err(anyhow::anyhow!("reading {}: {e}", path.display())),
        }
    }

    /// The admin domain, parsed.
    pub fn admin_domain(&self) -> Result<Option<herd_core::Domain>, ConfigError> {
        self.admin_domain
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .map(|d| herd_core::Domain::parse(d).map_err(|e| ConfigError::AdminDomain(e.to_string())))
            .transpose()
    }

    /// The `resolve` overrides, parsed.
    pub fn resolve_overrides(&self) -> Result<std::collections::HashMap<String, std::net::SocketAddr>, ConfigError> {
        herd_federation::fetch::Guard::parse_overrides(&self.resolve).map_err(ConfigError::Resolve)
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./herd-data"),
            database_url: None,
            public_scheme: "https".into(),
            workers: 2,
            db_max_connections: 16,
            trust_forwarded_for: false,
            allow_private_addresses: false,
            resolve: String::new(),
            rate_limit_exempt: String::new(),
            rate_limit_api: "300/5m".into(),
            rate_limit_api_account: "1500/5m".into(),
            rate_limit_media: "30/30m".into(),
            rate_limit_deletes: "30/30m".into(),
            rate_limit_statuses: "300/3h".into(),
            rate_limit_follows: "400/1d".into(),
            rate_limit_sign_up: "5/30m".into(),
            rate_limit_apps: "5/10m".into(),
            rate_limit_sign_in: "25/5m".into(),
            rate_limit_sign_in_name: "25/1h".into(),
            admin_domain: None,
            secret_key: None,
            backup_dir: None,
            backup_recipient: None,
            backup_identity: None,
        }
    }
}

/// Flags that override everything else.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Figment(#[from] Box<figment::Error>),
    #[error("configuration: public_scheme (HERD_PUBLIC_SCHEME) must be \"https\" or \"http\", not {0:?}")]
    Scheme(String),
    #[error("configuration: database_url (HERD_DATABASE_URL) must start with sqlite: or postgres:, not {0:?}")]
    Database(String),
    #[error("configuration: resolve (HERD_RESOLVE): {0}")]
    Resolve(String),
    #[error("configuration: workers must be at least 1")]
    Workers,
    #[error("configuration: secret_key (HERD_SECRET_KEY) must be 64 hex digits")]
    SecretKey,
    #[error("configuration: admin_domain (HERD_ADMIN_DOMAIN): {0}")]
    AdminDomain(String),
    #[error("configuration: {key} (HERD_{env}): {why}")]
    RateLimit { key: &'static str, env: String, why: String },
}

impl Config {
    pub fn load(file: Option<PathBuf>, overrides: Overrides) -> Result<Config, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(f) = file.or_else(|| std::env::var_os("HERD_CONFIG").map(PathBuf::from)) {
            fig = fig.merge(Toml::file_exact(f));
        }
        let cfg: Config = fig
            // Only the settings' own variables: other HERD_* variables (HERD_LOG, test
            // harness settings) are not configuration. A typo in a file is still an error.
            .merge(Env::prefixed("HERD_").only(KEYS))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(Box::new)?;
        cfg.validate()
    }

    fn validate(self) -> Result<Config, ConfigError> {
        if self.public_scheme != "https" && self.public_scheme != "http" {
            return Err(ConfigError::Scheme(self.public_scheme));
        }
        if let Some(u) = &self.database_url
            && !(u.starts_with("sqlite:") || u.starts_with("postgres:") || u.starts_with("postgresql:"))
        {
            return Err(ConfigError::Database(u.clone()));
        }
        if self.workers == 0 {
            return Err(ConfigError::Workers);
        }
        self.resolve_overrides()?;
        self.rate_limits()?;
        Ok(self)
    }

    /// The rate limits, parsed.
    pub fn rate_limits(&self) -> Result<herd_api::RateLimits, ConfigError> {
        let err = |key: &'static str, why: String| ConfigError::RateLimit {
            key,
            env: key.to_ascii_uppercase(),
            why,
        };
        let rate = |key: &'static str, v: &str| herd_api::Rate::parse(v).map_err(|why| err(key, why));
        Ok(herd_api::RateLimits {
            api: rate("rate_limit_api", &self.rate_limit_api)?,
            api_account: rate("rate_limit_api_account", &self.rate_limit_api_account)?,
            media: rate("rate_limit_media", &self.rate_limit_media)?,
            deletes: rate("rate_limit_deletes", &self.rate_limit_deletes)?,
            statuses: rate("rate_limit_statuses", &self.rate_limit_statuses)?,
            follows: rate("rate_limit_follows", &self.rate_limit_follows)?,
            sign_up: rate("rate_limit_sign_up", &self.rate_limit_sign_up)?,
            apps: rate("rate_limit_apps", &self.rate_limit_apps)?,
            sign_in: rate("rate_limit_sign_in", &self.rate_limit_sign_in)?,
            sign_in_name: rate("rate_limit_sign_in_name", &self.rate_limit_sign_in_name)?,
            exempt: herd_api::Cidr::parse_list(&self.rate_limit_exempt).map_err(|why| err("rate_limit_exempt", why))?,
        })
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("herd.db").display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail's own error type
    fn layers_and_errors() {
        figment::Jail::expect_with(|jail| {
            let example =
                std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../herd.example.toml")).map_err(|e| e.to_string())?;
            jail.create_file("herd.toml", &example)?;
            // The example file is valid and gives the defaults.
            let c = Config::load(Some("herd.toml".into()), Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(c.listen, "127.0.0.1:8080");
            assert_eq!(c.database_url(), "sqlite://./herd-data/herd.db");
            // Environment beats the file; flags beat the environment.
            jail.set_env("HERD_LISTEN", "0.0.0.0:9000");
            jail.set_env("HERD_PUBLIC_SCHEME", "http");
            let c = Config::load(Some("herd.toml".into()), Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!((c.listen.as_str(), c.public_scheme.as_str()), ("0.0.0.0:9000", "http"));
            let c = Config::load(
                None,
                Overrides {
                    listen: Some("127.0.0.1:1".into()),
                    data_dir: None,
                },
            )
            .map_err(|e| e.to_string())?;
            assert_eq!(c.listen, "127.0.0.1:1");
            // Errors name the key and where the value came from.
            jail.set_env("HERD_WORKERS", "many");
            let e = Config::load(None, Overrides::default()).unwrap_err().to_string();
            assert!(e.contains("WORKERS") && e.contains("HERD_") && e.contains("many"), "{e}");
            jail.set_env("HERD_WORKERS", "2");
            // Rate limits: Mastodon's by default, set per key, errors naming the key.
            let limits = Config::load(None, Overrides::default())
                .map_err(|e| e.to_string())?
                .rate_limits()
                .map_err(|e| e.to_string())?;
            assert_eq!((limits.api.limit, limits.api.period.as_secs()), (300, 300));
            assert!(limits.exempt.is_empty());
            jail.set_env("HERD_RATE_LIMIT_EXEMPT", "10.0.0.0/8,fd00::/8");
            jail.set_env("HERD_RATE_LIMIT_SIGN_UP", "off");
            let limits = Config::load(None, Overrides::default())
                .map_err(|e| e.to_string())?
                .rate_limits()
                .map_err(|e| e.to_string())?;
            assert!(limits.sign_up.is_off() && limits.exempt.len() == 2);
            jail.set_env("HERD_RATE_LIMIT_EXEMPT", "10.0.0.0/99");
            let e = Config::load(None, Overrides::default()).unwrap_err().to_string();
            assert!(
                e.contains("rate_limit_exempt") && e.contains("HERD_RATE_LIMIT_EXEMPT") && e.contains("10.0.0.0/99"),
                "{e}"
            );
            jail.set_env("HERD_RATE_LIMIT_EXEMPT", "");
            jail.set_env("HERD_RATE_LIMIT_MEDIA", "lots");
            let e = Config::load(None, Overrides::default()).unwrap_err().to_string();
            assert!(e.contains("HERD_RATE_LIMIT_MEDIA") && e.contains("lots"), "{e}");
            jail.set_env("HERD_RATE_LIMIT_MEDIA", "30/30m");
            jail.create_file("typo.toml", "listn = \"x\"")?;
            let e = Config::load(Some("typo.toml".into()), Overrides::default())
                .unwrap_err()
                .to_string();
            assert!(e.contains("listn"), "{e}");
            jail.set_env("HERD_LOG", "debug");
            jail.set_env("HERD_TEST_DATABASE_URL", "postgres://x");
            Config::load(None, Overrides::default()).map_err(|e| e.to_string())?;
            jail.set_env("HERD_DATABASE_URL", "mysql://x");
            let e = Config::load(None, Overrides::default()).unwrap_err().to_string();
            assert!(e.contains("HERD_DATABASE_URL"), "{e}");
            jail.set_env("HERD_DATABASE_URL", "sqlite://x.db");
            jail.set_env("HERD_ALLOW_PRIVATE_ADDRESSES", "true");
            jail.set_env("HERD_RESOLVE", "org-b.test:8081=127.0.0.1:8081");
            let c = Config::load(None, Overrides::default()).map_err(|e| e.to_string())?;
            assert!(c.allow_private_addresses);
            assert_eq!(c.resolve_overrides().map_err(|e| e.to_string())?.len(), 1);
            jail.set_env("HERD_RESOLVE", "org-b.test=127.0.0.1");
            let e = Config::load(None, Overrides::default()).unwrap_err().to_string();
            assert!(e.contains("HERD_RESOLVE") && e.contains("org-b.test"), "{e}");
            Ok(())
        });
    }
}
