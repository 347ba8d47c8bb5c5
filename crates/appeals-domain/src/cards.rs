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

use std::collections::BTreeSet;

use chrono::{Months, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::deadline::Term;
use crate::dictionary::{
    AnswerCharacter, AnswerCharacterRule, AppealDecisionType, AppealKind, ComplaintDecisionType,
    Dictionary, DocumentType, MarkingRule, automatic_markings, check_termination_reason,
};
use crate::regnum::{AppealNumber, PartNumber};

// ---------------------------------------------------------------------------------------------
// Anonymity (p.2(1), APPK; R15)
// ---------------------------------------------------------------------------------------------

/// What is known about the authorship of an item (p.2(1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorship {
    /// The author can be established.
    pub author_identified: bool,
    /// The item is signed (including by EDS/ЭЦП; for an oral appeal: the signed protocol).
    pub signed: bool,
    /// The applicant's postal address is stated.
    pub postal_address_given: bool,
}

/// How an item is handled with respect to anonymity (R15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnonymityHandling {
    /// Not anonymous: considered in the ordinary way.
    Consider,
    /// Anonymous: registered (R1) but not considered on the merits.
    NotConsidered,
    /// Anonymous but reports a prepared/committed criminal offence or a threat to state or public
    /// security: must be redirected to the competent body immediately.
    RedirectImmediately,
}

/// The result of [`assess_anonymity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnonymityAssessment {
    /// p.2(1): authorship cannot be established and/or no signature (incl. EDS) or postal address.
    pub anonymous: bool,
    /// What must happen to the item.
    pub handling: AnonymityHandling,
}

/// R15 (p.2(1); APPK: anonymous appeals are not considered except crime/threat reports, which are
/// redirected immediately). Any one missing element makes the item anonymous («и (или)»).
pub fn assess_anonymity(a: &Authorship, reports_crime_or_threat: bool) -> AnonymityAssessment {
    let anonymous = !a.author_identified || !a.signed || !a.postal_address_given;
    let handling = match (anonymous, reports_crime_or_threat) {
        (false, _) => AnonymityHandling::Consider,
        (true, true) => AnonymityHandling::RedirectImmediately,
        (true, false) => AnonymityHandling::NotConsidered,
    };
    AnonymityAssessment {
        anonymous,
        handling,
    }
}

// ---------------------------------------------------------------------------------------------
// Content requirements (APPK Art. 63; R39)
// ---------------------------------------------------------------------------------------------

/// Form of an appeal for the purposes of APPK Art. 63.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealMedium {
    /// Paper or electronic.
    Written,
    /// Oral: recorded in a protocol by the official who accepted it.
    Oral,
}

/// What an appeal states, as far as APPK Art. 63 requires it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article63Content {
    /// Surname, name (patronymic) of the individual, or the legal entity's name.
    pub applicant_name: Option<String>,
    /// Postal address of the applicant.
    pub postal_address: Option<String>,
    /// Addressed body or official.
    pub addressee: Option<String>,
    /// The essence of the appeal.
    pub essence: Option<String>,
    /// Date of submission.
    pub submitted_on: Option<NaiveDate>,
    /// Signed by the applicant or representative (incl. EDS).
    pub signed: bool,
    /// Oral appeals: a protocol was drawn up.
    pub protocol_drawn_up: bool,
}

/// A requirement of APPK Art. 63 that an appeal does not meet (R39).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Article63Defect {
    /// No applicant name / legal-entity name.
    ApplicantName,
    /// No postal address.
    PostalAddress,
    /// No addressee.
    Addressee,
    /// No essence.
    Essence,
    /// No date.
    Date,
    /// Not signed.
    Signature,
    /// Oral appeal without a protocol.
    Protocol,
}

/// R39 (APPK Art. 63): the defects of an appeal; empty when it complies. IIN/BIN is required only
/// «при его наличии», so its absence is not a defect. An oral appeal is recorded in a protocol, whose
/// existence replaces the applicant's signature.
pub fn article_63_defects(medium: AppealMedium, c: &Article63Content) -> Vec<Article63Defect> {
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    let mut d = Vec::new();
    if blank(&c.applicant_name) {
        d.push(Article63Defect::ApplicantName);
    }
    if blank(&c.postal_address) {
        d.push(Article63Defect::PostalAddress);
    }
    if blank(&c.addressee) {
        d.push(Article63Defect::Addressee);
    }
    if blank(&c.essence) {
        d.push(Article63Defect::Essence);
    }
    if c.submitted_on.is_none() {
        d.push(Article63Defect::Date);
    }
    match medium {
        AppealMedium::Written if !c.signed => d.push(Article63Defect::Signature),
        AppealMedium::Oral if !c.protocol_drawn_up => d.push(Article63Defect::Protocol),
        _ => {}
    }
    d
}

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

/// Input for registering an appeal (p.4; R1, R19). Everything the system does not compute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAppeal {
    /// Requisite 1 [INF]: the registering subject (code in the subjects book).
    pub subject_id: String,
    /// Requisite 3 [INF]: registration date and time.
    pub registered_at: NaiveDateTime,
    /// [INF] Date and time of receipt (the start of the review term; may precede registration, R7).
    pub received_at: NaiveDateTime,
    /// How requisites 1, 2, 3, 5 were filled (R19).
    pub fill_mode: FillMode,
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
    /// [INF] Source of receipt (`receipt_sources`).
    pub receipt_source: Option<String>,
    /// [INF] How requisites 1, 2, 3, 5 were filled (R19).
    pub fill_mode: FillMode,
    /// [INF] Anonymity assessment (R15).
    pub anonymity: AnonymityAssessment,
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
            receipt_source: input.receipt_source,
            fill_mode: input.fill_mode,
            anonymity: assess_anonymity(&input.authorship, input.reports_crime_or_threat),
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

    /// R9: recomputes the automatic markings (and requisite 7) from the number of applicants,
    /// keeping the markings users set (R11).
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
        self.character = if applicants >= 2 {
            "collective"
        } else {
            "individual"
        }
        .to_owned();
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

// ---------------------------------------------------------------------------------------------
// З-1
// ---------------------------------------------------------------------------------------------

/// Person category (ЛП-1 req. 7; З-1 [INF: req. 3]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonCategory {
    /// «физическое».
    Individual,
    /// «юридическое».
    LegalEntity,
}

/// Residency (ЛП-1 req. 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Residency {
    /// «резидент».
    Resident,
    /// «не резидент».
    NonResident,
}

/// Sex (ЛП-1 req. 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// «мужской».
    Male,
    /// «женский».
    Female,
}

