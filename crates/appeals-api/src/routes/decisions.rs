//! ОЛ-2 and the life-cycle actions around a decision: assignment to an executor, decisions (R22,
//! R40, R41), extension of the review term (R36, R37), withdrawal and continuation (R45), and the
//! p.15 transfer of a non-accountable document with its cancellation (R16–R18).
//!
//! Every action runs in one transaction: the card is loaded for writing (another subject's card →
//! 404), the optional `If-Match` is checked, the body and the domain rules are checked, the life
//! cycle ([`lifecycle::apply`]) decides whether the action is allowed now (409
//! `invalid-transition` otherwise), and only then is anything written — the ОЛ-2 row and the card
//! through [`workflow::commit_change`] (one history event with before/after).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use appeals_db::rows::{AppealRow, DecisionCardRow, NewDecisionCardRow};
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::DomainError;
use appeals_domain::cards::{
    AddressReconciliationPolicy, AppealCard, Decision, DecisionBooks, DecisionCard,
};
use appeals_domain::deadline;
use appeals_domain::dictionary::{
    AnswerCharacter, AppealDecisionType, AppealKind, ComplaintDecisionType, DictionaryName,
};
use appeals_domain::lifecycle::Command;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::actions::{
    card_ok, expected_version, fail_if_any, field, instant, load_for_action, local_date, not_blank,
    parse_code, target, transition,
};
use crate::auth::{Assigners, Auth, CaseOfficers, Continuers, Deciders, Heads, Principal, Readers};
use crate::dto::AppealDto;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidatedJson;
use crate::rules::Rules;
use crate::rules::Today;
use crate::state::AppState;
use crate::workflow;
use appeals_service::actions;
use appeals_service::idempotency::Once;

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
    /// When the decision was signed; default now. Not before the receipt, not in the future.
    pub decided_at: Option<DateTime<Utc>>,
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
}

impl CardKind {
    fn code(self) -> &'static str {
        match self {
            CardKind::Decision => "decision",
            CardKind::Transfer => "transfer",
            CardKind::TransferCancellation => "transfer_cancellation",
        }
    }

    fn of(decision: &Decision) -> Self {
        match decision {
            Decision::Appeal { .. } | Decision::Complaint { .. } => CardKind::Decision,
            Decision::Transfer { .. } => CardKind::Transfer,
            Decision::TransferCancellation { .. } => CardKind::TransferCancellation,
        }
    }
}

/// Facts kept beside an ОЛ-2 card (`decision_cards.details`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct CardDetails {
    #[serde(default)]
    answer_text: Option<String>,
    /// Reason of a transfer cancellation.
    #[serde(default)]
    reason: Option<String>,
    /// For a cancellation: the id of the cancelled transfer's ОЛ-2.
    #[serde(default)]
    transfer_id: Option<i64>,
    /// The due date the action was measured against (transfer R16, cancellation R18).
    #[serde(default)]
    due: Option<NaiveDate>,
    #[serde(default)]
    is_late: Option<bool>,
}

/// One ОЛ-2 card: a decision, a transfer or a transfer cancellation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": 7, "appeal_id": 42, "seq": 1, "card_kind": "decision",
    "registration_number": "ЖТ-2026-00000042",
    "decision_type": "provide_answer", "answer_character": "explained", "termination_reason": null,
    "bases": [], "answer_text": "Отопление восстановлено 12.03.2026.",
    "category": null, "target_system": null, "transfer_id": null, "cancellation_decided_at": null,
    "reason": null, "due": null, "is_late": null,
    "decided_at": "2026-03-12T06:00:00Z", "decided_by_user_id": 3, "created_at": "2026-03-12T06:00:01.123456Z"
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
    /// Cancellations: why.
    pub reason: Option<String>,
    /// Transfers and cancellations: the last day the action was in time (R16, R18).
    pub due: Option<NaiveDate>,
    /// Transfers and cancellations: done after `due`.
    pub is_late: Option<bool>,
    /// When the decision was signed (transfers: transferred; cancellations: cancelled).
    pub decided_at: DateTime<Utc>,
    pub decided_by_user_id: i64,
    pub created_at: DateTime<Utc>,
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
// ОЛ-2 steps (the steps every action shares are in `crate::actions`)
// ---------------------------------------------------------------------------------------------

