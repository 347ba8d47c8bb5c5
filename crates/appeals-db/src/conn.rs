//! Connections: the `DbConn` enum over both backends, URL dispatch and the r2d2 pool.

use std::path::Path;
use std::time::Duration;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, CustomizeConnection, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;

use crate::error::DbError;

/// One connection type for both databases. Queries written against it compile once and run on
/// either backend; backend-specific SQL goes through [`per_backend!`](crate::per_backend).
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// The pool every request borrows from.
pub type DbPool = r2d2::Pool<DbConnManager>;

/// A connection borrowed from the pool (returned to it when dropped).
pub type PooledConn = r2d2::PooledConnection<DbConnManager>;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A validated `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbUrl {
    pub backend: Backend,
    /// What the driver is given: the PostgreSQL URL as is, or the SQLite file path.
    pub target: String,
}

/// The accepted forms, quoted in the start-up error.
pub const ACCEPTED_URL_FORMS: &str =
    "sqlite://PATH (e.g. sqlite://data/appeals.db), postgres://USER@HOST:PORT/DB or postgresql://…";

impl DbUrl {
    /// Parses `DATABASE_URL`. Any scheme other than `sqlite://`, `postgres://` and `postgresql://` is
    /// refused so that a typo never silently creates a SQLite file.
    pub fn parse(url: &str) -> Result<Self, DbError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(DbError::Config(format!(
                    "DATABASE_URL `sqlite://` has no file path; accepted forms: {ACCEPTED_URL_FORMS}"
                )));
            }
            return Ok(Self {
                backend: Backend::Sqlite,
                target: path.to_owned(),
            });
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self {
                backend: Backend::Postgres,
                target: url.to_owned(),
            });
        }
        let scheme = url.split("://").next().unwrap_or(url);
        Err(DbError::Config(format!(
            "DATABASE_URL scheme `{scheme}` is not supported; accepted forms: {ACCEPTED_URL_FORMS}"
        )))
    }

    /// Creates the folder of a SQLite file so that `make run` works on a fresh clone.
    pub fn prepare(&self) -> Result<(), DbError> {
        if self.backend == Backend::Sqlite
            && let Some(parent) = Path::new(&self.target).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| {
                DbError::Config(format!("cannot create folder {}: {e}", parent.display()))
            })?;
        }
        Ok(())
    }

    /// Opens one connection (CLI commands and migrations).
    pub fn establish(&self) -> Result<DbConn, DbError> {
        let mut conn = match self.backend {
            Backend::Postgres => DbConn::Pg(PgConnection::establish(&self.target)?),
            Backend::Sqlite => DbConn::Sqlite(SqliteConnection::establish(&self.target)?),
        };
        init_connection(&mut conn)?;
        Ok(conn)
    }
}

/// Per-connection settings. SQLite leaves foreign keys off by default and needs WAL plus a busy
/// timeout for several writers (several server processes may share one file).
fn init_connection(conn: &mut DbConn) -> Result<(), diesel::result::Error> {
    match conn {
        DbConn::Sqlite(c) => c.batch_execute(
            // busy_timeout first: switching to WAL itself needs the write lock.
            "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
             PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
        ),
        DbConn::Pg(c) => c.batch_execute("SET TIME ZONE 'UTC'"),
    }
}

/// r2d2 manager that dispatches on the validated URL instead of letting `MultiConnection` try each
/// backend in turn (SQLite accepts any string as a file name).
#[derive(Debug, Clone)]
pub struct DbConnManager {
    url: DbUrl,
    statement_timeout: Option<Duration>,
}

impl ManageConnection for DbConnManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        let mut conn = match self.url.backend {
            Backend::Postgres => DbConn::Pg(
                PgConnection::establish(&self.url.target).map_err(r2d2::Error::ConnectionError)?,
            ),
            Backend::Sqlite => DbConn::Sqlite(
                SqliteConnection::establish(&self.url.target)
                    .map_err(r2d2::Error::ConnectionError)?,
            ),
        };
        init_connection(&mut conn).map_err(r2d2::Error::QueryError)?;
        if let (DbConn::Pg(c), Some(limit)) = (&mut conn, self.statement_timeout) {
            // A request's statement never outlives the request: a client that gave up (or a
            // query planned badly at scale) would otherwise keep a backend busy for minutes.
            c.batch_execute(&format!("SET statement_timeout = {}", limit.as_millis()))
                .map_err(r2d2::Error::QueryError)?;
        }
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

