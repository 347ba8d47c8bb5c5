//! The edge of the one guard: which action each route takes, and the middleware that asks
//! [`appeals_service::access`] before any handler runs.
//!
//! Order of answers for every protected call: 401 (token) → 403 (role, national configuration) →
//! 404/403 (the card named in the path: hidden, or held by another subject) → then the handler's
//! own checks (400/415/422 on the body, 428/412, 409). A caller refused by the guard learns
//! nothing about its input or about the card.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use appeals_domain::access::{Action, Scope};
use appeals_service::Actor;
use appeals_service::access;

use crate::error::ApiError;
use crate::state::AppState;

/// Every route behind the token and the action it takes (method, actix pattern, action). The
/// handler's `Auth<P>` must name the same action (checked on every call); `docs/security.md` lists
/// this table; the end-to-end matrix test calls every row as every role.
pub const ROUTES: &[(&str, &str, Action)] = &[
    ("GET", "/api/v1/me", Action::ReadOwnAccount),
    ("POST", "/api/v1/me/logout", Action::ReadOwnAccount),
    ("GET", "/api/v1/me/logins", Action::ReadOwnAccount),
    ("POST", "/api/v1/appeals", Action::RegisterAppeal),
    ("GET", "/api/v1/appeals", Action::ReadAppeals),
    ("GET", "/api/v1/appeals/search", Action::ReadAppeals),
    ("GET", "/api/v1/appeals/summaries", Action::ReadAppeals),
    ("GET", "/api/v1/worklists", Action::ReadAppeals),
    ("GET", "/api/v1/worklists/{name}", Action::ReadAppeals),
    (
        "GET",
        "/api/v1/worklists/{name}/summaries",
        Action::ReadAppeals,
    ),
    ("GET", "/api/v1/appeals/{id}", Action::ReadAppeals),
    ("PATCH", "/api/v1/appeals/{id}", Action::EditAppeal),
    ("PATCH", "/api/v1/appeals/{id}/markings", Action::EditAppeal),
    ("GET", "/api/v1/appeals/{id}/history", Action::ReadAppeals),
    (
        "GET",
        "/api/v1/appeals/{id}/history/verification",
        Action::ReadAppeals,
    ),
    ("GET", "/api/v1/appeals/{id}/deadlines", Action::ReadAppeals),
    (
        "PUT",
        "/api/v1/appeals/{id}/routing-facts",
        Action::EditAppeal,
    ),
    ("GET", "/api/v1/appeals/{id}/routing", Action::ReadAppeals),
    ("GET", "/api/v1/appeals/{id}/signers", Action::ReadAppeals),
    (
        "GET",
        "/api/v1/reports/quarterly-analysis",
        Action::ReadReports,
    ),
    (
        "POST",
        "/api/v1/appeals/{id}/applicants",
        Action::EditApplicants,
    ),
    (
        "PUT",
        "/api/v1/appeals/{id}/applicants",
        Action::EditApplicants,
    ),
    (
        "POST",
        "/api/v1/appeals/{id}/applicants/{ordinal}/address-reconciliation",
        Action::EditApplicants,
    ),
    ("GET", "/api/v1/registry/{iin_bin}", Action::LookupRegistry),
    (
        "POST",
        "/api/v1/appeals/{id}/acceptance",
        Action::AcceptForwardedPart,
    ),
    (
        "POST",
        "/api/v1/appeals/{id}/forwardings",
        Action::ForwardAppeal,
    ),
    (
        "GET",
        "/api/v1/appeals/{id}/forwardings",
        Action::ReadAppeals,
    ),
    (
        "GET",
        "/api/v1/appeals/{id}/forwardings/{forwarding_id}",
        Action::ReadAppeals,
    ),
    ("POST", "/api/v1/appeals/{id}/closure", Action::CloseAppeal),
    (
        "POST",
        "/api/v1/appeals/{id}/assignment",
        Action::AssignExecutor,
    ),
    (
        "POST",
        "/api/v1/appeals/{id}/decisions",
        Action::RecordDecision,
    ),
    ("GET", "/api/v1/appeals/{id}/decisions", Action::ReadAppeals),
    (
        "POST",
        "/api/v1/appeals/{id}/extensions",
        Action::ExtendTerm,
    ),
    (
        "POST",
        "/api/v1/appeals/{id}/withdrawal",
        Action::RecordCaseEvent,
    ),
    (
        "POST",
        "/api/v1/appeals/{id}/continuation",
        Action::ContinueConsideration,
    ),
    (
        "POST",
        "/api/v1/appeals/{id}/correction-request",
        Action::RequestCorrection,
    ),
    (
        "POST",
        "/api/v1/appeals/{id}/correction-confirmation",
        Action::RecordCaseEvent,
    ),
    (
        "POST",
        "/api/v1/appeals/{id}/transfers",
        Action::RecordCaseEvent,
    ),
    (
        "POST",
        "/api/v1/appeals/{id}/transfers/{transfer_id}/cancellation",
        Action::RecordCaseEvent,
    ),
    ("GET", "/api/v1/dictionaries", Action::ReadReferenceData),
    (
        "GET",
        "/api/v1/dictionaries/{name}",
        Action::ReadReferenceData,
    ),
    (
        "GET",
        "/api/v1/dictionaries/{name}/entries/{code}",
        Action::ReadReferenceData,
    ),
    (
        "POST",
        "/api/v1/dictionaries/{name}/entries",
        Action::ChangeDictionaries,
    ),
    (
        "PATCH",
        "/api/v1/dictionaries/{name}/entries/{code}",
        Action::ChangeDictionaries,
    ),
    (
        "GET",
        "/api/v1/calendar/deadline",
        Action::ReadReferenceData,
    ),
    (
        "POST",
        "/api/v1/calendar/recalculations",
        Action::RecalculateDeadlines,
    ),
    ("GET", "/api/v1/calendar/{year}", Action::ReadReferenceData),
    (
        "PUT",
        "/api/v1/calendar/{year}/overrides",
        Action::ChangeCalendar,
    ),
    ("GET", "/api/v1/conventions", Action::ReadReferenceData),
    (
        "GET",
        "/api/v1/conventions/versions",
        Action::ReadReferenceData,
    ),
    ("PUT", "/api/v1/conventions", Action::ChangeConventions),
    ("POST", "/api/v1/duplicate-checks", Action::CheckDuplicates),
    (
        "POST",
        "/api/v1/appeals/{id}/duplicate-decision",
        Action::DecideDuplicate,
    ),
    (
        "GET",
        "/api/v1/appeals/{id}/duplicates",
        Action::ReadAppeals,
    ),
    (
        "GET",
        "/api/v1/analytics/campaigns",
        Action::AnalyseCampaigns,
    ),
    (
        "GET",
        "/api/v1/appeals/{id}/notifications",
        Action::ReadAppeals,
    ),
    ("GET", "/api/v1/notifications", Action::DeliverNotifications),
    (
        "POST",
        "/api/v1/notifications/{id}/delivery",
        Action::DeliverNotifications,
    ),
    ("GET", "/api/v1/reports/1-ol", Action::ReadReports),
    ("GET", "/api/v1/reports/1-ol/schedule", Action::ReadReports),
    (
        "POST",
        "/api/v1/reports/1-ol/{year}/{month}/close",
        Action::CloseReportMonth,
    ),
    (
        "GET",
        "/api/v1/reports/1-ol/{year}/{month}/revisions",
        Action::ReadReports,
    ),
    (
        "GET",
        "/api/v1/reports/1-ol/definition",
        Action::ReadReferenceData,
    ),
    (
        "GET",
        "/api/v1/reports/1-ol/definition/versions",
        Action::ReadReferenceData,
    ),
    (
        "PUT",
        "/api/v1/reports/1-ol/definition",
        Action::ChangeReportDefinition,
    ),
    ("POST", "/api/v1/receptions", Action::RegisterReception),
    ("GET", "/api/v1/receptions", Action::ReadReceptions),
    ("GET", "/api/v1/receptions/queue", Action::ReadReceptions),
    ("GET", "/api/v1/receptions/{id}", Action::ReadReceptions),
    ("PATCH", "/api/v1/receptions/{id}", Action::EditReception),
    (
        "GET",
        "/api/v1/receptions/{id}/history",
        Action::ReadReceptions,
    ),
    (
        "POST",
        "/api/v1/receptions/{id}/booking",
        Action::BookReception,
    ),
    (
        "POST",
        "/api/v1/receptions/{id}/booking/confirmation",
        Action::BookReception,
    ),
    (
        "POST",
        "/api/v1/receptions/{id}/booking/release",
        Action::BookReception,
    ),
    (
        "POST",
        "/api/v1/receptions/{id}/refusal",
        Action::BookReception,
    ),
    (
        "POST",
        "/api/v1/receptions/{id}/outcome",
        Action::RecordReceptionOutcome,
    ),
    (
        "POST",
        "/api/v1/reception-schedules",
        Action::ManageReceptionSchedules,
    ),
    ("GET", "/api/v1/reception-schedules", Action::ReadReceptions),
    (
        "PATCH",
        "/api/v1/reception-schedules/{id}",
        Action::ManageReceptionSchedules,
    ),
    (
        "GET",
        "/api/v1/reception-schedules/{id}/slots",
        Action::ReadReceptions,
    ),
    ("GET", "/api/v1/subjects", Action::ReadReferenceData),
    ("GET", "/api/v1/subjects/{id}", Action::ReadReferenceData),
    ("POST", "/api/v1/subjects", Action::ManageSubjects),
    ("PATCH", "/api/v1/subjects/{id}", Action::ManageSubjects),
    ("GET", "/api/v1/users", Action::ManageUsers),
    ("GET", "/api/v1/users/{id}", Action::ManageUsers),
    ("POST", "/api/v1/users", Action::ManageUsers),
    ("PATCH", "/api/v1/users/{id}", Action::ManageUsers),
    ("POST", "/api/v1/users/{id}/password", Action::ManageUsers),
    (
        "GET",
        "/api/v1/access-requests",
        Action::DecideAccessRequests,
    ),
    (
        "GET",
        "/api/v1/access-requests/{id}",
        Action::DecideAccessRequests,
    ),
    (
        "GET",
        "/api/v1/access-requests/{id}/signed-original",
        Action::DecideAccessRequests,
    ),
    (
        "POST",
        "/api/v1/access-requests/{id}/approval",
        Action::DecideAccessRequests,
    ),
    (
        "POST",
        "/api/v1/access-requests/{id}/rejection",
        Action::DecideAccessRequests,
    ),
    (
        "GET",
        "/api/v1/appeals/{id}/signing-document",
        Action::ReadAppeals,
    ),
    (
        "POST",
        "/api/v1/appeals/{id}/signature",
        Action::SignApproval,
    ),
    (
        "GET",
        "/api/v1/appeals/{id}/signatures",
        Action::ReadAppeals,
    ),
    (
        "GET",
        "/api/v1/appeals/{id}/decisions/{decision_id}/signing-document",
        Action::ReadAppeals,
    ),
    (
        "POST",
        "/api/v1/appeals/{id}/decisions/{decision_id}/signature",
        Action::SignDecision,
    ),
    (
        "GET",
        "/api/v1/appeals/{id}/decisions/{decision_id}/signature",
        Action::ReadAppeals,
    ),
    (
        "GET",
        "/api/v1/appeals/{id}/forwardings/{forwarding_id}/signature",
        Action::ReadAppeals,
    ),
    (
        "POST",
        "/api/v1/webhook-subscriptions",
        Action::ManageWebhooks,
    ),
    (
        "GET",
        "/api/v1/webhook-subscriptions",
        Action::ManageWebhooks,
    ),
    (
        "GET",
        "/api/v1/webhook-subscriptions/{id}",
        Action::ManageWebhooks,
    ),
    (
        "PATCH",
        "/api/v1/webhook-subscriptions/{id}",
        Action::ManageWebhooks,
    ),
    (
        "POST",
        "/api/v1/webhook-subscriptions/{id}/secret-rotation",
        Action::ManageWebhooks,
    ),
    (
        "DELETE",
        "/api/v1/webhook-subscriptions/{id}",
        Action::ManageWebhooks,
    ),
    (
        "GET",
        "/api/v1/webhook-subscriptions/{id}/deliveries",
        Action::ManageWebhooks,
    ),
    (
        "POST",
        "/api/v1/webhook-subscriptions/{id}/deliveries/{delivery_id}/retry",
        Action::ManageWebhooks,
    ),
];

