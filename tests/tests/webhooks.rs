#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a failed unwrap is a failed test
//! Issue 22 points 1–4: the event outbox and webhook delivery. A subscription receives signed
//! events of its own subject only (a forwarded part's at the receiving subject); a receiver down
//! for a while gets every event, in order, once it is back; a parked event is replayed; a worker
//! killed with SIGKILL mid-batch loses nothing; two workers never deliver an event twice; a change
//! of the sealing key keeps every subscription signing.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use appeals_api::auth::Role;
use appeals_api::webhook_worker::{self, WorkerConfig};
use appeals_tests::receiver::{Received, Receiver};
use appeals_tests::{TestApp, TestBackend, TestDb, TestUser, appeals_bin, backend_tests};
use serde_json::{Value, json};

backend_tests!(
    a_subscription_receives_signed_events_of_its_own_subject_only,
    a_receiver_down_for_a_while_gets_every_event_in_order,
    a_parked_event_is_replayed_on_request,
    a_worker_killed_mid_batch_loses_no_event,
    two_workers_never_deliver_an_event_twice,
    a_secret_is_stored_sealed_and_a_rotated_one_signs_at_once,
    a_change_of_sealing_key_seals_the_secrets_again_and_deliveries_go_on,
);

fn appeal(text: &str) -> Value {
    json!({
        "document_type": "application",
        "applicants": [{"category": "individual", "iin_bin": "921029350851",
                        "surname": "Ахметов", "first_name": "Ерлан"}],
        "text": text,
        "receipt_form": "electronic", "language": "state",
        "received_at": "2026-03-05T04:15:00Z"
    })
}

async fn subscribe(app: &TestApp, admin: &TestUser, url: &str, types: Value) -> (i64, String) {
    let res = app
        .post(
            "/api/v1/webhook-subscriptions",
            admin,
            json!({"url": url, "event_types": types}),
        )
        .await;
    res.assert_status(201);
    (
        res.body["id"].as_i64().unwrap(),
        res.body["secret"].as_str().unwrap().to_owned(),
    )
}

/// The secret is shown once and stored sealed (a copy of the database cannot sign); after a
/// rotation the stored form changes and the deliveries verify with the new secret only.
async fn a_secret_is_stored_sealed_and_a_rotated_one_signs_at_once(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let admin = app.user("admin", "S1", &[Role::Admin]);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let receiver = Receiver::start();
    let (id, shown) = subscribe(&app, &admin, &receiver.url, json!([])).await;
    let stored = || stored_secret(&app, id);
    let first = stored();
    assert!(first.starts_with("sealed1:"), "{first}");
    let key = shown.trim_start_matches("whsec_");
    assert!(
        !first.contains(key),
        "the stored secret holds the shown one in clear"
    );

    let res = app
        .post(
            &format!("/api/v1/webhook-subscriptions/{id}/secret-rotation"),
            &admin,
            json!({}),
        )
        .await;
    res.assert_status(200);
    let rotated = res.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(rotated, shown);
    let second = stored();
    assert!(
        second.starts_with("sealed1:") && second != first,
        "{second}"
    );
    assert!(!second.contains(rotated.trim_start_matches("whsec_")));

    app.post("/api/v1/appeals", &reg, appeal("Нет отопления в доме."))
        .await
        .assert_status(201);
    drain(&app, &quick(), || !receiver.received().is_empty());
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert!(verified(&rotated, &got[0]));
    assert!(!verified(&shown, &got[0]));
}

/// A subscription's secret as the database stores it.
fn stored_secret(app: &TestApp, id: i64) -> String {
    appeals_db::repo::webhooks::subscription(&mut app.conn(), id)
        .unwrap()
        .unwrap()
        .secret
}

