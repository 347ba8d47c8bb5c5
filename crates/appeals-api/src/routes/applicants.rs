//! З-1 applicant cards of an appeal: add, replace, address reconciliation (R9, R20, R21, R47, R48).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, put, web};
use appeals_db::rows::{AppealRow, NewApplicantRow};
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::cards::AddressCheck;
use appeals_domain::dictionary::DictionaryName;

use crate::actions::if_match;
use crate::applicants::{self as z1, Lookup, StoredApplicant};
use crate::auth::{ApplicantEditors, Auth, Principal};
use crate::dto::{
    AddressReconciliation, AppealDto, ApplicantCategory, ApplicantInput, ReplaceApplicants,
};
use crate::error::{ApiError, ApiResult, ProblemType};
use crate::extract::ValidatedJson;
use crate::routes::appeals::{applicant_card, check_address, check_applicant, full_name};
use crate::rules::Rules;
use crate::state::AppState;
use crate::workflow::{self, AppealDetails, CardParts};

fn stale(row: &AppealRow, expected: i64) -> Result<(), ApiError> {
    if row.version != expected {
        return Err(ApiError::new(
            ProblemType::PreconditionFailed,
            format!(
                "The card is at version {}, not {expected}; reload it.",
                row.version
            ),
        ));
    }
    Ok(())
}

fn history_value(
    rows: &[appeals_db::rows::ApplicantRow],
    markings: &[String],
) -> serde_json::Value {
    serde_json::json!({
        "applicants": rows.iter().map(z1::history_entry).collect::<Vec<_>>(),
        "applicant_count": rows.len(),
        "markings": markings,
    })
}

/// Applicants to add (or to replace the set with) and their registry lookups.
struct NewApplicants {
    replace_all: bool,
    inputs: Vec<ApplicantInput>,
    lookups: Vec<Option<Lookup>>,
}

/// Writes the new applicant set in one transaction: З-1 rows, the count, the automatic markings
/// (ҰЖ for two or more, R9), the duplicate-check applicant keys (R14) and an
/// `applicants_changed` history event.
fn change_applicants(
    conn: &mut DbConn,
    rules: &Rules,
    principal: &Principal,
    id: i64,
    expected: i64,
    change: NewApplicants,
) -> Result<AppealDto, ApiError> {
    let NewApplicants {
        replace_all,
        inputs,
        lookups,
    } = change;
    write_tx(conn, |conn| {
        let row = workflow::load_card(conn, principal, id)?;
        stale(&row, expected)?;
        let mut parts = CardParts::of(&row)?;
        let before_rows = repo::appeals::applicants(conn, row.id)?;
        let before_markings: Vec<String> = parts.card.markings().iter().cloned().collect();
        let first_ordinal = if replace_all {
            repo::appeals::delete_applicants(conn, row.id)?;
            1
        } else {
            before_rows.iter().map(|a| a.ordinal).max().unwrap_or(0) + 1
        };
        let postal: Option<crate::dto::Address> = parts
            .details
            .postal_address
            .clone()
            .map(crate::registry::address_dto);
        let mut new_rows = Vec::with_capacity(inputs.len());
        for (i, (input, lookup)) in inputs.iter().zip(lookups).enumerate() {
            let ordinal = first_ordinal + i32::try_from(i).map_err(ApiError::internal)?;
            let card = applicant_card(
                &parts.card,
                u32::try_from(ordinal).map_err(ApiError::internal)?,
                input,
                postal.as_ref(),
            )?;
            let stored = z1::apply_lookup(card, lookup);
            new_rows.push(NewApplicantRow {
                appeal_id: row.id,
                ordinal,
                category: match input.category {
                    ApplicantCategory::Individual => "individual".to_owned(),
                    ApplicantCategory::LegalEntity => "legal_entity".to_owned(),
                },
                iin_bin: input.iin_bin.clone(),
                full_name: z1::card_full_name(&stored.card).or_else(|| full_name(input)),
                card: workflow::to_json(&stored)?,
            });
        }
        repo::appeals::insert_applicants(conn, &new_rows)?;
        let added_keys = inputs
            .iter()
            .map(|input| crate::dedup::applicant_key(input, full_name(input)))
            .collect();
        crate::dedup::reindex_applicants(conn, row.id, added_keys, replace_all)?;
        let after_rows = repo::appeals::applicants(conn, row.id)?;
        parts.card.refresh_automatic_markings(
            rules.dictionary(DictionaryName::Markings)?,
            after_rows.len(),
        );
        let mut next = parts.apply_to(&row)?;
        next.applicant_count = i32::try_from(after_rows.len()).map_err(ApiError::internal)?;
        let markings: Vec<String> = parts.card.markings().iter().cloned().collect();
        repo::appeals::replace_tags_and_markings(conn, row.id, parts.card.tags(), &markings)?;
        let saved = workflow::commit_change(
            conn,
            principal,
            &row,
            next,
            "applicants_changed",
            Some(history_value(&before_rows, &before_markings)),
            Some(history_value(&after_rows, &markings)),
        )?;
        workflow::view(conn, &saved)
    })
}

