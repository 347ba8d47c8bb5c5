#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! Registration and the ОЛ-1 card over HTTP, on both backends.

use actix_web::test::TestRequest;
use appeals_api::auth::Role;
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests, bearer};
use serde_json::{Value, json};

/// A valid registration body: received Thursday 2026-03-05 09:15 local (04:15 UTC).
pub fn appeal_body() -> Value {
    json!({
        "document_type": "application",
        "tags": ["отопление"],
        "applicants": [{"category": "individual", "iin_bin": "921029350851", "surname": "Ахметов", "first_name": "Ерлан", "patronymic": "Серикович",
                        "address": {"region": "г. Алматы", "street": "пр. Абая", "house": "10"}}],
        "text": "Прошу восстановить отопление в доме по адресу пр. Абая, 10.",
        "summary": "Нет отопления",
        "receipt_form": "electronic",
        "language": "state",
        "received_at": "2026-03-05T04:15:00Z"
    })
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn setup(app: &TestApp) -> TestUser {
    app.user("reg", "S1", &[Role::Registrar])
}

backend_tests!(
    registration_fills_number_dates_deadlines_and_talon,
    registration_after_cutoff_and_on_holiday_moves_the_date,
    two_applicants_get_the_collective_marking,
    numbers_are_consecutive_and_unique,
    idempotent_retry_returns_the_same_card,
    idempotency_key_with_another_body_is_422,
    bad_input_is_422_and_stores_nothing,
    wrong_role_cannot_register,
    non_accountable_category_sets_transfer_due,
    get_returns_etag_and_other_subjects_get_404,
    patch_requires_if_match_and_changes_document_type_with_tag,
    history_is_hash_chained_and_records_before_after,
    list_filters_and_paginates,
    analyst_reads_all_subjects,
    complaint_names_what_it_appeals_and_a_late_one_is_flagged,
    complaint_target_is_refused_on_bad_input_and_follows_the_kind,
    list_as_csv_has_every_card_and_links_the_next_page,
    a_whole_list_streams_as_one_csv_document,
);

async fn registration_fills_number_dates_deadlines_and_talon(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    let res = app.post("/api/v1/appeals", &reg, appeal_body()).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let b = &res.body;
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/appeals/{}", b["id"]).as_str())
    );
    assert_eq!(res.header("etag"), Some("\"1\""));
    assert_eq!(b["registration_number"], "ЖТ-2026-00000001");
    assert_eq!(b["status"], "registered");
    assert_eq!(b["kind"], "application");
    assert_eq!(b["registration_date"], "2026-03-05");
    // R28 (inclusive): 15 working days from 2026-03-05 → 2026-03-31 (8, 9 and 23–25 March are off).
    assert_eq!(b["deadlines"]["review_due"], "2026-03-31");
    // R34: 3 working days, inclusive → 2026-03-06 is day 2, 10 March day 3 (9 March is a transfer day off).
    assert_eq!(b["deadlines"]["forward_due"], "2026-03-10");
    assert!(b["deadlines"]["transfer_due"].is_null());
    assert!(
        b["deadlines"]["calendar_version"]
            .as_str()
            .unwrap()
            .starts_with("kz-")
    );
    assert_eq!(b["talon"]["registration_number"], "ЖТ-2026-00000001");
    assert_eq!(b["talon"]["subject_name"], "Субъект S1");
    assert_eq!(b["applicants"][0]["iin_bin"], "921029350851");
    assert_eq!(b["applicants"][0]["full_name"], "Ахметов Ерлан Серикович");
    assert_eq!(
        b["applicants"][0]["card"]["appeal_reg_number"],
        "ЖТ-2026-00000001"
    );
    assert_eq!(b["anonymity"]["anonymous"], false);
    assert_eq!(b["tags"], json!(["отопление"]));
    assert_eq!(b["markings"], json!([]));
    assert_eq!(b["is_accountable"], true);
}

