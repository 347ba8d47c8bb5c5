//! ОЛ-2 and the life-cycle actions around a decision: assignment to an executor, decisions (R22,
//! R40, R41), extension of the review term (R36, R37), withdrawal and continuation (R45), and the
//! p.15 transfer of a non-accountable document with its cancellation (R16–R18).
//!
//! The use-cases are `appeals_service::actions` and `appeals_service::decisions`: one transaction
//! each, the card loaded through the guard at the optional `If-Match` version, the body and the
//! domain rules checked, the life cycle deciding whether the action is allowed now (409
//! `invalid-transition` otherwise), and only then anything written — the ОЛ-2 row and the card
//! through the one card write path (one history event with before/after). The handlers parse the
//! body, build the command, run it and map the view to the wire types below.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use appeals_domain::acttime::LatenessBasis;
use appeals_domain::cards::Decision;
use appeals_domain::cards::Hearing;
use appeals_service::decisions::{self, Ol2, Ol2Kind, Ol2View};
use appeals_service::{actions, idempotency::Once};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::actions::{card_ok, idempotency, target};
use crate::auth::{Assigners, Auth, CaseOfficers, Continuers, Deciders, Heads, Readers};
use crate::card_view;
use crate::dto::AppealDto;
use crate::error::ApiResult;
use crate::extract::ValidatedJson;
use crate::state::AppState;

// ---------------------------------------------------------------------------------------------
// Wire types
// ---------------------------------------------------------------------------------------------

/// A decision on the appeal (one ОЛ-2 each, R22).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "decision_type": "provide_answer",
    "answer_character": "explained",
    "answer_text": "Отопление восстановлено 12.03.2026.",
    "decided_at": "2026-03-12T06:00:00Z"
}))]
pub struct RecordDecisionBody {
    /// Appeals: `take_note`, `terminate`, `provide_answer`, `favourable_act`, `burdensome_act`.
    /// Complaints: `leave_unsatisfied`, `cancel_act`, `cancel_act_and_adopt_new`,
    /// `perform_action`, `return_case_for_procedure`, `leave_without_consideration`,
    /// `fully_satisfied_by_act_or_action`.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub decision_type: String,
    /// `explained` (Разъяснено), `satisfied` (Удовлетворено), `refused` (Отказано): required for
    /// `provide_answer`, absent for `take_note` (R41).
    pub answer_character: Option<String>,
    /// `termination_reasons` code of the appeal's kind group, for `terminate` /
    /// `leave_without_consideration` only (R40).
    pub termination_reason: Option<String>,
    /// Complaints only: `complaint_decision_bases` codes.
    #[serde(default)]
    pub bases: Vec<String>,
    /// The answer (or its summary) given to the applicant.
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub answer_text: Option<String>,
    /// When the decision was signed (a paper answer's date); default: the time it is entered.
    /// Not before the receipt, not in the future, and — unless a head enters it — not more than
    /// `backdating_working_days` (3) working days before the entry. Kept beside the server's
    /// entry time (`created_at`).
    pub decided_at: Option<DateTime<Utc>>,
    /// R38 (APPK art. 73), `burdensome_act` only and then required: the day the participant
    /// received the hearing notice (at least 3 working days — setting
    /// `hearing_notice_working_days` — before `decided_at`), or why no hearing was held.
    #[validate(nested)]
    pub hearing: Option<HearingBody>,
    /// p.54 of the Instruction (issue 21): who signs the answer — default the caller. Where the
    /// answering subject has a hierarchy level, the signing-authority table decides who may
    /// (`GET /api/v1/appeals/{id}/signers`); another signer is 422 `signing-authority`.
    // Absent from the serialised body when not given, so `Idempotency-Key` hashes stay as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<SignedByBody>,
}

/// The signer of an answer (p.54).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"user_id": 3, "acting_for_head": false}))]
pub struct SignedByBody {
    /// A user of the answering subject (head, deputy head, executor) or a head of a subject above
    /// it.
    pub user_id: i64,
    /// A deputy head acting for the head («либо лицо, его замещающее»).
    #[serde(default)]
    pub acting_for_head: bool,
}

