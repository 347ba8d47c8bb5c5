//! Reference books (справочники) of the IAS «Электронные обращения» as data (DOMAIN.md §5.2).
//!
//! Every reference book is a [`Dictionary`]: a name plus a list of [`DictionaryEntry`] with a stable
//! ASCII snake_case `code`, Russian and Kazakh labels, the evidence tag of the value and the few
//! typed attributes some books need (the kind of a document type and its review term, the kind group
//! of a termination reason, the automatic rule of a marking). The API serves them at
//! `GET /dictionaries/{name}` and a DB migration seeds them from [`default_dictionaries`]; the
//! built-in values below are only the defaults.
//!
//! A few values drive logic and are therefore closed enums whose dictionaries are generated from
//! the enum: [`AppealKind`], [`AppealDecisionType`], [`ComplaintDecisionType`],
//! [`AnswerCharacter`]. Everything else (termination reasons, markings, document types, p.15
//! categories, forms, sources, languages, …) is open data referenced by code.
//!
//! Kazakh labels: where the seed gives the Kazakh term (ҰЖ, ЖҚ) it is used; the other Kazakh labels
//! are working translations [INF] — the official Kazakh texts of the Rules and of eOtinish are NOT
//! FOUND and are to be corrected in the seeded data, not in code.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::deadline::Term;

/// How sure a default value is (DOMAIN.md §0). Carried by every entry and every configurable
/// default so that an [OBS]/[INF] choice is visible to the people who configure it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// Verbatim from the seed texts (GP Order No. 170 of 29.12.2025, Order No. 165 of 2015).
    Seed,
    /// Read in a stored public source.
    Src,
    /// Observed behaviour of eOtinish.
    Obs,
    /// Inference; must be confirmed before being treated as law.
    Inf,
}

/// The kinds of items the Rules register (p.2, p.4; APPK Art. 4) — ОЛ-1 requisite 8 belongs to one
/// of them through its document type. The application for personal reception (p.4 part 5) is a kind
/// of its own: it is registered through ЛП-1, not ОЛ-1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealKind {
    /// Заявление (APPK Art. 4 p.1(1)).
    Application,
    /// Жалоба (APPK Art. 91 ff.).
    Complaint,
    /// Запрос.
    Request,
    /// Сообщение.
    Message,
    /// Отклик.
    Response,
    /// Предложение.
    Proposal,
    /// Заявление на личный прием (Rules p.4 part 5, marking «ЖҚ»).
    PersonalReceptionApplication,
}

impl AppealKind {
    /// All kinds in the order the Rules list them.
    pub const ALL: [AppealKind; 7] = [
        AppealKind::Application,
        AppealKind::Complaint,
        AppealKind::Request,
        AppealKind::Message,
        AppealKind::Response,
        AppealKind::Proposal,
        AppealKind::PersonalReceptionApplication,
    ];

    /// Stable code (the serde name).
    pub const fn code(self) -> &'static str {
        match self {
            AppealKind::Application => "application",
            AppealKind::Complaint => "complaint",
            AppealKind::Request => "request",
            AppealKind::Message => "message",
            AppealKind::Response => "response",
            AppealKind::Proposal => "proposal",
            AppealKind::PersonalReceptionApplication => "personal_reception_application",
        }
    }

    /// Russian label (legal term).
    pub const fn label_ru(self) -> &'static str {
        match self {
            AppealKind::Application => "Заявление",
            AppealKind::Complaint => "Жалоба",
            AppealKind::Request => "Запрос",
            AppealKind::Message => "Сообщение",
            AppealKind::Response => "Отклик",
            AppealKind::Proposal => "Предложение",
            AppealKind::PersonalReceptionApplication => "Заявление на личный прием",
        }
    }

    /// Kazakh label (APPK Kazakh terms; working translation [INF]).
    pub const fn label_kk(self) -> &'static str {
        match self {
            AppealKind::Application => "Өтініш",
            AppealKind::Complaint => "Шағым",
            AppealKind::Request => "Сұрау салу",
            AppealKind::Message => "Хабарлама",
            AppealKind::Response => "Ден қою",
            AppealKind::Proposal => "Ұсыныс",
            AppealKind::PersonalReceptionApplication => "Жеке қабылдауға өтініш",
        }
    }

    /// The group that decides which termination reasons apply (R40, DOMAIN.md §2.7).
    pub const fn group(self) -> KindGroup {
        match self {
            AppealKind::Request
            | AppealKind::Message
            | AppealKind::Response
            | AppealKind::Proposal => KindGroup::Group1,
            AppealKind::Application => KindGroup::Group2,
            AppealKind::Complaint => KindGroup::Complaint,
            AppealKind::PersonalReceptionApplication => KindGroup::PersonalReception,
        }
    }
}

impl fmt::Display for AppealKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for AppealKind {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AppealKind::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| DomainError::invalid("kind", format!("unknown appeal kind `{s}`")))
    }
}

/// Kind groups of eOtinish that select the termination reasons (R40 [OBS]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KindGroup {
    /// Сообщение, предложение, отклик, запрос — reasons 1–4.
    Group1,
    /// Заявление — reasons 5–9.
    Group2,
    /// Жалоба — its own list.
    Complaint,
    /// Application for personal reception — no termination reasons are known (ЛП-1 req. 36 instead).
    PersonalReception,
}

/// Decision types for appeals (ОЛ-2, DOMAIN.md §2.7 [OBS]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealDecisionType {
    /// «Принять к сведению» — no answer character (R41).
    TakeNote,
    /// «Прекратить рассмотрение» — requires a termination reason of the kind group (R40).
    Terminate,
    /// «Предоставить ответ» — requires an answer character (R41).
    ProvideAnswer,
    /// «Принять благоприятный административный акт».
    FavourableAct,
    /// «Принять обременяющий административный акт» (hearing under APPK Art. 73 precedes it, R38).
    BurdensomeAct,
}

/// Whether a decision carries an answer character (R41).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerCharacterRule {
    /// Must be given.
    Required,
    /// Must be absent.
    Absent,
    /// Not settled by the sources [INF]: may be given.
    Optional,
}

impl AppealDecisionType {
    /// All appeal decision types in eOtinish order.
    pub const ALL: [AppealDecisionType; 5] = [
        AppealDecisionType::TakeNote,
        AppealDecisionType::Terminate,
        AppealDecisionType::ProvideAnswer,
        AppealDecisionType::FavourableAct,
        AppealDecisionType::BurdensomeAct,
    ];

    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            AppealDecisionType::TakeNote => "take_note",
            AppealDecisionType::Terminate => "terminate",
            AppealDecisionType::ProvideAnswer => "provide_answer",
            AppealDecisionType::FavourableAct => "favourable_act",
            AppealDecisionType::BurdensomeAct => "burdensome_act",
        }
    }

    /// Russian label (exact eOtinish text).
    pub const fn label_ru(self) -> &'static str {
        match self {
            AppealDecisionType::TakeNote => "Принять к сведению",
            AppealDecisionType::Terminate => "Прекратить рассмотрение",
            AppealDecisionType::ProvideAnswer => "Предоставить ответ",
            AppealDecisionType::FavourableAct => "Принять благоприятный административный акт",
            AppealDecisionType::BurdensomeAct => "Принять обременяющий административный акт",
        }
    }

    /// Kazakh label [INF translation].
    pub const fn label_kk(self) -> &'static str {
        match self {
            AppealDecisionType::TakeNote => "Назарға алу",
            AppealDecisionType::Terminate => "Қарауды тоқтату",
            AppealDecisionType::ProvideAnswer => "Жауап беру",
            AppealDecisionType::FavourableAct => "Қолайлы әкімшілік акт қабылдау",
            AppealDecisionType::BurdensomeAct => "Ауыртпалық түсіретін әкімшілік акт қабылдау",
        }
    }

    /// R41: «Предоставить ответ» requires an answer character, «Принять к сведению» has none;
    /// the sources say nothing about the others, so they allow one [INF].
    pub const fn answer_character_rule(self) -> AnswerCharacterRule {
        match self {
            AppealDecisionType::ProvideAnswer => AnswerCharacterRule::Required,
            AppealDecisionType::TakeNote => AnswerCharacterRule::Absent,
            AppealDecisionType::Terminate
            | AppealDecisionType::FavourableAct
            | AppealDecisionType::BurdensomeAct => AnswerCharacterRule::Optional,
        }
    }

    /// Whether the decision needs a termination reason (R40).
    pub const fn requires_termination_reason(self) -> bool {
        matches!(self, AppealDecisionType::Terminate)
    }
}

