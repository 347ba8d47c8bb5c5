//! Row structs: what a table stores, as diesel reads and writes it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{subjects, users};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = subjects, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct SubjectRow {
    pub id: i64,
    pub code: String,
    pub name_ru: String,
    pub name_kk: Option<String>,
    pub parent_id: Option<i64>,
    pub kato_code: Option<String>,
    pub is_authorized_body: bool,
    pub created_at: NaiveDateTime,
    /// The subject's row code in report 1-ОЛ (its `code` when empty).
    pub report_row_code: Option<String>,
    /// Deactivated subjects keep their cards; their users' tokens stop working.
    pub is_active: bool,
    /// Whether approvals must carry an EDS signature (`None`: the deployment's default).
    pub signature_required: Option<bool>,
    /// The organisation's BIN (an access application must be signed for it).
    pub bin: Option<String>,
    /// Publishes its appeals' status and dates through the Open311 facade.
    pub open311_public: bool,
    /// The level in a hierarchy of bodies (`appeals_domain::hierarchy::HierarchyLevel` code;
    /// issue 21); `None`: not placed — routing and signing rules by level do not apply.
    pub hierarchy_level: Option<String>,
    /// p.18 part 2, p.19: the structural unit that considers its call-centre appeals.
    pub appeals_unit_id: Option<i64>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = subjects)]
pub struct NewSubjectRow {
    pub code: String,
    pub name_ru: String,
    pub name_kk: Option<String>,
    pub parent_id: Option<i64>,
    pub kato_code: Option<String>,
    pub is_authorized_body: bool,
    pub created_at: NaiveDateTime,
    /// The subject's row code in report 1-ОЛ (its `code` when empty).
    pub report_row_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub subject_id: i64,
    pub full_name: Option<String>,
    /// Comma-separated role codes.
    pub roles: String,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    /// Tokens carry the generation they were issued in; a newer one revokes them.
    pub token_generation: i64,
    pub failed_logins: i32,
    pub locked_until: Option<NaiveDateTime>,
    /// Keyed hash of the person's IIN (to match an EDS signer), never the IIN itself.
    pub iin_hash: Option<String>,
    pub position: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUserRow {
    pub username: String,
    pub password_hash: String,
    pub subject_id: i64,
    pub full_name: Option<String>,
    pub roles: String,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub iin_hash: Option<String>,
    pub position: Option<String>,
}

/// One login attempt on an existing account.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::login_events, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct LoginEventRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub occurred_at: NaiveDateTime,
    pub user_id: i64,
    pub outcome: String,
}

/// An access application signed with an EDS (Rules p.25).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = crate::schema::access_requests, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct AccessRequestRow {
    pub id: i64,
    pub subject_id: i64,
    pub status: String,
    pub submitted_at: NaiveDateTime,
    pub signed_original: Vec<u8>,
    pub application: String,
    pub signer_name: String,
    pub signer_iin_hash: String,
    pub signer_bin: String,
    pub signed_at: Option<NaiveDateTime>,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<i64>,
    pub decision_reason: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = crate::schema::access_requests)]
pub struct NewAccessRequestRow {
    pub subject_id: i64,
    pub status: String,
    pub submitted_at: NaiveDateTime,
    pub signed_original: Vec<u8>,
    pub application: String,
    pub signer_name: String,
    pub signer_iin_hash: String,
    pub signer_bin: String,
    pub signed_at: Option<NaiveDateTime>,
}

/// A detached CMS signature over the canonical document of an approval or an answer.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = crate::schema::signatures, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct SignatureRow {
    pub id: i64,
    pub appeal_id: i64,
    pub purpose: String,
    pub target_id: i64,
    pub document: String,
    pub signature: Vec<u8>,
    pub signer_user_id: i64,
    pub signer_name: String,
    pub signed_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = crate::schema::signatures)]
pub struct NewSignatureRow {
    pub appeal_id: i64,
    pub purpose: String,
    pub target_id: i64,
    pub document: String,
    pub signature: Vec<u8>,
    pub signer_user_id: i64,
    pub signer_name: String,
    pub signed_at: NaiveDateTime,
}

use crate::schema::{
    appeal_applicants, appeal_events, appeals, decision_cards, forwardings, idempotency_keys,
};
use chrono::NaiveDate;

