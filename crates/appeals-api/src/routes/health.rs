//! Liveness and readiness probes (outside `/api/v1`, no token).

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, ProblemType};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthStatus {
    #[schema(example = "ok")]
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadyStatus {
    #[schema(example = "ok")]
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    #[schema(example = "postgres")]
    pub database: &'static str,
}

/// The process is alive.
#[utoipa::path(tag = "operations", responses((status = 200, body = HealthStatus)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus { status: "ok" })
}

/// The database is reachable and every migration is applied.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, body = ReadyStatus),
        (status = 503, description = "Database unreachable or migrations pending", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let result = state
        .run(|conn| {
            let backend = conn.backend().name();
            let up_to_date = appeals_service::store::is_up_to_date(conn)?;
            Ok((backend, up_to_date))
        })
        .await;
    match result {
        Ok((database, true)) => Ok(HttpResponse::Ok().json(ReadyStatus {
            status: "ok",
            database,
        })),
        Ok((_, false)) => Err(ApiError::new(
            ProblemType::ServiceUnavailable,
            "Database migrations are pending.",
        )),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(ApiError::new(
                ProblemType::ServiceUnavailable,
                "The database is unreachable.",
            ))
        }
    }
}
