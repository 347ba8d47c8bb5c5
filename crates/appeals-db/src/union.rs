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

/// Above this many subjects (or control months and days) a list is one query over all of them (the planner's
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
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        // Cached as a prepared statement when every part may be: the same subjects' list with
        // the same filters is the same SQL text (the statement cache is keyed by it).
        union_of_cut_parts(&self.parts, self.limit, |_| "SELECT *".to_owned(), out)
    }
}

/// `head₀ FROM (SELECT * FROM (part₀) AS rows0 LIMIT n) AS part0 UNION ALL …`: each part cut to
/// `limit` rows in its own order, the limit written into the SQL.
fn union_of_cut_parts<'b, Q, DB>(
    parts: &'b [Q],
    limit: i64,
    head: impl Fn(usize) -> String,
    mut out: AstPass<'_, 'b, DB>,
) -> QueryResult<()>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_sql(" UNION ALL ");
        }
        out.push_sql(&format!("{} FROM (SELECT * FROM (", head(i)));
        part.walk_ast(out.reborrow())?;
        out.push_sql(&format!(") AS rows{i} LIMIT {limit}) AS part{i}"));
    }
    Ok(())
}

impl<Q, Conn> RunQueryDsl<Conn> for UnionAll<Q> {}

/// `SELECT 0, count(*) FROM (SELECT * FROM (part₀) AS rows0 LIMIT n) AS part0 UNION ALL …`:
/// how many rows each part holds, up to `n`, in one statement — each part read in its own order
/// (the order its pages are read in, so the same index serves both), cut at `n`, and no row sent.
/// Rows `(part number, count)`; the limit is written into the SQL as in [`UnionAll`].
pub struct CappedCounts<Q> {
    parts: Vec<Q>,
    limit: i64,
}

impl<Q> CappedCounts<Q> {
    pub fn new(parts: Vec<Q>, limit: i64) -> Self {
        Self { parts, limit }
    }
}

impl<Q> Query for CappedCounts<Q> {
    type SqlType = (diesel::sql_types::Integer, diesel::sql_types::BigInt);
}

impl<Q> QueryId for CappedCounts<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, DB> QueryFragment<DB> for CappedCounts<Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        union_of_cut_parts(
            &self.parts,
            self.limit,
            |i| format!("SELECT {i}, count(*)"),
            out,
        )
    }
}

impl<Q, Conn> RunQueryDsl<Conn> for CappedCounts<Q> {}

/// `SELECT id FROM (SELECT * FROM (SELECT * FROM (part₀) AS rows0 LIMIT n) AS part0 UNION ALL …)
/// AS scope ORDER BY id DESC LIMIT 1 OFFSET n - 1`: the `n`-th largest `id` of all the parts
/// together, each part a select of one column `id` in descending order, cut at `n` (no part can
/// hold more of the `n` largest) — one index range per part, no row sent but the one.
pub struct NthNewest<Q> {
    parts: Vec<Q>,
    n: i64,
}

impl<Q> NthNewest<Q> {
    pub fn new(parts: Vec<Q>, n: i64) -> Self {
        Self { parts, n: n.max(1) }
    }
}

impl<Q> Query for NthNewest<Q> {
    type SqlType = diesel::sql_types::BigInt;
}

impl<Q> QueryId for NthNewest<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, DB> QueryFragment<DB> for NthNewest<Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("SELECT id FROM (");
        union_of_cut_parts(
            &self.parts,
            self.n,
            |_| "SELECT *".to_owned(),
            out.reborrow(),
        )?;
        out.push_sql(&format!(
            ") AS scope ORDER BY id DESC LIMIT 1 OFFSET {}",
            self.n - 1
        ));
        Ok(())
    }
}

impl<Q, Conn> RunQueryDsl<Conn> for NthNewest<Q> {}

/// The subjects whose pages a list reads one by one: several, and not too many.
pub fn subjects_to_merge(subjects: Option<&Vec<i64>>) -> Option<&[i64]> {
    subjects
        .map(Vec::as_slice)
        .filter(|s| (2..=MAX_MERGED_PARTS).contains(&s.len()))
}

