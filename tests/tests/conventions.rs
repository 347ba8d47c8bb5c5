#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! Issue 23 points 1 and 3 over HTTP on both backends: the deadline and numbering conventions as
//! stored, versioned, audited settings with a dry run; and act times — the server's entry time
//! beside a bounded stated date, the basis of lateness, and the auditors' `entered_late` list.

use appeals_api::auth::Role;
use appeals_db::repo;
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests};
use chrono::{Duration, Utc};
use serde_json::{Value, json};

backend_tests!(
    conventions_are_versioned_audited_and_previewed_before_they_apply,
    only_the_authorized_body_changes_conventions_and_bad_values_change_nothing,
    numbering_conventions_apply_to_the_next_number,
    a_stated_act_date_is_bounded_kept_beside_the_entry_and_listed_when_entered_late
);

/// An application received on Thursday 2026-03-05 at 09:15 local time.
fn appeal_body() -> Value {
    json!({
        "document_type": "application",
        "applicants": [{"category": "individual", "surname": "Ахметов", "first_name": "Ерлан"}],
        "text": "Прошу восстановить отопление в доме по адресу пр. Абая, 10.",
        "receipt_form": "electronic",
        "language": "state",
        "received_at": "2026-03-05T04:15:00Z"
    })
}

async fn register(app: &TestApp, registrar: &TestUser, body: Value) -> Value {
    let res = app.post("/api/v1/appeals", registrar, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

async fn conventions_are_versioned_audited_and_previewed_before_they_apply(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let admin = app.national_admin("national");
    let registrar = app.user("reg", "S1", &[Role::Registrar]);
    let subject_admin = app.user("adm", "S1", &[Role::Admin]);

    let res = app.get("/api/v1/conventions", &registrar).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["version"], 0);
    assert_eq!(
        res.body["conventions"]["deadlines"]["convention"],
        "inclusive"
    );
    assert_eq!(res.body["conventions"]["deadlines"]["cutoff"], "18:30:00");
    assert_eq!(res.body["conventions"]["number_format"]["counter_width"], 8);

    // Registered on Thursday 5 March: 15 working days with the receipt day as day 1 (R28).
    let first = register(&app, &registrar, appeal_body()).await;
    assert_eq!(first["deadlines"]["review_due"], "2026-03-31");
    let id = first["id"].as_i64().unwrap();

    // The dry run says which stored deadline the other reading would move, and stores nothing.
    let exclusive = json!({
        "conventions": {"deadlines": {"convention": "exclusive"}},
        "reason": "Приказ № 1: день поступления не включается в срок",
    });
    let mut dry = exclusive.clone();
    dry["dry_run"] = json!(true);
    let res = app.put("/api/v1/conventions", &admin, dry).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["dry_run"], true);
    assert_eq!(res.body["changed"], true);
    assert_eq!(res.body["review_deadlines"]["moved_count"], 1);
    let moved = &res.body["review_deadlines"]["moved"][0];
    assert_eq!(moved["appeal_id"], id);
    assert_eq!(moved["review_due_before"], "2026-03-31");
    assert_eq!(moved["review_due_after"], "2026-04-01");
    let res = app.get("/api/v1/conventions", &registrar).await;
    assert_eq!(res.body["version"], 0, "a dry run stores nothing");
    let second = register(&app, &registrar, appeal_body()).await;
    assert_eq!(second["deadlines"]["review_due"], "2026-03-31");

    // Stored: version 1, audited with before and after, applied to the next registration.
    let res = app
        .put("/api/v1/conventions", &admin, exclusive.clone())
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["conventions"]["version"], 1);
    assert_eq!(res.body["review_deadlines"]["moved_count"], 2);
    let res = app.get("/api/v1/conventions", &registrar).await;
    assert_eq!(res.body["version"], 1);
    assert_eq!(
        res.body["conventions"]["deadlines"]["convention"],
        "exclusive"
    );
    assert_eq!(
        res.body["reason"],
        "Приказ № 1: день поступления не включается в срок"
    );
    assert_eq!(res.body["changed_by"], admin.id);
    let events = repo::configuration::admin_events_on(&mut app.conn(), "conventions").unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "conventions_replaced");
    assert_eq!(events[0].actor_user_id, Some(admin.id));
    let before: Value = serde_json::from_str(events[0].before.as_deref().unwrap()).unwrap();
    let after: Value = serde_json::from_str(events[0].after.as_deref().unwrap()).unwrap();
    assert_eq!(
        before["conventions"]["deadlines"]["convention"],
        "inclusive"
    );
    assert_eq!(after["conventions"]["deadlines"]["convention"], "exclusive");
    let third = register(&app, &registrar, appeal_body()).await;
    assert_eq!(third["deadlines"]["review_due"], "2026-04-01");

    // Stored deadlines move only by the explicit recalculation, which names the version used.
    let card = app.get(&format!("/api/v1/appeals/{id}"), &registrar).await;
    assert_eq!(card.body["deadlines"]["review_due"], "2026-03-31");
    let res = app
        .post(
            "/api/v1/calendar/recalculations",
            &subject_admin,
            json!({"dry_run": false}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["conventions_version"], 1);
    assert_eq!(res.body["moved_count"], 2, "{}", res.body);
    let card = app.get(&format!("/api/v1/appeals/{id}"), &registrar).await;
    assert_eq!(card.body["deadlines"]["review_due"], "2026-04-01");
    // Nothing left to move; the third card was computed with version 1 already.
    let res = app
        .post(
            "/api/v1/calendar/recalculations",
            &subject_admin,
            json!({"dry_run": true}),
        )
        .await;
    assert_eq!(res.body["checked"], 0);

    // The same document again changes nothing; the versions list keeps every document.
    let res = app.put("/api/v1/conventions", &admin, exclusive).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["changed"], false);
    let res = app.get("/api/v1/conventions/versions", &registrar).await;
    assert_eq!(res.status, 200);
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["version"], 1);
    assert_eq!(
        items[0]["conventions"]["deadlines"]["convention"],
        "exclusive"
    );
}