/// An ОЛ-1 card row. `card`, `state` and `details` are JSON of the domain types; the other columns
/// duplicate what lists filter and order on.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = appeals, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct AppealRow {
    pub id: i64,
    pub reg_number: String,
    pub counter: i64,
    pub main_appeal_id: Option<i64>,
    pub part_k: Option<i32>,
    pub subject_id: i64,
    pub registered_by_subject_id: i64,
    pub addressee_subject_id: Option<i64>,
    pub status: String,
    pub kind: String,
    pub document_type: String,
    pub received_at: NaiveDateTime,
    pub registered_at: NaiveDateTime,
    pub registration_date: NaiveDate,
    pub review_due: NaiveDate,
    pub forward_due: NaiveDate,
    pub transfer_due: Option<NaiveDate>,
    pub is_accountable: bool,
    pub is_anonymous: bool,
    pub applicant_count: i32,
    pub text: String,
    pub card: String,
    pub state: String,
    pub details: String,
    pub duplicate_of: Option<i64>,
    pub version: i64,
    pub created_by: i64,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    /// The approval in progress (`lifecycle::Pending` code), for the work lists.
    pub pending: Option<String>,
    /// The executor the card was routed to, for the work lists.
    pub executor_user_id: Option<i64>,
    /// An act was entered on a later day than its stated date (the auditors' filter).
    pub entered_late: bool,
}

/// The columns of a card a list screen shows (the summary view of a list page): everything but
/// the text, the life-cycle state and the details; `card` for the short content, tags and markings.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = appeals, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct AppealSummaryRow {
    pub id: i64,
    pub reg_number: String,
    pub main_appeal_id: Option<i64>,
    pub part_k: Option<i32>,
    pub subject_id: i64,
    pub status: String,
    pub kind: String,
    pub document_type: String,
    pub received_at: NaiveDateTime,
    pub registration_date: NaiveDate,
    pub review_due: NaiveDate,
    pub forward_due: NaiveDate,
    pub transfer_due: Option<NaiveDate>,
    pub is_accountable: bool,
    pub is_anonymous: bool,
    pub applicant_count: i32,
    pub card: String,
    pub duplicate_of: Option<i64>,
    pub version: i64,
    pub closed_at: Option<NaiveDateTime>,
    pub pending: Option<String>,
    pub executor_user_id: Option<i64>,
    pub entered_late: bool,
}

/// A new ОЛ-1 row (the id comes from the database).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = appeals, treat_none_as_default_value = false)]
pub struct NewAppealRow {
    pub reg_number: String,
    pub counter: i64,
    pub main_appeal_id: Option<i64>,
    pub part_k: Option<i32>,
    pub subject_id: i64,
    pub registered_by_subject_id: i64,
    pub addressee_subject_id: Option<i64>,
    pub status: String,
    pub kind: String,
    pub document_type: String,
    pub received_at: NaiveDateTime,
    pub registered_at: NaiveDateTime,
    pub registration_date: NaiveDate,
    pub review_due: NaiveDate,
    pub forward_due: NaiveDate,
    pub transfer_due: Option<NaiveDate>,
    pub is_accountable: bool,
    pub is_anonymous: bool,
    pub applicant_count: i32,
    pub text: String,
    pub card: String,
    pub state: String,
    pub details: String,
    pub duplicate_of: Option<i64>,
    pub version: i64,
    pub created_by: i64,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    /// What the card waits for (`acceptance` for a forwarded part; an approval stage).
    pub pending: Option<String>,
}

/// The mutable part of an ОЛ-1 row, written together with a version check.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = appeals, treat_none_as_null = true)]
pub struct AppealChange {
    pub subject_id: i64,
    pub status: String,
    pub kind: String,
    pub document_type: String,
    pub review_due: NaiveDate,
    pub forward_due: NaiveDate,
    pub transfer_due: Option<NaiveDate>,
    pub is_accountable: bool,
    pub applicant_count: i32,
    pub text: String,
    pub card: String,
    pub state: String,
    pub details: String,
    pub duplicate_of: Option<i64>,
    pub version: i64,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub pending: Option<String>,
    pub executor_user_id: Option<i64>,
    pub entered_late: bool,
}

