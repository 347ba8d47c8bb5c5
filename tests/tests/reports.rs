#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! Report 1-ОЛ (Rules p.32, Appendix 5; R44, R50, R51) end to end on both backends: section 5 from
//! held, not-held and refused receptions; cumulative figures across two months; subtree totals;
//! a closed month that stays frozen while a later correction adds a revision; CSV and XLSX
//! downloads read back; the kept counts equal a recount from the cards.

use std::io::Cursor;

use actix_web::test::TestRequest;
use appeals_api::auth::Role;
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests, bearer};
use calamine::{Data, Reader, Xlsx};
use chrono::{Datelike, FixedOffset, Utc};
use serde_json::{Value, json};

backend_tests!(
    section_5_counts_held_not_held_and_refused_receptions,
    figures_are_cumulative_across_months_and_totals_sum_the_subtree,
    a_closed_month_stays_frozen_and_a_later_correction_adds_a_revision,
    csv_and_xlsx_downloads_open_and_say_what_the_json_says,
    the_definition_is_data_versioned_and_audited,
    the_schedule_lists_due_dates_and_overdue_subjects,
);

/// Today in Kazakhstan (UTC+5): the month of the receptions made now.
fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&FixedOffset::east_opt(5 * 3600).unwrap())
        .date_naive()
}

fn appeal(received_at: &str, n: usize) -> Value {
    json!({
        "document_type": "application",
        "applicants": [{"category": "individual", "surname": format!("Заявитель{n}"),
                        "first_name": "Ерлан", "address": {"street": "пр. Абая", "house": "10"}}],
        "text": format!("Обращение номер {n}: прошу рассмотреть вопрос {} по существу.", n * 7919),
        "receipt_form": if n.is_multiple_of(3) { "postal" } else { "electronic" },
        "language": "state",
        "received_at": received_at
    })
}

async fn register(app: &TestApp, registrar: &TestUser, received_at: &str, n: usize) -> i64 {
    let res = app
        .post("/api/v1/appeals", registrar, appeal(received_at, n))
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

/// The row of a section for a subject (its own cards) or its total.
fn row<'a>(report: &'a Value, section: &str, subject: i64, kind: &str) -> &'a Value {
    report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == section)
        .unwrap_or_else(|| panic!("section {section}: {report}"))["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subject_id"] == subject && r["kind"] == kind)
        .unwrap_or_else(|| panic!("{kind} row of {subject} in section {section}"))
}

fn cell(row: &Value, column: &str, figure: &str) -> i64 {
    row["cells"][column][figure].as_i64().unwrap()
}

