//! EDS-signed approvals and answers (R35, R37; issue 20 point 3; docs/access.md): the document the
//! server defines for the pending forwarding or extension (or an ОЛ-2 answer), the signing call
//! with a detached CMS signature over its UTF-8 bytes, and the stored signatures, verified again on
//! every read.

use actix_web::{get, post, web};
use appeals_service::signatures::{self, SignatureView, Signed, SigningDocument};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{ApprovalSigners, Auth, DecisionSigners, Readers};
use crate::error::ApiResult;
use crate::extract::ValidatedJson;
use crate::forwarding_dto::{ForwardingDto, forwarding_dto};
use crate::state::AppState;

/// The exact text to sign (its UTF-8 bytes, as a detached CMS signature).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "purpose": "forwarding",
    "document": "{\"appeal\":{\"id\":42,\"registration_number\":\"ЖТ-2026-00000042\",\"subject_id\":3},\"approval\":{\"approved_at\":\"2026-12-06T09:00:00\",\"approved_by\":7,\"questions\":[\"Ремонт школы\"],\"reason\":null,\"scope\":\"part\",\"to_subject_id\":5},\"purpose\":\"forwarding\"}"
}))]
pub struct SigningDocumentDto {
    /// `forwarding`, `extension` or `decision`.
    pub purpose: String,
    /// Canonical JSON (sorted keys, no insignificant whitespace): sign exactly these bytes.
    pub document: String,
}

impl From<SigningDocument> for SigningDocumentDto {
    fn from(d: SigningDocument) -> Self {
        Self {
            purpose: d.purpose.to_owned(),
            document: d.text,
        }
    }
}

/// A detached CMS signature over the signing document.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"signature": "MIIGxQYJKoZIhvcNAQcCoIIGtjCCBrICAQExDzANBglghkgBZQMEAgEFADAL…"}))]
pub struct SignBody {
    /// Base64 of DER (what NCALayer returns) or PEM.
    #[validate(length(min = 1, max = 1_000_000))]
    pub signature: String,
}

/// A stored signature.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SignatureDto {
    pub id: i64,
    pub appeal_id: i64,
    /// `forwarding`, `extension` or `decision`.
    pub purpose: String,
    /// The forwarding, the appeal (extension) or the ОЛ-2 signed.
    pub target_id: i64,
    /// The signed document, as signed.
    pub document: String,
    /// The detached CMS signature (base64 of what was sent).
    pub signature: String,
    pub signer_user_id: i64,
    /// `CN` of the signer certificate.
    pub signer_name: String,
    pub signed_at: NaiveDateTime,
    /// Whether it verifies now against the trust anchors in force (`null`: none configured).
    pub verifies_now: Option<bool>,
    /// Why it does not verify now, if it does not.
    pub verification_problem: Option<String>,
}

fn signature_dto(v: SignatureView) -> SignatureDto {
    let (verifies_now, verification_problem) = match v.verifies_now {
        None => (None, None),
        Some(Ok(())) => (Some(true), None),
        Some(Err(e)) => (Some(false), Some(e)),
    };
    SignatureDto {
        id: v.row.id,
        appeal_id: v.row.appeal_id,
        purpose: v.row.purpose,
        target_id: v.row.target_id,
        document: v.row.document,
        signature: appeals_service::eds::encode_base64(&v.row.signature),
        signer_user_id: v.row.signer_user_id,
        signer_name: v.row.signer_name,
        signed_at: v.row.signed_at,
        verifies_now,
        verification_problem,
    }
}

/// What a signature made take effect.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SignedApprovalDto {
    pub signature: SignatureDto,
    /// The forwarding, when a forwarding was signed.
    pub forwarding: Option<ForwardingDto>,
    /// The card's review deadline after it (moved by a signed extension).
    pub review_due: chrono::NaiveDate,
    pub status: String,
    pub version: i64,
}

const PROBLEM: &str = "application/problem+json";

/// The document of the approval the card waits on (a forwarding or an extension), to sign.
#[utoipa::path(tag = "signatures", responses(
    (status = 200, body = SigningDocumentDto),
    (status = 404, description = "No such card, or no approval waits for a signature", body = crate::error::Problem, content_type = PROBLEM),
))]
#[get("/appeals/{id}/signing-document")]
pub async fn pending_document(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<SigningDocumentDto>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let doc = state
        .run(move |conn| signatures::pending_document(conn, &ctx, id))
        .await?;
    Ok(web::Json(doc.into()))
}

