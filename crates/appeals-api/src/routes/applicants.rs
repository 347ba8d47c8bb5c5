//! З-1 applicant cards of an appeal: add, replace, address reconciliation (R9, R20, R21, R47, R48).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, put, web};
use appeals_service::actions::CardView;
use appeals_service::applicants::{self as z1, ApplicantEntry, ChangeApplicants, ReconcileAddress};

use crate::actions::if_match;
use crate::auth::{ApplicantEditors, Auth};
use crate::card_view;
use crate::dto::{AddressReconciliation, AppealDto, ApplicantInput, ReplaceApplicants};
use crate::error::ApiResult;
use crate::extract::ValidatedJson;
use crate::state::AppState;

fn with_etag(view: CardView) -> ApiResult<HttpResponse> {
    let dto = card_view::view_of(&view.row, view.subject, view.applicants)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, card_view::etag(dto.version)))
        .json(dto))
}

/// Adds applicants, or replaces the set: the entries are checked and looked up in the registry
/// (R20) before the use-case's transaction.
async fn change(
    state: &AppState,
    auth: &Auth<ApplicantEditors>,
    (appeal_id, expected_version): (i64, i64),
    replace_all: bool,
    inputs: Vec<ApplicantInput>,
) -> ApiResult<HttpResponse> {
    let entries: Vec<ApplicantEntry> = inputs.into_iter().map(Into::into).collect();
    z1::check_entries(&entries, !replace_all)?;
    let ctx = state.ctx(auth);
    let lookups = crate::applicants::start_lookups(state, &entries, ctx.stored_now()).await?;
    let cmd = ChangeApplicants {
        appeal_id,
        expected_version,
        replace_all,
        entries,
        lookups,
    };
    with_etag(state.run(move |conn| z1::change(conn, &ctx, cmd)).await?)
}

/// Add an applicant (a new З-1 card).
///
/// Requires `If-Match` with the card's `ETag` (428 without it, 412 when stale). Requisite 4 is
/// checked (IIN/BIN check digit and structure, R47/R48 → 422 naming `#/iin_bin`). When it is
/// given, the state registry is asked and a hit fills requisites 3, 5–18, 20–26 recording the
/// registry and fetch time (R20); a registry that is down does not block the change (the card
/// shows `registry_lookup.outcome = unavailable`). Requisites 12–18 are compared with the postal
/// address of the appeal (R21, `address_check`). The applicant count and the automatic markings
/// follow (ҰЖ `collective` for two or more, R9). Returns the updated ОЛ-1.
#[utoipa::path(
    tag = "appeals",
    request_body = ApplicantInput,
    params(("If-Match" = String, Header, description = "ETag of the version being edited")),
    responses(
        (status = 200, description = "The applicant was added; the updated card", body = AppealDto, headers(("ETag" = String))),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` missing", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appeals/{id}/applicants")]
pub async fn add(
    state: web::Data<AppState>,
    auth: Auth<ApplicantEditors>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<ApplicantInput>,
) -> ApiResult<HttpResponse> {
    let target = (path.into_inner(), if_match(&req)?);
    change(&state, &auth, target, false, vec![body]).await
}

/// Replace the whole set of applicants.
///
/// The applicants are renumbered 1, 2, … in the given order; every card is rebuilt (registry
/// lookup R20, address check R21). Same rules as adding one: `If-Match` required, IIN/BIN checked
/// (R47/R48 → 422 with `#/applicants/{i}/iin_bin`, nothing changed), applicant count and
/// automatic markings recomputed (ҰЖ, R9), one `applicants_changed` history event with the
/// lists before and after. At least one applicant: anonymity (R15) is assessed at registration.
#[utoipa::path(
    tag = "appeals",
    request_body = ReplaceApplicants,
    params(("If-Match" = String, Header, description = "ETag of the version being edited")),
    responses(
        (status = 200, description = "The applicants were replaced; the updated card", body = AppealDto, headers(("ETag" = String))),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` missing", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[put("/appeals/{id}/applicants")]
pub async fn replace(
    state: web::Data<AppState>,
    auth: Auth<ApplicantEditors>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<ReplaceApplicants>,
) -> ApiResult<HttpResponse> {
    let target = (path.into_inner(), if_match(&req)?);
    change(&state, &auth, target, true, body.applicants).await
}

/// Bring an applicant's address into line with the appeal (R21).
///
/// The agreed address becomes requisites 12–18 of the З-1 card `{ordinal}` and the card is marked
/// reconciled (`address_check.status` becomes `matches`, or `reconciled` when the agreed address
/// still differs from the postal address stated in the appeal). Requires `If-Match`; recorded as
/// an `address_reconciled` history event. 409 when the appeal states no postal address.
#[utoipa::path(
    tag = "appeals",
    request_body = AddressReconciliation,
    params(
        ("id" = i64, Path, description = "Appeal id"),
        ("ordinal" = i32, Path, description = "Applicant ordinal (1-based)"),
        ("If-Match" = String, Header, description = "ETag of the version being edited"),
    ),
    responses(
        (status = 200, description = "Reconciled; the updated card", body = AppealDto, headers(("ETag" = String))),
        (status = 409, description = "The appeal states no postal address to reconcile with", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` missing", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appeals/{id}/applicants/{ordinal}/address-reconciliation")]
pub async fn reconcile_address(
    state: web::Data<AppState>,
    auth: Auth<ApplicantEditors>,
    req: HttpRequest,
    path: web::Path<(i64, i32)>,
    ValidatedJson(body): ValidatedJson<AddressReconciliation>,
) -> ApiResult<HttpResponse> {
    let (appeal_id, ordinal) = path.into_inner();
    let cmd = ReconcileAddress {
        appeal_id,
        expected_version: if_match(&req)?,
        ordinal,
        address: body.address.into(),
    };
    let ctx = state.ctx(&auth);
    with_etag(
        state
            .run(move |conn| z1::reconcile_address(conn, &ctx, cmd))
            .await?,
    )
}