async fn registration_after_cutoff_and_on_holiday_moves_the_date(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    // 2026-03-05 18:45 local (13:45 UTC) is after the 18:30 cut-off → 2026-03-06 (R8).
    let mut body = appeal_body();
    body["received_at"] = json!("2026-03-05T13:45:00Z");
    let res = app.post("/api/v1/appeals", &reg, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["registration_date"], "2026-03-06");
    // Saturday 2026-03-21 → next working day 2026-03-26 (R7: 23–25 March are off in 2026).
    let mut body = appeal_body();
    body["received_at"] = json!("2026-03-21T05:00:00Z");
    let res = app.post("/api/v1/appeals", &reg, body).await;
    assert_eq!(res.body["registration_date"], "2026-03-26");
}

async fn two_applicants_get_the_collective_marking(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    let mut body = appeal_body();
    body["applicants"] = json!([
        {"category": "individual", "surname": "Ахметов", "first_name": "Ерлан"},
        {"category": "individual", "surname": "Сейтова", "first_name": "Айгуль"}
    ]);
    let res = app.post("/api/v1/appeals", &reg, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["markings"], json!(["collective"]));
    let list = app.get("/api/v1/appeals?marking=collective", &reg).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}

async fn numbers_are_consecutive_and_unique(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    let mut numbers = Vec::new();
    for _ in 0..5 {
        let res = app.post("/api/v1/appeals", &reg, appeal_body()).await;
        numbers.push(res.body["registration_number"].as_str().unwrap().to_owned());
    }
    let expected: Vec<String> = (1..=5).map(|n| format!("ЖТ-2026-{n:08}")).collect();
    assert_eq!(numbers, expected);
    // A legal entity gets the ЗТ index from the same through counter.
    let mut body = appeal_body();
    body["applicants"] = json!([{"category": "legal_entity", "company_name": "ТОО «Жылу»"}]);
    let res = app.post("/api/v1/appeals", &reg, body).await;
    assert_eq!(res.body["registration_number"], "ЗТ-2026-00000006");
}

async fn idempotent_retry_returns_the_same_card(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    let send = || {
        TestRequest::post()
            .uri("/api/v1/appeals")
            .insert_header(bearer(&reg))
            .insert_header(("Idempotency-Key", "req-42"))
            .set_json(appeal_body())
    };
    let first = app.send(send()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let second = app.send(send()).await;
    assert_eq!(second.status, 201);
    assert_eq!(second.body, first.body);
    let list = app.get("/api/v1/appeals", &reg).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        1,
        "a retry must not register twice"
    );
    // Another user's identical key is independent.
    let other = app.user("reg2", "S1", &[Role::Registrar]);
    let res = app
        .send(
            TestRequest::post()
                .uri("/api/v1/appeals")
                .insert_header(bearer(&other))
                .insert_header(("Idempotency-Key", "req-42"))
                .set_json(appeal_body()),
        )
        .await;
    assert_eq!(res.status, 201);
    assert_ne!(res.body["id"], first.body["id"]);
}

async fn idempotency_key_with_another_body_is_422(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    let mut other_body = appeal_body();
    other_body["text"] = json!("Совсем другой текст обращения.");
    let first = app
        .send(
            TestRequest::post()
                .uri("/api/v1/appeals")
                .insert_header(bearer(&reg))
                .insert_header(("Idempotency-Key", "k1"))
                .set_json(appeal_body()),
        )
        .await;
    assert_eq!(first.status, 201);
    let res = app
        .send(
            TestRequest::post()
                .uri("/api/v1/appeals")
                .insert_header(bearer(&reg))
                .insert_header(("Idempotency-Key", "k1"))
                .set_json(other_body),
        )
        .await;
    res.assert_problem(422, "idempotency-key-reused");
    let list = app.get("/api/v1/appeals", &reg).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}