/// Sign the approved forwarding or extension (the head or a deputy): the detached signature must
/// verify over the signing document against the trust anchors, and its signer's IIN must be the
/// one bound to the caller's account. Then the forwarding or extension takes effect, in the same
/// transaction that stores the signature.
#[utoipa::path(tag = "signatures", request_body = SignBody, responses(
    (status = 200, body = SignedApprovalDto),
    (status = 404, description = "No such card, or no approval waits for a signature", body = crate::error::Problem, content_type = PROBLEM),
    (status = 409, body = crate::error::Problem, content_type = PROBLEM),
    (status = 422, description = "The signature does not verify (`signature-invalid`), an unsupported algorithm, or the signer is not the caller (`validation` at `#/signature`)", body = crate::error::Problem, content_type = PROBLEM),
    (status = 503, description = "No EDS trust anchors are configured", body = crate::error::Problem, content_type = PROBLEM),
))]
#[post("/appeals/{id}/signature")]
pub async fn sign_pending(
    state: web::Data<AppState>,
    auth: Auth<ApprovalSigners>,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<SignBody>,
) -> ApiResult<web::Json<SignedApprovalDto>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let verifier = state.eds();
    let dto = state
        .db(move |conn| {
            let signed = signatures::sign_pending(
                conn,
                &ctx,
                verifier.as_deref(),
                id,
                body.signature.into_bytes(),
            )?;
            let unverified = |row| SignatureView {
                row,
                verifies_now: Some(Ok(())),
            };
            Ok(match signed {
                Signed::Forwarding(done, row) => {
                    let view = appeals_service::forwarding::view(conn, &done.appeal, done.record)?;
                    SignedApprovalDto {
                        signature: signature_dto(unverified(row)),
                        review_due: done.appeal.review_due,
                        status: done.appeal.status.clone(),
                        version: done.appeal.version,
                        forwarding: Some(forwarding_dto(view)?),
                    }
                }
                Signed::Extension(card, row) => SignedApprovalDto {
                    signature: signature_dto(unverified(row)),
                    review_due: card.row.review_due,
                    status: card.row.status.clone(),
                    version: card.row.version,
                    forwarding: None,
                },
            })
        })
        .await?;
    Ok(web::Json(dto))
}

/// The signatures of a card, oldest first, each verified again against the trust anchors in force.
#[utoipa::path(tag = "signatures", responses(
    (status = 200, body = Vec<SignatureDto>),
    (status = 404, body = crate::error::Problem, content_type = PROBLEM),
))]
#[get("/appeals/{id}/signatures")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Vec<SignatureDto>>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let verifier = state.eds();
    let views = state
        .run(move |conn| signatures::of_appeal(conn, &ctx, verifier.as_deref(), id))
        .await?;
    Ok(web::Json(views.into_iter().map(signature_dto).collect()))
}

/// The document of an ОЛ-2 answer, to sign.
#[utoipa::path(tag = "signatures", responses(
    (status = 200, body = SigningDocumentDto),
    (status = 404, body = crate::error::Problem, content_type = PROBLEM),
))]
#[get("/appeals/{id}/decisions/{decision_id}/signing-document")]
pub async fn decision_document(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<(i64, i64)>,
) -> ApiResult<web::Json<SigningDocumentDto>> {
    let (id, decision_id) = path.into_inner();
    let ctx = state.ctx(&auth);
    let doc = state
        .run(move |conn| signatures::decision_document(conn, &ctx, id, decision_id))
        .await?;
    Ok(web::Json(doc.into()))
}

/// Sign an ОЛ-2 answer: verified like an approval's signature; stored, and the card's history
/// records `decision_signed`.
#[utoipa::path(tag = "signatures", request_body = SignBody, responses(
    (status = 201, body = SignatureDto),
    (status = 404, body = crate::error::Problem, content_type = PROBLEM),
    (status = 422, body = crate::error::Problem, content_type = PROBLEM),
    (status = 503, body = crate::error::Problem, content_type = PROBLEM),
))]
#[post("/appeals/{id}/decisions/{decision_id}/signature")]
pub async fn sign_decision(
    state: web::Data<AppState>,
    auth: Auth<DecisionSigners>,
    path: web::Path<(i64, i64)>,
    ValidatedJson(body): ValidatedJson<SignBody>,
) -> ApiResult<actix_web::HttpResponse> {
    let (id, decision_id) = path.into_inner();
    let ctx = state.ctx(&auth);
    let verifier = state.eds();
    let row = state
        .run(move |conn| {
            signatures::sign_decision(
                conn,
                &ctx,
                verifier.as_deref(),
                id,
                decision_id,
                body.signature.into_bytes(),
            )
        })
        .await?;
    Ok(
        actix_web::HttpResponse::Created().json(signature_dto(SignatureView {
            row,
            verifies_now: Some(Ok(())),
        })),
    )
}

/// The signature of an ОЛ-2 answer (the newest, if signed again), verified again now.
#[utoipa::path(tag = "signatures", responses(
    (status = 200, body = SignatureDto),
    (status = 404, description = "No such card or decision, or the answer is not signed", body = crate::error::Problem, content_type = PROBLEM),
))]
#[get("/appeals/{id}/decisions/{decision_id}/signature")]
pub async fn decision_signature(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<(i64, i64)>,
) -> ApiResult<web::Json<SignatureDto>> {
    let (id, decision_id) = path.into_inner();
    target_signature(state, auth, id, "decision", decision_id).await
}

/// The signature that made a forwarding take effect, verified again now (404 for a forwarding of
/// a subject that does not require signatures).
#[utoipa::path(tag = "signatures", responses(
    (status = 200, body = SignatureDto),
    (status = 404, description = "No such card or forwarding, or it was not signed", body = crate::error::Problem, content_type = PROBLEM),
))]
#[get("/appeals/{id}/forwardings/{forwarding_id}/signature")]
pub async fn forwarding_signature(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<(i64, i64)>,
) -> ApiResult<web::Json<SignatureDto>> {
    let (id, forwarding_id) = path.into_inner();
    target_signature(state, auth, id, "forwarding", forwarding_id).await
}

async fn target_signature(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    id: i64,
    purpose: &'static str,
    target_id: i64,
) -> ApiResult<web::Json<SignatureDto>> {
    let ctx = state.ctx(&auth);
    let verifier = state.eds();
    let view = state
        .run(move |conn| {
            signatures::of_target(conn, &ctx, verifier.as_deref(), id, purpose, target_id)
        })
        .await?;
    Ok(web::Json(signature_dto(view)))
}
