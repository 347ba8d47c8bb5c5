//! Hierarchical routing and signing authority (issue 21): the prosecutors' Instruction on work with
//! appeals as amended by Order No. 165 of 2015 (`seeds/001_32cf4f868271c6d0.txt`, DOMAIN.md §1.13)
//! built as policy that any hierarchical body can configure. The Instruction lost force in 2018:
//! it is the shipped default *profile* ([`HierarchyPolicy::default`]), kept in the conventions the
//! authorized body edits (versioned and audited like the calendar), never constants in code.
//!
//! - hierarchy levels of subjects (head office, its structural units, regional and equivalent
//!   offices, district offices, agencies and institutions);
//! - p.23: what may be sent down to a lower body, and when a repeat appeal stays at the higher one;
//! - p.15: the reading of «и (или)» in the definition of an anonymous appeal (a setting);
//! - p.18 part 2: the call-centre sources registered without the next-day cut-off;
//! - p.54 (3)–(8): who may sign an answer — a rules table, first matching row wins;
//! - p.56: the quarterly analysis due day.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::cards::{Authorship, Decision};
use crate::dictionary::{AnswerCharacter, AppealDecisionType, ComplaintDecisionType};
use crate::error::Refusal;

// ---------------------------------------------------------------------------------------------
// Levels
// ---------------------------------------------------------------------------------------------

/// The level of a subject in a hierarchy of bodies (p.19, p.23, p.54 of the Instruction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HierarchyLevel {
    /// The head office (Генеральная прокуратура).
    HeadOffice,
    /// A structural unit of the head office (самостоятельное структурное подразделение).
    StructuralUnit,
    /// A regional or equivalent office (прокуратура области и приравненная к ней).
    RegionalOffice,
    /// A district or equivalent office (прокуратура района и приравненная к ней).
    DistrictOffice,
    /// An agency or institution of the head office (ведомство, учреждение).
    AgencyInstitution,
}

