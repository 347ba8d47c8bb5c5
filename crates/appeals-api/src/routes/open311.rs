//! The public status facade in the Open311 GeoReport v2 shape (issue 22 point 7; read-only, no
//! token): appeals of the subjects that opt in as service requests with status and dates only —
//! never a name, IIN, address or text — and an applicant's own check by the registration number
//! and the talon's verification code.

use actix_web::{get, web};
use appeals_domain::dictionary::DictionaryName;
use appeals_service::open311::{self, PublicRequest, RequestFilter};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

/// A service (GeoReport v2 `services.json`): a kind of document an appeal is registered as.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"service_code": "application", "service_name": "Заявление",
    "description": "Заявление (Rules p.4)", "metadata": false, "type": "batch",
    "keywords": "appeal", "group": "appeals"}))]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    /// Always `batch`: a request's identifier is the registration, made by the registrar.
    #[serde(rename = "type")]
    pub service_type: String,
    pub keywords: String,
    pub group: String,
}

/// A service request (GeoReport v2 `requests.json`): status and dates only.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"service_request_id": "42", "status": "open", "status_notes": "in_work",
    "service_name": "Заявление", "service_code": "application", "description": null,
    "agency_responsible": "Аппарат акима города Алматы", "service_notice": "ЖТ-2026-00000042",
    "requested_datetime": "2026-12-07T09:15:00+05:00", "updated_datetime": "2026-12-08T10:00:00+05:00",
    "expected_datetime": "2026-12-28T23:59:59+05:00", "address": null, "address_id": null,
    "zipcode": null, "lat": null, "long": null, "media_url": null}))]
pub struct ServiceRequest {
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: String,
    /// The card's status code (`registered`, `in_work`, `forwarded`, `closed`, …).
    pub status_notes: String,
    pub service_name: String,
    pub service_code: String,
    /// Always `null`: the text is never published.
    pub description: Option<String>,
    /// The subject that holds the appeal.
    pub agency_responsible: String,
    /// The registration number.
    pub service_notice: String,
    pub requested_datetime: DateTime<FixedOffset>,
    pub updated_datetime: DateTime<FixedOffset>,
    /// The end of the review deadline's day (requisite 13).
    pub expected_datetime: DateTime<FixedOffset>,
    /// Always `null`: no address is published.
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    /// Comma-separated ids.
    pub service_request_id: Option<String>,
    pub service_code: Option<String>,
    /// ISO 8601; its date is compared with the registration date.
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// `open` or `closed`.
    pub status: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// The registration number on the talon.
    pub registration_number: String,
    /// The verification code on the talon.
    pub verification_code: String,
}

fn local(at: NaiveDateTime, offset: &FixedOffset) -> DateTime<FixedOffset> {
    at.and_utc().with_timezone(offset)
}

fn service_request(state: &AppState, p: PublicRequest) -> ServiceRequest {
    let rules = state.rules();
    let offset = FixedOffset::east_opt(rules.deadlines.utc_offset_minutes * 60)
        .unwrap_or_else(|| chrono::Offset::fix(&chrono::Utc));
    let service_name = rules
        .dictionary(DictionaryName::DocumentTypes)
        .ok()
        .and_then(|d| d.entries.iter().find(|e| e.code == p.row.document_type))
        .map(|e| e.label_ru.clone())
        .unwrap_or_else(|| p.row.document_type.clone());
    let end_of_due_day = p
        .row
        .review_due
        .and_hms_opt(23, 59, 59)
        .and_then(|t| t.and_local_timezone(offset).single())
        .unwrap_or_else(|| local(p.row.updated_at, &offset));
    ServiceRequest {
        service_request_id: p.row.id.to_string(),
        status: if p.row.closed_at.is_some() {
            "closed"
        } else {
            "open"
        }
        .to_owned(),
        status_notes: p.row.status.clone(),
        service_name,
        service_code: p.row.document_type.clone(),
        description: None,
        agency_responsible: p.subject.name_ru,
        service_notice: p.row.reg_number.clone(),
        requested_datetime: local(p.row.received_at, &offset),
        updated_datetime: local(p.row.updated_at, &offset),
        expected_datetime: end_of_due_day,
        address: None,
        address_id: None,
        zipcode: None,
        lat: None,
        long: None,
        media_url: None,
    }
}

