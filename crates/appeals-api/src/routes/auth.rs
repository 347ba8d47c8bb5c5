//! `POST /api/v1/auth/token` and `GET /api/v1/me`.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{Auth, OwnAccount, Role, verify_password};
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
/// (no user enumeration).
#[utoipa::path(
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Wrong credentials", body = crate::error::Problem, content_type = "application/problem+json"),
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
    let user = state
        .db(move |conn| Ok(appeals_db::repo::users::find_by_username(conn, &login)?))
        .await?;
    let wrong = || ApiError::unauthorized("Wrong credentials.");
    let Some(user) = user else {
        // Spend the same time as a real check so timing does not reveal which usernames exist.
        let _ = verify_password(&secret, DUMMY_HASH);
        return Err(wrong());
    };
    let hash = user.password_hash.clone();
    let verified = web::block(move || verify_password(&secret, &hash)).await?;
    if !verified || !user.is_active {
        return Err(wrong());
    }
    let roles = Role::parse_list(&user.roles).map_err(ApiError::internal)?;
    if is_client && !roles.contains(&Role::Integration) {
        return Err(wrong());
    }
    let token = state.jwt.issue(
        user.id,
        user.subject_id,
        &roles,
        chrono::Utc::now().timestamp(),
    )?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token: token,
            token_type: "Bearer".to_owned(),
            expires_in: state.jwt.ttl_seconds,
        }))
}

/// An argon2 hash of a random string, verified against when the user does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Jx1zm3S0MgwMQPHo4cKO0cxKqrCrzAlyETT2aMIYOw";

/// The current user, their roles and subject.
#[utoipa::path(tag = "auth", responses((status = 200, body = Me)))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, auth: Auth<OwnAccount>) -> ApiResult<web::Json<Me>> {
    let user_id = auth.user_id;
    let (user, subject) = state
        .db(move |conn| {
            let user = appeals_db::repo::users::get(conn, user_id)?;
            let subject = appeals_db::repo::subjects::get(conn, user.subject_id)?;
            Ok((user, subject))
        })
        .await?;
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
