#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test harness: failing loudly is the point
//! End-to-end test harness: every DB and API test runs on SQLite (a fresh file per test) and on
//! PostgreSQL (a fresh schema per test, dropped afterwards).
//!
//! PostgreSQL comes from `TEST_DATABASE_URL`, else the local server on 127.0.0.1:5432 (user
//! `postgres`). An unreachable PostgreSQL fails the test: a backend is never skipped silently.

use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test::{self, TestRequest};
use actix_web::web;
use appeals_api::AppState;
use appeals_api::auth::{JwtKeys, Role};
use appeals_db::{DbConn, DbUrl, repo, rows};
use diesel::connection::SimpleConnection;
use serde_json::Value;

pub mod pki;
pub mod receiver;

pub use appeals_api;
pub use appeals_db;

/// Secret the test apps sign with.
pub const TEST_SECRET: &[u8] = b"test-secret-test-secret-test-secret!";
pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

/// A throwaway database; dropped with the value.
pub struct TestDb {
    pub url: String,
    pub backend: TestBackend,
    _dir: Option<tempfile::TempDir>,
    pg_cleanup: Option<(String, String)>,
}

impl TestDb {
    pub fn new(backend: TestBackend) -> Self {
        match backend {
            TestBackend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("appeals.db").display());
                Self {
                    url,
                    backend,
                    _dir: Some(dir),
                    pg_cleanup: None,
                }
            }
            TestBackend::Postgres => {
                let admin = postgres_admin_url();
                let schema = format!("test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = DbUrl::parse(&admin)
                    .and_then(|u| u.establish())
                    .unwrap_or_else(|e| {
                        panic!(
                            "PostgreSQL is required for the postgres tests and is unreachable at {admin}: {e}. \
                             Start it (see .ci/run) or set TEST_DATABASE_URL."
                        )
                    });
                install_extensions(&mut conn);
                conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
                    .expect("create schema");
                let sep = if admin.contains('?') { '&' } else { '?' };
                let url = format!("{admin}{sep}options=-csearch_path%3D{schema}");
                Self {
                    url,
                    backend,
                    _dir: None,
                    pg_cleanup: Some((admin, schema)),
                }
            }
        }
    }

    /// A second handle on the same database that does not clean it up (for a second `TestApp`
    /// standing in for another server process).
    pub fn alias(&self) -> Self {
        Self {
            url: self.url.clone(),
            backend: self.backend,
            _dir: None,
            pg_cleanup: None,
        }
    }

    pub fn db_url(&self) -> DbUrl {
        DbUrl::parse(&self.url).expect("test url")
    }

    pub fn connect(&self) -> DbConn {
        self.db_url().establish().expect("connect")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, schema)) = &self.pg_cleanup
            && let Ok(mut conn) = DbUrl::parse(admin).and_then(|u| u.establish())
        {
            let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// The extensions the migrations create (`CREATE EXTENSION IF NOT EXISTS`), installed once into
/// `public`: a migration run in a test's schema would install them there, and dropping that schema
/// with CASCADE would take every other test's indexes that use them along.
fn install_extensions(conn: &mut DbConn) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let create = "CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public";
        // Two test processes may race to create it: the loser's error leaves it installed.
        if conn.batch_execute(create).is_err() {
            conn.batch_execute(create)
                .expect("install btree_gin (PostgreSQL contrib) into public");
        }
    });
}

pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_PG_URL.to_owned())
}

/// A migrated database, a running app state and a few users.
pub struct TestApp {
    pub db: TestDb,
    pub state: web::Data<AppState>,
    pub api: utoipa::openapi::OpenApi,
    /// Subject id of the default subject `S1`.
    pub subject_id: i64,
}

/// A user created for a test.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i64,
    pub subject_id: i64,
    pub roles: Vec<Role>,
    pub token: String,
}

impl TestApp {
    pub async fn new(backend: TestBackend) -> Self {
        Self::on(TestDb::new(backend))
    }

    /// An app over an existing test database (e.g. one the CLI has already written to).
    pub fn on(db: TestDb) -> Self {
        let pool =
            appeals_db::build_pool(&db.db_url(), 4, Some(std::time::Duration::from_secs(30)))
                .expect("pool");
        let subject_id = {
            let mut conn = pool.get().expect("conn");
            appeals_db::migrate::run(&mut conn).expect("migrate");
            match repo::subjects::find_by_code(&mut conn, "S1").expect("find S1") {
                Some(s) => s.id,
                None => create_subject(&mut conn, "S1", false),
            }
        };
        // The key the webhook secrets are sealed with; `appeals worker` processes of the tests
        // are given the same (`APPEALS_SEALING_KEY`).
        appeals_service::webhooks::install_sealing_key(TEST_SECRET.to_vec());
        let state = web::Data::new(AppState::new(pool, JwtKeys::new(TEST_SECRET, 900)));
        Self {
            db,
            state,
            api: appeals_api::openapi(),
            subject_id,
        }
    }