/// З-1 person block [INF: requisites 5–11, filled from ГБД ФЛ].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonBlock {
    /// [INF] Residency.
    pub residency: Option<Residency>,
    /// [INF] Surname.
    pub surname: Option<String>,
    /// [INF] First name.
    pub first_name: Option<String>,
    /// [INF] Patronymic (if in the ID document).
    pub patronymic: Option<String>,
    /// [INF] Date of birth.
    pub birth_date: Option<NaiveDate>,
    /// [INF] Sex.
    pub sex: Option<Sex>,
    /// [INF] Citizenship (reference-book code).
    pub citizenship: Option<String>,
    /// [INF] Nationality (reference-book code).
    pub nationality: Option<String>,
}

/// З-1 legal-entity block [INF: requisites 20–26, filled from ГБД ЮЛ].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyBlock {
    /// [INF] Name.
    pub name: Option<String>,
    /// [INF] Registration date.
    pub registered_on: Option<NaiveDate>,
    /// [INF] Legal address.
    pub legal_address: Option<String>,
    /// [INF] Actual address.
    pub actual_address: Option<String>,
    /// [INF] Head: surname.
    pub head_surname: Option<String>,
    /// [INF] Head: first name.
    pub head_first_name: Option<String>,
    /// [INF] Head: patronymic.
    pub head_patronymic: Option<String>,
}

/// З-1 address block, requisites 12–18 (p.23 [SEED]: the block; the split is [INF]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressBlock {
    /// Requisite 12 [INF split]: oblast / city of republican significance.
    pub region: Option<String>,
    /// Requisite 13 [INF split]: district.
    pub district: Option<String>,
    /// Requisite 14 [INF split]: settlement (KATO code).
    pub settlement_kato: Option<String>,
    /// Requisite 15 [INF split]: street.
    pub street: Option<String>,
    /// Requisite 16 [INF split]: house.
    pub house: Option<String>,
    /// Requisite 17 [INF split]: flat.
    pub flat: Option<String>,
    /// Requisite 18 [INF split]: postal index.
    pub postal_code: Option<String>,
}

impl AddressBlock {
    fn fields(&self) -> [(u8, &Option<String>); 7] {
        [
            (12, &self.region),
            (13, &self.district),
            (14, &self.settlement_kato),
            (15, &self.street),
            (16, &self.house),
            (17, &self.flat),
            (18, &self.postal_code),
        ]
    }

    /// Requisite numbers (12–18) where the two addresses differ, comparing case-, space- and
    /// punctuation-insensitively so that «ул. Абая» and «УЛ Абая» are not reported.
    pub fn differences(&self, other: &AddressBlock) -> Vec<u8> {
        let norm = |v: &Option<String>| -> String {
            v.as_deref()
                .unwrap_or("")
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        self.fields()
            .iter()
            .zip(other.fields().iter())
            .filter(|((_, a), (_, b))| norm(a) != norm(b))
            .map(|((n, _), _)| *n)
            .collect()
    }
}

/// State databases that fill З-1 (p.23, R20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrySource {
    /// ГБД ФЛ — individuals.
    GbdFl,
    /// ГБД ЮЛ — legal entities.
    GbdUl,
}

/// Provenance of automatically filled requisites (R20): which registry and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoFill {
    /// The registry.
    pub source: RegistrySource,
    /// When the data was fetched.
    pub fetched_at: NaiveDateTime,
    /// Requisite numbers filled from it.
    pub requisites: Vec<u8>,
}

/// Data returned by a ГБД lookup for requisite 4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryRecord {
    /// Requisite 3 [INF]: category of the person.
    pub category: PersonCategory,
    /// Person block (ГБД ФЛ).
    pub person: Option<PersonBlock>,
    /// Legal-entity block (ГБД ЮЛ).
    pub company: Option<CompanyBlock>,
    /// Registered address.
    pub address: Option<AddressBlock>,
}

/// State of the R21 address check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "requisites")]
pub enum AddressCheck {
    /// The appeal states no postal address to compare with.
    NothingToCompare,
    /// Requisites 12–18 agree with the postal address of the appeal.
    Matches,
    /// These requisites differ and must be brought into line (R21).
    Differs(Vec<u8>),
    /// A user brought the address into line.
    Reconciled,
}

/// З-1 «Карточка заявителя» (p.23), one per applicant of an appeal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantCard {
    /// Requisite 1: registration number of the appeal — copied from ОЛ-1 (R20).
    pub appeal_reg_number: AppealNumber,
    /// Requisite 2 [INF: registration date]: copied from ОЛ-1 (R20).
    pub appeal_registered_at: NaiveDateTime,
    /// [INF] Ordinal of the applicant within the appeal (1-based).
    pub ordinal: u32,
    /// Requisite 3 [INF]: person category — automatic from ГБД (R20).
    pub category: PersonCategory,
    /// Requisite 4 [INF: IIN/BIN] — the lookup key. Plain string until `ident.rs` provides
    /// `Iin`/`Bin`; optional because APPK Art. 63 requires it only «при его наличии».
    pub iin_bin: Option<String>,
    /// Requisites 5–11 [INF]: person block.
    pub person: Option<PersonBlock>,
    /// Requisites 12–18: address block (R21).
    pub address: AddressBlock,
    /// [INF] The postal address as stated in the appeal (compared with 12–18, R21).
    pub postal_address_in_appeal: Option<AddressBlock>,
    /// [INF] Set when a user brought 12–18 into line with the appeal (R21).
    pub address_reconciled: bool,
    /// Requisite 19 [INF: the only manual requisite]: contacts.
    pub contacts: Contacts,
    /// Requisites 20–26 [INF]: legal-entity block.
    pub company: Option<CompanyBlock>,
    /// [INF] Provenance of the automatically filled requisites (R20).
    pub autofill: Vec<AutoFill>,
}

/// Contacts (З-1 requisite 19 [INF]; the mobile number receives the answer SMS, R46).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contacts {
    /// Mobile phone.
    pub mobile_phone: Option<String>,
    /// Home/work phone.
    pub work_home_phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

fn is_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

impl ApplicantCard {
    /// A new applicant of `appeal`: requisites 1–2 are copied from ОЛ-1 (R20).
    pub fn new(
        appeal: &AppealCard,
        ordinal: u32,
        category: PersonCategory,
        iin_bin: Option<String>,
    ) -> Result<Self, DomainError> {
        if let Some(id) = &iin_bin
            && !is_digits(id, 12)
        {
            return Err(DomainError::invalid(
                "iin_bin",
                "requisite 4 must be 12 digits",
            ));
        }
        if ordinal == 0 {
            return Err(DomainError::invalid(
                "ordinal",
                "applicants are numbered from 1",
            ));
        }
        Ok(Self {
            appeal_reg_number: appeal.reg_number().clone(),
            appeal_registered_at: appeal.registered_at,
            ordinal,
            category,
            iin_bin,
            person: None,
            address: AddressBlock::default(),
            postal_address_in_appeal: None,
            address_reconciled: false,
            contacts: Contacts::default(),
            company: None,
            autofill: Vec::new(),
        })
    }

