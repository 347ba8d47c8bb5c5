#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! The working-day calendar over HTTP (R30–R33), on both backends: published years, the deadline
//! calculator, versioned overrides and the explicit, audited recalculation of stored deadlines.

use actix_web::test::TestRequest;
use appeals_api::auth::Role;
use appeals_db::repo;
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests, bearer};
use serde_json::{Value, json};

backend_tests!(
    year_2026_lists_days_off_with_kinds_and_sources,
    unknown_year_is_404,
    deadline_calculator_follows_the_calendar,
    bad_deadline_parameters_are_422_with_query_pointers,
    replaced_overrides_give_a_new_version_used_by_new_registrations,
    invalid_overrides_change_nothing,
    recalculation_moves_open_cards_and_dry_run_changes_nothing,
    future_years_are_provisional_until_an_administrator_confirms_them,
);

/// Issue 23: Kurban ait of 2028 (5 May, a Friday) is shipped as an estimate, marked provisional,
/// until the authorized body's administrator confirms the year by replacing its overrides; 2024's
/// Kurban ait on a Sunday was not moved (R31).
async fn future_years_are_provisional_until_an_administrator_confirms_them(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let registrar = app.user("reg", "S1", &[Role::Registrar]);
    let admin = app.national_admin("adm");
    let year = app.get("/api/v1/calendar/2028", &registrar).await;
    assert_eq!(year.status, 200, "{}", year.body);
    assert_eq!(year.body["provisional"], true);
    assert!(
        year.body["note"]
            .as_str()
            .unwrap()
            .starts_with("Provisional")
    );
    assert_eq!(day(&year.body, "2028-05-05").unwrap()["working"], false);
    let past = app.get("/api/v1/calendar/2024", &registrar).await;
    assert_eq!(past.body["provisional"], false);
    assert!(day(&past.body, "2024-06-17").is_none(), "{}", past.body);
    assert_eq!(day(&past.body, "2024-05-08").unwrap()["working"], false);
    assert_eq!(day(&past.body, "2024-05-04").unwrap()["working"], true);

    let res = put_overrides(&app, &admin, 2028, json!({"overrides": []})).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["provisional"], false);
    let year = app.get("/api/v1/calendar/2028", &registrar).await;
    assert_eq!(year.body["provisional"], false);
}

/// Received Thursday 2026-03-05 09:15 local: 15 working days end on 2026-03-31 (R27, R28, R30).
fn appeal_body() -> Value {
    json!({
        "document_type": "application",
        "tags": ["отопление"],
        "applicants": [{"category": "individual", "surname": "Ахметов", "first_name": "Ерлан"}],
        "text": "Прошу восстановить отопление.",
        "receipt_form": "electronic",
        "language": "state",
        "received_at": "2026-03-05T04:15:00Z"
    })
}

/// An extra day off on Tuesday 2026-03-10 (R32).
fn extra_day_off() -> Value {
    json!({"overrides": [{"date": "2026-03-10", "kind": "day_off", "source": "Постановление Правительства РК (тест)"}]})
}

async fn put_overrides(
    app: &TestApp,
    user: &TestUser,
    year: i32,
    body: Value,
) -> appeals_tests::TestResponse {
    app.send(
        TestRequest::put()
            .uri(&format!("/api/v1/calendar/{year}/overrides"))
            .insert_header(bearer(user))
            .set_json(body),
    )
    .await
}

fn day<'a>(year: &'a Value, date: &str) -> Option<&'a Value> {
    year["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == date)
}

