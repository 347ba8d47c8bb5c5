//! Persistence for appeals: one diesel schema over SQLite (embedded default) and PostgreSQL
//! (production), selected at run time by the `DATABASE_URL` scheme.
//!
//! Repository functions take `&mut DbConn`, so they run on a pooled connection or inside a caller's
//! transaction alike.

pub mod conn;
pub mod error;
pub mod migrate;
pub mod repo;
pub mod rows;
pub mod schema;
pub mod union;

pub use conn::{Backend, DbConn, DbPool, DbUrl, PooledConn, build_pool, write_tx};
/// diesel's error type, for callers that run transactions through [`write_tx`].
pub use diesel::result as diesel_error;
pub use error::DbError;

/// Current time as stored: UTC, truncated to microseconds (PostgreSQL's precision) so that a value
/// reads back identically on both backends.
pub fn now_utc() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}