/// R38: the hearing before a burdensome act — exactly one of the two.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"notice_received_on": "2026-04-13"}))]
pub struct HearingBody {
    /// The day the participant received the hearing notice.
    pub notice_received_on: Option<NaiveDate>,
    /// Why no hearing was held (APPK art. 73 part 2).
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub not_held_reason: Option<String>,
}

impl HearingBody {
    fn hearing(self) -> ApiResult<Hearing> {
        match (self.notice_received_on, self.not_held_reason) {
            (Some(received_on), None) => Ok(Hearing::Notice { received_on }),
            (None, Some(reason)) => Ok(Hearing::NotHeld { reason }),
            _ => Err(appeals_service::AppError::field(
                "#/hearing",
                "give either `notice_received_on` or `not_held_reason`",
            )
            .into()),
        }
    }
}

/// Kind of an ОЛ-2 card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    /// A decision on the appeal or complaint.
    Decision,
    /// p.15 transfer to another information system (R16).
    Transfer,
    /// p.15 cancellation of a transfer (R18).
    TransferCancellation,
    /// p.13, p.22: the registrar's qualification of a repeat appeal (R14), recorded by
    /// `POST /api/v1/appeals/{id}/duplicate-decision`.
    DuplicateQualification,
}

impl From<Ol2Kind> for CardKind {
    fn from(kind: Ol2Kind) -> Self {
        match kind {
            Ol2Kind::Decision => CardKind::Decision,
            Ol2Kind::Transfer => CardKind::Transfer,
            Ol2Kind::TransferCancellation => CardKind::TransferCancellation,
            Ol2Kind::DuplicateQualification => CardKind::DuplicateQualification,
        }
    }
}

/// One ОЛ-2 card: a decision, a transfer or a transfer cancellation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": 7, "appeal_id": 42, "seq": 1, "card_kind": "decision",
    "registration_number": "ЖТ-2026-00000042",
    "decision_type": "provide_answer", "answer_character": "explained", "termination_reason": null,
    "bases": [], "answer_text": "Отопление восстановлено 12.03.2026.",
    "category": null, "target_system": null, "transfer_id": null, "cancellation_decided_at": null,
    "reason": null, "duplicate_verdict": null, "original_registration_number": null, "due": null, "is_late": null,
    "decided_at": "2026-03-12T06:00:00Z", "decided_by_user_id": 3, "created_at": "2026-03-12T06:00:01.123456Z",
    "entered_late": false, "hearing": null, "lateness_basis": "stated_act_time"
}))]
pub struct DecisionCardDto {
    /// Id of the ОЛ-2 card (a transfer's id is the `transfer_id` of its cancellation).
    pub id: i64,
    pub appeal_id: i64,
    /// 1, 2, … per appeal, in the order the cards were recorded (R22).
    pub seq: i32,
    pub card_kind: CardKind,
    /// ОЛ-2 requisite 2, copied from ОЛ-1 (R22).
    pub registration_number: String,
    pub decision_type: Option<String>,
    pub answer_character: Option<String>,
    pub termination_reason: Option<String>,
    pub bases: Vec<String>,
    pub answer_text: Option<String>,
    /// Transfers: the p.15 category of the document.
    pub category: Option<String>,
    /// Transfers: the receiving information system.
    pub target_system: Option<String>,
    /// Cancellations: the cancelled transfer's ОЛ-2 id.
    pub transfer_id: Option<i64>,
    /// Cancellations: when the decision to cancel was taken (the R18 term runs from it).
    pub cancellation_decided_at: Option<DateTime<Utc>>,
    /// Cancellations and duplicate qualifications: why.
    pub reason: Option<String>,
    /// Duplicate qualifications: `duplicate`, `related` or `new` (R14).
    pub duplicate_verdict: Option<String>,
    /// Duplicate qualifications: the original's registration number.
    pub original_registration_number: Option<String>,
    /// Transfers and cancellations: the last day the action was in time (R16, R18).
    pub due: Option<NaiveDate>,
    /// Transfers and cancellations: done after `due`.
    pub is_late: Option<bool>,
    /// When the act happened — the decision signed, the document transferred, the transfer
    /// cancelled: the stated time, else the entry's.
    pub decided_at: DateTime<Utc>,
    pub decided_by_user_id: i64,
    /// When the server recorded the act (never the client's clock).
    pub created_at: DateTime<Utc>,
    /// Entered on a later local day than `decided_at`.
    pub entered_late: bool,
    /// R38: the hearing before a burdensome act (`{"notice": {"received_on": …}}` or
    /// `{"not_held": {"reason": …}}`).
    #[schema(value_type = Option<Object>)]
    pub hearing: Option<serde_json::Value>,
    /// Which time `is_late` and the final-act date were judged on: `stated_act_time` (the law
    /// sets the term for the act, APPK art. 76, Rules p.15) or `entered_at` (no time stated).
    #[schema(example = "stated_act_time")]
    pub lateness_basis: String,
    /// p.54 (issue 21): the signer, the positions they held and the rule that allowed it
    /// (`rule` null: no rule for the subject's level).
    #[schema(value_type = Option<Object>, example = json!({"user_id": 3, "positions": ["head"], "rule": "p.54(5): refusals"}))]
    pub signed_by: Option<serde_json::Value>,
    /// The explanation the termination reason requires (p.23(3): the right to re-apply or to
    /// apply to the Supreme Court), also appended to `answer_text`.
    pub explanation: Option<String>,
}

