//! Deadlines on the working-day calendar (APPK art. 65, 73, 76; Rules p.15, p.32).
//!
//! The shared vocabulary (`DayUnit`, `Term`, `DayCountConvention`) is used by the dictionaries too.

use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarVersion};
use crate::error::DomainError;

/// Whether a term counts working days or calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayUnit {
    /// Days that are working days on the calendar of Kazakhstan (APPK terms).
    Working,
    /// Calendar days; the end moves to the next working day when it falls on a non-working day (R29).
    Calendar,
}

/// A term: N days of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Term {
    /// Number of days; at least 1.
    pub days: u32,
    /// Working or calendar days.
    pub unit: DayUnit,
}

impl Term {
    /// A term of `days` working days (APPK terms, R27).
    pub const fn working(days: u32) -> Self {
        Self {
            days,
            unit: DayUnit::Working,
        }
    }
    /// A term of `days` calendar days, end moved off non-working days (R29).
    pub const fn calendar(days: u32) -> Self {
        Self {
            days,
            unit: DayUnit::Calendar,
        }
    }
}

/// Whether the day of receipt is day 1 (`Inclusive`, eOtinish practice, the default — R28) or the
/// day after it is (`Exclusive`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayCountConvention {
    /// The receipt (registration) day is day 1 (eOtinish, R28 default).
    #[default]
    Inclusive,
    /// The day after receipt is day 1 (general civil-law reading, R28 alternative).
    Exclusive,
}

/// The configurable choices of the deadline rules ([OBS]/[INF] points of DOMAIN.md). The defaults
/// are the values DOMAIN.md gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeadlineSettings {
    /// Day-count convention for terms counted from an event (R28); default `Inclusive`.
    pub convention: DayCountConvention,
    /// Local time zone as an offset from UTC in minutes (R8); default +300 (UTC+5, Kazakhstan).
    pub utc_offset_minutes: i32,
    /// Local time from which a submission counts as received the next day (R8); default 18:30:00
    /// (eOtinish: "after 18:29:59").
    pub cutoff: NaiveTime,
    /// Forwarding by competence, working days (R34, APPK Art. 65); default 3.
    pub forwarding_working_days: u32,
    /// Transfer of a non-accountable document to another IS, working days (R16, Rules p.15); 3.
    pub transfer_working_days: u32,
    /// Cancellation of a transfer, working days from the decision (R18, Rules p.15); default 1.
    pub transfer_cancellation_working_days: u32,
    /// Cap of the total (extended) term, calendar months from receipt (R36, APPK Art. 76 [INF
    /// reading of «не более чем до двух месяцев»]); default 2.
    pub extension_cap_months: u32,
    /// Notice of an extension to the participant, working days from the extension (R36); 3.
    pub extension_notice_working_days: u32,
    /// Minimum working days between receipt of a hearing notice and adoption (R38, APPK Art. 73); 3.
    pub hearing_notice_working_days: u32,
    /// Day of the following month on which report 1-ОЛ is due (R50, Rules p.32); default 10.
    pub report_due_day: u32,
    /// How many working days before its entry an act may be dated by someone without the head's
    /// role ([INF], issue 23 point 3); default 3.
    pub backdating_working_days: u32,
}

impl Default for DeadlineSettings {
    fn default() -> Self {
        Self {
            convention: DayCountConvention::Inclusive,
            utc_offset_minutes: 5 * 60,
            cutoff: NaiveTime::from_hms_opt(18, 30, 0).unwrap_or(NaiveTime::MIN),
            forwarding_working_days: 3,
            transfer_working_days: 3,
            transfer_cancellation_working_days: 1,
            extension_cap_months: 2,
            extension_notice_working_days: 3,
            hearing_notice_working_days: 3,
            report_due_day: 10,
            backdating_working_days: 3,
        }
    }
}

/// A computed due date (the last allowed day, end of that local day) and the calendar version it
/// was computed with (R33: a stored deadline is only changed by an explicit recalculation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// Last day on which the action is in time.
    pub date: NaiveDate,
    /// Version of the calendar data used (R33).
    pub calendar_version: CalendarVersion,
}

impl Deadline {
    /// Whether an action done on `done_on` is late (R18, R34: the system flags lateness).
    pub fn is_overdue_on(&self, done_on: NaiveDate) -> bool {
        done_on > self.date
    }

