#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! Personal reception (ЛП-1; Rules p.4 part 5, p.18, Appendix 2-1; R10, R24–R26) end to end:
//! application → queue → slot → outcome, the card complete also when the reception did not take
//! place, requisites named in the 422, one card per application, one reception per slot under
//! concurrent reservations, and no slots on a day off.

use std::sync::{Arc, Barrier};

use actix_web::test::TestRequest;
use appeals_api::auth::Role;
use appeals_domain::access::Action;
use appeals_service::receptions::{self, Book};
use appeals_service::{Actor, AppError, Ctx, access};
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests, bearer};
use serde_json::{Value, json};

backend_tests!(
    an_application_is_registered_with_its_lp1_card_and_queued,
    a_held_reception_goes_from_application_through_a_slot_to_its_outcome,
    a_reception_that_did_not_take_place_is_still_complete,
    a_missing_requisite_is_named_in_the_422_and_nothing_is_stored,
    one_lp1_per_application,
    requisites_are_corrected_with_if_match_and_recorded,
    a_place_must_be_an_object_of_the_loaded_kato_classifier,
    audit_verify_checks_the_reception_chains_too,
    the_applicant_is_told_of_each_change_of_status_through_the_outbox,
    the_registry_fills_what_the_application_left_empty,
    a_schedule_ends_once_its_later_slots_are_given_back,
    a_slot_is_given_once_under_concurrent_reservations,
    a_day_off_has_no_slots,
);

/// A Friday with reception hours in every test (a working day of the 2027 calendar).
const DAY: &str = "2027-01-15";

struct Office {
    app: TestApp,
    secretary: TestUser,
    head: TestUser,
    schedule: i64,
}

fn application(surname: &str) -> Value {
    json!({"person": {"iin": "921029350851", "surname": surname, "first_name": "Ерлан",
                      "social_status": "employed", "mobile_phone": "+77011234567"},
           "issue_nature": "improvement", "kind": "offline"})
}

