#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! Forwarding by competence (APPK Art. 65, Rules p.11; R4, R5, R34, R35) and closing with open
//! parts, over HTTP on both backends.

use actix_web::test::TestRequest;
use appeals_api::auth::Role;
use appeals_api::rules::Rules;
use appeals_db::repo;
use appeals_domain::deadline::{self, Term};
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests, bearer};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// Received Thursday 2026-03-05 09:15 local: forwarding due 2026-03-10 (R34), long past.
const OLD_RECEIPT: &str = "2026-03-05T04:15:00Z";

fn appeal_body(received_at: &str) -> Value {
    json!({
        "document_type": "application",
        "tags": ["отопление", "школа"],
        "applicants": [
            {"category": "individual", "iin_bin": "921029350851", "surname": "Ахметов", "first_name": "Ерлан"},
            {"category": "individual", "surname": "Сейтова", "first_name": "Айгуль"}
        ],
        "text": "Нет отопления в доме по пр. Абая, 10; кроме того, в школе № 12 не отремонтирована крыша.",
        "summary": "Отопление и ремонт школы",
        "receipt_form": "electronic",
        "language": "state",
        "received_at": received_at
    })
}

/// A receipt a minute ago: the forwarding deadline (R34) has not passed.
fn fresh_receipt() -> String {
    (Utc::now() - chrono::Duration::minutes(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

struct World {
    app: TestApp,
    /// Registrar of S1 (the registering subject).
    reg: TestUser,
    /// Head of S1.
    head: TestUser,
    /// Registrar of S2 (accepts forwarded parts).
    reg2: TestUser,
    /// Executor of S2 (the competent subject).
    exec2: TestUser,
    /// Head of S2.
    head2: TestUser,
    s2: i64,
    s3: i64,
}

async fn world(backend: TestBackend) -> World {
    let app = TestApp::new(backend).await;
    let s2 = app.subject("S2", false);
    let s3 = app.subject("S3", false);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let head = app.user("head", "S1", &[Role::Head]);
    let reg2 = app.user("reg2", "S2", &[Role::Registrar]);
    let exec2 = app.user("exec2", "S2", &[Role::Executor]);
    let head2 = app.user("head2", "S2", &[Role::Head]);
    World {
        app,
        reg,
        head,
        reg2,
        exec2,
        head2,
        s2,
        s3,
    }
}

async fn register(w: &World, received_at: &str) -> Value {
    let res = w
        .app
        .post("/api/v1/appeals", &w.reg, appeal_body(received_at))
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

fn forward_part(to: i64, question: &str) -> Value {
    json!({"to_subject_id": to, "scope": "part", "questions": [question],
           "reason": "Вопрос относится к компетенции получателя"})
}

/// The receiver's registration date and review deadline for a forwarding at `forwarded_at`
/// (R35 default: the term restarts at the receiver's receipt, R7/R8 normalisation; `application`
/// has 15 working days in the §6.4 dictionary).
fn receiver_dates(forwarded_at: &Value) -> (String, String, String) {
    let rules = Rules::defaults();
    let at: DateTime<Utc> = forwarded_at.as_str().unwrap().parse().unwrap();
    let receipt = deadline::normalise_receipt(&rules.calendar, &rules.deadlines, at).unwrap();
    let review = deadline::review_due(
        &rules.calendar,
        &rules.deadlines,
        receipt.registration_date,
        Term::working(15),
    )
    .unwrap();
    let forward =
        deadline::forward_due(&rules.calendar, &rules.deadlines, receipt.registration_date)
            .unwrap();
    (
        receipt.registration_date.to_string(),
        review.date.to_string(),
        forward.date.to_string(),
    )
}

fn actions(history: &Value) -> Vec<String> {
    history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

backend_tests!(
    partial_forwardings_register_numbered_parts_at_the_receiver,
    part_is_held_by_the_receiver_and_readable_by_the_forwarding_subject,
    full_forwarding_moves_the_card_to_the_receiver,
    forwarding_after_forward_due_is_flagged_late,
    invalid_forwardings_are_422_and_store_nothing,
    wrong_role_is_403_and_other_subject_is_404,
    main_appeal_cannot_close_while_a_part_is_open,
    idempotent_retry_forwards_once,
    a_part_waits_for_the_receiving_registrar_who_issues_its_talon,
);

async fn partial_forwardings_register_numbered_parts_at_the_receiver(backend: TestBackend) {
    let w = world(backend).await;
    let main = register(&w, &fresh_receipt()).await;
    let id = main["id"].as_i64().unwrap();
    let number = main["registration_number"].as_str().unwrap().to_owned();

    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/forwardings"),
            &w.reg,
            forward_part(w.s2, "Ремонт крыши школы № 12"),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let f = &res.body;
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/appeals/{id}/forwardings/{}", f["id"]).as_str())
    );
    assert_eq!(f["scope"], "part");
    assert_eq!(f["appeal_id"], id);
    assert_eq!(f["registration_number"], number.as_str());
    assert_eq!(f["to_subject"]["id"], w.s2);
    assert_eq!(f["is_late"], false);
    assert_eq!(f["questions"], json!(["Ремонт крыши школы № 12"]));
    assert_eq!(f["term_policy"], "restart_at_receiver");
    // R4: the first part is `<main>/1`.
    let part = &f["part"];
    assert_eq!(part["registration_number"], format!("{number}/1"));
    assert_eq!(part["part_k"], 1);
    assert_eq!(part["status"], "registered");
    // R35: the part's own deadlines run from the receiver's receipt.
    let (registration_date, review_due, forward_due) = receiver_dates(&f["forwarded_at"]);
    assert_eq!(part["registration_date"], registration_date.as_str());
    assert_eq!(part["deadlines"]["review_due"], review_due.as_str());
    assert_eq!(part["deadlines"]["forward_due"], forward_due.as_str());
    assert_eq!(f["receiver_review_due"], review_due.as_str());
    // p.11 part 2: the part waits for the receiver's registrar; no talon yet.
    assert_eq!(part["awaiting_acceptance"], true);
    assert_eq!(part["talon"], Value::Null);

    // A second part: `<main>/2` (k is per main appeal and grows).
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/forwardings"),
            &w.head,
            forward_part(w.s3, "Благоустройство двора"),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(
        res.body["part"]["registration_number"],
        format!("{number}/2")
    );
    assert_eq!(res.body["part"]["awaiting_acceptance"], true);

    // The main appeal keeps its number and holder and is «Переадресовано в части».
    let main_now = w
        .app
        .get(&format!("/api/v1/appeals/{id}"), &w.reg)
        .await
        .body;
    assert_eq!(main_now["status"], "forwarded_in_part");
    assert_eq!(main_now["registration_number"], number.as_str());
    assert_eq!(main_now["subject"]["code"], "S1");
    assert_eq!(main_now["version"], 3);

    // Both forwardings are listed, oldest first.
    let list = w
        .app
        .get(&format!("/api/v1/appeals/{id}/forwardings"), &w.reg)
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    let items = list.body.as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["part"]["part_k"], 1);
    assert_eq!(items[1]["part"]["part_k"], 2);
    let one = w
        .app
        .get(
            &format!("/api/v1/appeals/{id}/forwardings/{}", items[1]["id"]),
            &w.reg,
        )
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body, items[1]);

    // History: the main records each forwarding; the part its own registration.
    let history = w
        .app
        .get(&format!("/api/v1/appeals/{id}/history"), &w.reg)
        .await
        .body;
    assert_eq!(actions(&history), ["registered", "forwarded", "forwarded"]);
    let forwarded = &history[1];
    assert_eq!(forwarded["before"]["status"], "registered");
    assert_eq!(forwarded["after"]["status"], "forwarded_in_part");
    assert_eq!(forwarded["after"]["scope"], "part");
    assert_eq!(forwarded["after"]["to_subject_id"], w.s2);
    assert_eq!(forwarded["after"]["part_number"], format!("{number}/1"));
    assert_eq!(forwarded["after"]["is_late"], false);
    assert_eq!(
        forwarded["after"]["commands"],
        json!(["start_forwarding", "approve_forwarding", "sign_forwarding"])
    );
    assert_eq!(history[2]["after"]["part_number"], format!("{number}/2"));
    let part_id = f["part"]["id"].as_i64().unwrap();
    let part_history = w
        .app
        .get(&format!("/api/v1/appeals/{part_id}/history"), &w.exec2)
        .await
        .body;
    assert_eq!(actions(&part_history), ["registered"]);
    assert_eq!(
        part_history[0]["after"]["main_registration_number"],
        number.as_str()
    );
    assert_eq!(part_history[0]["after"]["main_appeal_id"], id);
    let (checked, broken) = repo::events::verify_all(&mut w.app.conn()).unwrap();
    assert_eq!((checked, broken), (5, None));
}

async fn part_is_held_by_the_receiver_and_readable_by_the_forwarding_subject(backend: TestBackend) {
    let w = world(backend).await;
    let main = register(&w, &fresh_receipt()).await;
    let id = main["id"].as_i64().unwrap();
    let number = main["registration_number"].as_str().unwrap().to_owned();
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/forwardings"),
            &w.reg,
            forward_part(w.s2, "Ремонт крыши школы № 12"),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let part_id = res.body["part"]["id"].as_i64().unwrap();

    // The receiver lists and reads the part as its own card.
    let list = w.app.get("/api/v1/appeals", &w.exec2).await.body;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "the receiver holds only the part: {list}");
    assert_eq!(items[0]["id"], part_id);
    let part = w
        .app
        .get(&format!("/api/v1/appeals/{part_id}"), &w.exec2)
        .await;
    assert_eq!(part.status, 200, "{}", part.body);
    let p = &part.body;
    assert_eq!(p["registration_number"], format!("{number}/1"));
    assert_eq!(p["main_appeal_id"], id);
    assert_eq!(p["part_k"], 1);
    assert_eq!(p["status"], "registered");
    assert_eq!(p["subject"]["code"], "S2");
    assert_eq!(p["registered_by_subject_id"], w.s2);
    assert_eq!(p["document_type"], "application");
    assert_eq!(p["tags"], json!(["отопление", "школа"]));
    assert_eq!(p["markings"], json!(["collective"]));
    assert_eq!(p["awaiting_acceptance"], true);
    assert_eq!(p["talon"], Value::Null);
    let text = p["text"].as_str().unwrap();
    assert!(text.contains("1. Ремонт крыши школы № 12"), "{text}");
    assert!(
        text.contains(&number),
        "the part refers to the main text: {text}"
    );
    // З-1 copies carry the part's number (requisite 1).
    let applicants = p["applicants"].as_array().unwrap();
    assert_eq!(applicants.len(), 2);
    assert_eq!(applicants[0]["iin_bin"], "921029350851");
    assert_eq!(
        applicants[0]["card"]["appeal_reg_number"],
        format!("{number}/1")
    );
    // The part is found by the applicant's IIN at the receiver.
    let by_iin = w
        .app
        .get("/api/v1/appeals?iin_bin=921029350851", &w.exec2)
        .await
        .body;
    assert_eq!(by_iin["items"].as_array().unwrap().len(), 1);

    // The receiver accepts it and works on it: e.g. forwards it on in full to a third subject.
    accept(&w, part_id).await;
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{part_id}/forwardings"),
            &w.exec2,
            json!({"to_subject_id": w.s3, "scope": "full"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["registration_number"], format!("{number}/1"));
    // A part is not split again (R4 [INF]).
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/forwardings"),
            &w.reg,
            forward_part(w.s2, "Ещё вопрос"),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let second_part = res.body["part"]["id"].as_i64().unwrap();
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{second_part}/forwardings"),
            &w.exec2,
            forward_part(w.s3, "Под-вопрос"),
        )
        .await;
    res.assert_problem(409, "conflict");

    // The forwarding subject reads its parts but does not hold them.
    let res = w
        .app
        .get(&format!("/api/v1/appeals/{second_part}"), &w.reg)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{second_part}/forwardings"),
            &w.reg,
            json!({"to_subject_id": w.s3, "scope": "full"}),
        )
        .await;
    res.assert_problem(403, "forbidden");
    let mine = w.app.get("/api/v1/appeals", &w.reg).await.body;
    let mine = mine["items"].as_array().unwrap();
    assert_eq!(mine.len(), 1, "S1 holds only the main appeal");
    assert_eq!(mine[0]["id"], id);
}

