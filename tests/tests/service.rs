#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! The service layer on a database connection, without HTTP: the guard and the card write path.
//! Cards are registered through the API (the state a use-case starts from); the service functions
//! are then called directly.

use appeals_api::auth::Role;
use appeals_db::repo;
use appeals_domain::access::Action;
use appeals_domain::events::{CardAction, CardEvent};
use appeals_service::access::{self, Grant};
use appeals_service::actions::Target;
use appeals_service::cards::write::{self, CardChange};
use appeals_service::decisions::{self, Ol2Kind, Ol2View, RecordDecision};
use appeals_service::idempotency::{self, Idem, Once};
use appeals_service::{Actor, AppError, Ctx};
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests};
use serde_json::{Value, json};

backend_tests!(
    the_guard_hides_foreign_cards_and_refuses_changes_out_of_reach,
    a_subtree_lists_the_subjects_below_and_all_is_for_the_authorized_body,
    a_commit_on_a_stale_version_is_a_conflict_and_writes_nothing,
    a_key_takes_effect_once_and_refuses_another_request,
    a_decision_is_recorded_once_per_key_and_replays_the_callers_answer,
);

fn grant(user: &TestUser, action: Action) -> Grant {
    access::admit(
        Actor {
            user_id: user.id,
            subject_id: user.subject_id,
            roles: user.roles.clone(),
        },
        action,
    )
    .unwrap()
}

