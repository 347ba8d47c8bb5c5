#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! Reference books over HTTP (R11, R27), on both backends: the migration seed equals the domain
//! defaults, reading, admin additions and deactivation, and a second server process picking up a
//! change made by the first.

use actix_web::test::{self, TestRequest};
use actix_web::web;
use appeals_api::AppState;
use appeals_api::auth::{JwtKeys, Role};
use appeals_db::repo;
use appeals_domain::dictionary::{DictionaryName, default_dictionaries, default_dictionary};
use appeals_tests::{TEST_SECRET, TestApp, TestBackend, TestUser, backend_tests, bearer};
use serde_json::{Value, json};

backend_tests!(
    seeded_rows_equal_the_domain_defaults,
    books_are_listed_and_read_with_both_labels,
    unknown_book_or_entry_is_404,
    admin_adds_an_entry_that_registration_accepts,
    bad_or_forbidden_additions_change_nothing,
    deactivated_entry_is_refused_for_new_cards,
    another_process_sees_the_change_on_its_next_request,
);

fn appeal_body(receipt_form: &str) -> Value {
    json!({
        "document_type": "application",
        "tags": ["отопление"],
        "applicants": [{"category": "individual", "surname": "Ахметов", "first_name": "Ерлан"}],
        "text": "Прошу восстановить отопление.",
        "receipt_form": receipt_form,
        "language": "state",
        "received_at": "2026-03-05T04:15:00Z"
    })
}

fn video_call() -> Value {
    json!({"code": "video_call", "label_ru": "Видеозвонок", "label_kk": "Бейне қоңырау", "evidence": "src"})
}

fn rules_version(app: &TestApp) -> i64 {
    repo::configuration::rules_version(&mut app.conn()).unwrap()
}

async fn seeded_rows_equal_the_domain_defaults(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let stored = repo::configuration::load_dictionaries(&mut app.conn()).unwrap();
    assert_eq!(stored, default_dictionaries());
}

async fn books_are_listed_and_read_with_both_labels(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let user = app.user("exec", "S1", &[Role::Executor]);

    let res = app.get("/api/v1/dictionaries", &user).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(items.len(), DictionaryName::ALL.len());
    let forms = items.iter().find(|i| i["name"] == "receipt_forms").unwrap();
    let defaults = default_dictionary(DictionaryName::ReceiptForms);
    assert_eq!(forms["entries"], defaults.entries.len());
    assert_eq!(forms["editable"], true);
    assert!(forms["description"].as_str().unwrap().contains("receipt"));
    let kinds = items.iter().find(|i| i["name"] == "appeal_kinds").unwrap();
    assert_eq!(kinds["editable"], false);

    let res = app.get("/api/v1/dictionaries/document_types", &user).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        res.header("etag"),
        Some(format!("\"{}\"", rules_version(&app)).as_str())
    );
    let entries = res.body["entries"].as_array().unwrap();
    let defaults = default_dictionary(DictionaryName::DocumentTypes);
    assert_eq!(
        entries
            .iter()
            .map(|e| e["code"].as_str().unwrap())
            .collect::<Vec<_>>(),
        defaults.codes().collect::<Vec<_>>()
    );
    let application = entries.iter().find(|e| e["code"] == "application").unwrap();
    assert_eq!(application["label_ru"], "Заявление");
    assert_eq!(application["label_kk"], "Өтініш");
    assert_eq!(application["kind"], "application");
    assert_eq!(application["term"], json!({"days": 15, "unit": "working"}));
    assert_eq!(application["active"], true);
    let notary = entries
        .iter()
        .find(|e| e["code"] == "request_notary")
        .unwrap();
    assert_eq!(notary["term"], json!({"days": 10, "unit": "calendar"}));

    let res = app
        .get("/api/v1/dictionaries/markings/entries/collective", &user)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["auto_rule"], "collective");
    assert!(res.body["label_ru"].as_str().is_some_and(|l| !l.is_empty()));
    assert!(res.body["label_kk"].as_str().is_some_and(|l| !l.is_empty()));
}

