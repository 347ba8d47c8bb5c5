//! The deadline and numbering conventions (issue 23 point 1): every [OBS]/[INF] choice of the
//! deadline rules (day-count convention, cut-off, time zone, terms, extension cap, report due day,
//! back-dating window), the letter-index table, the number layout and the forwarded-term policy —
//! stored with the database, versioned and audited, changed only by the authorized body's admins,
//! applied by every server process on its next request.

use actix_web::{HttpResponse, get, put, web};
use appeals_domain::conventions::Conventions;
use appeals_service::config::{self, ConventionsChange, ConventionsView};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{Auth, ConventionKeepers, ReferenceData};
use crate::dto::MovedDeadline;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidatedJson;
use crate::state::AppState;

/// The conventions in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "version": 2, "changed_at": "2026-12-06T09:00:00", "changed_by": 1,
    "reason": "Приказ уполномоченного органа № … : окончание приема в 18:00",
    "content_hash": "3b1f…",
    "conventions": {
        "deadlines": {
            "convention": "inclusive", "utc_offset_minutes": 300, "cutoff": "18:00:00",
            "forwarding_working_days": 3, "transfer_working_days": 3,
            "transfer_cancellation_working_days": 1, "extension_cap_months": 2,
            "extension_notice_working_days": 3, "hearing_notice_working_days": 3,
            "report_due_day": 10, "backdating_working_days": 3
        },
        "letter_index": {"entries": [
            {"category": "individual", "index": "ЖТ", "evidence": "obs"},
            {"category": "legal_entity", "index": "ЗТ", "evidence": "inf"}
        ]},
        "number_format": {"separator": "-", "counter_width": 8},
        "forwarded_term_policy": "restart_at_receiver"
    }
}))]
pub struct ConventionsDto {
    /// 0: the built-in defaults of DOMAIN.md (nothing stored yet).
    pub version: i64,
    pub changed_at: Option<NaiveDateTime>,
    pub changed_by: Option<i64>,
    pub reason: Option<String>,
    /// SHA-256 of the stored document.
    pub content_hash: Option<String>,
    /// `deadlines` — `convention` (`inclusive`: the day of receipt is day 1, R28; or
    /// `exclusive`), `utc_offset_minutes` (R8), `cutoff` (local time from which a submission
    /// counts as received the next day, R8), `forwarding_working_days` (R34),
    /// `transfer_working_days` (R16), `transfer_cancellation_working_days` (R18),
    /// `extension_cap_months` (R36), `extension_notice_working_days` (R36),
    /// `hearing_notice_working_days` (R38), `report_due_day` (R50), `backdating_working_days`
    /// (how far before its entry an act may be dated without the head's role);
    /// `letter_index` (R3), `number_format` (R3), `forwarded_term_policy`
    /// (`restart_at_receiver` | `keep_original`, R35); `hierarchy` (issue 21, docs/hierarchy.md):
    /// `anonymity_reading` (`any_element_missing` | `authorship_only`, R15), `routing`
    /// (`enforce`, the applicant's notification templates, p.23), `call_centre_sources` (p.18),
    /// `signing_authority` (the p.54 table, first matching row wins), `quarterly_analysis_due_day`
    /// (p.56).
    #[schema(value_type = Object)]
    pub conventions: serde_json::Value,
}

impl ConventionsDto {
    fn of(view: ConventionsView) -> Result<Self, ApiError> {
        let row = view.row.filter(|r| r.version == view.version);
        Ok(Self {
            version: view.version,
            changed_at: row.as_ref().map(|r| r.changed_at),
            changed_by: row.as_ref().and_then(|r| r.changed_by),
            reason: row.as_ref().map(|r| r.reason.clone()),
            content_hash: row.map(|r| r.content_hash),
            conventions: serde_json::to_value(&view.conventions).map_err(ApiError::internal)?,
        })
    }
}

/// A stored version in the list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConventionsVersions {
    /// Newest first; each with the whole document.
    pub items: Vec<ConventionsDto>,
}

/// New conventions and why.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "conventions": {"deadlines": {"cutoff": "18:00:00"}},
    "reason": "Приказ уполномоченного органа № … : окончание приема в 18:00",
    "dry_run": true
}))]
pub struct ReplaceConventions {
    /// The whole document as `GET /api/v1/conventions` returns it under `conventions`; a group or
    /// value left out takes the built-in default (not the value in force).
    #[schema(value_type = Object)]
    pub conventions: serde_json::Value,
    /// Why (kept in the version and the audit trail).
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
    /// `true`: store nothing, only answer what the change would do.
    #[serde(default)]
    pub dry_run: bool,
}

