//! The errors of the use-cases, without HTTP; the api crate maps each to one problem type.

use appeals_db::DbError;
use appeals_domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The caller may not take this action here (HTTP 403).
    #[error("{0}")]
    Forbidden(String),
    /// The resource does not exist, or its existence must not leak to the caller (HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// The card changed since it was read, or the change collides with stored state (HTTP 409).
    #[error("{0}")]
    Conflict(String),
    /// The `Idempotency-Key` came with another request before (HTTP 422).
    #[error("This Idempotency-Key was used with a different request body.")]
    IdempotencyKeyReused,
    /// The Rules refuse the change (see the domain error).
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl AppError {
    /// Stored data that cannot be read back (an internal error).
    pub fn corrupt(detail: impl Into<String>) -> Self {
        AppError::Db(DbError::Corrupt(detail.into()))
    }
}

/// For `write_tx`: a failed statement inside the transaction.
impl From<appeals_db::diesel_error::Error> for AppError {
    fn from(e: appeals_db::diesel_error::Error) -> Self {
        AppError::Db(e.into())
    }
}

pub type AppResult<T> = Result<T, AppError>;