/// Decision types for complaints (ОЛ-2, DOMAIN.md §2.7 [OBS], R42).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintDecisionType {
    /// «Оставить жалобу без удовлетворения».
    LeaveUnsatisfied,
    /// «Отменить административный акт».
    CancelAct,
    /// «Отменить административный акт и принять новый административный акт».
    CancelActAndAdoptNew,
    /// «О совершении административного действия».
    PerformAction,
    /// «Направить административное дело в административный орган, должностному лицу, чьи …
    /// обжалуются, …».
    ReturnCaseForProcedure,
    /// «Оставить жалобу без рассмотрения» — requires a complaint termination reason [INF].
    LeaveWithoutConsideration,
    /// «Принять благоприятный административный акт, совершено административное действие,
    /// полностью удовлетворяющие требования, указанные в жалобе».
    FullySatisfiedByActOrAction,
}

impl ComplaintDecisionType {
    /// All seven complaint decision types in eOtinish order.
    pub const ALL: [ComplaintDecisionType; 7] = [
        ComplaintDecisionType::LeaveUnsatisfied,
        ComplaintDecisionType::CancelAct,
        ComplaintDecisionType::CancelActAndAdoptNew,
        ComplaintDecisionType::PerformAction,
        ComplaintDecisionType::ReturnCaseForProcedure,
        ComplaintDecisionType::LeaveWithoutConsideration,
        ComplaintDecisionType::FullySatisfiedByActOrAction,
    ];

    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            ComplaintDecisionType::LeaveUnsatisfied => "leave_unsatisfied",
            ComplaintDecisionType::CancelAct => "cancel_act",
            ComplaintDecisionType::CancelActAndAdoptNew => "cancel_act_and_adopt_new",
            ComplaintDecisionType::PerformAction => "perform_action",
            ComplaintDecisionType::ReturnCaseForProcedure => "return_case_for_procedure",
            ComplaintDecisionType::LeaveWithoutConsideration => "leave_without_consideration",
            ComplaintDecisionType::FullySatisfiedByActOrAction => {
                "fully_satisfied_by_act_or_action"
            }
        }
    }

    /// Russian label (eOtinish text as DOMAIN.md §2.7 gives it; «…» marks text not recorded there).
    pub const fn label_ru(self) -> &'static str {
        match self {
            ComplaintDecisionType::LeaveUnsatisfied => "Оставить жалобу без удовлетворения",
            ComplaintDecisionType::CancelAct => "Отменить административный акт",
            ComplaintDecisionType::CancelActAndAdoptNew => {
                "Отменить административный акт и принять новый административный акт"
            }
            ComplaintDecisionType::PerformAction => "О совершении административного действия",
            ComplaintDecisionType::ReturnCaseForProcedure => {
                "Направить административное дело в административный орган, должностному лицу, чьи … обжалуются, для осуществления административной процедуры с указанием допущенных нарушений и предложениями по их устранению"
            }
            ComplaintDecisionType::LeaveWithoutConsideration => "Оставить жалобу без рассмотрения",
            ComplaintDecisionType::FullySatisfiedByActOrAction => {
                "Принять благоприятный административный акт, совершено административное действие, полностью удовлетворяющие требования, указанные в жалобе"
            }
        }
    }

    /// Kazakh label [INF translation].
    pub const fn label_kk(self) -> &'static str {
        match self {
            ComplaintDecisionType::LeaveUnsatisfied => "Шағымды қанағаттандырусыз қалдыру",
            ComplaintDecisionType::CancelAct => "Әкімшілік актінің күшін жою",
            ComplaintDecisionType::CancelActAndAdoptNew => {
                "Әкімшілік актінің күшін жойып, жаңа әкімшілік акт қабылдау"
            }
            ComplaintDecisionType::PerformAction => "Әкімшілік әрекет жасау туралы",
            ComplaintDecisionType::ReturnCaseForProcedure => {
                "Әкімшілік істі жол берілген бұзушылықтарды және оларды жою жөніндегі ұсыныстарды көрсете отырып, әкімшілік рәсімді жүзеге асыру үшін әкімшілік органға, лауазымды адамға жіберу"
            }
            ComplaintDecisionType::LeaveWithoutConsideration => "Шағымды қараусыз қалдыру",
            ComplaintDecisionType::FullySatisfiedByActOrAction => {
                "Шағымда көрсетілген талаптарды толық қанағаттандыратын қолайлы әкімшілік акт қабылдау, әкімшілік әрекет жасалды"
            }
        }
    }

    /// Whether the decision needs a complaint termination reason [INF: «без рассмотрения»].
    pub const fn requires_termination_reason(self) -> bool {
        matches!(self, ComplaintDecisionType::LeaveWithoutConsideration)
    }
}

/// Answer character (характер ответа) — R41; the same triplet as report 1-ОЛ §5 columns 9–11.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerCharacter {
    /// «Разъяснено».
    Explained,
    /// «Удовлетворено».
    Satisfied,
    /// «Отказано».
    Refused,
}

impl AnswerCharacter {
    /// All three values.
    pub const ALL: [AnswerCharacter; 3] = [
        AnswerCharacter::Explained,
        AnswerCharacter::Satisfied,
        AnswerCharacter::Refused,
    ];

    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            AnswerCharacter::Explained => "explained",
            AnswerCharacter::Satisfied => "satisfied",
            AnswerCharacter::Refused => "refused",
        }
    }

    /// Russian label.
    pub const fn label_ru(self) -> &'static str {
        match self {
            AnswerCharacter::Explained => "Разъяснено",
            AnswerCharacter::Satisfied => "Удовлетворено",
            AnswerCharacter::Refused => "Отказано",
        }
    }

    /// Kazakh label [INF translation].
    pub const fn label_kk(self) -> &'static str {
        match self {
            AnswerCharacter::Explained => "Түсіндірілді",
            AnswerCharacter::Satisfied => "Қанағаттандырылды",
            AnswerCharacter::Refused => "Бас тартылды",
        }
    }
}

