//! Request and response bodies of the appeal resources (the wire contract; domain types are mapped
//! at this edge).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// Category of an applicant (З-1 requisite 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantCategory {
    /// физическое лицо
    Individual,
    /// юридическое лицо
    LegalEntity,
}

/// Address (З-1 requisites 12–18).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Requisite 12: oblast / city of republican significance.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub region: Option<String>,
    /// Requisite 13: district.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub district: Option<String>,
    /// Requisite 14: settlement KATO code (9 digits).
    #[schema(example = "751110000")]
    pub settlement_kato: Option<String>,
    /// Requisite 15: street.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub street: Option<String>,
    /// Requisite 16: house.
    #[validate(length(max = 50))]
    #[schema(max_length = 50)]
    pub house: Option<String>,
    /// Requisite 17: flat.
    #[validate(length(max = 50))]
    #[schema(max_length = 50)]
    pub flat: Option<String>,
    /// Requisite 18: postal code.
    #[validate(length(max = 20))]
    #[schema(max_length = 20)]
    pub postal_code: Option<String>,
}

/// An applicant as given in the appeal (becomes a З-1 card).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category": "individual", "iin_bin": "921029350851", "surname": "Ахметов", "first_name": "Ерлан", "patronymic": "Серикович",
    "address": {"region": "г. Алматы", "settlement_kato": "751110000", "street": "пр. Абая", "house": "10", "flat": "5"}, "mobile_phone": "+77011234567"}))]
pub struct ApplicantInput {
    pub category: ApplicantCategory,
    /// Requisite 4: IIN (individual) or BIN (legal entity), 12 digits with a valid check digit.
    #[schema(example = "921029350851", pattern = r"^[0-9]{12}$")]
    pub iin_bin: Option<String>,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub surname: Option<String>,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: Option<String>,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub patronymic: Option<String>,
    /// Legal entity name.
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub company_name: Option<String>,
    #[validate(nested)]
    pub address: Option<Address>,
    #[validate(length(max = 30))]
    #[schema(max_length = 30)]
    pub mobile_phone: Option<String>,
    #[validate(email)]
    #[schema(format = Email)]
    pub email: Option<String>,
}

/// Registration of an appeal, message, request, response or proposal (Rules p.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "document_type": "application",
    "tags": ["отопление"],
    "applicants": [{"category": "individual", "iin_bin": "921029350851", "surname": "Ахметов", "first_name": "Ерлан",
                    "address": {"region": "г. Алматы", "street": "пр. Абая", "house": "10"}}],
    "text": "Прошу восстановить отопление в доме по адресу пр. Абая, 10: с 1 ноября в квартирах нет тепла.",
    "summary": "Нет отопления",
    "receipt_form": "electronic",
    "language": "state",
    "received_at": "2026-03-05T04:15:00Z",
    "signed": true
}))]
pub struct RegisterAppeal {
    /// Requisite 8 «Вид документа»: a `document_types` code.
    #[schema(example = "application")]
    #[validate(length(min = 1, max = 100))]
    pub document_type: String,
    /// Tags (key words of the essence).
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub tags: Vec<String>,
    /// Applicants (З-1). Empty: the author is not identified (anonymous, p.2(1)). Two or more make
    /// a collective appeal (marking ҰЖ, R9).
    #[serde(default)]
    #[validate(length(max = 500), nested)]
    #[schema(max_items = 500)]
    pub applicants: Vec<ApplicantInput>,
    /// Full text of the appeal. May be empty or blank: every appeal is registered (R1) — one
    /// whose essence is not stated is then terminated with the matching reason
    /// (`essence_not_stated`, R40).
    #[validate(length(max = 200000))]
    #[schema(max_length = 200000)]
    pub text: String,
    /// Requisite 12: short content.
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub summary: Option<String>,
    /// Requisite 4: form of receipt (`receipt_forms` code).
    #[schema(example = "electronic")]
    pub receipt_form: String,
    /// Source / channel of receipt (`receipt_sources` code).
    pub receipt_source: Option<String>,
    /// Requisite 6: language (`languages` code).
    #[schema(example = "state")]
    pub language: String,
    /// When the appeal was received (RFC 3339). Normalised to the registration date (R7, R8).
    pub received_at: DateTime<Utc>,
    /// Requisite 11: nature of the question / category.
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub issue_category: Option<String>,
    /// The subject the appeal is addressed to (default: the registering subject).
    pub addressee_subject_id: Option<i64>,
    /// Rules p.15: a `non_accountable_categories` code; the card is excluded from accounting and
    /// must be transferred to another information system within 3 working days (R16).
    pub non_accountable_category: Option<String>,
    /// The appeal is signed (incl. EDS). Unsigned appeals are anonymous (p.2(1)).
    #[serde(default = "default_true")]
    pub signed: bool,
    /// The applicant's postal address as stated in the appeal (compared with З-1, R21).
    #[validate(nested)]
    pub postal_address: Option<Address>,
    /// The appeal reports a prepared or committed crime or a threat to state/public security
    /// (anonymous appeals of this kind are redirected immediately, R15).
    #[serde(default)]
    pub reports_crime_or_threat: bool,
    /// Complaints only (a `document_types` code of kind `complaint`): what is appealed (R42, APPK
    /// art. 91) and when the applicant learned of it (R43, art. 92). Optional: a complaint without
    /// it is still registered, and it can be given later with `PATCH`.
    // Absent from the serialised body when not given, so `Idempotency-Key` hashes stay as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub complaint: Option<ComplaintInput>,
}

