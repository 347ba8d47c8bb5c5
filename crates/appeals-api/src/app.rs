//! The single place that wires routes, middleware and the OpenAPI document.

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpMessage, web};
use tracing::Instrument;
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, scope, service_config::ServiceConfig};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ApiError;
use crate::openapi::{ApiDoc, finalize};
use crate::routes;
use crate::state::AppState;

/// Path of the served OpenAPI document.
pub const OPENAPI_PATH: &str = "/api-docs/openapi.json";

/// Routes that need no token.
fn public_api_routes(cfg: &mut ServiceConfig) {
    cfg.service(routes::auth::issue_token);
}

/// Routes behind the bearer token (the `authenticate` middleware wraps them all).
fn protected_api_routes(cfg: &mut ServiceConfig) {
    cfg.service(routes::auth::me)
        .service(routes::auth::logout)
        .service(routes::auth::logins)
        .service(routes::appeals::register)
        .service(routes::appeals::list)
        // Before `/appeals/{id}`, which would otherwise take «search» for an id.
        .service(routes::appeals::search)
        .service(routes::appeals::list_summaries)
        .service(routes::worklists::counts)
        .service(routes::worklists::items)
        .service(routes::worklists::item_summaries)
        .service(routes::appeals::get_one)
        .service(routes::appeals::patch_one)
        .service(routes::appeals::change_markings)
        .service(routes::appeals::history)
        .service(routes::appeals::verify_history)
        .service(routes::deadlines::of_appeal)
        .service(routes::routing::state_facts)
        .service(routes::routing::routing_view)
        .service(routes::routing::signers)
        .service(routes::routing::quarterly_analysis)
        .service(routes::applicants::add)
        .service(routes::applicants::replace)
        .service(routes::applicants::reconcile_address)
        .service(routes::registry::lookup)
        .service(routes::forwardings::create)
        .service(routes::forwardings::list)
        .service(routes::forwardings::get_one)
        .service(routes::forwardings::accept)
        .service(routes::closure::close)
        .service(routes::decisions::assign)
        .service(routes::decisions::record_decision)
        .service(routes::decisions::list_decisions)
        .service(routes::decisions::extend)
        .service(routes::signatures::pending_document)
        .service(routes::signatures::sign_pending)
        .service(routes::signatures::list)
        .service(routes::signatures::decision_document)
        .service(routes::signatures::sign_decision)
        .service(routes::signatures::decision_signature)
        .service(routes::signatures::forwarding_signature)
        .service(routes::decisions::withdraw)
        .service(routes::decisions::continue_consideration)
        .service(routes::corrections::request_correction)
        .service(routes::corrections::confirm_correction)
        .service(routes::decisions::transfer)
        .service(routes::decisions::cancel_transfer)
        .service(routes::dictionaries::list)
        .service(routes::dictionaries::get_one)
        .service(routes::dictionaries::get_entry)
        .service(routes::dictionaries::add_entry)
        .service(routes::dictionaries::patch_entry)
        // The literal `/calendar/deadline` and `/calendar/recalculations` before `/calendar/{year}`:
        // actix takes the first matching pattern (a GET of `recalculations` is then a 405).
        .service(routes::calendar::deadline_calc)
        .service(routes::calendar::recalculate)
        .service(routes::calendar::get_year)
        .service(routes::calendar::replace_overrides)
        .service(routes::conventions::get_conventions)
        .service(routes::conventions::conventions_versions)
        .service(routes::conventions::replace_conventions)
        .service(routes::duplicates::check)
        .service(routes::duplicates::decide)
        .service(routes::duplicates::list_links)
        .service(routes::analytics::campaigns)
        .service(routes::notifications::of_appeal)
        .service(routes::notifications::queue)
        .service(routes::notifications::report_delivery)
        // The literal `/receptions/queue` before `/receptions/{id}`.
        .service(routes::receptions::apply)
        .service(routes::receptions::list)
        .service(routes::receptions::queue)
        .service(routes::receptions::get_one)
        .service(routes::receptions::patch_one)
        .service(routes::receptions::history)
        .service(routes::receptions::book)
        .service(routes::receptions::confirm)
        .service(routes::receptions::release)
        .service(routes::receptions::refuse)
        .service(routes::receptions::record_outcome)
        .service(routes::receptions::create_schedule)
        .service(routes::receptions::list_schedules)
        .service(routes::receptions::end_schedule)
        .service(routes::receptions::slots)
        .service(routes::reports::report)
        .service(routes::reports::schedule)
        .service(routes::reports::close)
        .service(routes::reports::revisions)
        .service(routes::reports::definition)
        .service(routes::reports::definition_versions)
        .service(routes::reports::change_definition)
        .service(routes::subjects::list)
        .service(routes::subjects::get_one)
        .service(routes::subjects::create)
        .service(routes::subjects::change)
        .service(routes::users::list)
        .service(routes::users::get_one)
        .service(routes::users::create)
        .service(routes::users::change)
        .service(routes::users::reset_password)
        // Public (no token, `auth::PUBLIC_ROUTES`): the EDS signature authenticates it.
        .service(routes::access_requests::submit)
        .service(routes::access_requests::list)
        .service(routes::access_requests::get_one)
        .service(routes::access_requests::signed_original)
        .service(routes::access_requests::approve)
        .service(routes::access_requests::reject)
        .service(routes::webhooks::create)
        .service(routes::webhooks::list)
        .service(routes::webhooks::get_one)
        .service(routes::webhooks::change)
        .service(routes::webhooks::rotate_secret)
        .service(routes::webhooks::remove)
        .service(routes::webhooks::deliveries)
        .service(routes::webhooks::retry);
}

