//! The KATO classifier: imported objects and the lookup of a code.

use diesel::prelude::*;

use crate::conn::DbConn;
use crate::error::DbError;
use crate::rows::KatoRow;
use crate::schema::kato_objects;

/// Stores an object, replacing the stored one of its code.
pub fn upsert(conn: &mut DbConn, row: &KatoRow) -> Result<(), DbError> {
    crate::per_backend!(conn, |c| {
        diesel::insert_into(kato_objects::table)
            .values(row)
            .on_conflict(kato_objects::code)
            .do_update()
            .set((
                kato_objects::name_ru.eq(&row.name_ru),
                kato_objects::name_kk.eq(&row.name_kk),
                kato_objects::level.eq(row.level),
                kato_objects::imported_at.eq(row.imported_at),
            ))
            .execute(c)
    })?;
    Ok(())
}

pub fn find(conn: &mut DbConn, code: &str) -> Result<Option<KatoRow>, DbError> {
    Ok(kato_objects::table
        .find(code)
        .select(KatoRow::as_select())
        .first(conn)
        .optional()?)
}

/// Whether any object is loaded (the check of codes against the classifier starts then).
pub fn is_loaded(conn: &mut DbConn) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        kato_objects::table.select(kato_objects::code),
    ))
    .get_result(conn)?)
}