/// What a complaint appeals (R42) and when the applicant learned of it (R43).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"appealed_registration_number": "ЖТ-2026-00000042",
    "appealed_subject_matter": "Ответ акимата от 20.02.2026 на обращение ЖТ-2026-00000042",
    "learned_on": "2026-02-21"}))]
pub struct ComplaintInput {
    /// The appeal whose answer, act or action (inaction) is appealed, when it is in the IAS: its
    /// registration number at the registering subject (found by number or by the applicant's
    /// IIN/BIN with `GET /api/v1/appeals`).
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub appealed_registration_number: Option<String>,
    /// «Жалоба подается на»: the administrative act, or the action (inaction) not related to an
    /// act, that is appealed.
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub appealed_subject_matter: String,
    /// The day the applicant learned of the act or action (start of the three-month term, APPK
    /// art. 92); not after the day the complaint was received.
    pub learned_on: Option<NaiveDate>,
}

/// What a complaint appeals and whether it came late, as stored on the card.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ComplaintDto {
    pub appealed_registration_number: Option<String>,
    pub appealed_subject_matter: String,
    pub learned_on: Option<NaiveDate>,
    /// R43 (APPK art. 92): received more than three months after `learned_on`. A late complaint
    /// is registered like any other; the flag is for the reviewer (the term may be restored).
    pub late: bool,
}

/// R39 (APPK art. 63): the notice «Не соответствует ст. 63» sent to the applicant and its
/// correction, as stored on the card (the latest notice; earlier ones stay in the history).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CorrectionDto {
    /// Missing requisites of art. 63: `applicant_name`, `postal_address`, `addressee`,
    /// `essence`, `date`, `signature`, `protocol` (an oral appeal without a protocol).
    #[schema(example = json!(["postal_address", "signature"]))]
    pub defects: Vec<String>,
    /// The notice as sent to the applicant.
    pub notice: String,
    /// When the notice was sent.
    pub requested_at: DateTime<Utc>,
    /// The correction deadline set in the notice (a local date, inclusive).
    pub correct_by: NaiveDate,
    /// When the appeal was brought into conformity («Приведено в соответствие»); null while the
    /// card awaits the correction.
    pub corrected_at: Option<DateTime<Utc>>,
    /// Corrected after `correct_by` (compared on the local date of `corrected_at`).
    pub corrected_late: bool,
}

fn default_true() -> bool {
    true
}

/// A subject as shown on a card.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SubjectRef {
    pub id: i64,
    pub code: String,
    pub name_ru: String,
}

/// Deadlines of a card; each is the last day on which the action is on time.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Deadlines {
    /// Requisite 13: review deadline (R27).
    pub review_due: NaiveDate,
    /// Forwarding by competence due (R34, APPK art. 65: 3 working days).
    pub forward_due: NaiveDate,
    /// Transfer of a non-accountable document due (R16), when it applies.
    pub transfer_due: Option<NaiveDate>,
    /// Calendar data version the dates were computed with (R33).
    pub calendar_version: String,
}

