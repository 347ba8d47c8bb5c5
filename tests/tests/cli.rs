#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! The `appeals` binary: configuration errors, bootstrap commands, serving and graceful shutdown.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use actix_web::test::TestRequest;
use appeals_tests::{TestApp, TestBackend, TestDb, appeals_bin, backend_tests};
use serde_json::json;

fn appeals() -> Command {
    let mut cmd = Command::new(appeals_bin());
    // A clean environment: only what each test sets.
    for var in [
        "DATABASE_URL",
        "APPEALS_JWT_SECRET",
        "APPEALS_SEARCH_KEY",
        "APPEALS_SEALING_KEY",
        "APPEALS_ENV",
        "APPEALS_PASSWORD",
        "BIND",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("RUST_LOG", "warn");
    cmd
}

#[test]
fn unknown_database_scheme_is_a_startup_error() {
    let out = appeals()
        .arg("serve")
        .env("DATABASE_URL", "mysql://x")
        .env("APPEALS_ENV", "dev")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("mysql") && stderr.contains("sqlite://") && stderr.contains("postgres://"),
        "{stderr}"
    );
}

#[test]
fn prod_without_a_strong_secret_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/a.db", dir.path().display());
    for secret in [None, Some("short")] {
        let mut cmd = appeals();
        cmd.arg("serve").env("DATABASE_URL", &url);
        if let Some(s) = secret {
            cmd.env("APPEALS_JWT_SECRET", s);
        }
        let out = cmd.output().unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("APPEALS_JWT_SECRET"));
    }
}

#[test]
fn prod_without_a_search_key_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/a.db", dir.path().display());
    for key in [None, Some("short")] {
        let mut cmd = appeals();
        cmd.arg("serve").env("DATABASE_URL", &url).env(
            "APPEALS_JWT_SECRET",
            "a-signing-secret-of-at-least-32-bytes!!",
        );
        if let Some(k) = key {
            cmd.env("APPEALS_SEARCH_KEY", k);
        }
        let out = cmd.output().unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("APPEALS_SEARCH_KEY"));
    }
}

#[test]
fn prod_without_a_sealing_key_refuses_to_serve_or_deliver() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/a.db", dir.path().display());
    for (command, key) in [("serve", None), ("serve", Some("short")), ("worker", None)] {
        let mut cmd = appeals();
        cmd.arg(command)
            .env("DATABASE_URL", &url)
            .env(
                "APPEALS_JWT_SECRET",
                "a-signing-secret-of-at-least-32-bytes!!",
            )
            .env(
                "APPEALS_SEARCH_KEY",
                "a-search-key-of-at-least-32-bytes!!!!!",
            );
        if let Some(k) = key {
            cmd.env("APPEALS_SEALING_KEY", k);
        }
        let out = cmd.output().unwrap();
        assert!(!out.status.success(), "{command} {key:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("APPEALS_SEALING_KEY"),
            "{command} {key:?}"
        );
    }
}

#[test]
fn help_documents_the_environment() {
    let out = appeals().arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for var in [
        "DATABASE_URL",
        "BIND",
        "APPEALS_JWT_SECRET",
        "APPEALS_SEARCH_KEY",
        "APPEALS_SEALING_KEY",
        "APPEALS_POOL_SIZE",
        "APPEALS_LOG_FORMAT",
        "APPEALS_ENV",
        "APPEALS_CORS_ORIGINS",
    ] {
        assert!(text.contains(var), "--help does not mention {var}");
    }
}

#[test]
fn openapi_subcommand_prints_the_committed_document() {
    let out = appeals().arg("openapi").output().unwrap();
    assert!(out.status.success());
    let committed = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../openapi/openapi.json"
    ));
    assert_eq!(String::from_utf8_lossy(&out.stdout), committed);
}

backend_tests!(
    bootstrap_commands_create_a_working_login,
    password_never_from_argv_and_stdin_works
);

