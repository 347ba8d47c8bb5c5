#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! R46: every status change owes the applicant a notice and a signed decision an SMS to each
//! mobile number on file; the subject's delivery system takes its queue and reports deliveries —
//! on both backends.

use appeals_api::auth::Role;
use appeals_domain::calendar::Calendar;
use appeals_domain::deadline::{self, DeadlineSettings};
use appeals_tests::{TestApp, TestBackend, backend_tests};
use serde_json::{Value, json};

backend_tests!(
    status_changes_and_the_answer_are_owed_to_the_applicant_and_delivered_once,
    the_queue_is_the_subjects_own_and_bad_requests_change_nothing,
    each_signed_extension_owes_one_notice_and_its_delivery_keeps_the_clock,
    a_forwarding_is_told_to_the_applicant_by_the_forwarding_subject,
);

fn appeal_body() -> Value {
    json!({
        "document_type": "application",
        "tags": ["отопление"],
        "applicants": [
            {"category": "individual", "iin_bin": "921029350851", "surname": "Ахметов", "first_name": "Ерлан", "mobile_phone": "+77011234567",
             "address": {"street": "пр. Абая", "house": "10"}},
            {"category": "individual", "surname": "Ахметова", "first_name": "Айгуль"}
        ],
        "text": "Прошу восстановить отопление в доме по адресу пр. Абая, 10.",
        "summary": "Нет отопления",
        "receipt_form": "electronic",
        "language": "state",
        "received_at": "2026-03-05T04:15:00Z"
    })
}

/// Each notice as (event, status_from, status_to, sms_to).
fn summary(notices: &Value) -> Vec<(Value, Value, Value, Value)> {
    notices
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["event"].clone(),
                n["status_from"].clone(),
                n["status_to"].clone(),
                n["sms_to"].clone(),
            )
        })
        .collect()
}

