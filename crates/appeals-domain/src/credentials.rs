//! What makes a password acceptable and when repeated failures lock an account (issue 20 point 4;
//! docs/access.md). Not legal rules: the defaults of a government-grade service, kept here so the
//! HTTP API and the console apply the same ones.

use chrono::{Duration, NaiveDateTime};

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password accepted (argon2 cost grows with it).
pub const MAX_PASSWORD_CHARS: usize = 1000;
/// Consecutive failed logins that lock an account.
pub const MAX_FAILED_LOGINS: i32 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT_MINUTES: i64 = 15;

/// Why `password` may not be the password of `username`; `None` when it may.
pub fn password_problem(username: &str, password: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Some(format!(
            "The password must have at least {MIN_PASSWORD_CHARS} characters."
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Some(format!(
            "The password must have at most {MAX_PASSWORD_CHARS} characters."
        ));
    }
    let classes = [
        password.chars().any(char::is_alphabetic),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|present| **present)
    .count();
    if classes < 2 {
        return Some(
            "The password must mix at least two of: letters, digits, other characters.".to_owned(),
        );
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Some("The password must not contain the username.".to_owned());
    }
    None
}

/// When an account with `failures` consecutive failed logins is locked until (the count starts
/// again then); `None` while below the limit.
pub fn lock_after(failures: i32, now: NaiveDateTime) -> Option<NaiveDateTime> {
    (failures >= MAX_FAILED_LOGINS).then(|| now + Duration::minutes(LOCKOUT_MINUTES))
}

/// Whether an account locked until `locked_until` is still locked at `now`.
pub fn is_locked(locked_until: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    locked_until.is_some_and(|until| until > now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_single_class_or_username_passwords_are_refused() {
        assert!(password_problem("ivanov", "short-1").is_some());
        assert!(password_problem("ivanov", "onlylettersherе").is_some());
        assert!(password_problem("ivanov", "my-Ivanov-password-1").is_some());
        assert_eq!(password_problem("ivanov", "correct-horse-battery"), None);
    }

    #[test]
    fn the_fifth_failure_locks_for_the_lockout_time() {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc();
        for failures in 1..MAX_FAILED_LOGINS {
            assert_eq!(lock_after(failures, now), None);
        }
        let lock = lock_after(MAX_FAILED_LOGINS, now);
        assert!(is_locked(
            lock,
            now + Duration::minutes(LOCKOUT_MINUTES - 1)
        ));
        assert!(!is_locked(lock, now + Duration::minutes(LOCKOUT_MINUTES)));
    }
}