async fn section_5_counts_held_not_held_and_refused_receptions(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let home = app.subject("HOME", false);
    let secretary = app.user("secretary", "HOME", &[Role::ReceptionSecretary]);
    let head = app.user("head", "HOME", &[Role::Head]);
    let deputy = app.user("deputy", "HOME", &[Role::DeputyHead]);
    let admin = app.user("admin", "HOME", &[Role::Admin]);
    let mut schedules = Vec::new();
    for official in [&head, &deputy] {
        let res = app
            .post(
                "/api/v1/reception-schedules",
                &admin,
                json!({"official_user_id": official.id, "weekdays": [2, 5], "starts": "10:00",
                       "ends": "12:00", "slot_minutes": 30, "place_kato": "751110000",
                       "place_addressee": "Приемная", "valid_from": "2026-01-01"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        schedules.push(res.body["id"].as_i64().unwrap());
    }
    let mut ids = Vec::new();
    for surname in ["Ахметов", "Сейтова", "Ким", "Иванов", "Нурланов"]
    {
        let res = app
            .post(
                "/api/v1/receptions",
                &secretary,
                json!({"person": {"iin": "921029350851", "surname": surname, "first_name": "Ерлан",
                                  "social_status": "employed"}, "kind": "offline"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        ids.push(res.body["id"].as_i64().unwrap());
    }
    let book = |id: i64, schedule: i64, at: &'static str| {
        let app = &app;
        let secretary = &secretary;
        async move {
            let res = app
                .post(
                    &format!("/api/v1/receptions/{id}/booking"),
                    secretary,
                    json!({"schedule_id": schedule, "starts_at": at}),
                )
                .await;
            assert_eq!(res.status, 200, "{}", res.body);
        }
    };
    let day = today().to_string();
    // 1: the head receives, satisfied; 2: the deputy, explained; 3: booked with the head, not
    // held; 4: refused; 5: still waits.
    book(ids[0], schedules[0], "2027-01-15T10:00:00").await;
    book(ids[1], schedules[1], "2027-01-15T10:00:00").await;
    book(ids[2], schedules[0], "2027-01-15T10:30:00").await;
    for (id, official, result) in [(ids[0], &head, "satisfied"), (ids[1], &deputy, "explained")] {
        let res = app
            .post(
                &format!("/api/v1/receptions/{id}/outcome"),
                official,
                json!({"held": true, "held_by_user_id": official.id, "secretary": "Петрова А.С.",
                       "present": "заявитель", "result": result, "date": day}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    let res = app
        .post(
            &format!("/api/v1/receptions/{}/outcome", ids[2]),
            &head,
            json!({"held": false, "not_held_reason": "Заявитель не явился"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = app
        .post(
            &format!("/api/v1/receptions/{}/refusal", ids[3]),
            &secretary,
            json!({"reason": "Вопрос не относится к компетенции"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);

    let t = today();
    let res = app
        .get(
            &format!("/api/v1/reports/1-ol?year={}&month={}", t.year(), t.month()),
            &head,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["provisional"], true);
    let s5 = res.body["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "5")
        .unwrap();
    assert_eq!(s5["basis"], "law");
    assert_eq!(s5["columns"].as_array().unwrap().len(), 12);
    let r = row(&res.body, "5", home, "subject");
    assert_eq!(r["row_code"], "HOME");
    let expected = [
        ("3", 0),
        ("4", 5),
        ("5", 2),
        ("6", 1),
        ("7", 3),
        ("8", 1),
        ("9", 1),
        ("10", 0),
        ("11", 1),
        ("12", 2),
    ];
    for (column, value) in expected {
        assert_eq!(cell(r, column, "month"), value, "column {column}: {r}");
        assert_eq!(cell(r, column, "cumulative"), value, "column {column}: {r}");
    }
    // R51: end = start + received − completed, for every row and both figures.
    for section_row in s5["rows"].as_array().unwrap() {
        for figure in ["month", "cumulative"] {
            let v = |c: &str| cell(section_row, c, figure);
            assert_eq!(
                v("12"),
                v("3") + v("4") - v("8") - v("9") - v("10") - v("11")
            );
        }
    }
    // The kept counts equal a recount from the cards.
    let mut conn = app.conn();
    assert_eq!(
        appeals_service::reports::verify(&mut conn).unwrap(),
        Vec::new()
    );
}

async fn figures_are_cumulative_across_months_and_totals_sum_the_subtree(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let root = app.subject("ROOT", false);
    let a = app.subject_under("A", root);
    let b = app.subject_under("B", root);
    app.subject("KPSISU", true);
    app.allow_entering_past_acts().await;
    let reg_a = app.user("reg-a", "A", &[Role::Registrar]);
    let reg_b = app.user("reg-b", "B", &[Role::Registrar]);
    let exec_a = app.user("exec-a", "A", &[Role::Executor]);
    let head = app.user("head", "ROOT", &[Role::Head]);
    let analyst = app.user("analyst", "KPSISU", &[Role::Analyst]);
    // A: two in February, one in March; B: three in March.
    let mut a_cards = Vec::new();
    for n in 0..2 {
        a_cards.push(register(&app, &reg_a, "2026-02-10T04:00:00Z", n).await);
    }
    a_cards.push(register(&app, &reg_a, "2026-03-10T04:00:00Z", 2).await);
    for n in 3..6 {
        register(&app, &reg_b, "2026-03-11T04:00:00Z", n).await;
    }
    // A p.15 document (not accountable) never counts as an appeal.
    let mut p15 = appeal("2026-03-12T04:00:00Z", 9);
    p15["document_type"] = json!("message");
    p15["non_accountable_category"] = json!("advertising_proposals");
    let res = app.post("/api/v1/appeals", &reg_a, p15).await;
    assert_eq!(res.status, 201, "{}", res.body);
    // One February card of A decided in March, on time.
    let res = app
        .post(
            &format!("/api/v1/appeals/{}/assignment", a_cards[0]),
            &reg_a,
            json!({"executor_user_id": exec_a.id}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = app
        .post(
            &format!("/api/v1/appeals/{}/decisions", a_cards[0]),
            &exec_a,
            json!({"decision_type": "provide_answer", "answer_character": "explained",
                   "answer_text": "Разъяснено.", "decided_at": "2026-03-02T06:00:00Z"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);

    let march = app
        .get("/api/v1/reports/1-ol?year=2026&month=3", &head)
        .await;
    assert_eq!(march.status, 200, "{}", march.body);
    assert_eq!(march.body["due"], "2026-04-10");
    let (ra, rb) = (
        row(&march.body, "1", a, "subject"),
        row(&march.body, "1", b, "subject"),
    );
    assert_eq!(
        (cell(ra, "3", "month"), cell(ra, "3", "cumulative")),
        (1, 3)
    );
    assert_eq!(
        (cell(rb, "3", "month"), cell(rb, "3", "cumulative")),
        (3, 3)
    );
    // The p.15 document is in section 4 only.
    assert_eq!(cell(row(&march.body, "4", a, "subject"), "5", "month"), 1);
    // Sections 2–3: the decision in March, on time.
    assert_eq!(cell(row(&march.body, "2", a, "subject"), "3", "month"), 1);
    assert_eq!(cell(row(&march.body, "3", a, "subject"), "3", "month"), 1);
    // The total of ROOT is the sum of its subtree's rows, in every column.
    let sections = march.body["sections"].as_array().unwrap();
    for section in sections {
        let rows = section["rows"].as_array().unwrap();
        let total = rows
            .iter()
            .find(|r| r["kind"] == "total" && r["subject_id"] == root)
            .unwrap();
        for (column, figures) in total["cells"].as_object().unwrap() {
            for figure in ["month", "cumulative"] {
                let sum: i64 = rows
                    .iter()
                    .filter(|r| r["kind"] == "subject")
                    .map(|r| cell(r, column, figure))
                    .sum();
                assert_eq!(
                    figures[figure], sum,
                    "section {} column {column}",
                    section["code"]
                );
            }
        }
    }
    let february = app
        .get("/api/v1/reports/1-ol?year=2026&month=2", &head)
        .await;
    let ra = row(&february.body, "1", a, "subject");
    assert_eq!(
        (cell(ra, "3", "month"), cell(ra, "3", "cumulative")),
        (2, 2)
    );
    assert_eq!(february.body["provisional"], false);
    // A's registrar sees A only, and may not ask for B; the authorized body's analyst sees all,
    // with a grand total.
    let own = app
        .get("/api/v1/reports/1-ol?year=2026&month=3", &reg_a)
        .await;
    assert_eq!(own.body["sections"][0]["rows"].as_array().unwrap().len(), 1);
    app.get(
        &format!("/api/v1/reports/1-ol?year=2026&month=3&subject_id={b}"),
        &reg_a,
    )
    .await
    .assert_problem(403, "forbidden");
    let all = app
        .get("/api/v1/reports/1-ol?year=2026&month=3", &analyst)
        .await;
    let grand = &all.body["sections"][0]["rows"][0];
    assert_eq!(grand["kind"], "grand_total");
    assert_eq!(cell(grand, "3", "cumulative"), 6);
    // A period that is not one: 422 at its pointer.
    let bad = app
        .get("/api/v1/reports/1-ol?year=2026&month=13", &head)
        .await;
    bad.assert_problem(422, "validation");
}

async fn a_closed_month_stays_frozen_and_a_later_correction_adds_a_revision(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.allow_entering_past_acts().await;
    let home = app.subject("HOME", false);
    let registrar = app.user("reg", "HOME", &[Role::Registrar]);
    let executor = app.user("ex", "HOME", &[Role::Executor]);
    let admin = app.user("admin", "HOME", &[Role::Admin]);
    let first = register(&app, &registrar, "2026-02-03T04:00:00Z", 0).await;
    register(&app, &registrar, "2026-02-04T04:00:00Z", 1).await;
    let closed = app
        .post("/api/v1/reports/1-ol/2026/2/close", &admin, json!({}))
        .await;
    assert_eq!(closed.status, 201, "{}", closed.body);
    assert_eq!(closed.body["revision"], 1);
    assert_eq!(closed.body["closed_by"], admin.id);
    assert_eq!(
        cell(row(&closed.body, "1", home, "subject"), "3", "month"),
        2
    );
    let hash = closed.body["content_hash"].clone();
    // Closing twice is idempotent; a month that has not ended cannot be closed.
    let again = app
        .post("/api/v1/reports/1-ol/2026/2/close", &admin, json!({}))
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["id"], closed.body["id"]);
    let t = today();
    app.post(
        &format!("/api/v1/reports/1-ol/{}/{}/close", t.year(), t.month()),
        &admin,
        json!({}),
    )
    .await
    .assert_problem(409, "conflict");
    // A later correction in February: a decision signed on 20 February.
    let res = app
        .post(
            &format!("/api/v1/appeals/{first}/assignment"),
            &registrar,
            json!({"executor_user_id": executor.id}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = app
        .post(
            &format!("/api/v1/appeals/{first}/decisions"),
            &executor,
            json!({"decision_type": "take_note", "decided_at": "2026-02-20T06:00:00Z"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let revisions = app
        .get("/api/v1/reports/1-ol/2026/2/revisions", &admin)
        .await;
    assert_eq!(revisions.status, 200, "{}", revisions.body);
    let items = revisions.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", revisions.body);
    // Revision 1 is what was closed, unchanged; revision 2 says what moved.
    assert_eq!(items[0]["content_hash"], hash);
    assert_eq!(items[0]["sections"], closed.body["sections"]);
    assert_eq!(items[1]["revision"], 2);
    assert_ne!(items[1]["content_hash"], hash);
    let changes = items[1]["changes"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c["section"] == "2"
            && c["column"] == "3"
            && c["figure"] == "month"
            && c["before"] == 0
            && c["after"] == 1),
        "{changes:?}"
    );
    assert_eq!(cell(row(&items[1], "2", home, "subject"), "3", "month"), 1);
    // Reading again adds nothing; an unrelated month is not closed (404).
    let again = app
        .get("/api/v1/reports/1-ol/2026/2/revisions", &admin)
        .await;
    assert_eq!(again.body["items"].as_array().unwrap().len(), 2);
    app.get("/api/v1/reports/1-ol/2026/3/revisions", &admin)
        .await
        .assert_problem(404, "not-found");
}

async fn download(app: &TestApp, user: &TestUser, accept: &str) -> appeals_tests::TestResponse {
    app.send(
        TestRequest::get()
            .uri("/api/v1/reports/1-ol?year=2026&month=3")
            .insert_header(bearer(user))
            .insert_header(("Accept", accept)),
    )
    .await
}

async fn csv_and_xlsx_downloads_open_and_say_what_the_json_says(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let home = app.subject("HOME", false);
    let registrar = app.user("reg", "HOME", &[Role::Registrar]);
    for n in 0..3 {
        register(&app, &registrar, "2026-03-10T04:00:00Z", n).await;
    }
    let json = app
        .get("/api/v1/reports/1-ol?year=2026&month=3", &registrar)
        .await;
    assert_eq!(
        cell(row(&json.body, "1", home, "subject"), "3", "cumulative"),
        3
    );

    let csv = download(&app, &registrar, "text/csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let text = String::from_utf8(csv.raw.clone()).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[9], "month_value");
    let received = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[2] == "1" && &r[3] == "subject" && &r[7] == "3")
        .unwrap();
    assert_eq!(&received[5], "HOME");
    assert_eq!(&received[10], "3");

    let xlsx = download(
        &app,
        &registrar,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    .await;
    assert_eq!(xlsx.status, 200);
    assert!(
        xlsx.header("content-disposition")
            .unwrap()
            .contains("1-OL-2026-03.xlsx")
    );
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx.raw.clone())).unwrap();
    let names = book.sheet_names();
    assert!(names.contains(&"Раздел 5".to_owned()), "{names:?}");
    assert!(names.contains(&"Раздел 1 (месяц)".to_owned()), "{names:?}");
    let s5 = book.worksheet_range("Раздел 5").unwrap();
    let text_at = |range: &calamine::Range<Data>, r: u32, c: u32| match range.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        other => format!("{other:?}"),
    };
    assert!(text_at(&s5, 0, 0).contains("1-ОЛ"));
    // Rows 4–5: a group header above its columns' labels (Russian, then Kazakh), a column without
    // a group merged over both; row 6: the column numbers 1–12; data below.
    assert!(text_at(&s5, 3, 3).starts_with("Всего поступило заявлений на личный прием\n"));
    assert!(text_at(&s5, 3, 6).starts_with("Решение по личному приему"));
    assert!(text_at(&s5, 4, 6).starts_with("Записано на личный прием"));
    assert_eq!(text_at(&s5, 5, 11), "12");
    assert_eq!(text_at(&s5, 6, 1), "HOME");
    let s1 = book.worksheet_range("Раздел 1").unwrap();
    assert_eq!(s1.get_value((6, 2)), Some(&Data::Float(3.0)));
}

async fn the_definition_is_data_versioned_and_audited(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let home = app.subject("HOME", false);
    let registrar = app.user("reg", "HOME", &[Role::Registrar]);
    let national = app.national_admin("kpsisu-admin");
    let local_admin = app.user("admin", "HOME", &[Role::Admin]);
    // Received electronically.
    register(&app, &registrar, "2026-03-10T04:00:00Z", 1).await;
    let current = app.get("/api/v1/reports/1-ol/definition", &registrar).await;
    assert_eq!(current.status, 200, "{}", current.body);
    assert_eq!(current.body["version"], 1);
    assert_eq!(current.body["reason"], "shipped default");
    // The authorized body makes section 1 column 3 count postal appeals only.
    let mut definition = current.body["definition"].clone();
    definition["sections"][0]["columns"][2]["value"]["terms"][0]["where"] =
        json!({"form": ["postal"]});
    let body = json!({"definition": definition, "reason": "Только почтовые"});
    let put = |user: &TestUser, body: Value| {
        app.send(
            TestRequest::put()
                .uri("/api/v1/reports/1-ol/definition")
                .insert_header(bearer(user))
                .set_json(body),
        )
    };
    put(&local_admin, body.clone())
        .await
        .assert_problem(403, "forbidden");
    let changed = put(&national, body.clone()).await;
    assert_eq!(changed.status, 201, "{}", changed.body);
    assert_eq!(changed.body["version"], 2);
    assert_eq!(put(&national, body).await.status, 200);
    let report = app
        .get("/api/v1/reports/1-ol?year=2026&month=3", &registrar)
        .await;
    assert_eq!(report.body["definition_version"], 2);
    assert_eq!(
        cell(row(&report.body, "1", home, "subject"), "3", "month"),
        0
    );
    // A filter on a dimension the measure does not carry: 422 at its pointer, nothing stored.
    let mut bad = definition.clone();
    bad["sections"][0]["columns"][2]["value"]["terms"][0]["where"] = json!({"colour": ["red"]});
    let refused = put(&national, json!({"definition": bad, "reason": "x"})).await;
    refused.assert_problem(422, "validation");
    assert_eq!(
        refused.body["errors"][0]["pointer"],
        "#/definition/sections/0/columns/2/value/terms/0/where/colour"
    );
    let versions = app
        .get("/api/v1/reports/1-ol/definition/versions", &registrar)
        .await;
    assert_eq!(versions.body["items"].as_array().unwrap().len(), 2);
    let mut conn = app.conn();
    let audit =
        appeals_db::repo::configuration::admin_events_on(&mut conn, "report_definition").unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor_user_id, Some(national.id));
}

async fn the_schedule_lists_due_dates_and_overdue_subjects(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let home = app.subject("HOME", false);
    let admin = app.user("admin", "HOME", &[Role::Admin]);
    let res = app
        .post("/api/v1/reports/1-ol/2026/1/close", &admin, json!({}))
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let schedule = app
        .get("/api/v1/reports/1-ol/schedule?year=2026", &admin)
        .await;
    assert_eq!(schedule.status, 200, "{}", schedule.body);
    let months = schedule.body["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    // R50 (DOMAIN.md): April 2026 is due 12 May 2026; February, Tuesday 10 March.
    assert_eq!(months[3]["due"], "2026-05-12");
    assert_eq!(months[1]["due"], "2026-03-10");
    let of_home = |m: &Value| -> Value {
        m["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["subject_id"] == home)
            .unwrap()
            .clone()
    };
    // January was closed (late: after 10 February), February is overdue.
    assert_eq!(of_home(&months[0])["closed_late"], true);
    assert_eq!(of_home(&months[0])["overdue"], false);
    assert_eq!(of_home(&months[1])["overdue"], true);
    assert_eq!(of_home(&months[1])["closed_at"], Value::Null);
}
