//! The audit log of administrative changes (`admin_events`): who changed which record, when, with
//! the values before and after (never a password, a secret or an IIN).

use appeals_db::rows::NewAdminEventRow;
use appeals_db::{DbConn, repo};
use chrono::NaiveDateTime;
use serde_json::Value;

use crate::error::AppResult;

/// Appends one admin event on `target` (`kind:id`), in the caller's transaction.
pub fn record(
    conn: &mut DbConn,
    actor_user_id: Option<i64>,
    at: NaiveDateTime,
    action: &str,
    target: String,
    before: Option<Value>,
    after: Option<Value>,
) -> AppResult<()> {
    repo::configuration::append_admin_event(
        conn,
        &NewAdminEventRow {
            occurred_at: at,
            actor_user_id,
            action: action.to_owned(),
            target,
            before: before.map(|v| v.to_string()),
            after: after.map(|v| v.to_string()),
        },
    )?;
    Ok(())
}
