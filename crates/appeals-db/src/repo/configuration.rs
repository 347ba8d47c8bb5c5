//! Run-time configuration kept in the database: reference books (`dictionary_entries`), calendar
//! overrides per year (`calendar_overrides`), the configuration version counter
//! (`config_versions`) and the audit log of administrative changes (`admin_events`).
//!
//! Every administrative change bumps the `rules` version in the same transaction, so a server
//! process learns about a change made by another process by reading one row.

use std::collections::BTreeMap;

use appeals_domain::dictionary::{Dictionary, DictionaryEntry, DictionaryName};
use chrono::NaiveDate;
use diesel::prelude::*;

use crate::conn::DbConn;
use crate::error::DbError;
use crate::rows::{
    AdminEventRow, AppealRow, CalendarOverridesRow, DictionaryEntryRow, NewAdminEventRow,
};
use crate::schema::{
    admin_events, appeals, calendar_overrides, config_versions, conventions, dictionary_entries,
    settings,
};

/// Name of the version row that covers dictionaries and the calendar.
pub const RULES_VERSION: &str = "rules";

/// The current configuration version (one primary-key read).
pub fn rules_version(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(config_versions::table
        .find(RULES_VERSION)
        .select(config_versions::version)
        .first(conn)?)
}

/// Increments the configuration version; call it inside the transaction of the change.
pub fn bump_rules_version(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(diesel::update(config_versions::table.find(RULES_VERSION))
        .set(config_versions::version.eq(config_versions::version + 1))
        .returning(config_versions::version)
        .get_result(conn)?)
}

// ---------------------------------------------------------------------------------------------
// Dictionaries

/// Fields of [`DictionaryEntry`] that have columns of their own; the rest goes to `attributes`.
const ENTRY_COLUMNS: [&str; 4] = ["code", "label_ru", "label_kk", "active"];

/// The stored form of an entry at `position` of book `name`.
pub fn entry_to_row(
    name: DictionaryName,
    position: i32,
    entry: &DictionaryEntry,
) -> Result<DictionaryEntryRow, DbError> {
    let value = serde_json::to_value(entry).map_err(|e| DbError::Corrupt(e.to_string()))?;
    // A BTreeMap orders the keys, so the text is the same whatever serde_json's map type is.
    let attributes: BTreeMap<String, serde_json::Value> = match value {
        serde_json::Value::Object(map) => map
            .into_iter()
            .filter(|(k, _)| !ENTRY_COLUMNS.contains(&k.as_str()))
            .collect(),
        _ => BTreeMap::new(),
    };
    Ok(DictionaryEntryRow {
        dictionary: name.as_str().to_owned(),
        code: entry.code.clone(),
        position,
        label_ru: entry.label_ru.clone(),
        label_kk: entry.label_kk.clone(),
        attributes: serde_json::to_string(&attributes)
            .map_err(|e| DbError::Corrupt(e.to_string()))?,
        active: entry.active,
    })
}

/// The domain entry of a stored row.
pub fn row_to_entry(row: &DictionaryEntryRow) -> Result<DictionaryEntry, DbError> {
    let corrupt = |e: serde_json::Error| {
        DbError::Corrupt(format!(
            "dictionary entry {}/{}: {e}",
            row.dictionary, row.code
        ))
    };
    let mut map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&row.attributes).map_err(corrupt)?;
    map.insert("code".into(), row.code.clone().into());
    map.insert("label_ru".into(), row.label_ru.clone().into());
    map.insert("label_kk".into(), row.label_kk.clone().into());
    map.insert("active".into(), row.active.into());
    serde_json::from_value(serde_json::Value::Object(map)).map_err(corrupt)
}

/// Every stored entry, by book and display order.
pub fn all_entries(conn: &mut DbConn) -> Result<Vec<DictionaryEntryRow>, DbError> {
    Ok(dictionary_entries::table
        .order((
            dictionary_entries::dictionary.asc(),
            dictionary_entries::position.asc(),
            dictionary_entries::code.asc(),
        ))
        .select(DictionaryEntryRow::as_select())
        .load(conn)?)
}

