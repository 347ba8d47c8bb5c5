//! When an act happened and when it was entered (issue 23 point 3).
//!
//! The server records when each action is entered; the date of the act itself (the date of a
//! paper answer, of a transfer letter) may be stated beside it. A stated time is bounded: not in
//! the future, not before the event the act follows (the receipt, the transfer…), and not more
//! than a configured number of working days before the entry unless the person entering it holds
//! the head's role ([INF] setting `backdating_working_days`, default 3). Lateness is judged on the
//! act's own date — the law (APPK art. 76, Rules p.15) sets the term for *adopting* or *doing*
//! the act, not for typing it in — and the card says which time it used.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::deadline::DeadlineSettings;

/// Tolerated clock skew of a client's stated instant (minutes).
pub const FUTURE_SKEW_MINUTES: i64 = 5;

/// Which time a lateness flag was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LatenessBasis {
    /// The stated date of the act (a paper answer's date).
    StatedActTime,
    /// No date was stated: the act is the entry itself, at the server's time.
    EnteredAt,
}

impl LatenessBasis {
    pub fn code(self) -> &'static str {
        match self {
            LatenessBasis::StatedActTime => "stated_act_time",
            LatenessBasis::EnteredAt => "entered_at",
        }
    }
}

/// The two times of one act, both UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActTime {
    /// When the act happened: the stated time, or the entry time when none was stated.
    pub act_at: NaiveDateTime,
    /// When the server recorded it.
    pub entered_at: NaiveDateTime,
    /// What lateness is judged on.
    pub basis: LatenessBasis,
    /// Entered on a later local day than the act's.
    pub entered_late: bool,
}

impl ActTime {
    /// An act that is its own entry (no time stated).
    pub fn entered(at: NaiveDateTime) -> Self {
        Self {
            act_at: at,
            entered_at: at,
            basis: LatenessBasis::EnteredAt,
            entered_late: false,
        }
    }
}

/// Why a stated time is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActTimeRefusal {
    /// Later than the entry (beyond the tolerated skew).
    InFuture,
    /// Before the event the act follows.
    BeforeStart(NaiveDateTime),
    /// More working days before the entry than the setting allows without the head's role.
    TooFarBack {
        /// The earliest local day allowed.
        earliest: NaiveDate,
        working_days: u32,
    },
    /// A date outside the calendar's range.
    OutsideCalendar,
}

impl ActTimeRefusal {
    /// The reason as a problem detail says it.
    pub fn reason(&self) -> String {
        match self {
            ActTimeRefusal::InFuture => "lies in the future".to_owned(),
            ActTimeRefusal::BeforeStart(t) => {
                format!("precedes {}", t.and_utc().to_rfc3339())
            }
            ActTimeRefusal::TooFarBack {
                earliest,
                working_days,
            } => format!(
                "lies more than {working_days} working days before it is entered (earliest {earliest}); \
                 only a head may enter an older act"
            ),
            ActTimeRefusal::OutsideCalendar => "lies outside the working-day calendar".to_owned(),
        }
    }
}

/// Who enters the act, as far as the bound cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enterer {
    /// Anyone bound by `backdating_working_days`.
    Ordinary,
    /// A head: may enter an act of any earlier day after `not_before`.
    Head,
}

/// Checks a stated act time against the entry (`entered_at`, the server's time) and returns both.
/// `not_before` is the event the act follows. All instants are UTC; days are local days of the
/// settings' offset.
pub fn act_time(
    calendar: &Calendar,
    settings: &DeadlineSettings,
    entered_at: NaiveDateTime,
    stated: Option<NaiveDateTime>,
    not_before: NaiveDateTime,
    enterer: Enterer,
) -> Result<ActTime, ActTimeRefusal> {
    let Some(act_at) = stated else {
        return Ok(ActTime::entered(entered_at));
    };
    if act_at > entered_at + Duration::minutes(FUTURE_SKEW_MINUTES) {
        return Err(ActTimeRefusal::InFuture);
    }
    if act_at < not_before {
        return Err(ActTimeRefusal::BeforeStart(not_before));
    }
    let local =
        |t: NaiveDateTime| (t + Duration::minutes(settings.utc_offset_minutes.into())).date();
    let (act_day, entry_day) = (local(act_at), local(entered_at));
    if enterer == Enterer::Ordinary && act_day < entry_day {
        let back = calendar
            .working_days_between(act_day, entry_day)
            .map_err(|_| ActTimeRefusal::OutsideCalendar)?;
        if back > settings.backdating_working_days {
            let earliest = earliest_day(calendar, entry_day, settings.backdating_working_days)
                .ok_or(ActTimeRefusal::OutsideCalendar)?;
            return Err(ActTimeRefusal::TooFarBack {
                earliest,
                working_days: settings.backdating_working_days,
            });
        }
    }
    Ok(ActTime {
        act_at,
        entered_at,
        basis: LatenessBasis::StatedActTime,
        entered_late: entry_day > act_day,
    })
}