/// Automatic rules a marking can carry (R9, R10). Markings without a rule are set by users (R11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkingRule {
    /// Set when the item has two or more applicants (p.2(7), p.6 item 4, R9).
    Collective,
    /// Set on an application for personal reception (p.4 part 5, p.6 item 5, R10).
    PersonalReception,
}

/// One entry of a reference book. Common fields plus the typed attributes that some books use;
/// attributes a book does not use are `None` and are not serialized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DictionaryEntry {
    /// Stable ASCII snake_case identifier; never re-used for another meaning.
    pub code: String,
    /// Russian label.
    pub label_ru: String,
    /// Kazakh label.
    pub label_kk: String,
    /// Evidence of the default value (DOMAIN.md §0).
    pub evidence: Evidence,
    /// Inactive entries are kept for old records but not offered for new ones.
    pub active: bool,
    /// Ordinal in the legal list (p.6 marking item, p.15 category, §2.7 reason number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordinal: Option<u8>,
    /// `document_types`: the kind the document type belongs to (ОЛ-1 req. 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AppealKind>,
    /// `document_types`: the review term (ОЛ-1 req. 9, R27).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<Term>,
    /// `termination_reasons` and `appeal_kinds`: the kind group (R40).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind_group: Option<KindGroup>,
    /// `markings`: the symbol printed on the card («ҰЖ», «ЖҚ»).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// `markings`: the automatic rule, if any (R9, R10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_rule: Option<MarkingRule>,
    /// `termination_reasons`: the explanation the answer must give the applicant (Russian), e.g.
    /// the right to re-apply after a cassation petition is returned (p.23(3) of the Instruction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation_ru: Option<String>,
    /// The same explanation in Kazakh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation_kk: Option<String>,
}

impl DictionaryEntry {
    /// An active entry with only the common fields.
    pub fn new(
        code: impl Into<String>,
        label_ru: impl Into<String>,
        label_kk: impl Into<String>,
        evidence: Evidence,
    ) -> Self {
        Self {
            code: code.into(),
            label_ru: label_ru.into(),
            label_kk: label_kk.into(),
            evidence,
            active: true,
            ordinal: None,
            kind: None,
            term: None,
            kind_group: None,
            symbol: None,
            auto_rule: None,
            explanation_ru: None,
            explanation_kk: None,
        }
    }

    fn with_explanation(mut self, ru: &str, kk: &str) -> Self {
        self.explanation_ru = Some(ru.to_owned());
        self.explanation_kk = Some(kk.to_owned());
        self
    }

    fn with_ordinal(mut self, ordinal: u8) -> Self {
        self.ordinal = Some(ordinal);
        self
    }

    fn with_group(mut self, group: KindGroup) -> Self {
        self.kind_group = Some(group);
        self
    }
}

/// The names of the reference books (the `{name}` of `GET /dictionaries/{name}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DictionaryName {
    /// [`AppealKind`] values.
    AppealKinds,
    /// Вид документа (ОЛ-1 req. 8) with its review term — §6.4 table (R27).
    DocumentTypes,
    /// Причины прекращения рассмотрения by kind group (§2.7, R40).
    TerminationReasons,
    /// [`AppealDecisionType`] values.
    AppealDecisionTypes,
    /// [`ComplaintDecisionType`] values (R42).
    ComplaintDecisionTypes,
    /// Bases of a complaint decision (§2.7, R42).
    ComplaintDecisionBases,
    /// [`AnswerCharacter`] values (R41).
    AnswerCharacters,
    /// The seven categories not subject to accounting (p.15, §1.7, R16).
    NonAccountableCategories,
    /// Маркировки (p.6, R9–R11).
    Markings,
    /// Форма обращения (§5.2).
    ReceiptForms,
    /// Источник поступления (§5.2).
    ReceiptSources,
    /// Язык обращения (§5.2).
    Languages,
    /// Характер обращения: individual / collective (§5.2).
    AppealCharacters,
    /// Категория лица (ЛП-1 req. 7, З-1).
    PersonCategories,
    /// Статус резидентства (ЛП-1 req. 8).
    ResidencyStatuses,
    /// Пол (ЛП-1 req. 9).
    Sexes,
    /// Вид приема (ЛП-1 req. 6).
    ReceptionKinds,
    /// Решение по личному приему (ЛП-1 req. 25; 1-ОЛ §5 columns 7–8).
    ReceptionDecisions,
    /// Социальный статус (ЛП-1 req. 18) [INF: the Order names the book, not its values].
    SocialStatuses,
    /// Характер вопроса (ЛП-1 req. 23) [INF].
    ReceptionIssueNatures,
    /// Возраст (ЛП-1 req. 17): age bands [INF].
    AgeBands,
    /// Национальность (ЛП-1 req. 14) [INF].
    Nationalities,
    /// Гражданство (ЛП-1 req. 15) [INF].
    Citizenships,
}

impl DictionaryName {
    /// All reference books with built-in defaults.
    pub const ALL: [DictionaryName; 23] = [
        DictionaryName::AppealKinds,
        DictionaryName::DocumentTypes,
        DictionaryName::TerminationReasons,
        DictionaryName::AppealDecisionTypes,
        DictionaryName::ComplaintDecisionTypes,
        DictionaryName::ComplaintDecisionBases,
        DictionaryName::AnswerCharacters,
        DictionaryName::NonAccountableCategories,
        DictionaryName::Markings,
        DictionaryName::ReceiptForms,
        DictionaryName::ReceiptSources,
        DictionaryName::Languages,
        DictionaryName::AppealCharacters,
        DictionaryName::PersonCategories,
        DictionaryName::ResidencyStatuses,
        DictionaryName::Sexes,
        DictionaryName::ReceptionKinds,
        DictionaryName::ReceptionDecisions,
        DictionaryName::SocialStatuses,
        DictionaryName::ReceptionIssueNatures,
        DictionaryName::AgeBands,
        DictionaryName::Nationalities,
        DictionaryName::Citizenships,
    ];

    /// Stable name used in URLs and in the DB.
    pub const fn as_str(self) -> &'static str {
        match self {
            DictionaryName::AppealKinds => "appeal_kinds",
            DictionaryName::DocumentTypes => "document_types",
            DictionaryName::TerminationReasons => "termination_reasons",
            DictionaryName::AppealDecisionTypes => "appeal_decision_types",
            DictionaryName::ComplaintDecisionTypes => "complaint_decision_types",
            DictionaryName::ComplaintDecisionBases => "complaint_decision_bases",
            DictionaryName::AnswerCharacters => "answer_characters",
            DictionaryName::NonAccountableCategories => "non_accountable_categories",
            DictionaryName::Markings => "markings",
            DictionaryName::ReceiptForms => "receipt_forms",
            DictionaryName::ReceiptSources => "receipt_sources",
            DictionaryName::Languages => "languages",
            DictionaryName::AppealCharacters => "appeal_characters",
            DictionaryName::PersonCategories => "person_categories",
            DictionaryName::ResidencyStatuses => "residency_statuses",
            DictionaryName::Sexes => "sexes",
            DictionaryName::ReceptionKinds => "reception_kinds",
            DictionaryName::ReceptionDecisions => "reception_decisions",
            DictionaryName::SocialStatuses => "social_statuses",
            DictionaryName::ReceptionIssueNatures => "reception_issue_natures",
            DictionaryName::AgeBands => "age_bands",
            DictionaryName::Nationalities => "nationalities",
            DictionaryName::Citizenships => "citizenships",
        }
    }
}

