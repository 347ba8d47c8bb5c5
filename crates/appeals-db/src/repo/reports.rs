//! Report 1-ОЛ storage: the count changes appended by the card write path, their folding into
//! the kept counts, the sums a report reads, the versioned definition and the frozen months.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use crate::conn::{Backend, DbConn};
use crate::error::DbError;
use crate::schema::{report_count_changes as changes, report_counts as counts};
use crate::schema::{report_definitions as definitions, report_snapshots as snapshots};

/// One change of a count, as the write path appends it.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = changes)]
pub struct NewCountChange {
    pub subject_id: i64,
    pub month: i32,
    pub measure: String,
    pub dimensions: String,
    pub n: i64,
}

/// Appends the count changes of one card change (an insert: no row is shared between
/// transactions, so registrations of one subject do not queue behind a counter).
pub fn append_changes(conn: &mut DbConn, rows: &[NewCountChange]) -> Result<(), DbError> {
    // One statement for the whole change (a registration appends two rows).
    match rows {
        [] => {}
        [row] => {
            diesel::insert_into(changes::table)
                .values(row)
                .execute(conn)?;
        }
        // Multi-row VALUES is backend-specific in diesel (not through `MultiConnection`).
        _ => {
            crate::per_backend!(conn, |c| diesel::insert_into(changes::table)
                .values(rows)
                .execute(c))?;
        }
    }
    Ok(())
}

/// A subject and the earliest month whose counts a fold changed.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Touched {
    #[diesel(sql_type = BigInt)]
    pub subject_id: i64,
    #[diesel(sql_type = Integer)]
    pub month: i32,
}

/// Folds up to `limit` of the oldest changes into the kept counts; returns the subjects and
/// months it changed. On PostgreSQL the rows are claimed with `FOR UPDATE SKIP LOCKED`, so folders
/// in several processes never fold one change twice; SQLite has one writer at a time.
pub fn fold(conn: &mut DbConn, limit: i64) -> Result<Vec<Touched>, DbError> {
    match conn.backend() {
        Backend::Postgres => Ok(diesel::sql_query(
            "WITH moved AS (
                 DELETE FROM report_count_changes WHERE id IN (
                     SELECT id FROM report_count_changes ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
                 RETURNING subject_id, month, measure, dimensions, n),
             folded AS (
                 INSERT INTO report_counts (subject_id, month, measure, dimensions, n)
                 SELECT subject_id, month, measure, dimensions, SUM(n) FROM moved
                 GROUP BY subject_id, month, measure, dimensions
                 ON CONFLICT (subject_id, month, measure, dimensions)
                 DO UPDATE SET n = report_counts.n + excluded.n
                 RETURNING subject_id, month)
             SELECT subject_id, MIN(month) AS month FROM folded GROUP BY subject_id",
        )
        .bind::<BigInt, _>(limit)
        .load(conn)?),
        Backend::Sqlite => {
            let last: Option<i64> = changes::table
                .select(changes::id)
                .order(changes::id.asc())
                .offset(limit - 1)
                .first(conn)
                .optional()?;
            let last = match last {
                Some(id) => id,
                None => match changes::table.select(diesel::dsl::max(changes::id)).first(conn)? {
                    Some(id) => id,
                    None => return Ok(Vec::new()),
                },
            };
            let touched: Vec<Touched> = diesel::sql_query(
                "SELECT subject_id, MIN(month) AS month FROM report_count_changes
                 WHERE id <= ? GROUP BY subject_id",
            )
            .bind::<BigInt, _>(last)
            .load(conn)?;
            diesel::sql_query(
                "INSERT INTO report_counts (subject_id, month, measure, dimensions, n)
                 SELECT subject_id, month, measure, dimensions, SUM(n) FROM report_count_changes
                 WHERE id <= ? GROUP BY subject_id, month, measure, dimensions
                 ON CONFLICT (subject_id, month, measure, dimensions)
                 DO UPDATE SET n = report_counts.n + excluded.n",
            )
            .bind::<BigInt, _>(last)
            .execute(conn)?;
            diesel::delete(changes::table.filter(changes::id.le(last))).execute(conn)?;
            Ok(touched)
        }
    }
}

/// How many changes wait to be folded.
pub fn pending_changes(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(changes::table.count().get_result(conn)?)
}

