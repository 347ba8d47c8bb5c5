//! The context of one use-case call: who acts, and when.

use appeals_domain::access::Role;
use chrono::{DateTime, Utc};

/// The authenticated caller: a user of one subject with its roles (from the access token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub subject_id: i64,
    pub roles: Vec<Role>,
}

/// What every use-case receives besides its command.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    /// The server's time of the action (one reading per request), never the client's.
    pub now: DateTime<Utc>,
}
