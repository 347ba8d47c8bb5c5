//! Record cards (карточки учета) of the Rules, p.18 and p.23 (DOMAIN.md §1.9): ОЛ-1
//! [`AppealCard`], З-1 [`ApplicantCard`], ОЛ-2 [`DecisionCard`], ЛП-1 [`ReceptionCard`].
//!
//! The full requisite lists of ОЛ-1, З-1 and ОЛ-2 are NOT FOUND: fields whose number the seed pins
//! say so («Requisite N»); the others are marked [INF] with the reconstruction of DOMAIN.md §1.9.
//! ЛП-1 has all 36 requisites of Appendix 2-1 [SEED].
//!
//! No IO: dates, users, counters and computed deadlines are passed in. Deadline arithmetic lives in
//! `deadline.rs`/`calendar.rs`; this module takes the computed control date as a closure
//! `FnOnce(Term) -> NaiveDate` so that it does not depend on that code.
//!
//! IIN/BIN fields are `String` for now: the typed `Iin`/`Bin` of `ident.rs` are being written at the
//! same time; swap them in once they exist (only a format check is done here).
//!
//! One file per card, every item re-exported here (`cards::X` is the only path): `appeal` (ОЛ-1),
//! `applicant` (З-1), `decision` (ОЛ-2), `reception` (ЛП-1), `talon`, `complaint` (what a
//! complaint appeals, lateness, deemed refusal) and `anonymity` (anonymity and APPK Art. 63).

mod anonymity;
mod appeal;
mod applicant;
mod complaint;
mod decision;
mod reception;
mod talon;

pub use anonymity::{
    AnonymityAssessment, AnonymityHandling, AppealMedium, Article63Content, Article63Defect,
    Authorship, article_63_defects, assess_anonymity, assess_anonymity_as,
};
pub use appeal::{
    AppealCard, DocumentTypeChange, FillMode, FillModes, NewAppeal, has_automatic_marking,
};
pub use applicant::{
    AddressBlock, AddressCheck, AddressReconciliationPolicy, ApplicantCard, AutoFill, CompanyBlock,
    Contacts, PersonBlock, PersonCategory, RegistryRecord, RegistrySource, Residency, Sex,
};
pub use complaint::{ComplaintTarget, complaint_is_late, deemed_refusal_date, deemed_refusal_from};
pub use decision::{
    DUPLICATE_VERDICTS, Decision, DecisionBooks, DecisionCard, Hearing, check_hearing,
};
pub use reception::{
    RECEPTION_REQUISITES, REQUIRED_WHEN_HELD, ReceptionCard, ReceptionKind, ReceptionOutcome,
    ReceptionResult, RequisiteIssue, RequisiteProblem,
};
pub use talon::Talon;

/// `s` is exactly `n` ASCII digits (IIN/BIN, KATO); shared by З-1 and ЛП-1.
fn is_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// Fixtures shared by the tests of the card modules.
#[cfg(test)]
mod test_support {
    use super::{AppealCard, Authorship, FillModes, NewAppeal};
    use crate::deadline::Term;
    use crate::dictionary::{DictionaryName, DocumentType, default_dictionary};
    use crate::regnum::{AppealNumber, RegNumber};
    use chrono::{Duration, NaiveDate, NaiveDateTime};

    pub(super) fn at(d: &str) -> NaiveDateTime {
        NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
    }

    pub(super) fn doc(code: &str) -> DocumentType {
        DocumentType::lookup(&default_dictionary(DictionaryName::DocumentTypes), code).unwrap()
    }

    pub(super) fn number() -> AppealNumber {
        AppealNumber::Main(RegNumber::new("ЖТ", 2026, 42).unwrap())
    }

    pub(super) fn signed() -> Authorship {
        Authorship {
            author_identified: true,
            signed: true,
            postal_address_given: true,
        }
    }

    pub(super) fn new_appeal(doc_code: &str, applicants: usize) -> NewAppeal {
        NewAppeal {
            subject_id: "akimat_astana".into(),
            registered_at: at("2026-03-05"),
            received_at: at("2026-03-05"),
            fill_modes: FillModes::default(),
            receipt_form: "electronic".into(),
            receipt_source: None,
            language: "state".into(),
            document_type: doc(doc_code),
            tags: vec!["дороги".into()],
            issue_category: None,
            summary: "Ремонт дороги".into(),
            applicants,
            authorship: signed(),
            reports_crime_or_threat: false,
            anonymity_reading: Default::default(),
            non_accountable_category: None,
            complaint: None,
        }
    }

    /// A stand-in for the deadline calculator: calendar arithmetic only, enough to see that the
    /// card recomputes requisite 13 from requisite 9.
    pub(super) fn fake_deadline(start: NaiveDate) -> impl Fn(Term) -> NaiveDate {
        move |t| start + Duration::days(i64::from(t.days))
    }

    pub(super) fn register(doc_code: &str, applicants: usize) -> AppealCard {
        let markings = default_dictionary(DictionaryName::Markings);
        AppealCard::register(
            new_appeal(doc_code, applicants),
            number(),
            &markings,
            fake_deadline(at("2026-03-05").date()),
        )
        .unwrap()
    }
}
