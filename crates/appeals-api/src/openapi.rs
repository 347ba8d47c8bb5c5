//! The OpenAPI document: info and tags here, paths collected from the registered routes
//! (utoipa-actix-web), then [`finalize`] applies the conventions every operation shares.

use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

use crate::error::{PROBLEM_JSON, Problem};

/// Name of the bearer security scheme.
pub const BEARER: &str = "bearer_auth";

/// Routes outside the bearer requirement under `/api/v1`.
pub const PUBLIC_API_PATHS: &[&str] = &["/api/v1/auth/token"];

#[derive(OpenApi)]
#[openapi(
    info(
        title = "appeals — IAS «Электронные обращения» API",
        version = "1.0.0",
        description = "Registration and accounting of appeals to state bodies of the Republic of Kazakhstan \
(Rules approved by Order of the Prosecutor General No. 4 of 04.01.2023, as amended 29.12.2025; APPK).\n\n\
Conventions (paths, errors as RFC 9457 problems, pagination, idempotency, dates): see `docs/api.md`. \
Every `/api/v1` operation except `POST /api/v1/auth/token` requires `Authorization: Bearer <token>`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    components(schemas(Problem, WebhookEvent)),
    tags(
        (name = "auth", description = "Tokens, the current user, logout and the login trail"),
        (name = "subjects", description = "The registry of subjects: hierarchy, KATO, BIN, report row code, deactivation (the authorized body's admins)"),
        (name = "access", description = "Access by an EDS-signed application of a subject (Rules p.25): submit (no token), approve, reject"),
        (name = "signatures", description = "EDS signatures of approved forwardings and extensions (R35, R37) and of ОЛ-2 answers: the document to sign, the signing call, the stored signatures"),
        (name = "webhooks", description = "Webhook subscriptions of a subject: events of its cards pushed to its systems, signed the Standard Webhooks way, at least once, in order (docs/integrations.md)"),
        (name = "open311", description = "Public status facade in the Open311 GeoReport v2 shape: status and dates of the publishing subjects' appeals, never personal data; an applicant's own check by number and talon code"),
        (name = "users", description = "Accounts of the caller's subject: roles, deactivation, password reset (the subject's admin)"),
        (name = "appeals", description = "ОЛ-1 record cards: registration, reading, editing, history, full-text search"),
        (name = "worklists", description = "Work lists of the registrar, executor and head screens: due today, due soon, overdue, awaiting assignment, approval or signature, deemed refusals, p.15 transfers due — with counts"),
        (name = "registry", description = "State person/company registry lookups (ГБД ФЛ / ГБД ЮЛ) for З-1 auto-fill"),
        (name = "forwardings", description = "Forwarding by competence (APPK art. 65, Rules p.11): full, or a part `<main>/<k>` registered at the receiver"),
        (name = "decisions", description = "ОЛ-2 decisions, extensions, withdrawal, art. 63 corrections, p.15 transfers and their cancellation"),
        (name = "notifications", description = "R46: notices owed to applicants (status changes, the answer SMS) and their delivery reports"),
        (name = "dictionaries", description = "Reference books (справочники): codes with Russian and Kazakh labels"),
        (name = "receptions", description = "Personal reception (ЛП-1, Rules p.18, Appendix 2-1): applications, the day's queue, schedules and slots, refusal and outcome"),
        (name = "reports", description = "Report 1-ОЛ (Rules p.32, Appendix 5): monthly and cumulative figures, section 5 «Личный прием», the reporting schedule, closed months and their revisions, the report definition"),
        (name = "calendar", description = "Working-day calendar of Kazakhstan, deadlines, overrides and recalculation"),
        (name = "operations", description = "Liveness and readiness probes"),
    )
)]
pub struct ApiDoc;

/// Applies the shared conventions to every collected operation, so that no handler can forget them:
/// bearer security on `/api/v1` (except the public paths) with its 401/403 problems, the body and
/// query parameter problems (400, 413, 415, 422), 404 where a path names a resource, and a problem
/// response for server errors everywhere.
pub fn finalize(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let components = api.components.get_or_insert_default();
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    for (name, description) in [
        (
            "Unauthorized",
            "Missing, malformed, tampered or expired bearer token (`WWW-Authenticate: Bearer`).",
        ),
        (
            "Forbidden",
            "The caller's roles or subject do not allow this action.",
        ),
        (
            "ServerError",
            "Unexpected server error; the body never contains internal details.",
        ),
        (
            "BadRequest",
            "Malformed request: the body is not valid JSON.",
        ),
        (
            "PayloadTooLarge",
            "The request body exceeds the size limit.",
        ),
        (
            "UnsupportedMediaType",
            "The body was not sent as `application/json`.",
        ),
        (
            "ValidationFailed",
            "The body or a parameter is invalid; `errors` lists each field with a JSON Pointer.",
        ),
        (
            "NotFound",
            "No such resource (or it belongs to another subject).",
        ),
    ] {
        components
            .responses
            .insert(name.to_owned(), RefOr::T(problem_response(description)));
    }

    make_operation_ids_unique(&mut api);
    for (path, item) in api.paths.paths.iter_mut() {
        let secured = path.starts_with("/api/v1/") && !PUBLIC_API_PATHS.contains(&path.as_str());
        for op in operations_mut(item) {
            if secured {
                op.security = Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
                add_ref(op, "401", "Unauthorized");
                add_ref(op, "403", "Forbidden");
            }
            if op.request_body.is_some() {
                add_ref(op, "400", "BadRequest");
                add_ref(op, "413", "PayloadTooLarge");
                add_ref(op, "415", "UnsupportedMediaType");
                add_ref(op, "422", "ValidationFailed");
            }
            let has_path_param = op.parameters.iter().flatten().any(|p| match p {
                RefOr::T(p) => p.parameter_in == ParameterIn::Path,
                RefOr::Ref(_) => false,
            });
            if has_path_param {
                add_ref(op, "404", "NotFound");
            }
            // A query parameter may be malformed or out of range (`#/query/…`).
            let has_query_param = op.parameters.iter().flatten().any(|p| match p {
                RefOr::T(p) => p.parameter_in == ParameterIn::Query,
                RefOr::Ref(_) => false,
            });
            if has_query_param {
                add_ref(op, "422", "ValidationFailed");
            }
            add_ref(op, "5XX", "ServerError");
            fill_missing_descriptions(op);
        }
    }
    api.webhooks = Some(webhooks());
    api
}

