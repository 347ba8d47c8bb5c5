//! Webhook subscriptions of the caller's subject (issue 22; docs/integrations.md): register an
//! endpoint (the secret is shown once), list, pause or resume, rotate the secret, delete; the
//! delivery log and the replay of a parked event.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use appeals_service::views::{DeliveryRow, SubscriptionRow};
use appeals_service::webhooks::{self, NewSubscription, SubscriptionUpdate, SubscriptionView};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{Auth, WebhookKeepers};
use crate::error::ApiResult;
use crate::extract::ValidatedJson;
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

/// A subscription (its secret only in the answers that create or rotate it).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": 3, "subject_id": 5, "all_subjects": false, "url": "https://is.akimat.kz/hooks/appeals",
    "event_types": ["appeal.part_received", "appeal.decision_recorded"], "status": "active",
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "last_event_id": 1042,
    "failing_since": null, "next_attempt_at": null, "created_at": "2026-12-06T09:00:00"
}))]
pub struct SubscriptionDto {
    pub id: i64,
    pub subject_id: i64,
    /// A subscription of the authorized body receives every subject's events.
    pub all_subjects: bool,
    pub url: String,
    /// Empty: every type.
    pub event_types: Vec<String>,
    /// `active` or `paused`.
    pub status: String,
    /// Shown once, at creation and at rotation: keep it; it signs every delivery
    /// (`webhook-signature`, Standard Webhooks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// The last outbox event handled.
    pub last_event_id: i64,
    /// Set while deliveries fail (retried with back-off; parked after the retry window).
    pub failing_since: Option<NaiveDateTime>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

fn dto(row: SubscriptionRow, secret: Option<String>) -> SubscriptionDto {
    SubscriptionDto {
        id: row.id,
        subject_id: row.subject_id,
        all_subjects: row.all_subjects,
        url: row.url,
        event_types: row
            .event_types
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        status: row.status,
        secret,
        last_event_id: row.cursor,
        failing_since: row.failing_since,
        next_attempt_at: row.next_attempt_at,
        created_at: row.created_at,
    }
}

fn shown(view: SubscriptionView) -> SubscriptionDto {
    dto(view.row, view.secret_shown_once)
}

/// A new subscription.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://is.akimat.kz/hooks/appeals", "event_types": ["appeal.part_received"]}))]
pub struct NewSubscriptionBody {
    #[validate(length(min = 1, max = 2000))]
    pub url: String,
    /// Event types (`appeal.<action>`, `appeal.part_received`, `reception.<action>`); empty or
    /// left out: every type.
    #[serde(default)]
    pub event_types: Vec<String>,
}

/// Changes of a subscription.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "paused"}))]
pub struct SubscriptionPatch {
    #[validate(length(min = 1, max = 2000))]
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    /// `active` (resume: the missed events follow, in order) or `paused`.
    pub status: Option<SubscriptionStatus>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Active,
    Paused,
}

/// One delivery attempt.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryDto {
    pub id: i64,
    /// The outbox event (its `webhook-id` is `event_id`).
    pub outbox_id: i64,
    pub event_id: String,
    pub attempt: i32,
    /// `delivered`, `failed` (retried), `parked` (given up; replayable), `replayed`.
    pub outcome: String,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub latency_ms: i32,
    pub attempted_at: NaiveDateTime,
}

fn delivery_dto(d: DeliveryRow) -> DeliveryDto {
    DeliveryDto {
        id: d.id,
        outbox_id: d.outbox_id,
        event_id: d.event_id,
        attempt: d.attempt,
        outcome: d.outcome,
        status_code: d.status_code,
        error: d.error,
        latency_ms: d.latency_ms,
        attempted_at: d.attempted_at,
    }
}

/// Register an endpoint for the caller's subject's events (those committed from now on). The
/// answer holds the signing secret, shown once.
#[utoipa::path(tag = "webhooks", request_body = NewSubscriptionBody, responses(
    (status = 201, body = SubscriptionDto, headers(("Location" = String))),
    (status = 422, description = "Not an http(s) URL, or an unknown event type", body = crate::error::Problem, content_type = PROBLEM),
))]
#[post("/webhook-subscriptions")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth<WebhookKeepers>,
    ValidatedJson(body): ValidatedJson<NewSubscriptionBody>,
) -> ApiResult<HttpResponse> {
    let ctx = state.ctx(&auth);
    let new = NewSubscription {
        url: body.url,
        event_types: body.event_types,
    };
    let view = state
        .run(move |conn| webhooks::create(conn, &ctx, new))
        .await?;
    let dto = shown(view);
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/webhook-subscriptions/{}", dto.id),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .json(dto))
}

