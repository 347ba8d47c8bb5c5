#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! Work lists (issue 25, point 2) on both backends: what each list holds for the current user,
//! their subject and their subtree; another subject's cards never appear; counts; keyset pages;
//! "today" and "within N working days" on the calendar.

use actix_web::test::TestRequest;
use appeals_api::auth::Role;
use appeals_domain::access::Action;
use appeals_domain::calendar::Calendar;
use appeals_domain::deadline::{self, DeadlineSettings, Term};
use appeals_domain::worklist::WorkList;
use appeals_service::worklists::{self, WorkListPage, WorkScope};
use appeals_service::{Actor, Ctx, access};
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests, bearer};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

backend_tests!(
    each_list_holds_what_its_question_asks_within_the_scope,
    pages_follow_the_control_date_and_bad_requests_are_named,
    due_today_and_due_soon_follow_the_calendar,
    a_subtree_page_merges_its_subjects_pages_in_order,
    a_date_range_comes_in_registration_date_order,
    a_national_overdue_page_merges_its_control_months_and_days_in_order,
);

fn body(received_at: &str, document_type: &str) -> Value {
    json!({
        "document_type": document_type,
        "tags": ["отопление"],
        "applicants": [{"category": "individual", "iin_bin": "921029350851",
            "surname": "Ахметов", "first_name": "Ерлан"}],
        "text": "Прошу восстановить отопление в доме по адресу пр. Абая, 10.",
        "receipt_form": "electronic",
        "language": "state",
        "received_at": received_at
    })
}

async fn register(app: &TestApp, user: &TestUser, received_at: &str, document_type: &str) -> Value {
    let mut b = body(received_at, document_type);
    if document_type == "message" {
        b["non_accountable_category"] = json!("advertising_proposals");
    }
    let res = app.post("/api/v1/appeals", user, b).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

async fn list(app: &TestApp, user: &TestUser, name: &str, scope: &str) -> Vec<i64> {
    let res = app
        .get(&format!("/api/v1/worklists/{name}?scope={scope}"), user)
        .await;
    assert_eq!(res.status, 200, "{name}: {}", res.body);
    // The summary view holds the same cards in the same order.
    let summaries = app
        .get(
            &format!("/api/v1/worklists/{name}/summaries?scope={scope}"),
            user,
        )
        .await;
    assert_eq!(summaries.status, 200, "{name}: {}", summaries.body);
    assert_eq!(ids(&summaries.body), ids(&res.body), "{name} summaries");
    ids(&res.body)
}

fn count(counts: &Value, name: &str) -> i64 {
    counts["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {counts}"))["count"]
        .as_i64()
        .unwrap()
}

