//! The one error type of the domain crate.

/// A rule of the domain was violated. Every variant names what was wrong so that the API layer can
/// render it as an RFC 9457 problem without guessing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// An input value does not satisfy its rule (`field` is a JSON-pointer-like path).
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// A command is not allowed in the current state of a card.
    #[error("command `{command}` is not allowed in state `{state}`")]
    InvalidTransition { state: String, command: String },
    /// A business conflict (e.g. a part is still open).
    #[error("{0}")]
    Conflict(String),
}

impl DomainError {
    /// Shorthand for [`DomainError::Invalid`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