/// The talon issued to the applicant (R6).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TalonDto {
    #[schema(example = "ЖТ-2026-00000042")]
    pub registration_number: String,
    pub subject_name: String,
    /// Local date and time of acceptance (UTC+5).
    pub accepted_at: String,
    /// Surname and initials of the person who accepted it.
    #[schema(example = "Иванова А.С.")]
    pub accepted_by: String,
    /// Printed on the talon: with the number, the applicant checks the status without an account
    /// (`GET /open311/v2/status.json`).
    #[serde(default)]
    #[schema(example = "3F9A0C1B7D")]
    pub verification_code: String,
}

/// Anonymity assessment (R15).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AnonymityDto {
    pub anonymous: bool,
    /// `consider`, `not_considered` or `redirect_immediately`.
    pub handling: String,
    /// Why the card is anonymous under the reading of p.2(1) in force (the conventions'
    /// `hierarchy.anonymity_reading`) and what follows; null when it is not.
    #[schema(
        example = "Anonymous under p.2(1) (reading `any_element_missing`): no postal address is given (postal_address or an applicant address). An anonymous appeal is registered but not considered on the merits (R15; APPK; p.15 of the Instruction)."
    )]
    pub explanation: Option<String>,
    /// R15: an anonymous report of a crime or threat not yet forwarded to the competent body (the
    /// work list `anonymous_redirect`).
    pub awaiting_redirect: bool,
    /// R15: the day it must be forwarded by — the day of registration ("immediately").
    pub redirect_due: Option<NaiveDate>,
}

/// An applicant card (З-1) as returned.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApplicantDto {
    pub ordinal: i32,
    pub category: ApplicantCategory,
    pub iin_bin: Option<String>,
    pub full_name: Option<String>,
    /// R21: requisites 12–18 against the postal address stated in the appeal.
    pub address_check: crate::applicants::AddressCheckDto,
    /// R20: the registry lookup made for requisite 4 (null without an IIN/BIN).
    pub registry_lookup: Option<crate::applicants::RegistryLookupDto>,
    /// The full З-1 card (requisites, provenance of auto-filled fields, address reconciliation).
    #[schema(value_type = Object)]
    pub card: serde_json::Value,
}

/// ОЛ-1 as returned by the API.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AppealDto {
    pub id: i64,
    /// Requisite 2; never changes (R2).
    #[schema(example = "ЖТ-2026-00000042")]
    pub registration_number: String,
    /// For a part forwarded by competence: the main appeal.
    pub main_appeal_id: Option<i64>,
    /// For a part: its ordinal k in `<main>/<k>`.
    pub part_k: Option<i32>,
    /// Lifecycle status code (`registered`, `in_work`, `forwarded_in_part`, `forwarded`,
    /// `transferred`, `extended`, `withdrawn`, `decided`, `closed`, …).
    pub status: String,
    /// Kind: application, complaint, request, message, response, proposal.
    pub kind: String,
    /// Requisite 8.
    pub document_type: String,
    pub tags: Vec<String>,
    /// Marking codes (p.6), e.g. `collective` (ҰЖ).
    pub markings: Vec<String>,
    /// The subject that holds the card (registering subject, or the receiver of a part).
    pub subject: SubjectRef,
    pub registered_by_subject_id: i64,
    pub addressee_subject_id: Option<i64>,
    pub received_at: DateTime<Utc>,
    pub registered_at: DateTime<Utc>,
    /// Registration date on the working-day calendar (R7, R8).
    pub registration_date: NaiveDate,
    pub deadlines: Deadlines,
    /// False for the p.15 categories (not accounted, R16).
    pub is_accountable: bool,
    pub non_accountable_category: Option<String>,
    pub anonymity: AnonymityDto,
    pub applicants: Vec<ApplicantDto>,
    pub text: String,
    pub summary: String,
    pub language: String,
    pub receipt_form: String,
    pub receipt_source: Option<String>,
    pub issue_category: Option<String>,
    pub talon: Option<TalonDto>,
    /// Complaints: what is appealed and whether the complaint came late (R42, R43); null on
    /// other kinds and on a complaint registered without it.
    pub complaint: Option<ComplaintDto>,
    /// R39: the latest art. 63 notice and its correction; null when none was sent.
    pub correction: Option<CorrectionDto>,
    /// R44: local date of the first decision (ОЛ-2) — the final act; null before it.
    pub final_act_on: Option<NaiveDate>,
    /// R44 (APPK art. 91 p.2): the day from which the body is deemed to have refused — the day
    /// after the review deadline (requisite 13) — when no final act comes by then, or came later;
    /// null once the final act came in time. Before that day it is the date the refusal would
    /// start: compare it with today (a complaint against inaction may be filed from it).
    pub deemed_refusal_on: Option<NaiveDate>,
    /// An act of this card (decision, transfer, cancellation, withdrawal) was entered on a later
    /// local day than its stated date (issue 23 point 3; `?entered_late=true` lists them).
    pub entered_late: bool,
    /// Whether the text states anything (a blank one is registered all the same, R1).
    pub essence_stated: bool,
    /// How each requisite group was filled (R19): `registration` (requisites 1–3, always by the
    /// system), `receipt` (5) and `content` (4, 6–12) — `manual` when a person entered them,
    /// `integration` when a sending information system did.
    #[schema(value_type = Object, example = json!({"registration": "integration", "receipt": "manual", "content": "manual"}))]
    pub fill_modes: serde_json::Value,
    /// Automatic markings corrected by a person (R9): code → present.
    #[schema(value_type = Object, example = json!({"collective": false}))]
    pub marking_corrections: serde_json::Value,
    /// A part forwarded by competence that the receiving subject's registrar has not accepted yet
    /// (no talon yet; `POST …/acceptance`, Rules p.11 part 2).
    pub awaiting_acceptance: bool,
    /// The workflow the card waits on: `forwarding_approved` / `extension_approved` (waiting for
    /// the EDS signature: `GET …/signing-document`, `POST …/signature`), `acceptance`, or `null`.
    pub pending: Option<String>,
    /// The original this appeal duplicates (p.13, R13): set by the check at registration or by a
    /// registrar's decision.
    pub duplicate_of: Option<i64>,
    /// Version for `If-Match` (also sent as `ETag`).
    pub version: i64,
    /// The duplicate check run at registration (p.13): only in the `201` of `POST /appeals`; null
    /// elsewhere (see `GET /appeals/{id}/duplicates` for the stored links).
    #[serde(default)]
    pub duplicate_check: Option<crate::dedup::DuplicateCheckDto>,
}

