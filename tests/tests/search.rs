#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! Full-text search of appeals over HTTP (issue 25, point 3), on both backends: Russian and
//! Kazakh words in any inflection, applicants' names and IIN/BIN (through the keyed hash), the
//! guard's scope, the index following card changes, the snippet.

use actix_web::test::TestRequest;
use appeals_api::auth::Role;
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests, bearer};
use serde_json::{Value, json};

backend_tests!(
    words_in_russian_and_kazakh_find_their_cards_ranked_with_a_snippet,
    another_subjects_card_never_appears_while_the_authorized_body_sees_all,
    a_subtrees_search_finds_the_matches_of_each_of_its_subjects_and_no_other,
    an_applicant_is_found_by_name_and_by_iin_through_its_keyed_hash,
    the_index_follows_a_change_of_the_applicants,
    bad_queries_are_422_naming_the_parameter,
    the_newest_cards_are_searched_first_with_the_same_result,
);

const ROOF: &str = "Крыша нашего пятиэтажного дома протекает уже третий год, после каждого \
    дождя вода заливает квартиры верхнего этажа. Прошу обязать управляющую компанию провести ремонт кровли.";
const ROAD_KK: &str = "Ауылымыздағы орталық көшенің жолы әбден бұзылған, күзде балалар \
    мектепке батпақпен барады. Жолды жөндеуді сұраймын.";
const SCHOOL: &str = "В школе №12 не работает отопление, дети сидят на уроках в куртках. \
    Прошу проверить котельную школы.";

fn person(surname: &str, first_name: &str, iin: Option<&str>) -> Value {
    let mut p = json!({"category": "individual", "surname": surname, "first_name": first_name,
        "address": {"region": "г. Алматы", "street": "ул. Абая", "house": "10"}});
    if let Some(iin) = iin {
        p["iin_bin"] = json!(iin);
    }
    p
}

