//! The registry of subjects (issue 20 point 2): everyone reads it (forwarding names receivers by
//! id); the authorized body's admins create and change subjects. A subject is deactivated, never
//! deleted. Every change is an admin event with the values before and after.

use actix_web::{HttpResponse, get, http::header, patch, post, web};
use appeals_service::subjects::{self, NewSubject, SubjectChanges};
use appeals_service::views::SubjectRow;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{Auth, ReferenceData, SubjectKeepers};
use crate::dto::nullable;
use crate::error::ApiResult;
use crate::extract::ValidatedJson;
use crate::state::AppState;

/// A subject: a state body, local self-government body or state company (p.2).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": 3, "code": "AKIMAT-ALA", "name_ru": "Аппарат акима города Алматы", "name_kk": null,
    "parent_id": 1, "kato_code": "750000000", "bin": "940140000385", "is_authorized_body": false,
    "report_row_code": "75", "is_active": true, "signature_required": null, "open311_public": false,
    "hierarchy_level": "regional_office", "appeals_unit_id": null,
    "created_at": "2026-01-05T04:00:00"
}))]
pub struct SubjectDto {
    pub id: i64,
    pub code: String,
    pub name_ru: String,
    pub name_kk: Option<String>,
    /// The subject above it in the hierarchy.
    pub parent_id: Option<i64>,
    pub kato_code: Option<String>,
    /// The organisation's BIN: an access application (p.25) must be signed for it.
    pub bin: Option<String>,
    /// p.2(6): the Committee on legal statistics and its territorial bodies.
    pub is_authorized_body: bool,
    /// Its row code in report 1-ОЛ (`code` when empty).
    pub report_row_code: Option<String>,
    /// A deactivated subject keeps its cards; its users cannot act.
    pub is_active: bool,
    /// Whether forwarding and extension approvals must be signed with an EDS; `null` = the
    /// deployment's default (docs/access.md).
    pub signature_required: Option<bool>,
    /// Publishes its appeals' status and dates (never names, IINs, addresses or text) through
    /// the Open311 facade (`/open311/v2`).
    pub open311_public: bool,
    /// Its level in a hierarchy of bodies (issue 21): `head_office`, `structural_unit`,
    /// `regional_office`, `district_office`, `agency_institution`; `null` — not placed (routing
    /// and signing rules by level do not apply). docs/hierarchy.md.
    pub hierarchy_level: Option<String>,
    /// p.18 part 2: the structural unit (a subject below this one) that considers the appeals
    /// registered from the call centre.
    pub appeals_unit_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl From<SubjectRow> for SubjectDto {
    fn from(s: SubjectRow) -> Self {
        Self {
            id: s.id,
            code: s.code,
            name_ru: s.name_ru,
            name_kk: s.name_kk,
            parent_id: s.parent_id,
            kato_code: s.kato_code,
            bin: s.bin,
            is_authorized_body: s.is_authorized_body,
            report_row_code: s.report_row_code,
            is_active: s.is_active,
            signature_required: s.signature_required,
            open311_public: s.open311_public,
            hierarchy_level: s.hierarchy_level,
            appeals_unit_id: s.appeals_unit_id,
            created_at: s.created_at,
        }
    }
}

/// A new subject.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "AKIMAT-ALA", "name_ru": "Аппарат акима города Алматы", "parent_id": 1,
    "kato_code": "750000000", "bin": "940140000385", "report_row_code": "75"
}))]
pub struct NewSubjectBody {
    #[validate(length(min = 1, max = 50))]
    pub code: String,
    #[validate(length(min = 1, max = 500))]
    pub name_ru: String,
    #[validate(length(min = 1, max = 500))]
    pub name_kk: Option<String>,
    pub parent_id: Option<i64>,
    #[validate(length(min = 1, max = 12))]
    pub kato_code: Option<String>,
    pub bin: Option<String>,
    #[serde(default)]
    pub is_authorized_body: bool,
    #[validate(length(min = 1, max = 20))]
    pub report_row_code: Option<String>,
    pub signature_required: Option<bool>,
    /// Issue 21: the hierarchy level code.
    #[validate(length(min = 1, max = 40))]
    pub hierarchy_level: Option<String>,
}

