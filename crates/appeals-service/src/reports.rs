//! Report 1-ОЛ (Rules p.32, Appendix 5; R44, R50, R51): built from the counts the card write path
//! keeps (`cards::counts`), laid out by the definition in force, for the subjects the guard lets
//! the caller see; a month is closed into a frozen revision, and a later change of a card counted
//! in it adds a revision — never an overwrite.

use std::collections::{BTreeMap, HashMap};

use appeals_db::repo::reports::{self as repo_reports, DefinitionRow, NewSnapshotRow, SnapshotRow};
use appeals_db::rows::NewAdminEventRow;
use appeals_db::{DbConn, DbError, repo, write_tx};
use appeals_domain::deadline;
use appeals_domain::report::{
    self, CountRow, Fact, Measure, Period, ReportDefinition, SectionTable, SubjectLine,
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::access::{self, Grant};
use crate::cards::counts;
use crate::config::Rules;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};

/// The `settings` row that says whether the kept counts must be recounted (`rebuild`), set by the
/// migration that introduced them when cards already existed.
pub const COUNTS_STATE: &str = "report_counts_state";

/// Changes folded per transaction.
const FOLD_BATCH: i64 = 5_000;

/// A report asked for: the period and, optionally, the subject whose subtree it shows.
#[derive(Debug, Clone, Copy)]
pub struct ReportQuery {
    pub year: i32,
    pub month: u32,
    pub subject_id: Option<i64>,
}

/// A built report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportView {
    pub period: Period,
    /// R50: the 10th of the following month, moved to the next working day.
    pub due: NaiveDate,
    pub calendar_version: String,
    pub generated_at: DateTime<Utc>,
    /// The month has not ended yet: its figures still move.
    pub provisional: bool,
    pub definition_version: i64,
    /// The subject whose subtree the report shows (`None`: everything the caller sees).
    pub subject_id: Option<i64>,
    pub form: String,
    pub title_ru: String,
    pub title_kk: String,
    pub sections: Vec<SectionTable>,
}

/// The definition in force: the latest stored version — the shipped default is stored as
/// version 1 the first time a report is asked for.
pub fn definition_in_force(
    conn: &mut DbConn,
    at: NaiveDateTime,
) -> AppResult<(DefinitionRow, ReportDefinition)> {
    if let Some(row) = repo_reports::latest_definition(conn)? {
        let definition = ReportDefinition::parse(&row.definition)
            .map_err(|e| AppError::corrupt(format!("stored report definition: {e}")))?;
        return Ok((row, definition));
    }
    let definition = ReportDefinition::shipped()?;
    let text = crate::cards::parts::to_json(&definition)?;
    let row = DefinitionRow {
        version: 1,
        content_hash: sha256(&text),
        definition: text,
        changed_at: at,
        changed_by: None,
        reason: "shipped default".to_owned(),
    };
    match write_tx(conn, |conn| repo_reports::insert_definition(conn, &row)) {
        // Another process stored it first: the same default.
        Ok(()) | Err(DbError::UniqueViolation(_)) => Ok((row, definition)),
        Err(e) => Err(e.into()),
    }
}

use crate::cards::parts::sha256_hex as sha256;

/// The subjects a report for `subject_id` (or for the caller's reach) covers: `None` for all
/// (also the quarterly analysis's, issue 21).
pub(crate) fn scope_of(
    conn: &mut DbConn,
    grant: &Grant,
    subject_id: Option<i64>,
) -> AppResult<Option<Vec<i64>>> {
    scope(conn, grant, subject_id)
}

fn scope(conn: &mut DbConn, grant: &Grant, subject_id: Option<i64>) -> AppResult<Option<Vec<i64>>> {
    let visible = access::visible_subjects(conn, grant)?;
    let Some(root) = subject_id else {
        return Ok(visible);
    };
    if repo::subjects::find_by_id(conn, root)?.is_none() {
        return Err(AppError::field("#/subject_id", "no such subject"));
    }
    if visible.as_ref().is_some_and(|v| !v.contains(&root)) {
        return Err(AppError::Forbidden(
            "The report of a subject outside your subtree is not yours to read.".to_owned(),
        ));
    }
    Ok(Some(access::subtree(conn, root)?))
}