/// A page of a list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AppealPage {
    pub items: Vec<AppealDto>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /api/v1/appeals/search`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppealSearchQuery {
    /// Words of the text, short content, tags or an applicant's name, in Russian or Kazakh (any
    /// inflection; every word must occur), or an applicant's 12-digit IIN/BIN.
    #[param(example = "протекает крыша")]
    pub q: String,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A piece of a found card's text around the words that matched.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SnippetDto {
    pub text: String,
    /// Byte ranges `[start, end)` of the matched words within `text`, for highlighting (no markup
    /// is inserted into `text`).
    #[schema(example = json!([[12, 22]]))]
    pub highlights: Vec<[usize; 2]>,
}

/// A card found by a search.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AppealSearchHit {
    pub appeal: AppealDto,
    pub snippet: SnippetDto,
}

/// A page of search results, best match first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AppealSearchPage {
    pub items: Vec<AppealSearchHit>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Filters of `GET /api/v1/appeals`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AppealListQuery {
    /// Status code.
    pub status: Option<String>,
    /// Kind code.
    pub kind: Option<String>,
    /// Registered on or after (YYYY-MM-DD). With `from` or `to` the list comes by registration
    /// date, newest first, then by id.
    pub from: Option<NaiveDate>,
    /// Registered on or before (YYYY-MM-DD).
    pub to: Option<NaiveDate>,
    /// Applicant IIN/BIN.
    pub iin_bin: Option<String>,
    /// Exact registration number.
    pub registration_number: Option<String>,
    pub tag: Option<String>,
    /// Marking code.
    pub marking: Option<String>,
    /// `true`: open appeals past their review deadline today.
    pub overdue: Option<bool>,
    /// `true`: non-accountable appeals not transferred by their transfer deadline (R16).
    pub transfer_overdue: Option<bool>,
    /// `true`: accountable appeals past their review deadline with no decision yet — deemed
    /// refused today (R44, APPK art. 91 p.2).
    pub deemed_refusal: Option<bool>,
    /// `true`: cards with an act (decision, transfer, cancellation, withdrawal) entered on a later
    /// local day than its stated date — for auditors; `false`: cards with none.
    pub entered_late: Option<bool>,
    /// Subject id (analysts of the authorized body; others see only their subject).
    pub subject_id: Option<i64>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page (opaque; a list with `from` or `to` has its own).
    pub cursor: Option<String>,
    /// CSV only: every card matching the filters in one streamed document (read in batches of
    /// `limit`, default and at most 1,000, so the server's memory does not grow with the list)
    /// instead of one page with a `Link` to the next.
    pub all: Option<bool>,
}

/// Editable requisites of ОЛ-1 (`PATCH`, with `If-Match`). Changing requisite 8 requires `tags`
/// (p.4 part 4, R12) and recomputes requisites 9 and 13.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"document_type": "complaint", "tags": ["обжалование"]}))]
pub struct PatchAppeal {
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub document_type: Option<String>,
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub tags: Option<Vec<String>>,
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub summary: Option<String>,
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub issue_category: Option<String>,
    pub language: Option<String>,
    pub receipt_form: Option<String>,
    pub addressee_subject_id: Option<i64>,
    /// Complaints: names or corrects what is appealed (R42); the whole block is replaced.
    #[validate(nested)]
    pub complaint: Option<ComplaintInput>,
}

/// The first event of a history that does not continue its chain.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BrokenLinkDto {
    pub seq: i32,
    pub event_id: i64,
    /// `sequence gap`, `prev_hash does not match the previous event` or `hash does not match the
    /// event's content`.
    pub reason: String,
}

