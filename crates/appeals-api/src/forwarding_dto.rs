//! The API view of a forwarding by competence (shared by the forwarding and the signing routes).

use appeals_domain::lifecycle::ForwardScope;
use appeals_service::forwarding;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dto::{Deadlines, SubjectRef, TalonDto};
use crate::error::ApiError;

/// Full or partial forwarding (APPK Art. 65 parts 1–2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ForwardingScope {
    /// The whole appeal goes to the receiver → «Переадресовано».
    Full,
    /// Some questions go to the receiver as a part `<main>/<k>` → «Переадресовано в части».
    Part,
}

impl ForwardingScope {
    pub fn domain(self) -> ForwardScope {
        match self {
            ForwardingScope::Full => ForwardScope::Full,
            ForwardingScope::Part => ForwardScope::Part,
        }
    }

    fn from_code(code: &str) -> Result<Self, ApiError> {
        match code {
            "full" => Ok(ForwardingScope::Full),
            "part" => Ok(ForwardingScope::Part),
            other => Err(ApiError::internal(format!(
                "stored forwarding scope `{other}` is unknown"
            ))),
        }
    }
}

/// The part registered at the receiver (R4, R5).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ForwardedPartDto {
    /// Id of the part's own card (`GET /api/v1/appeals/{id}`).
    pub id: i64,
    #[schema(example = "ЖТ-2026-00000042/1")]
    pub registration_number: String,
    pub part_k: i32,
    /// The part's current status.
    pub status: String,
    /// Registration date at the receiver.
    pub registration_date: NaiveDate,
    /// The part's own deadlines, counted at the receiver (R35).
    pub deadlines: Deadlines,
    /// Issued by the receiving subject when its registrar accepts the part (p.11 part 2, R5);
    /// null until then.
    pub talon: Option<TalonDto>,
    /// Not yet accepted by the receiving subject's registrar.
    pub awaiting_acceptance: bool,
}

/// A forwarding as recorded.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ForwardingDto {
    pub id: i64,
    /// The forwarded (main) appeal.
    pub appeal_id: i64,
    /// Its registration number, unchanged by forwarding (R2).
    #[schema(example = "ЖТ-2026-00000042")]
    pub registration_number: String,
    pub scope: ForwardingScope,
    /// The subject that forwarded.
    pub from_subject_id: i64,
    pub to_subject: SubjectRef,
    pub questions: Vec<String>,
    pub reason: Option<String>,
    pub forwarded_at: DateTime<Utc>,
    /// Local date of the forwarding (UTC+5), compared with `forward_due`.
    pub forwarded_on: NaiveDate,
    /// The forwarding deadline that applied (R34: 3 working days from receipt).
    pub forward_due: NaiveDate,
    /// Forwarded after `forward_due` (R34).
    pub is_late: bool,
    /// Review deadline at the receiver (the part's, or the whole appeal's after a full forwarding).
    pub receiver_review_due: NaiveDate,
    /// R35 setting applied: `restart_at_receiver` (default) or `keep_original`.
    pub term_policy: String,
    /// For `part`: the part's own card.
    pub part: Option<ForwardedPartDto>,
    pub created_by: i64,
}

/// The API view of a forwarding (with the part's current card data).
pub fn forwarding_dto(v: forwarding::ForwardingView) -> Result<ForwardingDto, ApiError> {
    let forwarding::ForwardingView {
        main,
        record: row,
        details,
        receiver: subject,
        part,
    } = v;
    let part = part.map(|(p, part_details)| ForwardedPartDto {
        id: p.id,
        registration_number: p.reg_number.clone(),
        part_k: p.part_k.unwrap_or_default(),
        status: p.status.clone(),
        registration_date: p.registration_date,
        deadlines: Deadlines {
            review_due: p.review_due,
            forward_due: p.forward_due,
            transfer_due: p.transfer_due,
            calendar_version: part_details.calendar_version,
        },
        awaiting_acceptance: part_details.awaiting_acceptance,
        talon: part_details.talon.map(TalonDto::from),
    });
    Ok(ForwardingDto {
        id: row.id,
        appeal_id: row.appeal_id,
        registration_number: main.reg_number.clone(),
        scope: ForwardingScope::from_code(&row.scope)?,
        from_subject_id: details.from_subject_id,
        to_subject: SubjectRef {
            id: subject.id,
            code: subject.code,
            name_ru: subject.name_ru,
        },
        questions: details.questions,
        reason: details.reason,
        forwarded_at: row.forwarded_at.and_utc(),
        forwarded_on: details.forwarded_on,
        forward_due: details.forward_due,
        is_late: row.is_late,
        receiver_review_due: details.receiver_review_due,
        term_policy: forwarding::policy_code(details.term_policy),
        part,
        created_by: row.created_by,
    })
}