/// The caller's subject's subscriptions.
#[utoipa::path(tag = "webhooks", responses((status = 200, body = Vec<SubscriptionDto>)))]
#[get("/webhook-subscriptions")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<WebhookKeepers>,
) -> ApiResult<web::Json<Vec<SubscriptionDto>>> {
    let ctx = state.ctx(&auth);
    let rows = state.run(move |conn| webhooks::list(conn, &ctx)).await?;
    Ok(web::Json(rows.into_iter().map(|r| dto(r, None)).collect()))
}

/// One subscription (another subject's is not found).
#[utoipa::path(tag = "webhooks", responses(
    (status = 200, body = SubscriptionDto),
    (status = 404, body = crate::error::Problem, content_type = PROBLEM),
))]
#[get("/webhook-subscriptions/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Auth<WebhookKeepers>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<SubscriptionDto>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let row = state.run(move |conn| webhooks::get(conn, &ctx, id)).await?;
    Ok(web::Json(dto(row, None)))
}

/// Change the URL or the event types, pause or resume.
#[utoipa::path(tag = "webhooks", request_body = SubscriptionPatch, responses(
    (status = 200, body = SubscriptionDto),
    (status = 404, body = crate::error::Problem, content_type = PROBLEM),
    (status = 422, body = crate::error::Problem, content_type = PROBLEM),
))]
#[patch("/webhook-subscriptions/{id}")]
pub async fn change(
    state: web::Data<AppState>,
    auth: Auth<WebhookKeepers>,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<SubscriptionPatch>,
) -> ApiResult<web::Json<SubscriptionDto>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let update = SubscriptionUpdate {
        url: body.url,
        event_types: body.event_types,
        active: body.status.map(|s| matches!(s, SubscriptionStatus::Active)),
    };
    let row = state
        .run(move |conn| webhooks::change(conn, &ctx, id, update))
        .await?;
    Ok(web::Json(dto(row, None)))
}

/// A new signing secret, shown once; the old one stops signing at once.
#[utoipa::path(tag = "webhooks", responses(
    (status = 200, body = SubscriptionDto),
    (status = 404, body = crate::error::Problem, content_type = PROBLEM),
))]
#[post("/webhook-subscriptions/{id}/secret-rotation")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    auth: Auth<WebhookKeepers>,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let view = state
        .run(move |conn| webhooks::rotate_secret(conn, &ctx, id))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(shown(view)))
}

/// Delete a subscription: nothing more is delivered; its delivery log stays.
#[utoipa::path(tag = "webhooks", responses(
    (status = 204, description = "Deleted"),
    (status = 404, body = crate::error::Problem, content_type = PROBLEM),
))]
#[delete("/webhook-subscriptions/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    auth: Auth<WebhookKeepers>,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    state
        .run(move |conn| webhooks::delete(conn, &ctx, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The newest 100 delivery attempts: status codes, latency, outcome.
#[utoipa::path(tag = "webhooks", responses(
    (status = 200, body = Vec<DeliveryDto>),
    (status = 404, body = crate::error::Problem, content_type = PROBLEM),
))]
#[get("/webhook-subscriptions/{id}/deliveries")]
pub async fn deliveries(
    state: web::Data<AppState>,
    auth: Auth<WebhookKeepers>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Vec<DeliveryDto>>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let rows = state
        .run(move |conn| webhooks::deliveries(conn, &ctx, id))
        .await?;
    Ok(web::Json(rows.into_iter().map(delivery_dto).collect()))
}

/// Send a parked event again now (on the blocking pool, with the worker's timeouts); the attempt
/// is logged and returned. 409 for a delivery that is not parked.
#[utoipa::path(tag = "webhooks", responses(
    (status = 200, body = DeliveryDto),
    (status = 404, body = crate::error::Problem, content_type = PROBLEM),
    (status = 409, body = crate::error::Problem, content_type = PROBLEM),
))]
#[post("/webhook-subscriptions/{id}/deliveries/{delivery_id}/retry")]
pub async fn retry(
    state: web::Data<AppState>,
    auth: Auth<WebhookKeepers>,
    path: web::Path<(i64, i64)>,
) -> ApiResult<web::Json<DeliveryDto>> {
    let (id, delivery_id) = path.into_inner();
    let ctx = state.ctx(&auth);
    let row = state
        .run(move |conn| {
            let config = crate::webhook_worker::WorkerConfig::default();
            let agent = crate::webhook_worker::client(&config);
            webhooks::replay(conn, &ctx, id, delivery_id, |sub, event| {
                crate::webhook_worker::send(&agent, sub, event)
            })
        })
        .await?;
    Ok(web::Json(delivery_dto(row)))
}
