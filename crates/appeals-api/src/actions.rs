//! The shared steps of an action on a card (Lemmy-style thin handlers: validate → domain rule →
//! database → DTO): client instants and field errors, the optional `If-Match`, loading the card
//! for writing, applying life-cycle commands, and [`act_on_card`] for the actions that record no
//! ОЛ-2 (assignment, withdrawal, continuation, art. 63 correction).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use appeals_db::rows::AppealRow;
use appeals_db::{DbConn, write_tx};
use appeals_domain::lifecycle::{self, Command};
use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};

use crate::auth::Principal;
use crate::dto::AppealDto;
use crate::error::{ApiError, ApiResult, FieldError, ProblemType};
use crate::rules::Rules;
use crate::state::AppState;
use crate::workflow::{self, CardParts};

/// Tolerated clock skew of a client-supplied instant.
const FUTURE_SKEW_MINUTES: i64 = 5;

/// An instant of the request (`None` = now), truncated to microseconds like every stored time;
/// in the future or before `not_before` → 422 at `pointer`.
pub fn instant(
    given: Option<DateTime<Utc>>,
    pointer: &str,
    not_before: NaiveDateTime,
    errors: &mut Vec<FieldError>,
) -> NaiveDateTime {
    let now = appeals_db::now_utc();
    let Some(given) = given else {
        return now;
    };
    let t = given.naive_utc().trunc_subsecs(6);
    if t > now + chrono::Duration::minutes(FUTURE_SKEW_MINUTES) {
        errors.push(field(pointer, "lies in the future"));
    } else if t < not_before {
        errors.push(field(
            pointer,
            format!("precedes {}", not_before.and_utc().to_rfc3339()),
        ));
    }
    t
}

pub fn field(pointer: &str, detail: impl Into<String>) -> FieldError {
    FieldError {
        pointer: pointer.to_owned(),
        detail: detail.into(),
    }
}

pub fn not_blank(value: &str, pointer: &str, errors: &mut Vec<FieldError>) {
    if value.trim().is_empty() {
        errors.push(field(pointer, "must not be blank"));
    }
}

pub fn fail_if_any(errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// `If-Match` is optional on actions; when sent, it must name the current version (412).
pub fn expected_version(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    if req.headers().contains_key(header::IF_MATCH) {
        if_match(req).map(Some)
    } else {
        Ok(None)
    }
}

fn check_version(row: &AppealRow, expected: Option<i64>) -> Result<(), ApiError> {
    match expected {
        Some(v) if v != row.version => Err(ApiError::new(
            ProblemType::PreconditionFailed,
            format!(
                "The card is at version {}, not {v}; reload it.",
                row.version
            ),
        )),
        _ => Ok(()),
    }
}

/// Loads the card for an action: writable by the caller and at the expected version.
pub fn load_for_action(
    conn: &mut DbConn,
    p: &Principal,
    id: i64,
    expected: Option<i64>,
) -> Result<(AppealRow, CardParts), ApiError> {
    let row = workflow::load_card(conn, p, id)?;
    check_version(&row, expected)?;
    let parts = CardParts::of(&row)?;
    Ok((row, parts))
}

/// Applies life-cycle commands in order (409 `invalid-transition` when one is not allowed now).
pub fn transition(parts: &mut CardParts, commands: &[Command]) -> Result<(), ApiError> {
    let mut state = parts.state.clone();
    for command in commands {
        state = lifecycle::apply(&state, command)?.state;
    }
    parts.state = state;
    Ok(())
}

pub fn with_etag(dto: &AppealDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, workflow::etag(dto.version)))
        .json(dto)
}