impl HierarchyLevel {
    pub const ALL: [HierarchyLevel; 5] = [
        HierarchyLevel::HeadOffice,
        HierarchyLevel::StructuralUnit,
        HierarchyLevel::RegionalOffice,
        HierarchyLevel::DistrictOffice,
        HierarchyLevel::AgencyInstitution,
    ];

    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            HierarchyLevel::HeadOffice => "head_office",
            HierarchyLevel::StructuralUnit => "structural_unit",
            HierarchyLevel::RegionalOffice => "regional_office",
            HierarchyLevel::DistrictOffice => "district_office",
            HierarchyLevel::AgencyInstitution => "agency_institution",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    /// Levels that consider appeals sent down from above (a "lower body", p.23).
    pub const fn is_lower_office(self) -> bool {
        matches!(
            self,
            HierarchyLevel::RegionalOffice | HierarchyLevel::DistrictOffice
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Anonymity reading (p.2(1), p.15; R15)
// ---------------------------------------------------------------------------------------------

/// How p.2(1) «невозможно установить авторство, отсутствуют подпись … и (или) почтовый адрес» is
/// read. Both readings are defensible; which one applies is the authorized body's setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnonymityReading {
    /// «и (или)» as a disjunction: any one of authorship, signature, postal address missing makes
    /// the appeal anonymous (the default: the literal reading of Law No. 221 and eOtinish's reason
    /// text).
    #[default]
    AnyElementMissing,
    /// Anonymous only when the author cannot be established; a missing signature or address is a
    /// defect of APPK art. 63 (R39), not anonymity.
    AuthorshipOnly,
}

impl AnonymityReading {
    /// Whether `a` is anonymous under this reading.
    pub fn is_anonymous(self, a: &Authorship) -> bool {
        match self {
            AnonymityReading::AnyElementMissing => {
                !a.author_identified || !a.signed || !a.postal_address_given
            }
            AnonymityReading::AuthorshipOnly => !a.author_identified,
        }
    }

    /// Why `a` is anonymous under this reading, in words for the answer (`None`: it is not).
    pub fn explanation(self, a: &Authorship) -> Option<String> {
        if !self.is_anonymous(a) {
            return None;
        }
        let mut missing = Vec::new();
        if !a.author_identified {
            missing.push("the author cannot be established (no applicant with a name or IIN/BIN)");
        }
        if self == AnonymityReading::AnyElementMissing {
            if !a.signed {
                missing.push("the appeal is not signed (signed: false)");
            }
            if !a.postal_address_given {
                missing.push("no postal address is given (postal_address or an applicant address)");
            }
        }
        Some(format!(
            "Anonymous under p.2(1) (reading `{}`): {}.",
            self.code(),
            missing.join("; ")
        ))
    }

    pub const fn code(self) -> &'static str {
        match self {
            AnonymityReading::AnyElementMissing => "any_element_missing",
            AnonymityReading::AuthorshipOnly => "authorship_only",
        }
    }
}

/// R15, p.15 of the Instruction: an anonymous appeal is not considered on the merits — no answer
/// that satisfies, refuses or explains (taking note or terminating stays open); an anonymous
/// report of a crime or threat must first be forwarded (`awaiting_redirect`).
pub fn check_anonymous_decision(
    handling: crate::cards::AnonymityHandling,
    awaiting_redirect: bool,
    decision: &Decision,
) -> Result<(), DomainError> {
    use crate::cards::AnonymityHandling;
    let on_merits = match decision {
        Decision::Appeal { decision_type, .. } => matches!(
            decision_type,
            AppealDecisionType::ProvideAnswer
                | AppealDecisionType::FavourableAct
                | AppealDecisionType::BurdensomeAct
        ),
        Decision::Complaint { decision_type, .. } => !matches!(
            decision_type,
            ComplaintDecisionType::LeaveWithoutConsideration
                | ComplaintDecisionType::ReturnCaseForProcedure
        ),
        _ => false,
    };
    if !on_merits {
        return Ok(());
    }
    let detail = match handling {
        AnonymityHandling::NotConsidered => {
            "R15 (APPK; p.15 of the Instruction): an anonymous appeal is not considered on the \
             merits — terminate it with the reason `anonymous`"
        }
        AnonymityHandling::RedirectImmediately if awaiting_redirect => {
            "R15 (p.15 of the Instruction): an anonymous report of a crime or a threat to state or \
             public security is forwarded to the competent body immediately, not answered here"
        }
        _ => return Ok(()),
    };
    Err(DomainError::Refused {
        refusal: Refusal::AnonymousNotConsidered,
        detail: detail.to_owned(),
    })
}

// ---------------------------------------------------------------------------------------------
// Routing facts of a card (p.23, p.54)
// ---------------------------------------------------------------------------------------------

/// What an appeal complains about, as p.54 distinguishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintAbout {
    /// Decisions or actions (inaction) of subordinate staff.
    Subordinate,
    /// Decisions or actions (inaction) of a deputy head, or an earlier answer signed by a deputy.
    Deputy,
    /// An earlier answer of a lower office (a district prosecutor's).
    LowerOfficeAnswer,
}

/// The facts of a card that routing and signing need, stated by the people who work it (none is
/// derivable from the text). Kept on the card; every change is an event of its history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingFacts {
    /// p.23 part 5: a violation of constitutional rights and freedoms with wide public resonance.
    pub public_resonance: bool,
    /// p.23 part 5: the head (or a deputy) instructed that it be considered at this level.
    pub head_instruction: bool,
    /// p.23(2): the applicant attached the lower office's answer.
    pub lower_answer_attached: bool,
    /// p.54(5)–(7): what the appeal complains about.
    pub complaint_about: Option<ComplaintAbout>,
    /// p.54(5): it came from the Presidential Administration, Parliament, Government, the head
    /// office or another central body that requires information on the result — or was sent down
    /// with a report-back requirement (p.23(2)).
    pub report_back_required: bool,
    /// p.23(2): the applicant names an earlier appeal on the same question (registration number).
    pub earlier_registration_number: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Routing policy (p.23)
// ---------------------------------------------------------------------------------------------

/// The answer of a lower body the system already holds (p.23(2) part 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LowerAnswer {
    pub appeal_id: i64,
    pub registration_number: String,
    pub subject_id: i64,
    pub answered_on: chrono::NaiveDate,
}

