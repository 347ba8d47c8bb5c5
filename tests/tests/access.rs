#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a failed unwrap is a failed test
//! Issue 20 points 2 and 4: subjects and users over HTTP, revocation, lockout, the login trail,
//! the password policy and the pinned token algorithm.

use appeals_api::auth::{Claims, JwtKeys, Role};
use appeals_db::repo;
use appeals_tests::{TestApp, TestBackend, TestUser, backend_tests};
use serde_json::json;

backend_tests!(
    logout_role_change_and_deactivation_revoke_tokens_at_once,
    repeated_failed_logins_lock_the_account_and_are_trailed,
    the_subject_admin_keeps_its_own_users_only,
    the_authorized_body_keeps_the_registry_of_subjects,
    a_token_of_another_algorithm_or_issuer_is_refused,
);

fn with_token(user: &TestUser, token: &str) -> TestUser {
    TestUser {
        token: token.to_owned(),
        ..user.clone()
    }
}

async fn logout_role_change_and_deactivation_revoke_tokens_at_once(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let admin = app.user("s1-admin", "S1", &[Role::Admin]);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    app.get("/api/v1/me", &reg).await.assert_status(200);

    // Logout: the token in hand is refused, a new login works.
    let res = app.post("/api/v1/me/logout", &reg, json!({})).await;
    assert_eq!(res.status, 204, "{}", res.body);
    let res = app.get("/api/v1/me", &reg).await;
    res.assert_problem(401, "unauthorized");
    assert_eq!(res.body["detail"], "The access token has been revoked.");
    // Also where the handler reads no database (reference data from memory), and for a write,
    // which changes nothing.
    app.get(
        "/api/v1/calendar/deadline?start=2026-03-05&term=15_working_days",
        &reg,
    )
    .await
    .assert_problem(401, "unauthorized");
    let count = |app: &TestApp| {
        use diesel::prelude::*;
        appeals_db::schema::appeals::table
            .count()
            .get_result::<i64>(&mut *app.conn())
            .unwrap()
    };
    let before = count(&app);
    app.post(
        "/api/v1/appeals",
        &reg,
        json!({"document_type": "application", "text": "Прошу проверить.",
               "applicants": [{"category": "individual", "surname": "Ахметов", "first_name": "Ерлан"}],
               "receipt_form": "electronic", "language": "state",
               "received_at": "2026-03-05T04:15:00Z"}),
    )
    .await
    .assert_problem(401, "unauthorized");
    assert_eq!(count(&app), before);
    let login = app.login("reg", "password-1234").await;
    assert_eq!(login.status, 200, "{}", login.body);
    let reg = with_token(&reg, login.body["access_token"].as_str().unwrap());
    app.get("/api/v1/me", &reg).await.assert_status(200);

    // A role change takes effect at once: the old token carried the old roles.
    let res = app
        .patch(
            &format!("/api/v1/users/{}", reg.id),
            &admin,
            json!({"roles": ["executor"]}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["roles"], json!(["executor"]));
    app.get("/api/v1/me", &reg)
        .await
        .assert_problem(401, "unauthorized");

    // Deactivation: refused at once, and the login too; reactivation does not revive old tokens.
    let login = app.login("reg", "password-1234").await;
    let reg = with_token(&reg, login.body["access_token"].as_str().unwrap());
    let res = app
        .patch(
            &format!("/api/v1/users/{}", reg.id),
            &admin,
            json!({"is_active": false}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    app.get("/api/v1/me", &reg)
        .await
        .assert_problem(401, "unauthorized");
    app.login("reg", "password-1234")
        .await
        .assert_problem(401, "unauthorized");
    app.patch(
        &format!("/api/v1/users/{}", reg.id),
        &admin,
        json!({"is_active": true}),
    )
    .await
    .assert_status(200);
    app.get("/api/v1/me", &reg)
        .await
        .assert_problem(401, "unauthorized");

    // The audit holds every step, without the password.
    let events =
        repo::configuration::admin_events_on(&mut app.conn(), &format!("user:{}", reg.id)).unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["user_changed", "user_deactivated", "user_reactivated"]
    );
    assert!(
        events
            .iter()
            .all(|e| !e.after.as_deref().unwrap_or("").contains("password"))
    );
}

async fn repeated_failed_logins_lock_the_account_and_are_trailed(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let admin = app.user("s1-admin", "S1", &[Role::Admin]);
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    for _ in 0..5 {
        app.login("reg", "wrong-password-1")
            .await
            .assert_problem(401, "unauthorized");
    }
    // Locked: even the right password is refused, with the end of the lock named.
    let res = app.login("reg", "password-1234").await;
    res.assert_problem(429, "account-locked");
    assert!(
        res.body["detail"]
            .as_str()
            .unwrap()
            .contains("locked until")
    );
    // An unknown login is answered like a wrong password, never as locked.
    for _ in 0..6 {
        app.login("ghost", "wrong-password-1")
            .await
            .assert_problem(401, "unauthorized");
    }
    // The admin's password reset lifts the lock; the new password must follow the policy.
    let res = app
        .post(
            &format!("/api/v1/users/{}/password", reg.id),
            &admin,
            json!({"password": "short1"}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.body["errors"][0]["pointer"], "#/password");
    let res = app
        .post(
            &format!("/api/v1/users/{}/password", reg.id),
            &admin,
            json!({"password": "new-password-2026"}),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
    app.login("reg", "password-1234")
        .await
        .assert_problem(401, "unauthorized");
    let login = app.login("reg", "new-password-2026").await;
    assert_eq!(login.status, 200, "{}", login.body);
    let reg = with_token(&reg, login.body["access_token"].as_str().unwrap());
    let trail = app.get("/api/v1/me/logins", &reg).await;
    assert_eq!(trail.status, 200, "{}", trail.body);
    let outcomes: Vec<&str> = trail
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        [
            "succeeded",
            "failed",
            "locked",
            "failed",
            "failed",
            "failed",
            "failed"
        ]
    );
}

async fn the_subject_admin_keeps_its_own_users_only(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    app.subject("S2", false);
    let admin = app.user("s1-admin", "S1", &[Role::Admin]);
    let other_admin = app.user("s2-admin", "S2", &[Role::Admin]);
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "exec", "password": "exec", "roles": []}),
        )
        .await;
    res.assert_problem(422, "validation");
    let pointers: Vec<&str> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["#/password", "#/roles"]);
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "exec", "password": "Құпия-сөз-2026", "roles": ["executor"],
                   "full_name": "Сейткали Айгерим", "position": "главный специалист",
                   "iin": "921029350851"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["iin_bound"], true);
    assert!(!res.body.to_string().contains("921029350851"));
    let id = res.body["id"].as_i64().unwrap();
    let again = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "exec", "password": "Құпия-сөз-2026", "roles": ["executor"]}),
        )
        .await;
    again.assert_problem(409, "conflict");
    // The new user logs in; the other subject's admin does not see it.
    app.login("exec", "Құпия-сөз-2026").await.assert_status(200);
    app.get(&format!("/api/v1/users/{id}"), &other_admin)
        .await
        .assert_problem(404, "not-found");
    app.patch(
        &format!("/api/v1/users/{id}"),
        &other_admin,
        json!({"is_active": false}),
    )
    .await
    .assert_problem(404, "not-found");
    let list = app.get("/api/v1/users", &other_admin).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body.as_array().unwrap().len(), 1, "{}", list.body);
    let list = app.get("/api/v1/users", &admin).await;
    assert_eq!(list.body.as_array().unwrap().len(), 2, "{}", list.body);
}

