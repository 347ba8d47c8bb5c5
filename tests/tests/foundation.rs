#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! Foundation: authentication, the problem+json error model, probes — on both backends.

use actix_web::http::header;
use actix_web::test::TestRequest;
use appeals_api::auth::{Claims, JwtKeys, Role};
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests};
use serde_json::json;

backend_tests!(
    healthz_and_readyz_answer,
    me_without_token_is_401_problem,
    token_flow_gives_me,
    wrong_password_and_unknown_user_are_401,
    inactive_or_integration_rules_on_token,
    tampered_expired_and_foreign_tokens_are_401,
    unknown_route_is_404_problem,
    wrong_method_is_405_problem,
    malformed_json_is_400_problem,
    wrong_content_type_is_415_problem,
    oversized_body_is_413_problem,
    schema_mismatch_is_422_problem_with_pointer,
    cors_allows_only_configured_origins,
    request_id_is_returned,
    database_tasks_wait_their_turn_and_a_failed_one_frees_its_slot,
);

async fn healthz_and_readyz_answer(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let res = app.send(TestRequest::get().uri("/healthz")).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["status"], "ok");
    let res = app.send(TestRequest::get().uri("/readyz")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let expected = match backend {
        TestBackend::Sqlite => "sqlite",
        TestBackend::Postgres => "postgres",
    };
    assert_eq!(res.body["database"], expected);
}

async fn me_without_token_is_401_problem(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let res = app.send(TestRequest::get().uri("/api/v1/me")).await;
    res.assert_problem(401, "unauthorized");
    assert_eq!(res.header("www-authenticate"), Some("Bearer"));
    let res = app
        .send(
            TestRequest::get()
                .uri("/api/v1/me")
                .insert_header((header::AUTHORIZATION, "Basic abc")),
        )
        .await;
    res.assert_problem(401, "unauthorized");
}

