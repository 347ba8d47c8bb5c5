//! The deadline and numbering conventions (issue 23 point 1): every [OBS]/[INF] choice of the
//! deadline rules, the letter-index table, the number layout and the forwarded-term policy, as one
//! document the authorized body keeps. The defaults are DOMAIN.md's; a stored version replaces
//! them for every process.

use serde::{Deserialize, Serialize};

use crate::deadline::DeadlineSettings;
use crate::hierarchy::HierarchyPolicy;
use crate::lifecycle::ForwardedTermPolicy;
use crate::regnum::{LetterIndexTable, RegNumberFormat};

/// Upper bound of a term setting in working days: a sanity limit (a year of working days).
const MAX_TERM_DAYS: u32 = 250;

/// The conventions in force.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Conventions {
    /// Deadline conventions (R8, R16, R18, R28, R34, R36, R38, R50; act times).
    pub deadlines: DeadlineSettings,
    /// Letter indices by person category (R3, p.4).
    pub letter_index: LetterIndexTable,
    /// Separator and counter width of a registration number (R3).
    pub number_format: RegNumberFormat,
    /// Where a forwarded part's term starts at the receiver (R35 [INF]).
    pub forwarded_term_policy: ForwardedTermPolicy,
    /// Hierarchical routing, the anonymity reading, the call-centre channel, signing authority and
    /// the quarterly analysis (issue 21; the prosecutors' Instruction as the default profile).
    pub hierarchy: HierarchyPolicy,
}

/// One refused value: a JSON pointer into the document and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConventionIssue {
    pub pointer: String,
    pub reason: String,
}

impl Conventions {
    /// Every value out of its range, at once (empty: the document can be stored).
    pub fn issues(&self) -> Vec<ConventionIssue> {
        let mut out = Vec::new();
        let mut refuse = |pointer: &str, reason: String| {
            out.push(ConventionIssue {
                pointer: format!("#/conventions/{pointer}"),
                reason,
            })
        };
        let d = &self.deadlines;
        if !(-12 * 60..=14 * 60).contains(&d.utc_offset_minutes) {
            refuse(
                "deadlines/utc_offset_minutes",
                "must be between -720 and 840".to_owned(),
            );
        }
        for (name, value) in [
            ("forwarding_working_days", d.forwarding_working_days),
            ("transfer_working_days", d.transfer_working_days),
            (
                "transfer_cancellation_working_days",
                d.transfer_cancellation_working_days,
            ),
            (
                "extension_notice_working_days",
                d.extension_notice_working_days,
            ),
            ("hearing_notice_working_days", d.hearing_notice_working_days),
        ] {
            if !(1..=MAX_TERM_DAYS).contains(&value) {
                refuse(
                    &format!("deadlines/{name}"),
                    format!("must be between 1 and {MAX_TERM_DAYS}"),
                );
            }
        }
        if d.backdating_working_days > MAX_TERM_DAYS * 20 {
            refuse(
                "deadlines/backdating_working_days",
                format!("must be at most {}", MAX_TERM_DAYS * 20),
            );
        }
        if !(1..=12).contains(&d.extension_cap_months) {
            refuse(
                "deadlines/extension_cap_months",
                "must be between 1 and 12".to_owned(),
            );
        }
        if !(1..=28).contains(&d.report_due_day) {
            refuse(
                "deadlines/report_due_day",
                "must be between 1 and 28".to_owned(),
            );
        }
        if let Err(e) = LetterIndexTable::new(self.letter_index.entries.clone()) {
            let (field, reason) = split(e);
            refuse(&format!("letter_index{field}"), reason);
        }
        if self.letter_index.entries.is_empty() {
            refuse(
                "letter_index/entries",
                "needs at least one category".to_owned(),
            );
        }
        // A layout that cannot build a number is refused with the layout's own reason.
        if let Err(e) = self.number_format.build("ЖТ", 2026, 1) {
            let (field, reason) = split(e);
            let field = field.trim_start_matches("reg_number_format/");
            refuse(&format!("number_format/{field}"), reason);
        } else if self.number_format.counter_width < 4 {
            refuse(
                "number_format/counter_width",
                "must be at least 4 (a through number of a year)".to_owned(),
            );
        }
        let h = &self.hierarchy;
        if !(1..=28).contains(&h.quarterly_analysis_due_day) {
            refuse(
                "hierarchy/quarterly_analysis_due_day",
                "must be between 1 and 28".to_owned(),
            );
        }
        for (i, rule) in h.signing_authority.iter().enumerate() {
            if rule.signers.is_empty() {
                refuse(
                    &format!("hierarchy/signing_authority/{i}/signers"),
                    "needs at least one signing position".to_owned(),
                );
            }
            if rule.rule.trim().is_empty() {
                refuse(
                    &format!("hierarchy/signing_authority/{i}/rule"),
                    "name the rule (it is shown in refusals)".to_owned(),
                );
            }
        }
        out
    }
}

fn split(e: crate::DomainError) -> (String, String) {
    match e {
        crate::DomainError::Invalid { field, reason } => (field, reason),
        other => (String::new(), other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_round_trip() {
        let c = Conventions::default();
        assert!(c.issues().is_empty());
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["deadlines"]["cutoff"], "18:30:00");
        assert_eq!(json["deadlines"]["convention"], "inclusive");
        assert_eq!(json["number_format"]["separator"], "-");
        let back: Conventions = serde_json::from_value(json).unwrap();
        assert_eq!(back, c);
        // A partial document takes the defaults for what it leaves out.
        let partial: Conventions =
            serde_json::from_value(serde_json::json!({"deadlines": {"cutoff": "18:00:00"}}))
                .unwrap();
        assert_eq!(partial.deadlines.cutoff.to_string(), "18:00:00");
        assert_eq!(partial.deadlines.forwarding_working_days, 3);
        assert_eq!(partial.letter_index, LetterIndexTable::default());
    }

    #[test]
    fn out_of_range_values_are_each_named() {
        let mut c = Conventions::default();
        c.deadlines.forwarding_working_days = 0;
        c.deadlines.report_due_day = 31;
        c.number_format.separator = '/';
        c.letter_index.entries[1].category = "individual".to_owned();
        let pointers: Vec<String> = c.issues().into_iter().map(|i| i.pointer).collect();
        assert_eq!(
            pointers,
            [
                "#/conventions/deadlines/forwarding_working_days",
                "#/conventions/deadlines/report_due_day",
                "#/conventions/letter_index/entries/1/category",
                "#/conventions/number_format/separator",
            ]
        );
    }
}