/// A recorded ОЛ-2 with the card as it is after the action.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Ol2Outcome {
    pub decision: DecisionCardDto,
    pub appeal: AppealDto,
}

/// Extension of the review term by the head's motivated decision (R36).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"new_review_due": "2026-04-15", "reason": "Требуется выезд комиссии на место и получение заключения ГУ ЖКХ."}))]
pub struct ExtendBody {
    /// The extended review deadline (ОЛ-1 requisite 13): a working day after the current one, at
    /// most 2 calendar months from registration (setting `extension_cap_months`).
    pub new_review_due: NaiveDate,
    /// The motivation of the extension (required).
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub reason: String,
}

/// An accepted extension.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"review_due_before": "2026-03-31", "review_due": "2026-04-15", "cap": "2026-05-04",
    "notice_due": "2026-04-01", "prolong_count": 1, "reason": "Требуется выезд комиссии."}))]
pub struct ExtensionOutcome {
    pub review_due_before: NaiveDate,
    pub review_due: NaiveDate,
    /// The latest deadline an extension may reach (R36).
    pub cap: NaiveDate,
    /// Last day to notify the applicant of the extension (3 working days, R36).
    pub notice_due: NaiveDate,
    /// Signed extensions of this card (R37).
    pub prolong_count: u32,
    pub reason: String,
    /// Approved and waiting for the head's EDS signature (202): `review_due` has not moved yet;
    /// `GET /api/v1/appeals/{id}/signing-document`, then `POST /api/v1/appeals/{id}/signature`.
    pub awaiting_signature: bool,
    pub appeal: AppealDto,
}

/// Routing of a registered card to an executor («Направить в работу»).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"executor_user_id": 5}))]
pub struct AssignBody {
    /// A user of the holding subject with the `executor` role.
    pub executor_user_id: i64,
}

/// The applicant's withdrawal (R45).
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Вопрос решен, заявитель отзывает обращение.", "withdrawn_at": "2026-03-10T05:00:00Z"}))]
pub struct WithdrawBody {
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub reason: Option<String>,
    /// When the applicant withdrew; default now.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// «Продолжить рассмотрение» after a withdrawal (R45).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Обращение затрагивает права третьих лиц."}))]
pub struct ContinueBody {
    /// Why the consideration continues (required).
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub reason: String,
}

/// p.15 transfer of a non-accountable document to another information system (R16).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"target_system": "ИС «Е-собес»", "transferred_at": "2026-05-05T06:00:00Z"}))]
pub struct TransferBody {
    /// The receiving information system.
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub target_system: String,
    /// When the document was transferred; default now.
    pub transferred_at: Option<DateTime<Utc>>,
}

/// p.15 cancellation of a transfer (R18).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decided_at": "2026-05-06T04:00:00Z", "cancelled_at": "2026-05-06T09:00:00Z",
    "reason": "Документ не относится к категориям п. 15 и подлежит учету."}))]
