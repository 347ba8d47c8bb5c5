#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a failed unwrap is a failed test
//! Issue 20 points 1 and 5: access applications signed with an EDS. The CA and signer certificates
//! are made at test time: valid (RSA and ECDSA P-256; attached and detached; DER, PEM, base64,
//! raw body), expired, not yet valid, wrong key usage, wrong BIN, untrusted chain, tampered
//! content, detached content that does not match, a GOST algorithm — each with its answer.

use actix_web::http::header;
use actix_web::test::TestRequest;
use appeals_api::auth::Role;
use appeals_db::repo;
use appeals_tests::pki::{KeyKind, SignerSpec, TestPki, TestSigner};
use appeals_tests::{TestApp, TestBackend, TestResponse, TestUser, backend_tests};
use base64::Engine;
use serde_json::{Value, json};

backend_tests!(
    a_signed_application_is_stored_as_sent_approved_and_its_user_logs_in,
    every_encoding_and_both_key_types_verify,
    every_bad_signature_is_refused_with_its_reason,
    a_rejection_keeps_its_reason_and_a_decision_is_final,
);

const IIN: &str = "921029350851";
const BIN: &str = "940140000385";
const OTHER_BIN: &str = "940240000381";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn application(username: &str) -> Vec<u8> {
    json!({
        "subject_code": "AKIMAT-ALA",
        "persons": [{"username": username, "full_name": "Сейткали Айгерим Нурлановна",
                     "iin": IIN, "position": "главный специалист", "roles": ["registrar", "executor"]}]
    })
    .to_string()
    .into_bytes()
}

struct Setup {
    app: TestApp,
    national: TestUser,
    pki: TestPki,
    signer: TestSigner,
}

async fn setup(backend: TestBackend, kind: KeyKind) -> Setup {
    let app = TestApp::new(backend).await;
    let national = app.national_admin("kpsisu-admin");
    let res = app
        .post(
            "/api/v1/subjects",
            &national,
            json!({"code": "AKIMAT-ALA", "name_ru": "Аппарат акима города Алматы", "bin": BIN}),
        )
        .await;
    res.assert_status(201);
    let pki = TestPki::new(kind);
    app.state.trust_eds_anchors(&pki.bundle_pem()).unwrap();
    let signer = pki.signer(&SignerSpec::new(IIN, BIN));
    Setup {
        app,
        national,
        pki,
        signer,
    }
}

async fn submit_json(app: &TestApp, body: Value) -> TestResponse {
    app.send(
        TestRequest::post()
            .uri("/api/v1/access-requests")
            .set_json(body),
    )
    .await
}

async fn submit_raw(app: &TestApp, bytes: Vec<u8>) -> TestResponse {
    app.send(
        TestRequest::post()
            .uri("/api/v1/access-requests")
            .insert_header((header::CONTENT_TYPE, "application/pkcs7-mime"))
            .set_payload(bytes),
    )
    .await
}

async fn a_signed_application_is_stored_as_sent_approved_and_its_user_logs_in(
    backend: TestBackend,
) {
    let s = setup(backend, KeyKind::Rsa).await;
    let der = s.signer.sign(&application("a.seitkali"), false);
    let res = submit_raw(&s.app, der.clone()).await;
    res.assert_status(201);
    let id = res.body["id"].as_i64().unwrap();
    assert_eq!(res.body["status"], "submitted");
    assert_eq!(res.body["signer"]["bin"], BIN);
    assert_eq!(res.body["persons"][0]["iin_masked"], "9210*****851");
    assert!(!res.body.to_string().contains(IIN));
    assert!(res.body["signed_at"].is_string(), "{}", res.body);

    // Only the authorized body's admin reads and decides; the original comes back byte for byte.
    let subject_admin = s.app.user("akimat-admin", "S1", &[Role::Admin]);
    s.app
        .get(&format!("/api/v1/access-requests/{id}"), &subject_admin)
        .await
        .assert_problem(403, "forbidden");
    let original = s
        .app
        .send(
            TestRequest::get()
                .uri(&format!("/api/v1/access-requests/{id}/signed-original"))
                .insert_header(appeals_tests::bearer(&s.national)),
        )
        .await;
    assert_eq!(original.status, 200);
    assert_eq!(original.raw, der);

    let res = s
        .app
        .post(
            &format!("/api/v1/access-requests/{id}/approval"),
            &s.national,
            json!({}),
        )
        .await;
    res.assert_status(200);
    assert_eq!(res.body["request"]["status"], "approved");
    let account = &res.body["accounts"][0];
    assert_eq!(account["username"], "a.seitkali");
    let password = account["initial_password"].as_str().unwrap().to_owned();

    // The new user logs in, bound to the subject with the requested roles.
    let login = s.app.login("a.seitkali", &password).await;
    login.assert_status(200);
    let me = s
        .app
        .send(TestRequest::get().uri("/api/v1/me").insert_header((
            header::AUTHORIZATION,
            format!("Bearer {}", login.body["access_token"].as_str().unwrap()),
        )))
        .await;
    me.assert_status(200);
    assert_eq!(me.body["subject"]["code"], "AKIMAT-ALA");
    assert_eq!(me.body["roles"], json!(["registrar", "executor"]));

    let events =
        repo::configuration::admin_events_on(&mut s.app.conn(), &format!("access_request:{id}"))
            .unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["access_request_submitted", "access_request_approved"]
    );
    assert!(
        events
            .iter()
            .all(|e| !e.after.as_deref().unwrap_or("").contains(IIN))
    );
}