/// Runs in-process worker rounds until nothing is due (or `deadline`).
fn drain(app: &TestApp, config: &WorkerConfig, until: impl Fn() -> bool) {
    let agent = webhook_worker::client(config);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        let n = webhook_worker::run_once(&app.state.pool, &agent, "test-worker", config).unwrap();
        if until() {
            return;
        }
        if n == 0 {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    panic!("the events were not delivered in time");
}

fn quick() -> WorkerConfig {
    let mut config = WorkerConfig {
        poll: Duration::from_millis(20),
        ..Default::default()
    };
    config.retry.first = chrono::Duration::milliseconds(20);
    config.retry.max = chrono::Duration::milliseconds(100);
    config
}

fn verified(secret: &str, r: &Received) -> bool {
    let id = r.header("webhook-id").unwrap();
    let ts: i64 = r.header("webhook-timestamp").unwrap().parse().unwrap();
    appeals_domain::webhooks::verify(
        secret,
        id,
        ts,
        r.body.as_bytes(),
        r.header("webhook-signature").unwrap(),
    )
}

fn types(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_subscription_receives_signed_events_of_its_own_subject_only(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let s2 = app.subject("S2", false);
    let admin1 = app.user("admin1", "S1", &[Role::Admin]);
    let admin2 = app.user("admin2", "S2", &[Role::Admin]);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let exec = app.user("exec", "S1", &[Role::Executor]);
    let (one, two) = (Receiver::start(), Receiver::start());
    let (_, secret1) = subscribe(&app, &admin1, &one.url, json!([])).await;
    let (_, secret2) = subscribe(&app, &admin2, &two.url, json!([])).await;
    // An unknown type or a non-URL is refused.
    let res = app
        .post(
            "/api/v1/webhook-subscriptions",
            &admin1,
            json!({"url": "ftp://x", "event_types": ["appeal.nothing"]}),
        )
        .await;
    res.assert_problem(422, "validation");

    let res = app
        .post(
            "/api/v1/appeals",
            &reg,
            appeal("Нет отопления; в школе № 12 крыша."),
        )
        .await;
    res.assert_status(201);
    let id = res.body["id"].as_i64().unwrap();
    app.assign(id, &reg, &exec).await;
    let res = app
        .post(
            &format!("/api/v1/appeals/{id}/forwardings"),
            &reg,
            json!({"to_subject_id": s2, "scope": "part", "questions": ["Ремонт школы"]}),
        )
        .await;
    res.assert_status(201);
    drain(&app, &quick(), || {
        one.accepted().len() >= 3 && !two.accepted().is_empty()
    });

    let got1 = one.accepted();
    assert_eq!(
        types(&got1),
        ["appeal.registered", "appeal.assigned", "appeal.forwarded"]
    );
    assert!(got1.iter().all(|r| verified(&secret1, r)));
    assert!(got1.iter().all(|r| r.json()["data"]["card_id"] == id));
    // The own subject gets the change's details.
    assert!(
        got1[2].json()["data"]["change"]["questions"].is_array(),
        "{}",
        got1[2].body
    );
    // The receiving subject gets the part, signed with its own secret, without personal data.
    let got2 = two.accepted();
    assert_eq!(types(&got2), ["appeal.part_received"]);
    assert!(verified(&secret2, &got2[0]));
    assert!(!verified(&secret1, &got2[0]));
    assert_eq!(got2[0].json()["data"]["subject_id"], s2);
    assert_eq!(got2[0].json()["data"]["main_appeal_id"], id);
    for r in got1.iter().chain(&got2) {
        assert!(
            !r.body.contains("921029350851") && !r.body.contains("Ахметов"),
            "{}",
            r.body
        );
        assert_eq!(r.header("webhook-id"), r.json()["id"].as_str());
    }
    // Another subject's admin does not see the subscription.
    let list = app.get("/api/v1/webhook-subscriptions", &admin2).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert!(list.body[0].get("secret").is_none(), "{}", list.body);
}

async fn a_receiver_down_for_a_while_gets_every_event_in_order(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let admin = app.user("admin1", "S1", &[Role::Admin]);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let receiver = Receiver::start();
    let (sub, _) = subscribe(&app, &admin, &receiver.url, json!(["appeal.registered"])).await;
    receiver.answer(503);
    let mut ids = Vec::new();
    for i in 0..4 {
        let res = app
            .post("/api/v1/appeals", &reg, appeal(&format!("Обращение № {i}")))
            .await;
        ids.push(res.body["id"].as_i64().unwrap());
    }
    let config = quick();
    drain(&app, &config, || receiver.received().len() >= 3);
    assert!(receiver.accepted().is_empty());
    let log = app
        .get(
            &format!("/api/v1/webhook-subscriptions/{sub}/deliveries"),
            &admin,
        )
        .await;
    assert!(
        log.body
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["outcome"] == "failed" && d["status_code"] == 503),
        "{}",
        log.body
    );
    let state = app
        .get(&format!("/api/v1/webhook-subscriptions/{sub}"), &admin)
        .await;
    assert!(state.body["failing_since"].is_string(), "{}", state.body);

    receiver.answer(200);
    drain(&app, &config, || receiver.accepted().len() >= 4);
    let delivered: Vec<i64> = receiver
        .accepted()
        .iter()
        .map(|r| r.json()["data"]["card_id"].as_i64().unwrap())
        .collect();
    assert_eq!(delivered, ids, "every event, in order, once back");
}

async fn a_parked_event_is_replayed_on_request(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let admin = app.user("admin1", "S1", &[Role::Admin]);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let receiver = Receiver::start();
    let (sub, _) = subscribe(&app, &admin, &receiver.url, json!([])).await;
    receiver.answer(500);
    app.post("/api/v1/appeals", &reg, appeal("Обращение"))
        .await
        .assert_status(201);
    // No retry window: the first failure parks the event and the cursor moves on.
    let mut config = quick();
    config.retry.window = chrono::Duration::zero();
    drain(&app, &config, || !receiver.received().is_empty());
    let log = app
        .get(
            &format!("/api/v1/webhook-subscriptions/{sub}/deliveries"),
            &admin,
        )
        .await;
    let parked = log.body[0].clone();
    assert_eq!(parked["outcome"], "parked", "{}", log.body);
    receiver.answer(200);
    let res = app
        .post(
            &format!(
                "/api/v1/webhook-subscriptions/{sub}/deliveries/{}/retry",
                parked["id"]
            ),
            &admin,
            json!({}),
        )
        .await;
    res.assert_status(200);
    assert_eq!(res.body["outcome"], "replayed");
    assert_eq!(res.body["event_id"], parked["event_id"]);
    assert_eq!(receiver.accepted().len(), 1);
    // Only a parked delivery is replayed.
    app.post(
        &format!(
            "/api/v1/webhook-subscriptions/{sub}/deliveries/{}/retry",
            res.body["id"]
        ),
        &admin,
        json!({}),
    )
    .await
    .assert_problem(409, "conflict");
}

struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn worker(url: &str) -> Worker {
    worker_sealing_with(url, test_key(), None)
}

/// The sealing key of the in-process app (`TestApp`).
fn test_key() -> &'static str {
    std::str::from_utf8(appeals_tests::TEST_SECRET).unwrap()
}