#[derive(Debug)]
struct NoCustomization;
impl CustomizeConnection<DbConn, r2d2::Error> for NoCustomization {}

/// Builds the pool. `size` is `APPEALS_POOL_SIZE`; `statement_timeout` (PostgreSQL) ends any
/// statement of a pooled connection that runs longer (`APPEALS_DB_STATEMENT_TIMEOUT`; migrations
/// lift it for themselves, [`crate::migrate::run`]).
pub fn build_pool(
    url: &DbUrl,
    size: u32,
    statement_timeout: Option<Duration>,
) -> Result<DbPool, DbError> {
    url.prepare()?;
    r2d2::Pool::builder()
        .max_size(size.max(1))
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(NoCustomization))
        .build(DbConnManager {
            url: url.clone(),
            statement_timeout,
        })
        .map_err(|e| DbError::Config(format!("cannot open the database: {e}")))
}

/// Runs the same body once per backend with the concrete connection type, for the few statements
/// `MultiConnection` cannot express (upserts, batch inserts, vendor functions).
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::conn::DbConn::Pg($c) => $body,
            $crate::conn::DbConn::Sqlite($c) => $body,
        }
    };
}

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Pg(_) => Backend::Postgres,
            DbConn::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// SQLite writers of this process queue here before asking SQLite for its write lock: SQLite
/// makes a waiting writer sleep and retry in its busy handler, so with many writers in one process
/// the unlucky ones slept for seconds while others got in. The queue turns those sleeps into a
/// first-come wait (a fair mutex: the lock is handed to the longest waiter, so no writer is
/// overtaken again and again — that was the p99 at 32 clients); other processes still meet at
/// SQLite's own lock (`busy_timeout`).
static SQLITE_WRITERS: parking_lot::FairMutex<()> = parking_lot::const_fair_mutex(());

thread_local! {
    /// Set while this thread holds [`SQLITE_WRITERS`], so a nested `write_tx` does not wait on itself.
    static HOLDS_SQLITE_WRITERS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` in a write transaction. On SQLite the transaction first touches a lock row so the
/// write lock is taken (and waited for, up to `busy_timeout`) before anything is read; a deferred
/// transaction that reads first would fail outright when another process wrote in between.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::prelude::*;
    if conn.backend() == Backend::Sqlite && !HOLDS_SQLITE_WRITERS.get() {
        // No poisoning: a writer that panicked has had its transaction rolled back.
        let _queue = SQLITE_WRITERS.lock();
        struct Held;
        impl Drop for Held {
            fn drop(&mut self) {
                HOLDS_SQLITE_WRITERS.set(false);
            }
        }
        HOLDS_SQLITE_WRITERS.set(true);
        let _held = Held;
        return write_tx(conn, f);
    }
    conn.transaction(|conn| {
        if conn.backend() == Backend::Sqlite {
            diesel::update(crate::schema::counters::table.find("__write_lock"))
                .set(crate::schema::counters::value.eq(0))
                .execute(conn)?;
        }
        f(conn)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_schemes_are_dispatched_or_refused() {
        assert_eq!(
            DbUrl::parse("sqlite://data/a.db").unwrap().backend,
            Backend::Sqlite
        );
        assert_eq!(
            DbUrl::parse("sqlite://data/a.db").unwrap().target,
            "data/a.db"
        );
        assert_eq!(
            DbUrl::parse("postgres://u@h/d").unwrap().backend,
            Backend::Postgres
        );
        assert_eq!(
            DbUrl::parse("postgresql://u@h/d").unwrap().backend,
            Backend::Postgres
        );
        let err = DbUrl::parse("mysql://x").unwrap_err().to_string();
        assert!(err.contains("mysql") && err.contains("sqlite://") && err.contains("postgres://"));
        assert!(DbUrl::parse("data/a.db").is_err());
        assert!(DbUrl::parse("sqlite://").is_err());
    }
}
