//! Complaints (APPK Art. 91–92; R42–R44): what a complaint appeals, lateness, deemed refusal.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::regnum::AppealNumber;

// ---------------------------------------------------------------------------------------------
// Complaints (APPK Art. 91–92; R42–R44)
// ---------------------------------------------------------------------------------------------

/// What a complaint appeals (R42 [OBS]: found by IIN or appeal number) and whether it is late (R43).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintTarget {
    /// The appeal whose act or action (inaction) is appealed, if it is in the IAS.
    pub appealed_appeal: Option<AppealNumber>,
    /// «Жалоба подается на» — act, or action (inaction) not related to an act [OBS], free text.
    pub appealed_subject_matter: String,
    /// When the applicant learned of the act/action (start of the 3-month term, Art. 92).
    pub learned_on: Option<NaiveDate>,
    /// R43: filed after the 3-month term — still accepted and registered; shown to the reviewer.
    pub late: bool,
}

impl ComplaintTarget {
    /// R42/R43: a complaint target, with `late` computed from the filing date.
    pub fn new(
        appealed_appeal: Option<AppealNumber>,
        appealed_subject_matter: &str,
        learned_on: Option<NaiveDate>,
        filed_on: NaiveDate,
    ) -> Self {
        Self {
            appealed_appeal,
            appealed_subject_matter: appealed_subject_matter.to_owned(),
            learned_on,
            late: learned_on.is_some_and(|l| complaint_is_late(l, filed_on)),
        }
    }
}

/// R43 (APPK Art. 92): a complaint is late when filed after three calendar months from the day the
/// applicant learned of the act. Lateness never blocks registration (a missed term is not a ground
/// to refuse acceptance). [INF] The end of the term is not moved off non-working days here.
pub fn complaint_is_late(learned_on: NaiveDate, filed_on: NaiveDate) -> bool {
    match learned_on.checked_add_months(Months::new(3)) {
        Some(end) => filed_on > end,
        None => false,
    }
}

/// R44 (APPK Art. 91 p.2): if no final act was adopted by the control date, the body is deemed to
/// have refused from the expiry of the term. Returns that date — [INF] the day after the control
/// date — once it is known: when the act came late, or when `today` is past the control date with
/// no act. `None` while the term runs or when the act was in time.
pub fn deemed_refusal_date(
    control_date: NaiveDate,
    final_act_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    deemed_refusal_from(control_date, final_act_on)
        .filter(|from| final_act_on.is_some() || today >= *from)
}

/// R44 without a "today": the day from which the body is (or, with no final act by requisite 13,
/// will be) deemed to have refused — the day after the control date — or `None` once the final
/// act came in time. Stored views show this; whether the day has come is the reader's comparison.
pub fn deemed_refusal_from(
    control_date: NaiveDate,
    final_act_on: Option<NaiveDate>,
) -> Option<NaiveDate> {
    match final_act_on {
        Some(d) if d <= control_date => None,
        _ => control_date.succ_opt(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cards::AppealCard;
    use crate::cards::test_support::{new_appeal, number};
    use crate::dictionary::{DictionaryName, default_dictionary};

    #[test]
    fn late_complaint_is_still_registered_with_a_flag() {
        // R43.
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(!complaint_is_late(d("2026-01-10"), d("2026-04-10")));
        assert!(complaint_is_late(d("2026-01-10"), d("2026-04-11")));
        let target = ComplaintTarget::new(
            Some(number()),
            "Административный акт",
            Some(d("2025-10-01")),
            d("2026-03-05"),
        );
        assert!(target.late);
        let mut input = new_appeal("complaint", 1);
        input.complaint = Some(target);
        let markings = default_dictionary(DictionaryName::Markings);
        let card = AppealCard::register(input, number(), &markings, |_| d("2026-04-02")).unwrap();
        assert!(card.complaint().is_some_and(|c| c.late));
        let mut not_complaint = new_appeal("request", 1);
        not_complaint.complaint = Some(ComplaintTarget::new(None, "акт", None, d("2026-03-05")));
        assert!(
            AppealCard::register(not_complaint, number(), &markings, |_| d("2026-04-02")).is_err()
        );
    }

    #[test]
    fn deemed_refusal_starts_after_an_expired_term_without_a_final_act() {
        // R44.
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let control = d("2026-03-31");
        assert_eq!(deemed_refusal_from(control, None), Some(d("2026-04-01")));
        assert_eq!(deemed_refusal_from(control, Some(control)), None);
        assert_eq!(
            deemed_refusal_from(control, Some(d("2026-04-03"))),
            Some(d("2026-04-01"))
        );
        assert_eq!(deemed_refusal_date(control, None, d("2026-03-31")), None);
        assert_eq!(
            deemed_refusal_date(control, None, d("2026-04-01")),
            Some(d("2026-04-01"))
        );
        assert_eq!(
            deemed_refusal_date(control, Some(d("2026-03-30")), d("2026-05-01")),
            None
        );
        assert_eq!(
            deemed_refusal_date(control, Some(d("2026-04-03")), d("2026-05-01")),
            Some(d("2026-04-01"))
        );
    }
}
