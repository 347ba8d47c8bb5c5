//! R46: notices owed to applicants. Every status change of a card (and every signed decision, as
//! an SMS to each mobile number on file) writes a notice in the same transaction
//! (`workflow::commit_change`); the subject's delivery system takes its pending notices from
//! `GET /notifications` and reports each delivery. A card's notices are part of its record.

use actix_web::{get, post, web};
use appeals_db::repo;
use appeals_db::repo::notifications::QueueFilter;
use appeals_db::rows::NotificationRow;
use appeals_domain::lifecycle::NoticeDelivery;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::actions::{fail_if_any, instant};
use crate::auth::{Auth, Notifiers, Readers};
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidatedJson;
use crate::pagination::PageRequest;
use crate::state::AppState;
use crate::workflow;

/// A notice owed to the applicant (R46).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": 17, "appeal_id": 42, "registration_number": "ЖТ-2026-00000042",
    "event": "answer_issued", "status_from": "in_work", "status_to": "decided",
    "applicant_ordinal": 1, "sms_to": "+77011234567", "created_at": "2026-03-12T06:00:00Z",
    "delivery": "pending", "reported_at": null, "delivery_note": null
}))]
pub struct NotificationDto {
    pub id: i64,
    pub appeal_id: i64,
    pub registration_number: String,
    /// `status_changed` (tell the applicant the new status) or `answer_issued` (an SMS that the
    /// answer was issued, to `sms_to`).
    pub event: String,
    /// Status codes of the change (the same for a further decision on a decided card).
    pub status_from: String,
    pub status_to: String,
    /// `answer_issued`: the applicant (З-1 ordinal) and the mobile number on file.
    pub applicant_ordinal: Option<i32>,
    pub sms_to: Option<String>,
    pub created_at: DateTime<Utc>,
    /// `pending`, `delivered` or `failed` (a failed one may still be reported delivered).
    pub delivery: String,
    pub reported_at: Option<DateTime<Utc>>,
    pub delivery_note: Option<String>,
}

impl NotificationDto {
    fn of(row: NotificationRow, registration_number: String) -> Self {
        Self {
            id: row.id,
            appeal_id: row.appeal_id,
            registration_number,
            event: row.event,
            status_from: row.status_from,
            status_to: row.status_to,
            applicant_ordinal: row.applicant_ordinal,
            sms_to: row.sms_to,
            created_at: workflow::utc(row.created_at),
            delivery: row.delivery,
            reported_at: row.reported_at.map(workflow::utc),
            delivery_note: row.delivery_note,
        }
    }
}

/// A page of the delivery queue.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationDto>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Filters of `GET /api/v1/notifications`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    /// `pending` (default), `delivered`, `failed` or `all`.
    pub delivery: Option<String>,
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// The outcome of one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryOutcome {
    Delivered,
    Failed,
}

impl DeliveryOutcome {
    fn state(self) -> NoticeDelivery {
        match self {
            DeliveryOutcome::Delivered => NoticeDelivery::Delivered,
            DeliveryOutcome::Failed => NoticeDelivery::Failed,
        }
    }
}

