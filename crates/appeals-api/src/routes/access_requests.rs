//! Access by an EDS-signed application (Rules p.25; issue 20 point 1; docs/access.md). Submitting
//! needs no token — the subject has no account yet, and the signature is its authentication;
//! deciding is the authorized body's admins'.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use appeals_service::access_requests::{self, AccessRequestView, GrantedAccount, Submission};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::{AccessRequestDeciders, Auth, Role};
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidatedJson;
use crate::state::AppState;

/// An application as JSON: the CMS SignedData as base64 (DER, what NCALayer returns) or PEM, and
/// for a detached signature the signed document as base64.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"signed_data": "MIIGxQYJKoZIhvcNAQcCoIIGtjCCBrICAQExDzANBglghkgBZQMEAgEFADCB…"}))]
pub struct SubmitAccessRequest {
    /// CMS SignedData: base64 of DER, or PEM (`-----BEGIN CMS-----` / `PKCS7`).
    #[validate(length(min = 1, max = 1_000_000))]
    pub signed_data: String,
    /// The signed document (base64) when the signature is detached.
    #[validate(length(min = 1, max = 1_000_000))]
    pub content: Option<String>,
}

/// A person the application asks an account for.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccessPersonDto {
    pub username: String,
    pub full_name: String,
    /// Masked (`9210*****851`): the full IIN stays in the signed original.
    pub iin_masked: String,
    pub position: String,
    #[schema(value_type = Vec<crate::auth::RoleSchema>)]
    pub roles: Vec<Role>,
}

/// An access application.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": 4, "subject_id": 3, "subject_code": "AKIMAT-ALA", "status": "submitted",
    "submitted_at": "2026-12-06T09:00:00", "signed_at": "2026-12-06T08:59:30",
    "signer": {"name": "СЕЙТКАЛИ АЙГЕРИМ", "bin": "940140000385"},
    "persons": [{"username": "a.seitkali", "full_name": "Сейткали Айгерим Нурлановна",
                 "iin_masked": "9210*****851", "position": "главный специалист", "roles": ["registrar"]}],
    "decided_at": null, "decided_by": null, "decision_reason": null
}))]
pub struct AccessRequestDto {
    pub id: i64,
    pub subject_id: i64,
    pub subject_code: String,
    /// `submitted`, `approved` or `rejected`.
    pub status: String,
    /// Server time of receipt.
    pub submitted_at: NaiveDateTime,
    /// The signingTime the signature states (the signer's claim), if any.
    pub signed_at: Option<NaiveDateTime>,
    pub signer: SignerDto,
    pub persons: Vec<AccessPersonDto>,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<i64>,
    pub decision_reason: Option<String>,
}

/// The signer as the certificate names them (the IIN is kept only as a keyed hash).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SignerDto {
    pub name: String,
    pub bin: String,
}

/// An account the approval created or activated.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GrantedAccountDto {
    pub user_id: i64,
    pub username: String,
    /// Of a new account, shown once: hand it to the person, who logs in with it. `null` for an
    /// existing account that was activated (its password is unchanged).
    pub initial_password: Option<String>,
}

/// The approved application and its accounts.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApprovalDto {
    pub request: AccessRequestDto,
    pub accounts: Vec<GrantedAccountDto>,
}

/// Why an application is rejected.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Заявка подписана неуполномоченным лицом"}))]
pub struct RejectAccessRequest {
    #[validate(length(min = 1, max = 2000))]
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessRequestQuery {
    /// `submitted`, `approved` or `rejected`; all when left out.
    pub status: Option<String>,
}

fn mask(iin: &str) -> String {
    match (iin.get(..4), iin.get(9..)) {
        (Some(head), Some(tail)) => format!("{head}*****{tail}"),
        _ => "************".to_owned(),
    }
}

fn dto(v: AccessRequestView) -> AccessRequestDto {
    AccessRequestDto {
        id: v.row.id,
        subject_id: v.row.subject_id,
        subject_code: v.application.subject_code,
        status: v.row.status,
        submitted_at: v.row.submitted_at,
        signed_at: v.row.signed_at,
        signer: SignerDto {
            name: v.row.signer_name,
            bin: v.row.signer_bin,
        },
        persons: v
            .application
            .persons
            .into_iter()
            .map(|p| AccessPersonDto {
                iin_masked: mask(&p.iin),
                username: p.username,
                full_name: p.full_name,
                position: p.position,
                roles: p.roles,
            })
            .collect(),
        decided_at: v.row.decided_at,
        decided_by: v.row.decided_by,
        decision_reason: v.row.decision_reason,
    }
}

fn granted(a: GrantedAccount) -> GrantedAccountDto {
    GrantedAccountDto {
        user_id: a.user_id,
        username: a.username,
        initial_password: a.initial_password,
    }
}

/// What the client sent: JSON, or the CMS itself as the body.
fn submission(req: &HttpRequest, body: &[u8]) -> Result<Submission, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match content_type.as_str() {
        "application/json" => {
            let parsed: SubmitAccessRequest = serde_json::from_slice(body).map_err(|e| {
                ApiError::invalid_field("#", format!("The body does not match the schema: {e}"))
            })?;
            parsed.validate().map_err(ApiError::from)?;
            let detached = parsed
                .content
                .map(|c| {
                    appeals_service::eds::decode_base64(&c)
                        .ok_or_else(|| ApiError::invalid_field("#/content", "not base64"))
                })
                .transpose()?;
            Ok(Submission {
                signed_data: parsed.signed_data.into_bytes(),
                detached_content: detached,
            })
        }
        "application/pkcs7-mime" | "application/cms" | "application/octet-stream" => {
            Ok(Submission {
                signed_data: body.to_vec(),
                detached_content: None,
            })
        }
        _ => Err(ApiError::new(
            crate::error::ProblemType::UnsupportedMediaType,
            "Send application/json, or the attached CMS SignedData as application/pkcs7-mime.",
        )),
    }
}