/// What a change does (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConventionsChangeDto {
    pub dry_run: bool,
    /// `false`: the stated conventions are those in force; nothing stored.
    pub changed: bool,
    /// The conventions after the change (in a dry run: as stated, not stored).
    pub conventions: ConventionsDto,
    /// Open cards of every subject whose stored review deadline differs from the one the stated
    /// conventions give (R33: stored deadlines move only by `POST /api/v1/calendar/recalculations`).
    pub review_deadlines: DeadlinePreview,
}

/// The review deadlines a change would move.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeadlinePreview {
    pub checked: u32,
    pub moved_count: u32,
    /// Cards with a signed extension keep their date (R37).
    pub skipped_extended: u32,
    /// The first 100 moved cards by id.
    pub moved: Vec<MovedDeadline>,
}

impl ConventionsChangeDto {
    fn of(change: ConventionsChange) -> Result<Self, ApiError> {
        Ok(Self {
            dry_run: change.dry_run,
            changed: change.changed,
            conventions: ConventionsDto::of(change.view)?,
            review_deadlines: DeadlinePreview {
                checked: change.preview.checked,
                moved_count: change.preview.moved_count,
                skipped_extended: change.preview.skipped_extended,
                moved: change
                    .preview
                    .moved
                    .into_iter()
                    .map(MovedDeadline::from)
                    .collect(),
            },
        })
    }
}

/// The deadline and numbering conventions in force.
///
/// Every configurable choice of the deadline rules and the registration number, with the stored
/// version they come from (0: the built-in defaults DOMAIN.md documents).
#[utoipa::path(tag = "calendar", responses((status = 200, body = ConventionsDto)))]
#[get("/conventions")]
pub async fn get_conventions(
    state: web::Data<AppState>,
    _auth: Auth<ReferenceData>,
) -> ApiResult<web::Json<ConventionsDto>> {
    let rules = state.current_rules().await?;
    let view = state
        .run(move |conn| config::conventions(conn, &rules))
        .await?;
    Ok(web::Json(ConventionsDto::of(view)?))
}

/// Every stored version of the conventions, newest first.
#[utoipa::path(tag = "calendar", responses((status = 200, body = ConventionsVersions)))]
#[get("/conventions/versions")]
pub async fn conventions_versions(
    state: web::Data<AppState>,
    _auth: Auth<ReferenceData>,
) -> ApiResult<web::Json<ConventionsVersions>> {
    let rows = state.run(config::conventions_versions).await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let conventions: Conventions = serde_json::from_str(&row.data)
                .map_err(|e| ApiError::internal(format!("stored conventions: {e}")))?;
            ConventionsDto::of(ConventionsView {
                conventions,
                version: row.version,
                row: Some(row),
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(web::Json(ConventionsVersions { items }))
}

/// Replace the conventions (the authorized body's administrators).
///
/// Stores the document as the next version, audited with the documents before and after and the
/// reason; every server process applies it on its next request. Stored review deadlines never move
/// by themselves (R33): the answer lists the open cards whose deadline the new conventions would
/// move — with `dry_run: true` that is all it does. A value out of range is 422 at its pointer
/// (`#/conventions/deadlines/report_due_day`); the same document again changes nothing (200).
#[utoipa::path(
    tag = "calendar",
    request_body = ReplaceConventions,
    responses(
        (status = 201, description = "Stored as the next version", body = ConventionsChangeDto),
        (status = 200, description = "A dry run, or unchanged", body = ConventionsChangeDto),
    )
)]
#[put("/conventions")]
pub async fn replace_conventions(
    state: web::Data<AppState>,
    auth: Auth<ConventionKeepers>,
    ValidatedJson(body): ValidatedJson<ReplaceConventions>,
) -> ApiResult<HttpResponse> {
    let stated: Conventions = serde_json::from_value(body.conventions).map_err(|e| {
        ApiError::from(appeals_service::AppError::field(
            "#/conventions",
            format!("not a conventions document: {e}"),
        ))
    })?;
    let ctx = state.ctx(&auth);
    let (reason, dry_run) = (body.reason, body.dry_run);
    let mut change = state
        .run(move |conn| config::replace_conventions(conn, &ctx, stated, reason, dry_run))
        .await?;
    let stored = change.rules.is_some();
    if let Some(rules) = change.rules.take() {
        state.install_rules(rules);
    }
    let dto = ConventionsChangeDto::of(change)?;
    Ok(if stored {
        HttpResponse::Created().json(dto)
    } else {
        HttpResponse::Ok().json(dto)
    })
}