/// A part of the authorized body's `overdue` or `deemed_refusal` page, by control date
/// (`review_due`). Across every subject the open cards in term are the newest, so a page read by
/// id skipped them all; read by control date, each part is one range in id order and no card in
/// term is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlBucket {
    /// Due in the month starting on this day (`appeals_open_by_due_month`).
    Month(NaiveDate),
    /// Due on this day (`appeals_review_due`).
    Day(NaiveDate),
    /// Due before this day: the months too old to be merged one by one, read as one range (the
    /// planner's choice; few open cards are that old).
    Before(NaiveDate),
}

/// A condition written into the SQL text — constants and dates the server computed, never the
/// caller's input — that keeps its statement in the prepared-statement cache (`diesel::dsl::sql`
/// does not: a page of thirty parts was planned again on every call) and lets PostgreSQL keep
/// the generic plan: with the statuses bound as an array it re-planned every call (2 ms of a
/// 3.3 ms national `deemed_refusal` page at 10M).
#[derive(Debug, Clone)]
pub struct SqlCondition(std::borrow::Cow<'static, str>);

impl SqlCondition {
    /// R44: an accountable card with no decision yet (`deemed_refusal`).
    pub const UNDECIDED_ACCOUNTABLE: SqlCondition = SqlCondition(std::borrow::Cow::Borrowed(
        "appeals.is_accountable AND appeals.status NOT IN ('decided', 'closed')",
    ));

    /// `appeals.$column` is (`IN`) or is not (`NOT IN`) one of `values` — codes of the program
    /// (statuses, pending stages), each quoted with its quotes doubled. Bound as an array
    /// (`= ANY($n)`, `!= ALL($n)`) they kept PostgreSQL on custom plans: half a millisecond of
    /// planning in every work-list count.
    pub fn codes(column: &'static str, not: bool, values: &[&'static str]) -> Self {
        let quoted: Vec<String> = values
            .iter()
            .map(|v| format!("'{}'", v.replace('\'', "''")))
            .collect();
        if quoted.is_empty() {
            // `IN ()` is not SQL: nothing is in an empty set.
            return Self(std::borrow::Cow::Borrowed(if not {
                "TRUE"
            } else {
                "FALSE"
            }));
        }
        // One code is written as `=` / `<>`: the form a partial index's predicate is matched
        // against (`appeals_awaiting_assignment`, `WHERE status = 'registered'`).
        Self(std::borrow::Cow::Owned(match quoted.as_slice() {
            [one] => format!("appeals.{column} {} {one}", if not { "<>" } else { "=" }),
            many => format!(
                "appeals.{column} {} ({})",
                if not { "NOT IN" } else { "IN" },
                many.join(", ")
            ),
        }))
    }

    /// `appeals.review_due` falls in the month starting on `first_day`: the expression of
    /// `appeals_open_by_due_month` on each backend.
    pub fn due_in_month(backend: crate::conn::Backend, first_day: NaiveDate) -> Self {
        Self(std::borrow::Cow::Owned(match backend {
            crate::conn::Backend::Postgres => format!(
                "date_trunc('month', appeals.review_due::timestamp) = '{}'::timestamp",
                first_day.format("%Y-%m-%d")
            ),
            crate::conn::Backend::Sqlite => format!(
                "substr(appeals.review_due, 1, 7) = '{}'",
                first_day.format("%Y-%m")
            ),
        }))
    }
}

impl diesel::Expression for SqlCondition {
    type SqlType = diesel::sql_types::Bool;
}

impl<QS> diesel::AppearsOnTable<QS> for SqlCondition {}

impl<QS> diesel::SelectableExpression<QS> for SqlCondition {}

