//! ОЛ-1 «Карточка учета обращения» (p.23): registration, requisite 8 changes, markings,
//! extensions and forwarding by competence.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::{
    AnonymityAssessment, Article63Defect, Authorship, ComplaintTarget, assess_anonymity_as,
};
use crate::DomainError;
use crate::deadline::Term;
use crate::dictionary::{AppealKind, Dictionary, DocumentType, MarkingRule, automatic_markings};
use crate::regnum::{AppealNumber, PartNumber};

// ---------------------------------------------------------------------------------------------
// ОЛ-1
// ---------------------------------------------------------------------------------------------

/// How requisites 1, 2, 3, 5 of ОЛ-1 were filled (p.23, R19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FillMode {
    /// Automatically from the body's information system (the normal case).
    Integration,
    /// Manually: allowed only when there is no integration with the body's system.
    Manual,
}

/// How each requisite group of ОЛ-1 was filled (p.23, R19): by the system or a sending
/// information system (`integration`), or typed by a person (`manual`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FillModes {
    /// Requisites 1–3 (subject, number, registration time): always assigned by the system.
    pub registration: FillMode,
    /// Requisite 5 (time of receipt): `manual` when a person stated it; `integration` when a
    /// sending system stated it or the server's time of arrival stands.
    pub receipt: FillMode,
    /// Requisites 4, 6–12 (form, language, type, content…): `manual` when a person registered the
    /// card, `integration` when a sending system did.
    pub content: FillMode,
}

impl Default for FillModes {
    /// What every card registered before the distinction recorded: all `integration`.
    fn default() -> Self {
        Self {
            registration: FillMode::Integration,
            receipt: FillMode::Integration,
            content: FillMode::Integration,
        }
    }
}

impl FillModes {
    /// The modes of a registration: `by_integration` — the caller is a sending information system;
    /// `receipt_stated` — the request stated the time of receipt.
    pub fn of_registration(by_integration: bool, receipt_stated: bool) -> Self {
        let by_caller = if by_integration {
            FillMode::Integration
        } else {
            FillMode::Manual
        };
        Self {
            registration: FillMode::Integration,
            receipt: if receipt_stated {
                by_caller
            } else {
                FillMode::Integration
            },
            content: by_caller,
        }
    }
}

/// Input for registering an appeal (p.4; R1, R19). Everything the system does not compute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAppeal {
    /// Requisite 1 [INF]: the registering subject (code in the subjects book).
    pub subject_id: String,
    /// Requisite 3 [INF]: registration date and time.
    pub registered_at: NaiveDateTime,
    /// [INF] Date and time of receipt (the start of the review term; may precede registration, R7).
    pub received_at: NaiveDateTime,
    /// How each requisite group was filled (R19).
    pub fill_modes: FillModes,
    /// Requisite 4 [INF]: form of receipt (`receipt_forms` code).
    pub receipt_form: String,
    /// [INF] Source of receipt (`receipt_sources` code).
    pub receipt_source: Option<String>,
    /// Requisite 6 [INF]: language (`languages` code).
    pub language: String,
    /// Requisite 8: «Вид документа».
    pub document_type: DocumentType,
    /// Tags (p.2(5)); key words of the essence.
    pub tags: Vec<String>,
    /// Requisite 11 [INF]: nature of the question / category (`issue categories` code).
    pub issue_category: Option<String>,
    /// Requisite 12 [INF]: short content.
    pub summary: String,
    /// Number of applicants (З-1 cards); two or more make the item collective (R9).
    pub applicants: usize,
    /// Authorship (R15).
    pub authorship: Authorship,
    /// The item reports a crime or a threat to state/public security (R15 exception).
    pub reports_crime_or_threat: bool,
    /// How p.2(1) «и (или)» is read (the authorized body's setting, issue 21 point 3).
    #[serde(default)]
    pub anonymity_reading: crate::hierarchy::AnonymityReading,
    /// p.15: the non-accountable category (`non_accountable_categories` code), if any (R16).
    pub non_accountable_category: Option<String>,
    /// [INF] For complaints: what is appealed (R42, R43).
    pub complaint: Option<ComplaintTarget>,
}