async fn each_list_holds_what_its_question_asks_within_the_scope(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let root = app.subject("ROOT", false);
    app.subject_under("HOME", root);
    app.subject("OTHER", false);
    let root_reg = app.user("root-reg", "ROOT", &[Role::Registrar]);
    let head = app.user("root-head", "ROOT", &[Role::Head]);
    let reg = app.user("home-reg", "HOME", &[Role::Registrar]);
    let exec = app.user("home-exec", "HOME", &[Role::Executor]);
    let stranger = app.user("other-reg", "OTHER", &[Role::Registrar]);

    // Received in March 2026: past their control dates (late March / April) by now.
    let overdue_registered = register(&app, &reg, "2026-03-05T04:15:00Z", "application").await;
    let overdue_assigned = register(&app, &reg, "2026-03-06T04:15:00Z", "application").await;
    let assigned_id = overdue_assigned["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/appeals/{assigned_id}/assignment"),
            &reg,
            json!({"executor_user_id": exec.id}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let p15 = register(&app, &reg, "2026-03-05T04:15:00Z", "message").await;
    // Received today (local, UTC+5) at 00:01: never in the future, whatever the hour of the run.
    let now = (Utc::now() + Duration::hours(5))
        .format("%Y-%m-%dT00:01:00+05:00")
        .to_string();
    let fresh = register(&app, &reg, &now, "application").await;
    let elsewhere = register(&app, &stranger, "2026-03-05T04:15:00Z", "application").await;
    let at_root = register(&app, &root_reg, "2026-03-05T04:15:00Z", "application").await;
    let id = |v: &Value| v["id"].as_i64().unwrap();

    let sorted = |mut v: Vec<i64>| {
        v.sort_unstable();
        v
    };
    assert_eq!(
        sorted(list(&app, &reg, "overdue", "subject").await),
        sorted(vec![id(&overdue_registered), assigned_id])
    );
    assert_eq!(
        list(&app, &exec, "overdue", "mine").await,
        vec![assigned_id]
    );
    assert!(list(&app, &reg, "overdue", "mine").await.is_empty());
    assert_eq!(
        sorted(list(&app, &reg, "awaiting_assignment", "subject").await),
        sorted(vec![id(&overdue_registered), id(&fresh)])
    );
    assert_eq!(
        sorted(list(&app, &reg, "deemed_refusal", "subject").await),
        sorted(vec![id(&overdue_registered), assigned_id])
    );
    assert_eq!(
        list(&app, &reg, "transfers_due", "subject").await,
        vec![id(&p15)]
    );
    // The head of the subtree: its own card and those below it, never another tree's.
    assert_eq!(
        sorted(list(&app, &head, "overdue", "subtree").await),
        sorted(vec![id(&overdue_registered), assigned_id, id(&at_root)])
    );
    assert_eq!(
        list(&app, &head, "overdue", "subject").await,
        vec![id(&at_root)]
    );
    // A registrar's reach is their own subject: `subtree` gives no more.
    assert_eq!(
        list(&app, &root_reg, "overdue", "subtree").await,
        vec![id(&at_root)]
    );
    for name in [
        "overdue",
        "awaiting_assignment",
        "deemed_refusal",
        "transfers_due",
    ] {
        for scope in ["mine", "subject", "subtree"] {
            let seen = list(&app, &reg, name, scope).await;
            assert!(!seen.contains(&id(&elsewhere)), "{name} {scope}");
            assert!(!seen.contains(&id(&at_root)), "{name} {scope}");
        }
    }

    let counts = app.get("/api/v1/worklists", &reg).await;
    assert_eq!(counts.status, 200, "{}", counts.body);
    assert_eq!(counts.body["scope"], "subject");
    assert_eq!(count(&counts.body, "overdue"), 2);
    assert_eq!(count(&counts.body, "awaiting_assignment"), 2);
    assert_eq!(count(&counts.body, "deemed_refusal"), 2);
    assert_eq!(count(&counts.body, "transfers_due"), 1);
    assert_eq!(count(&counts.body, "awaiting_signature"), 0);
    let mine = app.get("/api/v1/worklists?scope=mine", &exec).await;
    assert_eq!(count(&mine.body, "overdue"), 1);
    assert_eq!(count(&mine.body, "awaiting_assignment"), 0);
}

async fn pages_follow_the_control_date_and_bad_requests_are_named(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    // Later receipts, later control dates; registered out of order.
    let mut expected = Vec::new();
    for day in ["2026-03-12", "2026-03-05", "2026-03-19", "2026-03-05"] {
        let card = register(&app, &reg, &format!("{day}T04:15:00Z"), "application").await;
        expected.push((
            card["deadlines"]["review_due"].as_str().unwrap().to_owned(),
            card["id"].as_i64().unwrap(),
        ));
    }
    expected.sort();
    let expected: Vec<i64> = expected.into_iter().map(|(_, id)| id).collect();
    for base in [
        "/api/v1/worklists/overdue",
        "/api/v1/worklists/overdue/summaries",
    ] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let uri = match &cursor {
                None => format!("{base}?limit=3"),
                Some(c) => format!("{base}?limit=3&cursor={c}"),
            };
            let page = app.get(&uri, &reg).await;
            assert_eq!(page.status, 200, "{}", page.body);
            seen.extend(ids(&page.body));
            match page.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen, expected, "{base}");
    }

    app.get("/api/v1/worklists/everything", &reg)
        .await
        .assert_problem(404, "not-found");
    for (uri, pointer) in [
        ("/api/v1/worklists?scope=world", "#/query/scope"),
        ("/api/v1/worklists?within=0", "#/query/within"),
        ("/api/v1/worklists/due_soon?within=31", "#/query/within"),
        ("/api/v1/worklists/overdue?limit=0", "#/query/limit"),
        (
            "/api/v1/worklists/overdue?cursor=yesterday",
            "#/query/cursor",
        ),
    ] {
        let res = app.get(uri, &reg).await;
        assert_eq!(res.status, 422, "{uri}: {}", res.body);
        assert!(
            res.body.to_string().contains(pointer),
            "{uri}: {}",
            res.body
        );
    }
}

