#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a failed unwrap is a failed test
//! The access matrix, cell by cell: every route × every role × where the caller's subject lies
//! relative to the card's holder (its own subject, the parent above it, a child below it, an
//! unrelated subject, the authorized body). The expected answer comes from the domain table
//! (`appeals_domain::access`), never from a list written here: a denied call is 403, or 404 where
//! the card's existence must not leak; an allowed call never answers 403 or 404.
//!
//! Write calls carry an empty body, so an allowed one stops at validation (422) or at the missing
//! `If-Match` (428) and the fixture stays as it was; the guard decides before the body is read.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use appeals_api::auth::Role;
use appeals_domain::access::{Action, Reach};
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests, bearer};
use serde_json::{Value, json};

backend_tests!(
    every_route_answers_every_role_from_every_subject_as_the_table_says,
    the_two_reported_leaks_are_closed,
);

/// Where the caller's subject lies relative to `HOME`, the subject that holds the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    Own,
    Parent,
    Child,
    Unrelated,
    AuthorizedBody,
}

const POSITIONS: [(Position, &str); 5] = [
    (Position::Own, "HOME"),
    (Position::Parent, "ROOT"),
    (Position::Child, "CHILD"),
    (Position::Unrelated, "OTHER"),
    (Position::AuthorizedBody, "KPSISU"),
];

/// What a route touches, for the expected answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A card of `HOME` named in the path.
    Card,
    /// A record of `HOME`'s own (a notification): hidden from every other subject.
    OwnRecord,
    /// A reception card (ЛП-1) or schedule of `HOME` named in the path: read through
    /// `read_receptions`.
    Reception,
    /// A report of `HOME` named in the query (`subject_id`): refused (403) where the reach does not
    /// hold `HOME`.
    HomeReport,
    /// Nothing of a subject (reference data, the caller's own account or queue, a new card).
    Nothing,
}

struct Route {
    method: Method,
    path: String,
    action: Action,
    target: Target,
    body: Option<Value>,
}

struct Fixture {
    app: TestApp,
    card: i64,
    transfer_card: i64,
    transfer_id: i64,
    forwarding_id: i64,
    notification_id: i64,
    reception: i64,
    schedule: i64,
    home: i64,
    /// A user of `HOME` (its registrar).
    home_user: i64,
    /// An access application of `HOME`.
    access_request: i64,
    /// A card of `HOME` whose forwarding waits for the head's signature.
    pending_card: i64,
    /// A card of `HOME` forwarded (in full, to `RECEIVER`) with the head's signature.
    signed_card: i64,
    signed_forwarding: i64,
    /// HOME's webhook subscriptions: one with a parked delivery, one that a call deletes.
    subscription: i64,
    parked_delivery: i64,
    doomed_subscription: i64,
    _receiver_down: appeals_tests::receiver::Receiver,
    callers: Vec<(Position, Role, TestUser)>,
}

fn appeal_body() -> Value {
    json!({
        "document_type": "application",
        "tags": ["отопление"],
        "applicants": [{"category": "individual", "iin_bin": "921029350851",
            "surname": "Ахметов", "first_name": "Ерлан", "mobile_phone": "+77011234567"}],
        "text": "Прошу восстановить отопление в доме по адресу пр. Абая, 10.",
        "receipt_form": "electronic",
        "language": "state",
        "received_at": "2026-03-05T04:15:00Z"
    })
}