/// The sections of the report for the subjects of `scope` (all when `None`).
fn tables(
    conn: &mut DbConn,
    definition: &ReportDefinition,
    period: Period,
    scope: Option<&[i64]>,
) -> AppResult<Vec<SectionTable>> {
    let subjects: Vec<SubjectLine> = repo::subjects::lines(conn, scope)?
        .into_iter()
        .map(|s| SubjectLine {
            id: s.id,
            parent_id: s.parent_id,
            row_code: s.report_row_code.clone().unwrap_or_else(|| s.code.clone()),
            name_ru: s.name_ru,
            name_kk: s.name_kk,
        })
        .collect();
    let sums = repo_reports::sums(conn, scope, period.year_start(), period.end())?;
    let counts: Vec<CountRow> = sums
        .into_iter()
        .filter_map(|s| {
            // A measure this build does not know cannot be named by a definition either.
            Some(CountRow {
                measure: Measure::parse(&s.measure)?,
                subject_id: s.subject_id,
                month: (s.month != 0).then_some(s.month),
                dimensions: s.dimensions,
                n: s.n,
            })
        })
        .collect();
    Ok(report::compute(definition, period, &subjects, &counts))
}

fn period_of(year: i32, month: u32) -> AppResult<Period> {
    Period::new(year, month).map_err(|e| match e {
        appeals_domain::DomainError::Invalid { field, reason } => {
            AppError::field(format!("#{field}"), reason)
        }
        other => other.into(),
    })
}

/// The last day of the period.
fn last_day(period: Period) -> NaiveDate {
    let next = if period.month == 12 {
        NaiveDate::from_ymd_opt(period.year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(period.year, period.month + 1, 1)
    };
    next.and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
}

/// Report 1-ОЛ for a month: monthly and cumulative from 1 January (p.32), due per R50.
pub fn generate(conn: &mut DbConn, ctx: &Ctx, q: ReportQuery) -> AppResult<ReportView> {
    let period = period_of(q.year, q.month)?;
    let scope = scope(conn, &ctx.grant, q.subject_id)?;
    let (row, definition) = definition_in_force(conn, ctx.stored_now())?;
    let sections = tables(conn, &definition, period, scope.as_deref())?;
    view(ctx, period, q.subject_id, &row, &definition, sections)
}

fn view(
    ctx: &Ctx,
    period: Period,
    subject_id: Option<i64>,
    row: &DefinitionRow,
    definition: &ReportDefinition,
    sections: Vec<SectionTable>,
) -> AppResult<ReportView> {
    let due = deadline::report_1ol_due(
        &ctx.rules.calendar,
        &ctx.rules.deadlines,
        period.year,
        period.month,
    )?;
    Ok(ReportView {
        period,
        due: due.date,
        calendar_version: due.calendar_version.to_string(),
        generated_at: ctx.now,
        provisional: ctx.rules.local_date(ctx.now) <= last_day(period),
        definition_version: row.version,
        subject_id,
        form: definition.form.clone(),
        title_ru: definition.title_ru.clone(),
        title_kk: definition.title_kk.clone(),
        sections,
    })
}

// ---------------------------------------------------------------------------------------------
// Folding and recounting
// ---------------------------------------------------------------------------------------------

/// What a fold did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FoldSummary {
    /// Count rows changed.
    pub folded: usize,
    /// New revisions of closed months.
    pub revisions: usize,
}

/// Folds the appended count changes into the kept counts, then adds a revision to every closed
/// month whose figures they changed. Safe in any number of processes at once.
pub fn fold(conn: &mut DbConn, rules: &Rules, at: NaiveDateTime) -> AppResult<FoldSummary> {
    let mut touched: HashMap<i64, i32> = HashMap::new();
    let mut summary = FoldSummary::default();
    // Bounded: a fold under constant load still ends; the rest waits for the next one.
    for _ in 0..200 {
        let batch = write_tx(conn, |conn| repo_reports::fold(conn, FOLD_BATCH))?;
        if batch.is_empty() {
            break;
        }
        summary.folded += batch.len();
        for t in batch {
            let m = touched.entry(t.subject_id).or_insert(t.month);
            *m = (*m).min(t.month);
        }
    }
    if touched.is_empty() {
        return Ok(summary);
    }
    // A closed month of a subject shows its subtree: every ancestor of a touched subject may be
    // affected, from the earliest touched month on (later months are cumulative, later years
    // open with the balance).
    let earliest = touched.values().copied().min().unwrap_or(i32::MAX);
    let mut holders: Vec<i64> = Vec::new();
    for subject in touched.keys() {
        let mut current = Some(*subject);
        for _ in 0..64 {
            let Some(s) = current else { break };
            if holders.contains(&s) {
                break;
            }
            holders.push(s);
            current = repo::subjects::parent_of(conn, s)?;
        }
    }
    for (subject, year, month) in repo_reports::closed_since(conn, &holders, earliest)? {
        if revise(conn, rules, subject, year, month, at)?.is_some() {
            summary.revisions += 1;
        }
    }
    Ok(summary)
}

