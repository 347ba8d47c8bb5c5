#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! ОЛ-2 decisions (R22, R40, R41), extensions (R36, R37), withdrawal (R45) and the p.15 transfer
//! with its cancellation (R16–R18) over HTTP, on both backends.

use actix_web::test::TestRequest;
use appeals_api::auth::Role;
use appeals_domain::calendar::Calendar;
use appeals_domain::deadline::{self, DeadlineSettings};
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests, bearer};
use chrono::NaiveDate;
use serde_json::{Value, json};

/// An application received Thursday 2026-03-05 09:15 local: registered 2026-03-05, review due
/// 2026-03-31 (15 working days, R27/R28).
fn appeal_body() -> Value {
    json!({
        "document_type": "application",
        "tags": ["отопление"],
        "applicants": [{"category": "individual", "iin_bin": "921029350851", "surname": "Ахметов", "first_name": "Ерлан", "address": {"street": "пр. Абая", "house": "10"}}],
        "text": "Прошу восстановить отопление в доме по адресу пр. Абая, 10.",
        "summary": "Нет отопления",
        "receipt_form": "electronic",
        "language": "state",
        "received_at": "2026-03-05T04:15:00Z"
    })
}

struct Staff {
    registrar: TestUser,
    executor: TestUser,
    head: TestUser,
}