async fn full_forwarding_moves_the_card_to_the_receiver(backend: TestBackend) {
    let w = world(backend).await;
    let main = register(&w, &fresh_receipt()).await;
    let id = main["id"].as_i64().unwrap();
    let number = main["registration_number"].as_str().unwrap().to_owned();
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/forwardings"),
            &w.reg,
            json!({"to_subject_id": w.s2, "scope": "full", "reason": "Компетенция S2"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let f = &res.body;
    assert_eq!(f["scope"], "full");
    assert!(f["part"].is_null());
    assert_eq!(f["is_late"], false);
    assert_eq!(f["reason"], "Компетенция S2");
    let (_, review_due, forward_due) = receiver_dates(&f["forwarded_at"]);
    assert_eq!(f["receiver_review_due"], review_due.as_str());

    // Held by the receiver now: same number (R2), status «Переадресовано», term restarted (R35).
    let card = w.app.get(&format!("/api/v1/appeals/{id}"), &w.exec2).await;
    assert_eq!(card.status, 200, "{}", card.body);
    let c = &card.body;
    assert_eq!(c["registration_number"], number.as_str());
    assert_eq!(c["status"], "forwarded");
    assert_eq!(c["subject"]["code"], "S2");
    assert_eq!(c["registered_by_subject_id"], w.app.subject_id);
    assert_eq!(c["deadlines"]["review_due"], review_due.as_str());
    assert_eq!(c["deadlines"]["forward_due"], forward_due.as_str());
    assert!(c["part_k"].is_null());
    let theirs = w.app.get("/api/v1/appeals", &w.exec2).await.body;
    assert_eq!(theirs["items"][0]["id"], id);
    // Its tags moved with it: the receiver finds it by tag, the sender no longer lists it.
    let by_tag = "/api/v1/appeals?tag=%D0%BE%D1%82%D0%BE%D0%BF%D0%BB%D0%B5%D0%BD%D0%B8%D0%B5";
    let theirs = w.app.get(by_tag, &w.exec2).await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    assert_eq!(theirs.body["items"][0]["id"], id, "{}", theirs.body);
    let ours = w.app.get(by_tag, &w.reg).await.body;
    assert_eq!(ours["items"], json!([]), "{ours}");
    // No part is created; the number sequence is untouched.
    assert_eq!(
        repo::appeals::parts(&mut w.app.conn(), id).unwrap().len(),
        0
    );

    // The registering subject still reads the card and its forwardings, but no longer holds it.
    let res = w.app.get(&format!("/api/v1/appeals/{id}"), &w.reg).await;
    assert_eq!(res.status, 200);
    let list = w
        .app
        .get(&format!("/api/v1/appeals/{id}/forwardings"), &w.reg)
        .await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    let list = w
        .app
        .get(&format!("/api/v1/appeals/{id}/forwardings"), &w.exec2)
        .await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/forwardings"),
            &w.reg,
            json!({"to_subject_id": w.s3, "scope": "full"}),
        )
        .await;
    res.assert_problem(403, "forbidden");
    let mine = w.app.get("/api/v1/appeals", &w.reg).await.body;
    assert_eq!(mine["items"].as_array().unwrap().len(), 0);
    // «Переадресовано» is final in the lifecycle: forwarding it again is an invalid transition.
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/forwardings"),
            &w.exec2,
            json!({"to_subject_id": w.s3, "scope": "full"}),
        )
        .await;
    res.assert_problem(409, "invalid-transition");

    let history = w
        .app
        .get(&format!("/api/v1/appeals/{id}/history"), &w.exec2)
        .await
        .body;
    assert_eq!(actions(&history), ["registered", "forwarded"]);
    assert_eq!(history[1]["before"]["subject_id"], w.app.subject_id);
    assert_eq!(history[1]["after"]["subject_id"], w.s2);
    assert_eq!(history[1]["after"]["status"], "forwarded");
    assert_eq!(
        history[1]["before"]["review_due"],
        main["deadlines"]["review_due"]
    );
    assert_eq!(history[1]["after"]["review_due"], review_due.as_str());

    // The receiver takes the card into work: its own procedure starts (APPK art. 65, R35).
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/assignment"),
            &w.head2,
            json!({"executor_user_id": w.exec2.id}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["status"], "in_work");
    assert_eq!(res.body["registration_number"], number.as_str());
}