pub struct CancelTransferBody {
    /// When the decision to cancel was taken; the 1-working-day term runs from its local date.
    pub decided_at: DateTime<Utc>,
    /// When the transfer was cancelled; default now.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why the transfer is cancelled (required).
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub reason: String,
}

// ---------------------------------------------------------------------------------------------
// Views → wire types
// ---------------------------------------------------------------------------------------------

fn decision_dto(ol2: &Ol2) -> DecisionCardDto {
    let (row, card, details) = (&ol2.row, &ol2.card, &ol2.details);
    let mut dto = DecisionCardDto {
        id: row.id,
        appeal_id: row.appeal_id,
        seq: row.seq,
        card_kind: ol2.kind().into(),
        registration_number: card.reg_number.to_string(),
        decision_type: None,
        answer_character: None,
        termination_reason: None,
        bases: Vec::new(),
        answer_text: details.answer_text.clone(),
        category: None,
        target_system: None,
        transfer_id: details.transfer_id,
        cancellation_decided_at: None,
        reason: details.reason.clone(),
        duplicate_verdict: None,
        original_registration_number: None,
        due: details.due,
        is_late: details.is_late,
        decided_at: card_view::utc(card.decided_at),
        decided_by_user_id: row.created_by,
        created_at: card_view::utc(row.created_at),
        entered_late: details.entered_late,
        hearing: details
            .hearing
            .as_ref()
            .and_then(|h| serde_json::to_value(h).ok()),
        lateness_basis: details
            .lateness_basis
            .unwrap_or(LatenessBasis::StatedActTime)
            .code()
            .to_owned(),
        signed_by: details
            .signed_by
            .as_ref()
            .and_then(|s| serde_json::to_value(s).ok()),
        explanation: details.explanation.clone(),
    };
    match &card.decision {
        Decision::Appeal {
            decision_type,
            answer_character,
            termination_reason,
        } => {
            dto.decision_type = Some(decision_type.code().to_owned());
            dto.answer_character = answer_character.map(|c| c.code().to_owned());
            dto.termination_reason = termination_reason.clone();
        }
        Decision::Complaint {
            decision_type,
            bases,
            termination_reason,
        } => {
            dto.decision_type = Some(decision_type.code().to_owned());
            dto.bases = bases.clone();
            dto.termination_reason = termination_reason.clone();
        }
        Decision::Transfer {
            category,
            target_system,
        } => {
            dto.category = Some(category.clone());
            dto.target_system = Some(target_system.clone());
        }
        Decision::TransferCancellation {
            cancellation_decided_at,
            ..
        } => {
            dto.cancellation_decided_at = Some(card_view::utc(*cancellation_decided_at));
        }
        Decision::DuplicateQualification {
            verdict,
            original_registration_number,
        } => {
            dto.duplicate_verdict = Some(verdict.clone());
            dto.original_registration_number = original_registration_number.clone();
        }
    }
    dto
}

/// The answer of an ОЛ-2 POST — what a retry with its `Idempotency-Key` replays.
fn ol2_outcome(view: Ol2View) -> ApiResult<Ol2Outcome> {
    let appeal = view.appeal;
    Ok(Ol2Outcome {
        decision: decision_dto(&view.ol2),
        appeal: card_view::view_of(&appeal.row, appeal.subject, appeal.applicants)?,
    })
}

fn created(outcome: Once<Ol2Outcome>) -> HttpResponse {
    let outcome = outcome.into_inner();
    HttpResponse::Created()
        .insert_header((header::ETAG, card_view::etag(outcome.appeal.version)))
        .json(outcome)
}

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