    /// R20: fills requisites 3, 5–18, 20–26 from a ГБД record fetched for requisite 4 and records
    /// where and when they came from. ГБД ФЛ fills the person block, ГБД ЮЛ the legal-entity block.
    /// A changed address cancels an earlier reconciliation (R21).
    pub fn apply_registry_record(
        &mut self,
        source: RegistrySource,
        record: RegistryRecord,
        fetched_at: NaiveDateTime,
    ) -> Result<(), DomainError> {
        if self.iin_bin.is_none() {
            return Err(DomainError::invalid(
                "iin_bin",
                "requisite 4 must be filled before a ГБД lookup",
            ));
        }
        let expected = match source {
            RegistrySource::GbdFl => PersonCategory::Individual,
            RegistrySource::GbdUl => PersonCategory::LegalEntity,
        };
        if record.category != expected {
            return Err(DomainError::invalid(
                "category",
                "the registry does not match the category",
            ));
        }
        let mut filled = vec![3];
        self.category = record.category;
        if let Some(p) = record.person {
            filled.extend(5..=11);
            self.person = Some(p);
        }
        if let Some(c) = record.company {
            filled.extend(20..=26);
            self.company = Some(c);
        }
        if let Some(a) = record.address {
            filled.extend(12..=18);
            if a != self.address {
                self.address_reconciled = false;
            }
            self.address = a;
        }
        self.autofill.push(AutoFill {
            source,
            fetched_at,
            requisites: filled,
        });
        Ok(())
    }

    /// R21: compares requisites 12–18 with the postal address stated in the appeal.
    pub fn address_check(&self) -> AddressCheck {
        let Some(stated) = &self.postal_address_in_appeal else {
            return AddressCheck::NothingToCompare;
        };
        let diff = self.address.differences(stated);
        if diff.is_empty() {
            AddressCheck::Matches
        } else if self.address_reconciled {
            AddressCheck::Reconciled
        } else {
            AddressCheck::Differs(diff)
        }
    }

    /// R21: a user brings the address into line — `agreed` becomes requisites 12–18.
    pub fn reconcile_address(&mut self, agreed: AddressBlock) {
        self.address = agreed;
        self.address_reconciled = true;
    }

    /// R21 [INF: blocking]: the card may be finalized only when the address is not in conflict.
    pub fn ensure_final(&self) -> Result<(), DomainError> {
        match self.address_check() {
            AddressCheck::Differs(reqs) => Err(DomainError::invalid(
                "address",
                format!(
                    "requisites {reqs:?} differ from the postal address in the appeal and must be brought into line"
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// R21 [INF]: what an address that differs from the postal address in the appeal, and is not
/// reconciled, holds up. The Rules say it must be brought into line before the card is final;
/// which step counts as "final" is not written down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AddressReconciliationPolicy {
    /// Default: the first ОЛ-2 decision (the final act, R44) waits for it.
    #[default]
    BlocksFinalAct,
    /// The difference is only shown (`address_check`); nothing waits for it.
    Advisory,
}

impl AddressReconciliationPolicy {
    pub const ALL: [Self; 2] = [Self::BlocksFinalAct, Self::Advisory];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::BlocksFinalAct => "blocks_final_act",
            Self::Advisory => "advisory",
        }
    }

    pub fn parse(code: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|p| p.code() == code)
            .ok_or_else(|| {
                DomainError::invalid(
                    "address_reconciliation",
                    format!("`{code}` is not `blocks_final_act` or `advisory`"),
                )
            })
    }
}

// ---------------------------------------------------------------------------------------------
// ОЛ-2
// ---------------------------------------------------------------------------------------------

/// The content of one ОЛ-2 (R22). Appeal and complaint decisions use their own type dictionaries
/// (§2.7); the p.15 transfer to another IS and its cancellation are ОЛ-2 too (R16–R18).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision_for")]
pub enum Decision {
    /// A decision on an appeal that is not a complaint.
    Appeal {
        /// Decision type.
        decision_type: AppealDecisionType,
        /// Answer character (R41).
        answer_character: Option<AnswerCharacter>,
        /// Termination reason code, for «Прекратить рассмотрение» (R40).
        termination_reason: Option<String>,
    },
    /// A decision on a complaint (R42).
    Complaint {
        /// Decision type (7 values).
        decision_type: ComplaintDecisionType,
        /// Bases (`complaint_decision_bases` codes).
        bases: Vec<String>,
        /// Complaint termination reason, for «Оставить жалобу без рассмотрения» [INF].
        termination_reason: Option<String>,
    },
    /// p.15: transfer of a non-accountable document to another information system (R16).
    Transfer {
        /// `non_accountable_categories` code.
        category: String,
        /// The receiving information system.
        target_system: String,
    },
    /// p.15: cancellation of a transfer (R18).
    TransferCancellation {
        /// `seq` of the ОЛ-2 that recorded the transfer.
        transfer_seq: u32,
        /// When the decision to cancel was taken (the 1-working-day term runs from it).
        cancellation_decided_at: NaiveDateTime,
    },
}

/// The reference books a decision is checked against.
#[derive(Debug, Clone, Copy)]
pub struct DecisionBooks<'a> {
    /// `termination_reasons`.
    pub termination_reasons: &'a Dictionary,
    /// `complaint_decision_bases`.
    pub complaint_decision_bases: &'a Dictionary,
    /// `non_accountable_categories`.
    pub non_accountable_categories: &'a Dictionary,
}

impl Decision {
    /// R40–R42: checks the decision against the kind of the appeal and the reference books.
    pub fn validate(&self, kind: AppealKind, books: &DecisionBooks<'_>) -> Result<(), DomainError> {
        match self {
            Decision::Appeal {
                decision_type,
                answer_character,
                termination_reason,
            } => {
                if kind == AppealKind::Complaint {
                    return Err(DomainError::invalid(
                        "decision_type",
                        "a complaint takes a complaint decision",
                    ));
                }
                match (decision_type.answer_character_rule(), answer_character) {
                    (AnswerCharacterRule::Required, None) => {
                        return Err(DomainError::invalid(
                            "answer_character",
                            "«Предоставить ответ» requires the answer character",
                        ));
                    }
                    (AnswerCharacterRule::Absent, Some(_)) => {
                        return Err(DomainError::invalid(
                            "answer_character",
                            "«Принять к сведению» has no answer character",
                        ));
                    }
                    _ => {}
                }
                check_reason(
                    decision_type.requires_termination_reason(),
                    termination_reason.as_deref(),
                    kind,
                    books,
                )
            }
            Decision::Complaint {
                decision_type,
                bases,
                termination_reason,
            } => {
                if kind != AppealKind::Complaint {
                    return Err(DomainError::invalid(
                        "decision_type",
                        "complaint decisions apply only to complaints",
                    ));
                }
                for b in bases {
                    books.complaint_decision_bases.require_active(b)?;
                }
                check_reason(
                    decision_type.requires_termination_reason(),
                    termination_reason.as_deref(),
                    kind,
                    books,
                )
            }
            Decision::Transfer {
                category,
                target_system,
            } => {
                books.non_accountable_categories.require_active(category)?;
                if target_system.trim().is_empty() {
                    return Err(DomainError::invalid(
                        "target_system",
                        "the receiving IS is required",
                    ));
                }
                Ok(())
            }
            Decision::TransferCancellation { .. } => Ok(()),
        }
    }
}

fn check_reason(
    required: bool,
    reason: Option<&str>,
    kind: AppealKind,
    books: &DecisionBooks<'_>,
) -> Result<(), DomainError> {
    match (required, reason) {
        (true, None) => Err(DomainError::invalid(
            "termination_reason",
            "this decision requires a reason",
        )),
        (false, Some(_)) => Err(DomainError::invalid(
            "termination_reason",
            "this decision takes no reason",
        )),
        (true, Some(code)) => check_termination_reason(books.termination_reasons, code, kind),
        (false, None) => Ok(()),
    }
}

/// ОЛ-2 «decision / movement card» (p.23): one per decision, never overwritten (R22).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionCard {
    /// Requisite 1 [INF: subject]: copied from ОЛ-1 (R22).
    pub subject_id: String,
    /// Requisite 2 [INF: registration number]: copied from ОЛ-1 (R22).
    pub reg_number: AppealNumber,
    /// Requisite 3 [INF: registration date]: copied from ОЛ-1 (R22).
    pub registered_at: NaiveDateTime,
    /// Requisite 4: the decision — one card each; `seq` orders them from 1 (R22).
    pub seq: u32,
    /// Requisite 4: the decision itself.
    pub decision: Decision,
    /// [INF] Who took (signed) the decision.
    pub decided_by: String,
    /// [INF] When.
    pub decided_at: NaiveDateTime,
}