async fn unknown_book_or_entry_is_404(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let user = app.user("exec", "S1", &[Role::Executor]);
    app.get("/api/v1/dictionaries/no_such_book", &user)
        .await
        .assert_problem(404, "not-found");
    app.get("/api/v1/dictionaries/languages/entries/klingon", &user)
        .await
        .assert_problem(404, "not-found");
    let admin = app.national_admin("adm");
    app.post(
        "/api/v1/dictionaries/no_such_book/entries",
        &admin,
        video_call(),
    )
    .await
    .assert_problem(404, "not-found");
}

async fn admin_adds_an_entry_that_registration_accepts(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let registrar = app.user("reg", "S1", &[Role::Registrar]);
    let admin = app.national_admin("adm");

    let res = app
        .post("/api/v1/appeals", &registrar, appeal_body("video_call"))
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/receipt_form");

    let version = rules_version(&app);
    let res = app
        .post(
            "/api/v1/dictionaries/receipt_forms/entries",
            &admin,
            video_call(),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(
        res.header("location"),
        Some("/api/v1/dictionaries/receipt_forms/entries/video_call")
    );
    assert_eq!(res.body["code"], "video_call");
    assert_eq!(res.body["label_kk"], "Бейне қоңырау");
    assert_eq!(res.body["evidence"], "src");
    assert_eq!(res.body["active"], true);
    assert_eq!(rules_version(&app), version + 1);

    let res = app
        .get(
            "/api/v1/dictionaries/receipt_forms/entries/video_call",
            &registrar,
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["label_ru"], "Видеозвонок");
    let book = app
        .get("/api/v1/dictionaries/receipt_forms", &registrar)
        .await;
    assert_eq!(
        book.body["entries"].as_array().unwrap().last().unwrap()["code"],
        "video_call"
    );

    let res = app
        .post("/api/v1/appeals", &registrar, appeal_body("video_call"))
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["receipt_form"], "video_call");

    let events = repo::configuration::admin_events_on(
        &mut app.conn(),
        "dictionaries/receipt_forms/video_call",
    )
    .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "dictionary_entry_added");
    assert_eq!(events[0].actor_user_id, Some(admin.id));
    let after: Value = serde_json::from_str(events[0].after.as_deref().unwrap()).unwrap();
    assert_eq!(after["code"], "video_call");

    // A document type with its own term: registration computes requisite 13 with it (R27).
    let res = app
        .post(
            "/api/v1/dictionaries/document_types/entries",
            &admin,
            json!({"code": "request_deputy", "label_ru": "Депутатский запрос", "label_kk": "Депутаттық сауал",
                   "kind": "request", "term": {"days": 10, "unit": "working"}}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["evidence"], "inf");
    let mut body = appeal_body("electronic");
    body["document_type"] = json!("request_deputy");
    let res = app.post("/api/v1/appeals", &registrar, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    // 2026-03-05 is day 1 of 10 working days: 05, 06, 10–13, 16–19 (8 March falls on a Sunday,
    // so Monday 9 March is off, R30).
    assert_eq!(res.body["deadlines"]["review_due"], "2026-03-19");
}

async fn bad_or_forbidden_additions_change_nothing(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let registrar = app.user("reg", "S1", &[Role::Registrar]);
    let admin = app.national_admin("adm");
    let version = rules_version(&app);
    let count = || {
        repo::configuration::all_entries(&mut app.conn())
            .unwrap()
            .len()
    };
    let before = count();

    app.post(
        "/api/v1/dictionaries/receipt_forms/entries",
        &registrar,
        video_call(),
    )
    .await
    .assert_problem(403, "forbidden");
    // The shared dictionaries are national: an ordinary subject's admin may not change them.
    let subject_admin = app.user("s1-adm", "S1", &[Role::Admin]);
    app.post(
        "/api/v1/dictionaries/receipt_forms/entries",
        &subject_admin,
        video_call(),
    )
    .await
    .assert_problem(403, "forbidden");

    let mut dup = video_call();
    dup["code"] = json!("electronic");
    app.post("/api/v1/dictionaries/receipt_forms/entries", &admin, dup)
        .await
        .assert_problem(409, "conflict");

    app.post(
        "/api/v1/dictionaries/appeal_kinds/entries",
        &admin,
        json!({"code": "petition", "label_ru": "Петиция", "label_kk": "Петиция"}),
    )
    .await
    .assert_problem(409, "conflict");

    let res = app
        .post(
            "/api/v1/dictionaries/receipt_forms/entries",
            &admin,
            json!({"code": "Video Call", "label_ru": " ", "label_kk": "Бейне", "term": {"days": 5, "unit": "working"}}),
        )
        .await;
    res.assert_problem(422, "validation");
    let pointers: Vec<&str> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["#/code", "#/label_ru", "#/term"]);

    let res = app
        .post(
            "/api/v1/dictionaries/document_types/entries",
            &admin,
            json!({"code": "petition", "label_ru": "Петиция", "label_kk": "Петиция", "kind": "petition"}),
        )
        .await;
    res.assert_problem(422, "validation");
    let pointers: Vec<&str> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert!(pointers.contains(&"#/term") && pointers.contains(&"#/kind"));

    assert_eq!(count(), before);
    assert_eq!(rules_version(&app), version);
}

