//! Errors of the persistence layer, mapped the same way for both backends.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// Bad configuration (URL, folder) — a start-up error.
    #[error("{0}")]
    Config(String),
    #[error("could not connect: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("not found")]
    NotFound,
    #[error("unique constraint violated: {0}")]
    UniqueViolation(String),
    #[error("foreign key violated: {0}")]
    ForeignKeyViolation(String),
    #[error("migration failed: {0}")]
    Migration(String),
    /// An optimistic-concurrency check failed: the row changed since it was read.
    #[error("the record was changed concurrently")]
    Stale,
    /// The stored data contradicts an invariant (e.g. an unknown role string).
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// The statement ran longer than the pool's `statement_timeout` and was cancelled.
    #[error("the statement ran out of time")]
    Timeout,
    #[error("query failed: {0}")]
    Query(DieselError),
}

impl From<DieselError> for DbError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => DbError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                DbError::UniqueViolation(info.message().to_owned())
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                DbError::ForeignKeyViolation(info.message().to_owned())
            }
            // SQLSTATE 57014 has no kind of its own in diesel; PostgreSQL says why in the message.
            DieselError::DatabaseError(_, info) if info.message().contains("statement timeout") => {
                DbError::Timeout
            }
            other => DbError::Query(other),
        }
    }
}