impl fmt::Display for DictionaryName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DictionaryName {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DictionaryName::ALL
            .into_iter()
            .find(|n| n.as_str() == s)
            .ok_or_else(|| DomainError::invalid("name", format!("unknown dictionary `{s}`")))
    }
}

/// A reference book: its name and entries. Codes are unique within a book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dictionary {
    /// Which book this is.
    pub name: DictionaryName,
    /// Entries in display order.
    pub entries: Vec<DictionaryEntry>,
}

impl Dictionary {
    /// Builds a book, rejecting codes that are not ASCII snake_case or that repeat.
    pub fn new(name: DictionaryName, entries: Vec<DictionaryEntry>) -> Result<Self, DomainError> {
        let mut seen = BTreeSet::new();
        for (i, e) in entries.iter().enumerate() {
            if !is_snake_case_code(&e.code) {
                return Err(DomainError::invalid(
                    format!("/entries/{i}/code"),
                    format!("`{}` is not an ASCII snake_case code", e.code),
                ));
            }
            if !seen.insert(e.code.as_str()) {
                return Err(DomainError::invalid(
                    format!("/entries/{i}/code"),
                    format!("duplicate code `{}` in `{name}`", e.code),
                ));
            }
        }
        Ok(Self { name, entries })
    }

    /// The entry with this code, active or not.
    pub fn get(&self, code: &str) -> Option<&DictionaryEntry> {
        self.entries.iter().find(|e| e.code == code)
    }

    /// The active entry with this code, or a typed error naming the book — what a card uses when
    /// a new value is chosen.
    pub fn require_active(&self, code: &str) -> Result<&DictionaryEntry, DomainError> {
        match self.get(code) {
            Some(e) if e.active => Ok(e),
            Some(_) => Err(DomainError::invalid(
                self.name.as_str(),
                format!("`{code}` is no longer active in `{}`", self.name),
            )),
            None => Err(DomainError::invalid(
                self.name.as_str(),
                format!("`{code}` is not in `{}`", self.name),
            )),
        }
    }

    /// Codes of all entries in order.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.code.as_str())
    }
}

/// Whether `code` is a stable identifier: non-empty ASCII `[a-z0-9_]`, starting with a letter,
/// without leading/trailing/double underscores.
pub fn is_snake_case_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    !bytes.is_empty()
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
        && !code.ends_with('_')
        && !code.contains("__")
}

/// The built-in default of one reference book.
pub fn default_dictionary(name: DictionaryName) -> Dictionary {
    let entries = match name {
        DictionaryName::AppealKinds => AppealKind::ALL
            .iter()
            .map(|k| {
                DictionaryEntry::new(k.code(), k.label_ru(), k.label_kk(), Evidence::Seed)
                    .with_group(k.group())
            })
            .collect(),
        DictionaryName::DocumentTypes => default_document_types(),
        DictionaryName::TerminationReasons => default_termination_reasons(),
        DictionaryName::AppealDecisionTypes => AppealDecisionType::ALL
            .iter()
            .map(|d| DictionaryEntry::new(d.code(), d.label_ru(), d.label_kk(), Evidence::Obs))
            .collect(),
        DictionaryName::ComplaintDecisionTypes => ComplaintDecisionType::ALL
            .iter()
            .map(|d| DictionaryEntry::new(d.code(), d.label_ru(), d.label_kk(), Evidence::Obs))
            .collect(),
        DictionaryName::ComplaintDecisionBases => default_complaint_decision_bases(),
        DictionaryName::AnswerCharacters => AnswerCharacter::ALL
            .iter()
            .map(|a| DictionaryEntry::new(a.code(), a.label_ru(), a.label_kk(), Evidence::Obs))
            .collect(),
        DictionaryName::NonAccountableCategories => default_non_accountable_categories(),
        DictionaryName::Markings => default_markings(),
        DictionaryName::ReceiptForms => default_receipt_forms(),
        DictionaryName::ReceiptSources => vec![
            DictionaryEntry::new(
                "state_body",
                "Государственный орган",
                "Мемлекеттік орган",
                Evidence::Obs,
            ),
            DictionaryEntry::new(
                "con_natizhe",
                "ЦПО \"Нәтиже\" ЦОН",
                "ХҚКО \"Нәтиже\" ОҚО",
                Evidence::Obs,
            ),
            // p.18 part 2 of the prosecutors' Instruction (issue 21): registered at once.
            DictionaryEntry::new("call_centre", "Call-центр", "Call-орталық", Evidence::Seed),
        ],
        DictionaryName::Languages => vec![
            DictionaryEntry::new("state", "Государственный", "Мемлекеттік", Evidence::Obs),
            DictionaryEntry::new("official", "Официальный", "Ресми", Evidence::Obs),
            DictionaryEntry::new("other", "Иной", "Өзге", Evidence::Obs),
        ],
        DictionaryName::AppealCharacters => vec![
            DictionaryEntry::new("individual", "Индивидуальное", "Жеке", Evidence::Obs),
            DictionaryEntry::new("collective", "Коллективное", "Ұжымдық", Evidence::Seed),
        ],
        DictionaryName::PersonCategories => vec![
            DictionaryEntry::new("individual", "Физическое", "Жеке тұлға", Evidence::Seed),
            DictionaryEntry::new("legal_entity", "Юридическое", "Заңды тұлға", Evidence::Seed),
        ],
        DictionaryName::ResidencyStatuses => vec![
            DictionaryEntry::new("resident", "Резидент", "Резидент", Evidence::Seed),
            DictionaryEntry::new(
                "non_resident",
                "Не резидент",
                "Резидент емес",
                Evidence::Seed,
            ),
        ],
        DictionaryName::Sexes => vec![
            DictionaryEntry::new("male", "Мужской", "Ер", Evidence::Seed),
            DictionaryEntry::new("female", "Женский", "Әйел", Evidence::Seed),
        ],
        DictionaryName::ReceptionKinds => vec![
            DictionaryEntry::new("online", "Онлайн", "Онлайн", Evidence::Seed),
            DictionaryEntry::new("offline", "Оффлайн", "Офлайн", Evidence::Seed),
        ],
        DictionaryName::ReceptionDecisions => vec![
            DictionaryEntry::new(
                "registered_for_reception",
                "Записано на личный прием",
                "Жеке қабылдауға жазылды",
                Evidence::Seed,
            ),
            DictionaryEntry::new(
                "reception_refused",
                "Отказано в личном приеме",
                "Жеке қабылдаудан бас тартылды",
                Evidence::Seed,
            ),
        ],
        DictionaryName::SocialStatuses => inferred(&[
            ("employed", "Работающий", "Жұмыс істейтін"),
            (
                "civil_servant",
                "Государственный служащий",
                "Мемлекеттік қызметші",
            ),
            ("entrepreneur", "Предприниматель", "Кәсіпкер"),
            ("unemployed", "Безработный", "Жұмыссыз"),
            ("pensioner", "Пенсионер", "Зейнеткер"),
            ("student", "Учащийся, студент", "Оқушы, студент"),
            ("disabled", "Лицо с инвалидностью", "Мүгедектігі бар адам"),
            ("military", "Военнослужащий", "Әскери қызметші"),
            ("other", "Иной", "Басқа"),
        ]),
        DictionaryName::ReceptionIssueNatures => inferred(&[
            (
                "housing_utilities",
                "Жилищно-коммунальное хозяйство",
                "Тұрғын үй-коммуналдық шаруашылық",
            ),
            ("improvement", "Благоустройство", "Абаттандыру"),
            ("land", "Земельные отношения", "Жер қатынастары"),
            (
                "social_protection",
                "Социальная защита",
                "Әлеуметтік қорғау",
            ),
            ("employment", "Трудоустройство", "Жұмысқа орналасу"),
            ("healthcare", "Здравоохранение", "Денсаулық сақтау"),
            ("education", "Образование", "Білім беру"),
            ("transport", "Транспорт и дороги", "Көлік және жолдар"),
            (
                "law_enforcement",
                "Правоохранительная деятельность",
                "Құқық қорғау қызметі",
            ),
            ("other", "Иной вопрос", "Басқа мәселе"),
        ]),
        DictionaryName::AgeBands => inferred(&[
            ("under_18", "До 18 лет", "18 жасқа дейін"),
            ("age_18_29", "18–29 лет", "18–29 жас"),
            ("age_30_44", "30–44 года", "30–44 жас"),
            ("age_45_59", "45–59 лет", "45–59 жас"),
            ("age_60_plus", "60 лет и старше", "60 жас және одан жоғары"),
        ]),
        DictionaryName::Nationalities => inferred(&[
            ("kazakh", "Казах", "Қазақ"),
            ("russian", "Русский", "Орыс"),
            ("uzbek", "Узбек", "Өзбек"),
            ("ukrainian", "Украинец", "Украин"),
            ("uighur", "Уйгур", "Ұйғыр"),
            ("tatar", "Татарин", "Татар"),
            ("german", "Немец", "Неміс"),
            ("korean", "Кореец", "Корей"),
            ("other", "Иная", "Басқа"),
        ]),
        DictionaryName::Citizenships => inferred(&[
            ("kz", "Республика Казахстан", "Қазақстан Республикасы"),
            ("foreign", "Иностранное государство", "Шет мемлекет"),
            ("stateless", "Лицо без гражданства", "Азаматтығы жоқ адам"),
        ]),
    };
    Dictionary { name, entries }
}