fn books(rules: &Rules) -> Result<DecisionBooks<'_>, ApiError> {
    Ok(DecisionBooks {
        termination_reasons: rules.dictionary(DictionaryName::TerminationReasons)?,
        complaint_decision_bases: rules.dictionary(DictionaryName::ComplaintDecisionBases)?,
        non_accountable_categories: rules.dictionary(DictionaryName::NonAccountableCategories)?,
    })
}

/// The ОЛ-2 cards of an appeal with their parsed content.
fn load_cards(
    conn: &mut DbConn,
    appeal_id: i64,
) -> Result<Vec<(DecisionCardRow, DecisionCard)>, ApiError> {
    repo::decisions::list(conn, appeal_id)?
        .into_iter()
        .map(|row| {
            let card = workflow::parse_json(&row.card, "ОЛ-2 card")?;
            Ok((row, card))
        })
        .collect()
}

/// What an action puts on a new ОЛ-2.
struct NewOl2 {
    decision: Decision,
    decided_at: NaiveDateTime,
    details: CardDetails,
}

/// Records a new ОЛ-2 after the existing ones (R22) and stores it.
fn record_card(
    conn: &mut DbConn,
    rules: &Rules,
    p: &Principal,
    row: &AppealRow,
    card: &AppealCard,
    new: NewOl2,
) -> Result<DecisionCardRow, ApiError> {
    let NewOl2 {
        decision,
        decided_at,
        details,
    } = new;
    let existing: Vec<DecisionCard> = load_cards(conn, row.id)?
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    let kind = CardKind::of(&decision);
    let ol2 = DecisionCard::record(
        card,
        &existing,
        decision,
        &p.user_id.to_string(),
        decided_at,
        &books(rules)?,
    )?;
    Ok(repo::decisions::insert(
        conn,
        &NewDecisionCardRow {
            appeal_id: row.id,
            seq: i32::try_from(ol2.seq).map_err(ApiError::internal)?,
            card_kind: kind.code().to_owned(),
            card: workflow::to_json(&ol2)?,
            created_at: appeals_db::now_utc(),
            created_by: p.user_id,
            details: workflow::to_json(&details)?,
        },
    )?)
}

pub(crate) fn card_dto(row: &DecisionCardRow) -> Result<DecisionCardDto, ApiError> {
    let card: DecisionCard = workflow::parse_json(&row.card, "ОЛ-2 card")?;
    let details: CardDetails = workflow::parse_json(&row.details, "ОЛ-2 details")?;
    let mut dto = DecisionCardDto {
        id: row.id,
        appeal_id: row.appeal_id,
        seq: row.seq,
        card_kind: CardKind::of(&card.decision),
        registration_number: card.reg_number.to_string(),
        decision_type: None,
        answer_character: None,
        termination_reason: None,
        bases: Vec::new(),
        answer_text: details.answer_text,
        category: None,
        target_system: None,
        transfer_id: details.transfer_id,
        cancellation_decided_at: None,
        reason: details.reason,
        due: details.due,
        is_late: details.is_late,
        decided_at: workflow::utc(card.decided_at),
        decided_by_user_id: row.created_by,
        created_at: workflow::utc(row.created_at),
    };
    match card.decision {
        Decision::Appeal {
            decision_type,
            answer_character,
            termination_reason,
        } => {
            dto.decision_type = Some(decision_type.code().to_owned());
            dto.answer_character = answer_character.map(|c| c.code().to_owned());
            dto.termination_reason = termination_reason;
        }
        Decision::Complaint {
            decision_type,
            bases,
            termination_reason,
        } => {
            dto.decision_type = Some(decision_type.code().to_owned());
            dto.bases = bases;
            dto.termination_reason = termination_reason;
        }
        Decision::Transfer {
            category,
            target_system,
        } => {
            dto.category = Some(category);
            dto.target_system = Some(target_system);
        }
        Decision::TransferCancellation {
            cancellation_decided_at,
            ..
        } => {
            dto.cancellation_decided_at = Some(workflow::utc(cancellation_decided_at));
        }
    }
    Ok(dto)
}