fn with_etag(dto: AppealDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, workflow::etag(dto.version)))
        .json(dto)
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
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let mut errors = Vec::new();
    check_applicant(&body, "#", &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let inputs = vec![body];
    let lookups = z1::RegistryLookups::start(&state, &inputs).await?;
    let rules = state.rules();
    let principal = auth.principal.clone();
    let dto = state
        .db(move |conn| {
            let lookups = lookups.finish(conn);
            change_applicants(
                conn,
                &rules,
                &principal,
                id,
                expected,
                NewApplicants {
                    replace_all: false,
                    inputs,
                    lookups,
                },
            )
        })
        .await?;
    Ok(with_etag(dto))
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
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let mut errors = Vec::new();
    for (i, a) in body.applicants.iter().enumerate() {
        check_applicant(a, &format!("#/applicants/{i}"), &mut errors);
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let inputs = body.applicants;
    let lookups = z1::RegistryLookups::start(&state, &inputs).await?;
    let rules = state.rules();
    let principal = auth.principal.clone();
    let dto = state
        .db(move |conn| {
            let lookups = lookups.finish(conn);
            change_applicants(
                conn,
                &rules,
                &principal,
                id,
                expected,
                NewApplicants {
                    replace_all: true,
                    inputs,
                    lookups,
                },
            )
        })
        .await?;
    Ok(with_etag(dto))
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
    let (id, ordinal) = path.into_inner();
    let expected = if_match(&req)?;
    let mut errors = Vec::new();
    check_address(&body.address, "#/address", &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let principal = auth.principal.clone();
    let dto = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let row = workflow::load_card(conn, &principal, id)?;
                stale(&row, expected)?;
                let applicant = repo::appeals::applicants(conn, row.id)?
                    .into_iter()
                    .find(|a| a.ordinal == ordinal)
                    .ok_or_else(|| {
                        ApiError::not_found(format!(
                            "Appeal {id} has no applicant number {ordinal}."
                        ))
                    })?;
                let mut stored: StoredApplicant =
                    workflow::parse_json(&applicant.card, "applicant card")?;
                let check_before = stored.card.address_check();
                if check_before == AddressCheck::NothingToCompare {
                    return Err(ApiError::conflict(
                        "The appeal states no postal address; there is nothing to reconcile with.",
                    ));
                }
                let address_before = stored.card.address.clone();
                stored
                    .card
                    .reconcile_address(crate::routes::appeals::address_block(&body.address));
                let check_after = stored.card.address_check();
                repo::registry::update_applicant(
                    conn,
                    row.id,
                    ordinal,
                    applicant.full_name.as_deref(),
                    &workflow::to_json(&stored)?,
                )?;
                let details: AppealDetails = workflow::parse_json(&row.details, "details")?;
                let saved = workflow::commit_change(
                    conn,
                    &principal,
                    &row,
                    row.clone(),
                    "address_reconciled",
                    Some(serde_json::json!({
                        "ordinal": ordinal,
                        "address": crate::registry::address_dto(address_before),
                        "address_check": z1::address_check_dto(check_before),
                        "postal_address": details.postal_address,
                    })),
                    Some(serde_json::json!({
                        "ordinal": ordinal,
                        "address": body.address,
                        "address_check": z1::address_check_dto(check_after),
                    })),
                )?;
                workflow::view(conn, &saved)
            })
        })
        .await?;
    Ok(with_etag(dto))
}