    pub fn conn(&self) -> diesel::r2d2::PooledConnection<appeals_db::conn::DbConnManager> {
        self.state.pool.get().expect("conn")
    }

    /// Creates a subject and returns its id.
    pub fn subject(&self, code: &str, authorized_body: bool) -> i64 {
        create_subject(&mut self.conn(), code, authorized_body)
    }

    /// Creates a user (password `password123`) in the given subject and mints a token for it.
    pub fn user(&self, username: &str, subject_code: &str, roles: &[Role]) -> TestUser {
        let row = appeals_api::cli::create_user(
            &mut self.conn(),
            username,
            subject_code,
            roles,
            None,
            "password-1234",
        )
        .expect("create user");
        let token = self
            .state
            .jwt
            .issue(
                row.id,
                row.subject_id,
                roles,
                row.token_generation,
                chrono::Utc::now().timestamp(),
            )
            .expect("token");
        TestUser {
            id: row.id,
            subject_id: row.subject_id,
            roles: roles.to_vec(),
            token,
        }
    }

    /// Creates a subject below `parent` in the hierarchy and returns its id (as
    /// `appeals subject create --parent` does).
    pub fn subject_under(&self, code: &str, parent: i64) -> i64 {
        repo::subjects::insert(
            &mut self.conn(),
            &rows::NewSubjectRow {
                code: code.to_owned(),
                name_ru: format!("Субъект {code}"),
                name_kk: None,
                parent_id: Some(parent),
                kato_code: None,
                is_authorized_body: false,
                created_at: appeals_db::now_utc(),
                report_row_code: None,
            },
        )
        .map(|row| without_signatures(&mut self.conn(), row.id))
        .expect("create subject")
    }

    /// Puts a person into the local copy of the state registry (as `appeals registry import`).
    pub fn registry_record(&self, iin: &str) {
        repo::registry::upsert(
            &mut self.conn(),
            &rows::RegistryRow {
                iin_bin: iin.to_owned(),
                category: "individual".to_owned(),
                data: serde_json::json!({"surname": "Ахметов", "first_name": "Ерлан"}).to_string(),
                source: "test".to_owned(),
                imported_at: appeals_db::now_utc(),
            },
        )
        .expect("registry record");
    }

    /// An admin of the authorized body (subject `KPSISU`, created on first use): the one who may
    /// change national configuration.
    pub fn national_admin(&self, username: &str) -> TestUser {
        let exists = repo::subjects::find_by_code(&mut self.conn(), "KPSISU")
            .expect("find KPSISU")
            .is_some();
        if !exists {
            self.subject("KPSISU", true);
        }
        self.user(username, "KPSISU", &[Role::Admin])
    }

