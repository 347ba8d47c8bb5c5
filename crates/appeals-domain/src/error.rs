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
    /// A rule of the Rules or of a configured policy refuses the action; `detail` names the rule.
    #[error("{detail}")]
    Refused { refusal: Refusal, detail: String },
}

/// Which rule family refused an action (each is a stable problem type of the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// p.23 of the Instruction: the card may not be sent down (issue 21 point 2).
    Routing,
    /// R15, p.15 of the Instruction: no decision on the merits of an anonymous appeal.
    AnonymousNotConsidered,
    /// p.54 of the Instruction: the stated signer has no authority for this answer.
    SigningAuthority,
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