impl AppealRow {
    /// The change that writes this row's current mutable values (after editing a copy).
    pub fn to_change(&self) -> AppealChange {
        AppealChange {
            subject_id: self.subject_id,
            status: self.status.clone(),
            kind: self.kind.clone(),
            document_type: self.document_type.clone(),
            review_due: self.review_due,
            forward_due: self.forward_due,
            transfer_due: self.transfer_due,
            is_accountable: self.is_accountable,
            applicant_count: self.applicant_count,
            text: self.text.clone(),
            card: self.card.clone(),
            state: self.state.clone(),
            details: self.details.clone(),
            duplicate_of: self.duplicate_of,
            version: self.version,
            updated_at: self.updated_at,
            closed_at: self.closed_at,
            pending: self.pending.clone(),
            executor_user_id: self.executor_user_id,
            entered_late: self.entered_late,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = appeal_applicants, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct ApplicantRow {
    pub id: i64,
    pub appeal_id: i64,
    pub ordinal: i32,
    pub category: String,
    pub iin_bin: Option<String>,
    pub full_name: Option<String>,
    pub card: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = appeal_applicants, treat_none_as_default_value = false)]
pub struct NewApplicantRow {
    pub appeal_id: i64,
    pub ordinal: i32,
    pub category: String,
    pub iin_bin: Option<String>,
    pub full_name: Option<String>,
    pub card: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = appeal_events, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct EventRow {
    pub id: i64,
    pub appeal_id: i64,
    pub seq: i32,
    pub occurred_at: NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub actor_subject_id: Option<i64>,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = appeal_events, treat_none_as_default_value = false)]
pub struct NewEventRow {
    pub appeal_id: i64,
    pub seq: i32,
    pub occurred_at: NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub actor_subject_id: Option<i64>,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = decision_cards, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct DecisionCardRow {
    pub id: i64,
    pub appeal_id: i64,
    pub seq: i32,
    pub card_kind: String,
    pub card: String,
    pub created_at: NaiveDateTime,
    pub created_by: i64,
    /// JSON of the facts beside the card (answer text, cancellation reason, due date, lateness).
    pub details: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = decision_cards)]
pub struct NewDecisionCardRow {
    pub appeal_id: i64,
    pub seq: i32,
    pub card_kind: String,
    pub card: String,
    pub created_at: NaiveDateTime,
    pub created_by: i64,
    pub details: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = forwardings, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct ForwardingRow {
    pub id: i64,
    pub appeal_id: i64,
    pub to_subject_id: i64,
    pub part_appeal_id: Option<i64>,
    pub scope: String,
    pub details: String,
    pub is_late: bool,
    pub forwarded_at: NaiveDateTime,
    pub created_by: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = forwardings)]
pub struct NewForwardingRow {
    pub appeal_id: i64,
    pub to_subject_id: i64,
    pub part_appeal_id: Option<i64>,
    pub scope: String,
    pub details: String,
    pub is_late: bool,
    pub forwarded_at: NaiveDateTime,
    pub created_by: i64,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct IdempotencyRow {
    pub user_id: i64,
    pub idem_key: String,
    pub request_hash: String,
    pub status: i32,
    pub response: String,
    pub created_at: NaiveDateTime,
}

use crate::schema::registry_records;

/// A record of the local registry copy (R20). `data` is JSON of the domain `RegistryRecord`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = registry_records, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct RegistryRow {
    pub iin_bin: String,
    /// `individual` or `legal_entity`.
    pub category: String,
    pub data: String,
    pub source: String,
    pub imported_at: NaiveDateTime,
}

use crate::schema::{admin_events, calendar_overrides, dictionary_entries};

/// One entry of a reference book; `attributes` is JSON of the entry's remaining fields.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = dictionary_entries, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct DictionaryEntryRow {
    pub dictionary: String,
    pub code: String,
    pub position: i32,
    pub label_ru: String,
    pub label_kk: String,
    pub attributes: String,
    pub active: bool,
}

/// The stored overrides of one calendar year (`data` is a JSON array of overrides).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendar_overrides, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct CalendarOverridesRow {
    pub year: i32,
    pub data: String,
    pub version: i64,
    pub updated_at: NaiveDateTime,
    pub updated_by: Option<i64>,
}

/// One audited administrative change.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = admin_events, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct AdminEventRow {
    pub id: i64,
    pub occurred_at: NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = admin_events)]
pub struct NewAdminEventRow {
    pub occurred_at: NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
}
use crate::schema::{appeal_dedup_signatures, appeal_duplicate_links, duplicate_decisions};

