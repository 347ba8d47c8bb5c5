#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! Issue 23 point 5 over HTTP on both backends: R38 before a burdensome act, markings put on,
//! taken off and the automatic «ҰЖ» corrected with a reason, tags on their own, an appeal whose
//! essence is not stated, and `fill_modes` that say who filled what.

use actix_web::test::TestRequest;
use appeals_api::auth::Role;
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests, bearer};
use chrono::{Duration, Utc};
use serde_json::{Value, json};

backend_tests!(
    a_burdensome_act_needs_a_timely_hearing_notice_or_a_reason,
    markings_are_put_on_taken_off_and_the_automatic_one_corrected_with_a_reason,
    tags_change_on_their_own,
    an_appeal_without_stated_essence_is_registered_and_terminated_with_the_matching_reason,
    fill_modes_say_whether_a_person_or_a_sending_system_filled_the_card
);

fn body(text: &str, applicants: usize, document_type: &str) -> Value {
    let people: Vec<Value> = (0..applicants)
        .map(|i| json!({"category": "individual", "surname": format!("Ахметов{i}"), "first_name": "Ерлан",
            "address": {"street": "пр. Абая", "house": "10"}}))
        .collect();
    json!({
        "document_type": document_type,
        "tags": ["отопление"],
        "applicants": people,
        "text": text,
        "receipt_form": "electronic",
        "language": "state",
        "received_at": (Utc::now() - Duration::days(20)).to_rfc3339(),
    })
}

