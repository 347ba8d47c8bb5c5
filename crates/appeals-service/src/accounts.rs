//! Accounts: checking credentials (argon2id) and reading the caller's own account. Tokens are the
//! edge's (JWT); what makes a login valid is here.

use appeals_db::rows::{SubjectRow, UserRow};
use appeals_db::{DbConn, repo};
use appeals_domain::access::Role;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

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
    })
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
