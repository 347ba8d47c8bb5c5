//! Completing an appeal (Rules p.18; R4): a main appeal closes only when none of its forwarded
//! parts is still open.

use actix_web::{HttpRequest, HttpResponse, post, web};
use appeals_service::actions;

use crate::actions::{card_ok, target};
use crate::auth::{Auth, Closers};
use crate::dto::AppealDto;
use crate::error::ApiResult;
use crate::state::AppState;

/// Complete (close) an appeal or a part.
///
/// Applies the lifecycle command `close`: allowed after a decision (`decided`, else 409
/// `invalid-transition`); a main appeal with a forwarded part that is still open (not `closed`,
/// `forwarded` or `transferred`) is a 409 `conflict` and nothing changes (R4, Rules p.11).
/// Returns the closed card.
#[utoipa::path(
    tag = "appeals",
    params(("If-Match" = Option<String>, Header, description = "Optional: the card's ETag; a stale one is 412")),
    responses(
        (status = 200, description = "Closed", body = AppealDto, headers(("ETag" = String))),
        (status = 409, description = "Not decided yet (`invalid-transition`) or a forwarded part is still open (`conflict`)",
         body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appeals/{id}/closure")]
pub async fn close(
    state: web::Data<AppState>,
    auth: Auth<Closers>,
    req: HttpRequest,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let target = target(&req, path.into_inner())?;
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| actions::close(conn, &ctx, target))
        .await?;
    card_ok(view)
}
