#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a failed unwrap is a failed test
//! Issue 22 point 6: `GET /metrics` parses as the Prometheus text format and counts what operations
//! watch; it is served to the configured scraper only.

use actix_web::test::TestRequest;
use actix_web::web;
use appeals_api::AppState;
use appeals_api::auth::{JwtKeys, Role};
use appeals_tests::{TestApp, TestBackend, backend_tests};
use serde_json::json;

backend_tests!(
    metrics_parse_and_count_requests_registrations_and_the_outbox,
    metrics_are_served_to_the_configured_scraper_only,
);

fn scrape(text: &str) -> prometheus_parse::Scrape {
    prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).unwrap()
}

fn value(scrape: &prometheus_parse::Scrape, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => f64::NAN,
        })
}

async fn get_metrics(
    app: &TestApp,
    token: Option<&str>,
    peer: &str,
) -> appeals_tests::TestResponse {
    let mut req = TestRequest::get()
        .uri("/metrics")
        .peer_addr(peer.parse().unwrap());
    if let Some(t) = token {
        req = req.insert_header(("Authorization", format!("Bearer {t}")));
    }
    app.send(req).await
}

async fn metrics_parse_and_count_requests_registrations_and_the_outbox(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let admin = app.user("admin", "S1", &[Role::Admin]);
    app.post(
        "/api/v1/webhook-subscriptions",
        &admin,
        json!({"url": "http://127.0.0.1:9/hooks"}),
    )
    .await
    .assert_status(201);
    for i in 0..2 {
        app.post(
            "/api/v1/appeals",
            &reg,
            json!({
                "document_type": "application",
                "applicants": [{"category": "individual", "surname": "Ахметов", "first_name": "Ерлан"}],
                "text": format!("Обращение № {i} о ремонте дороги."),
                "receipt_form": "electronic", "language": "state",
                "received_at": "2026-03-05T04:15:00Z"
            }),
        )
        .await
        .assert_status(201);
    }
    app.get("/api/v1/appeals/424242424", &reg)
        .await
        .assert_status(404);

    let res = get_metrics(&app, None, "127.0.0.1:40000").await;
    assert_eq!(res.status, 200);
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4"),
        "{:?}",
        res.header("content-type")
    );
    let text = String::from_utf8(res.raw.clone()).unwrap();
    let s = scrape(&text);
    assert_eq!(value(&s, "appeals_registrations_total", &[]), Some(2.0));
    assert_eq!(
        value(
            &s,
            "appeals_http_requests_total",
            &[
                ("route", "/api/v1/appeals"),
                ("method", "POST"),
                ("status", "201")
            ]
        ),
        Some(2.0)
    );
    // By route pattern, never the path (which carries ids and IINs).
    assert_eq!(
        value(
            &s,
            "appeals_http_requests_total",
            &[("route", "/api/v1/appeals/:id"), ("status", "404")]
        ),
        Some(1.0)
    );

    assert!(!text.contains("424242424"));
    assert!(text.contains("appeals_http_request_duration_seconds_bucket"));
    assert!(value(&s, "appeals_duplicate_check_verdicts_total", &[]).is_some());
    // The subscription has not received the two registrations: the outbox lags by two events.
    assert_eq!(value(&s, "appeals_outbox_lag_events", &[]), Some(2.0));
    assert!(value(&s, "appeals_overdue_open_cards", &[]).unwrap() >= 2.0);
    assert!(value(&s, "appeals_database_pool_connections", &[("state", "max")]).unwrap() >= 1.0);
    assert_eq!(value(&s, "appeals_build_info", &[]), Some(1.0));
    assert!(text.contains("appeals_database_wait_seconds_bucket"));
}

async fn metrics_are_served_to_the_configured_scraper_only(backend: TestBackend) {
    let mut app = TestApp::new(backend).await;
    get_metrics(&app, None, "10.1.2.3:40000")
        .await
        .assert_problem(403, "forbidden");
    app.state = web::Data::new(
        AppState::new(
            app.state.pool.clone(),
            JwtKeys::new(appeals_tests::TEST_SECRET, 900),
        )
        .with_metrics_token(Some("scrape-token-0123456789".to_owned())),
    );
    get_metrics(&app, None, "127.0.0.1:40000")
        .await
        .assert_problem(403, "forbidden");
    get_metrics(&app, Some("wrong"), "10.1.2.3:40000")
        .await
        .assert_problem(403, "forbidden");
    get_metrics(&app, Some("scrape-token-0123456789"), "10.1.2.3:40000")
        .await
        .assert_status(200);
}
