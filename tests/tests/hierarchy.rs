#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a failed unwrap is a failed test
//! Issue 21: hierarchical routing and signing authority (the prosecutors' Instruction as the
//! default profile), end to end on both backends — hierarchy levels, p.23 routing (a repeat kept
//! at the higher level because the lower answer exists, a resonant appeal that cannot be sent
//! down), anonymous appeals (R15), the call-centre channel (p.18), cassation petitions (p.23(3)),
//! signing authority (p.54), the quarterly analysis (p.56) and responsibility (ch. 7).

use appeals_api::auth::Role;
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests};
use serde_json::{Value, json};

backend_tests!(
    a_repeat_appeal_stays_at_the_higher_level_when_the_lower_answer_exists,
    a_resonant_appeal_cannot_be_sent_down_and_a_primary_one_goes_to_the_lower_body_by_territory,
    an_anonymous_crime_report_is_flagged_until_forwarded_the_same_day,
    an_anonymous_appeal_says_why_and_the_reading_is_a_setting,
    an_art_63_correction_that_supplies_the_missing_address_ends_anonymity,
    a_call_centre_appeal_is_registered_at_once_and_handed_to_the_appeals_unit,
    a_cassation_petition_is_returned_with_the_explanation_of_rights,
    a_refusal_signed_by_a_deputy_where_the_head_must_sign_is_refused_with_the_rule,
    the_quarterly_analysis_counts_each_unit_and_is_due_on_the_fifth,
    every_change_of_a_card_records_who_made_it,
);

const KATO_ALMATY: &str = "750000000";
const KATO_ALMALY: &str = "751110000";

/// The head office (S1), one of its structural units, a regional office (Almaty) and a district
/// office below it (Almaly), with their staff.
struct World {
    app: TestApp,
    national: TestUser,
    gp: i64,
    unit: i64,
    region: i64,
    district: i64,
    other: i64,
    gp_reg: TestUser,
    gp_exec: TestUser,
    gp_head: TestUser,
    reg_reg: TestUser,
    reg_exec: TestUser,
    reg_head: TestUser,
    reg_deputy: TestUser,
    dist_reg: TestUser,
    dist_exec: TestUser,
}

