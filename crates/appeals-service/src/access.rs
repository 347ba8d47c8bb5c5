//! The one authorization guard. Every call is decided here from the domain table
//! ([`appeals_domain::access`]): the role part before anything is loaded ([`admit`]), the scope
//! part against the subject hierarchy once the subject of the thing touched is known
//! ([`load_card`], [`visible_subjects`], [`require_reach`], [`own_subject`]).
//!
//! A denied call is 403; a card outside what the caller may read is 404, so its existence does
//! not leak.

use std::ops::Deref;

use appeals_db::rows::AppealRow;
use appeals_db::{DbConn, repo};
use appeals_domain::access::{Action, CardAccess, Reach, Role, Scope, card_access};

use crate::ctx::Actor;
use crate::error::{AppError, AppResult};

/// How far up the hierarchy the guard walks (a guard against a cycle in stored data).
const MAX_DEPTH: usize = 64;

/// Proof that the actor's roles admit one action; what a use-case needs to go further.
/// Only [`admit`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    actor: Actor,
    action: Action,
    scope: Scope,
}

impl Grant {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn action(&self) -> Action {
        self.action
    }

    /// The widest scope the actor's roles hold for the action.
    pub fn scope(&self) -> Scope {
        self.scope
    }
}

impl Deref for Grant {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.actor
    }
}

/// The role part of the guard: may any of the actor's roles take `action` at all? (403 if not.)
pub fn admit(actor: Actor, action: Action) -> AppResult<Grant> {
    match action.scope_for(&actor.roles) {
        Some(scope) => Ok(Grant {
            actor,
            action,
            scope,
        }),
        None => {
            let needed: Vec<&str> = action.roles().map(Role::code).collect();
            Err(AppError::Forbidden(format!(
                "This action requires one of the roles: {}.",
                needed.join(", ")
            )))
        }
    }
}

/// What the scope reaches for this actor: asks whether its subject is the authorized body only
/// when the answer depends on it.
fn reach_of(conn: &mut DbConn, actor: &Actor, scope: Scope) -> AppResult<Option<Reach>> {
    let in_authorized_body = match scope {
        Scope::Own | Scope::Subtree => false,
        Scope::All | Scope::National => repo::subjects::is_authorized_body(conn, actor.subject_id)?,
    };
    Ok(scope.effective(in_authorized_body))
}

/// The reach of the grant; a national action outside the authorized body is refused (403).
pub fn require_reach(conn: &mut DbConn, grant: &Grant) -> AppResult<Reach> {
    reach_of(conn, &grant.actor, grant.scope)?.ok_or_else(|| {
        AppError::Forbidden(
            "This is national configuration: only the authorized body may change it.".to_owned(),
        )
    })
}

/// Whether `subject` lies within `reach` of the actor's subject.
fn covers(conn: &mut DbConn, actor: &Actor, reach: Reach, subject: i64) -> AppResult<bool> {
    if subject == actor.subject_id || reach == Reach::All {
        return Ok(true);
    }
    if reach == Reach::Own {
        return Ok(false);
    }
    let mut current = subject;
    for _ in 0..MAX_DEPTH {
        match repo::subjects::parent_of(conn, current)? {
            Some(parent) if parent == actor.subject_id => return Ok(true),
            Some(parent) => current = parent,
            None => return Ok(false),
        }
    }
    Ok(false)
}

/// The subjects whose cards a list may show: `None` for all, else the actor's subject and, for a
/// subtree, every subject below it.
pub fn visible_subjects(conn: &mut DbConn, grant: &Grant) -> AppResult<Option<Vec<i64>>> {
    let own = grant.actor.subject_id;
    match require_reach(conn, grant)? {
        Reach::All => Ok(None),
        Reach::Own => Ok(Some(vec![own])),
        Reach::Subtree => Ok(Some(subtree(conn, own)?)),
    }
}

