//! ОЛ-1 cards: inserts, versioned updates and filtered lists.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::conn::{Backend, DbConn};
use crate::error::DbError;
use crate::rows::{
    AppealChange, AppealRow, AppealSummaryRow, ApplicantRow, NewAppealRow, NewApplicantRow,
};
use crate::schema::{appeal_applicants, appeal_markings, appeal_tags, appeals};
use crate::union::{self, ControlBucket, UnionAll};

pub fn insert(conn: &mut DbConn, new: &NewAppealRow) -> Result<AppealRow, DbError> {
    Ok(diesel::insert_into(appeals::table)
        .values(new)
        .get_result(conn)?)
}

pub fn get(conn: &mut DbConn, id: i64) -> Result<AppealRow, DbError> {
    Ok(appeals::table
        .find(id)
        .select(AppealRow::as_select())
        .first(conn)?)
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<AppealRow>, DbError> {
    Ok(appeals::table
        .find(id)
        .select(AppealRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_number(conn: &mut DbConn, reg_number: &str) -> Result<Option<AppealRow>, DbError> {
    Ok(appeals::table
        .filter(appeals::reg_number.eq(reg_number))
        .select(AppealRow::as_select())
        .first(conn)
        .optional()?)
}

/// Writes `change` only if the row still has `expected_version` (optimistic concurrency: several
/// processes may edit the same card). `change.version` must be the next version.
pub fn update_versioned(
    conn: &mut DbConn,
    id: i64,
    expected_version: i64,
    change: &AppealChange,
) -> Result<(), DbError> {
    let updated = diesel::update(
        appeals::table
            .filter(appeals::id.eq(id))
            .filter(appeals::version.eq(expected_version)),
    )
    .set(change)
    .execute(conn)?;
    if updated == 1 {
        Ok(())
    } else {
        Err(DbError::Stale)
    }
}

/// Parts forwarded from a main appeal (R4).
pub fn parts(conn: &mut DbConn, main_id: i64) -> Result<Vec<AppealRow>, DbError> {
    Ok(appeals::table
        .filter(appeals::main_appeal_id.eq(main_id))
        .order(appeals::part_k.asc())
        .select(AppealRow::as_select())
        .load(conn)?)
}

/// Inserts З-1 rows and returns them as stored (the registration answers from them without
/// reading them back).
pub fn insert_applicants(
    conn: &mut DbConn,
    rows: &[NewApplicantRow],
) -> Result<Vec<ApplicantRow>, DbError> {
    // One statement per row (usually one applicant): batch inserts with RETURNING are not in
    // MultiConnection's common subset.
    rows.iter()
        .map(|row| {
            Ok(diesel::insert_into(appeal_applicants::table)
                .values(row)
                .get_result::<ApplicantRow>(conn)?)
        })
        .collect()
}

pub fn delete_applicants(conn: &mut DbConn, appeal_id: i64) -> Result<(), DbError> {
    diesel::delete(appeal_applicants::table.filter(appeal_applicants::appeal_id.eq(appeal_id)))
        .execute(conn)?;
    Ok(())
}

pub fn applicants(conn: &mut DbConn, appeal_id: i64) -> Result<Vec<ApplicantRow>, DbError> {
    Ok(appeal_applicants::table
        .filter(appeal_applicants::appeal_id.eq(appeal_id))
        .order(appeal_applicants::ordinal.asc())
        .select(ApplicantRow::as_select())
        .load(conn)?)
}

/// The З-1 rows of several cards in one statement, by card and ordinal (a list page).
pub fn applicants_of(conn: &mut DbConn, appeal_ids: &[i64]) -> Result<Vec<ApplicantRow>, DbError> {
    Ok(appeal_applicants::table
        .filter(appeal_applicants::appeal_id.eq_any(appeal_ids.to_vec()))
        .order((
            appeal_applicants::appeal_id.asc(),
            appeal_applicants::ordinal.asc(),
        ))
        .select(ApplicantRow::as_select())
        .load(conn)?)
}

/// Replaces the filterable copies of the card's tags and markings.
pub fn replace_tags_and_markings(
    conn: &mut DbConn,
    appeal_id: i64,
    subject_id: i64,
    tags: &[String],
    markings: &[String],
) -> Result<(), DbError> {
    diesel::delete(appeal_tags::table.filter(appeal_tags::appeal_id.eq(appeal_id)))
        .execute(conn)?;
    diesel::delete(appeal_markings::table.filter(appeal_markings::appeal_id.eq(appeal_id)))
        .execute(conn)?;
    insert_tags_and_markings(conn, appeal_id, subject_id, tags, markings)
}

/// Writes the filterable copies of a new card's tags and markings, with its holder (nothing to
/// delete yet — this runs on the registration hot path).
pub fn insert_tags_and_markings(
    conn: &mut DbConn,
    appeal_id: i64,
    subject_id: i64,
    tags: &[String],
    markings: &[String],
) -> Result<(), DbError> {
    // One statement per table; the sets drop repeats, which the unique keys would refuse.
    let tags: std::collections::BTreeSet<String> = tags.iter().map(|t| t.to_lowercase()).collect();
    if !tags.is_empty() {
        let rows: Vec<_> = tags
            .into_iter()
            .map(|tag| {
                (
                    appeal_tags::appeal_id.eq(appeal_id),
                    appeal_tags::tag.eq(tag),
                    appeal_tags::subject_id.eq(subject_id),
                )
            })
            .collect();
        // A multi-row VALUES is outside MultiConnection's common subset; each backend has it.
        crate::per_backend!(conn, |c| diesel::insert_into(appeal_tags::table)
            .values(rows)
            .execute(c))?;
    }
    let markings: std::collections::BTreeSet<&String> = markings.iter().collect();
    if !markings.is_empty() {
        let rows: Vec<_> = markings
            .into_iter()
            .map(|marking| {
                (
                    appeal_markings::appeal_id.eq(appeal_id),
                    appeal_markings::marking.eq(marking),
                    appeal_markings::subject_id.eq(subject_id),
                )
            })
            .collect();
        // A multi-row VALUES is outside MultiConnection's common subset; each backend has it.
        crate::per_backend!(conn, |c| diesel::insert_into(appeal_markings::table)
            .values(rows)
            .execute(c))?;
    }
    Ok(())
}

/// The card's tags and markings follow it to its new holder.
pub fn move_tags_and_markings(
    conn: &mut DbConn,
    appeal_id: i64,
    subject_id: i64,
) -> Result<(), DbError> {
    diesel::update(appeal_tags::table.filter(appeal_tags::appeal_id.eq(appeal_id)))
        .set(appeal_tags::subject_id.eq(subject_id))
        .execute(conn)?;
    diesel::update(appeal_markings::table.filter(appeal_markings::appeal_id.eq(appeal_id)))
        .set(appeal_markings::subject_id.eq(subject_id))
        .execute(conn)?;
    Ok(())
}

/// Filters of the appeal list. `visible_subjects` = None means every subject (the guard's reach
/// for the authorized body); otherwise the cards held by the listed subjects.
#[derive(Debug, Clone, Default)]
pub struct AppealFilter {
    pub visible_subjects: Option<Vec<i64>>,
    pub subject_id: Option<i64>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub registered_from: Option<NaiveDate>,
    pub registered_to: Option<NaiveDate>,
    pub applicant_iin_bin: Option<String>,
    pub reg_number: Option<String>,
    pub tag: Option<String>,
    pub marking: Option<String>,
    /// Open appeals whose review deadline is before this date.
    pub overdue_on: Option<NaiveDate>,
    /// Non-accountable appeals not transferred by their transfer deadline, as of this date.
    pub transfer_overdue_on: Option<NaiveDate>,
    /// R44: accountable appeals past their review deadline before this date with no decision (the
    /// final act) yet — the body is deemed to have refused.
    pub deemed_refusal_on: Option<NaiveDate>,
    /// Cards with an act entered on a later day than its stated date (`Some(true)`), or none.
    pub entered_late: Option<bool>,
    /// Only ids below this (the cursor: newest first).
    pub before_id: Option<i64>,
    /// With `before_id`, the cursor of a page in registration-date order ([`Self::in_date_order`]):
    /// only cards registered before this day, or on it with a lower id.
    pub before_registration_date: Option<NaiveDate>,
    pub limit: i64,
    /// Due in this part of the control dates (a part of the authorized body's `overdue` or
    /// `deemed_refusal` page, `page_ids`).
    pub control_bucket: Option<ControlBucket>,
}

impl AppealFilter {
    /// A page of a registration-date range comes by registration date, newest first, then by id:
    /// each subject's range is then one stretch of `appeals_subject_registered (subject_id,
    /// registration_date, id)` in the page's order. In id order each subject's whole range was
    /// read and sorted (a region's January at 10M: p99 115 ms at 32 clients), since a stated
    /// receipt date need not follow the order of registration.
    pub fn in_date_order(&self) -> bool {
        self.registered_from.is_some() || self.registered_to.is_some()
    }
}

/// `appeals.id IN` the ids of a filterable copy (`appeal_tags`, `appeal_markings`) with `$column =
/// $value`, of the holder when there is one (the copy's own `subject_id`).
macro_rules! copied_ids {
    ($q:expr, $table:ident, $column:ident, $value:expr, $holder:expr) => {{
        let rows = $table::table.filter($table::$column.eq($value));
        match $holder {
            Some(s) => $q.filter(
                appeals::id.eq_any(
                    rows.filter($table::subject_id.eq(s))
                        .select($table::appeal_id),
                ),
            ),
            None => $q.filter(appeals::id.eq_any(rows.select($table::appeal_id))),
        }
    }};
}

/// Applies the appeal list's filters and order to a boxed query of `appeals` (newest first, keyset
/// by id); the caller cuts the page (`UnionAll` in the SQL text). The full list and its summary
/// view select different columns of the same rows.
macro_rules! appeal_list_filtered {
    ($q:expr, $f:expr, $backend:expr) => {{
        let f: &AppealFilter = $f;
        let backend: Backend = $backend;
        let mut q = $q;
        // One holder's tagged or marked ids are one range of `(tag, subject_id, appeal_id)` (a
        // subtree's page is read subject by subject, `page_ids`). The holder is then named there
        // alone: said of the card too, the planner multiplies the two selectivities of one fact
        // and joins all the holder's cards (29 ms for a district at 10M) instead of walking the
        // tag's few ids newest first (the page's rows are read again within the scope, `list`).
        let holder = f.subject_id.or(match f.visible_subjects.as_deref() {
            Some([one]) => Some(*one),
            _ => None,
        });
        let by_holder = holder.is_some() && (f.tag.is_some() || f.marking.is_some());
        if let Some(s) = &f.visible_subjects {
            q = match s.as_slice() {
                [_] if by_holder => q,
                [one] => q.filter(appeals::subject_id.eq(*one)),
                many => q.filter(appeals::subject_id.eq_any(many.to_vec())),
            };
        }
        if let Some(s) = f.subject_id.filter(|_| !by_holder) {
            q = q.filter(appeals::subject_id.eq(s));
        }
        if let Some(s) = &f.status {
            q = q.filter(appeals::status.eq(s.clone()));
        }
        if let Some(k) = &f.kind {
            q = q.filter(appeals::kind.eq(k.clone()));
        }
        if let Some(d) = f.registered_from {
            q = q.filter(appeals::registration_date.ge(d));
        }
        if let Some(d) = f.registered_to {
            q = q.filter(appeals::registration_date.le(d));
        }
        if let Some(n) = &f.reg_number {
            q = q.filter(appeals::reg_number.eq(n.clone()));
        }
        if let Some(iin) = &f.applicant_iin_bin {
            let ids = appeal_applicants::table
                .filter(appeal_applicants::iin_bin.eq(iin.clone()))
                .select(appeal_applicants::appeal_id);
            q = q.filter(appeals::id.eq_any(ids));
        }
        if let Some(tag) = &f.tag {
            q = copied_ids!(q, appeal_tags, tag, tag.to_lowercase(), holder);
        }
        if let Some(m) = &f.marking {
            q = copied_ids!(q, appeal_markings, marking, m.clone(), holder);
        }
        if let Some(d) = f.overdue_on {
            q = q
                .filter(appeals::closed_at.is_null())
                .filter(appeals::review_due.lt(d));
        }
        if let Some(d) = f.transfer_overdue_on {
            q = q
                .filter(appeals::is_accountable.eq(false))
                .filter(appeals::status.ne("transferred"))
                .filter(appeals::transfer_due.lt(d));
        }
        if let Some(late) = f.entered_late {
            q = q.filter(appeals::entered_late.eq(late));
        }
        if let Some(d) = f.deemed_refusal_on {
            // Once decided a card stays `decided` or becomes `closed`; no other status follows.
            // Only a closed card has `closed_at` (closing is final): saying so lets the page's ids
            // come from the open cards' index (`appeals_open_by_id`), as for `overdue`.
            q = q
                .filter(appeals::closed_at.is_null())
                .filter(union::SqlCondition::UNDECIDED_ACCOUNTABLE)
                .filter(appeals::review_due.lt(d));
        }
        match f.control_bucket {
            Some(ControlBucket::Month(first_day)) => {
                q = q.filter(union::SqlCondition::due_in_month(backend, first_day));
            }
            Some(ControlBucket::Day(d)) => q = q.filter(appeals::review_due.eq(d)),
            Some(ControlBucket::Before(d)) => q = q.filter(appeals::review_due.lt(d)),
            None => {}
        }
        match (f.before_id, f.before_registration_date) {
            // `(registration_date, id) < (d, id)`, its first half an index bound.
            (Some(id), Some(d)) => {
                q = q.filter(
                    appeals::registration_date
                        .le(d)
                        .and(appeals::registration_date.lt(d).or(appeals::id.lt(id))),
                );
            }
            (Some(id), None) => q = q.filter(appeals::id.lt(id)),
            (None, _) => {}
        }
        if f.in_date_order() {
            q.order((appeals::registration_date.desc(), appeals::id.desc()))
        } else {
            q.order(appeals::id.desc())
        }
    }};
}

/// The rows of a page's ids in the list's order, checked again against the caller's reach (a
/// holder's tagged ids name the holder only in the tag's copy, `appeal_list_filtered`).
macro_rules! page_rows {
    ($select:expr, $ids:expr, $f:expr) => {{
        let f: &AppealFilter = $f;
        let mut q = appeals::table
            .filter(appeals::id.eq_any($ids))
            .select($select)
            .into_boxed();
        if let Some(s) = &f.visible_subjects {
            q = q.filter(appeals::subject_id.eq_any(s.clone()));
        }
        if let Some(s) = f.subject_id {
            q = q.filter(appeals::subject_id.eq(s));
        }
        if f.in_date_order() {
            q = q.order((appeals::registration_date.desc(), appeals::id.desc()));
        } else {
            q = q.order(appeals::id.desc());
        }
        q.limit(f.limit)
    }};
}

/// The ids of a page read on their own (then its rows by id), or `None` when one query reads the
/// page best:
/// - a list over several subjects (a subtree) is the union of each subject's page of ids
///   (`crate::union`): `subject_id IN (…)` has no index in id order;
/// - an `overdue` page of one subject: its newest open cards are not yet overdue and a newest-first
///   scan of the rows skips them all on every page (≈ 26,000 rows, 29 ms at 1M cards); ids alone
///   are read from `appeals_open_by_id (subject_id, id, review_due)`, the control date checked
///   inside the index (1.8 ms); the same for `deemed_refusal`;
/// - a tag or a marking: the tag's ids of the holder, newest first, each card then checked
///   (0.3 ms for a district at 10M where joining all the holder's cards took 29 ms);
/// - a page of registration dates, in registration-date order (`dated_page_ids`): each subject's
///   page is one stretch of `appeals_subject_registered`, every subject's one of
///   `appeals_registration_date (registration_date, id)`;
/// - `overdue` or `deemed_refusal` for every subject: the union of one page per control month
///   before the current one and per day of the current month (`union::control_buckets`), each
///   one range in id order, where the newest-first scan skipped every open card in term (270,776
///   index entries, 42 ms, at 10M).
///
/// Only the newest `limit` of the parts' ids are kept, so the rows read are the page's.
fn page_ids(conn: &mut DbConn, f: &AppealFilter) -> Result<Option<Vec<i64>>, DbError> {
    if let Some(ids) = copied_page_ids(conn, f)? {
        return Ok(Some(the_page(ids, f.limit)));
    }
    if f.in_date_order() {
        return dated_page_ids(conn, f).map(Some);
    }
    let backend = conn.backend();
    let due_before = f.overdue_on.into_iter().chain(f.deemed_refusal_on).min();
    let ids = if f.subject_id.is_none()
        && let Some(subjects) = union::subjects_to_merge(f.visible_subjects.as_ref())
    {
        union_of(
            conn,
            f,
            subjects.iter().map(|s| AppealFilter {
                visible_subjects: Some(vec![*s]),
                ..f.clone()
            }),
        )?
    } else if f.subject_id.is_none()
        && f.visible_subjects.is_none()
        && f.control_bucket.is_none()
        && let Some(before) = due_before
    {
        let Some(oldest) = oldest_open_control_date(conn)? else {
            return Ok(Some(Vec::new()));
        };
        let buckets = union::control_buckets(oldest, before);
        union_of(
            conn,
            f,
            buckets.into_iter().map(|bucket| AppealFilter {
                control_bucket: Some(bucket),
                ..f.clone()
            }),
        )?
    } else if f.overdue_on.is_some()
        || f.deemed_refusal_on.is_some()
        || f.tag.is_some()
        || f.marking.is_some()
    {
        appeal_list_filtered!(appeals::table.select(appeals::id).into_boxed(), f, backend)
            .limit(f.limit)
            .load::<i64>(conn)?
    } else {
        return Ok(None);
    };
    Ok(Some(the_page(ids, f.limit)))
}

/// The union of one page per part of `f` (each a narrower filter), `f.limit` each, selecting
/// `$select` of each row; none for no part.
macro_rules! union_of {
    ($conn:expr, $f:expr, $parts:expr, $select:expr, $row:ty) => {{
        let conn: &mut DbConn = $conn;
        let backend = conn.backend();
        let parts: Vec<_> = $parts
            .map(|one: AppealFilter| {
                appeal_list_filtered!(appeals::table.select($select).into_boxed(), &one, backend)
            })
            .collect();
        if parts.is_empty() {
            Vec::new()
        } else {
            UnionAll::new(parts, $f.limit).load::<$row>(conn)?
        }
    }};
}

/// The ids of the union of one page per part of `f`.
fn union_of(
    conn: &mut DbConn,
    f: &AppealFilter,
    parts: impl Iterator<Item = AppealFilter>,
) -> Result<Vec<i64>, DbError> {
    Ok(union_of!(conn, f, parts, appeals::id, i64))
}

/// The ids of a page in registration-date order ([`AppealFilter::in_date_order`]): for a
/// subtree the union of each subject's page, each one stretch of `appeals_subject_registered`;
/// otherwise one query. Only the page's newest `limit` are kept.
fn dated_page_ids(conn: &mut DbConn, f: &AppealFilter) -> Result<Vec<i64>, DbError> {
    let key = (appeals::registration_date, appeals::id);
    let mut keys: Vec<(NaiveDate, i64)> = if f.subject_id.is_none()
        && let Some(subjects) = union::subjects_to_merge(f.visible_subjects.as_ref())
    {
        let parts = subjects.iter().map(|s| AppealFilter {
            visible_subjects: Some(vec![*s]),
            ..f.clone()
        });
        union_of!(conn, f, parts, key, (NaiveDate, i64))
    } else {
        let backend = conn.backend();
        appeal_list_filtered!(appeals::table.select(key).into_boxed(), f, backend)
            .limit(f.limit)
            .load(conn)?
    };
    keys.sort_unstable_by(|a, b| b.cmp(a));
    keys.dedup();
    keys.truncate(usize::try_from(f.limit).unwrap_or(0));
    Ok(keys.into_iter().map(|(_, id)| id).collect())
}

/// The ids of a copy (`appeal_tags`, `appeal_markings`) with `$column = $value`: one part per
/// holder (each one range of `($column, subject_id, appeal_id)`), or one over every holder.
macro_rules! copy_page_ids {
    ($conn:expr, $table:ident, $column:ident, $value:expr, $holders:expr, $f:expr) => {{
        let f: &AppealFilter = $f;
        let part = |holder: Option<i64>| {
            let mut q = $table::table
                .filter($table::$column.eq($value))
                .select($table::appeal_id)
                .into_boxed();
            if let Some(s) = holder {
                q = q.filter($table::subject_id.eq(s));
            }
            if let Some(id) = f.before_id {
                q = q.filter($table::appeal_id.lt(id));
            }
            q.order($table::appeal_id.desc())
        };
        let parts: Vec<_> = match $holders {
            Some(holders) => holders.iter().map(|s| part(Some(*s))).collect(),
            None => vec![part(None)],
        };
        UnionAll::new(parts, f.limit).load::<i64>($conn)?
    }};
}

/// A page filtered by a tag or a marking and nothing else of the card: its ids are read from the
/// copy alone, holder by holder, without reading a card (a region's part joined each of its 50
/// ids to the cards: 0.25 ms a subject, 11 subjects a page); the page's rows are then read within
/// the caller's scope (`page_rows!`). `None` when other filters apply, or more holders than are
/// merged.
fn copied_page_ids(conn: &mut DbConn, f: &AppealFilter) -> Result<Option<Vec<i64>>, DbError> {
    let copy_only = f.status.is_none()
        && f.kind.is_none()
        && f.registered_from.is_none()
        && f.registered_to.is_none()
        && f.applicant_iin_bin.is_none()
        && f.reg_number.is_none()
        && f.overdue_on.is_none()
        && f.transfer_overdue_on.is_none()
        && f.deemed_refusal_on.is_none()
        && f.entered_late.is_none()
        && f.control_bucket.is_none();
    if !copy_only {
        return Ok(None);
    }
    let holders: Option<Vec<i64>> = match (f.subject_id, f.visible_subjects.as_ref()) {
        (Some(s), _) => Some(vec![s]),
        (None, None) => None,
        (None, Some(subjects)) if subjects.len() <= union::MAX_MERGED_PARTS => {
            Some(subjects.clone())
        }
        (None, Some(_)) => return Ok(None),
    };
    if holders.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Some(Vec::new()));
    }
    Ok(match (&f.tag, &f.marking) {
        (Some(tag), None) => Some(copy_page_ids!(
            conn,
            appeal_tags,
            tag,
            tag.to_lowercase(),
            holders,
            f
        )),
        (None, Some(marking)) => Some(copy_page_ids!(
            conn,
            appeal_markings,
            marking,
            marking.clone(),
            holders,
            f
        )),
        _ => None,
    })
}

/// The control date of the oldest open card (the first entry of `appeals_review_due`).
fn oldest_open_control_date(conn: &mut DbConn) -> Result<Option<NaiveDate>, DbError> {
    Ok(appeals::table
        .filter(appeals::closed_at.is_null())
        .select(diesel::dsl::min(appeals::review_due))
        .first(conn)?)
}

/// The page among the ids of its parts: the newest `limit`, so only the page's rows are read.
fn the_page(mut ids: Vec<i64>, limit: i64) -> Vec<i64> {
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.dedup();
    ids.truncate(usize::try_from(limit).unwrap_or(0));
    ids
}

/// Lists appeals newest first (by id, a stable order) with keyset pagination.
pub fn list(conn: &mut DbConn, f: &AppealFilter) -> Result<Vec<AppealRow>, DbError> {
    if let Some(ids) = page_ids(conn, f)? {
        return Ok(page_rows!(AppealRow::as_select(), ids, f).load(conn)?);
    }
    let backend = conn.backend();
    Ok(appeal_list_filtered!(
        appeals::table.select(AppealRow::as_select()).into_boxed(),
        f,
        backend
    )
    .limit(f.limit)
    .load(conn)?)
}

/// The summary view of the same list: one statement (two for a subtree, `overdue` or dates), no
/// text, state or details.
pub fn list_summaries(
    conn: &mut DbConn,
    f: &AppealFilter,
) -> Result<Vec<AppealSummaryRow>, DbError> {
    if let Some(ids) = page_ids(conn, f)? {
        return Ok(page_rows!(AppealSummaryRow::as_select(), ids, f).load(conn)?);
    }
    let backend = conn.backend();
    Ok(appeal_list_filtered!(
        appeals::table
            .select(AppealSummaryRow::as_select())
            .into_boxed(),
        f,
        backend
    )
    .limit(f.limit)
    .load(conn)?)
}

/// A page of cards in id order after `after_id` (a recount walks every card).
pub fn page_after(conn: &mut DbConn, after_id: i64, limit: i64) -> Result<Vec<AppealRow>, DbError> {
    Ok(appeals::table
        .filter(appeals::id.gt(after_id))
        .order(appeals::id.asc())
        .limit(limit)
        .select(AppealRow::as_select())
        .load(conn)?)
}

/// A work list (issue 25; `appeals_domain::worklist`) as the database answers it: which open
/// cards, of which subjects or executor, from which cursor.
#[derive(Debug, Clone)]
pub struct WorkListFilter {
    pub list: WorkListQuery,
    /// `None`: every subject (the authorized body's reach).
    pub subjects: Option<Vec<i64>>,
    /// Only the cards routed to this executor.
    pub executor_user_id: Option<i64>,
    /// Continue after this (date, id) of the list's order.
    pub after: Option<(NaiveDate, i64)>,
    pub limit: i64,
}

/// The condition of a work list, with its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkListQuery {
    /// Open and due on this date.
    DueOn(NaiveDate),
    /// Open and due after the first date, up to and including the second.
    DueBetween(NaiveDate, NaiveDate),
    /// Open and due before this date.
    DueBefore(NaiveDate),
    AwaitingAssignment,
    /// An approval in progress at one of these stages (`Pending` codes).
    Pending(&'static [&'static str]),
    /// R44 as of this date.
    DeemedRefusalOn(NaiveDate),
    TransfersDue,
}