async fn forwarding_after_forward_due_is_flagged_late(backend: TestBackend) {
    let w = world(backend).await;
    let main = register(&w, OLD_RECEIPT).await;
    let id = main["id"].as_i64().unwrap();
    // R34: 3 working days from 2026-03-05 (inclusive; 9 March is a day off) → 2026-03-10.
    assert_eq!(main["deadlines"]["forward_due"], "2026-03-10");
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/forwardings"),
            &w.reg,
            forward_part(w.s2, "Ремонт крыши школы № 12"),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["is_late"], true);
    assert_eq!(res.body["forward_due"], "2026-03-10");
    let forwarded_on = res.body["forwarded_on"].as_str().unwrap();
    assert!(forwarded_on > "2026-03-10", "{forwarded_on}");
    // The part's own terms still start at the receiver (R35), whatever the lateness.
    let (_, review_due, _) = receiver_dates(&res.body["forwarded_at"]);
    assert_eq!(
        res.body["part"]["deadlines"]["review_due"],
        review_due.as_str()
    );
    // Stored on the forwarding row and in the main card's details.
    let mut conn = w.app.conn();
    let rows = repo::forwardings::list_for_appeal(&mut conn, id).unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].is_late);
    let card = repo::appeals::get(&mut conn, id).unwrap();
    let details: Value = serde_json::from_str(&card.details).unwrap();
    assert_eq!(details["forwarded_late"], true);
    drop(conn);
    let history = w
        .app
        .get(&format!("/api/v1/appeals/{id}/history"), &w.reg)
        .await
        .body;
    assert_eq!(history[1]["after"]["is_late"], true);
    // An on-time forwarding is not flagged.
    let fresh = register(&w, &fresh_receipt()).await;
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{}/forwardings", fresh["id"]),
            &w.reg,
            json!({"to_subject_id": w.s2, "scope": "full"}),
        )
        .await;
    assert_eq!(res.body["is_late"], false);
}

