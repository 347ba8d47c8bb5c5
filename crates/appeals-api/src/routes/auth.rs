//! `POST /api/v1/auth/token` and `GET /api/v1/me`.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use appeals_service::accounts;

use crate::auth::{Auth, OwnAccount, Role};
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidatedJson;
use crate::state::AppState;

/// Credentials: a user's `username`/`password`, or an integration client's
/// `client_id`/`client_secret` (an account with the `integration` role).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "registrar", "password": "demo-password"}))]
pub struct TokenRequest {
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub username: Option<String>,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub password: Option<String>,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub client_id: Option<String>,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub client_secret: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9…", "token_type": "Bearer", "expires_in": 900}))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds.
    pub expires_in: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SubjectSummary {
    pub id: i64,
    #[schema(example = "AKIMAT-ALA")]
    pub code: String,
    #[schema(example = "Аппарат акима города Алматы")]
    pub name_ru: String,
    pub name_kk: Option<String>,
    pub is_authorized_body: bool,
}

/// The caller as the server sees them.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub user_id: i64,
    #[schema(example = "registrar")]
    pub username: String,
    pub full_name: Option<String>,
    #[schema(value_type = Vec<crate::auth::RoleSchema>)]
    pub roles: Vec<Role>,
    pub subject: SubjectSummary,
}

/// Issue a short-lived access token.
///
/// A wrong username or password, an unknown client or a deactivated account all give the same 401
/// (no user enumeration). Every attempt on an existing account goes into its login trail; the
/// fifth failure in a row locks the account for 15 minutes (429 `account-locked` naming the end
/// of the lock, even with the right password).
#[utoipa::path(
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Wrong credentials", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "The account is locked after repeated failed logins (`account-locked`)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/token")]
pub async fn issue_token(
    state: web::Data<AppState>,
    ValidatedJson(body): ValidatedJson<TokenRequest>,
) -> ApiResult<HttpResponse> {
    let (login, secret, is_client) = match body {
        TokenRequest {
            username: Some(u),
            password: Some(p),
            client_id: None,
            client_secret: None,
        } => (u, p, false),
        TokenRequest {
            username: None,
            password: None,
            client_id: Some(c),
            client_secret: Some(s),
        } => (c, s, true),
        _ => {
            return Err(ApiError::invalid_field(
                "#",
                "Send either `username` and `password`, or `client_id` and `client_secret`.",
            ));
        }
    };
    let now = state.now().naive_utc();
    let user = state.run(move |conn| accounts::find(conn, &login)).await?;
    accounts::refuse_if_locked(user.as_ref(), now)?;
    let checked = user.clone();
    let verdict = state
        .cpu(move || accounts::verify(checked, &secret, is_client))
        .await;
    if let Some(user) = user {
        let succeeded = verdict.is_ok();
        state
            .run(move |conn| accounts::record_login(conn, &user, succeeded, now))
            .await?;
    }
    let account = verdict?;
    let token = state.jwt.issue_now(&account)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token: token,
            token_type: "Bearer".to_owned(),
            expires_in: state.jwt.ttl_seconds,
        }))
}

/// The current user, their roles and subject.
#[utoipa::path(tag = "auth", responses((status = 200, body = Me)))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, auth: Auth<OwnAccount>) -> ApiResult<web::Json<Me>> {
    let ctx = state.ctx(&auth);
    let (user, subject) = state.run(move |conn| accounts::me(conn, &ctx)).await?;
    Ok(web::Json(Me {
        user_id: user.id,
        username: user.username,
        full_name: user.full_name,
        roles: auth.roles.clone(),
        subject: SubjectSummary {
            id: subject.id,
            code: subject.code,
            name_ru: subject.name_ru,
            name_kk: subject.name_kk,
            is_authorized_body: subject.is_authorized_body,
        },
    }))
}

/// One entry of the caller's login trail.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"occurred_at": "2026-12-06T10:15:00", "outcome": "succeeded"}))]
pub struct LoginEntry {
    /// Server time (UTC).
    pub occurred_at: chrono::NaiveDateTime,
    /// `succeeded`, `failed`, `locked` (the failure that locked the account) or `logged_out`.
    pub outcome: String,
}

/// End every session of the caller: all their access tokens are refused from the next request on,
/// in every server process. A new login issues a new token.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 204, description = "Logged out; every token of the caller is revoked"),
    )
)]
#[post("/me/logout")]
pub async fn logout(state: web::Data<AppState>, auth: Auth<OwnAccount>) -> ApiResult<HttpResponse> {
    let ctx = state.ctx(&auth);
    state.run(move |conn| accounts::logout(conn, &ctx)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's newest 50 login attempts and logouts (the audited login trail).
#[utoipa::path(tag = "auth", responses((status = 200, body = Vec<LoginEntry>)))]
#[get("/me/logins")]
pub async fn logins(
    state: web::Data<AppState>,
    auth: Auth<OwnAccount>,
) -> ApiResult<web::Json<Vec<LoginEntry>>> {
    let ctx = state.ctx(&auth);
    let rows = state
        .run(move |conn| accounts::own_login_trail(conn, &ctx))
        .await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|r| LoginEntry {
                occurred_at: r.occurred_at,
                outcome: r.outcome,
            })
            .collect(),
    ))
}
