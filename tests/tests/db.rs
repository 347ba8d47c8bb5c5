#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test
//! Persistence behaves the same on both backends: migrations, constraints, timestamps.

use appeals_db::{DbError, repo, rows};
use appeals_tests::{TestBackend, TestDb, backend_tests};

backend_tests!(
    migrations_apply_once_and_report_up_to_date,
    timestamps_round_trip_with_microseconds,
    unique_and_foreign_keys_are_enforced_alike,
    a_pooled_statement_runs_out_of_time_after_migrations_ran_without_it,
);

async fn migrations_apply_once_and_report_up_to_date(backend: TestBackend) {
    let db = TestDb::new(backend);
    let mut conn = db.connect();
    assert!(!appeals_db::migrate::is_up_to_date(&mut conn).unwrap());
    assert!(appeals_db::migrate::run(&mut conn).unwrap() >= 1);
    assert_eq!(appeals_db::migrate::run(&mut conn).unwrap(), 0);
    assert!(appeals_db::migrate::is_up_to_date(&mut conn).unwrap());
}

fn subject(code: &str, created_at: chrono::NaiveDateTime) -> rows::NewSubjectRow {
    rows::NewSubjectRow {
        code: code.to_owned(),
        name_ru: "Акимат".to_owned(),
        name_kk: None,
        parent_id: None,
        kato_code: Some("751110000".to_owned()),
        is_authorized_body: false,
        created_at,
        report_row_code: None,
    }
}

async fn timestamps_round_trip_with_microseconds(backend: TestBackend) {
    let db = TestDb::new(backend);
    let mut conn = db.connect();
    appeals_db::migrate::run(&mut conn).unwrap();
    let now = appeals_db::now_utc();
    assert_eq!(
        now.and_utc().timestamp_subsec_nanos() % 1000,
        0,
        "truncated to µs"
    );
    let exact = chrono::NaiveDate::from_ymd_opt(2026, 3, 5)
        .unwrap()
        .and_hms_micro_opt(9, 15, 0, 123_456)
        .unwrap();
    let row = repo::subjects::insert(&mut conn, &subject("S1", exact)).unwrap();
    let read = repo::subjects::get(&mut conn, row.id).unwrap();
    assert_eq!(read.created_at, exact);
    assert_eq!(read, row);
}

async fn unique_and_foreign_keys_are_enforced_alike(backend: TestBackend) {
    let db = TestDb::new(backend);
    let mut conn = db.connect();
    appeals_db::migrate::run(&mut conn).unwrap();
    let now = appeals_db::now_utc();
    repo::subjects::insert(&mut conn, &subject("S1", now)).unwrap();
    let dup = repo::subjects::insert(&mut conn, &subject("S1", now)).unwrap_err();
    assert!(matches!(dup, DbError::UniqueViolation(_)), "{dup:?}");
    let orphan = repo::users::insert(
        &mut conn,
        &rows::NewUserRow {
            username: "u".to_owned(),
            password_hash: "x".to_owned(),
            subject_id: 999_999,
            full_name: None,
            roles: "registrar".to_owned(),
            is_active: true,
            created_at: now,
            iin_hash: None,
            position: None,
        },
    )
    .unwrap_err();
    assert!(
        matches!(orphan, DbError::ForeignKeyViolation(_)),
        "{orphan:?}"
    );
}

/// `APPEALS_DB_STATEMENT_TIMEOUT`: a statement of a pooled PostgreSQL connection that runs longer
/// is cancelled and reported as such (the API answers 503); migrations, which may rewrite a
/// national table, lift the limit for themselves and restore it. SQLite has no statement timeout:
/// there the pool only has to migrate and answer as usual.
async fn a_pooled_statement_runs_out_of_time_after_migrations_ran_without_it(backend: TestBackend) {
    use diesel::connection::SimpleConnection;
    let db = TestDb::new(backend);
    let limit = std::time::Duration::from_millis(300);
    let pool = appeals_db::build_pool(&db.db_url(), 1, Some(limit)).unwrap();
    let mut conn = pool.get().unwrap();
    assert!(appeals_db::migrate::run(&mut conn).unwrap() >= 1);
    let long = match backend {
        TestBackend::Postgres => "SELECT pg_sleep(1)",
        TestBackend::Sqlite => "SELECT 1",
    };
    let outcome = conn.batch_execute(long).map_err(DbError::from);
    match backend {
        TestBackend::Postgres => assert!(matches!(outcome, Err(DbError::Timeout)), "{outcome:?}"),
        TestBackend::Sqlite => assert!(outcome.is_ok(), "{outcome:?}"),
    }
    // A short statement on the same connection still runs.
    conn.batch_execute("SELECT 1").unwrap();
}