/// Route a registered card to an executor («Направить в работу»): status `registered` → `in_work`.
///
/// The executor must be an active user of the holding subject with the `executor` role (422
/// otherwise). Decisions (R22) and extensions (R37) need the card in work.
#[utoipa::path(
    tag = "decisions",
    request_body = AssignBody,
    params(("If-Match" = Option<String>, Header, description = "Optional: the card's ETag; a stale one is 412")),
    responses(
        (status = 200, description = "Routed; the card in work", body = AppealDto, headers(("ETag" = String))),
        (status = 409, description = "Not allowed in the card's current state (`invalid-transition`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appeals/{id}/assignment")]
pub async fn assign(
    state: web::Data<AppState>,
    auth: Auth<Assigners>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<AssignBody>,
) -> ApiResult<HttpResponse> {
    let target = target(&req, path.into_inner())?;
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| actions::assign(conn, &ctx, target, body.executor_user_id))
        .await?;
    card_ok(view)
}

/// Record a decision: one new ОЛ-2 per decision, never overwriting an earlier one (R22).
///
/// ОЛ-2 requisites 1–3 are copied from ОЛ-1; `seq` is 1, 2, … per appeal. The decision type comes
/// from the appeal decision types or, for complaints, the complaint decision types.
/// `terminate` / `leave_without_consideration` need a termination reason of the appeal's kind group
/// (R40: reasons 1–4 for messages, proposals, responses and requests, 5–9 for applications);
/// `provide_answer` needs an answer character and `take_note` must have none (R41) — each → 422
/// with a pointer. The card must be in work, extended, withdrawn (an accepted withdrawal, R45) or
/// already decided (409 otherwise); it becomes `decided`. The first decision is the final act (R44):
/// while an applicant's address differs from the postal address in the appeal and is not
/// reconciled it is a 409 `conflict` (R21; setting `appeals address-reconciliation`, default
/// `blocks_final_act`). `Idempotency-Key` makes retries safe.
#[utoipa::path(
    tag = "decisions",
    request_body = RecordDecisionBody,
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of recording twice"),
        ("If-Match" = Option<String>, Header, description = "Optional: the card's ETag; a stale one is 412"),
    ),
    responses(
        (status = 201, description = "ОЛ-2 recorded", body = Ol2Outcome, headers(("ETag" = String, description = "The card's new version"))),
        (status = 409, description = "Not allowed in the card's current state (`invalid-transition`), or an applicant's address is not reconciled yet (`conflict`, R21)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appeals/{id}/decisions")]
pub async fn record_decision(
    state: web::Data<AppState>,
    auth: Auth<Deciders>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<RecordDecisionBody>,
) -> ApiResult<HttpResponse> {
    let target = target(&req, path.into_inner())?;
    let idem = idempotency(&req, &body)?;
    let cmd = decisions::RecordDecision {
        target,
        decision_type: body.decision_type,
        answer_character: body.answer_character,
        termination_reason: body.termination_reason,
        bases: body.bases,
        answer_text: body.answer_text,
        decided_at: body.decided_at,
        hearing: body.hearing.map(HearingBody::hearing).transpose()?,
        signed_by: body.signed_by.map(|s| appeals_service::routing::Signer {
            user_id: s.user_id,
            acting_for_head: s.acting_for_head,
        }),
        idem,
    };
    let ctx = state.ctx(&auth);
    let outcome = state
        .db(move |conn| decisions::record_decision(conn, &ctx, cmd, ol2_outcome))
        .await?;
    Ok(created(outcome))
}

/// The ОЛ-2 cards of the appeal (decisions, transfers, transfer cancellations) in `seq` order.
#[utoipa::path(tag = "decisions", responses((status = 200, body = Vec<DecisionCardDto>)))]
#[get("/appeals/{id}/decisions")]
pub async fn list_decisions(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Vec<DecisionCardDto>>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let cards = state
        .run(move |conn| decisions::list_decisions(conn, &ctx, id))
        .await?;
    Ok(web::Json(cards.iter().map(decision_dto).collect()))
}

