#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! The OpenAPI document is the contract: committed, complete, and matching the router.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use appeals_tests::{TestApp, TestBackend};

const COMMITTED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../openapi/openapi.json"
));

#[test]
fn committed_openapi_is_current() {
    let generated = appeals_api::openapi::to_pretty_json(&appeals_api::openapi()).unwrap();
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is stale: run `make openapi` and commit the result"
    );
}

#[test]
fn every_operation_documents_problems_and_security() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    assert!(
        spec["info"]["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    assert!(spec["components"]["schemas"]["Problem"].is_object());
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer_auth"]["scheme"],
        "bearer"
    );
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() >= 4);
    let mut operation_ids = std::collections::BTreeSet::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            assert!(
                operation_ids.insert(id.clone()),
                "operationId `{id}` of {method} {path} is not unique"
            );
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.contains_key("5XX"),
                "{method} {path} lacks the 5XX problem"
            );
            assert!(
                op["summary"].is_string() || op["description"].is_string(),
                "{method} {path} has no doc"
            );
            let public = !path.starts_with("/api/v1/") || path == "/api/v1/auth/token";
            if !public {
                assert!(
                    op["security"].is_array(),
                    "{method} {path} is not marked as secured"
                );
                assert!(
                    responses.contains_key("401") && responses.contains_key("403"),
                    "{method} {path}"
                );
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} lacks {status}"
                    );
                }
            }
        }
    }
}

/// Every documented protected operation answers 401 without a token: authentication is one
/// middleware over the whole scope, not per-handler code, and the spec matches the router.
#[actix_web::test]
async fn every_protected_operation_requires_a_token() {
    let app = TestApp::new(TestBackend::Sqlite).await;
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") || path == "/api/v1/auth/token" {
            continue;
        }
        let concrete = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "1" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // The documented public routes (an EDS-signed access application) need none.
            if appeals_api::auth::PUBLIC_ROUTES
                .iter()
                .any(|(m, p)| *m == method.as_str() && p == path)
            {
                continue;
            }
            let res = app
                .send(TestRequest::default().method(method.clone()).uri(&concrete))
                .await;
            res.assert_problem(401, "unauthorized");
            checked += 1;
        }
    }
    assert!(checked >= 1);
}

#[actix_web::test]
async fn served_spec_equals_committed_and_swagger_ui_is_served() {
    let app = TestApp::new(TestBackend::Sqlite).await;
    let res = app
        .send(TestRequest::get().uri("/api-docs/openapi.json"))
        .await;
    assert_eq!(res.status, 200);
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(res.body, committed);
    let res = app.send(TestRequest::get().uri("/swagger-ui/")).await;
    assert_eq!(res.status, 200);
    assert!(
        String::from_utf8_lossy(&res.raw).contains("swagger"),
        "Swagger UI page expected"
    );
}
