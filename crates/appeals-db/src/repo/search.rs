//! The search index of appeals (issue 25): the FTS table `appeal_search` — a `simple` tsvector
//! with a GIN index on PostgreSQL, an FTS5 table on SQLite, its rowid the appeal's id — and the
//! applicants' keyed IIN/BIN hashes. The terms come from `appeals_domain::search`; both backends
//! match the same terms, so they find the same cards.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::conn::{Backend, DbConn};
use crate::error::DbError;
use crate::rows::AppealRow;
use crate::schema::{appeal_search_keys as keys, appeals};

/// Removes the terms a card is found by (before they are written again).
pub fn delete_terms(conn: &mut DbConn, appeal_id: i64) -> Result<(), DbError> {
    let sql = match conn.backend() {
        Backend::Postgres => "DELETE FROM appeal_search WHERE appeal_id = $1",
        Backend::Sqlite => "DELETE FROM appeal_search WHERE rowid = ?",
    };
    diesel::sql_query(sql)
        .bind::<BigInt, _>(appeal_id)
        .execute(conn)?;
    Ok(())
}

/// Writes the terms a card is found by (it has none: new, or deleted just before).
pub fn insert_terms(
    conn: &mut DbConn,
    appeal_id: i64,
    subject_id: i64,
    terms: &str,
) -> Result<(), DbError> {
    let sql = match conn.backend() {
        Backend::Postgres => {
            "INSERT INTO appeal_search (appeal_id, subject_id, terms)
             VALUES ($1, $2, to_tsvector('simple', $3))"
        }
        Backend::Sqlite => "INSERT INTO appeal_search (rowid, subject_id, terms) VALUES (?, ?, ?)",
    };
    diesel::sql_query(sql)
        .bind::<BigInt, _>(appeal_id)
        .bind::<BigInt, _>(subject_id)
        .bind::<Text, _>(terms)
        .execute(conn)?;
    Ok(())
}

/// Removes the keyed IIN/BIN hashes of a card's applicants.
pub fn delete_keys(conn: &mut DbConn, appeal_id: i64) -> Result<(), DbError> {
    diesel::delete(keys::table.filter(keys::appeal_id.eq(appeal_id))).execute(conn)?;
    Ok(())
}