/// The registration received on a working day whose control date (15 working days) is `due`.
fn received_for(due: NaiveDate) -> String {
    let cal = Calendar::kazakhstan_default();
    let settings = DeadlineSettings::default();
    (0..60)
        .map(|k| due - Duration::days(k))
        .find(|d| {
            cal.is_working_day(*d).unwrap_or(false)
                && deadline::review_due(&cal, &settings, *d, Term::working(15))
                    .map(|x| x.date == due)
                    .unwrap_or(false)
        })
        .map(|d| format!("{d}T04:15:00Z"))
        .expect("a receipt date for the control date")
}

/// The page of `list` that `user` sees at the instant `now` (the service's clock).
fn at(
    app: &TestApp,
    user: &TestUser,
    now: chrono::DateTime<Utc>,
    list: WorkList,
    within: u32,
) -> Vec<i64> {
    let actor = Actor {
        user_id: user.id,
        subject_id: user.subject_id,
        roles: user.roles.clone(),
    };
    let ctx = Ctx {
        grant: access::admit(actor, Action::ReadAppeals).unwrap(),
        rules: std::sync::Arc::new(appeals_api::rules::Rules::defaults()),
        now,
    };
    let page = WorkListPage {
        list,
        scope: WorkScope::Subject,
        within,
        after: None,
        limit: 50,
    };
    worklists::page(&mut app.conn(), &ctx, page)
        .unwrap()
        .into_iter()
        .map(|v| v.row.id)
        .collect()
}

async fn due_today_and_due_soon_follow_the_calendar(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    // Tuesday 2026-03-10 (8 March 2026 is a Sunday, its day off moved to Monday the 9th): due
    // that day.
    let due = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    let card = register(&app, &reg, &received_for(due), "application").await;
    assert_eq!(card["deadlines"]["review_due"], "2026-03-10", "{card}");
    let id = card["id"].as_i64().unwrap();
    // 11:00 in Astana (UTC+5).
    let on = |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(6, 0, 0).unwrap());
    assert_eq!(at(&app, &reg, on(due), WorkList::DueToday, 3), vec![id]);
    assert!(at(&app, &reg, on(due), WorkList::Overdue, 3).is_empty());
    assert_eq!(
        at(
            &app,
            &reg,
            on(due + Duration::days(1)),
            WorkList::Overdue,
            3
        ),
        vec![id]
    );
    // Friday 6 March: Monday the 9th is off, so the 10th is the first working day after — within
    // 1 working day.
    let friday = NaiveDate::from_ymd_opt(2026, 3, 6).unwrap();
    assert_eq!(at(&app, &reg, on(friday), WorkList::DueSoon, 1), vec![id]);
    assert!(at(&app, &reg, on(friday), WorkList::DueToday, 1).is_empty());
    // Thursday 5 March: the 10th is the second working day after.
    let thursday = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
    assert!(at(&app, &reg, on(thursday), WorkList::DueSoon, 1).is_empty());
    assert_eq!(at(&app, &reg, on(thursday), WorkList::DueSoon, 2), vec![id]);
}