impl WorkListQuery {
    /// Whether the list is ordered by the transfer date (else by the control date).
    fn by_transfer_date(self) -> bool {
        matches!(self, WorkListQuery::TransfersDue)
    }
}

/// The `pending` value of a forwarded part awaiting acceptance by its receiver (p.11 part 2).
pub const AWAITING_ACCEPTANCE: &str = "acceptance";

/// Statuses after which a card is no longer its holder's work: answered, moved on, withdrawn.
const NOT_IN_WORK: [&str; 5] = ["decided", "closed", "forwarded", "transferred", "withdrawn"];

/// Applies a work list's condition and scope to a boxed query of `appeals`.
macro_rules! worklist_filtered {
    ($q:expr, $f:expr) => {{
        let f: &WorkListFilter = $f;
        let mut q = $q;
        if let Some(s) = &f.subjects {
            q = match s.as_slice() {
                [one] => q.filter(appeals::subject_id.eq(*one)),
                many => q.filter(appeals::subject_id.eq_any(many.to_vec())),
            };
        }
        if let Some(e) = f.executor_user_id {
            q = q.filter(appeals::executor_user_id.eq(e));
        }
        // p.15 documents are transferred, not considered: they have their own list.
        let considered = !matches!(f.list, WorkListQuery::TransfersDue | WorkListQuery::Pending(_));
        if considered {
            q = q.filter(appeals::is_accountable.eq(true));
        }
        q = match f.list {
            WorkListQuery::DueOn(d) => q
                .filter(appeals::closed_at.is_null())
                .filter(union::SqlCondition::codes("status", true, &NOT_IN_WORK))
                .filter(appeals::review_due.eq(d)),
            WorkListQuery::DueBetween(from, to) => q
                .filter(appeals::closed_at.is_null())
                .filter(union::SqlCondition::codes("status", true, &NOT_IN_WORK))
                .filter(appeals::review_due.gt(from))
                .filter(appeals::review_due.le(to)),
            WorkListQuery::DueBefore(d) => q
                .filter(appeals::closed_at.is_null())
                .filter(union::SqlCondition::codes("status", true, &NOT_IN_WORK))
                .filter(appeals::review_due.lt(d)),
            // Read from `appeals_awaiting_assignment` alone: the status written into the SQL
            // (bound, it matched no partial index) and `closed_at`, which that index lacks, not
            // asked here (a region's count read 1,001 cards from the heap; a page asks it,
            // [`worklist_ordered!`]). A forwarded part awaiting acceptance is not yet
            // the receiver's to route.
            WorkListQuery::AwaitingAssignment => q
                .filter(union::SqlCondition::codes("status", false, &["registered"]))
                .filter(
                    appeals::pending
                        .is_null()
                        .or(appeals::pending.ne(AWAITING_ACCEPTANCE)),
                ),
            WorkListQuery::Pending(stages) => q.filter(union::SqlCondition::codes("pending", false, stages)),
            // Once decided a card stays `decided` or becomes `closed` (as the appeal list's filter).
            WorkListQuery::DeemedRefusalOn(d) => q
                .filter(appeals::closed_at.is_null())
                .filter(union::SqlCondition::UNDECIDED_ACCOUNTABLE)
                .filter(appeals::review_due.lt(d)),
            WorkListQuery::TransfersDue => q
                .filter(appeals::transfer_due.is_not_null())
                .filter(appeals::is_accountable.eq(false))
                .filter(appeals::status.ne("transferred")),
        };
        q
    }};
}

