//! Subjects (state bodies).

use diesel::prelude::*;

use crate::conn::DbConn;
use crate::error::DbError;
use crate::rows::{NewSubjectRow, SubjectRow};
use crate::schema::subjects;

pub fn insert(conn: &mut DbConn, new: &NewSubjectRow) -> Result<SubjectRow, DbError> {
    Ok(diesel::insert_into(subjects::table)
        .values(new)
        .get_result(conn)?)
}

pub fn find_by_code(conn: &mut DbConn, code: &str) -> Result<Option<SubjectRow>, DbError> {
    Ok(subjects::table
        .filter(subjects::code.eq(code))
        .select(SubjectRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConn, id: i64) -> Result<SubjectRow, DbError> {
    Ok(subjects::table
        .find(id)
        .select(SubjectRow::as_select())
        .first(conn)?)
}

pub fn count(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(subjects::table.count().get_result(conn)?)
}

pub fn find_by_id(conn: &mut DbConn, id: i64) -> Result<Option<SubjectRow>, DbError> {
    Ok(subjects::table
        .find(id)
        .select(SubjectRow::as_select())
        .first(conn)
        .optional()?)
}