/// Submit an access application signed with the subject's EDS (Rules p.25). No token needed.
///
/// The document (JSON: `subject_code`, `persons[]` with `username`, `full_name`, `iin`,
/// `position`, `roles`) is signed as CMS SignedData, attached or detached (then `content`), and
/// sent as JSON (`signed_data`: base64 of DER, or PEM) or as the attached CMS itself
/// (`application/pkcs7-mime`: DER, PEM or base64). The signature, the chain to the configured
/// trust anchors, validity (now and at the stated signing time) and key usage are verified; the
/// certificate's `OU=BIN…` must be the subject's BIN and `SERIALNUMBER=IIN…` names the signer.
/// The original is stored byte for byte. 422 `signature-invalid` names what failed;
/// 422 `signature-algorithm-unsupported` names a GOST algorithm; 503 when no trust anchors are
/// configured.
#[utoipa::path(
    tag = "access",
    request_body(content(
        (SubmitAccessRequest = "application/json"),
        (Vec<u8> = "application/pkcs7-mime"),
    )),
    responses(
        (status = 201, body = AccessRequestDto, headers(("Location" = String))),
        (status = 415, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed input (`validation`), a signature that does not verify (`signature-invalid`), an unsupported algorithm (`signature-algorithm-unsupported`), a BIN that is not the subject's", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "No EDS trust anchors are configured", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/access-requests")]
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let submission = submission(&req, &body)?;
    let verifier = state.eds();
    let now = state.now();
    let view = state
        .run(move |conn| access_requests::submit(conn, verifier.as_deref(), submission, now))
        .await?;
    let dto = dto(view);
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/access-requests/{}", dto.id),
        ))
        .json(dto))
}

/// The access applications, newest first (the authorized body's admins).
#[utoipa::path(tag = "access", params(AccessRequestQuery), responses((status = 200, body = Vec<AccessRequestDto>)))]
#[get("/access-requests")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<AccessRequestDeciders>,
    query: web::Query<AccessRequestQuery>,
) -> ApiResult<web::Json<Vec<AccessRequestDto>>> {
    let ctx = state.ctx(&auth);
    let status = query.into_inner().status;
    let rows = state
        .run(move |conn| access_requests::list(conn, &ctx, status.as_deref()))
        .await?;
    Ok(web::Json(rows.into_iter().map(dto).collect()))
}

/// One access application.
#[utoipa::path(tag = "access", responses(
    (status = 200, body = AccessRequestDto),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/access-requests/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Auth<AccessRequestDeciders>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<AccessRequestDto>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| access_requests::get(conn, &ctx, id))
        .await?;
    Ok(web::Json(dto(view)))
}

/// The signed original exactly as it was received (for verification with any tool).
#[utoipa::path(tag = "access", responses(
    (status = 200, content_type = "application/pkcs7-mime", body = Vec<u8>),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/access-requests/{id}/signed-original")]
pub async fn signed_original(
    state: web::Data<AppState>,
    auth: Auth<AccessRequestDeciders>,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| access_requests::get(conn, &ctx, id))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pkcs7-mime")
        .body(view.row.signed_original))
}

/// Approve an application: each person gets an active account of the subject with the requested
/// roles, bound to the subject and the person's IIN; new accounts come with an initial password,
/// shown once. 409 when already decided or a username belongs to another subject.
#[utoipa::path(tag = "access", responses(
    (status = 200, body = ApprovalDto),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/access-requests/{id}/approval")]
pub async fn approve(
    state: web::Data<AppState>,
    auth: Auth<AccessRequestDeciders>,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let (view, accounts) = state
        .run(move |conn| access_requests::approve(conn, &ctx, id))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ApprovalDto {
            request: dto(view),
            accounts: accounts.into_iter().map(granted).collect(),
        }))
}

/// Reject an application with a reason. 409 when already decided.
#[utoipa::path(tag = "access", request_body = RejectAccessRequest, responses(
    (status = 200, body = AccessRequestDto),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/access-requests/{id}/rejection")]
pub async fn reject(
    state: web::Data<AppState>,
    auth: Auth<AccessRequestDeciders>,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<RejectAccessRequest>,
) -> ApiResult<web::Json<AccessRequestDto>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| access_requests::reject(conn, &ctx, id, &body.reason))
        .await?;
    Ok(web::Json(dto(view)))
}