async fn invalid_forwardings_are_422_and_store_nothing(backend: TestBackend) {
    let w = world(backend).await;
    let main = register(&w, &fresh_receipt()).await;
    let id = main["id"].as_i64().unwrap();
    let uri = format!("/api/v1/appeals/{id}/forwardings");
    let cases = [
        (forward_part(w.app.subject_id, "Вопрос"), "#/to_subject_id"),
        (forward_part(999_999, "Вопрос"), "#/to_subject_id"),
        (
            json!({"to_subject_id": w.s2, "scope": "part"}),
            "#/questions",
        ),
        (
            json!({"to_subject_id": w.s2, "scope": "part", "questions": ["  "]}),
            "#/questions/0",
        ),
    ];
    for (body, pointer) in cases {
        let res = w.app.post(&uri, &w.reg, body.clone()).await;
        res.assert_problem(422, "validation");
        assert_eq!(
            res.body["errors"][0]["pointer"], pointer,
            "{body}: {}",
            res.body
        );
    }
    let res = w
        .app
        .post(
            &uri,
            &w.reg,
            json!({"to_subject_id": w.s2, "scope": "sideways"}),
        )
        .await;
    res.assert_problem(422, "validation");
    // Nothing changed: same version and status, no forwarding, no part, one history event.
    let card = w
        .app
        .get(&format!("/api/v1/appeals/{id}"), &w.reg)
        .await
        .body;
    assert_eq!(card["version"], 1);
    assert_eq!(card["status"], "registered");
    let list = w.app.get(&uri, &w.reg).await.body;
    assert_eq!(list, json!([]));
    assert_eq!(
        repo::appeals::parts(&mut w.app.conn(), id).unwrap().len(),
        0
    );
    let theirs = w.app.get("/api/v1/appeals", &w.exec2).await.body;
    assert_eq!(theirs["items"], json!([]));
    let history = w
        .app
        .get(&format!("/api/v1/appeals/{id}/history"), &w.reg)
        .await
        .body;
    assert_eq!(actions(&history), ["registered"]);
}

