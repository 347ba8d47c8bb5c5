//! The талон of an appeal accepted directly (APPK; Rules p.11; R5, R6).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::regnum::AppealNumber;

// ---------------------------------------------------------------------------------------------
// Talon (APPK; Rules p.11; R5, R6)
// ---------------------------------------------------------------------------------------------

/// The талон given to an applicant who applied directly (APPK, R6). For a part forwarded by
/// competence the talon is issued by the subject that received the part for consideration on the
/// merits (p.11, R5): build it with that subject's name and the part number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Talon {
    /// Registration number (main or `<main>/<k>`).
    pub reg_number: AppealNumber,
    /// Name of the subject that accepted the appeal (for a part: the receiving subject, R5).
    pub subject_name: String,
    /// Date and time of acceptance.
    pub accepted_at: NaiveDateTime,
    /// Surname and initials of the person who accepted it, e.g. «Иванов И.С.».
    pub accepted_by: String,
}

impl Talon {
    /// R6: a talon with the number, the subject, the date and time and the acceptor's surname and
    /// initials (built from the full name so that the format is uniform).
    pub fn issue(
        reg_number: AppealNumber,
        subject_name: &str,
        accepted_at: NaiveDateTime,
        surname: &str,
        first_name: &str,
        patronymic: Option<&str>,
    ) -> Result<Self, DomainError> {
        let surname = surname.trim();
        if surname.is_empty() {
            return Err(DomainError::invalid(
                "accepted_by",
                "the surname is required",
            ));
        }
        if subject_name.trim().is_empty() {
            return Err(DomainError::invalid(
                "subject_name",
                "the subject is required",
            ));
        }
        let initial = |s: &str| {
            s.trim()
                .chars()
                .next()
                .map(|c| format!("{}.", c.to_uppercase()))
        };
        let initials: String = [initial(first_name), patronymic.and_then(initial)]
            .into_iter()
            .flatten()
            .collect();
        if initials.is_empty() {
            return Err(DomainError::invalid(
                "accepted_by",
                "the first name is required",
            ));
        }
        Ok(Self {
            reg_number,
            subject_name: subject_name.trim().to_owned(),
            accepted_at,
            accepted_by: format!("{surname} {initials}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cards::test_support::{at, number};
    use crate::regnum::next_part_number;

    #[test]
    fn talon_has_number_subject_time_and_acceptor_initials() {
        // R6; R5: a part's talon names the receiving subject and the part number.
        let t = Talon::issue(
            number(),
            "Акимат г. Астаны",
            at("2026-03-05"),
            "Иванов",
            "иван",
            Some("Сергеевич"),
        )
        .unwrap();
        assert_eq!(t.accepted_by, "Иванов И.С.");
        assert_eq!(t.reg_number.to_string(), "ЖТ-2026-00000042");
        assert_eq!(t.accepted_at, at("2026-03-05"));
        let part = AppealNumber::Part(next_part_number(number().main(), 0).unwrap());
        let t = Talon::issue(
            part,
            "Министерство транспорта",
            at("2026-03-06"),
            "Ким",
            "Анна",
            None,
        )
        .unwrap();
        assert_eq!(
            (t.subject_name.as_str(), t.accepted_by.as_str()),
            ("Министерство транспорта", "Ким А.")
        );
        assert_eq!(t.reg_number.to_string(), "ЖТ-2026-00000042/1");
        assert!(Talon::issue(number(), "X", at("2026-03-05"), " ", "Иван", None).is_err());
    }
}
