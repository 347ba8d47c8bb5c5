//! The edge's part of an action on a card: the optional `If-Match` ([`target`]), the
//! `Idempotency-Key` with the request hash of a creating POST ([`idempotency`]), and the answer
//! with the card and its `ETag` ([`card_ok`]). The steps of the action itself are the use-cases of
//! `appeals_service` (`actions`, `corrections`, `decisions`).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};

use crate::card_view;
use crate::dto::AppealDto;
use crate::error::{ApiError, ApiResult, ProblemType};
use crate::rules::Rules;

/// `If-Match` is optional on actions; when sent, it must name the current version (412).
pub fn expected_version(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    if req.headers().contains_key(header::IF_MATCH) {
        if_match(req).map(Some)
    } else {
        Ok(None)
    }
}

pub fn with_etag(dto: &AppealDto) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, card_view::etag(dto.version)))
        .json(dto)
}

/// The local calendar date of a UTC instant.
pub fn local_date(rules: &Rules, t: NaiveDateTime) -> NaiveDate {
    rules.local_time(card_view::utc(t)).date()
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
        .and_then(card_view::version_of_etag)
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
    let dto = card_view::view_of(&view.row, view.subject, view.applicants)?;
    Ok(with_etag(&dto))
}
