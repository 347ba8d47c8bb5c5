#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a failed unwrap is a failed test
//! Issue 20 point 3: where a subject requires EDS signatures, a forwarding and an extension are
//! approved, then signed (R35, R37); an ОЛ-2 answer can be signed; the signatures are stored and
//! verify again later. Certificates are made at test time.

use appeals_api::auth::Role;
use appeals_domain::calendar::Calendar;
use appeals_tests::pki::{KeyKind, SignerSpec, TestPki, TestSigner};
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests};
use base64::Engine;
use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};

backend_tests!(
    a_forwarding_takes_effect_only_when_the_head_signs_it,
    an_extension_moves_the_deadline_only_when_signed,
    an_answer_is_signed_and_the_history_says_so,
    without_the_setting_an_approval_takes_effect_at_once,
);

const HEAD_IIN: &str = "921029350851";
const OTHER_IIN: &str = "880716300327";
const BIN: &str = "940140000385";

struct World {
    app: TestApp,
    reg: TestUser,
    exec: TestUser,
    head: TestUser,
    s2: i64,
    signer: TestSigner,
    stranger: TestSigner,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// S1 requires signatures; its head's account is bound to the head's IIN.
async fn world(backend: TestBackend, required: bool) -> World {
    let app = TestApp::new(backend).await;
    let s2 = app.subject("S2", false);
    let national = app.national_admin("national");
    let admin = app.user("s1-admin", "S1", &[Role::Admin]);
    app.patch(
        &format!("/api/v1/subjects/{}", app.subject_id),
        &national,
        json!({"signature_required": required}),
    )
    .await
    .assert_status(200);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let exec = app.user("exec", "S1", &[Role::Executor]);
    let head = app.user("head", "S1", &[Role::Head]);
    app.patch(
        &format!("/api/v1/users/{}", head.id),
        &admin,
        json!({"iin": HEAD_IIN}),
    )
    .await
    .assert_status(200);
    let pki = TestPki::new(KeyKind::EcP256);
    app.state.trust_eds_anchors(&pki.bundle_pem()).unwrap();
    let signer = pki.signer(&SignerSpec::new(HEAD_IIN, BIN));
    let stranger = pki.signer(&SignerSpec::new(OTHER_IIN, BIN));
    World {
        app,
        reg,
        exec,
        head,
        s2,
        signer,
        stranger,
    }
}

/// A card registered a minute ago and routed to the executor.
async fn in_work(w: &World) -> i64 {
    let received = (Utc::now() - chrono::Duration::minutes(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let res = w
        .app
        .post(
            "/api/v1/appeals",
            &w.reg,
            json!({
                "document_type": "application",
                "applicants": [{"category": "individual", "iin_bin": "921029350851",
                                "surname": "Ахметов", "first_name": "Ерлан"}],
                "text": "Нет отопления в доме; в школе № 12 не отремонтирована крыша.",
                "receipt_form": "electronic", "language": "state", "received_at": received
            }),
        )
        .await;
    res.assert_status(201);
    let id = res.body["id"].as_i64().unwrap();
    w.app.assign(id, &w.reg, &w.exec).await;
    id
}

async fn card(w: &World, id: i64) -> Value {
    let res = w.app.get(&format!("/api/v1/appeals/{id}"), &w.head).await;
    res.assert_status(200);
    res.body
}

async fn document(w: &World, path: &str) -> String {
    let res = w.app.get(path, &w.head).await;
    res.assert_status(200);
    res.body["document"].as_str().unwrap().to_owned()
}

async fn a_forwarding_takes_effect_only_when_the_head_signs_it(backend: TestBackend) {
    let w = world(backend, true).await;
    let id = in_work(&w).await;
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/forwardings"),
            &w.reg,
            json!({"to_subject_id": w.s2, "scope": "part", "questions": ["Ремонт школы"]}),
        )
        .await;
    res.assert_status(202);
    assert_eq!(res.body["pending"], "forwarding_approved");
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/appeals/{id}/signing-document").as_str())
    );
    // Nothing forwarded yet: no forwarding record, the card waits in the head's work list.
    let list = w
        .app
        .get(&format!("/api/v1/appeals/{id}/forwardings"), &w.head)
        .await;
    assert_eq!(list.body, json!([]));
    let waiting = w
        .app
        .get("/api/v1/worklists/awaiting_signature", &w.head)
        .await;
    waiting.assert_status(200);
    assert!(
        waiting.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id),
        "{}",
        waiting.body
    );