/// Entries whose values DOMAIN.md infers (the Order names the book, not its values): editable
/// defaults.
fn inferred(rows: &[(&str, &str, &str)]) -> Vec<DictionaryEntry> {
    rows.iter()
        .map(|(code, ru, kk)| DictionaryEntry::new(*code, *ru, *kk, Evidence::Inf))
        .collect()
}

/// The built-in defaults of every reference book (the seed of the DB migration).
pub fn default_dictionaries() -> Vec<Dictionary> {
    DictionaryName::ALL
        .iter()
        .map(|n| default_dictionary(*n))
        .collect()
}

fn document_type(
    code: &str,
    label_ru: &str,
    label_kk: &str,
    kind: AppealKind,
    term: Term,
) -> DictionaryEntry {
    let mut e = DictionaryEntry::new(code, label_ru, label_kk, Evidence::Obs);
    e.kind = Some(kind);
    e.term = Some(term);
    e
}

/// §6.4: review terms configured in eOtinish (QA list, 2022) [OBS]; R27.
fn default_document_types() -> Vec<DictionaryEntry> {
    use AppealKind::{Application, Complaint, Message, Proposal, Request, Response};
    vec![
        document_type("complaint", "Жалоба", "Шағым", Complaint, Term::working(20)),
        document_type(
            "complaint_taxpayer",
            "Жалоба налогоплательщиков",
            "Салық төлеушілердің шағымы",
            Complaint,
            Term::working(30),
        ),
        document_type(
            "complaint_taxpayer_monitored",
            "Жалоба налогоплательщиков, подлежащих налоговому мониторингу",
            "Салықтық мониторингке жататын салық төлеушілердің шағымы",
            Complaint,
            Term::working(45),
        ),
        document_type(
            "complaint_public_services",
            "Жалоба по вопросам оказания государственных услуг",
            "Мемлекеттік қызметтер көрсету мәселелері бойынша шағым",
            Complaint,
            Term::working(5),
        ),
        document_type(
            "request",
            "Запрос",
            "Сұрау салу",
            Request,
            Term::working(15),
        ),
        document_type(
            "request_notary",
            "Запрос нотариуса",
            "Нотариустың сұрау салуы",
            Request,
            Term::calendar(10),
        ),
        document_type(
            "request_declassification",
            "Запрос о рассекречивании сведений, отнесенных к государственным секретам",
            "Мемлекеттік құпияларға жатқызылған мәліметтердің құпиясыздандыру туралы сұрау салу",
            Request,
            Term::calendar(30),
        ),
        document_type(
            "request_lawyer",
            "Запросы адвокатов",
            "Адвокаттардың сұрау салулары",
            Request,
            Term::working(10),
        ),
        document_type(
            "request_information",
            "Запросы о предоставлении информации",
            "Ақпарат беру туралы сұрау салулар",
            Request,
            Term::calendar(15),
        ),
        document_type(
            "request_media",
            "Запросы средств массовой информации",
            "Бұқаралық ақпарат құралдарының сұрау салулары",
            Request,
            Term::working(7),
        ),
        document_type(
            "request_bailiff",
            "Запросы судебных исполнителей",
            "Сот орындаушыларының сұрау салулары",
            Request,
            Term::working(3),
        ),
        document_type(
            "application",
            "Заявление",
            "Өтініш",
            Application,
            Term::working(15),
        ),
        document_type(
            "application_rehabilitation",
            "Заявление о реабилитации жертв массовых политических репрессий",
            "Жаппай саяси қуғын-сүргін құрбандарын ақтау туралы өтініш",
            Application,
            Term::calendar(90),
        ),
        document_type("response", "Отклик", "Ден қою", Response, Term::working(15)),
        document_type(
            "proposal",
            "Предложение",
            "Ұсыныс",
            Proposal,
            Term::working(15),
        ),
        document_type(
            "message",
            "Сообщение",
            "Хабарлама",
            Message,
            Term::working(15),
        ),
    ]
}