/// The entries of one book in display order.
pub fn entries_of(
    conn: &mut DbConn,
    name: DictionaryName,
) -> Result<Vec<DictionaryEntryRow>, DbError> {
    Ok(dictionary_entries::table
        .filter(dictionary_entries::dictionary.eq(name.as_str()))
        .order((
            dictionary_entries::position.asc(),
            dictionary_entries::code.asc(),
        ))
        .select(DictionaryEntryRow::as_select())
        .load(conn)?)
}

/// Every book as stored (books without rows are empty), validated by [`Dictionary::new`].
pub fn load_dictionaries(conn: &mut DbConn) -> Result<Vec<Dictionary>, DbError> {
    let mut by_name: BTreeMap<DictionaryName, Vec<DictionaryEntry>> = DictionaryName::ALL
        .iter()
        .map(|n| (*n, Vec::new()))
        .collect();
    for row in all_entries(conn)? {
        let name: DictionaryName = row.dictionary.parse().map_err(|_| {
            DbError::Corrupt(format!(
                "unknown dictionary `{}` in the database",
                row.dictionary
            ))
        })?;
        let entry = row_to_entry(&row)?;
        by_name.entry(name).or_default().push(entry);
    }
    DictionaryName::ALL
        .iter()
        .map(|name| {
            let entries = by_name.remove(name).unwrap_or_default();
            Dictionary::new(*name, entries)
                .map_err(|e| DbError::Corrupt(format!("dictionary {name}: {e}")))
        })
        .collect()
}

