//! RFC 9457 problem details: the one error shape of the API.
//!
//! Every error — handler errors, extractor errors, unknown routes, wrong methods — leaves the server
//! as `application/problem+json` with a stable `type` URI listed in `docs/api.md`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use appeals_domain::error::Refusal;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Base of the stable problem `type` URIs.
pub const PROBLEM_BASE: &str = "https://appeals.kz/problems/";

/// The stable problem types. Their URIs never change; `docs/api.md` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    BadRequest,
    MalformedJson,
    UnsupportedMediaType,
    PayloadTooLarge,
    Validation,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PreconditionFailed,
    PreconditionRequired,
    IdempotencyKeyReused,
    InvalidTransition,
    ServiceUnavailable,
    AccountLocked,
    SignatureInvalid,
    SignatureAlgorithmUnsupported,
    RoutingRefused,
    AnonymousNotConsidered,
    SigningAuthority,
    Internal,
}

impl ProblemType {
    pub const ALL: [ProblemType; 22] = [
        Self::BadRequest,
        Self::MalformedJson,
        Self::UnsupportedMediaType,
        Self::PayloadTooLarge,
        Self::Validation,
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::Conflict,
        Self::PreconditionFailed,
        Self::PreconditionRequired,
        Self::IdempotencyKeyReused,
        Self::InvalidTransition,
        Self::ServiceUnavailable,
        Self::AccountLocked,
        Self::SignatureInvalid,
        Self::SignatureAlgorithmUnsupported,
        Self::RoutingRefused,
        Self::AnonymousNotConsidered,
        Self::SigningAuthority,
        Self::Internal,
    ];

    /// The last segment of the type URI.
    pub fn slug(self) -> &'static str {
        match self {
            Self::BadRequest => "bad-request",
            Self::MalformedJson => "malformed-json",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::PayloadTooLarge => "payload-too-large",
            Self::Validation => "validation",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::Conflict => "conflict",
            Self::PreconditionFailed => "precondition-failed",
            Self::PreconditionRequired => "precondition-required",
            Self::IdempotencyKeyReused => "idempotency-key-reused",
            Self::InvalidTransition => "invalid-transition",
            Self::ServiceUnavailable => "service-unavailable",
            Self::AccountLocked => "account-locked",
            Self::SignatureInvalid => "signature-invalid",
            Self::SignatureAlgorithmUnsupported => "signature-algorithm-unsupported",
            Self::RoutingRefused => "routing-refused",
            Self::AnonymousNotConsidered => "anonymous-not-considered",
            Self::SigningAuthority => "signing-authority",
            Self::Internal => "internal",
        }
    }

    pub fn uri(self) -> String {
        format!("{PROBLEM_BASE}{}", self.slug())
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::BadRequest | Self::MalformedJson => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Validation | Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict
            | Self::InvalidTransition
            | Self::RoutingRefused
            | Self::AnonymousNotConsidered => StatusCode::CONFLICT,
            Self::SigningAuthority => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::AccountLocked => StatusCode::TOO_MANY_REQUESTS,
            Self::SignatureInvalid | Self::SignatureAlgorithmUnsupported => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::BadRequest => "Bad request",
            Self::MalformedJson => "Malformed JSON body",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::PayloadTooLarge => "Payload too large",
            Self::Validation => "Validation failed",
            Self::Unauthorized => "Authentication required",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::Conflict => "Conflict",
            Self::PreconditionFailed => "Precondition failed",
            Self::PreconditionRequired => "Precondition required",
            Self::IdempotencyKeyReused => "Idempotency key reused with another request",
            Self::InvalidTransition => "Action not allowed in the current state",
            Self::ServiceUnavailable => "Service unavailable",
            Self::AccountLocked => "Account locked after repeated failed logins",
            Self::SignatureInvalid => "The electronic signature does not verify",
            Self::SignatureAlgorithmUnsupported => "The signature algorithm is not supported",
            Self::RoutingRefused => "The routing rules keep the appeal at this level",
            Self::AnonymousNotConsidered => "An anonymous appeal is not considered on the merits",
            Self::SigningAuthority => "The signer has no authority for this answer",
            Self::Internal => "Internal server error",
        }
    }

    /// The problem type a bare status maps to (for errors produced outside our handlers).
    pub fn for_status(status: StatusCode) -> Self {
        match status.as_u16() {
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            409 => Self::Conflict,
            412 => Self::PreconditionFailed,
            413 => Self::PayloadTooLarge,
            415 => Self::UnsupportedMediaType,
            422 => Self::Validation,
            428 => Self::PreconditionRequired,
            429 => Self::AccountLocked,
            503 => Self::ServiceUnavailable,
            s if s >= 500 => Self::Internal,
            _ => Self::BadRequest,
        }
    }
}