/// Extend the review term (APPK Art. 76; R36, R37) — the head's or a deputy head's motivated
/// decision.
///
/// Only `head` / `deputy_head` (403 for other roles, R36). `reason` is required. The new deadline
/// must be a working day after the current one and not beyond the cap — 2 calendar months from
/// registration by default (422 otherwise). The extension workflow request → approve → sign runs
/// at once (R37): the card becomes «Продлен срок обращения» (`extended`), `prolong_count` grows by
/// one and requisite 13 moves. The response names the last day to notify the applicant (3 working
/// days, R36). The card must be in work (409 otherwise).
///
/// Where the subject requires EDS signatures (`signature_required`, docs/access.md), the call
/// requests and approves only: 202 with `awaiting_signature: true`, the card in
/// `extension_approved` (work list `awaiting_signature`), and the deadline moves when the head
/// signs (`POST /api/v1/appeals/{id}/signature`).
#[utoipa::path(
    tag = "decisions",
    request_body = ExtendBody,
    params(("If-Match" = Option<String>, Header, description = "Optional: the card's ETag; a stale one is 412")),
    responses(
        (status = 201, description = "Extended", body = ExtensionOutcome, headers(("ETag" = String, description = "The card's new version"))),
        (status = 202, description = "Approved; waits for the EDS signature", body = ExtensionOutcome, headers(("ETag" = String, description = "The card's new version"))),
        (status = 409, description = "Not allowed in the card's current state (`invalid-transition`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appeals/{id}/extensions")]
pub async fn extend(
    state: web::Data<AppState>,
    auth: Auth<Heads>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<ExtendBody>,
) -> ApiResult<HttpResponse> {
    let target = target(&req, path.into_inner())?;
    let cmd = decisions::Extend {
        target,
        new_review_due: body.new_review_due,
        reason: body.reason,
    };
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| decisions::extend(conn, &ctx, cmd))
        .await?;
    let appeal = card_view::view_of(
        &view.appeal.row,
        view.appeal.subject,
        view.appeal.applicants,
    )?;
    let mut answer = if view.awaiting_signature {
        HttpResponse::Accepted()
    } else {
        HttpResponse::Created()
    };
    Ok(answer
        .insert_header((header::ETAG, card_view::etag(appeal.version)))
        .json(ExtensionOutcome {
            review_due_before: view.review_due_before,
            review_due: view.review_due,
            cap: view.cap,
            notice_due: view.notice_due,
            prolong_count: view.prolong_count,
            reason: view.reason,
            awaiting_signature: view.awaiting_signature,
            appeal,
        }))
}

/// Record the applicant's withdrawal → «Отозвано» (`withdrawn`, R45).
///
/// Allowed while the card is registered, in work or awaiting correction (409 otherwise); a pending
/// extension or forwarding is dropped. Afterwards either a decision records the accepted withdrawal
/// (termination reason 4 or 6, R45) or the consideration continues (`…/continuation`).
#[utoipa::path(
    tag = "decisions",
    request_body = WithdrawBody,
    params(("If-Match" = Option<String>, Header, description = "Optional: the card's ETag; a stale one is 412")),
    responses(
        (status = 200, description = "Withdrawn", body = AppealDto, headers(("ETag" = String))),
        (status = 409, description = "Not allowed in the card's current state (`invalid-transition`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appeals/{id}/withdrawal")]
pub async fn withdraw(
    state: web::Data<AppState>,
    auth: Auth<CaseOfficers>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<WithdrawBody>,
) -> ApiResult<HttpResponse> {
    let target = target(&req, path.into_inner())?;
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| actions::withdraw(conn, &ctx, target, body.reason, body.withdrawn_at))
        .await?;
    card_ok(view)
}

/// «Продолжить рассмотрение» after a withdrawal, with a mandatory reason (R45): `withdrawn` →
/// `in_work`.
#[utoipa::path(
    tag = "decisions",
    request_body = ContinueBody,
    params(("If-Match" = Option<String>, Header, description = "Optional: the card's ETag; a stale one is 412")),
    responses(
        (status = 200, description = "Considered again", body = AppealDto, headers(("ETag" = String))),
        (status = 409, description = "The card is not withdrawn (`invalid-transition`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appeals/{id}/continuation")]