fn staff(app: &TestApp) -> Staff {
    Staff {
        registrar: app.user("reg", "S1", &[Role::Registrar]),
        executor: app.user("ex", "S1", &[Role::Executor]),
        head: app.user("boss", "S1", &[Role::Head]),
    }
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn register(app: &TestApp, s: &Staff, body: Value) -> i64 {
    let res = app.post("/api/v1/appeals", &s.registrar, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

/// Registers and routes the card to the executor (`in_work`).
async fn in_work(app: &TestApp, s: &Staff, body: Value) -> i64 {
    let id = register(app, s, body).await;
    let res = app
        .post(
            &format!("/api/v1/appeals/{id}/assignment"),
            &s.registrar,
            json!({"executor_user_id": s.executor.id}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["status"], "in_work");
    id
}

/// The card's ETag, status and history length — what a rejected request must leave untouched.
async fn snapshot(app: &TestApp, id: i64, user: &TestUser) -> (String, Value, usize, usize) {
    let card = app.get(&format!("/api/v1/appeals/{id}"), user).await;
    let history = app
        .get(&format!("/api/v1/appeals/{id}/history"), user)
        .await;
    let decisions = app
        .get(&format!("/api/v1/appeals/{id}/decisions"), user)
        .await;
    (
        card.header("etag").unwrap().to_owned(),
        card.body["status"].clone(),
        history.body.as_array().unwrap().len(),
        decisions.body.as_array().unwrap().len(),
    )
}

fn pointers(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap().to_owned())
        .collect()
}

backend_tests!(
    two_decisions_make_two_ol2_cards_with_seq_1_and_2,
    decision_needs_the_card_in_work_and_a_deciding_role,
    group_2_termination_reason_on_a_request_is_422,
    answer_character_required_for_answer_and_absent_for_take_note,
    decision_retry_with_idempotency_key_records_once,
    extension_only_by_heads_within_the_cap,
    withdrawal_continuation_and_accepted_withdrawal,
    assignment_needs_an_executor_of_the_subject,
    transfer_and_late_cancellation_are_ol2_cards,
    transfer_only_for_non_accountable_documents,
    transfer_overdue_list_drops_transferred_cards,
    other_subjects_get_404,
    first_decision_is_the_final_act_and_sets_the_deemed_refusal_date,
    article_63_notice_waits_for_the_correction_and_flags_a_late_one,
    deadlines_explain_every_clock_and_where_it_stands_today,
    deemed_refusals_are_listed_until_the_final_act,
);

async fn two_decisions_make_two_ol2_cards_with_seq_1_and_2(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.allow_entering_past_acts().await;
    let s = staff(&app);
    let id = in_work(&app, &s, appeal_body()).await;
    let uri = format!("/api/v1/appeals/{id}/decisions");
    let first = app
        .post(
            &uri,
            &s.executor,
            json!({"decision_type": "provide_answer", "answer_character": "explained",
                   "answer_text": "Отопление восстановлено.", "decided_at": "2026-03-12T06:00:00Z"}),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body["decision"]["seq"], 1);
    assert_eq!(first.body["decision"]["card_kind"], "decision");
    assert_eq!(first.body["decision"]["decision_type"], "provide_answer");
    assert_eq!(first.body["decision"]["answer_character"], "explained");
    assert_eq!(first.body["decision"]["decided_at"], "2026-03-12T06:00:00Z");
    assert_eq!(first.body["appeal"]["status"], "decided");
    assert_eq!(
        first.header("etag").unwrap(),
        format!("\"{}\"", first.body["appeal"]["version"])
    );
    let second = app
        .post(&uri, &s.head, json!({"decision_type": "take_note"}))
        .await;
    assert_eq!(second.status, 201, "{}", second.body);
    assert_eq!(second.body["decision"]["seq"], 2);
    assert_eq!(second.body["appeal"]["status"], "decided");
    // R22: both cards are kept, each copying requisite 2 from ОЛ-1.
    let list = app.get(&uri, &s.registrar).await;
    assert_eq!(list.status, 200);
    let cards = list.body.as_array().unwrap();
    assert_eq!(cards.len(), 2);
    let number = &first.body["appeal"]["registration_number"];
    for (card, seq) in cards.iter().zip([1, 2]) {
        assert_eq!(card["seq"], seq);
        assert_eq!(&card["registration_number"], number);
        assert_eq!(card["appeal_id"], id);
    }
    assert_eq!(cards[0]["answer_text"], "Отопление восстановлено.");
    assert_eq!(cards[0]["decided_by_user_id"], s.executor.id);
    assert_eq!(cards[1]["decision_type"], "take_note");
    assert!(cards[1]["answer_character"].is_null());
    let history = app
        .get(&format!("/api/v1/appeals/{id}/history"), &s.registrar)
        .await
        .body;
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "registered",
            "assigned",
            "decision_recorded",
            "decision_recorded"
        ]
    );
    assert_eq!(history[2]["before"]["status"], "in_work");
    assert_eq!(history[2]["after"]["status"], "decided");
    assert_eq!(history[3]["after"]["seq"], 2);
}

async fn decision_needs_the_card_in_work_and_a_deciding_role(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let s = staff(&app);
    let id = register(&app, &s, appeal_body()).await;
    let uri = format!("/api/v1/appeals/{id}/decisions");
    let body = json!({"decision_type": "take_note"});
    let before = snapshot(&app, id, &s.registrar).await;
    // Registered, not yet routed: the life cycle refuses (409).
    let res = app.post(&uri, &s.executor, body.clone()).await;
    res.assert_problem(409, "invalid-transition");
    assert!(res.body["detail"].as_str().unwrap().contains("registered"));
    app.post(&uri, &s.registrar, body.clone())
        .await
        .assert_problem(403, "forbidden");
    // A decision dated before the registration, an unknown type and unknown fields → 422.
    let res = app
        .post(
            &uri,
            &s.executor,
            json!({"decision_type": "approve_everything", "decided_at": "2026-03-01T00:00:00Z"}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert!(pointers(&res.body).contains(&"#/decision_type".to_owned()));
    // A stale If-Match → 412.
    let res = app
        .send(
            TestRequest::post()
                .uri(&uri)
                .insert_header(bearer(&s.executor))
                .insert_header(("If-Match", "\"9\""))
                .set_json(body.clone()),
        )
        .await;
    res.assert_problem(412, "precondition-failed");
    assert_eq!(snapshot(&app, id, &s.registrar).await, before);
    // Routed: the decision dated before registration is still refused; a good one is accepted.
    let id = in_work(&app, &s, appeal_body()).await;
    let uri = format!("/api/v1/appeals/{id}/decisions");
    let before = snapshot(&app, id, &s.registrar).await;
    let res = app
        .post(
            &uri,
            &s.executor,
            json!({"decision_type": "take_note", "decided_at": "2026-03-01T00:00:00Z"}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(pointers(&res.body), ["#/decided_at"]);
    assert_eq!(snapshot(&app, id, &s.registrar).await, before);
    let res = app
        .send(
            TestRequest::post()
                .uri(&uri)
                .insert_header(bearer(&s.executor))
                .insert_header(("If-Match", before.0.clone()))
                .set_json(body),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
}

async fn group_2_termination_reason_on_a_request_is_422(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let s = staff(&app);
    let mut body = appeal_body();
    body["document_type"] = json!("request_information");
    let id = in_work(&app, &s, body).await;
    let uri = format!("/api/v1/appeals/{id}/decisions");
    let before = snapshot(&app, id, &s.executor).await;
    // R40: «court_act_in_force» is a group-2 (заявление) reason; a «Запрос» takes reasons 1–4.
    let res = app
        .post(
            &uri,
            &s.executor,
            json!({"decision_type": "terminate", "termination_reason": "court_act_in_force"}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(pointers(&res.body), ["#/termination_reason"]);
    // «terminate» without a reason, and a reason on another decision type, are refused too.
    let res = app
        .post(&uri, &s.executor, json!({"decision_type": "terminate"}))
        .await;
    assert_eq!(pointers(&res.body), ["#/termination_reason"]);
    let res = app
        .post(
            &uri,
            &s.executor,
            json!({"decision_type": "favourable_act", "termination_reason": "message_withdrawal_accepted"}),
        )
        .await;
    assert_eq!(pointers(&res.body), ["#/termination_reason"]);
    assert_eq!(snapshot(&app, id, &s.executor).await, before);
    // A group-1 reason is accepted.
    let res = app
        .post(
            &uri,
            &s.executor,
            json!({"decision_type": "terminate", "termination_reason": "message_withdrawal_accepted"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(
        res.body["decision"]["termination_reason"],
        "message_withdrawal_accepted"
    );
}

async fn answer_character_required_for_answer_and_absent_for_take_note(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let s = staff(&app);
    let id = in_work(&app, &s, appeal_body()).await;
    let uri = format!("/api/v1/appeals/{id}/decisions");
    let before = snapshot(&app, id, &s.executor).await;
    // R41: «Предоставить ответ» without the answer character.
    let res = app
        .post(
            &uri,
            &s.executor,
            json!({"decision_type": "provide_answer"}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(pointers(&res.body), ["#/answer_character"]);
    // R41: «Принять к сведению» with one.
    let res = app
        .post(
            &uri,
            &s.executor,
            json!({"decision_type": "take_note", "answer_character": "refused"}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(pointers(&res.body), ["#/answer_character"]);
    // Not one of the three values.
    let res = app
        .post(
            &uri,
            &s.executor,
            json!({"decision_type": "provide_answer", "answer_character": "maybe"}),
        )
        .await;
    assert_eq!(pointers(&res.body), ["#/answer_character"]);
    assert_eq!(snapshot(&app, id, &s.executor).await, before);
    for character in ["explained", "satisfied", "refused"] {
        let res = app
            .post(
                &uri,
                &s.executor,
                json!({"decision_type": "provide_answer", "answer_character": character}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(res.body["decision"]["answer_character"], character);
    }
}

async fn decision_retry_with_idempotency_key_records_once(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let s = staff(&app);
    let id = in_work(&app, &s, appeal_body()).await;
    let uri = format!("/api/v1/appeals/{id}/decisions");
    let send = |body: Value| {
        TestRequest::post()
            .uri(&uri)
            .insert_header(bearer(&s.executor))
            .insert_header(("Idempotency-Key", "decision-1"))
            .set_json(body)
    };
    let body = json!({"decision_type": "provide_answer", "answer_character": "satisfied"});
    let first = app.send(send(body.clone())).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let second = app.send(send(body)).await;
    assert_eq!(second.status, 201);
    assert_eq!(second.body, first.body);
    app.send(send(json!({"decision_type": "take_note"})))
        .await
        .assert_problem(422, "idempotency-key-reused");
    let list = app.get(&uri, &s.executor).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
}

async fn extension_only_by_heads_within_the_cap(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let s = staff(&app);
    let deputy = app.user("deputy", "S1", &[Role::DeputyHead]);
    let calendar = Calendar::kazakhstan_default();
    let settings = DeadlineSettings::default();
    let registered = date("2026-03-05");
    let cap = deadline::extension_cap(&calendar, &settings, registered)
        .unwrap()
        .date;
    // 2 calendar months from 2026-03-05 (inclusive): 2026-05-04, a working Monday.
    assert_eq!(cap, date("2026-05-04"));
    let mut beyond = cap.succ_opt().unwrap();
    while !calendar.is_working_day(beyond).unwrap() {
        beyond = beyond.succ_opt().unwrap();
    }
    let wanted = date("2026-04-15");
    assert!(calendar.is_working_day(wanted).unwrap());

    // Not in work yet: the extension workflow is refused by the life cycle (409).
    let registered_only = register(&app, &s, appeal_body()).await;
    app.post(
        &format!("/api/v1/appeals/{registered_only}/extensions"),
        &s.head,
        json!({"new_review_due": wanted, "reason": "Нужна экспертиза."}),
    )
    .await
    .assert_problem(409, "invalid-transition");

    let id = in_work(&app, &s, appeal_body()).await;
    let uri = format!("/api/v1/appeals/{id}/extensions");
    let before = snapshot(&app, id, &s.head).await;
    // R36: an executor may not extend.
    app.post(
        &uri,
        &s.executor,
        json!({"new_review_due": wanted, "reason": "Нужна экспертиза."}),
    )
    .await
    .assert_problem(403, "forbidden");
    // R36: beyond the cap of 2 months from registration.
    let res = app
        .post(
            &uri,
            &s.head,
            json!({"new_review_due": beyond, "reason": "Нужна экспертиза."}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(pointers(&res.body), ["#/new_review_due"]);
    assert!(
        res.body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains(&cap.to_string())
    );
    // Not later than the current deadline; a non-working day; no motivation.
    for (bad, pointer) in [
        (
            json!({"new_review_due": "2026-03-30", "reason": "x"}),
            "#/new_review_due",
        ),
        (
            json!({"new_review_due": "2026-04-18", "reason": "x"}),
            "#/new_review_due",
        ),
        (
            json!({"new_review_due": wanted, "reason": "   "}),
            "#/reason",
        ),
        (json!({"new_review_due": wanted}), "#"),
    ] {
        let res = app.post(&uri, &s.head, bad.clone()).await;
        res.assert_problem(422, "validation");
        assert_eq!(pointers(&res.body), [pointer], "{bad}");
    }
    assert_eq!(snapshot(&app, id, &s.head).await, before);

    // A valid extension moves requisite 13 and counts (R37).
    let res = app
        .post(
            &uri,
            &s.head,
            json!({"new_review_due": wanted, "reason": "Требуется выезд комиссии."}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["review_due_before"], "2026-03-31");
    assert_eq!(res.body["review_due"], "2026-04-15");
    assert_eq!(res.body["cap"], cap.to_string());
    assert_eq!(res.body["prolong_count"], 1);
    assert_eq!(res.body["appeal"]["status"], "extended");
    assert_eq!(res.body["appeal"]["deadlines"]["review_due"], "2026-04-15");
    let today = (chrono::Utc::now() + chrono::Duration::hours(5)).date_naive();
    let notice = deadline::extension_notice_due(&calendar, &settings, today)
        .unwrap()
        .date;
    assert_eq!(res.body["notice_due"], notice.to_string());
    let card = app.get(&format!("/api/v1/appeals/{id}"), &s.executor).await;
    assert_eq!(card.body["deadlines"]["review_due"], "2026-04-15");
    let history = app
        .get(&format!("/api/v1/appeals/{id}/history"), &s.executor)
        .await
        .body;
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "review_extended");
    assert_eq!(last["actor_user_id"], s.head.id);
    assert_eq!(last["before"]["review_due"], "2026-03-31");
    assert_eq!(last["after"]["review_due"], "2026-04-15");
    assert_eq!(last["after"]["reason"], "Требуется выезд комиссии.");
    assert_eq!(last["after"]["prolong_count"], 1);
    // A deputy head extends once more, still within the cap; the same date again is refused.
    app.post(
        &uri,
        &deputy,
        json!({"new_review_due": wanted, "reason": "x"}),
    )
    .await
    .assert_problem(422, "validation");
    let res = app
        .post(
            &uri,
            &deputy,
            json!({"new_review_due": cap, "reason": "Заключение не получено."}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["prolong_count"], 2);
    // The extended card can be decided.
    let res = app
        .post(
            &format!("/api/v1/appeals/{id}/decisions"),
            &s.executor,
            json!({"decision_type": "favourable_act"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
}

async fn withdrawal_continuation_and_accepted_withdrawal(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.allow_entering_past_acts().await;
    let s = staff(&app);
    let id = in_work(&app, &s, appeal_body()).await;
    let base = format!("/api/v1/appeals/{id}");
    // R45: withdrawal → «Отозвано».
    let res = app
        .post(
            &format!("{base}/withdrawal"),
            &s.registrar,
            json!({"reason": "Вопрос решен.", "withdrawn_at": "2026-03-10T05:00:00Z"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["status"], "withdrawn");
    let before = snapshot(&app, id, &s.executor).await;
    app.post(&format!("{base}/withdrawal"), &s.registrar, json!({}))
        .await
        .assert_problem(409, "invalid-transition");
    // «Продолжить рассмотрение» needs a reason.
    let res = app
        .post(
            &format!("{base}/continuation"),
            &s.executor,
            json!({"reason": " "}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(pointers(&res.body), ["#/reason"]);
    app.post(&format!("{base}/continuation"), &s.executor, json!({}))
        .await
        .assert_problem(422, "validation");
    assert_eq!(snapshot(&app, id, &s.executor).await, before);
    let res = app
        .post(
            &format!("{base}/continuation"),
            &s.executor,
            json!({"reason": "Затронуты права третьих лиц."}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["status"], "in_work");
    // Continuation only after a withdrawal.
    app.post(
        &format!("{base}/continuation"),
        &s.executor,
        json!({"reason": "again"}),
    )
    .await
    .assert_problem(409, "invalid-transition");
    // Withdrawn again; the accepted withdrawal is recorded as termination reason 6 (R45).
    let res = app
        .post(&format!("{base}/withdrawal"), &s.registrar, json!({}))
        .await;
    assert_eq!(res.body["status"], "withdrawn");
    let res = app
        .post(
            &format!("{base}/decisions"),
            &s.executor,
            json!({"decision_type": "terminate", "termination_reason": "appeal_withdrawal_accepted"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["appeal"]["status"], "decided");
    let history = app.get(&format!("{base}/history"), &s.executor).await.body;
    let events = history.as_array().unwrap();
    let withdrawn = events.iter().find(|e| e["action"] == "withdrawn").unwrap();
    assert_eq!(withdrawn["before"]["status"], "in_work");
    assert_eq!(withdrawn["after"]["reason"], "Вопрос решен.");
    assert_eq!(withdrawn["after"]["withdrawn_at"], "2026-03-10T05:00:00Z");
    assert!(
        events
            .iter()
            .any(|e| e["action"] == "consideration_continued"
                && e["after"]["reason"] == "Затронуты права третьих лиц.")
    );
}

async fn assignment_needs_an_executor_of_the_subject(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let s = staff(&app);
    app.subject("S2", false);
    let foreign = app.user("foreign-ex", "S2", &[Role::Executor]);
    let id = register(&app, &s, appeal_body()).await;
    let uri = format!("/api/v1/appeals/{id}/assignment");
    let before = snapshot(&app, id, &s.registrar).await;
    for user_id in [s.head.id, foreign.id, 999_999] {
        let res = app
            .post(&uri, &s.registrar, json!({"executor_user_id": user_id}))
            .await;
        res.assert_problem(422, "validation");
        assert_eq!(pointers(&res.body), ["#/executor_user_id"]);
    }
    app.post(
        &uri,
        &s.executor,
        json!({"executor_user_id": s.executor.id}),
    )
    .await
    .assert_problem(403, "forbidden");
    assert_eq!(snapshot(&app, id, &s.registrar).await, before);
    let res = app
        .post(&uri, &s.head, json!({"executor_user_id": s.executor.id}))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.header("etag"), Some("\"2\""));
    app.post(&uri, &s.head, json!({"executor_user_id": s.executor.id}))
        .await
        .assert_problem(409, "invalid-transition");
}

/// A message with a p.15 category, received Monday 2026-05-04: transfer due 2026-05-06 (R16).
fn non_accountable_body(received_at: &str) -> Value {
    let mut body = appeal_body();
    body["document_type"] = json!("message");
    body["non_accountable_category"] = json!("advertising_proposals");
    body["received_at"] = json!(received_at);
    body
}

async fn transfer_and_late_cancellation_are_ol2_cards(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.allow_entering_past_acts().await;
    let s = staff(&app);
    let id = register(&app, &s, non_accountable_body("2026-05-04T04:00:00Z")).await;
    let base = format!("/api/v1/appeals/{id}");
    // Transferred on 2026-05-07 local, after the due date 2026-05-06 → late (R16).
    let res = app
        .post(
            &format!("{base}/transfers"),
            &s.registrar,
            json!({"target_system": "ИС «Е-собес»", "transferred_at": "2026-05-07T06:00:00Z"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let transfer = res.body["decision"].clone();
    assert_eq!(transfer["card_kind"], "transfer");
    assert_eq!(transfer["seq"], 1);
    assert_eq!(transfer["category"], "advertising_proposals");
    assert_eq!(transfer["target_system"], "ИС «Е-собес»");
    assert_eq!(transfer["due"], "2026-05-06");
    assert_eq!(transfer["is_late"], true);
    assert_eq!(res.body["appeal"]["status"], "transferred");
    let transfer_id = transfer["id"].as_i64().unwrap();
    // A transferred card takes no decision and no second transfer.
    app.post(
        &format!("{base}/decisions"),
        &s.executor,
        json!({"decision_type": "take_note"}),
    )
    .await
    .assert_problem(409, "invalid-transition");
    app.post(
        &format!("{base}/transfers"),
        &s.registrar,
        json!({"target_system": "x"}),
    )
    .await
    .assert_problem(409, "invalid-transition");

    let cancel_uri = format!("{base}/transfers/{transfer_id}/cancellation");
    let before = snapshot(&app, id, &s.registrar).await;
    // Cancelled before the decision to cancel, or without a reason → 422; unknown transfer → 404.
    let res = app
        .post(
            &cancel_uri,
            &s.registrar,
            json!({"decided_at": "2026-05-12T04:00:00Z", "cancelled_at": "2026-05-11T04:00:00Z", "reason": "x"}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(pointers(&res.body), ["#/cancelled_at"]);
    app.post(
        &cancel_uri,
        &s.registrar,
        json!({"decided_at": "2026-05-12T04:00:00Z", "reason": ""}),
    )
    .await
    .assert_problem(422, "validation");
    app.post(
        &format!("{base}/transfers/999999/cancellation"),
        &s.registrar,
        json!({"decided_at": "2026-05-12T04:00:00Z", "reason": "x"}),
    )
    .await
    .assert_problem(404, "not-found");
    assert_eq!(snapshot(&app, id, &s.registrar).await, before);

    // Decision to cancel on Tuesday 2026-05-12 local; cancelled on 2026-05-14 → late (R18).
    let due = deadline::transfer_cancellation_due(
        &Calendar::kazakhstan_default(),
        &DeadlineSettings::default(),
        date("2026-05-12"),
    )
    .unwrap()
    .date;
    assert_eq!(due, date("2026-05-12"));
    let res = app
        .post(
            &cancel_uri,
            &s.registrar,
            json!({"decided_at": "2026-05-12T04:00:00Z", "cancelled_at": "2026-05-14T05:00:00Z",
                   "reason": "Документ подлежит учету."}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let c = &res.body["decision"];
    assert_eq!(c["card_kind"], "transfer_cancellation");
    assert_eq!(c["seq"], 2);
    assert_eq!(c["transfer_id"], transfer_id);
    assert_eq!(c["cancellation_decided_at"], "2026-05-12T04:00:00Z");
    assert_eq!(c["decided_at"], "2026-05-14T05:00:00Z");
    assert_eq!(c["due"], due.to_string());
    assert_eq!(c["is_late"], true);
    assert_eq!(c["reason"], "Документ подлежит учету.");
    // The document is accounted and considered again.
    assert_eq!(res.body["appeal"]["status"], "in_work");
    assert_eq!(res.body["appeal"]["is_accountable"], true);
    assert!(res.body["appeal"]["non_accountable_category"].is_null());
    // A transfer is cancelled once.
    app.post(
        &cancel_uri,
        &s.registrar,
        json!({"decided_at": "2026-05-12T04:00:00Z", "reason": "again"}),
    )
    .await
    .assert_problem(409, "invalid-transition");
    let cards = app
        .get(&format!("{base}/decisions"), &s.executor)
        .await
        .body;
    let kinds: Vec<&str> = cards
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["card_kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["transfer", "transfer_cancellation"]);
    let history = app.get(&format!("{base}/history"), &s.executor).await.body;
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "transfer_cancelled");
    assert_eq!(last["after"]["is_late"], true);

    // A cancellation on the day of the decision is in time.
    let id = register(&app, &s, non_accountable_body("2026-05-04T04:00:00Z")).await;
    let res = app
        .post(
            &format!("/api/v1/appeals/{id}/transfers"),
            &s.executor,
            json!({"target_system": "ИС «Е-собес»", "transferred_at": "2026-05-05T06:00:00Z"}),
        )
        .await;
    assert_eq!(res.body["decision"]["is_late"], false);
    let transfer_id = res.body["decision"]["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/appeals/{id}/transfers/{transfer_id}/cancellation"),
            &s.head,
            json!({"decided_at": "2026-05-12T04:00:00Z", "cancelled_at": "2026-05-12T12:00:00Z", "reason": "Ошибка классификации."}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["decision"]["is_late"], false);
}

async fn transfer_only_for_non_accountable_documents(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let s = staff(&app);
    let id = register(&app, &s, appeal_body()).await;
    let uri = format!("/api/v1/appeals/{id}/transfers");
    let before = snapshot(&app, id, &s.registrar).await;
    let res = app
        .post(&uri, &s.registrar, json!({"target_system": "ИС «Е-собес»"}))
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(pointers(&res.body), ["#"]);
    let id2 = register(&app, &s, non_accountable_body("2026-05-04T04:00:00Z")).await;
    let res = app
        .post(
            &format!("/api/v1/appeals/{id2}/transfers"),
            &s.registrar,
            json!({"target_system": "  "}),
        )
        .await;
    assert_eq!(pointers(&res.body), ["#/target_system"]);
    let analyst_like = app.user("ctl", "S1", &[Role::Controller]);
    app.post(&uri, &analyst_like, json!({"target_system": "x"}))
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(snapshot(&app, id, &s.registrar).await, before);
}

async fn transfer_overdue_list_drops_transferred_cards(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let s = staff(&app);
    // Received 2026-01-12: transfer due 3 working days later, long past.
    let overdue = register(&app, &s, non_accountable_body("2026-01-12T04:00:00Z")).await;
    let accountable = register(&app, &s, appeal_body()).await;
    let listed = |body: &Value| -> Vec<i64> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    let res = app
        .get("/api/v1/appeals?transfer_overdue=true", &s.registrar)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(listed(&res.body), [overdue]);
    assert!(!listed(&res.body).contains(&accountable));
    let res = app
        .post(
            &format!("/api/v1/appeals/{overdue}/transfers"),
            &s.registrar,
            json!({"target_system": "ИС «Е-собес»"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["decision"]["is_late"], true);
    let res = app
        .get("/api/v1/appeals?transfer_overdue=true", &s.registrar)
        .await;
    assert_eq!(listed(&res.body), Vec::<i64>::new());
}

async fn other_subjects_get_404(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let s = staff(&app);
    let id = in_work(&app, &s, appeal_body()).await;
    app.subject("S2", false);
    let stranger = app.user("stranger", "S2", &[Role::Executor, Role::Head]);
    let before = snapshot(&app, id, &s.executor).await;
    for (path, body) in [
        ("decisions", json!({"decision_type": "take_note"})),
        (
            "extensions",
            json!({"new_review_due": "2026-04-15", "reason": "x"}),
        ),
        ("continuation", json!({"reason": "x"})),
    ] {
        app.post(&format!("/api/v1/appeals/{id}/{path}"), &stranger, body)
            .await
            .assert_problem(404, "not-found");
    }
    app.get(&format!("/api/v1/appeals/{id}/decisions"), &stranger)
        .await
        .assert_problem(404, "not-found");
    assert_eq!(snapshot(&app, id, &s.executor).await, before);
}

async fn first_decision_is_the_final_act_and_sets_the_deemed_refusal_date(backend: TestBackend) {
    // R44 (APPK art. 91 p.2): with no final act by requisite 13 (2026-03-31) the body is deemed
    // to have refused from the next day; an act in time clears it, a late one keeps it.
    let app = TestApp::new(backend).await;
    app.allow_entering_past_acts().await;
    let s = staff(&app);
    let on_time = in_work(&app, &s, appeal_body()).await;
    let card = app
        .get(&format!("/api/v1/appeals/{on_time}"), &s.registrar)
        .await
        .body;
    assert_eq!(card["deadlines"]["review_due"], "2026-03-31");
    assert!(card["final_act_on"].is_null());
    assert_eq!(card["deemed_refusal_on"], "2026-04-01");
    let decide = |id: i64, at: &str| {
        (
            format!("/api/v1/appeals/{id}/decisions"),
            json!({"decision_type": "take_note", "decided_at": at}),
        )
    };
    let (uri, body) = decide(on_time, "2026-03-31T12:00:00Z");
    let res = app.post(&uri, &s.executor, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    // 12:00 UTC is 17:00 local on the last day of the term: in time.
    assert_eq!(res.body["appeal"]["final_act_on"], "2026-03-31");
    assert!(res.body["appeal"]["deemed_refusal_on"].is_null());
    let late = in_work(&app, &s, appeal_body()).await;
    let (uri, body) = decide(late, "2026-03-31T20:00:00Z");
    let res = app.post(&uri, &s.executor, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    // 20:00 UTC is 01:00 local on 1 April: late.
    assert_eq!(res.body["appeal"]["final_act_on"], "2026-04-01");
    assert_eq!(res.body["appeal"]["deemed_refusal_on"], "2026-04-01");
    // A later decision does not move the final act.
    let (uri, body) = decide(late, "2026-04-10T06:00:00Z");
    let res = app.post(&uri, &s.head, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["appeal"]["final_act_on"], "2026-04-01");
    assert_eq!(res.body["appeal"]["deemed_refusal_on"], "2026-04-01");
}

/// R39: «Не соответствует ст. 63» with defects and a deadline, then «Приведено в соответствие».
async fn article_63_notice_waits_for_the_correction_and_flags_a_late_one(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.allow_entering_past_acts().await;
    let s = staff(&app);
    let id = in_work(&app, &s, appeal_body()).await;
    let base = format!("/api/v1/appeals/{id}");
    let notice = json!({
        "defects": ["postal_address", "signature"],
        "notice": "Не указан почтовый адрес, нет подписи.",
        "correct_by": "2026-03-20",
        "requested_at": "2026-03-10T05:00:00Z"
    });
    let before = snapshot(&app, id, &s.executor).await;
    // Nothing to confirm yet; the registry does not send the notice.
    app.post(
        &format!("{base}/correction-confirmation"),
        &s.registrar,
        json!({}),
    )
    .await
    .assert_problem(409, "invalid-transition");
    app.post(
        &format!("{base}/correction-request"),
        &s.registrar,
        notice.clone(),
    )
    .await
    .assert_problem(403, "forbidden");
    // Bad input: every defect named, each pointer reported, nothing changes.
    let mut bad = notice.clone();
    bad["defects"] = json!(["postal_address", "no_stamp", "postal_address"]);
    bad["notice"] = json!("  ");
    bad["correct_by"] = json!("2026-03-09");
    let res = app
        .post(&format!("{base}/correction-request"), &s.executor, bad)
        .await;
    res.assert_problem(422, "validation");
    let mut got = pointers(&res.body);
    got.sort();
    assert_eq!(got, ["#/defects/1", "#/defects/2", "#/notice"]);
    let mut early = notice.clone();
    early["correct_by"] = json!("2026-03-09");
    let res = app
        .post(&format!("{base}/correction-request"), &s.executor, early)
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(pointers(&res.body), ["#/correct_by"]);
    let mut none = notice.clone();
    none["defects"] = json!([]);
    app.post(&format!("{base}/correction-request"), &s.executor, none)
        .await
        .assert_problem(422, "validation");
    assert_eq!(snapshot(&app, id, &s.executor).await, before);

    let res = app
        .post(
            &format!("{base}/correction-request"),
            &s.executor,
            notice.clone(),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["status"], "awaiting_correction");
    let correction = &res.body["correction"];
    assert_eq!(
        correction["defects"],
        json!(["postal_address", "signature"])
    );
    assert_eq!(correction["correct_by"], "2026-03-20");
    assert_eq!(correction["requested_at"], "2026-03-10T05:00:00Z");
    assert_eq!(correction["corrected_at"], Value::Null);
    // One notice at a time.
    app.post(&format!("{base}/correction-request"), &s.executor, notice)
        .await
        .assert_problem(409, "invalid-transition");
    // The correction cannot precede the notice.
    let res = app
        .post(
            &format!("{base}/correction-confirmation"),
            &s.registrar,
            json!({"corrected_at": "2026-03-09T05:00:00Z"}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(pointers(&res.body), ["#/corrected_at"]);
    // 23 March 10:00 local is after the deadline of 20 March.
    let res = app
        .post(
            &format!("{base}/correction-confirmation"),
            &s.registrar,
            json!({"note": "Адрес указан, обращение подписано.", "corrected_at": "2026-03-23T05:00:00Z"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["status"], "corrected");
    assert_eq!(
        res.body["correction"]["corrected_at"],
        "2026-03-23T05:00:00Z"
    );
    assert_eq!(res.body["correction"]["corrected_late"], true);
    let res = app
        .post(
            &format!("{base}/decisions"),
            &s.executor,
            json!({"decision_type": "provide_answer", "answer_character": "explained", "decided_at": "2026-03-24T05:00:00Z"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let history = app.get(&format!("{base}/history"), &s.executor).await.body;
    let events = history.as_array().unwrap();
    let requested = events
        .iter()
        .find(|e| e["action"] == "correction_requested")
        .unwrap();
    assert_eq!(requested["before"]["status"], "in_work");
    assert_eq!(requested["after"]["status"], "awaiting_correction");
    assert_eq!(
        requested["after"]["correction"]["defects"],
        json!(["postal_address", "signature"])
    );
    let confirmed = events
        .iter()
        .find(|e| e["action"] == "correction_confirmed")
        .unwrap();
    assert_eq!(confirmed["before"]["status"], "awaiting_correction");
    assert_eq!(confirmed["after"]["corrected_late"], true);
    assert_eq!(
        confirmed["after"]["note"],
        "Адрес указан, обращение подписано."
    );

    // A card never brought into conformity is still decided (terminated).
    let other = in_work(&app, &s, appeal_body()).await;
    let res = app
        .post(
            &format!("/api/v1/appeals/{other}/correction-request"),
            &s.executor,
            json!({"defects": ["applicant_name"], "notice": "Не указано имя.", "correct_by": "2026-03-20", "requested_at": "2026-03-10T05:00:00Z"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = app
        .post(
            &format!("/api/v1/appeals/{other}/decisions"),
            &s.executor,
            json!({"decision_type": "terminate", "termination_reason": "appeal_returned"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["appeal"]["status"], "decided");
    assert_eq!(
        res.body["appeal"]["correction"]["corrected_at"],
        Value::Null
    );
}

/// The clocks of a card as `GET /appeals/{id}/deadlines` explains them.
async fn clocks(app: &TestApp, id: i64, user: &TestUser) -> (Value, Vec<Value>) {
    let res = app
        .get(&format!("/api/v1/appeals/{id}/deadlines"), user)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let clocks = res.body["clocks"].as_array().unwrap().clone();
    (res.body, clocks)
}

fn clock<'a>(clocks: &'a [Value], name: &str) -> &'a Value {
    clocks.iter().find(|c| c["clock"] == name).unwrap()
}

async fn deadlines_explain_every_clock_and_where_it_stands_today(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.allow_entering_past_acts().await;
    let s = staff(&app);
    // A card of March 2026: both clocks ran out long ago; the decision kept the review term.
    let id = in_work(&app, &s, appeal_body()).await;
    let card = app
        .get(&format!("/api/v1/appeals/{id}"), &s.executor)
        .await
        .body;
    let (all, list) = clocks(&app, id, &s.executor).await;
    assert_eq!(all["convention"], "inclusive");
    assert_eq!(all["prolong_count"], 0);
    assert_eq!(
        all["calendar_version"],
        card["deadlines"]["calendar_version"]
    );
    assert_eq!(
        list.iter().map(|c| c["clock"].clone()).collect::<Vec<_>>(),
        [json!("review"), json!("forwarding")]
    );
    let review = clock(&list, "review");
    assert_eq!(review["starts_on"], "2026-03-05");
    assert_eq!(review["term"], json!({"days": 15, "unit": "working"}));
    assert_eq!(review["due_date"], card["deadlines"]["review_due"]);
    assert_eq!(review["state"], "expired");
    assert_eq!(review["working_days_left"], Value::Null);
    let forwarding = clock(&list, "forwarding");
    assert_eq!(forwarding["due_date"], card["deadlines"]["forward_due"]);
    assert_eq!(forwarding["term"], json!({"days": 3, "unit": "working"}));
    assert_eq!(forwarding["state"], "expired");
    let res = app
        .post(
            &format!("/api/v1/appeals/{id}/decisions"),
            &s.executor,
            json!({"decision_type": "provide_answer", "answer_character": "explained", "decided_at": "2026-03-12T06:00:00Z"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let (_, list) = clocks(&app, id, &s.executor).await;
    assert_eq!(clock(&list, "review")["state"], "completed");
    assert_eq!(clock(&list, "review")["completed_on"], "2026-03-12");

    // A card received now: its review term runs, with the working days left counted today.
    let mut fresh = appeal_body();
    fresh["received_at"] = json!((chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339());
    let now_id = in_work(&app, &s, fresh).await;
    let (all, list) = clocks(&app, now_id, &s.executor).await;
    let today = date(all["today"].as_str().unwrap());
    let review = clock(&list, "review");
    assert_eq!(review["state"], "running");
    let due = date(review["due_date"].as_str().unwrap());
    let left = deadline::working_days_left(&Calendar::kazakhstan_default(), today, due).unwrap();
    assert_eq!(review["working_days_left"], left);
    // 15 from a registration today; 16 when received after the cut-off (R8) of a working day.
    assert!((15..=16).contains(&left), "{left}");
    // An art. 63 notice adds its own clock, kept by the correction.
    let correct_by = (today + chrono::Days::new(10)).to_string();
    let res = app
        .post(
            &format!("/api/v1/appeals/{now_id}/correction-request"),
            &s.executor,
            json!({"defects": ["signature"], "notice": "Нет подписи.", "correct_by": correct_by}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let (_, list) = clocks(&app, now_id, &s.executor).await;
    let correction = clock(&list, "correction");
    assert_eq!(correction["due_date"], json!(correct_by));
    assert_eq!(correction["term"], Value::Null);
    assert_eq!(correction["state"], "running");
    app.post(
        &format!("/api/v1/appeals/{now_id}/correction-confirmation"),
        &s.registrar,
        json!({}),
    )
    .await;
    let (_, list) = clocks(&app, now_id, &s.executor).await;
    assert_eq!(clock(&list, "correction")["state"], "completed");

    // A p.15 document has a transfer clock, kept late by a transfer after its due date.
    let p15 = register(&app, &s, non_accountable_body("2026-05-04T04:00:00Z")).await;
    let res = app
        .post(
            &format!("/api/v1/appeals/{p15}/transfers"),
            &s.registrar,
            json!({"target_system": "ИС «Е-собес»", "transferred_at": "2026-05-07T06:00:00Z"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let (_, list) = clocks(&app, p15, &s.registrar).await;
    let transfer = clock(&list, "transfer");
    assert_eq!(transfer["due_date"], "2026-05-06");
    assert_eq!(transfer["completed_on"], "2026-05-07");
    assert_eq!(transfer["state"], "completed_late");

    // Another subject's card does not exist for the caller.
    app.subject("S2", false);
    let stranger = app.user("other", "S2", &[Role::Executor]);
    app.get(&format!("/api/v1/appeals/{id}/deadlines"), &stranger)
        .await
        .assert_problem(404, "not-found");
}

/// R44: the cards deemed refused today — accountable, past requisite 13, no decision yet.
async fn deemed_refusals_are_listed_until_the_final_act(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.allow_entering_past_acts().await;
    let s = staff(&app);
    // All received 2026-03-05: review due 2026-03-31, long past.
    let decided = in_work(&app, &s, appeal_body()).await;
    let res = app
        .post(
            &format!("/api/v1/appeals/{decided}/decisions"),
            &s.executor,
            json!({"decision_type": "provide_answer", "answer_character": "explained", "decided_at": "2026-04-02T06:00:00Z"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let waiting = in_work(&app, &s, appeal_body()).await;
    let unread = register(&app, &s, appeal_body()).await;
    let p15 = register(&app, &s, non_accountable_body("2026-03-05T04:15:00Z")).await;
    let list = app
        .get("/api/v1/appeals?deemed_refusal=true", &s.registrar)
        .await
        .body;
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    // Newest first; the decided card (even decided late) and the p.15 document are not listed.
    assert_eq!(ids, [unread, waiting]);
    for card in list["items"].as_array().unwrap() {
        assert_eq!(card["deemed_refusal_on"], "2026-04-01");
        assert_eq!(card["final_act_on"], Value::Null);
    }
    let late = app
        .get(&format!("/api/v1/appeals/{decided}"), &s.registrar)
        .await
        .body;
    assert_eq!(late["final_act_on"], "2026-04-02");
    assert_eq!(late["deemed_refusal_on"], "2026-04-01");
    let document = app
        .get(&format!("/api/v1/appeals/{p15}"), &s.registrar)
        .await
        .body;
    assert_eq!(document["is_accountable"], false);
    assert_eq!(document["deemed_refusal_on"], Value::Null);
    // Without the filter every card is listed.
    let all = app.get("/api/v1/appeals", &s.registrar).await.body;
    assert_eq!(all["items"].as_array().unwrap().len(), 4);
}