/// Every id of a paged list, following `next_cursor` from `first` (a URI ending in `limit=N`).
async fn all_pages(app: &TestApp, user: &TestUser, first: &str) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut uri = first.to_owned();
    loop {
        let page = app.get(&uri, user).await;
        assert_eq!(page.status, 200, "{uri}: {}", page.body);
        seen.extend(ids(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(c) => uri = format!("{first}&cursor={c}"),
            None => return seen,
        }
    }
}

/// Days of receipt out of order, so that the id order, the date order and the control-date order
/// of the cards received on them differ.
const DAYS_OUT_OF_ORDER: [&str; 10] = [
    "2026-03-12",
    "2026-03-05",
    "2026-03-19",
    "2026-03-05",
    "2026-04-02",
    "2026-03-10",
    "2026-03-26",
    "2026-03-04",
    "2026-03-06",
    "2026-03-19",
];

/// One application received on each day (at 09:15 local time), by the registrars in turn: each
/// card's value at `pointer` (a date) and its id.
async fn register_on_days(
    app: &TestApp,
    registrars: &[TestUser],
    days: &[&str],
    pointer: &str,
) -> Vec<(String, i64)> {
    let mut cards = Vec::new();
    for (k, day) in days.iter().enumerate() {
        let by = &registrars[k % registrars.len()];
        let card = register(app, by, &format!("{day}T04:15:00Z"), "application").await;
        let date = card.pointer(pointer).and_then(Value::as_str).unwrap();
        cards.push((date.to_owned(), card["id"].as_i64().unwrap()));
    }
    cards
}

/// A subtree's page is read as the union of each subject's page (docs/performance.md, "Lists at
/// 10,000,000 cards"): the pages of a head over three subjects hold every card of the subtree
/// once, in the list's order, and nothing of another tree.
async fn a_subtree_page_merges_its_subjects_pages_in_order(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let root = app.subject("ROOT", false);
    app.subject_under("WEST", root);
    app.subject_under("EAST", root);
    let other = app.subject("OTHER", false);
    let head = app.user("root-head", "ROOT", &[Role::Head]);
    let registrars = [
        app.user("root-reg", "ROOT", &[Role::Registrar]),
        app.user("west-reg", "WEST", &[Role::Registrar]),
        app.user("east-reg", "EAST", &[Role::Registrar]),
    ];
    let stranger = app.user("other-reg", "OTHER", &[Role::Registrar]);
    // Another tree's card: the equalities below leave no room for it.
    register(&app, &stranger, "2026-03-05T04:15:00Z", "application").await;
    // Interleaved over the three subjects, received on days out of order: the id order and the
    // control-date order differ.
    let cards = register_on_days(
        &app,
        &registrars,
        &DAYS_OUT_OF_ORDER,
        "/deadlines/review_due",
    )
    .await;
    let mut newest_first: Vec<i64> = cards.iter().map(|(_, id)| *id).collect();
    newest_first.sort_unstable_by(|a, b| b.cmp(a));
    let mut by_control_date = cards.clone();
    by_control_date.sort();
    let by_control_date: Vec<i64> = by_control_date.into_iter().map(|(_, id)| id).collect();

    let tagged = format!("/api/v1/appeals/summaries?tag={HEATING}&limit=3");
    for first in [
        "/api/v1/appeals?limit=3",
        "/api/v1/appeals/summaries?limit=2",
        "/api/v1/appeals/summaries?overdue=true&limit=3",
        // Every card carries this tag: each subject's tagged ids are its own range.
        tagged.as_str(),
        "/api/v1/appeals?status=registered&kind=application&limit=2",
    ] {
        assert_eq!(all_pages(&app, &head, first).await, newest_first, "{first}");
    }
    for first in [
        "/api/v1/worklists/overdue?scope=subtree&limit=3",
        "/api/v1/worklists/overdue/summaries?scope=subtree&limit=2",
        "/api/v1/worklists/awaiting_assignment/summaries?scope=subtree&limit=3",
    ] {
        assert_eq!(
            all_pages(&app, &head, first).await,
            by_control_date,
            "{first}"
        );
    }
    // A tag's ids name their holder: asking for another tree's subject finds nothing, while that
    // subject's own registrar finds its card.
    let tagged_at_other = format!("/api/v1/appeals?tag={HEATING}&subject_id={other}");
    for outsider in [&head, &registrars[1]] {
        let res = app.get(&tagged_at_other, outsider).await;
        assert!(
            res.status == 200 && res.body["items"] == json!([]) || res.status == 403,
            "{}: {}",
            res.status,
            res.body
        );
    }
    let theirs = app.get(&tagged_at_other, &stranger).await;
    assert_eq!(ids(&theirs.body).len(), 1, "{}", theirs.body);
}

