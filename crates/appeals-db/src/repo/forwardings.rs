//! Forwardings by competence (APPK Art. 65, Rules p.11): one row per signed forwarding.

use diesel::prelude::*;

use crate::conn::DbConn;
use crate::error::DbError;
use crate::rows::{ForwardingRow, NewForwardingRow};
use crate::schema::forwardings;

pub fn insert(conn: &mut DbConn, new: &NewForwardingRow) -> Result<ForwardingRow, DbError> {
    Ok(diesel::insert_into(forwardings::table)
        .values(new)
        .get_result(conn)?)
}

/// The forwardings of an appeal, oldest first.
pub fn list_for_appeal(conn: &mut DbConn, appeal_id: i64) -> Result<Vec<ForwardingRow>, DbError> {
    Ok(forwardings::table
        .filter(forwardings::appeal_id.eq(appeal_id))
        .order(forwardings::id.asc())
        .select(ForwardingRow::as_select())
        .load(conn)?)
}

/// One forwarding of an appeal (None when the id belongs to another appeal).
pub fn find(
    conn: &mut DbConn,
    appeal_id: i64,
    forwarding_id: i64,
) -> Result<Option<ForwardingRow>, DbError> {
    Ok(forwardings::table
        .filter(forwardings::id.eq(forwarding_id))
        .filter(forwardings::appeal_id.eq(appeal_id))
        .select(ForwardingRow::as_select())
        .first(conn)
        .optional()?)
}