impl DecisionCard {
    /// Records a new decision on `appeal` after the `existing` ОЛ-2 of that appeal (R22: copies
    /// requisites 1–3, gets the next `seq`, never replaces a card). Checks R40–R42 and that a
    /// transfer cancellation refers to an earlier, not yet cancelled transfer (R18).
    pub fn record(
        appeal: &AppealCard,
        existing: &[DecisionCard],
        decision: Decision,
        decided_by: &str,
        decided_at: NaiveDateTime,
        books: &DecisionBooks<'_>,
    ) -> Result<Self, DomainError> {
        if existing
            .iter()
            .any(|c| c.reg_number != *appeal.reg_number())
        {
            return Err(DomainError::invalid("existing", "ОЛ-2 of another appeal"));
        }
        decision.validate(appeal.kind(), books)?;
        if let Decision::TransferCancellation { transfer_seq, .. } = &decision {
            let is_transfer = existing
                .iter()
                .any(|c| c.seq == *transfer_seq && matches!(c.decision, Decision::Transfer { .. }));
            let already = existing.iter().any(|c| {
                matches!(c.decision, Decision::TransferCancellation { transfer_seq: s, .. } if s == *transfer_seq)
            });
            if !is_transfer || already {
                return Err(DomainError::Conflict(format!(
                    "ОЛ-2 #{transfer_seq} is not an open transfer of {}",
                    appeal.reg_number()
                )));
            }
        }
        let seq = existing
            .iter()
            .map(|c| c.seq)
            .max()
            .unwrap_or(0)
            .checked_add(1)
            .ok_or_else(|| DomainError::Conflict("too many ОЛ-2".to_owned()))?;
        Ok(Self {
            subject_id: appeal.subject_id.clone(),
            reg_number: appeal.reg_number().clone(),
            registered_at: appeal.registered_at,
            seq,
            decision,
            decided_by: decided_by.to_owned(),
            decided_at,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// ЛП-1
// ---------------------------------------------------------------------------------------------

/// ЛП-1 requisite 6 «Вид приема» (R24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceptionKind {
    /// «онлайн».
    Online,
    /// «оффлайн».
    Offline,
}

/// [INF] Whether the reception took place — decides the conditional requisites (R25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceptionOutcome {
    /// Booked / in the queue; no outcome yet.
    Pending,
    /// The reception took place: 10, 11, 12, 18, 26–29, 31–33 are required.
    Held,
    /// It did not: 36 (reason) is required and the card is still kept (p.18).
    NotHeld,
}

/// The 36 requisites of ЛП-1 (Appendix 2-1), number and Russian name.
pub const RECEPTION_REQUISITES: [(u8, &str); 36] = [
    (1, "Наименование субъекта"),
    (2, "Регистрационный номер карточки приема"),
    (3, "Номер очереди"),
    (4, "Дата постановки на очередь"),
    (5, "Вне графика"),
    (6, "Вид приема"),
    (7, "Категория лица"),
    (8, "Статус"),
    (9, "Пол"),
    (10, "Индивидуальный идентификационный номер"),
    (11, "Фамилия"),
    (12, "Имя"),
    (13, "Род занятий (место работы)"),
    (14, "Национальность"),
    (15, "Гражданство"),
    (16, "Дата рождения"),
    (17, "Возраст"),
    (18, "Социальный статус"),
    (19, "Адрес регистрации"),
    (20, "Адрес фактического проживания"),
    (21, "Домашний/рабочий телефон"),
    (22, "Мобильный телефон"),
    (23, "Характер вопроса"),
    (24, "Должностное лицо, председательствующее на приеме"),
    (25, "Решение по личному приему"),
    (26, "Дата приема"),
    (27, "Время приема"),
    (28, "Место приема/город — КАТО"),
    (29, "Место приема/адресат"),
    (30, "Комментарий для заявителя"),
    (31, "Должностное лицо, который провел прием (фактически)"),
    (32, "Секретарь заседания (ФИО)"),
    (33, "На приеме присутствовал (ФИО)"),
    (34, "Язык формирования протокола"),
    (35, "Комментарий"),
    (36, "Прием не проведен (комментарий, причина)"),
];

/// Requisites that are mandatory when the reception took place (R25).
pub const REQUIRED_WHEN_HELD: [u8; 11] = [10, 11, 12, 18, 26, 27, 28, 29, 31, 32, 33];

/// What is wrong with a requisite of ЛП-1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "problem", content = "reason")]
pub enum RequisiteProblem {
    /// Mandatory but empty.
    Missing,
    /// Filled with a value of the wrong shape.
    Invalid(String),
    /// Filled although it must be empty in this outcome.
    NotAllowed(String),
}

/// One finding of [`ReceptionCard::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequisiteIssue {
    /// Requisite number 1–36.
    pub requisite: u8,
    /// Its Russian name.
    pub name: String,
    /// The problem.
    pub problem: RequisiteProblem,
}

/// ЛП-1 «Личный прием» (Appendix 2-1, p.4 part 5, p.18): one per application for personal
/// reception (R26), filled also when the reception did not take place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceptionCard {
    /// [INF] The application for personal reception this card belongs to (R26).
    pub application: Option<AppealNumber>,
    /// [INF] Whether the reception took place (R25).
    pub outcome: Option<ReceptionOutcome>,
    /// [INF] Markings of the application («ЖҚ», R10).
    pub markings: BTreeSet<String>,
    /// Requisite 1 «Наименование субъекта» (subjects book).
    pub subject_id: Option<String>,
    /// Requisite 2 «Регистрационный номер карточки приема».
    pub card_number: Option<String>,
    /// Requisite 3 «Номер очереди».
    pub queue_number: Option<String>,
    /// Requisite 4 «Дата постановки на очередь».
    pub queued_on: Option<NaiveDate>,
    /// Requisite 5 «Вне графика»: да / нет.
    pub out_of_schedule: Option<bool>,
    /// Requisite 6 «Вид приема»: онлайн / оффлайн.
    pub reception_kind: Option<ReceptionKind>,
    /// Requisite 7 «Категория лица»: физическое / юридическое.
    pub person_category: Option<PersonCategory>,
    /// Requisite 8 «Статус»: резидент / не резидент.
    pub residency: Option<Residency>,
    /// Requisite 9 «Пол»: мужской / женский.
    pub sex: Option<Sex>,
    /// Requisite 10* «ИИН» — 12 digits; plain string until `ident.rs` provides `Iin`.
    pub iin: Option<String>,
    /// Requisite 11* «Фамилия».
    pub surname: Option<String>,
    /// Requisite 12* «Имя».
    pub first_name: Option<String>,
    /// Requisite 13 «Род занятий (место работы)».
    pub occupation: Option<String>,
    /// Requisite 14 «Национальность» (reference-book code).
    pub nationality: Option<String>,
    /// Requisite 15 «Гражданство» (reference-book code).
    pub citizenship: Option<String>,
    /// Requisite 16 «Дата рождения».
    pub birth_date: Option<NaiveDate>,
    /// Requisite 17 «Возраст» (age band code).
    pub age_band: Option<String>,
    /// Requisite 18* «Социальный статус» (reference-book code).
    pub social_status: Option<String>,
    /// Requisite 19 «Адрес регистрации».
    pub registered_address: Option<String>,
    /// Requisite 20 «Адрес фактического проживания».
    pub actual_address: Option<String>,
    /// Requisite 21 «Домашний/рабочий телефон».
    pub home_work_phone: Option<String>,
    /// Requisite 22 «Мобильный телефон».
    pub mobile_phone: Option<String>,
    /// Requisite 23 «Характер вопроса» (reference-book code).
    pub issue_nature: Option<String>,
    /// Requisite 24 presiding official — a user with role «Руководитель» (R24).
    pub presiding_official: Option<String>,
    /// Requisite 25 «Решение по личному приему» (`reception_decisions` code).
    pub reception_decision: Option<String>,
    /// Requisite 26* «Дата приема».
    pub reception_date: Option<NaiveDate>,
    /// Requisite 27* «Время приема».
    pub reception_time: Option<NaiveTime>,
    /// Requisite 28* «Место приема/город — КАТО» — 9 digits (R24; existence is checked against KATO).
    pub place_kato: Option<String>,
    /// Requisite 29* «Место приема/адресат».
    pub place_addressee: Option<String>,
    /// Requisite 30 «Комментарий для заявителя».
    pub comment_for_applicant: Option<String>,
    /// Requisite 31* official who actually held the reception.
    pub held_by: Option<String>,
    /// Requisite 32* «Секретарь заседания (ФИО)».
    pub secretary: Option<String>,
    /// Requisite 33* «На приеме присутствовал (ФИО)».
    pub present: Option<String>,
    /// Requisite 34 «Язык формирования протокола» (reference-book code).
    pub protocol_language: Option<String>,
    /// Requisite 35 «Комментарий».
    pub comment: Option<String>,
    /// Requisite 36 «Прием не проведен (комментарий, причина)» — required when not held (R25).
    pub not_held_reason: Option<String>,
}

