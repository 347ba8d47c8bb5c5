//! The context of one use-case call: who acts, under which grant, with which rules, and when.

use std::sync::Arc;

use appeals_domain::access::Role;
use chrono::{DateTime, Duration, NaiveDateTime, SubsecRound, Utc};

use crate::access::Grant;
use crate::config::Rules;
use crate::error::{AppError, AppResult, FieldIssue};

/// The authenticated caller: a user of one subject with its roles (from the access token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub subject_id: i64,
    pub roles: Vec<Role>,
}

/// What every use-case receives besides its command.
#[derive(Clone)]
pub struct Ctx {
    /// The caller, admitted by the guard to the route's action.
    pub grant: Grant,
    /// The configuration snapshot of the process.
    pub rules: Arc<Rules>,
    /// The server's time of the action (one reading per request), never the client's.
    pub now: DateTime<Utc>,
}

/// Tolerated clock skew of a client-supplied instant.
const FUTURE_SKEW_MINUTES: i64 = 5;

impl Ctx {
    pub fn actor(&self) -> &Actor {
        self.grant.actor()
    }

    /// The time of the action as stored: UTC, truncated to microseconds (PostgreSQL's precision),
    /// so it reads back identically on both backends.
    pub fn stored_now(&self) -> NaiveDateTime {
        self.now.naive_utc().trunc_subsecs(6)
    }

    /// An instant stated by the client (`None` = the time of the action), truncated like every
    /// stored time; one in the future (beyond a small skew) or before `not_before` is an issue at
    /// `pointer`, collected into `issues`.
    pub fn stated_instant(
        &self,
        given: Option<DateTime<Utc>>,
        pointer: &str,
        not_before: NaiveDateTime,
        issues: &mut Vec<FieldIssue>,
    ) -> NaiveDateTime {
        let now = self.stored_now();
        let Some(given) = given else {
            return now;
        };
        let t = given.naive_utc().trunc_subsecs(6);
        if t > now + Duration::minutes(FUTURE_SKEW_MINUTES) {
            issues.push(FieldIssue::new(pointer, "lies in the future"));
        } else if t < not_before {
            issues.push(FieldIssue::new(
                pointer,
                format!("precedes {}", not_before.and_utc().to_rfc3339()),
            ));
        }
        t
    }
}

/// Fails with every collected issue at once (422), or goes on.
pub fn fail_if_any(issues: Vec<FieldIssue>) -> AppResult<()> {
    if issues.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(issues))
    }
}