/// A changed figure between two revisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellChange {
    pub section: String,
    pub row_code: String,
    pub subject_id: Option<i64>,
    /// `subject`, `total` or `grand_total`.
    pub row_kind: String,
    pub column: String,
    /// `month` or `cumulative`.
    pub figure: String,
    pub before: i64,
    pub after: i64,
}

fn row_key(r: &report::TableRow) -> (String, Option<i64>, String) {
    (r.row_code.clone(), r.subject_id, r.kind.code().to_owned())
}

/// Every figure that differs between two versions of a report (rows matched by code, subject and
/// kind; a row or column only on one side counts from zero).
pub fn diff(before: &[SectionTable], after: &[SectionTable]) -> Vec<CellChange> {
    type Figures = BTreeMap<(String, (String, Option<i64>, String), String, String), i64>;
    let flatten = |tables: &[SectionTable]| -> Figures {
        let mut out = Figures::new();
        for t in tables {
            for r in &t.rows {
                for (column, cell) in &r.cells {
                    for (figure, value) in [("month", cell.month), ("cumulative", cell.cumulative)]
                    {
                        out.insert(
                            (
                                t.code.clone(),
                                row_key(r),
                                column.clone(),
                                figure.to_owned(),
                            ),
                            value,
                        );
                    }
                }
            }
        }
        out
    };
    let (old, new) = (flatten(before), flatten(after));
    let mut keys: Vec<_> = old.keys().chain(new.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let (b, a) = (
                old.get(&key).copied().unwrap_or(0),
                new.get(&key).copied().unwrap_or(0),
            );
            (b != a).then(|| {
                let (section, (row_code, subject_id, row_kind), column, figure) = key;
                CellChange {
                    section,
                    row_code,
                    subject_id,
                    row_kind,
                    column,
                    figure,
                    before: b,
                    after: a,
                }
            })
        })
        .collect()
}

/// A revision of a closed month as stored, with its figures and what changed since the one
/// before it.
#[derive(Debug, Clone)]
pub struct Revision {
    pub row: SnapshotRow,
    pub sections: Vec<SectionTable>,
    pub changes: Vec<CellChange>,
}

impl Revision {
    fn of(row: SnapshotRow) -> AppResult<Self> {
        Ok(Self {
            sections: crate::cards::parts::parse_json(&row.content, "report revision")?,
            changes: crate::cards::parts::parse_json(&row.changes, "report revision changes")?,
            row,
        })
    }
}

/// The figures of a subject's month (its subtree) as they are now, and their content hash.
fn frozen(
    conn: &mut DbConn,
    subject: i64,
    period: Period,
    at: NaiveDateTime,
) -> AppResult<(DefinitionRow, Vec<SectionTable>, String, String)> {
    let (row, definition) = definition_in_force(conn, at)?;
    let scope = access::subtree(conn, subject)?;
    let sections = tables(conn, &definition, period, Some(&scope))?;
    let content = crate::cards::parts::to_json(&sections)?;
    let hash = sha256(&content);
    Ok((row, sections, content, hash))
}

