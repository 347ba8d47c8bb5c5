#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a failed unwrap is a failed test
//! Issue 22 point 8: the registry adapter over TLS — a gateway with its own CA, with and without
//! mutual TLS, an untrusted gateway, and the circuit breaker that keeps a dead gateway from
//! slowing registrations (which never fail for it).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use appeals_api::auth::Role;
use appeals_api::registry::{HttpRegistry, RegistryTls};
use appeals_tests::pki::{KeyKind, TestPki};
use appeals_tests::{TestApp, TestBackend, backend_tests};
use openssl::ssl::{SslAcceptor, SslMethod, SslVerifyMode};
use openssl::x509::store::X509StoreBuilder;
use serde_json::json;

backend_tests!(
    an_https_gateway_answers_over_its_ca_and_mutual_tls,
    a_dead_gateway_opens_the_circuit_and_registration_goes_on,
);

const IIN: &str = "921029350851";

/// An HTTPS gateway answering `GET /gbd/persons/{iin}`; with `client_ca`, it requires a client
/// certificate of that PKI.
fn gateway(pki: &TestPki, client_ca: Option<&TestPki>) -> String {
    let server = pki.tls(true);
    let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server()).unwrap();
    acceptor.set_private_key(&server.key).unwrap();
    acceptor.set_certificate(&server.cert).unwrap();
    for c in &server.chain {
        acceptor.add_extra_chain_cert(c.clone()).unwrap();
    }
    if let Some(ca) = client_ca {
        let mut store = X509StoreBuilder::new().unwrap();
        store.add_cert(ca.root.clone()).unwrap();
        store.add_cert(ca.intermediate.clone()).unwrap();
        acceptor.set_verify_cert_store(store.build()).unwrap();
        acceptor.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
    }
    let acceptor = Arc::new(acceptor.build());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "https://127.0.0.1:{}/gbd",
        listener.local_addr().unwrap().port()
    );
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let acceptor = acceptor.clone();
            std::thread::spawn(move || {
                let Ok(mut tls) = acceptor.accept(stream) else {
                    return;
                };
                let mut line = String::new();
                {
                    let mut reader = BufReader::new(&mut tls);
                    if reader.read_line(&mut line).is_err() {
                        return;
                    }
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) <= 2 {
                            break;
                        }
                    }
                }
                let body = if line.contains(&format!("/gbd/persons/{IIN}")) {
                    json!({"iin": IIN, "surname": "Ахметов", "first_name": "Ерлан"}).to_string()
                } else {
                    "{}".to_owned()
                };
                let status = if body == "{}" {
                    "404 Not Found"
                } else {
                    "200 OK"
                };
                let _ = write!(
                    tls,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    url
}

fn use_registry(app: &TestApp, url: &str, tls: RegistryTls) {
    app.state
        .replace_registry(Arc::new(HttpRegistry::new(url, &tls).unwrap()));
}

async fn an_https_gateway_answers_over_its_ca_and_mutual_tls(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let pki = TestPki::new(KeyKind::EcP256);
    let lookup = format!("/api/v1/registry/{IIN}");

    // The gateway's CA configured: the lookup fills the card data.
    let url = gateway(&pki, None);
    use_registry(
        &app,
        &url,
        RegistryTls {
            ca_bundle: Some(pki.bundle_pem()),
            ..Default::default()
        },
    );
    let res = app.get(&lookup, &reg).await;
    res.assert_status(200);
    assert_eq!(res.body["person"]["first_name"], "Ерлан");

    // A gateway whose certificate another CA signed: refused (unavailable), never trusted.
    let stranger = TestPki::new(KeyKind::EcP256);
    use_registry(
        &app,
        &url,
        RegistryTls {
            ca_bundle: Some(stranger.bundle_pem()),
            ..Default::default()
        },
    );
    app.get(&lookup, &reg)
        .await
        .assert_problem(503, "service-unavailable");

    // Mutual TLS: without a client certificate the gateway refuses; with one of its CA it answers.
    let mtls = gateway(&pki, Some(&pki));
    use_registry(
        &app,
        &mtls,
        RegistryTls {
            ca_bundle: Some(pki.bundle_pem()),
            ..Default::default()
        },
    );
    app.get(&lookup, &reg)
        .await
        .assert_problem(503, "service-unavailable");
    let client = pki.tls(false);
    use_registry(
        &app,
        &mtls,
        RegistryTls {
            ca_bundle: Some(pki.bundle_pem()),
            client_cert: Some(client.chain_pem()),
            client_key: Some(client.key_pem()),
        },
    );
    let res = app.get(&lookup, &reg).await;
    res.assert_status(200);
    assert_eq!(res.body["person"]["surname"], "Ахметов");

    // Start-up checks: https needs the CA; mutual TLS needs both the certificate and the key.
    assert!(HttpRegistry::new(&url, &RegistryTls::default()).is_err());
    assert!(
        HttpRegistry::new(
            &url,
            &RegistryTls {
                ca_bundle: Some(pki.bundle_pem()),
                client_cert: Some(client.chain_pem()),
                client_key: None,
            }
        )
        .is_err()
    );
}

async fn a_dead_gateway_opens_the_circuit_and_registration_goes_on(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    // A port that accepts and never answers: every call waits for the timeout.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in silent.incoming().flatten() {
            held.push(s);
        }
    });
    use_registry(&app, &url, RegistryTls::default());
    let lookup = format!("/api/v1/registry/{IIN}");
    for _ in 0..appeals_api::registry::BREAKER_THRESHOLD {
        app.get(&lookup, &reg)
            .await
            .assert_problem(503, "service-unavailable");
    }
    // Open: answered at once (the same problem), without waiting for the gateway's 3 s timeout.
    let started = Instant::now();
    let res = app.get(&lookup, &reg).await;
    res.assert_problem(503, "service-unavailable");
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    // A registration meanwhile succeeds, its applicant simply not auto-filled.
    let res = app
        .post(
            "/api/v1/appeals",
            &reg,
            json!({
                "document_type": "application",
                "applicants": [{"category": "individual", "iin_bin": IIN, "surname": "Ахметов"}],
                "text": "Прошу отремонтировать дорогу.",
                "receipt_form": "electronic", "language": "state",
                "received_at": "2026-03-05T04:15:00Z"
            }),
        )
        .await;
    res.assert_status(201);
    assert_eq!(
        res.body["applicants"][0]["registry_lookup"]["outcome"],
        "unavailable"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}
