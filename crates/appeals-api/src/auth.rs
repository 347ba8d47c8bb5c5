//! Authentication (bearer JWT) and authorization (role policies).
//!
//! One middleware authenticates every `/api/v1` request except the token route; one extractor,
//! [`Auth<P>`], enforces the role policy `P` a handler declares. Handlers contain no auth code.

use std::marker::PhantomData;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use appeals_service::accounts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

/// Issuer and audience of our tokens.
pub const TOKEN_ISSUER: &str = "appeals";
pub const TOKEN_AUDIENCE: &str = "appeals-api";

pub use appeals_domain::access::{Action, Role};
pub use appeals_service::Actor;
/// The caller admitted to one action by the guard (roles checked; scope checked on load).
pub use appeals_service::access::Grant as Principal;

// The OpenAPI schema of `Role`: the domain type carries no schema derive.
/// What a user may do. Stored as the snake_case codes below.
#[derive(ToSchema)]
#[schema(as = Role, rename_all = "snake_case")]
#[allow(dead_code)] // a schema only: values travel as `Role`
pub enum RoleSchema {
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
    /// Analyst: its subtree; in the authorized body (КПСиСУ), all subjects.
    Analyst,
    /// Administers its subject; in the authorized body, also national configuration.
    Admin,
    /// Machine client of an agency information system.
    Integration,
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
    /// The user's token generation at issue: logging out, a password reset or a deactivation moves
    /// it, and the token is refused from then on (checked on every request).
    #[serde(rename = "gen")]
    pub generation: i64,
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
        // Pinned: a token naming any other algorithm (`none`, RS256 with our secret as a key…)
        // is refused by the decoder.
        validation.algorithms = vec![Algorithm::HS256];
        // Clocks of our own processes agree closely; a long leeway would stretch token life.
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_seconds,
        }
    }

    /// A token for the account, issued now (the edge reads the clock for the token's lifetime).
    pub fn issue_now(&self, account: &accounts::Account) -> Result<String, ApiError> {
        self.issue(
            account.user_id,
            account.subject_id,
            &account.roles,
            account.token_generation,
            chrono::Utc::now().timestamp(),
        )
    }

    pub fn issue(
        &self,
        user_id: i64,
        subject_id: i64,
        roles: &[Role],
        generation: i64,
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
            generation,
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

/// Middleware for the protected scope: a missing, malformed, tampered or expired bearer token is
/// a 401 with `WWW-Authenticate: Bearer`.
pub async fn authenticate<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if is_public(&req) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    match actor_from(&req) {
        Ok((actor, session)) => {
            let state = req.app_data::<web::Data<AppState>>().cloned();
            req.extensions_mut().insert(actor);
            // Revocation: the first database task of the request checks the session on its own
            // connection (`AppState::db`), so a request pays no extra round trip for it …
            let res = SESSION
                .scope(session.clone(), next.call(req))
                .await
                .map(ServiceResponse::map_into_left_body)?;
            if session.is_checked() {
                return Ok(res);
            }
            // … and a request that made none is checked now: a revoked token never gets a 2xx.
            let Some(state) = state else {
                return Ok(res);
            };
            let (user_id, generation) = (session.user_id, session.generation);
            match state
                .run(move |conn| accounts::check_session(conn, user_id, generation))
                .await
            {
                Ok(()) => Ok(res),
                Err(e) => {
                    let (req, _) = res.into_parts();
                    Ok(
                        ServiceResponse::new(req, actix_web::HttpResponse::from_error(e))
                            .map_into_right_body(),
                    )
                }
            }
        }
        // Answered here, as a response, so the outer middleware (request id, CORS) still applies.
        Err(e) => Ok(req.error_response(e).map_into_right_body()),
    }
}

/// The revocation check a request owes (issue 20 point 4): its token's user and generation, and
/// whether a database task has checked them yet.
#[derive(Debug)]
pub struct SessionCheck {
    pub user_id: i64,
    pub generation: i64,
    checked: std::sync::atomic::AtomicBool,
}

impl SessionCheck {
    /// Takes the check for one database task: `Some` the first time only.
    pub fn take(&self) -> Option<(i64, i64)> {
        (!self.checked.swap(true, std::sync::atomic::Ordering::SeqCst))
            .then_some((self.user_id, self.generation))
    }

    fn is_checked(&self) -> bool {
        self.checked.load(std::sync::atomic::Ordering::SeqCst)
    }
}

tokio::task_local! {
    /// The session check of the request being served (set by [`authenticate`]).
    pub static SESSION: std::sync::Arc<SessionCheck>;
}

/// Routes under `/api/v1` that need no token (method, pattern): an access application is
/// authenticated by its EDS signature, its subject has no account yet (Rules p.25).
pub const PUBLIC_ROUTES: &[(&str, &str)] = &[("POST", "/api/v1/access-requests")];

fn is_public(req: &ServiceRequest) -> bool {
    req.match_pattern().is_some_and(|pattern| {
        PUBLIC_ROUTES
            .iter()
            .any(|(method, p)| req.method().as_str() == *method && *p == pattern)
    })
}