    /// Whether this deadline was computed with `calendar`'s current data (R33); when not, a
    /// recalculation may be offered — never applied silently.
    pub fn is_current_for(&self, calendar: &Calendar) -> bool {
        self.calendar_version == *calendar.version()
    }
}

fn deadline(calendar: &Calendar, date: NaiveDate) -> Deadline {
    Deadline {
        date,
        calendar_version: calendar.version().clone(),
    }
}

/// A submission normalised to its registration date (R7, R8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The instant the submission arrived.
    pub received_at: DateTime<Utc>,
    /// The same instant in local time (settings' offset).
    pub received_local: NaiveDateTime,
    /// Whether the local time was at or after the cut-off (R8).
    pub after_cutoff: bool,
    /// The local working day on which it is registered and from which terms run (R7, R17).
    pub registration_date: NaiveDate,
    /// Version of the calendar data used (R33).
    pub calendar_version: CalendarVersion,
}

/// Normalises the receipt instant (R7, R8): converted to local time (UTC+5 by default); a local
/// time at or after the cut-off (18:30 by default) counts as the next day; a non-working day moves
/// to the next working day (APPK: "received on a non-working day — registered on the next working
/// day").
pub fn normalise_receipt(
    calendar: &Calendar,
    settings: &DeadlineSettings,
    received_at: DateTime<Utc>,
) -> Result<Receipt, DomainError> {
    normalise(calendar, settings, received_at, true)
}

/// p.18 part 2 of the prosecutors' Instruction (issue 21): a call-centre appeal is registered
/// immediately — the cut-off does not move it to the next day; a non-working day still moves it
/// to the next working day (APPK, which ranks above the Instruction).
pub fn normalise_receipt_immediate(
    calendar: &Calendar,
    settings: &DeadlineSettings,
    received_at: DateTime<Utc>,
) -> Result<Receipt, DomainError> {
    normalise(calendar, settings, received_at, false)
}

fn normalise(
    calendar: &Calendar,
    settings: &DeadlineSettings,
    received_at: DateTime<Utc>,
    apply_cutoff: bool,
) -> Result<Receipt, DomainError> {
    let offset = settings
        .utc_offset_minutes
        .checked_mul(60)
        .and_then(FixedOffset::east_opt)
        .ok_or_else(|| {
            DomainError::invalid("settings/utc_offset_minutes", "must be within ±24 hours")
        })?;
    let received_local = received_at.with_timezone(&offset).naive_local();
    let after_cutoff = apply_cutoff && received_local.time() >= settings.cutoff;
    let mut day = received_local.date();
    if after_cutoff {
        day = day
            .succ_opt()
            .ok_or_else(|| DomainError::invalid("received_at", "date out of range"))?;
    }
    let registration_date = calendar.next_working_day_on_or_after(day)?;
    Ok(Receipt {
        received_at,
        received_local,
        after_cutoff,
        registration_date,
        calendar_version: calendar.version().clone(),
    })
}

/// End of `term` counted from `start` with `convention` (R28, R29): working-day terms end on the
/// N-th working day; calendar-day terms end N calendar days on and move off a non-working end.
/// A non-working `start` counts from the next working day (R7).
pub fn term_end(
    calendar: &Calendar,
    start: NaiveDate,
    term: Term,
    convention: DayCountConvention,
) -> Result<Deadline, DomainError> {
    let date = match term.unit {
        DayUnit::Working => calendar.add_working_days(start, term.days, convention)?,
        DayUnit::Calendar => calendar.add_calendar_days(start, term.days, convention)?,
    };
    Ok(deadline(calendar, date))
}

/// Review deadline of an appeal (R27, APPK Art. 76: 15 working days unless a law says otherwise;
/// the per-type `term` comes from the document-type dictionary), counted from the registration
/// date with the configured convention (R28), calendar-day terms shifted off non-working days (R29).
pub fn review_due(
    calendar: &Calendar,
    settings: &DeadlineSettings,
    registered_on: NaiveDate,
    term: Term,
) -> Result<Deadline, DomainError> {
    term_end(calendar, registered_on, term, settings.convention)
}

/// Review deadline of a document transferred under Rules p.15 (R17): its terms run from the date of
/// registration in the IAS, so pass that date (not the date of the transfer).
pub fn transferred_review_due(
    calendar: &Calendar,
    settings: &DeadlineSettings,
    ias_registered_on: NaiveDate,
    term: Term,
) -> Result<Deadline, DomainError> {
    review_due(calendar, settings, ias_registered_on, term)
}