async fn bad_input_is_422_and_stores_nothing(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    let mut body = appeal_body();
    body["document_type"] = json!("no_such_type");
    body["language"] = json!("klingon");
    body["applicants"][0]["iin_bin"] = json!("921029350852");
    body["received_at"] = json!("2099-01-01T00:00:00Z");
    let res = app.post("/api/v1/appeals", &reg, body).await;
    res.assert_problem(422, "validation");
    let pointers: Vec<&str> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    for p in [
        "#/document_type",
        "#/language",
        "#/applicants/0/iin_bin",
        "#/received_at",
    ] {
        assert!(pointers.contains(&p), "{p} missing in {pointers:?}");
    }
    // A blank text is registered (R1, card_rules.rs); an oversized one is not.
    let mut body = appeal_body();
    body["text"] = json!("а".repeat(200_001));
    app.post("/api/v1/appeals", &reg, body)
        .await
        .assert_problem(422, "validation");
    let mut body = appeal_body();
    body["unexpected"] = json!(1);
    app.post("/api/v1/appeals", &reg, body)
        .await
        .assert_problem(422, "validation");
    let list = app.get("/api/v1/appeals", &reg).await;
    assert_eq!(list.body["items"], json!([]));
    // The counter was not consumed by the failures.
    let ok = app.post("/api/v1/appeals", &reg, appeal_body()).await;
    assert_eq!(ok.body["registration_number"], "ЖТ-2026-00000001");
}

async fn wrong_role_cannot_register(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let executor = app.user("ex", "S1", &[Role::Executor]);
    app.post("/api/v1/appeals", &executor, appeal_body())
        .await
        .assert_problem(403, "forbidden");
    let client = app.user("system", "S1", &[Role::Integration]);
    assert_eq!(
        app.post("/api/v1/appeals", &client, appeal_body())
            .await
            .status,
        201
    );
}

async fn non_accountable_category_sets_transfer_due(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    let mut body = appeal_body();
    // Monday 2026-05-04 → transfer due 2026-05-06 (R16, inclusive).
    body["received_at"] = json!("2026-05-04T04:00:00Z");
    body["non_accountable_category"] = json!("advertising_proposals");
    let res = app.post("/api/v1/appeals", &reg, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["is_accountable"], false);
    assert_eq!(res.body["deadlines"]["transfer_due"], "2026-05-06");
}

async fn get_returns_etag_and_other_subjects_get_404(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    let id = app.post("/api/v1/appeals", &reg, appeal_body()).await.body["id"]
        .as_i64()
        .unwrap();
    let res = app.get(&format!("/api/v1/appeals/{id}"), &reg).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("etag"), Some("\"1\""));
    assert_eq!(res.body["id"], id);
    app.subject("S2", false);
    let stranger = app.user("other", "S2", &[Role::Registrar, Role::Executor]);
    app.get(&format!("/api/v1/appeals/{id}"), &stranger)
        .await
        .assert_problem(404, "not-found");
    assert_eq!(
        app.get("/api/v1/appeals", &stranger).await.body["items"],
        json!([])
    );
    app.get("/api/v1/appeals/999999", &reg)
        .await
        .assert_problem(404, "not-found");
    app.get("/api/v1/appeals/abc", &reg)
        .await
        .assert_problem(404, "not-found");
    // Conditional GET: the ETag held → 304 without a body; another or a stale one → the card.
    let conditional = |user: &TestUser, tags: &str| {
        TestRequest::get()
            .uri(&format!("/api/v1/appeals/{id}"))
            .insert_header(bearer(user))
            .insert_header(("If-None-Match", tags.to_owned()))
    };
    for held in ["\"1\"", "W/\"1\"", "\"7\", \"1\"", "*"] {
        let res = app.send(conditional(&reg, held)).await;
        assert_eq!(res.status, 304, "{held}");
        assert_eq!(res.header("etag"), Some("\"1\""));
        assert!(res.raw.is_empty());
    }
    let res = app.send(conditional(&reg, "\"2\"")).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["id"], id);
    // Holding an ETag reveals nothing of another subject's card.
    app.send(conditional(&stranger, "*"))
        .await
        .assert_problem(404, "not-found");
}

