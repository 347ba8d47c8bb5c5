#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! The duplicate check over HTTP (Rules p.13, p.2(2), R13, R14; issue 5), on both backends.

use actix_web::test::TestRequest;
use appeals_api::auth::Role;
use appeals_service::duplicates::check::{CheckOutcome, PreparedCheck, run_check};
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests, bearer};
use serde_json::{Value, json};

/// The duplicate check of a registration body, prepared exactly as `POST /appeals` prepares it.
fn prepared_check(body: appeals_api::dto::RegisterAppeal) -> PreparedCheck {
    use appeals_domain::access::Action;
    use appeals_service::{Actor, Ctx, access};
    let actor = Actor {
        user_id: 0,
        subject_id: 1,
        roles: vec![Role::Registrar],
    };
    let ctx = Ctx {
        grant: access::admit(actor, Action::RegisterAppeal).unwrap(),
        rules: std::sync::Arc::new(appeals_api::rules::Rules::defaults()),
        now: chrono::Utc::now(),
    };
    appeals_service::appeals::register::prepare(&ctx, body.into(), true)
        .unwrap()
        .into_check()
        .unwrap()
}

const ORIGINAL: &str = "Акиму Алмалинского района г. Алматы\nЗаявитель: Сейтов Ерлан Болатович\n\n\
Здравствуйте!\n\n\
Дорога по улице Жибек Жолы между домами 40 и 78 полностью разбита, на проезжей части глубокие ямы. \
По этой улице ежедневно ходит школьный автобус и проезжает скорая помощь. Весной ямы заполняются \
водой, и машины обдают грязью пешеходов, потому что тротуара нет.\n\n\
В прошлом году дорогу обещали включить в план среднего ремонта, но работы так и не начались. \
Прошу сообщить, когда будет отремонтирован этот участок дороги.\n\n\
С уважением, Сейтов Е.Б.\nТел.: +7 701 123 45 67";

/// The same appeal reworded sentence by sentence and sent to the prosecutor instead of the akim.
const REWORDED_TO_PROSECUTOR: &str = "Прокурору города Алматы\nЗаявитель: Ерлан Болатович Сейтов\n\n\
Уважаемый прокурор!\n\n\
Проезжая часть улицы Жибек Жолы на участке от дома 40 до дома 78 находится в разрушенном \
состоянии, асфальт в глубоких выбоинах. Каждый день здесь курсирует автобус, который возит детей \
в школу, и ездят машины скорой помощи. Когда тает снег, выбоины превращаются в лужи, а так как \
тротуаров нет, проезжающие автомобили обливают людей грязью.\n\n\
Ещё год назад нам говорили, что улицу внесут в программу среднего ремонта, однако ничего не \
сделано. Прошу сообщить, в какие сроки отремонтируют указанный отрезок дороги.\n\n\
Заранее спасибо за ответ.\nСейтов Ерлан";

const NEW_ARGUMENT: &str = "Согласно национальному стандарту допустимая глубина выбоины на \
покрытии не может превышать пяти сантиметров, а здесь ямы глубиной до двадцати сантиметров.";

const CAMPAIGN: &str = "Мы, жители микрорайона Самал, категорически возражаем против вырубки \
сквера на углу улиц Жамбыла и Байтурсынова под строительство торгового центра. Сквер — \
единственное место отдыха для детей и пожилых людей района, деревьям более сорока лет. Просим \
отменить разрешение на строительство и сохранить сквер как общественное зелёное пространство.";

/// The applicant of the original: IIN, name and address.
fn person() -> Value {
    json!({"category": "individual", "iin_bin": "921029350851", "surname": "Сейтов", "first_name": "Ерлан",
           "patronymic": "Болатович",
           "address": {"region": "г. Алматы", "street": "ул. Абая", "house": "10", "flat": "5", "settlement_kato": "751110000"}})
}

/// The same person on a paper appeal: no IIN, name in another order, address in Kazakh.
fn same_person_on_paper() -> Value {
    json!({"category": "individual", "surname": "СЕЙТОВ", "first_name": "Ерлан", "patronymic": "Болатович",
           "address": {"region": "Алматы қ.", "street": "Абай көшесі", "house": "10", "flat": "5"}})
}

fn other_person(surname: &str, first_name: &str, house: &str) -> Value {
    json!({"category": "individual", "surname": surname, "first_name": first_name,
           "address": {"region": "г. Алматы", "street": "ул. Сатпаева", "house": house}})
}

fn body(text: &str, applicants: Value) -> Value {
    json!({
        "document_type": "application",
        "tags": ["дороги"],
        "applicants": applicants,
        "text": text,
        "receipt_form": "electronic",
        "language": "state",
        "received_at": "2026-03-05T04:15:00Z"
    })
}

