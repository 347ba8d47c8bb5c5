//! Every legal clock of a card, explained: from which day it runs, which term, until when, why,
//! and where it stands today (R16, R27–R29, R33, R34, R36, R39). The dates are the stored ones
//! (requisite 13 and the others); this view only adds what they mean on the local date of the
//! request.

use appeals_db::{DbConn, repo};
use appeals_domain::deadline::{self, ClockState, DayCountConvention, Term};
use appeals_domain::lifecycle::NoticeDelivery;
use chrono::{DateTime, NaiveDate, Utc};

use crate::access;
use crate::cards::parts::CardParts;
use crate::config::Rules;
use crate::ctx::Ctx;
use crate::decisions::Ol2Kind;
use crate::error::AppResult;

/// One legal clock as stored.
struct Clock {
    clock: &'static str,
    label_ru: &'static str,
    legal_basis: &'static str,
    starts_on: NaiveDate,
    term: Option<Term>,
    due_date: NaiveDate,
    completed_on: Option<NaiveDate>,
}

/// One legal clock and where it stands today.
#[derive(Debug, Clone)]
pub struct ClockView {
    pub clock: &'static str,
    pub label_ru: &'static str,
    pub legal_basis: &'static str,
    pub starts_on: NaiveDate,
    pub term: Option<Term>,
    pub due_date: NaiveDate,
    pub state: ClockState,
    pub completed_on: Option<NaiveDate>,
    /// While running: working days left until the due date.
    pub working_days_left: Option<u32>,
}

impl Clock {
    fn view(self, rules: &Rules, today: NaiveDate) -> AppResult<ClockView> {
        let state = deadline::clock_state(self.due_date, self.completed_on, today);
        let working_days_left = match state {
            ClockState::Running => Some(deadline::working_days_left(
                &rules.calendar,
                today,
                self.due_date,
            )?),
            _ => None,
        };
        Ok(ClockView {
            clock: self.clock,
            label_ru: self.label_ru,
            legal_basis: self.legal_basis,
            starts_on: self.starts_on,
            term: self.term,
            due_date: self.due_date,
            state,
            completed_on: self.completed_on,
            working_days_left,
        })
    }
}

fn first_day(rules: &Rules, times: impl Iterator<Item = DateTime<Utc>>) -> Option<NaiveDate> {
    times.map(|t| rules.local_date(t)).min()
}

/// The clocks of a card.
#[derive(Debug, Clone)]
pub struct DeadlinesView {
    pub appeal_id: i64,
    pub registration_number: String,
    pub today: NaiveDate,
    pub convention: DayCountConvention,
    pub calendar_version: String,
    pub current_calendar_version: String,
    pub prolong_count: u32,
    pub extension_cap: NaiveDate,
    pub clocks: Vec<ClockView>,
}

/// Every legal clock of the card (whoever may read it).
pub fn of_appeal(conn: &mut DbConn, ctx: &Ctx, id: i64) -> AppResult<DeadlinesView> {
    let rules = &*ctx.rules;
    let row = access::load_card(conn, &ctx.grant, id)?;
    let parts = CardParts::of(&row)?;
    let forwarded = repo::forwardings::list_for_appeal(conn, id)?;
    let transfers = crate::decisions::load_cards(conn, id)?
        .into_iter()
        .filter(|c| c.kind() == Ol2Kind::Transfer)
        .map(|c| c.card.decided_at.and_utc());
    let today = rules.local_date(ctx.now);
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
            completed_on: first_day(rules, forwarded.iter().map(|f| f.forwarded_at.and_utc())),
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
            completed_on: first_day(rules, transfers),
        });
    }
    // R36: the latest signed extension is told to the applicant within 3 working days;
    // the delivery report of its notice keeps the clock.
    let told = repo::notifications::of_appeal(conn, id)?
        .into_iter()
        .rfind(|n| n.event == crate::cards::write::TERM_EXTENDED);
    if let Some(notice) = told {
        let extended_on = rules.local_date(notice.created_at.and_utc());
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
            .map(|t| rules.local_date(t.and_utc())),
        });
    }
    if let Some(c) = &parts.details.correction {
        clocks.push(Clock {
            clock: "correction",
            label_ru: "Срок приведения в соответствие со ст. 63",
            legal_basis: "АППК ст. 63 (R39); срок указан в уведомлении",
            starts_on: rules.local_date(c.requested_at),
            term: None,
            due_date: c.correct_by,
            completed_on: c.corrected_at.map(|t| rules.local_date(t)),
        });
    }
    Ok(DeadlinesView {
        appeal_id: row.id,
        registration_number: row.reg_number.clone(),
        today,
        convention: rules.deadlines.convention,
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
            .map(|c| c.view(rules, today))
            .collect::<AppResult<_>>()?,
    })
}