async fn patch_subject(app: &TestApp, national: &TestUser, id: i64, body: Value) {
    let res = app
        .patch(&format!("/api/v1/subjects/{id}"), national, body)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

async fn new_subject(app: &TestApp, national: &TestUser, body: Value) -> i64 {
    let res = app.post("/api/v1/subjects", national, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.body["id"].as_i64().unwrap();
    // Test subjects do not require EDS signatures (as the fixtures of every other test).
    patch_subject(app, national, id, json!({"signature_required": false})).await;
    id
}

async fn world(backend: TestBackend) -> World {
    let app = TestApp::new(backend).await;
    // `appeals kato import`: the classifier the KATO codes are checked against.
    {
        let objects =
            appeals_api::kato_import::parse(appeals_api::kato_import::SAMPLE.as_bytes()).unwrap();
        appeals_service::kato::import(&mut app.conn(), objects, chrono::Utc::now().naive_utc())
            .unwrap();
    }
    let national = app.national_admin("national");
    let gp = app.subject_id;
    patch_subject(
        &app,
        &national,
        gp,
        json!({"hierarchy_level": "head_office"}),
    )
    .await;
    let unit = new_subject(
        &app,
        &national,
        json!({"code": "GP-DEPT", "name_ru": "Департамент по надзору за рассмотрением обращений",
               "parent_id": gp, "hierarchy_level": "structural_unit"}),
    )
    .await;
    let region = new_subject(
        &app,
        &national,
        json!({"code": "PR-ALA", "name_ru": "Прокуратура г. Алматы", "parent_id": gp,
               "kato_code": KATO_ALMATY, "hierarchy_level": "regional_office"}),
    )
    .await;
    let district = new_subject(
        &app,
        &national,
        json!({"code": "PR-ALMALY", "name_ru": "Прокуратура Алмалинского района",
               "parent_id": region, "kato_code": KATO_ALMALY, "hierarchy_level": "district_office"}),
    )
    .await;
    let other = app.subject("MVD", false);
    World {
        gp_reg: app.user("gp-reg", "S1", &[Role::Registrar]),
        gp_exec: app.user("gp-exec", "S1", &[Role::Executor]),
        gp_head: app.user("gp-head", "S1", &[Role::Head]),
        reg_reg: app.user("reg-reg", "PR-ALA", &[Role::Registrar]),
        reg_exec: app.user("reg-exec", "PR-ALA", &[Role::Executor]),
        reg_head: app.user("reg-head", "PR-ALA", &[Role::Head]),
        reg_deputy: app.user("reg-deputy", "PR-ALA", &[Role::DeputyHead]),
        dist_reg: app.user("dist-reg", "PR-ALMALY", &[Role::Registrar]),
        dist_exec: app.user("dist-exec", "PR-ALMALY", &[Role::Executor]),
        app,
        national,
        gp,
        unit,
        region,
        district,
        other,
    }
}

fn appeal(iin: &str, surname: &str, text: &str) -> Value {
    json!({
        "document_type": "application",
        "tags": ["прокуратура"],
        "applicants": [{"category": "individual", "iin_bin": iin, "surname": surname,
            "first_name": "Ерлан",
            "address": {"settlement_kato": KATO_ALMALY, "street": "пр. Абая", "house": "10"}}],
        "text": text,
        "receipt_form": "electronic",
        "language": "state",
        "received_at": "2026-03-05T04:15:00Z",
        "postal_address": {"settlement_kato": KATO_ALMALY, "street": "пр. Абая", "house": "10"}
    })
}

async fn register(app: &TestApp, by: &TestUser, body: Value) -> Value {
    let res = app.post("/api/v1/appeals", by, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

/// Registers `body` at `registrar`'s subject and routes it to `executor` (`in_work`).
async fn in_work(app: &TestApp, registrar: &TestUser, executor: &TestUser, body: Value) -> i64 {
    let id = register(app, registrar, body).await["id"].as_i64().unwrap();
    app.assign(id, registrar, executor).await;
    id
}

async fn card(app: &TestApp, id: i64, by: &TestUser) -> (Value, String) {
    let res = app.get(&format!("/api/v1/appeals/{id}"), by).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let etag = res.header("etag").unwrap().to_owned();
    (res.body, etag)
}

async fn state_facts(app: &TestApp, id: i64, by: &TestUser, facts: Value) -> Value {
    let (_, etag) = card(app, id, by).await;
    let res = app
        .send(
            actix_web::test::TestRequest::put()
                .uri(&format!("/api/v1/appeals/{id}/routing-facts"))
                .insert_header(appeals_tests::bearer(by))
                .insert_header(("If-Match", etag))
                .set_json(facts),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.body
}

async fn routing(app: &TestApp, id: i64, by: &TestUser) -> Value {
    let res = app.get(&format!("/api/v1/appeals/{id}/routing"), by).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.body
}

async fn forward(app: &TestApp, id: i64, by: &TestUser, to: i64) -> appeals_tests::TestResponse {
    app.post(
        &format!("/api/v1/appeals/{id}/forwardings"),
        by,
        json!({"to_subject_id": to, "scope": "full", "reason": "По территориальности"}),
    )
    .await
}

async fn decide(app: &TestApp, id: i64, by: &TestUser, body: Value) -> appeals_tests::TestResponse {
    app.post(&format!("/api/v1/appeals/{id}/decisions"), by, body)
        .await
}

async fn history(app: &TestApp, id: i64, by: &TestUser) -> Vec<Value> {
    let res = app.get(&format!("/api/v1/appeals/{id}/history"), by).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.body.as_array().unwrap().clone()
}

async fn a_repeat_appeal_stays_at_the_higher_level_when_the_lower_answer_exists(
    backend: TestBackend,
) {
    let w = world(backend).await;
    let app = &w.app;
    let text = "Прошу проверить законность бездействия полиции по моему заявлению о краже \
                имущества из квартиры по адресу пр. Абая, 10, поданному в январе 2026 года.";
    // The regional office answered the applicant (explained; its deputy may sign, p.54(6)).
    let first_id = in_work(
        app,
        &w.reg_reg,
        &w.reg_exec,
        appeal("921029350851", "Ахметов", text),
    )
    .await;
    let res = decide(
        app,
        first_id,
        &w.reg_exec,
        json!({"decision_type": "provide_answer", "answer_character": "explained",
               "answer_text": "Разъяснено.", "signed_by": {"user_id": w.reg_deputy.id}}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["decision"]["signed_by"]["rule"], "p.54(6)");

    // The same person writes to the head office on the same question, without the answer.
    let repeat = register(app, &w.gp_reg, appeal("921029350851", "Ахметов", text)).await;
    let id = repeat["id"].as_i64().unwrap();
    let view = routing(app, id, &w.gp_reg).await;
    assert_eq!(view["repeat"], true, "{view}");
    assert_eq!(view["repeat_of"], json!([first_id]), "{view}");
    assert_eq!(view["lower_answer"]["appeal_id"], first_id, "{view}");
    assert_eq!(view["verdict"], "keep", "{view}");
    assert_eq!(view["rule"], "p.23(2) part 3 of the Instruction");
    assert_eq!(view["holder"]["hierarchy_level"], "head_office");

    // Sending it down is refused with the rule named; nothing changes.
    let before = history(app, id, &w.gp_reg).await.len();
    let res = forward(app, id, &w.gp_reg, w.region).await;
    res.assert_problem(409, "routing-refused");
    assert!(
        res.body["detail"]
            .as_str()
            .unwrap()
            .contains("p.23(2) part 3"),
        "{}",
        res.body
    );
    assert_eq!(history(app, id, &w.gp_reg).await.len(), before);

    // A repeat without any lower answer goes down with the report-back requirement.
    let unanswered = register(
        app,
        &w.reg_reg,
        appeal(
            "900101300811",
            "Серikова",
            "Жалоба на отказ в выдаче справки о несудимости в ЦОН Алмалинского района.",
        ),
    )
    .await;
    let again = register(
        app,
        &w.gp_reg,
        appeal(
            "900101300811",
            "Серikова",
            "Повторно прошу рассмотреть мою жалобу на отказ в выдаче справки.",
        ),
    )
    .await;
    let again_id = again["id"].as_i64().unwrap();
    state_facts(
        app,
        again_id,
        &w.gp_reg,
        json!({"earlier_registration_number": unanswered["registration_number"]}),
    )
    .await;
    let view = routing(app, again_id, &w.gp_reg).await;
    assert_eq!(view["verdict"], "send_down", "{view}");
    assert_eq!(view["report_back_required"], true);
    assert_eq!(view["rule"], "p.23(2) of the Instruction");
    let res = forward(app, again_id, &w.gp_reg, w.region).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let events = history(app, again_id, &w.reg_reg).await;
    let forwarded = events.iter().find(|e| e["action"] == "forwarded").unwrap();
    assert_eq!(forwarded["after"]["routing"]["report_back_required"], true);
    assert!(
        forwarded["after"]["routing"]["notification"]
            .as_str()
            .unwrap()
            .contains(again["registration_number"].as_str().unwrap()),
        "{forwarded}"
    );
    // At the regional office the report back makes the answer the head's (p.54(5)).
    let signers = app
        .get(
            &format!("/api/v1/appeals/{again_id}/signers?result=satisfied"),
            &w.reg_reg,
        )
        .await;
    assert_eq!(signers.status, 200, "{}", signers.body);
    assert_eq!(
        signers.body["results"][0]["positions"],
        json!(["head"]),
        "{}",
        signers.body
    );
}

async fn a_resonant_appeal_cannot_be_sent_down_and_a_primary_one_goes_to_the_lower_body_by_territory(
    backend: TestBackend,
) {
    let w = world(backend).await;
    let app = &w.app;
    // A primary appeal: the lower body by territory is the district office (its KATO is the
    // longest prefix of the appeal's).
    let primary = register(
        app,
        &w.gp_reg,
        appeal(
            "921029350851",
            "Ахметов",
            "Прошу проверить законность штрафа.",
        ),
    )
    .await;
    let id = primary["id"].as_i64().unwrap();
    let view = routing(app, id, &w.gp_reg).await;
    assert_eq!(view["repeat"], false);
    assert_eq!(view["verdict"], "send_down", "{view}");
    assert_eq!(view["rule"], "p.23(1) of the Instruction");
    assert_eq!(view["lower_body"]["id"], w.district, "{view}");
    // Received 2026-03-05: due to leave by 2026-03-10 (3 working days), long past.
    assert_eq!(view["send_down_by"], "2026-03-10");
    assert_eq!(view["overdue"], true, "overdue routing is flagged");
    let res = forward(app, id, &w.gp_reg, w.district).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let events = history(app, id, &w.dist_reg).await;
    let forwarded = events.iter().find(|e| e["action"] == "forwarded").unwrap();
    assert_eq!(
        forwarded["after"]["routing"]["rule"],
        "p.23(1) of the Instruction"
    );
    assert!(
        forwarded["after"]["routing"]["notification"]
            .as_str()
            .unwrap()
            .contains("Прокуратура Алмалинского района"),
        "{forwarded}"
    );
    // Sent down, it is no longer overdue.
    assert_eq!(routing(app, id, &w.dist_reg).await["overdue"], false);

    // A resonant primary appeal stays: not to the regional office, not to the district.
    let resonant = register(
        app,
        &w.gp_reg,
        appeal(
            "850520400119",
            "Оспанов",
            "Массовое нарушение прав жильцов при сносе домов в микрорайоне.",
        ),
    )
    .await;
    let rid = resonant["id"].as_i64().unwrap();
    let stated = state_facts(app, rid, &w.gp_reg, json!({"public_resonance": true})).await;
    assert_eq!(stated["version"], 2);
    let view = routing(app, rid, &w.gp_reg).await;
    assert_eq!(view["verdict"], "keep");
    assert_eq!(view["facts"]["public_resonance"], true);
    for to in [w.region, w.district] {
        let res = forward(app, rid, &w.gp_reg, to).await;
        res.assert_problem(409, "routing-refused");
        assert!(
            res.body["detail"].as_str().unwrap().contains("p.23 part 5"),
            "{}",
            res.body
        );
    }
    // …but goes to the head office's structural unit (internal distribution, p.23 part 5).
    let res = forward(app, rid, &w.gp_reg, w.unit).await;
    assert_eq!(res.status, 201, "{}", res.body);
    // A forwarding by competence to another body outside the hierarchy is not routing.
    let other = register(
        app,
        &w.gp_reg,
        appeal(
            "921029350851",
            "Ахметов",
            "Прошу выдать справку о регистрации транспорта.",
        ),
    )
    .await;
    let oid = other["id"].as_i64().unwrap();
    state_facts(app, oid, &w.gp_reg, json!({"head_instruction": true})).await;
    let res = forward(app, oid, &w.gp_reg, w.other).await;
    assert_eq!(res.status, 201, "{}", res.body);
    // The facts are checked: an unknown complaint subject is 422 at its pointer.
    let res = app
        .send(
            actix_web::test::TestRequest::put()
                .uri(&format!("/api/v1/appeals/{id}/routing-facts"))
                .insert_header(appeals_tests::bearer(&w.dist_reg))
                .insert_header(("If-Match", "\"1\""))
                .set_json(json!({"complaint_about": "neighbour"})),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/complaint_about");
}

async fn an_anonymous_crime_report_is_flagged_until_forwarded_the_same_day(backend: TestBackend) {
    let w = world(backend).await;
    let app = &w.app;
    let body = json!({
        "document_type": "message",
        "applicants": [],
        "signed": false,
        "text": "Сообщаю, что в гаражах по ул. Толе би готовится поджог.",
        "receipt_form": "electronic",
        "language": "state",
        "received_at": "2026-03-05T04:15:00Z",
        "reports_crime_or_threat": true
    });
    let report = register(app, &w.gp_reg, body).await;
    let id = report["id"].as_i64().unwrap();
    assert_eq!(report["anonymity"]["handling"], "redirect_immediately");
    assert_eq!(report["anonymity"]["awaiting_redirect"], true);
    assert_eq!(
        report["anonymity"]["redirect_due"], report["registration_date"],
        "immediately: the same working day"
    );
    assert!(
        report["anonymity"]["explanation"]
            .as_str()
            .unwrap()
            .contains("immediately"),
        "{report}"
    );
    let listed = |page: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"].as_i64() == Some(id))
    };
    let page = app
        .get(
            "/api/v1/worklists/anonymous_redirect?scope=subject",
            &w.gp_reg,
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(listed(&page.body), "{}", page.body);
    // No answer on the merits here: it must be forwarded.
    app.assign(id, &w.gp_reg, &w.gp_exec).await;
    let res = decide(
        app,
        id,
        &w.gp_exec,
        json!({"decision_type": "provide_answer", "answer_character": "explained"}),
    )
    .await;
    res.assert_problem(409, "anonymous-not-considered");
    assert!(res.body["detail"].as_str().unwrap().contains("R15"));
    // Forwarded to the competent body: off the list.
    let res = forward(app, id, &w.gp_exec, w.other).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let page = app
        .get(
            "/api/v1/worklists/anonymous_redirect?scope=subject",
            &w.gp_reg,
        )
        .await;
    assert!(!listed(&page.body), "{}", page.body);
    let (moved, _) = card(app, id, &w.gp_reg).await;
    assert_eq!(moved["anonymity"]["awaiting_redirect"], false, "{moved}");
}

async fn an_anonymous_appeal_says_why_and_the_reading_is_a_setting(backend: TestBackend) {
    let w = world(backend).await;
    let app = &w.app;
    // The README's first example: a name, no address.
    let readme = json!({"document_type": "application",
        "applicants": [{"category": "individual", "surname": "Ахметов", "first_name": "Ерлан"}],
        "text": "Прошу восстановить отопление.", "receipt_form": "electronic", "language": "state",
        "received_at": "2026-03-05T04:15:00Z"});
    // As the README now shows it, with the postal address: considered, nothing to explain.
    let mut with_address = readme.clone();
    with_address["postal_address"] = json!({"street": "пр. Абая", "house": "10"});
    let shown = register(app, &w.gp_reg, with_address).await;
    assert_eq!(shown["anonymity"]["handling"], "consider", "{shown}");
    assert_eq!(shown["anonymity"]["explanation"], Value::Null);
    let first = register(app, &w.gp_reg, readme.clone()).await;
    assert_eq!(first["anonymity"]["anonymous"], true);
    assert_eq!(first["anonymity"]["handling"], "not_considered");
    let why = first["anonymity"]["explanation"].as_str().unwrap();
    assert!(why.contains("no postal address"), "{why}");
    assert!(why.contains("any_element_missing"), "{why}");
    // Not considered on the merits: an answer is refused, a termination for anonymity is not.
    let id = first["id"].as_i64().unwrap();
    app.assign(id, &w.gp_reg, &w.gp_exec).await;
    decide(
        app,
        id,
        &w.gp_exec,
        json!({"decision_type": "provide_answer", "answer_character": "satisfied"}),
    )
    .await
    .assert_problem(409, "anonymous-not-considered");
    let res = decide(
        app,
        id,
        &w.gp_exec,
        json!({"decision_type": "terminate", "termination_reason": "other_legal_grounds",
               "signed_by": {"user_id": w.gp_head.id}}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    // The authorized body reads «и (или)» as authorship only: the same appeal is considered.
    let res = app
        .put(
            "/api/v1/conventions",
            &w.national,
            json!({"conventions": {"hierarchy": {"anonymity_reading": "authorship_only"}},
                   "reason": "Разъяснение уполномоченного органа о п. 2(1)"}),
        )
        .await;
    assert!(res.status == 200 || res.status == 201, "{}", res.body);
    let second = register(app, &w.gp_reg, readme).await;
    assert_eq!(second["anonymity"]["anonymous"], false, "{second}");
    assert_eq!(second["anonymity"]["handling"], "consider");
    assert_eq!(second["anonymity"]["explanation"], Value::Null);
    // The stored conventions carry the setting (versioned like the rest).
    let conventions = app.get("/api/v1/conventions", &w.gp_reg).await;
    assert_eq!(
        conventions.body["conventions"]["hierarchy"]["anonymity_reading"],
        "authorship_only"
    );
}

/// R39 then R15: an appeal without a postal address is anonymous; the notice of art. 63 asks for
/// the address and, once «Приведено в соответствие», the card is considered on the merits. A notice
/// of other defects leaves it anonymous.
async fn an_art_63_correction_that_supplies_the_missing_address_ends_anonymity(
    backend: TestBackend,
) {
    let w = world(backend).await;
    let app = &w.app;
    let no_address = json!({"document_type": "application",
        "applicants": [{"category": "individual", "surname": "Ахметов", "first_name": "Ерлан"}],
        "text": "Прошу восстановить отопление.", "receipt_form": "electronic", "language": "state",
        "received_at": "2026-03-05T04:15:00Z"});
    let answer = json!({"decision_type": "provide_answer", "answer_character": "satisfied",
        "signed_by": {"user_id": w.gp_head.id}});
    let correct = async |id: i64, defects: Value| {
        let base = format!("/api/v1/appeals/{id}");
        let notice = json!({"defects": defects, "notice": "Не соответствует ст. 63 АППК.",
            "correct_by": "2099-12-31"});
        let res = app
            .post(&format!("{base}/correction-request"), &w.gp_exec, notice)
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = app
            .post(
                &format!("{base}/correction-confirmation"),
                &w.gp_reg,
                json!({"note": "Дополнено"}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.body
    };

    // Other defects cured: still anonymous, still not considered.
    let other = in_work(app, &w.gp_reg, &w.gp_exec, no_address.clone()).await;
    let card = correct(other, json!(["essence", "date"])).await;
    assert_eq!(card["anonymity"]["anonymous"], true, "{card}");
    assert_eq!(card["anonymity"]["handling"], "not_considered");
    assert!(card["anonymity"]["explanation"].is_string());
    decide(app, other, &w.gp_exec, answer.clone())
        .await
        .assert_problem(409, "anonymous-not-considered");

    // The address supplied: considered, answered on the merits, and the history says why.
    let id = in_work(app, &w.gp_reg, &w.gp_exec, no_address).await;
    decide(app, id, &w.gp_exec, answer.clone())
        .await
        .assert_problem(409, "anonymous-not-considered");
    let card = correct(id, json!(["postal_address"])).await;
    assert_eq!(card["anonymity"]["anonymous"], false, "{card}");
    assert_eq!(card["anonymity"]["handling"], "consider");
    assert_eq!(card["anonymity"]["explanation"], Value::Null);
    let res = decide(app, id, &w.gp_exec, answer).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let confirmed = history(app, id, &w.gp_exec)
        .await
        .into_iter()
        .find(|e| e["action"] == "correction_confirmed")
        .expect("the confirmation is in the history");
    let change = &confirmed["after"]["anonymity"];
    assert_eq!(
        change["before"]["handling"], "not_considered",
        "{confirmed}"
    );
    assert_eq!(change["after"]["handling"], "consider", "{confirmed}");
}

async fn a_call_centre_appeal_is_registered_at_once_and_handed_to_the_appeals_unit(
    backend: TestBackend,
) {
    let w = world(backend).await;
    let app = &w.app;
    patch_subject(app, &w.national, w.gp, json!({"appeals_unit_id": w.unit})).await;
    // 19:00 local on Thursday 2026-03-05: after the 18:30 cut-off.
    let mut body = appeal(
        "921029350851",
        "Ахметов",
        "Звонок: прошу разъяснить порядок.",
    );
    body["received_at"] = json!("2026-03-05T14:00:00Z");
    let ordinary = register(app, &w.gp_reg, body.clone()).await;
    assert_eq!(ordinary["registration_date"], "2026-03-06");
    assert_eq!(ordinary["subject"]["id"], w.gp);
    body["receipt_source"] = json!("call_centre");
    let call = register(app, &w.gp_reg, body).await;
    assert_eq!(
        call["registration_date"], "2026-03-05",
        "no next-day cut-off"
    );
    assert_eq!(call["receipt_source"], "call_centre");
    assert_eq!(call["subject"]["id"], w.unit, "handed to the appeals unit");
    assert_eq!(call["registered_by_subject_id"], w.gp);
    // The appeals unit must lie below the subject.
    let res = app
        .patch(
            &format!("/api/v1/subjects/{}", w.gp),
            &w.national,
            json!({"appeals_unit_id": w.other}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/appeals_unit_id");
    let res = app
        .patch(
            &format!("/api/v1/subjects/{}", w.gp),
            &w.national,
            json!({"hierarchy_level": "ministry"}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/hierarchy_level");
}

async fn a_cassation_petition_is_returned_with_the_explanation_of_rights(backend: TestBackend) {
    let w = world(backend).await;
    let app = &w.app;
    let book = app
        .get("/api/v1/dictionaries/termination_reasons", &w.gp_reg)
        .await;
    assert_eq!(book.status, 200, "{}", book.body);
    let text = book.body.to_string();
    assert!(text.contains("cassation_requirements_not_met"), "{text}");
    assert!(
        text.contains("Верховный Суд"),
        "the template is dictionary data"
    );
    let id = in_work(
        app,
        &w.gp_reg,
        &w.gp_exec,
        appeal(
            "921029350851",
            "Ахметов",
            "Ходатайство о принесении кассационного протеста на приговор суда.",
        ),
    )
    .await;
    let res = decide(
        app,
        id,
        &w.gp_exec,
        json!({"decision_type": "terminate", "termination_reason": "cassation_requirements_not_met",
               "answer_text": "Ходатайство возвращается без рассмотрения.",
               "signed_by": {"user_id": w.gp_head.id}}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let d = &res.body["decision"];
    assert_eq!(d["termination_reason"], "cassation_requirements_not_met");
    let explanation = d["explanation"].as_str().unwrap();
    assert!(explanation.contains("Верховный Суд"), "{explanation}");
    let answer = d["answer_text"].as_str().unwrap();
    assert!(answer.starts_with("Ходатайство возвращается без рассмотрения."));
    assert!(answer.contains(explanation), "{answer}");
}

async fn a_refusal_signed_by_a_deputy_where_the_head_must_sign_is_refused_with_the_rule(
    backend: TestBackend,
) {
    let w = world(backend).await;
    let app = &w.app;
    let id = in_work(
        app,
        &w.reg_reg,
        &w.reg_exec,
        appeal("921029350851", "Ахметов", "Прошу отменить постановление."),
    )
    .await;
    // Who may sign a refusal here: the head only, by p.54(5).
    let signers = app
        .get(&format!("/api/v1/appeals/{id}/signers"), &w.reg_exec)
        .await;
    assert_eq!(signers.status, 200, "{}", signers.body);
    assert_eq!(signers.body["hierarchy_level"], "regional_office");
    let refused = signers.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["result"] == "refused")
        .unwrap();
    assert_eq!(refused["rule"], "p.54(5): refusals");
    assert_eq!(refused["positions"], json!(["head"]));
    let ids: Vec<i64> = refused["signers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["user_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![w.reg_head.id]);
    // A deputy's signature on a refusal is refused, with the rule and who may sign.
    let refusal = |signer: Value| {
        json!({"decision_type": "provide_answer", "answer_character": "refused",
               "answer_text": "Оснований для отмены нет.", "signed_by": signer})
    };
    let res = decide(
        app,
        id,
        &w.reg_exec,
        refusal(json!({"user_id": w.reg_deputy.id})),
    )
    .await;
    res.assert_problem(422, "signing-authority");
    let detail = res.body["detail"].as_str().unwrap();
    assert!(detail.contains("p.54(5): refusals"), "{detail}");
    assert!(detail.contains("signed by head"), "{detail}");
    let decisions = app
        .get(&format!("/api/v1/appeals/{id}/decisions"), &w.reg_exec)
        .await;
    assert_eq!(
        decisions.body.as_array().unwrap().len(),
        0,
        "nothing recorded"
    );
    // An official of a body below (or of another body) signs nothing here.
    let res = decide(
        app,
        id,
        &w.reg_exec,
        refusal(json!({"user_id": w.dist_exec.id})),
    )
    .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/signed_by/user_id");
    // The executor signing it himself is refused too; a deputy acting for the head may sign.
    decide(app, id, &w.reg_exec, refusal(Value::Null))
        .await
        .assert_problem(422, "signing-authority");
    let res = decide(
        app,
        id,
        &w.reg_exec,
        refusal(json!({"user_id": w.reg_deputy.id, "acting_for_head": true})),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["decision"]["signed_by"]["acting_for_head"], true);
    assert_eq!(
        res.body["decision"]["signed_by"]["rule"],
        "p.54(5): refusals"
    );
    // At the district office a satisfied answer is signed by the executor (p.54(8)).
    let did = in_work(
        app,
        &w.dist_reg,
        &w.dist_exec,
        appeal(
            "921029350851",
            "Ахметов",
            "Прошу вернуть изъятые документы.",
        ),
    )
    .await;
    let res = decide(
        app,
        did,
        &w.dist_exec,
        json!({"decision_type": "provide_answer", "answer_character": "satisfied"}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["decision"]["signed_by"]["rule"], "p.54(8)");
    // A subject without a level is not restricted.
    app.subject("PLAIN", false);
    let plain_reg = app.user("plain-reg", "PLAIN", &[Role::Registrar]);
    let plain_exec = app.user("plain-exec", "PLAIN", &[Role::Executor]);
    let p = register(
        app,
        &plain_reg,
        appeal("921029350851", "Ахметов", "Прошу о ремонте."),
    )
    .await;
    let pid = p["id"].as_i64().unwrap();
    app.assign(pid, &plain_reg, &plain_exec).await;
    let res = decide(app, pid, &plain_exec, refusal(Value::Null)).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["decision"]["signed_by"]["rule"], Value::Null);
}

async fn the_quarterly_analysis_counts_each_unit_and_is_due_on_the_fifth(backend: TestBackend) {
    let w = world(backend).await;
    let app = &w.app;
    app.allow_entering_past_acts().await;
    let id = in_work(
        app,
        &w.reg_reg,
        &w.reg_exec,
        appeal(
            "921029350851",
            "Ахметов",
            "Прошу проверить начисления за свет.",
        ),
    )
    .await;
    let res = decide(
        app,
        id,
        &w.reg_exec,
        json!({"decision_type": "provide_answer", "answer_character": "explained",
               "decided_at": "2026-03-12T06:00:00Z", "signed_by": {"user_id": w.reg_head.id}}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    register(
        app,
        &w.dist_reg,
        appeal(
            "850520400119",
            "Оспанов",
            "Прошу проверить законность увольнения.",
        ),
    )
    .await;
    let analyst = app.user("analyst", "S1", &[Role::Head]);
    let res = app
        .get(
            "/api/v1/reports/quarterly-analysis?year=2026&quarter=1",
            &analyst,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    // 5 April 2026 is a Sunday: due Monday 6 April.
    assert_eq!(res.body["due"], "2026-04-06");
    let unit = |sid: i64| {
        res.body["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["subject"]["id"] == sid)
            .unwrap_or_else(|| panic!("{sid} in {}", res.body))
            .clone()
    };
    let region = unit(w.region);
    assert_eq!(region["received"], 1);
    assert_eq!(region["considered"], 1);
    assert_eq!(region["explained"], 1);
    assert_eq!(region["overdue"], 0);
    assert_eq!(unit(w.district)["received"], 1);
    assert_eq!(unit(w.gp)["received"], 0);
    // Another quarter holds nothing of it; a bad quarter is 422; the district's head sees only
    // its own subtree.
    let q2 = app
        .get(
            "/api/v1/reports/quarterly-analysis?year=2026&quarter=2",
            &analyst,
        )
        .await;
    assert_eq!(q2.status, 200);
    assert!(
        q2.body["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["received"] == 0),
        "{}",
        q2.body
    );
    app.get(
        "/api/v1/reports/quarterly-analysis?year=2026&quarter=5",
        &analyst,
    )
    .await
    .assert_problem(422, "validation");
    let dist_head = app.user("dist-head", "PR-ALMALY", &[Role::Head]);
    let own = app
        .get(
            "/api/v1/reports/quarterly-analysis?year=2026&quarter=1",
            &dist_head,
        )
        .await;
    assert_eq!(own.status, 200, "{}", own.body);
    let ids: Vec<i64> = own.body["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["subject"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![w.district]);
}

async fn every_change_of_a_card_records_who_made_it(backend: TestBackend) {
    let w = world(backend).await;
    let app = &w.app;
    let id = in_work(
        app,
        &w.reg_reg,
        &w.reg_exec,
        appeal(
            "921029350851",
            "Ахметов",
            "Прошу проверить законность штрафа.",
        ),
    )
    .await;
    state_facts(
        app,
        id,
        &w.reg_exec,
        json!({"complaint_about": "subordinate"}),
    )
    .await;
    let res = decide(
        app,
        id,
        &w.reg_exec,
        json!({"decision_type": "provide_answer", "answer_character": "explained",
               "signed_by": {"user_id": w.reg_deputy.id}}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let events = history(app, id, &w.reg_head).await;
    let who: Vec<(String, i64)> = events
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor_user_id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        who,
        vec![
            ("registered".to_owned(), w.reg_reg.id),
            ("assigned".to_owned(), w.reg_reg.id),
            ("routing_facts_stated".to_owned(), w.reg_exec.id),
            ("decision_recorded".to_owned(), w.reg_exec.id),
        ]
    );
    let stated = &events[2];
    assert_eq!(stated["after"]["complaint_about"], "subordinate");
    assert_eq!(
        events[3]["after"]["signed_by"]["user_id"], w.reg_deputy.id,
        "the signer is kept beside the executor who recorded it"
    );
}
