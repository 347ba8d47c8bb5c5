//! Pages of several subjects read subject by subject (issue 25 at 10,000,000 cards).
//!
//! A list over a subtree (`subject_id IN (…)`) ordered by id or by control date has no index in
//! that order: PostgreSQL read every card of the subtree and sorted them (a region of ten districts
//! at 10M: seconds, timeouts under load). Each subject's own page is an index range
//! (`(subject_id, id)`, `(subject_id, review_due, id)`), so the page of the subtree is read as the
//! union of each subject's page of ids — at most subjects × page ids — and the rows of the page
//! are then read by id in the list's order.

use chrono::NaiveDate;
use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::{QueryResult, RunQueryDsl};

/// Above this many subjects (or days) a list is one query over all of them (the planner's
/// choice): a union of hundreds of pages costs more to plan than it saves.
pub const MAX_MERGED_PARTS: usize = 64;

/// `SELECT * FROM (SELECT * FROM (part₀) AS rows0 LIMIT n) AS part0 UNION ALL …`: every part a
/// complete ordered select (its own filter and order) cut to the page's `limit`, valid on both
/// backends.
///
/// The limit is written into the SQL, not bound: with a bound `LIMIT $n` PostgreSQL re-planned
/// the prepared statement on every call (custom plans: 4.3 ms to plan a region's 11 parts against
/// 2.2 ms to run them); with the limit in the text its generic plan is kept (0.01 ms). A page has
/// a handful of sizes, so a handful of statements.
pub struct UnionAll<Q> {
    parts: Vec<Q>,
    limit: i64,
}

impl<Q> UnionAll<Q> {
    pub fn new(parts: Vec<Q>, limit: i64) -> Self {
        Self { parts, limit }
    }
}

impl<Q: Query> Query for UnionAll<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> QueryId for UnionAll<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, DB> QueryFragment<DB> for UnionAll<Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        // Cached as a prepared statement when every part may be: the same subjects' list with
        // the same filters is the same SQL text (the statement cache is keyed by it).
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push_sql(" UNION ALL ");
            }
            out.push_sql("SELECT * FROM (SELECT * FROM (");
            part.walk_ast(out.reborrow())?;
            out.push_sql(&format!(") AS rows{i} LIMIT {}) AS part{i}", self.limit));
        }
        Ok(())
    }
}

impl<Q, Conn> RunQueryDsl<Conn> for UnionAll<Q> {}

/// The subjects whose pages a list reads one by one: several, and not too many.
pub fn subjects_to_merge(subjects: Option<&Vec<i64>>) -> Option<&[i64]> {
    subjects
        .map(Vec::as_slice)
        .filter(|s| (2..=MAX_MERGED_PARTS).contains(&s.len()))
}

/// The days of a registration-date range whose pages a national list reads one by one: a bounded
/// range of at most `MAX_MERGED_PARTS` days (a month, a quarter's part). Each day's page is one
/// range of `(registration_date, id)` in id order.
pub fn days_to_merge(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Option<impl Iterator<Item = NaiveDate>> {
    let (from, to) = (from?, to?);
    let days = (to - from).num_days() + 1;
    let bounded = (1..=MAX_MERGED_PARTS as i64).contains(&days);
    bounded.then(|| from.iter_days().take_while(move |d| *d <= to))
}