async fn bootstrap_commands_create_a_working_login(backend: TestBackend) {
    let db = TestDb::new(backend);
    let out = appeals()
        .arg("migrate")
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = appeals()
        .args([
            "subject",
            "create",
            "--code",
            "S1",
            "--name-ru",
            "Акимат",
            "--name-kk",
            "Әкімдік",
            "--authorized-body",
        ])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = appeals()
        .args([
            "user",
            "create",
            "--username",
            "boss",
            "--subject",
            "S1",
            "--role",
            "head",
            "--role",
            "analyst",
        ])
        .env("DATABASE_URL", &db.url)
        .env("APPEALS_PASSWORD", "long-enough-password")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // An unknown role is refused before anything is written.
    let out = appeals()
        .args([
            "user",
            "create",
            "--username",
            "x",
            "--subject",
            "S1",
            "--role",
            "boss",
        ])
        .env("DATABASE_URL", &db.url)
        .env("APPEALS_PASSWORD", "long-enough-password")
        .output()
        .unwrap();
    assert!(!out.status.success());

    let app = TestApp::on(db);
    let res = app
        .send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .set_json(json!({"username": "boss", "password": "long-enough-password"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let token = res.body["access_token"].as_str().unwrap().to_owned();
    let me = app
        .send(
            TestRequest::get()
                .uri("/api/v1/me")
                .insert_header(("Authorization", format!("Bearer {token}"))),
        )
        .await;
    assert_eq!(me.body["roles"], json!(["head", "analyst"]));
    assert_eq!(me.body["subject"]["is_authorized_body"], true);
    assert_eq!(me.body["subject"]["name_kk"], "Әкімдік");
}

async fn password_never_from_argv_and_stdin_works(backend: TestBackend) {
    let db = TestDb::new(backend);
    let run = |args: &[&str]| {
        appeals()
            .args(args)
            .env("DATABASE_URL", &db.url)
            .output()
            .unwrap()
    };
    assert!(
        run(&["subject", "create", "--code", "S1", "--name-ru", "Акимат"])
            .status
            .success()
    );
    // There is no --password flag.
    let out = run(&[
        "user",
        "create",
        "--username",
        "u",
        "--subject",
        "S1",
        "--role",
        "registrar",
        "--password",
        "x",
    ]);
    assert!(!out.status.success());
    let mut child = appeals()
        .args([
            "user",
            "create",
            "--username",
            "u",
            "--subject",
            "S1",
            "--role",
            "registrar",
        ])
        .env("DATABASE_URL", &db.url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"stdin-password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let app = TestApp::on(db);
    let res = app
        .send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .set_json(json!({"username": "u", "password": "stdin-password"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http_get(port: u16, path: &str) -> Option<String> {
    http(
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    )
}

fn http(port: u16, request: &str) -> Option<String> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[test]
fn serve_creates_the_sqlite_file_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = appeals()
        .arg("serve")
        .arg("--seed-demo")
        .current_dir(dir.path())
        .env("APPEALS_ENV", "dev")
        .env("BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("server.log")).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut answer = None;
    while started.elapsed() < Duration::from_secs(30) {
        if let Some(r) = http_get(port, "/healthz") {
            answer = Some(r);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let answer = answer.expect("server did not answer /healthz");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        dir.path().join("data/appeals.db").exists(),
        "default sqlite://data/appeals.db not created"
    );
    let ready = http_get(port, "/readyz").unwrap();
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    // Secrets and identifiers must not reach the log.
    let body = r#"{"username":"registrar","password":"demo-password"}"#;
    let token_answer = http(
        port,
        &format!(
            "POST /api/v1/auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .unwrap();
    assert!(token_answer.starts_with("HTTP/1.1 200"), "{token_answer}");
    let token = token_answer
        .split("\"access_token\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let me = http(
        port,
        &format!("GET /api/v1/me?iin=921029350851 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"),
    )
    .unwrap();
    assert!(me.starts_with("HTTP/1.1 200"), "{me}");
    // The demo has a reception queue: three applications of today, the first given a slot.
    let queue = http(
        port,
        &format!("GET /api/v1/receptions/queue HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"),
    )
    .unwrap();
    assert!(queue.starts_with("HTTP/1.1 200"), "{queue}");
    assert_eq!(queue.matches("\"card_number\"").count(), 3, "{queue}");
    assert_eq!(queue.matches("\"status\":\"booked\"").count(), 1, "{queue}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(35);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status after SIGTERM: {status}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "server did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    assert!(
        log.contains("request_id"),
        "request log lines expected: {log}"
    );
    assert!(
        log.contains("/api/v1/me"),
        "route pattern expected in the log"
    );
    for secret in ["demo-password", token.as_str(), "921029350851"] {
        assert!(!log.contains(secret), "the log contains a secret or an IIN");
    }
}

/// `appeals kato import`: the Bureau of National Statistics' layout loads; a file with an invalid
/// code names its line and loads nothing.
#[test]
fn kato_import_loads_the_classifier_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kato.db").display());
    let file = dir.path().join("kato.csv");
    std::fs::write(&file, appeals_api::kato_import::SAMPLE).unwrap();
    let out = appeals()
        .args(["kato", "import"])
        .arg(&file)
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("imported 9 KATO object(s)"),
        "{out:?}"
    );
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "te;k;name_kaz;name_rus\n750000000;1;Алматы;Алматы\n00123;2;x;y\n",
    )
    .unwrap();
    let out = appeals()
        .args(["kato", "import"])
        .arg(&bad)
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line/3"), "{err}");
}