/// Last day to forward an appeal by competence (R34, APPK Art. 65: "не позднее трех рабочих дней со
/// дня поступления", with simultaneous notice to the applicant).
pub fn forward_due(
    calendar: &Calendar,
    settings: &DeadlineSettings,
    registered_on: NaiveDate,
) -> Result<Deadline, DomainError> {
    let term = Term::working(settings.forwarding_working_days);
    term_end(calendar, registered_on, term, settings.convention)
}

/// Last day to transfer a non-accountable document to another IS via ОЛ-2 (R16, Rules p.15: within
/// 3 working days from receipt).
pub fn transfer_due(
    calendar: &Calendar,
    settings: &DeadlineSettings,
    registered_on: NaiveDate,
) -> Result<Deadline, DomainError> {
    let term = Term::working(settings.transfer_working_days);
    term_end(calendar, registered_on, term, settings.convention)
}

/// Last day to cancel a transfer (R18, Rules p.15: within 1 working day from the decision to
/// cancel). The decision day counts by the configured convention, like every other term here
/// [INF]: `Inclusive` → the decision day itself (or the next working day if it is non-working).
pub fn transfer_cancellation_due(
    calendar: &Calendar,
    settings: &DeadlineSettings,
    decided_on: NaiveDate,
) -> Result<Deadline, DomainError> {
    let term = Term::working(settings.transfer_cancellation_working_days);
    term_end(calendar, decided_on, term, settings.convention)
}

/// Latest date an extended review deadline may reach (R36, APPK Art. 76 «не более чем до двух
/// месяцев» read as a cap on the total term [INF]): `extension_cap_months` calendar months from the
/// registration date, counted with the convention (R28: `Inclusive` ends the day before the same
/// date N months later), shifted off a non-working end (R29). Month ends clamp (31 Dec + 2 months →
/// end of February).
pub fn extension_cap(
    calendar: &Calendar,
    settings: &DeadlineSettings,
    registered_on: NaiveDate,
) -> Result<Deadline, DomainError> {
    let start = calendar.next_working_day_on_or_after(registered_on)?;
    // Inclusive: the registration day is day 1, so the period ends N months after the day before
    // it (3 March → 2 May; 31 December → 28/29 February, clamped by chrono).
    let day_zero = match settings.convention {
        DayCountConvention::Inclusive => start.pred_opt().unwrap_or(start),
        DayCountConvention::Exclusive => start,
    };
    let end = day_zero
        .checked_add_months(Months::new(settings.extension_cap_months))
        .ok_or_else(|| DomainError::invalid("registered_on", "date out of range"))?;
    Ok(deadline(
        calendar,
        calendar.next_working_day_on_or_after(end)?,
    ))
}

/// Last day to notify the participant of an extension (R36, APPK Art. 76: within 3 working days
/// from the day of extension).
pub fn extension_notice_due(
    calendar: &Calendar,
    settings: &DeadlineSettings,
    extended_on: NaiveDate,
) -> Result<Deadline, DomainError> {
    let term = Term::working(settings.extension_notice_working_days);
    term_end(calendar, extended_on, term, settings.convention)
}

/// An accepted extension (R36): the new deadline, its cap and the notice due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// The accepted extended review deadline.
    pub new_deadline: Deadline,
    /// The latest allowed deadline ([`extension_cap`]).
    pub cap: Deadline,
    /// Last day to notify the participant ([`extension_notice_due`]).
    pub notice_due: Deadline,
}

/// Checks a proposed extended deadline (R36): it must be a working day, later than the current
/// deadline and not beyond [`extension_cap`]; returns the extension with the notice due date. The
/// role check (head or deputy head) is an API concern — API part: issue 4.
pub fn check_extension(
    calendar: &Calendar,
    settings: &DeadlineSettings,
    registered_on: NaiveDate,
    current_deadline: NaiveDate,
    proposed: NaiveDate,
    extended_on: NaiveDate,
) -> Result<Extension, DomainError> {
    if proposed <= current_deadline {
        return Err(DomainError::invalid(
            "new_deadline",
            format!("must be later than the current deadline {current_deadline}"),
        ));
    }
    if !calendar.is_working_day(proposed)? {
        return Err(DomainError::invalid(
            "new_deadline",
            "must be a working day",
        ));
    }
    let cap = extension_cap(calendar, settings, registered_on)?;
    if proposed > cap.date {
        return Err(DomainError::invalid(
            "new_deadline",
            format!(
                "exceeds the cap of {} months from receipt ({}) — APPK Art. 76",
                settings.extension_cap_months, cap.date
            ),
        ));
    }
    Ok(Extension {
        new_deadline: deadline(calendar, proposed),
        notice_due: extension_notice_due(calendar, settings, extended_on)?,
        cap,
    })
}