async fn registered(app: &TestApp, registrar: &TestUser) -> i64 {
    let res = app
        .post(
            "/api/v1/appeals",
            registrar,
            json!({"document_type": "application",
                   "applicants": [{"category": "individual", "surname": "Ахметов", "first_name": "Ерлан",
                                   "address": {"street": "пр. Абая", "house": "10"}}],
                   "text": "Прошу восстановить отопление.", "receipt_form": "electronic",
                   "language": "state", "received_at": "2026-03-05T04:15:00Z"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body["id"].as_i64().unwrap()
}

async fn the_guard_hides_foreign_cards_and_refuses_changes_out_of_reach(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let home = app.subject_under("HOME", app.subject_id);
    let registrar = app.user("reg", "HOME", &[Role::Registrar]);
    let id = registered(&app, &registrar).await;
    app.subject("OTHER", false);
    let stranger = app.user("other-head", "OTHER", &[Role::Head]);
    let parent_head = app.user("s1-head", "S1", &[Role::Head]);
    let own_head = app.user("home-head", "HOME", &[Role::Head]);
    let conn = &mut app.conn();

    let err = access::load_card(conn, &grant(&stranger, Action::ReadAppeals), id).unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    let row = access::load_card(conn, &grant(&parent_head, Action::ReadAppeals), id).unwrap();
    assert_eq!(row.subject_id, home);
    let err = access::load_card(conn, &grant(&parent_head, Action::ExtendTerm), id).unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    access::load_card(conn, &grant(&own_head, Action::ExtendTerm), id).unwrap();
    let err = access::admit(
        Actor {
            user_id: registrar.id,
            subject_id: registrar.subject_id,
            roles: vec![Role::Registrar],
        },
        Action::ExtendTerm,
    )
    .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
}

async fn a_subtree_lists_the_subjects_below_and_all_is_for_the_authorized_body(
    backend: TestBackend,
) {
    let app = TestApp::new(backend).await;
    let child = app.subject_under("CHILD", app.subject_id);
    let grandchild = app.subject_under("GRANDCHILD", child);
    app.subject("OTHER", false);
    app.subject("KPSISU", true);
    let analyst = app.user("s1-analyst", "S1", &[Role::Analyst]);
    let kp_analyst = app.user("kp-analyst", "KPSISU", &[Role::Analyst]);
    let registrar = app.user("s1-reg", "S1", &[Role::Registrar]);
    let s1_admin = app.user("s1-admin", "S1", &[Role::Admin]);
    let kp_admin = app.user("kp-admin", "KPSISU", &[Role::Admin]);
    let conn = &mut app.conn();

    let mut seen = access::visible_subjects(conn, &grant(&analyst, Action::ReadAppeals))
        .unwrap()
        .unwrap();
    seen.sort_unstable();
    assert_eq!(seen, vec![app.subject_id, child, grandchild]);
    assert_eq!(
        access::visible_subjects(conn, &grant(&kp_analyst, Action::ReadAppeals)).unwrap(),
        None
    );
    assert_eq!(
        access::visible_subjects(conn, &grant(&registrar, Action::ReadAppeals)).unwrap(),
        Some(vec![app.subject_id])
    );
    let err = access::require_reach(conn, &grant(&s1_admin, Action::ChangeCalendar)).unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    access::require_reach(conn, &grant(&kp_admin, Action::ChangeCalendar)).unwrap();
}

async fn a_commit_on_a_stale_version_is_a_conflict_and_writes_nothing(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let registrar = app.user("reg", "S1", &[Role::Registrar]);
    let id = registered(&app, &registrar).await;
    let conn = &mut app.conn();
    let actor = grant(&registrar, Action::EditAppeal).actor().clone();
    let row = repo::appeals::find(conn, id).unwrap().unwrap();
    let at = row.updated_at + chrono::Duration::seconds(1);
    let events = repo::events::list(conn, id).unwrap().len();

    let saved = write::commit(
        conn,
        &actor,
        at,
        CardChange {
            before: &row,
            after: row.clone(),
            event: CardEvent {
                action: CardAction::Updated,
                before: Some(json!({"summary": null})),
                after: Some(json!({"summary": "x"})),
            },
        },
    )
    .unwrap();
    assert_eq!(saved.version, row.version + 1);
    assert_eq!(saved.updated_at, at);
    assert_eq!(repo::events::list(conn, id).unwrap().len(), events + 1);

    // The same `before` again: the card moved on meanwhile.
    let err = write::commit(
        conn,
        &actor,
        at,
        CardChange {
            before: &row,
            after: row.clone(),
            event: CardEvent {
                action: CardAction::Updated,
                before: None,
                after: None,
            },
        },
    )
    .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    assert_eq!(repo::events::list(conn, id).unwrap().len(), events + 1);
    assert_eq!(
        repo::appeals::find(conn, id).unwrap().unwrap().version,
        saved.version
    );
}

async fn a_key_takes_effect_once_and_refuses_another_request(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let user = app.user("reg", "S1", &[Role::Registrar]);
    let conn = &mut app.conn();
    let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 5)
        .unwrap()
        .and_hms_opt(4, 0, 0)
        .unwrap();
    let idem = |hash: &str| {
        Some(Idem {
            key: "k-1".to_owned(),
            request_hash: hash.to_owned(),
        })
    };
    let mut runs = 0;
    let first = idempotency::once(conn, user.id, idem("h1"), at, |_| -> Result<_, AppError> {
        runs += 1;
        Ok(json!({"id": 1}))
    })
    .unwrap();
    assert!(matches!(first, Once::Done(_)));
    let again = idempotency::once(conn, user.id, idem("h1"), at, |_| -> Result<_, AppError> {
        runs += 1;
        Ok(json!({"id": 2}))
    })
    .unwrap();
    assert!(
        matches!(&again, Once::Replayed(v) if v == &json!({"id": 1})),
        "{again:?}"
    );
    assert_eq!(runs, 1);
    let other = idempotency::once(conn, user.id, idem("h2"), at, |_| -> Result<_, AppError> {
        Ok(json!({"id": 3}))
    });
    assert!(
        matches!(other, Err(AppError::IdempotencyKeyReused)),
        "{other:?}"
    );
    // Without a key every call takes effect.
    let free = idempotency::once(conn, user.id, None, at, |_| -> Result<_, AppError> {
        Ok(json!({"id": 4}))
    })
    .unwrap();
    assert!(matches!(free, Once::Done(_)));
}

async fn a_decision_is_recorded_once_per_key_and_replays_the_callers_answer(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let registrar = app.user("reg", "S1", &[Role::Registrar]);
    let executor = app.user("ex", "S1", &[Role::Executor]);
    let id = registered(&app, &registrar).await;
    let res = app
        .post(
            &format!("/api/v1/appeals/{id}/assignment"),
            &registrar,
            json!({"executor_user_id": executor.id}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let conn = &mut app.conn();
    let ctx = Ctx {
        grant: grant(&executor, Action::RecordDecision),
        rules: app.state.rules(),
        now: chrono::Utc::now(),
    };
    let command = |key: &str, decision_type: &str| RecordDecision {
        target: Target {
            appeal_id: id,
            expected_version: None,
        },
        decision_type: decision_type.to_owned(),
        answer_character: Some("explained".to_owned()),
        termination_reason: None,
        bases: Vec::new(),
        answer_text: Some("Отопление восстановлено.".to_owned()),
        decided_at: None,
        hearing: None,
        signed_by: None,
        idem: Some(Idem {
            key: key.to_owned(),
            request_hash: decision_type.to_owned(),
        }),
    };
    // The caller renders the answer; that rendering is what a retry gets back.
    let present = |view: Ol2View| -> Result<Value, AppError> {
        assert_eq!(view.ol2.kind(), Ol2Kind::Decision);
        assert_eq!(view.appeal.row.status, "decided");
        Ok(
            json!({"ol2": view.ol2.row.id, "seq": view.ol2.row.seq, "version": view.appeal.row.version}),
        )
    };
    let first =
        decisions::record_decision(conn, &ctx, command("d-1", "provide_answer"), present).unwrap();
    let Once::Done(answer) = first else {
        panic!("the first call takes effect: {first:?}");
    };
    assert_eq!(answer["seq"], 1);
    let again =
        decisions::record_decision(conn, &ctx, command("d-1", "provide_answer"), present).unwrap();
    assert!(
        matches!(&again, Once::Replayed(v) if v == &answer),
        "{again:?}"
    );
    let other = decisions::record_decision(conn, &ctx, command("d-1", "take_note"), present);
    assert!(
        matches!(other, Err(AppError::IdempotencyKeyReused)),
        "{other:?}"
    );

    let listed = decisions::list_decisions(conn, &ctx, id).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].details.answer_text.as_deref(),
        Some("Отопление восстановлено.")
    );
    let event = repo::events::list(conn, id).unwrap().pop().unwrap();
    assert_eq!(event.action, "decision_recorded");
    let after: Value = serde_json::from_str(event.after.as_deref().unwrap()).unwrap();
    assert_eq!(after["decision_card_id"], answer["ol2"]);
    assert_eq!(after["decision_type"], "provide_answer");
    assert_eq!(after["answer_character"], "explained");
}