/// A work list's condition, scope, cursor and order on a boxed query of `appeals`.
macro_rules! worklist_ordered {
    ($q:expr, $f:expr) => {{
        let f: &WorkListFilter = $f;
        let mut q = worklist_filtered!($q, f);
        if matches!(f.list, WorkListQuery::AwaitingAssignment) {
            // A registered card is open; saying so lets a page of the nation or of a subtree
            // read the open cards by control date (`appeals_review_due`; without it a region's
            // page sorted its 500,000 registered cards at 10M).
            q = q.filter(appeals::closed_at.is_null());
        }
        if f.list.by_transfer_date() {
            if let Some((d, id)) = f.after {
                q = q.filter(
                    appeals::transfer_due
                        .gt(d)
                        .or(appeals::transfer_due.eq(d).and(appeals::id.gt(id))),
                );
            }
            q = q.order((appeals::transfer_due.asc(), appeals::id.asc()));
        } else {
            if let Some((d, id)) = f.after {
                q = q.filter(
                    appeals::review_due
                        .gt(d)
                        .or(appeals::review_due.eq(d).and(appeals::id.gt(id))),
                );
            }
            q = q.order((appeals::review_due.asc(), appeals::id.asc()));
        }
        q
    }};
}

/// [`worklist_ordered!`] cut to the page's limit.
macro_rules! worklist_page {
    ($q:expr, $f:expr) => {{
        let f: &WorkListFilter = $f;
        worklist_ordered!($q, f).limit(f.limit)
    }};
}