/// Earliest day a burdensome act may be adopted after the participant received the hearing notice
/// (R38, APPK Art. 73: the notice must be received not later than 3 working days before adoption):
/// the 3rd working day strictly after the day of receipt, whatever the day-count convention.
pub fn earliest_adoption_after_hearing_notice(
    calendar: &Calendar,
    settings: &DeadlineSettings,
    notice_received_on: NaiveDate,
) -> Result<Deadline, DomainError> {
    let date =
        calendar.nth_working_day_after(notice_received_on, settings.hearing_notice_working_days)?;
    Ok(deadline(calendar, date))
}

/// Validates the date of a final (burdensome) decision against the hearing notice (R38).
pub fn check_adoption_after_hearing(
    calendar: &Calendar,
    settings: &DeadlineSettings,
    notice_received_on: NaiveDate,
    adopted_on: NaiveDate,
) -> Result<(), DomainError> {
    let earliest = earliest_adoption_after_hearing_notice(calendar, settings, notice_received_on)?;
    if adopted_on < earliest.date {
        return Err(DomainError::invalid(
            "adopted_on",
            format!(
                "the hearing notice must be received at least {} working days before adoption; earliest {}",
                settings.hearing_notice_working_days, earliest.date
            ),
        ));
    }
    Ok(())
}

/// Due date of report 1-ОЛ for the period `year`-`month` (R50, Rules p.32): the 10th of the
/// following month, moved to the next working day when non-working.
pub fn report_1ol_due(
    calendar: &Calendar,
    settings: &DeadlineSettings,
    year: i32,
    month: u32,
) -> Result<Deadline, DomainError> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)
        .ok_or_else(|| DomainError::invalid("period", "month must be 1–12"))?;
    let next = first
        .checked_add_months(Months::new(1))
        .ok_or_else(|| DomainError::invalid("period", "out of range"))?;
    let due = NaiveDate::from_ymd_opt(next.year(), next.month(), settings.report_due_day)
        .ok_or_else(|| DomainError::invalid("settings/report_due_day", "not a day of the month"))?;
    Ok(deadline(
        calendar,
        calendar.next_working_day_on_or_after(due)?,
    ))
}

/// Where a legal clock of a card stands on a day (R16, R27–R34, R39): still running, kept (or
/// kept late), or run out with nothing done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// Not done yet and the last day has not passed.
    Running,
    /// Done on or before the last day.
    Completed,
    /// Done after the last day.
    CompletedLate,
    /// Not done and the last day has passed.
    Expired,
}

impl ClockState {
    pub fn code(self) -> &'static str {
        match self {
            ClockState::Running => "running",
            ClockState::Completed => "completed",
            ClockState::CompletedLate => "completed_late",
            ClockState::Expired => "expired",
        }
    }
}

/// The state on `today` of a clock due on `due` and done on `completed_on`.
pub fn clock_state(
    due: NaiveDate,
    completed_on: Option<NaiveDate>,
    today: NaiveDate,
) -> ClockState {
    match completed_on {
        Some(done) if done > due => ClockState::CompletedLate,
        Some(_) => ClockState::Completed,
        None if today > due => ClockState::Expired,
        None => ClockState::Running,
    }
}