    let path = format!("/api/v1/appeals/{id}/signing-document");
    let doc = document(&w, &path).await;
    assert!(doc.contains("\"purpose\":\"forwarding\""), "{doc}");
    assert_eq!(doc, document(&w, &path).await, "the document is canonical");
    let sign_uri = format!("/api/v1/appeals/{id}/signature");

    // The registrar may not sign; a signature by another person, or over other bytes, is refused.
    w.app
        .post(
            &sign_uri,
            &w.reg,
            json!({"signature": b64(&w.signer.sign(doc.as_bytes(), true))}),
        )
        .await
        .assert_problem(403, "forbidden");
    let res = w
        .app
        .post(
            &sign_uri,
            &w.head,
            json!({"signature": b64(&w.stranger.sign(doc.as_bytes(), true))}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/signature");
    w.app
        .post(
            &sign_uri,
            &w.head,
            json!({"signature": b64(&w.signer.sign(b"something else", true))}),
        )
        .await
        .assert_problem(422, "signature-invalid");
    assert_eq!(card(&w, id).await["pending"], "forwarding_approved");

    // The head's signature: the forwarding takes effect, the part is registered at S2.
    let signature = w.signer.sign(doc.as_bytes(), true);
    let res = w
        .app
        .post(&sign_uri, &w.head, json!({"signature": b64(&signature)}))
        .await;
    res.assert_status(200);
    assert_eq!(res.body["forwarding"]["to_subject"]["id"], w.s2);
    assert!(res.body["forwarding"]["part"]["registration_number"].is_string());
    assert_eq!(res.body["status"], "forwarded_in_part");
    // Signed once: there is nothing left to sign.
    w.app
        .post(&sign_uri, &w.head, json!({"signature": b64(&signature)}))
        .await
        .assert_problem(404, "not-found");

    // Stored with its document; it verifies again later.
    let stored = w
        .app
        .get(&format!("/api/v1/appeals/{id}/signatures"), &w.head)
        .await;
    stored.assert_status(200);
    let first = &stored.body[0];
    assert_eq!(first["purpose"], "forwarding");
    assert_eq!(first["document"], doc.as_str());
    assert_eq!(first["signature"], b64(&signature).as_str());
    assert_eq!(first["signer_user_id"], w.head.id);
    assert_eq!(first["verifies_now"], true);
    let forwarding_id = res.body["forwarding"]["id"].as_i64().unwrap();
    let one = w
        .app
        .get(
            &format!("/api/v1/appeals/{id}/forwardings/{forwarding_id}/signature"),
            &w.reg,
        )
        .await;
    one.assert_status(200);
    assert_eq!(one.body["id"], first["id"]);
    assert_eq!(one.body["verifies_now"], true);
    let history = w
        .app
        .get(&format!("/api/v1/appeals/{id}/history"), &w.head)
        .await;
    let actions: Vec<&str> = history.body["items"]
        .as_array()
        .or(history.body.as_array())
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"forwarding_approved") && actions.contains(&"forwarded"),
        "{actions:?}"
    );
}

fn working_day_after(date: NaiveDate, days: i64) -> NaiveDate {
    let calendar = Calendar::kazakhstan_default();
    let mut d = date + chrono::Duration::days(days);
    while !calendar.is_working_day(d).unwrap() {
        d = d.succ_opt().unwrap();
    }
    d
}