fn actor_from(req: &ServiceRequest) -> Result<(Actor, std::sync::Arc<SessionCheck>), ApiError> {
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
    // Revocation takes effect on the next request in every process: the token's generation must
    // still be the user's, and the user and its subject active (checked by the request's first
    // database task, or after the handler when it made none).
    let session = std::sync::Arc::new(SessionCheck {
        user_id,
        generation: claims.generation,
        checked: std::sync::atomic::AtomicBool::new(false),
    });
    Ok((
        Actor {
            user_id,
            subject_id: claims.subject_id,
            roles: claims.roles,
        },
        session,
    ))
}

/// The action a handler takes, declared through [`Auth<P>`]. Which roles may take it, and over
/// which subjects, is the domain table ([`appeals_domain::access`]); the guard
/// ([`appeals_service::access`]) decides from it.
pub trait Policy {
    const ACTION: Action;
}

/// Declares a marker type per action for [`Auth<P>`].
macro_rules! policies {
    ($($name:ident => $action:ident),* $(,)?) => {
        $(
            #[doc = concat!("Handlers that take `Action::", stringify!($action), "`.")]
            pub struct $name;
            impl Policy for $name {
                const ACTION: Action = Action::$action;
            }
        )*
    };
}

policies! {
    OwnAccount => ReadOwnAccount,
    ReferenceData => ReadReferenceData,
    Registrars => RegisterAppeal,
    Readers => ReadAppeals,
    CardEditors => EditAppeal,
    ApplicantEditors => EditApplicants,
    RegistryReaders => LookupRegistry,
    Forwarders => ForwardAppeal,
    PartAcceptors => AcceptForwardedPart,
    Assigners => AssignExecutor,
    Deciders => RecordDecision,
    Heads => ExtendTerm,
    CaseOfficers => RecordCaseEvent,
    Continuers => ContinueConsideration,
    CorrectionRequesters => RequestCorrection,
    Closers => CloseAppeal,
    DuplicateCheckers => CheckDuplicates,
    DuplicateDeciders => DecideDuplicate,
    Notifiers => DeliverNotifications,
    Analysts => AnalyseCampaigns,
    Recalculators => RecalculateDeadlines,
    CalendarKeepers => ChangeCalendar,
    DictionaryKeepers => ChangeDictionaries,
    ConventionKeepers => ChangeConventions,
    ReceptionRegistrars => RegisterReception,
    ReceptionReaders => ReadReceptions,
    ReceptionEditors => EditReception,
    ReceptionBookers => BookReception,
    ReceptionKeepers => RecordReceptionOutcome,
    ScheduleKeepers => ManageReceptionSchedules,
    ReportReaders => ReadReports,
    ReportClosers => CloseReportMonth,
    ReportDefinitionEditors => ChangeReportDefinition,
    SubjectKeepers => ManageSubjects,
    UserKeepers => ManageUsers,
    AccessRequestDeciders => DecideAccessRequests,
    ApprovalSigners => SignApproval,
    DecisionSigners => SignDecision,
    WebhookKeepers => ManageWebhooks,
}

/// The authenticated caller, admitted by the guard to the action of `P` (403 otherwise).
pub struct Auth<P: Policy> {
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

    /// The guard middleware ([`crate::guard`]) has decided already; this hands the handler its
    /// grant, and refuses to run a handler whose action differs from the route table's.
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let declared = req
            .match_pattern()
            .and_then(|pattern| crate::guard::action_of(req.method(), &pattern));
        let result = match req.extensions().get::<Actor>() {
            None => Err(ApiError::unauthorized("A bearer access token is required.")),
            Some(_) if declared != Some(P::ACTION) => Err(ApiError::internal(format!(
                "the route table names {declared:?} for this route, the handler takes {:?}",
                P::ACTION
            ))),
            Some(actor) => appeals_service::access::admit(actor.clone(), P::ACTION)
                .map(|principal| Auth {
                    principal,
                    _policy: PhantomData,
                })
                .map_err(ApiError::from),
        };
        std::future::ready(result.map_err(actix_web::Error::from))
    }
}

/// Password hashing lives with the accounts use-cases.
pub use appeals_service::accounts::{hash_password, verify_password};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_round_trip_and_tamper_detection() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 900);
        let now = chrono::Utc::now().timestamp();
        let token = keys.issue(7, 3, &[Role::Registrar], 0, now).unwrap();
        let claims = keys.decode(&token).unwrap();
        assert_eq!((claims.sub.as_str(), claims.subject_id), ("7", 3));
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert!(keys.decode(&tampered).is_err());
        let other = JwtKeys::new(b"another-secret-another-secret-xx", 900);
        assert!(other.decode(&token).is_err());
        let expired = keys
            .issue(7, 3, &[Role::Registrar], 0, now - 10_000)
            .unwrap();
        assert!(keys.decode(&expired).is_err());
    }
}