/// The duplicate-check record of one appeal (issue 5): MinHash signature and applicant keys.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = appeal_dedup_signatures, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
#[diesel(treat_none_as_default_value = false)]
pub struct DedupSignatureRow {
    pub appeal_id: i64,
    /// `appeals_domain::dedup::Signature::to_bytes`.
    pub signature: Vec<u8>,
    /// JSON of `Vec<appeals_domain::dedup::ApplicantKey>`.
    pub applicants: String,
    /// `iin:…` / `name:…` of the first applicant; `None` when anonymous.
    pub applicant_identity: Option<String>,
}

/// A duplicate or related link: `appeal_id` (later) → `other_appeal_id` (earlier).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = appeal_duplicate_links, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct DuplicateLinkRow {
    pub id: i64,
    pub appeal_id: i64,
    pub other_appeal_id: i64,
    /// `duplicate` or `related`.
    pub verdict: String,
    pub similarity: Option<f64>,
    pub containment: Option<f64>,
    /// `engine` or `user`.
    pub decided_by: String,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: Option<i64>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = appeal_duplicate_links, treat_none_as_default_value = false)]
pub struct NewDuplicateLinkRow {
    pub appeal_id: i64,
    pub other_appeal_id: i64,
    pub verdict: String,
    pub similarity: Option<f64>,
    pub containment: Option<f64>,
    pub decided_by: String,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: Option<i64>,
}

/// A registrar's override of the engine's verdict (R14).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = duplicate_decisions)]
pub struct NewDuplicateDecisionRow {
    pub appeal_id: i64,
    /// `duplicate`, `related` or `new`.
    pub verdict: String,
    pub original_appeal_id: Option<i64>,
    pub reason: String,
    /// JSON: `duplicate_of` and links before the decision.
    pub previous: String,
    pub decided_at: NaiveDateTime,
    pub decided_by: i64,
}

/// R46: a notice owed to the applicant (`applicant_notifications`).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(
    table_name = crate::schema::applicant_notifications,
    check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite)
)]
pub struct NotificationRow {
    pub id: i64,
    /// The ОЛ-1 card the notice is about, or…
    pub appeal_id: Option<i64>,
    /// …the ЛП-1 card (personal reception).
    pub reception_id: Option<i64>,
    pub subject_id: i64,
    /// `status_changed` or `answer_issued`.
    pub event: String,
    pub status_from: String,
    pub status_to: String,
    /// `answer_issued`: the З-1 ordinal of the applicant the SMS goes to.
    pub applicant_ordinal: Option<i32>,
    /// `answer_issued`: the mobile number on file.
    pub sms_to: Option<String>,
    pub created_at: NaiveDateTime,
    /// `pending`, `delivered` or `failed`.
    pub delivery: String,
    pub reported_at: Option<NaiveDateTime>,
    pub delivery_note: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = crate::schema::applicant_notifications)]
pub struct NewNotificationRow {
    pub appeal_id: Option<i64>,
    pub reception_id: Option<i64>,
    pub subject_id: i64,
    pub event: String,
    pub status_from: String,
    pub status_to: String,
    pub applicant_ordinal: Option<i32>,
    pub sms_to: Option<String>,
    pub created_at: NaiveDateTime,
    pub delivery: String,
}

// ---------------------------------------------------------------------------------------------
// Personal reception (ЛП-1)
// ---------------------------------------------------------------------------------------------

use crate::schema::{reception_bookings, reception_events, reception_schedules, receptions};

/// An application for personal reception and its ЛП-1 card; the columns lists filter on duplicate
/// what the card holds.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = receptions, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct ReceptionRow {
    pub id: i64,
    pub reg_number: String,
    pub counter: i64,
    pub subject_id: i64,
    pub status: String,
    pub queue_number: i64,
    pub queued_on: chrono::NaiveDate,
    pub out_of_schedule: bool,
    pub reception_kind: String,
    pub official_user_id: Option<i64>,
    pub slot_starts_at: Option<NaiveDateTime>,
    pub slot_confirmed: bool,
    pub source_reference: Option<String>,
    pub card: String,
    pub version: i64,
    pub created_by: i64,
    pub registered_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = receptions, treat_none_as_default_value = false)]
pub struct NewReceptionRow {
    pub reg_number: String,
    pub counter: i64,
    pub subject_id: i64,
    pub status: String,
    pub queue_number: i64,
    pub queued_on: chrono::NaiveDate,
    pub out_of_schedule: bool,
    pub reception_kind: String,
    pub official_user_id: Option<i64>,
    pub slot_starts_at: Option<NaiveDateTime>,
    pub slot_confirmed: bool,
    pub source_reference: Option<String>,
    pub card: String,
    pub version: i64,
    pub created_by: i64,
    pub registered_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The columns a change of a reception card writes.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = receptions, treat_none_as_null = true)]