/// Working days left to act, `today` included when it is a working day; 0 after `due`.
pub fn working_days_left(
    calendar: &Calendar,
    today: NaiveDate,
    due: NaiveDate,
) -> Result<u32, DomainError> {
    if due < today {
        return Ok(0);
    }
    calendar.working_days_between(today.pred_opt().unwrap_or(today), due)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;
    use DayCountConvention::{Exclusive, Inclusive};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cal() -> Calendar {
        Calendar::kazakhstan_default()
    }

    fn settings(convention: DayCountConvention) -> DeadlineSettings {
        DeadlineSettings {
            convention,
            ..DeadlineSettings::default()
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        Utc.from_utc_datetime(&NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap())
    }

    /// DOMAIN.md §3.5: every worked example (3/15/20 working days and 15 calendar days, incl/excl).
    #[test]
    fn worked_examples_3_5() {
        let rows = [
            // received, 3wd incl/excl, 15wd incl/excl, 20wd incl/excl, 15cd incl/excl
            [
                "2025-03-19",
                "2025-03-26",
                "2025-03-27",
                "2025-04-11",
                "2025-04-14",
                "2025-04-18",
                "2025-04-21",
                "2025-04-02",
                "2025-04-03",
            ],
            [
                "2025-06-04",
                "2025-06-09",
                "2025-06-10",
                "2025-06-25",
                "2025-06-26",
                "2025-07-02",
                "2025-07-03",
                "2025-06-18",
                "2025-06-19",
            ],
            [
                "2025-12-10",
                "2025-12-12",
                "2025-12-15",
                "2025-12-31",
                "2026-01-05",
                "2026-01-12",
                "2026-01-13",
                "2025-12-24",
                "2025-12-25",
            ],
            [
                "2026-03-05",
                "2026-03-10",
                "2026-03-11",
                "2026-03-31",
                "2026-04-01",
                "2026-04-07",
                "2026-04-08",
                "2026-03-19",
                "2026-03-20",
            ],
            [
                "2026-05-04",
                "2026-05-06",
                "2026-05-08",
                "2026-05-26",
                "2026-05-28",
                "2026-06-03",
                "2026-06-04",
                "2026-05-18",
                "2026-05-19",
            ],
        ];
        let c = cal();
        let terms = [
            Term::working(3),
            Term::working(15),
            Term::working(20),
            Term::calendar(15),
        ];
        for row in rows {
            let received = d(row[0]);
            for (k, term) in terms.iter().enumerate() {
                for (j, conv) in [Inclusive, Exclusive].into_iter().enumerate() {
                    let got = review_due(&c, &settings(conv), received, *term).unwrap();
                    assert_eq!(
                        got.date,
                        d(row[1 + 2 * k + j]),
                        "{received} {term:?} {conv:?}"
                    );
                    assert_eq!(got.calendar_version, *c.version());
                }
            }
        }
    }

    /// DOMAIN.md §3.5: report 1-ОЛ due dates (the month given there is the due month, so the
    /// reporting period is the month before).
    #[test]
    fn report_due_dates_3_5() {
        let c = cal();
        let s = DeadlineSettings::default();
        for (y, m, due) in [
            (2024, 12, "2025-01-10"),
            (2025, 2, "2025-03-11"),
            (2025, 4, "2025-05-12"),
            (2025, 7, "2025-08-11"),
            (2025, 12, "2026-01-12"),
            (2026, 4, "2026-05-12"),
            (2026, 9, "2026-10-12"),
        ] {
            assert_eq!(
                report_1ol_due(&c, &s, y, m).unwrap().date,
                d(due),
                "{y}-{m}"
            );
        }
    }

    /// R50 tests: period 2026-04 → 2026-05-12; period 2025-02 → 2025-03-11.
    #[test]
    fn r50_report_1ol_due() {
        let c = cal();
        let s = DeadlineSettings::default();
        assert_eq!(
            report_1ol_due(&c, &s, 2026, 4).unwrap().date,
            d("2026-05-12")
        );
        assert_eq!(
            report_1ol_due(&c, &s, 2025, 2).unwrap().date,
            d("2025-03-11")
        );
        assert!(report_1ol_due(&c, &s, 2025, 13).is_err());
    }

    /// R7 test: received Sat 2026-03-21 → registration date 2026-03-26.
    #[test]
    fn r7_non_working_day_registers_next_working_day() {
        let c = cal();
        let s = DeadlineSettings::default();
        let r = normalise_receipt(&c, &s, utc("2026-03-21 05:00:00")).unwrap();
        assert_eq!(r.registration_date, d("2026-03-26"));
        assert!(!r.after_cutoff);
        assert_eq!(r.calendar_version, *c.version());
    }

    /// R8: after 18:29:59 local (UTC+5) counts as the next day; the local date, not the UTC date,
    /// decides.
    #[test]
    fn r8_cutoff_and_time_zone() {
        let c = cal();
        let s = DeadlineSettings::default();
        // Fri 2026-03-20 18:29:59 local = 13:29:59 UTC → same day.
        let r = normalise_receipt(&c, &s, utc("2026-03-20 13:29:59")).unwrap();
        assert_eq!(r.registration_date, d("2026-03-20"));
        // 18:30:00 local → Saturday 21 March (Nauryz) → Thursday 26 March.
        let r = normalise_receipt(&c, &s, utc("2026-03-20 13:30:00")).unwrap();
        assert!(r.after_cutoff);
        assert_eq!(r.registration_date, d("2026-03-26"));
        // 2025-06-04 20:00 UTC is 2025-06-05 01:00 local (Thursday, before the cut-off).
        let r = normalise_receipt(&c, &s, utc("2025-06-04 20:00:00")).unwrap();
        assert_eq!(r.registration_date, d("2025-06-05"));
        // Configurable: UTC+6 and a 17:00 cut-off.
        let s6 = DeadlineSettings {
            utc_offset_minutes: 360,
            cutoff: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
            ..DeadlineSettings::default()
        };
        let r = normalise_receipt(&c, &s6, utc("2025-06-04 11:00:00")).unwrap();
        assert_eq!(r.registration_date, d("2025-06-05"));
        let bad = DeadlineSettings {
            utc_offset_minutes: 24 * 60,
            ..DeadlineSettings::default()
        };
        assert!(normalise_receipt(&c, &bad, utc("2025-06-04 11:00:00")).is_err());
    }

    /// §2.10 [OBS]: eOtinish fixture — 15-wd «Запрос» started Tue 2022-06-07 → 2022-06-27.
    #[test]
    fn r27_eotinish_fixture_2022() {
        let c = cal();
        let due = review_due(
            &c,
            &DeadlineSettings::default(),
            d("2022-06-07"),
            Term::working(15),
        );
        assert_eq!(due.unwrap().date, d("2022-06-27"));
    }

    /// R27: the term comes from the document type (§6.4): 15 wd default, 20 wd complaint,
    /// 10 calendar days notary request.
    #[test]
    fn r27_review_due_per_term() {
        let c = cal();
        let s = DeadlineSettings::default();
        assert_eq!(
            review_due(&c, &s, d("2025-03-19"), Term::working(15))
                .unwrap()
                .date,
            d("2025-04-11")
        );
        assert_eq!(
            review_due(&c, &s, d("2025-03-19"), Term::working(20))
                .unwrap()
                .date,
            d("2025-04-18")
        );
        // 10 calendar days from Wed 2025-03-19 (day 1) → Fri 2025-03-28.
        assert_eq!(
            review_due(&c, &s, d("2025-03-19"), Term::calendar(10))
                .unwrap()
                .date,
            d("2025-03-28")
        );
        assert!(review_due(&c, &s, d("2025-03-19"), Term::working(0)).is_err());
        assert!(review_due(&c, &s, d("2030-12-20"), Term::working(15)).is_err());
    }

    /// R28 test: received 2026-03-05, 15 wd → 2026-03-31 (incl.) / 2026-04-01 (excl.).
    #[test]
    fn r28_day_count_convention() {
        let c = cal();
        let t = Term::working(15);
        assert_eq!(
            review_due(&c, &settings(Inclusive), d("2026-03-05"), t)
                .unwrap()
                .date,
            d("2026-03-31")
        );
        assert_eq!(
            review_due(&c, &settings(Exclusive), d("2026-03-05"), t)
                .unwrap()
                .date,
            d("2026-04-01")
        );
        assert_eq!(DeadlineSettings::default().convention, Inclusive);
    }

    /// R29 test: received 2025-06-04, 15 calendar days, incl. → 2025-06-18; an end on a
    /// non-working day moves to the next working day.
    #[test]
    fn r29_calendar_days_end_moves_off_non_working_day() {
        let c = cal();
        let s = DeadlineSettings::default();
        assert_eq!(
            review_due(&c, &s, d("2025-06-04"), Term::calendar(15))
                .unwrap()
                .date,
            d("2025-06-18")
        );
        // 2026-03-05 + 17 calendar days (incl.) = Sat 2026-03-21 (Nauryz) → Thu 2026-03-26.
        assert_eq!(
            review_due(&c, &s, d("2026-03-05"), Term::calendar(17))
                .unwrap()
                .date,
            d("2026-03-26")
        );
    }

    /// R34 test: received 2025-12-10 → forward_due 2025-12-12 (incl.) / 2025-12-15 (excl.).
    #[test]
    fn r34_forward_due() {
        let c = cal();
        let incl = forward_due(&c, &settings(Inclusive), d("2025-12-10")).unwrap();
        assert_eq!(incl.date, d("2025-12-12"));
        assert_eq!(
            forward_due(&c, &settings(Exclusive), d("2025-12-10"))
                .unwrap()
                .date,
            d("2025-12-15")
        );
        // Overdue flag: forwarded on Monday 15 December under the inclusive count.
        assert!(incl.is_overdue_on(d("2025-12-15")));
        assert!(!incl.is_overdue_on(d("2025-12-12")));
    }

    /// R16 test: received Mon 2026-05-04 → transfer due 2026-05-06 (incl.) / 2026-05-08 (excl.).
    #[test]
    fn r16_transfer_due() {
        let c = cal();
        assert_eq!(
            transfer_due(&c, &settings(Inclusive), d("2026-05-04"))
                .unwrap()
                .date,
            d("2026-05-06")
        );
        assert_eq!(
            transfer_due(&c, &settings(Exclusive), d("2026-05-04"))
                .unwrap()
                .date,
            d("2026-05-08")
        );
    }

    /// R17: a transferred document's review term runs from its IAS registration date, not from the
    /// transfer: registered 2026-03-05, transferred 2026-03-10, 15 wd → 2026-03-31.
    #[test]
    fn r17_transferred_terms_run_from_ias_registration() {
        let c = cal();
        let s = DeadlineSettings::default();
        let due = transferred_review_due(&c, &s, d("2026-03-05"), Term::working(15)).unwrap();
        assert_eq!(due.date, d("2026-03-31"));
        let from_transfer = review_due(&c, &s, d("2026-03-10"), Term::working(15)).unwrap();
        assert_ne!(due.date, from_transfer.date);
    }

    /// R18: cancellation within 1 working day of the decision; lateness is flagged.
    #[test]
    fn r18_transfer_cancellation_due() {
        let c = cal();
        // Decision Wed 2026-05-06: inclusive → same day; exclusive → Fri 05-08 (Thu 05-07 holiday).
        let incl = transfer_cancellation_due(&c, &settings(Inclusive), d("2026-05-06")).unwrap();
        assert_eq!(incl.date, d("2026-05-06"));
        let excl = transfer_cancellation_due(&c, &settings(Exclusive), d("2026-05-06")).unwrap();
        assert_eq!(excl.date, d("2026-05-08"));
        // Decision Fri 2026-05-08, exclusive: Mon 05-11 is the Victory Day transfer → Tue 05-12.
        let fri = transfer_cancellation_due(&c, &settings(Exclusive), d("2026-05-08")).unwrap();
        assert_eq!(fri.date, d("2026-05-12"));
        assert!(fri.is_overdue_on(d("2026-05-13")));
    }

    /// R36: cap of 2 calendar months from receipt, notice within 3 working days, beyond cap → error
    /// (422 at the API).
    #[test]
    fn r36_extension_cap_and_notice() {
        let c = cal();
        let s = DeadlineSettings::default();
        // Registered Thu 2026-03-05 (day 1) → two months end Mon 2026-05-04.
        assert_eq!(
            extension_cap(&c, &s, d("2026-03-05")).unwrap().date,
            d("2026-05-04")
        );
        assert_eq!(
            extension_cap(&c, &settings(Exclusive), d("2026-03-05"))
                .unwrap()
                .date,
            d("2026-05-05")
        );
        // Registered Wed 2025-03-19 → cap Sat 2025-05-18 → moved to Mon 2025-05-19 (R29).
        assert_eq!(
            extension_cap(&c, &s, d("2025-03-19")).unwrap().date,
            d("2025-05-19")
        );
        // Registered 2025-12-31 → end of February.
        assert_eq!(
            extension_cap(&c, &s, d("2025-12-31")).unwrap().date,
            d("2026-03-02")
        );

        let ok = check_extension(
            &c,
            &s,
            d("2026-03-05"),
            d("2026-03-31"),
            d("2026-04-30"),
            d("2026-03-20"),
        )
        .unwrap();
        assert_eq!(ok.new_deadline.date, d("2026-04-30"));
        // Notice: extended Fri 2026-03-20 (day 1) → Thu 26 (day 2, after Nauryz 21–25) → Fri 27.
        assert_eq!(ok.notice_due.date, d("2026-03-27"));
        assert_eq!(
            extension_notice_due(&c, &s, d("2026-03-20")).unwrap().date,
            d("2026-03-27")
        );

        let beyond = check_extension(
            &c,
            &s,
            d("2026-03-05"),
            d("2026-03-31"),
            d("2026-05-05"),
            d("2026-03-20"),
        );
        assert!(
            matches!(beyond, Err(DomainError::Invalid { ref field, .. }) if field == "new_deadline")
        );
        let earlier = check_extension(
            &c,
            &s,
            d("2026-03-05"),
            d("2026-03-31"),
            d("2026-03-30"),
            d("2026-03-20"),
        );
        assert!(earlier.is_err());
        let holiday = check_extension(
            &c,
            &s,
            d("2026-03-05"),
            d("2026-03-31"),
            d("2026-05-01"),
            d("2026-03-20"),
        );
        assert!(holiday.is_err());
    }

    /// R38 test: notice received 2026-05-04 → earliest adoption 2026-05-08.
    #[test]
    fn r38_hearing_notice() {
        let c = cal();
        for conv in [Inclusive, Exclusive] {
            let s = settings(conv);
            let e = earliest_adoption_after_hearing_notice(&c, &s, d("2026-05-04")).unwrap();
            assert_eq!(e.date, d("2026-05-08"));
        }
        let s = DeadlineSettings::default();
        assert!(check_adoption_after_hearing(&c, &s, d("2026-05-04"), d("2026-05-06")).is_err());
        assert!(check_adoption_after_hearing(&c, &s, d("2026-05-04"), d("2026-05-08")).is_ok());
    }

    /// R33: a deadline records the calendar version; after a data change it is no longer current
    /// (recalculation is explicit), and the old result is unchanged.
    #[test]
    fn r33_deadline_records_calendar_version() {
        let c = cal();
        let s = DeadlineSettings::default();
        let before = review_due(&c, &s, d("2026-08-20"), Term::working(15)).unwrap();
        assert_eq!(before.date, d("2026-09-09"));
        let egov = c
            .replace_year_overrides(
                2026,
                vec![crate::calendar::Override::day_off(
                    d("2026-08-31"),
                    "eGov Jan 2026",
                )],
            )
            .unwrap();
        assert!(before.is_current_for(&c));
        assert!(!before.is_current_for(&egov));
        let after = review_due(&egov, &s, d("2026-08-20"), Term::working(15)).unwrap();
        assert_eq!(after.date, d("2026-09-10"));
        assert_eq!(after.calendar_version, *egov.version());
        assert_eq!(before.date, d("2026-09-09"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// A working-day term always ends on a working day, counts exactly N working days from the
        /// registration day (R28), and Exclusive is Inclusive plus one working day.
        #[test]
        fn working_terms_are_consistent(offset in 0u64..4000, n in 1u32..80) {
            let c = cal();
            let start = d("2018-01-01") + chrono::Days::new(offset);
            let registered = c.next_working_day_on_or_after(start).unwrap();
            let incl = c.add_working_days(start, n, Inclusive).unwrap();
            let excl = c.add_working_days(start, n, Exclusive).unwrap();
            prop_assert!(c.is_working_day(incl).unwrap());
            prop_assert_eq!(c.working_days_between(registered, incl).unwrap() + 1, n);
            prop_assert_eq!(c.nth_working_day_after(incl, 1).unwrap(), excl);
        }

        /// A calendar-day term ends on a working day no earlier than N−1 days after registration.
        #[test]
        fn calendar_terms_end_on_working_days(offset in 0u64..4000, n in 1u32..100) {
            let c = cal();
            let start = d("2018-01-01") + chrono::Days::new(offset);
            let end = c.add_calendar_days(start, n, Inclusive).unwrap();
            prop_assert!(c.is_working_day(end).unwrap());
            let registered = c.next_working_day_on_or_after(start).unwrap();
            prop_assert!((end - registered).num_days() >= i64::from(n) - 1);
        }
    }

    #[test]
    fn clock_states_and_working_days_left() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let due = d("2026-02-06");
        assert_eq!(clock_state(due, None, d("2026-02-06")), ClockState::Running);
        assert_eq!(clock_state(due, None, d("2026-02-07")), ClockState::Expired);
        assert_eq!(
            clock_state(due, Some(d("2026-02-06")), d("2026-03-01")),
            ClockState::Completed
        );
        assert_eq!(
            clock_state(due, Some(d("2026-02-09")), d("2026-02-09")),
            ClockState::CompletedLate
        );
        // Monday to Friday of a week without holidays: five days, Monday included.
        assert_eq!(working_days_left(&cal(), d("2026-02-02"), due).unwrap(), 5);
        assert_eq!(working_days_left(&cal(), due, due).unwrap(), 1);
        // From a Saturday to the Monday after: only the Monday.
        assert_eq!(
            working_days_left(&cal(), d("2026-02-07"), d("2026-02-09")).unwrap(),
            1
        );
        assert_eq!(working_days_left(&cal(), d("2026-02-07"), due).unwrap(), 0);
    }
}
