//! R39 (APPK art. 63): an appeal that lacks a requisite of art. 63 gets a notice «Не соответствует
//! ст. 63» with the defects and a correction deadline (`awaiting_correction`); once the applicant
//! supplies them it is «Приведено в соответствие» (`corrected`) and its consideration goes on.
//!
//! The deadline is set by the executor in the notice [OBS: eOtinish], not computed: the Code names
//! no fixed term for it. The use-cases are `appeals_service::corrections`: one transaction, the
//! optional `If-Match`, the life cycle decides (409 `invalid-transition`), one history event.

use actix_web::{HttpRequest, HttpResponse, post, web};
use appeals_service::corrections;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::actions::{card_ok, target};
use crate::auth::{Auth, CaseOfficers, CorrectionRequesters};
use crate::dto::AppealDto;
use crate::error::ApiResult;
use crate::extract::ValidatedJson;
use crate::state::AppState;

/// The notice «Не соответствует ст. 63» (R39).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "defects": ["postal_address", "signature"],
    "notice": "В обращении не указан почтовый адрес и отсутствует подпись. Просим устранить до 20.03.2026.",
    "correct_by": "2026-03-20"
}))]
pub struct CorrectionRequestBody {
    /// The missing requisites (at least one): `applicant_name`, `postal_address`, `addressee`,
    /// `essence`, `date`, `signature`, `protocol`.
    #[validate(length(min = 1, max = 7))]
    #[schema(min_items = 1, max_items = 7)]
    pub defects: Vec<String>,
    /// The notice as sent to the applicant.
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub notice: String,
    /// The correction deadline (a local date, inclusive); not before the day of the notice.
    pub correct_by: NaiveDate,
    /// When the notice was sent; default now. Not before the receipt, not in the future.
    pub requested_at: Option<DateTime<Utc>>,
}

/// «Приведено в соответствие» (R39).
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "Заявитель указал почтовый адрес и подписал обращение.", "corrected_at": "2026-03-18T06:00:00Z"}))]
pub struct CorrectionConfirmBody {
    /// What was supplied.
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    /// When the appeal was brought into conformity; default now. Not before the notice.
    pub corrected_at: Option<DateTime<Utc>>,
}

/// Send the notice «Не соответствует ст. 63» (R39): the card waits for the correction.
///
/// Allowed while the card is in work (`in_work`, `corrected`, `extended`, `forwarded_in_part`)
/// with no forwarding or extension pending (409 `invalid-transition` otherwise); the card becomes
/// `awaiting_correction` and carries the notice as `correction`. Unknown or repeated defect codes,
/// a blank notice, a deadline before the day of the notice → 422 and nothing changes.
#[utoipa::path(
    tag = "decisions",
    request_body = CorrectionRequestBody,
    params(("If-Match" = Option<String>, Header, description = "Optional: the card's ETag; a stale one is 412")),
    responses(
        (status = 200, description = "Notice recorded; the card awaits the correction", body = AppealDto, headers(("ETag" = String))),
        (status = 409, description = "Not allowed in the card's current state (`invalid-transition`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appeals/{id}/correction-request")]
pub async fn request_correction(
    state: web::Data<AppState>,
    auth: Auth<CorrectionRequesters>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<CorrectionRequestBody>,
) -> ApiResult<HttpResponse> {
    let target = target(&req, path.into_inner())?;
    let cmd = corrections::RequestCorrection {
        defects: body.defects,
        notice: body.notice,
        correct_by: body.correct_by,
        requested_at: body.requested_at,
    };
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| corrections::request(conn, &ctx, target, cmd))
        .await?;
    card_ok(view)
}

/// Record that the appeal was brought into conformity («Приведено в соответствие», R39).
///
/// Only while the card awaits the correction (409 `invalid-transition` otherwise): it becomes
/// `corrected` (in work again) and `correction.corrected_late` flags a correction after the
/// deadline of the notice. Registrars (a ЦОН operator «Дополнить данные») and integrated systems
/// may record it as well as the executor. The notice's defects count as cured: where they complete
/// the authorship of an anonymous card (`applicant_name`, `postal_address`, `signature`,
/// `protocol`), its anonymity is assessed again under the reading in force (R15) and, once nothing
/// is missing, it is considered on the merits (`anonymity.handling` = `consider`; the history's
/// `correction_confirmed` event carries `anonymity.before` and `after`).
#[utoipa::path(
    tag = "decisions",
    request_body = CorrectionConfirmBody,
    params(("If-Match" = Option<String>, Header, description = "Optional: the card's ETag; a stale one is 412")),
    responses(
        (status = 200, description = "Corrected", body = AppealDto, headers(("ETag" = String))),
        (status = 409, description = "The card does not await a correction (`invalid-transition`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appeals/{id}/correction-confirmation")]
pub async fn confirm_correction(
    state: web::Data<AppState>,
    auth: Auth<CaseOfficers>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<CorrectionConfirmBody>,
) -> ApiResult<HttpResponse> {
    let target = target(&req, path.into_inner())?;
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| corrections::confirm(conn, &ctx, target, body.note, body.corrected_at))
        .await?;
    card_ok(view)
}
