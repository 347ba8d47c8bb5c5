//! The state person/company registry (ГБД ФЛ / ГБД ЮЛ) as seen through the configured adapter.

use actix_web::{get, web};
use appeals_domain::ident::IinOrBin;

use crate::auth::{Auth, RegistryReaders};
use appeals_service::registry;

use crate::error::{ApiError, ApiResult};
use crate::registry::RegistryRecordDto;
use crate::state::AppState;

/// Look up an IIN or BIN in the state registry (R20).
///
/// Returns what auto-fill would put into З-1 requisites 3, 5–18 and 20–26: ГБД ФЛ for an IIN,
/// ГБД ЮЛ for a BIN (told apart by digit 5, R47/R48), through the configured adapter
/// (`APPEALS_REGISTRY`: the imported local copy or the HTTP gateway). An invalid IIN/BIN is a
/// `validation` problem naming `#/path/iin_bin`; an unknown one is 404; a registry that cannot
/// be reached is 503. The request log names only the route pattern, never the IIN/BIN.
#[utoipa::path(
    tag = "registry",
    params(("iin_bin" = String, Path, description = "IIN or BIN, 12 digits", example = "921029350851")),
    responses(
        (status = 200, body = RegistryRecordDto),
        (status = 422, description = "Not a valid IIN/BIN", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The registry cannot be reached; retry", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/registry/{iin_bin}")]
pub async fn lookup(
    state: web::Data<AppState>,
    _auth: Auth<RegistryReaders>,
    path: web::Path<String>,
) -> ApiResult<web::Json<RegistryRecordDto>> {
    let id = IinOrBin::parse(&path.into_inner()).map_err(|e| match e {
        appeals_domain::DomainError::Invalid { reason, .. } => {
            ApiError::invalid_field("#/path/iin_bin", reason)
        }
        other => ApiError::from(other),
    })?;
    let registry = state.registry();
    let key = id.clone();
    let hit = state
        .cpu(move || registry::find(registry.as_ref(), &key))
        .await?;
    Ok(web::Json(RegistryRecordDto::new(&id, hit)))
}