/// ОЛ-1 «Карточка учета обращения» (p.23). Requisites 2 (number), 8, 9, 13 change only through
/// methods: the number never changes (R2) and 9/13 follow 8 (R19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppealCard {
    /// Requisite 1 [INF]: name (id) of the registering subject — automatic (R19).
    pub subject_id: String,
    /// Requisite 2 [INF]: registration number — automatic, assigned once (R2, R3).
    reg_number: AppealNumber,
    /// Requisite 3 [INF]: registration date and time — automatic (R19).
    pub registered_at: NaiveDateTime,
    /// Requisite 4 [INF]: form of receipt (`receipt_forms`).
    pub receipt_form: String,
    /// Requisite 5 [INF: time of receipt]: automatic (R19).
    pub received_at: NaiveDateTime,
    /// Requisite 6 [INF]: language (`languages`).
    pub language: String,
    /// Requisite 7 [INF]: character — `individual` / `collective` (`appeal_characters`), derived
    /// from the number of applicants (p.2(7)).
    pub character: String,
    /// Requisite 8 «Вид документа» (`document_types`); changed only with a tag (p.4 part 4, R12).
    document_type: String,
    /// Kind of the document type (R40 group).
    kind: AppealKind,
    /// Requisite 9: review term — automatic from requisite 8 (R19, R27).
    term: Term,
    /// Requisite 10: the subject that registered the complaint — automatic for complaints (R19).
    complaint_registered_by: Option<String>,
    /// Requisite 11 [INF]: nature of the question / category.
    pub issue_category: Option<String>,
    /// Requisite 12 [INF]: short content.
    pub summary: String,
    /// Requisite 13 [INF: control date]: automatic from the review term (R19).
    control_date: NaiveDate,
    /// Tags (p.2(5)), unique, in entry order.
    tags: Vec<String>,
    /// Markings (p.6): codes of the `markings` book, multi-valued (R9–R11).
    markings: BTreeSet<String>,
    /// Corrections of automatic markings (R9): code → present or not, whatever the rule says.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    marking_corrections: BTreeMap<String, bool>,
    /// [INF] Source of receipt (`receipt_sources`).
    pub receipt_source: Option<String>,
    /// [INF] How each requisite group was filled (R19); cards registered before the distinction
    /// read as all `integration`, which is what they recorded.
    #[serde(default)]
    pub fill_modes: FillModes,
    /// [INF] Anonymity assessment (R15).
    pub anonymity: AnonymityAssessment,
    /// [INF] The authorship the assessment was made of (R15): as registered, then as an art. 63
    /// correction completed it (R39). Cards registered before it was kept carry none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    authorship: Option<Authorship>,
    /// [INF] p.15 category: the item is not accounted and is transferred via ОЛ-2 (R16).
    pub non_accountable_category: Option<String>,
    /// [INF] For complaints: the appealed appeal/act and lateness (R42, R43); only on a complaint.
    complaint: Option<ComplaintTarget>,
}

/// Audit record of a change of requisite 8 (R12: old, new, tags, user, time) with the recomputed
/// requisites 9 and 13 (R19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentTypeChange {
    /// Previous requisite 8.
    pub old_document_type: String,
    /// New requisite 8.
    pub new_document_type: String,
    /// Tags entered with the change (at least one).
    pub tags: Vec<String>,
    /// Who changed it.
    pub changed_by: String,
    /// When.
    pub changed_at: NaiveDateTime,
    /// Requisite 9 before and after.
    pub old_term: Term,
    /// New requisite 9.
    pub new_term: Term,
    /// Requisite 13 before.
    pub old_control_date: NaiveDate,
    /// New requisite 13.
    pub new_control_date: NaiveDate,
}