/// Writes the keyed IIN/BIN hashes of a card's applicants.
pub fn insert_keys(conn: &mut DbConn, appeal_id: i64, hashes: &[String]) -> Result<(), DbError> {
    let rows: Vec<_> = hashes
        .iter()
        .map(|h| (keys::key_hash.eq(h), keys::appeal_id.eq(appeal_id)))
        .collect();
    if !rows.is_empty() {
        crate::per_backend!(conn, |c| diesel::insert_into(keys::table)
            .values(&rows)
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    Ok(())
}

/// Empties the index (before a rebuild).
pub fn clear(conn: &mut DbConn) -> Result<(), DbError> {
    diesel::sql_query("DELETE FROM appeal_search").execute(conn)?;
    diesel::delete(keys::table).execute(conn)?;
    Ok(())
}

/// Where the matching cards may lie: `None` for every subject.
fn subject_clause(column: &str, subjects: Option<&[i64]>) -> String {
    match subjects {
        None => String::new(),
        Some(ids) => {
            // Integers only: formatting them cannot inject anything.
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!(" AND {column} IN ({})", list.join(","))
        }
    }
}

/// The subjects' own matches on PostgreSQL: `subject_id = s` for each subject, OR-ed, so that each
/// is an index condition of `appeal_search_subject_terms (subject_id, terms)` beside the words
/// (the planner takes neither `IN (…)` nor an `integer` literal into a GIN index of `bigint`).
fn subjects_of_pg(subjects: &[i64]) -> String {
    // Integers only: formatting them cannot inject anything.
    let any: Vec<String> = subjects
        .iter()
        .map(|s| format!("subject_id = {s}::bigint"))
        .collect();
    format!(" AND ({})", any.join(" OR "))
}

/// Whether a PostgreSQL search reads its subjects' own matches (`subjects_of_pg`) instead of
/// windows of the nation's newest cards: a subject's matches are few beside the nation's (50,000
/// cards of a district at 10M), but a district's share of the newest 100,000 ids is ≈ 500 cards,
/// so the windows widened to the whole table on nearly every subject's search.
fn by_own_subjects(conn: &DbConn, subjects: Option<&[i64]>) -> bool {
    conn.backend() == Backend::Postgres
        && subjects.is_some_and(|s| s.len() <= crate::union::MAX_MERGED_PARTS)
}

/// `(a OR b) AND (c)` in a backend's query syntax: every group must match, by any of its terms,
/// each term quoted (a quote inside doubled).
fn match_expression(groups: &[Vec<String>], quote: char, or: &str, and: &str) -> String {
    let doubled = format!("{quote}{quote}");
    groups
        .iter()
        .map(|g| {
            let any: Vec<String> = g
                .iter()
                .map(|t| format!("{quote}{}{quote}", t.replace(quote, &doubled)))
                .collect();
            format!("({})", any.join(or))
        })
        .collect::<Vec<_>>()
        .join(and)
}

/// How many of the newest matching cards a search ranks: the words of appeals recur (a street, a
/// surname, «отопление»), and ranking every match read every match's terms — 2.5 s for two words
/// at 1,000,000 realistic cards (docs/performance.md, "Search at scale"). Older cards are found by
/// a narrower query or by the list's filters.
pub const RANKED: i64 = 1_000;

/// The newest ids a search over every subject (or more than `MAX_MERGED_PARTS`, and any on SQLite)
/// looks among first, widened while they hold fewer than [`RANKED`] matches; the last step has no
/// bound. A common word's newest matches lie in the first window, and only the window's matches
/// are read. A PostgreSQL search within a few subjects reads their own matches instead.
pub const WINDOWS: [i64; 2] = [100_000, 1_000_000];

/// How far a search ranks and where it looks first ([`RANKED`], [`WINDOWS`]; tests use small ones).
#[derive(Debug, Clone, Copy)]
pub struct Ranking<'a> {
    pub ranked: i64,
    pub windows: &'a [i64],
}

impl Ranking<'static> {
    pub const DEFAULT: Ranking<'static> = Ranking {
        ranked: RANKED,
        windows: &WINDOWS,
    };
}

#[derive(QueryableByName)]
struct RankedHit {
    #[diesel(sql_type = BigInt)]
    appeal_id: i64,
    /// How many matches the window holds, up to [`RANKED`].
    #[diesel(sql_type = BigInt)]
    matched: i64,
}

/// Ids of the cards whose terms match every group of `groups` (a group by any of its terms), best
/// ranked first (ties: newest first) among the [`RANKED`] newest matches, within `subjects`;
/// `offset`/`limit` page the ranking.
pub fn matching(
    conn: &mut DbConn,
    groups: &[Vec<String>],
    subjects: Option<&[i64]>,
    offset: i64,
    limit: i64,
) -> Result<Vec<i64>, DbError> {
    matching_ranked(conn, groups, subjects, offset, limit, Ranking::DEFAULT)
}

/// [`matching`] with the given bounds: the same ids whatever the windows (each step ranks the
/// `ranked` newest matches, and a window stops the search only when it holds that many).
pub fn matching_ranked(
    conn: &mut DbConn,
    groups: &[Vec<String>],
    subjects: Option<&[i64]>,
    offset: i64,
    limit: i64,
    ranking: Ranking<'_>,
) -> Result<Vec<i64>, DbError> {
    if subjects.is_some_and(<[i64]>::is_empty) {
        return Ok(Vec::new());
    }
    if by_own_subjects(conn, subjects) {
        let hits = ranked_in_window(conn, groups, subjects, None, ranking.ranked, offset, limit)?;
        return Ok(hits.into_iter().map(|h| h.appeal_id).collect());
    }
    let newest: Option<i64> = appeals::table
        .select(diesel::dsl::max(appeals::id))
        .first(conn)?;
    let newest = newest.unwrap_or(0);
    let floors = ranking
        .windows
        .iter()
        .map(|w| newest - w)
        .filter(|floor| *floor > 0)
        .map(Some)
        .chain([None]);
    for floor in floors {
        let hits = ranked_in_window(conn, groups, subjects, floor, ranking.ranked, offset, limit)?;
        let matched = hits.first().map_or(0, |h| h.matched);
        if floor.is_none() || matched >= ranking.ranked {
            return Ok(hits.into_iter().map(|h| h.appeal_id).collect());
        }
    }
    Ok(Vec::new())
}