pub struct ReceptionChange {
    pub status: String,
    pub out_of_schedule: bool,
    pub reception_kind: String,
    pub official_user_id: Option<i64>,
    pub slot_starts_at: Option<NaiveDateTime>,
    pub slot_confirmed: bool,
    pub card: String,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

impl ReceptionRow {
    pub fn to_change(&self) -> ReceptionChange {
        ReceptionChange {
            status: self.status.clone(),
            out_of_schedule: self.out_of_schedule,
            reception_kind: self.reception_kind.clone(),
            official_user_id: self.official_user_id,
            slot_starts_at: self.slot_starts_at,
            slot_confirmed: self.slot_confirmed,
            card: self.card.clone(),
            version: self.version,
            updated_at: self.updated_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = reception_events, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct ReceptionEventRow {
    pub id: i64,
    pub reception_id: i64,
    pub seq: i32,
    pub occurred_at: NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub actor_subject_id: Option<i64>,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = reception_events, treat_none_as_default_value = false)]
pub struct NewReceptionEventRow {
    pub reception_id: i64,
    pub seq: i32,
    pub occurred_at: NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub actor_subject_id: Option<i64>,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = reception_schedules, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct ScheduleRow {
    pub id: i64,
    pub subject_id: i64,
    pub official_user_id: i64,
    pub weekdays: String,
    pub starts: String,
    pub ends: String,
    pub slot_minutes: i32,
    pub place_kato: String,
    pub place_addressee: String,
    pub online: bool,
    pub valid_from: chrono::NaiveDate,
    pub valid_to: Option<chrono::NaiveDate>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = reception_schedules, treat_none_as_default_value = false)]
pub struct NewScheduleRow {
    pub subject_id: i64,
    pub official_user_id: i64,
    pub weekdays: String,
    pub starts: String,
    pub ends: String,
    pub slot_minutes: i32,
    pub place_kato: String,
    pub place_addressee: String,
    pub online: bool,
    pub valid_from: chrono::NaiveDate,
    pub valid_to: Option<chrono::NaiveDate>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = reception_bookings, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct BookingRow {
    pub official_user_id: i64,
    pub starts_at: NaiveDateTime,
    pub reception_id: i64,
    pub schedule_id: i64,
    pub booked_at: NaiveDateTime,
}

/// One object of the KATO classifier.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::kato_objects, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct KatoRow {
    pub code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub level: i32,
    pub imported_at: NaiveDateTime,
}

// Integrations (issue 22).

/// One event of the outbox.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = crate::schema::outbox_events, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct OutboxEventRow {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    pub card_id: i64,
    pub subject_id: i64,
    pub occurred_at: NaiveDateTime,
    pub payload: String,
    pub private_payload: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = crate::schema::outbox_events)]
pub struct NewOutboxEventRow {
    pub event_id: String,
    pub event_type: String,
    pub card_id: i64,
    pub subject_id: i64,
    pub occurred_at: NaiveDateTime,
    pub payload: String,
    pub private_payload: Option<String>,
}

/// A webhook subscription.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = crate::schema::webhook_subscriptions, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct SubscriptionRow {
    pub id: i64,
    pub subject_id: i64,
    pub all_subjects: bool,
    pub url: String,
    /// Comma-separated event types; empty = every type.
    pub event_types: String,
    pub secret: String,
    /// `active`, `paused` or `deleted`.
    pub status: String,
    pub cursor: i64,
    pub failing_since: Option<NaiveDateTime>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub attempts: i32,
    pub lease_owner: Option<String>,
    pub lease_until: Option<NaiveDateTime>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = crate::schema::webhook_subscriptions)]
pub struct NewSubscriptionRow {
    pub subject_id: i64,
    pub all_subjects: bool,
    pub url: String,
    pub event_types: String,
    pub secret: String,
    pub status: String,
    pub cursor: i64,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::webhook_deliveries, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct DeliveryRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub subscription_id: i64,
    pub outbox_id: i64,
    pub event_id: String,
    pub attempt: i32,
    /// `delivered`, `failed` (an attempt failed; retried), `parked` (given up; replayable),
    /// `replayed` (a parked event sent again on request).
    pub outcome: String,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub latency_ms: i32,
    pub attempted_at: NaiveDateTime,
}
