//! The duplicate check (Rules p.13, R13, R14): a dry-run check, the registrar's decision on a
//! verdict, and the links of a card.

use actix_web::{HttpResponse, get, post, web};
use appeals_db::rows::{NewDuplicateDecisionRow, NewDuplicateLinkRow};
use appeals_db::{repo, write_tx};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{Auth, DuplicateCheckers, DuplicateDeciders, Readers};
use crate::dedup::{DuplicateCheckDto, VerdictDto, run_check};
use crate::dto::{AppealDto, RegisterAppeal};
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidatedJson;
use crate::routes::appeals::prepare_registration;
use crate::state::AppState;
use crate::workflow;

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
    let rules = state.rules();
    let prepared = prepare_registration(&rules, body, auth.subject_id, Utc::now())?;
    let settings = rules.dedup;
    let dto = state
        .db(move |conn| Ok(run_check(conn, &prepared, &settings, None)?.to_dto()))
        .await?;
    Ok(web::Json(dto))
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

fn link_json(l: &appeals_db::rows::DuplicateLinkRow) -> serde_json::Value {
    serde_json::json!({
        "other_appeal_id": l.other_appeal_id, "verdict": l.verdict, "decided_by": l.decided_by,
    })
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
    let id = path.into_inner();
    if body.reason.trim().is_empty() {
        return Err(ApiError::invalid_field("#/reason", "must not be blank"));
    }
    let principal = auth.principal.clone();
    let dto = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let row = workflow::load_card(conn, &principal, id)?;
                let links = repo::duplicates::links_from(conn, id)?;
                let engine_original = links
                    .iter()
                    .find(|l| l.verdict == "duplicate")
                    .map(|l| l.other_appeal_id);
                let original = match (body.verdict, body.original_appeal_id) {
                    (VerdictDto::New, _) => None,
                    (VerdictDto::Duplicate, None) => Some(
                        row.duplicate_of.or(engine_original).ok_or_else(|| {
                            ApiError::invalid_field(
                                "#/original_appeal_id",
                                "name the original: no duplicate link exists",
                            )
                        })?,
                    ),
                    (_, given) => given,
                };
                if let Some(original) = original {
                    if original == id {
                        return Err(ApiError::invalid_field(
                            "#/original_appeal_id",
                            "an appeal cannot duplicate itself",
                        ));
                    }
                    // Any subject's appeal may be the original (p.2(2)); only its existence is
                    // checked, nothing of it is shown.
                    if repo::duplicates::card_refs(conn, &[original])?.is_empty() {
                        return Err(ApiError::invalid_field(
                            "#/original_appeal_id",
                            "no such appeal",
                        ));
                    }
                }
                let now = appeals_db::now_utc();
                let previous = serde_json::json!({
                    "duplicate_of": row.duplicate_of,
                    "links": links.iter().map(link_json).collect::<Vec<_>>(),
                });
                let existing = |other: i64| links.iter().find(|l| l.other_appeal_id == other);
                repo::duplicates::delete_links_from(conn, id)?;
                let mut keep: Vec<NewDuplicateLinkRow> = Vec::new();
                if body.verdict != VerdictDto::New {
                    for l in &links {
                        if Some(l.other_appeal_id) == original {
                            continue;
                        }
                        // Only one original: other duplicate links become related.
                        let demoted = l.verdict == "duplicate";
                        keep.push(NewDuplicateLinkRow {
                            appeal_id: id,
                            other_appeal_id: l.other_appeal_id,
                            verdict: "related".to_owned(),
                            similarity: l.similarity,
                            containment: l.containment,
                            decided_by: if demoted { "user" } else { &l.decided_by }.to_owned(),
                            reason: if demoted {
                                Some(body.reason.clone())
                            } else {
                                l.reason.clone()
                            },
                            created_at: if demoted { now } else { l.created_at },
                            created_by: if demoted {
                                Some(principal.user_id)
                            } else {
                                l.created_by
                            },
                        });
                    }
                    if let Some(original) = original {
                        let before = existing(original);
                        keep.push(NewDuplicateLinkRow {
                            appeal_id: id,
                            other_appeal_id: original,
                            verdict: body.verdict.code().to_owned(),
                            similarity: before.and_then(|l| l.similarity),
                            containment: before.and_then(|l| l.containment),
                            decided_by: "user".to_owned(),
                            reason: Some(body.reason.clone()),
                            created_at: now,
                            created_by: Some(principal.user_id),
                        });
                    }
                }
                for link in &keep {
                    repo::duplicates::insert_link(conn, link)?;
                }
                let duplicate_of = (body.verdict == VerdictDto::Duplicate)
                    .then_some(original)
                    .flatten();
                repo::duplicates::insert_decision(
                    conn,
                    &NewDuplicateDecisionRow {
                        appeal_id: id,
                        verdict: body.verdict.code().to_owned(),
                        original_appeal_id: original,
                        reason: body.reason.clone(),
                        previous: workflow::to_json(&previous)?,
                        decided_at: now,
                        decided_by: principal.user_id,
                    },
                )?;
                let mut next = row.clone();
                next.duplicate_of = duplicate_of;
                let saved = workflow::commit_change(
                    conn,
                    &principal,
                    &row,
                    next,
                    "duplicate_decision_recorded",
                    Some(previous),
                    Some(serde_json::json!({
                        "verdict": body.verdict,
                        "duplicate_of": duplicate_of,
                        "original_appeal_id": original,
                        "reason": body.reason,
                        "links": keep.iter().map(|l| serde_json::json!({
                            "other_appeal_id": l.other_appeal_id, "verdict": l.verdict, "decided_by": l.decided_by,
                        })).collect::<Vec<_>>(),
                    })),
                )?;
                workflow::view(conn, &saved)
            })
        })
        .await?;
    Ok(web::Json(dto))
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
    let principal = auth.principal.clone();
    let dto = state
        .db(move |conn| {
            let row = workflow::load_card(conn, &principal, id)?;
            let from = repo::duplicates::links_from(conn, id)?;
            let to = repo::duplicates::links_to(conn, id)?;
            let others: Vec<i64> = from
                .iter()
                .map(|l| l.other_appeal_id)
                .chain(to.iter().map(|l| l.appeal_id))
                .collect();
            let refs: std::collections::BTreeMap<i64, (String, i64, chrono::NaiveDateTime)> =
                repo::duplicates::card_refs(conn, &others)?
                    .into_iter()
                    .map(|(id, number, subject, at)| (id, (number, subject, at)))
                    .collect();
            let mut items = Vec::new();
            for (direction, link, other) in from
                .iter()
                .map(|l| ("original", l, l.other_appeal_id))
                .chain(to.iter().map(|l| ("repeat", l, l.appeal_id)))
            {
                let Some((number, subject, at)) = refs.get(&other) else {
                    continue;
                };
                items.push(DuplicateLinkDto {
                    direction: direction.to_owned(),
                    appeal_id: other,
                    registration_number: number.clone(),
                    subject_id: *subject,
                    registered_at: workflow::utc(*at),
                    verdict: if link.verdict == "duplicate" {
                        VerdictDto::Duplicate
                    } else {
                        VerdictDto::Related
                    },
                    similarity: link.similarity,
                    containment: link.containment,
                    decided_by: link.decided_by.clone(),
                    reason: link.reason.clone(),
                    created_at: workflow::utc(link.created_at),
                });
            }
            Ok(DuplicateLinks {
                duplicate_of: row.duplicate_of,
                items,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(dto))
}