/// A sum of kept counts for a report: `month` 0 stands for every month before the year.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct CountSum {
    #[diesel(sql_type = BigInt)]
    pub subject_id: i64,
    #[diesel(sql_type = Integer)]
    pub month: i32,
    #[diesel(sql_type = Text)]
    pub measure: String,
    #[diesel(sql_type = Text)]
    pub dimensions: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// The counts up to `end` (yyyymm) — folded and not yet folded — summed per subject, measure,
/// dimensions and month of the year from `year_start`, with every earlier month in one sum
/// (month 0). `subjects` narrows to a scope (all subjects when `None`).
pub fn sums(
    conn: &mut DbConn,
    subjects: Option<&[i64]>,
    year_start: i32,
    end: i32,
) -> Result<Vec<CountSum>, DbError> {
    // The ids are numbers from the guard, written into the text: one statement whatever the
    // scope's size, with no limit on bind parameters.
    let scope = match subjects {
        None => String::new(),
        Some([]) => return Ok(Vec::new()),
        Some(ids) => format!(
            " AND subject_id IN ({})",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    };
    let sql = format!(
        "SELECT subject_id, CASE WHEN month < {year_start} THEN 0 ELSE month END AS month,
                measure, dimensions, CAST(SUM(n) AS BIGINT) AS n
         FROM (SELECT subject_id, month, measure, dimensions, n FROM report_counts
               WHERE month <= {end}{scope}
               UNION ALL
               SELECT subject_id, month, measure, dimensions, n FROM report_count_changes
               WHERE month <= {end}{scope}) u
         GROUP BY subject_id, CASE WHEN month < {year_start} THEN 0 ELSE month END, measure, dimensions"
    );
    Ok(diesel::sql_query(sql).load(conn)?)
}

/// Every kept count, folded and not, summed (the recount check compares it with the cards).
pub fn all_sums(conn: &mut DbConn) -> Result<Vec<CountSum>, DbError> {
    Ok(diesel::sql_query(
        "SELECT subject_id, month, measure, dimensions, CAST(SUM(n) AS BIGINT) AS n
         FROM (SELECT subject_id, month, measure, dimensions, n FROM report_counts
               UNION ALL
               SELECT subject_id, month, measure, dimensions, n FROM report_count_changes) u
         GROUP BY subject_id, month, measure, dimensions
         HAVING SUM(n) <> 0
         ORDER BY subject_id, month, measure, dimensions",
    )
    .load(conn)?)
}

/// Drops every kept count (before a recount).
pub fn clear_counts(conn: &mut DbConn) -> Result<(), DbError> {
    diesel::delete(changes::table).execute(conn)?;
    diesel::delete(counts::table).execute(conn)?;
    Ok(())
}

/// Stores recounted counts (already summed).
pub fn insert_counts(conn: &mut DbConn, rows: &[NewCountChange]) -> Result<(), DbError> {
    for chunk in rows.chunks(500) {
        let values: Vec<_> = chunk
            .iter()
            .map(|r| {
                (
                    counts::subject_id.eq(r.subject_id),
                    counts::month.eq(r.month),
                    counts::measure.eq(&r.measure),
                    counts::dimensions.eq(&r.dimensions),
                    counts::n.eq(r.n),
                )
            })
            .collect();
        for v in values {
            diesel::insert_into(counts::table).values(v).execute(conn)?;
        }
    }
    Ok(())
}

/// Locks the count changes against writers until the transaction ends (PostgreSQL; SQLite's
/// write transaction excludes them anyway): a recount then sees every card change exactly once.
pub fn lock_count_changes(conn: &mut DbConn) -> Result<(), DbError> {
    if conn.backend() == Backend::Postgres {
        diesel::sql_query("LOCK TABLE report_count_changes IN EXCLUSIVE MODE").execute(conn)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The definition
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = definitions, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct DefinitionRow {
    pub version: i64,
    pub definition: String,
    pub content_hash: String,
    pub changed_at: NaiveDateTime,
    pub changed_by: Option<i64>,
    pub reason: String,
}

/// The definition in force (the latest version), if any is stored.
pub fn latest_definition(conn: &mut DbConn) -> Result<Option<DefinitionRow>, DbError> {
    Ok(definitions::table
        .order(definitions::version.desc())
        .select(DefinitionRow::as_select())
        .first(conn)
        .optional()?)
}

/// One stored version.
pub fn definition(conn: &mut DbConn, version: i64) -> Result<Option<DefinitionRow>, DbError> {
    Ok(definitions::table
        .find(version)
        .select(DefinitionRow::as_select())
        .first(conn)
        .optional()?)
}

/// A version in the list (without the text).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = definitions, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct DefinitionVersionRow {
    pub version: i64,
    pub content_hash: String,
    pub changed_at: NaiveDateTime,
    pub changed_by: Option<i64>,
    pub reason: String,
}

/// Every version, newest first, without the text.
pub fn definition_versions(conn: &mut DbConn) -> Result<Vec<DefinitionVersionRow>, DbError> {
    Ok(definitions::table
        .order(definitions::version.desc())
        .select(DefinitionVersionRow::as_select())
        .load(conn)?)
}

/// Stores a version (a second writer of the same version fails on the primary key).
pub fn insert_definition(conn: &mut DbConn, row: &DefinitionRow) -> Result<(), DbError> {
    diesel::insert_into(definitions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Frozen months
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = snapshots, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct SnapshotRow {
    pub id: i64,
    pub subject_id: i64,
    pub year: i32,
    pub month: i32,
    pub revision: i32,
    pub content: String,
    pub content_hash: String,
    pub definition_version: i64,
    pub calendar_version: String,
    pub generated_at: NaiveDateTime,
    pub closed_by: Option<i64>,
    pub changes: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = snapshots)]
pub struct NewSnapshotRow {
    pub subject_id: i64,
    pub year: i32,
    pub month: i32,
    pub revision: i32,
    pub content: String,
    pub content_hash: String,
    pub definition_version: i64,
    pub calendar_version: String,
    pub generated_at: NaiveDateTime,
    pub closed_by: Option<i64>,
    pub changes: String,
}

/// Stores a revision (a concurrent writer of the same revision fails on the unique key).
pub fn insert_snapshot(conn: &mut DbConn, row: &NewSnapshotRow) -> Result<SnapshotRow, DbError> {
    Ok(diesel::insert_into(snapshots::table)
        .values(row)
        .get_result(conn)?)
}

/// The revisions of a subject's month, oldest first.
pub fn revisions(
    conn: &mut DbConn,
    subject_id: i64,
    year: i32,
    month: i32,
) -> Result<Vec<SnapshotRow>, DbError> {
    Ok(snapshots::table
        .filter(snapshots::subject_id.eq(subject_id))
        .filter(snapshots::year.eq(year))
        .filter(snapshots::month.eq(month))
        .order(snapshots::revision.asc())
        .select(SnapshotRow::as_select())
        .load(conn)?)
}

/// The first revision of every closed month of the subjects in a year: (subject, month, closed at).
pub fn closed_months(
    conn: &mut DbConn,
    subject_ids: Option<&[i64]>,
    year: i32,
) -> Result<Vec<(i64, i32, NaiveDateTime)>, DbError> {
    let mut q = snapshots::table
        .filter(snapshots::year.eq(year))
        .filter(snapshots::revision.eq(1))
        .select((
            snapshots::subject_id,
            snapshots::month,
            snapshots::generated_at,
        ))
        .into_boxed();
    if let Some(ids) = subject_ids {
        q = q.filter(snapshots::subject_id.eq_any(ids.to_vec()));
    }
    Ok(q.load(conn)?)
}

/// Closed months of the subjects at or after a month (yyyymm): (subject, year, month).
pub fn closed_since(
    conn: &mut DbConn,
    subject_ids: &[i64],
    month: i32,
) -> Result<Vec<(i64, i32, i32)>, DbError> {
    let (year, m) = (month / 100, month % 100);
    Ok(snapshots::table
        .filter(snapshots::subject_id.eq_any(subject_ids.to_vec()))
        .filter(snapshots::revision.eq(1))
        .filter(
            snapshots::year
                .gt(year)
                .or(snapshots::year.eq(year).and(snapshots::month.ge(m))),
        )
        .select((snapshots::subject_id, snapshots::year, snapshots::month))
        .load(conn)?)
}