fn filled(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.trim().is_empty())
}

impl ReceptionCard {
    /// The ЛП-1 of an application for personal reception (p.4 part 5): markings from the book
    /// («ЖҚ», R10), outcome pending.
    pub fn for_application(
        application: AppealNumber,
        subject_id: &str,
        markings_book: &Dictionary,
    ) -> Self {
        Self {
            application: Some(application),
            outcome: Some(ReceptionOutcome::Pending),
            markings: automatic_markings(
                markings_book,
                AppealKind::PersonalReceptionApplication,
                1,
            )
            .into_iter()
            .collect(),
            subject_id: Some(subject_id.to_owned()),
            ..Self::default()
        }
    }

    /// R26: exactly one ЛП-1 per application — given how many the application already has.
    pub fn ensure_first_for_application(existing_cards: usize) -> Result<(), DomainError> {
        if existing_cards == 0 {
            Ok(())
        } else {
            Err(DomainError::Conflict(
                "the application for personal reception already has its ЛП-1 card".to_owned(),
            ))
        }
    }

    fn is_filled(&self, n: u8) -> bool {
        match n {
            10 => filled(&self.iin),
            11 => filled(&self.surname),
            12 => filled(&self.first_name),
            18 => filled(&self.social_status),
            26 => self.reception_date.is_some(),
            27 => self.reception_time.is_some(),
            28 => filled(&self.place_kato),
            29 => filled(&self.place_addressee),
            31 => filled(&self.held_by),
            32 => filled(&self.secretary),
            33 => filled(&self.present),
            36 => filled(&self.not_held_reason),
            _ => true,
        }
    }