/// What p.23 says about sending a card down to a lower body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum RoutingVerdict {
    /// It may (and, if it belongs there, must) be sent down within the forwarding term.
    SendDown {
        /// The rule applied.
        rule: String,
        /// p.23(2): a repeat goes down with a requirement to report the result signed by the
        /// first head.
        report_back_required: bool,
        /// The written notification of the applicant (p.23(1)).
        notification: String,
    },
    /// It stays and is considered at this level.
    Keep { rule: String, reason: String },
}

/// The routing settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingPolicy {
    /// Whether sending down is checked at all (off: any forwarding to a lower body is allowed).
    pub enforce: bool,
    /// The notification of the applicant when a primary appeal is sent down; `{number}` and
    /// `{receiver}` are replaced.
    pub primary_notification: String,
    /// The notification when a repeat appeal is sent down with a report-back requirement.
    pub repeat_notification: String,
}

impl Default for RoutingPolicy {
    fn default() -> Self {
        Self {
            enforce: true,
            primary_notification: "Ваше обращение № {number} направлено для рассмотрения по \
                                   территориальности в {receiver} (п. 23 Инструкции)."
                .to_owned(),
            repeat_notification: "Ваше повторное обращение № {number} направлено в {receiver} \
                                  для рассмотрения и дачи ответа с требованием проинформировать \
                                  о результатах за подписью первого руководителя (п. 23 \
                                  Инструкции)."
                .to_owned(),
        }
    }
}

impl RoutingPolicy {
    /// p.23: may a card with `facts`, a repeat or not, be sent down to `receiver` when the system
    /// holds `lower_answer`? A refusal is a conflict naming the rule.
    pub fn send_down(
        &self,
        facts: &RoutingFacts,
        repeat: bool,
        lower_answer: Option<&LowerAnswer>,
        number: &str,
        receiver: &str,
    ) -> Result<RoutingVerdict, DomainError> {
        let verdict = self.verdict(facts, repeat, lower_answer, number, receiver);
        match verdict {
            RoutingVerdict::Keep { rule, reason } if self.enforce => Err(DomainError::Refused {
                refusal: Refusal::Routing,
                detail: format!("{rule}: {reason}"),
            }),
            RoutingVerdict::Keep { .. } => Ok(RoutingVerdict::SendDown {
                rule: "routing not enforced".to_owned(),
                report_back_required: repeat,
                notification: self.fill(&self.primary_notification, number, receiver),
            }),
            send => Ok(send),
        }
    }

    /// p.23 as it stands for the card, without refusing.
    pub fn verdict(
        &self,
        facts: &RoutingFacts,
        repeat: bool,
        lower_answer: Option<&LowerAnswer>,
        number: &str,
        receiver: &str,
    ) -> RoutingVerdict {
        if !repeat && (facts.public_resonance || facts.head_instruction) {
            return RoutingVerdict::Keep {
                rule: "p.23 part 5 of the Instruction".to_owned(),
                reason:
                    "a primary appeal on a violation of constitutional rights with wide public \
                         resonance, or under an instruction of the head, is considered by the \
                         structural units of this level and may not be sent further down"
                        .to_owned(),
            };
        }
        if repeat && facts.lower_answer_attached {
            return RoutingVerdict::Keep {
                rule: "p.23(2) of the Instruction".to_owned(),
                reason: "the applicant attached the lower office's answer: the repeat appeal is \
                         considered at this level"
                    .to_owned(),
            };
        }
        if repeat && let Some(answer) = lower_answer {
            return RoutingVerdict::Keep {
                rule: "p.23(2) part 3 of the Instruction".to_owned(),
                reason: format!(
                    "the system holds the lower office's answer to this applicant on this \
                     question (appeal {}, answered on {}): the repeat appeal is considered at \
                     this level",
                    answer.registration_number, answer.answered_on
                ),
            };
        }
        if repeat {
            RoutingVerdict::SendDown {
                rule: "p.23(2) of the Instruction".to_owned(),
                report_back_required: true,
                notification: self.fill(&self.repeat_notification, number, receiver),
            }
        } else {
            RoutingVerdict::SendDown {
                rule: "p.23(1) of the Instruction".to_owned(),
                report_back_required: false,
                notification: self.fill(&self.primary_notification, number, receiver),
            }
        }
    }

