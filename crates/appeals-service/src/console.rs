//! Operator commands of the `appeals` binary: run at the console by whoever holds the database
//! (no access token, so no guard), each one transaction. The time of an action is the caller's.

use appeals_db::repo::events::BrokenLink;
use appeals_db::rows::{NewSubjectRow, NewUserRow, SubjectRow, UserRow};
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::access::Role;
use appeals_domain::regnum::NumberingMode;
use chrono::NaiveDateTime;

use crate::accounts::hash_password;
use crate::error::{AppError, AppResult};

/// A subject as the console creates it.
pub struct NewSubject {
    pub code: String,
    pub name_ru: String,
    pub name_kk: Option<String>,
    /// The code of the parent subject in the hierarchy.
    pub parent_code: Option<String>,
    pub kato_code: Option<String>,
    /// p.2(6): the Committee on legal statistics and its territorial bodies.
    pub authorized_body: bool,
}

fn subject_by_code(conn: &mut DbConn, code: &str) -> AppResult<SubjectRow> {
    repo::subjects::find_by_code(conn, code)?
        .ok_or_else(|| AppError::NotFound(format!("no subject with code `{code}`")))
}

pub fn create_subject(
    conn: &mut DbConn,
    s: NewSubject,
    at: NaiveDateTime,
) -> AppResult<SubjectRow> {
    let parent_id = match &s.parent_code {
        Some(code) => Some(subject_by_code(conn, code)?.id),
        None => None,
    };
    Ok(repo::subjects::insert(
        conn,
        &NewSubjectRow {
            code: s.code,
            name_ru: s.name_ru,
            name_kk: s.name_kk,
            parent_id,
            kato_code: s.kato_code,
            is_authorized_body: s.authorized_body,
            created_at: at,
        },
    )?)
}

/// Creates an active user bound to the subject with code `subject_code`.
pub fn create_user(
    conn: &mut DbConn,
    username: &str,
    subject_code: &str,
    roles: &[Role],
    full_name: Option<String>,
    password: &str,
    at: NaiveDateTime,
) -> AppResult<UserRow> {
    let subject = subject_by_code(conn, subject_code)?;
    let password_hash = hash_password(password)?;
    Ok(repo::users::insert(
        conn,
        &NewUserRow {
            username: username.to_owned(),
            password_hash,
            subject_id: subject.id,
            full_name,
            roles: Role::format_list(roles),
            is_active: true,
            created_at: at,
        },
    )?)
}

pub fn numbering_mode(conn: &mut DbConn) -> AppResult<NumberingMode> {
    Ok(repo::numbering::mode(conn)?)
}

/// Switches the registration numbering (national configuration); an admin event records it.
pub fn set_numbering_mode(conn: &mut DbConn, mode: NumberingMode) -> AppResult<()> {
    write_tx(conn, |conn| {
        let before = repo::numbering::mode(conn)?;
        repo::numbering::set_mode(conn, mode)?;
        repo::configuration::record_setting_change(
            conn,
            "numbering_mode_set",
            repo::numbering::SETTING,
            Some(before.code().to_owned()),
            mode.code().to_owned(),
        )?;
        Ok::<_, AppError>(())
    })
}

/// The banding of the duplicate index (`{bands}x{rows}`).
pub fn dedup_banding(conn: &mut DbConn) -> AppResult<String> {
    Ok(repo::duplicates::banding(conn)?)
}

/// `appeals audit verify`: every card's hash chain; the events read and the first broken link.
pub fn verify_all_histories(conn: &mut DbConn) -> AppResult<(u64, Option<BrokenLink>)> {
    Ok(repo::events::verify_all(conn)?)
}

/// Whether the database holds no subject yet (the demo data go only into an empty one).
pub fn is_empty(conn: &mut DbConn) -> AppResult<bool> {
    Ok(repo::subjects::count(conn)? == 0)
}