async fn patch_requires_if_match_and_changes_document_type_with_tag(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    let created = app.post("/api/v1/appeals", &reg, appeal_body()).await.body;
    let id = created["id"].as_i64().unwrap();
    let uri = format!("/api/v1/appeals/{id}");
    let patch = |body: Value, etag: Option<&str>| {
        let mut r = TestRequest::patch()
            .uri(&uri)
            .insert_header(bearer(&reg))
            .set_json(body);
        if let Some(e) = etag {
            r = r.insert_header(("If-Match", e.to_owned()));
        }
        r
    };
    app.send(patch(json!({"summary": "x"}), None))
        .await
        .assert_problem(428, "precondition-required");
    app.send(patch(json!({"summary": "x"}), Some("\"7\"")))
        .await
        .assert_problem(412, "precondition-failed");
    // R12: requisite 8 without a tag → 422, nothing changes.
    let res = app
        .send(patch(json!({"document_type": "request"}), Some("\"1\"")))
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/tags");
    // With a tag: requisite 9/13 recomputed, number unchanged (R2, R19).
    let res = app
        .send(patch(
            json!({"document_type": "request_information", "tags": ["информация"]}),
            Some("\"1\""),
        ))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.header("etag"), Some("\"2\""));
    assert_eq!(res.body["document_type"], "request_information");
    assert_eq!(res.body["kind"], "request");
    assert_eq!(
        res.body["registration_number"],
        created["registration_number"]
    );
    assert_ne!(
        res.body["deadlines"]["review_due"],
        created["deadlines"]["review_due"]
    );
    assert_eq!(res.body["tags"], json!(["отопление", "информация"]));
    // The old ETag is now stale.
    app.send(patch(json!({"summary": "y"}), Some("\"1\"")))
        .await
        .assert_problem(412, "precondition-failed");
    app.send(patch(json!({}), Some("\"2\"")))
        .await
        .assert_problem(422, "validation");
}

