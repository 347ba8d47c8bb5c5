//! Stored first responses of idempotent POSTs.

use diesel::prelude::*;

use crate::conn::DbConn;
use crate::error::DbError;
use crate::rows::IdempotencyRow;
use crate::schema::idempotency_keys;

pub fn find(conn: &mut DbConn, user_id: i64, key: &str) -> Result<Option<IdempotencyRow>, DbError> {
    Ok(idempotency_keys::table
        .find((user_id, key))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Stores the response; a concurrent request with the same key loses with `UniqueViolation`.
pub fn insert(conn: &mut DbConn, row: &IdempotencyRow) -> Result<(), DbError> {
    diesel::insert_into(idempotency_keys::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}
