//! Authentication (bearer JWT) and authorization (role policies).
//!
//! One middleware authenticates every `/api/v1` request except the token route; one extractor,
//! [`Auth<P>`], enforces the role policy `P` a handler declares. Handlers contain no auth code.

use std::marker::PhantomData;
use std::str::FromStr;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

/// Issuer and audience of our tokens.
pub const TOKEN_ISSUER: &str = "appeals";
pub const TOKEN_AUDIENCE: &str = "appeals-api";

/// What a user may do. Stored as the snake_case codes below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Registers incoming appeals (регистратор).
    Registrar,
    /// Considers appeals assigned to them (исполнитель).
    Executor,
    /// Head of the subject (руководитель): extensions, decisions, reception.
    Head,
    /// Deputy head (заместитель руководителя).
    DeputyHead,
    /// Controls terms (контролер).
    Controller,
    /// Keeps the personal-reception queue (секретарь приема).
    ReceptionSecretary,
    /// Authorized body (КПСиСУ) analyst: reads all subjects.
    Analyst,
    /// Administers users, subjects, dictionaries and the calendar.
    Admin,
    /// Machine client of an agency information system.
    Integration,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Registrar,
        Role::Executor,
        Role::Head,
        Role::DeputyHead,
        Role::Controller,
        Role::ReceptionSecretary,
        Role::Analyst,
        Role::Admin,
        Role::Integration,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Registrar => "registrar",
            Role::Executor => "executor",
            Role::Head => "head",
            Role::DeputyHead => "deputy_head",
            Role::Controller => "controller",
            Role::ReceptionSecretary => "reception_secretary",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
            Role::Integration => "integration",
        }
    }

    /// Parses the stored comma-separated list.
    pub fn parse_list(stored: &str) -> Result<Vec<Role>, String> {
        stored
            .split(',')
            .filter(|s| !s.is_empty())
            .map(Role::from_str)
            .collect()
    }

    pub fn format_list(roles: &[Role]) -> String {
        roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| {
                let known: Vec<_> = Role::ALL.iter().map(|r| r.code()).collect();
                format!("unknown role `{s}`; known roles: {}", known.join(", "))
            })
    }
}

/// JWT claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    pub subject_id: i64,
    pub roles: Vec<Role>,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

/// Signing material, built once at start-up.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl_seconds: i64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl_seconds: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[TOKEN_ISSUER]);
        validation.set_audience(&[TOKEN_AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        // Clocks of our own processes agree closely; a long leeway would stretch token life.
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_seconds,
        }
    }

    pub fn issue(
        &self,
        user_id: i64,
        subject_id: i64,
        roles: &[Role],
        now: i64,
    ) -> Result<String, ApiError> {
        let claims = Claims {
            sub: user_id.to_string(),
            subject_id,
            roles: roles.to_vec(),
            iat: now,
            exp: now + self.ttl_seconds,
            iss: TOKEN_ISSUER.to_owned(),
            aud: TOKEN_AUDIENCE.to_owned(),
        };
        self.encode(&claims)
    }

    pub fn encode(&self, claims: &Claims) -> Result<String, ApiError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(ApiError::internal)
    }

    pub fn decode(&self, token: &str) -> Result<Claims, ApiError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                let detail = match e.kind() {
                    ErrorKind::ExpiredSignature => "The access token has expired.",
                    _ => "The access token is invalid.",
                };
                ApiError::unauthorized(detail)
            })
    }
}

/// The authenticated caller, placed in request extensions by [`authenticate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub user_id: i64,
    pub subject_id: i64,
    pub roles: Vec<Role>,
}

impl Principal {
    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.is_empty() || self.roles.iter().any(|r| roles.contains(r))
    }
}

/// Middleware for the protected scope: a missing, malformed, tampered or expired bearer token is
/// a 401 with `WWW-Authenticate: Bearer`.
pub async fn authenticate<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    match principal_from(&req) {
        Ok(principal) => {
            req.extensions_mut().insert(principal);
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        }
        // Answered here, as a response, so the outer middleware (request id, CORS) still applies.
        Err(e) => Ok(req.error_response(e).map_into_right_body()),
    }
}

fn principal_from(req: &ServiceRequest) -> Result<Principal, ApiError> {
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Err(ApiError::internal("AppState is not registered"));
    };
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("A bearer access token is required."))?;
    let claims = state.jwt.decode(token)?;
    let user_id = claims
        .sub
        .parse::<i64>()
        .map_err(|_| ApiError::unauthorized("The access token is invalid."))?;
    Ok(Principal {
        user_id,
        subject_id: claims.subject_id,
        roles: claims.roles,
    })
}

/// A role policy a handler declares through [`Auth<P>`]. Policies are data so that the
/// role × endpoint matrix can be listed and tested.
pub trait Policy {
    /// Allowed roles; empty means any authenticated user.
    const ROLES: &'static [Role];
}

/// Any authenticated user.
pub struct AnyRole;
impl Policy for AnyRole {
    const ROLES: &'static [Role] = &[];
}

/// Administrators only.
pub struct Admins;
impl Policy for Admins {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// The authenticated caller, admitted by policy `P` (403 otherwise).
pub struct Auth<P: Policy = AnyRole> {
    pub principal: Principal,
    _policy: PhantomData<P>,
}

impl<P: Policy> std::ops::Deref for Auth<P> {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.principal
    }
}

impl<P: Policy> FromRequest for Auth<P> {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let result = match req.extensions().get::<Principal>() {
            None => Err(ApiError::unauthorized("A bearer access token is required.").into()),
            Some(p) if !p.has_any(P::ROLES) => {
                let needed: Vec<_> = P::ROLES.iter().map(|r| r.code()).collect();
                Err(ApiError::forbidden(format!(
                    "This action requires one of the roles: {}.",
                    needed.join(", ")
                ))
                .into())
            }
            Some(p) => Ok(Auth {
                principal: p.clone(),
                _policy: PhantomData,
            }),
        };
        std::future::ready(result)
    }
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(ApiError::internal)?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

/// Verifies a password against a stored argon2 hash (constant-time comparison inside argon2).
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_list_round_trips_and_rejects_unknown() {
        let roles = vec![Role::Registrar, Role::DeputyHead];
        assert_eq!(Role::parse_list(&Role::format_list(&roles)).unwrap(), roles);
        assert!(
            Role::parse_list("registrar,boss")
                .unwrap_err()
                .contains("boss")
        );
    }

    #[test]
    fn token_round_trip_and_tamper_detection() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 900);
        let now = chrono::Utc::now().timestamp();
        let token = keys.issue(7, 3, &[Role::Registrar], now).unwrap();
        let claims = keys.decode(&token).unwrap();
        assert_eq!((claims.sub.as_str(), claims.subject_id), ("7", 3));
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert!(keys.decode(&tampered).is_err());
        let other = JwtKeys::new(b"another-secret-another-secret-xx", 900);
        assert!(other.decode(&token).is_err());
        let expired = keys.issue(7, 3, &[Role::Registrar], now - 10_000).unwrap();
        assert!(keys.decode(&expired).is_err());
    }

    #[test]
    fn password_hash_verifies_only_the_same_password() {
        let hash = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("correct horse", "not-a-hash"));
    }
}