async fn wrong_role_is_403_and_other_subject_is_404(backend: TestBackend) {
    let w = world(backend).await;
    let main = register(&w, &fresh_receipt()).await;
    let id = main["id"].as_i64().unwrap();
    let uri = format!("/api/v1/appeals/{id}/forwardings");
    let controller = w.app.user("ctl", "S1", &[Role::Controller]);
    w.app
        .post(&uri, &controller, forward_part(w.s2, "Вопрос"))
        .await
        .assert_problem(403, "forbidden");
    // Closing is for executors and heads.
    w.app
        .post(&format!("/api/v1/appeals/{id}/closure"), &w.reg, json!({}))
        .await
        .assert_problem(403, "forbidden");
    // Another subject's appeal does not exist for S3 (nor for the receiver-to-be S2).
    let other = w.app.user("reg3", "S3", &[Role::Registrar]);
    w.app
        .post(&uri, &other, forward_part(w.s2, "Вопрос"))
        .await
        .assert_problem(404, "not-found");
    w.app
        .get(&uri, &other)
        .await
        .assert_problem(404, "not-found");
    w.app
        .post(
            &format!("/api/v1/appeals/{id}/closure"),
            &w.head2,
            json!({}),
        )
        .await
        .assert_problem(404, "not-found");
    w.app
        .get(&format!("{uri}/1"), &w.reg)
        .await
        .assert_problem(404, "not-found");
    let card = w
        .app
        .get(&format!("/api/v1/appeals/{id}"), &w.reg)
        .await
        .body;
    assert_eq!(card["version"], 1);
}