async fn fixture(backend: TestBackend) -> Fixture {
    let app = TestApp::new(backend).await;
    let root = app.subject("ROOT", false);
    let home = app.subject_under("HOME", root);
    app.subject_under("CHILD", home);
    app.subject("OTHER", false);
    app.subject("KPSISU", true);
    let receiver = app.subject("RECEIVER", false);
    app.registry_record("921029350851");

    let registrar = app.user("home-reg", "HOME", &[Role::Registrar]);
    let executor = app.user("home-exec", "HOME", &[Role::Executor]);
    let res = app.post("/api/v1/appeals", &registrar, appeal_body()).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let card = res.body["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/appeals/{card}/assignment"),
            &registrar,
            json!({"executor_user_id": executor.id}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = app
        .post(
            &format!("/api/v1/appeals/{card}/forwardings"),
            &registrar,
            json!({"to_subject_id": receiver, "scope": "part", "questions": ["Ремонт школы"],
                   "reason": "Вопрос относится к компетенции получателя"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let forwarding_id = res.body["id"].as_i64().unwrap();
    let queue = app.get("/api/v1/notifications", &registrar).await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let notification_id = queue.body["items"][0]["id"].as_i64().unwrap();

    let mut p15 = appeal_body();
    p15["document_type"] = json!("message");
    p15["non_accountable_category"] = json!("advertising_proposals");
    p15["text"] = json!("Предлагаем рекламные услуги для вашего ведомства.");
    let res = app.post("/api/v1/appeals", &registrar, p15).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let transfer_card = res.body["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/appeals/{transfer_card}/transfers"),
            &registrar,
            json!({"target_system": "ИС «Е-собес»"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let transfer_id = res.body["decision"]["id"].as_i64().unwrap();

    let head = app.user("home-head", "HOME", &[Role::Head]);
    let admin = app.user("home-admin", "HOME", &[Role::Admin]);
    let res = app
        .post(
            "/api/v1/reception-schedules",
            &admin,
            json!({"official_user_id": head.id, "weekdays": [2, 5], "starts": "10:00",
                   "ends": "12:00", "slot_minutes": 30, "place_kato": "751110000",
                   "place_addressee": "Приемная", "valid_from": "2026-01-01"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let schedule = res.body["id"].as_i64().unwrap();
    let res = app
        .post(
            "/api/v1/receptions",
            &registrar,
            json!({"person": {"surname": "Ахметов", "first_name": "Ерлан"}, "kind": "offline"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let reception = res.body["id"].as_i64().unwrap();
    // HOME's January is closed, so its revisions exist for whoever may read them.
    let res = app
        .post("/api/v1/reports/1-ol/2026/1/close", &admin, json!({}))
        .await;
    assert_eq!(res.status, 201, "{}", res.body);

    // An EDS-signed access application of HOME (issue 20), for the routes that decide it; from
    // now on HOME's approvals wait for a signature, and one card waits.
    let national = app.national_admin("matrix-national");
    let res = app
        .patch(
            &format!("/api/v1/subjects/{home}"),
            &national,
            json!({"bin": "940140000385", "signature_required": true}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = app.post("/api/v1/appeals", &registrar, appeal_body()).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let pending_card = res.body["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/appeals/{pending_card}/forwardings"),
            &registrar,
            json!({"to_subject_id": receiver, "scope": "full"}),
        )
        .await;
    assert_eq!(res.status, 202, "{}", res.body);
    let pki = appeals_tests::pki::TestPki::new(appeals_tests::pki::KeyKind::EcP256);
    app.state.trust_eds_anchors(&pki.bundle_pem()).unwrap();
    let signer = pki.signer(&appeals_tests::pki::SignerSpec::new(
        "921029350851",
        "940140000385",
    ));
    let signed = signer.sign(
        json!({"subject_code": "HOME", "persons": [{"username": "home-applicant",
               "full_name": "Сейткали Айгерим", "iin": "921029350851",
               "position": "специалист", "roles": ["registrar"]}]})
        .to_string()
        .as_bytes(),
        false,
    );
    let res = app
        .send(
            TestRequest::post()
                .uri("/api/v1/access-requests")
                .insert_header(("Content-Type", "application/pkcs7-mime"))
                .set_payload(signed),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let access_request = res.body["id"].as_i64().unwrap();

    // A second waiting forwarding, signed by HOME's head, and the p.15 answer signed too.
    let res = app
        .patch(
            &format!("/api/v1/users/{}", head.id),
            &admin,
            json!({"iin": "921029350851"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = app.post("/api/v1/appeals", &registrar, appeal_body()).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let signed_card = res.body["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/appeals/{signed_card}/forwardings"),
            &registrar,
            json!({"to_subject_id": receiver, "scope": "full"}),
        )
        .await;
    assert_eq!(res.status, 202, "{}", res.body);
    let doc = app
        .get(
            &format!("/api/v1/appeals/{signed_card}/signing-document"),
            &head,
        )
        .await;
    let signature = signer.sign_pem(doc.body["document"].as_str().unwrap().as_bytes(), true);
    let res = app
        .post(
            &format!("/api/v1/appeals/{signed_card}/signature"),
            &head,
            json!({"signature": signature}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let signed_forwarding = res.body["forwarding"]["id"].as_i64().unwrap();
    let doc = app
        .get(
            &format!("/api/v1/appeals/{transfer_card}/decisions/{transfer_id}/signing-document"),
            &head,
        )
        .await;
    let signature = signer.sign_pem(doc.body["document"].as_str().unwrap().as_bytes(), true);
    let res = app
        .post(
            &format!("/api/v1/appeals/{transfer_card}/decisions/{transfer_id}/signature"),
            &head,
            json!({"signature": signature}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);

    // Webhook subscriptions of HOME (issue 22): one with a parked delivery, one to delete.
    let receiver_down = appeals_tests::receiver::Receiver::start();
    receiver_down.answer(500);
    let res = app
        .post(
            "/api/v1/webhook-subscriptions",
            &admin,
            json!({"url": receiver_down.url, "event_types": ["appeal.registered"]}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let subscription = res.body["id"].as_i64().unwrap();
    let res = app.post("/api/v1/appeals", &registrar, appeal_body()).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let mut config = appeals_api::webhook_worker::WorkerConfig::default();
    config.retry.window = chrono::Duration::zero();
    let agent = appeals_api::webhook_worker::client(&config);
    while receiver_down.received().is_empty() {
        appeals_api::webhook_worker::run_once(&app.state.pool, &agent, "matrix", &config).unwrap();
    }
    let log = app
        .get(
            &format!("/api/v1/webhook-subscriptions/{subscription}/deliveries"),
            &admin,
        )
        .await;
    assert_eq!(log.body[0]["outcome"], "parked", "{}", log.body);
    let parked_delivery = log.body[0]["id"].as_i64().unwrap();
    let res = app
        .post(
            "/api/v1/webhook-subscriptions",
            &admin,
            json!({"url": "https://example.invalid/hooks"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let doomed_subscription = res.body["id"].as_i64().unwrap();

    let mut callers = Vec::new();
    for (position, code) in POSITIONS {
        for role in Role::ALL {
            let user = app.user(&format!("{code}-{}", role.code()), code, &[role]);
            callers.push((position, role, user));
        }
    }
    Fixture {
        app,
        card,
        transfer_card,
        transfer_id,
        forwarding_id,
        notification_id,
        reception,
        schedule,
        home,
        home_user: registrar.id,
        access_request,
        pending_card,
        signed_card,
        signed_forwarding,
        subscription,
        parked_delivery,
        doomed_subscription,
        _receiver_down: receiver_down,
        callers,
    }
}

/// The concrete call of every row of the route table ([`appeals_api::guard::ROUTES`]).
fn routes(f: &Fixture) -> Vec<Route> {
    let card = f.card;
    let calls: Vec<(&str, &str, String, Target, Option<Value>)> = vec![
        (
            "GET",
            "/api/v1/me",
            "/api/v1/me".into(),
            Target::Nothing,
            None,
        ),
        (
            "POST",
            "/api/v1/appeals",
            "/api/v1/appeals".into(),
            Target::Nothing,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/appeals",
            "/api/v1/appeals".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/appeals/search",
            "/api/v1/appeals/search?q=%D0%BA%D1%80%D1%8B%D1%88%D0%B0".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/appeals/summaries",
            "/api/v1/appeals/summaries".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/worklists",
            "/api/v1/worklists?scope=subtree".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/worklists/{name}",
            "/api/v1/worklists/overdue?scope=subtree".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/worklists/{name}/summaries",
            "/api/v1/worklists/overdue/summaries?scope=subtree".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/appeals/{id}",
            format!("/api/v1/appeals/{card}"),
            Target::Card,
            None,
        ),
        (
            "PATCH",
            "/api/v1/appeals/{id}",
            format!("/api/v1/appeals/{card}"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "PATCH",
            "/api/v1/appeals/{id}/markings",
            format!("/api/v1/appeals/{card}/markings"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/appeals/{id}/history",
            format!("/api/v1/appeals/{card}/history"),
            Target::Card,
            None,
        ),
        (
            "GET",
            "/api/v1/appeals/{id}/history/verification",
            format!("/api/v1/appeals/{card}/history/verification"),
            Target::Card,
            None,
        ),
        (
            "GET",
            "/api/v1/appeals/{id}/deadlines",
            format!("/api/v1/appeals/{card}/deadlines"),
            Target::Card,
            None,
        ),
        (
            "PUT",
            "/api/v1/appeals/{id}/routing-facts",
            format!("/api/v1/appeals/{card}/routing-facts"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/appeals/{id}/routing",
            format!("/api/v1/appeals/{card}/routing"),
            Target::Card,
            None,
        ),
        (
            "GET",
            "/api/v1/appeals/{id}/signers",
            format!("/api/v1/appeals/{card}/signers"),
            Target::Card,
            None,
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/applicants",
            format!("/api/v1/appeals/{card}/applicants"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "PUT",
            "/api/v1/appeals/{id}/applicants",
            format!("/api/v1/appeals/{card}/applicants"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/applicants/{ordinal}/address-reconciliation",
            format!("/api/v1/appeals/{card}/applicants/1/address-reconciliation"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/registry/{iin_bin}",
            "/api/v1/registry/921029350851".into(),
            Target::Nothing,
            None,
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/acceptance",
            format!("/api/v1/appeals/{card}/acceptance"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/forwardings",
            format!("/api/v1/appeals/{card}/forwardings"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/appeals/{id}/forwardings",
            format!("/api/v1/appeals/{card}/forwardings"),
            Target::Card,
            None,
        ),
        (
            "GET",
            "/api/v1/appeals/{id}/forwardings/{forwarding_id}",
            format!("/api/v1/appeals/{card}/forwardings/{}", f.forwarding_id),
            Target::Card,
            None,
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/closure",
            format!("/api/v1/appeals/{card}/closure"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/assignment",
            format!("/api/v1/appeals/{card}/assignment"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/decisions",
            format!("/api/v1/appeals/{card}/decisions"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/appeals/{id}/decisions",
            format!("/api/v1/appeals/{card}/decisions"),
            Target::Card,
            None,
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/extensions",
            format!("/api/v1/appeals/{card}/extensions"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/withdrawal",
            format!("/api/v1/appeals/{card}/withdrawal"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/continuation",
            format!("/api/v1/appeals/{card}/continuation"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/correction-request",
            format!("/api/v1/appeals/{card}/correction-request"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/correction-confirmation",
            format!("/api/v1/appeals/{card}/correction-confirmation"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/transfers",
            format!("/api/v1/appeals/{card}/transfers"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/transfers/{transfer_id}/cancellation",
            format!(
                "/api/v1/appeals/{}/transfers/{}/cancellation",
                f.transfer_card, f.transfer_id
            ),
            Target::Card,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/dictionaries",
            "/api/v1/dictionaries".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/dictionaries/{name}",
            "/api/v1/dictionaries/receipt_forms".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/dictionaries/{name}/entries/{code}",
            "/api/v1/dictionaries/receipt_forms/entries/electronic".into(),
            Target::Nothing,
            None,
        ),
        (
            "POST",
            "/api/v1/dictionaries/{name}/entries",
            "/api/v1/dictionaries/receipt_forms/entries".into(),
            Target::Nothing,
            Some(json!({})),
        ),
        (
            "PATCH",
            "/api/v1/dictionaries/{name}/entries/{code}",
            "/api/v1/dictionaries/receipt_forms/entries/electronic".into(),
            Target::Nothing,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/calendar/deadline",
            "/api/v1/calendar/deadline?start=2026-03-05&days=15".into(),
            Target::Nothing,
            None,
        ),
        (
            "POST",
            "/api/v1/calendar/recalculations",
            "/api/v1/calendar/recalculations".into(),
            Target::Nothing,
            Some(json!({"dry_run": true})),
        ),
        (
            "GET",
            "/api/v1/calendar/{year}",
            "/api/v1/calendar/2026".into(),
            Target::Nothing,
            None,
        ),
        (
            "PUT",
            "/api/v1/calendar/{year}/overrides",
            "/api/v1/calendar/2026/overrides".into(),
            Target::Nothing,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/conventions",
            "/api/v1/conventions".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/conventions/versions",
            "/api/v1/conventions/versions".into(),
            Target::Nothing,
            None,
        ),
        (
            "PUT",
            "/api/v1/conventions",
            "/api/v1/conventions".into(),
            Target::Nothing,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/duplicate-checks",
            "/api/v1/duplicate-checks".into(),
            Target::Nothing,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/duplicate-decision",
            format!("/api/v1/appeals/{card}/duplicate-decision"),
            Target::Card,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/appeals/{id}/duplicates",
            format!("/api/v1/appeals/{card}/duplicates"),
            Target::Card,
            None,
        ),
        (
            "GET",
            "/api/v1/analytics/campaigns",
            "/api/v1/analytics/campaigns".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/appeals/{id}/notifications",
            format!("/api/v1/appeals/{card}/notifications"),
            Target::Card,
            None,
        ),
        (
            "GET",
            "/api/v1/notifications",
            "/api/v1/notifications".into(),
            Target::Nothing,
            None,
        ),
        // A valid report: the guard's 404 for another subject's notice comes after the body.
        (
            "POST",
            "/api/v1/notifications/{id}/delivery",
            format!("/api/v1/notifications/{}/delivery", f.notification_id),
            Target::OwnRecord,
            Some(json!({"outcome": "failed", "note": "matrix"})),
        ),
        (
            "POST",
            "/api/v1/receptions",
            "/api/v1/receptions".into(),
            Target::Nothing,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/receptions",
            "/api/v1/receptions".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/receptions/queue",
            "/api/v1/receptions/queue".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/receptions/{id}",
            format!("/api/v1/receptions/{}", f.reception),
            Target::Reception,
            None,
        ),
        (
            "PATCH",
            "/api/v1/receptions/{id}",
            format!("/api/v1/receptions/{}", f.reception),
            Target::Reception,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/receptions/{id}/history",
            format!("/api/v1/receptions/{}/history", f.reception),
            Target::Reception,
            None,
        ),
        (
            "POST",
            "/api/v1/receptions/{id}/booking",
            format!("/api/v1/receptions/{}/booking", f.reception),
            Target::Reception,
            Some(json!({})),
        ),
        // The reception waits in the queue: an allowed call stops at 409 and changes nothing.
        (
            "POST",
            "/api/v1/receptions/{id}/booking/confirmation",
            format!("/api/v1/receptions/{}/booking/confirmation", f.reception),
            Target::Reception,
            None,
        ),
        (
            "POST",
            "/api/v1/receptions/{id}/booking/release",
            format!("/api/v1/receptions/{}/booking/release", f.reception),
            Target::Reception,
            None,
        ),
        (
            "POST",
            "/api/v1/receptions/{id}/refusal",
            format!("/api/v1/receptions/{}/refusal", f.reception),
            Target::Reception,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/receptions/{id}/outcome",
            format!("/api/v1/receptions/{}/outcome", f.reception),
            Target::Reception,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/reception-schedules",
            "/api/v1/reception-schedules".into(),
            Target::Nothing,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/reception-schedules",
            "/api/v1/reception-schedules".into(),
            Target::Nothing,
            None,
        ),
        // A valid end far ahead: the 404 for another subject's schedule comes after the body.
        (
            "PATCH",
            "/api/v1/reception-schedules/{id}",
            format!("/api/v1/reception-schedules/{}", f.schedule),
            Target::OwnRecord,
            Some(json!({"valid_to": "2099-12-31"})),
        ),
        (
            "GET",
            "/api/v1/reception-schedules/{id}/slots",
            format!(
                "/api/v1/reception-schedules/{}/slots?from=2027-01-15&to=2027-01-15",
                f.schedule
            ),
            Target::Reception,
            None,
        ),
        (
            "GET",
            "/api/v1/reports/quarterly-analysis",
            "/api/v1/reports/quarterly-analysis?year=2026&quarter=1".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/reports/quarterly-analysis",
            format!(
                "/api/v1/reports/quarterly-analysis?year=2026&quarter=1&subject_id={}",
                f.home
            ),
            Target::HomeReport,
            None,
        ),
        (
            "GET",
            "/api/v1/reports/1-ol",
            "/api/v1/reports/1-ol?year=2026&month=3".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/reports/1-ol",
            format!(
                "/api/v1/reports/1-ol?year=2026&month=3&subject_id={}",
                f.home
            ),
            Target::HomeReport,
            None,
        ),
        (
            "GET",
            "/api/v1/reports/1-ol/schedule",
            "/api/v1/reports/1-ol/schedule?year=2026".into(),
            Target::Nothing,
            None,
        ),
        // Every subject closes its own month.
        (
            "POST",
            "/api/v1/reports/1-ol/{year}/{month}/close",
            "/api/v1/reports/1-ol/2026/2/close".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/reports/1-ol/{year}/{month}/revisions",
            format!(
                "/api/v1/reports/1-ol/2026/1/revisions?subject_id={}",
                f.home
            ),
            Target::HomeReport,
            None,
        ),
        (
            "GET",
            "/api/v1/reports/1-ol/definition",
            "/api/v1/reports/1-ol/definition".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/reports/1-ol/definition/versions",
            "/api/v1/reports/1-ol/definition/versions".into(),
            Target::Nothing,
            None,
        ),
        // A definition that is not one: an allowed caller stops at 422 and nothing changes.
        (
            "PUT",
            "/api/v1/reports/1-ol/definition",
            "/api/v1/reports/1-ol/definition".into(),
            Target::Nothing,
            Some(json!({"definition": {"form": "x"}, "reason": "matrix"})),
        ),
        (
            "GET",
            "/api/v1/me/logins",
            "/api/v1/me/logins".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/subjects",
            "/api/v1/subjects".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/subjects/{id}",
            format!("/api/v1/subjects/{}", f.home),
            Target::Nothing,
            None,
        ),
        (
            "POST",
            "/api/v1/subjects",
            "/api/v1/subjects".into(),
            Target::Nothing,
            Some(json!({})),
        ),
        // An empty change: an allowed caller changes nothing.
        (
            "PATCH",
            "/api/v1/subjects/{id}",
            format!("/api/v1/subjects/{}", f.home),
            Target::Nothing,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/users",
            "/api/v1/users".into(),
            Target::Nothing,
            None,
        ),
        (
            "POST",
            "/api/v1/users",
            "/api/v1/users".into(),
            Target::Nothing,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/users/{id}",
            format!("/api/v1/users/{}", f.home_user),
            Target::OwnRecord,
            None,
        ),
        (
            "PATCH",
            "/api/v1/users/{id}",
            format!("/api/v1/users/{}", f.home_user),
            Target::OwnRecord,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/users/{id}/password",
            format!("/api/v1/users/{}/password", f.home_user),
            Target::OwnRecord,
            // A valid body (the user's existence is checked after it is read): HOME's admin
            // resets the password of `home-reg`, whose token no later call uses.
            Some(json!({"password": "matrix-password-1"})),
        ),
        (
            "GET",
            "/api/v1/access-requests",
            "/api/v1/access-requests".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/access-requests/{id}",
            format!("/api/v1/access-requests/{}", f.access_request),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/access-requests/{id}/signed-original",
            format!(
                "/api/v1/access-requests/{}/signed-original",
                f.access_request
            ),
            Target::Nothing,
            None,
        ),
        // The first allowed caller approves (200), every later one meets a decided request (409).
        (
            "POST",
            "/api/v1/access-requests/{id}/approval",
            format!("/api/v1/access-requests/{}/approval", f.access_request),
            Target::Nothing,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/access-requests/{id}/rejection",
            format!("/api/v1/access-requests/{}/rejection", f.access_request),
            Target::Nothing,
            Some(json!({"reason": "matrix"})),
        ),
        (
            "GET",
            "/api/v1/appeals/{id}/signing-document",
            format!("/api/v1/appeals/{}/signing-document", f.pending_card),
            Target::Card,
            None,
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/signature",
            format!("/api/v1/appeals/{}/signature", f.pending_card),
            Target::Card,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/appeals/{id}/signatures",
            format!("/api/v1/appeals/{card}/signatures"),
            Target::Card,
            None,
        ),
        (
            "GET",
            "/api/v1/appeals/{id}/decisions/{decision_id}/signing-document",
            format!(
                "/api/v1/appeals/{}/decisions/{}/signing-document",
                f.transfer_card, f.transfer_id
            ),
            Target::Card,
            None,
        ),
        (
            "POST",
            "/api/v1/appeals/{id}/decisions/{decision_id}/signature",
            format!(
                "/api/v1/appeals/{}/decisions/{}/signature",
                f.transfer_card, f.transfer_id
            ),
            Target::Card,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/appeals/{id}/decisions/{decision_id}/signature",
            format!(
                "/api/v1/appeals/{}/decisions/{}/signature",
                f.transfer_card, f.transfer_id
            ),
            Target::Card,
            None,
        ),
        (
            "GET",
            "/api/v1/appeals/{id}/forwardings/{forwarding_id}/signature",
            format!(
                "/api/v1/appeals/{}/forwardings/{}/signature",
                f.signed_card, f.signed_forwarding
            ),
            Target::Card,
            None,
        ),
        (
            "POST",
            "/api/v1/webhook-subscriptions",
            "/api/v1/webhook-subscriptions".into(),
            Target::Nothing,
            Some(json!({})),
        ),
        (
            "GET",
            "/api/v1/webhook-subscriptions",
            "/api/v1/webhook-subscriptions".into(),
            Target::Nothing,
            None,
        ),
        (
            "GET",
            "/api/v1/webhook-subscriptions/{id}",
            format!("/api/v1/webhook-subscriptions/{}", f.subscription),
            Target::OwnRecord,
            None,
        ),
        (
            "PATCH",
            "/api/v1/webhook-subscriptions/{id}",
            format!("/api/v1/webhook-subscriptions/{}", f.subscription),
            Target::OwnRecord,
            Some(json!({})),
        ),
        (
            "POST",
            "/api/v1/webhook-subscriptions/{id}/secret-rotation",
            format!(
                "/api/v1/webhook-subscriptions/{}/secret-rotation",
                f.subscription
            ),
            Target::OwnRecord,
            None,
        ),
        (
            "GET",
            "/api/v1/webhook-subscriptions/{id}/deliveries",
            format!(
                "/api/v1/webhook-subscriptions/{}/deliveries",
                f.subscription
            ),
            Target::OwnRecord,
            None,
        ),
        (
            "POST",
            "/api/v1/webhook-subscriptions/{id}/deliveries/{delivery_id}/retry",
            format!(
                "/api/v1/webhook-subscriptions/{}/deliveries/{}/retry",
                f.subscription, f.parked_delivery
            ),
            Target::OwnRecord,
            None,
        ),
        (
            "DELETE",
            "/api/v1/webhook-subscriptions/{id}",
            format!("/api/v1/webhook-subscriptions/{}", f.doomed_subscription),
            Target::OwnRecord,
            None,
        ),
        // Last: every caller ends its sessions, so no later call could use its token.
        (
            "POST",
            "/api/v1/me/logout",
            "/api/v1/me/logout".into(),
            Target::Nothing,
            None,
        ),
    ];
    let table = appeals_api::guard::ROUTES;
    let unlisted: Vec<_> = table
        .iter()
        .filter(|(m, p, _)| !calls.iter().any(|(cm, cp, ..)| cm == m && cp == p))
        .collect();
    assert!(
        unlisted.is_empty(),
        "rows of the route table not called here: {unlisted:?}"
    );
    calls
        .into_iter()
        .map(|(method, pattern, path, target, body)| {
            let action = table
                .iter()
                .find(|(m, p, _)| *m == method && *p == pattern)
                .map(|(_, _, a)| *a)
                .unwrap_or_else(|| panic!("{method} {pattern} is not in the route table"));
            Route {
                method: Method::from_bytes(method.as_bytes()).unwrap(),
                path,
                action,
                target,
                body,
            }
        })
        .collect()
}

/// The reach of `role` for `action` from `position` (None: the table refuses it there).
fn reach(action: Action, role: Role, position: Position) -> Option<Reach> {
    action
        .scope_for(&[role])?
        .effective(position == Position::AuthorizedBody)
}

/// Whether `reach` from `position` covers `HOME`.
fn covers_home(reach: Reach, position: Position) -> bool {
    match reach {
        Reach::All => true,
        Reach::Subtree => matches!(position, Position::Own | Position::Parent),
        Reach::Own => position == Position::Own,
    }
}

/// The answer the table demands: `Some(status)` for a denied call, `None` for an allowed one.
fn expected_denial(route: &Route, role: Role, position: Position) -> Option<u16> {
    let Some(action_reach) = reach(route.action, role, position) else {
        return Some(403);
    };
    match route.target {
        Target::Nothing => None,
        Target::HomeReport => (!covers_home(action_reach, position)).then_some(403),
        Target::OwnRecord => (position != Position::Own).then_some(404),
        Target::Reception => {
            let readable = reach(Action::ReadReceptions, role, position)
                .is_some_and(|r| covers_home(r, position));
            if !readable {
                Some(404)
            } else if route.action.changes_card() && !covers_home(action_reach, position) {
                Some(403)
            } else {
                None
            }
        }
        Target::Card => {
            let readable = reach(Action::ReadAppeals, role, position)
                .is_some_and(|r| covers_home(r, position));
            if !readable {
                Some(404)
            } else if route.action.changes_card() && !covers_home(action_reach, position) {
                Some(403)
            } else {
                None
            }
        }
    }
}

async fn call(app: &TestApp, route: &Route, user: &TestUser) -> appeals_tests::TestResponse {
    let mut req = TestRequest::default()
        .method(route.method.clone())
        .uri(&route.path)
        .insert_header(bearer(user));
    if let Some(body) = &route.body {
        req = req.set_json(body);
    }
    app.send(req).await
}

async fn every_route_answers_every_role_from_every_subject_as_the_table_says(backend: TestBackend) {
    let f = fixture(backend).await;
    let routes = routes(&f);
    assert_every_documented_route_is_listed(&f.app);
    let mut failures = Vec::new();
    let mut cells = 0;
    for route in &routes {
        for (position, role, user) in &f.callers {
            cells += 1;
            let res = call(&f.app, route, user).await;
            let status = res.status.as_u16();
            let expected = expected_denial(route, *role, *position);
            let ok = match expected {
                Some(denied) => status == denied,
                // 503: the registry adapter of the test app is not configured.
                None => status != 403 && status != 404 && status != 500,
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {} from {:?}: {status} (expected {}) {}",
                    route.method,
                    route.path,
                    role.code(),
                    position,
                    expected.map_or("allowed".to_owned(), |s| s.to_string()),
                    res.body
                ));
            }
            if route.path == "/api/v1/appeals" && route.method == Method::GET {
                // The list shows the card exactly when the caller may read it.
                let listed = res.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|item| item["id"] == f.card);
                let may_read = reach(Action::ReadAppeals, *role, *position)
                    .is_some_and(|r| covers_home(r, *position));
                if listed != may_read {
                    failures.push(format!(
                        "GET /api/v1/appeals as {} from {position:?}: card listed {listed}, readable {may_read}",
                        role.code()
                    ));
                }
            }
        }
    }
    assert!(cells >= 57 * 45, "only {cells} cells");
    assert!(
        failures.is_empty(),
        "{} of {cells} cells differ from the table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every operation of the OpenAPI document behind the token is a row of the route table.
fn assert_every_documented_route_is_listed(app: &TestApp) {
    let mut missing = Vec::new();
    for (path, item) in &app.api.paths.paths {
        if !path.starts_with("/api/v1/") || path == "/api/v1/auth/token" {
            continue;
        }
        let public = |method: &str| {
            appeals_api::auth::PUBLIC_ROUTES
                .iter()
                .any(|(m, p)| *m == method && p == path)
        };
        for (method, present) in [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ] {
            let listed = appeals_api::guard::ROUTES
                .iter()
                .any(|(m, p, _)| *m == method && p == path);
            if present && !listed && !public(method) {
                missing.push(format!("{method} {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "documented routes not in the route table: {missing:?}"
    );
}

async fn put_2027_overrides(app: &TestApp, user: &TestUser) -> appeals_tests::TestResponse {
    app.send(
        TestRequest::put()
            .uri("/api/v1/calendar/2027/overrides")
            .insert_header(bearer(user))
            .set_json(json!({"overrides": [
                {"date": "2027-03-10", "kind": "day_off", "source": "приказ"}]})),
    )
    .await
}

/// The two cases reported in the issue, spelled out: an analyst and an admin of an ordinary
/// subject.
async fn the_two_reported_leaks_are_closed(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.subject("S2", false);
    let foreign = app.user("s2-reg", "S2", &[Role::Registrar]);
    let res = app.post("/api/v1/appeals", &foreign, appeal_body()).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.body["id"].as_i64().unwrap();

    let analyst = app.user("s1-analyst", "S1", &[Role::Analyst]);
    app.get(&format!("/api/v1/appeals/{id}"), &analyst)
        .await
        .assert_problem(404, "not-found");
    let list = app.get("/api/v1/appeals", &analyst).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["items"], json!([]));

    let admin = app.user("s1-admin", "S1", &[Role::Admin]);
    let before = app.get("/api/v1/calendar/2027", &admin).await.body;
    let res = put_2027_overrides(&app, &admin).await;
    res.assert_problem(403, "forbidden");
    assert_eq!(app.get("/api/v1/calendar/2027", &admin).await.body, before);

    // The authorized body's analyst reads the card; its admin changes the calendar.
    app.subject("KPSISU", true);
    let kp_analyst = app.user("kp-analyst", "KPSISU", &[Role::Analyst]);
    let res = app.get(&format!("/api/v1/appeals/{id}"), &kp_analyst).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let kp_admin = app.user("kp-admin", "KPSISU", &[Role::Admin]);
    let res = put_2027_overrides(&app, &kp_admin).await;
    assert_eq!(res.status, 200, "{}", res.body);
}

#[test]
fn docs_security_md_holds_the_table_of_the_code() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/security.md"))
        .unwrap();
    let begin = "<!-- generated by `appeals access-matrix`: do not edit by hand -->\n";
    let start = doc.find(begin).expect("begin marker") + begin.len();
    let end = doc
        .find("<!-- end of generated part -->")
        .expect("end marker");
    assert_eq!(
        &doc[start..end],
        appeals_api::guard::security_markdown(),
        "docs/security.md is stale: regenerate its table with `appeals access-matrix`"
    );
}
