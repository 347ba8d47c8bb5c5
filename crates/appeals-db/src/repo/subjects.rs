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

/// The parent of a subject in the hierarchy (`None` at a root or for an unknown subject).
pub fn parent_of(conn: &mut DbConn, id: i64) -> Result<Option<i64>, DbError> {
    Ok(subjects::table
        .find(id)
        .select(subjects::parent_id)
        .first::<Option<i64>>(conn)
        .optional()?
        .flatten())
}

/// Whether the subject is the authorized body (or one of its territorial bodies).
pub fn is_authorized_body(conn: &mut DbConn, id: i64) -> Result<bool, DbError> {
    Ok(subjects::table
        .find(id)
        .select(subjects::is_authorized_body)
        .first::<bool>(conn)
        .optional()?
        .unwrap_or(false))
}

/// The subjects directly below any of `parents`.
pub fn children_of(conn: &mut DbConn, parents: &[i64]) -> Result<Vec<i64>, DbError> {
    Ok(subjects::table
        .filter(subjects::parent_id.eq_any(parents.to_vec()))
        .select(subjects::id)
        .order(subjects::id)
        .load(conn)?)
}

/// The subjects of a report: those named, or all (`None`), in id order.
pub fn lines(conn: &mut DbConn, ids: Option<&[i64]>) -> Result<Vec<SubjectRow>, DbError> {
    let mut q = subjects::table
        .select(SubjectRow::as_select())
        .order(subjects::id.asc())
        .into_boxed();
    if let Some(ids) = ids {
        q = q.filter(subjects::id.eq_any(ids.to_vec()));
    }
    Ok(q.load(conn)?)
}

/// The subjects publishing through the Open311 facade.
pub fn open311_public(conn: &mut DbConn) -> Result<Vec<SubjectRow>, DbError> {
    Ok(subjects::table
        .filter(subjects::open311_public.eq(true))
        .filter(subjects::is_active.eq(true))
        .select(SubjectRow::as_select())
        .order(subjects::id.asc())
        .load(conn)?)
}

/// Every subject of the registry, by id.
pub fn all(conn: &mut DbConn) -> Result<Vec<SubjectRow>, DbError> {
    Ok(subjects::table
        .select(SubjectRow::as_select())
        .order(subjects::id.asc())
        .load(conn)?)
}

/// What an admin of the authorized body may change on a subject (`None` leaves it as it is).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = subjects)]
pub struct SubjectChanges {
    pub name_ru: Option<String>,
    pub name_kk: Option<Option<String>>,
    pub parent_id: Option<Option<i64>>,
    pub kato_code: Option<Option<String>>,
    pub is_authorized_body: Option<bool>,
    pub report_row_code: Option<Option<String>>,
    pub is_active: Option<bool>,
    pub signature_required: Option<Option<bool>>,
    pub bin: Option<Option<String>>,
    pub open311_public: Option<bool>,
    pub hierarchy_level: Option<Option<String>>,
    pub appeals_unit_id: Option<Option<i64>>,
}

pub fn update(conn: &mut DbConn, id: i64, changes: &SubjectChanges) -> Result<SubjectRow, DbError> {
    diesel::update(subjects::table.find(id))
        .set(changes)
        .execute(conn)?;
    get(conn, id)
}