async fn history_is_hash_chained_and_records_before_after(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    let id = app.post("/api/v1/appeals", &reg, appeal_body()).await.body["id"]
        .as_i64()
        .unwrap();
    let res = app
        .send(
            TestRequest::patch()
                .uri(&format!("/api/v1/appeals/{id}"))
                .insert_header(bearer(&reg))
                .insert_header(("If-Match", "\"1\""))
                .set_json(json!({"summary": "Отопление отсутствует"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let history = app
        .get(&format!("/api/v1/appeals/{id}/history"), &reg)
        .await
        .body;
    let events = history.as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["action"], "registered");
    assert_eq!(events[0]["prev_hash"], "0".repeat(64));
    assert_eq!(events[1]["prev_hash"], events[0]["hash"]);
    assert_eq!(events[1]["action"], "updated");
    assert_eq!(events[1]["before"]["summary"], "Нет отопления");
    assert_eq!(events[1]["after"]["summary"], "Отопление отсутствует");
    assert_eq!(events[1]["actor_user_id"], reg.id);
    let (checked, broken) = appeals_db::repo::events::verify_all(&mut app.conn()).unwrap();
    assert_eq!((checked, broken), (2, None));
    let res = app
        .get(&format!("/api/v1/appeals/{id}/history/verification"), &reg)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["intact"], true);
    assert_eq!(res.body["events_checked"], 2);
    assert_eq!(res.body["head_hash"], events[1]["hash"]);
    // Tampering with a stored event is detected at that event.
    {
        use appeals_db::schema::appeal_events;
        use diesel::prelude::*;
        diesel::update(appeal_events::table.filter(appeal_events::seq.eq(2)))
            .set(appeal_events::after.eq(Some("{\"summary\":\"forged\"}")))
            .execute(&mut *app.conn())
            .unwrap();
    }
    let (_, broken) = appeals_db::repo::events::verify_all(&mut app.conn()).unwrap();
    let broken = broken.expect("tampering must be detected");
    assert_eq!((broken.appeal_id, broken.seq), (id, 2));
    // Auditors see the same over HTTP, at the same event.
    let res = app
        .get(&format!("/api/v1/appeals/{id}/history/verification"), &reg)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["intact"], false);
    assert_eq!(res.body["events_checked"], 2);
    assert_eq!(res.body["broken"]["seq"], 2);
    assert_eq!(res.body["broken"]["event_id"], broken.event_id);
    assert_eq!(
        res.body["broken"]["reason"],
        "hash does not match the event's content"
    );
    assert_eq!(res.body["head_hash"], Value::Null);
    app.subject("S2", false);
    let stranger = app.user("stranger", "S2", &[Role::Registrar]);
    app.get(
        &format!("/api/v1/appeals/{id}/history/verification"),
        &stranger,
    )
    .await
    .assert_problem(404, "not-found");
}

async fn list_filters_and_paginates(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    for i in 0..5 {
        let mut body = appeal_body();
        if i % 2 == 0 {
            body["applicants"][0]["iin_bin"] = json!("900101300811");
            body["tags"] = json!(["Дороги"]);
        }
        assert_eq!(app.post("/api/v1/appeals", &reg, body).await.status, 201);
    }
    let page1 = app.get("/api/v1/appeals?limit=2", &reg).await.body;
    let items: Vec<i64> = page1["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(items.len(), 2);
    assert!(items[0] > items[1], "newest first");
    let cursor = page1["next_cursor"].as_str().unwrap();
    let page2 = app
        .get(&format!("/api/v1/appeals?limit=2&cursor={cursor}"), &reg)
        .await
        .body;
    let page3 = app
        .get(
            &format!(
                "/api/v1/appeals?limit=2&cursor={}",
                page2["next_cursor"].as_str().unwrap()
            ),
            &reg,
        )
        .await
        .body;
    assert_eq!(page3["items"].as_array().unwrap().len(), 1);
    assert!(page3["next_cursor"].is_null());
    let by_iin = app
        .get("/api/v1/appeals?iin_bin=900101300811", &reg)
        .await
        .body;
    assert_eq!(by_iin["items"].as_array().unwrap().len(), 3);
    let by_tag = app
        .get(&format!("/api/v1/appeals?tag={}", enc("дороги")), &reg)
        .await
        .body;
    assert_eq!(by_tag["items"].as_array().unwrap().len(), 3);
    let by_number = app
        .get(
            &format!(
                "/api/v1/appeals?registration_number={}",
                enc("ЖТ-2026-00000002")
            ),
            &reg,
        )
        .await
        .body;
    assert_eq!(by_number["items"].as_array().unwrap().len(), 1);
    let by_period = app
        .get("/api/v1/appeals?from=2026-03-06&to=2026-12-31", &reg)
        .await
        .body;
    assert_eq!(by_period["items"], json!([]));
    let overdue = app.get("/api/v1/appeals?overdue=true", &reg).await.body;
    assert_eq!(
        overdue["items"].as_array().unwrap().len(),
        5,
        "review deadlines in March 2026 have passed"
    );
    // Its pages (ids read first, then the rows) follow the same newest-first cursor.
    let mut paged = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get(
                &format!("/api/v1/appeals/summaries?overdue=true&limit=2{cursor}"),
                &reg,
            )
            .await
            .body;
        paged.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    let all: Vec<i64> = overdue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(paged, all);
    assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first");
    app.get("/api/v1/appeals?limit=0", &reg)
        .await
        .assert_problem(422, "validation");
    app.get("/api/v1/appeals?cursor=zzz", &reg)
        .await
        .assert_problem(422, "validation");
    app.get("/api/v1/appeals?bogus=1", &reg)
        .await
        .assert_problem(422, "validation");
}

async fn analyst_reads_all_subjects(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    app.subject("KPSISU", true);
    app.subject("S2", false);
    let reg2 = app.user("reg2", "S2", &[Role::Registrar]);
    let a = app.post("/api/v1/appeals", &reg, appeal_body()).await.body["id"]
        .as_i64()
        .unwrap();
    app.post("/api/v1/appeals", &reg2, appeal_body()).await;
    let analyst = app.user("analyst", "KPSISU", &[Role::Analyst]);
    assert_eq!(
        app.get("/api/v1/appeals", &analyst).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let only_s1 = app
        .get(
            &format!("/api/v1/appeals?subject_id={}", app.subject_id),
            &analyst,
        )
        .await
        .body;
    assert_eq!(only_s1["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get(&format!("/api/v1/appeals/{a}"), &analyst)
            .await
            .status,
        200
    );
    // Reading is not changing: an analyst cannot edit.
    let res = app
        .send(
            TestRequest::patch()
                .uri(&format!("/api/v1/appeals/{a}"))
                .insert_header(bearer(&analyst))
                .insert_header(("If-Match", "\"1\""))
                .set_json(json!({"summary": "x"})),
        )
        .await;
    res.assert_problem(403, "forbidden");
}

/// A complaint received with `appeal_body`'s date (2026-03-05) appealing `number`.
fn complaint_body(number: Option<&str>, learned_on: &str) -> Value {
    let mut body = appeal_body();
    body["document_type"] = json!("complaint");
    body["tags"] = json!(["обжалование"]);
    body["text"] = json!("Обжалую ответ акимата: отопление так и не восстановлено.");
    body["complaint"] = json!({
        "appealed_registration_number": number,
        "appealed_subject_matter": "Ответ на обращение об отоплении",
        "learned_on": learned_on,
    });
    body
}

async fn complaint_names_what_it_appeals_and_a_late_one_is_flagged(backend: TestBackend) {
    // R42: the complaint names the appealed appeal; R43 (APPK art. 92): one received more than
    // three months after the applicant learned of the act is registered all the same, flagged.
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    let original = app.post("/api/v1/appeals", &reg, appeal_body()).await.body;
    let number = original["registration_number"].as_str().unwrap();
    let late = app
        .post(
            "/api/v1/appeals",
            &reg,
            complaint_body(Some(number), "2025-11-04"),
        )
        .await;
    assert_eq!(late.status, 201, "{}", late.body);
    assert_eq!(late.body["kind"], "complaint");
    assert_eq!(
        late.body["complaint"],
        json!({"appealed_registration_number": number,
               "appealed_subject_matter": "Ответ на обращение об отоплении",
               "learned_on": "2025-11-04", "late": true})
    );
    // Three months from 2025-12-05 end on 2026-03-05, the day it was received: on time.
    let on_time = app
        .post("/api/v1/appeals", &reg, complaint_body(None, "2025-12-05"))
        .await;
    assert_eq!(on_time.status, 201, "{}", on_time.body);
    assert_eq!(on_time.body["complaint"]["late"], false);
    assert!(on_time.body["complaint"]["appealed_registration_number"].is_null());
    // The card and its first event keep it.
    let id = late.body["id"].as_i64().unwrap();
    let read = app.get(&format!("/api/v1/appeals/{id}"), &reg).await.body;
    assert_eq!(read["complaint"], late.body["complaint"]);
    let history = app
        .get(&format!("/api/v1/appeals/{id}/history"), &reg)
        .await
        .body;
    assert_eq!(history[0]["after"]["complaint"]["late"], true);
    assert!(original["complaint"].is_null());
}

async fn complaint_target_is_refused_on_bad_input_and_follows_the_kind(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    app.subject("S2", false);
    let other = app.user("reg2", "S2", &[Role::Registrar]);
    let theirs = app
        .post("/api/v1/appeals", &other, appeal_body())
        .await
        .body;
    let their_number = theirs["registration_number"].as_str().unwrap().to_owned();
    let pointer_of = |body: &Value| body["errors"][0]["pointer"].as_str().unwrap().to_owned();
    // Only a complaint appeals an act.
    let mut on_application = complaint_body(None, "2026-02-01");
    on_application["document_type"] = json!("application");
    let res = app.post("/api/v1/appeals", &reg, on_application).await;
    res.assert_problem(422, "validation");
    assert_eq!(pointer_of(&res.body), "#/complaint");
    // Learned of it after receiving the complaint.
    let res = app
        .post("/api/v1/appeals", &reg, complaint_body(None, "2026-03-06"))
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(pointer_of(&res.body), "#/complaint/learned_on");
    // An unknown number, and another subject's appeal (not visible: 422, nothing leaks).
    for number in ["ЖТ-2026-99999999", their_number.as_str()] {
        let res = app
            .post(
                "/api/v1/appeals",
                &reg,
                complaint_body(Some(number), "2026-02-01"),
            )
            .await;
        res.assert_problem(422, "validation");
        assert_eq!(
            pointer_of(&res.body),
            "#/complaint/appealed_registration_number"
        );
    }
    let list = app.get("/api/v1/appeals", &reg).await;
    assert_eq!(list.body["items"], json!([]), "nothing was stored");
    // A complaint registered without the block gets it with PATCH; a change of kind drops it and
    // the history keeps it.
    let mut bare = complaint_body(None, "2026-02-01");
    bare.as_object_mut().unwrap().remove("complaint");
    let created = app.post("/api/v1/appeals", &reg, bare).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.body["complaint"].is_null());
    let id = created.body["id"].as_i64().unwrap();
    let patch = |body: Value, etag: &str| {
        TestRequest::patch()
            .uri(&format!("/api/v1/appeals/{id}"))
            .insert_header(bearer(&reg))
            .insert_header(("If-Match", etag.to_owned()))
            .set_json(body)
    };
    let target =
        json!({"appealed_subject_matter": "Бездействие акимата", "learned_on": "2026-02-01"});
    let res = app.send(patch(json!({"complaint": target}), "\"1\"")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        res.body["complaint"]["appealed_subject_matter"],
        "Бездействие акимата"
    );
    assert_eq!(res.body["complaint"]["late"], false);
    let res = app
        .send(patch(
            json!({"document_type": "request", "tags": ["информация"]}),
            "\"2\"",
        ))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body["complaint"].is_null());
    let res = app.send(patch(json!({"complaint": target}), "\"3\"")).await;
    res.assert_problem(422, "validation");
    assert_eq!(pointer_of(&res.body), "#/complaint");
    let history = app
        .get(&format!("/api/v1/appeals/{id}/history"), &reg)
        .await
        .body;
    let events = history.as_array().unwrap();
    assert_eq!(events.len(), 3);
    assert!(events[1]["before"]["complaint"].is_null());
    assert_eq!(
        events[1]["after"]["complaint"]["appealed_subject_matter"],
        "Бездействие акимата"
    );
    assert_eq!(events[2]["action"], "document_type_changed");
    assert_eq!(
        events[2]["before"]["complaint"]["appealed_subject_matter"],
        "Бездействие акимата"
    );
    assert!(events[2]["after"]["complaint"].is_null());
}

/// Reads a CSV page: (content type, header row, data rows, `Link`).
async fn csv_page(
    app: &TestApp,
    user: &TestUser,
    uri: &str,
) -> (String, Vec<String>, Vec<Vec<String>>, Option<String>) {
    let res = app
        .send(
            TestRequest::get()
                .uri(uri)
                .insert_header(bearer(user))
                .insert_header(("Accept", "text/csv")),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.raw));
    let text = String::from_utf8(res.raw.clone()).unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a UTF-8 byte-order mark");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (
        res.header("content-type").unwrap().to_owned(),
        header,
        rows,
        res.header("link").map(str::to_owned),
    )
}

