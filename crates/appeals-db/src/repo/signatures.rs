//! Detached EDS signatures of approvals and answers.

use diesel::prelude::*;

use crate::conn::DbConn;
use crate::error::DbError;
use crate::rows::{NewSignatureRow, SignatureRow};
use crate::schema::signatures;

pub fn insert(conn: &mut DbConn, new: &NewSignatureRow) -> Result<SignatureRow, DbError> {
    Ok(diesel::insert_into(signatures::table)
        .values(new)
        .get_result(conn)?)
}

/// The signatures of an appeal, oldest first.
pub fn of_appeal(conn: &mut DbConn, appeal_id: i64) -> Result<Vec<SignatureRow>, DbError> {
    Ok(signatures::table
        .filter(signatures::appeal_id.eq(appeal_id))
        .order(signatures::id.asc())
        .select(SignatureRow::as_select())
        .load(conn)?)
}
