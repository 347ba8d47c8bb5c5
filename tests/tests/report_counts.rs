#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! Report 1-ОЛ: the counts the card write path keeps equal a recount from the cards, whatever
//! sequence of card actions ran — registrations, assignments, decisions, forwardings, transfers
//! and their cancellation, withdrawals, reception slots, refusals and outcomes, folds and closed
//! months in between (a property test over random sequences, on both backends).

use appeals_api::auth::Role;
use appeals_tests::{TestApp, TestBackend, TestUser};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

#[derive(Debug, Clone)]
enum Op {
    Register {
        month: u32,
        postal: bool,
        p15: bool,
    },
    Assign(usize),
    Decide {
        card: usize,
        answer: usize,
        day: u32,
    },
    Forward(usize),
    Transfer(usize),
    CancelTransfer(usize),
    Withdraw(usize),
    Apply,
    Book(usize),
    Release(usize),
    Refuse(usize),
    Outcome {
        reception: usize,
        held: bool,
        result: usize,
    },
    Fold,
    Close(u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1u32..=3, any::<bool>(), prop::bool::weighted(0.2))
            .prop_map(|(month, postal, p15)| Op::Register { month, postal, p15 }),
        2 => any::<usize>().prop_map(Op::Assign),
        2 => (any::<usize>(), 0usize..3, 10u32..=28)
            .prop_map(|(card, answer, day)| Op::Decide { card, answer, day }),
        1 => any::<usize>().prop_map(Op::Forward),
        1 => any::<usize>().prop_map(Op::Transfer),
        1 => any::<usize>().prop_map(Op::CancelTransfer),
        1 => any::<usize>().prop_map(Op::Withdraw),
        2 => Just(Op::Apply),
        1 => any::<usize>().prop_map(Op::Book),
        1 => any::<usize>().prop_map(Op::Release),
        1 => any::<usize>().prop_map(Op::Refuse),
        1 => (any::<usize>(), any::<bool>(), 0usize..3)
            .prop_map(|(reception, held, result)| Op::Outcome { reception, held, result }),
        1 => Just(Op::Fold),
        1 => (1u32..=3).prop_map(Op::Close),
    ]
}

struct World {
    app: TestApp,
    registrar: TestUser,
    executor: TestUser,
    head: TestUser,
    secretary: TestUser,
    admin: TestUser,
    receiver: i64,
    schedule: i64,
    cards: Vec<(i64, u32)>,
    transfers: Vec<(i64, i64)>,
    receptions: Vec<i64>,
    slot: u32,
}

fn pick<T: Copy>(list: &[T], i: usize) -> Option<T> {
    (!list.is_empty()).then(|| list[i % list.len()])
}