/// One step of [`matching`]: the ranking among the `ranked` newest matches with an id above
/// `floor` (none: all).
fn ranked_in_window(
    conn: &mut DbConn,
    groups: &[Vec<String>],
    subjects: Option<&[i64]>,
    floor: Option<i64>,
    ranked: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<RankedHit>, DbError> {
    // Terms are stems of letters and digits (appeals_domain::search); quoting keeps any other
    // character literal all the same. Ids and the floor are integers: formatting them cannot
    // inject anything.
    let window = |column: &str| floor.map_or(String::new(), |f| format!(" AND {column} > {f}"));
    let own_subjects = by_own_subjects(conn, subjects);
    Ok(match conn {
        DbConn::Pg(c) => {
            let tsquery = match_expression(groups, '\'', " | ", " & ");
            c.transaction(|c| {
                // Without this the planner reads the window by the primary key and checks each
                // row's terms (500 ms for 100,000 rows at 1M cards); the bitmaps of the terms index
                // and of the id range, AND-ed, read only the window's matches (32 ms).
                diesel::sql_query("SET LOCAL enable_indexscan = off").execute(c)?;
                diesel::sql_query(format!(
                    "SELECT appeal_id, matched FROM (
                         SELECT appeal_id, terms, count(*) OVER () AS matched FROM (
                             SELECT appeal_id, terms FROM appeal_search
                             WHERE terms @@ to_tsquery('simple', $1){}{}
                             ORDER BY appeal_id DESC LIMIT {ranked}) newest) counted,
                       to_tsquery('simple', $1) AS q
                     ORDER BY ts_rank(terms, q) DESC, appeal_id DESC
                     OFFSET $2 LIMIT $3",
                    window("appeal_id"),
                    match subjects {
                        Some(s) if own_subjects => subjects_of_pg(s),
                        _ => subject_clause("subject_id", subjects),
                    }
                ))
                .bind::<Text, _>(&tsquery)
                .bind::<BigInt, _>(offset)
                .bind::<BigInt, _>(limit)
                .load(c)
            })?
        }
        DbConn::Sqlite(c) => {
            let expr = match_expression(groups, '"', " OR ", " AND ");
            diesel::sql_query(format!(
                "SELECT appeal_id, matched FROM (
                     SELECT appeal_id, score, count(*) OVER () AS matched FROM (
                         SELECT rowid AS appeal_id, bm25(appeal_search) AS score FROM appeal_search
                         WHERE appeal_search MATCH ?{}{}
                         ORDER BY rowid DESC LIMIT {ranked}))
                 ORDER BY score, appeal_id DESC
                 LIMIT ? OFFSET ?",
                window("rowid"),
                subject_clause("subject_id", subjects)
            ))
            .bind::<Text, _>(expr)
            .bind::<BigInt, _>(limit)
            .bind::<BigInt, _>(offset)
            .load(c)?
        }
    })
}

/// Ids of the cards with an applicant whose keyed IIN/BIN hash is `hash`, newest first, within
/// `subjects`.
pub fn with_key(
    conn: &mut DbConn,
    hash: &str,
    subjects: Option<&[i64]>,
    offset: i64,
    limit: i64,
) -> Result<Vec<i64>, DbError> {
    let mut q = keys::table
        .inner_join(appeals::table.on(appeals::id.eq(keys::appeal_id)))
        .filter(keys::key_hash.eq(hash))
        .select(keys::appeal_id)
        .order(keys::appeal_id.desc())
        .offset(offset)
        .limit(limit)
        .into_boxed();
    if let Some(ids) = subjects {
        q = q.filter(appeals::subject_id.eq_any(ids.to_vec()));
    }
    Ok(q.load(conn)?)
}

/// The rows of `ids`, in the order given (ids that do not exist are left out).
pub fn rows_in_order(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<AppealRow>, DbError> {
    let mut rows: Vec<AppealRow> = appeals::table
        .filter(appeals::id.eq_any(ids.to_vec()))
        .select(AppealRow::as_select())
        .load(conn)?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    Ok(rows)
}