/// A page of a work list, earliest date first (control date; transfer date for p.15 documents),
/// then by id.
pub fn worklist(conn: &mut DbConn, f: &WorkListFilter) -> Result<Vec<AppealRow>, DbError> {
    Ok(worklist_page!(
        appeals::table.select(AppealRow::as_select()).into_boxed(),
        f
    )
    .load(conn)?)
}

/// The same page in the summary view.
pub fn worklist_summaries(
    conn: &mut DbConn,
    f: &WorkListFilter,
) -> Result<Vec<AppealSummaryRow>, DbError> {
    Ok(worklist_page!(
        appeals::table
            .select(AppealSummaryRow::as_select())
            .into_boxed(),
        f
    )
    .load(conn)?)
}

/// How many cards each work list holds, counted up to `cap` + 1 (their cursor and limit ignored),
/// in one statement: a national list of a million overdue cards is "more than `cap`", read in
/// milliseconds, not counted row by row. A list of every subject or of one is read in its pages'
/// order, so through its pages' index; a subtree's is left to the planner (in the control dates'
/// order its lists walked the nation's open cards for its own). `awaiting_assignment` is read
/// from its own partial index alone, unordered, at every scope (index-only: a region's count
/// read 1,001 cards from the heap, 2.7 of its 5.2 ms at 10M).
pub fn worklist_counts(
    conn: &mut DbConn,
    lists: &[WorkListFilter],
    cap: i64,
) -> Result<Vec<i64>, DbError> {
    if lists.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<_> = lists
        .iter()
        .map(|f| {
            let ids = appeals::table.select(appeals::id).into_boxed();
            // `awaiting_assignment` is counted from its own index, in that index's order.
            if f.subjects.as_ref().is_some_and(|s| s.len() > 1)
                || matches!(f.list, WorkListQuery::AwaitingAssignment)
            {
                worklist_filtered!(ids, f)
            } else {
                worklist_ordered!(ids, f)
            }
        })
        .collect();
    let mut counted: Vec<(i32, i64)> = union::CappedCounts::new(parts, cap + 1).load(conn)?;
    counted.sort_unstable();
    Ok(counted.into_iter().map(|(_, n)| n).collect())
}