async fn register(app: &TestApp, user: &TestUser, text: &str, applicant: Value) -> i64 {
    let res = app
        .post(
            "/api/v1/appeals",
            user,
            json!({
                "document_type": "application",
                "tags": ["жкх"],
                "applicants": [applicant],
                "text": text,
                "receipt_form": "electronic",
                "language": "state",
                "received_at": "2026-03-05T04:15:00Z"
            }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

async fn search(app: &TestApp, user: &TestUser, q: &str) -> Value {
    let uri = format!("/api/v1/appeals/search?q={}", urlencode(q));
    let res = app.get(&uri, user).await;
    assert_eq!(res.status, 200, "{q}: {}", res.body);
    res.body
}

fn urlencode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["appeal"]["id"].as_i64().unwrap())
        .collect()
}

async fn words_in_russian_and_kazakh_find_their_cards_ranked_with_a_snippet(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let roof = register(&app, &reg, ROOF, person("Сейтов", "Ерлан", None)).await;
    let road = register(&app, &reg, ROAD_KK, person("Омаров", "Асқар", None)).await;
    let school = register(&app, &reg, SCHOOL, person("Ким", "Олег", None)).await;

    // Other inflections than in the text, every word required.
    assert_eq!(
        ids(&search(&app, &reg, "протекающая крыша").await),
        vec![roof]
    );
    assert_eq!(
        ids(&search(&app, &reg, "ремонт кровли квартир").await),
        vec![roof]
    );
    assert!(ids(&search(&app, &reg, "крыша школа").await).is_empty());
    // Kazakh: «жолға», «мектептің» are not in the text, «жолы», «мектепке» are.
    assert_eq!(ids(&search(&app, &reg, "жолға").await), vec![road]);
    assert_eq!(ids(&search(&app, &reg, "мектептің жолы").await), vec![road]);
    // Both cards mention a school: the one that says it twice ranks first.
    assert_eq!(ids(&search(&app, &reg, "школа").await), vec![school]);
    // Tags are searched too; all three carry «жкх».
    assert_eq!(ids(&search(&app, &reg, "жкх").await).len(), 3);

    let page = search(&app, &reg, "кровля").await;
    let hit = &page["items"][0];
    let snippet = hit["snippet"]["text"].as_str().unwrap();
    let marked: Vec<&str> = hit["snippet"]["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &snippet[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize])
        .collect();
    assert_eq!(marked, vec!["кровли"], "{hit}");
    assert!(
        hit["appeal"]["registration_number"]
            .as_str()
            .unwrap()
            .starts_with("ЖТ-")
    );

    // Pages of the ranking.
    let first = app
        .get(
            &format!("/api/v1/appeals/search?q={}&limit=2", urlencode("жкх")),
            &reg,
        )
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(ids(&first.body).len(), 2);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let rest = app
        .get(
            &format!(
                "/api/v1/appeals/search?q={}&limit=2&cursor={cursor}",
                urlencode("жкх")
            ),
            &reg,
        )
        .await;
    assert_eq!(ids(&rest.body).len(), 1);
    assert!(rest.body["next_cursor"].is_null());
    let mut all = ids(&first.body);
    all.extend(ids(&rest.body));
    all.sort_unstable();
    assert_eq!(all, {
        let mut v = vec![roof, road, school];
        v.sort_unstable();
        v
    });
}

async fn another_subjects_card_never_appears_while_the_authorized_body_sees_all(
    backend: TestBackend,
) {
    let app = TestApp::new(backend).await;
    let own = app.user("reg1", "S1", &[Role::Registrar]);
    app.subject("S2", false);
    let other = app.user("reg2", "S2", &[Role::Registrar]);
    app.subject("KPSISU", true);
    let analyst = app.user("analyst", "KPSISU", &[Role::Analyst]);
    let mine = register(
        &app,
        &own,
        ROOF,
        person("Сейтов", "Ерлан", Some("921029350851")),
    )
    .await;
    let theirs = register(
        &app,
        &other,
        ROOF,
        person("Сейтов", "Ерлан", Some("921029350851")),
    )
    .await;

    assert_eq!(ids(&search(&app, &own, "крыша").await), vec![mine]);
    assert_eq!(ids(&search(&app, &other, "крыша").await), vec![theirs]);
    assert_eq!(ids(&search(&app, &own, "921029350851").await), vec![mine]);
    assert_eq!(ids(&search(&app, &own, "Сейтов").await), vec![mine]);
    let mut national = ids(&search(&app, &analyst, "крыша").await);
    national.sort_unstable();
    assert_eq!(national, vec![mine, theirs]);
}

/// A head's search covers its subtree: on PostgreSQL each subject's own matches are read by its
/// window keys in the search index (`repo::search::window_keys`), on SQLite the matches are
/// filtered by subject.
async fn a_subtrees_search_finds_the_matches_of_each_of_its_subjects_and_no_other(
    backend: TestBackend,
) {
    let app = TestApp::new(backend).await;
    let region = app.subject("REGION", false);
    app.subject_under("D1", region);
    app.subject_under("D2", region);
    app.subject("OTHER", false);
    let head = app.user("head", "REGION", &[Role::Head]);
    let mut in_subtree = Vec::new();
    for code in ["D1", "OTHER", "D2", "REGION"] {
        let reg = app.user(&format!("reg-{code}"), code, &[Role::Registrar]);
        let id = register(&app, &reg, ROOF, person("Сейтов", "Ерлан", None)).await;
        if code != "OTHER" {
            in_subtree.push(id);
        }
        register(&app, &reg, SCHOOL, person("Сейтов", "Ерлан", None)).await;
    }
    // The same text ranks alike: newest first.
    in_subtree.reverse();
    assert_eq!(ids(&search(&app, &head, "крыша").await), in_subtree);
    let d1 = app.user("reg2-D1", "D1", &[Role::Registrar]);
    assert_eq!(
        ids(&search(&app, &d1, "протекает кровля").await),
        vec![in_subtree[2]]
    );
}

async fn an_applicant_is_found_by_name_and_by_iin_through_its_keyed_hash(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let with_iin = register(
        &app,
        &reg,
        SCHOOL,
        person("Жумабаева", "Айгерим", Some("870315400811")),
    )
    .await;
    let other = register(
        &app,
        &reg,
        ROOF,
        person("Сейтов", "Ерлан", Some("921029350851")),
    )
    .await;
    // The name in another case than stored.
    assert_eq!(ids(&search(&app, &reg, "Жумабаевой").await), vec![with_iin]);
    assert_eq!(
        ids(&search(&app, &reg, "870315400811").await),
        vec![with_iin]
    );
    assert_eq!(
        ids(&search(&app, &reg, "870315 400811").await),
        vec![with_iin]
    );
    assert_eq!(ids(&search(&app, &reg, "921029350851").await), vec![other]);
    assert!(ids(&search(&app, &reg, "111111111111").await).is_empty());
    // No readable IIN in the index: only the keyed hash is stored.
    let stored: Vec<String> = {
        use appeals_db::schema::appeal_search_keys::dsl::*;
        use diesel::prelude::*;
        appeal_search_keys
            .select(key_hash)
            .load(&mut *app.conn())
            .unwrap()
    };
    assert_eq!(stored.len(), 2);
    assert!(
        stored
            .iter()
            .all(|h| h.len() == 64 && !h.contains("870315") && !h.contains("921029"))
    );
}

async fn the_index_follows_a_change_of_the_applicants(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let id = register(
        &app,
        &reg,
        ROOF,
        person("Нурланов", "Асхат", Some("900101300811")),
    )
    .await;
    assert_eq!(ids(&search(&app, &reg, "Нурланов").await), vec![id]);
    let replaced = app
        .send(
            TestRequest::put()
                .uri(&format!("/api/v1/appeals/{id}/applicants"))
                .insert_header(bearer(&reg))
                .insert_header(("If-Match", "\"1\""))
                .set_json(json!({"applicants": [person("Сейтов", "Ерлан", Some("921029350851"))]})),
        )
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert!(ids(&search(&app, &reg, "Нурланов").await).is_empty());
    assert!(ids(&search(&app, &reg, "900101300811").await).is_empty());
    assert_eq!(ids(&search(&app, &reg, "Сейтов").await), vec![id]);
    assert_eq!(ids(&search(&app, &reg, "921029350851").await), vec![id]);
    // The text is still found.
    assert_eq!(ids(&search(&app, &reg, "кровли").await), vec![id]);
}

async fn bad_queries_are_422_naming_the_parameter(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    for (uri, pointer) in [
        ("/api/v1/appeals/search?q=%20", "/q"),
        ("/api/v1/appeals/search?q=%D0%B8%20%D0%B2", "/q"),
        ("/api/v1/appeals/search?q=a&limit=0", "#/query/limit"),
        ("/api/v1/appeals/search?q=a&cursor=-1", "#/query/cursor"),
    ] {
        let res = app.get(uri, &reg).await;
        assert_eq!(res.status, 422, "{uri}: {}", res.body);
        let body = res.body.to_string();
        assert!(body.contains(pointer), "{uri}: {body}");
    }
    let unauthenticated = app
        .send(TestRequest::get().uri("/api/v1/appeals/search?q=%D0%BA"))
        .await;
    assert_eq!(unauthenticated.status, 401);
}

/// A search looks among the newest cards first and widens while they hold fewer matches than it
/// ranks (`repo::search::WINDOWS`, `wider_floor`; docs/performance.md, "Search bounded by
/// recency"): with small bounds the windows give exactly what the unbounded ranking gives — a common word from the first window, a
/// word only older cards hold after widening.
async fn the_newest_cards_are_searched_first_with_the_same_result(backend: TestBackend) {
    use appeals_db::repo::search::{Ranking, matching_ranked};
    use appeals_domain::search::Query;
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let surnames = [
        "Ахметов",
        "Серикбаев",
        "Нурланов",
        "Жумабеков",
        "Касымов",
        "Оспанов",
        "Есенов",
        "Бекмуратов",
        "Сулейменов",
        "Кузнецов",
        "Петров",
        "Иванов",
    ];
    let mut ids = Vec::new();
    for (k, surname) in surnames.iter().enumerate() {
        // The three oldest cards are about the school, the nine newest about the roof.
        let text = if k < 3 { SCHOOL } else { ROOF };
        ids.push(register(&app, &reg, text, person(surname, "Ерлан", None)).await);
    }
    let groups = |q: &str| match Query::parse(q).unwrap() {
        Query::Words(groups) => groups,
        Query::IinBin(_) => panic!("{q} is words"),
    };
    let mut conn = app.conn();
    let s1 = reg.subject_id;
    let mut in_scope = |q: &str, scope: Option<&[i64]>, ranked: i64, windows: &[i64]| {
        let bucket = 1;
        let ranking = Ranking {
            ranked,
            windows,
            bucket,
        };
        matching_ranked(&mut conn, &groups(q), scope, 0, 20, ranking).unwrap()
    };
    // The subject's own matches (its key in the index on PostgreSQL) are windowed alike.
    assert_eq!(
        in_scope("крыша", Some(&[s1]), 3, &[4]),
        in_scope("крыша", None, 3, &[4])
    );
    assert_eq!(
        in_scope("котельную", Some(&[s1]), 10, &[4, 8]),
        in_scope("котельную", None, 10, &[])
    );
    let mut found = |q: &str, ranked: i64, windows: &[i64]| in_scope(q, None, ranked, windows);
    // Ranked by relevance (the names differ), so compared as sets where the order is the rank's.
    let sorted = |mut v: Vec<i64>| {
        v.sort_unstable();
        v
    };
    let mut newest_roofs: Vec<i64> = ids.iter().rev().take(3).copied().collect();
    newest_roofs.sort_unstable();
    // The first window (the 4 newest) holds 4 roofs ≥ 3 ranked: the search stops there.
    assert_eq!(sorted(found("крыша", 3, &[4])), newest_roofs);
    assert_eq!(found("крыша", 3, &[4]), found("крыша", 3, &[]));
    // 2 roofs in the 2 newest < 5 ranked: widened by what it held (`wider_floor`: the 6 newest,
    // 6 roofs), the same answer.
    assert_eq!(found("крыша", 5, &[2]), found("крыша", 5, &[]));
    // 3 roofs in the window < 5 ranked: widened to all, the 5 newest roofs.
    assert_eq!(found("крыша", 5, &[3]), found("крыша", 5, &[]));
    assert_eq!(found("крыша", 5, &[3]).len(), 5);
    // Only the oldest cards hold the school: nothing in either window, found after widening.
    let schools: Vec<i64> = ids.iter().take(3).copied().collect();
    assert_eq!(sorted(found("котельную", 10, &[4, 8])), schools);
    assert_eq!(found("котельную", 10, &[4, 8]), found("котельную", 10, &[]));
    if matches!(backend, TestBackend::Postgres) {
        // The index's window keys (SQL) are the ones the search asks for (Rust), at ids far beyond
        // a test's: every level and owner.
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Keys {
            #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::BigInt>)]
            keys: Vec<i64>,
        }
        let appeals_db::DbConn::Pg(pg) = &mut *app.conn() else {
            panic!("a PostgreSQL test runs on PostgreSQL")
        };
        for (subject, id) in [
            (1, 1),
            (7, 9_999),
            (7, 10_000),
            (123, 12_345_678),
            (4, 999_999_999),
        ] {
            let sql = format!("SELECT appeal_search_windows({subject}, {id}) AS keys");
            let stored: Keys = diesel::sql_query(sql).get_result(pg).unwrap();
            let asked = appeals_db::repo::search::row_window_keys(subject, id);
            assert_eq!(stored.keys, asked, "subject {subject}, id {id}");
        }
    }
}
