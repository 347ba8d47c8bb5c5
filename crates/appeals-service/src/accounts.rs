//! Accounts: checking credentials (argon2id) and reading the caller's own account. Tokens are the
//! edge's (JWT); what makes a login valid is here.

use appeals_db::rows::{LoginEventRow, SubjectRow, UserRow};
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::access::Role;
use appeals_domain::credentials;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::NaiveDateTime;

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};

/// An argon2 hash of a random string, verified against when the user does not exist, so that
/// timing does not reveal which usernames exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Jx1zm3S0MgwMQPHo4cKO0cxKqrCrzAlyETT2aMIYOw";

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> AppResult<String> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt =
        SaltString::encode_b64(&salt_bytes).map_err(|e| AppError::corrupt(format!("salt: {e}")))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::corrupt(format!("password hash: {e}")))
}

/// Verifies a password against a stored argon2 hash (constant-time comparison inside argon2).
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The account a login names, if any.
pub fn find(conn: &mut DbConn, login: &str) -> AppResult<Option<UserRow>> {
    Ok(repo::users::find_by_username(conn, login)?)
}

/// Who a token is issued to.
#[derive(Debug, Clone)]
pub struct Account {
    pub user_id: i64,
    pub subject_id: i64,
    pub roles: Vec<Role>,
    /// Goes into the token; a later generation revokes it.
    pub token_generation: i64,
}

/// Checks a login (CPU-bound: argon2; run it off the async threads). A wrong password, an unknown
/// account, a deactivated one, or client credentials of an account without the `integration`
/// role all give the same refusal.
pub fn verify(user: Option<UserRow>, secret: &str, as_client: bool) -> AppResult<Account> {
    let wrong = || AppError::Unauthenticated("Wrong credentials.".to_owned());
    let Some(user) = user else {
        let _ = verify_password(secret, DUMMY_HASH);
        return Err(wrong());
    };
    if !verify_password(secret, &user.password_hash) || !user.is_active {
        return Err(wrong());
    }
    let roles = Role::parse_list(&user.roles).map_err(AppError::corrupt)?;
    if as_client && !roles.contains(&Role::Integration) {
        return Err(wrong());
    }
    Ok(Account {
        user_id: user.id,
        subject_id: user.subject_id,
        roles,
        token_generation: user.token_generation,
    })
}

/// Refuses a login on a locked account before its password is even checked (429 naming the end of
/// the lock). The lock shows only after failures on an existing account; an unknown login is
/// answered like a wrong password.
pub fn refuse_if_locked(user: Option<&UserRow>, now: NaiveDateTime) -> AppResult<()> {
    match user.and_then(|u| u.locked_until) {
        Some(until) if credentials::is_locked(Some(until), now) => Err(AppError::Locked(format!(
            "Too many failed logins: the account is locked until {} UTC.",
            until.format("%Y-%m-%d %H:%M:%S")
        ))),
        _ => Ok(()),
    }
}

/// Writes the login trail and the failure count after a password check on an existing account:
/// a success clears the count; the [`credentials::MAX_FAILED_LOGINS`]th failure in a row locks the
/// account for [`credentials::LOCKOUT_MINUTES`].
pub fn record_login(
    conn: &mut DbConn,
    user: &UserRow,
    succeeded: bool,
    now: NaiveDateTime,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let outcome = if succeeded {
            repo::users::set_login_failures(conn, user.id, 0, None)?;
            "succeeded"
        } else {
            // Counted in the database so concurrent failures in several processes all count.
            let failures = repo::users::count_login_failure(conn, user.id)?;
            match credentials::lock_after(failures, now) {
                Some(until) => {
                    repo::users::set_login_failures(conn, user.id, 0, Some(until))?;
                    "locked"
                }
                None => "failed",
            }
        };
        repo::users::append_login_event(
            conn,
            &LoginEventRow {
                id: 0,
                occurred_at: now,
                user_id: user.id,
                outcome: outcome.to_owned(),
            },
        )?;
        Ok(())
    })
}

/// Whether a token of `user_id` issued in `generation` still stands: refused (401) once the user
/// logged out, had the password reset or was deactivated, or the subject was deactivated.
pub fn check_session(conn: &mut DbConn, user_id: i64, generation: i64) -> AppResult<()> {
    match repo::users::session_state(conn, user_id)? {
        Some((current, true, true)) if current == generation => Ok(()),
        _ => Err(AppError::Unauthenticated(
            "The access token has been revoked.".to_owned(),
        )),
    }
}

/// Ends every session of the caller: all their tokens are refused from now on.
pub fn logout(conn: &mut DbConn, ctx: &Ctx) -> AppResult<()> {
    let user_id = ctx.actor().user_id;
    write_tx(conn, |conn| {
        repo::users::revoke_tokens(conn, user_id)?;
        repo::users::append_login_event(
            conn,
            &LoginEventRow {
                id: 0,
                occurred_at: ctx.stored_now(),
                user_id,
                outcome: "logged_out".to_owned(),
            },
        )?;
        Ok(())
    })
}

/// The newest entries of the caller's login trail.
pub fn own_login_trail(conn: &mut DbConn, ctx: &Ctx) -> AppResult<Vec<LoginEventRow>> {
    Ok(repo::users::login_events_of(conn, ctx.actor().user_id, 50)?)
}

/// The surname, first name and patronymic of the user who accepted a document (the talon, R6):
/// the account's full name, else its login for both name parts.
pub fn acceptor_name_of(user: UserRow) -> (String, String, Option<String>) {
    let name = user.full_name.unwrap_or(user.username);
    let mut parts = name.split_whitespace();
    let surname = parts.next().unwrap_or("—").to_owned();
    let first = parts
        .next()
        .map(str::to_owned)
        .unwrap_or_else(|| surname.clone());
    let patronymic = parts.next().map(str::to_owned);
    (surname, first, patronymic)
}

/// [`acceptor_name_of`] of a user by id.
pub fn acceptor_name(
    conn: &mut DbConn,
    user_id: i64,
) -> AppResult<(String, String, Option<String>)> {
    Ok(acceptor_name_of(repo::users::get(conn, user_id)?))
}

/// The caller's own account and subject.
pub fn me(conn: &mut DbConn, ctx: &Ctx) -> AppResult<(UserRow, SubjectRow)> {
    let user = repo::users::get(conn, ctx.actor().user_id)?;
    let subject = repo::subjects::get(conn, user.subject_id)?;
    Ok((user, subject))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_verifies_only_the_same_password() {
        let hash = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("correct horse", "not-a-hash"));
    }
}