/// §2.7 [OBS]: the eOtinish reasons for «Прекратить рассмотрение», grouped by kind (R40). Texts are
/// as DOMAIN.md records them; «…» marks a part not recorded there.
fn default_termination_reasons() -> Vec<DictionaryEntry> {
    let reason = |code: &str, ru: &str, kk: &str, group: KindGroup, ordinal: Option<u8>| {
        let e = DictionaryEntry::new(code, ru, kk, Evidence::Obs).with_group(group);
        match ordinal {
            Some(n) => e.with_ordinal(n),
            None => e,
        }
    };
    use KindGroup::{Complaint, Group1, Group2};
    vec![
        reason(
            "essence_not_stated",
            "в сообщении, предложении, отклике, запросе не изложена суть вопроса",
            "хабарламада, ұсыныста, ден қоюда, сұрау салуда мәселенің мәні баяндалмаған",
            Group1,
            Some(1),
        ),
        reason(
            "repeated_without_new_arguments",
            "в повторных сообщениях, предложениях, откликах, запросах не приводятся новые доводы или вновь открывшиеся обстоятельства, а в материалах предыдущих … имеются необходимые материалы проверок и заявителю в установленном порядке давались ответы",
            "қайталанған хабарламаларда, ұсыныстарда, ден қоюларда, сұрау салуларда жаңа дәлелдер немесе жаңадан ашылған мән-жайлар келтірілмейді, ал алдыңғы … материалдарында қажетті тексеру материалдары бар және өтініш берушіге белгіленген тәртіппен жауаптар берілген",
            Group1,
            Some(2),
        ),
        reason(
            "anonymous",
            "… невозможно установить авторство, отсутствуют подпись, в том числе ЭЦП, почтовый адрес заявителя, за исключением случаев, когда в них содержатся сведения о готовящихся или совершенных уголовных правонарушениях либо об угрозе государственной или общественной безопасности, которые подлежат немедленному перенаправлению…",
            "… авторлығын анықтау мүмкін емес, қолы, оның ішінде ЭЦҚ, өтініш берушінің пошталық мекенжайы жоқ, оларда дайындалып жатқан немесе жасалған қылмыстық құқық бұзушылықтар туралы не мемлекеттік немесе қоғамдық қауіпсіздікке төнген қатер туралы мәліметтер болған жағдайларды қоспағанда, олар дереу жолданады…",
            Group1,
            Some(3),
        ),
        reason(
            "message_withdrawal_accepted",
            "административным органом, должностным лицом принят отзыв сообщения, предложения, отклика, запроса от заявителя",
            "әкімшілік орган, лауазымды адам өтініш берушіден хабарламаны, ұсынысты, ден қоюды, сұрау салуды кері қайтарып алуды қабылдады",
            Group1,
            Some(4),
        ),
        reason(
            "appeal_returned",
            "… возвращено обращение",
            "… жолданым қайтарылды",
            Group2,
            Some(5),
        ),
        reason(
            "appeal_withdrawal_accepted",
            "… принят отзыв обращения от заявителя",
            "… өтініш берушіден жолданымды кері қайтарып алу қабылданды",
            Group2,
            Some(6),
        ),
        reason(
            "court_act_in_force",
            "имеется вступивший в законную силу судебный акт, вынесенный в отношении того же лица, о том же предмете и по тем же основаниям",
            "сол адамға қатысты, сол нысана туралы және сол негіздер бойынша шығарылған заңды күшіне енген сот актісі бар",
            Group2,
            Some(7),
        ),
        reason(
            "administrative_decision_exists",
            "имеется решение административного органа … по административному делу в отношении участника … о том же предмете и по тем же основаниям",
            "әкімшілік органның … қатысушыға қатысты … сол нысана туралы және сол негіздер бойынша әкімшілік іс бойынша шешімі бар",
            Group2,
            Some(8),
        ),
        reason(
            "other_legal_grounds",
            "имеются иные основания, предусмотренные законами РК",
            "ҚР заңдарында көзделген өзге де негіздер бар",
            Group2,
            Some(9),
        ),
        reason(
            "complaint_court_act_in_force",
            "имеется вступивший в законную силу судебный акт …",
            "заңды күшіне енген сот актісі бар …",
            Complaint,
            None,
        ),
        reason(
            "complaint_returned",
            "органом, рассматривающим жалобу, возвращена жалоба",
            "шағымды қарайтын орган шағымды қайтарды",
            Complaint,
            None,
        ),
        reason(
            "complaint_withdrawal_accepted",
            "… принят отзыв жалобы от заявителя",
            "… өтініш берушіден шағымды кері қайтарып алу қабылданды",
            Complaint,
            None,
        ),
        reason(
            "complaint_decision_exists",
            "имеется решение органа, рассматривающего жалобу, … о том же предмете и по тем же основаниям",
            "шағымды қарайтын органның … сол нысана туралы және сол негіздер бойынша шешімі бар",
            Complaint,
            None,
        ),
        // p.23(3) of the prosecutors' Instruction (2015, issue 21): a cassation petition is
        // returned without consideration, with the explanation the answer must carry.
        reason(
            "cassation_requirements_not_met",
            "ходатайство о принесении кассационного протеста не соответствует требованиям процессуального кодекса (ст. 488 УПК, ст. 441 ГПК) и возвращается без рассмотрения",
            "кассациялық наразылық келтіру туралы өтінішхат іс жүргізу кодексінің талаптарына сәйкес келмейді (ҚПК 488-бабы, АПК 441-бабы) және қараусыз қайтарылады",
            Group2,
            None,
        )
        .with_explanation(
            "Разъясняем Ваше право на повторное обращение в Генеральную прокуратуру после устранения недостатков, послуживших основанием для возвращения ходатайства, или на обращение непосредственно в Верховный Суд Республики Казахстан с ходатайством о пересмотре судебных актов в кассационном порядке.",
            "Өтінішхатты қайтаруға негіз болған кемшіліктерді жойғаннан кейін Бас прокуратураға қайта жүгінуге немесе сот актілерін кассациялық тәртіппен қайта қарау туралы өтінішхатпен тікелей Қазақстан Республикасының Жоғарғы Сотына жүгінуге құқығыңызды түсіндіреміз.",
        ),
        reason(
            "cassation_term_expired",
            "истекли сроки кассационного опротестования (ч. 1 ст. 436 ГПК, ст. 487 УПК): ходатайство возвращается без рассмотрения",
            "кассациялық наразылық білдіру мерзімдері өтті (АПК 436-бабының 1-бөлігі, ҚПК 487-бабы): өтінішхат қараусыз қайтарылады",
            Group2,
            None,
        )
        .with_explanation(
            "Ходатайство подано по истечении срока кассационного опротестования, установленного частью 1 статьи 436 ГПК и статьей 487 УПК; разъясняем, что пропущенный срок может быть восстановлен в порядке, предусмотренном процессуальным законом, после чего Вы вправе обратиться повторно или непосредственно в Верховный Суд Республики Казахстан.",
            "Өтінішхат АПК 436-бабының 1-бөлігінде және ҚПК 487-бабында белгіленген кассациялық наразылық білдіру мерзімі өткеннен кейін берілді; өткізіп алынған мерзім іс жүргізу заңында көзделген тәртіппен қалпына келтірілуі мүмкін екенін, содан кейін қайта немесе тікелей Қазақстан Республикасының Жоғарғы Сотына жүгінуге құқылы екеніңізді түсіндіреміз.",
        ),
    ]
}

/// §2.7 [OBS]: the three bases of a complaint decision (R42).
fn default_complaint_decision_bases() -> Vec<DictionaryEntry> {
    vec![
        DictionaryEntry::new(
            "circumstances_misdetermined",
            "неправильное определение и выяснение круга обстоятельств …",
            "мән-жайлар шеңберін дұрыс анықтамау және айқындамау …",
            Evidence::Obs,
        ),
        DictionaryEntry::new(
            "act_contradicts_case_file",
            "несоответствие содержания административного акта … материалам административного дела",
            "әкімшілік акт мазмұнының … әкімшілік іс материалдарына сәйкес келмеуі",
            Evidence::Obs,
        ),
        DictionaryEntry::new(
            "law_violated_or_misapplied",
            "нарушение или неправильное применение законодательства РК",
            "ҚР заңнамасын бұзу немесе дұрыс қолданбау",
            Evidence::Obs,
        ),
    ]
}