async fn register(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let res = app.post("/api/v1/appeals", user, body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

backend_tests!(
    reworded_copy_to_another_subject_is_a_registered_duplicate_linked_to_the_original,
    same_text_plus_new_argument_is_related_and_shows_the_argument,
    a_cited_norm_inside_a_repeated_sentence_is_shown_with_its_signal,
    same_text_from_another_applicant_is_new,
    duplicate_check_stores_nothing_and_checks_like_registration,
    registrar_overrides_the_verdict_with_a_reason_recorded_in_history,
    a_second_process_sees_a_registration_at_once,
    a_check_made_before_the_transaction_catches_up_with_registrations_since,
    the_catch_up_compares_the_text_of_appeals_registered_meanwhile,
    after_a_burst_of_registrations_the_catch_up_probes_the_band_keys,
    namesakes_do_not_crowd_out_the_applicants_own_appeal,
    the_catch_up_finds_the_applicants_appeal_committed_late_with_a_lower_id,
    registrations_of_one_person_wait_for_each_other,
    campaign_of_three_applicants_is_found_for_analysts_only,
    corrected_applicants_are_what_later_checks_match,
    the_band_index_follows_the_database_banding_and_reindex_changes_it,
    an_index_built_before_the_banding_setting_keeps_32_bands_of_4,
    a_named_check_probes_the_configured_bands_for_other_applicants_copies,
    substance_signals_are_a_stored_setting_switched_by_the_cli,
);

async fn reworded_copy_to_another_subject_is_a_registered_duplicate_linked_to_the_original(
    backend: TestBackend,
) {
    let app = TestApp::new(backend).await;
    app.subject("S2", false);
    let akimat = app.user("reg1", "S1", &[Role::Registrar]);
    let prosecutor = app.user("reg2", "S2", &[Role::Registrar]);
    let original = register(&app, &akimat, body(ORIGINAL, json!([person()]))).await;
    let original_id = original["id"].as_i64().unwrap();
    assert_eq!(original["duplicate_check"]["verdict"], "new");
    assert!(original["duplicate_of"].is_null());

    // p.13: checked before registration, across subjects (p.2(2)).
    let copy = body(REWORDED_TO_PROSECUTOR, json!([same_person_on_paper()]));
    let check = app
        .post("/api/v1/duplicate-checks", &prosecutor, copy.clone())
        .await;
    assert_eq!(check.status, 200, "{}", check.body);
    assert_eq!(check.body["verdict"], "duplicate", "{}", check.body);
    assert_eq!(check.body["duplicate_of"], original_id);
    let candidate = &check.body["candidates"][0];
    assert_eq!(candidate["appeal_id"], original_id);
    assert_eq!(candidate["registration_number"], "ЖТ-2026-00000001");
    assert_eq!(candidate["subject_id"], app.subject_id);
    assert_eq!(candidate["verdict"], "duplicate");
    assert_eq!(candidate["novel_fragments"], json!([]));
    // Another subject's candidate shows its number, subject, time and scores, never its text.
    let mut keys: Vec<&str> = candidate
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "appeal_id",
            "containment",
            "novel_fragments",
            "registered_at",
            "registration_number",
            "scored_on",
            "similarity",
            "subject_id",
            "verdict"
        ]
    );
    assert_eq!(candidate["scored_on"], "text");

    // R13: the duplicate is registered with its own number and linked to the original.
    let dup = register(&app, &prosecutor, copy).await;
    let dup_id = dup["id"].as_i64().unwrap();
    assert_eq!(dup["registration_number"], "ЖТ-2026-00000002");
    assert_eq!(dup["duplicate_of"], original_id);
    assert_eq!(dup["duplicate_check"]["verdict"], "duplicate");
    assert_eq!(
        app.get(&format!("/api/v1/appeals/{dup_id}"), &prosecutor)
            .await
            .body["duplicate_of"],
        original_id
    );
    let links = app
        .get(&format!("/api/v1/appeals/{dup_id}/duplicates"), &prosecutor)
        .await;
    assert_eq!(links.status, 200, "{}", links.body);
    assert_eq!(links.body["duplicate_of"], original_id);
    assert_eq!(links.body["items"].as_array().unwrap().len(), 1);
    let link = &links.body["items"][0];
    assert_eq!(link["direction"], "original");
    assert_eq!(link["appeal_id"], original_id);
    assert_eq!(link["verdict"], "duplicate");
    assert_eq!(link["decided_by"], "engine");
    // Both ways: the original lists its repeat.
    let back = app
        .get(
            &format!("/api/v1/appeals/{original_id}/duplicates"),
            &akimat,
        )
        .await;
    assert_eq!(back.body["items"][0]["direction"], "repeat");
    assert_eq!(back.body["items"][0]["appeal_id"], dup_id);
    assert_eq!(
        back.body["items"][0]["registration_number"],
        "ЖТ-2026-00000002"
    );
    // The registration event carries the check.
    let history = app
        .get(&format!("/api/v1/appeals/{dup_id}/history"), &prosecutor)
        .await;
    assert_eq!(
        history.body[0]["after"]["duplicate_check"]["verdict"],
        "duplicate"
    );
    // The link does not open the other subject's card.
    app.get(&format!("/api/v1/appeals/{original_id}"), &prosecutor)
        .await
        .assert_problem(404, "not-found");
    app.get(
        &format!("/api/v1/appeals/{original_id}/duplicates"),
        &prosecutor,
    )
    .await
    .assert_problem(404, "not-found");
}

async fn same_text_plus_new_argument_is_related_and_shows_the_argument(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let original = register(&app, &reg, body(ORIGINAL, json!([person()]))).await;
    let with_argument = ORIGINAL.replace(
        "Прошу сообщить,",
        &format!("{NEW_ARGUMENT}\n\nПрошу сообщить,"),
    );
    let repeat = register(&app, &reg, body(&with_argument, json!([person()]))).await;
    let check = &repeat["duplicate_check"];
    assert_eq!(check["verdict"], "related", "{check}");
    assert!(check["duplicate_of"].is_null());
    assert!(repeat["duplicate_of"].is_null());
    let candidate = &check["candidates"][0];
    assert_eq!(candidate["appeal_id"], original["id"]);
    assert_eq!(candidate["verdict"], "related");
    let novel = candidate["novel_fragments"].as_array().unwrap();
    assert_eq!(novel.len(), 1, "{candidate}");
    assert_eq!(novel[0]["text"], NEW_ARGUMENT);
    let (start, end) = (
        novel[0]["start"].as_u64().unwrap() as usize,
        novel[0]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&with_argument[start..end], NEW_ARGUMENT);
    let links = app
        .get(
            &format!("/api/v1/appeals/{}/duplicates", repeat["id"]),
            &reg,
        )
        .await;
    assert_eq!(links.body["items"][0]["verdict"], "related");
    assert_eq!(links.body["items"][0]["appeal_id"], original["id"]);
}

/// [`ORIGINAL`] with a new legal ground cited inside one of its sentences.
fn with_cited_norm() -> String {
    let sentence = "В прошлом году дорогу обещали включить в план среднего ремонта, но работы так и не начались.";
    let ground =
        "хотя статья 19 Закона «Об автомобильных дорогах» возлагает содержание улиц на акимат";
    ORIGINAL.replace(
        sentence,
        &sentence.replace(", но работы", &format!(", {ground}, но работы")),
    )
}

