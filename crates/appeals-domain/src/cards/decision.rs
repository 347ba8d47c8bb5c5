//! ОЛ-2 decision / movement card (p.23; R22) and the checks of a decision (R40–R42, p.15).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::AppealCard;
use crate::DomainError;
use crate::dictionary::{
    AnswerCharacter, AnswerCharacterRule, AppealDecisionType, AppealKind, ComplaintDecisionType,
    Dictionary, check_termination_reason,
};
use crate::regnum::AppealNumber;

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
    /// p.13, p.22 (R14): the registrar's qualification of a repeat appeal — `duplicate` of an
    /// original (no new arguments, circumstances or legal grounds), `related`, or `new`.
    DuplicateQualification {
        /// `duplicate`, `related` or `new`.
        verdict: String,
        /// The original's registration number (required for `duplicate`).
        original_registration_number: Option<String>,
    },
}

/// R38 (APPK art. 73): how the participant was heard before a burdensome act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hearing {
    /// The participant received the hearing notice on this day.
    Notice { received_on: chrono::NaiveDate },
    /// No hearing was held, and why (APPK art. 73 part 2 lists the cases).
    NotHeld { reason: String },
}

impl Decision {
    /// An appeal decision «Принять обременяющий административный акт».
    pub fn is_burdensome(&self) -> bool {
        matches!(
            self,
            Decision::Appeal {
                decision_type: AppealDecisionType::BurdensomeAct,
                ..
            }
        )
    }
}

/// R38 (APPK art. 73): a burdensome act adopted on `adopted_on` needs the hearing notice received
/// at least `hearing_notice_working_days` working days before, or a stated reason why no hearing
/// was held; another decision takes no hearing. The refused field is named in the error.
pub fn check_hearing(
    decision: &Decision,
    hearing: Option<&Hearing>,
    adopted_on: chrono::NaiveDate,
    calendar: &crate::calendar::Calendar,
    settings: &crate::deadline::DeadlineSettings,
) -> Result<(), DomainError> {
    const RULE: &str = "R38 (APPK art. 73)";
    match (decision.is_burdensome(), hearing) {
        (false, None) => Ok(()),
        (false, Some(_)) => Err(DomainError::invalid(
            "hearing",
            format!("{RULE}: a hearing precedes only a burdensome act"),
        )),
        (true, None) => Err(DomainError::invalid(
            "hearing",
            format!(
                "{RULE}: a burdensome act needs the day the participant received the hearing \
                 notice, or the reason why no hearing was held"
            ),
        )),
        (true, Some(Hearing::NotHeld { reason })) if reason.trim().is_empty() => {
            Err(DomainError::invalid(
                "hearing/reason",
                format!("{RULE}: say why no hearing was held"),
            ))
        }
        (true, Some(Hearing::NotHeld { .. })) => Ok(()),
        (true, Some(Hearing::Notice { received_on })) => {
            if *received_on > adopted_on {
                return Err(DomainError::invalid(
                    "hearing/received_on",
                    format!("{RULE}: the notice is received after the act"),
                ));
            }
            crate::deadline::check_adoption_after_hearing(
                calendar,
                settings,
                *received_on,
                adopted_on,
            )
            .map_err(|e| match e {
                DomainError::Invalid { reason, .. } => {
                    DomainError::invalid("hearing/received_on", format!("{RULE}: {reason}"))
                }
                other => other,
            })
        }
    }
}

/// The verdicts of a duplicate qualification.
pub const DUPLICATE_VERDICTS: [&str; 3] = ["duplicate", "related", "new"];

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
            Decision::DuplicateQualification {
                verdict,
                original_registration_number,
            } => {
                if !DUPLICATE_VERDICTS.contains(&verdict.as_str()) {
                    return Err(DomainError::invalid(
                        "verdict",
                        "one of duplicate, related, new",
                    ));
                }
                if verdict == "duplicate" && original_registration_number.is_none() {
                    return Err(DomainError::invalid(
                        "original_appeal_id",
                        "a duplicate names its original",
                    ));
                }
                Ok(())
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cards::test_support::{at, register};
    use crate::dictionary::{DictionaryName, default_dictionary};

    #[test]
    fn r38_a_burdensome_act_needs_a_timely_hearing_notice_or_a_reason() {
        let calendar = crate::calendar::Calendar::kazakhstan_default();
        let settings = crate::deadline::DeadlineSettings::default();
        let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        let burdensome = Decision::Appeal {
            decision_type: AppealDecisionType::BurdensomeAct,
            answer_character: None,
            termination_reason: None,
        };
        let note = Decision::Appeal {
            decision_type: AppealDecisionType::TakeNote,
            answer_character: None,
            termination_reason: None,
        };
        let field = |r: Result<(), DomainError>| match r {
            Err(DomainError::Invalid { field, reason }) => {
                assert!(reason.starts_with("R38"), "{reason}");
                field
            }
            other => panic!("{other:?}"),
        };
        let adopted = day("2026-04-16"); // Thursday
        let check =
            |h: Option<&Hearing>| check_hearing(&burdensome, h, adopted, &calendar, &settings);
        assert_eq!(field(check(None)), "hearing");
        // Notice received Monday 13 April: the 3rd working day after it is Thursday 16 April.
        let in_time = Hearing::Notice {
            received_on: day("2026-04-13"),
        };
        assert!(check(Some(&in_time)).is_ok());
        let late = Hearing::Notice {
            received_on: day("2026-04-14"),
        };
        assert_eq!(field(check(Some(&late))), "hearing/received_on");
        let reason = Hearing::NotHeld {
            reason: "Акт принимается по заявлению участника в его пользу в части".to_owned(),
        };
        assert!(check(Some(&reason)).is_ok());
        let blank = Hearing::NotHeld {
            reason: " ".to_owned(),
        };
        assert_eq!(field(check(Some(&blank))), "hearing/reason");
        assert!(check_hearing(&note, None, adopted, &calendar, &settings).is_ok());
        assert_eq!(
            field(check_hearing(
                &note,
                Some(&in_time),
                adopted,
                &calendar,
                &settings
            )),
            "hearing"
        );
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
}