async fn office(backend: TestBackend) -> Office {
    let app = TestApp::new(backend).await;
    let secretary = app.user("secretary", "S1", &[Role::ReceptionSecretary]);
    let head = app.user("head", "S1", &[Role::Head]);
    let admin = app.user("admin", "S1", &[Role::Admin]);
    let res = app
        .post(
            "/api/v1/reception-schedules",
            &admin,
            json!({"official_user_id": head.id, "weekdays": [2, 5], "starts": "10:00",
                   "ends": "12:00", "slot_minutes": 30, "place_kato": "751110000",
                   "place_addressee": "Акимат, каб. 301", "valid_from": "2026-01-01"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let schedule = res.body["id"].as_i64().unwrap();
    Office {
        app,
        secretary,
        head,
        schedule,
    }
}

async fn apply(o: &Office, body: Value) -> Value {
    let res = o.app.post("/api/v1/receptions", &o.secretary, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

async fn an_application_is_registered_with_its_lp1_card_and_queued(backend: TestBackend) {
    let o = office(backend).await;
    let first = apply(&o, application("Ахметов")).await;
    let second = apply(&o, application("Сейтова")).await;
    // R10: «ЖҚ»; requisite 2 from the through numbering; requisites 3–4: the queue.
    assert_eq!(first["status"], "queued");
    assert!(
        first["markings"]
            .as_array()
            .unwrap()
            .contains(&json!("personal_reception")),
        "{first}"
    );
    assert!(
        first["registration_number"]
            .as_str()
            .unwrap()
            .starts_with("ЖТ-")
    );
    assert_eq!(first["queue_number"], 1);
    assert_eq!(second["queue_number"], 2);
    assert_eq!(first["card"]["card_number"], first["registration_number"]);
    assert_eq!(first["card"]["iin"], "921029350851");
    // The queue lists both, in queue order; the list and one card read back.
    let today = first["queued_on"].as_str().unwrap();
    let queue = o
        .app
        .get(&format!("/api/v1/receptions/queue?date={today}"), &o.head)
        .await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let numbers: Vec<i64> = queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["queue_number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![1, 2]);
    let id = first["id"].as_i64().unwrap();
    let one = o
        .app
        .get(&format!("/api/v1/receptions/{id}"), &o.secretary)
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.headers.get("etag").unwrap(), "\"1\"");
    // An invalid IIN is a 422 naming it; another subject does not see the card.
    let mut bad = application("Ахметов");
    bad["person"]["iin"] = json!("921029350852");
    o.app
        .post("/api/v1/receptions", &o.secretary, bad)
        .await
        .assert_problem(422, "validation");
    // Filters: the kind (requisite 6) and the status.
    let count = |body: &Value| body["items"].as_array().unwrap().len();
    let online = o.app.get("/api/v1/receptions?kind=online", &o.head).await;
    assert_eq!(count(&online.body), 0, "{}", online.body);
    let offline = o
        .app
        .get("/api/v1/receptions?kind=offline&status=queued", &o.head)
        .await;
    assert_eq!(count(&offline.body), 2, "{}", offline.body);
    // The list as CSV: the same cards, ЛП-1 requisites as columns.
    let csv = o
        .app
        .send(
            TestRequest::get()
                .uri("/api/v1/receptions")
                .insert_header(bearer(&o.head))
                .insert_header(("Accept", "text/csv")),
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = String::from_utf8(csv.raw.clone()).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("id,registration_number,status,"),
        "{text}"
    );
    assert!(
        lines[1].contains("Сейтова") && lines[2].contains("Ахметов"),
        "{text}"
    );
    // Requisites «по справочнику» are codes of their reference books.
    let mut bad = application("Ахметов");
    bad["person"]["social_status"] = json!("astronaut");
    let res = o.app.post("/api/v1/receptions", &o.secretary, bad).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/person/social_status");
    o.app.subject("S2", false);
    let stranger = o.app.user("s2-sec", "S2", &[Role::ReceptionSecretary]);
    o.app
        .get(&format!("/api/v1/receptions/{id}"), &stranger)
        .await
        .assert_problem(404, "not-found");
}

async fn book(o: &Office, id: i64, starts_at: &str) -> appeals_tests::TestResponse {
    o.app
        .post(
            &format!("/api/v1/receptions/{id}/booking"),
            &o.secretary,
            json!({"schedule_id": o.schedule, "starts_at": starts_at}),
        )
        .await
}

async fn a_held_reception_goes_from_application_through_a_slot_to_its_outcome(
    backend: TestBackend,
) {
    let o = office(backend).await;
    let id = apply(&o, application("Ахметов")).await["id"]
        .as_i64()
        .unwrap();
    // Held in a slot only.
    let early = o
        .app
        .post(
            &format!("/api/v1/receptions/{id}/outcome"),
            &o.head,
            json!({"held": true, "held_by_user_id": o.head.id, "secretary": "Петрова А.С.",
                   "present": "Ахметов Е.", "result": "explained"}),
        )
        .await;
    early.assert_problem(409, "conflict");
    let res = book(&o, id, &format!("{DAY}T10:30:00")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["status"], "booked");
    assert_eq!(res.body["official_user_id"], o.head.id);
    assert_eq!(
        res.body["card"]["reception_decision"],
        "registered_for_reception"
    );
    let res = o
        .app
        .post(
            &format!("/api/v1/receptions/{id}/booking/confirmation"),
            &o.secretary,
            json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["slot"]["confirmed"], true);
    let res = o
        .app
        .post(
            &format!("/api/v1/receptions/{id}/outcome"),
            &o.head,
            json!({"held": true, "held_by_user_id": o.head.id, "secretary": "Петрова А.С.",
                   "present": "Ахметов Е.", "protocol_language": "state", "result": "explained",
                   "comment_for_applicant": "Ремонт двора включен в план на май"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["status"], "held");
    let card = &res.body["card"];
    assert_eq!(card["outcome"], "held");
    assert_eq!(card["reception_date"], DAY);
    assert_eq!(card["reception_time"], "10:30:00");
    assert_eq!(card["place_kato"], "751110000");
    assert_eq!(card["held_by"], o.head.id.to_string());
    assert_eq!(card["result"], "explained");
    // Every change is an event of the card's intact hash chain.
    let history = o
        .app
        .get(&format!("/api/v1/receptions/{id}/history"), &o.head)
        .await;
    assert_eq!(history.status, 200, "{}", history.body);
    assert_eq!(history.body["intact"], true);
    let actions: Vec<&str> = history.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec!["registered", "slot_reserved", "slot_confirmed", "held"]
    );
    // An outcome is given once.
    o.app
        .post(
            &format!("/api/v1/receptions/{id}/outcome"),
            &o.head,
            json!({"held": false, "not_held_reason": "повтор"}),
        )
        .await
        .assert_problem(409, "conflict");
}

async fn a_reception_that_did_not_take_place_is_still_complete(backend: TestBackend) {
    let o = office(backend).await;
    let id = apply(&o, application("Ахметов")).await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(book(&o, id, &format!("{DAY}T10:00:00")).await.status, 200);
    let res = o
        .app
        .post(
            &format!("/api/v1/receptions/{id}/outcome"),
            &o.secretary,
            json!({"held": false, "not_held_reason": "Заявитель не явился"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["status"], "not_held");
    assert_eq!(res.body["card"]["outcome"], "not_held");
    assert_eq!(res.body["card"]["not_held_reason"], "Заявитель не явился");
    // A refusal is complete too (requisite 25 «отказано», 36 the reason) and frees its slot.
    let other = apply(&o, application("Сейтова")).await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        book(&o, other, &format!("{DAY}T11:00:00")).await.status,
        200
    );
    let res = o
        .app
        .post(
            &format!("/api/v1/receptions/{other}/refusal"),
            &o.secretary,
            json!({"reason": "Вопрос не относится к компетенции"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["status"], "refused");
    assert_eq!(res.body["card"]["reception_decision"], "reception_refused");
    let third = apply(&o, application("Нуров")).await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        book(&o, third, &format!("{DAY}T11:00:00")).await.status,
        200
    );
}

async fn a_missing_requisite_is_named_in_the_422_and_nothing_is_stored(backend: TestBackend) {
    let o = office(backend).await;
    let mut body = application("Ахметов");
    body["person"]["social_status"] = Value::Null;
    let id = apply(&o, body).await["id"].as_i64().unwrap();
    assert_eq!(book(&o, id, &format!("{DAY}T10:00:00")).await.status, 200);
    let before = o
        .app
        .get(&format!("/api/v1/receptions/{id}"), &o.head)
        .await;
    // Held without 18 (social status), 32 (secretary) and 33 (present): each named.
    let res = o
        .app
        .post(
            &format!("/api/v1/receptions/{id}/outcome"),
            &o.head,
            json!({"held": true, "held_by_user_id": o.head.id, "result": "satisfied"}),
        )
        .await;
    res.assert_problem(422, "validation");
    let errors = res.body["errors"].as_array().unwrap();
    for (pointer, requisite) in [
        ("#/social_status", "requisite 18"),
        ("#/secretary", "requisite 32"),
        ("#/present", "requisite 33"),
    ] {
        assert!(
            errors
                .iter()
                .any(|e| e["pointer"] == pointer
                    && e["detail"].as_str().unwrap().contains(requisite)),
            "{pointer}: {}",
            res.body
        );
    }
    // Not held without the reason (36).
    let res = o
        .app
        .post(
            &format!("/api/v1/receptions/{id}/outcome"),
            &o.head,
            json!({"held": false}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/not_held_reason");
    // A place that is no KATO code (requisite 28).
    o.app
        .post(
            &format!("/api/v1/receptions/{id}/outcome"),
            &o.head,
            json!({"held": true, "held_by_user_id": o.head.id, "secretary": "П.", "present": "А.",
                   "social_status": "employed", "result": "satisfied", "place_kato": "12"}),
        )
        .await
        .assert_problem(422, "validation");
    let after = o
        .app
        .get(&format!("/api/v1/receptions/{id}"), &o.head)
        .await;
    assert_eq!(after.body, before.body);
}

async fn one_lp1_per_application(backend: TestBackend) {
    let o = office(backend).await;
    let integration = o.app.user("eotinish", "S1", &[Role::Integration]);
    let mut body = application("Ахметов");
    body["source_reference"] = json!("eotinish-2027-000123");
    let res = o
        .app
        .post("/api/v1/receptions", &integration, body.clone())
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    // The same application again: a conflict naming the card it has.
    let again = o
        .app
        .post("/api/v1/receptions", &integration, body.clone())
        .await;
    again.assert_problem(409, "conflict");
    assert!(
        again.body["detail"]
            .as_str()
            .unwrap()
            .contains(res.body["registration_number"].as_str().unwrap())
    );
    // A retry with its Idempotency-Key gets the first answer.
    let keyed = |key: &str| {
        TestRequest::post()
            .uri("/api/v1/receptions")
            .insert_header(bearer(&integration))
            .insert_header(("Idempotency-Key", key.to_owned()))
            .set_json({
                let mut b = body.clone();
                b["source_reference"] = json!("eotinish-2027-000124");
                b
            })
    };
    let first = o.app.send(keyed("k-124")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let retry = o.app.send(keyed("k-124")).await;
    assert_eq!(retry.status, 201, "{}", retry.body);
    assert_eq!(retry.body["id"], first.body["id"]);
    let list = o.app.get("/api/v1/receptions", &integration).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
}

/// Many reservations of one slot at once, each for its own application, each on its own
/// connection: exactly one is given the slot, the others are refused with a conflict, and no
/// refused card changed.
async fn a_slot_is_given_once_under_concurrent_reservations(backend: TestBackend) {
    let o = office(backend).await;
    const RIVALS: usize = 6;
    let mut ids = Vec::new();
    for i in 0..RIVALS {
        ids.push(
            apply(&o, application(&format!("Заявитель{i}"))).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let starts_at =
        chrono::NaiveDateTime::parse_from_str(&format!("{DAY}T11:30:00"), "%Y-%m-%dT%H:%M:%S")
            .unwrap();
    let barrier = Arc::new(Barrier::new(RIVALS));
    let actor = Actor {
        user_id: o.secretary.id,
        subject_id: o.secretary.subject_id,
        roles: vec![Role::ReceptionSecretary],
    };
    let rules = o.app.state.rules();
    let threads: Vec<_> = ids
        .iter()
        .map(|&id| {
            let (barrier, actor, rules, db) = (
                barrier.clone(),
                actor.clone(),
                rules.clone(),
                o.app.db.alias(),
            );
            let schedule = o.schedule;
            std::thread::spawn(move || {
                let mut conn = db.connect();
                let ctx = Ctx {
                    grant: access::admit(actor, Action::BookReception).unwrap(),
                    rules,
                    now: chrono::Utc::now(),
                };
                barrier.wait();
                receptions::book(
                    &mut conn,
                    &ctx,
                    Book {
                        reception_id: id,
                        expected_version: None,
                        schedule_id: schedule,
                        starts_at,
                    },
                )
            })
        })
        .collect();
    let outcomes: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let won = outcomes.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(e, AppError::Conflict(_))),
        "{outcomes:?}"
    );
    let mut booked = 0;
    for id in ids {
        let card = o
            .app
            .get(&format!("/api/v1/receptions/{id}"), &o.head)
            .await;
        match card.body["status"].as_str().unwrap() {
            "booked" => booked += 1,
            "queued" => {
                assert_eq!(card.body["version"], 1, "{}", card.body);
                assert_eq!(card.body["slot"], Value::Null);
            }
            other => panic!("{other}"),
        }
    }
    assert_eq!(booked, 1);
    let slots = o
        .app
        .get(
            &format!(
                "/api/v1/reception-schedules/{}/slots?from={DAY}&to={DAY}",
                o.schedule
            ),
            &o.head,
        )
        .await;
    let taken: Vec<&Value> = slots.body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["free"] == false)
        .collect();
    assert_eq!(taken.len(), 1, "{}", slots.body);
    assert_eq!(taken[0]["starts_at"], format!("{DAY}T11:30:00"));
}

async fn slots(o: &Office, from: &str, to: &str) -> usize {
    let uri = format!(
        "/api/v1/reception-schedules/{}/slots?from={from}&to={to}",
        o.schedule
    );
    let res = o.app.get(&uri, &o.head).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.body["slots"].as_array().unwrap().len()
}

async fn a_day_off_has_no_slots(backend: TestBackend) {
    let o = office(backend).await;
    // New Year's Day 2027 is a Friday and a holiday: no slots; a Friday of work has four.
    assert_eq!(slots(&o, "2027-01-01", "2027-01-01").await, 0);
    assert_eq!(slots(&o, DAY, DAY).await, 4);
    let id = apply(&o, application("Ахметов")).await["id"]
        .as_i64()
        .unwrap();
    let res = book(&o, id, "2027-01-01T10:00:00").await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/starts_at");
    // The authorized body makes a working Friday a day off: its slots are gone at once.
    let national = o.app.national_admin("kp-admin");
    let res = o
        .app
        .send(
            TestRequest::put()
                .uri("/api/v1/calendar/2027/overrides")
                .insert_header(bearer(&national))
                .set_json(json!({"overrides": [
                    {"date": DAY, "kind": "day_off", "source": "Постановление (тест)"}]})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(slots(&o, DAY, DAY).await, 0);
    book(&o, id, &format!("{DAY}T10:00:00"))
        .await
        .assert_problem(422, "validation");
}

async fn patch(
    o: &Office,
    id: i64,
    etag: Option<&str>,
    body: Value,
) -> appeals_tests::TestResponse {
    let mut req = TestRequest::patch()
        .uri(&format!("/api/v1/receptions/{id}"))
        .insert_header(bearer(&o.secretary))
        .set_json(body);
    if let Some(etag) = etag {
        req = req.insert_header(("If-Match", etag.to_owned()));
    }
    o.app.send(req).await
}

async fn requisites_are_corrected_with_if_match_and_recorded(backend: TestBackend) {
    let o = office(backend).await;
    let id = apply(&o, application("Ахметов")).await["id"]
        .as_i64()
        .unwrap();
    let change = json!({"surname": "Ахметова", "social_status": "pensioner"});
    patch(&o, id, None, change.clone())
        .await
        .assert_problem(428, "precondition-required");
    patch(&o, id, Some("\"7\""), change.clone())
        .await
        .assert_problem(412, "precondition-failed");
    let bad = patch(&o, id, Some("\"1\""), json!({"citizenship": "mars"})).await;
    bad.assert_problem(422, "validation");
    assert_eq!(bad.body["errors"][0]["pointer"], "#/citizenship");
    let res = patch(&o, id, Some("\"1\""), change).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["version"], 2);
    assert_eq!(res.body["card"]["surname"], "Ахметова");
    assert_eq!(res.body["card"]["social_status"], "pensioner");
    let res = patch(&o, id, Some("\"2\""), json!({"kind": "online"})).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let online = o.app.get("/api/v1/receptions?kind=online", &o.head).await;
    assert_eq!(online.body["items"][0]["id"], id);
    let history = o
        .app
        .get(&format!("/api/v1/receptions/{id}/history"), &o.head)
        .await;
    let events = history.body["events"].as_array().unwrap();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["registered", "updated", "updated"]);
    assert_eq!(
        events[1]["before"],
        json!({"surname": "Ахметов", "social_status": "employed"})
    );
    assert_eq!(
        events[1]["after"],
        json!({"surname": "Ахметова", "social_status": "pensioner"})
    );
    assert_eq!(events[2]["after"], json!({"reception_kind": "online"}));
    assert_eq!(history.body["intact"], true);
}

async fn a_place_must_be_an_object_of_the_loaded_kato_classifier(backend: TestBackend) {
    let o = office(backend).await;
    let admin = o.app.user("admin2", "S1", &[Role::Admin]);
    let schedule = |kato: &str| {
        json!({"official_user_id": o.head.id, "weekdays": [1], "starts": "15:00", "ends": "16:00",
               "slot_minutes": 30, "place_kato": kato, "place_addressee": "Каб. 2",
               "valid_from": "2026-01-01"})
    };
    // Before the classifier is loaded, a well-formed code is taken as it is.
    let res = o
        .app
        .post("/api/v1/reception-schedules", &admin, schedule("759999000"))
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    // `appeals kato import` loads it (the same use-case the console runs).
    let sample =
        appeals_api::kato_import::parse(appeals_api::kato_import::SAMPLE.as_bytes()).unwrap();
    appeals_service::kato::import(&mut o.app.conn(), sample, chrono::Utc::now().naive_utc())
        .unwrap();
    let res = o
        .app
        .post("/api/v1/reception-schedules", &admin, schedule("759999000"))
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/place_kato");
    assert!(
        res.body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("not an object of the KATO classifier")
    );
    let res = o
        .app
        .post("/api/v1/reception-schedules", &admin, schedule("751510000"))
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
}

async fn audit_verify_checks_the_reception_chains_too(backend: TestBackend) {
    let o = office(backend).await;
    let id = apply(&o, application("Ахметов")).await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(book(&o, id, &format!("{DAY}T10:00:00")).await.status, 200);
    let verify = || {
        std::process::Command::new(appeals_tests::appeals_bin())
            .args(["audit", "verify"])
            .env("DATABASE_URL", &o.app.db.url)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let out = verify();
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2 event(s) verified"),
        "{out:?}"
    );
    {
        // Corruption, to be found: the second event of the card's chain is forged.
        use appeals_db::schema::reception_events;
        use diesel::prelude::*;
        diesel::update(
            reception_events::table
                .filter(reception_events::reception_id.eq(id))
                .filter(reception_events::seq.eq(2)),
        )
        .set(reception_events::action.eq("forged"))
        .execute(&mut *o.app.conn())
        .unwrap();
    }
    let out = verify();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("reception {id} event seq 2")),
        "{stderr}"
    );
    let history = o
        .app
        .get(&format!("/api/v1/receptions/{id}/history"), &o.head)
        .await;
    assert_eq!(history.body["intact"], false);
}

async fn the_applicant_is_told_of_each_change_of_status_through_the_outbox(backend: TestBackend) {
    let o = office(backend).await;
    let id = apply(&o, application("Ахметов")).await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(book(&o, id, &format!("{DAY}T10:00:00")).await.status, 200);
    let res = o
        .app
        .post(
            &format!("/api/v1/receptions/{id}/booking/release"),
            &o.secretary,
            json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = o
        .app
        .post(
            &format!("/api/v1/receptions/{id}/refusal"),
            &o.secretary,
            json!({"reason": "Вопрос решен до приема"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    // One notice per change of status, in the subject's outbox, with the card's mobile number.
    let queue = o.app.get("/api/v1/notifications", &o.head).await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let notices: Vec<&Value> = queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["reception_id"] == id)
        .collect();
    let changes: Vec<(&str, &str)> = notices
        .iter()
        .map(|n| {
            (
                n["status_from"].as_str().unwrap(),
                n["status_to"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        vec![
            ("queued", "booked"),
            ("booked", "queued"),
            ("queued", "refused")
        ]
    );
    assert!(
        notices
            .iter()
            .all(|n| n["event"] == "reception_status_changed"
                && n["appeal_id"].is_null()
                && n["sms_to"] == "+77011234567")
    );
    // The delivery report is an event of the reception's chain.
    let notice = notices[0]["id"].as_i64().unwrap();
    let res = o
        .app
        .post(
            &format!("/api/v1/notifications/{notice}/delivery"),
            &o.head,
            json!({"outcome": "delivered"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["reception_id"], id);
    let history = o
        .app
        .get(&format!("/api/v1/receptions/{id}/history"), &o.head)
        .await;
    let last = history.body["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["action"], "applicant_notified");
    assert_eq!(history.body["intact"], true);
}

async fn the_registry_fills_what_the_application_left_empty(backend: TestBackend) {
    use appeals_domain::cards::{
        AddressBlock, PersonBlock, PersonCategory, RegistryRecord, Residency, Sex,
    };
    let o = office(backend).await;
    // The local copy of ГБД ФЛ, as `appeals registry import` writes it.
    let record = RegistryRecord {
        category: PersonCategory::Individual,
        person: Some(PersonBlock {
            residency: Some(Residency::Resident),
            surname: Some("Ахметов".to_owned()),
            first_name: Some("Ерлан".to_owned()),
            birth_date: chrono::NaiveDate::from_ymd_opt(1992, 10, 29),
            sex: Some(Sex::Male),
            ..PersonBlock::default()
        }),
        company: None,
        address: Some(AddressBlock {
            region: Some("г. Алматы".to_owned()),
            street: Some("пр. Абая".to_owned()),
            house: Some("10".to_owned()),
            ..AddressBlock::default()
        }),
    };
    appeals_service::registry::import(
        &mut o.app.conn(),
        vec![appeals_service::registry::ImportedRecord {
            line: 2,
            iin_bin: "921029350851".to_owned(),
            record,
        }],
        "test",
        chrono::Utc::now().naive_utc(),
    )
    .unwrap();
    let card = apply(&o, application("Ахметов")).await;
    assert_eq!(card["card"]["residency"], "resident");
    assert_eq!(card["card"]["sex"], "male");
    assert_eq!(card["card"]["birth_date"], "1992-10-29");
    assert_eq!(
        card["card"]["registered_address"],
        "г. Алматы, пр. Абая, 10"
    );
    let id = card["id"].as_i64().unwrap();
    let history = o
        .app
        .get(&format!("/api/v1/receptions/{id}/history"), &o.head)
        .await;
    assert_eq!(
        history.body["events"][0]["after"]["registry_lookup"],
        "filled"
    );
    // A person the registry does not know keeps what the application says.
    let mut unknown = application("Сейтова");
    unknown["person"]["iin"] = json!("900101400120");
    let other = o
        .app
        .post("/api/v1/receptions", &o.secretary, unknown)
        .await;
    if other.status == 201 {
        assert_eq!(other.body["card"]["sex"], Value::Null);
    }
}

async fn a_schedule_ends_once_its_later_slots_are_given_back(backend: TestBackend) {
    let o = office(backend).await;
    let admin = o.app.user("admin2", "S1", &[Role::Admin]);
    let id = apply(&o, application("Ахметов")).await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(book(&o, id, &format!("{DAY}T10:00:00")).await.status, 200);
    let end = |user: &TestUser, valid_to: &str| {
        o.app.send(
            TestRequest::patch()
                .uri(&format!("/api/v1/reception-schedules/{}", o.schedule))
                .insert_header(bearer(user))
                .set_json(json!({"valid_to": valid_to})),
        )
    };
    // A slot is given on DAY: the schedule cannot end before it.
    end(&admin, "2027-01-14")
        .await
        .assert_problem(409, "conflict");
    let res = o
        .app
        .post(
            &format!("/api/v1/receptions/{id}/booking/release"),
            &o.secretary,
            json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = end(&admin, "2027-01-14").await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["valid_to"], "2027-01-14");
    assert_eq!(slots(&o, DAY, DAY).await, 0);
    book(&o, id, &format!("{DAY}T10:00:00"))
        .await
        .assert_problem(422, "validation");
    // Another subject's admin does not see it.
    o.app.subject("S2", false);
    let stranger = o.app.user("s2-admin", "S2", &[Role::Admin]);
    end(&stranger, "2027-01-10")
        .await
        .assert_problem(404, "not-found");
}
