//! Completing an appeal (Rules p.18; R4): a main appeal closes only when none of its forwarded
//! parts is still open.

use actix_web::{HttpRequest, HttpResponse, post, web};
use appeals_db::rows::AppealRow;
use appeals_db::{DbConn, repo};
use appeals_domain::lifecycle::{self, AppealState, Command};

use crate::actions::{CardEvent, act_on_card, expected_version};
use crate::auth::{Auth, Closers};
use crate::dto::AppealDto;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::workflow;

/// Parts of `main` that are still open: every part whose lifecycle status is not final
/// (`closed`, `forwarded` onwards in full, `transferred` to another IS).
pub fn open_parts(conn: &mut DbConn, main: &AppealRow) -> Result<u32, ApiError> {
    let mut open = 0u32;
    for part in repo::appeals::parts(conn, main.id)? {
        let state: AppealState = workflow::parse_json(&part.state, "state")?;
        if !state.status().is_final() {
            open = open.saturating_add(1);
        }
    }
    Ok(open)
}

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
    let expected = expected_version(&req)?;
    act_on_card(
        &state,
        auth.principal.clone(),
        path.into_inner(),
        expected,
        |conn, row, parts| {
            let open = open_parts(conn, row)?;
            parts.state =
                lifecycle::apply(&parts.state, &Command::Close { open_parts: open })?.state;
            Ok(CardEvent::status_change(
                "closed",
                row,
                parts,
                serde_json::json!({ "open_parts": open }),
            ))
        },
    )
    .await
}
