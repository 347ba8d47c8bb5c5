//! Reception schedules (p.18 part 2: the head receives citizens by a schedule): an official's
//! reception weekdays and hours, cut into slots on the working days of the calendar. A holiday or
//! a transferred day off has no slots — the calendar decides, so a calendar change moves them at
//! once, with nothing stored to correct.
//!
//! [INF] A schedule names ISO weekdays; a Saturday made a working day by a transfer takes slots
//! only if the schedule names Saturday (the government's transfer decrees move working time of
//! the whole body, not a head's reception hours).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::calendar::Calendar;

/// Shortest and longest slot, in minutes.
pub const SLOT_MINUTES: std::ops::RangeInclusive<u32> = 5..=240;

/// An official's reception schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// ISO weekdays (1 = Monday … 7 = Sunday) with reception hours.
    pub weekdays: Vec<u32>,
    /// Local time the first slot starts.
    pub starts: NaiveTime,
    /// Local time the last slot must end by.
    pub ends: NaiveTime,
    pub slot_minutes: u32,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// One slot of a schedule (local times).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Slot {
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

impl Schedule {
    /// Checks the schedule's shape: weekdays 1–7 (at least one), hours in order, a slot length
    /// in [`SLOT_MINUTES`] that fits at least once, a validity period in order.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.weekdays.is_empty() || self.weekdays.iter().any(|d| !(1..=7).contains(d)) {
            return Err(DomainError::invalid(
                "weekdays",
                "name one or more ISO weekdays, 1 (Monday) to 7 (Sunday)",
            ));
        }
        if !SLOT_MINUTES.contains(&self.slot_minutes) {
            return Err(DomainError::invalid(
                "slot_minutes",
                format!(
                    "must be {}–{} minutes",
                    SLOT_MINUTES.start(),
                    SLOT_MINUTES.end()
                ),
            ));
        }
        if self.ends <= self.starts
            || self.ends - self.starts < Duration::minutes(i64::from(self.slot_minutes))
        {
            return Err(DomainError::invalid(
                "ends",
                "must be after `starts` by at least one slot",
            ));
        }
        if self.valid_to.is_some_and(|to| to < self.valid_from) {
            return Err(DomainError::invalid("valid_to", "precedes `valid_from`"));
        }
        Ok(())
    }

    fn applies_on(&self, calendar: &Calendar, date: NaiveDate) -> Result<bool, DomainError> {
        let in_period = date >= self.valid_from && self.valid_to.is_none_or(|to| date <= to);
        let weekday = self.weekdays.contains(&date.weekday().number_from_monday());
        Ok(in_period && weekday && calendar.is_working_day(date)?)
    }

    /// The slots of `date`: none on a day off (weekend, holiday, transferred day off), outside the
    /// validity period or on a weekday the schedule does not name.
    pub fn slots_on(&self, calendar: &Calendar, date: NaiveDate) -> Result<Vec<Slot>, DomainError> {
        if !self.applies_on(calendar, date)? {
            return Ok(Vec::new());
        }
        let length = Duration::minutes(i64::from(self.slot_minutes));
        let end = date.and_time(self.ends);
        let mut slots = Vec::new();
        let mut starts_at = date.and_time(self.starts);
        while starts_at + length <= end {
            slots.push(Slot {
                starts_at,
                ends_at: starts_at + length,
            });
            starts_at += length;
        }
        Ok(slots)
    }

    /// The slot that starts at `starts_at`, if the schedule has one then.
    pub fn slot_at(
        &self,
        calendar: &Calendar,
        starts_at: NaiveDateTime,
    ) -> Result<Option<Slot>, DomainError> {
        Ok(self
            .slots_on(calendar, starts_at.date())?
            .into_iter()
            .find(|s| s.starts_at == starts_at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }

    fn tuesdays_and_fridays() -> Schedule {
        Schedule {
            weekdays: vec![2, 5],
            starts: time(10, 0),
            ends: time(12, 0),
            slot_minutes: 30,
            valid_from: date("2026-01-01"),
            valid_to: None,
        }
    }

    #[test]
    fn a_working_reception_day_is_cut_into_slots() {
        let calendar = Calendar::kazakhstan_default();
        let slots = tuesdays_and_fridays()
            .slots_on(&calendar, date("2026-03-03"))
            .unwrap_or_default();
        let starts: Vec<NaiveTime> = slots.iter().map(|s| s.starts_at.time()).collect();
        assert_eq!(
            starts,
            vec![time(10, 0), time(10, 30), time(11, 0), time(11, 30)]
        );
        // Wednesday: not a reception day.
        let wednesday = tuesdays_and_fridays().slots_on(&calendar, date("2026-03-04"));
        assert_eq!(wednesday.ok(), Some(Vec::new()));
    }

    #[test]
    fn a_holiday_has_no_slots() {
        // 1 January 2027 is a Friday and New Year's Day; 15 January 2027 is a working Friday.
        let calendar = Calendar::kazakhstan_default();
        let schedule = tuesdays_and_fridays();
        assert!(
            calendar
                .is_working_day(date("2027-01-01"))
                .is_ok_and(|w| !w)
        );
        assert_eq!(
            schedule.slots_on(&calendar, date("2027-01-01")).ok(),
            Some(Vec::new())
        );
        assert!(
            schedule
                .slot_at(&calendar, date("2027-01-01").and_time(time(10, 0)))
                .is_ok_and(|s| s.is_none())
        );
        assert!(
            schedule
                .slot_at(&calendar, date("2027-01-15").and_time(time(10, 0)))
                .is_ok_and(|s| s.is_some())
        );
    }

    #[test]
    fn a_slot_must_start_on_the_grid() {
        let calendar = Calendar::kazakhstan_default();
        let at = date("2026-03-03").and_time(time(10, 15));
        assert!(
            tuesdays_and_fridays()
                .slot_at(&calendar, at)
                .is_ok_and(|s| s.is_none())
        );
    }

    #[test]
    fn a_schedule_is_checked() {
        let mut s = tuesdays_and_fridays();
        assert!(s.validate().is_ok());
        s.weekdays = vec![8];
        assert!(s.validate().is_err());
        s = tuesdays_and_fridays();
        s.ends = time(10, 10);
        assert!(s.validate().is_err());
        s = tuesdays_and_fridays();
        s.slot_minutes = 2;
        assert!(s.validate().is_err());
    }
}