/// p.15 (2025 edition) [SEED]: the seven categories not subject to accounting (§1.7, R16).
fn default_non_accountable_categories() -> Vec<DictionaryEntry> {
    let cat = |n: u8, code: &str, ru: &str, kk: &str| {
        DictionaryEntry::new(code, ru, kk, Evidence::Seed).with_ordinal(n)
    };
    vec![
        cat(
            1,
            "official_correspondence",
            "Служебные документы, направленные одним субъектом другому",
            "Бір субъект екіншісіне жіберген қызметтік құжаттар",
        ),
        cat(
            2,
            "higher_body_instructions",
            "Поручения и указания вышестоящего органа",
            "Жоғары тұрған органның тапсырмалары мен нұсқаулары",
        ),
        cat(
            3,
            "advertising_proposals",
            "Предложения, содержащие рекламу, коммерческие предложения",
            "Жарнаманы, коммерциялық ұсыныстарды қамтитын ұсыныстар",
        ),
        cat(
            4,
            "public_services",
            "Обращения по вопросам оказания государственных услуг, за исключением предусмотренных подпунктом 3) пункта 1 статьи 4 Закона «О государственных услугах»",
            "«Мемлекеттік көрсетілетін қызметтер туралы» Заңның 4-бабы 1-тармағының 3) тармақшасында көзделгендерді қоспағанда, мемлекеттік қызметтер көрсету мәселелері бойынша жолданымдар",
        ),
        cat(
            5,
            "special_procedure",
            "Обращения, порядок рассмотрения которых регулируется частью 4 статьи 3 АППК и пунктом 9 статьи 24 Конституционного закона «О прокуратуре»",
            "Қарау тәртібі ӘРПК 3-бабының 4-бөлігімен және «Прокуратура туралы» Конституциялық заңның 24-бабының 9-тармағымен реттелетін жолданымдар",
        ),
        cat(
            6,
            "invitations_notifications",
            "Приглашения и уведомления, не содержащие ходатайства",
            "Өтінішхатты қамтымайтын шақырулар мен хабарламалар",
        ),
        cat(
            7,
            "material_assistance",
            "Обращения об оказании материальной помощи",
            "Материалдық көмек көрсету туралы жолданымдар",
        ),
    ]
}

/// p.6 [SEED + NOT FOUND]: markings. Items 1)–3) are inactive placeholders until the Rules' text is
/// obtained (R11); «ҰЖ» and «ЖҚ» are set automatically (R9, R10).
fn default_markings() -> Vec<DictionaryEntry> {
    let placeholder = |n: u8| {
        let mut e = DictionaryEntry::new(
            format!("marking_{n}"),
            format!("Маркировка {n}) (текст п.6 Правил не найден)"),
            format!("{n}) таңбалау (Қағидалардың 6-тармағының мәтіні табылмады)"),
            Evidence::Inf,
        )
        .with_ordinal(n);
        e.active = false;
        e
    };
    let mut collective = DictionaryEntry::new(
        "collective",
        "Коллективное обращение, сообщение, запрос, отклик, предложение",
        "Ұжымдық жолданым, хабарлама, сұрау салу, ден қою, ұсыныс",
        Evidence::Seed,
    )
    .with_ordinal(4);
    collective.symbol = Some("ҰЖ".to_owned());
    collective.auto_rule = Some(MarkingRule::Collective);
    let mut reception = DictionaryEntry::new(
        "personal_reception",
        "Заявление на личный прием",
        "Жеке қабылдауға өтініш",
        Evidence::Seed,
    )
    .with_ordinal(5);
    reception.symbol = Some("ЖҚ".to_owned());
    reception.auto_rule = Some(MarkingRule::PersonalReception);
    vec![
        placeholder(1),
        placeholder(2),
        placeholder(3),
        collective,
        reception,
    ]
}

/// §5.2: forms of receipt. Paper-by-hand and electronic are observed; the rest are [INF].
fn default_receipt_forms() -> Vec<DictionaryEntry> {
    vec![
        DictionaryEntry::new(
            "paper_on_purpose",
            "Бумажная (нарочно)",
            "Қағаз түрінде (қолма-қол)",
            Evidence::Obs,
        ),
        DictionaryEntry::new("electronic", "Электронная", "Электрондық", Evidence::Obs),
        DictionaryEntry::new("postal", "Почтой", "Пошта арқылы", Evidence::Inf),
        DictionaryEntry::new("oral", "Устная", "Ауызша", Evidence::Inf),
        DictionaryEntry::new(
            "video_message",
            "Видеообращение",
            "Бейнежолданым",
            Evidence::Inf,
        ),
        DictionaryEntry::new(
            "videoconference",
            "Видеоконференцсвязь",
            "Бейнеконференцбайланыс",
            Evidence::Inf,
        ),
    ]
}

/// A document type (ОЛ-1 req. 8) read from the `document_types` book: the kind it belongs to and
/// its review term (req. 9, R27).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentType {
    /// Code in `document_types`.
    pub code: String,
    /// Kind of item (decides the termination-reason group, R40).
    pub kind: AppealKind,
    /// Review term (R27).
    pub term: Term,
}

impl DocumentType {
    /// Reads a `document_types` entry; both `kind` and `term` must be set.
    pub fn from_entry(entry: &DictionaryEntry) -> Result<Self, DomainError> {
        let field = || format!("document_types/{}", entry.code);
        let kind = entry
            .kind
            .ok_or_else(|| DomainError::invalid(field(), "kind is missing"))?;
        let term = entry
            .term
            .ok_or_else(|| DomainError::invalid(field(), "term is missing"))?;
        Ok(Self {
            code: entry.code.clone(),
            kind,
            term,
        })
    }

    /// The active document type `code` from a `document_types` book.
    pub fn lookup(book: &Dictionary, code: &str) -> Result<Self, DomainError> {
        Self::from_entry(book.require_active(code)?)
    }
}

/// R40: the termination reason `code` from a `termination_reasons` book is allowed for `kind` only
/// if its kind group matches the kind's group.
pub fn check_termination_reason(
    book: &Dictionary,
    code: &str,
    kind: AppealKind,
) -> Result<(), DomainError> {
    let entry = book.require_active(code)?;
    if entry.kind_group == Some(kind.group()) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "termination_reason",
            format!("reason `{code}` does not apply to kind `{kind}`"),
        ))
    }
}