    /// Routes card `id` to `executor` (`POST …/assignment` by `by`), expecting 200.
    pub async fn assign(&self, id: i64, by: &TestUser, executor: &TestUser) {
        let res = self
            .post(
                &format!("/api/v1/appeals/{id}/assignment"),
                by,
                serde_json::json!({"executor_user_id": executor.id}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
    }

    /// PUT JSON with a bearer token.
    pub async fn put(&self, uri: &str, user: &TestUser, body: Value) -> TestResponse {
        self.send(
            TestRequest::put()
                .uri(uri)
                .insert_header(bearer(user))
                .set_json(body),
        )
        .await
    }

    /// The authorized body widens the back-dating window of acts (conventions
    /// `backdating_working_days`) through the API, as a deployment that enters a backlog of paper
    /// acts would: the tests that state acts of fixed past dates run under it.
    pub async fn allow_entering_past_acts(&self) {
        let admin = self.national_admin("conventions-admin");
        let res = self
            .put(
                "/api/v1/conventions",
                &admin,
                serde_json::json!({
                    "conventions": {"deadlines": {"backdating_working_days": 5000}},
                    "reason": "Ввод архива бумажных актов",
                }),
            )
            .await;
        assert!(
            res.status.as_u16() == 201 || res.status.as_u16() == 200,
            "{:?}",
            res.body
        );
    }

    /// Sends a request through the full app (all middleware) and reads the body as JSON
    /// (`Value::Null` when empty or not JSON).
    pub async fn send(&self, req: TestRequest) -> TestResponse {
        let app = test::init_service(appeals_api::build_app(
            self.state.clone(),
            self.api.clone(),
            vec![],
        ))
        .await;
        let res: ServiceResponse<_> = test::call_service(&app, req.to_request()).await;
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = test::read_body(res).await;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        TestResponse {
            status,
            headers,
            body,
            raw: bytes.to_vec(),
        }
    }

    /// GET with a bearer token.
    pub async fn get(&self, uri: &str, user: &TestUser) -> TestResponse {
        self.send(TestRequest::get().uri(uri).insert_header(bearer(user)))
            .await
    }

    /// POST JSON with a bearer token.
    pub async fn patch(&self, uri: &str, user: &TestUser, body: Value) -> TestResponse {
        self.send(
            TestRequest::patch()
                .uri(uri)
                .insert_header(bearer(user))
                .set_json(body),
        )
        .await
    }

    /// Logs in over HTTP (`POST /api/v1/auth/token`).
    pub async fn login(&self, username: &str, password: &str) -> TestResponse {
        self.send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .set_json(serde_json::json!({"username": username, "password": password})),
        )
        .await
    }

    pub async fn post(&self, uri: &str, user: &TestUser, body: Value) -> TestResponse {
        self.send(
            TestRequest::post()
                .uri(uri)
                .insert_header(bearer(user))
                .set_json(body),
        )
        .await
    }
}

pub fn bearer(user: &TestUser) -> (actix_web::http::header::HeaderName, String) {
    (
        actix_web::http::header::AUTHORIZATION,
        format!("Bearer {}", user.token),
    )
}

fn create_subject(conn: &mut DbConn, code: &str, authorized_body: bool) -> i64 {
    repo::subjects::insert(
        conn,
        &rows::NewSubjectRow {
            code: code.to_owned(),
            name_ru: format!("Субъект {code}"),
            name_kk: Some(format!("{code} субъектісі")),
            parent_id: None,
            kato_code: None,
            is_authorized_body: authorized_body,
            created_at: appeals_db::now_utc(),
            report_row_code: None,
        },
    )
    .map(|row| without_signatures(conn, row.id))
    .expect("create subject")
}

/// Test subjects act without EDS signatures, as the demo data does (docs/access.md); the tests of
/// signed approvals turn it on through the API.
fn without_signatures(conn: &mut DbConn, id: i64) -> i64 {
    repo::subjects::update(
        conn,
        id,
        &repo::subjects::SubjectChanges {
            signature_required: Some(Some(false)),
            ..Default::default()
        },
    )
    .expect("signature setting");
    id
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn assert_status(&self, status: u16) {
        assert_eq!(self.status, status, "{}", self.body);
    }

    /// Asserts an RFC 9457 problem with the given status and type slug.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, type_slug: &str) {
        assert_eq!(self.status.as_u16(), status, "status; body: {}", self.body);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "content type; body: {}",
            self.body
        );
        assert_eq!(
            self.body["type"].as_str(),
            Some(format!("https://appeals.kz/problems/{type_slug}").as_str()),
            "problem type; body: {}",
            self.body
        );
        assert_eq!(self.body["status"].as_u64(), Some(u64::from(status)));
        assert!(self.body["title"].is_string());
    }
}

/// Declares each listed `async fn NAME(backend: TestBackend)` as two tests, `sqlite::NAME` and
/// `postgres::NAME`, so the output shows every test on both backends by name.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::TestBackend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::TestBackend::Postgres).await
                }
            )*
        }
    };
}

/// Path of the `appeals` binary, built on first use (the binary belongs to another package, so
/// cargo does not build it for this crate's tests by itself).
pub fn appeals_bin() -> std::path::PathBuf {
    static BUILT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
            let status = std::process::Command::new(cargo)
                .args(["build", "-q", "-p", "appeals-api", "--bin", "appeals"])
                .status()
                .expect("run cargo build");
            assert!(status.success(), "cargo build --bin appeals failed");
            let exe = std::env::current_exe().expect("current exe");
            // target/<profile>/deps/<test> → target/<profile>/appeals
            let profile_dir = exe.parent().and_then(|p| p.parent()).expect("profile dir");
            let bin = profile_dir.join(format!("appeals{}", std::env::consts::EXE_SUFFIX));
            assert!(bin.exists(), "{} not found", bin.display());
            bin
        })
        .clone()
}