impl<GB> diesel::expression::ValidGrouping<GB> for SqlCondition {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl QueryId for SqlCondition {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<DB: Backend> QueryFragment<DB> for SqlCondition {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("(");
        out.push_sql(&self.0);
        out.push_sql(")");
        Ok(())
    }
}

/// The parts of a page of cards due before `before` when the oldest open card is due on
/// `oldest`: each month before `before`'s whole, then each day of `before`'s month up to it; when
/// that is more than `MAX_MERGED_PARTS` parts, the oldest months are one `Before` part. Empty when
/// nothing open is due before `before`.
pub fn control_buckets(oldest: NaiveDate, before: NaiveDate) -> Vec<ControlBucket> {
    use chrono::{Datelike, Months};
    if oldest >= before {
        return Vec::new();
    }
    let this_month = before.with_day(1).unwrap_or(before);
    let days: Vec<ControlBucket> = oldest
        .max(this_month)
        .iter_days()
        .take_while(|d| *d < before)
        .map(ControlBucket::Day)
        .collect();
    let first_month = oldest.with_day(1).unwrap_or(oldest);
    let mut months: Vec<ControlBucket> =
        std::iter::successors(Some(first_month), |m| m.checked_add_months(Months::new(1)))
            .take_while(|m| *m < this_month)
            .map(ControlBucket::Month)
            .collect();
    let room = MAX_MERGED_PARTS.saturating_sub(days.len() + 1);
    if months.len() > room + 1 {
        let kept = months.split_off(months.len() - room);
        months = match kept.first() {
            Some(ControlBucket::Month(cut)) => vec![ControlBucket::Before(*cut)],
            _ => vec![ControlBucket::Before(this_month)],
        };
        months.extend(kept);
    }
    months.extend(days);
    months
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn codes_are_quoted_into_the_sql() {
        let sql = |c: SqlCondition| c.0.into_owned();
        assert_eq!(
            sql(SqlCondition::codes("status", true, &["decided", "it's"])),
            "appeals.status NOT IN ('decided', 'it''s')"
        );
        assert_eq!(
            sql(SqlCondition::codes("pending", false, &["a"])),
            "appeals.pending = 'a'"
        );
        assert_eq!(
            sql(SqlCondition::codes("status", true, &["closed"])),
            "appeals.status <> 'closed'"
        );
        assert_eq!(sql(SqlCondition::codes("pending", false, &[])), "FALSE");
        assert_eq!(sql(SqlCondition::codes("status", true, &[])), "TRUE");
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn each_past_month_whole_then_each_day_of_the_current_month() {
        use ControlBucket::{Day, Month};
        assert_eq!(
            control_buckets(day("2026-10-20"), day("2026-12-04")),
            vec![
                Month(day("2026-10-01")),
                Month(day("2026-11-01")),
                Day(day("2026-12-01")),
                Day(day("2026-12-02")),
                Day(day("2026-12-03")),
            ]
        );
        // Within the current month: its days from the oldest on.
        assert_eq!(
            control_buckets(day("2026-12-02"), day("2026-12-04")),
            vec![Day(day("2026-12-02")), Day(day("2026-12-03"))]
        );
        // On the first of a month: months only.
        assert_eq!(
            control_buckets(day("2026-11-30"), day("2026-12-01")),
            vec![Month(day("2026-11-01"))]
        );
        // Nothing open is due before the day.
        assert!(control_buckets(day("2026-12-04"), day("2026-12-04")).is_empty());
        assert!(control_buckets(day("2026-12-10"), day("2026-12-04")).is_empty());
    }

    #[test]
    fn months_too_old_to_merge_are_one_range() {
        let parts = control_buckets(day("2019-05-17"), day("2026-12-31"));
        assert_eq!(parts.len(), MAX_MERGED_PARTS);
        // 30 days of December, 33 months before it, and one range before those.
        assert_eq!(parts[0], ControlBucket::Before(day("2024-03-01")));
        assert_eq!(parts[1], ControlBucket::Month(day("2024-03-01")));
        assert_eq!(parts[33], ControlBucket::Month(day("2026-11-01")));
        assert_eq!(parts[34], ControlBucket::Day(day("2026-12-01")));
        assert_eq!(parts[63], ControlBucket::Day(day("2026-12-30")));
        // Just within the bound: no range.
        let parts = control_buckets(day("2024-02-01"), day("2026-12-31"));
        assert_eq!(parts.len(), MAX_MERGED_PARTS);
        assert_eq!(parts[0], ControlBucket::Month(day("2024-02-01")));
    }
}