/// Codes of the markings whose automatic rule holds (R9, R10): `collective` for two or more
/// applicants — one card lists the applicants of one appeal, i.e. the same issue in the interests
/// of the same persons (p.2(7)) — and `personal_reception` for an application for personal
/// reception. Inactive markings are never set automatically.
pub fn automatic_markings(book: &Dictionary, kind: AppealKind, applicants: usize) -> Vec<String> {
    book.entries
        .iter()
        .filter(|e| e.active)
        .filter(|e| match e.auto_rule {
            Some(MarkingRule::Collective) => applicants >= 2,
            Some(MarkingRule::PersonalReception) => {
                kind == AppealKind::PersonalReceptionApplication
            }
            None => false,
        })
        .map(|e| e.code.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadline::DayUnit;

    #[test]
    fn every_default_book_has_unique_snake_case_codes_and_labels() {
        for book in default_dictionaries() {
            let rebuilt = Dictionary::new(book.name, book.entries.clone());
            assert_eq!(rebuilt.as_ref(), Ok(&book), "{}", book.name);
            assert!(!book.entries.is_empty(), "{}", book.name);
            for e in &book.entries {
                assert!(
                    !e.label_ru.trim().is_empty() && !e.label_kk.trim().is_empty(),
                    "{}",
                    e.code
                );
            }
        }
    }

    #[test]
    fn dictionary_names_round_trip() {
        for n in DictionaryName::ALL {
            assert_eq!(n.as_str().parse::<DictionaryName>(), Ok(n));
        }
        assert!("nope".parse::<DictionaryName>().is_err());
    }

    #[test]
    fn kinds_include_the_six_appeal_kinds_and_personal_reception() {
        let book = default_dictionary(DictionaryName::AppealKinds);
        let labels: Vec<_> = book.entries.iter().map(|e| e.label_ru.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Заявление",
                "Жалоба",
                "Запрос",
                "Сообщение",
                "Отклик",
                "Предложение",
                "Заявление на личный прием"
            ]
        );
        for k in AppealKind::ALL {
            assert_eq!(k.code().parse::<AppealKind>(), Ok(k));
        }
    }

    #[test]
    fn group_1_reasons_are_1_to_4_and_group_2_reasons_are_5_to_9() {
        let book = default_dictionary(DictionaryName::TerminationReasons);
        let ordinals = |g: KindGroup| -> Vec<u8> {
            book.entries
                .iter()
                .filter(|e| e.kind_group == Some(g))
                .filter_map(|e| e.ordinal)
                .collect()
        };
        assert_eq!(ordinals(KindGroup::Group1), [1, 2, 3, 4]);
        assert_eq!(ordinals(KindGroup::Group2), [5, 6, 7, 8, 9]);
        assert_eq!(
            book.entries
                .iter()
                .filter(|e| e.kind_group == Some(KindGroup::Complaint))
                .count(),
            4
        );
        assert_eq!(
            book.get("essence_not_stated").map(|e| e.label_ru.as_str()),
            Some("в сообщении, предложении, отклике, запросе не изложена суть вопроса")
        );
    }

    #[test]
    fn group_2_reason_on_a_request_is_rejected() {
        // R40 test from DOMAIN.md: a group-2 reason on a «Запрос» → 422.
        let book = default_dictionary(DictionaryName::TerminationReasons);
        assert!(
            check_termination_reason(&book, "court_act_in_force", AppealKind::Request).is_err()
        );
        assert!(check_termination_reason(&book, "essence_not_stated", AppealKind::Request).is_ok());
        assert!(
            check_termination_reason(&book, "court_act_in_force", AppealKind::Application).is_ok()
        );
        assert!(
            check_termination_reason(&book, "complaint_returned", AppealKind::Application).is_err()
        );
        assert!(
            check_termination_reason(&book, "complaint_returned", AppealKind::Complaint).is_ok()
        );
        assert!(check_termination_reason(&book, "no_such_reason", AppealKind::Complaint).is_err());
    }

    #[test]
    fn answer_character_required_for_answer_and_absent_for_take_note() {
        assert_eq!(
            AppealDecisionType::ProvideAnswer.answer_character_rule(),
            AnswerCharacterRule::Required
        );
        assert_eq!(
            AppealDecisionType::TakeNote.answer_character_rule(),
            AnswerCharacterRule::Absent
        );
        let labels: Vec<_> = AnswerCharacter::ALL.iter().map(|a| a.label_ru()).collect();
        assert_eq!(labels, ["Разъяснено", "Удовлетворено", "Отказано"]);
    }

    #[test]
    fn complaint_decisions_have_seven_values_and_three_bases() {
        assert_eq!(
            default_dictionary(DictionaryName::ComplaintDecisionTypes)
                .entries
                .len(),
            7
        );
        assert_eq!(
            default_dictionary(DictionaryName::ComplaintDecisionBases)
                .entries
                .len(),
            3
        );
    }

    #[test]
    fn seven_non_accountable_categories_in_p15_order() {
        let book = default_dictionary(DictionaryName::NonAccountableCategories);
        let ordinals: Vec<_> = book.entries.iter().filter_map(|e| e.ordinal).collect();
        assert_eq!(ordinals, [1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(
            book.get("material_assistance").map(|e| e.label_ru.as_str()),
            Some("Обращения об оказании материальной помощи")
        );
    }

    #[test]
    fn document_types_reproduce_the_review_term_table() {
        let book = default_dictionary(DictionaryName::DocumentTypes);
        assert_eq!(book.entries.len(), 16);
        let t = |code: &str| DocumentType::lookup(&book, code).map(|d| (d.kind, d.term));
        assert_eq!(
            t("complaint"),
            Ok((AppealKind::Complaint, Term::working(20)))
        );
        assert_eq!(
            t("request_notary"),
            Ok((AppealKind::Request, Term::calendar(10)))
        );
        assert_eq!(
            t("application_rehabilitation"),
            Ok((AppealKind::Application, Term::calendar(90)))
        );
        assert_eq!(
            t("request_bailiff"),
            Ok((AppealKind::Request, Term::working(3)))
        );
        let calendar: Vec<_> = book
            .entries
            .iter()
            .filter(|e| e.term.map(|t| t.unit) == Some(DayUnit::Calendar))
            .map(|e| e.code.as_str())
            .collect();
        assert_eq!(
            calendar,
            [
                "request_notary",
                "request_declassification",
                "request_information",
                "application_rehabilitation"
            ]
        );
        // Default 15 working days for the base kinds (APPK Art. 76).
        for code in ["application", "request", "message", "response", "proposal"] {
            assert_eq!(
                t(code).map(|(_, term)| term),
                Ok(Term::working(15)),
                "{code}"
            );
        }
    }

    #[test]
    fn collective_marking_needs_two_applicants_and_reception_marking_needs_reception_kind() {
        let book = default_dictionary(DictionaryName::Markings);
        assert!(automatic_markings(&book, AppealKind::Application, 1).is_empty());
        assert_eq!(
            automatic_markings(&book, AppealKind::Application, 2),
            ["collective"]
        );
        assert_eq!(
            automatic_markings(&book, AppealKind::PersonalReceptionApplication, 1),
            ["personal_reception"]
        );
        assert_eq!(
            book.get("collective").and_then(|e| e.symbol.as_deref()),
            Some("ҰЖ")
        );
        assert_eq!(
            book.get("personal_reception")
                .and_then(|e| e.symbol.as_deref()),
            Some("ЖҚ")
        );
    }

    #[test]
    fn markings_are_data_a_configured_book_changes_the_result() {
        // R11: a deployment can add a marking with an automatic rule or deactivate one.
        let mut book = default_dictionary(DictionaryName::Markings);
        for e in &mut book.entries {
            if e.code == "collective" {
                e.active = false;
            }
        }
        assert!(automatic_markings(&book, AppealKind::Complaint, 5).is_empty());
        assert!(
            book.require_active("marking_1").is_err(),
            "placeholders start inactive"
        );
    }

    #[test]
    fn bad_codes_are_rejected() {
        let e = |c: &str| DictionaryEntry::new(c, "x", "x", Evidence::Inf);
        assert!(Dictionary::new(DictionaryName::Languages, vec![e("Bad")]).is_err());
        assert!(Dictionary::new(DictionaryName::Languages, vec![e("a"), e("a")]).is_err());
        assert!(Dictionary::new(DictionaryName::Languages, vec![e("ok_code_2")]).is_ok());
        assert!(
            !is_snake_case_code("_x") && !is_snake_case_code("x__y") && !is_snake_case_code("ж")
        );
    }
}