/// One invalid field of a request (`pointer` is a JSON Pointer into the request body, or names
/// the query/path parameter as `#/query/NAME`, `#/path/NAME`, `#/header/NAME`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    #[schema(example = "#/applicants/0/iin_bin")]
    pub pointer: String,
    #[schema(example = "IIN check digit does not match")]
    pub detail: String,
}

/// RFC 9457 problem details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "https://appeals.kz/problems/validation",
    "title": "Validation failed",
    "status": 422,
    "detail": "1 field is invalid",
    "instance": "/api/v1/appeals",
    "errors": [{"pointer": "#/text", "detail": "must not be empty"}]
}))]
pub struct Problem {
    /// Stable URI identifying the problem type (see docs/api.md).
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path the problem occurred on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Invalid fields, for `validation` problems.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        Self {
            problem_type: kind.uri(),
            title: kind.title().to_owned(),
            status: kind.status().as_u16(),
            detail: Some(detail.into()),
            instance: None,
            errors: Vec::new(),
        }
    }

    pub fn to_response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = HttpResponse::build(status);
        resp.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if status == StatusCode::UNAUTHORIZED {
            resp.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        resp.body(serde_json::to_string(self).unwrap_or_default())
    }
}

/// Every failure a handler can return.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    Problem {
        kind: ProblemType,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// Unexpected failure: logged in full, answered with a generic 500.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        Self::Problem {
            kind,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Unauthorized, detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Forbidden, detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::NotFound, detail)
    }
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Conflict, detail)
    }
    /// A validation problem with the invalid fields.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => "1 field is invalid".to_owned(),
            n => format!("{n} fields are invalid"),
        };
        Self::Problem {
            kind: ProblemType::Validation,
            detail,
            errors,
        }
    }
    /// A validation problem on one field.
    pub fn invalid_field(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::validation(vec![FieldError {
            pointer: pointer.into(),
            detail: detail.into(),
        }])
    }
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    pub fn kind(&self) -> ProblemType {
        match self {
            Self::Problem { kind, .. } => *kind,
            Self::Internal(_) => ProblemType::Internal,
        }
    }

    pub fn to_problem(&self) -> Problem {
        match self {
            Self::Problem {
                kind,
                detail,
                errors,
            } => Problem {
                errors: errors.clone(),
                ..Problem::new(*kind, detail.clone())
            },
            // The cause stays in the log; the client learns only that it was our fault.
            Self::Internal(_) => Problem::new(
                ProblemType::Internal,
                "The server failed to process the request; the failure has been logged.",
            ),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind().status()
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            tracing::error!(error = %cause, "internal error");
        }
        self.to_problem().to_response()
    }
}