async fn world(backend: TestBackend) -> World {
    let app = TestApp::new(backend).await;
    let root = app.subject("ROOT", false);
    app.subject_under("HOME", root);
    let receiver = app.subject_under("RECEIVER", root);
    let registrar = app.user("reg", "HOME", &[Role::Registrar]);
    let executor = app.user("ex", "HOME", &[Role::Executor]);
    let head = app.user("head", "HOME", &[Role::Head]);
    let secretary = app.user("sec", "HOME", &[Role::ReceptionSecretary]);
    let admin = app.user("admin", "HOME", &[Role::Admin]);
    let res = app
        .post(
            "/api/v1/reception-schedules",
            &admin,
            json!({"official_user_id": head.id, "weekdays": [1, 2, 3, 4, 5], "starts": "09:00",
                   "ends": "18:00", "slot_minutes": 15, "place_kato": "751110000",
                   "place_addressee": "Приемная", "valid_from": "2026-01-01"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    World {
        schedule: res.body["id"].as_i64().unwrap(),
        app,
        registrar,
        executor,
        head,
        secretary,
        admin,
        receiver,
        cards: Vec::new(),
        transfers: Vec::new(),
        receptions: Vec::new(),
        slot: 0,
    }
}

/// Runs one action; refusals (409, 422) are part of the game: they must change no count.
async fn apply(w: &mut World, op: &Op) {
    let app = &w.app;
    let status_ok = |res: &appeals_tests::TestResponse| {
        assert!(
            res.status.as_u16() < 500,
            "{op:?}: {} {}",
            res.status,
            res.body
        );
        res.status.is_success()
    };
    match *op {
        Op::Register { month, postal, p15 } => {
            let n = w.cards.len() + 1;
            let mut body = json!({
                "document_type": "application",
                "applicants": [{"category": "individual", "surname": format!("Заявитель{n}"),
                                "first_name": "Ерлан"}],
                "text": format!("Обращение {n}: прошу рассмотреть вопрос номер {} по существу.", n * 7919),
                "receipt_form": if postal { "postal" } else { "electronic" },
                "language": "state",
                "received_at": format!("2026-0{month}-0{}T04:00:00Z", 2 + n % 7),
            });
            if p15 {
                body["document_type"] = json!("message");
                body["non_accountable_category"] = json!("advertising_proposals");
            }
            let res = app.post("/api/v1/appeals", &w.registrar, body).await;
            if status_ok(&res) {
                w.cards.push((res.body["id"].as_i64().unwrap(), month));
            }
        }
        Op::Assign(i) => {
            if let Some((id, _)) = pick(&w.cards, i) {
                let res = app
                    .post(
                        &format!("/api/v1/appeals/{id}/assignment"),
                        &w.registrar,
                        json!({"executor_user_id": w.executor.id}),
                    )
                    .await;
                status_ok(&res);
            }
        }
        Op::Decide { card, answer, day } => {
            if let Some((id, month)) = pick(&w.cards, card) {
                let answer = ["explained", "satisfied", "refused"][answer];
                // Within the registration month or the next: on time or late.
                let res = app
                    .post(
                        &format!("/api/v1/appeals/{id}/decisions"),
                        &w.executor,
                        json!({"decision_type": "provide_answer", "answer_character": answer,
                               "answer_text": "Ответ.",
                               "decided_at": format!("2026-0{}-{day}T06:00:00Z", month + 1)}),
                    )
                    .await;
                status_ok(&res);
            }
        }
        Op::Forward(i) => {
            if let Some((id, _)) = pick(&w.cards, i) {
                let res = app
                    .post(
                        &format!("/api/v1/appeals/{id}/forwardings"),
                        &w.registrar,
                        json!({"to_subject_id": w.receiver, "scope": "part",
                               "questions": ["Ремонт дороги"],
                               "reason": "Вопрос относится к компетенции получателя"}),
                    )
                    .await;
                status_ok(&res);
            }
        }
        Op::Transfer(i) => {
            if let Some((id, _)) = pick(&w.cards, i) {
                let res = app
                    .post(
                        &format!("/api/v1/appeals/{id}/transfers"),
                        &w.registrar,
                        json!({"target_system": "ИС «Е-собес»"}),
                    )
                    .await;
                if status_ok(&res) {
                    w.transfers
                        .push((id, res.body["decision"]["id"].as_i64().unwrap()));
                }
            }
        }
        Op::CancelTransfer(i) => {
            if let Some((id, transfer)) = pick(&w.transfers, i) {
                let res = app
                    .post(
                        &format!("/api/v1/appeals/{id}/transfers/{transfer}/cancellation"),
                        &w.head,
                        json!({"reason": "Ошибка классификации."}),
                    )
                    .await;
                status_ok(&res);
            }
        }
        Op::Withdraw(i) => {
            if let Some((id, _)) = pick(&w.cards, i) {
                let res = app
                    .post(
                        &format!("/api/v1/appeals/{id}/withdrawal"),
                        &w.registrar,
                        json!({"reason": "Вопрос решен."}),
                    )
                    .await;
                status_ok(&res);
            }
        }
        Op::Apply => {
            let n = w.receptions.len() + 1;
            let res = app
                .post(
                    "/api/v1/receptions",
                    &w.secretary,
                    json!({"person": {"iin": "921029350851", "surname": format!("Гражданин{n}"),
                                      "first_name": "Ерлан", "social_status": "employed"},
                           "kind": "offline"}),
                )
                .await;
            if status_ok(&res) {
                w.receptions.push(res.body["id"].as_i64().unwrap());
            }
        }
        Op::Book(i) => {
            if let Some(id) = pick(&w.receptions, i) {
                // Every booking takes the next quarter-hour of Friday 2027-01-15 or later.
                w.slot += 1;
                let (day, minute) = (15 + 7 * (w.slot / 36), 9 * 60 + 15 * (w.slot % 36));
                let at = format!("2027-01-{day:02}T{:02}:{:02}:00", minute / 60, minute % 60);
                let res = app
                    .post(
                        &format!("/api/v1/receptions/{id}/booking"),
                        &w.secretary,
                        json!({"schedule_id": w.schedule, "starts_at": at}),
                    )
                    .await;
                status_ok(&res);
            }
        }
        Op::Release(i) => {
            if let Some(id) = pick(&w.receptions, i) {
                let res = app
                    .post(
                        &format!("/api/v1/receptions/{id}/booking/release"),
                        &w.secretary,
                        json!({}),
                    )
                    .await;
                status_ok(&res);
            }
        }
        Op::Refuse(i) => {
            if let Some(id) = pick(&w.receptions, i) {
                let res = app
                    .post(
                        &format!("/api/v1/receptions/{id}/refusal"),
                        &w.secretary,
                        json!({"reason": "Не по компетенции"}),
                    )
                    .await;
                status_ok(&res);
            }
        }
        Op::Outcome {
            reception,
            held,
            result,
        } => {
            if let Some(id) = pick(&w.receptions, reception) {
                let result = ["satisfied", "refused", "explained"][result];
                let body: Value = if held {
                    json!({"held": true, "held_by_user_id": w.head.id, "secretary": "Петрова А.С.",
                           "present": "заявитель",
                           "result": result})
                } else {
                    json!({"held": false, "not_held_reason": "Не явился"})
                };
                let res = app
                    .post(&format!("/api/v1/receptions/{id}/outcome"), &w.head, body)
                    .await;
                status_ok(&res);
            }
        }
        Op::Fold => {
            let rules = appeals_service::config::Rules::load(&mut app.conn()).unwrap();
            appeals_service::reports::fold(&mut app.conn(), &rules, appeals_db::now_utc()).unwrap();
        }
        Op::Close(month) => {
            let res = app
                .post(
                    &format!("/api/v1/reports/1-ol/2026/{month}/close"),
                    &w.admin,
                    json!({}),
                )
                .await;
            status_ok(&res);
        }
    }
}

fn maintained_counts_equal_a_recount(backend: TestBackend, cases: u32) {
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&prop::collection::vec(op(), 5..40), |ops| {
            actix_web::rt::System::new().block_on(async {
                let mut w = world(backend).await;
                for op in &ops {
                    apply(&mut w, op).await;
                }
                let mismatches = appeals_service::reports::verify(&mut w.app.conn()).unwrap();
                prop_assert!(mismatches.is_empty(), "{mismatches:?} after {ops:?}");
                // Folding changes where the counts are kept, not what they are.
                let rules = appeals_service::config::Rules::load(&mut w.app.conn()).unwrap();
                appeals_service::reports::fold(&mut w.app.conn(), &rules, appeals_db::now_utc())
                    .unwrap();
                let mismatches = appeals_service::reports::verify(&mut w.app.conn()).unwrap();
                prop_assert!(mismatches.is_empty(), "{mismatches:?} after a fold");
                Ok(())
            })
        })
        .unwrap();
}

#[test]
fn sqlite_maintained_counts_equal_a_recount() {
    maintained_counts_equal_a_recount(TestBackend::Sqlite, 24);
}

#[test]
fn postgres_maintained_counts_equal_a_recount() {
    maintained_counts_equal_a_recount(TestBackend::Postgres, 8);
}
