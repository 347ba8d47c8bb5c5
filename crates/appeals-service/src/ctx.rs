//! The context of one use-case call: who acts, under which grant, with which rules, and when.

use std::sync::Arc;

use appeals_domain::access::Role;
use appeals_domain::acttime::{self, ActTime, Enterer};
use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

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
    /// stored time; see [`Ctx::act_time`] for the bounds.
    pub fn stated_instant(
        &self,
        given: Option<DateTime<Utc>>,
        pointer: &str,
        not_before: NaiveDateTime,
        issues: &mut Vec<FieldIssue>,
    ) -> NaiveDateTime {
        self.act_time(given, pointer, not_before, issues).act_at
    }

    /// The stated time of an act beside the server's time of its entry (issue 23 point 3): not in
    /// the future (beyond a small skew), not before `not_before`, not more than the configured
    /// working days before the entry unless the caller holds the head's role. A refusal is an
    /// issue at `pointer`, collected into `issues` (the entry time stands in for the act then).
    pub fn act_time(
        &self,
        given: Option<DateTime<Utc>>,
        pointer: &str,
        not_before: NaiveDateTime,
        issues: &mut Vec<FieldIssue>,
    ) -> ActTime {
        let entered_at = self.stored_now();
        let stated = given.map(|t| t.naive_utc().trunc_subsecs(6));
        let enterer = if self.actor().roles.contains(&Role::Head) {
            Enterer::Head
        } else {
            Enterer::Ordinary
        };
        acttime::act_time(
            &self.rules.calendar,
            &self.rules.deadlines,
            entered_at,
            stated,
            not_before,
            enterer,
        )
        .unwrap_or_else(|refusal| {
            issues.push(FieldIssue::new(pointer, refusal.reason()));
            ActTime::entered(entered_at)
        })
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