fn clean_tags(tags: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

impl AppealCard {
    /// Registers an appeal (p.4; R1, R19): the number comes from the database sequence, the control
    /// date from the deadline calculator applied to the document type's term (req. 9 → req. 13),
    /// markings from the `markings` book (R9). There is no refusal at intake (R1): every kind except
    /// the application for personal reception — registered through ЛП-1 (R10) — gets a card.
    pub fn register(
        input: NewAppeal,
        reg_number: AppealNumber,
        markings_book: &Dictionary,
        control_date: impl FnOnce(Term) -> NaiveDate,
    ) -> Result<Self, DomainError> {
        let kind = input.document_type.kind;
        if input.complaint.is_some() && kind != AppealKind::Complaint {
            return Err(DomainError::invalid(
                "complaint",
                "only a complaint appeals an act",
            ));
        }
        if kind == AppealKind::PersonalReceptionApplication {
            return Err(DomainError::invalid(
                "document_type",
                "an application for personal reception is registered through an ЛП-1 card (p.4 part 5)",
            ));
        }
        if input.subject_id.trim().is_empty() {
            return Err(DomainError::invalid(
                "subject_id",
                "requisite 1 is required",
            ));
        }
        let term = input.document_type.term;
        let control_date = control_date(term);
        let complaint_registered_by =
            (kind == AppealKind::Complaint).then(|| input.subject_id.clone());
        let mut card = Self {
            subject_id: input.subject_id,
            reg_number,
            registered_at: input.registered_at,
            receipt_form: input.receipt_form,
            received_at: input.received_at,
            language: input.language,
            character: String::new(),
            document_type: input.document_type.code,
            kind,
            term,
            complaint_registered_by,
            issue_category: input.issue_category,
            summary: input.summary,
            control_date,
            tags: clean_tags(input.tags),
            markings: BTreeSet::new(),
            marking_corrections: BTreeMap::new(),
            receipt_source: input.receipt_source,
            fill_modes: input.fill_modes,
            anonymity: assess_anonymity_as(
                input.anonymity_reading,
                &input.authorship,
                input.reports_crime_or_threat,
            ),
            authorship: Some(input.authorship),
            non_accountable_category: input.non_accountable_category,
            complaint: input.complaint,
        };
        card.refresh_automatic_markings(markings_book, input.applicants);
        Ok(card)
    }

    /// R42, R43: what a complaint appeals and whether it came late.
    pub fn complaint(&self) -> Option<&ComplaintTarget> {
        self.complaint.as_ref()
    }

    /// R42: names (or corrects) what a complaint appeals; refused on any other kind. Returns the
    /// previous target for the history.
    pub fn set_complaint_target(
        &mut self,
        target: ComplaintTarget,
    ) -> Result<Option<ComplaintTarget>, DomainError> {
        if self.kind != AppealKind::Complaint {
            return Err(DomainError::invalid(
                "complaint",
                "only a complaint appeals an act",
            ));
        }
        Ok(self.complaint.replace(target))
    }

    /// Requisite 2: the registration number (never changes, R2).
    pub fn reg_number(&self) -> &AppealNumber {
        &self.reg_number
    }

    /// Requisite 8.
    pub fn document_type(&self) -> &str {
        &self.document_type
    }

    /// The kind of requisite 8.
    pub fn kind(&self) -> AppealKind {
        self.kind
    }

    /// Requisite 9.
    pub fn term(&self) -> Term {
        self.term
    }

    /// Requisite 10.
    pub fn complaint_registered_by(&self) -> Option<&str> {
        self.complaint_registered_by.as_deref()
    }

    /// Requisite 13.
    pub fn control_date(&self) -> NaiveDate {
        self.control_date
    }

    /// R33: an explicit recalculation of requisite 13 after the calendar data changed — the same
    /// term (requisite 9) counted again by `control_date`. Returns the previous control date; the
    /// caller records both in the history.
    pub fn recalculate_control_date(
        &mut self,
        control_date: impl FnOnce(Term) -> NaiveDate,
    ) -> NaiveDate {
        let new = control_date(self.term);
        std::mem::replace(&mut self.control_date, new)
    }

    /// Tags.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// Markings (codes).
    pub fn markings(&self) -> &BTreeSet<String> {
        &self.markings
    }

    /// Whether the item counts in accounting and 1-ОЛ (p.15, R16).
    pub fn is_accountable(&self) -> bool {
        self.non_accountable_category.is_none()
    }

    /// p.4 part 4, R12, R19: changes requisite 8 when the type does not match the content. At least
    /// one tag is required; requisite 9 is taken from the new type, requisite 13 recomputed by
    /// `control_date`, requisite 10 follows the kind. The registration number is untouched (R2).
    /// Returns the audit record to store.
    pub fn change_document_type(
        &mut self,
        new_type: &DocumentType,
        tags: Vec<String>,
        changed_by: &str,
        changed_at: NaiveDateTime,
        control_date: impl FnOnce(Term) -> NaiveDate,
    ) -> Result<DocumentTypeChange, DomainError> {
        let tags = clean_tags(tags);
        if tags.is_empty() {
            return Err(DomainError::invalid(
                "tags",
                "changing «Вид документа» requires at least one tag (p.4 part 4)",
            ));
        }
        if new_type.code == self.document_type {
            return Err(DomainError::invalid(
                "document_type",
                "the document type is unchanged",
            ));
        }
        if new_type.kind == AppealKind::PersonalReceptionApplication {
            return Err(DomainError::invalid(
                "document_type",
                "an application for personal reception is registered through ЛП-1",
            ));
        }
        if changed_by.trim().is_empty() {
            return Err(DomainError::invalid(
                "changed_by",
                "the user is required for the audit",
            ));
        }
        let new_control_date = control_date(new_type.term);
        let change = DocumentTypeChange {
            old_document_type: std::mem::replace(&mut self.document_type, new_type.code.clone()),
            new_document_type: new_type.code.clone(),
            tags: tags.clone(),
            changed_by: changed_by.to_owned(),
            changed_at,
            old_term: self.term,
            new_term: new_type.term,
            old_control_date: self.control_date,
            new_control_date,
        };
        self.kind = new_type.kind;
        self.term = new_type.term;
        self.control_date = new_control_date;
        self.complaint_registered_by =
            (self.kind == AppealKind::Complaint).then(|| self.subject_id.clone());
        // Only a complaint appeals an act (R42): the target goes with the kind; the caller's
        // history event keeps it.
        if self.kind != AppealKind::Complaint {
            self.complaint = None;
        }
        for t in tags {
            if !self.tags.contains(&t) {
                self.tags.push(t);
            }
        }
        Ok(change)
    }

    /// R36, R37: a signed extension moves requisite 13 to the checked extended deadline
    /// ([`crate::deadline::check_extension`]); the term (requisite 9) stays. Returns the previous
    /// control date. A date not after the current one is refused (an extension never shortens).
    pub fn extend_control_date(&mut self, extended: NaiveDate) -> Result<NaiveDate, DomainError> {
        if extended <= self.control_date {
            return Err(DomainError::invalid(
                "new_review_due",
                format!(
                    "must be later than the current deadline {}",
                    self.control_date
                ),
            ));
        }
        Ok(std::mem::replace(&mut self.control_date, extended))
    }

    /// R39, R15: «Приведено в соответствие» — the defects of the notice are cured, so the elements
    /// of authorship they supply (a name, a postal address, a signature or protocol) are kept and
    /// an anonymous card is assessed again under `reading` (the one in force): once nothing is
    /// missing it is considered on the merits. A correction never makes a card anonymous, and a
    /// card registered before its authorship was kept keeps its assessment. Returns the assessment
    /// it replaced.
    pub fn bring_into_conformity(
        &mut self,
        cured: &[Article63Defect],
        reading: crate::hierarchy::AnonymityReading,
    ) -> Option<AnonymityAssessment> {
        let authorship = self.authorship.as_mut()?;
        for defect in cured {
            defect.complete(authorship);
        }
        let reports_crime_or_threat =
            self.anonymity.handling == super::AnonymityHandling::RedirectImmediately;
        let now = assess_anonymity_as(reading, authorship, reports_crime_or_threat);
        (self.anonymity.anonymous && !now.anonymous)
            .then(|| std::mem::replace(&mut self.anonymity, now))
    }

    /// The authorship of the last assessment (R15), if kept.
    pub fn authorship(&self) -> Option<&Authorship> {
        self.authorship.as_ref()
    }

    /// R9: recomputes the automatic markings (and requisite 7) from the number of applicants,
    /// keeping the markings users set (R11) and the corrections of automatic ones.
    pub fn refresh_automatic_markings(&mut self, book: &Dictionary, applicants: usize) {
        let automatic: BTreeSet<&str> = book
            .entries
            .iter()
            .filter(|e| e.auto_rule.is_some())
            .map(|e| e.code.as_str())
            .collect();
        self.markings.retain(|m| !automatic.contains(m.as_str()));
        self.markings
            .extend(automatic_markings(book, self.kind, applicants));
        for (code, present) in &self.marking_corrections {
            if *present {
                self.markings.insert(code.clone());
            } else {
                self.markings.remove(code);
            }
        }
        // Requisite 7 follows the collective marking where it was corrected, else the count.
        let corrected_collective = book
            .entries
            .iter()
            .filter(|e| e.auto_rule == Some(MarkingRule::Collective))
            .find_map(|e| self.marking_corrections.get(&e.code).copied());
        let collective = corrected_collective.unwrap_or(applicants >= 2);
        self.character = if collective {
            "collective"
        } else {
            "individual"
        }
        .to_owned();
    }

    /// R9: corrects an automatic marking (e.g. «ҰЖ» on two applicants who are not a collective
    /// appeal, or missing on one signed by a group): it is `present` or not from now on, whatever
    /// the rule says. Only markings with an automatic rule are corrected; the others are added or
    /// removed.
    pub fn correct_automatic_marking(
        &mut self,
        book: &Dictionary,
        code: &str,
        present: bool,
        applicants: usize,
    ) -> Result<(), DomainError> {
        let entry = book.require_active(code)?;
        if entry.auto_rule.is_none() {
            return Err(DomainError::invalid(
                "markings",
                format!("marking `{code}` is not set automatically: add or remove it"),
            ));
        }
        self.marking_corrections.insert(code.to_owned(), present);
        self.refresh_automatic_markings(book, applicants);
        Ok(())
    }

    /// The corrections of automatic markings in force.
    pub fn marking_corrections(&self) -> &BTreeMap<String, bool> {
        &self.marking_corrections
    }

    /// p.2(5), R12: replaces the tags (cleaned: trimmed, unique, in order); returns the previous
    /// ones. A change of requisite 8 needs a tag ([`Self::change_document_type`]); tags alone may
    /// also be emptied.
    pub fn set_tags(&mut self, tags: Vec<String>) -> Vec<String> {
        std::mem::replace(&mut self.tags, clean_tags(tags))
    }

    /// R11: sets a user-chosen marking. Markings with an automatic rule are derived, not chosen.
    pub fn add_marking(&mut self, book: &Dictionary, code: &str) -> Result<(), DomainError> {
        let entry = book.require_active(code)?;
        if entry.auto_rule.is_some() {
            return Err(DomainError::invalid(
                "markings",
                format!("marking `{code}` is set automatically"),
            ));
        }
        self.markings.insert(code.to_owned());
        Ok(())
    }

    /// R11: removes a user-chosen marking.
    pub fn remove_marking(&mut self, book: &Dictionary, code: &str) -> Result<(), DomainError> {
        if book.get(code).is_some_and(|e| e.auto_rule.is_some()) {
            return Err(DomainError::invalid(
                "markings",
                format!("marking `{code}` is set automatically"),
            ));
        }
        self.markings.remove(code);
        Ok(())
    }
}

/// Forwarding by competence (APPK Art. 65; Rules p.11; R4, R5, R35).
impl AppealCard {
    /// R4, R35: the ОЛ-1 of a part forwarded by competence, registered at the receiving subject.
    /// Requisites are copied from this (main) card; the part gets its own number `<main>/<k>`
    /// (the main keeps its own, R2), the receiving subject as requisite 1, the receiver's
    /// registration and receipt time (requisites 3, 5), the forwarded questions as its short
    /// content (requisite 12) and its own control date (requisite 13) from `control_date` applied
    /// to the term of requisite 9 — the caller's R35 policy decides where that term starts.
    pub fn forwarded_part(
        &self,
        part: PartNumber,
        receiving_subject_id: &str,
        registered_at: NaiveDateTime,
        summary: String,
        control_date: impl FnOnce(Term) -> NaiveDate,
    ) -> Result<Self, DomainError> {
        match &self.reg_number {
            AppealNumber::Main(main) if main == part.main() => {}
            AppealNumber::Main(_) => {
                return Err(DomainError::invalid(
                    "part",
                    format!("{part} is not a part of {}", self.reg_number),
                ));
            }
            AppealNumber::Part(_) => {
                return Err(DomainError::Conflict(format!(
                    "{} is itself a part; forwarding a part of a part is not provided for [INF]",
                    self.reg_number
                )));
            }
        }
        if receiving_subject_id.trim().is_empty() {
            return Err(DomainError::invalid(
                "subject_id",
                "requisite 1 is required",
            ));
        }
        let mut card = self.clone();
        card.reg_number = AppealNumber::Part(part);
        card.subject_id = receiving_subject_id.to_owned();
        card.registered_at = registered_at;
        card.received_at = registered_at;
        card.summary = summary;
        card.control_date = control_date(self.term);
        Ok(card)
    }

    /// R35 (full forwarding, term restarting at the receiver): recomputes requisite 13 from the
    /// term of requisite 9 with `control_date`; the number and the other requisites stay (R2).
    /// Returns the previous control date for the audit.
    pub fn restart_review_term(
        &mut self,
        control_date: impl FnOnce(Term) -> NaiveDate,
    ) -> NaiveDate {
        let new_control_date = control_date(self.term);
        std::mem::replace(&mut self.control_date, new_control_date)
    }
}

/// Markings rule check used by tests and callers that build cards by hand.
pub fn has_automatic_marking(
    book: &Dictionary,
    markings: &BTreeSet<String>,
    rule: MarkingRule,
) -> bool {
    book.entries
        .iter()
        .any(|e| e.auto_rule == Some(rule) && markings.contains(&e.code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cards::test_support::{at, doc, fake_deadline, new_appeal, number, register};
    use crate::cards::{AnonymityHandling, ReceptionCard};
    use crate::dictionary::{DictionaryName, default_dictionary};
    use crate::regnum::{RegNumber, next_part_number};
    use chrono::Duration;

    #[test]
    fn every_appeal_kind_is_registered_and_reception_goes_to_lp1() {
        // R1: no refusal at intake — one document type of each ОЛ-1 kind registers.
        for code in [
            "application",
            "complaint",
            "request",
            "message",
            "response",
            "proposal",
        ] {
            let card = register(code, 1);
            assert_eq!(card.reg_number(), &number());
        }
        // R10: the reception application is registered through ЛП-1 with «ЖҚ».
        let mut input = new_appeal("application", 1);
        input.document_type.kind = AppealKind::PersonalReceptionApplication;
        let markings = default_dictionary(DictionaryName::Markings);
        assert!(
            AppealCard::register(input, number(), &markings, |_| at("2026-03-05").date()).is_err()
        );
        let lp1 = ReceptionCard::for_application(number(), "akimat_astana", &markings);
        assert!(has_automatic_marking(
            &markings,
            &lp1.markings,
            MarkingRule::PersonalReception
        ));
    }

    #[test]
    fn a_correction_that_supplies_the_missing_authorship_ends_anonymity() {
        // R39 then R15: the address was missing; once the notice's defects are cured the card is
        // considered. A cure that supplies nothing of authorship changes nothing.
        use crate::hierarchy::AnonymityReading::{AnyElementMissing, AuthorshipOnly};
        let markings = default_dictionary(DictionaryName::Markings);
        let mut input = new_appeal("application", 1);
        input.authorship.postal_address_given = false;
        let registered =
            AppealCard::register(input, number(), &markings, |_| at("2026-03-05").date()).unwrap();
        assert_eq!(
            registered.anonymity.handling,
            AnonymityHandling::NotConsidered
        );

        let mut card = registered.clone();
        let cured = [Article63Defect::Essence, Article63Defect::Date];
        assert_eq!(card.bring_into_conformity(&cured, AnyElementMissing), None);
        assert_eq!(card, registered);

        let before =
            card.bring_into_conformity(&[Article63Defect::PostalAddress], AnyElementMissing);
        assert_eq!(before, Some(registered.anonymity));
        assert!(!card.anonymity.anonymous);
        assert_eq!(card.anonymity.handling, AnonymityHandling::Consider);
        assert!(card.authorship().unwrap().postal_address_given);
        // Never the other way: a considered card stays considered whatever is cured.
        assert_eq!(card.bring_into_conformity(&cured, AuthorshipOnly), None);
        assert!(!card.anonymity.anonymous);
    }

    #[test]
    fn an_anonymous_crime_report_stays_one_until_its_authorship_is_complete() {
        // R15: still unsigned after the address is supplied — still redirected immediately.
        use crate::hierarchy::AnonymityReading::AnyElementMissing;
        let markings = default_dictionary(DictionaryName::Markings);
        let mut input = new_appeal("message", 1);
        input.authorship.postal_address_given = false;
        input.authorship.signed = false;
        input.reports_crime_or_threat = true;
        let mut card =
            AppealCard::register(input, number(), &markings, |_| at("2026-03-05").date()).unwrap();
        let address = [Article63Defect::PostalAddress];
        assert_eq!(
            card.bring_into_conformity(&address, AnyElementMissing),
            None
        );
        assert_eq!(
            card.anonymity.handling,
            AnonymityHandling::RedirectImmediately
        );
        assert!(
            card.bring_into_conformity(&[Article63Defect::Signature], AnyElementMissing)
                .is_some()
        );
        assert_eq!(card.anonymity.handling, AnonymityHandling::Consider);
    }

    #[test]
    fn registration_derives_term_control_date_and_complaint_subject() {
        // R19: req. 9 from req. 8, req. 13 from the term, req. 10 only for complaints.
        let card = register("complaint", 1);
        assert_eq!(card.term(), Term::working(20));
        assert_eq!(
            card.control_date(),
            NaiveDate::from_ymd_opt(2026, 3, 25).unwrap()
        );
        assert_eq!(card.complaint_registered_by(), Some("akimat_astana"));
        assert_eq!(register("request", 1).complaint_registered_by(), None);
    }

    #[test]
    fn changing_document_type_without_a_tag_is_rejected() {
        // R12 test: change without tag → 422 (DomainError::Invalid).
        let mut card = register("request", 1);
        let before = card.clone();
        let r = card.change_document_type(
            &doc("request_notary"),
            vec!["  ".into()],
            "registrar",
            at("2026-03-06"),
            fake_deadline(at("2026-03-05").date()),
        );
        assert!(matches!(r, Err(DomainError::Invalid { ref field, .. }) if field == "tags"));
        assert_eq!(card, before);
    }

    #[test]
    fn changing_document_type_recomputes_term_and_control_date_and_keeps_the_number() {
        // R19 test and R2 test: req. 9 and 13 recomputed, reg_number unchanged; R12 audit record.
        let mut card = register("request", 1);
        let change = card
            .change_document_type(
                &doc("complaint_public_services"),
                vec!["госуслуги".into()],
                "registrar",
                at("2026-03-06"),
                fake_deadline(at("2026-03-05").date()),
            )
            .unwrap();
        assert_eq!(card.reg_number(), &number());
        assert_eq!(card.term(), Term::working(5));
        assert_eq!(
            card.control_date(),
            NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
        );
        assert_eq!(card.kind(), AppealKind::Complaint);
        assert_eq!(card.complaint_registered_by(), Some("akimat_astana"));
        assert_eq!(card.tags(), ["дороги", "госуслуги"]);
        assert_eq!(change.old_document_type, "request");
        assert_eq!(change.new_document_type, "complaint_public_services");
        assert_eq!(
            (change.old_term, change.new_term),
            (Term::working(15), Term::working(5))
        );
        assert_eq!(change.changed_by, "registrar");
    }

    #[test]
    fn an_extension_moves_only_the_control_date_forward() {
        // R36/R37: requisite 13 moves to the extended date; the term and the number stay.
        let mut card = register("request", 1);
        let before = card.control_date();
        let later = before + chrono::Duration::days(10);
        assert!(card.extend_control_date(before).is_err());
        assert_eq!(card.extend_control_date(later).unwrap(), before);
        assert_eq!(card.control_date(), later);
        assert_eq!(card.term(), Term::working(15));
        assert_eq!(card.reg_number(), &number());
    }

    #[test]
    fn two_applicants_make_the_appeal_collective() {
        // R9 test: 2 applicants → «ҰЖ» present; 1 applicant → absent.
        let markings = default_dictionary(DictionaryName::Markings);
        let one = register("application", 1);
        assert!(!has_automatic_marking(
            &markings,
            one.markings(),
            MarkingRule::Collective
        ));
        assert_eq!(one.character, "individual");
        let two = register("application", 2);
        assert!(has_automatic_marking(
            &markings,
            two.markings(),
            MarkingRule::Collective
        ));
        assert_eq!(two.character, "collective");
    }

    #[test]
    fn user_markings_survive_recomputation_and_automatic_ones_cannot_be_set_by_hand() {
        // R11: multi-valued, data-driven markings.
        let mut book = default_dictionary(DictionaryName::Markings);
        book.entries.push(crate::dictionary::DictionaryEntry::new(
            "repeated",
            "Повторное",
            "Қайталама",
            crate::dictionary::Evidence::Inf,
        ));
        let mut card = register("application", 2);
        card.add_marking(&book, "repeated").unwrap();
        card.refresh_automatic_markings(&book, 1);
        assert_eq!(card.markings().iter().collect::<Vec<_>>(), ["repeated"]);
        assert!(card.add_marking(&book, "collective").is_err());
        assert!(
            card.add_marking(&book, "marking_1").is_err(),
            "inactive placeholder"
        );
        assert!(card.add_marking(&book, "unknown").is_err());
    }

    #[test]
    fn forwarded_part_copies_requisites_with_its_own_number_subject_and_control_date() {
        // R4, R35: the part is `<main>/<k>` at the receiver, with its own dates; the main keeps
        // its number (R2).
        let main = register("application", 2);
        let AppealNumber::Main(main_number) = main.reg_number().clone() else {
            unreachable!()
        };
        let part_number = next_part_number(&main_number, 0).unwrap();
        let part = main
            .forwarded_part(
                part_number.clone(),
                "minedu",
                at("2026-03-10"),
                "Вопрос о школе".into(),
                fake_deadline(at("2026-03-10").date()),
            )
            .unwrap();
        assert_eq!(part.reg_number(), &AppealNumber::Part(part_number.clone()));
        assert_eq!(part.subject_id, "minedu");
        assert_eq!(part.registered_at, at("2026-03-10"));
        assert_eq!(part.summary, "Вопрос о школе");
        assert_eq!(
            part.control_date(),
            at("2026-03-10").date() + Duration::days(15)
        );
        assert_eq!(part.document_type(), main.document_type());
        assert_eq!(part.tags(), main.tags());
        assert_eq!(part.markings(), main.markings());
        assert_eq!(main.reg_number(), &number());
        // A part is not split again; another main's part number is refused.
        assert!(matches!(
            part.forwarded_part(
                part_number.clone(),
                "x",
                at("2026-03-11"),
                String::new(),
                |_| at("2026-03-11").date()
            ),
            Err(DomainError::Conflict(_))
        ));
        let other = next_part_number(&RegNumber::new("ЖТ", 2026, 7).unwrap(), 0).unwrap();
        assert!(
            main.forwarded_part(other, "x", at("2026-03-11"), String::new(), |_| {
                at("2026-03-11").date()
            })
            .is_err()
        );
    }

    #[test]
    fn restarting_the_review_term_keeps_the_number_and_returns_the_old_date() {
        let mut card = register("application", 1);
        let old = card.control_date();
        let returned = card.restart_review_term(fake_deadline(at("2026-04-01").date()));
        assert_eq!(returned, old);
        assert_eq!(
            card.control_date(),
            at("2026-04-01").date() + Duration::days(15)
        );
        assert_eq!(card.reg_number(), &number());
    }

    #[test]
    fn only_a_complaint_carries_a_target_and_a_change_of_kind_drops_it() {
        // R42: the target is set on a complaint only; when requisite 8 stops being a complaint the
        // target goes with it (the caller's event keeps it).
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let target = ComplaintTarget::new(None, "Бездействие акимата", None, d("2026-03-05"));
        let mut request = register("request", 1);
        assert!(request.set_complaint_target(target.clone()).is_err());
        assert_eq!(request.complaint(), None);
        let mut complaint = register("complaint", 1);
        assert_eq!(
            complaint.set_complaint_target(target.clone()).unwrap(),
            None
        );
        let corrected = ComplaintTarget::new(None, "Акт от 01.02.2026", None, d("2026-03-05"));
        assert_eq!(
            complaint.set_complaint_target(corrected.clone()).unwrap(),
            Some(target)
        );
        complaint
            .change_document_type(
                &doc("complaint_public_services"),
                vec!["госуслуги".into()],
                "u1",
                d("2026-03-06").and_hms_opt(10, 0, 0).unwrap(),
                |_| d("2026-03-13"),
            )
            .unwrap();
        assert_eq!(complaint.complaint(), Some(&corrected));
        complaint
            .change_document_type(
                &doc("request"),
                vec!["запрос".into()],
                "u1",
                d("2026-03-06").and_hms_opt(11, 0, 0).unwrap(),
                |_| d("2026-03-27"),
            )
            .unwrap();
        assert_eq!(complaint.complaint(), None);
    }
}
