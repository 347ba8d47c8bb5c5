#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! Several server processes on one database: registration numbers stay unique, increasing and
//! gapless; the history chain is verifiable with `appeals audit verify`; a process killed under
//! load loses nothing it answered.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use appeals_api::auth::Role;
use appeals_tests::{TEST_SECRET, TestApp, TestBackend, TestDb, appeals_bin, backend_tests};

backend_tests!(
    two_processes_number_registrations_without_duplicates_or_gaps,
    two_processes_number_without_duplicates_or_gaps_in_gapless_mode,
    switching_the_numbering_mode_continues_after_the_last_number,
    audit_verify_reports_intact_and_broken_chains,
    a_process_killed_under_load_loses_no_answered_registration,
    a_conventions_change_in_one_process_applies_in_another_and_is_audited,
    a_revocation_in_one_process_applies_in_another_on_its_next_request,
    the_server_log_holds_no_password_token_or_iin,
    the_access_walkthrough_of_docs_access_md_works,
);

fn numbering(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(appeals_bin())
        .arg("numbering")
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

struct Server(Child, u16);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(url: &str) -> Server {
    start_server_logging(url, "warn", Stdio::null(), &[])
}

/// [`start_server`] at a log level, with the log (stderr) going to `log` and extra environment.
fn start_server_logging(url: &str, level: &str, log: Stdio, envs: &[(&str, &str)]) -> Server {
    // Port 0: the server binds a free port itself and prints it (a port picked here and bound
    // later could be taken by a parallel test's server in between, which would then answer).
    let mut child = Command::new(appeals_bin())
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("BIND", "127.0.0.1:0")
        .env(
            "APPEALS_JWT_SECRET",
            std::str::from_utf8(TEST_SECRET).unwrap(),
        )
        .env(
            "APPEALS_SEARCH_KEY",
            std::str::from_utf8(TEST_SECRET).unwrap(),
        )
        .env(
            "APPEALS_SEALING_KEY",
            std::str::from_utf8(TEST_SECRET).unwrap(),
        )
        .env("APPEALS_ENV", "prod")
        .env("APPEALS_POOL_SIZE", "4")
        .env("RUST_LOG", level)
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    // Keep reading, so a later line never meets a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let port: u16 = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("the server did not print its address: {line:?}"));
    let server = Server(child, port);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if http(port, "GET", "/readyz", None, "")
            .map(|(s, _)| s == 200)
            .unwrap_or(false)
        {
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("server on port {port} did not become ready");
}

fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> Option<(u16, String)> {
    http_with(port, method, path, token, &[], body)
}

/// [`http`] with extra request headers; `None` when the connection fails or is cut off.
fn http_with(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<(u16, String)> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let mut auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    for (name, value) in headers {
        auth.push_str(&format!("{name}: {value}\r\n"));
    }
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.get(9..12)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Some((status, body))
}

/// The default mode: `sequence` on PostgreSQL, `gapless` on SQLite (the only one it has).
async fn two_processes_number_registrations_without_duplicates_or_gaps(backend: TestBackend) {
    let db = TestDb::new(backend);
    let expected = match backend {
        TestBackend::Postgres => "sequence",
        TestBackend::Sqlite => "gapless",
    };
    let shown = numbering(&db.url, &["show"]);
    assert_eq!(
        String::from_utf8_lossy(&shown.stdout).trim(),
        format!("registration numbering: {expected}")
    );
    register_from_two_processes(db);
}

async fn two_processes_number_without_duplicates_or_gaps_in_gapless_mode(backend: TestBackend) {
    let db = TestDb::new(backend);
    let out = numbering(&db.url, &["set", "gapless"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    register_from_two_processes(db);
}

/// Switching modes moves both number sources past the last number issued, so neither repeats one;
/// SQLite refuses `sequence` with a clear message.
async fn switching_the_numbering_mode_continues_after_the_last_number(backend: TestBackend) {
    let db = TestDb::new(backend);
    let url = db.url.clone();
    let app = TestApp::on(db);
    let user = app.user("reg", "S1", &[Role::Registrar]);
    let register = || async {
        let res = app.post("/api/v1/appeals", &user, serde_json::json!({
            "document_type": "request", "text": "Прошу предоставить информацию.", "receipt_form": "electronic",
            "language": "official", "received_at": "2026-03-05T04:15:00Z"
        })).await;
        assert_eq!(res.status, 201, "{}", res.body);
        res.body["registration_number"].as_str().unwrap().to_owned()
    };
    assert_eq!(register().await, "ЖТ-2026-00000001");
    if backend == TestBackend::Sqlite {
        let out = numbering(&url, &["set", "sequence"]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("needs PostgreSQL"));
        return;
    }
    for (mode, number) in [("gapless", 2), ("sequence", 3), ("gapless", 4)] {
        let out = numbering(&url, &["set", mode]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let shown = numbering(&url, &["show"]);
        assert_eq!(
            String::from_utf8_lossy(&shown.stdout).trim(),
            format!("registration numbering: {mode}")
        );
        // Whichever mode this process still runs until its next rules reload, both sources
        // continue after the last number issued.
        assert_eq!(
            register().await,
            format!("ЖТ-2026-{number:08}"),
            "after switching to {mode}"
        );
    }
}

fn register_from_two_processes(db: TestDb) {
    let url = db.url.clone();
    let app = TestApp::on(db);
    let user = app.user("reg", "S1", &[Role::Registrar]);
    let (a, b) = (start_server(&url), start_server(&url));
    let body = application_body();
    const PER_THREAD: usize = 15;
    let threads: Vec<_> = [a.1, b.1, a.1, b.1]
        .into_iter()
        .map(|port| {
            let (token, body) = (user.token.clone(), body.clone());
            std::thread::spawn(move || {
                (0..PER_THREAD)
                    .map(|_| {
                        let (status, response) =
                            http(port, "POST", "/api/v1/appeals", Some(&token), &body)
                                .expect("answer");
                        assert_eq!(status, 201, "{response}");
                        let v: serde_json::Value = serde_json::from_str(&response).unwrap();
                        v["registration_number"].as_str().unwrap().to_owned()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut numbers: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    numbers.sort();
    let total = numbers.len();
    numbers.dedup();
    assert_eq!(
        numbers.len(),
        total,
        "a registration number was issued twice"
    );
    let expected: Vec<String> = (1..=total).map(|n| format!("ЖТ-2026-{n:08}")).collect();
    assert_eq!(
        numbers, expected,
        "numbers must be consecutive from 1 with no gaps"
    );
    drop((a, b));
}

async fn audit_verify_reports_intact_and_broken_chains(backend: TestBackend) {
    let db = TestDb::new(backend);
    let url = db.url.clone();
    let app = TestApp::on(db);
    let user = app.user("reg", "S1", &[Role::Registrar]);
    for _ in 0..3 {
        let res = app.post("/api/v1/appeals", &user, serde_json::json!({
            "document_type": "request", "text": "Прошу предоставить информацию.", "receipt_form": "electronic",
            "language": "official", "received_at": "2026-03-05T04:15:00Z"
        })).await;
        assert_eq!(res.status, 201, "{}", res.body);
    }
    let verify = || audit_verify(&url);
    let out = verify();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 event(s) verified"));
    {
        use appeals_db::schema::appeal_events;
        use diesel::prelude::*;
        diesel::update(appeal_events::table.filter(appeal_events::id.eq(2)))
            .set(appeal_events::action.eq("forged"))
            .execute(&mut *app.conn())
            .unwrap();
    }
    let out = verify();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("event id 2") && stderr.contains("hash does not match"),
        "{stderr}"
    );
}

/// SIGKILL in the middle of registrations (no shutdown, requests in flight): every registration
/// the process answered 201 is there for the next process — the card under its number and its
/// `registered` event — numbers stay unique and every history chain verifies. A request cut off
/// without an answer may or may not have committed; retried with its `Idempotency-Key` against the
/// next process it takes effect exactly once.
async fn a_process_killed_under_load_loses_no_answered_registration(backend: TestBackend) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let db = TestDb::new(backend);
    let url = db.url.clone();
    let app = TestApp::on(db);
    let user = app.user("reg", "S1", &[Role::Registrar]);
    let mut doomed = start_server(&url);
    let port = doomed.1;
    let body = application_body();
    let answered_count = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..4)
        .map(|client| {
            let (token, body, count) = (user.token.clone(), body.clone(), answered_count.clone());
            std::thread::spawn(move || {
                let mut answered = Vec::new();
                // Until the process is gone; the last key is the request left without an answer.
                for n in 0.. {
                    let key = format!("client-{client}-{n}");
                    match register(port, &token, &key, &body) {
                        Some(card) => answered.push(card),
                        None => return (answered, key),
                    }
                    count.fetch_add(1, Ordering::SeqCst);
                }
                unreachable!()
            })
        })
        .collect();
    let started = Instant::now();
    while answered_count.load(Ordering::SeqCst) < 40 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "too slow to register 40"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    doomed.0.kill().unwrap(); // SIGKILL: no graceful shutdown
    doomed.0.wait().unwrap();
    let (answered, unanswered): (Vec<Vec<(i64, String)>>, Vec<String>) =
        clients.into_iter().map(|c| c.join().unwrap()).unzip();
    let mut answered: Vec<(i64, String)> = answered.into_iter().flatten().collect();
    assert!(answered.len() >= 40);

    let next = start_server(&url);
    for (id, number) in &answered {
        let card = get_json(next.1, &format!("/api/v1/appeals/{id}"), &user.token);
        assert_eq!(card["registration_number"], number.as_str());
        let history = get_json(
            next.1,
            &format!("/api/v1/appeals/{id}/history"),
            &user.token,
        );
        assert_eq!(history[0]["action"], "registered", "{history}");
    }
    for key in &unanswered {
        let retried = register(next.1, &user.token, key, &body).expect("the retry is answered");
        // Committed before the kill (the first card, replayed) or not at all (a new one).
        assert_eq!(
            register(next.1, &user.token, key, &body),
            Some(retried.clone())
        );
        answered.push(retried);
    }
    let mut numbers: Vec<&String> = answered.iter().map(|(_, n)| n).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), answered.len(), "a number was answered twice");
    let stored: i64 = {
        use appeals_db::schema::appeals;
        use diesel::prelude::*;
        appeals::table.count().get_result(&mut *app.conn()).unwrap()
    };
    assert_eq!(
        stored,
        i64::try_from(answered.len()).unwrap(),
        "each request took effect exactly once"
    );
    let audit = audit_verify(&url);
    assert!(
        audit.status.success(),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
}

fn audit_verify(url: &str) -> std::process::Output {
    Command::new(appeals_bin())
        .args(["audit", "verify"])
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// A `GET` that must answer 200 with JSON.
fn get_json(port: u16, path: &str, token: &str) -> serde_json::Value {
    let (status, response) = http(port, "GET", path, Some(token), "").unwrap();
    assert_eq!(status, 200, "GET {path}: {response}");
    serde_json::from_str(&response).unwrap()
}

/// The registration body the load in these tests sends.
fn application_body() -> String {
    serde_json::json!({
        "document_type": "application",
        "applicants": [{"category": "individual", "surname": "Ахметов", "first_name": "Ерлан"}],
        "text": "Прошу отремонтировать дорогу на улице Абая.",
        "receipt_form": "electronic",
        "language": "state",
        "received_at": "2026-03-05T04:15:00Z"
    })
    .to_string()
}

/// A registration with an `Idempotency-Key`: the card's id and number, or `None` when the
/// connection failed or the answer was cut off half-way.
fn register(port: u16, token: &str, key: &str, body: &str) -> Option<(i64, String)> {
    let (status, response) = http_with(
        port,
        "POST",
        "/api/v1/appeals",
        Some(token),
        &[("Idempotency-Key", key)],
        body,
    )?;
    let card = serde_json::from_str::<serde_json::Value>(&response).ok()?;
    assert_eq!(status, 201, "{card}");
    Some((
        card["id"].as_i64().unwrap(),
        card["registration_number"].as_str().unwrap().to_owned(),
    ))
}

/// Issue 23 point 1: the cut-off changed through one server process applies to the next request
/// another (already running, already warm) process serves; the change is in the audit trail.
async fn a_conventions_change_in_one_process_applies_in_another_and_is_audited(
    backend: TestBackend,
) {
    let db = TestDb::new(backend);
    let url = db.url.clone();
    let app = TestApp::on(db);
    let registrar = app.user("reg", "S1", &[Role::Registrar]);
    let admin = app.national_admin("national");
    let (a, b) = (start_server(&url), start_server(&url));
    // Received Thursday 2026-03-05 at 10:00 local time.
    let mut body: serde_json::Value = serde_json::from_str(&application_body()).unwrap();
    body["received_at"] = serde_json::json!("2026-03-05T05:00:00Z");
    let body = body.to_string();
    let registration_date = |port: u16| {
        let (status, response) = http(
            port,
            "POST",
            "/api/v1/appeals",
            Some(&registrar.token),
            &body,
        )
        .unwrap();
        assert_eq!(status, 201, "{response}");
        let card: serde_json::Value = serde_json::from_str(&response).unwrap();
        card["registration_date"].as_str().unwrap().to_owned()
    };
    assert_eq!(registration_date(b.1), "2026-03-05");
    let change = serde_json::json!({
        "conventions": {"deadlines": {"cutoff": "09:00:00"}},
        "reason": "Окончание приема в 09:00 (проверка)",
    })
    .to_string();
    let (status, response) = http(
        a.1,
        "PUT",
        "/api/v1/conventions",
        Some(&admin.token),
        &change,
    )
    .unwrap();
    assert_eq!(status, 201, "{response}");
    // Process B never saw the change being made: its first request after the version check
    // interval (`RULES_CHECK_INTERVAL`, one primary-key read per second) reloads the rules.
    std::thread::sleep(appeals_api::rules::RULES_CHECK_INTERVAL + Duration::from_millis(200));
    assert_eq!(registration_date(b.1), "2026-03-06");
    let current = get_json(b.1, "/api/v1/conventions", &registrar.token);
    assert_eq!(current["version"], 1);
    assert_eq!(current["conventions"]["deadlines"]["cutoff"], "09:00:00");
    let events =
        appeals_db::repo::configuration::admin_events_on(&mut app.conn(), "conventions").unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor_user_id, Some(admin.id));
    assert!(events[0].after.as_deref().unwrap().contains("09:00:00"));
    drop((a, b));
}

fn login(port: u16, username: &str, password: &str) -> (u16, String) {
    let body = serde_json::json!({"username": username, "password": password}).to_string();
    http(port, "POST", "/api/v1/auth/token", None, &body).unwrap()
}

fn token_of(response: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(response).unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

/// Issue 20 point 4: a logout, a deactivation of the user and of its subject, each made through
/// one process, refuse the token on the very next request another (running) process serves.
async fn a_revocation_in_one_process_applies_in_another_on_its_next_request(backend: TestBackend) {
    let db = TestDb::new(backend);
    let url = db.url.clone();
    let app = TestApp::on(db);
    app.user("reg", "S1", &[Role::Registrar]);
    let admin = app.user("s1-admin", "S1", &[Role::Admin]);
    let national = app.national_admin("national");
    let (a, b) = (start_server(&url), start_server(&url));

    let (status, response) = login(a.1, "reg", "password-1234");
    assert_eq!(status, 200, "{response}");
    let token = token_of(&response);
    get_json(b.1, "/api/v1/me", &token);
    let (status, _) = http(a.1, "POST", "/api/v1/me/logout", Some(&token), "").unwrap();
    assert_eq!(status, 204);
    let (status, response) = http(b.1, "GET", "/api/v1/me", Some(&token), "").unwrap();
    assert_eq!(status, 401, "{response}");

    let (_, response) = login(b.1, "reg", "password-1234");
    let token = token_of(&response);
    let me = get_json(a.1, "/api/v1/me", &token);
    let patch = serde_json::json!({"is_active": false}).to_string();
    let path = format!("/api/v1/users/{}", me["user_id"]);
    let (status, response) = http(a.1, "PATCH", &path, Some(&admin.token), &patch).unwrap();
    assert_eq!(status, 200, "{response}");
    let (status, _) = http(b.1, "GET", "/api/v1/me", Some(&token), "").unwrap();
    assert_eq!(status, 401);

    // The subject's deactivation refuses its admin too.
    get_json(b.1, "/api/v1/me", &admin.token);
    let path = format!("/api/v1/subjects/{}", app.subject_id);
    let (status, response) = http(a.1, "PATCH", &path, Some(&national.token), &patch).unwrap();
    assert_eq!(status, 200, "{response}");
    let (status, _) = http(b.1, "GET", "/api/v1/me", Some(&admin.token), "").unwrap();
    assert_eq!(status, 401);
}

/// Issue 20 point 4: a server run at debug level, through a login, a failed login, a registration
/// with an applicant's IIN and a registry lookup by IIN, logs none of the password, the token or
/// the IIN.
async fn the_server_log_holds_no_password_token_or_iin(backend: TestBackend) {
    let db = TestDb::new(backend);
    let url = db.url.clone();
    let app = TestApp::on(db);
    app.user("reg", "S1", &[Role::Registrar]);
    app.registry_record("921029350851");
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let server = start_server_logging(&url, "debug", Stdio::from(log), &[]);

    let (status, _) = login(server.1, "reg", "wrong-secret-77");
    assert_eq!(status, 401);
    let (status, response) = login(server.1, "reg", "password-1234");
    assert_eq!(status, 200, "{response}");
    let token = token_of(&response);
    let mut body: serde_json::Value = serde_json::from_str(&application_body()).unwrap();
    body["applicants"][0]["iin_bin"] = serde_json::json!("921029350851");
    let (status, response) = http(
        server.1,
        "POST",
        "/api/v1/appeals",
        Some(&token),
        &body.to_string(),
    )
    .unwrap();
    assert_eq!(status, 201, "{response}");
    // Answered or not (the registry adapter of this process may be unreachable), the path with
    // the IIN must not reach the log.
    let (status, response) = http(
        server.1,
        "GET",
        "/api/v1/registry/921029350851",
        Some(&token),
        "",
    )
    .unwrap();
    assert!([200, 503].contains(&status), "{response}");
    drop(server);

    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("request"), "the run logged nothing: {log}");
    for secret in [
        "password-1234",
        "wrong-secret-77",
        token.as_str(),
        "921029350851",
    ] {
        assert!(!log.contains(secret), "the log holds `{secret}`");
    }
    let signature = token.rsplit('.').next().unwrap();
    assert!(
        !log.contains(signature),
        "the log holds the token's signature"
    );
}

/// The bash block of docs/access.md between `<!-- walkthrough:NAME -->` and `<!-- end -->`.
fn walkthrough_block(name: &str) -> String {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/access.md")).unwrap();
    let start = doc
        .find(&format!("<!-- walkthrough:{name} -->"))
        .unwrap_or_else(|| panic!("docs/access.md has no walkthrough:{name}"));
    let rest = &doc[start..];
    let body = &rest[rest.find("```bash").unwrap() + "```bash".len()..];
    body[..body.find("```").unwrap()].to_owned()
}

fn run_bash(dir: &std::path::Path, script: &str, envs: &[(&str, &str)]) {
    let out = Command::new("bash")
        .arg("-euo")
        .arg("pipefail")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the walkthrough failed:\n{script}\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Issue 20 points 1 and 6: the commands of docs/access.md, run as written — a test CA, a signer
/// certificate, `openssl cms -sign`, a server started with the bundle as its trust anchors, the
/// application submitted and approved with curl — and the new user logs in.
async fn the_access_walkthrough_of_docs_access_md_works(backend: TestBackend) {
    let db = TestDb::new(backend);
    let url = db.url.clone();
    let app = TestApp::on(db);
    let admin = app.national_admin("national");
    let dir = tempfile::tempdir().unwrap();
    run_bash(dir.path(), &walkthrough_block("sign"), &[]);
    let anchors = dir.path().join("ca.pem");
    let server = start_server_logging(
        &url,
        "warn",
        Stdio::null(),
        &[("APPEALS_EDS_TRUST_ANCHORS", anchors.to_str().unwrap())],
    );
    let base = format!("http://127.0.0.1:{}", server.1);
    run_bash(
        dir.path(),
        &walkthrough_block("submit"),
        &[
            ("BASE", base.as_str()),
            ("ADMIN_TOKEN", admin.token.as_str()),
        ],
    );
    let token: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("token.json")).unwrap())
            .unwrap();
    let me = get_json(
        server.1,
        "/api/v1/me",
        token["access_token"].as_str().unwrap(),
    );
    assert_eq!(me["username"], "a.seitkali");
    assert_eq!(me["subject"]["code"], "AKIMAT-ALA");
    assert_eq!(me["roles"], serde_json::json!(["registrar", "executor"]));
    // The stored original is the file that was signed, byte for byte.
    let submitted: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("submitted.json")).unwrap())
            .unwrap();
    let original = app
        .send(
            actix_web::test::TestRequest::get()
                .uri(&format!(
                    "/api/v1/access-requests/{}/signed-original",
                    submitted["id"]
                ))
                .insert_header(appeals_tests::bearer(&admin)),
        )
        .await;
    assert_eq!(
        original.raw,
        std::fs::read(dir.path().join("application.cms")).unwrap()
    );
}
