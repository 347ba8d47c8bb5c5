#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! A page of the appeal list costs a constant number of SQL statements whatever its size (issue
//! 25, point 1): the related rows of a page are loaded in one statement each, never one per card.
//! Counted with diesel's instrumentation on both backends.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use appeals_api::auth::Role;
use appeals_db::DbConn;
use appeals_domain::access::Action;
use appeals_service::cards::read::{self, ListAppeals};
use appeals_service::{Actor, Ctx, access};
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests};
use diesel::Connection;
use diesel::connection::InstrumentationEvent;
use serde_json::json;

backend_tests!(
    a_list_page_costs_the_same_statements_for_3_and_for_12_cards,
    a_reception_list_page_costs_the_same_statements_for_2_and_for_8_cards,
    a_summary_page_is_one_statement_and_shows_what_a_list_screen_needs,
);

async fn register(app: &TestApp, registrar: &TestUser, n: usize) {
    let res = app
        .post(
            "/api/v1/appeals",
            registrar,
            json!({
                "document_type": "application",
                "applicants": [
                    {"category": "individual", "surname": format!("Первый{n}"), "first_name": "Ерлан"},
                    {"category": "individual", "surname": format!("Второй{n}"), "first_name": "Асель"}
                ],
                "text": format!("Обращение {n}: прошу рассмотреть вопрос номер {} по существу.", n * 7919),
                "receipt_form": "electronic",
                "language": "state",
                "received_at": "2026-03-10T04:00:00Z"
            }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
}

/// A connection that counts the statements it starts, and the context of `user` for `action`.
fn counted(app: &TestApp, user: &TestUser, action: Action) -> (DbConn, Arc<AtomicUsize>, Ctx) {
    let mut conn = app.db.connect();
    let counted = Arc::new(AtomicUsize::new(0));
    let counter = counted.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    let actor = Actor {
        user_id: user.id,
        subject_id: user.subject_id,
        roles: user.roles.clone(),
    };
    let ctx = Ctx {
        grant: access::admit(actor, action).unwrap(),
        rules: app.state.rules(),
        now: chrono::Utc::now(),
    };
    (conn, counted, ctx)
}

/// Statements run by one list request of `limit` cards, and the cards it returned.
fn statements_of_a_page(app: &TestApp, user: &TestUser, limit: i64) -> (usize, usize) {
    let (mut conn, counted, ctx) = counted(app, user, Action::ReadAppeals);
    let views = read::list(
        &mut conn,
        &ctx,
        ListAppeals {
            limit,
            ..ListAppeals::default()
        },
    )
    .unwrap();
    assert!(
        views
            .iter()
            .all(|v| v.applicants.len() == 2 && v.subject.id == user.subject_id)
    );
    (counted.load(Ordering::Relaxed), views.len())
}

async fn a_list_page_costs_the_same_statements_for_3_and_for_12_cards(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let home = app.subject("HOME", false);
    app.subject_under("CHILD", home);
    let registrar = app.user("reg", "HOME", &[Role::Registrar]);
    let head = app.user("head", "HOME", &[Role::Head]);
    for n in 0..12 {
        register(&app, &registrar, n).await;
    }
    for user in [&registrar, &head] {
        let (small, three) = statements_of_a_page(&app, user, 3);
        let (large, twelve) = statements_of_a_page(&app, user, 12);
        assert_eq!((three, twelve), (3, 12));
        assert_eq!(small, large, "statements grow with the page size");
        // The reach (a head's subtree: one query per level), the page, its subjects, its З-1s.
        assert!((3..=6).contains(&large), "{large} statements for a page");
    }
}

fn reception_statements(app: &TestApp, user: &TestUser, limit: i64) -> (usize, usize) {
    let (mut conn, counted, ctx) = counted(app, user, Action::ReadReceptions);
    let views = appeals_service::receptions::list(
        &mut conn,
        &ctx,
        appeals_service::receptions::ListReceptions {
            limit,
            ..Default::default()
        },
    )
    .unwrap();
    (counted.load(Ordering::Relaxed), views.len())
}

async fn a_reception_list_page_costs_the_same_statements_for_2_and_for_8_cards(
    backend: TestBackend,
) {
    let app = TestApp::new(backend).await;
    app.subject("HOME", false);
    let secretary = app.user("sec", "HOME", &[Role::ReceptionSecretary]);
    for n in 0..8 {
        let res = app
            .post(
                "/api/v1/receptions",
                &secretary,
                json!({"person": {"surname": format!("Гражданин{n}"), "first_name": "Ерлан"},
                       "kind": "offline"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
    }
    let (small, two) = reception_statements(&app, &secretary, 2);
    let (large, eight) = reception_statements(&app, &secretary, 8);
    assert_eq!((two, eight), (2, 8));
    assert_eq!(small, large, "statements grow with the page size");
    assert!((2..=4).contains(&large), "{large} statements for a page");
}

/// The summary view (`GET /api/v1/appeals/summaries`): the page itself is one statement (besides
/// the caller's reach), for 3 cards as for 12; over HTTP it carries the list fields, pages by the
/// same cursor and stays in the caller's scope.
async fn a_summary_page_is_one_statement_and_shows_what_a_list_screen_needs(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let home = app.subject("HOME", false);
    app.subject_under("CHILD", home);
    app.subject("OTHER", false);
    let registrar = app.user("reg", "HOME", &[Role::Registrar]);
    let head = app.user("head", "HOME", &[Role::Head]);
    let stranger = app.user("other", "OTHER", &[Role::Registrar]);
    for n in 0..12 {
        register(&app, &registrar, n).await;
    }
    for user in [&registrar, &head] {
        let page = |limit: i64| {
            let (mut conn, counted, ctx) = counted(&app, user, Action::ReadAppeals);
            let cards = read::list_summaries(
                &mut conn,
                &ctx,
                ListAppeals {
                    limit,
                    ..ListAppeals::default()
                },
            )
            .unwrap();
            (counted.load(Ordering::Relaxed), cards.len())
        };
        let ((small, three), (large, twelve)) = (page(3), page(12));
        assert_eq!((three, twelve), (3, 12));
        assert_eq!(small, large, "statements grow with the page size");
        // The reach (a head's subtree: one query per level) and the page.
        assert!((1..=4).contains(&large), "{large} statements for a page");
    }

    let first = app
        .get("/api/v1/appeals/summaries?limit=5", &registrar)
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let items = first.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    let card = &items[0];
    assert_eq!(card["registration_number"], "ЖТ-2026-00000012");
    assert_eq!(card["status"], "registered");
    assert_eq!(card["applicant_count"], 2);
    assert_eq!(card["markings"], json!(["collective"]));
    assert!(card.get("text").is_none(), "no text in the summary view");
    let full = app
        .get(&format!("/api/v1/appeals/{}", card["id"]), &registrar)
        .await;
    for field in ["review_due", "forward_due"] {
        assert_eq!(card[field], full.body["deadlines"][field]);
    }
    assert_eq!(card["version"], full.body["version"]);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let next = app
        .get(
            &format!("/api/v1/appeals/summaries?limit=5&cursor={cursor}"),
            &registrar,
        )
        .await;
    assert_eq!(
        next.body["items"][0]["registration_number"],
        "ЖТ-2026-00000007"
    );
    // Filters are the list's; another subject sees none of these cards.
    let none = app
        .get("/api/v1/appeals/summaries?status=decided", &registrar)
        .await;
    assert_eq!(none.body["items"], json!([]));
    let theirs = app.get("/api/v1/appeals/summaries", &stranger).await;
    assert_eq!(theirs.body["items"], json!([]));
}