/// A delivery report.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "delivered", "reported_at": "2026-03-12T06:01:00Z", "note": "SMS gateway id 8812"}))]
pub struct DeliveryReport {
    pub outcome: DeliveryOutcome,
    /// When it was delivered (or failed); default now. Not before the notice, not in the future.
    pub reported_at: Option<DateTime<Utc>>,
    /// The gateway's reference or the reason of a failure.
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// The notices of one appeal (R46), oldest first.
///
/// Readable by whoever may read the card (404 otherwise).
#[utoipa::path(tag = "notifications", responses((status = 200, body = Vec<NotificationDto>)))]
#[get("/appeals/{id}/notifications")]
pub async fn of_appeal(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Vec<NotificationDto>>> {
    let id = path.into_inner();
    let principal = auth.principal.clone();
    let items = state
        .db(move |conn| {
            let row = workflow::load_card(conn, &principal, id)?;
            Ok(repo::notifications::of_appeal(conn, id)?
                .into_iter()
                .map(|n| NotificationDto::of(n, row.reg_number.clone()))
                .collect())
        })
        .await?;
    Ok(web::Json(items))
}

/// The subject's delivery queue (R46): its notices in id order, oldest first.
///
/// `delivery=pending` (the default) is what is still to be sent. Poll it from the start (no
/// cursor) each time: a notice committed late by a parallel request may carry a lower id than one
/// already seen, and it stays pending until reported, so nothing is skipped. `cursor` pages within
/// one poll. An unknown `delivery`, a bad cursor or limit is a 422 naming `#/query/…`.
#[utoipa::path(
    tag = "notifications",
    params(NotificationQuery),
    responses((status = 200, body = NotificationPage))
)]
#[get("/notifications")]
pub async fn queue(
    state: web::Data<AppState>,
    auth: Auth<Notifiers>,
    query: web::Query<NotificationQuery>,
) -> ApiResult<web::Json<NotificationPage>> {
    let q = query.into_inner();
    let page_request = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let delivery = match q
        .delivery
        .as_deref()
        .map(|d| (d, NoticeDelivery::from_code(d)))
    {
        None => Some(NoticeDelivery::Pending),
        Some(("all", _)) => None,
        Some((_, Some(state))) => Some(state),
        Some((_, None)) => {
            return Err(ApiError::invalid_field(
                "#/query/delivery",
                "must be pending, delivered, failed or all",
            ));
        }
    };
    let filter = QueueFilter {
        subject_id: auth.subject_id,
        delivery,
        after_id: page_request.cursor_id,
        limit: page_request.fetch(),
    };
    let page = state
        .db(move |conn| {
            let mut rows = repo::notifications::queue(conn, &filter)?;
            let next_cursor = page_request.cut(&mut rows, |(n, _)| n.id);
            let items = rows
                .into_iter()
                .map(|(n, number)| NotificationDto::of(n, number))
                .collect();
            Ok(NotificationPage { items, next_cursor })
        })
        .await?;
    Ok(web::Json(page))
}

/// Report the delivery of a notice (R46).
///
/// Only the subject that owes the notice (404 otherwise). `delivered` is final: a further report
/// is a 409 `conflict` and changes nothing; `failed` may be followed by `delivered` after a retry.
/// The report is also an `applicant_notified` event in the card's history.
#[utoipa::path(
    tag = "notifications",
    request_body = DeliveryReport,
    responses(
        (status = 200, description = "Recorded", body = NotificationDto),
        (status = 409, description = "Already delivered (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/notifications/{id}/delivery")]
pub async fn report_delivery(
    state: web::Data<AppState>,
    auth: Auth<Notifiers>,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<DeliveryReport>,
) -> ApiResult<web::Json<NotificationDto>> {
    let id = path.into_inner();
    let principal = auth.principal.clone();
    let dto = state
        .db(move |conn| {
            appeals_db::write_tx(conn, |conn| {
                let not_found =
                    || ApiError::not_found(format!("Notification {id} does not exist."));
                let notice = repo::notifications::find(conn, id)?.ok_or_else(not_found)?;
                appeals_service::access::own_subject(&principal, notice.subject_id, || {
                    format!("Notification {id} does not exist.")
                })?;
                let mut errors = Vec::new();
                let at = instant(
                    body.reported_at,
                    "#/reported_at",
                    notice.created_at,
                    &mut errors,
                );
                fail_if_any(errors)?;
                let outcome = body.outcome.state();
                if !repo::notifications::report(conn, id, outcome, at, body.note.as_deref())? {
                    return Err(ApiError::conflict(format!(
                        "Notification {id} was already delivered."
                    )));
                }
                workflow::record_event(
                    conn,
                    &principal,
                    notice.appeal_id,
                    appeals_db::now_utc(),
                    "applicant_notified",
                    Some(serde_json::json!({"notification_id": id, "delivery": notice.delivery})),
                    Some(serde_json::json!({
                        "notification_id": id,
                        "event": notice.event,
                        "delivery": outcome.code(),
                        "reported_at": workflow::utc(at),
                    })),
                )?;
                let appeal = repo::appeals::get(conn, notice.appeal_id)?;
                let saved = repo::notifications::find(conn, id)?.ok_or_else(not_found)?;
                Ok(NotificationDto::of(saved, appeal.reg_number))
            })
        })
        .await?;
    Ok(web::Json(dto))
}