/// A card's history chain recomputed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"appeal_id": 42, "events_checked": 5, "intact": true, "broken": null,
    "head_hash": "9f2c4e1b0d3a5c7e9f2c4e1b0d3a5c7e9f2c4e1b0d3a5c7e9f2c4e1b0d3a5c7e"}))]
pub struct HistoryVerificationDto {
    pub appeal_id: i64,
    /// Events checked (up to and including a broken one).
    pub events_checked: u64,
    /// Every event follows the one before it and its hash matches its content.
    pub intact: bool,
    pub broken: Option<BrokenLinkDto>,
    /// The hash of the last event when intact: kept by an auditor, it shows later that nothing
    /// before it was rewritten.
    pub head_hash: Option<String>,
}

/// One history event.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventDto {
    pub seq: i32,
    pub occurred_at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor_subject_id: Option<i64>,
    /// e.g. `registered`, `updated`, `document_type_changed`, `forwarded`, `decision_recorded`.
    pub action: String,
    /// The changed values before the action; null when the action has none (e.g. `registered`).
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The values after the action.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    /// SHA-256 of the previous event (all zeros for the first).
    pub prev_hash: String,
    pub hash: String,
}

/// The [`EventDto`] of a stored event of either history chain (ОЛ-1 `EventRow`, ЛП-1
/// `ReceptionEventRow`: the same fields).
macro_rules! event_dto {
    ($e:expr) => {{
        let e = $e;
        let parse = |s: &Option<String>| s.as_deref().and_then(|v| serde_json::from_str(v).ok());
        $crate::dto::EventDto {
            seq: e.seq,
            occurred_at: e.occurred_at.and_utc(),
            actor_user_id: e.actor_user_id,
            actor_subject_id: e.actor_subject_id,
            action: e.action.clone(),
            before: parse(&e.before),
            after: parse(&e.after),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        }
    }};
}
pub(crate) use event_dto;

/// The whole set of applicants of an appeal (`PUT /api/v1/appeals/{id}/applicants`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"applicants": [
    {"category": "individual", "iin_bin": "921029350851", "surname": "Ахметов", "first_name": "Ерлан"},
    {"category": "legal_entity", "iin_bin": "940140000385", "company_name": "ТОО «Алматы Жылу»"}]}))]
pub struct ReplaceApplicants {
    /// One or more applicants; they are renumbered 1, 2, … in this order. Two or more make the
    /// appeal collective (ҰЖ, R9).
    #[validate(length(min = 1, max = 500), nested)]
    #[schema(min_items = 1, max_items = 500)]
    pub applicants: Vec<ApplicantInput>,
}

/// The address agreed with the applicant (R21); becomes requisites 12–18 of the З-1 card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"address": {"region": "г. Алматы", "settlement_kato": "751110000", "street": "пр. Абая", "house": "12", "flat": "5"}}))]
pub struct AddressReconciliation {
    #[validate(nested)]
    pub address: Address,
}

// Wire ⇄ storage: the card's details are stored in the service's types
// (`appeals_service::cards::parts`), field for field the same as these.
use appeals_service::cards::parts::{StoredCorrection, StoredTalon};

