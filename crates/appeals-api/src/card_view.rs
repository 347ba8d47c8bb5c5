//! A card as the API shows it: the service's read model mapped to [`AppealDto`], and the card's
//! entity tag.

use appeals_service::cards::parts::CardParts;
use appeals_service::views::{AppealRow, ApplicantRow, SubjectRow};
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::dto::{AnonymityDto, AppealDto, Deadlines, SubjectRef, TalonDto};
use crate::error::ApiError;

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Builds the API view of a card from rows already at hand (the registration has just written
/// them, so it does not read them back).
pub fn view_of(
    row: &AppealRow,
    subject: SubjectRow,
    applicants: Vec<ApplicantRow>,
) -> Result<AppealDto, ApiError> {
    let parts = CardParts::of(row)?;
    let applicants = applicants
        .into_iter()
        .map(crate::applicants::dto)
        .collect::<Result<Vec<_>, ApiError>>()?;
    let card = &parts.card;
    Ok(AppealDto {
        id: row.id,
        registration_number: row.reg_number.clone(),
        main_appeal_id: row.main_appeal_id,
        part_k: row.part_k,
        status: row.status.clone(),
        kind: row.kind.clone(),
        document_type: row.document_type.clone(),
        tags: card.tags().to_vec(),
        markings: card.markings().iter().cloned().collect(),
        subject: SubjectRef {
            id: subject.id,
            code: subject.code,
            name_ru: subject.name_ru,
        },
        registered_by_subject_id: row.registered_by_subject_id,
        addressee_subject_id: row.addressee_subject_id,
        received_at: utc(row.received_at),
        registered_at: utc(row.registered_at),
        registration_date: row.registration_date,
        deadlines: Deadlines {
            review_due: row.review_due,
            forward_due: row.forward_due,
            transfer_due: row.transfer_due,
            calendar_version: parts.details.calendar_version.clone(),
        },
        is_accountable: row.is_accountable,
        non_accountable_category: card.non_accountable_category.clone(),
        anonymity: AnonymityDto {
            anonymous: card.anonymity.anonymous,
            handling: serde_json::to_value(card.anonymity.handling)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            explanation: parts.details.anonymity_explanation.clone(),
            awaiting_redirect: parts.details.redirect_immediately,
            redirect_due: parts
                .details
                .redirect_immediately
                .then_some(row.registration_date),
        },
        applicants,
        text: row.text.clone(),
        summary: card.summary.clone(),
        language: card.language.clone(),
        receipt_form: card.receipt_form.clone(),
        receipt_source: card.receipt_source.clone(),
        issue_category: card.issue_category.clone(),
        talon: parts.details.talon.clone().map(TalonDto::from),
        complaint: card.complaint().map(|c| crate::dto::ComplaintDto {
            appealed_registration_number: c.appealed_appeal.as_ref().map(ToString::to_string),
            appealed_subject_matter: c.appealed_subject_matter.clone(),
            learned_on: c.learned_on,
            late: c.late,
        }),
        correction: parts
            .details
            .correction
            .clone()
            .map(crate::dto::CorrectionDto::from),
        final_act_on: parts.details.final_act_on,
        // A p.15 document is not considered here (it goes to another system): no refusal.
        deemed_refusal_on: row
            .is_accountable
            .then(|| {
                appeals_domain::cards::deemed_refusal_from(
                    row.review_due,
                    parts.details.final_act_on,
                )
            })
            .flatten(),
        entered_late: row.entered_late,
        essence_stated: !row.text.trim().is_empty(),
        fill_modes: serde_json::to_value(parts.card.fill_modes).map_err(ApiError::internal)?,
        marking_corrections: serde_json::to_value(parts.card.marking_corrections())
            .map_err(ApiError::internal)?,
        awaiting_acceptance: parts.details.awaiting_acceptance,
        pending: row.pending.clone(),
        duplicate_of: row.duplicate_of,
        version: row.version,
        duplicate_check: None,
    })
}

/// `ETag` of a card version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version an entity tag names (`"7"` or weak `W/"7"`), the inverse of [`etag`].
pub fn version_of_etag(tag: &str) -> Option<i64> {
    tag.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .ok()
}
