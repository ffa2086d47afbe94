use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::changes::{Change, ChangeSink};
use crate::events::{Event, EventSink};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, AssertSqlSafe, ConnectOptions, Executor, Transaction};

/// The tenant (organization instance) a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(pub i64);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint said no: the thing exists already.
    #[error("already exists")]
    Conflict,
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is malformed: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Maps sqlx errors so a unique violation reads as [`StoreError::Conflict`].
    pub fn from_sqlx(e: sqlx::Error) -> StoreError {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict,
            _ => StoreError::Sql(e),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// Rewrites `?` placeholders to `$1, $2, ...` for PostgreSQL. Queries contain no `?` inside
    /// string literals (values are always bound), which this relies on.
    pub fn translate(self, sql: &str) -> String {
        match self {
            Dialect::Sqlite => sql.to_string(),
            Dialect::Postgres => {
                let mut out = String::with_capacity(sql.len() + 16);
                let mut n = 0;
                for c in sql.chars() {
                    if c == '?' {
                        n += 1;
                        out.push('$');
                        out.push_str(&n.to_string());
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }
}

/// The database: a pool plus which SQL dialect it speaks.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    dialect: Dialect,
    /// Told of the changes this process commits; set once, after the caches exist.
    sink: Arc<OnceLock<Arc<dyn ChangeSink>>>,
    /// Told of the events this process commits on SQLite (see [`crate::events`]).
    events: Arc<OnceLock<Arc<dyn EventSink>>>,
    /// SQLite has one writer at a time; this process's write transactions queue here for
    /// it, in order, instead of in SQLite's busy handler, which sleeps and retries.
    writer: Option<Arc<tokio::sync::Mutex<()>>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("dialect", &self.dialect).finish_non_exhaustive()
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connects to `sqlite://path` (created if missing) or `postgres://...`.
    pub async fn connect(url: &str, max_connections: u32) -> crate::Result<Db> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else {
            return Err(StoreError::Corrupt(format!(
                "database URL must start with sqlite: or postgres:, got {url:?}"
            )));
        };
        let url = match dialect {
            Dialect::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
            }
            _ => url.to_string(),
        };
        let opts = AnyConnectOptions::from_str(&url)?
            .log_statements(tracing::log::LevelFilter::Trace)
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_secs(2));
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(30))
            // A ping before every acquire is a round trip to the connection's thread for
            // each use on SQLite, where a connection is a file handle that cannot drop; on
            // PostgreSQL it finds connections the server or network closed.
            .test_before_acquire(dialect == Dialect::Postgres)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        // WAL lets readers run beside the one writer (and the CLI beside
                        // `herd serve`); busy_timeout makes a second writer wait, not fail.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        // Read pages through the OS cache instead of copying them into each
                        // connection's own cache.
                        conn.execute("PRAGMA mmap_size = 268435456").await?;
                        conn.execute("PRAGMA cache_size = -8192").await?;
                        // Statement journals (each multi-row insert inside a transaction
                        // keeps one) stay in memory instead of in a temporary file.
                        conn.execute("PRAGMA temp_store = MEMORY").await?;
                        // Checkpoint the WAL every 32 MiB instead of every 4: a page written
                        // many times between checkpoints is copied back once.
                        conn.execute("PRAGMA wal_autocheckpoint = 8192").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await?;
        Ok(Db {
            pool,
            dialect,
            sink: Default::default(),
            events: Default::default(),
            writer: (dialect == Dialect::Sqlite).then(Default::default),
        })
    }

    /// Where changes this process commits are reported (see [`crate::changes`]). Only the first
    /// call takes effect.
    pub fn set_change_sink(&self, sink: Arc<dyn ChangeSink>) {
        let _ = self.sink.set(sink);
    }

    /// Where events this process commits on SQLite are published (see [`crate::events`]).
    pub fn set_event_sink(&self, sink: Arc<dyn EventSink>) {
        let _ = self.events.set(sink);
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Applies pending migrations of this dialect.
    pub async fn migrate(&self) -> crate::Result<()> {
        let m = match self.dialect {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        };
        m.run(&self.pool).await?;
        Ok(())
    }

    /// Whether this database has every migration this build knows (a node of a newer
    /// release may have applied more): what `/ready` reports.
    pub async fn migrations_current(&self) -> crate::Result<bool> {
        let m = match self.dialect {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        };
        let newest = m.iter().map(|m| m.version).max().unwrap_or(0);
        let mut c = self.conn().await?;
        Ok(crate::snapshot::schema_version(&mut c).await? >= newest)
    }

    /// A connection for reads (and single-statement writes).
    pub async fn conn(&self) -> crate::Result<Conn> {
        Ok(Conn {
            inner: Inner::Pool(self.pool.acquire().await?),
            dialect: self.dialect,
            sink: self.sink.get().cloned(),
            pending: Vec::new(),
            events: self.events.get().cloned(),
            pending_events: Vec::new(),
            _turn: None,
        })
    }

    /// A write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so
    /// two writers queue on busy_timeout instead of failing when one upgrades its read lock.
    pub async fn begin(&self) -> crate::Result<Conn> {
        let turn = match &self.writer {
            Some(w) => Some(w.clone().lock_owned().await),
            None => None,
        };
        let tx = match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.pool.begin().await?,
        };
        Ok(Conn {
            inner: Inner::Tx(tx),
            dialect: self.dialect,
            sink: self.sink.get().cloned(),
            pending: Vec::new(),
            events: self.events.get().cloned(),
            pending_events: Vec::new(),
            _turn: turn,
        })
    }

    /// A read-only transaction that sees the database as of one moment while others write
    /// (a backup's snapshot): a deferred read transaction on SQLite (WAL keeps its view), a
    /// repeatable-read one on PostgreSQL. It holds no write lock.
    pub async fn snapshot(&self) -> crate::Result<Conn> {
        let tx = match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN DEFERRED").await?,
            Dialect::Postgres => self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?,
        };
        Ok(Conn {
            inner: Inner::Tx(tx),
            dialect: self.dialect,
            sink: None,
            pending: Vec::new(),
            events: None,
            pending_events: Vec::new(),
            _turn: None,
        })
    }

    pub async fn close(&self) {
        self.pool.close().await
    }

    pub fn pool_size(&self) -> u32 {
        self.pool.size()
    }
}

