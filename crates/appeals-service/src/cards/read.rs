//! Reading cards through the guard: one card, the list, a card's history and the check of its
//! hash chain.

use appeals_db::repo::appeals::AppealFilter;
use appeals_db::repo::events::ChainCheck;
use appeals_db::rows::{AppealSummaryRow, EventRow};
use appeals_db::{DbConn, repo};
use chrono::NaiveDate;

use crate::access;
use crate::actions::CardView;
use crate::ctx::Ctx;
use crate::error::AppResult;

/// The card's history, oldest first (whoever may read the card).
pub fn history(conn: &mut DbConn, ctx: &Ctx, appeal_id: i64) -> AppResult<Vec<EventRow>> {
    access::load_card(conn, &ctx.grant, appeal_id)?;
    Ok(repo::events::list(conn, appeal_id)?)
}

/// The card's hash chain recomputed: intact, or its first broken link (for auditors).
pub fn verify_history(conn: &mut DbConn, ctx: &Ctx, appeal_id: i64) -> AppResult<ChainCheck> {
    access::load_card(conn, &ctx.grant, appeal_id)?;
    Ok(repo::events::verify_appeal(conn, appeal_id)?)
}

/// One card, unless the client holds its current version (conditional GET).
pub enum CardRead {
    Card(Box<CardView>),
    /// The client's `If-None-Match` names the current version.
    NotModified(i64),
}

/// One card (whoever may read it; 404 otherwise). `held` says whether the client already has a
/// version: then the view is not built.
pub fn card(
    conn: &mut DbConn,
    ctx: &Ctx,
    appeal_id: i64,
    held: impl Fn(i64) -> bool,
) -> AppResult<CardRead> {
    let row = access::load_card(conn, &ctx.grant, appeal_id)?;
    if held(row.version) {
        return Ok(CardRead::NotModified(row.version));
    }
    Ok(CardRead::Card(Box::new(CardView::load(conn, row)?)))
}

/// The filters of the appeal list (all optional; the guard adds the caller's reach).
#[derive(Debug, Clone, Default)]
pub struct ListAppeals {
    pub subject_id: Option<i64>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub registered_from: Option<NaiveDate>,
    pub registered_to: Option<NaiveDate>,
    pub applicant_iin_bin: Option<String>,
    pub reg_number: Option<String>,
    pub tag: Option<String>,
    pub marking: Option<String>,
    /// Open cards past their review deadline today.
    pub overdue: bool,
    /// Non-accountable documents not transferred by their deadline (p.15) today.
    pub transfer_overdue: bool,
    /// R44: accountable cards past requisite 13 with no decision yet, today.
    pub deemed_refusal: bool,
    /// Issue 23 point 3: `Some(true)` cards with an act entered on a later day than its stated
    /// date (`Some(false)`: none).
    pub entered_late: Option<bool>,
    /// Only ids below this (the cursor: newest first).
    pub before_id: Option<i64>,
    /// With `before_id`, the cursor of a registration-date range's page (in registration-date
    /// order): only cards registered before this day, or on it with a lower id.
    pub before_registration_date: Option<NaiveDate>,
    pub limit: i64,
}

impl ListAppeals {
    /// Whether the list comes by registration date, then id (a range of registration dates;
    /// `AppealFilter::in_date_order`), so its cursor carries the date.
    pub fn in_date_order(&self) -> bool {
        self.registered_from.is_some() || self.registered_to.is_some()
    }
}

/// The database's filter of a list request: the caller's reach and "today" added.
fn list_filter(conn: &mut DbConn, ctx: &Ctx, q: ListAppeals) -> AppResult<AppealFilter> {
    let today = ctx.rules.local_date(ctx.now);
    let on = |wanted: bool| wanted.then_some(today);
    Ok(AppealFilter {
        visible_subjects: access::visible_subjects(conn, &ctx.grant)?,
        subject_id: q.subject_id,
        status: q.status,
        kind: q.kind,
        registered_from: q.registered_from,
        registered_to: q.registered_to,
        applicant_iin_bin: q.applicant_iin_bin,
        reg_number: q.reg_number,
        tag: q.tag,
        marking: q.marking,
        overdue_on: on(q.overdue),
        transfer_overdue_on: on(q.transfer_overdue),
        deemed_refusal_on: on(q.deemed_refusal),
        entered_late: q.entered_late,
        before_id: q.before_id,
        before_registration_date: q.before_registration_date,
        limit: q.limit,
        control_bucket: None,
    })
}

/// The cards the caller may read, newest first, filtered; "today" is the local date of the
/// action.
pub fn list(conn: &mut DbConn, ctx: &Ctx, q: ListAppeals) -> AppResult<Vec<CardView>> {
    let filter = list_filter(conn, ctx, q)?;
    let rows = repo::appeals::list(conn, &filter)?;
    CardView::load_page(conn, rows)
}

/// One card of a list screen: its summary row and what of the card the screen shows.
#[derive(Debug, Clone)]
pub struct CardSummary {
    pub row: AppealSummaryRow,
    /// Requisite 12.
    pub summary: String,
    pub tags: Vec<String>,
    pub markings: Vec<String>,
}

/// The fields of a stored ОЛ-1 a list screen shows (read without the rest of the card).
#[derive(serde::Deserialize)]
struct ListedFields {
    #[serde(default)]
    summary: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    markings: Vec<String>,
}

/// The same list as [`list`] in its summary view: one statement for the page, no З-1 rows, no
/// holders, no texts — what a list screen needs at national scale.
pub fn list_summaries(conn: &mut DbConn, ctx: &Ctx, q: ListAppeals) -> AppResult<Vec<CardSummary>> {
    let filter = list_filter(conn, ctx, q)?;
    summaries_of(repo::appeals::list_summaries(conn, &filter)?)
}

/// Summary rows with the list fields of their cards.
pub(crate) fn summaries_of(rows: Vec<AppealSummaryRow>) -> AppResult<Vec<CardSummary>> {
    rows.into_iter()
        .map(|row| {
            let listed: ListedFields = crate::cards::parts::parse_json(&row.card, "card")?;
            Ok(CardSummary {
                summary: listed.summary,
                tags: listed.tags,
                markings: listed.markings,
                row,
            })
        })
        .collect()
}
