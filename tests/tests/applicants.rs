#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! З-1 applicants over HTTP (R9, R20, R21, R47, R48): adding and replacing with `If-Match`, the
//! collective marking, the state registry (local copy imported by the CLI, HTTP gateway) and the
//! address reconciliation — on both backends.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::Arc;

use actix_web::test::TestRequest;
use appeals_api::auth::Role;
use appeals_api::registry::HttpRegistry;
use appeals_tests::{TestApp, TestBackend, TestDb, TestUser, appeals_bin, backend_tests, bearer};
use serde_json::{Value, json};

/// Valid IINs/BINs (R47 check digits): the vectors of DOMAIN.md §8.
const IIN_A: &str = "921029350851";
const IIN_B: &str = "900101300811";
const BIN_A: &str = "940140000385";
const BIN_B: &str = "990140004654";

/// A valid IIN with these first 11 digits (the check digit computed per R47).
fn iin(first11: &str) -> String {
    let digits: Vec<u8> = first11.bytes().map(|b| b - b'0').collect();
    let k = appeals_domain::ident::check_digit(&digits.try_into().unwrap()).unwrap();
    format!("{first11}{k}")
}

/// A registration body with the given applicants (received Thursday 2026-03-05, 09:15 local).
fn body_with(applicants: Value) -> Value {
    json!({
        "document_type": "application",
        "tags": ["отопление"],
        "applicants": applicants,
        "text": "Прошу восстановить отопление в доме по адресу пр. Абая, 10.",
        "receipt_form": "electronic",
        "language": "state",
        "received_at": "2026-03-05T04:15:00Z"
    })
}

fn one_applicant() -> Value {
    json!([{"category": "individual", "surname": "Ахметов", "first_name": "Ерлан"}])
}