async fn year_2026_lists_days_off_with_kinds_and_sources(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let user = app.user("exec", "S1", &[Role::Executor]);
    let res = app.get("/api/v1/calendar/2026", &user).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let year = &res.body;
    assert_eq!(year["year"], 2026);
    assert!(
        year["calendar_version"]
            .as_str()
            .unwrap()
            .starts_with("kz-r")
    );
    // Наурыз 21–23 March: 21 and 22 fall on the weekend and move to 24 and 25 (R30).
    let nauryz = day(year, "2026-03-23").unwrap();
    assert_eq!(nauryz["kind"], "holiday");
    assert_eq!(nauryz["working"], false);
    assert_eq!(nauryz["weekday"], "monday");
    for date in ["2026-03-24", "2026-03-25"] {
        let d = day(year, date).unwrap();
        assert_eq!(d["kind"], "transfer", "{date}");
        assert_eq!(d["working"], false);
        assert!(d["source"].as_str().unwrap().contains("О праздниках"));
    }
    // Kurban ait 2026-05-27 (Wednesday) is a religious day off (R31).
    assert_eq!(day(year, "2026-05-27").unwrap()["kind"], "religious");
    // Holidays on a weekend are listed apart; 2026-08-31 is a working day from 2026 (R33 example).
    let weekend: Vec<&str> = year["weekend_holidays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert!(weekend.contains(&"2026-03-21") && weekend.contains(&"2026-03-22"));
    assert!(day(year, "2026-08-31").is_none());
    assert_eq!(year["working_weekend_days"], 0);
    assert_eq!(
        year["non_working_weekdays"],
        year["days"].as_array().unwrap().len()
    );
    let total = year["working_days"].as_u64().unwrap() + year["days_off"].as_u64().unwrap();
    assert_eq!(total, 365);
    assert_eq!(year["overrides"], json!([]));
    assert_eq!(year["overrides_version"], Value::Null);

    // A year with a government swap: 2025-01-05 (Sunday) works, 2025-01-03 is off (R32).
    let res = app.get("/api/v1/calendar/2025", &user).await;
    assert_eq!(
        day(&res.body, "2025-01-05").unwrap()["kind"],
        "override_working"
    );
    assert_eq!(day(&res.body, "2025-01-05").unwrap()["working"], true);
    assert_eq!(
        day(&res.body, "2025-01-03").unwrap()["kind"],
        "override_day_off"
    );
    assert_eq!(res.body["working_weekend_days"], 1);
}

async fn unknown_year_is_404(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let user = app.user("exec", "S1", &[Role::Executor]);
    app.get("/api/v1/calendar/1999", &user)
        .await
        .assert_problem(404, "not-found");
    app.get("/api/v1/calendar/next", &user)
        .await
        .assert_problem(404, "not-found");
    let admin = app.national_admin("adm");
    put_overrides(&app, &admin, 2040, json!({"overrides": []}))
        .await
        .assert_problem(404, "not-found");
}

async fn deadline_calculator_follows_the_calendar(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let user = app.user("exec", "S1", &[Role::Executor]);
    let version = app.get("/api/v1/calendar/2026", &user).await.body["calendar_version"].clone();

    let res = app
        .get(
            "/api/v1/calendar/deadline?start=2026-03-05&days=15&unit=working",
            &user,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        res.body,
        json!({"due_date": "2026-03-31", "start": "2026-03-05", "days": 15, "unit": "working",
               "convention": "inclusive", "calendar_version": version})
    );

    let res = app
        .get(
            "/api/v1/calendar/deadline?start=2025-06-04&days=15&unit=calendar",
            &user,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["due_date"], "2025-06-18");
    assert_eq!(res.body["unit"], "calendar");
}

async fn bad_deadline_parameters_are_422_with_query_pointers(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let user = app.user("exec", "S1", &[Role::Executor]);
    let pointers = |res: &appeals_tests::TestResponse| -> Vec<String> {
        res.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["pointer"].as_str().unwrap().to_owned())
            .collect()
    };
    let res = app.get("/api/v1/calendar/deadline", &user).await;
    res.assert_problem(422, "validation");
    assert_eq!(
        pointers(&res),
        ["#/query/start", "#/query/days", "#/query/unit"]
    );

    let res = app
        .get(
            "/api/v1/calendar/deadline?start=05.03.2026&days=0&unit=weeks",
            &user,
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(
        pointers(&res),
        ["#/query/start", "#/query/days", "#/query/unit"]
    );

    let res = app
        .get(
            "/api/v1/calendar/deadline?start=2040-01-01&days=5&unit=working",
            &user,
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(pointers(&res), ["#/query/start"]);

    let res = app
        .get(
            "/api/v1/calendar/deadline?start=2030-12-20&days=30&unit=working",
            &user,
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(pointers(&res), ["#/query/days"]);
}

async fn replaced_overrides_give_a_new_version_used_by_new_registrations(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let registrar = app.user("reg", "S1", &[Role::Registrar]);
    let admin = app.national_admin("adm");

    let first = app.post("/api/v1/appeals", &registrar, appeal_body()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body["deadlines"]["review_due"], "2026-03-31");
    let old_version = first.body["deadlines"]["calendar_version"].clone();

    put_overrides(&app, &registrar, 2026, extra_day_off())
        .await
        .assert_problem(403, "forbidden");

    let res = put_overrides(&app, &admin, 2026, extra_day_off()).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let new_version = res.body["calendar_version"].clone();
    assert_ne!(new_version, old_version);
    assert_eq!(res.body["overrides_version"], 1);
    let d = day(&res.body, "2026-03-10").unwrap();
    assert_eq!(d["kind"], "override_day_off");
    assert_eq!(d["source"], "Постановление Правительства РК (тест)");

    let res = app.get("/api/v1/calendar/2026", &registrar).await;
    assert_eq!(res.body["calendar_version"], new_version);
    assert_eq!(res.body["overrides"], extra_day_off()["overrides"]);
    let res = app
        .get(
            "/api/v1/calendar/deadline?start=2026-03-05&days=15&unit=working",
            &registrar,
        )
        .await;
    assert_eq!(res.body["due_date"], "2026-04-01");
    assert_eq!(res.body["calendar_version"], new_version);

    // A new registration uses the new calendar; the stored card keeps its deadline (R33).
    let second = app.post("/api/v1/appeals", &registrar, appeal_body()).await;
    assert_eq!(second.status, 201, "{}", second.body);
    assert_eq!(second.body["deadlines"]["review_due"], "2026-04-01");
    assert_eq!(second.body["deadlines"]["calendar_version"], new_version);
    let id = first.body["id"].as_i64().unwrap();
    let res = app.get(&format!("/api/v1/appeals/{id}"), &registrar).await;
    assert_eq!(res.body["deadlines"]["review_due"], "2026-03-31");
    assert_eq!(res.body["deadlines"]["calendar_version"], old_version);
    assert_eq!(res.body["version"], first.body["version"]);

    // Replacing again (with nothing) restores the built-in days and counts a second version.
    let res = put_overrides(&app, &admin, 2026, json!({"overrides": []})).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["overrides_version"], 2);
    assert!(day(&res.body, "2026-03-10").is_none());
    assert_ne!(res.body["calendar_version"], new_version);

    let events = repo::configuration::admin_events_on(&mut app.conn(), "calendar/2026").unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].action, "calendar_overrides_replaced");
    assert_eq!(events[0].actor_user_id, Some(admin.id));
    let before: Value = serde_json::from_str(events[0].before.as_deref().unwrap()).unwrap();
    let after: Value = serde_json::from_str(events[0].after.as_deref().unwrap()).unwrap();
    assert_eq!(before["calendar_version"], old_version);
    assert_eq!(after["calendar_version"], new_version);
    assert_eq!(after["overrides"], extra_day_off()["overrides"]);
}