/// Issue 25: `all=true` streams every card of the list as one CSV document, read in batches of
/// `limit` (here 2, so five cards take three batches): one byte-order mark, one header, every row
/// once, newest first, no `Link`; the filters and the guard's scope still apply.
async fn a_whole_list_streams_as_one_csv_document(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    let mut ids = Vec::new();
    for _ in 0..5 {
        let res = app.post("/api/v1/appeals", &reg, appeal_body()).await;
        assert_eq!(res.status, 201, "{}", res.body);
        ids.push(res.body["id"].to_string());
    }
    ids.reverse();
    let (content_type, header, rows, link) =
        csv_page(&app, &reg, "/api/v1/appeals?all=true&limit=2").await;
    assert_eq!(content_type, "text/csv; charset=utf-8");
    assert_eq!(header[0], "id");
    assert_eq!(link, None);
    let got: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(got, ids);
    // No second header or mark inside the document.
    let whole = app
        .send(
            TestRequest::get()
                .uri("/api/v1/appeals?all=true&limit=2")
                .insert_header(bearer(&reg))
                .insert_header(("Accept", "text/csv")),
        )
        .await;
    let text = String::from_utf8(whole.raw).unwrap();
    assert_eq!(text.matches('\u{feff}').count(), 1);
    assert_eq!(text.matches("registration_number").count(), 1);
    // Filters apply; another subject's export has the header only.
    let (_, _, none, _) = csv_page(&app, &reg, "/api/v1/appeals?all=true&status=closed").await;
    assert!(none.is_empty());
    app.subject("S2", false);
    let stranger = app.user("stranger", "S2", &[Role::Registrar]);
    let (_, header_only, none, _) = csv_page(&app, &stranger, "/api/v1/appeals?all=true").await;
    assert_eq!(header_only, header);
    assert!(none.is_empty());
    // `all` is for CSV: the JSON list refuses it.
    let res = app.get("/api/v1/appeals?all=true", &reg).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/query/all");
}