/// Adds a revision to a closed month when its figures moved; `None` when they did not.
fn revise(
    conn: &mut DbConn,
    rules: &Rules,
    subject: i64,
    year: i32,
    month: i32,
    at: NaiveDateTime,
) -> AppResult<Option<SnapshotRow>> {
    let period = period_of(year, month as u32)?;
    write_tx(conn, |conn| {
        let Some(latest) = repo_reports::revisions(conn, subject, year, month)?.pop() else {
            return Ok(None);
        };
        let (definition, sections, content, hash) = frozen(conn, subject, period, at)?;
        if hash == latest.content_hash {
            return Ok(None);
        }
        let before: Vec<SectionTable> =
            crate::cards::parts::parse_json(&latest.content, "report revision")?;
        let changes = diff(&before, &sections);
        let row = NewSnapshotRow {
            subject_id: subject,
            year,
            month,
            revision: latest.revision + 1,
            content,
            content_hash: hash,
            definition_version: definition.version,
            calendar_version: rules.calendar.version().as_str().to_owned(),
            generated_at: at,
            closed_by: None,
            changes: crate::cards::parts::to_json(&changes)?,
        };
        match repo_reports::insert_snapshot(conn, &row) {
            Ok(saved) => Ok(Some(saved)),
            // Another process wrote this revision meanwhile.
            Err(DbError::UniqueViolation(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    })
}

/// A month to close: the caller's own subject unless another is named.
#[derive(Debug, Clone, Copy)]
pub struct CloseMonth {
    pub year: i32,
    pub month: u32,
    pub subject_id: Option<i64>,
}

/// p.32: freezes a subject's month (the report of its subtree) as revision 1 with its content
/// hash, the definition and calendar versions. Closing again returns the first revision
/// (`false`: nothing new); a month that has not ended is a 409.
pub fn close(conn: &mut DbConn, ctx: &Ctx, cmd: CloseMonth) -> AppResult<(bool, Revision)> {
    let period = period_of(cmd.year, cmd.month)?;
    let subject = cmd.subject_id.unwrap_or(ctx.actor().subject_id);
    access::own_subject(&ctx.grant, subject, || {
        "A subject closes its own month of report 1-ОЛ.".to_owned()
    })?;
    let today = ctx.rules.local_date(ctx.now);
    if today <= last_day(period) {
        return Err(AppError::Conflict(format!(
            "{}-{:02} has not ended yet: a month is closed from {} on.",
            period.year,
            period.month,
            last_day(period).succ_opt().unwrap_or(NaiveDate::MAX)
        )));
    }
    let at = ctx.stored_now();
    // Counts appended by card changes are folded first, so the frozen figures hold all of them.
    fold(conn, &ctx.rules, at)?;
    let month = period.month as i32;
    let outcome = write_tx(conn, |conn| {
        if let Some(first) = repo_reports::revisions(conn, subject, period.year, month)?
            .into_iter()
            .next()
        {
            return Ok((false, first));
        }
        let (definition, _, content, hash) = frozen(conn, subject, period, at)?;
        let saved = repo_reports::insert_snapshot(
            conn,
            &NewSnapshotRow {
                subject_id: subject,
                year: period.year,
                month,
                revision: 1,
                content,
                content_hash: hash,
                definition_version: definition.version,
                calendar_version: ctx.rules.calendar.version().as_str().to_owned(),
                generated_at: at,
                closed_by: Some(ctx.actor().user_id),
                changes: "[]".to_owned(),
            },
        )?;
        Ok::<_, AppError>((true, saved))
    });
    let (created, row) = match outcome {
        Ok(done) => done,
        // A concurrent close of the same month won: its revision is the answer.
        Err(AppError::Db(DbError::UniqueViolation(_))) => {
            let first = repo_reports::revisions(conn, subject, period.year, month)?
                .into_iter()
                .next()
                .ok_or_else(|| AppError::corrupt("closed month without its revision"))?;
            (false, first)
        }
        Err(e) => return Err(e),
    };
    Ok((created, Revision::of(row)?))
}

/// The revisions of a closed month, oldest first, brought up to date (pending count changes are
/// folded first). A subject outside the caller's reach is a 403; a month never closed, a 404.
pub fn revisions(
    conn: &mut DbConn,
    ctx: &Ctx,
    year: i32,
    month: u32,
    subject_id: Option<i64>,
) -> AppResult<Vec<Revision>> {
    let period = period_of(year, month)?;
    let subject = subject_id.unwrap_or(ctx.actor().subject_id);
    if let Some(visible) = access::visible_subjects(conn, &ctx.grant)?
        && !visible.contains(&subject)
    {
        return Err(AppError::Forbidden(
            "The report of a subject outside your subtree is not yours to read.".to_owned(),
        ));
    }
    fold(conn, &ctx.rules, ctx.stored_now())?;
    let rows = repo_reports::revisions(conn, subject, period.year, period.month as i32)?;
    if rows.is_empty() {
        return Err(AppError::NotFound(format!(
            "{}-{:02} of subject {subject} is not closed.",
            period.year, period.month
        )));
    }
    rows.into_iter().map(Revision::of).collect()
}

// ---------------------------------------------------------------------------------------------
// The reporting schedule (R50)
// ---------------------------------------------------------------------------------------------

/// A subject's state for one month of the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectClosing {
    pub subject_id: i64,
    pub name_ru: String,
    pub closed_at: Option<NaiveDateTime>,
    /// Closed after the due date.
    pub closed_late: bool,
    /// Not closed and the due date has passed.
    pub overdue: bool,
}

/// One month of the reporting year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthSchedule {
    pub month: u32,
    pub due: NaiveDate,
    pub subjects: Vec<SubjectClosing>,
}

/// R50: each month's due date for the year, and for every subject the caller sees whether it
/// closed the month, late, or is overdue.
pub fn schedule(conn: &mut DbConn, ctx: &Ctx, year: i32) -> AppResult<Vec<MonthSchedule>> {
    period_of(year, 1)?;
    let scope = access::visible_subjects(conn, &ctx.grant)?;
    let subjects = repo::subjects::lines(conn, scope.as_deref())?;
    let closed: HashMap<(i64, i32), NaiveDateTime> =
        repo_reports::closed_months(conn, scope.as_deref(), year)?
            .into_iter()
            .map(|(s, m, at)| ((s, m), at))
            .collect();
    let today = ctx.rules.local_date(ctx.now);
    (1..=12)
        .map(|month| {
            let due =
                deadline::report_1ol_due(&ctx.rules.calendar, &ctx.rules.deadlines, year, month)?
                    .date;
            let subjects = subjects
                .iter()
                .map(|s| {
                    let closed_at = closed.get(&(s.id, month as i32)).copied();
                    SubjectClosing {
                        subject_id: s.id,
                        name_ru: s.name_ru.clone(),
                        closed_late: closed_at
                            .is_some_and(|at| ctx.rules.local_date(at.and_utc()) > due),
                        overdue: closed_at.is_none() && today > due,
                        closed_at,
                    }
                })
                .collect();
            Ok(MonthSchedule {
                month,
                due,
                subjects,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The definition (national configuration)
// ---------------------------------------------------------------------------------------------

/// A version of the definition.
#[derive(Debug, Clone)]
pub struct DefinitionView {
    pub row: DefinitionRow,
    pub definition: ReportDefinition,
}

/// The definition in force (whoever may read reference data).
pub fn definition(conn: &mut DbConn, ctx: &Ctx) -> AppResult<DefinitionView> {
    let (row, definition) = definition_in_force(conn, ctx.stored_now())?;
    Ok(DefinitionView { row, definition })
}

/// Stores a corrected definition as the next version, audited as an admin event with the hashes
/// before and after; the same definition again changes nothing (`false`). Authorized body only.
pub fn change_definition(
    conn: &mut DbConn,
    ctx: &Ctx,
    definition: ReportDefinition,
    reason: String,
) -> AppResult<(bool, DefinitionView)> {
    access::require_reach(conn, &ctx.grant)?;
    if reason.trim().is_empty() {
        return Err(AppError::field(
            "#/reason",
            "say why the definition changes",
        ));
    }
    definition.check().map_err(|e| match e {
        appeals_domain::DomainError::Invalid { field, reason } => {
            AppError::field(format!("#/definition{field}"), reason)
        }
        other => other.into(),
    })?;
    let at = ctx.stored_now();
    let (current, _) = definition_in_force(conn, at)?;
    let text = crate::cards::parts::to_json(&definition)?;
    let hash = sha256(&text);
    if hash == current.content_hash {
        return Ok((
            false,
            DefinitionView {
                row: current,
                definition,
            },
        ));
    }
    let row = DefinitionRow {
        version: current.version + 1,
        definition: text,
        content_hash: hash,
        changed_at: at,
        changed_by: Some(ctx.actor().user_id),
        reason: reason.trim().to_owned(),
    };
    write_tx(conn, |conn| {
        repo_reports::insert_definition(conn, &row).map_err(|e| match e {
            DbError::UniqueViolation(_) => AppError::Conflict(
                "The report definition was changed by another request; reload it and retry."
                    .to_owned(),
            ),
            other => other.into(),
        })?;
        repo::configuration::append_admin_event(
            conn,
            &NewAdminEventRow {
                occurred_at: at,
                actor_user_id: Some(ctx.actor().user_id),
                action: "report_definition_changed".to_owned(),
                target: "report_definition".to_owned(),
                before: Some(
                    serde_json::json!({"version": current.version, "content_hash": current.content_hash})
                        .to_string(),
                ),
                after: Some(
                    serde_json::json!({"version": row.version, "content_hash": row.content_hash, "reason": row.reason})
                        .to_string(),
                ),
            },
        )?;
        Ok::<_, AppError>(())
    })?;
    Ok((true, DefinitionView { row, definition }))
}

/// Every version of the definition, newest first (without the text).
pub fn definition_versions(
    conn: &mut DbConn,
    ctx: &Ctx,
) -> AppResult<Vec<repo_reports::DefinitionVersionRow>> {
    definition_in_force(conn, ctx.stored_now())?;
    Ok(repo_reports::definition_versions(conn)?)
}

// ---------------------------------------------------------------------------------------------
// Recount (`appeals report rebuild`) and the check that kept counts equal it
// ---------------------------------------------------------------------------------------------

/// What a recount found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RebuildSummary {
    pub appeals: u64,
    pub receptions: u64,
    pub counts: usize,
}

const PAGE: i64 = 2_000;

/// Every card's facts summed, from the cards as stored.
fn recount(conn: &mut DbConn) -> AppResult<(RebuildSummary, BTreeMap<Fact, i64>)> {
    let mut summary = RebuildSummary::default();
    let mut totals: BTreeMap<Fact, i64> = BTreeMap::new();
    let mut after = 0;
    loop {
        let page = repo::appeals::page_after(conn, after, PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for row in &page {
            for fact in counts::of_appeal(row)? {
                *totals.entry(fact).or_default() += 1;
            }
        }
        summary.appeals += page.len() as u64;
    }
    let mut after = 0;
    loop {
        let page = repo::receptions::page_after(conn, after, PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for row in &page {
            for fact in counts::of_reception(row)? {
                *totals.entry(fact).or_default() += 1;
            }
        }
        summary.receptions += page.len() as u64;
    }
    summary.counts = totals.len();
    Ok((summary, totals))
}

/// Recounts every card into the kept counts (recovery; `appeals report rebuild`). Card changes
/// wait while it runs, so each is counted exactly once.
pub fn rebuild(conn: &mut DbConn) -> AppResult<RebuildSummary> {
    write_tx(conn, |conn| {
        repo_reports::lock_count_changes(conn)?;
        let (summary, totals) = recount(conn)?;
        repo_reports::clear_counts(conn)?;
        let rows: Vec<_> = totals
            .into_iter()
            .map(|(fact, n)| counts::change_row(report::FactCount { fact, n }))
            .collect();
        repo_reports::insert_counts(conn, &rows)?;
        repo::configuration::put_setting(conn, COUNTS_STATE, "current")?;
        Ok(summary)
    })
}

/// Recounts the kept counts when the migration that introduced them found cards already there.
pub fn rebuild_if_needed(conn: &mut DbConn) -> AppResult<Option<RebuildSummary>> {
    match repo::configuration::setting(conn, COUNTS_STATE)?.as_deref() {
        Some("rebuild") => rebuild(conn).map(Some),
        _ => Ok(None),
    }
}

/// A kept count that differs from the recount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountMismatch {
    pub subject_id: i64,
    pub month: i32,
    pub measure: String,
    pub dimensions: String,
    pub kept: i64,
    pub recounted: i64,
}

/// Compares the kept counts (folded and not) with a recount from the cards; empty when equal.
pub fn verify(conn: &mut DbConn) -> AppResult<Vec<CountMismatch>> {
    let (_, totals) = recount(conn)?;
    let mut recounted: BTreeMap<(i64, i32, String, String), i64> = totals
        .into_iter()
        .map(|(f, n)| {
            (
                (
                    f.subject_id,
                    f.month,
                    f.measure.code().to_owned(),
                    f.dimensions,
                ),
                n,
            )
        })
        .collect();
    let mut out = Vec::new();
    for s in repo_reports::all_sums(conn)? {
        let key = (
            s.subject_id,
            s.month,
            s.measure.clone(),
            s.dimensions.clone(),
        );
        let want = recounted.remove(&key).unwrap_or(0);
        if want != s.n {
            out.push(CountMismatch {
                subject_id: s.subject_id,
                month: s.month,
                measure: s.measure,
                dimensions: s.dimensions,
                kept: s.n,
                recounted: want,
            });
        }
    }
    for ((subject_id, month, measure, dimensions), n) in recounted {
        out.push(CountMismatch {
            subject_id,
            month,
            measure,
            dimensions,
            kept: 0,
            recounted: n,
        });
    }
    Ok(out)
}