async fn invalid_overrides_change_nothing(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let admin = app.national_admin("adm");
    let before = app.get("/api/v1/calendar/2026", &admin).await.body;
    let config = repo::configuration::rules_version(&mut app.conn()).unwrap();

    // A working override on a Wednesday changes nothing: refused, pointing at the override.
    let res = put_overrides(
        &app,
        &admin,
        2026,
        json!({"overrides": [
            {"date": "2026-03-10", "kind": "day_off", "source": "ok"},
            {"date": "2026-03-11", "kind": "working", "source": "no-op"}]}),
    )
    .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/overrides/1");

    let res = put_overrides(
        &app,
        &admin,
        2026,
        json!({"overrides": [
            {"date": "2025-03-10", "kind": "day_off", "source": "wrong year"},
            {"date": "2026-03-10", "kind": "day_off", "source": " "},
            {"date": "2026-03-10", "kind": "day_off", "source": "twice"}]}),
    )
    .await;
    res.assert_problem(422, "validation");
    let pointers: Vec<&str> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        [
            "#/overrides/0/date",
            "#/overrides/1/source",
            "#/overrides/2/date"
        ]
    );

    assert_eq!(app.get("/api/v1/calendar/2026", &admin).await.body, before);
    assert_eq!(
        repo::configuration::rules_version(&mut app.conn()).unwrap(),
        config
    );
    assert!(
        repo::configuration::admin_events_on(&mut app.conn(), "calendar/2026")
            .unwrap()
            .is_empty()
    );
}