    fn fill(&self, template: &str, number: &str, receiver: &str) -> String {
        template
            .replace("{number}", number)
            .replace("{receiver}", receiver)
    }
}

// ---------------------------------------------------------------------------------------------
// Signing authority (p.54 (3)–(8), p.53-1)
// ---------------------------------------------------------------------------------------------

/// The result of an answer, as p.54 distinguishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerResult {
    /// «об удовлетворении обращения».
    Satisfied,
    /// «принято решение об отказе в их удовлетворении».
    Refused,
    /// «разъяснительного характера».
    Explained,
    /// Anything else (taken note of, terminated, returned).
    Other,
}

impl AnswerResult {
    pub const ALL: [AnswerResult; 4] = [
        AnswerResult::Satisfied,
        AnswerResult::Refused,
        AnswerResult::Explained,
        AnswerResult::Other,
    ];

    /// The result of an ОЛ-2 decision (`None` for a transfer and the like: not an answer).
    pub fn of(decision: &Decision) -> Option<Self> {
        match decision {
            Decision::Appeal {
                decision_type,
                answer_character,
                ..
            } => Some(Self::of_codes(
                decision_type.code(),
                answer_character.map(AnswerCharacter::code),
            )),
            Decision::Complaint { decision_type, .. } => {
                Some(Self::of_codes(decision_type.code(), None))
            }
            Decision::Transfer { .. }
            | Decision::TransferCancellation { .. }
            | Decision::DuplicateQualification { .. } => None,
        }
    }

    /// The result of an appeal or complaint decision type and answer character as stored (the
    /// codes the 1-ОЛ counts keep).
    pub fn of_codes(decision_type: &str, answer_character: Option<&str>) -> Self {
        use AppealDecisionType as A;
        use ComplaintDecisionType as C;
        let satisfied = [
            A::FavourableAct.code(),
            C::CancelAct.code(),
            C::CancelActAndAdoptNew.code(),
            C::PerformAction.code(),
            C::FullySatisfiedByActOrAction.code(),
        ];
        let refused = [A::BurdensomeAct.code(), C::LeaveUnsatisfied.code()];
        if satisfied.contains(&decision_type) {
            return AnswerResult::Satisfied;
        }
        if refused.contains(&decision_type) {
            return AnswerResult::Refused;
        }
        match answer_character {
            Some(c) if c == AnswerCharacter::Satisfied.code() => AnswerResult::Satisfied,
            Some(c) if c == AnswerCharacter::Refused.code() => AnswerResult::Refused,
            Some(c) if c == AnswerCharacter::Explained.code() => AnswerResult::Explained,
            _ => AnswerResult::Other,
        }
    }

    pub const fn code(self) -> &'static str {
        match self {
            AnswerResult::Satisfied => "satisfied",
            AnswerResult::Refused => "refused",
            AnswerResult::Explained => "explained",
            AnswerResult::Other => "other",
        }
    }
}

/// Who may sign, relative to the subject that answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerPosition {
    /// The first head of the answering subject, or the person acting for them
    /// («либо лицо, его замещающее»).
    Head,
    /// A deputy head of the answering subject.
    DeputyHead,
    /// The official who resolves the appeal directly (p.54(8)).
    Executor,
    /// The head or a deputy of a subject above the answering one (p.54(1)–(2) for the head
    /// office's structural units).
    SuperiorHead,
}

impl SignerPosition {
    pub const fn code(self) -> &'static str {
        match self {
            SignerPosition::Head => "head",
            SignerPosition::DeputyHead => "deputy_head",
            SignerPosition::Executor => "executor",
            SignerPosition::SuperiorHead => "superior_head",
        }
    }
}

/// One row of the signing-authority table: at `level`, an answer matching every stated condition
/// may be signed by `signers`. Rows are tried in order; the first that matches decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningRule {
    /// The rule's name in the source (shown in refusals and in `GET …/signers`).
    pub rule: String,
    pub level: HierarchyLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<AnswerResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint_about: Option<ComplaintAbout>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_back_required: Option<bool>,
    pub signers: Vec<SignerPosition>,
}