impl From<StoredTalon> for TalonDto {
    fn from(t: StoredTalon) -> Self {
        Self {
            verification_code: appeals_service::open311::verification_code(&t.registration_number),
            registration_number: t.registration_number,
            subject_name: t.subject_name,
            accepted_at: t.accepted_at,
            accepted_by: t.accepted_by,
        }
    }
}

impl From<TalonDto> for StoredTalon {
    fn from(t: TalonDto) -> Self {
        Self {
            registration_number: t.registration_number,
            subject_name: t.subject_name,
            accepted_at: t.accepted_at,
            accepted_by: t.accepted_by,
        }
    }
}

impl From<StoredCorrection> for CorrectionDto {
    fn from(c: StoredCorrection) -> Self {
        Self {
            defects: c.defects,
            notice: c.notice,
            requested_at: c.requested_at,
            correct_by: c.correct_by,
            corrected_at: c.corrected_at,
            corrected_late: c.corrected_late,
        }
    }
}

impl From<CorrectionDto> for StoredCorrection {
    fn from(c: CorrectionDto) -> Self {
        Self {
            defects: c.defects,
            notice: c.notice,
            requested_at: c.requested_at,
            correct_by: c.correct_by,
            corrected_at: c.corrected_at,
            corrected_late: c.corrected_late,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Request bodies as the service's commands
// ---------------------------------------------------------------------------------------------

impl From<ApplicantCategory> for appeals_domain::cards::PersonCategory {
    fn from(c: ApplicantCategory) -> Self {
        match c {
            ApplicantCategory::Individual => Self::Individual,
            ApplicantCategory::LegalEntity => Self::LegalEntity,
        }
    }
}

impl From<Address> for appeals_domain::cards::AddressBlock {
    fn from(a: Address) -> Self {
        Self {
            region: a.region,
            district: a.district,
            settlement_kato: a.settlement_kato,
            street: a.street,
            house: a.house,
            flat: a.flat,
            postal_code: a.postal_code,
        }
    }
}

impl From<ApplicantInput> for appeals_service::applicants::ApplicantEntry {
    fn from(a: ApplicantInput) -> Self {
        Self {
            category: a.category.into(),
            iin_bin: a.iin_bin,
            surname: a.surname,
            first_name: a.first_name,
            patronymic: a.patronymic,
            company_name: a.company_name,
            address: a.address.map(Into::into),
            mobile_phone: a.mobile_phone,
            email: a.email,
        }
    }
}

impl From<ComplaintInput> for appeals_service::appeals::ComplaintEntry {
    fn from(c: ComplaintInput) -> Self {
        Self {
            appealed_registration_number: c.appealed_registration_number,
            appealed_subject_matter: c.appealed_subject_matter,
            learned_on: c.learned_on,
        }
    }
}

impl From<RegisterAppeal> for appeals_service::appeals::register::Registration {
    fn from(b: RegisterAppeal) -> Self {
        Self {
            document_type: b.document_type,
            tags: b.tags,
            applicants: b.applicants.into_iter().map(Into::into).collect(),
            text: b.text,
            summary: b.summary,
            receipt_form: b.receipt_form,
            receipt_source: b.receipt_source,
            language: b.language,
            received_at: b.received_at,
            issue_category: b.issue_category,
            addressee_subject_id: b.addressee_subject_id,
            non_accountable_category: b.non_accountable_category,
            signed: b.signed,
            postal_address: b.postal_address.map(Into::into),
            reports_crime_or_threat: b.reports_crime_or_threat,
            complaint: b.complaint.map(Into::into),
        }
    }
}

impl PatchAppeal {
    /// The edit of card `appeal_id` at the version the client holds.
    pub fn into_command(
        self,
        appeal_id: i64,
        expected_version: i64,
    ) -> appeals_service::appeals::edit::EditAppeal {
        appeals_service::appeals::edit::EditAppeal {
            appeal_id,
            expected_version,
            document_type: self.document_type,
            tags: self.tags,
            summary: self.summary,
            issue_category: self.issue_category,
            language: self.language,
            receipt_form: self.receipt_form,
            addressee_subject_id: self.addressee_subject_id,
            complaint: self.complaint.map(Into::into),
        }
    }
}

/// A card whose review deadline moved (or would move, in a dry run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MovedDeadline {
    pub appeal_id: i64,
    pub registration_number: String,
    pub review_due_before: NaiveDate,
    pub review_due_after: NaiveDate,
    pub calendar_version_before: String,
    /// The card's version after the change (unchanged in a dry run).
    pub version: i64,
}

impl From<appeals_service::config::MovedDeadline> for MovedDeadline {
    fn from(m: appeals_service::config::MovedDeadline) -> Self {
        Self {
            appeal_id: m.appeal_id,
            registration_number: m.registration_number,
            review_due_before: m.review_due_before,
            review_due_after: m.review_due_after,
            calendar_version_before: m.calendar_version_before,
            version: m.version,
        }
    }
}

/// Markings to put on or take off a card.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"remove": ["collective"],
    "reason": "Два заявителя — супруги, обращение подано в интересах одной семьи; не коллективное."}))]