async fn the_authorized_body_keeps_the_registry_of_subjects(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let national = app.national_admin("kpsisu-admin");
    let s1_admin = app.user("s1-admin", "S1", &[Role::Admin]);
    let body = json!({"code": "AKIMAT-ALA", "name_ru": "Аппарат акима города Алматы",
                      "parent_id": app.subject_id, "bin": "940140000385", "report_row_code": "75"});
    app.post("/api/v1/subjects", &s1_admin, body.clone())
        .await
        .assert_problem(403, "forbidden");
    let res = app.post("/api/v1/subjects", &national, body.clone()).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.body["id"].as_i64().unwrap();
    assert_eq!(res.body["parent_id"], app.subject_id);
    app.post("/api/v1/subjects", &national, body)
        .await
        .assert_problem(409, "conflict");
    // A bad BIN, an unknown parent, a cycle: 422 at the field, nothing stored.
    let res = app
        .patch(
            &format!("/api/v1/subjects/{}", app.subject_id),
            &national,
            json!({"parent_id": id, "bin": "123"}),
        )
        .await;
    res.assert_problem(422, "validation");
    let pointers: Vec<&str> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["#/parent_id", "#/bin"]);
    let s1 = app
        .get(&format!("/api/v1/subjects/{}", app.subject_id), &s1_admin)
        .await;
    assert_eq!(s1.body["parent_id"], json!(null));
    // Deactivation: the subject's users are refused on their next request; the subject stays.
    let res = app
        .patch(
            &format!("/api/v1/subjects/{}", app.subject_id),
            &national,
            json!({"is_active": false}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["is_active"], false);
    app.get("/api/v1/me", &s1_admin)
        .await
        .assert_problem(401, "unauthorized");
    let list = app.get("/api/v1/subjects", &national).await;
    assert_eq!(list.body.as_array().unwrap().len(), 3, "{}", list.body);
    let events = repo::configuration::admin_events_on(
        &mut app.conn(),
        &format!("subject:{}", app.subject_id),
    )
    .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "subject_deactivated");
    assert!(
        events[0]
            .before
            .as_deref()
            .unwrap()
            .contains("\"is_active\":true")
    );
}

async fn a_token_of_another_algorithm_or_issuer_is_refused(backend: TestBackend) {
    let app = TestApp::new(backend).await;
    let reg = app.user("reg", "S1", &[Role::Registrar]);
    let now = chrono::Utc::now().timestamp();
    let claims = |iss: &str| Claims {
        sub: reg.id.to_string(),
        subject_id: reg.subject_id,
        roles: vec![Role::Registrar],
        iat: now,
        exp: now + 600,
        iss: iss.to_owned(),
        aud: "appeals-api".to_owned(),
        generation: 0,
    };
    // The same secret, but HS512: the algorithm is pinned to HS256.
    let hs512 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &claims("appeals"),
        &jsonwebtoken::EncodingKey::from_secret(appeals_tests::TEST_SECRET),
    )
    .unwrap();
    app.get("/api/v1/me", &with_token(&reg, &hs512))
        .await
        .assert_problem(401, "unauthorized");
    // `alg: none` with no signature.
    let b64 = |v: serde_json::Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let none = format!(
        "{}.{}.",
        b64(json!({"alg": "none", "typ": "JWT"})),
        b64(serde_json::to_value(claims("appeals")).unwrap())
    );
    app.get("/api/v1/me", &with_token(&reg, &none))
        .await
        .assert_problem(401, "unauthorized");
    let keys = JwtKeys::new(appeals_tests::TEST_SECRET, 900);
    let wrong_issuer = keys.encode(&claims("someone-else")).unwrap();
    app.get("/api/v1/me", &with_token(&reg, &wrong_issuer))
        .await
        .assert_problem(401, "unauthorized");
    let right = keys.encode(&claims("appeals")).unwrap();
    app.get("/api/v1/me", &with_token(&reg, &right))
        .await
        .assert_status(200);
}