async fn only_the_authorized_body_changes_conventions_and_bad_values_change_nothing(
    backend: TestBackend,
) {
    let app = TestApp::new(backend).await;
    let admin = app.national_admin("national");
    let subject_admin = app.user("adm", "S1", &[Role::Admin]);
    let body = json!({
        "conventions": {"deadlines": {"cutoff": "18:00:00"}},
        "reason": "Окончание приема в 18:00",
    });
    let res = app.put("/api/v1/conventions", &subject_admin, body).await;
    res.assert_problem(403, "forbidden");

    let res = app
        .put(
            "/api/v1/conventions",
            &admin,
            json!({
                "conventions": {
                    "deadlines": {"report_due_day": 31, "forwarding_working_days": 0},
                    "number_format": {"separator": "/", "counter_width": 8}
                },
                "reason": "x",
            }),
        )
        .await;
    res.assert_problem(422, "validation");
    let pointers: Vec<&str> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        [
            "#/conventions/deadlines/forwarding_working_days",
            "#/conventions/deadlines/report_due_day",
            "#/conventions/number_format/separator",
        ]
    );
    let res = app
        .put(
            "/api/v1/conventions",
            &admin,
            json!({"conventions": {"deadlines": {"cut_off": "18:00:00"}}, "reason": "x"}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/conventions");
    let res = app.get("/api/v1/conventions", &admin).await;
    assert_eq!(res.body["version"], 0);
    assert!(
        repo::configuration::admin_events_on(&mut app.conn(), "conventions")
            .unwrap()
            .is_empty()
    );
}

/// Registers a card received `days_ago` days ago and routes it to `executor`.
async fn card_in_work(
    app: &TestApp,
    registrar: &TestUser,
    executor: &TestUser,
    days_ago: i64,
) -> i64 {
    let mut body = appeal_body();
    body["received_at"] = json!((Utc::now() - Duration::days(days_ago)).to_rfc3339());
    let id = register(app, registrar, body).await["id"].as_i64().unwrap();
    app.assign(id, registrar, executor).await;
    id
}

async fn a_stated_act_date_is_bounded_kept_beside_the_entry_and_listed_when_entered_late(
    backend: TestBackend,
) {
    let app = TestApp::new(backend).await;
    let registrar = app.user("reg", "S1", &[Role::Registrar]);
    let executor = app.user("ex", "S1", &[Role::Executor]);
    let head = app.user("boss", "S1", &[Role::Head]);
    let late = card_in_work(&app, &registrar, &executor, 40).await;
    let on_time = card_in_work(&app, &registrar, &executor, 40).await;
    let take_note = json!({"decision_type": "take_note"});

    // Three weeks back is more than 3 working days before the entry: not for an executor.
    let three_weeks_ago = (Utc::now() - Duration::days(21)).to_rfc3339();
    let mut backdated = take_note.clone();
    backdated["decided_at"] = json!(three_weeks_ago);
    let uri = format!("/api/v1/appeals/{late}/decisions");
    let res = app.post(&uri, &executor, backdated.clone()).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/decided_at");
    let detail = res.body["errors"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("only a head may enter an older act"),
        "{detail}"
    );
    let card = app.get(&format!("/api/v1/appeals/{late}"), &executor).await;
    assert_eq!(card.body["status"], "in_work", "a refusal changes nothing");

    // A head may: the act keeps its stated date, the entry the server's time, and lateness is
    // judged on the act's date.
    let res = app.post(&uri, &head, backdated).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let decision = &res.body["decision"];
    assert_eq!(
        decision["decided_at"].as_str().unwrap()[..10],
        three_weeks_ago[..10]
    );
    let entered = chrono::DateTime::parse_from_rfc3339(decision["created_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc);
    assert!((Utc::now() - entered).num_seconds().abs() < 60);
    assert_eq!(decision["entered_late"], true);
    assert_eq!(decision["lateness_basis"], "stated_act_time");
    assert_eq!(res.body["appeal"]["entered_late"], true);
    let history = app
        .get(&format!("/api/v1/appeals/{late}/history"), &head)
        .await;
    let last = history.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "decision_recorded");
    assert_eq!(last["after"]["entered_late"], true);
    assert_eq!(last["after"]["lateness_basis"], "stated_act_time");
    assert_eq!(
        last["after"]["decided_at"].as_str().unwrap()[..10],
        three_weeks_ago[..10]
    );
    assert!(last["after"]["entered_at"].is_string());

    // No stated date: the entry is the act.
    let res = app
        .post(
            &format!("/api/v1/appeals/{on_time}/decisions"),
            &executor,
            take_note,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["decision"]["entered_late"], false);
    assert_eq!(res.body["decision"]["lateness_basis"], "entered_at");
    assert_eq!(
        res.body["decision"]["decided_at"],
        res.body["decision"]["created_at"]
    );

    // Auditors list the cards with an act entered after its stated day, and only those.
    let listed = |body: &Value| -> Vec<i64> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    let res = app.get("/api/v1/appeals?entered_late=true", &head).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(listed(&res.body), [late]);
    let res = app.get("/api/v1/appeals?entered_late=false", &head).await;
    assert_eq!(listed(&res.body), [on_time]);
    // The auditors' export carries the flag.
    let csv = app
        .send(
            actix_web::test::TestRequest::get()
                .uri("/api/v1/appeals?entered_late=true")
                .insert_header(appeals_tests::bearer(&head))
                .insert_header(("Accept", "text/csv")),
        )
        .await;
    assert_eq!(csv.status, 200);
    let text = String::from_utf8(csv.raw.clone()).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "entered_late")
        .unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get(0), Some(late.to_string().as_str()));
    assert_eq!(rows[0].get(column), Some("true"));
}

/// R3: the letter-index table and the number layout are conventions too: a stored change applies
/// to the next registration; numbers already given never change (R2).
async fn numbering_conventions_apply_to_the_next_number(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let admin = app.national_admin("national");
    let registrar = app.user("reg", "S1", &[Role::Registrar]);
    let first = register(&app, &registrar, appeal_body()).await;
    assert_eq!(first["registration_number"], "ЖТ-2026-00000001");
    let res = app
        .put(
            "/api/v1/conventions",
            &admin,
            json!({
                "conventions": {
                    "letter_index": {"entries": [
                        {"category": "individual", "index": "ЖК", "evidence": "src"},
                        {"category": "legal_entity", "index": "ЗТ", "evidence": "inf"}
                    ]},
                    "number_format": {"separator": ".", "counter_width": 6}
                },
                "reason": "Приказ № 2: индекс «ЖК», шесть цифр",
            }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let second = register(&app, &registrar, appeal_body()).await;
    assert_eq!(second["registration_number"], "ЖК.2026.000002");
    let again = app
        .get(&format!("/api/v1/appeals/{}", first["id"]), &registrar)
        .await;
    assert_eq!(again.body["registration_number"], "ЖТ-2026-00000001");
}