/// The action of a route, by method and actix pattern.
pub fn action_of(method: &Method, pattern: &str) -> Option<Action> {
    ROUTES
        .iter()
        .find(|(m, p, _)| *m == method.as_str() && *p == pattern)
        .map(|(_, _, action)| *action)
}

/// A card a route names in its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    /// An ОЛ-1 card: `/api/v1/appeals/{id}…`.
    Appeal(i64),
    /// A ЛП-1 card: `/api/v1/receptions/{id}…`.
    Reception(i64),
}

/// The card a route names: the `{id}` of an `/api/v1/appeals/{id}…` or
/// `/api/v1/receptions/{id}…` pattern, read from the path.
fn card_in_path(pattern: &str, path: &str) -> Option<Named> {
    let id = || path.split('/').nth(4)?.parse().ok();
    if pattern.starts_with("/api/v1/appeals/{id}") {
        id().map(Named::Appeal)
    } else if pattern.starts_with("/api/v1/receptions/{id}") {
        id().map(Named::Reception)
    } else {
        None
    }
}

/// Middleware inside the authenticated scope: the role part and, where a subject is at stake
/// before the handler runs (national configuration, a card changed by the call), the scope part.
pub async fn guard<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    match decide(&req).await {
        Ok(()) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
        Err(e) => Ok(req.error_response(e).map_into_right_body()),
    }
}

