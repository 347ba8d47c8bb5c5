//! Extractor configuration and the fallback that turns every non-problem error into a problem.

use actix_web::body::EitherBody;
use actix_web::dev::ServiceResponse;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{FromRequest, HttpRequest, web};
use validator::Validate;

use crate::error::{ApiError, FieldError, PROBLEM_JSON, Problem, ProblemType};

/// Largest accepted JSON body. Appeals carry long texts, but never megabytes.
pub const JSON_LIMIT_BYTES: usize = 1024 * 1024;

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(JSON_LIMIT_BYTES)
        .error_handler(|err, _req| {
            let api_error = match &err {
                JsonPayloadError::Overflow { limit }
                | JsonPayloadError::OverflowKnownLength { limit, .. } => ApiError::new(
                    ProblemType::PayloadTooLarge,
                    format!("The request body exceeds the limit of {limit} bytes."),
                ),
                JsonPayloadError::ContentType => ApiError::new(
                    ProblemType::UnsupportedMediaType,
                    "The request body must be sent with `Content-Type: application/json`.",
                ),
                JsonPayloadError::Deserialize(e) if e.is_data() => {
                    ApiError::invalid_field("#", format!("The body does not match the schema: {e}"))
                }
                JsonPayloadError::Deserialize(e) => ApiError::new(
                    ProblemType::MalformedJson,
                    format!("The body is not valid JSON: {e}"),
                ),
                _ => ApiError::new(
                    ProblemType::BadRequest,
                    "The request body could not be read.",
                ),
            };
            api_error.into()
        })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, req| {
        if crate::app::meant_another_method(req) {
            let res = crate::app::method_not_allowed(req);
            return actix_web::error::InternalError::from_response(err, res).into();
        }
        let PathError::Deserialize(e) = &err else {
            return ApiError::new(ProblemType::BadRequest, "Invalid path parameter.").into();
        };
        // A path that does not parse (e.g. a non-numeric id) names no resource.
        ApiError::new(
            ProblemType::NotFound,
            format!("Invalid path parameter: {e}"),
        )
        .into()
    })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        let detail = match &err {
            QueryPayloadError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
        };
        ApiError::validation(vec![FieldError {
            pointer: "#/query".to_owned(),
            detail,
        }])
        .into()
    })
}

/// A JSON body that is deserialised and then checked with `validator`; failures are 422 problems.
pub struct ValidatedJson<T>(pub T);

impl<T> FromRequest for ValidatedJson<T>
where
    T: serde::de::DeserializeOwned + Validate + 'static,
{
    type Error = actix_web::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let fut = web::Json::<T>::from_request(req, payload);
        Box::pin(async move {
            let web::Json(value) = fut.await?;
            value.validate().map_err(ApiError::from)?;
            Ok(ValidatedJson(value))
        })
    }
}

/// Rewrites any error response that is not already a problem (actix's own 404/405, payload
/// errors from other extractors, …) into one, so that clients parse a single error shape.
pub fn problem_fallback<B: 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(|res: ServiceResponse<B>| {
        let is_problem = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(PROBLEM_JSON));
        if is_problem {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let status = res.status();
        let kind = ProblemType::for_status(status);
        let detail = match kind {
            ProblemType::NotFound => format!("No resource at `{}`.", res.request().path()),
            ProblemType::MethodNotAllowed => {
                format!(
                    "`{}` is not allowed on `{}`.",
                    res.request().method(),
                    res.request().path()
                )
            }
            ProblemType::Internal => "The server failed to process the request.".to_owned(),
            _ => status.canonical_reason().unwrap_or("Error").to_owned(),
        };
        let mut problem = Problem::new(kind, detail);
        problem.status = status.as_u16();
        let (req, _) = res.into_parts();
        let response = problem.to_response();
        Ok(ErrorHandlerResponse::Response(
            ServiceResponse::new(req, response).map_into_right_body(),
        ))
    })
}

/// `EitherBody` is what [`problem_fallback`] produces; re-exported for the app type.
pub type FallbackBody<B> = EitherBody<B>;