/// A worker process with `key` as `APPEALS_SEALING_KEY` and `previous` as
/// `APPEALS_PREVIOUS_SEALING_KEY`.
fn worker_sealing_with(url: &str, key: &str, previous: Option<&str>) -> Worker {
    let mut command = Command::new(appeals_bin());
    command
        .arg("worker")
        .env("DATABASE_URL", url)
        .env("APPEALS_SEALING_KEY", key)
        .env("APPEALS_WEBHOOK_LEASE_SECONDS", "2")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(previous) = previous {
        command.env("APPEALS_PREVIOUS_SEALING_KEY", previous);
    }
    Worker(command.spawn().unwrap())
}

/// A change of `APPEALS_SEALING_KEY`: a process started with the new key and the previous one
/// seals every secret again under the new key and signs as before; from then on the new key alone
/// opens them, and the subscriptions' secrets never change.
async fn a_change_of_sealing_key_seals_the_secrets_again_and_deliveries_go_on(
    backend: TestBackend,
) {
    let db = TestDb::new(backend);
    let url = db.url.clone();
    let app = TestApp::on(db);
    let admin = app.user("admin", "S1", &[Role::Admin]);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let receiver = Receiver::start();
    let (id, shown) = subscribe(&app, &admin, &receiver.url, json!([])).await;
    let stored = || stored_secret(&app, id);
    let under_old = stored();
    let new_key = "a new sealing key of at least 32 bytes, kept";

    let changing = worker_sealing_with(&url, new_key, Some(test_key()));
    register_many(&app, &reg, 1).await;
    wait_for("the first delivery", || !receiver.accepted().is_empty());
    drop(changing);
    let under_new = stored();
    assert!(
        under_new.starts_with("sealed1:") && under_new != under_old,
        "{under_new}"
    );
    assert!(!under_new.contains(shown.trim_start_matches("whsec_")));

    let _new_only = worker_sealing_with(&url, new_key, None);
    register_many(&app, &reg, 1).await;
    wait_for("the second delivery", || receiver.accepted().len() >= 2);
    let got = receiver.accepted();
    assert!(
        got.iter().all(|r| verified(&shown, r)),
        "a delivery not signed with the subscription's secret"
    );
    assert_eq!(first_seen(&got).len(), 2);
}

