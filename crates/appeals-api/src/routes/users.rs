//! Users of the caller's subject (issue 20 point 2), kept by the subject's admin: create, change
//! roles, deactivate, reset a password. Another subject's user is not found (404). A role change,
//! a deactivation or a password reset revokes the user's tokens at once. Passwords follow the
//! policy of docs/access.md; an IIN is stored only as a keyed hash.

use actix_web::{HttpResponse, get, http::header, patch, post, web};
use appeals_service::users::{self, NewUser, UserUpdate};
use appeals_service::views::UserRow;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{Auth, Role, UserKeepers};
use crate::dto::nullable;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidatedJson;
use crate::state::AppState;

/// An account (never its password or IIN; `iin_bound` says whether an IIN is bound for EDS
/// signing).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": 12, "username": "a.seitkali", "subject_id": 3, "full_name": "Сейткали Айгерим Нурлановна",
    "position": "главный специалист", "roles": ["registrar"], "is_active": true,
    "iin_bound": true, "locked_until": null, "created_at": "2026-12-06T09:00:00"
}))]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    pub subject_id: i64,
    pub full_name: Option<String>,
    pub position: Option<String>,
    #[schema(value_type = Vec<crate::auth::RoleSchema>)]
    pub roles: Vec<Role>,
    pub is_active: bool,
    /// Whether a person's IIN is bound to the account (an EDS signer must match it).
    pub iin_bound: bool,
    /// Set while the account is locked after repeated failed logins.
    pub locked_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl TryFrom<UserRow> for UserDto {
    type Error = ApiError;
    fn try_from(u: UserRow) -> Result<Self, ApiError> {
        Ok(Self {
            roles: Role::parse_list(&u.roles).map_err(ApiError::internal)?,
            id: u.id,
            username: u.username,
            subject_id: u.subject_id,
            full_name: u.full_name,
            position: u.position,
            is_active: u.is_active,
            iin_bound: u.iin_hash.is_some(),
            locked_until: u.locked_until,
            created_at: u.created_at,
        })
    }
}

/// A new account of the caller's subject.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "username": "a.seitkali", "password": "Жаңа-құпия-сөз-2026", "full_name": "Сейткали Айгерим Нурлановна",
    "position": "главный специалист", "roles": ["registrar"], "iin": "921029350851"
}))]
pub struct NewUserBody {
    #[validate(length(min = 1, max = 100))]
    pub username: String,
    /// At least 12 characters, two of letters/digits/other, not containing the username.
    #[validate(length(min = 1, max = 1000))]
    pub password: String,
    #[validate(length(min = 1, max = 300))]
    pub full_name: Option<String>,
    #[validate(length(min = 1, max = 300))]
    pub position: Option<String>,
    #[schema(value_type = Vec<crate::auth::RoleSchema>)]
    pub roles: Vec<Role>,
    /// The person's IIN (stored as a keyed hash only).
    pub iin: Option<String>,
}

/// Changes of an account: a field left out stays, `null` clears it; `is_active: false` deactivates.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"roles": ["registrar", "executor"]}))]
pub struct UserPatch {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub full_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub position: Option<Option<String>>,
    #[schema(value_type = Option<Vec<crate::auth::RoleSchema>>)]
    pub roles: Option<Vec<Role>>,
    pub is_active: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub iin: Option<Option<String>>,
}

/// A new password chosen by the subject's admin.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "Жаңа-құпия-сөз-2027"}))]
pub struct PasswordReset {
    #[validate(length(min = 1, max = 1000))]
    pub password: String,
}

fn dtos(rows: Vec<UserRow>) -> Result<Vec<UserDto>, ApiError> {
    rows.into_iter().map(UserDto::try_from).collect()
}

/// The accounts of the caller's subject.
#[utoipa::path(tag = "users", responses((status = 200, body = Vec<UserDto>)))]
#[get("/users")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<UserKeepers>,
) -> ApiResult<web::Json<Vec<UserDto>>> {
    let ctx = state.ctx(&auth);
    let rows = state.run(move |conn| users::list(conn, &ctx)).await?;
    Ok(web::Json(dtos(rows)?))
}

/// One account of the caller's subject (404 for another subject's).
#[utoipa::path(tag = "users", responses(
    (status = 200, body = UserDto),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/users/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Auth<UserKeepers>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<UserDto>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let row = state.run(move |conn| users::get(conn, &ctx, id)).await?;
    Ok(web::Json(row.try_into()?))
}

/// Create an account in the caller's subject. 422 for a password against the policy or an
/// invalid IIN; 409 when the username is taken.
#[utoipa::path(tag = "users", request_body = NewUserBody, responses(
    (status = 201, body = UserDto, headers(("Location" = String))),
    (status = 409, description = "The username is taken", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/users")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth<UserKeepers>,
    ValidatedJson(body): ValidatedJson<NewUserBody>,
) -> ApiResult<HttpResponse> {
    let ctx = state.ctx(&auth);
    let new = NewUser {
        username: body.username,
        password: body.password,
        full_name: body.full_name,
        position: body.position,
        roles: body.roles,
        iin: body.iin,
    };
    let row = state
        .run(move |conn| users::create(conn, &ctx, new))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", row.id)))
        .json(UserDto::try_from(row)?))
}

/// Change or deactivate an account of the caller's subject. A role change or a deactivation
/// revokes the user's tokens at once (401 on their next request in every server process).
#[utoipa::path(tag = "users", request_body = UserPatch, responses(
    (status = 200, body = UserDto),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[patch("/users/{id}")]
pub async fn change(
    state: web::Data<AppState>,
    auth: Auth<UserKeepers>,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<UserPatch>,
) -> ApiResult<web::Json<UserDto>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let update = UserUpdate {
        full_name: body.full_name,
        position: body.position,
        roles: body.roles,
        is_active: body.is_active,
        iin: body.iin,
    };
    let row = state
        .run(move |conn| users::change(conn, &ctx, id, update))
        .await?;
    Ok(web::Json(row.try_into()?))
}

/// Reset an account's password (the subject's admin): its tokens are revoked and a lockout is
/// lifted. The password is never logged or stored in the audit.
#[utoipa::path(tag = "users", request_body = PasswordReset, responses(
    (status = 204, description = "Password set; the user's tokens are revoked"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "The password breaks the policy", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/users/{id}/password")]
pub async fn reset_password(
    state: web::Data<AppState>,
    auth: Auth<UserKeepers>,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<PasswordReset>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    state
        .run(move |conn| users::reset_password(conn, &ctx, id, &body.password))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