async fn list_as_csv_has_every_card_and_links_the_next_page(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = setup(&app);
    for i in 0..3 {
        let mut body = appeal_body();
        body["tags"] = json!(["Дороги", format!("тег{i}")]);
        assert_eq!(app.post("/api/v1/appeals", &reg, body).await.status, 201);
    }
    let json_list = app.get("/api/v1/appeals", &reg).await.body;
    let cards = json_list["items"].as_array().unwrap();
    let (content_type, header, rows, link) =
        csv_page(&app, &reg, "/api/v1/appeals?status=registered&limit=2").await;
    assert_eq!(content_type, "text/csv; charset=utf-8");
    assert_eq!(
        &header[..3],
        ["id", "registration_number", "main_appeal_id"]
    );
    assert_eq!(rows.len(), 2);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    // Newest first, like the JSON list, with the same values.
    for (row, card) in rows.iter().zip(cards) {
        assert_eq!(row[column("id")], card["id"].to_string());
        assert_eq!(
            row[column("registration_number")],
            card["registration_number"]
        );
        assert_eq!(row[column("review_due")], card["deadlines"]["review_due"]);
        assert_eq!(row[column("received_at")], card["received_at"]);
        assert_eq!(
            row[column("applicants")],
            card["applicants"][0]["full_name"].as_str().unwrap()
        );
        assert_eq!(row[column("applicant_iin_bins")], "921029350851");
        assert_eq!(row[column("subject_code")], "S1");
    }
    assert_eq!(rows[0][column("tags")], "Дороги; тег2");
    // The next page keeps the filters.
    let link = link.expect("a next page");
    let next = link
        .strip_prefix('<')
        .and_then(|l| l.strip_suffix(">; rel=\"next\""))
        .unwrap();
    assert!(
        next.starts_with("/api/v1/appeals?status=registered&limit=2&cursor="),
        "{next}"
    );
    let (_, _, rest, no_more) = csv_page(&app, &reg, next).await;
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0][column("id")], cards[2]["id"].to_string());
    assert_eq!(no_more, None);
    // Pages of up to 1,000 rows; another subject's export has the header only.
    let res = app
        .send(
            TestRequest::get()
                .uri("/api/v1/appeals?limit=1001")
                .insert_header(bearer(&reg))
                .insert_header(("Accept", "text/csv")),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/query/limit");
    app.subject("S2", false);
    let stranger = app.user("stranger", "S2", &[Role::Registrar]);
    let (_, header_only, none, _) = csv_page(&app, &stranger, "/api/v1/appeals").await;
    assert_eq!(header_only, header);
    assert!(none.is_empty());
}