async fn main_appeal_cannot_close_while_a_part_is_open(backend: TestBackend) {
    let w = world(backend).await;
    let main = register(&w, &fresh_receipt()).await;
    let id = main["id"].as_i64().unwrap();
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/forwardings"),
            &w.reg,
            forward_part(w.s2, "Ремонт крыши школы № 12"),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let part_id = res.body["part"]["id"].as_i64().unwrap();
    let close = |appeal: i64, user: &TestUser| {
        TestRequest::post()
            .uri(&format!("/api/v1/appeals/{appeal}/closure"))
            .insert_header(bearer(user))
    };

    // Only a decided appeal closes.
    w.app
        .send(close(id, &w.head))
        .await
        .assert_problem(409, "invalid-transition");
    // The rest is decided at S1 (an ОЛ-2 through the API) — the part is still open.
    decide(&w, id, &w.head).await;
    let before = w
        .app
        .get(&format!("/api/v1/appeals/{id}"), &w.head)
        .await
        .body;
    assert_eq!(before["status"], "decided");
    let res = w.app.send(close(id, &w.head)).await;
    res.assert_problem(409, "conflict");
    assert!(
        res.body["detail"]
            .as_str()
            .unwrap()
            .contains("1 forwarded part"),
        "{}",
        res.body
    );
    let after = w
        .app
        .get(&format!("/api/v1/appeals/{id}"), &w.head)
        .await
        .body;
    assert_eq!(after["version"], before["version"]);
    assert_eq!(after["status"], "decided");

    // The receiver accepts, decides and closes its part.
    w.app
        .send(close(part_id, &w.head2))
        .await
        .assert_problem(409, "conflict");
    accept(&w, part_id).await;
    w.app.assign(part_id, &w.head2, &w.exec2).await;
    w.app
        .send(close(part_id, &w.exec2))
        .await
        .assert_problem(409, "invalid-transition");
    decide(&w, part_id, &w.exec2).await;
    let res = w.app.send(close(part_id, &w.exec2)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["status"], "closed");
    assert_eq!(
        res.header("etag"),
        Some(format!("\"{}\"", res.body["version"]).as_str())
    );
    // The main's subject cannot close the part it does not hold.
    w.app
        .send(close(part_id, &w.head))
        .await
        .assert_problem(403, "forbidden");

    // With no open part the main appeal closes.
    let res = w.app.send(close(id, &w.head)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["status"], "closed");
    let history = w
        .app
        .get(&format!("/api/v1/appeals/{id}/history"), &w.head)
        .await
        .body;
    assert_eq!(
        actions(&history),
        ["registered", "forwarded", "decision_recorded", "closed"]
    );
    assert_eq!(history[3]["before"]["status"], "decided");
    assert_eq!(history[3]["after"]["open_parts"], 0);
    let part_history = w
        .app
        .get(&format!("/api/v1/appeals/{part_id}/history"), &w.head2)
        .await
        .body;
    assert_eq!(
        actions(&part_history),
        [
            "registered",
            "part_accepted",
            "assigned",
            "decision_recorded",
            "closed"
        ]
    );
    let row = repo::appeals::get(&mut w.app.conn(), id).unwrap();
    assert!(row.closed_at.is_some());
    // Closed is final.
    w.app
        .send(close(id, &w.head))
        .await
        .assert_problem(409, "invalid-transition");
}