async fn register(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let res = app.post("/api/v1/appeals", user, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

async fn in_work(app: &TestApp, registrar: &TestUser, executor: &TestUser, body: Value) -> i64 {
    let id = register(app, registrar, body).await["id"].as_i64().unwrap();
    app.assign(id, registrar, executor).await;
    id
}

fn pointer(res: &Value) -> &str {
    res["errors"][0]["pointer"].as_str().unwrap()
}

async fn a_burdensome_act_needs_a_timely_hearing_notice_or_a_reason(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let ex = app.user("ex", "S1", &[Role::Executor]);
    let id = in_work(
        &app,
        &reg,
        &ex,
        body("Прошу отказать соседу в разрешении.", 1, "application"),
    )
    .await;
    let uri = format!("/api/v1/appeals/{id}/decisions");
    let burdensome = json!({"decision_type": "burdensome_act"});

    let res = app.post(&uri, &ex, burdensome.clone()).await;
    res.assert_problem(422, "validation");
    assert_eq!(pointer(&res.body), "#/hearing");
    let detail = res.body["errors"][0]["detail"].as_str().unwrap();
    assert!(detail.starts_with("R38 (APPK art. 73)"), "{detail}");

    // A notice received today is too late for an act adopted today.
    let today = Utc::now().date_naive().to_string();
    let mut late = burdensome.clone();
    late["hearing"] = json!({"notice_received_on": today});
    let res = app.post(&uri, &ex, late).await;
    res.assert_problem(422, "validation");
    assert_eq!(pointer(&res.body), "#/hearing/notice_received_on");
    let mut both = burdensome.clone();
    both["hearing"] = json!({"notice_received_on": today, "not_held_reason": "x"});
    app.post(&uri, &ex, both)
        .await
        .assert_problem(422, "validation");
    // A hearing belongs to a burdensome act only.
    let res = app
        .post(
            &uri,
            &ex,
            json!({"decision_type": "take_note", "hearing": {"not_held_reason": "x"}}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(pointer(&res.body), "#/hearing");
    let card = app.get(&format!("/api/v1/appeals/{id}"), &ex).await;
    assert_eq!(card.body["status"], "in_work", "refusals change nothing");

    // Two weeks back holds at least three working days in any season.
    let heard = (Utc::now() - Duration::days(14)).date_naive().to_string();
    let mut ok = burdensome.clone();
    ok["hearing"] = json!({"notice_received_on": heard});
    let res = app.post(&uri, &ex, ok).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(
        res.body["decision"]["hearing"],
        json!({"notice": {"received_on": heard}})
    );

    let other = in_work(
        &app,
        &reg,
        &ex,
        body("Прошу лишить соседа разрешения.", 1, "application"),
    )
    .await;
    let res = app
        .post(
            &format!("/api/v1/appeals/{other}/decisions"),
            &ex,
            json!({"decision_type": "burdensome_act",
                   "hearing": {"not_held_reason": "Участник выразил позицию письменно (ст. 73 ч. 2 АППК)."}}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(
        res.body["decision"]["hearing"]["not_held"]["reason"],
        "Участник выразил позицию письменно (ст. 73 ч. 2 АППК)."
    );
}

async fn patch_markings(
    app: &TestApp,
    user: &TestUser,
    id: i64,
    body: Value,
) -> appeals_tests::TestResponse {
    app.send(
        TestRequest::patch()
            .uri(&format!("/api/v1/appeals/{id}/markings"))
            .insert_header(bearer(user))
            .set_json(body),
    )
    .await
}

async fn markings_are_put_on_taken_off_and_the_automatic_one_corrected_with_a_reason(
    backend: TestBackend,
) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let admin = app.national_admin("national");
    // The authorized body configures a marking (the p.6 list is not in the seeds).
    let entry_uri = "/api/v1/dictionaries/markings/entries/marking_1";
    let entry = app.get(entry_uri, &admin).await;
    let etag = entry.header("etag").unwrap().to_owned();
    let res = app
        .send(
            TestRequest::patch()
                .uri(entry_uri)
                .insert_header(bearer(&admin))
                .insert_header(("If-Match", etag))
                .set_json(json!({"active": true})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);

    let card = register(
        &app,
        &reg,
        body(
            "Жители дома просят отремонтировать крышу.",
            2,
            "application",
        ),
    )
    .await;
    let id = card["id"].as_i64().unwrap();
    assert_eq!(card["markings"], json!(["collective"]));

    // Bad input changes nothing.
    let res = patch_markings(&app, &reg, id, json!({"add": ["no_such"]})).await;
    res.assert_problem(422, "validation");
    assert_eq!(pointer(&res.body), "#/add/0");
    let res = patch_markings(&app, &reg, id, json!({"remove": ["collective"]})).await;
    res.assert_problem(422, "validation");
    assert_eq!(pointer(&res.body), "#/reason");
    let res = patch_markings(&app, &reg, id, json!({})).await;
    res.assert_problem(422, "validation");
    let same = app.get(&format!("/api/v1/appeals/{id}"), &reg).await;
    assert_eq!(same.body["version"], 1);

    // A configured marking goes on and off without a reason.
    let res = patch_markings(&app, &reg, id, json!({"add": ["marking_1"]})).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["markings"], json!(["collective", "marking_1"]));
    let listed = app.get("/api/v1/appeals?marking=marking_1", &reg).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);

    // The automatic «ҰЖ» is corrected with a reason; requisite 7 follows.
    let reason = "Заявители — супруги, обращение в интересах одной семьи.";
    let res = patch_markings(
        &app,
        &reg,
        id,
        json!({"remove": ["collective", "marking_1"], "reason": reason}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["markings"], json!([]));
    assert_eq!(
        res.body["marking_corrections"],
        json!({"collective": false})
    );
    let history = app
        .get(&format!("/api/v1/appeals/{id}/history"), &reg)
        .await;
    let last = history.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "markings_changed");
    assert_eq!(
        last["before"]["markings"],
        json!(["collective", "marking_1"])
    );
    assert_eq!(last["before"]["character"], "collective");
    assert_eq!(last["after"]["markings"], json!([]));
    assert_eq!(last["after"]["character"], "individual");
    assert_eq!(last["after"]["reason"], reason);
    let listed = app.get("/api/v1/appeals?marking=collective", &reg).await;
    assert_eq!(listed.body["items"], json!([]));
}

async fn tags_change_on_their_own(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let card = register(&app, &reg, body("Нет отопления в доме.", 1, "application")).await;
    let id = card["id"].as_i64().unwrap();
    let res = app
        .send(
            TestRequest::patch()
                .uri(&format!("/api/v1/appeals/{id}"))
                .insert_header(bearer(&reg))
                .insert_header(("If-Match", "\"1\""))
                .set_json(json!({"tags": ["отопление", " теплоснабжение ", "отопление"]})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["tags"], json!(["отопление", "теплоснабжение"]));
    assert_eq!(res.body["document_type"], "application");
    assert_eq!(res.body["deadlines"], card["deadlines"]);
    let history = app
        .get(&format!("/api/v1/appeals/{id}/history"), &reg)
        .await;
    let last = history.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "tags_changed");
    assert_eq!(last["before"]["tags"], json!(["отопление"]));
    assert_eq!(
        last["after"]["tags"],
        json!(["отопление", "теплоснабжение"])
    );
    let encoded: String = "теплоснабжение"
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect();
    let listed = app
        .get(&format!("/api/v1/appeals?tag={encoded}"), &reg)
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
}

async fn an_appeal_without_stated_essence_is_registered_and_terminated_with_the_matching_reason(
    backend: TestBackend,
) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let ex = app.user("ex", "S1", &[Role::Executor]);
    let card = register(&app, &reg, body("   ", 1, "message")).await;
    assert_eq!(card["essence_stated"], false);
    assert!(card["registration_number"].is_string());
    let id = card["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/appeals/{id}/assignment"),
            &reg,
            json!({"executor_user_id": ex.id}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = app
        .post(
            &format!("/api/v1/appeals/{id}/decisions"),
            &ex,
            json!({"decision_type": "terminate", "termination_reason": "essence_not_stated"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(
        res.body["decision"]["termination_reason"],
        "essence_not_stated"
    );
    assert_eq!(res.body["appeal"]["status"], "decided");
}

async fn fill_modes_say_whether_a_person_or_a_sending_system_filled_the_card(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let system = app.user("eotinish", "S1", &[Role::Integration]);
    let typed = register(&app, &reg, body("Нет отопления.", 1, "application")).await;
    assert_eq!(
        typed["fill_modes"],
        json!({"registration": "integration", "receipt": "manual", "content": "manual"})
    );
    let sent = register(&app, &system, body("Нет горячей воды.", 1, "application")).await;
    assert_eq!(
        sent["fill_modes"],
        json!({"registration": "integration", "receipt": "integration", "content": "integration"})
    );
}
