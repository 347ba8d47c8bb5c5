//! Users and integration clients.

use diesel::prelude::*;

use crate::conn::DbConn;
use crate::error::DbError;
use crate::rows::{LoginEventRow, NewUserRow, SubjectRow, UserRow};
use crate::schema::{login_events, subjects, users};

pub fn insert(conn: &mut DbConn, new: &NewUserRow) -> Result<UserRow, DbError> {
    Ok(diesel::insert_into(users::table)
        .values(new)
        .get_result(conn)?)
}

pub fn find_by_username(conn: &mut DbConn, username: &str) -> Result<Option<UserRow>, DbError> {
    Ok(users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConn, id: i64) -> Result<UserRow, DbError> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)?)
}

/// A user and a subject read in one statement: registration needs both (the talon names the
/// subject and the accepting official) and runs at national scale, where a round trip counts.
pub fn get_with_subject(
    conn: &mut DbConn,
    user_id: i64,
    subject_id: i64,
) -> Result<(UserRow, SubjectRow), DbError> {
    Ok(users::table
        .inner_join(subjects::table.on(subjects::id.eq(subject_id)))
        .filter(users::id.eq(user_id))
        .select((UserRow::as_select(), SubjectRow::as_select()))
        .first(conn)?)
}

/// What decides whether a token is still good: the user's token generation and whether the user
/// and the subject are active (one statement, run on every authenticated request).
pub fn session_state(
    conn: &mut DbConn,
    user_id: i64,
) -> Result<Option<(i64, bool, bool)>, DbError> {
    Ok(users::table
        .inner_join(subjects::table)
        .filter(users::id.eq(user_id))
        .select((
            users::token_generation,
            users::is_active,
            subjects::is_active,
        ))
        .first(conn)
        .optional()?)
}

/// Stores the failure count and lock of an account after a login attempt.
pub fn set_login_failures(
    conn: &mut DbConn,
    id: i64,
    failures: i32,
    locked_until: Option<chrono::NaiveDateTime>,
) -> Result<(), DbError> {
    diesel::update(users::table.find(id))
        .set((
            users::failed_logins.eq(failures),
            users::locked_until.eq(locked_until),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moves the token generation: every token issued before is refused from now on.
pub fn revoke_tokens(conn: &mut DbConn, id: i64) -> Result<(), DbError> {
    diesel::update(users::table.find(id))
        .set(users::token_generation.eq(users::token_generation + 1))
        .execute(conn)?;
    Ok(())
}

pub fn append_login_event(conn: &mut DbConn, row: &LoginEventRow) -> Result<(), DbError> {
    diesel::insert_into(login_events::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The newest login attempts on an account, newest first.
pub fn login_events_of(
    conn: &mut DbConn,
    user_id: i64,
    limit: i64,
) -> Result<Vec<LoginEventRow>, DbError> {
    Ok(login_events::table
        .filter(login_events::user_id.eq(user_id))
        .order(login_events::id.desc())
        .limit(limit)
        .select(LoginEventRow::as_select())
        .load(conn)?)
}

/// The users of a subject, by id.
pub fn of_subject(conn: &mut DbConn, subject_id: i64) -> Result<Vec<UserRow>, DbError> {
    Ok(users::table
        .filter(users::subject_id.eq(subject_id))
        .order(users::id.asc())
        .select(UserRow::as_select())
        .load(conn)?)
}

/// What an admin may change on an account (`None` leaves the column as it is).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub full_name: Option<Option<String>>,
    pub position: Option<Option<String>>,
    pub roles: Option<String>,
    pub is_active: Option<bool>,
    pub password_hash: Option<String>,
    pub iin_hash: Option<Option<String>>,
    pub failed_logins: Option<i32>,
    pub locked_until: Option<Option<chrono::NaiveDateTime>>,
}

pub fn update(conn: &mut DbConn, id: i64, changes: &UserChanges) -> Result<UserRow, DbError> {
    diesel::update(users::table.find(id))
        .set(changes)
        .execute(conn)?;
    get(conn, id)
}

/// Counts one more failed login and returns the new count.
pub fn count_login_failure(conn: &mut DbConn, id: i64) -> Result<i32, DbError> {
    diesel::update(users::table.find(id))
        .set(users::failed_logins.eq(users::failed_logins + 1))
        .execute(conn)?;
    Ok(users::table
        .find(id)
        .select(users::failed_logins)
        .first(conn)?)
}
