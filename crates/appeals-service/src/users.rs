//! Users of a subject over HTTP (issue 20 point 2): the subject's admin creates accounts, changes
//! their roles, deactivates them and resets passwords. A user of another subject is not found
//! (404: its existence does not leak). Deactivation and a password reset revoke the user's tokens
//! at once; every change is an audited admin event (never with a password or an IIN).

use appeals_db::repo::users::UserChanges;
use appeals_db::rows::{NewUserRow, UserRow};
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::access::Role;
use appeals_domain::credentials;
use appeals_domain::ident::Iin;
use serde_json::json;

use crate::accounts::hash_password;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, FieldIssue};

/// A new account of the caller's subject.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub full_name: Option<String>,
    pub position: Option<String>,
    pub roles: Vec<Role>,
    /// The person's IIN: kept only as a keyed hash, to match the signer of an EDS signature.
    pub iin: Option<String>,
}

/// What an admin changes on an account (`None` leaves it).
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub full_name: Option<Option<String>>,
    pub position: Option<Option<String>>,
    pub roles: Option<Vec<Role>>,
    pub is_active: Option<bool>,
    pub iin: Option<Option<String>>,
}

/// The keyed hash an IIN is stored under (the search index's key: one per deployment).
pub fn iin_hash(iin: &str) -> String {
    appeals_domain::search::iin_key(crate::cards::search_index::key(), iin)
}

fn parse_iin(iin: &str, pointer: &str, issues: &mut Vec<FieldIssue>) -> Option<String> {
    match Iin::parse(iin) {
        Ok(iin) => Some(iin_hash(iin.as_str())),
        Err(e) => {
            issues.push(FieldIssue::new(pointer, e.to_string()));
            None
        }
    }
}

/// The accounts of the caller's subject.
pub fn list(conn: &mut DbConn, ctx: &Ctx) -> AppResult<Vec<UserRow>> {
    Ok(repo::users::of_subject(conn, ctx.actor().subject_id)?)
}

/// An account of the caller's subject; another subject's is not found.
pub fn get(conn: &mut DbConn, ctx: &Ctx, id: i64) -> AppResult<UserRow> {
    match repo::users::get(conn, id) {
        Ok(user) if user.subject_id == ctx.actor().subject_id => Ok(user),
        Ok(_) | Err(appeals_db::DbError::NotFound) => {
            Err(AppError::NotFound(format!("No user {id} in your subject.")))
        }
        Err(e) => Err(e.into()),
    }
}

/// Creates an active account in the caller's subject (409 when the username is taken).
pub fn create(conn: &mut DbConn, ctx: &Ctx, new: NewUser) -> AppResult<UserRow> {
    let mut issues = Vec::new();
    if new.username.trim().is_empty() {
        issues.push(FieldIssue::new("#/username", "must not be empty"));
    }
    if let Some(problem) = credentials::password_problem(&new.username, &new.password) {
        issues.push(FieldIssue::new("#/password", problem));
    }
    if new.roles.is_empty() {
        issues.push(FieldIssue::new("#/roles", "name at least one role"));
    }
    let iin_hash = new
        .iin
        .as_deref()
        .and_then(|iin| parse_iin(iin, "#/iin", &mut issues));
    if !issues.is_empty() {
        return Err(AppError::Validation(issues));
    }
    let password_hash = hash_password(&new.password)?;
    write_tx(conn, |conn| {
        if repo::users::find_by_username(conn, &new.username)?.is_some() {
            return Err(AppError::Conflict(format!(
                "The username `{}` is taken.",
                new.username
            )));
        }
        let row = repo::users::insert(
            conn,
            &NewUserRow {
                username: new.username.clone(),
                password_hash,
                subject_id: ctx.actor().subject_id,
                full_name: new.full_name.clone(),
                roles: Role::format_list(&new.roles),
                is_active: true,
                created_at: ctx.stored_now(),
                iin_hash,
                position: new.position.clone(),
            },
        )?;
        audit(conn, ctx, "user_created", &row, None)?;
        Ok(row)
    })
}

/// Changes an account of the caller's subject. Deactivating it revokes its tokens (a later
/// reactivation does not revive them).
pub fn change(conn: &mut DbConn, ctx: &Ctx, id: i64, update: UserUpdate) -> AppResult<UserRow> {
    let mut issues = Vec::new();
    if update.roles.as_ref().is_some_and(Vec::is_empty) {
        issues.push(FieldIssue::new("#/roles", "name at least one role"));
    }
    let iin_hash = match &update.iin {
        Some(Some(iin)) => Some(parse_iin(iin, "#/iin", &mut issues)),
        Some(None) => Some(None),
        None => None,
    };
    if !issues.is_empty() {
        return Err(AppError::Validation(issues));
    }
    write_tx(conn, |conn| {
        let before = get(conn, ctx, id)?;
        let changes = UserChanges {
            full_name: update.full_name.clone(),
            position: update.position.clone(),
            roles: update.roles.as_deref().map(Role::format_list),
            is_active: update.is_active,
            iin_hash,
            ..UserChanges::default()
        };
        if changes.full_name.is_none()
            && changes.position.is_none()
            && changes.roles.is_none()
            && changes.is_active.is_none()
            && changes.iin_hash.is_none()
        {
            return Ok(before);
        }
        let after = repo::users::update(conn, id, &changes)?;
        let action = match (before.is_active, after.is_active) {
            (true, false) => "user_deactivated",
            (false, true) => "user_reactivated",
            _ => "user_changed",
        };
        // A role change or a deactivation takes effect at once: the old tokens carry the old roles.
        if before.roles != after.roles || action == "user_deactivated" {
            repo::users::revoke_tokens(conn, id)?;
        }
        audit(conn, ctx, action, &after, Some(&before))?;
        Ok(after)
    })
}

/// Sets a new password chosen by the subject's admin: the user's tokens are revoked and a lock
/// from failed logins is lifted.
pub fn reset_password(conn: &mut DbConn, ctx: &Ctx, id: i64, password: &str) -> AppResult<()> {
    let user = get(conn, ctx, id)?;
    if let Some(problem) = credentials::password_problem(&user.username, password) {
        return Err(AppError::field("#/password", problem));
    }
    let password_hash = hash_password(password)?;
    write_tx(conn, |conn| {
        let after = repo::users::update(
            conn,
            id,
            &UserChanges {
                password_hash: Some(password_hash),
                failed_logins: Some(0),
                locked_until: Some(None),
                ..UserChanges::default()
            },
        )?;
        repo::users::revoke_tokens(conn, id)?;
        audit(conn, ctx, "password_reset", &after, None)?;
        Ok(())
    })
}

fn audit(
    conn: &mut DbConn,
    ctx: &Ctx,
    action: &str,
    after: &UserRow,
    before: Option<&UserRow>,
) -> AppResult<()> {
    crate::audit::record(
        conn,
        Some(ctx.actor().user_id),
        ctx.stored_now(),
        action,
        format!("user:{}", after.id),
        before.map(snapshot),
        Some(snapshot(after)),
    )
}

/// What the audit keeps of an account: no password hash, and only whether an IIN is bound.
fn snapshot(u: &UserRow) -> serde_json::Value {
    json!({
        "username": u.username, "subject_id": u.subject_id, "full_name": u.full_name,
        "position": u.position, "roles": u.roles, "is_active": u.is_active,
        "iin_bound": u.iin_hash.is_some(),
    })
}