/// The one mapping of the use-case errors to problem types.
impl From<appeals_service::AppError> for ApiError {
    fn from(e: appeals_service::AppError) -> Self {
        use appeals_service::AppError;
        match e {
            AppError::Validation(issues) => ApiError::validation(
                issues
                    .into_iter()
                    .map(|i| FieldError {
                        pointer: i.pointer,
                        detail: i.detail,
                    })
                    .collect(),
            ),
            AppError::Unauthenticated(detail) => ApiError::unauthorized(detail),
            AppError::Locked(detail) => ApiError::new(ProblemType::AccountLocked, detail),
            AppError::Signature(e) => {
                use appeals_service::eds::EdsError;
                match e {
                    EdsError::Malformed(_) => {
                        ApiError::invalid_field("#/signed_data", e.to_string())
                    }
                    EdsError::UnsupportedAlgorithm(_) => {
                        ApiError::new(ProblemType::SignatureAlgorithmUnsupported, e.to_string())
                    }
                    EdsError::Invalid(_) => {
                        ApiError::new(ProblemType::SignatureInvalid, e.to_string())
                    }
                    EdsError::NotConfigured => {
                        ApiError::new(ProblemType::ServiceUnavailable, e.to_string())
                    }
                }
            }
            AppError::Forbidden(detail) => ApiError::forbidden(detail),
            AppError::NotFound(detail) => ApiError::not_found(detail),
            AppError::Conflict(detail) => ApiError::conflict(detail),
            AppError::Unavailable(detail) => ApiError::new(ProblemType::ServiceUnavailable, detail),
            AppError::PreconditionFailed(detail) => {
                ApiError::new(ProblemType::PreconditionFailed, detail)
            }
            e @ AppError::IdempotencyKeyReused => {
                ApiError::new(ProblemType::IdempotencyKeyReused, e.to_string())
            }
            AppError::Domain(e) => e.into(),
            AppError::Db(e) => e.into(),
        }
    }
}

impl From<appeals_service::store::DbError> for ApiError {
    fn from(e: appeals_service::store::DbError) -> Self {
        use appeals_service::store::DbError;
        match e {
            DbError::NotFound => Self::not_found("The resource does not exist."),
            DbError::UniqueViolation(_) => {
                Self::conflict("A resource with the same unique value already exists.")
            }
            DbError::Pool(_) => Self::new(
                ProblemType::ServiceUnavailable,
                "The database is busy or unreachable; retry later.",
            ),
            DbError::Timeout => Self::new(
                ProblemType::ServiceUnavailable,
                "The request took longer than the database allows (APPEALS_DB_STATEMENT_TIMEOUT); \
                 narrow the filter or retry later.",
            ),
            other => Self::internal(other),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(e)
    }
}

impl From<appeals_domain::DomainError> for ApiError {
    fn from(e: appeals_domain::DomainError) -> Self {
        use appeals_domain::DomainError;
        match e {
            DomainError::Invalid { field, reason } => {
                let pointer = if field.starts_with('#') {
                    field
                } else {
                    format!("#/{field}")
                };
                Self::invalid_field(pointer, reason)
            }
            DomainError::InvalidTransition { state, command } => Self::new(
                ProblemType::InvalidTransition,
                format!("`{command}` is not allowed while the appeal is `{state}`."),
            ),
            DomainError::Conflict(detail) => Self::conflict(detail),
            DomainError::Refused { refusal, detail } => Self::new(
                match refusal {
                    Refusal::Routing => ProblemType::RoutingRefused,
                    Refusal::AnonymousNotConsidered => ProblemType::AnonymousNotConsidered,
                    Refusal::SigningAuthority => ProblemType::SigningAuthority,
                },
                detail,
            ),
        }
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut out = Vec::new();
        collect_validation_errors(&errors, "#", &mut out);
        out.sort_by(|a, b| a.pointer.cmp(&b.pointer));
        Self::validation(out)
    }
}

fn collect_validation_errors(
    errors: &validator::ValidationErrors,
    prefix: &str,
    out: &mut Vec<FieldError>,
) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let pointer = format!("{prefix}/{field}");
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let detail = e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| describe_validation_code(&e.code));
                    out.push(FieldError {
                        pointer: pointer.clone(),
                        detail,
                    });
                }
            }
            ValidationErrorsKind::Struct(inner) => collect_validation_errors(inner, &pointer, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect_validation_errors(inner, &format!("{pointer}/{index}"), out);
                }
            }
        }
    }
}

fn describe_validation_code(code: &str) -> String {
    match code {
        "length" => "has an invalid length".to_owned(),
        "range" => "is out of range".to_owned(),
        "required" => "is required".to_owned(),
        other => format!("is invalid ({other})"),
    }
}

/// Result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