async fn every_encoding_and_both_key_types_verify(backend: TestBackend) {
    for kind in [KeyKind::Rsa, KeyKind::EcP256] {
        let s = setup(backend, kind).await;
        let doc = application("a.seitkali");
        let cases: Vec<(&str, TestResponse)> =
            vec![
            (
                "attached base64 in JSON",
                submit_json(&s.app, json!({"signed_data": b64(&s.signer.sign(&doc, false))}))
                    .await,
            ),
            (
                "attached PEM in JSON",
                submit_json(&s.app, json!({"signed_data": s.signer.sign_pem(&doc, false)})).await,
            ),
            (
                "detached base64 with content",
                submit_json(
                    &s.app,
                    json!({"signed_data": b64(&s.signer.sign(&doc, true)), "content": b64(&doc)}),
                )
                .await,
            ),
            (
                "detached PEM with content",
                submit_json(
                    &s.app,
                    json!({"signed_data": s.signer.sign_pem(&doc, true), "content": b64(&doc)}),
                )
                .await,
            ),
            (
                "attached DER body",
                submit_raw(&s.app, s.signer.sign(&doc, false)).await,
            ),
            (
                "attached base64 body",
                submit_raw(&s.app, b64(&s.signer.sign(&doc, false)).into_bytes()).await,
            ),
        ];
        for (name, res) in cases {
            assert_eq!(res.status, 201, "{kind:?} {name}: {}", res.body);
        }
    }
}

/// Swaps the SHA-256 OID for one under the Kazakh GOST arc of the same length, as a GOST
/// signature would name its algorithms (not a real GOST signature).
fn with_gost_oids(der: &[u8]) -> Vec<u8> {
    let sha256 = [
        0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
    ];
    // 1.2.398.3.10.1.3.1.1
    let gost = [
        0x06, 0x09, 0x2A, 0x83, 0x0E, 0x03, 0x0A, 0x01, 0x03, 0x01, 0x01,
    ];
    let mut out = der.to_vec();
    let mut i = 0;
    while i + sha256.len() <= out.len() {
        if out[i..i + sha256.len()] == sha256 {
            out[i..i + sha256.len()].copy_from_slice(&gost);
        }
        i += 1;
    }
    assert_ne!(out, der);
    out
}

