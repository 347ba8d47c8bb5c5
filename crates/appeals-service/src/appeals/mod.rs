//! ОЛ-1: registration (Rules p.4–p.13; R1–R9, R13–R21, R42, R43) and the edit of its requisites
//! (p.4 part 4, R2, R12, R19).

pub mod edit;
pub mod register;

use appeals_db::{DbConn, repo};
use appeals_domain::cards::ComplaintTarget;
use appeals_domain::dictionary::AppealKind;
use chrono::NaiveDate;

use crate::access;
use crate::cards::parts::CardParts;
use crate::config::Rules;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, FieldIssue};

/// The complaint block of a request (R42, R43; APPK art. 91–92).
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintEntry {
    /// The appeal whose answer is appealed, by its registration number.
    pub appealed_registration_number: Option<String>,
    /// The act or action appealed.
    pub appealed_subject_matter: String,
    /// When the applicant learned of it.
    pub learned_on: Option<NaiveDate>,
}

/// R43: the day a complaint was filed — the local date it was received (the three months of APPK
/// art. 92 run to the applicant's filing, not to a registration date moved by R7/R8).
fn complaint_filed_on(rules: &Rules, received_at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    rules.local_time(received_at).date()
}

/// R42, R43: what can be checked of a complaint block without the database — the kind it goes
/// with and its dates. `filed_on` is the local day the complaint was received.
fn check_complaint(
    complaint: &ComplaintEntry,
    kind: AppealKind,
    filed_on: NaiveDate,
    issues: &mut Vec<FieldIssue>,
) {
    if kind != AppealKind::Complaint {
        issues.push(FieldIssue::new(
            "#/complaint",
            "only a complaint (a document type of kind `complaint`) appeals an act",
        ));
    }
    if complaint.appealed_subject_matter.trim().is_empty() {
        issues.push(FieldIssue::new(
            "#/complaint/appealed_subject_matter",
            "must not be blank",
        ));
    }
    if complaint.learned_on.is_some_and(|d| d > filed_on) {
        issues.push(FieldIssue::new(
            "#/complaint/learned_on",
            format!("is after the day the complaint was received ({filed_on})"),
        ));
    }
}

/// R42, R43: the complaint's target as stored. The appealed appeal is looked up by its number among
/// the cards the user may read (a complaint is filed through the body whose act is appealed, APPK
/// art. 91), so the stored number is the card's own.
fn complaint_target(
    conn: &mut DbConn,
    ctx: &Ctx,
    complaint: &ComplaintEntry,
    filed_on: NaiveDate,
) -> AppResult<ComplaintTarget> {
    let appealed = match &complaint.appealed_registration_number {
        Some(number) => {
            let unknown = || {
                AppError::field(
                    "#/complaint/appealed_registration_number",
                    format!("no appeal `{number}` is visible to your subject"),
                )
            };
            let found = repo::appeals::find_by_number(conn, number.trim())?.ok_or_else(unknown)?;
            let row = access::load_card(conn, &ctx.grant, found.id).map_err(|_| unknown())?;
            Some(CardParts::of(&row)?.card.reg_number().clone())
        }
        None => None,
    };
    Ok(ComplaintTarget::new(
        appealed,
        complaint.appealed_subject_matter.trim(),
        complaint.learned_on,
        filed_on,
    ))
}

/// The addressee named by a request must be a stored subject.
fn require_addressee(conn: &mut DbConn, addressee: Option<i64>) -> AppResult<()> {
    if let Some(id) = addressee {
        repo::subjects::find_by_id(conn, id)?
            .ok_or_else(|| AppError::field("#/addressee_subject_id", "no such subject"))?;
    }
    Ok(())
}