fn operations_mut(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
        item.head.as_mut(),
        item.options.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// Operation ids default to handler function names, which repeat across resources (`list`,
/// `get_one`); OpenAPI requires them unique, and client generators name methods after them. A
/// repeated id is prefixed with the operation's tag (`forwardings_list`).
fn make_operation_ids_unique(api: &mut utoipa::openapi::OpenApi) {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for item in api.paths.paths.values_mut() {
        for op in operations_mut(item) {
            if let Some(id) = &op.operation_id {
                *counts.entry(id.clone()).or_default() += 1;
            }
        }
    }
    for item in api.paths.paths.values_mut() {
        for op in operations_mut(item) {
            let Some(id) = op.operation_id.clone() else {
                continue;
            };
            if counts.get(&id).copied().unwrap_or(0) > 1 {
                let tag = op
                    .tags
                    .as_ref()
                    .and_then(|t| t.first())
                    .cloned()
                    .unwrap_or_default();
                op.operation_id = Some(format!("{tag}_{id}"));
            }
        }
    }
}

/// OpenAPI requires a description on every response; default to the status reason phrase.
fn fill_missing_descriptions(op: &mut Operation) {
    for (status, response) in op.responses.responses.iter_mut() {
        if let RefOr::T(response) = response
            && response.description.is_empty()
        {
            response.description = status
                .parse::<u16>()
                .ok()
                .and_then(|s| actix_web::http::StatusCode::from_u16(s).ok())
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Response")
                .to_owned();
        }
    }
}

fn add_ref(op: &mut Operation, status: &str, component: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(component)));
}

/// A response whose body is a problem.
pub fn problem_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// The committed form of the document (`make openapi`).
pub fn to_pretty_json(api: &utoipa::openapi::OpenApi) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(api).map(|mut s| {
        s.push('\n');
        s
    })
}

/// The events pushed to webhook subscriptions (OpenAPI 3.1 `webhooks`; issue 22): one entry per
/// event type, each a POST with the event as its body and the Standard Webhooks headers.
fn webhooks() -> utoipa::openapi::Paths {
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, PathItem};
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::{ObjectBuilder, Required, Type};
    let header = |name: &str, description: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(Required::True)
            .description(Some(description))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .build()
    };
    let mut paths = utoipa::openapi::Paths::builder();
    for event_type in appeals_domain::webhooks::event_types() {
        let reception = event_type.starts_with("reception.");
        let data = if reception {
            serde_json::json!({"card_id": 17, "registration_number": "ЛП-2026-00000017",
                "subject_id": 3, "status": "slot_given", "slot_starts_at": "2026-12-08T10:00:00",
                "version": 2})
        } else {
            serde_json::json!({"card_id": 42, "registration_number": "ЖТ-2026-00000042",
                "main_appeal_id": null, "subject_id": 3, "status": "in_work", "pending": null,
                "registration_date": "2026-12-07", "review_due": "2026-12-28", "version": 3})
        };
        let example = serde_json::json!({
            "id": "evt_0193a5c2e4b07d3e8f0a1b2c3d4e5f60",
            "type": event_type,
            "occurred_at": "2026-12-07T04:15:00Z",
            "data": data,
        });
        let operation = OperationBuilder::new()
            .summary(Some(format!("Event `{event_type}`")))
            .description(Some(
                "Sent by the delivery worker, at least once and in order per subscription, signed \
                 the Standard Webhooks way: verify `webhook-signature` (`v1,` + base64 of \
                 HMAC-SHA256 with the subscription secret's key over `{webhook-id}.{webhook-timestamp}.{body}`) \
                 and deduplicate by `webhook-id`. No IIN, name or text; a subscription of the card's own \
                 subject also gets `data.change`, the change as the card's history records it.",
            ))
            .parameter(header("webhook-id", "The event id (`evt_…`); the same on every retry."))
            .parameter(header("webhook-timestamp", "Unix seconds of this attempt."))
            .parameter(header("webhook-signature", "`v1,<base64 HMAC-SHA256>`."))
            .request_body(Some(
                RequestBodyBuilder::new()
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("WebhookEvent")))
                            .example(Some(example))
                            .build(),
                    )
                    .build(),
            ))
            .response(
                "2XX",
                ResponseBuilder::new().description("Received; any other answer is retried with back-off"),
            )
            .build();
        paths = paths.path(event_type, PathItem::new(HttpMethod::Post, operation));
    }
    paths.build()
}

/// The body of every webhook event.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)] // a schema only: the worker sends the stored payload
pub struct WebhookEvent {
    /// `evt_…`, also the `webhook-id` header.
    pub id: String,
    /// `appeal.<action>` (the card history's action), `appeal.part_received`, `reception.<action>`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// The card after the change: `card_id`, `registration_number`, `subject_id`, `status`, … and,
    /// for the card's own subject, `change`.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}
