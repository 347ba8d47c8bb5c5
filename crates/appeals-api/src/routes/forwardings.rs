//! Forwarding by competence (APPK Art. 65; Rules p.11; R4, R5, R34, R35): a whole appeal moves to
//! the competent subject, or one part of it is registered there as `<main>/<k>`.
//! See docs/forwarding.md for the choices the sources leave open.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{Auth, Forwarders, Readers};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::extract::ValidatedJson;
use crate::forwarding_dto::{ForwardingDto, ForwardingScope, forwarding_dto};
use crate::state::AppState;
use appeals_service::forwarding;
use appeals_service::idempotency::Once;

/// A forwarding by competence. For `part`, `questions` lists the questions (requirements)
/// forwarded; they become the part's text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to_subject_id": 7, "scope": "part",
    "questions": ["Ремонт школы № 12 (компетенция управления образования)"],
    "reason": "Вопрос относится к компетенции управления образования"}))]
pub struct ForwardAppeal {
    /// The competent subject that receives the appeal or part.
    pub to_subject_id: i64,
    pub scope: ForwardingScope,
    /// The questions forwarded (required and non-empty for `part`).
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    pub questions: Vec<String>,
    /// Why the receiver is competent (shown in the history).
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// Body checks that need no database: every invalid field at once.
fn check_body(body: &ForwardAppeal) -> Result<Vec<String>, ApiError> {
    let mut errors = Vec::new();
    let questions: Vec<String> = body
        .questions
        .iter()
        .map(|q| q.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for (i, q) in questions.iter().enumerate() {
        if q.is_empty() {
            errors.push(FieldError {
                pointer: format!("#/questions/{i}"),
                detail: "must not be blank".to_owned(),
            });
        } else if q.chars().count() > 5000 {
            errors.push(FieldError {
                pointer: format!("#/questions/{i}"),
                detail: "is longer than 5000 characters".to_owned(),
            });
        }
    }
    if body.scope == ForwardingScope::Part && questions.is_empty() {
        errors.push(FieldError {
            pointer: "#/questions".to_owned(),
            detail: "a partial forwarding names the questions it forwards".to_owned(),
        });
    }
    if errors.is_empty() {
        Ok(questions)
    } else {
        Err(ApiError::validation(errors))
    }
}

/// What a forwarding call answered (stored for an `Idempotency-Key` retry).
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
enum ForwardAnswer {
    Forwarded(Box<ForwardingDto>),
    AwaitingSignature(AwaitingSignatureDto),
}

/// An approval waiting for the head's EDS signature (R35, R37; docs/access.md).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "appeal_id": 42, "registration_number": "ЖТ-2026-00000042", "status": "in_work",
    "pending": "forwarding_approved", "version": 4,
    "signing_document": "/api/v1/appeals/42/signing-document",
    "signature": "/api/v1/appeals/42/signature"
}))]
pub struct AwaitingSignatureDto {
    pub appeal_id: i64,
    pub registration_number: String,
    pub status: String,
    /// `forwarding_approved` or `extension_approved`.
    pub pending: Option<String>,
    pub version: i64,
    /// Where to read the document to sign.
    pub signing_document: String,
    /// Where to send the detached signature.
    pub signature: String,
}

impl AwaitingSignatureDto {
    pub fn of(row: &appeals_service::views::AppealRow) -> Self {
        Self {
            appeal_id: row.id,
            registration_number: row.reg_number.clone(),
            status: row.status.clone(),
            pending: row.pending.clone(),
            version: row.version,
            signing_document: format!("/api/v1/appeals/{}/signing-document", row.id),
            signature: format!("/api/v1/appeals/{}/signature", row.id),
        }
    }
}

fn created(dto: &ForwardingDto) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/appeals/{}/forwardings/{}", dto.appeal_id, dto.id),
        ))
        .json(dto)
}