enum Inner {
    Pool(PoolConnection<Any>),
    Tx(Transaction<'static, Any>),
}

/// A connection, possibly inside a transaction. Repository functions take `&mut Conn`.
pub struct Conn {
    inner: Inner,
    dialect: Dialect,
    sink: Option<Arc<dyn ChangeSink>>,
    /// Changes recorded in the open transaction, reported once it commits.
    pending: Vec<(TenantId, Change)>,
    events: Option<Arc<dyn EventSink>>,
    /// Events published in the open transaction (SQLite), published once it commits.
    pending_events: Vec<Event>,
    /// This process's turn to write (SQLite), held until the transaction ends.
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

pub type Query = sqlx::query::Query<'static, Any, sqlx::any::AnyArguments>;
pub type QueryAs<T> = sqlx::query::QueryAs<'static, Any, T, sqlx::any::AnyArguments>;
pub type QueryScalar<T> = sqlx::query::QueryScalar<'static, Any, T, sqlx::any::AnyArguments>;

impl Conn {
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The connection to run a built query on.
    pub fn ex(&mut self) -> &mut AnyConnection {
        match &mut self.inner {
            Inner::Pool(c) => c,
            Inner::Tx(t) => t,
        }
    }

    pub fn q(&self, sql: &str) -> Query {
        sqlx::query(AssertSqlSafe(self.dialect.translate(sql)))
    }

    pub fn qa<T>(&self, sql: &str) -> QueryAs<T>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        sqlx::query_as(AssertSqlSafe(self.dialect.translate(sql)))
    }

    pub fn qs<T>(&self, sql: &str) -> QueryScalar<T>
    where
        (T,): for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        sqlx::query_scalar(AssertSqlSafe(self.dialect.translate(sql)))
    }

    /// Commits the transaction (a no-op for a plain connection), then reports its changes.
    pub async fn commit(self) -> crate::Result<()> {
        if let Inner::Tx(t) = self.inner {
            t.commit().await?;
        }
        if let Some(sink) = &self.sink
            && !self.pending.is_empty()
        {
            sink.apply(&self.pending);
        }
        if let Some(sink) = &self.events
            && !self.pending_events.is_empty()
        {
            sink.publish(&self.pending_events);
        }
        Ok(())
    }

    /// An event was published on this connection (SQLite): now outside a transaction, at
    /// commit inside one.
    pub(crate) fn event(&mut self, e: Event) {
        match (&self.inner, &self.events) {
            (_, None) => {}
            (Inner::Pool(_), Some(sink)) => sink.publish(&[e]),
            (Inner::Tx(_), Some(_)) => self.pending_events.push(e),
        }
    }

    /// A change was logged on this connection: reported now outside a transaction, at commit
    /// inside one (and never, if it rolls back).
    pub(crate) fn changed(&mut self, t: TenantId, change: Change) {
        match (&self.inner, &self.sink) {
            (_, None) => {}
            (Inner::Pool(_), Some(sink)) => sink.apply(&[(t, change)]),
            (Inner::Tx(_), Some(_)) => self.pending.push((t, change)),
        }
    }
}

/// `?, ?, ?` for an `IN (...)` list of `n` items (at least one, so the SQL stays valid).
pub fn placeholders(n: usize) -> String {
    vec!["?"; n.max(1)].join(", ")
}

/// `(?, ?), (?, ?)` for a multi-row `VALUES` of `rows` rows of `cols` columns.
pub fn value_rows(rows: usize, cols: usize) -> String {
    let one = format!("({})", placeholders(cols));
    vec![one.as_str(); rows.max(1)].join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates() {
        assert_eq!(Dialect::Postgres.translate("a = ? AND b IN (?, ?)"), "a = $1 AND b IN ($2, $3)");
        assert_eq!(Dialect::Sqlite.translate("a = ?"), "a = ?");
    }
}