async fn an_extension_moves_the_deadline_only_when_signed(backend: TestBackend) {
    let w = world(backend, true).await;
    let id = in_work(&w).await;
    let before = card(&w, id).await;
    let review_due: NaiveDate = serde_json::from_value(before["deadlines"]["review_due"].clone())
        .unwrap_or_else(|_| serde_json::from_value(before["review_due"].clone()).unwrap());
    let wanted = working_day_after(review_due, 7);
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/extensions"),
            &w.head,
            json!({"new_review_due": wanted, "reason": "Нужна экспертиза."}),
        )
        .await;
    res.assert_status(202);
    assert_eq!(res.body["awaiting_signature"], true);
    assert_eq!(res.body["review_due"], json!(review_due));
    assert_eq!(res.body["prolong_count"], 0);

    let doc = document(&w, &format!("/api/v1/appeals/{id}/signing-document")).await;
    assert!(doc.contains("\"purpose\":\"extension\""), "{doc}");
    assert!(doc.contains(&wanted.to_string()), "{doc}");
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/signature"),
            &w.head,
            json!({"signature": w.signer.sign_pem(doc.as_bytes(), true)}),
        )
        .await;
    res.assert_status(200);
    assert_eq!(res.body["review_due"], json!(wanted));
    assert_eq!(res.body["status"], "extended");
    assert!(res.body["forwarding"].is_null());
}

async fn an_answer_is_signed_and_the_history_says_so(backend: TestBackend) {
    let w = world(backend, true).await;
    let id = in_work(&w).await;
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/decisions"),
            &w.exec,
            json!({"decision_type": "take_note"}),
        )
        .await;
    res.assert_status(201);
    let decision_id = res.body["id"]
        .as_i64()
        .or(res.body["decision"]["id"].as_i64())
        .unwrap();
    let doc = w
        .app
        .get(
            &format!("/api/v1/appeals/{id}/decisions/{decision_id}/signing-document"),
            &w.exec,
        )
        .await;
    doc.assert_status(200);
    let text = doc.body["document"].as_str().unwrap().to_owned();
    assert!(text.contains("\"purpose\":\"decision\""), "{text}");
    let uri = format!("/api/v1/appeals/{id}/decisions/{decision_id}/signature");
    // The executor has no IIN bound: refused, nothing stored.
    let res = w
        .app
        .post(
            &uri,
            &w.exec,
            json!({"signature": b64(&w.signer.sign(text.as_bytes(), true))}),
        )
        .await;
    res.assert_problem(422, "validation");
    let res = w
        .app
        .post(
            &uri,
            &w.head,
            json!({"signature": b64(&w.signer.sign(text.as_bytes(), true))}),
        )
        .await;
    res.assert_status(201);
    assert_eq!(res.body["purpose"], "decision");
    assert_eq!(res.body["target_id"], decision_id);
    let stored = w
        .app
        .get(
            &format!("/api/v1/appeals/{id}/decisions/{decision_id}/signature"),
            &w.exec,
        )
        .await;
    stored.assert_status(200);
    assert_eq!(stored.body["verifies_now"], true);
    assert_eq!(stored.body["document"], text.as_str());
    let history = w
        .app
        .get(&format!("/api/v1/appeals/{id}/history"), &w.head)
        .await
        .body
        .to_string();
    assert!(history.contains("decision_signed"), "{history}");
}

async fn without_the_setting_an_approval_takes_effect_at_once(backend: TestBackend) {
    let w = world(backend, false).await;
    let id = in_work(&w).await;
    let res = w
        .app
        .post(
            &format!("/api/v1/appeals/{id}/forwardings"),
            &w.reg,
            json!({"to_subject_id": w.s2, "scope": "part", "questions": ["Ремонт школы"]}),
        )
        .await;
    res.assert_status(201);
    w.app
        .get(&format!("/api/v1/appeals/{id}/signing-document"), &w.head)
        .await
        .assert_problem(404, "not-found");
}