/// The history event of a life-cycle action: its name and the values before and after.
pub struct CardEvent {
    pub action: &'static str,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

impl CardEvent {
    /// The usual event of an action: the status before, and after it the new status followed by
    /// the action's own `fields` (a JSON object).
    pub fn status_change(
        action: &'static str,
        row: &AppealRow,
        parts: &CardParts,
        fields: serde_json::Value,
    ) -> Self {
        let mut after = serde_json::Map::new();
        after.insert("status".to_owned(), parts.state.status().code().into());
        if let serde_json::Value::Object(fields) = fields {
            after.extend(fields);
        }
        Self {
            action,
            before: serde_json::json!({ "status": row.status }),
            after: serde_json::Value::Object(after),
        }
    }
}

/// A life-cycle action that records no ОЛ-2: in one transaction the card is loaded for writing at
/// the expected version, `change` checks the request against it and changes its parts (422/409
/// before anything is written), and the card is committed with one history event; the answer is
/// 200 with the card and its `ETag`.
pub async fn act_on_card<F>(
    state: &AppState,
    principal: Principal,
    id: i64,
    expected: Option<i64>,
    change: F,
) -> ApiResult<HttpResponse>
where
    F: Fn(&mut DbConn, &AppealRow, &mut CardParts) -> Result<CardEvent, ApiError> + Send + 'static,
{
    let dto = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let (row, mut parts) = load_for_action(conn, &principal, id, expected)?;
                let event = change(conn, &row, &mut parts)?;
                let next = parts.apply_to(&row)?;
                let saved = workflow::commit_change(
                    conn,
                    &principal,
                    &row,
                    next,
                    event.action,
                    Some(event.before),
                    Some(event.after),
                )?;
                workflow::view(conn, &saved)
            })
        })
        .await?;
    Ok(with_etag(&dto))
}

pub fn parse_code<T: serde::de::DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
}

/// The local calendar date of a UTC instant.
pub fn local_date(rules: &Rules, t: NaiveDateTime) -> NaiveDate {
    rules.local_time(workflow::utc(t)).date()
}

/// Parses `If-Match` (required for edits).
pub fn if_match(req: &HttpRequest) -> Result<i64, ApiError> {
    let value = req.headers().get(header::IF_MATCH).ok_or_else(|| {
        ApiError::new(
            ProblemType::PreconditionRequired,
            "Send `If-Match` with the card's ETag.",
        )
    })?;
    value
        .to_str()
        .ok()
        .and_then(workflow::version_of_etag)
        .ok_or_else(|| {
            ApiError::new(
                ProblemType::PreconditionFailed,
                "`If-Match` is not an ETag of this card.",
            )
        })
}

/// Reads and checks the `Idempotency-Key` header.
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or("");
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid_field(
            "#/header/Idempotency-Key",
            "must be 1–255 visible ASCII characters",
        ));
    }
    Ok(Some(key.to_owned()))
}

/// The `Idempotency-Key` of a creating POST with the one request hash of every such POST: SHA-256
/// of the path, a zero byte and the body as parsed (so formatting does not matter).
pub fn idempotency<T: serde::Serialize>(
    req: &HttpRequest,
    body: &T,
) -> Result<Option<appeals_service::idempotency::Idem>, ApiError> {
    use sha2::{Digest, Sha256};
    let Some(key) = idempotency_key(req)? else {
        return Ok(None);
    };
    let mut hasher = Sha256::new();
    hasher.update(req.path().as_bytes());
    hasher.update([0]);
    hasher.update(serde_json::to_vec(body).map_err(ApiError::internal)?);
    Ok(Some(appeals_service::idempotency::Idem {
        key,
        request_hash: hex::encode(hasher.finalize()),
    }))
}

/// The card an action names: its id and the optional `If-Match` version (412 when stale).
pub fn target(
    req: &HttpRequest,
    appeal_id: i64,
) -> Result<appeals_service::actions::Target, ApiError> {
    Ok(appeals_service::actions::Target {
        appeal_id,
        expected_version: expected_version(req)?,
    })
}

/// 200 with the card (ОЛ-1 with its З-1 cards) and its `ETag`.
pub fn card_ok(view: appeals_service::actions::CardView) -> ApiResult<HttpResponse> {
    let dto = workflow::view_of(&view.row, view.subject, view.applicants)?;
    Ok(with_etag(&dto))
}
