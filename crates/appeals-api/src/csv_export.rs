//! The list of appeals as CSV (`GET /api/v1/appeals` with `Accept: text/csv`): one row per card
//! with every requisite a register or an auditor's spreadsheet needs, built from the same
//! [`AppealDto`] the JSON list returns, so both say the same thing.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use crate::dto::AppealDto;
use crate::error::ApiError;

/// The media type asked for and answered.
pub const TEXT_CSV: &str = "text/csv";

/// Column names (the JSON field names, so a client maps both the same way).
const HEADER: [&str; 31] = [
    "id",
    "registration_number",
    "main_appeal_id",
    "part_k",
    "status",
    "kind",
    "document_type",
    "tags",
    "markings",
    "subject_code",
    "subject_name_ru",
    "registered_by_subject_id",
    "addressee_subject_id",
    "received_at",
    "registered_at",
    "registration_date",
    "review_due",
    "forward_due",
    "transfer_due",
    "is_accountable",
    "non_accountable_category",
    "anonymous",
    "applicants",
    "applicant_iin_bins",
    "language",
    "receipt_form",
    "issue_category",
    "summary",
    "final_act_on",
    "deemed_refusal_on",
    "duplicate_of",
];

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn number<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Several values in one cell.
fn joined<'a>(values: impl Iterator<Item = &'a str>) -> String {
    values.collect::<Vec<_>>().join("; ")
}

fn row(a: &AppealDto) -> [String; 31] {
    [
        a.id.to_string(),
        a.registration_number.clone(),
        number(a.main_appeal_id),
        number(a.part_k),
        a.status.clone(),
        a.kind.clone(),
        a.document_type.clone(),
        joined(a.tags.iter().map(String::as_str)),
        joined(a.markings.iter().map(String::as_str)),
        a.subject.code.clone(),
        a.subject.name_ru.clone(),
        a.registered_by_subject_id.to_string(),
        number(a.addressee_subject_id),
        instant(a.received_at),
        instant(a.registered_at),
        a.registration_date.to_string(),
        a.deadlines.review_due.to_string(),
        a.deadlines.forward_due.to_string(),
        date(a.deadlines.transfer_due),
        a.is_accountable.to_string(),
        a.non_accountable_category.clone().unwrap_or_default(),
        a.anonymity.anonymous.to_string(),
        joined(a.applicants.iter().filter_map(|p| p.full_name.as_deref())),
        joined(a.applicants.iter().filter_map(|p| p.iin_bin.as_deref())),
        a.language.clone(),
        a.receipt_form.clone(),
        a.issue_category.clone().unwrap_or_default(),
        a.summary.clone(),
        date(a.final_act_on),
        date(a.deemed_refusal_on),
        number(a.duplicate_of),
    ]
}

/// The CSV document: a UTF-8 byte-order mark (so spreadsheet programs read Cyrillic and Kazakh
/// letters as UTF-8), the header, one row per card.
pub fn appeals_csv(items: &[AppealDto]) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::with_capacity(256 * (items.len() + 1));
    out.extend_from_slice("\u{feff}".as_bytes());
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(HEADER).map_err(ApiError::internal)?;
    for item in items {
        writer.write_record(row(item)).map_err(ApiError::internal)?;
    }
    writer.into_inner().map_err(ApiError::internal)
}