pub async fn continue_consideration(
    state: web::Data<AppState>,
    auth: Auth<Continuers>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<ContinueBody>,
) -> ApiResult<HttpResponse> {
    let target = target(&req, path.into_inner())?;
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| actions::continue_consideration(conn, &ctx, target, body.reason))
        .await?;
    card_ok(view)
}

/// Transfer a non-accountable document to another information system via ОЛ-2 (Rules p.15; R16).
///
/// Only for cards registered with a `non_accountable_category` (422 otherwise), before any decision
/// (registered or in work; 409 otherwise). Stores an ОЛ-2 of kind `transfer`; the card becomes
/// `transferred` and leaves the `transfer_overdue` list. `is_late` flags a transfer after
/// `transfer_due` (3 working days from registration), compared on the local date of
/// `transferred_at`. Review terms of the receiving system run from the registration date here
/// (R17).
#[utoipa::path(
    tag = "decisions",
    request_body = TransferBody,
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response"),
        ("If-Match" = Option<String>, Header, description = "Optional: the card's ETag; a stale one is 412"),
    ),
    responses(
        (status = 201, description = "Transferred; ОЛ-2 recorded", body = Ol2Outcome, headers(("ETag" = String, description = "The card's new version"))),
        (status = 409, description = "Not allowed in the card's current state (`invalid-transition`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appeals/{id}/transfers")]
pub async fn transfer(
    state: web::Data<AppState>,
    auth: Auth<CaseOfficers>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<TransferBody>,
) -> ApiResult<HttpResponse> {
    let target = target(&req, path.into_inner())?;
    let idem = idempotency(&req, &body)?;
    let cmd = decisions::Transfer {
        target,
        target_system: body.target_system,
        transferred_at: body.transferred_at,
        idem,
    };
    let ctx = state.ctx(&auth);
    let outcome = state
        .db(move |conn| decisions::transfer(conn, &ctx, cmd, ol2_outcome))
        .await?;
    Ok(created(outcome))
}

/// Cancel a transfer (Rules p.15; R18): records when the decision to cancel was taken and when the
/// transfer was cancelled, and flags lateness.
///
/// The cancellation is due within 1 working day from the decision (`transfer_cancellation_due` of
/// the local date of `decided_at`); `is_late` is set when the local date of `cancelled_at` is after
/// it. Stores an ОЛ-2 of kind `transfer_cancellation`; the card is accounted and considered again
/// (`in_work`, its p.15 category cleared). `transfer_id` is the id of the transfer's ОЛ-2 (404 if it
/// is not a transfer of this card); a transfer is cancelled once (409).
#[utoipa::path(
    tag = "decisions",
    request_body = CancelTransferBody,
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response"),
        ("If-Match" = Option<String>, Header, description = "Optional: the card's ETag; a stale one is 412"),
    ),
    responses(
        (status = 201, description = "Cancelled; ОЛ-2 recorded", body = Ol2Outcome, headers(("ETag" = String, description = "The card's new version"))),
        (status = 409, description = "Not transferred, or already cancelled", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appeals/{id}/transfers/{transfer_id}/cancellation")]
pub async fn cancel_transfer(
    state: web::Data<AppState>,
    auth: Auth<CaseOfficers>,
    req: HttpRequest,
    path: web::Path<(i64, i64)>,
    ValidatedJson(body): ValidatedJson<CancelTransferBody>,
) -> ApiResult<HttpResponse> {
    let (id, transfer_id) = path.into_inner();
    let target = target(&req, id)?;
    let idem = idempotency(&req, &body)?;
    let cmd = decisions::CancelTransfer {
        target,
        transfer_id,
        decided_at: body.decided_at,
        cancelled_at: body.cancelled_at,
        reason: body.reason,
        idem,
    };
    let ctx = state.ctx(&auth);
    let outcome = state
        .db(move |conn| decisions::cancel_transfer(conn, &ctx, cmd, ol2_outcome))
        .await?;
    Ok(created(outcome))
}