/// p.2(2), issue 24: a repeat that only adds a cited norm inside one of the original's sentences is
/// `related`, and the check shows the clause with the norm — not the whole sentence — and why.
async fn a_cited_norm_inside_a_repeated_sentence_is_shown_with_its_signal(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    register(&app, &reg, body(ORIGINAL, json!([person()]))).await;
    let repeat = with_cited_norm();
    let check = verdict_of(&app, &reg, &repeat, json!([person()])).await;
    assert_eq!(check["verdict"], "related", "{check}");
    let novel = check["candidates"][0]["novel_fragments"]
        .as_array()
        .unwrap();
    let shown = novel
        .iter()
        .find(|f| f["text"].as_str().unwrap().contains("статья 19 Закона"))
        .unwrap_or_else(|| panic!("{check}"));
    assert_eq!(shown["signals"], json!(["legal_norm"]), "{check}");
    assert!(
        !shown["text"].as_str().unwrap().contains("В прошлом году"),
        "{check}"
    );
    let (start, end) = (
        shown["start"].as_u64().unwrap() as usize,
        shown["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&repeat[start..end], shown["text"].as_str().unwrap());
    // A courteous reminder adds nothing: still a duplicate of the original.
    let reminder = ORIGINAL.replace(
        "Здравствуйте!",
        "Здравствуйте!\n\nПовторно обращаюсь, так как ответа на первое обращение я не получил.",
    );
    let check = verdict_of(&app, &reg, &reminder, json!([person()])).await;
    assert_eq!(check["verdict"], "duplicate", "{check}");
}

async fn same_text_from_another_applicant_is_new(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let original = register(&app, &reg, body(ORIGINAL, json!([person()]))).await;
    let other = register(
        &app,
        &reg,
        body(ORIGINAL, json!([other_person("Ахметова", "Динара", "3")])),
    )
    .await;
    let check = &other["duplicate_check"];
    assert_eq!(check["verdict"], "new", "{check}");
    assert!(other["duplicate_of"].is_null());
    // R14: a named applicant's check looks at their own appeals (by default it does not probe
    // the text index for other people's copies: they could only be `new`).
    assert_eq!(check["candidates"], json!([]), "{check}");
    assert_ne!(other["id"], original["id"]);
    let links = app
        .get(&format!("/api/v1/appeals/{}/duplicates", other["id"]), &reg)
        .await;
    assert_eq!(links.body["items"], json!([]));
}

async fn duplicate_check_stores_nothing_and_checks_like_registration(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let system = app.user("eotinish", "S1", &[Role::Integration]);
    let executor = app.user("exec", "S1", &[Role::Executor]);
    let original = register(&app, &reg, body(ORIGINAL, json!([person()]))).await;
    for _ in 0..2 {
        let res = app
            .post(
                "/api/v1/duplicate-checks",
                &system,
                body(ORIGINAL, json!([person()])),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["verdict"], "duplicate");
        // Still exactly one candidate: the first check stored nothing the second could find.
        assert_eq!(res.body["candidates"].as_array().unwrap().len(), 1);
        assert_eq!(res.body["candidates"][0]["appeal_id"], original["id"]);
    }
    let list = app.get("/api/v1/appeals", &reg).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    let links = app
        .get(
            &format!("/api/v1/appeals/{}/duplicates", original["id"]),
            &reg,
        )
        .await;
    assert_eq!(links.body["items"], json!([]));
    // The next registration still gets number 2 (no counter was taken).
    let second = register(&app, &reg, body(CAMPAIGN, json!([person()]))).await;
    assert_eq!(second["registration_number"], "ЖТ-2026-00000002");
    // Validated like a registration; other roles may not check.
    let mut bad = body(ORIGINAL, json!([person()]));
    bad["language"] = json!("klingon");
    bad["text"] = json!("   ");
    let res = app.post("/api/v1/duplicate-checks", &reg, bad).await;
    res.assert_problem(422, "validation");
    let pointers: Vec<&str> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    // A blank text is no error (every appeal is registered, R1): only the language is.
    assert_eq!(pointers, ["#/language"]);
    app.post(
        "/api/v1/duplicate-checks",
        &executor,
        body(ORIGINAL, json!([person()])),
    )
    .await
    .assert_problem(403, "forbidden");
}

async fn registrar_overrides_the_verdict_with_a_reason_recorded_in_history(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.subject("S2", false);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let stranger = app.user("reg2", "S2", &[Role::Registrar]);
    let executor = app.user("exec", "S1", &[Role::Executor]);
    let original = register(&app, &reg, body(ORIGINAL, json!([person()]))).await;
    let dup = register(&app, &reg, body(REWORDED_TO_PROSECUTOR, json!([person()]))).await;
    let (original_id, dup_id) = (
        original["id"].as_i64().unwrap(),
        dup["id"].as_i64().unwrap(),
    );
    assert_eq!(dup["duplicate_of"], original_id);
    let uri = format!("/api/v1/appeals/{dup_id}/duplicate-decision");
    let links_uri = format!("/api/v1/appeals/{dup_id}/duplicates");

    // Bad input and foreign callers change nothing.
    app.post(&uri, &reg, json!({"verdict": "related", "reason": "  "}))
        .await
        .assert_problem(422, "validation");
    app.post(
        &uri,
        &reg,
        json!({"verdict": "duplicate", "original_appeal_id": dup_id, "reason": "x"}),
    )
    .await
    .assert_problem(422, "validation");
    app.post(
        &uri,
        &reg,
        json!({"verdict": "duplicate", "original_appeal_id": 999_999, "reason": "x"}),
    )
    .await
    .assert_problem(422, "validation");
    app.post(&uri, &stranger, json!({"verdict": "new", "reason": "x"}))
        .await
        .assert_problem(404, "not-found");
    app.post(&uri, &executor, json!({"verdict": "new", "reason": "x"}))
        .await
        .assert_problem(403, "forbidden");
    let unchanged = app.get(&format!("/api/v1/appeals/{dup_id}"), &reg).await;
    assert_eq!(unchanged.body["duplicate_of"], original_id);
    assert_eq!(unchanged.body["version"], 1);

    // R14: the registrar qualifies it as related (new circumstances found on reading).
    let reason = "В обращении указано новое обстоятельство: обращение к прокурору после бездействия акимата.";
    let res = app
        .post(&uri, &reg, json!({"verdict": "related", "reason": reason}))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body["duplicate_of"].is_null());
    assert_eq!(res.body["version"], 2);
    let links = app.get(&links_uri, &reg).await;
    assert_eq!(links.body["items"][0]["verdict"], "related");
    assert_eq!(links.body["items"][0]["decided_by"], "user");
    assert_eq!(links.body["items"][0]["reason"], reason);
    let history = app
        .get(&format!("/api/v1/appeals/{dup_id}/history"), &reg)
        .await;
    let last = history.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "duplicate_decision_recorded");
    assert_eq!(last["actor_user_id"], reg.id);
    assert_eq!(last["before"]["duplicate_of"], original_id);
    assert_eq!(last["after"]["verdict"], "related");
    assert_eq!(last["after"]["reason"], reason);

    // `new` removes the links; `duplicate` then needs the original named.
    let res = app
        .post(
            &uri,
            &reg,
            json!({"verdict": "new", "reason": "Другой вопрос."}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(app.get(&links_uri, &reg).await.body["items"], json!([]));
    app.post(
        &uri,
        &reg,
        json!({"verdict": "duplicate", "reason": "Повтор."}),
    )
    .await
    .assert_problem(422, "validation");
    let res = app
        .post(
            &uri,
            &reg,
            json!({"verdict": "duplicate", "original_appeal_id": original_id, "reason": "Повтор без новых доводов."}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["duplicate_of"], original_id);
    assert_eq!(res.body["registration_number"], dup["registration_number"]);
    let back = app
        .get(&format!("/api/v1/appeals/{original_id}/duplicates"), &reg)
        .await;
    assert_eq!(back.body["items"][0]["direction"], "repeat");
    assert_eq!(back.body["items"][0]["decided_by"], "user");
    let history = app
        .get(&format!("/api/v1/appeals/{dup_id}/history"), &reg)
        .await;
    let actions: Vec<&str> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "registered",
            "duplicate_decision_recorded",
            "duplicate_decision_recorded",
            "duplicate_decision_recorded"
        ]
    );
    // p.22: each qualification is an ОЛ-2 of the card (R22: seq 1, 2, 3), not a decision on the
    // merits (the card stays registered).
    let ol2 = app
        .get(&format!("/api/v1/appeals/{dup_id}/decisions"), &reg)
        .await;
    assert_eq!(ol2.status, 200, "{}", ol2.body);
    let cards = ol2.body.as_array().unwrap();
    let kinds: Vec<(&str, &str, i64)> = cards
        .iter()
        .map(|c| {
            (
                c["card_kind"].as_str().unwrap(),
                c["duplicate_verdict"].as_str().unwrap(),
                c["seq"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("duplicate_qualification", "related", 1),
            ("duplicate_qualification", "new", 2),
            ("duplicate_qualification", "duplicate", 3)
        ]
    );
    assert_eq!(
        cards[2]["original_registration_number"],
        original["registration_number"]
    );
    assert_eq!(cards[2]["reason"], "Повтор без новых доводов.");
    assert_eq!(cards[2]["decided_by_user_id"], reg.id);
    assert_eq!(
        history.body.as_array().unwrap()[3]["after"]["decision_card_id"],
        cards[2]["id"]
    );
    let card = app.get(&format!("/api/v1/appeals/{dup_id}"), &reg).await;
    assert_eq!(card.body["status"], "registered");
}

async fn a_second_process_sees_a_registration_at_once(backend: TestBackend) {
    let first = TestApp::new(backend).await;
    let second = TestApp::on(first.db.alias());
    let reg = first.user("reg", "S1", &[Role::Registrar]);
    // Warm the second process up: nothing to find yet.
    let res = second
        .post(
            "/api/v1/duplicate-checks",
            &reg,
            body(ORIGINAL, json!([person()])),
        )
        .await;
    assert_eq!(res.body["verdict"], "new", "{}", res.body);
    let original = register(&first, &reg, body(ORIGINAL, json!([person()]))).await;
    // The registration committed through the first app is found by the second at once.
    let res = second
        .post(
            "/api/v1/duplicate-checks",
            &reg,
            body(REWORDED_TO_PROSECUTOR, json!([same_person_on_paper()])),
        )
        .await;
    assert_eq!(res.body["verdict"], "duplicate", "{}", res.body);
    assert_eq!(res.body["duplicate_of"], original["id"]);
    let dup = register(
        &second,
        &reg,
        body(REWORDED_TO_PROSECUTOR, json!([same_person_on_paper()])),
    )
    .await;
    assert_eq!(dup["duplicate_of"], original["id"]);
}

async fn campaign_of_three_applicants_is_found_for_analysts_only(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.subject("S2", false);
    app.subject("KPSISU", true);
    let reg1 = app.user("reg1", "S1", &[Role::Registrar]);
    let reg2 = app.user("reg2", "S2", &[Role::Registrar]);
    let analyst = app.user("analyst", "KPSISU", &[Role::Analyst]);
    let mut ids = Vec::new();
    for (i, (user, surname)) in [(&reg1, "Абенова"), (&reg2, "Борисов"), (&reg1, "Жумабаев")]
        .into_iter()
        .enumerate()
    {
        let text = format!("{CAMPAIGN}\n\nС уважением, {surname}.");
        let a = register(
            &app,
            user,
            body(
                &text,
                json!([other_person(surname, "Алия", &(i + 1).to_string())]),
            ),
        )
        .await;
        // Different applicants: not duplicates of each other (p.2(2)).
        assert_eq!(a["duplicate_check"]["verdict"], "new");
        ids.push(a["id"].as_i64().unwrap());
    }
    // Noise: the same person twice on another topic, and an unrelated appeal.
    register(&app, &reg1, body(ORIGINAL, json!([person()]))).await;

    let uri = "/api/v1/analytics/campaigns?from=2026-03-01&to=2026-03-31";
    let res = app.get(uri, &analyst).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let clusters = res.body["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 1, "{}", res.body);
    let cluster = &clusters[0];
    assert_eq!(cluster["size"], 3);
    assert_eq!(cluster["applicants"], 3);
    let mut subjects: Vec<i64> = cluster["subject_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    subjects.sort_unstable();
    assert_eq!(subjects.len(), 2);
    ids.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(cluster["appeal_ids"], json!(ids));
    let sample = cluster["sample_text"].as_str().unwrap();
    assert!(sample.starts_with("Мы, жители микрорайона Самал"));
    assert!(sample.chars().count() <= 300);

    // Configurable size; another window; bad input; analysts only.
    let res = app.get(&format!("{uri}&min_size=4"), &analyst).await;
    assert_eq!(res.body["clusters"], json!([]));
    let res = app
        .get(
            "/api/v1/analytics/campaigns?from=2026-04-01&to=2026-04-30",
            &analyst,
        )
        .await;
    assert_eq!(res.body["clusters"], json!([]));
    app.get(
        "/api/v1/analytics/campaigns?from=2026-03-31&to=2026-03-01",
        &analyst,
    )
    .await
    .assert_problem(422, "validation");
    app.get(&format!("{uri}&min_size=1"), &analyst)
        .await
        .assert_problem(422, "validation");
    app.get(uri, &reg1).await.assert_problem(403, "forbidden");
}

/// Registration runs the costly part of the check before its transaction and completes it inside
/// with the appeals indexed since (`CheckOutcome::catch_up`): an appeal registered in between is
/// still found.
async fn a_check_made_before_the_transaction_catches_up_with_registrations_since(
    backend: TestBackend,
) {
    use appeals_api::dedup::VerdictDto;
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let rules = appeals_api::rules::Rules::defaults();
    let copy: appeals_api::dto::RegisterAppeal = serde_json::from_value(body(
        REWORDED_TO_PROSECUTOR,
        json!([same_person_on_paper()]),
    ))
    .unwrap();
    let prepared = prepared_check(copy);
    let before = run_check(&mut app.conn(), &prepared, &rules.dedup, None).unwrap();
    assert_eq!(VerdictDto::from(before.verdict), VerdictDto::New);
    let original = register(&app, &reg, body(ORIGINAL, json!([person()]))).await;
    let after = before
        .catch_up(&mut app.conn(), &prepared, &rules.dedup)
        .unwrap();
    assert_eq!(VerdictDto::from(after.verdict), VerdictDto::Duplicate);
    assert_eq!(
        after.duplicate_of().map(|c| c.card.id),
        original["id"].as_i64()
    );
    // Nothing new since: catching up again changes nothing.
    let again = after
        .clone()
        .catch_up(&mut app.conn(), &prepared, &rules.dedup)
        .unwrap();
    assert_eq!(again.candidates.len(), after.candidates.len());
}

/// An anonymous repeat of [`ORIGINAL`] with [`NEW_ARGUMENT`], prepared and checked (as a
/// registration does before its transaction) on the current database.
fn anonymous_repeat_checked(
    app: &TestApp,
) -> (appeals_api::rules::Rules, PreparedCheck, CheckOutcome) {
    let rules = appeals_api::rules::Rules::defaults();
    let later: appeals_api::dto::RegisterAppeal =
        serde_json::from_value(body(&format!("{ORIGINAL}\n\n{NEW_ARGUMENT}"), json!([]))).unwrap();
    let prepared = prepared_check(later);
    let before = run_check(&mut app.conn(), &prepared, &rules.dedup, None).unwrap();
    (rules, prepared, before)
}

/// Text alone between a check and its registering transaction: an anonymous appeal registered
/// meanwhile shares no applicant key, so the catch-up finds it among the appeals indexed since the
/// check began (their signatures read whole) — an anonymous side can only be `related`.
async fn the_catch_up_compares_the_text_of_appeals_registered_meanwhile(backend: TestBackend) {
    use appeals_api::dedup::VerdictDto;
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let (rules, prepared, before) = anonymous_repeat_checked(&app);
    assert_eq!(VerdictDto::from(before.verdict), VerdictDto::New);
    let unrelated = register(&app, &reg, body(CAMPAIGN, json!([]))).await;
    let earlier = register(&app, &reg, body(ORIGINAL, json!([]))).await;
    let after = before
        .catch_up(&mut app.conn(), &prepared, &rules.dedup)
        .unwrap();
    assert_eq!(VerdictDto::from(after.verdict), VerdictDto::Related);
    let found: Vec<i64> = after.candidates.iter().map(|c| c.card.id).collect();
    assert_eq!(found, vec![earlier["id"].as_i64().unwrap()], "{found:?}");
    assert!(after.seen.contains(&unrelated["id"].as_i64().unwrap()));
}

/// When more appeals were indexed during a check than a catch-up reads whole (256), it probes the
/// band keys of the new text among them instead: the close text is still found, the unrelated
/// burst is not read.
async fn after_a_burst_of_registrations_the_catch_up_probes_the_band_keys(backend: TestBackend) {
    use appeals_api::dedup::VerdictDto;
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let (rules, prepared, before) = anonymous_repeat_checked(&app);
    let earlier = register(&app, &reg, body(ORIGINAL, json!([]))).await;
    for i in 0..256 {
        let text = format!(
            "Прошу установить скамейку номер {i} и урну во дворе дома {i} по проспекту \
             Назарбаева, а также покрасить ограждение детской площадки {i}."
        );
        register(&app, &reg, body(&text, json!([]))).await;
    }
    let after = before
        .catch_up(&mut app.conn(), &prepared, &rules.dedup)
        .unwrap();
    assert_eq!(VerdictDto::from(after.verdict), VerdictDto::Related);
    assert_eq!(
        after.candidates.first().map(|c| c.card.id),
        earlier["id"].as_i64()
    );
    assert!(after.seen.len() < 10, "{:?}", after.seen);
}

/// R14: the lookup by applicant keys takes at most N appeals per key; a common name must not push
/// the same IIN's earlier appeal out of the candidates (each key keeps its own N).
async fn namesakes_do_not_crowd_out_the_applicants_own_appeal(backend: TestBackend) {
    use appeals_domain::dedup::ApplicantKey;
    use appeals_service::duplicates::check::{index_keys, lookup_keys};
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let original = register(&app, &reg, body(ORIGINAL, json!([person()]))).await;
    // Two later namesakes without an IIN (they could be the same person: R14 by name + address).
    let mut namesakes = Vec::new();
    for house in ["1", "2"] {
        let mut p = other_person("Сейтов", "Ерлан", house);
        p["patronymic"] = json!("Болатович");
        let text = format!("{CAMPAIGN} Дом {house}.");
        namesakes.push(
            register(&app, &reg, body(&text, json!([p]))).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let applicant = |iin: Option<&str>| {
        ApplicantKey {
            iin_bin: iin.map(str::to_owned),
            full_name: Some("Сейтов Ерлан Болатович".to_owned()),
            address: None,
            kato_settlement: None,
        }
        .normalized()
    };
    let with_iin = lookup_keys(&[applicant(Some("921029350851"))]);
    let found =
        appeals_db::repo::duplicates::candidates_by_applicant(&mut app.conn(), &with_iin, 1)
            .unwrap();
    assert!(
        found.contains(&original["id"].as_i64().unwrap()),
        "{found:?}"
    );
    assert!(found.contains(&namesakes[1]), "{found:?}");
    // An applicant with an IIN reads namesakes without one (who may be the same person), not
    // namesakes with another IIN; one without an IIN reads every namesake.
    let stored = index_keys(&[applicant(Some("921029350851"))]);
    assert!(
        stored
            .iter()
            .all(|(kind, _)| !with_iin.iter().any(|(k, _)| k == kind && k != "iin_bin"))
    );
    let without_iin = lookup_keys(&[applicant(None)]);
    let everyone =
        appeals_db::repo::duplicates::candidates_by_applicant(&mut app.conn(), &without_iin, 10)
            .unwrap();
    assert!(
        everyone.contains(&original["id"].as_i64().unwrap()),
        "{everyone:?}"
    );
    assert!(
        namesakes.iter().all(|id| everyone.contains(id)),
        "{everyone:?}"
    );
}

/// On PostgreSQL ids are taken at insert but become visible at commit, so an appeal with a lower
/// id than the newest indexed one can commit after a check began. The catch-up therefore reads the
/// applicant's keys again whatever the ids. Simulated on both backends: the original's index rows
/// are withheld during the pre-check and stored afterwards.
async fn the_catch_up_finds_the_applicants_appeal_committed_late_with_a_lower_id(
    backend: TestBackend,
) {
    use appeals_api::dedup::VerdictDto;
    use appeals_db::schema::{
        appeal_dedup_applicant_keys, appeal_dedup_bands, appeal_dedup_signatures,
    };
    use diesel::prelude::*;
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let rules = appeals_api::rules::Rules::defaults();
    let prepare = |text: &str, applicants: Value| {
        let body: appeals_api::dto::RegisterAppeal =
            serde_json::from_value(body(text, applicants)).unwrap();
        prepared_check(body)
    };
    let original = register(&app, &reg, body(ORIGINAL, json!([person()]))).await;
    let original_id = original["id"].as_i64().unwrap();
    let later = register(
        &app,
        &reg,
        body(CAMPAIGN, json!([other_person("Ахметова", "Динара", "3")])),
    )
    .await;
    assert!(later["id"].as_i64().unwrap() > original_id);
    // The original is "not committed yet": its index rows are withheld.
    let mut conn = app.conn();
    diesel::delete(appeal_dedup_bands::table.filter(appeal_dedup_bands::appeal_id.eq(original_id)))
        .execute(&mut *conn)
        .unwrap();
    diesel::delete(
        appeal_dedup_applicant_keys::table
            .filter(appeal_dedup_applicant_keys::appeal_id.eq(original_id)),
    )
    .execute(&mut *conn)
    .unwrap();
    diesel::delete(
        appeal_dedup_signatures::table.filter(appeal_dedup_signatures::appeal_id.eq(original_id)),
    )
    .execute(&mut *conn)
    .unwrap();
    let copy = prepare(REWORDED_TO_PROSECUTOR, json!([same_person_on_paper()]));
    let before = run_check(&mut conn, &copy, &rules.dedup, None).unwrap();
    assert_eq!(VerdictDto::from(before.verdict), VerdictDto::New);
    // ... and now it commits, with a lower id than the newest indexed appeal.
    prepare(ORIGINAL, json!([person()]))
        .store(&mut conn, original_id)
        .unwrap();
    let after = before.catch_up(&mut conn, &copy, &rules.dedup).unwrap();
    assert_eq!(VerdictDto::from(after.verdict), VerdictDto::Duplicate);
    assert_eq!(after.duplicate_of().map(|c| c.card.id), Some(original_id));
}

/// Two registrations of one person serialise on PostgreSQL (an advisory lock per IIN/name hash
/// until commit), so neither checks before the other has committed. SQLite writers already run
/// one at a time; there the lock is a no-op.
async fn registrations_of_one_person_wait_for_each_other(backend: TestBackend) {
    use appeals_db::repo::duplicates::lock_identities;
    use diesel::Connection;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let app = TestApp::new(backend).await;
    let prepare = |applicants: Value| {
        let body: appeals_api::dto::RegisterAppeal =
            serde_json::from_value(body(ORIGINAL, applicants)).unwrap();
        prepared_check(body)
    };
    // The same person with an IIN and on paper without one share the name lock; a stranger not.
    let first = prepare(json!([person()]));
    let second = prepare(json!([same_person_on_paper()]));
    let stranger = prepare(json!([other_person("Ахметова", "Динара", "3")]));
    assert!(
        first
            .identity_locks
            .iter()
            .any(|h| second.identity_locks.contains(h))
    );
    assert!(
        !first
            .identity_locks
            .iter()
            .any(|h| stranger.identity_locks.contains(h))
    );
    if backend == TestBackend::Sqlite {
        lock_identities(&mut app.conn(), &first.identity_locks).unwrap();
        return;
    }
    let mut holder = app.db.connect();
    let (waiter, acquired) = holder
        .transaction::<_, appeals_db::DbError, _>(|holder| {
            lock_identities(holder, &first.identity_locks)?;
            let acquired = Arc::new(AtomicBool::new(false));
            let (db, flag, locks) = (
                app.db.alias(),
                acquired.clone(),
                second.identity_locks.clone(),
            );
            let waiter = std::thread::spawn(move || {
                let mut conn = db.connect();
                conn.transaction::<_, appeals_db::DbError, _>(|c| {
                    lock_identities(c, &locks)?;
                    flag.store(true, Ordering::SeqCst);
                    Ok(())
                })
                .unwrap();
            });
            // Another person's registration does not wait.
            let mut other = app.db.connect();
            other
                .transaction::<_, appeals_db::DbError, _>(|c| {
                    lock_identities(c, &stranger.identity_locks)
                })
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(300));
            assert!(
                !acquired.load(Ordering::SeqCst),
                "the same person got through"
            );
            Ok((waiter, acquired))
        })
        .unwrap();
    // Committed: the second registration proceeds.
    waiter.join().unwrap();
    assert!(acquired.load(Ordering::SeqCst));
}

/// Verdict of `POST /duplicate-checks` for `text` from `applicants`.
async fn verdict_of(app: &TestApp, user: &TestUser, text: &str, applicants: Value) -> Value {
    let res = app
        .post("/api/v1/duplicate-checks", user, body(text, applicants))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.body
}

/// R14 after an edit of З-1: a registrar who corrects the applicants of a card (replace, or add a
/// co-applicant) changes whom later appeals are matched against; the first-entered applicant no
/// longer is.
async fn corrected_applicants_are_what_later_checks_match(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let mistaken = other_person("Нурланов", "Асхат", "3");
    let original = register(&app, &reg, body(ORIGINAL, json!([mistaken.clone()]))).await;
    let id = original["id"].as_i64().unwrap();
    assert_eq!(
        verdict_of(&app, &reg, REWORDED_TO_PROSECUTOR, json!([person()])).await["verdict"],
        "new"
    );

    let replaced = app
        .send(
            TestRequest::put()
                .uri(&format!("/api/v1/appeals/{id}/applicants"))
                .insert_header(bearer(&reg))
                .insert_header(("If-Match", "\"1\""))
                .set_json(json!({"applicants": [person()]})),
        )
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    let check = verdict_of(&app, &reg, REWORDED_TO_PROSECUTOR, json!([person()])).await;
    assert_eq!(check["verdict"], "duplicate", "{check}");
    assert_eq!(check["duplicate_of"], id);
    // The applicant entered by mistake is gone from the index: the same text from them is `new`.
    let check = verdict_of(&app, &reg, ORIGINAL, json!([mistaken])).await;
    assert_eq!(check["verdict"], "new", "{check}");

    // A co-applicant added later: their own repeat is matched (the sets share a person).
    let co_applicant = other_person("Ахметова", "Динара", "7");
    assert_eq!(
        verdict_of(&app, &reg, ORIGINAL, json!([co_applicant.clone()])).await["verdict"],
        "new"
    );
    let added = app
        .send(
            TestRequest::post()
                .uri(&format!("/api/v1/appeals/{id}/applicants"))
                .insert_header(bearer(&reg))
                .insert_header(("If-Match", "\"2\""))
                .set_json(co_applicant.clone()),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    let check = verdict_of(&app, &reg, ORIGINAL, json!([co_applicant])).await;
    assert_eq!(check["verdict"], "duplicate", "{check}");
    let check = verdict_of(&app, &reg, REWORDED_TO_PROSECUTOR, json!([person()])).await;
    assert_eq!(check["verdict"], "duplicate", "{check}");
}

fn dedup_cli(url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(appeals_tests::appeals_bin())
        .arg("dedup")
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// The lines `appeals dedup show` prints.
fn dedup_show(url: &str) -> Vec<String> {
    String::from_utf8_lossy(&dedup_cli(url, &["show"]).stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Runs `appeals dedup ARGS`, checks that line `line` of `appeals dedup show` now reads `shown`,
/// and waits until this process reloads its rules (the configuration version moved).
fn set_and_reload(url: &str, args: &[&str], line: usize, shown: &str) {
    let out = dedup_cli(url, args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(dedup_show(url)[line], shown);
    std::thread::sleep(
        appeals_api::rules::RULES_CHECK_INTERVAL + std::time::Duration::from_millis(100),
    );
}

fn band_rows(app: &TestApp, appeal_id: i64) -> i64 {
    use appeals_db::schema::appeal_dedup_bands::dsl;
    use diesel::prelude::*;
    let mut conn = app.conn();
    appeals_db::per_backend!(&mut *conn, |c| dsl::appeal_dedup_bands
        .filter(dsl::appeal_id.eq(appeal_id))
        .count()
        .get_result::<i64>(c)
        .unwrap())
}

/// The band keys are computed with the banding stored with the database (a new one: the default
/// 16 bands of 3 rows); `appeals dedup reindex` re-keys every stored appeal from its signature, and
/// running processes then check with the new banding — a text-only match is still found.
async fn the_band_index_follows_the_database_banding_and_reindex_changes_it(backend: TestBackend) {
    let db = appeals_tests::TestDb::new(backend);
    let url = db.url.clone();
    let app = TestApp::on(db);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let show = || dedup_show(&url)[0].clone();
    assert_eq!(show(), "duplicate index banding: 16x3");
    let anonymous = register(&app, &reg, body(ORIGINAL, json!([]))).await;
    let id = anonymous["id"].as_i64().unwrap();
    assert_eq!(band_rows(&app, id), 16);

    for bad in [&["--bands", "0"][..], &["--bands", "33", "--rows", "4"]] {
        let out = dedup_cli(&url, &[&["reindex"][..], bad].concat());
        assert!(!out.status.success(), "{bad:?} accepted");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("bands"),
            "{bad:?}"
        );
    }
    assert_eq!(
        show(),
        "duplicate index banding: 16x3",
        "a refused reindex changes nothing"
    );
    assert_eq!(band_rows(&app, id), 16);

    let out = dedup_cli(&url, &["reindex", "--bands", "32", "--rows", "4"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "duplicate index banding: 32x4 (1 appeal(s) re-keyed)"
    );
    assert_eq!(show(), "duplicate index banding: 32x4");
    assert_eq!(band_rows(&app, id), 32);

    // This process reloads its rules (configuration version moved) and looks up 32 band keys: the
    // anonymous repeat still meets the re-keyed original on text alone.
    std::thread::sleep(
        appeals_api::rules::RULES_CHECK_INTERVAL + std::time::Duration::from_millis(100),
    );
    let repeat = body(&format!("{ORIGINAL}\n\n{NEW_ARGUMENT}"), json!([]));
    let check = app
        .post("/api/v1/duplicate-checks", &reg, repeat.clone())
        .await;
    assert_eq!(check.status, 200, "{}", check.body);
    assert_eq!(check.body["verdict"], "related", "{}", check.body);
    assert_eq!(check.body["candidates"][0]["appeal_id"], id);
    let later = register(&app, &reg, repeat).await;
    assert_eq!(band_rows(&app, later["id"].as_i64().unwrap()), 32);
}

/// The migration that introduced `dedup_banding` records 32×4 — the banding every index was built
/// with until then — for a database that already holds one, and the default for an empty one.
async fn an_index_built_before_the_banding_setting_keeps_32_bands_of_4(backend: TestBackend) {
    use diesel::connection::SimpleConnection;
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let up = match backend {
        TestBackend::Postgres => {
            include_str!("../../migrations/postgres/2026-11-25-000080_dedup_banding/up.sql")
        }
        TestBackend::Sqlite => {
            include_str!("../../migrations/sqlite/2026-11-25-000080_dedup_banding/up.sql")
        }
    };
    let rerun = |app: &TestApp| {
        let mut conn = app.conn();
        appeals_db::per_backend!(&mut *conn, |c| c
            .batch_execute(&format!(
                "DELETE FROM settings WHERE name = 'dedup_banding'; {up}"
            ))
            .unwrap());
        appeals_db::repo::duplicates::banding(&mut conn).unwrap()
    };
    assert_eq!(rerun(&app), "16x3", "an empty index takes the default");
    register(&app, &reg, body(ORIGINAL, json!([]))).await;
    assert_eq!(rerun(&app), "32x4", "an existing index keeps its banding");
}

/// A named applicant's check probes the first `dedup_others_probe_bands` bands (default 0) for
/// other applicants' copies — those can only be `new` (R14). Set to 4, another person's identical
/// text is listed (scored on the signatures: similarity 1, no novelty shown, no link); at 0 it is
/// not, while the same person's reworded copy is a duplicate either way and an anonymous appeal
/// always probes every band.
async fn a_named_check_probes_the_configured_bands_for_other_applicants_copies(
    backend: TestBackend,
) {
    let db = appeals_tests::TestDb::new(backend);
    let url = db.url.clone();
    let app = TestApp::on(db);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let probe_others = |bands: &str| {
        set_and_reload(
            &url,
            &["probe-others", "--bands", bands],
            1,
            &format!("bands probed for other applicants' near-copies: {bands}"),
        );
    };
    assert_eq!(
        dedup_show(&url)[1],
        "bands probed for other applicants' near-copies: 0"
    );
    let original = register(&app, &reg, body(ORIGINAL, json!([person()]))).await;
    let by_another = |house: &str| json!([other_person("Ахметова", "Динара", house)]);
    let check = verdict_of(&app, &reg, ORIGINAL, by_another("3")).await;
    assert_eq!(check["verdict"], "new", "{check}");
    assert_eq!(check["candidates"], json!([]), "{check}");

    probe_others("4");
    let other = register(&app, &reg, body(ORIGINAL, by_another("5"))).await;
    let check = &other["duplicate_check"];
    assert_eq!(check["verdict"], "new", "{check}");
    assert!(other["duplicate_of"].is_null());
    let listed = &check["candidates"][0];
    assert_eq!(listed["appeal_id"], original["id"], "{check}");
    assert_eq!(listed["verdict"], "new");
    assert_eq!(listed["similarity"], 1.0);
    assert_eq!(listed["containment"], 1.0);
    // Another person's appeal is `new` whatever its text: only the stored signatures are compared
    // (identical texts give exactly 1) and no novelty is shown; nothing is linked.
    assert_eq!(listed["scored_on"], "signature");
    assert_eq!(listed["novel_fragments"], json!([]));
    let links = app
        .get(&format!("/api/v1/appeals/{}/duplicates", other["id"]), &reg)
        .await;
    assert_eq!(links.body["items"], json!([]));

    probe_others("0");
    let third = json!([other_person("Искаков", "Бауыржан", "7")]);
    let check = verdict_of(&app, &reg, ORIGINAL, third).await;
    assert_eq!(check["verdict"], "new", "{check}");
    assert_eq!(check["candidates"], json!([]), "{check}");
    let check = verdict_of(&app, &reg, REWORDED_TO_PROSECUTOR, json!([person()])).await;
    assert_eq!(check["verdict"], "duplicate", "{check}");
    assert_eq!(check["duplicate_of"], original["id"], "{check}");
    let anonymous = format!("{ORIGINAL}\n\n{NEW_ARGUMENT}");
    let check = verdict_of(&app, &reg, &anonymous, json!([])).await;
    assert_eq!(check["verdict"], "related", "{check}");
    let found: Vec<&Value> = check["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["appeal_id"])
        .collect();
    assert!(found.contains(&&original["id"]), "{check}");
}

/// `dedup_substance_signals` ([INF], default on): switched off with the CLI, the same repeat with a
/// cited norm is judged by word overlap alone (a duplicate); switched on again, it is related.
async fn substance_signals_are_a_stored_setting_switched_by_the_cli(backend: TestBackend) {
    let db = appeals_tests::TestDb::new(backend);
    let url = db.url.clone();
    let app = TestApp::on(db);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    register(&app, &reg, body(ORIGINAL, json!([person()]))).await;
    let switch = |state: &str| {
        set_and_reload(
            &url,
            &["substance-signals", state],
            2,
            &format!("signals of new substance: {state}"),
        );
    };
    assert_eq!(dedup_show(&url)[2], "signals of new substance: on");
    let repeat = with_cited_norm();
    let check = verdict_of(&app, &reg, &repeat, json!([person()])).await;
    assert_eq!(check["verdict"], "related", "{check}");
    switch("off");
    let check = verdict_of(&app, &reg, &repeat, json!([person()])).await;
    assert_eq!(check["verdict"], "duplicate", "{check}");
    switch("on");
    let check = verdict_of(&app, &reg, &repeat, json!([person()])).await;
    assert_eq!(check["verdict"], "related", "{check}");
    let bad = dedup_cli(&url, &["substance-signals", "maybe"]);
    assert!(!bad.status.success());
}