/// Forward an appeal, or a part of it, by competence (APPK Art. 65; Rules p.11).
///
/// Takes effect at once: the lifecycle commands `start_forwarding` → `approve_forwarding` →
/// `sign_forwarding` are applied in one transaction (R35; 409 `invalid-transition` when the state
/// does not allow forwarding). `part`: the questions are registered at the receiver as a new card
/// `<main>/<k>` (k = 1, 2, … per main appeal, never reused, R4) with its own deadlines from the
/// receiver's receipt (R35, default `restart_at_receiver`), waiting in the receiver's inbox until
/// its registrar accepts it (`POST /api/v1/appeals/{part}/acceptance`), which issues its talon
/// in the receiver's name (p.11 part 2, R5); copies of the applicants, tags and markings; the main appeal becomes `forwarded_in_part`.
/// `full`: the card moves to the receiver (number unchanged, R2; the registering subject keeps read
/// access), its review term restarts there, and it becomes `forwarded`. A forwarding after
/// `forward_due` (3 working days, R34) is flagged `is_late`. `Location` names the forwarding.
///
/// Where the holding subject requires EDS signatures (`signature_required`, docs/access.md) the
/// call drafts and approves only: 202 with the card in `forwarding_approved` (work list
/// `awaiting_signature`) and `Location` naming the document to sign; the forwarding takes effect
/// when the head signs it (`POST /api/v1/appeals/{id}/signature`).
#[utoipa::path(
    tag = "forwardings",
    request_body = ForwardAppeal,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of forwarding twice")),
    responses(
        (status = 201, description = "Forwarded; `Location` names the forwarding", body = ForwardingDto,
         headers(("Location" = String, description = "/api/v1/appeals/{id}/forwardings/{forwarding_id}"))),
        (status = 202, description = "Approved; waits for the EDS signature", body = AwaitingSignatureDto,
         headers(("Location" = String, description = "/api/v1/appeals/{id}/signing-document"))),
        (status = 409, description = "The appeal's state does not allow forwarding (`invalid-transition`), a part of a part, or a concurrent change (`conflict`)",
         body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appeals/{id}/forwardings")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth<Forwarders>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<ForwardAppeal>,
) -> ApiResult<HttpResponse> {
    let appeal_id = path.into_inner();
    let idem = crate::actions::idempotency(&req, &body)?;
    let questions = check_body(&body)?;
    let cmd = forwarding::Forward {
        appeal_id,
        to_subject_id: body.to_subject_id,
        scope: body.scope.domain(),
        questions,
        reason: body.reason,
        idem,
    };
    let ctx = state.ctx(&auth);
    let answer = state
        .db(move |conn| {
            forwarding::forward(conn, &ctx, cmd, |conn, outcome| match outcome {
                forwarding::ForwardOutcome::Forwarded(done) => {
                    Ok(ForwardAnswer::Forwarded(Box::new(forwarding_dto(
                        forwarding::view(conn, &done.appeal, done.record)?,
                    )?)))
                }
                forwarding::ForwardOutcome::AwaitingSignature(row) => Ok(
                    ForwardAnswer::AwaitingSignature(AwaitingSignatureDto::of(&row)),
                ),
            })
            .map(Once::into_inner)
        })
        .await?;
    Ok(match answer {
        ForwardAnswer::Forwarded(dto) => created(&dto),
        ForwardAnswer::AwaitingSignature(pending) => HttpResponse::Accepted()
            .insert_header((header::LOCATION, pending.signing_document.clone()))
            .json(pending),
    })
}

/// The forwardings of an appeal (oldest first), each with its part's current card data.
///
/// Readable by the subject that holds the appeal and by the subject that registered it (after a
/// full forwarding they differ).
#[utoipa::path(tag = "forwardings", responses((status = 200, body = Vec<ForwardingDto>)))]
#[get("/appeals/{id}/forwardings")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Vec<ForwardingDto>>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let views = state
        .run(move |conn| forwarding::list(conn, &ctx, id))
        .await?;
    let items = views
        .into_iter()
        .map(forwarding_dto)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(web::Json(items))
}

/// One forwarding of an appeal (R34 lateness, R35 term policy, the part for `part`).
#[utoipa::path(tag = "forwardings", responses((status = 200, body = ForwardingDto)))]
#[get("/appeals/{id}/forwardings/{forwarding_id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<(i64, i64)>,
) -> ApiResult<web::Json<ForwardingDto>> {
    let (id, forwarding_id) = path.into_inner();
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| forwarding::get(conn, &ctx, id, forwarding_id))
        .await?;
    let dto = forwarding_dto(view)?;
    Ok(web::Json(dto))
}

/// Accept a forwarded part (the receiving subject's registrar).
///
/// Rules p.11 part 2, R5: a part forwarded by competence waits in the receiver's inbox (work list
/// `awaiting_acceptance`) until the receiving subject's registrar accepts it; the talon is issued
/// then, in the receiver's name, by the accepting person. Its terms keep running from the
/// forwarding. Until accepted, any other action on the part is 409. A card that is not a part
/// awaiting acceptance is 409 `conflict`.
#[utoipa::path(
    tag = "forwardings",
    params(("If-Match" = Option<String>, Header, description = "Optional: the card's ETag; a stale one is 412")),
    responses(
        (status = 200, description = "Accepted; the part with its talon", body = crate::dto::AppealDto, headers(("ETag" = String))),
        (status = 409, description = "Not a part awaiting acceptance", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appeals/{id}/acceptance")]
pub async fn accept(
    state: web::Data<AppState>,
    auth: Auth<crate::auth::PartAcceptors>,
    req: HttpRequest,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let target = crate::actions::target(&req, path.into_inner())?;
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| forwarding::accept_part(conn, &ctx, target))
        .await?;
    crate::actions::card_ok(view)
}