    /// R24/R25: all problems of the card at once — missing conditional requisites, malformed IIN
    /// (10, 12 digits) and KATO (28, 9 digits), a reason (36) on a reception that took place, and
    /// an unknown outcome. Empty when the card is complete.
    pub fn validate(&self) -> Vec<RequisiteIssue> {
        let issue = |n: u8, problem: RequisiteProblem| RequisiteIssue {
            requisite: n,
            name: RECEPTION_REQUISITES
                .iter()
                .find(|(k, _)| *k == n)
                .map_or_else(String::new, |(_, s)| (*s).to_owned()),
            problem,
        };
        let mut out = Vec::new();
        if !filled(&self.subject_id) {
            out.push(issue(1, RequisiteProblem::Missing));
        }
        match self.outcome {
            Some(ReceptionOutcome::Held) => {
                for n in REQUIRED_WHEN_HELD {
                    if !self.is_filled(n) {
                        out.push(issue(n, RequisiteProblem::Missing));
                    }
                }
                if self.is_filled(36) {
                    out.push(issue(
                        36,
                        RequisiteProblem::NotAllowed("the reception took place".to_owned()),
                    ));
                }
            }
            Some(ReceptionOutcome::NotHeld) => {
                if !self.is_filled(36) {
                    out.push(issue(36, RequisiteProblem::Missing));
                }
            }
            Some(ReceptionOutcome::Pending) | None => {}
        }
        if let Some(iin) = self.iin.as_deref().filter(|s| !s.trim().is_empty())
            && !is_digits(iin, 12)
        {
            out.push(issue(
                10,
                RequisiteProblem::Invalid("IIN must be 12 digits".to_owned()),
            ));
        }
        if let Some(kato) = self.place_kato.as_deref().filter(|s| !s.trim().is_empty())
            && !is_digits(kato, 9)
        {
            out.push(issue(
                28,
                RequisiteProblem::Invalid("KATO code must be 9 digits".to_owned()),
            ));
        }
        out.sort_by_key(|i| i.requisite);
        out
    }

    /// [`validate`](Self::validate) as one typed error listing every problem.
    pub fn check(&self) -> Result<(), DomainError> {
        let issues = self.validate();
        if issues.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = issues
            .iter()
            .map(|i| match &i.problem {
                RequisiteProblem::Missing => format!("{} «{}» is required", i.requisite, i.name),
                RequisiteProblem::Invalid(r) | RequisiteProblem::NotAllowed(r) => {
                    format!("{} «{}»: {r}", i.requisite, i.name)
                }
            })
            .collect();
        Err(DomainError::invalid("lp1", list.join("; ")))
    }