fn open311_routes(cfg: &mut ServiceConfig) {
    cfg.service(routes::open311::services)
        .service(routes::open311::requests)
        .service(routes::open311::status)
        .service(routes::open311::request);
}

fn probe_routes(cfg: &mut ServiceConfig) {
    cfg.service(routes::health::healthz)
        .service(routes::health::readyz)
        .service(crate::metrics::metrics);
}

/// Builds the routed app and the OpenAPI collected from it.
fn routed() -> utoipa_actix_web::UtoipaApp<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(probe_routes)
        // The public scope is registered first: actix picks the first scope whose prefix matches.
        .service(scope("/api/v1/auth").configure(public_api_routes))
        // The public Open311 status facade: no token, status and dates only.
        .service(scope("/open311/v2").configure(open311_routes))
        .service(
            scope("/api/v1")
                // Runs after authentication: reloads the rules when another process changed them.
                // Innermost: the one guard decides before any handler or body extractor runs.
                .wrap(from_fn(crate::guard::guard))
                .wrap(from_fn(crate::rules::keep_rules_current))
                .wrap(from_fn(crate::auth::authenticate))
                .configure(protected_api_routes),
        )
}

/// The OpenAPI document exactly as served and committed.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = routed().split_for_parts();
    finalize(api)
}

/// CORS for browser frontends: only the configured origins; the Authorization header allowed,
/// ETag and Location exposed.
pub fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            HeaderName::from_static("x-request-id"),
        ])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// The whole application, used by the server and by the tests alike.
pub fn build_app(
    state: web::Data<AppState>,
    api: utoipa::openapi::OpenApi,
    cors_origins: Vec<String>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, _) = routed().split_for_parts();
    let path_methods = web::Data::new(PathMethods::of(&api));
    app.app_data(state)
        .app_data(path_methods)
        .app_data(crate::extract::json_config())
        .app_data(crate::extract::path_config())
        .app_data(crate::extract::query_config())
        .service(SwaggerUi::new("/swagger-ui/{_:.*}").url(OPENAPI_PATH, api))
        .default_service(web::to(unmatched))
        .wrap(crate::extract::problem_fallback())
        .wrap(cors(&cors_origins))
        .wrap(from_fn(request_log))
}

/// The methods of every documented path, for the `Allow` header of a 405 (RFC 9110 §15.5.6).
pub(crate) struct PathMethods(Vec<(Vec<String>, String)>);

impl PathMethods {
    fn of(api: &utoipa::openapi::OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods: Vec<&str> = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(name, present)| present.then_some(name))
                .collect();
                (
                    path.trim_matches('/')
                        .split('/')
                        .map(str::to_owned)
                        .collect(),
                    methods.join(", "),
                )
            })
            .collect();
        Self(routes)
    }

    /// The methods of the documented path `path` matches; a literal segment wins over a template
    /// (`/calendar/deadline` over `/calendar/{year}`).
    pub(crate) fn allowed(&self, path: &str) -> Option<&str> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.0
            .iter()
            .filter(|(template, _)| {
                template.len() == segments.len()
                    && template
                        .iter()
                        .zip(&segments)
                        .all(|(t, s)| t.starts_with('{') || t == s)
            })
            .min_by_key(|(template, _)| template.iter().filter(|t| t.starts_with('{')).count())
            .map(|(_, methods)| methods.as_str())
    }
}

/// A 405 problem with the `Allow` header the documented path gives.
pub(crate) fn method_not_allowed(req: &actix_web::HttpRequest) -> actix_web::HttpResponse {
    let error = ApiError::new(
        crate::error::ProblemType::MethodNotAllowed,
        format!("`{}` is not allowed on this path.", req.method()),
    );
    let mut res = actix_web::ResponseError::error_response(&error);
    if let Some(paths) = req.app_data::<web::Data<PathMethods>>()
        && let Some(allowed) = paths.allowed(req.path())
        && let Ok(value) = HeaderValue::from_str(allowed)
    {
        res.headers_mut().insert(header::ALLOW, value);
    }
    res
}

/// Whether the documented path the request names (its most literal match) takes other methods
/// only: a route with a template took it (`GET /calendar/recalculations` matched
/// `/calendar/{year}`), but the caller meant the literal path.
pub(crate) fn meant_another_method(req: &actix_web::HttpRequest) -> bool {
    req.app_data::<web::Data<PathMethods>>()
        .and_then(|paths| paths.allowed(req.path()))
        .is_some_and(|allowed| !allowed.split(", ").any(|m| m == req.method().as_str()))
}

/// No route took the request: 405 (with `Allow`) when the path exists with other methods, else 404.
async fn unmatched(req: actix_web::HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    if req.resource_map().has_resource(req.path()) {
        return Ok(method_not_allowed(&req));
    }
    Err(ApiError::not_found("No resource at this path."))
}

/// Request id and one log line per request. Logs the route pattern, never the concrete path or
/// query (they may carry IIN/BIN), and never headers (tokens).
async fn request_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = uuid::Uuid::new_v4().to_string();
    let method = req.method().to_string();
    let started = std::time::Instant::now();
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let span = tracing::info_span!("request", request_id = %request_id, method = %method);
    let mut res = next.call(req).instrument(span.clone()).await?;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "<unmatched>".to_owned());
    if let Some(state) = res.request().app_data::<web::Data<AppState>>() {
        state.metrics().request(
            &route,
            &method,
            res.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    tracing::info!(
        parent: &span,
        status = res.status().as_u16(),
        route = %route,
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(res)
}

/// The id of the current request (also sent back as `X-Request-Id`).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);