/// Adds an entry at the end of its book (a taken code is `UniqueViolation`).
pub fn append_entry(
    conn: &mut DbConn,
    name: DictionaryName,
    entry: &DictionaryEntry,
) -> Result<DictionaryEntryRow, DbError> {
    let last: Option<i32> = dictionary_entries::table
        .filter(dictionary_entries::dictionary.eq(name.as_str()))
        .select(diesel::dsl::max(dictionary_entries::position))
        .first(conn)?;
    let row = entry_to_row(name, last.map_or(0, |p| p + 1), entry)?;
    diesel::insert_into(dictionary_entries::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// Writes the labels and the active flag of an existing entry.
pub fn update_entry(conn: &mut DbConn, row: &DictionaryEntryRow) -> Result<(), DbError> {
    let updated = diesel::update(
        dictionary_entries::table.find((row.dictionary.as_str(), row.code.as_str())),
    )
    .set((
        dictionary_entries::label_ru.eq(&row.label_ru),
        dictionary_entries::label_kk.eq(&row.label_kk),
        dictionary_entries::active.eq(row.active),
        dictionary_entries::attributes.eq(&row.attributes),
    ))
    .execute(conn)?;
    if updated == 1 {
        Ok(())
    } else {
        Err(DbError::NotFound)
    }
}

/// SQL text that seeds `dictionary_entries` with `books` — the generator of the seed block in the
/// migrations (`cargo test -p appeals-db -- --ignored print_dictionary_seed_sql --nocapture`).
/// Standard string literals only, valid on SQLite and PostgreSQL alike.
pub fn seed_sql(books: &[Dictionary]) -> Result<String, DbError> {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let mut out = String::from(
        "-- Generated from appeals_domain::dictionary::default_dictionaries() by\n\
         -- appeals_db::repo::configuration::seed_sql; tests/tests/dictionaries.rs checks the\n\
         -- migrated rows against the domain defaults on both backends.\n",
    );
    for book in books {
        if book.entries.is_empty() {
            continue;
        }
        out.push_str(
            "INSERT INTO dictionary_entries (dictionary, code, position, label_ru, label_kk, attributes, active) VALUES\n",
        );
        let mut lines = Vec::with_capacity(book.entries.len());
        for (i, entry) in book.entries.iter().enumerate() {
            let position = i32::try_from(i).map_err(|e| DbError::Corrupt(e.to_string()))?;
            let row = entry_to_row(book.name, position, entry)?;
            lines.push(format!(
                "    ({}, {}, {}, {}, {}, {}, {})",
                quote(&row.dictionary),
                quote(&row.code),
                row.position,
                quote(&row.label_ru),
                quote(&row.label_kk),
                quote(&row.attributes),
                if row.active { "TRUE" } else { "FALSE" }
            ));
        }
        out.push_str(&lines.join(",\n"));
        out.push_str(";\n");
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Calendar overrides

/// Every stored year of overrides, ascending by year (the order they are applied in).
pub fn all_calendar_overrides(conn: &mut DbConn) -> Result<Vec<CalendarOverridesRow>, DbError> {
    Ok(calendar_overrides::table
        .order(calendar_overrides::year.asc())
        .select(CalendarOverridesRow::as_select())
        .load(conn)?)
}

pub fn find_calendar_overrides(
    conn: &mut DbConn,
    year: i32,
) -> Result<Option<CalendarOverridesRow>, DbError> {
    Ok(calendar_overrides::table
        .find(year)
        .select(CalendarOverridesRow::as_select())
        .first(conn)
        .optional()?)
}

/// Stores the overrides of `year` (the caller has computed the next `version`).
pub fn save_calendar_overrides(
    conn: &mut DbConn,
    row: &CalendarOverridesRow,
) -> Result<(), DbError> {
    let updated = diesel::update(calendar_overrides::table.find(row.year))
        .set((
            calendar_overrides::data.eq(&row.data),
            calendar_overrides::version.eq(row.version),
            calendar_overrides::updated_at.eq(row.updated_at),
            calendar_overrides::updated_by.eq(row.updated_by),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(calendar_overrides::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Deadline and numbering conventions

/// One stored version of the conventions.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = conventions, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct ConventionsRow {
    pub version: i64,
    pub data: String,
    pub content_hash: String,
    pub changed_at: chrono::NaiveDateTime,
    pub changed_by: Option<i64>,
    pub reason: String,
}

/// The conventions in force (the latest version), if any is stored.
pub fn latest_conventions(conn: &mut DbConn) -> Result<Option<ConventionsRow>, DbError> {
    Ok(conventions::table
        .order(conventions::version.desc())
        .select(ConventionsRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every stored version, newest first.
pub fn conventions_versions(conn: &mut DbConn) -> Result<Vec<ConventionsRow>, DbError> {
    Ok(conventions::table
        .order(conventions::version.desc())
        .select(ConventionsRow::as_select())
        .load(conn)?)
}

/// Stores a version (a second writer of the same version fails on the primary key).
pub fn insert_conventions(conn: &mut DbConn, row: &ConventionsRow) -> Result<(), DbError> {
    diesel::insert_into(conventions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Audit

pub fn append_admin_event(
    conn: &mut DbConn,
    event: &NewAdminEventRow,
) -> Result<AdminEventRow, DbError> {
    Ok(diesel::insert_into(admin_events::table)
        .values(event)
        .get_result(conn)?)
}

/// A setting changed by an operator's command (no user acting): an admin event on `target` with
/// the values before and after, and the rules version moves so running processes reload. Call it
/// inside the transaction that made the change.
pub fn record_setting_change(
    conn: &mut DbConn,
    action: &str,
    target: &str,
    before: Option<String>,
    after: String,
) -> Result<(), DbError> {
    append_admin_event(
        conn,
        &NewAdminEventRow {
            occurred_at: crate::now_utc(),
            actor_user_id: None,
            action: action.to_owned(),
            target: target.to_owned(),
            before,
            after: Some(after),
        },
    )?;
    bump_rules_version(conn)?;
    Ok(())
}

/// Admin events on `target` (oldest first).
pub fn admin_events_on(conn: &mut DbConn, target: &str) -> Result<Vec<AdminEventRow>, DbError> {
    Ok(admin_events::table
        .filter(admin_events::target.eq(target))
        .order(admin_events::id.asc())
        .select(AdminEventRow::as_select())
        .load(conn)?)
}

// ---------------------------------------------------------------------------------------------
// Recalculation

/// A page of cards held by `subject_id` (every subject: `None`) in one of `statuses`, not closed,
/// with a review deadline on or after `due_from` (when given), ascending by id after `after_id`.
pub fn open_appeals_page(
    conn: &mut DbConn,
    subject_id: Option<i64>,
    statuses: &[&str],
    due_from: Option<NaiveDate>,
    after_id: i64,
    limit: i64,
) -> Result<Vec<AppealRow>, DbError> {
    let mut q = appeals::table
        .filter(appeals::closed_at.is_null())
        .filter(appeals::status.eq_any(statuses.iter().map(|s| (*s).to_owned())))
        .filter(appeals::id.gt(after_id))
        .select(AppealRow::as_select())
        .into_boxed();
    if let Some(d) = due_from {
        q = q.filter(appeals::review_due.ge(d));
    }
    if let Some(subject_id) = subject_id {
        q = q.filter(appeals::subject_id.eq(subject_id));
    }
    Ok(q.order(appeals::id.asc()).limit(limit).load(conn)?)
}

/// The stored value of a `settings` row, if any.
pub fn setting(conn: &mut DbConn, name: &str) -> Result<Option<String>, DbError> {
    Ok(settings::table
        .find(name)
        .select(settings::value)
        .first(conn)
        .optional()?)
}

/// An operator's change of one setting, in its own write transaction: stores `value` under
/// `name` and records it as [`record_setting_change`] does (admin event `action`, rules version).
pub fn change_setting(
    conn: &mut DbConn,
    name: &str,
    value: &str,
    action: &str,
) -> Result<(), DbError> {
    crate::write_tx(conn, |conn| {
        let before = put_setting(conn, name, value)?;
        record_setting_change(conn, action, name, before, value.to_owned())
    })
}

/// Stores `value` under `name` (inserted or replaced); returns the value it replaced. Call it
/// inside a write transaction.
pub fn put_setting(conn: &mut DbConn, name: &str, value: &str) -> Result<Option<String>, DbError> {
    let before = setting(conn, name)?;
    if before.is_some() {
        diesel::update(settings::table.find(name))
            .set(settings::value.eq(value))
            .execute(conn)?;
    } else {
        diesel::insert_into(settings::table)
            .values((settings::name.eq(name), settings::value.eq(value)))
            .execute(conn)?;
    }
    Ok(before)
}

#[cfg(test)]
mod tests {
    use super::*;
    use appeals_domain::dictionary::default_dictionaries;

    #[test]
    fn entries_round_trip_through_rows() {
        for book in default_dictionaries() {
            for (i, entry) in book.entries.iter().enumerate() {
                let row = entry_to_row(book.name, i as i32, entry).unwrap();
                assert_eq!(&row_to_entry(&row).unwrap(), entry, "{}", book.name);
            }
        }
    }

    /// The generator of the seed block in `migrations/*/2026-11-24-000040_dictionaries_calendar`.
    #[test]
    #[ignore = "generator: prints the dictionary seed SQL"]
    fn print_dictionary_seed_sql() {
        println!("{}", seed_sql(&default_dictionaries()).unwrap());
    }

    /// The generator of the seed block in `migrations/*/2026-12-06-000120_reception_dictionaries`.
    #[test]
    #[ignore = "generator: prints the seed SQL of the ЛП-1 reference books"]
    fn print_reception_dictionary_seed_sql() {
        use appeals_domain::dictionary::DictionaryName::*;
        let books: Vec<_> = default_dictionaries()
            .into_iter()
            .filter(|b| {
                [
                    SocialStatuses,
                    ReceptionIssueNatures,
                    AgeBands,
                    Nationalities,
                    Citizenships,
                ]
                .contains(&b.name)
            })
            .collect();
        println!("{}", seed_sql(&books).unwrap());
    }
}