async fn recalculation_moves_open_cards_and_dry_run_changes_nothing(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let registrar = app.user("reg", "S1", &[Role::Registrar]);
    let admin = app.user("adm", "S1", &[Role::Admin]);
    let card = app.post("/api/v1/appeals", &registrar, appeal_body()).await;
    assert_eq!(card.status, 201, "{}", card.body);
    let id = card.body["id"].as_i64().unwrap();
    let old_version = card.body["deadlines"]["calendar_version"].clone();
    // A card of another subject is not the caller's to recalculate.
    app.subject("S2", false);
    let foreign_registrar = app.user("reg2", "S2", &[Role::Registrar]);
    let foreign = app
        .post("/api/v1/appeals", &foreign_registrar, appeal_body())
        .await;
    assert_eq!(foreign.status, 201);

    // The calendar is national: the authorized body's admin changes it; the subject's admin
    // recalculates its own open cards.
    let national = app.national_admin("kp-adm");
    put_overrides(&app, &admin, 2026, extra_day_off())
        .await
        .assert_problem(403, "forbidden");
    let new_version = put_overrides(&app, &national, 2026, extra_day_off())
        .await
        .body["calendar_version"]
        .clone();

    app.post(
        "/api/v1/calendar/recalculations",
        &registrar,
        json!({"dry_run": true}),
    )
    .await
    .assert_problem(403, "forbidden");
    app.post(
        "/api/v1/calendar/recalculations",
        &admin,
        json!({"dry_run": "yes"}),
    )
    .await
    .assert_problem(422, "validation");

    let history = |app: &TestApp| repo::events::list(&mut app.conn(), id).unwrap();
    let events_before = history(&app).len();
    let res = app
        .post(
            "/api/v1/calendar/recalculations",
            &admin,
            json!({"dry_run": true}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["dry_run"], true);
    assert_eq!(res.body["calendar_version"], new_version);
    assert_eq!(res.body["checked"], 1);
    assert_eq!(res.body["moved_count"], 1);
    let moved = &res.body["moved"][0];
    assert_eq!(moved["appeal_id"], id);
    assert_eq!(moved["review_due_before"], "2026-03-31");
    assert_eq!(moved["review_due_after"], "2026-04-01");
    assert_eq!(moved["calendar_version_before"], old_version);
    assert_eq!(moved["version"], card.body["version"]);
    let unchanged = app.get(&format!("/api/v1/appeals/{id}"), &registrar).await;
    // The 201 body also carries the registration's duplicate check, which a GET does not repeat.
    let mut registered = card.body.clone();
    registered["duplicate_check"] = serde_json::Value::Null;
    assert_eq!(unchanged.body, registered);
    assert_eq!(history(&app).len(), events_before);

    // `from` after the card's deadline: nothing to do.
    let res = app
        .post(
            "/api/v1/calendar/recalculations",
            &admin,
            json!({"from": "2026-04-01", "dry_run": true}),
        )
        .await;
    assert_eq!(res.body["moved_count"], 0);

    let res = app
        .post(
            "/api/v1/calendar/recalculations",
            &admin,
            json!({"from": "2026-03-01", "dry_run": false}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["moved_count"], 1);
    let version = res.body["moved"][0]["version"].as_i64().unwrap();
    assert_eq!(version, card.body["version"].as_i64().unwrap() + 1);

    let now = app.get(&format!("/api/v1/appeals/{id}"), &registrar).await;
    assert_eq!(now.body["deadlines"]["review_due"], "2026-04-01");
    assert_eq!(now.body["deadlines"]["calendar_version"], new_version);
    assert_eq!(now.body["version"], version);
    assert_eq!(now.header("etag"), Some(format!("\"{version}\"").as_str()));
    let events = history(&app);
    assert_eq!(events.len(), events_before + 1);
    let last = events.last().unwrap();
    assert_eq!(last.action, "deadline_recalculated");
    assert_eq!(last.actor_user_id, Some(admin.id));
    let before: Value = serde_json::from_str(last.before.as_deref().unwrap()).unwrap();
    let after: Value = serde_json::from_str(last.after.as_deref().unwrap()).unwrap();
    assert_eq!(
        before,
        json!({"review_due": "2026-03-31", "calendar_version": old_version, "conventions_version": 0})
    );
    assert_eq!(
        after,
        json!({"review_due": "2026-04-01", "calendar_version": new_version, "conventions_version": 0})
    );

    // The other subject's card is untouched; a second run finds nothing left.
    let foreign_id = foreign.body["id"].as_i64().unwrap();
    let res = app
        .get(&format!("/api/v1/appeals/{foreign_id}"), &foreign_registrar)
        .await;
    assert_eq!(res.body["deadlines"]["review_due"], "2026-03-31");
    let res = app
        .post(
            "/api/v1/calendar/recalculations",
            &admin,
            json!({"dry_run": false}),
        )
        .await;
    assert_eq!(res.body["checked"], 0);
    assert_eq!(res.body["moved_count"], 0);
    let audit =
        repo::configuration::admin_events_on(&mut app.conn(), "calendar/recalculations").unwrap();
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0].action, "deadlines_recalculated");
}
