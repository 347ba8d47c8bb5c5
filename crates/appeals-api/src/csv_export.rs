//! The lists of appeals and of reception cards as CSV (`GET /api/v1/appeals`,
//! `GET /api/v1/receptions` with `Accept: text/csv`): one row per card with every requisite a
//! register or an auditor's spreadsheet needs, built from the same DTO the JSON list returns, so
//! both say the same thing.

use actix_web::HttpRequest;
use actix_web::http::header;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use crate::dto::AppealDto;
use crate::error::ApiError;
use crate::reception_dto::ReceptionDto;

/// The media type asked for and answered.
pub const TEXT_CSV: &str = "text/csv";

/// Column names (the JSON field names, so a client maps both the same way).
const HEADER: [&str; 33] = [
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
    "entered_late",
    "awaiting_acceptance",
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

fn row(a: &AppealDto) -> [String; 33] {
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
        a.entered_late.to_string(),
        a.awaiting_acceptance.to_string(),
    ]
}

/// A CSV document: a UTF-8 byte-order mark (so spreadsheet programs read Cyrillic and Kazakh
/// letters as UTF-8), the header, one row per card.
fn document<const N: usize>(
    header: [&str; N],
    rows: impl ExactSizeIterator<Item = [String; N]>,
) -> Result<Vec<u8>, ApiError> {
    part(Some(header), rows)
}

/// Rows of a CSV document, preceded by the byte-order mark and the header when given (the first
/// part of a streamed document, or a whole one).
fn part<const N: usize>(
    header: Option<[&str; N]>,
    rows: impl ExactSizeIterator<Item = [String; N]>,
) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::with_capacity(256 * (rows.len() + 1));
    if header.is_some() {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    if let Some(header) = header {
        writer.write_record(header).map_err(ApiError::internal)?;
    }
    for row in rows {
        writer.write_record(row).map_err(ApiError::internal)?;
    }
    writer.into_inner().map_err(ApiError::internal)
}

/// The appeal list as CSV.
pub fn appeals_csv(items: &[AppealDto]) -> Result<Vec<u8>, ApiError> {
    document(HEADER, items.iter().map(row))
}

/// One batch of a streamed appeal list: the first with the byte-order mark and the header.
pub fn appeals_csv_part(items: &[AppealDto], first: bool) -> Result<Vec<u8>, ApiError> {
    part(first.then_some(HEADER), items.iter().map(row))
}

/// The parts of a streamed CSV document, as a response body stream (a bounded channel: the
/// producer waits while the client reads, so memory does not grow with the list).
pub struct CsvParts(
    pub tokio::sync::mpsc::Receiver<Result<actix_web::web::Bytes, actix_web::Error>>,
);

impl futures_core::Stream for CsvParts {
    type Item = Result<actix_web::web::Bytes, actix_web::Error>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.get_mut().0.poll_recv(cx)
    }
}

/// Columns of the reception list (the JSON field names; ЛП-1 requisites under their card names).
const RECEPTION_HEADER: [&str; 24] = [
    "id",
    "registration_number",
    "status",
    "subject_code",
    "queue_number",
    "queued_on",
    "out_of_schedule",
    "reception_kind",
    "official_user_id",
    "slot_starts_at",
    "slot_confirmed",
    "markings",
    "iin",
    "surname",
    "first_name",
    "social_status",
    "issue_nature",
    "reception_decision",
    "reception_date",
    "reception_time",
    "place_kato",
    "result",
    "not_held_reason",
    "registered_at",
];

fn reception_row(r: &ReceptionDto) -> [String; 24] {
    let card = |field: &str| match r.card.get(field) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    [
        r.id.to_string(),
        r.registration_number.clone(),
        r.status.clone(),
        r.subject.code.clone(),
        r.queue_number.to_string(),
        r.queued_on.to_string(),
        r.out_of_schedule.to_string(),
        card("reception_kind"),
        number(r.official_user_id),
        r.slot
            .as_ref()
            .map(|s| s.starts_at.to_string())
            .unwrap_or_default(),
        r.slot
            .as_ref()
            .map(|s| s.confirmed.to_string())
            .unwrap_or_default(),
        joined(r.markings.iter().map(String::as_str)),
        card("iin"),
        card("surname"),
        card("first_name"),
        card("social_status"),
        card("issue_nature"),
        card("reception_decision"),
        card("reception_date"),
        card("reception_time"),
        card("place_kato"),
        card("result"),
        card("not_held_reason"),
        instant(r.registered_at),
    ]
}

/// The reception list as CSV.
pub fn receptions_csv(items: &[ReceptionDto]) -> Result<Vec<u8>, ApiError> {
    document(RECEPTION_HEADER, items.iter().map(reception_row))
}

/// Whether the client asked for CSV (`Accept: text/csv`, parameters allowed).
pub fn wants_csv(req: &HttpRequest) -> bool {
    accepts(req, TEXT_CSV)
}

/// Whether `Accept` names the media type (parameters allowed).
pub fn accepts(req: &HttpRequest, media_type: &str) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|media| {
            media
                .split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case(media_type))
        })
}

/// The same request with `cursor` set to the next page's, as an RFC 8288 link.
pub fn next_page_link(req: &HttpRequest, cursor: &str) -> String {
    let mut query: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("cursor="))
        .collect();
    let next = format!("cursor={cursor}");
    query.push(&next);
    format!("<{}?{}>; rel=\"next\"", req.path(), query.join("&"))
}

/// Rows per CSV page (the JSON lists keep 1–200).
pub const CSV_PAGE: i64 = 1000;

/// A CSV page: the document, its name, and the next page's address in `Link`.
pub fn csv_response(
    req: &HttpRequest,
    document: Vec<u8>,
    file_name: &str,
    next_cursor: Option<&str>,
) -> actix_web::HttpResponse {
    let mut res = actix_web::HttpResponse::Ok();
    res.insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ));
    if let Some(cursor) = next_cursor {
        res.insert_header((header::LINK, next_page_link(req, cursor)));
    }
    res.body(document)
}
