//! Users and integration clients.

use diesel::prelude::*;

use crate::conn::DbConn;
use crate::error::DbError;
use crate::rows::{NewUserRow, SubjectRow, UserRow};
use crate::schema::{subjects, users};

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