/// Registers an appeal, routes it to an executor and records an answer; returns its id.
async fn answered(app: &TestApp) -> i64 {
    let registrar = app.user("reg", "S1", &[Role::Registrar]);
    let executor = app.user("ex", "S1", &[Role::Executor]);
    let res = app.post("/api/v1/appeals", &registrar, appeal_body()).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.body["id"].as_i64().unwrap();
    let notices = app
        .get(&format!("/api/v1/appeals/{id}/notifications"), &registrar)
        .await;
    assert_eq!(
        notices.body,
        json!([]),
        "the talon is the registration notice"
    );
    let res = app
        .post(
            &format!("/api/v1/appeals/{id}/assignment"),
            &registrar,
            json!({"executor_user_id": executor.id}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = app
        .post(
            &format!("/api/v1/appeals/{id}/decisions"),
            &executor,
            json!({"decision_type": "provide_answer", "answer_character": "explained", "decided_at": "2026-03-12T06:00:00Z"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    id
}

async fn status_changes_and_the_answer_are_owed_to_the_applicant_and_delivered_once(
    backend: TestBackend,
) {
    let app = TestApp::new(backend).await;
    app.allow_entering_past_acts().await;
    let id = answered(&app).await;
    let gateway = app.user("sms", "S1", &[Role::Integration]);
    let notices = app
        .get(&format!("/api/v1/appeals/{id}/notifications"), &gateway)
        .await
        .body;
    let got = summary(&notices);
    // One notice per status change; one SMS, to the applicant with a mobile number only.
    assert_eq!(
        got,
        [
            (
                json!("status_changed"),
                json!("registered"),
                json!("in_work"),
                Value::Null
            ),
            (
                json!("status_changed"),
                json!("in_work"),
                json!("decided"),
                Value::Null
            ),
            (
                json!("answer_issued"),
                json!("in_work"),
                json!("decided"),
                json!("+77011234567")
            ),
        ]
    );
    let sms = &notices[2];
    assert_eq!(sms["applicant_ordinal"], 1);
    assert_eq!(sms["delivery"], "pending");
    let sms_id = sms["id"].as_i64().unwrap();

    // The queue in id order, paged.
    let page = app.get("/api/v1/notifications?limit=2", &gateway).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(page.body["items"][0]["id"], notices[0]["id"]);
    let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
    let rest = app
        .get(
            &format!("/api/v1/notifications?limit=2&cursor={cursor}"),
            &gateway,
        )
        .await
        .body;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["items"][0]["id"], sms_id);
    assert_eq!(rest["next_cursor"], Value::Null);
    assert!(
        rest["items"][0]["registration_number"]
            .as_str()
            .unwrap()
            .starts_with("ЖТ-")
    );

    // A failure, then a delivery; a delivered notice takes no further report.
    let url = format!("/api/v1/notifications/{sms_id}/delivery");
    let res = app
        .post(
            &url,
            &gateway,
            json!({"outcome": "failed", "note": "абонент недоступен"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["delivery"], "failed");
    let res = app
        .post(
            &url,
            &gateway,
            json!({"outcome": "delivered", "note": "gw-8812"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["delivery"], "delivered");
    assert_eq!(res.body["delivery_note"], "gw-8812");
    app.post(&url, &gateway, json!({"outcome": "failed"}))
        .await
        .assert_problem(409, "conflict");
    let pending = app.get("/api/v1/notifications", &gateway).await.body;
    assert_eq!(pending["items"].as_array().unwrap().len(), 2);
    let delivered = app
        .get("/api/v1/notifications?delivery=delivered", &gateway)
        .await
        .body;
    assert_eq!(delivered["items"][0]["id"], sms_id);
    assert_eq!(delivered["items"][0]["delivery_note"], "gw-8812");

    // Each report is in the card's history.
    let history = app
        .get(&format!("/api/v1/appeals/{id}/history"), &gateway)
        .await
        .body;
    let reports: Vec<&Value> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "applicant_notified")
        .collect();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["after"]["delivery"], "failed");
    assert_eq!(reports[1]["before"]["delivery"], "failed");
    assert_eq!(reports[1]["after"]["delivery"], "delivered");
}

async fn the_queue_is_the_subjects_own_and_bad_requests_change_nothing(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.allow_entering_past_acts().await;
    let id = answered(&app).await;
    app.subject("S2", false);
    let other = app.user("sms2", "S2", &[Role::Integration]);
    let gateway = app.user("sms", "S1", &[Role::Integration]);
    let executor = app.user("ex2", "S1", &[Role::Executor]);
    let all = app
        .get(&format!("/api/v1/appeals/{id}/notifications"), &gateway)
        .await
        .body;
    let sms_id = all[2]["id"].as_i64().unwrap();
    let url = format!("/api/v1/notifications/{sms_id}/delivery");

    // Another subject neither sees nor reports S1's notices; an executor has no queue.
    let theirs = app.get("/api/v1/notifications?delivery=all", &other).await;
    assert_eq!(theirs.status, 200);
    assert_eq!(theirs.body["items"], json!([]));
    app.post(&url, &other, json!({"outcome": "delivered"}))
        .await
        .assert_problem(404, "not-found");
    app.get(&format!("/api/v1/appeals/{id}/notifications"), &other)
        .await
        .assert_problem(404, "not-found");
    app.get("/api/v1/notifications", &executor)
        .await
        .assert_problem(403, "forbidden");

    // Bad queries and reports: 422 with pointers.
    for (query, pointer) in [
        ("delivery=sent", "#/query/delivery"),
        ("limit=0", "#/query/limit"),
        ("cursor=abc", "#/query/cursor"),
    ] {
        let res = app
            .get(&format!("/api/v1/notifications?{query}"), &gateway)
            .await;
        res.assert_problem(422, "validation");
        assert_eq!(res.body["errors"][0]["pointer"], pointer, "{query}");
    }
    app.post(&url, &gateway, json!({"outcome": "lost"}))
        .await
        .assert_problem(422, "validation");
    let res = app
        .post(
            &url,
            &gateway,
            json!({"outcome": "delivered", "reported_at": "2026-03-01T00:00:00Z"}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/reported_at");
    let after = app
        .get(&format!("/api/v1/appeals/{id}/notifications"), &gateway)
        .await
        .body;
    assert_eq!(after, all, "a refused report changes nothing");
    let history = app
        .get(&format!("/api/v1/appeals/{id}/history"), &gateway)
        .await
        .body;
    assert!(
        !history
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "applicant_notified")
    );
}

/// The card's deadlines view and its `extension_notice` clock.
async fn extension_notice_clock(
    app: &TestApp,
    id: i64,
    user: &appeals_tests::TestUser,
) -> (Value, Value) {
    let view = app
        .get(&format!("/api/v1/appeals/{id}/deadlines"), user)
        .await
        .body;
    let clock = view["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clock"] == "extension_notice")
        .unwrap()
        .clone();
    (view, clock)
}

/// R36 with R46: a signed extension owes the applicant one `term_extended` notice (also for the
/// status change it makes), due within 3 working days; its delivery keeps that clock.
async fn each_signed_extension_owes_one_notice_and_its_delivery_keeps_the_clock(
    backend: TestBackend,
) {
    let app = TestApp::new(backend).await;
    let registrar = app.user("reg", "S1", &[Role::Registrar]);
    let executor = app.user("ex", "S1", &[Role::Executor]);
    let head = app.user("boss", "S1", &[Role::Head]);
    let gateway = app.user("sms", "S1", &[Role::Integration]);
    let res = app.post("/api/v1/appeals", &registrar, appeal_body()).await;
    let id = res.body["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/appeals/{id}/assignment"),
        &registrar,
        json!({"executor_user_id": executor.id}),
    )
    .await;
    for (new_due, status) in [("2026-04-15", "extended"), ("2026-04-30", "extended")] {
        let res = app
            .post(
                &format!("/api/v1/appeals/{id}/extensions"),
                &head,
                json!({"new_review_due": new_due, "reason": "Нужна экспертиза."}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["appeal"]["status"], status);
    }
    let notices = app
        .get(&format!("/api/v1/appeals/{id}/notifications"), &gateway)
        .await
        .body;
    let got: Vec<_> = summary(&notices)
        .into_iter()
        .map(|(event, from, to, _)| (event, from, to))
        .collect();
    assert_eq!(
        got,
        [
            (
                json!("status_changed"),
                json!("registered"),
                json!("in_work")
            ),
            (json!("term_extended"), json!("in_work"), json!("extended")),
            (json!("term_extended"), json!("extended"), json!("extended")),
        ]
    );
    // The clock of the latest extension's notice runs from today for 3 working days.
    let (view, clock) = extension_notice_clock(&app, id, &executor).await;
    let today: chrono::NaiveDate = view["today"].as_str().unwrap().parse().unwrap();
    let due = deadline::extension_notice_due(
        &Calendar::kazakhstan_default(),
        &DeadlineSettings::default(),
        today,
    )
    .unwrap()
    .date;
    assert_eq!(clock["starts_on"], today.to_string());
    assert_eq!(clock["due_date"], due.to_string());
    assert_eq!(clock["state"], "running");
    assert_eq!(view["prolong_count"], 2);
    let latest = notices[2]["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/notifications/{latest}/delivery"),
            &gateway,
            json!({"outcome": "delivered"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let (view, clock) = extension_notice_clock(&app, id, &executor).await;
    assert_eq!(clock["state"], "completed");
    assert_eq!(clock["completed_on"], view["today"]);
}

/// R34 (APPK art. 65): the applicant is told of a forwarding at the same time — the notice is
/// written with it and owed by the forwarding subject, also when the card moves away in full.
async fn a_forwarding_is_told_to_the_applicant_by_the_forwarding_subject(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let receiver = app.subject("S2", false);
    let registrar = app.user("reg", "S1", &[Role::Registrar]);
    let gateway = app.user("sms", "S1", &[Role::Integration]);
    let their_gateway = app.user("sms2", "S2", &[Role::Integration]);
    let part_of = app
        .post("/api/v1/appeals", &registrar, appeal_body())
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let whole = app
        .post("/api/v1/appeals", &registrar, appeal_body())
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    for (id, body) in [
        (
            part_of,
            json!({"scope": "part", "to_subject_id": receiver, "questions": ["Ремонт кровли"]}),
        ),
        (whole, json!({"scope": "full", "to_subject_id": receiver})),
    ] {
        let res = app
            .post(
                &format!("/api/v1/appeals/{id}/forwardings"),
                &registrar,
                body,
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
    }
    let queue = app.get("/api/v1/notifications", &gateway).await.body;
    let got: Vec<(Value, Value, Value)> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["appeal_id"].clone(),
                n["status_from"].clone(),
                n["status_to"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                json!(part_of),
                json!("registered"),
                json!("forwarded_in_part")
            ),
            (json!(whole), json!("registered"), json!("forwarded")),
        ]
    );
    // The receiver owes nothing for it: its new part starts with the talon (R5).
    let theirs = app.get("/api/v1/notifications", &their_gateway).await.body;
    assert_eq!(theirs["items"], json!([]));
}