async fn idempotent_retry_forwards_once(backend: TestBackend) {
    let w = world(backend).await;
    let main = register(&w, &fresh_receipt()).await;
    let id = main["id"].as_i64().unwrap();
    let send = |body: Value| {
        TestRequest::post()
            .uri(&format!("/api/v1/appeals/{id}/forwardings"))
            .insert_header(bearer(&w.reg))
            .insert_header(("Idempotency-Key", "fwd-1"))
            .set_json(body)
    };
    let first = w.app.send(send(forward_part(w.s2, "Вопрос"))).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let second = w.app.send(send(forward_part(w.s2, "Вопрос"))).await;
    assert_eq!(second.status, 201);
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("location"), first.header("location"));
    let list = w
        .app
        .get(&format!("/api/v1/appeals/{id}/forwardings"), &w.reg)
        .await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    w.app
        .send(send(forward_part(w.s3, "Вопрос")))
        .await
        .assert_problem(422, "idempotency-key-reused");
}

/// An ОЛ-2 «Принять к сведению» through the API (R23: closure needs one).
async fn decide(w: &World, id: i64, user: &TestUser) {
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/decisions"),
            user,
            json!({"decision_type": "take_note"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["appeal"]["status"], "decided");
}

/// The receiving registrar accepts a forwarded part.
async fn accept(w: &World, part_id: i64) -> Value {
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{part_id}/acceptance"),
            &w.reg2,
            json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.body
}

/// p.11 part 2, R5: the number `N/k` is given at forwarding; the part waits in the receiver's
/// inbox, untouchable but by acceptance, with its clocks running from the forwarding; the
/// receiving registrar accepts it and the talon is issued then, in the receiver's name, by them.
async fn a_part_waits_for_the_receiving_registrar_who_issues_its_talon(backend: TestBackend) {
    let w = world(backend).await;
    let main = register(&w, &fresh_receipt()).await;
    let id = main["id"].as_i64().unwrap();
    let number = main["registration_number"].as_str().unwrap().to_owned();
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/forwardings"),
            &w.reg,
            forward_part(w.s2, "Ремонт крыши школы № 12"),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let part = res.body["part"].clone();
    let part_id = part["id"].as_i64().unwrap();
    assert_eq!(part["registration_number"], format!("{number}/1"));
    let forward_due = part["deadlines"]["forward_due"].clone();
    let review_due = part["deadlines"]["review_due"].clone();

    // In the receiver's inbox, not among the cards to route.
    let inbox = w
        .app
        .get(
            "/api/v1/worklists/awaiting_acceptance?scope=subject",
            &w.reg2,
        )
        .await;
    assert_eq!(inbox.status, 200, "{}", inbox.body);
    let ids: Vec<i64> = inbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [part_id]);
    let to_route = w
        .app
        .get(
            "/api/v1/worklists/awaiting_assignment?scope=subject",
            &w.reg2,
        )
        .await;
    assert_eq!(to_route.body["items"], json!([]));

    // Nothing but the acceptance touches it; the forwarding subject cannot accept it.
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{part_id}/assignment"),
            &w.head2,
            json!({"executor_user_id": w.exec2.id}),
        )
        .await;
    res.assert_problem(409, "conflict");
    assert!(res.body["detail"].as_str().unwrap().contains("acceptance"));
    w.app
        .post(
            &format!("/api/v1/appeals/{part_id}/acceptance"),
            &w.reg,
            json!({}),
        )
        .await
        .assert_problem(403, "forbidden");
    w.app
        .post(
            &format!("/api/v1/appeals/{id}/acceptance"),
            &w.reg,
            json!({}),
        )
        .await
        .assert_problem(409, "conflict");

    // The receiving registrar accepts: the talon names the receiver and the accepting person.
    let accepted = accept(&w, part_id).await;
    assert_eq!(accepted["awaiting_acceptance"], false);
    assert_eq!(
        accepted["talon"]["registration_number"],
        format!("{number}/1")
    );
    assert_eq!(accepted["talon"]["subject_name"], "Субъект S2");
    assert_eq!(accepted["talon"]["accepted_by"], "reg2 R.");
    // The clocks ran from the forwarding and stay.
    assert_eq!(accepted["deadlines"]["forward_due"], forward_due);
    assert_eq!(accepted["deadlines"]["review_due"], review_due);
    let history = w
        .app
        .get(&format!("/api/v1/appeals/{part_id}/history"), &w.reg2)
        .await
        .body;
    assert_eq!(actions(&history), ["registered", "part_accepted"]);
    assert_eq!(history[1]["actor_user_id"], w.reg2.id);
    assert_eq!(history[1]["after"]["talon"]["subject_name"], "Субъект S2");
    w.app
        .post(
            &format!("/api/v1/appeals/{part_id}/acceptance"),
            &w.reg2,
            json!({}),
        )
        .await
        .assert_problem(409, "conflict");
    let inbox = w
        .app
        .get(
            "/api/v1/worklists/awaiting_acceptance?scope=subject",
            &w.reg2,
        )
        .await;
    assert_eq!(inbox.body["items"], json!([]));
    // Now it is the receiver's work.
    w.app.assign(part_id, &w.head2, &w.exec2).await;
}
