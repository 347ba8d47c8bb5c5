//! The history of a card (p.22: every action on a card is recorded): what happened, as a closed
//! set of actions, and the values before and after it.
//!
//! Events are hash-chained in storage; the chain hashes the action's code and the JSON text of
//! the values, so both are stable. The values serialise through `serde_json::Value` (its maps keep
//! keys sorted), so a typed payload yields exactly the text the same fields built by hand did —
//! a chain written before the types existed still verifies.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cards::ComplaintTarget;
use crate::dedup::Verdict;
use crate::error::DomainError;

/// Every action recorded in a card's history. The code is stored and hashed: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardAction {
    /// The card was created: a registration (p.4) or a part forwarded by competence (p.11).
    Registered,
    /// ОЛ-1 requisites were edited (R19).
    Updated,
    /// Requisite 8 changed, with the term and the review deadline (p.4 part 4, R12).
    DocumentTypeChanged,
    /// З-1 cards were added or replaced (R9, R14, R20).
    ApplicantsChanged,
    /// An applicant's address was brought into line with the appeal (R21).
    AddressReconciled,
    /// The card was routed to an executor.
    Assigned,
    /// The applicant withdrew the appeal (R45).
    Withdrawn,
    /// Consideration went on after a withdrawal.
    ConsiderationContinued,
    /// The card was closed (R4).
    Closed,
    /// The appeal was forwarded by competence, in full or in part (p.11, R35).
    Forwarded,
    /// An ОЛ-2 decision was recorded (R22, R44).
    DecisionRecorded,
    /// The review term was extended (R37).
    ReviewExtended,
    /// A p.15 document was transferred to another system (R16).
    Transferred,
    /// A p.15 transfer was cancelled (R18).
    TransferCancelled,
    /// The registrar qualified the duplicate verdict (R14).
    DuplicateDecisionRecorded,
    /// An art. 63 correction was requested.
    CorrectionRequested,
    /// The art. 63 correction was confirmed.
    CorrectionConfirmed,
    /// The deadlines were recalculated after a calendar change (R33).
    DeadlineRecalculated,
    /// A notice owed to the applicant was delivered or failed (R46).
    ApplicantNotified,
    /// The receiving subject accepted a forwarded part and issued its talon (p.11 part 2, R5).
    PartAccepted,
    /// Markings were put on or taken off, or the automatic «ҰЖ» corrected with a reason (p.6, R9,
    /// R11).
    MarkingsChanged,
    /// The tags were changed on their own (R12).
    TagsChanged,
    /// A forwarding was approved and waits for its EDS signature (R35; issue 20 point 3).
    ForwardingApproved,
    /// An extension was approved and waits for its EDS signature (R37; issue 20 point 3).
    ExtensionApproved,
    /// An ОЛ-2 answer was signed with an EDS (issue 20 point 3).
    DecisionSigned,
    /// The routing facts of the card were stated or corrected (p.23, p.54 of the Instruction;
    /// issue 21).
    RoutingFactsStated,
}

impl CardAction {
    pub const ALL: [CardAction; 26] = [
        Self::Registered,
        Self::Updated,
        Self::DocumentTypeChanged,
        Self::ApplicantsChanged,
        Self::AddressReconciled,
        Self::Assigned,
        Self::Withdrawn,
        Self::ConsiderationContinued,
        Self::Closed,
        Self::Forwarded,
        Self::DecisionRecorded,
        Self::ReviewExtended,
        Self::Transferred,
        Self::TransferCancelled,
        Self::DuplicateDecisionRecorded,
        Self::CorrectionRequested,
        Self::CorrectionConfirmed,
        Self::DeadlineRecalculated,
        Self::ApplicantNotified,
        Self::PartAccepted,
        Self::MarkingsChanged,
        Self::TagsChanged,
        Self::ForwardingApproved,
        Self::ExtensionApproved,
        Self::DecisionSigned,
        Self::RoutingFactsStated,
    ];