async fn token_flow_gives_me(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.user("reg", "S1", &[Role::Registrar, Role::Executor]);
    let res = app
        .send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .set_json(json!({"username": "reg", "password": "password-1234"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["token_type"], "Bearer");
    assert_eq!(res.body["expires_in"], 900);
    let token = res.body["access_token"].as_str().unwrap().to_owned();
    let res = app
        .send(
            TestRequest::get()
                .uri("/api/v1/me")
                .insert_header((header::AUTHORIZATION, format!("Bearer {token}"))),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["username"], "reg");
    assert_eq!(res.body["roles"], json!(["registrar", "executor"]));
    assert_eq!(res.body["subject"]["code"], "S1");
    assert_eq!(res.body["subject"]["id"], app.subject_id);
}

async fn wrong_password_and_unknown_user_are_401(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.user("reg", "S1", &[Role::Registrar]);
    for body in [
        json!({"username": "reg", "password": "wrong-password"}),
        json!({"username": "ghost", "password": "password-1234"}),
    ] {
        let res = app
            .send(TestRequest::post().uri("/api/v1/auth/token").set_json(body))
            .await;
        res.assert_problem(401, "unauthorized");
        assert_eq!(res.body["detail"], "Wrong credentials.");
    }
    // Neither credential pair: a validation problem, not a login attempt.
    let res = app
        .send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .set_json(json!({"username": "reg"})),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#");
}

async fn inactive_or_integration_rules_on_token(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.user("client", "S1", &[Role::Integration]);
    app.user("human", "S1", &[Role::Registrar]);
    let res = app
        .send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .set_json(json!({"client_id": "client", "client_secret": "password-1234"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    // A non-integration account cannot use the client-credentials form.
    let res = app
        .send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .set_json(json!({"client_id": "human", "client_secret": "password-1234"})),
        )
        .await;
    res.assert_problem(401, "unauthorized");
    // A deactivated account gets no token.
    {
        use appeals_db::schema::users;
        use diesel::prelude::*;
        diesel::update(users::table.filter(users::username.eq("human")))
            .set(users::is_active.eq(false))
            .execute(&mut *app.conn())
            .unwrap();
    }
    let res = app
        .send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .set_json(json!({"username": "human", "password": "password-1234"})),
        )
        .await;
    res.assert_problem(401, "unauthorized");
}

async fn tampered_expired_and_foreign_tokens_are_401(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let user = app.user("reg", "S1", &[Role::Registrar]);
    let ok = app.get("/api/v1/me", &user).await;
    assert_eq!(ok.status, 200);

    let mut tampered = user.clone();
    let (head, sig) = user.token.rsplit_once('.').unwrap();
    let flipped: String = sig.chars().rev().collect();
    tampered.token = format!("{head}.{flipped}");
    app.get("/api/v1/me", &tampered)
        .await
        .assert_problem(401, "unauthorized");

    let now = chrono::Utc::now().timestamp();
    let claims = |iat: i64, exp: i64, aud: &str| Claims {
        sub: user.id.to_string(),
        subject_id: user.subject_id,
        roles: vec![Role::Admin],
        iat,
        exp,
        iss: "appeals".to_owned(),
        aud: aud.to_owned(),
        generation: 0,
    };
    let keys = JwtKeys::new(appeals_tests::TEST_SECRET, 900);
    let expired = TestUser {
        token: keys
            .encode(&claims(now - 3600, now - 60, "appeals-api"))
            .unwrap(),
        ..user.clone()
    };
    let res = app.get("/api/v1/me", &expired).await;
    res.assert_problem(401, "unauthorized");
    assert_eq!(res.body["detail"], "The access token has expired.");

    let wrong_aud = TestUser {
        token: keys.encode(&claims(now, now + 600, "other")).unwrap(),
        ..user.clone()
    };
    app.get("/api/v1/me", &wrong_aud)
        .await
        .assert_problem(401, "unauthorized");

    let foreign_keys = JwtKeys::new(b"some-other-secret-some-other-secret", 900);
    let foreign = TestUser {
        token: foreign_keys
            .encode(&claims(now, now + 600, "appeals-api"))
            .unwrap(),
        ..user
    };
    app.get("/api/v1/me", &foreign)
        .await
        .assert_problem(401, "unauthorized");
}

async fn unknown_route_is_404_problem(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.send(TestRequest::get().uri("/nope"))
        .await
        .assert_problem(404, "not-found");
    let user = app.user("reg", "S1", &[Role::Registrar]);
    app.get("/api/v1/does-not-exist", &user)
        .await
        .assert_problem(404, "not-found");
}

async fn wrong_method_is_405_problem(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.send(TestRequest::delete().uri("/healthz"))
        .await
        .assert_problem(405, "method-not-allowed");
    let res = app.send(TestRequest::get().uri("/api/v1/auth/token")).await;
    res.assert_problem(405, "method-not-allowed");
    // RFC 9110: a 405 names the methods the path takes.
    assert_eq!(res.header("allow"), Some("POST"));
    let user = app.user("reg", "S1", &[Role::Registrar]);
    let res = app
        .send(
            TestRequest::delete()
                .uri("/api/v1/appeals/7")
                .insert_header(appeals_tests::bearer(&user)),
        )
        .await;
    res.assert_problem(405, "method-not-allowed");
    assert_eq!(res.header("allow"), Some("GET, PATCH"));
    let res = app
        .send(
            TestRequest::delete()
                .uri("/api/v1/calendar/deadline")
                .insert_header(appeals_tests::bearer(&user)),
        )
        .await;
    assert_eq!(res.header("allow"), Some("GET"));
    let res = app
        .send(
            TestRequest::get()
                .uri("/api/v1/calendar/recalculations")
                .insert_header(appeals_tests::bearer(&user)),
        )
        .await;
    res.assert_problem(405, "method-not-allowed");
    assert_eq!(res.header("allow"), Some("POST"));
}

async fn malformed_json_is_400_problem(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let res = app
        .send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .set_payload("{\"username\": "),
        )
        .await;
    res.assert_problem(400, "malformed-json");
}

async fn wrong_content_type_is_415_problem(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let res = app
        .send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .insert_header((header::CONTENT_TYPE, "text/plain"))
                .set_payload("username=a"),
        )
        .await;
    res.assert_problem(415, "unsupported-media-type");
}

async fn oversized_body_is_413_problem(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let huge = "x".repeat(appeals_api::extract::JSON_LIMIT_BYTES + 10);
    let res = app
        .send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .set_json(json!({"username": huge, "password": "p"})),
        )
        .await;
    res.assert_problem(413, "payload-too-large");
}

