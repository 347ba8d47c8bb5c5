//! A public, read-only status facade in the Open311 GeoReport v2 shape (issue 22 point 7;
//! docs/integrations.md): the appeals of subjects that opt in (`subjects.open311_public`) as
//! service requests with their status and dates only — never a name, IIN, address or text — and an
//! applicant's own status check by the registration number and the verification code printed on
//! the talon.

use appeals_db::rows::{AppealRow, SubjectRow};
use appeals_db::{DbConn, repo};
use chrono::NaiveDate;

use crate::error::{AppError, AppResult};

/// The verification code of a talon: a keyed hash of its registration number (the deployment's
/// key), 10 characters, so a status check needs what only the talon's holder has.
pub fn verification_code(registration_number: &str) -> String {
    let hex = appeals_domain::search::iin_key(
        crate::cards::search_index::key(),
        &format!("talon:{registration_number}"),
    );
    hex.chars().take(10).collect::<String>().to_uppercase()
}

/// A card as the facade shows it, with its holder.
#[derive(Debug, Clone)]
pub struct PublicRequest {
    pub row: AppealRow,
    pub subject: SubjectRow,
}

/// Filters of `requests.json`.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub service_code: Option<String>,
    /// `open` or `closed`.
    pub open: Option<bool>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

/// The newest 1,000 requests of the publishing subjects matching the filter.
pub fn requests(conn: &mut DbConn, filter: &RequestFilter) -> AppResult<Vec<PublicRequest>> {
    let subjects = repo::subjects::open311_public(conn)?;
    if subjects.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = subjects.iter().map(|s| s.id).collect();
    let rows = repo::appeals::public_requests(
        conn,
        &ids,
        filter.service_code.as_deref(),
        filter.open,
        filter.start_date,
        filter.end_date,
        1000,
    )?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let subject = subjects.iter().find(|s| s.id == row.subject_id)?.clone();
            Some(PublicRequest { row, subject })
        })
        .collect())
}

/// One request of a publishing subject (404 otherwise: a card of a subject that does not publish
/// does not exist here).
pub fn request(conn: &mut DbConn, id: i64) -> AppResult<PublicRequest> {
    let subjects = repo::subjects::open311_public(conn)?;
    repo::appeals::find(conn, id)?
        .and_then(|row| {
            let subject = subjects.iter().find(|s| s.id == row.subject_id)?.clone();
            Some(PublicRequest { row, subject })
        })
        .ok_or_else(|| AppError::NotFound(format!("No service request {id}.")))
}

/// The applicant's own check: the registration number and the talon's verification code (any
/// subject; a wrong pair is a 404, like an unknown number).
pub fn status_check(
    conn: &mut DbConn,
    registration_number: &str,
    code: &str,
) -> AppResult<PublicRequest> {
    let not_found = || AppError::NotFound("No appeal with this number and code.".to_owned());
    let expected = verification_code(registration_number);
    if expected.len() != code.len()
        || expected
            .bytes()
            .zip(code.to_uppercase().bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            != 0
    {
        return Err(not_found());
    }
    let row = repo::appeals::find_by_number(conn, registration_number)?.ok_or_else(not_found)?;
    let subject = repo::subjects::get(conn, row.subject_id)?;
    Ok(PublicRequest { row, subject })
}