/// What the table is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningCase {
    pub level: HierarchyLevel,
    pub result: AnswerResult,
    pub complaint_about: Option<ComplaintAbout>,
    pub report_back_required: bool,
}

impl SigningRule {
    fn matches(&self, case: &SigningCase) -> bool {
        self.level == case.level
            && self.result.is_none_or(|r| r == case.result)
            && self
                .complaint_about
                .is_none_or(|c| Some(c) == case.complaint_about)
            && self
                .report_back_required
                .is_none_or(|r| r == case.report_back_required)
    }
}

/// The rule that decides `case` in `table` (`None`: no row for the level — unrestricted).
pub fn signing_rule<'a>(table: &'a [SigningRule], case: &SigningCase) -> Option<&'a SigningRule> {
    table.iter().find(|r| r.matches(case))
}

/// Refuses a signer whose positions the deciding rule does not list: a conflict naming the rule
/// and the positions that may sign.
pub fn check_signer(
    table: &[SigningRule],
    case: &SigningCase,
    signer: &[SignerPosition],
) -> Result<Option<String>, DomainError> {
    let Some(rule) = signing_rule(table, case) else {
        return Ok(None);
    };
    if signer.iter().any(|p| rule.signers.contains(p)) {
        return Ok(Some(rule.rule.clone()));
    }
    let may: Vec<&str> = rule.signers.iter().map(|p| p.code()).collect();
    Err(DomainError::Refused {
        refusal: Refusal::SigningAuthority,
        detail: format!(
            "{}: a {} answer at a {} is signed by {} — not by the stated signer ({})",
            rule.rule,
            case.result.code(),
            case.level.code().replace('_', " "),
            may.join(" or "),
            if signer.is_empty() {
                "no signing position".to_owned()
            } else {
                signer
                    .iter()
                    .map(|p| p.code())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
    })
}

/// The prosecution service's table (p.54 as amended in 2015). Rows per level in priority order:
/// what p.54 reserves to the head first, then p.54(8) (a satisfied answer by the executor), then
/// the residual «иные обращения».
pub fn prosecution_signing_table() -> Vec<SigningRule> {
    use AnswerResult::{Refused, Satisfied};
    use ComplaintAbout::{Deputy, LowerOfficeAnswer};
    use HierarchyLevel::*;
    use SignerPosition::{DeputyHead, Executor, Head, SuperiorHead};
    let row = |rule: &str,
               level: HierarchyLevel,
               result: Option<AnswerResult>,
               about: Option<ComplaintAbout>,
               report_back: Option<bool>,
               signers: &[SignerPosition]| SigningRule {
        rule: rule.to_owned(),
        level,
        result,
        complaint_about: about,
        report_back_required: report_back,
        signers: signers.to_vec(),
    };
    let mut table = vec![
        // p.54(1)–(2) are not in the seed: the head office's own answers by its head or deputies.
        row(
            "p.54(1)–(2) [INF: not in the seed]",
            HeadOffice,
            None,
            None,
            None,
            &[Head, DeputyHead],
        ),
        row(
            "p.54(3): refusals are excepted from the units' heads (p.54(1)–(2))",
            StructuralUnit,
            Some(Refused),
            None,
            None,
            &[SuperiorHead],
        ),
        row(
            "p.54(8)",
            StructuralUnit,
            Some(Satisfied),
            None,
            None,
            &[Executor, DeputyHead, Head],
        ),
        row("p.54(3)", StructuralUnit, None, None, None, &[Head]),
    ];
    for level in [RegionalOffice, AgencyInstitution] {
        table.extend([
            row(
                "p.54(5): complaints about a deputy's decisions",
                level,
                None,
                Some(Deputy),
                None,
                &[Head],
            ),
            row(
                "p.54(5): information on the result required by a central body",
                level,
                None,
                None,
                Some(true),
                &[Head],
            ),
            row(
                "p.54(5): appeals on an earlier answer of a district office",
                level,
                None,
                Some(LowerOfficeAnswer),
                None,
                &[Head],
            ),
            row(
                "p.54(5): refusals",
                level,
                Some(Refused),
                None,
                None,
                &[Head],
            ),
            row(
                "p.54(8)",
                level,
                Some(Satisfied),
                None,
                None,
                &[Executor, DeputyHead, Head],
            ),
            row("p.54(6)", level, None, None, None, &[DeputyHead, Head]),
        ]);
    }
    table.extend([
        row(
            "p.54(8)",
            DistrictOffice,
            Some(Satisfied),
            None,
            None,
            &[Executor, Head],
        ),
        row("p.54(7)", DistrictOffice, None, None, None, &[Head]),
    ]);
    table
}

// ---------------------------------------------------------------------------------------------
// The policy document
// ---------------------------------------------------------------------------------------------

/// The hierarchy policy in force: part of the conventions the authorized body keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HierarchyPolicy {
    /// p.2(1) «и (или)» (R15).
    pub anonymity_reading: AnonymityReading,
    /// p.23.
    pub routing: RoutingPolicy,
    /// p.18 part 2: `receipt_sources` codes of the call centre — registered on the day of receipt
    /// whatever the hour (no next-day cut-off) and handed to the subject's appeals unit.
    pub call_centre_sources: Vec<String>,
    /// p.54 (3)–(8): the signing-authority table; first matching row wins; a level with no row is
    /// unrestricted.
    pub signing_authority: Vec<SigningRule>,
    /// p.56: the quarterly analysis is due by this day of the month after the quarter (moved to
    /// the next working day).
    pub quarterly_analysis_due_day: u32,
}

impl Default for HierarchyPolicy {
    fn default() -> Self {
        Self {
            anonymity_reading: AnonymityReading::default(),
            routing: RoutingPolicy::default(),
            call_centre_sources: vec!["call_centre".to_owned()],
            signing_authority: prosecution_signing_table(),
            quarterly_analysis_due_day: 5,
        }
    }
}

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quarter {
    pub year: i32,
    pub quarter: u32,
}

impl Quarter {
    pub fn new(year: i32, quarter: u32) -> Result<Self, DomainError> {
        if !(1..=4).contains(&quarter) {
            return Err(DomainError::invalid("/quarter", "must be 1–4"));
        }
        if !(2000..=2100).contains(&year) {
            return Err(DomainError::invalid("/year", "must be 2000–2100"));
        }
        Ok(Self { year, quarter })
    }

    /// First and last month as `yyyymm`.
    pub fn months(self) -> (i32, i32) {
        let first = (self.quarter as i32 - 1) * 3 + 1;
        (self.year * 100 + first, self.year * 100 + first + 2)
    }

    /// p.56: the due date — `day` of the month after the quarter, moved to the next working day.
    pub fn analysis_due(
        self,
        calendar: &crate::calendar::Calendar,
        day: u32,
    ) -> Result<chrono::NaiveDate, DomainError> {
        let (year, month) = if self.quarter == 4 {
            (self.year + 1, 1)
        } else {
            (self.year, self.quarter * 3 + 1)
        };
        let due = chrono::NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
            DomainError::invalid("/quarterly_analysis_due_day", "not a day of the month")
        })?;
        calendar.next_working_day_on_or_after(due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(level: HierarchyLevel, result: AnswerResult) -> SigningCase {
        SigningCase {
            level,
            result,
            complaint_about: None,
            report_back_required: false,
        }
    }

    #[test]
    fn a_refusal_at_a_regional_office_is_the_heads_and_a_deputy_is_refused_with_the_rule() {
        let table = prosecution_signing_table();
        let refused = case(HierarchyLevel::RegionalOffice, AnswerResult::Refused);
        let err = check_signer(&table, &refused, &[SignerPosition::DeputyHead]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("p.54(5): refusals"), "{text}");
        assert!(text.contains("head"), "{text}");
        assert_eq!(
            check_signer(&table, &refused, &[SignerPosition::Head]).unwrap(),
            Some("p.54(5): refusals".to_owned())
        );
        // An explanatory answer may be signed by the deputy (p.54(6)), a satisfied one by the
        // executor (p.54(8)).
        let explained = case(HierarchyLevel::RegionalOffice, AnswerResult::Explained);
        assert!(check_signer(&table, &explained, &[SignerPosition::DeputyHead]).is_ok());
        assert!(check_signer(&table, &explained, &[SignerPosition::Executor]).is_err());
        let satisfied = case(HierarchyLevel::DistrictOffice, AnswerResult::Satisfied);
        assert!(check_signer(&table, &satisfied, &[SignerPosition::Executor]).is_ok());
        // A complaint about a deputy, even explained, is the head's.
        let mut about_deputy = explained;
        about_deputy.complaint_about = Some(ComplaintAbout::Deputy);
        assert!(check_signer(&table, &about_deputy, &[SignerPosition::DeputyHead]).is_err());
        // Report back required (p.54(5)): even a satisfied answer is the head's.
        let mut report = satisfied;
        report.level = HierarchyLevel::RegionalOffice;
        report.report_back_required = true;
        assert!(check_signer(&table, &report, &[SignerPosition::Executor]).is_err());
        // A structural unit's refusal goes above the unit.
        let unit = case(HierarchyLevel::StructuralUnit, AnswerResult::Refused);
        assert!(check_signer(&table, &unit, &[SignerPosition::Head]).is_err());
        assert!(check_signer(&table, &unit, &[SignerPosition::SuperiorHead]).is_ok());
    }

    #[test]
    fn the_table_round_trips_as_data() {
        let policy = HierarchyPolicy::default();
        let json = serde_json::to_value(&policy).unwrap();
        assert_eq!(json["anonymity_reading"], "any_element_missing");
        let back: HierarchyPolicy = serde_json::from_value(json).unwrap();
        assert_eq!(back, policy);
    }

    #[test]
    fn routing_keeps_resonant_and_answered_repeats_and_sends_the_rest_down() {
        let p = RoutingPolicy::default();
        let resonant = RoutingFacts {
            public_resonance: true,
            ..RoutingFacts::default()
        };
        let e = p.send_down(&resonant, false, None, "N", "R").unwrap_err();
        assert!(e.to_string().contains("p.23 part 5"));
        let answer = LowerAnswer {
            appeal_id: 1,
            registration_number: "ЖТ-1".into(),
            subject_id: 2,
            answered_on: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        };
        let e = p
            .send_down(&RoutingFacts::default(), true, Some(&answer), "N", "R")
            .unwrap_err();
        assert!(e.to_string().contains("p.23(2) part 3"));
        match p.send_down(&RoutingFacts::default(), true, None, "N-1", "R") {
            Ok(RoutingVerdict::SendDown {
                report_back_required: true,
                notification,
                ..
            }) => assert!(notification.contains("N-1")),
            other => panic!("{other:?}"),
        }
        match p.send_down(&RoutingFacts::default(), false, Some(&answer), "N", "R") {
            Ok(RoutingVerdict::SendDown {
                report_back_required: false,
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn anonymity_readings_differ_on_a_missing_address() {
        let no_address = Authorship {
            author_identified: true,
            signed: true,
            postal_address_given: false,
        };
        assert!(AnonymityReading::AnyElementMissing.is_anonymous(&no_address));
        assert!(!AnonymityReading::AuthorshipOnly.is_anonymous(&no_address));
        let why = AnonymityReading::AnyElementMissing
            .explanation(&no_address)
            .unwrap();
        assert!(why.contains("postal address"), "{why}");
    }

    #[test]
    fn the_quarterly_analysis_is_due_on_the_fifth_moved_to_a_working_day() {
        let cal = crate::calendar::Calendar::kazakhstan_default();
        // Q1 2026 → 5 April 2026 is a Sunday → Monday 6 April.
        let q = Quarter::new(2026, 1).unwrap();
        assert_eq!(
            q.analysis_due(&cal, 5).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 4, 6).unwrap()
        );
        assert_eq!(q.months(), (202601, 202603));
        let q4 = Quarter::new(2025, 4).unwrap();
        assert_eq!(q4.months(), (202510, 202512));
        assert!(Quarter::new(2026, 5).is_err());
    }
}