/// `отопление`, the tag of every card registered here, as a query value.
const HEATING: &str = "%D0%BE%D1%82%D0%BE%D0%BF%D0%BB%D0%B5%D0%BD%D0%B8%D0%B5";

/// A range of registration dates comes by registration date, newest first, then by id
/// (docs/api.md; each subject's range is then one stretch of an index, docs/performance.md): for
/// the authorized body, a head over a subtree and a registrar of one subject, its pages — JSON,
/// summaries and a streamed CSV, each cut small — hold every card of the range they may read once,
/// in that order, and none outside it; a cursor of the id order is refused.
async fn a_date_range_comes_in_registration_date_order(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.national_admin("kp-admin");
    let analyst = app.user("kp-analyst", "KPSISU", &[Role::Analyst]);
    let root = app.subject("ROOT", false);
    app.subject_under("WEST", root);
    app.subject_under("EAST", root);
    app.subject("OTHER", false);
    let head = app.user("root-head", "ROOT", &[Role::Head]);
    let registrars = [
        app.user("root-reg", "ROOT", &[Role::Registrar]),
        app.user("west-reg", "WEST", &[Role::Registrar]),
        app.user("east-reg", "EAST", &[Role::Registrar]),
        app.user("other-reg", "OTHER", &[Role::Registrar]),
    ];
    // Interleaved over four subjects, received on days out of order: the id order and the date
    // order differ.
    let cards = register_on_days(&app, &registrars, &DAYS_OUT_OF_ORDER, "/registration_date").await;
    let in_date_order_within = |from: &str, to: &str, holders: &[usize]| {
        let mut keys: Vec<(String, i64)> = cards
            .iter()
            .enumerate()
            .filter(|(k, (day, _))| {
                holders.contains(&(k % registrars.len())) && (from..=to).contains(&day.as_str())
            })
            .map(|(_, key)| key.clone())
            .collect();
        keys.sort_unstable_by(|a, b| b.cmp(a));
        keys.into_iter().map(|(_, id)| id).collect::<Vec<i64>>()
    };
    let readers: [(&TestUser, &[usize]); 3] = [
        (&analyst, &[0, 1, 2, 3]),
        (&head, &[0, 1, 2]),
        (&registrars[1], &[1]),
    ];
    for (from, to) in [
        ("2026-03-05", "2026-03-19"),
        ("2026-03-05", "2026-03-05"),
        ("2026-03-04", "2026-04-02"),
        ("2026-01-01", "2026-12-31"),
    ] {
        for (reader, holders) in readers {
            let expected = in_date_order_within(from, to, holders);
            assert!(!expected.is_empty(), "{from}..{to}");
            for first in [
                format!("/api/v1/appeals?from={from}&to={to}&limit=2"),
                format!("/api/v1/appeals/summaries?from={from}&to={to}&kind=application&limit=3"),
            ] {
                assert_eq!(
                    all_pages(&app, reader, &first).await,
                    expected,
                    "user {} {first}",
                    reader.id
                );
            }
            let csv = app
                .send(
                    TestRequest::get()
                        .uri(&format!(
                            "/api/v1/appeals?from={from}&to={to}&all=true&limit=2"
                        ))
                        .insert_header(bearer(reader))
                        .insert_header(("Accept", "text/csv")),
                )
                .await;
            let text = String::from_utf8(csv.raw).unwrap();
            let streamed: Vec<i64> = text
                .lines()
                .skip(1)
                .map(|line| line.split(',').next().unwrap().parse().unwrap())
                .collect();
            assert_eq!(streamed, expected, "CSV user {} {from}..{to}", reader.id);
        }
    }
    // Its cursor names the date: the id order's cursor is not one of its cursors, nor the reverse.
    let page = app
        .get(
            "/api/v1/appeals?from=2026-03-01&to=2026-03-31&limit=1",
            &analyst,
        )
        .await;
    let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
    let first = &page.body["items"][0];
    let id_cursor = first["id"].to_string();
    let date = first["registration_date"].as_str().unwrap();
    assert_eq!(cursor, format!("{date}.{id_cursor}"));
    for uri in [
        format!("/api/v1/appeals?from=2026-03-01&to=2026-03-31&cursor={id_cursor}"),
        format!("/api/v1/appeals/summaries?cursor={cursor}"),
    ] {
        let res = app.get(&uri, &analyst).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.body["errors"][0]["pointer"], "#/query/cursor", "{uri}");
    }
}

