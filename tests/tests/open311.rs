#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a failed unwrap is a failed test
//! Issue 22 point 7: the public Open311 GeoReport v2 facade — the field names of the
//! specification, only the publishing subjects' appeals, no personal data, and the applicant's own
//! check by number and talon code.

use actix_web::test::TestRequest;
use appeals_api::auth::Role;
use appeals_tests::{TestApp, TestBackend, TestResponse, backend_tests};
use serde_json::{Value, json};

backend_tests!(the_facade_speaks_georeport_v2_and_publishes_no_personal_data);

const SERVICE_FIELDS: &[&str] = &[
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
];

/// GeoReport v2 `GET requests.json` fields (https://wiki.open311.org/GeoReport_v2).
const REQUEST_FIELDS: &[&str] = &[
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
];

async fn public(app: &TestApp, uri: &str) -> TestResponse {
    app.send(TestRequest::get().uri(uri)).await
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn sorted(fields: &[&str]) -> Vec<String> {
    let mut f: Vec<String> = fields.iter().map(|s| (*s).to_owned()).collect();
    f.sort();
    f
}

async fn register(app: &TestApp, user: &appeals_tests::TestUser) -> Value {
    let res = app
        .post(
            "/api/v1/appeals",
            user,
            json!({
                "document_type": "application",
                "applicants": [{"category": "individual", "iin_bin": "921029350851",
                                "surname": "Ахметов", "first_name": "Ерлан", "mobile_phone": "+77011234567"}],
                "text": "Прошу восстановить отопление в доме по адресу пр. Абая, 10.",
                "receipt_form": "electronic", "language": "state",
                "received_at": "2026-03-05T04:15:00Z"
            }),
        )
        .await;
    res.assert_status(201);
    res.body
}

async fn the_facade_speaks_georeport_v2_and_publishes_no_personal_data(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.subject("S2", false);
    app.registry_record("921029350851");
    let national = app.national_admin("national");
    let reg1 = app.user("reg1", "S1", &[Role::Registrar]);
    let reg2 = app.user("reg2", "S2", &[Role::Registrar]);
    app.patch(
        &format!("/api/v1/subjects/{}", app.subject_id),
        &national,
        json!({"open311_public": true}),
    )
    .await
    .assert_status(200);
    let published = register(&app, &reg1).await;
    let unpublished = register(&app, &reg2).await;

    let services = public(&app, "/open311/v2/services.json").await;
    services.assert_status(200);
    assert!(!services.body.as_array().unwrap().is_empty());
    for s in services.body.as_array().unwrap() {
        assert_eq!(keys(s), sorted(SERVICE_FIELDS), "{s}");
    }

    let requests = public(&app, "/open311/v2/requests.json").await;
    requests.assert_status(200);
    let list = requests.body.as_array().unwrap();
    assert_eq!(
        list.len(),
        1,
        "only the publishing subject's: {}",
        requests.body
    );
    let r = &list[0];
    assert_eq!(keys(r), sorted(REQUEST_FIELDS));
    assert_eq!(r["service_request_id"], published["id"].to_string());
    assert_eq!(r["service_notice"], published["registration_number"]);
    assert_eq!(r["status"], "open");
    assert_eq!(r["service_code"], "application");
    assert!(r["expected_datetime"].as_str().unwrap().ends_with("+05:00"));
    for text in [
        requests.body.to_string(),
        public(
            &app,
            &format!("/open311/v2/requests/{}.json", published["id"]),
        )
        .await
        .body
        .to_string(),
    ] {
        for personal in [
            "921029350851",
            "Ахметов",
            "Ерлан",
            "Абая",
            "77011234567",
            "отопление",
        ] {
            assert!(!text.contains(personal), "`{personal}` in {text}");
        }
    }
    public(&app, "/open311/v2/requests.json?status=closed")
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty()
        .then_some(())
        .unwrap();
    public(&app, "/open311/v2/requests.json?status=maybe")
        .await
        .assert_problem(422, "validation");
    public(
        &app,
        &format!("/open311/v2/requests/{}.json", unpublished["id"]),
    )
    .await
    .assert_problem(404, "not-found");

    // The applicant's own check: the number and the talon's code, whatever the subject.
    let talon = &unpublished["talon"];
    let code = talon["verification_code"].as_str().unwrap();
    assert_eq!(code.len(), 10);
    let number = unpublished["registration_number"].as_str().unwrap();
    let encoded: String = number
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let own = public(
        &app,
        &format!("/open311/v2/status.json?registration_number={encoded}&verification_code={code}"),
    )
    .await;
    own.assert_status(200);
    assert_eq!(own.body[0]["service_notice"], number);
    assert_eq!(keys(&own.body[0]), sorted(REQUEST_FIELDS));
    public(
        &app,
        &format!(
            "/open311/v2/status.json?registration_number={encoded}&verification_code=0000000000"
        ),
    )
    .await
    .assert_problem(404, "not-found");
}