async fn deactivated_entry_is_refused_for_new_cards(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let registrar = app.user("reg", "S1", &[Role::Registrar]);
    let admin = app.national_admin("adm");
    let uri = "/api/v1/dictionaries/receipt_forms/entries/electronic";
    let etag = app
        .get("/api/v1/dictionaries/receipt_forms", &admin)
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    let patch = |if_match: Option<&str>, user: &TestUser| {
        let mut req = TestRequest::patch()
            .uri(uri)
            .insert_header(bearer(user))
            .set_json(json!({"active": false}));
        if let Some(tag) = if_match {
            req = req.insert_header(("If-Match", tag.to_owned()));
        }
        req
    };
    app.send(patch(Some(&etag), &registrar))
        .await
        .assert_problem(403, "forbidden");
    app.send(patch(None, &admin))
        .await
        .assert_problem(428, "precondition-required");
    app.send(patch(Some("\"0\""), &admin))
        .await
        .assert_problem(412, "precondition-failed");
    let res = app.send(patch(Some(&etag), &admin)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["active"], false);
    assert_ne!(res.header("etag"), Some(etag.as_str()));

    let res = app
        .post("/api/v1/appeals", &registrar, appeal_body("electronic"))
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/receipt_form");
    // Kept for old records: still listed, marked inactive.
    let res = app.get(uri, &registrar).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["active"], false);
    let events = repo::configuration::admin_events_on(
        &mut app.conn(),
        "dictionaries/receipt_forms/electronic",
    )
    .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "dictionary_entry_changed");
}

/// A second server process on the same database (its own pool and rules snapshot).
async fn send_via(state: &web::Data<AppState>, req: TestRequest) -> (u16, Value) {
    let api = appeals_api::openapi();
    let app = test::init_service(appeals_api::build_app(state.clone(), api, vec![])).await;
    let res = test::call_service(&app, req.to_request()).await;
    let status = res.status().as_u16();
    let bytes = test::read_body(res).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn another_process_sees_the_change_on_its_next_request(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let registrar = app.user("reg", "S1", &[Role::Registrar]);
    let admin = app.national_admin("adm");
    let pool = appeals_db::build_pool(&app.db.db_url(), 2, None).unwrap();
    let other = web::Data::new(
        AppState::new(pool, JwtKeys::new(TEST_SECRET, 900))
            .with_rules_check_interval(std::time::Duration::ZERO),
    );
    let register = || {
        TestRequest::post()
            .uri("/api/v1/appeals")
            .insert_header(bearer(&registrar))
            .set_json(appeal_body("video_call"))
    };
    let (status, _) = send_via(&other, register()).await;
    assert_eq!(status, 422);
    assert_eq!(other.rules().config_version, Some(rules_version(&app)));

    let res = app
        .post(
            "/api/v1/dictionaries/receipt_forms/entries",
            &admin,
            video_call(),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);

    let (status, body) = send_via(&other, register()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(other.rules().config_version, Some(rules_version(&app)));
}
