//! Opening the store: the connection pool, the migrations and the health of the database, for the
//! binary's start-up, its console commands and its health check.

pub use appeals_db::{Backend, DbConn, DbError, DbPool, DbUrl, PooledConn, build_pool, now_utc};

use crate::error::AppResult;

/// Applies the pending migrations of the connection's backend; returns how many ran.
pub fn migrate(conn: &mut DbConn) -> Result<usize, DbError> {
    appeals_db::migrate::run(conn)
}

/// Whether every migration of this build has been applied.
pub fn is_up_to_date(conn: &mut DbConn) -> AppResult<bool> {
    Ok(appeals_db::migrate::is_up_to_date(conn)?)
}

/// A pooled connection (503 when the pool is exhausted or the database unreachable).
pub fn connection(pool: &DbPool) -> Result<PooledConn, DbError> {
    pool.get().map_err(DbError::from)
}
