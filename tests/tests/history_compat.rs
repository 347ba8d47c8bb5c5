#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! The history chain survives the move to the use-case layer: a database written by the server as
//! it was before (commit d2d6480; `scripts/fixtures/make-history-fixture.sh`) is verified by
//! `appeals audit verify` of today's binary, and today's code extends its chains so that they
//! still verify. The events hash their stored bytes, so any change in how an event is written
//! would show up as a broken link only for new events — which is why new events are appended here
//! to cards that were written by the old code.

use std::process::Command;

use appeals_api::auth::Role;
use appeals_db::repo;
use appeals_domain::events::{CardAction, RegisteredCard, payload};
use appeals_tests::{TestApp, TestDb, appeals_bin};
use serde_json::json;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/history-before-service-layer.sqlite"
);

fn copy_of_fixture() -> TestDb {
    let db = TestDb::new(appeals_tests::TestBackend::Sqlite);
    let path = db.url.trim_start_matches("sqlite://").to_owned();
    std::fs::copy(FIXTURE, &path).expect("copy the fixture");
    db
}

fn audit_verify(db: &TestDb) -> (bool, String) {
    let out = Command::new(appeals_bin())
        .args(["audit", "verify"])
        .env("DATABASE_URL", &db.url)
        .output()
        .expect("run appeals audit verify");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[actix_web::test]
async fn chains_written_before_the_service_layer_verify_and_extend() {
    let db = copy_of_fixture();
    let (ok, text) = audit_verify(&db);
    assert!(ok, "{text}");
    let app = TestApp::on(db.alias());
    let before = repo::events::verify_all(&mut app.conn()).unwrap();
    assert!(before.1.is_none(), "{:?}", before.1);
    assert!(before.0 >= 15, "the fixture holds {} events", before.0);

    // Today's code appends to chains the old code started: every kind of card change it writes.
    let registrar = app.user("compat-reg", "AKIMAT-ALA", &[Role::Registrar]);
    let executor = app.user("compat-exec", "AKIMAT-ALA", &[Role::Executor]);
    let head = app.user("compat-head", "AKIMAT-ALA", &[Role::Head]);
    let list = app.get("/api/v1/appeals?limit=200", &registrar).await;
    assert_eq!(list.status, 200, "{}", list.body);
    let open: Vec<i64> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["status"] == "in_work" || c["status"] == "extended" || c["status"] == "corrected"
        })
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert!(
        !open.is_empty(),
        "the fixture has a card in work: {}",
        list.body
    );
    let card = open[0];
    let res = app
        .post(
            &format!("/api/v1/appeals/{card}/correction-request"),
            &executor,
            json!({"defects": ["signature"], "notice": "Подпишите обращение", "correct_by": "2027-01-29"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = app
        .post(
            &format!("/api/v1/appeals/{card}/correction-confirmation"),
            &executor,
            json!({"note": "Подписано"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = app
        .post(
            &format!("/api/v1/appeals/{card}/decisions"),
            &head,
            // The fixture's cards name no postal address: anonymous, so not answered on the
            // merits (R15) — taken note of.
            json!({"decision_type": "take_note"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let res = app
        .post(
            &format!("/api/v1/appeals/{card}/duplicate-decision"),
            &registrar,
            json!({"verdict": "new", "reason": "Проверено"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);

    // A registration and a change of applicants: typed events on new and on old cards.
    let res = app
        .post(
            "/api/v1/appeals",
            &registrar,
            json!({"document_type": "application", "text": "Прошу отремонтировать крышу дома.",
                   "receipt_form": "electronic", "language": "state",
                   "received_at": "2026-03-05T04:15:00Z",
                   "applicants": [{"category": "individual", "surname": "Ахметов"}]}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let version = app
        .get(&format!("/api/v1/appeals/{card}"), &registrar)
        .await
        .body["version"]
        .as_i64()
        .unwrap();
    let res = app
        .send(
            actix_web::test::TestRequest::put()
                .uri(&format!("/api/v1/appeals/{card}/applicants"))
                .insert_header(appeals_tests::bearer(&registrar))
                .insert_header(("If-Match", format!("\"{version}\"")))
                .set_json(
                    json!({"applicants": [{"category": "individual", "surname": "Сейтова"}]}),
                ),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);

    let after = repo::events::verify_all(&mut app.conn()).unwrap();
    assert!(after.1.is_none(), "{:?}", after.1);
    assert!(after.0 >= before.0 + 6);

    // Every stored action, old or new, is one the domain knows, and every `registered` event
    // (old or new) reads as the typed payload and writes back to exactly its stored text.
    let all = app.get("/api/v1/appeals?limit=200", &registrar).await;
    let mut registrations = 0;
    for card in all.body["items"].as_array().unwrap() {
        let id = card["id"].as_i64().unwrap();
        for event in repo::events::list(&mut app.conn(), id).unwrap() {
            let action = CardAction::parse(&event.action);
            assert!(action.is_some(), "unknown action {}", event.action);
            if action == Some(CardAction::Registered) {
                let stored = event.after.unwrap();
                let typed: RegisteredCard = serde_json::from_str(&stored).unwrap();
                assert_eq!(payload(&typed).unwrap().to_string(), stored);
                registrations += 1;
            }
        }
    }
    assert!(registrations >= 2, "{registrations}");
    let (ok, text) = audit_verify(&db);
    assert!(ok, "{text}");
}
