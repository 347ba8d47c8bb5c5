//! R46: notices owed to applicants. Every status change of a card (and every signed decision, as
//! an SMS to each mobile number on file) writes a notice in the same transaction
//! (`card_view::commit_change`); the subject's delivery system takes its pending notices from
//! `GET /notifications` and reports each delivery. A card's notices are part of its record.

use actix_web::{get, post, web};
use appeals_domain::lifecycle::NoticeDelivery;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::{Auth, Notifiers, Readers};
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidatedJson;
use crate::pagination::PageRequest;
use crate::state::AppState;
use appeals_service::notifications::{self, NoticeView};

/// A notice owed to the applicant (R46).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": 17, "appeal_id": 42, "reception_id": null, "registration_number": "ЖТ-2026-00000042",
    "event": "answer_issued", "status_from": "in_work", "status_to": "decided",
    "applicant_ordinal": 1, "sms_to": "+77011234567", "created_at": "2026-03-12T06:00:00Z",
    "delivery": "pending", "reported_at": null, "delivery_note": null
}))]
pub struct NotificationDto {
    pub id: i64,
    /// The appeal (ОЛ-1) the notice is about; null for a personal-reception notice.
    pub appeal_id: Option<i64>,
    /// The reception card (ЛП-1) the notice is about; null for an appeal's notice.
    pub reception_id: Option<i64>,
    pub registration_number: String,
    /// `status_changed` (tell the applicant the new status), `answer_issued` (an SMS that the
    /// answer was issued, to `sms_to`) or `reception_status_changed` (a personal reception: a slot
    /// given or given back, refused, held, not held — to `sms_to` when the card has a mobile
    /// number; read the card for the slot).
    pub event: String,
    /// Status codes of the change (the same for a further decision on a decided card).
    pub status_from: String,
    pub status_to: String,
    /// `answer_issued`: the applicant (З-1 ordinal) and the mobile number on file;
    /// `reception_status_changed`: the mobile number on the ЛП-1 card.
    pub applicant_ordinal: Option<i32>,
    pub sms_to: Option<String>,
    pub created_at: DateTime<Utc>,
    /// `pending`, `delivered` or `failed` (a failed one may still be reported delivered).
    pub delivery: String,
    pub reported_at: Option<DateTime<Utc>>,
    pub delivery_note: Option<String>,
}

impl NotificationDto {
    fn of(view: NoticeView) -> Self {
        let NoticeView {
            notice: row,
            registration_number,
        } = view;
        Self {
            id: row.id,
            appeal_id: row.appeal_id,
            reception_id: row.reception_id,
            registration_number,
            event: row.event,
            status_from: row.status_from,
            status_to: row.status_to,
            applicant_ordinal: row.applicant_ordinal,
            sms_to: row.sms_to,
            created_at: row.created_at.and_utc(),
            delivery: row.delivery,
            reported_at: row.reported_at.map(|t| t.and_utc()),
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
    let ctx = state.ctx(&auth);
    let items = state
        .run(move |conn| notifications::of_appeal(conn, &ctx, id))
        .await?;
    Ok(web::Json(
        items.into_iter().map(NotificationDto::of).collect(),
    ))
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
    let ctx = state.ctx(&auth);
    let page = notifications::QueuePage {
        delivery,
        after_id: page_request.cursor_id,
        limit: page_request.fetch(),
    };
    let mut rows = state
        .run(move |conn| notifications::queue(conn, &ctx, page))
        .await?;
    let next_cursor = page_request.cut(&mut rows, |v| v.notice.id);
    Ok(web::Json(NotificationPage {
        items: rows.into_iter().map(NotificationDto::of).collect(),
        next_cursor,
    }))
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
    let cmd = notifications::ReportDelivery {
        notification_id: path.into_inner(),
        outcome: body.outcome.state(),
        reported_at: body.reported_at,
        note: body.note,
    };
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| notifications::report_delivery(conn, &ctx, cmd))
        .await?;
    Ok(web::Json(NotificationDto::of(view)))
}
