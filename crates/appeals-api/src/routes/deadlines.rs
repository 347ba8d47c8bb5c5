//! Every legal clock of a card, explained: from which day it runs, which term, until when, why,
//! and where it stands today (R16, R27–R29, R33, R34, R36, R39). The dates are the stored ones
//! (requisite 13 and the others); this view only adds what they mean today.

use actix_web::{get, web};
use appeals_domain::deadline::{DayCountConvention, DayUnit, Term};
use appeals_service::deadlines;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Auth, Readers};
use crate::error::ApiResult;
use crate::state::AppState;

/// A term: N working or calendar days.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TermDto {
    pub days: u32,
    /// `working` or `calendar` (a calendar-day term ending on a day off moves to the next working
    /// day, R29).
    pub unit: String,
}

impl From<Term> for TermDto {
    fn from(t: Term) -> Self {
        Self {
            days: t.days,
            unit: match t.unit {
                DayUnit::Working => "working",
                DayUnit::Calendar => "calendar",
            }
            .to_owned(),
        }
    }
}

/// One clock of the card.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClockDto {
    /// `review` (requisite 13), `forwarding` (APPK art. 65), `transfer` (Rules p.15; only for the
    /// non-accountable categories), `extension_notice` (APPK art. 76; only after an extension) or
    /// `correction` (APPK art. 63; only after a notice).
    pub clock: String,
    #[schema(example = "Срок рассмотрения")]
    pub label_ru: String,
    /// Where the term comes from.
    #[schema(example = "АППК ст. 76; срок вида документа (R27–R29)")]
    pub legal_basis: String,
    /// The day the term is counted from (day 1 under the `inclusive` convention).
    pub starts_on: NaiveDate,
    /// The term counted; null for the correction deadline, which the notice sets.
    pub term: Option<TermDto>,
    /// The last day on which the action is in time (end of that local day).
    pub due_date: NaiveDate,
    /// `running`, `completed`, `completed_late` or `expired` (not done and past `due_date`).
    pub state: String,
    /// The local day the action was done (the final act, the forwarding, the transfer, the
    /// correction); null while it is not.
    pub completed_on: Option<NaiveDate>,
    /// While running: working days left, today included.
    pub working_days_left: Option<u32>,
}

/// The card's clocks.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "appeal_id": 42, "registration_number": "ЖТ-2026-00000042", "today": "2026-03-10",
    "convention": "inclusive", "calendar_version": "kz-2026-v1", "current_calendar_version": "kz-2026-v1",
    "prolong_count": 0, "extension_cap": "2026-05-04",
    "clocks": [{"clock": "review", "label_ru": "Срок рассмотрения",
        "legal_basis": "АППК ст. 76; срок вида документа (R27–R29)", "starts_on": "2026-03-05",
        "term": {"days": 15, "unit": "working"}, "due_date": "2026-03-31", "state": "running",
        "completed_on": null, "working_days_left": 14}]
}))]
pub struct DeadlinesDto {
    pub appeal_id: i64,
    pub registration_number: String,
    /// The local date the states are computed for.
    pub today: NaiveDate,
    /// Day-count convention of the terms (R28): `inclusive` (the start day is day 1) or
    /// `exclusive`.
    pub convention: String,
    /// The calendar version the card's deadlines were computed with, and the current one: when
    /// they differ, `POST /api/v1/calendar/recalculation` may move them — never silently (R33).
    pub calendar_version: String,
    pub current_calendar_version: String,
    /// Extensions signed (R36) and the latest day an extended review term may reach.
    pub prolong_count: u32,
    pub extension_cap: NaiveDate,
    pub clocks: Vec<ClockDto>,
}

/// The card's legal clocks and where each stands today.
///
/// `review` (requisite 13: the document type's term from the registration date, moved by a signed
/// extension; kept by the first decision, R44), `forwarding` (3 working days from registration,
/// APPK art. 65; kept by the first forwarding), `transfer` (non-accountable documents only: 3
/// working days, Rules p.15; kept by the ОЛ-2 transfer), `extension_notice` (after a signed
/// extension: 3 working days to tell the applicant, R36; kept when its `term_extended` notice is
/// reported delivered) and `correction` (after an art. 63 notice: the day it set; kept by the
/// correction). The dates are the stored ones; the states and
/// the working days left are computed for today's local date.
#[utoipa::path(tag = "appeals", responses((status = 200, body = DeadlinesDto)))]
#[get("/appeals/{id}/deadlines")]
pub async fn of_appeal(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<DeadlinesDto>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| deadlines::of_appeal(conn, &ctx, id))
        .await?;
    Ok(web::Json(DeadlinesDto::from(view)))
}

impl From<deadlines::DeadlinesView> for DeadlinesDto {
    fn from(view: deadlines::DeadlinesView) -> Self {
        Self {
            appeal_id: view.appeal_id,
            registration_number: view.registration_number,
            today: view.today,
            convention: match view.convention {
                DayCountConvention::Inclusive => "inclusive",
                DayCountConvention::Exclusive => "exclusive",
            }
            .to_owned(),
            calendar_version: view.calendar_version,
            current_calendar_version: view.current_calendar_version,
            prolong_count: view.prolong_count,
            extension_cap: view.extension_cap,
            clocks: view
                .clocks
                .into_iter()
                .map(|c| ClockDto {
                    clock: c.clock.to_owned(),
                    label_ru: c.label_ru.to_owned(),
                    legal_basis: c.legal_basis.to_owned(),
                    starts_on: c.starts_on,
                    term: c.term.map(TermDto::from),
                    due_date: c.due_date,
                    state: c.state.code().to_owned(),
                    completed_on: c.completed_on,
                    working_days_left: c.working_days_left,
                })
                .collect(),
        }
    }
}
