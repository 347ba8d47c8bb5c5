//! ЛП-1 «Личный прием» (Appendix 2-1, p.4 part 5, p.18; R24–R26).

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::{PersonCategory, Residency, Sex, is_digits};
use crate::DomainError;
use crate::dictionary::{AppealKind, Dictionary, automatic_markings};
use crate::regnum::AppealNumber;

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

/// [INF] What the reception gave the applicant (1-ОЛ section 5 counts receptions by result;
/// Appendix 2-1 has no requisite for it, so it is kept beside the 36).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceptionResult {
    /// «удовлетворено».
    Satisfied,
    /// «отказано».
    Refused,
    /// «разъяснено».
    Explained,
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
    /// [INF] The result of a reception that took place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<ReceptionResult>,
    /// [INF] The role of the official who presides (requisite 24) or held it (31): `head` or
    /// `deputy_head` — 1-ОЛ section 5 counts applications by it (columns 5–6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presiding_role: Option<String>,
    /// [INF] The day of the decision of requisite 25 (1-ОЛ section 5, columns 7–8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_on: Option<NaiveDate>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dictionary::{DictionaryName, default_dictionary};
    use crate::regnum::{RegNumber, next_part_number};

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
}
