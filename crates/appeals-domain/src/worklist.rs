//! Work lists (issue 25): the lists the registrar, executor and head screens are built on. Each is
//! a named question about open cards, answered by the database through an index; this module
//! names them and turns "today" and "within N working days" into dates on the calendar.

use chrono::NaiveDate;

use crate::DomainError;
use crate::calendar::Calendar;

/// Largest `within` of [`WorkList::DueSoon`], in working days.
pub const MAX_WITHIN: u32 = 30;
/// Default `within` of [`WorkList::DueSoon`].
pub const DEFAULT_WITHIN: u32 = 3;

/// A work list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkList {
    /// Open cards whose control date is today.
    DueToday,
    /// Open cards whose control date falls after today and within N working days.
    DueSoon,
    /// Open cards past their control date.
    Overdue,
    /// Registered cards not yet routed to an executor («Направить в работу»).
    AwaitingAssignment,
    /// Parts forwarded by competence awaiting acceptance by the receiving registrar (p.11 part 2).
    AwaitingAcceptance,
    /// Forwarding or extension requested, awaiting approval (R35, R37).
    AwaitingApproval,
    /// Forwarding or extension approved, awaiting the EDS signature (R35, R37).
    AwaitingSignature,
    /// R44: accountable cards past their control date with no decision — deemed refusals.
    DeemedRefusal,
    /// p.15 documents not yet transferred, by their transfer date (R16).
    TransfersDue,
    /// R15 (p.15 of the prosecutors' Instruction): anonymous reports of a crime or a threat to
    /// state or public security not yet forwarded — due the day they were registered.
    AnonymousRedirect,
}

impl WorkList {
    /// Every work list, in the order the counts are shown.
    pub const ALL: [WorkList; 10] = [
        WorkList::DueToday,
        WorkList::DueSoon,
        WorkList::Overdue,
        WorkList::AwaitingAssignment,
        WorkList::AwaitingAcceptance,
        WorkList::AwaitingApproval,
        WorkList::AwaitingSignature,
        WorkList::DeemedRefusal,
        WorkList::TransfersDue,
        WorkList::AnonymousRedirect,
    ];

    /// The name in the API (`GET /api/v1/worklists/{name}`).
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            WorkList::DueToday => "due_today",
            WorkList::DueSoon => "due_soon",
            WorkList::Overdue => "overdue",
            WorkList::AwaitingAssignment => "awaiting_assignment",
            WorkList::AwaitingAcceptance => "awaiting_acceptance",
            WorkList::AwaitingApproval => "awaiting_approval",
            WorkList::AwaitingSignature => "awaiting_signature",
            WorkList::DeemedRefusal => "deemed_refusal",
            WorkList::TransfersDue => "transfers_due",
            WorkList::AnonymousRedirect => "anonymous_redirect",
        }
    }

    /// The list named `code`.
    #[must_use]
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.code() == code)
    }
}

/// The dates a work list asks about, as of `today` on `calendar`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub today: NaiveDate,
    /// [`WorkList::DueSoon`]: the last control date in the window (`within` working days after
    /// today).
    pub soon_until: NaiveDate,
}

/// The window of the lists as of `today`, `within` working days ahead.
///
/// # Errors
/// `within` outside 1..=[`MAX_WITHIN`], or a date outside the calendar's years.
pub fn window(calendar: &Calendar, today: NaiveDate, within: u32) -> Result<Window, DomainError> {
    if !(1..=MAX_WITHIN).contains(&within) {
        return Err(DomainError::invalid(
            "#/query/within",
            format!("must be between 1 and {MAX_WITHIN} working days"),
        ));
    }
    Ok(Window {
        today,
        soon_until: calendar.nth_working_day_after(today, within)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worklist_codes_round_trip_and_the_window_counts_working_days() {
        for w in WorkList::ALL {
            assert_eq!(WorkList::parse(w.code()), Some(w));
        }
        assert_eq!(WorkList::parse("everything"), None);
        let cal = Calendar::kazakhstan_default();
        // Friday 2026-03-06: three working days ahead skip the weekend and 8 March (Sunday,
        // moved to Monday 9 March): 10, 11, 12 March.
        let friday = NaiveDate::from_ymd_opt(2026, 3, 6).unwrap_or_default();
        let w = window(&cal, friday, 3).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            w.soon_until,
            NaiveDate::from_ymd_opt(2026, 3, 12).unwrap_or_default()
        );
        assert!(window(&cal, friday, 0).is_err());
        assert!(window(&cal, friday, MAX_WITHIN + 1).is_err());
    }
}
