//! Allocation of the through registration number (R3) in the mode stored in `settings`
//! (`registration_numbering`): the `counters` row (`gapless`) or `registration_number_seq`
//! (`sequence`, PostgreSQL only). Both sources are kept in step whenever numbers are reserved in
//! bulk or the mode changes, so switching never issues a number twice.

use appeals_domain::regnum::NumberingMode;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::conn::{Backend, DbConn};
use crate::error::DbError;
use crate::schema::{counters, settings};

/// Name of the `settings` row holding the mode.
pub const SETTING: &str = "registration_numbering";

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = BigInt)]
    value: i64,
}

/// The stored numbering mode.
pub fn mode(conn: &mut DbConn) -> Result<NumberingMode, DbError> {
    let code: String = settings::table
        .find(SETTING)
        .select(settings::value)
        .first(conn)?;
    NumberingMode::from_code(&code).map_err(|e| DbError::Corrupt(e.to_string()))
}

/// The next number, inside the registering transaction. `gapless` locks the counter row until
/// commit; `sequence` takes `nextval` (never rolled back) — call it after everything that can
/// fail on bad input.
pub fn next(conn: &mut DbConn, mode: NumberingMode) -> Result<i64, DbError> {
    match (mode, conn.backend()) {
        (NumberingMode::Sequence, Backend::Postgres) => sequence_next(conn),
        (NumberingMode::Sequence, Backend::Sqlite) => Err(DbError::Config(
            "registration_numbering = sequence needs PostgreSQL; SQLite numbers gapless".into(),
        )),
        (NumberingMode::Gapless, _) => Ok(diesel::update(counters::table.find("registration"))
            .set(counters::value.eq(counters::value + 1))
            .returning(counters::value)
            .get_result(conn)?),
    }
}

diesel::define_sql_function! {
    /// PostgreSQL's `nextval(regclass)`, called with the sequence's name.
    fn nextval(sequence: diesel::sql_types::Text) -> BigInt;
}

/// `nextval` through the DSL rather than `sql_query`, so the statement is prepared once per
/// connection (diesel never caches a raw query).
fn sequence_next(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(diesel::select(nextval("registration_number_seq")).get_result(conn)?)
}

/// The last number issued by either source; locks the counter row until commit.
fn last_issued(conn: &mut DbConn) -> Result<i64, DbError> {
    let counter: i64 = diesel::update(counters::table.find("registration"))
        .set(counters::value.eq(counters::value))
        .returning(counters::value)
        .get_result(conn)?;
    if conn.backend() == Backend::Sqlite {
        return Ok(counter);
    }
    let row: Value = diesel::sql_query(
        "SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS value FROM registration_number_seq",
    )
    .get_result(conn)?;
    Ok(counter.max(row.value))
}

/// Moves both sources to `last` (a number already issued).
fn set_last_issued(conn: &mut DbConn, last: i64) -> Result<(), DbError> {
    diesel::update(counters::table.find("registration"))
        .set(counters::value.eq(last))
        .execute(conn)?;
    if conn.backend() == Backend::Postgres && last > 0 {
        diesel::sql_query("SELECT setval('registration_number_seq', $1) AS value")
            .bind::<BigInt, _>(last)
            .get_result::<Value>(conn)?;
    }
    Ok(())
}

/// Reserves `count` consecutive numbers (bulk loads); returns the first. Run it in a transaction.
pub fn reserve(conn: &mut DbConn, count: i64) -> Result<i64, DbError> {
    let last = last_issued(conn)?;
    set_last_issued(conn, last + count)?;
    Ok(last + 1)
}

/// Stores a new mode, with both sources moved past every number issued so far. Run it in a
/// transaction; processes still on the old mode until their next configuration reload are kept
/// from issuing a number twice by the unique registration number.
pub fn set_mode(conn: &mut DbConn, mode: NumberingMode) -> Result<(), DbError> {
    if mode == NumberingMode::Sequence && conn.backend() == Backend::Sqlite {
        return Err(DbError::Config(
            "`sequence` numbering needs PostgreSQL (SQLite has no sequences)".into(),
        ));
    }
    let last = last_issued(conn)?;
    set_last_issued(conn, last)?;
    diesel::update(settings::table.find(SETTING))
        .set(settings::value.eq(mode.code()))
        .execute(conn)?;
    Ok(())
}
