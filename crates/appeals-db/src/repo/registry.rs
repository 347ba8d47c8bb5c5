//! The local copy of the state person/company registries (R20) and the per-applicant З-1 updates
//! that auto-fill and address reconciliation (R21) make.

use diesel::prelude::*;

use crate::conn::DbConn;
use crate::error::DbError;
use crate::rows::RegistryRow;
use crate::schema::{appeal_applicants, registry_records};

pub fn find(conn: &mut DbConn, iin_bin: &str) -> Result<Option<RegistryRow>, DbError> {
    Ok(registry_records::table
        .find(iin_bin)
        .select(RegistryRow::as_select())
        .first(conn)
        .optional()?)
}

/// Inserts the record or replaces the one with the same IIN/BIN (a re-import is the newer data).
pub fn upsert(conn: &mut DbConn, row: &RegistryRow) -> Result<(), DbError> {
    crate::per_backend!(conn, |c| {
        diesel::insert_into(registry_records::table)
            .values(row)
            .on_conflict(registry_records::iin_bin)
            .do_update()
            .set((
                registry_records::category.eq(&row.category),
                registry_records::data.eq(&row.data),
                registry_records::source.eq(&row.source),
                registry_records::imported_at.eq(row.imported_at),
            ))
            .execute(c)
    })?;
    Ok(())
}

pub fn count(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(registry_records::table.count().get_result(conn)?)
}

/// Rewrites one З-1 card of an appeal (its JSON and the columns derived from it).
pub fn update_applicant(
    conn: &mut DbConn,
    appeal_id: i64,
    ordinal: i32,
    full_name: Option<&str>,
    card: &str,
) -> Result<(), DbError> {
    let updated = diesel::update(
        appeal_applicants::table
            .filter(appeal_applicants::appeal_id.eq(appeal_id))
            .filter(appeal_applicants::ordinal.eq(ordinal)),
    )
    .set((
        appeal_applicants::full_name.eq(full_name),
        appeal_applicants::card.eq(card),
    ))
    .execute(conn)?;
    if updated == 1 {
        Ok(())
    } else {
        Err(DbError::NotFound)
    }
}