async fn register(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let res = app.post("/api/v1/appeals", user, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

fn with_if_match(req: TestRequest, etag: Option<&str>) -> TestRequest {
    match etag {
        Some(e) => req.insert_header(("If-Match", e.to_owned())),
        None => req,
    }
}

async fn add(
    app: &TestApp,
    user: &TestUser,
    id: i64,
    etag: Option<&str>,
    body: Value,
) -> appeals_tests::TestResponse {
    let req = TestRequest::post()
        .uri(&format!("/api/v1/appeals/{id}/applicants"))
        .insert_header(bearer(user))
        .set_json(body);
    app.send(with_if_match(req, etag)).await
}

async fn replace(
    app: &TestApp,
    user: &TestUser,
    id: i64,
    etag: Option<&str>,
    body: Value,
) -> appeals_tests::TestResponse {
    let req = TestRequest::put()
        .uri(&format!("/api/v1/appeals/{id}/applicants"))
        .insert_header(bearer(user))
        .set_json(body);
    app.send(with_if_match(req, etag)).await
}

async fn reconcile(
    app: &TestApp,
    user: &TestUser,
    id: i64,
    ordinal: i64,
    etag: Option<&str>,
    body: Value,
) -> appeals_tests::TestResponse {
    let req = TestRequest::post()
        .uri(&format!(
            "/api/v1/appeals/{id}/applicants/{ordinal}/address-reconciliation"
        ))
        .insert_header(bearer(user))
        .set_json(body);
    app.send(with_if_match(req, etag)).await
}

fn applicant_count(app: &TestApp, id: i64) -> i32 {
    appeals_db::repo::appeals::get(&mut app.conn(), id)
        .unwrap()
        .applicant_count
}

async fn actions(app: &TestApp, user: &TestUser, id: i64) -> Vec<Value> {
    let res = app
        .get(&format!("/api/v1/appeals/{id}/history"), user)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.body.as_array().unwrap().clone()
}

/// The `appeals` binary with a clean environment.
fn appeals_cli(db: &TestDb) -> Command {
    let mut cmd = Command::new(appeals_bin());
    for var in [
        "APPEALS_JWT_SECRET",
        "APPEALS_ENV",
        "APPEALS_REGISTRY",
        "APPEALS_REGISTRY_URL",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("DATABASE_URL", &db.url).env("RUST_LOG", "warn");
    cmd
}

fn write_csv(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const CSV_HEADER: &str = "iin_bin,category,surname,first_name,patronymic,birth_date,sex,company_name,head_surname,region,settlement_kato,street,house,flat,postal_code";

backend_tests!(
    adding_an_applicant_needs_if_match_and_makes_the_appeal_collective,
    replacing_the_set_renumbers_and_recomputes_markings,
    invalid_iin_bin_is_422_and_changes_nothing,
    only_editors_of_the_holding_subject_change_applicants,
    registry_imported_by_the_cli_fills_the_card,
    registry_import_rejects_invalid_rows_by_line,
    http_registry_fills_the_card_and_a_down_registry_does_not_block,
    differing_address_is_flagged_until_reconciled,
    a_differing_address_holds_up_the_first_decision_until_reconciled,
);

async fn adding_an_applicant_needs_if_match_and_makes_the_appeal_collective(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let created = register(&app, &reg, body_with(one_applicant())).await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["markings"], json!([]));
    let second = json!({"category": "individual", "surname": "Сейтова", "first_name": "Айгуль"});

    add(&app, &reg, id, None, second.clone())
        .await
        .assert_problem(428, "precondition-required");
    add(&app, &reg, id, Some("\"9\""), second.clone())
        .await
        .assert_problem(412, "precondition-failed");

    let res = add(&app, &reg, id, Some("\"1\""), second).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.header("etag"), Some("\"2\""));
    let b = &res.body;
    // R9: two applicants → ҰЖ.
    assert_eq!(b["markings"], json!(["collective"]));
    assert_eq!(b["applicants"].as_array().unwrap().len(), 2);
    assert_eq!(b["applicants"][1]["ordinal"], 2);
    assert_eq!(b["applicants"][1]["full_name"], "Сейтова Айгуль");
    // Requisites 1–2 of З-1 are copied from ОЛ-1 (R20).
    assert_eq!(
        b["applicants"][1]["card"]["appeal_reg_number"],
        created["registration_number"]
    );
    // No IIN: no registry lookup.
    assert!(b["applicants"][1]["registry_lookup"].is_null());
    assert_eq!(applicant_count(&app, id), 2);
    let list = app.get("/api/v1/appeals?marking=collective", &reg).await;
    assert_eq!(list.body["items"][0]["id"], id);

    let history = actions(&app, &reg, id).await;
    let event = history.last().unwrap();
    assert_eq!(event["action"], "applicants_changed");
    assert_eq!(event["before"]["applicant_count"], 1);
    assert_eq!(event["before"]["markings"], json!([]));
    assert_eq!(event["after"]["applicant_count"], 2);
    assert_eq!(event["after"]["markings"], json!(["collective"]));
    assert_eq!(
        event["after"]["applicants"][1]["full_name"],
        "Сейтова Айгуль"
    );
    // The same ETag again is stale now.
    add(
        &app,
        &reg,
        id,
        Some("\"1\""),
        json!({"category": "individual", "surname": "Третьяков"}),
    )
    .await
    .assert_problem(412, "precondition-failed");
}

async fn replacing_the_set_renumbers_and_recomputes_markings(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let created = register(
        &app,
        &reg,
        body_with(json!([
            {"category": "individual", "surname": "Ахметов"},
            {"category": "individual", "surname": "Сейтова"}
        ])),
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["markings"], json!(["collective"]));

    let body = json!({"applicants": [{"category": "legal_entity", "iin_bin": BIN_A, "company_name": "ТОО «Жылу»"}]});
    replace(&app, &reg, id, None, body.clone())
        .await
        .assert_problem(428, "precondition-required");
    let res = replace(&app, &reg, id, Some("\"1\""), body).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let b = &res.body;
    assert_eq!(b["version"], 2);
    // One applicant left: ҰЖ is removed (R9).
    assert_eq!(b["markings"], json!([]));
    let applicants = b["applicants"].as_array().unwrap();
    assert_eq!(applicants.len(), 1);
    assert_eq!(applicants[0]["ordinal"], 1);
    assert_eq!(applicants[0]["category"], "legal_entity");
    assert_eq!(applicants[0]["iin_bin"], BIN_A);
    // The local registry is empty: looked up, not found, card not auto-filled.
    assert_eq!(applicants[0]["registry_lookup"]["outcome"], "not_found");
    assert_eq!(applicants[0]["registry_lookup"]["channel"], "local");
    assert_eq!(applicants[0]["card"]["autofill"], json!([]));
    assert_eq!(applicant_count(&app, id), 1);
    let list = app.get("/api/v1/appeals?marking=collective", &reg).await;
    assert_eq!(list.body["items"], json!([]));
    let by_bin = app
        .get(&format!("/api/v1/appeals?iin_bin={BIN_A}"), &reg)
        .await;
    assert_eq!(by_bin.body["items"][0]["id"], id);

    let history = actions(&app, &reg, id).await;
    let event = history.last().unwrap();
    assert_eq!(event["action"], "applicants_changed");
    assert_eq!(event["before"]["applicants"][1]["full_name"], "Сейтова");
    assert_eq!(event["after"]["applicants"][0]["iin_bin"], BIN_A);

    // The set cannot be emptied (anonymity is assessed at registration).
    replace(&app, &reg, id, Some("\"2\""), json!({"applicants": []}))
        .await
        .assert_problem(422, "validation");
}

async fn invalid_iin_bin_is_422_and_changes_nothing(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let created = register(&app, &reg, body_with(one_applicant())).await;
    let id = created["id"].as_i64().unwrap();

    // R47: wrong check digit.
    let res = add(
        &app,
        &reg,
        id,
        Some("\"1\""),
        json!({"category": "individual", "iin_bin": "921029350852", "surname": "Ахметов"}),
    )
    .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/iin_bin");
    // R48: a BIN is not an IIN (digit 5 is the entity type, not a day).
    let res = add(
        &app,
        &reg,
        id,
        Some("\"1\""),
        json!({"category": "individual", "iin_bin": BIN_A}),
    )
    .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/iin_bin");
    // …and an IIN is not a BIN.
    let res = add(
        &app,
        &reg,
        id,
        Some("\"1\""),
        json!({"category": "legal_entity", "iin_bin": IIN_A}),
    )
    .await;
    res.assert_problem(422, "validation");
    // In a replacement, the pointer names the applicant.
    let res = replace(
        &app,
        &reg,
        id,
        Some("\"1\""),
        json!({"applicants": [
            {"category": "individual", "iin_bin": IIN_A},
            {"category": "individual", "iin_bin": "90010130080", "surname": "Ким"},
            {"category": "individual", "surname": "Ли", "address": {"settlement_kato": "12"}}
        ]}),
    )
    .await;
    res.assert_problem(422, "validation");
    let pointers: Vec<&str> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert!(pointers.contains(&"#/applicants/1/iin_bin"), "{pointers:?}");
    assert!(
        pointers.contains(&"#/applicants/2/address/settlement_kato"),
        "{pointers:?}"
    );
    // A name or an identifier is required.
    add(
        &app,
        &reg,
        id,
        Some("\"1\""),
        json!({"category": "individual", "first_name": "Ерлан"}),
    )
    .await
    .assert_problem(422, "validation");

    // Nothing changed.
    let now = app.get(&format!("/api/v1/appeals/{id}"), &reg).await;
    assert_eq!(now.header("etag"), Some("\"1\""));
    assert_eq!(now.body["applicants"], created["applicants"]);
    assert_eq!(applicant_count(&app, id), 1);
    let history = actions(&app, &reg, id).await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["action"], "registered");
}

async fn only_editors_of_the_holding_subject_change_applicants(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.subject("S2", false);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let executor = app.user("exec", "S1", &[Role::Executor]);
    let integration = app.user("is", "S1", &[Role::Integration]);
    let analyst = app.user("an", "S1", &[Role::Analyst]);
    let stranger = app.user("reg2", "S2", &[Role::Registrar]);
    let id = register(&app, &reg, body_with(one_applicant())).await["id"]
        .as_i64()
        .unwrap();
    let person = json!({"category": "individual", "surname": "Ким"});
    add(&app, &analyst, id, Some("\"1\""), person.clone())
        .await
        .assert_problem(403, "forbidden");
    add(&app, &stranger, id, Some("\"1\""), person.clone())
        .await
        .assert_problem(404, "not-found");
    let res = add(&app, &executor, id, Some("\"1\""), person.clone()).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = add(&app, &integration, id, Some("\"2\""), person).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["applicants"].as_array().unwrap().len(), 3);
    // Registry lookups: the same roles; others 403.
    app.get(&format!("/api/v1/registry/{IIN_A}"), &analyst)
        .await
        .assert_problem(403, "forbidden");
}

