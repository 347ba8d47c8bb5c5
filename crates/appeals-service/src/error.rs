//! The errors of the use-cases, without HTTP; the api crate maps each to one problem type.

use appeals_db::DbError;
use appeals_domain::DomainError;

/// One invalid field of a request: a JSON pointer into it and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    pub pointer: String,
    pub detail: String,
}

impl FieldIssue {
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request breaks a rule the Rules or the stored data impose (HTTP 422 with pointers).
    #[error("{} field(s) are invalid", .0.len())]
    Validation(Vec<FieldIssue>),
    /// Wrong credentials (HTTP 401).
    #[error("{0}")]
    Unauthenticated(String),
    /// Too many failed logins: the account is locked for a while (HTTP 429).
    #[error("{0}")]
    Locked(String),
    /// The caller may not take this action here (HTTP 403).
    #[error("{0}")]
    Forbidden(String),
    /// The resource does not exist, or its existence must not leak to the caller (HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// The card changed since it was read, or the change collides with stored state (HTTP 409).
    #[error("{0}")]
    Conflict(String),
    /// The card is not at the version the client named (`If-Match`, HTTP 412).
    #[error("{0}")]
    PreconditionFailed(String),
    /// A system the use-case depends on cannot be reached now; retry later (HTTP 503).
    #[error("{0}")]
    Unavailable(String),
    /// The `Idempotency-Key` came with another request before (HTTP 422).
    #[error("This Idempotency-Key was used with a different request body.")]
    IdempotencyKeyReused,
    /// An EDS signature was refused (HTTP 422; 503 when no trust anchors are configured).
    #[error(transparent)]
    Signature(#[from] crate::eds::EdsError),
    /// The Rules refuse the change (see the domain error).
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl AppError {
    /// One invalid field.
    pub fn field(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldIssue {
            pointer: pointer.into(),
            detail: detail.into(),
        }])
    }

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