async fn every_bad_signature_is_refused_with_its_reason(backend: TestBackend) {
    let s = setup(backend, KeyKind::EcP256).await;
    let doc = application("a.seitkali");
    let spec = SignerSpec::new(IIN, BIN);
    let expired = s.pki.signer(&SignerSpec {
        valid_from_days: -400,
        valid_to_days: -30,
        ..spec.clone()
    });
    let not_yet = s.pki.signer(&SignerSpec {
        valid_from_days: 10,
        valid_to_days: 400,
        ..spec.clone()
    });
    let wrong_usage = s.pki.signer(&SignerSpec {
        signing_key_usage: false,
        ..spec.clone()
    });
    let wrong_bin = s.pki.signer(&SignerSpec::new(IIN, OTHER_BIN));
    // A rogue PKI whose root copies the trusted root's name.
    let rogue = TestPki::named(KeyKind::EcP256, "Test НУЦ РК Root").signer(&spec);
    let mut tampered = s.signer.sign(&doc, false);
    let at = tampered
        .windows(b"AKIMAT-ALA".len())
        .position(|w| w == b"AKIMAT-ALA")
        .unwrap();
    tampered[at] = b'B';

    let cases: Vec<(&str, TestResponse, u16, &str)> = vec![
        (
            "expired",
            submit_raw(&s.app, expired.sign(&doc, false)).await,
            422,
            "signature-invalid",
        ),
        (
            "not yet valid",
            submit_raw(&s.app, not_yet.sign(&doc, false)).await,
            422,
            "signature-invalid",
        ),
        (
            "wrong key usage",
            submit_raw(&s.app, wrong_usage.sign(&doc, false)).await,
            422,
            "signature-invalid",
        ),
        (
            "untrusted chain",
            submit_raw(&s.app, rogue.sign(&doc, false)).await,
            422,
            "signature-invalid",
        ),
        (
            "tampered content",
            submit_raw(&s.app, tampered).await,
            422,
            "signature-invalid",
        ),
        (
            "detached content that does not match",
            submit_json(
                &s.app,
                json!({"signed_data": b64(&s.signer.sign(&doc, true)),
                       "content": b64(&application("someone.else"))}),
            )
            .await,
            422,
            "signature-invalid",
        ),
        (
            "wrong BIN",
            submit_raw(&s.app, wrong_bin.sign(&doc, false)).await,
            422,
            "validation",
        ),
        (
            "GOST",
            submit_raw(&s.app, with_gost_oids(&s.signer.sign(&doc, false))).await,
            422,
            "signature-algorithm-unsupported",
        ),
        (
            "not CMS",
            submit_raw(&s.app, b"hello".to_vec()).await,
            422,
            "validation",
        ),
    ];
    for (name, res, status, slug) in &cases {
        assert_eq!(res.status, *status, "{name}: {}", res.body);
        assert!(
            res.body["type"].as_str().unwrap().ends_with(slug),
            "{name}: {}",
            res.body
        );
    }
    let detail = |name: &str| {
        cases
            .iter()
            .find(|(n, ..)| *n == name)
            .map(|(_, r, ..)| r.body.to_string())
            .unwrap()
    };
    assert!(
        detail("expired").contains("expired"),
        "{}",
        detail("expired")
    );
    assert!(
        detail("not yet valid").contains("not yet valid"),
        "{}",
        detail("not yet valid")
    );
    assert!(
        detail("wrong key usage").contains("purpose"),
        "{}",
        detail("wrong key usage")
    );
    assert!(
        detail("wrong BIN").contains("BIN"),
        "{}",
        detail("wrong BIN")
    );
    assert!(detail("GOST").contains("GOST"), "{}", detail("GOST"));
    // Nothing was stored.
    let list = s.app.get("/api/v1/access-requests", &s.national).await;
    assert_eq!(list.body, json!([]));

    // Without trust anchors nothing verifies: 503, not a silent acceptance.
    let bare = TestApp::new(backend).await;
    submit_raw(&bare, s.signer.sign(&doc, false))
        .await
        .assert_problem(503, "service-unavailable");
}

async fn a_rejection_keeps_its_reason_and_a_decision_is_final(backend: TestBackend) {
    let s = setup(backend, KeyKind::Rsa).await;
    let res = submit_raw(&s.app, s.signer.sign(&application("a.seitkali"), false)).await;
    let id = res.body["id"].as_i64().unwrap();
    let res = s
        .app
        .post(
            &format!("/api/v1/access-requests/{id}/rejection"),
            &s.national,
            json!({"reason": "Заявка подписана неуполномоченным лицом"}),
        )
        .await;
    res.assert_status(200);
    assert_eq!(res.body["status"], "rejected");
    assert_eq!(
        res.body["decision_reason"],
        "Заявка подписана неуполномоченным лицом"
    );
    s.app
        .post(
            &format!("/api/v1/access-requests/{id}/approval"),
            &s.national,
            json!({}),
        )
        .await
        .assert_problem(409, "conflict");
    s.app
        .login("a.seitkali", "anything-at-all-1")
        .await
        .assert_problem(401, "unauthorized");
    let listed = s
        .app
        .get("/api/v1/access-requests?status=rejected", &s.national)
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
}
