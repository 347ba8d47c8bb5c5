//! EDS-signed access applications (Rules p.25).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::conn::DbConn;
use crate::error::DbError;
use crate::rows::{AccessRequestRow, NewAccessRequestRow};
use crate::schema::access_requests;

pub fn insert(conn: &mut DbConn, new: &NewAccessRequestRow) -> Result<AccessRequestRow, DbError> {
    Ok(diesel::insert_into(access_requests::table)
        .values(new)
        .get_result(conn)?)
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<AccessRequestRow>, DbError> {
    Ok(access_requests::table
        .find(id)
        .select(AccessRequestRow::as_select())
        .first(conn)
        .optional()?)
}

/// The applications with a status (all when `None`), newest first.
pub fn list(conn: &mut DbConn, status: Option<&str>) -> Result<Vec<AccessRequestRow>, DbError> {
    let mut q = access_requests::table
        .select(AccessRequestRow::as_select())
        .order(access_requests::id.desc())
        .limit(500)
        .into_boxed();
    if let Some(status) = status {
        q = q.filter(access_requests::status.eq(status.to_owned()));
    }
    Ok(q.load(conn)?)
}

/// Records the decision on an application still `submitted`; false when it was decided already
/// (a concurrent decision lost).
pub fn decide(
    conn: &mut DbConn,
    id: i64,
    status: &str,
    by: i64,
    at: NaiveDateTime,
    reason: Option<&str>,
) -> Result<bool, DbError> {
    let n = diesel::update(
        access_requests::table
            .find(id)
            .filter(access_requests::status.eq("submitted")),
    )
    .set((
        access_requests::status.eq(status),
        access_requests::decided_by.eq(Some(by)),
        access_requests::decided_at.eq(Some(at)),
        access_requests::decision_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