/// Open cards whose review deadline lies before `today` (read through the open-cards index).
pub fn count_overdue(conn: &mut DbConn, today: chrono::NaiveDate) -> Result<i64, DbError> {
    use crate::schema::appeals as a;
    Ok(a::table
        .filter(a::closed_at.is_null())
        .filter(a::review_due.lt(today))
        .count()
        .get_result(conn)?)
}

/// The cards of the given subjects for the public status facade, newest first.
pub fn public_requests(
    conn: &mut DbConn,
    subject_ids: &[i64],
    document_type: Option<&str>,
    open: Option<bool>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    limit: i64,
) -> Result<Vec<AppealRow>, DbError> {
    use crate::schema::appeals as a;
    let mut q = a::table
        .filter(a::subject_id.eq_any(subject_ids.to_vec()))
        .order(a::id.desc())
        .limit(limit)
        .select(AppealRow::as_select())
        .into_boxed();
    if let Some(t) = document_type {
        q = q.filter(a::document_type.eq(t.to_owned()));
    }
    match open {
        Some(true) => q = q.filter(a::closed_at.is_null()),
        Some(false) => q = q.filter(a::closed_at.is_not_null()),
        None => {}
    }
    if let Some(from) = from {
        q = q.filter(a::registration_date.ge(from));
    }
    if let Some(to) = to {
        q = q.filter(a::registration_date.le(to));
    }
    Ok(q.load(conn)?)
}