/// The authorized body's `overdue` and `deemed_refusal` pages are read by control date, one part per
/// month and per day of the current month (docs/performance.md, "Lists at 10,000,000 cards"): every
/// page, in id order, holds what each subject's own list holds — cards received over more than
/// five years (more months than are merged one by one), out of order, accountable or not — and
/// nothing in term.
async fn a_national_overdue_page_merges_its_control_months_and_days_in_order(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.national_admin("kp-admin");
    let analyst = app.user("kp-analyst", "KPSISU", &[Role::Analyst]);
    let subjects = [app.subject("WEST", false), app.subject("EAST", false)];
    let registrars = [
        app.user("west-reg", "WEST", &[Role::Registrar]),
        app.user("east-reg", "EAST", &[Role::Registrar]),
    ];
    let now = chrono::Utc::now();
    let days_ago = [
        30, 2_400, 17, 120, 0, 45, 23, 400, 19, 60, 27, 21, 90, 35, 15, 25, 200, 5, 33, 28,
    ];
    let mut fresh = None;
    for (k, ago) in days_ago.iter().enumerate() {
        let at = (now - chrono::Duration::days(*ago)).to_rfc3339();
        let kind = if k % 7 == 3 { "message" } else { "application" };
        let card = register(&app, &registrars[k % 2], &at, kind).await;
        if *ago == 0 {
            fresh = card["id"].as_i64();
        }
    }
    // Each subject's own list (another path: its own index in id order) is the oracle.
    let oracle = async |query: &str| {
        let mut ids = Vec::new();
        for s in subjects {
            let own = format!("/api/v1/appeals/summaries?{query}&subject_id={s}&limit=200");
            ids.extend(all_pages(&app, &analyst, &own).await);
        }
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids
    };
    for filter in ["overdue=true", "deemed_refusal=true"] {
        let expected = oracle(filter).await;
        assert!(expected.len() >= 10, "{filter}: {expected:?}");
        assert!(!expected.contains(&fresh.unwrap()), "a card in term");
        for (query, limit) in [
            (filter.to_owned(), 3),
            (format!("{filter}&kind=application"), 5),
        ] {
            let want = oracle(&query).await;
            assert!(!want.is_empty());
            for list in ["/api/v1/appeals/summaries", "/api/v1/appeals"] {
                let first = format!("{list}?{query}&limit={limit}");
                assert_eq!(all_pages(&app, &analyst, &first).await, want, "{first}");
            }
        }
    }
    // Non-accountable messages are overdue but never deemed refused.
    let overdue = oracle("overdue=true").await;
    let deemed = oracle("deemed_refusal=true").await;
    assert!(deemed.len() < overdue.len(), "{overdue:?} {deemed:?}");
    assert!(deemed.iter().all(|id| overdue.contains(id)));
}