/// Changes of a subject: a field left out stays, `null` clears it; `is_active: false` deactivates.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parent_id": 2, "is_active": false}))]
pub struct SubjectPatch {
    #[validate(length(min = 1, max = 500))]
    pub name_ru: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub name_kk: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub kato_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub bin: Option<Option<String>>,
    pub is_authorized_body: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub report_row_code: Option<Option<String>>,
    pub is_active: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<bool>)]
    pub signature_required: Option<Option<bool>>,
    pub open311_public: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub hierarchy_level: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub appeals_unit_id: Option<Option<i64>>,
}

/// Every subject of the registry, by id (reference data).
#[utoipa::path(tag = "subjects", responses((status = 200, body = Vec<SubjectDto>)))]
#[get("/subjects")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<ReferenceData>,
) -> ApiResult<web::Json<Vec<SubjectDto>>> {
    let ctx = state.ctx(&auth);
    let rows = state.run(move |conn| subjects::list(conn, &ctx)).await?;
    Ok(web::Json(rows.into_iter().map(SubjectDto::from).collect()))
}

/// One subject.
#[utoipa::path(tag = "subjects", responses(
    (status = 200, body = SubjectDto),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/subjects/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Auth<ReferenceData>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<SubjectDto>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let row = state.run(move |conn| subjects::get(conn, &ctx, id)).await?;
    Ok(web::Json(row.into()))
}

/// Create a subject (the authorized body's admins). 422 for an unknown parent or KATO code or an
/// invalid BIN; 409 when the code is taken.
#[utoipa::path(tag = "subjects", request_body = NewSubjectBody, responses(
    (status = 201, body = SubjectDto, headers(("Location" = String))),
    (status = 409, description = "The code is taken", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/subjects")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth<SubjectKeepers>,
    ValidatedJson(body): ValidatedJson<NewSubjectBody>,
) -> ApiResult<HttpResponse> {
    let ctx = state.ctx(&auth);
    let new = NewSubject {
        code: body.code,
        name_ru: body.name_ru,
        name_kk: body.name_kk,
        parent_id: body.parent_id,
        kato_code: body.kato_code,
        bin: body.bin,
        is_authorized_body: body.is_authorized_body,
        report_row_code: body.report_row_code,
        signature_required: body.signature_required,
        hierarchy_level: body.hierarchy_level,
    };
    let row = state
        .run(move |conn| subjects::create(conn, &ctx, new))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/subjects/{}", row.id)))
        .json(SubjectDto::from(row)))
}

/// Change or deactivate a subject (the authorized body's admins). A deactivated subject's users
/// are refused on their next request (401), in every server process; its cards stay.
#[utoipa::path(tag = "subjects", request_body = SubjectPatch, responses(
    (status = 200, body = SubjectDto),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "Unknown parent or KATO code, a parent below the subject, an invalid BIN", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[patch("/subjects/{id}")]
pub async fn change(
    state: web::Data<AppState>,
    auth: Auth<SubjectKeepers>,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<SubjectPatch>,
) -> ApiResult<web::Json<SubjectDto>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let changes = SubjectChanges {
        name_ru: body.name_ru,
        name_kk: body.name_kk,
        parent_id: body.parent_id,
        kato_code: body.kato_code,
        is_authorized_body: body.is_authorized_body,
        report_row_code: body.report_row_code,
        is_active: body.is_active,
        signature_required: body.signature_required,
        bin: body.bin,
        open311_public: body.open311_public,
        hierarchy_level: body.hierarchy_level,
        appeals_unit_id: body.appeals_unit_id,
    };
    let row = state
        .run(move |conn| subjects::change(conn, &ctx, id, changes))
        .await?;
    Ok(web::Json(row.into()))
}