    /// R24: requisite 24 must be a user with role «Руководитель»; `is_head` answers that from the
    /// user directory.
    pub fn check_presiding_official(
        &self,
        is_head: impl Fn(&str) -> bool,
    ) -> Result<(), DomainError> {
        match self.presiding_official.as_deref() {
            Some(user) if !is_head(user) => Err(DomainError::invalid(
                "presiding_official",
                "requisite 24 must be a user with role «Руководитель»",
            )),
            _ => Ok(()),
        }
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
    use crate::dictionary::{DictionaryName, default_dictionary};
    use crate::regnum::{RegNumber, next_part_number};
    use chrono::Duration;

    fn at(d: &str) -> NaiveDateTime {
        NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
    }

    fn doc(code: &str) -> DocumentType {
        DocumentType::lookup(&default_dictionary(DictionaryName::DocumentTypes), code).unwrap()
    }

    fn number() -> AppealNumber {
        AppealNumber::Main(RegNumber::new("ЖТ", 2026, 42).unwrap())
    }

    fn signed() -> Authorship {
        Authorship {
            author_identified: true,
            signed: true,
            postal_address_given: true,
        }
    }

    fn new_appeal(doc_code: &str, applicants: usize) -> NewAppeal {
        NewAppeal {
            subject_id: "akimat_astana".into(),
            registered_at: at("2026-03-05"),
            received_at: at("2026-03-05"),
            fill_mode: FillMode::Integration,
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
            non_accountable_category: None,
            complaint: None,
        }
    }

    /// A stand-in for the deadline calculator: calendar arithmetic only, enough to see that the
    /// card recomputes requisite 13 from requisite 9.
    fn fake_deadline(start: NaiveDate) -> impl Fn(Term) -> NaiveDate {
        move |t| start + Duration::days(i64::from(t.days))
    }

    fn register(doc_code: &str, applicants: usize) -> AppealCard {
        let markings = default_dictionary(DictionaryName::Markings);
        AppealCard::register(
            new_appeal(doc_code, applicants),
            number(),
            &markings,
            fake_deadline(at("2026-03-05").date()),
        )
        .unwrap()
    }

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
    fn anonymous_items_are_not_considered_unless_they_report_a_crime_or_threat() {
        // R15.
        let no_address = Authorship {
            postal_address_given: false,
            ..signed()
        };
        let unsigned = Authorship {
            signed: false,
            ..signed()
        };
        let a = assess_anonymity(&no_address, false);
        assert!(a.anonymous);
        assert_eq!(a.handling, AnonymityHandling::NotConsidered);
        assert_eq!(
            assess_anonymity(&unsigned, true).handling,
            AnonymityHandling::RedirectImmediately
        );
        let ok = assess_anonymity(&signed(), true);
        assert!(!ok.anonymous);
        assert_eq!(ok.handling, AnonymityHandling::Consider);
    }

    #[test]
    fn article_63_lists_every_missing_requisite() {
        // R39.
        let empty = Article63Content::default();
        assert_eq!(
            article_63_defects(AppealMedium::Written, &empty),
            [
                Article63Defect::ApplicantName,
                Article63Defect::PostalAddress,
                Article63Defect::Addressee,
                Article63Defect::Essence,
                Article63Defect::Date,
                Article63Defect::Signature
            ]
        );
        let oral = Article63Content {
            applicant_name: Some("Иванов И.".into()),
            postal_address: Some("Астана".into()),
            addressee: Some("Акимат".into()),
            essence: Some("Дорога".into()),
            submitted_on: NaiveDate::from_ymd_opt(2026, 3, 5),
            signed: false,
            protocol_drawn_up: false,
        };
        assert_eq!(
            article_63_defects(AppealMedium::Oral, &oral),
            [Article63Defect::Protocol]
        );
        let with_protocol = Article63Content {
            protocol_drawn_up: true,
            ..oral
        };
        assert!(article_63_defects(AppealMedium::Oral, &with_protocol).is_empty());
    }

    #[test]
    fn applicant_card_copies_number_and_records_registry_provenance() {
        // R20.
        let appeal = register("application", 1);
        let mut z1 = ApplicantCard::new(&appeal, 1, PersonCategory::Individual, None).unwrap();
        assert_eq!(&z1.appeal_reg_number, appeal.reg_number());
        assert_eq!(z1.appeal_registered_at, appeal.registered_at);
        let record = RegistryRecord {
            category: PersonCategory::Individual,
            person: Some(PersonBlock {
                surname: Some("Иванов".into()),
                ..PersonBlock::default()
            }),
            company: None,
            address: Some(AddressBlock {
                street: Some("ул. Абая".into()),
                ..AddressBlock::default()
            }),
        };
        assert!(
            z1.apply_registry_record(RegistrySource::GbdFl, record.clone(), at("2026-03-05"))
                .is_err()
        );
        z1.iin_bin = Some("921029350851".into());
        assert!(
            z1.apply_registry_record(RegistrySource::GbdUl, record.clone(), at("2026-03-05"))
                .is_err()
        );
        z1.apply_registry_record(RegistrySource::GbdFl, record, at("2026-03-05"))
            .unwrap();
        let fill = &z1.autofill[0];
        assert_eq!(fill.source, RegistrySource::GbdFl);
        assert_eq!(fill.fetched_at, at("2026-03-05"));
        assert_eq!(
            fill.requisites,
            [3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]
        );
        assert!(
            ApplicantCard::new(&appeal, 1, PersonCategory::Individual, Some("12345".into()))
                .is_err()
        );
    }

    #[test]
    fn differing_address_blocks_the_card_until_reconciled() {
        // R21.
        let appeal = register("application", 1);
        let mut z1 = ApplicantCard::new(&appeal, 1, PersonCategory::Individual, None).unwrap();
        assert_eq!(z1.address_check(), AddressCheck::NothingToCompare);
        z1.address = AddressBlock {
            street: Some("ул. Абая".into()),
            house: Some("10".into()),
            ..AddressBlock::default()
        };
        z1.postal_address_in_appeal = Some(AddressBlock {
            street: Some("УЛ АБАЯ".into()),
            house: Some("12".into()),
            ..AddressBlock::default()
        });
        assert_eq!(z1.address_check(), AddressCheck::Differs(vec![16]));
        assert!(z1.ensure_final().is_err());
        let agreed = z1.postal_address_in_appeal.clone().unwrap();
        z1.reconcile_address(agreed);
        assert_eq!(z1.address_check(), AddressCheck::Matches);
        assert!(z1.ensure_final().is_ok());
    }

    fn books() -> (Dictionary, Dictionary, Dictionary) {
        (
            default_dictionary(DictionaryName::TerminationReasons),
            default_dictionary(DictionaryName::ComplaintDecisionBases),
            default_dictionary(DictionaryName::NonAccountableCategories),
        )
    }

    #[test]
    fn each_decision_gets_its_own_ol2_with_copied_requisites() {
        // R22 test: two decisions → two ОЛ-2 with seq 1, 2.
        let (r, b, n) = books();
        let books = DecisionBooks {
            termination_reasons: &r,
            complaint_decision_bases: &b,
            non_accountable_categories: &n,
        };
        let appeal = register("application", 1);
        let first = DecisionCard::record(
            &appeal,
            &[],
            Decision::Appeal {
                decision_type: AppealDecisionType::ProvideAnswer,
                answer_character: Some(AnswerCharacter::Explained),
                termination_reason: None,
            },
            "head",
            at("2026-03-10"),
            &books,
        )
        .unwrap();
        let second = DecisionCard::record(
            &appeal,
            std::slice::from_ref(&first),
            Decision::Appeal {
                decision_type: AppealDecisionType::TakeNote,
                answer_character: None,
                termination_reason: None,
            },
            "head",
            at("2026-03-11"),
            &books,
        )
        .unwrap();
        assert_eq!((first.seq, second.seq), (1, 2));
        assert_eq!(second.reg_number, *appeal.reg_number());
        assert_eq!(second.subject_id, appeal.subject_id);
        assert_eq!(second.registered_at, appeal.registered_at);
    }

    #[test]
    fn answer_character_rules_are_enforced() {
        // R41.
        let (r, b, n) = books();
        let books = DecisionBooks {
            termination_reasons: &r,
            complaint_decision_bases: &b,
            non_accountable_categories: &n,
        };
        let answer = |c| Decision::Appeal {
            decision_type: AppealDecisionType::ProvideAnswer,
            answer_character: c,
            termination_reason: None,
        };
        assert!(answer(None).validate(AppealKind::Request, &books).is_err());
        assert!(
            answer(Some(AnswerCharacter::Satisfied))
                .validate(AppealKind::Request, &books)
                .is_ok()
        );
        let note = Decision::Appeal {
            decision_type: AppealDecisionType::TakeNote,
            answer_character: Some(AnswerCharacter::Refused),
            termination_reason: None,
        };
        assert!(note.validate(AppealKind::Message, &books).is_err());
    }

    #[test]
    fn termination_needs_a_reason_of_the_kind_group() {
        // R40 test: a group-2 reason on a «Запрос» → 422; R45: accepted withdrawal = reason 4 or 6.
        let (r, b, n) = books();
        let books = DecisionBooks {
            termination_reasons: &r,
            complaint_decision_bases: &b,
            non_accountable_categories: &n,
        };
        let terminate = |reason: Option<&str>| Decision::Appeal {
            decision_type: AppealDecisionType::Terminate,
            answer_character: None,
            termination_reason: reason.map(str::to_owned),
        };
        assert!(
            terminate(Some("court_act_in_force"))
                .validate(AppealKind::Request, &books)
                .is_err()
        );
        assert!(
            terminate(Some("message_withdrawal_accepted"))
                .validate(AppealKind::Request, &books)
                .is_ok()
        );
        assert!(
            terminate(Some("appeal_withdrawal_accepted"))
                .validate(AppealKind::Application, &books)
                .is_ok()
        );
        assert!(
            terminate(None)
                .validate(AppealKind::Application, &books)
                .is_err()
        );
    }

    #[test]
    fn complaint_decisions_only_on_complaints_with_known_bases() {
        // R42.
        let (r, b, n) = books();
        let books = DecisionBooks {
            termination_reasons: &r,
            complaint_decision_bases: &b,
            non_accountable_categories: &n,
        };
        let cancel = |bases: Vec<&str>| Decision::Complaint {
            decision_type: ComplaintDecisionType::CancelAct,
            bases: bases.into_iter().map(str::to_owned).collect(),
            termination_reason: None,
        };
        assert!(
            cancel(vec!["law_violated_or_misapplied"])
                .validate(AppealKind::Complaint, &books)
                .is_ok()
        );
        assert!(
            cancel(vec!["no_such_basis"])
                .validate(AppealKind::Complaint, &books)
                .is_err()
        );
        assert!(
            cancel(vec![])
                .validate(AppealKind::Application, &books)
                .is_err()
        );
        let without = Decision::Complaint {
            decision_type: ComplaintDecisionType::LeaveWithoutConsideration,
            bases: vec![],
            termination_reason: Some("complaint_withdrawal_accepted".into()),
        };
        assert!(without.validate(AppealKind::Complaint, &books).is_ok());
        let appeal_decision = Decision::Appeal {
            decision_type: AppealDecisionType::TakeNote,
            answer_character: None,
            termination_reason: None,
        };
        assert!(
            appeal_decision
                .validate(AppealKind::Complaint, &books)
                .is_err()
        );
    }

    #[test]
    fn transfer_and_its_cancellation_are_ol2_cards() {
        // R16/R18 vehicle: transfer via ОЛ-2, cancellation refers to it once.
        let (r, b, n) = books();
        let books = DecisionBooks {
            termination_reasons: &r,
            complaint_decision_bases: &b,
            non_accountable_categories: &n,
        };
        let appeal = register("message", 1);
        let transfer = DecisionCard::record(
            &appeal,
            &[],
            Decision::Transfer {
                category: "material_assistance".into(),
                target_system: "e-social".into(),
            },
            "registrar",
            at("2026-03-06"),
            &books,
        )
        .unwrap();
        let cancel = Decision::TransferCancellation {
            transfer_seq: 1,
            cancellation_decided_at: at("2026-03-09"),
        };
        let c = DecisionCard::record(
            &appeal,
            std::slice::from_ref(&transfer),
            cancel.clone(),
            "registrar",
            at("2026-03-09"),
            &books,
        )
        .unwrap();
        assert_eq!(c.seq, 2);
        assert!(
            DecisionCard::record(
                &appeal,
                &[transfer.clone(), c],
                cancel.clone(),
                "r",
                at("2026-03-09"),
                &books
            )
            .is_err()
        );
        let bogus = Decision::TransferCancellation {
            transfer_seq: 7,
            cancellation_decided_at: at("2026-03-09"),
        };
        assert!(
            DecisionCard::record(&appeal, &[transfer], bogus, "r", at("2026-03-09"), &books)
                .is_err()
        );
        let bad = Decision::Transfer {
            category: "not_a_category".into(),
            target_system: "x".into(),
        };
        assert!(bad.validate(AppealKind::Message, &books).is_err());
    }

    fn held_card() -> ReceptionCard {
        let markings = default_dictionary(DictionaryName::Markings);
        let main = RegNumber::new("ЖТ", 2026, 7).unwrap();
        let mut c = ReceptionCard::for_application(
            AppealNumber::Part(next_part_number(&main, 0).unwrap()),
            "akimat",
            &markings,
        );
        c.outcome = Some(ReceptionOutcome::Held);
        c.iin = Some("921029350851".into());
        c.surname = Some("Иванов".into());
        c.first_name = Some("Иван".into());
        c.social_status = Some("employed".into());
        c.reception_date = NaiveDate::from_ymd_opt(2026, 3, 5);
        c.reception_time = NaiveTime::from_hms_opt(11, 0, 0);
        c.place_kato = Some("711210000".into());
        c.place_addressee = Some("Акимат г. Астаны".into());
        c.held_by = Some("head_user".into());
        c.secretary = Some("Петрова А.".into());
        c.present = Some("Иванов И.".into());
        c
    }

    #[test]
    fn reception_that_took_place_needs_its_eleven_requisites() {
        // R25: 10, 11, 12, 18, 26–29, 31–33 when held.
        assert!(held_card().validate().is_empty());
        let mut empty = ReceptionCard {
            outcome: Some(ReceptionOutcome::Held),
            subject_id: Some("akimat".into()),
            ..ReceptionCard::default()
        };
        let missing: Vec<u8> = empty.validate().iter().map(|i| i.requisite).collect();
        assert_eq!(missing, REQUIRED_WHEN_HELD);
        assert!(
            empty
                .validate()
                .iter()
                .all(|i| i.problem == RequisiteProblem::Missing)
        );
        empty.not_held_reason = Some("заявитель не явился".into());
        assert!(
            empty
                .validate()
                .iter()
                .any(|i| i.requisite == 36 && matches!(i.problem, RequisiteProblem::NotAllowed(_)))
        );
        assert!(empty.check().is_err());
    }

    #[test]
    fn reception_that_did_not_take_place_needs_only_the_reason() {
        // R25: when not held, 36 is mandatory and the card is still valid without 26–33.
        let mut c = ReceptionCard {
            outcome: Some(ReceptionOutcome::NotHeld),
            subject_id: Some("akimat".into()),
            ..ReceptionCard::default()
        };
        let issues = c.validate();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].requisite, 36);
        assert_eq!(issues[0].name, "Прием не проведен (комментарий, причина)");
        c.not_held_reason = Some("заявитель не явился".into());
        assert!(c.check().is_ok());
    }

    #[test]
    fn reception_card_checks_iin_kato_and_presiding_head() {
        // R24.
        let mut c = held_card();
        c.iin = Some("92102935085".into());
        c.place_kato = Some("7112100".into());
        let bad: Vec<u8> = c.validate().iter().map(|i| i.requisite).collect();
        assert_eq!(bad, [10, 28]);
        c.presiding_official = Some("executor_1".into());
        assert!(
            c.check_presiding_official(|u| u.starts_with("head"))
                .is_err()
        );
        c.presiding_official = Some("head_1".into());
        assert!(
            c.check_presiding_official(|u| u.starts_with("head"))
                .is_ok()
        );
        assert_eq!(RECEPTION_REQUISITES.len(), 36);
        assert!(
            RECEPTION_REQUISITES
                .iter()
                .enumerate()
                .all(|(i, (n, _))| usize::from(*n) == i + 1)
        );
    }

    #[test]
    fn one_reception_card_per_application() {
        // R26 (domain part; the unique constraint is the DB's).
        assert!(ReceptionCard::ensure_first_for_application(0).is_ok());
        assert!(matches!(
            ReceptionCard::ensure_first_for_application(1),
            Err(DomainError::Conflict(_))
        ));
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

    #[test]
    fn address_reconciliation_policy_codes_round_trip() {
        // R21 [INF]: the default blocks the final act; codes are the stored setting.
        assert_eq!(
            AddressReconciliationPolicy::default(),
            AddressReconciliationPolicy::BlocksFinalAct
        );
        for p in AddressReconciliationPolicy::ALL {
            assert_eq!(AddressReconciliationPolicy::parse(p.code()).unwrap(), p);
        }
        assert!(AddressReconciliationPolicy::parse("sometimes").is_err());
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
