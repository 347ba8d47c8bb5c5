//! Completing an appeal (Rules p.18; R4): a main appeal closes only when none of its forwarded
//! parts is still open.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use appeals_db::rows::AppealRow;
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::lifecycle::{self, AppealState, Command};

use crate::auth::{Auth, Policy, Role};
use crate::dto::AppealDto;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::workflow::{self, CardParts};

/// Who may complete an appeal: its executor and the heads of the holding subject.
pub struct Closers;
impl Policy for Closers {
    const ROLES: &'static [Role] = &[Role::Head, Role::DeputyHead, Role::Executor];
}

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
    responses(
        (status = 200, description = "Closed", body = AppealDto, headers(("ETag" = String))),
        (status = 409, description = "Not decided yet (`invalid-transition`) or a forwarded part is still open (`conflict`)",
         body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appeals/{id}/closure")]
pub async fn close(
    state: web::Data<AppState>,
    auth: Auth<Closers>,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let principal = auth.principal.clone();
    let dto: AppealDto = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let row = workflow::load_writable(conn, &principal, id)?;
                let mut parts = CardParts::of(&row)?;
                let open = open_parts(conn, &row)?;
                let before = serde_json::json!({ "status": row.status });
                let transition =
                    lifecycle::apply(&parts.state, &Command::Close { open_parts: open })?;
                parts.state = transition.state;
                let next = parts.apply_to(&row)?;
                let after = serde_json::json!({ "status": next.status, "open_parts": open });
                let saved = workflow::commit_change(
                    conn,
                    &principal,
                    &row,
                    next,
                    "closed",
                    Some(before),
                    Some(after),
                )?;
                workflow::view(conn, &saved)
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, workflow::etag(dto.version)))
        .json(dto))
}