async fn decide(req: &ServiceRequest) -> Result<(), ApiError> {
    let Some(actor) = req.extensions().get::<Actor>().cloned() else {
        return Ok(());
    };
    // Unknown paths and methods fall through to the 404/405 answers.
    let Some(pattern) = req.match_pattern() else {
        return Ok(());
    };
    let Some(action) = action_of(req.method(), &pattern) else {
        return Ok(());
    };
    let grant = access::admit(actor, action)?;
    let card = action
        .changes_card()
        .then(|| card_in_path(&pattern, req.path()))
        .flatten();
    let national = grant.scope() == Scope::National;
    if card.is_none() && !national {
        return Ok(());
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("AppState is not registered"))?;
    state
        .db(move |conn| {
            if national {
                access::require_reach(conn, &grant)?;
            }
            match card {
                Some(Named::Appeal(id)) => {
                    access::load_card(conn, &grant, id)?;
                }
                Some(Named::Reception(id)) => appeals_service::receptions::admit(conn, &grant, id)?,
                None => {}
            }
            Ok(())
        })
        .await
}

/// The generated part of `docs/security.md`: the domain table and the route table.
pub fn security_markdown() -> String {
    let mut out = String::from(
        "### Role × action (scope)\n\n`own`: the user's subject; `subtree`: it and every subject \
         below it; `all`: every subject for a user of the authorized body, `subtree` anywhere \
         else; `national`: users of the authorized body only, refused anywhere else; `—`: 403.\n\n",
    );
    out.push_str(&appeals_domain::access::matrix_markdown());
    out.push_str(
        "\n### Route → action\n\n| method | route | action | card in path |\n|---|---|---|---|\n",
    );
    for (method, pattern, action) in ROUTES {
        let names_card = pattern.starts_with("/api/v1/appeals/{id}")
            || pattern.starts_with("/api/v1/receptions/{id}");
        let card = if action.changes_card() && names_card {
            "changed: 404 hidden / 403 out of reach"
        } else if names_card {
            "read: 404 hidden"
        } else {
            ""
        };
        out.push_str(&format!(
            "| {method} | `{pattern}` | `{}` | {card} |\n",
            action.code()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_card_is_the_fourth_segment_of_an_appeal_route() {
        let pattern = "/api/v1/appeals/{id}/transfers/{transfer_id}/cancellation";
        assert_eq!(
            card_in_path(pattern, "/api/v1/appeals/42/transfers/7/cancellation"),
            Some(Named::Appeal(42))
        );
        assert_eq!(
            card_in_path(
                "/api/v1/receptions/{id}/outcome",
                "/api/v1/receptions/5/outcome"
            ),
            Some(Named::Reception(5))
        );
        assert_eq!(
            card_in_path(
                "/api/v1/notifications/{id}/delivery",
                "/api/v1/notifications/3/delivery"
            ),
            None
        );
    }

    #[test]
    fn each_route_is_listed_once() {
        for (i, (m, p, _)) in ROUTES.iter().enumerate() {
            assert!(
                !ROUTES[..i].iter().any(|(m2, p2, _)| m2 == m && p2 == p),
                "{m} {p} twice"
            );
        }
    }
}
