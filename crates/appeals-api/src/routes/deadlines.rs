//! Every legal clock of a card, explained: from which day it runs, which term, until when, why,
//! and where it stands today (R16, R27–R29, R33, R34, R36, R39). The dates are the stored ones
//! (requisite 13 and the others); this view only adds what they mean today.

use actix_web::{get, web};
use appeals_db::repo;
use appeals_domain::deadline::{self, ClockState, DayCountConvention, DayUnit, Term};
use appeals_domain::lifecycle::NoticeDelivery;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::actions::local_date;
use crate::auth::{Auth, Readers};
use crate::error::{ApiError, ApiResult};
use crate::routes::decisions::{CardKind, card_dto};
use crate::rules::Rules;
use crate::rules::Today;
use crate::state::AppState;
use crate::workflow::{self, CardParts};

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

/// What a clock needs besides the rules and today.
struct Clock {
    clock: &'static str,
    label_ru: &'static str,
    legal_basis: &'static str,
    starts_on: NaiveDate,
    term: Option<Term>,
    due_date: NaiveDate,
    completed_on: Option<NaiveDate>,
}

impl Clock {
    fn view(self, rules: &Rules, today: NaiveDate) -> Result<ClockDto, ApiError> {
        let state = deadline::clock_state(self.due_date, self.completed_on, today);
        let working_days_left = match state {
            ClockState::Running => Some(deadline::working_days_left(
                &rules.calendar,
                today,
                self.due_date,
            )?),
            _ => None,
        };
        Ok(ClockDto {
            clock: self.clock.to_owned(),
            label_ru: self.label_ru.to_owned(),
            legal_basis: self.legal_basis.to_owned(),
            starts_on: self.starts_on,
            term: self.term.map(TermDto::from),
            due_date: self.due_date,
            state: state.code().to_owned(),
            completed_on: self.completed_on,
            working_days_left,
        })
    }
}

/// The earliest local day among `times`.
fn first_day(rules: &Rules, times: impl Iterator<Item = DateTime<Utc>>) -> Option<NaiveDate> {
    times.map(|t| local_date(rules, t.naive_utc())).min()
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
    let rules = state.rules();
    let principal = auth.principal.clone();
    let dto = state
        .db(move |conn| {
            let row = workflow::load_card(conn, &principal, id)?;
            let parts = CardParts::of(&row)?;
            let forwarded = repo::forwardings::list_for_appeal(conn, id)?;
            let transfers = repo::decisions::list(conn, id)?
                .iter()
                .map(card_dto)
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .filter(|c| c.card_kind == CardKind::Transfer)
                .map(|c| c.decided_at);
            let today = rules.today();
            let mut clocks = vec![
                Clock {
                    clock: "review",
                    label_ru: "Срок рассмотрения",
                    legal_basis: "АППК ст. 76; срок вида документа (R27–R29), продление (R36)",
                    starts_on: row.registration_date,
                    term: Some(parts.card.term()),
                    due_date: row.review_due,
                    completed_on: parts.details.final_act_on,
                },
                Clock {
                    clock: "forwarding",
                    label_ru: "Срок направления по компетенции",
                    legal_basis: "АППК ст. 65 (R34)",
                    starts_on: row.registration_date,
                    term: Some(Term::working(rules.deadlines.forwarding_working_days)),
                    due_date: row.forward_due,
                    completed_on: first_day(
                        &rules,
                        forwarded.iter().map(|f| workflow::utc(f.forwarded_at)),
                    ),
                },
            ];
            if let Some(due) = row.transfer_due {
                clocks.push(Clock {
                    clock: "transfer",
                    label_ru: "Срок передачи в иную информационную систему",
                    legal_basis: "Правила п. 15 (R16)",
                    starts_on: row.registration_date,
                    term: Some(Term::working(rules.deadlines.transfer_working_days)),
                    due_date: due,
                    completed_on: first_day(&rules, transfers),
                });
            }
            // R36: the latest signed extension is told to the applicant within 3 working days;
            // the delivery report of its notice keeps the clock.
            let told = repo::notifications::of_appeal(conn, id)?
                .into_iter()
                .rfind(|n| n.event == workflow::TERM_EXTENDED);
            if let Some(notice) = told {
                let extended_on = local_date(&rules, notice.created_at);
                clocks.push(Clock {
                    clock: "extension_notice",
                    label_ru: "Срок уведомления о продлении",
                    legal_basis: "АППК ст. 76 (R36); уведомление заявителю (R46)",
                    starts_on: extended_on,
                    term: Some(Term::working(rules.deadlines.extension_notice_working_days)),
                    due_date: deadline::extension_notice_due(
                        &rules.calendar,
                        &rules.deadlines,
                        extended_on,
                    )?
                    .date,
                    completed_on: (NoticeDelivery::from_code(&notice.delivery)
                        == Some(NoticeDelivery::Delivered))
                    .then_some(notice.reported_at)
                    .flatten()
                    .map(|t| local_date(&rules, t)),
                });
            }
            if let Some(c) = &parts.details.correction {
                clocks.push(Clock {
                    clock: "correction",
                    label_ru: "Срок приведения в соответствие со ст. 63",
                    legal_basis: "АППК ст. 63 (R39); срок указан в уведомлении",
                    starts_on: local_date(&rules, c.requested_at.naive_utc()),
                    term: None,
                    due_date: c.correct_by,
                    completed_on: c.corrected_at.map(|t| local_date(&rules, t.naive_utc())),
                });
            }
            Ok(DeadlinesDto {
                appeal_id: row.id,
                registration_number: row.reg_number.clone(),
                today,
                convention: match rules.deadlines.convention {
                    DayCountConvention::Inclusive => "inclusive",
                    DayCountConvention::Exclusive => "exclusive",
                }
                .to_owned(),
                calendar_version: parts.details.calendar_version.clone(),
                current_calendar_version: rules.calendar.version().as_str().to_owned(),
                prolong_count: parts.state.prolong_count(),
                extension_cap: deadline::extension_cap(
                    &rules.calendar,
                    &rules.deadlines,
                    row.registration_date,
                )?
                .date,
                clocks: clocks
                    .into_iter()
                    .map(|c| c.view(&rules, today))
                    .collect::<Result<_, _>>()?,
            })
        })
        .await?;
    Ok(web::Json(dto))
}