/// A subject and every subject below it in the hierarchy.
pub fn subtree(conn: &mut DbConn, root: i64) -> AppResult<Vec<i64>> {
    let mut all = vec![root];
    let mut level = vec![root];
    for _ in 0..MAX_DEPTH {
        level = repo::subjects::children_of(conn, &level)?;
        level.retain(|s| !all.contains(s));
        if level.is_empty() {
            break;
        }
        all.extend_from_slice(&level);
    }
    Ok(all)
}

/// Whether the actor may read the card: its holder lies within the reading reach, or the actor's
/// reach holds the subject that registered it and forwarded it on (it follows its parts: the main
/// appeal cannot close while one is open, docs/forwarding.md), or a part's main appeal is readable.
fn readable(conn: &mut DbConn, actor: &Actor, row: &AppealRow) -> AppResult<bool> {
    let Some(reach) = Action::ReadAppeals
        .scope_for(&actor.roles)
        .map(|scope| reach_of(conn, actor, scope))
        .transpose()?
        .flatten()
    else {
        return Ok(false);
    };
    if covers(conn, actor, reach, row.subject_id)?
        || covers(conn, actor, reach, row.registered_by_subject_id)?
    {
        return Ok(true);
    }
    if let Some(main_id) = row.main_appeal_id
        && let Some(main) = repo::appeals::find(conn, main_id)?
    {
        return Ok(covers(conn, actor, reach, main.subject_id)?
            || covers(conn, actor, reach, main.registered_by_subject_id)?);
    }
    Ok(false)
}

/// Loads a card for the granted action: 404 when the caller may not read it, 403 when it may
/// read it but the action does not reach its holder (a card held by another subject).
pub fn load_card(conn: &mut DbConn, grant: &Grant, id: i64) -> AppResult<AppealRow> {
    let hidden = || AppError::NotFound(format!("Appeal {id} does not exist."));
    let row = repo::appeals::find(conn, id)?.ok_or_else(hidden)?;
    let visible = readable(conn, &grant.actor, &row)?;
    let in_reach = visible
        && grant.action.changes_card()
        && match reach_of(conn, &grant.actor, grant.scope)? {
            Some(reach) => covers(conn, &grant.actor, reach, row.subject_id)?,
            None => false,
        };
    match card_access(grant.action, visible, in_reach) {
        CardAccess::Allowed => Ok(row),
        CardAccess::Hidden => Err(hidden()),
        CardAccess::Forbidden => Err(AppError::Forbidden(
            "The appeal is held by another subject.".to_owned(),
        )),
    }
}

/// A record held by `subject` (a reception card, a schedule) for the granted action, readable
/// through `reading`: hidden (404, `hidden`) when the caller may not read records there; 403 when
/// it may read but a changing action does not reach the subject.
pub fn admit_record(
    conn: &mut DbConn,
    grant: &Grant,
    reading: Action,
    subject: i64,
    hidden: impl FnOnce() -> AppError,
) -> AppResult<()> {
    let visible = match reading
        .scope_for(&grant.actor.roles)
        .map(|scope| reach_of(conn, &grant.actor, scope))
        .transpose()?
        .flatten()
    {
        Some(reach) => covers(conn, &grant.actor, reach, subject)?,
        None => false,
    };
    let in_reach = visible
        && grant.action.changes_card()
        && match reach_of(conn, &grant.actor, grant.scope)? {
            Some(reach) => covers(conn, &grant.actor, reach, subject)?,
            None => false,
        };
    match card_access(grant.action, visible, in_reach) {
        CardAccess::Allowed => Ok(()),
        CardAccess::Hidden => Err(hidden()),
        CardAccess::Forbidden => Err(AppError::Forbidden(
            "The record is held by another subject.".to_owned(),
        )),
    }
}

/// Whether a record of `subject` (a notice, a queue item) is the actor's own subject's; anything
/// else is hidden (404 with `what`).
pub fn own_subject(grant: &Grant, subject: i64, what: impl FnOnce() -> String) -> AppResult<()> {
    if subject == grant.actor.subject_id {
        Ok(())
    } else {
        Err(AppError::NotFound(what()))
    }
}