    /// The stored (and hashed) code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Updated => "updated",
            Self::DocumentTypeChanged => "document_type_changed",
            Self::ApplicantsChanged => "applicants_changed",
            Self::AddressReconciled => "address_reconciled",
            Self::Assigned => "assigned",
            Self::Withdrawn => "withdrawn",
            Self::ConsiderationContinued => "consideration_continued",
            Self::Closed => "closed",
            Self::Forwarded => "forwarded",
            Self::DecisionRecorded => "decision_recorded",
            Self::ReviewExtended => "review_extended",
            Self::Transferred => "transferred",
            Self::TransferCancelled => "transfer_cancelled",
            Self::DuplicateDecisionRecorded => "duplicate_decision_recorded",
            Self::CorrectionRequested => "correction_requested",
            Self::CorrectionConfirmed => "correction_confirmed",
            Self::DeadlineRecalculated => "deadline_recalculated",
            Self::ApplicantNotified => "applicant_notified",
            Self::PartAccepted => "part_accepted",
            Self::MarkingsChanged => "markings_changed",
            Self::TagsChanged => "tags_changed",
            Self::ForwardingApproved => "forwarding_approved",
            Self::ExtensionApproved => "extension_approved",
            Self::DecisionSigned => "decision_signed",
            Self::RoutingFactsStated => "routing_facts_stated",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }
}

impl std::fmt::Display for CardAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Every action recorded in the history of a ЛП-1 card (personal reception). The code is stored
/// and hashed: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceptionAction {
    /// The application was registered with its ЛП-1 card (R10, R26).
    Registered,
    /// Requisites of the person or the question were corrected.
    Updated,
    /// A slot was reserved with the presiding official (requisites 24, 25 «записано»).
    SlotReserved,
    /// The reserved slot was confirmed.
    SlotConfirmed,
    /// The slot was given back; the application is in the queue again.
    SlotReleased,
    /// Reception was refused (requisite 25 «отказано», 36 the reason).
    Refused,
    /// The reception took place (requisites 26–35).
    Held,
    /// The reception did not take place (requisite 36).
    NotHeld,
    /// A notice owed to the applicant was delivered or failed.
    ApplicantNotified,
}

impl ReceptionAction {
    pub const ALL: [ReceptionAction; 9] = [
        Self::Registered,
        Self::Updated,
        Self::SlotReserved,
        Self::SlotConfirmed,
        Self::SlotReleased,
        Self::Refused,
        Self::Held,
        Self::NotHeld,
        Self::ApplicantNotified,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Updated => "updated",
            Self::SlotReserved => "slot_reserved",
            Self::SlotConfirmed => "slot_confirmed",
            Self::SlotReleased => "slot_released",
            Self::Refused => "refused",
            Self::Held => "held",
            Self::NotHeld => "not_held",
            Self::ApplicantNotified => "applicant_notified",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// One event of a card's history: the action and the values before and after it (JSON objects).
#[derive(Debug, Clone, PartialEq)]
pub struct CardEvent {
    pub action: CardAction,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// A payload as the history stores it.
pub fn payload<T: Serialize>(value: &T) -> Result<Value, DomainError> {
    serde_json::to_value(value)
        .map_err(|e| DomainError::invalid("history", format!("not serialisable: {e}")))
}

impl CardEvent {
    /// An event with typed values before and after.
    pub fn new<B: Serialize, A: Serialize>(
        action: CardAction,
        before: &B,
        after: &A,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            action,
            before: Some(payload(before)?),
            after: Some(payload(after)?),
        })
    }

    /// The first event of a card.
    pub fn registered(card: &RegisteredCard) -> Result<Self, DomainError> {
        Ok(Self {
            action: CardAction::Registered,
            before: None,
            after: Some(payload(card)?),
        })
    }
}

/// The `registered` event: the server-filled requisites of a new card (R19) and where it came
/// from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisteredCard {
    pub registration_number: String,
    pub status: String,
    pub document_type: String,
    pub registration_date: NaiveDate,
    pub review_due: NaiveDate,
    pub forward_due: NaiveDate,
    pub transfer_due: Option<NaiveDate>,
    pub markings: Vec<String>,
    pub is_accountable: bool,
    #[serde(flatten)]
    pub origin: CardOrigin,
}

/// How a card came to the subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CardOrigin {
    /// A part forwarded by competence, registered at the receiver (p.11).
    ForwardedPart {
        main_appeal_id: i64,
        main_registration_number: String,
        forwarded_by_subject_id: i64,
        questions: Vec<String>,
    },
    /// Received by the subject and registered (p.4, p.13).
    Received {
        /// R42: what a complaint appeals.
        complaint: Option<ComplaintTarget>,
        /// p.13: the duplicate check run before registration (`None` only when it was off).
        duplicate_check: Option<DuplicateCheckNote>,
    },
}