fn date_of(value: Option<String>, name: &str) -> Result<Option<NaiveDate>, ApiError> {
    value
        .map(|v| {
            v.get(..10).and_then(|d| d.parse().ok()).ok_or_else(|| {
                ApiError::invalid_field(format!("#/query/{name}"), "an ISO 8601 date or date-time")
            })
        })
        .transpose()
}

/// The services: the kinds of documents appeals are registered as (GeoReport v2).
#[utoipa::path(tag = "open311", responses((status = 200, body = Vec<Service>)))]
#[get("/services.json")]
pub async fn services(state: web::Data<AppState>) -> ApiResult<web::Json<Vec<Service>>> {
    let rules = state.rules();
    let book = rules.dictionary(DictionaryName::DocumentTypes)?;
    Ok(web::Json(
        book.entries
            .iter()
            .filter(|e| e.active)
            .map(|e| Service {
                service_code: e.code.clone(),
                service_name: e.label_ru.clone(),
                description: format!("{} / {}", e.label_ru, e.label_kk),
                metadata: false,
                service_type: "batch".to_owned(),
                keywords: "appeal".to_owned(),
                group: "appeals".to_owned(),
            })
            .collect(),
    ))
}

/// Service requests of the publishing subjects, newest first (at most 1,000): status and dates
/// only (GeoReport v2).
#[utoipa::path(tag = "open311", params(RequestsQuery), responses(
    (status = 200, body = Vec<ServiceRequest>),
    (status = 422, body = crate::error::Problem, content_type = PROBLEM),
))]
#[get("/requests.json")]
pub async fn requests(
    state: web::Data<AppState>,
    query: web::Query<RequestsQuery>,
) -> ApiResult<web::Json<Vec<ServiceRequest>>> {
    let q = query.into_inner();
    let open = match q.status.as_deref() {
        None => None,
        Some("open") => Some(true),
        Some("closed") => Some(false),
        Some(_) => {
            return Err(ApiError::invalid_field(
                "#/query/status",
                "`open` or `closed`",
            ));
        }
    };
    let ids: Option<Vec<i64>> = q.service_request_id.map(|ids| {
        ids.split(',')
            .filter_map(|id| id.trim().parse().ok())
            .collect()
    });
    let filter = RequestFilter {
        service_code: q.service_code,
        open,
        start_date: date_of(q.start_date, "start_date")?,
        end_date: date_of(q.end_date, "end_date")?,
    };
    let rows = state
        .run(move |conn| open311::requests(conn, &filter))
        .await?;
    Ok(web::Json(
        rows.into_iter()
            .filter(|p| ids.as_ref().is_none_or(|ids| ids.contains(&p.row.id)))
            .map(|p| service_request(&state, p))
            .collect(),
    ))
}

/// One service request (an array of one, as GeoReport v2 answers); 404 for a card of a subject
/// that does not publish.
#[utoipa::path(tag = "open311", responses(
    (status = 200, body = Vec<ServiceRequest>),
    (status = 404, body = crate::error::Problem, content_type = PROBLEM),
))]
#[get("/requests/{id}.json")]
pub async fn request(
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Vec<ServiceRequest>>> {
    let id = path.into_inner();
    let p = state.run(move |conn| open311::request(conn, id)).await?;
    Ok(web::Json(vec![service_request(&state, p)]))
}

/// An applicant's own status check: the registration number and the verification code printed on
/// the talon (any subject, published or not). A wrong pair is a 404, like an unknown number.
#[utoipa::path(tag = "open311", params(StatusQuery), responses(
    (status = 200, body = Vec<ServiceRequest>),
    (status = 404, body = crate::error::Problem, content_type = PROBLEM),
))]
#[get("/status.json")]
pub async fn status(
    state: web::Data<AppState>,
    query: web::Query<StatusQuery>,
) -> ApiResult<web::Json<Vec<ServiceRequest>>> {
    let q = query.into_inner();
    let p = state
        .run(move |conn| open311::status_check(conn, &q.registration_number, &q.verification_code))
        .await?;
    Ok(web::Json(vec![service_request(&state, p)]))
}