async fn schema_mismatch_is_422_problem_with_pointer(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let res = app
        .send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .set_json(json!({"username": 5, "password": "p"})),
        )
        .await;
    res.assert_problem(422, "validation");
    assert!(res.body["errors"][0]["pointer"].is_string());
    let res = app
        .send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .set_json(json!({"username": "", "password": "p"})),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/username");
}

async fn cors_allows_only_configured_origins(backend: TestBackend) {
    use actix_web::test;
    let app = TestApp::new(backend).await;
    let service = test::init_service(appeals_api::build_app(
        app.state.clone(),
        app.api.clone(),
        vec!["https://front.example.kz".to_owned()],
    ))
    .await;
    let preflight = TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri("/api/v1/me")
        .insert_header((header::ORIGIN, "https://front.example.kz"))
        .insert_header((header::ACCESS_CONTROL_REQUEST_METHOD, "GET"))
        .insert_header((header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization"))
        .to_request();
    let res = test::call_service(&service, preflight).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(
        res.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .and_then(|v| v.to_str().ok()),
        Some("https://front.example.kz")
    );
    let user = app.user("reg", "S1", &[Role::Registrar]);
    let get = TestRequest::get()
        .uri("/api/v1/me")
        .insert_header((header::ORIGIN, "https://front.example.kz"))
        .insert_header(appeals_tests::bearer(&user))
        .to_request();
    let res = test::call_service(&service, get).await;
    let exposed = res
        .headers()
        .get(header::ACCESS_CONTROL_EXPOSE_HEADERS)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(
        exposed.contains("etag") && exposed.contains("location"),
        "{exposed}"
    );
    let evil = TestRequest::get()
        .uri("/api/v1/me")
        .insert_header((header::ORIGIN, "https://evil.example.com"))
        .insert_header(appeals_tests::bearer(&user))
        .to_request();
    let res = test::call_service(&service, evil).await;
    assert!(
        res.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}

async fn request_id_is_returned(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let a = app.send(TestRequest::get().uri("/healthz")).await;
    let b = app.send(TestRequest::get().uri("/healthz")).await;
    let (a, b) = (
        a.header("x-request-id").unwrap().to_owned(),
        b.header("x-request-id").unwrap().to_owned(),
    );
    assert_eq!(a.len(), 36);
    assert_ne!(a, b);
}

/// `APPEALS_DB_CONCURRENCY`: tasks beyond the limit wait (never run alongside), and a task that
/// fails gives its slot back — otherwise the next request would wait for ever.
async fn database_tasks_wait_their_turn_and_a_failed_one_frees_its_slot(backend: TestBackend) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    let app = TestApp::new(backend).await;
    let state = app.state.get_ref().clone().with_db_concurrency(1);
    let failed = state
        .db(|_| Err::<(), _>(appeals_api::error::ApiError::not_found("nothing")))
        .await;
    assert!(failed.is_err());
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let task = || {
        let (running, most) = (running.clone(), most.clone());
        state.db(move |_| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(30));
            running.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        })
    };
    let all = async { tokio::join!(task(), task(), task(), task()) };
    let (a, b, c, d) = actix_web::rt::time::timeout(Duration::from_secs(30), all)
        .await
        .expect("a slot was not given back");
    assert!(a.is_ok() && b.is_ok() && c.is_ok() && d.is_ok());
    assert_eq!(most.load(Ordering::SeqCst), 1);
}