/// The duplicate check as the `registered` event keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateCheckNote {
    pub verdict: Verdict,
    pub duplicate_of: Option<i64>,
    pub candidates: Vec<CandidateNote>,
}

/// One candidate of the check: which appeal, the engine's verdict and resemblance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateNote {
    pub appeal_id: i64,
    pub verdict: Verdict,
    pub similarity: f64,
}

/// One applicant as `applicants_changed` keeps it. History is the audit trail, so it keeps
/// requisite 4 in full; it is never written to logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantNote {
    pub ordinal: i32,
    pub category: String,
    pub iin_bin: Option<String>,
    pub full_name: Option<String>,
}

/// The applicants of a card before or after `applicants_changed` (R9: the count and the automatic
/// markings follow them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantSet {
    pub applicants: Vec<ApplicantNote>,
    pub applicant_count: usize,
    pub markings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_action_code_parses_back_and_matches_its_serde_name() {
        for action in CardAction::ALL {
            assert_eq!(CardAction::parse(action.code()), Some(action));
            assert_eq!(
                serde_json::to_value(action).ok(),
                Some(json!(action.code()))
            );
        }
        assert_eq!(CardAction::parse("renamed"), None);
        for action in ReceptionAction::ALL {
            assert_eq!(ReceptionAction::parse(action.code()), Some(action));
            assert_eq!(
                serde_json::to_value(action).ok(),
                Some(json!(action.code()))
            );
        }
    }

    fn registered(origin: CardOrigin) -> RegisteredCard {
        RegisteredCard {
            registration_number: "ЖТ-2026-00000042".to_owned(),
            status: "registered".to_owned(),
            document_type: "application".to_owned(),
            registration_date: NaiveDate::from_ymd_opt(2026, 3, 5).unwrap_or_default(),
            review_due: NaiveDate::from_ymd_opt(2026, 3, 26).unwrap_or_default(),
            forward_due: NaiveDate::from_ymd_opt(2026, 3, 10).unwrap_or_default(),
            transfer_due: None,
            markings: vec!["collective".to_owned()],
            is_accountable: true,
            origin,
        }
    }

    /// The typed event serialises to exactly the text the hand-built JSON had (the chain hashes
    /// the text).
    #[test]
    fn a_registration_event_serialises_like_the_hand_built_json() {
        let typed = registered(CardOrigin::Received {
            complaint: None,
            duplicate_check: Some(DuplicateCheckNote {
                verdict: Verdict::Related,
                duplicate_of: None,
                candidates: vec![CandidateNote {
                    appeal_id: 41,
                    verdict: Verdict::Related,
                    similarity: 0.42,
                }],
            }),
        });
        let by_hand = json!({
            "registration_number": "ЖТ-2026-00000042", "status": "registered",
            "document_type": "application", "registration_date": "2026-03-05",
            "review_due": "2026-03-26", "forward_due": "2026-03-10", "transfer_due": null,
            "markings": ["collective"], "is_accountable": true, "complaint": null,
            "duplicate_check": {"verdict": "related", "duplicate_of": null,
                "candidates": [{"appeal_id": 41, "verdict": "related", "similarity": 0.42}]},
        });
        let event = CardEvent::registered(&typed).ok();
        let text = event.and_then(|e| e.after).map(|v| v.to_string());
        assert_eq!(text, Some(by_hand.to_string()));
    }

    #[test]
    fn a_forwarded_part_event_serialises_like_the_hand_built_json() {
        let typed = registered(CardOrigin::ForwardedPart {
            main_appeal_id: 7,
            main_registration_number: "ЖТ-2026-00000007".to_owned(),
            forwarded_by_subject_id: 2,
            questions: vec!["Ремонт дороги".to_owned()],
        });
        let by_hand = json!({
            "registration_number": "ЖТ-2026-00000042", "status": "registered",
            "document_type": "application", "registration_date": "2026-03-05",
            "review_due": "2026-03-26", "forward_due": "2026-03-10", "transfer_due": null,
            "markings": ["collective"], "is_accountable": true, "main_appeal_id": 7,
            "main_registration_number": "ЖТ-2026-00000007", "forwarded_by_subject_id": 2,
            "questions": ["Ремонт дороги"],
        });
        assert_eq!(payload(&typed).ok(), Some(by_hand));
    }
}