fn created(outcome: &Ol2Outcome) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::ETAG, workflow::etag(outcome.appeal.version)))
        .json(outcome)
}

/// Builds the decision of the body for the appeal's kind (appeal or complaint decision types).
fn decision_of(body: &RecordDecisionBody, kind: AppealKind) -> Result<Decision, ApiError> {
    let mut errors = Vec::new();
    let decision = if kind == AppealKind::Complaint {
        if body.answer_character.is_some() {
            errors.push(field(
                "#/answer_character",
                "a complaint decision has no answer character",
            ));
        }
        match parse_code::<ComplaintDecisionType>(&body.decision_type) {
            Some(decision_type) => Some(Decision::Complaint {
                decision_type,
                bases: body.bases.clone(),
                termination_reason: body.termination_reason.clone(),
            }),
            None => {
                let known: Vec<_> = ComplaintDecisionType::ALL
                    .iter()
                    .map(|t| t.code())
                    .collect();
                errors.push(field(
                    "#/decision_type",
                    format!(
                        "`{}` is not a complaint decision type; one of: {}",
                        body.decision_type,
                        known.join(", ")
                    ),
                ));
                None
            }
        }
    } else {
        if !body.bases.is_empty() {
            errors.push(field("#/bases", "bases apply to complaint decisions only"));
        }
        let answer_character = match &body.answer_character {
            None => None,
            Some(code) => match parse_code::<AnswerCharacter>(code) {
                Some(c) => Some(c),
                None => {
                    let known: Vec<_> = AnswerCharacter::ALL.iter().map(|c| c.code()).collect();
                    errors.push(field(
                        "#/answer_character",
                        format!(
                            "`{code}` is not an answer character; one of: {}",
                            known.join(", ")
                        ),
                    ));
                    None
                }
            },
        };
        match parse_code::<AppealDecisionType>(&body.decision_type) {
            Some(decision_type) => Some(Decision::Appeal {
                decision_type,
                answer_character,
                termination_reason: body.termination_reason.clone(),
            }),
            None => {
                let known: Vec<_> = AppealDecisionType::ALL.iter().map(|t| t.code()).collect();
                errors.push(field(
                    "#/decision_type",
                    format!(
                        "`{}` is not a decision type of a {kind}; one of: {}",
                        body.decision_type,
                        known.join(", ")
                    ),
                ));
                None
            }
        }
    };
    match decision {
        Some(d) if errors.is_empty() => Ok(d),
        _ => Err(ApiError::validation(errors)),
    }
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

/// R21 [INF]: under `AddressReconciliationPolicy::BlocksFinalAct` the final act waits until every
/// applicant's address agrees with the postal address in the appeal or is reconciled.
fn ensure_addresses_reconciled(
    conn: &mut appeals_db::DbConn,
    rules: &crate::rules::Rules,
    appeal_id: i64,
) -> Result<(), ApiError> {
    if rules.address_reconciliation != AddressReconciliationPolicy::BlocksFinalAct {
        return Ok(());
    }
    for row in repo::appeals::applicants(conn, appeal_id)? {
        let stored: crate::applicants::StoredApplicant =
            workflow::parse_json(&row.card, "applicant card")?;
        if let Err(e) = stored.card.ensure_final() {
            return Err(ApiError::conflict(format!(
                "Applicant {}: {}. Reconcile it first (POST /api/v1/appeals/{appeal_id}/applicants/{}/address-reconciliation).",
                row.ordinal,
                crate::routes::appeals::domain_reason(e),
                row.ordinal
            )));
        }
    }
    Ok(())
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
    let id = path.into_inner();
    let expected = expected_version(&req)?;
    let idem = crate::actions::idempotency(&req, &body)?;
    let rules = state.rules();
    let principal = auth.principal.clone();
    let outcome = state
        .db(move |conn| {
            appeals_service::idempotency::once(
                conn,
                principal.user_id,
                idem,
                appeals_db::now_utc(),
                |conn| {
                    let (row, mut parts) = load_for_action(conn, &principal, id, expected)?;
                    let decision = decision_of(&body, parts.card.kind())?;
                    let mut errors = Vec::new();
                    let decided_at = instant(
                        body.decided_at,
                        "#/decided_at",
                        row.received_at,
                        &mut errors,
                    );
                    fail_if_any(errors)?;
                    decision.validate(parts.card.kind(), &books(&rules)?)?;
                    let before = serde_json::json!({
                        "status": row.status,
                        "decisions": parts.state.decisions(),
                    });
                    // R44: the first decision is the final act; later ones do not move it.
                    if parts.state.decisions() == 0 {
                        ensure_addresses_reconciled(conn, &rules, row.id)?;
                        parts.details.final_act_on =
                            Some(rules.local_time(workflow::utc(decided_at)).date());
                    }
                    transition(&mut parts, &[Command::RecordDecision])?;
                    let details = CardDetails {
                        answer_text: body.answer_text.clone(),
                        ..CardDetails::default()
                    };
                    let ol2 = record_card(
                        conn,
                        &rules,
                        &principal,
                        &row,
                        &parts.card,
                        NewOl2 {
                            decision,
                            decided_at,
                            details,
                        },
                    )?;
                    let decision = card_dto(&ol2)?;
                    let next = parts.apply_to(&row)?;
                    let saved = workflow::commit_change(
                        conn,
                        &principal,
                        &row,
                        next,
                        "decision_recorded",
                        Some(before),
                        Some(serde_json::json!({
                            "status": parts.state.status().code(),
                            "decisions": parts.state.decisions(),
                            "decision_card_id": ol2.id,
                            "seq": ol2.seq,
                            "decision_type": decision.decision_type,
                            "answer_character": decision.answer_character,
                            "termination_reason": decision.termination_reason,
                            "decided_at": decision.decided_at,
                        })),
                    )?;
                    let appeal = workflow::view(conn, &saved)?;
                    Ok(Ol2Outcome { decision, appeal })
                },
            )
            .map(Once::into_inner)
        })
        .await?;
    Ok(created(&outcome))
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
    let principal = auth.principal.clone();
    let rows = state
        .db(move |conn| {
            workflow::load_card(conn, &principal, id)?;
            Ok(repo::decisions::list(conn, id)?)
        })
        .await?;
    Ok(web::Json(
        rows.iter().map(card_dto).collect::<Result<Vec<_>, _>>()?,
    ))
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
#[utoipa::path(
    tag = "decisions",
    request_body = ExtendBody,
    params(("If-Match" = Option<String>, Header, description = "Optional: the card's ETag; a stale one is 412")),
    responses(
        (status = 201, description = "Extended", body = ExtensionOutcome, headers(("ETag" = String, description = "The card's new version"))),
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
    let id = path.into_inner();
    let expected = expected_version(&req)?;
    let mut errors = Vec::new();
    not_blank(&body.reason, "#/reason", &mut errors);
    fail_if_any(errors)?;
    let rules = state.rules();
    let principal = auth.principal.clone();
    let outcome = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let (row, mut parts) = load_for_action(conn, &principal, id, expected)?;
                let extension = deadline::check_extension(
                    &rules.calendar,
                    &rules.deadlines,
                    row.registration_date,
                    row.review_due,
                    body.new_review_due,
                    rules.today(),
                )
                .map_err(|e| match e {
                    DomainError::Invalid { reason, .. } => {
                        ApiError::invalid_field("#/new_review_due", reason)
                    }
                    other => other.into(),
                })?;
                let before = serde_json::json!({
                    "review_due": row.review_due,
                    "status": row.status,
                    "prolong_count": parts.state.prolong_count(),
                });
                let new_date = extension.new_deadline.date;
                transition(
                    &mut parts,
                    &[
                        Command::RequestExtension {
                            new_control_date: new_date,
                        },
                        Command::ApproveExtension,
                        Command::SignExtension,
                    ],
                )?;
                parts.card.extend_control_date(new_date)?;
                let next = parts.apply_to(&row)?;
                let saved = workflow::commit_change(
                    conn,
                    &principal,
                    &row,
                    next,
                    "review_extended",
                    Some(before),
                    Some(serde_json::json!({
                        "review_due": new_date,
                        "status": parts.state.status().code(),
                        "prolong_count": parts.state.prolong_count(),
                        "reason": body.reason,
                        "cap": extension.cap.date,
                        "notice_due": extension.notice_due.date,
                    })),
                )?;
                Ok(ExtensionOutcome {
                    review_due_before: row.review_due,
                    review_due: new_date,
                    cap: extension.cap.date,
                    notice_due: extension.notice_due.date,
                    prolong_count: parts.state.prolong_count(),
                    reason: body.reason.clone(),
                    appeal: workflow::view(conn, &saved)?,
                })
            })
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, workflow::etag(outcome.appeal.version)))
        .json(outcome))
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
    let id = path.into_inner();
    let expected = expected_version(&req)?;
    let mut errors = Vec::new();
    not_blank(&body.target_system, "#/target_system", &mut errors);
    fail_if_any(errors)?;
    let idem = crate::actions::idempotency(&req, &body)?;
    let rules = state.rules();
    let principal = auth.principal.clone();
    let outcome = state
        .db(move |conn| {
            appeals_service::idempotency::once(
                conn,
                principal.user_id,
                idem,
                appeals_db::now_utc(),
                |conn| {
                    let (row, mut parts) = load_for_action(conn, &principal, id, expected)?;
                    let Some(category) = parts.card.non_accountable_category.clone() else {
                        return Err(ApiError::invalid_field(
                            "#",
                            "only a document registered with a `non_accountable_category` is \
                             transferred to another information system (Rules p.15)",
                        ));
                    };
                    let mut errors = Vec::new();
                    let transferred_at = instant(
                        body.transferred_at,
                        "#/transferred_at",
                        row.received_at,
                        &mut errors,
                    );
                    fail_if_any(errors)?;
                    let due = match row.transfer_due {
                        Some(d) => d,
                        None => {
                            deadline::transfer_due(
                                &rules.calendar,
                                &rules.deadlines,
                                row.registration_date,
                            )?
                            .date
                        }
                    };
                    let is_late = local_date(&rules, transferred_at) > due;
                    transition(&mut parts, &[Command::Transfer])?;
                    let ol2 = record_card(
                        conn,
                        &rules,
                        &principal,
                        &row,
                        &parts.card,
                        NewOl2 {
                            decision: Decision::Transfer {
                                category,
                                target_system: body.target_system.trim().to_owned(),
                            },
                            decided_at: transferred_at,
                            details: CardDetails {
                                due: Some(due),
                                is_late: Some(is_late),
                                ..CardDetails::default()
                            },
                        },
                    )?;
                    let decision = card_dto(&ol2)?;
                    let next = parts.apply_to(&row)?;
                    let saved = workflow::commit_change(
                        conn,
                        &principal,
                        &row,
                        next,
                        "transferred",
                        Some(serde_json::json!({"status": row.status})),
                        Some(serde_json::json!({
                            "status": parts.state.status().code(),
                            "decision_card_id": ol2.id,
                            "seq": ol2.seq,
                            "target_system": decision.target_system,
                            "transferred_at": decision.decided_at,
                            "transfer_due": due,
                            "is_late": is_late,
                        })),
                    )?;
                    let appeal = workflow::view(conn, &saved)?;
                    Ok(Ol2Outcome { decision, appeal })
                },
            )
            .map(Once::into_inner)
        })
        .await?;
    Ok(created(&outcome))
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
    let expected = expected_version(&req)?;
    let mut errors = Vec::new();
    not_blank(&body.reason, "#/reason", &mut errors);
    fail_if_any(errors)?;
    let idem = crate::actions::idempotency(&req, &body)?;
    let rules = state.rules();
    let principal = auth.principal.clone();
    let outcome = state
        .db(move |conn| {
            appeals_service::idempotency::once(
                conn,
                principal.user_id,
                idem,
                appeals_db::now_utc(),
                |conn| {
                    let (row, mut parts) = load_for_action(conn, &principal, id, expected)?;
                    let (transfer_row, transfer_card) = load_cards(conn, row.id)?
                        .into_iter()
                        .find(|(r, c)| {
                            r.id == transfer_id && matches!(c.decision, Decision::Transfer { .. })
                        })
                        .ok_or_else(|| {
                            ApiError::not_found(format!(
                                "Appeal {id} has no transfer {transfer_id}."
                            ))
                        })?;
                    let mut errors = Vec::new();
                    let decided_at = instant(
                        Some(body.decided_at),
                        "#/decided_at",
                        transfer_card.decided_at,
                        &mut errors,
                    );
                    let cancelled_at =
                        instant(body.cancelled_at, "#/cancelled_at", decided_at, &mut errors);
                    fail_if_any(errors)?;
                    let due = deadline::transfer_cancellation_due(
                        &rules.calendar,
                        &rules.deadlines,
                        local_date(&rules, decided_at),
                    )?
                    .date;
                    let is_late = local_date(&rules, cancelled_at) > due;
                    let category_before = parts.card.non_accountable_category.clone();
                    transition(&mut parts, &[Command::CancelTransfer])?;
                    let ol2 = record_card(
                        conn,
                        &rules,
                        &principal,
                        &row,
                        &parts.card,
                        NewOl2 {
                            decision: Decision::TransferCancellation {
                                transfer_seq: u32::try_from(transfer_row.seq)
                                    .map_err(ApiError::internal)?,
                                cancellation_decided_at: decided_at,
                            },
                            decided_at: cancelled_at,
                            details: CardDetails {
                                reason: Some(body.reason.trim().to_owned()),
                                transfer_id: Some(transfer_row.id),
                                due: Some(due),
                                is_late: Some(is_late),
                                ..CardDetails::default()
                            },
                        },
                    )?;
                    // R18: the cancelled transfer was a wrong p.15 classification; the document
                    // is accounted (and reported in 1-ОЛ) like any other from now on.
                    parts.card.non_accountable_category = None;
                    let decision = card_dto(&ol2)?;
                    let next = parts.apply_to(&row)?;
                    let saved = workflow::commit_change(
                        conn,
                        &principal,
                        &row,
                        next,
                        "transfer_cancelled",
                        Some(serde_json::json!({
                            "status": row.status,
                            "non_accountable_category": category_before,
                            "is_accountable": row.is_accountable,
                        })),
                        Some(serde_json::json!({
                            "status": parts.state.status().code(),
                            "non_accountable_category": null,
                            "is_accountable": true,
                            "decision_card_id": ol2.id,
                            "seq": ol2.seq,
                            "transfer_id": transfer_row.id,
                            "reason": decision.reason,
                            "decided_at": decision.cancellation_decided_at,
                            "cancelled_at": decision.decided_at,
                            "cancellation_due": due,
                            "is_late": is_late,
                        })),
                    )?;
                    let appeal = workflow::view(conn, &saved)?;
                    Ok(Ol2Outcome { decision, appeal })
                },
            )
            .map(Once::into_inner)
        })
        .await?;
    Ok(created(&outcome))
}