async fn register_many(app: &TestApp, reg: &TestUser, n: usize) -> Vec<String> {
    let mut numbers = Vec::new();
    for i in 0..n {
        let res = app
            .post("/api/v1/appeals", reg, appeal(&format!("Обращение № {i}")))
            .await;
        res.assert_status(201);
        numbers.push(res.body["registration_number"].as_str().unwrap().to_owned());
    }
    numbers
}

fn wait_for(what: &str, until: impl Fn() -> bool) {
    let started = Instant::now();
    while !until() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The distinct event ids in the order they first arrived.
fn first_seen(received: &[Received]) -> Vec<String> {
    let mut seen = Vec::new();
    for r in received {
        let id = r.header("webhook-id").unwrap().to_owned();
        if !seen.contains(&id) {
            seen.push(id);
        }
    }
    seen
}

async fn a_worker_killed_mid_batch_loses_no_event(backend: TestBackend) {
    let db = TestDb::new(backend);
    let url = db.url.clone();
    let app = TestApp::on(db);
    let admin = app.user("admin1", "S1", &[Role::Admin]);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let receiver = Receiver::start();
    receiver.delay(100);
    subscribe(&app, &admin, &receiver.url, json!([])).await;
    let numbers = register_many(&app, &reg, 12).await;

    let mut first = worker(&url);
    wait_for("the first deliveries", || receiver.received().len() >= 3);
    first.0.kill().unwrap(); // SIGKILL, mid-batch
    first.0.wait().unwrap();
    let _second = worker(&url);
    wait_for("every event", || {
        first_seen(&receiver.accepted()).len() >= 12
    });

    // Every event arrived (some perhaps twice: receivers dedupe by webhook-id), in order.
    let seen = first_seen(&receiver.accepted());
    assert_eq!(seen.len(), 12);
    let delivered: Vec<String> = seen
        .iter()
        .map(|id| {
            receiver
                .accepted()
                .iter()
                .find(|r| r.header("webhook-id") == Some(id))
                .unwrap()
                .json()["data"]["registration_number"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(delivered, numbers);
}

async fn two_workers_never_deliver_an_event_twice(backend: TestBackend) {
    let db = TestDb::new(backend);
    let url = db.url.clone();
    let app = TestApp::on(db);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    // Several subscriptions, so both workers have work at once.
    let receivers: Vec<Receiver> = (0..3).map(|_| Receiver::start()).collect();
    for (i, r) in receivers.iter().enumerate() {
        let admin = app.user(&format!("admin{i}"), "S1", &[Role::Admin]);
        subscribe(&app, &admin, &r.url, json!([])).await;
    }
    let (_a, _b) = (worker(&url), worker(&url));
    register_many(&app, &reg, 20).await;
    wait_for("every event at every receiver", || {
        receivers.iter().all(|r| r.accepted().len() >= 20)
    });
    std::thread::sleep(Duration::from_millis(500));
    for r in &receivers {
        let got = r.received();
        assert_eq!(got.len(), 20, "an event was delivered twice");
        assert_eq!(first_seen(&got).len(), 20);
    }
}