/// The earliest local day with at most `n` working days in `(day, entry_day]`.
fn earliest_day(calendar: &Calendar, entry_day: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut day = entry_day;
    loop {
        let before = day.pred_opt()?;
        if calendar.working_days_between(before, entry_day).ok()? > n {
            return Some(day);
        }
        day = before;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn check(
        entered: &str,
        stated: Option<&str>,
        enterer: Enterer,
    ) -> Result<ActTime, ActTimeRefusal> {
        act_time(
            &Calendar::kazakhstan_default(),
            &DeadlineSettings::default(),
            at(entered),
            stated.map(at),
            at("2026-03-02 04:00"),
            enterer,
        )
    }

    #[test]
    fn no_stated_time_means_the_entry_is_the_act() {
        let t = check("2026-03-12 06:00", None, Enterer::Ordinary).unwrap();
        assert_eq!(t.act_at, t.entered_at);
        assert_eq!(t.basis, LatenessBasis::EnteredAt);
        assert!(!t.entered_late);
    }

    #[test]
    fn a_stated_time_on_an_earlier_day_is_entered_late() {
        // Thursday 16 April 2026 entry (local 11:00), answer dated Tuesday 14 April.
        let t = check(
            "2026-04-16 06:00",
            Some("2026-04-14 05:00"),
            Enterer::Ordinary,
        )
        .unwrap();
        assert_eq!(t.basis, LatenessBasis::StatedActTime);
        assert!(t.entered_late);
        assert_eq!(t.act_at, at("2026-04-14 05:00"));
        // Same local day: not late (UTC+5: 02:00 UTC and 12:00 UTC are the same local day).
        let same = check(
            "2026-04-16 12:00",
            Some("2026-04-16 02:00"),
            Enterer::Ordinary,
        )
        .unwrap();
        assert!(!same.entered_late);
    }

    #[test]
    fn backdating_is_bounded_in_working_days_except_for_a_head() {
        // Entry Thursday 16 April 2026: (13 April, 16 April] holds 3 working days (allowed);
        // (10 April, 16 April] holds 4 (Friday 10 April is too far back).
        assert!(
            check(
                "2026-04-16 06:00",
                Some("2026-04-13 06:00"),
                Enterer::Ordinary
            )
            .is_ok()
        );
        let refused = check(
            "2026-04-16 06:00",
            Some("2026-04-10 06:00"),
            Enterer::Ordinary,
        )
        .unwrap_err();
        assert_eq!(
            refused,
            ActTimeRefusal::TooFarBack {
                earliest: NaiveDate::from_ymd_opt(2026, 4, 13).unwrap(),
                working_days: 3
            }
        );
        assert!(refused.reason().contains("earliest 2026-04-13"));
        assert!(check("2026-04-16 06:00", Some("2026-04-10 06:00"), Enterer::Head).is_ok());
    }

    #[test]
    fn future_and_before_start_are_refused_for_everyone() {
        assert_eq!(
            check("2026-04-16 06:00", Some("2026-04-16 06:06"), Enterer::Head),
            Err(ActTimeRefusal::InFuture)
        );
        assert!(check("2026-04-16 06:00", Some("2026-04-16 06:04"), Enterer::Head).is_ok());
        assert_eq!(
            check("2026-04-16 06:00", Some("2026-03-01 06:00"), Enterer::Head),
            Err(ActTimeRefusal::BeforeStart(at("2026-03-02 04:00")))
        );
    }
}
