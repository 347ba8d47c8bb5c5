//! The duplicate check (Rules p.13, R13, R14): a dry-run check, the registrar's decision on a
//! verdict, and the links of a card.

use actix_web::{HttpResponse, get, post, web};
use appeals_service::appeals::register;
use appeals_service::duplicates::{self, check as duplicate_check};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{Auth, DuplicateCheckers, DuplicateDeciders, Readers};
use crate::card_view;
use crate::dedup::{DuplicateCheckDto, VerdictDto};
use crate::dto::{AppealDto, RegisterAppeal};
use crate::error::ApiResult;
use crate::extract::ValidatedJson;
use crate::state::AppState;

/// Check a would-be registration for duplicates (p.13). Nothing is stored.
///
/// Takes the registration body of `POST /appeals` (validated the same way) and compares it with
/// the stored appeals of **all** subjects (p.2(2): a duplicate may be addressed to another
/// subject): candidates by the applicant's IIN/BIN, name and settlement (R14) and, for an anonymous
/// appeal, by LSH band keys of the text (for a named one only as many bands as the setting
/// `dedup_others_probe_bands` says, default none: other applicants' appeals can only be `new`),
/// verified by the engine. `duplicate` = same applicant, same issue, no new
/// arguments; `related` = same applicant and issue with new content (shown in `novel_fragments`)
/// or an anonymous appeal; `new` otherwise. Another subject's candidate shows only its number,
/// subject, time and scores — never its text.
#[utoipa::path(tag = "duplicates", request_body = RegisterAppeal, responses((status = 200, body = DuplicateCheckDto)))]
#[post("/duplicate-checks")]
pub async fn check(
    state: web::Data<AppState>,
    auth: Auth<DuplicateCheckers>,
    ValidatedJson(body): ValidatedJson<RegisterAppeal>,
) -> ApiResult<web::Json<DuplicateCheckDto>> {
    let ctx = state.ctx(&auth);
    let prepared = register::prepare(&ctx, body.into(), true)?.into_check()?;
    let summary = state
        .run(move |conn| duplicate_check::dry_run(conn, &ctx, prepared))
        .await?;
    Ok(web::Json(summary.into()))
}

/// The registrar's qualification of a verdict (R14).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"verdict": "related", "original_appeal_id": 41, "reason": "Заявитель приводит новое обстоятельство: акт обследования от 5 апреля."}))]
pub struct DuplicateDecision {
    pub verdict: VerdictDto,
    /// The earlier appeal: required for `duplicate` unless the engine already linked one; for
    /// `related` it adds a link; ignored for `new`.
    pub original_appeal_id: Option<i64>,
    /// Why the registrar decides so (kept in the history).
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// A stored duplicate/related link as shown on a card.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DuplicateLinkDto {
    /// `original`: this appeal repeats the other (earlier) one; `repeat`: the other (later) appeal
    /// repeats this one.
    #[schema(example = "original")]
    pub direction: String,
    pub appeal_id: i64,
    pub registration_number: String,
    pub subject_id: i64,
    pub registered_at: DateTime<Utc>,
    pub verdict: VerdictDto,
    pub similarity: Option<f64>,
    pub containment: Option<f64>,
    /// `engine` or `user`.
    pub decided_by: String,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Duplicate links of a card, both ways.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DuplicateLinks {
    pub duplicate_of: Option<i64>,
    pub items: Vec<DuplicateLinkDto>,
}

/// Qualify the duplicate verdict of a card (R14; p.22: the decision is recorded).
///
/// `duplicate` sets `duplicate_of` to `original_appeal_id` (or keeps the engine's original) and
/// links it; `related` clears `duplicate_of`, turns the card's duplicate links into related ones and
/// links `original_appeal_id` when given; `new` clears `duplicate_of` and removes the card's links.
/// The card stays registered under its own number (R13). The decision, its reason and the links
/// before it are appended to the card's history.
#[utoipa::path(tag = "duplicates", request_body = DuplicateDecision, responses((status = 200, body = AppealDto)))]
#[post("/appeals/{id}/duplicate-decision")]
pub async fn decide(
    state: web::Data<AppState>,
    auth: Auth<DuplicateDeciders>,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<DuplicateDecision>,
) -> ApiResult<web::Json<AppealDto>> {
    let cmd = duplicates::DecideDuplicate {
        appeal_id: path.into_inner(),
        verdict: body.verdict.into(),
        original_appeal_id: body.original_appeal_id,
        reason: body.reason,
    };
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| duplicates::decide(conn, &ctx, cmd))
        .await?;
    Ok(web::Json(card_view::view_of(
        &view.row,
        view.subject,
        view.applicants,
    )?))
}

/// Duplicate links of a card, both ways (p.13, R13).
///
/// `original`: earlier appeals this one repeats (the check at registration or a registrar's
/// decision); `repeat`: later appeals that repeat this one. Linked appeals of other subjects show
/// only their number, subject and time.
#[utoipa::path(tag = "duplicates", responses((status = 200, body = DuplicateLinks)))]
#[get("/appeals/{id}/duplicates")]
pub async fn list_links(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let (duplicate_of, links) = state
        .run(move |conn| duplicates::links(conn, &ctx, id))
        .await?;
    let items = links.into_iter().map(DuplicateLinkDto::from).collect();
    Ok(HttpResponse::Ok().json(DuplicateLinks {
        duplicate_of,
        items,
    }))
}

impl From<duplicates::LinkView> for DuplicateLinkDto {
    fn from(v: duplicates::LinkView) -> Self {
        Self {
            direction: v.direction.to_owned(),
            appeal_id: v.appeal_id,
            registration_number: v.registration_number,
            subject_id: v.subject_id,
            registered_at: v.registered_at.and_utc(),
            verdict: if v.duplicate {
                VerdictDto::Duplicate
            } else {
                VerdictDto::Related
            },
            similarity: v.link.similarity,
            containment: v.link.containment,
            decided_by: v.link.decided_by,
            reason: v.link.reason,
            created_at: v.link.created_at.and_utc(),
        }
    }
}