async fn registry_imported_by_the_cli_fills_the_card(backend: TestBackend) {
    let db = TestDb::new(backend);
    let dir = tempfile::tempdir().unwrap();
    let file = write_csv(
        &dir,
        "gbd-2026-11.csv",
        &format!(
            "{CSV_HEADER}\n\
             {IIN_A},individual,Ахметов,Ерлан,Серикович,1992-10-29,male,,,г. Алматы,751110000,пр. Абая,10,5,050000\n\
             {BIN_A},legal_entity,,,,,,\"ТОО \"\"Алматы Жылу\"\", филиал\",Касымов,г. Алматы,,ул. Толе би,1,,\n"
        ),
    );
    let out = appeals_cli(&db)
        .args(["registry", "import"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("imported 2 registry record(s)"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let app = TestApp::on(db);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    // The registry record as the API shows it.
    let res = app.get(&format!("/api/v1/registry/{IIN_A}"), &reg).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["registry"], "gbd_fl");
    assert_eq!(res.body["channel"], "local");
    assert_eq!(res.body["person"]["surname"], "Ахметов");
    assert_eq!(res.body["person"]["birth_date"], "1992-10-29");
    assert_eq!(res.body["address"]["street"], "пр. Абая");
    let unknown = iin("85010240012");
    app.get(&format!("/api/v1/registry/{unknown}"), &reg)
        .await
        .assert_problem(404, "not-found");
    let res = app.get("/api/v1/registry/921029350852", &reg).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/path/iin_bin");

    // Registration with only requisite 4: the card is filled from the local registry (R20).
    let created = register(
        &app,
        &reg,
        body_with(json!([{"category": "individual", "iin_bin": IIN_A}])),
    )
    .await;
    let a = &created["applicants"][0];
    assert_eq!(a["full_name"], "Ахметов Ерлан Серикович");
    assert_eq!(a["registry_lookup"]["outcome"], "filled");
    assert_eq!(a["registry_lookup"]["channel"], "local");
    assert!(a["registry_lookup"]["checked_at"].is_string());
    assert!(a["registry_lookup"]["data_as_of"].is_string());
    assert_eq!(a["card"]["person"]["surname"], "Ахметов");
    assert_eq!(a["card"]["person"]["sex"], "male");
    assert_eq!(a["card"]["address"]["street"], "пр. Абая");
    assert_eq!(a["card"]["address"]["settlement_kato"], "751110000");
    let fill = &a["card"]["autofill"][0];
    assert_eq!(fill["source"], "gbd_fl");
    assert!(fill["fetched_at"].is_string());
    assert_eq!(
        fill["requisites"],
        json!([3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18])
    );
    let id = created["id"].as_i64().unwrap();

    // Adding a company by BIN: ГБД ЮЛ fills requisites 20–26.
    let res = add(
        &app,
        &reg,
        id,
        Some("\"1\""),
        json!({"category": "legal_entity", "iin_bin": BIN_A}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let b = &res.body["applicants"][1];
    assert_eq!(b["full_name"], "ТОО \"Алматы Жылу\", филиал");
    assert_eq!(b["registry_lookup"]["outcome"], "filled");
    assert_eq!(b["card"]["company"]["head_surname"], "Касымов");
    assert_eq!(b["card"]["autofill"][0]["source"], "gbd_ul");
    assert_eq!(
        b["card"]["autofill"][0]["requisites"],
        json!([3, 20, 21, 22, 23, 24, 25, 26, 12, 13, 14, 15, 16, 17, 18])
    );
    assert_eq!(res.body["markings"], json!(["collective"]));

    // A re-import replaces the record (upsert by IIN/BIN).
    let file = write_csv(
        &dir,
        "update.csv",
        &format!("iin_bin,category,surname,street\n{IIN_A},individual,Ахметова,ул. Сатпаева\n"),
    );
    let out = appeals_cli(&app.db)
        .args(["registry", "import", "--source", "ГБД ФЛ 2026-12"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let res = app.get(&format!("/api/v1/registry/{IIN_A}"), &reg).await;
    assert_eq!(res.body["person"]["surname"], "Ахметова");
    assert!(res.body["person"]["first_name"].is_null());
    assert_eq!(res.body["address"]["street"], "ул. Сатпаева");
    let count = appeals_db::repo::registry::count(&mut app.conn()).unwrap();
    assert_eq!(count, 2);
}

async fn registry_import_rejects_invalid_rows_by_line(backend: TestBackend) {
    let db = TestDb::new(backend);
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "iin_bin,category,surname,birth_date,settlement_kato\n\
         {IIN_B},individual,Ким,,\n\
         921029350852,individual,Ли,,\n\
         {BIN_B},individual,Пак,,\n\
         {IIN_A},individual,Цой,29-10-1992,\n\
         {},individual,Хан,,12345\n",
        iin("92102935076")
    );
    let file = write_csv(&dir, "bad.csv", &text);
    let out = appeals_cli(&db)
        .args(["registry", "import"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in [
        ":3: iin_bin",
        ":4: iin_bin",
        ":5: birth_date",
        ":6: settlement_kato",
    ] {
        assert!(stderr.contains(line), "{line} not reported: {stderr}");
    }
    assert!(stderr.contains("nothing imported"), "{stderr}");
    // Problems name lines, never the IIN/BIN.
    for id in ["921029350852", BIN_B, IIN_A] {
        assert!(!stderr.contains(id), "{stderr}");
    }
    {
        let mut conn = db.connect();
        appeals_db::migrate::run(&mut conn).unwrap();
        assert_eq!(appeals_db::repo::registry::count(&mut conn).unwrap(), 0);
    }
    // --skip-invalid imports the valid row and still reports the others.
    let out = appeals_cli(&db)
        .args(["registry", "import", "--skip-invalid"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("imported 1 registry record(s)") && stdout.contains("skipped 4"),
        "{stdout}"
    );
    assert_eq!(
        appeals_db::repo::registry::count(&mut db.connect()).unwrap(),
        1
    );
    // An unknown column fails the whole file.
    let file = write_csv(
        &dir,
        "cols.csv",
        &format!("iin_bin,category,ssn\n{IIN_B},individual,1\n"),
    );
    let out = appeals_cli(&db)
        .args(["registry", "import"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown column `ssn`"));
}

/// A one-thread HTTP server on 127.0.0.1 playing the registry gateway: `GET /persons/IIN_A` and
/// `GET /companies/BIN_A` answer fixed JSON, `IIN_B` answers 500, anything else 404. It serves
/// `max` requests and stops.
fn fake_gateway(max: usize) -> (String, std::sync::mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/gbd", listener.local_addr().unwrap());
    let (seen_tx, seen_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap() == 0 || header == "\r\n" {
                    break;
                }
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .to_owned();
            let _ = seen_tx.send(path.clone());
            let (status, body) = if path == format!("/gbd/persons/{IIN_A}") {
                (
                    "200 OK",
                    json!({"iin": IIN_A, "residency": "resident", "surname": "Ахметов", "first_name": "Ерлан",
                           "patronymic": "Серикович", "birth_date": "1992-10-29", "sex": "male", "citizenship": "KZ",
                           "future_field": 1,
                           "address": {"region": "г. Алматы", "settlement_kato": "751110000", "street": "пр. Абая", "house": "10"}})
                    .to_string(),
                )
            } else if path == format!("/gbd/companies/{BIN_A}") {
                (
                    "200 OK",
                    json!({"bin": BIN_A, "name": "ТОО «Алматы Жылу»", "registered_on": "1994-01-15",
                           "head_surname": "Касымов", "address": {"street": "ул. Толе би", "house": "1"}})
                    .to_string(),
                )
            } else if path == format!("/gbd/persons/{IIN_B}") {
                ("500 Internal Server Error", "{}".to_owned())
            } else {
                ("404 Not Found", "{}".to_owned())
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen_rx)
}

async fn http_registry_fills_the_card_and_a_down_registry_does_not_block(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let (url, seen) = fake_gateway(10);
    app.state.replace_registry(Arc::new(
        HttpRegistry::new(&format!("{url}/"), &Default::default()).unwrap(),
    ));

    let res = app.get(&format!("/api/v1/registry/{IIN_A}"), &reg).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["channel"], "http");
    assert_eq!(res.body["person"]["first_name"], "Ерлан");
    assert_eq!(seen.recv().unwrap(), format!("/gbd/persons/{IIN_A}"));
    let res = app.get(&format!("/api/v1/registry/{BIN_A}"), &reg).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["registry"], "gbd_ul");
    assert_eq!(res.body["company"]["registered_on"], "1994-01-15");
    assert_eq!(seen.recv().unwrap(), format!("/gbd/companies/{BIN_A}"));
    // 404 from the gateway: not found; 500: the registry is unavailable.
    app.get(&format!("/api/v1/registry/{}", iin("92102935076")), &reg)
        .await
        .assert_problem(404, "not-found");
    app.get(&format!("/api/v1/registry/{IIN_B}"), &reg)
        .await
        .assert_problem(503, "service-unavailable");

    // Registration through the gateway: filled from ГБД ФЛ over HTTP.
    let created = register(
        &app,
        &reg,
        body_with(json!([{"category": "individual", "iin_bin": IIN_A}])),
    )
    .await;
    let a = &created["applicants"][0];
    assert_eq!(a["registry_lookup"]["outcome"], "filled");
    assert_eq!(a["registry_lookup"]["channel"], "http");
    assert_eq!(a["full_name"], "Ахметов Ерлан Серикович");
    assert_eq!(a["card"]["autofill"][0]["source"], "gbd_fl");
    let id = created["id"].as_i64().unwrap();
    // A gateway error does not block adding the applicant: the card is simply not auto-filled.
    let res = add(
        &app,
        &reg,
        id,
        Some("\"1\""),
        json!({"category": "individual", "iin_bin": IIN_B, "surname": "Ким"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let b = &res.body["applicants"][1];
    assert_eq!(b["registry_lookup"]["outcome"], "unavailable");
    assert_eq!(b["full_name"], "Ким");
    assert_eq!(b["card"]["autofill"], json!([]));

    // A registry that refuses connections: registration still succeeds.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    app.state.replace_registry(Arc::new(
        HttpRegistry::new(&dead_url, &Default::default()).unwrap(),
    ));
    let created = register(
        &app,
        &reg,
        body_with(json!([
            {"category": "individual", "iin_bin": IIN_A, "surname": "Ахметов"},
            {"category": "legal_entity", "iin_bin": BIN_A, "company_name": "ТОО"}
        ])),
    )
    .await;
    for a in created["applicants"].as_array().unwrap() {
        assert_eq!(a["registry_lookup"]["outcome"], "unavailable", "{a}");
        assert_eq!(a["registry_lookup"]["channel"], "http");
    }
    assert_eq!(created["applicants"][0]["full_name"], "Ахметов");
    app.get(&format!("/api/v1/registry/{IIN_A}"), &reg)
        .await
        .assert_problem(503, "service-unavailable");

    assert!(HttpRegistry::new("https://gbd.example", &Default::default()).is_err());
    assert!(HttpRegistry::new("ftp://x", &Default::default()).is_err());
}

async fn differing_address_is_flagged_until_reconciled(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let mut body = body_with(json!([
        {"category": "individual", "surname": "Ахметов", "address": {"region": "г. Алматы", "street": "пр. Абая", "house": "10"}},
        {"category": "individual", "surname": "Сейтова", "address": {"region": "Г. АЛМАТЫ", "street": "пр Абая", "house": "12"}}
    ]));
    body["postal_address"] = json!({"region": "г. Алматы", "street": "пр. Абая", "house": "12"});
    let created = register(&app, &reg, body).await;
    let id = created["id"].as_i64().unwrap();
    // R21: requisite 16 (house) differs for the first; the second matches up to case/punctuation.
    assert_eq!(
        created["applicants"][0]["address_check"],
        json!({"status": "differs", "requisites": [16]})
    );
    assert_eq!(
        created["applicants"][1]["address_check"],
        json!({"status": "matches", "requisites": []})
    );
    let agreed = json!({"address": {"region": "г. Алматы", "street": "пр. Абая", "house": "12"}});

    reconcile(&app, &reg, id, 1, None, agreed.clone())
        .await
        .assert_problem(428, "precondition-required");
    reconcile(&app, &reg, id, 9, Some("\"1\""), agreed.clone())
        .await
        .assert_problem(404, "not-found");
    let res = reconcile(
        &app,
        &reg,
        id,
        1,
        Some("\"1\""),
        json!({"address": {"settlement_kato": "75111"}}),
    )
    .await;
    res.assert_problem(422, "validation");
    assert_eq!(
        res.body["errors"][0]["pointer"],
        "#/address/settlement_kato"
    );

    let res = reconcile(&app, &reg, id, 1, Some("\"1\""), agreed).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.header("etag"), Some("\"2\""));
    let a = &res.body["applicants"][0];
    assert_eq!(
        a["address_check"],
        json!({"status": "matches", "requisites": []})
    );
    assert_eq!(a["card"]["address"]["house"], "12");
    assert_eq!(a["card"]["address_reconciled"], true);
    let history = actions(&app, &reg, id).await;
    let event = history.last().unwrap();
    assert_eq!(event["action"], "address_reconciled");
    assert_eq!(event["before"]["address_check"]["status"], "differs");
    assert_eq!(event["before"]["address"]["house"], "10");
    assert_eq!(event["after"]["address"]["house"], "12");

    // Agreeing on an address that still differs from the appeal: `reconciled`.
    let res = reconcile(
        &app,
        &reg,
        id,
        2,
        Some("\"2\""),
        json!({"address": {"region": "г. Алматы", "street": "пр. Абая", "house": "14"}}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        res.body["applicants"][1]["address_check"],
        json!({"status": "reconciled", "requisites": []})
    );

    // An applicant added later is checked against the same postal address.
    let res = add(
        &app,
        &reg,
        id,
        Some("\"3\""),
        json!({"category": "individual", "surname": "Ким", "address": {"region": "г. Алматы", "street": "ул. Сатпаева", "house": "12"}}),
    )
    .await;
    assert_eq!(
        res.body["applicants"][2]["address_check"],
        json!({"status": "differs", "requisites": [15]})
    );

    // Without a postal address in the appeal there is nothing to reconcile with.
    let other = register(&app, &reg, body_with(one_applicant())).await;
    assert_eq!(
        other["applicants"][0]["address_check"]["status"],
        "nothing_to_compare"
    );
    reconcile(
        &app,
        &reg,
        other["id"].as_i64().unwrap(),
        1,
        Some("\"1\""),
        json!({"address": {"street": "пр. Абая"}}),
    )
    .await
    .assert_problem(409, "conflict");
}

#[test]
fn help_and_startup_document_the_registry_settings() {
    let db = TestDb::new(TestBackend::Sqlite);
    let out = appeals_cli(&db).arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for var in ["APPEALS_REGISTRY", "APPEALS_REGISTRY_URL"] {
        assert!(text.contains(var), "--help does not mention {var}");
    }
    // APPEALS_REGISTRY=http without a URL (or https without the gateway's CA) is a start-up error.
    for url in [None, Some("https://gbd.example")] {
        let mut cmd = appeals_cli(&db);
        cmd.arg("serve")
            .env("APPEALS_ENV", "dev")
            .env("APPEALS_REGISTRY", "http");
        if let Some(u) = url {
            cmd.env("APPEALS_REGISTRY_URL", u);
        }
        let out = cmd.output().unwrap();
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("APPEALS_REGISTRY_URL"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn http_request(port: u16, request: &str) -> String {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// The server with the HTTP registry adapter, at the most verbose log level: neither the request
/// log, nor the registry errors, nor the HTTP client's own logging (which prints request paths at
/// `trace`) carry the IIN.
#[test]
fn registry_lookups_never_log_the_iin() {
    let dir = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (gateway, _seen) = fake_gateway(10);
    let log_path = dir.path().join("server.log");
    let mut child = Command::new(appeals_bin())
        .args(["serve", "--seed-demo"])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("APPEALS_JWT_SECRET")
        .env("APPEALS_ENV", "dev")
        .env("BIND", format!("127.0.0.1:{port}"))
        .env("APPEALS_REGISTRY", "http")
        .env("APPEALS_REGISTRY_URL", &gateway)
        .env("RUST_LOG", "trace")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let token = loop {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "server did not start"
        );
        let body = r#"{"username":"registrar","password":"demo-password"}"#;
        let answer = std::net::TcpStream::connect(("127.0.0.1", port))
            .ok()
            .map(|_| {
                http_request(
                    port,
                    &format!(
                        "POST /api/v1/auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    ),
                )
            });
        match answer {
            Some(a) if a.starts_with("HTTP/1.1 200") => {
                break a
                    .split("\"access_token\":\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .to_owned();
            }
            _ => std::thread::sleep(std::time::Duration::from_millis(100)),
        }
    };
    let get = |id: &str| {
        http_request(
            port,
            &format!(
                "GET /api/v1/registry/{id} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
            ),
        )
    };
    assert!(get(IIN_A).starts_with("HTTP/1.1 200"));
    // The gateway answers 500 for IIN_B: a warning is logged, without the IIN.
    assert!(get(IIN_B).starts_with("HTTP/1.1 503"));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    child.wait().unwrap();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("/api/v1/registry/{iin_bin}"), "{log}");
    assert!(log.contains("registry lookup failed"), "{log}");
    for id in [IIN_A, IIN_B] {
        assert!(!log.contains(id), "the log contains an IIN:\n{log}");
    }
}

async fn a_differing_address_holds_up_the_first_decision_until_reconciled(backend: TestBackend) {
    // R21 [INF] default `blocks_final_act`: the first decision waits for the reconciliation; under
    // `advisory` it does not.
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let ex = app.user("ex", "S1", &[Role::Executor]);
    let differing = || {
        let mut body = body_with(json!([
            {"category": "individual", "surname": "Ахметов", "address": {"region": "г. Алматы", "street": "пр. Абая", "house": "10"}}
        ]));
        body["postal_address"] =
            json!({"region": "г. Алматы", "street": "пр. Абая", "house": "12"});
        body
    };
    let id = register(&app, &reg, differing()).await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(assign(&app, &reg, id, ex.id).await.status, 200);
    let res = take_note(&app, &ex, id).await;
    res.assert_problem(409, "conflict");
    assert!(
        res.body["detail"].as_str().unwrap().contains("Applicant 1"),
        "{}",
        res.body
    );
    let card = app.get(&format!("/api/v1/appeals/{id}"), &reg).await;
    assert_eq!(card.body["status"], "in_work", "nothing changed");
    assert!(card.body["final_act_on"].is_null());
    let etag = card.header("etag").unwrap().to_owned();
    let agreed = json!({"address": {"region": "г. Алматы", "street": "пр. Абая", "house": "12"}});
    let res = reconcile(&app, &reg, id, 1, Some(&etag), agreed).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = take_note(&app, &ex, id).await;
    assert_eq!(res.status, 201, "{}", res.body);

    appeals_api::rules::set_address_reconciliation(
        &mut app.conn(),
        appeals_domain::cards::AddressReconciliationPolicy::Advisory,
    )
    .unwrap();
    app.state.load_rules(&mut app.conn()).unwrap();
    let id = register(&app, &reg, differing()).await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(assign(&app, &reg, id, ex.id).await.status, 200);
    let res = take_note(&app, &ex, id).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(
        res.body["appeal"]["applicants"][0]["address_check"]["status"],
        "differs"
    );
}

async fn assign(
    app: &TestApp,
    user: &TestUser,
    id: i64,
    executor_id: i64,
) -> appeals_tests::TestResponse {
    app.post(
        &format!("/api/v1/appeals/{id}/assignment"),
        user,
        json!({"executor_user_id": executor_id}),
    )
    .await
}

async fn take_note(app: &TestApp, user: &TestUser, id: i64) -> appeals_tests::TestResponse {
    app.post(
        &format!("/api/v1/appeals/{id}/decisions"),
        user,
        json!({"decision_type": "take_note"}),
    )
    .await
}