pub struct ChangeMarkingsBody {
    /// Codes of the `markings` book to put on.
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub add: Vec<String>,
    /// Codes to take off.
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub remove: Vec<String>,
    /// Required when an automatic marking (`collective` «ҰЖ», R9) is corrected.
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub reason: Option<String>,
}

/// One card of a list screen (the summary view of the appeal list).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 42, "registration_number": "ЖТ-2026-00000042", "main_appeal_id": null,
    "part_k": null, "status": "in_work", "kind": "application", "document_type": "application",
    "subject_id": 1, "received_at": "2026-03-05T04:15:00Z", "registration_date": "2026-03-05",
    "review_due": "2026-03-31", "forward_due": "2026-03-10", "transfer_due": null,
    "is_accountable": true, "anonymous": false, "applicant_count": 1,
    "summary": "Нет отопления", "tags": ["отопление"], "markings": [], "duplicate_of": null,
    "pending": null, "awaiting_acceptance": false, "executor_user_id": 3, "entered_late": false,
    "closed": false, "version": 2}))]
pub struct AppealSummaryDto {
    pub id: i64,
    pub registration_number: String,
    pub main_appeal_id: Option<i64>,
    pub part_k: Option<i32>,
    pub status: String,
    pub kind: String,
    /// Requisite 8.
    pub document_type: String,
    /// The holder (`GET /api/v1/appeals/{id}` names it).
    pub subject_id: i64,
    pub received_at: DateTime<Utc>,
    pub registration_date: NaiveDate,
    /// Requisite 13.
    pub review_due: NaiveDate,
    pub forward_due: NaiveDate,
    pub transfer_due: Option<NaiveDate>,
    pub is_accountable: bool,
    pub anonymous: bool,
    pub applicant_count: i32,
    /// Requisite 12.
    pub summary: String,
    pub tags: Vec<String>,
    pub markings: Vec<String>,
    pub duplicate_of: Option<i64>,
    /// An approval in progress (`forwarding_requested`, `extension_approved`, …) or `acceptance`.
    pub pending: Option<String>,
    pub awaiting_acceptance: bool,
    pub executor_user_id: Option<i64>,
    pub entered_late: bool,
    pub closed: bool,
    /// The card's version (its `ETag`).
    pub version: i64,
}

impl From<appeals_service::cards::read::CardSummary> for AppealSummaryDto {
    fn from(c: appeals_service::cards::read::CardSummary) -> Self {
        let r = c.row;
        Self {
            awaiting_acceptance: r.pending.as_deref()
                == Some(appeals_service::cards::parts::AWAITING_ACCEPTANCE),
            id: r.id,
            registration_number: r.reg_number,
            main_appeal_id: r.main_appeal_id,
            part_k: r.part_k,
            status: r.status,
            kind: r.kind,
            document_type: r.document_type,
            subject_id: r.subject_id,
            received_at: crate::card_view::utc(r.received_at),
            registration_date: r.registration_date,
            review_due: r.review_due,
            forward_due: r.forward_due,
            transfer_due: r.transfer_due,
            is_accountable: r.is_accountable,
            anonymous: r.is_anonymous,
            applicant_count: r.applicant_count,
            summary: c.summary,
            tags: c.tags,
            markings: c.markings,
            duplicate_of: r.duplicate_of,
            pending: r.pending,
            executor_user_id: r.executor_user_id,
            entered_late: r.entered_late,
            closed: r.closed_at.is_some(),
            version: r.version,
        }
    }
}

/// A page of the summary view.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AppealSummaryPage {
    pub items: Vec<AppealSummaryDto>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// For PATCH bodies: a field left out is `None`, a field sent as `null` is `Some(None)`.
pub fn nullable<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}
