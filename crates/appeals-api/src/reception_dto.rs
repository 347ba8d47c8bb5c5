//! Personal reception on the wire: the bodies of the reception routes and the views they return.

use appeals_domain::cards::{PersonCategory, ReceptionKind, ReceptionResult, Residency, Sex};
use appeals_service::receptions::{self, ReceptionView, SlotView};
use appeals_service::views::{ReceptionEventRow, ScheduleRow};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::dto::{ApplicantCategory, EventDto, SubjectRef};
use crate::error::ApiError;

/// The person who applies for reception (ЛП-1 requisites 7–22).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceptionPersonInput {
    /// Requisite 7: `individual` (default) or `legal_entity` (its representative).
    pub category: Option<ApplicantCategory>,
    /// Requisite 8: `resident` or `non_resident`.
    #[schema(value_type = Option<String>, example = "resident")]
    pub residency: Option<Residency>,
    /// Requisite 9: `male` or `female`.
    #[schema(value_type = Option<String>, example = "male")]
    pub sex: Option<Sex>,
    /// Requisite 10: IIN, 12 digits with its check digit (R47, R48).
    #[schema(example = "921029350851")]
    pub iin: Option<String>,
    /// Requisite 11.
    #[validate(length(min = 1, max = 200))]
    #[schema(example = "Ахметов", min_length = 1, max_length = 200)]
    pub surname: String,
    /// Requisite 12.
    #[validate(length(min = 1, max = 200))]
    #[schema(example = "Ерлан", min_length = 1, max_length = 200)]
    pub first_name: String,
    /// Requisite 13.
    #[validate(length(max = 500))]
    pub occupation: Option<String>,
    /// Requisite 14: a code of `nationalities`.
    pub nationality: Option<String>,
    /// Requisite 15: a code of `citizenships`.
    #[schema(example = "kz")]
    pub citizenship: Option<String>,
    /// Requisite 16.
    pub birth_date: Option<NaiveDate>,
    /// Requisite 17: a code of `age_bands`.
    pub age_band: Option<String>,
    /// Requisite 18: a code of `social_statuses`, required before the reception is held (R25).
    #[schema(example = "employed")]
    pub social_status: Option<String>,
    /// Requisites 19–22.
    #[validate(length(max = 500))]
    pub registered_address: Option<String>,
    #[validate(length(max = 500))]
    pub actual_address: Option<String>,
    #[validate(length(max = 50))]
    pub home_work_phone: Option<String>,
    #[validate(length(max = 50))]
    #[schema(example = "+77011234567")]
    pub mobile_phone: Option<String>,
}

/// An application for personal reception (`POST /api/v1/receptions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"person": {"iin": "921029350851", "surname": "Ахметов", "first_name": "Ерлан",
    "social_status": "employed", "mobile_phone": "+77011234567"},
    "issue_nature": "improvement", "kind": "offline", "out_of_schedule": false}))]
pub struct ApplyForReception {
    #[validate(nested)]
    pub person: ReceptionPersonInput,
    /// Requisite 23 «Характер вопроса»: a code of `reception_issue_natures`.
    #[validate(length(max = 100))]
    #[schema(example = "improvement")]
    pub issue_nature: Option<String>,
    /// Requisite 6: `online` or `offline`.
    #[schema(value_type = String, example = "offline")]
    pub kind: ReceptionKind,
    /// Requisite 5: received out of schedule (needs no slot).
    #[serde(default)]
    pub out_of_schedule: bool,
    /// The application's id in the system it came from (eOtinish, a front office): a second card
    /// for the same reference is a 409 (R26).
    #[validate(length(min = 1, max = 200))]
    pub source_reference: Option<String>,
}

impl ApplyForReception {
    pub fn into_command(
        self,
        idem: Option<appeals_service::idempotency::Idem>,
        lookup: appeals_service::applicants::RegistryLookups,
    ) -> receptions::Apply {
        let p = self.person;
        receptions::Apply {
            person: receptions::Person {
                category: p.category.map(PersonCategory::from),
                residency: p.residency,
                sex: p.sex,
                iin: p.iin,
                surname: p.surname,
                first_name: p.first_name,
                occupation: p.occupation,
                nationality: p.nationality,
                citizenship: p.citizenship,
                birth_date: p.birth_date,
                age_band: p.age_band,
                social_status: p.social_status,
                registered_address: p.registered_address,
                actual_address: p.actual_address,
                home_work_phone: p.home_work_phone,
                mobile_phone: p.mobile_phone,
            },
            issue_nature: self.issue_nature,
            kind: self.kind,
            out_of_schedule: self.out_of_schedule,
            source_reference: self.source_reference,
            idem,
            lookup,
        }
    }
}

/// The slot a reception holds.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HeldSlotDto {
    /// Local time (UTC+5) the slot starts.
    #[schema(value_type = String, example = "2026-03-17T10:00:00")]
    pub starts_at: NaiveDateTime,
    /// Whether the applicant confirmed it.
    pub confirmed: bool,
}

/// A reception card: the application and its ЛП-1 (`card`, the 36 requisites).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 7, "registration_number": "ЖТ-2026-00000043",
    "subject": {"id": 1, "code": "AKIMAT-ALA", "name_ru": "Аппарат акима города Алматы"},
    "status": "booked", "queue_number": 1, "queued_on": "2026-12-07", "out_of_schedule": false,
    "official_user_id": 3, "slot": {"starts_at": "2026-12-08T10:00:00", "confirmed": false},
    "markings": ["personal_reception"], "source_reference": null,
    "registered_at": "2026-12-07T04:15:00Z", "version": 2,
    "card": {"application": "ЖТ-2026-00000043", "card_number": "ЖТ-2026-00000043",
        "queue_number": "1", "queued_on": "2026-12-07", "out_of_schedule": false,
        "reception_kind": "offline", "person_category": "individual", "iin": "921029350851",
        "surname": "Ахметов", "first_name": "Ерлан", "social_status": "employed",
        "issue_nature": "improvement", "presiding_official": "3",
        "reception_decision": "registered_for_reception", "reception_date": "2026-12-08",
        "reception_time": "10:00:00", "place_kato": "751110000",
        "place_addressee": "Аппарат акима г. Алматы, приемная, каб. 101"}}))]
pub struct ReceptionDto {
    pub id: i64,
    /// Requisite 2, from the through numbering (R3).
    #[schema(example = "ЖТ-2026-00000043")]
    pub registration_number: String,
    /// Requisite 1.
    pub subject: SubjectRef,
    /// `queued`, `booked`, `refused`, `held` or `not_held`.
    #[schema(example = "queued")]
    pub status: String,
    /// Requisites 3–4.
    pub queue_number: i64,
    pub queued_on: NaiveDate,
    /// Requisite 5.
    pub out_of_schedule: bool,
    /// Requisite 24: the presiding official (user id), once a slot is given.
    pub official_user_id: Option<i64>,
    pub slot: Option<HeldSlotDto>,
    /// «ЖҚ» (R10) and any other markings.
    pub markings: Vec<String>,
    pub source_reference: Option<String>,
    pub registered_at: DateTime<Utc>,
    /// The card version (`ETag`).
    pub version: i64,
    /// The ЛП-1 card as stored: each requisite under its field name.
    #[schema(value_type = Object)]
    pub card: serde_json::Value,
}

impl ReceptionDto {
    pub fn of(v: ReceptionView) -> Result<Self, ApiError> {
        Ok(Self {
            id: v.row.id,
            registration_number: v.row.reg_number.clone(),
            subject: SubjectRef {
                id: v.subject.id,
                code: v.subject.code,
                name_ru: v.subject.name_ru,
            },
            status: v.row.status,
            queue_number: v.row.queue_number,
            queued_on: v.row.queued_on,
            out_of_schedule: v.row.out_of_schedule,
            official_user_id: v.row.official_user_id,
            slot: v.row.slot_starts_at.map(|starts_at| HeldSlotDto {
                starts_at,
                confirmed: v.row.slot_confirmed,
            }),
            markings: v.card.markings.iter().cloned().collect(),
            source_reference: v.row.source_reference,
            registered_at: v.row.registered_at.and_utc(),
            version: v.row.version,
            card: serde_json::to_value(&v.card).map_err(ApiError::internal)?,
        })
    }
}

/// A page of reception cards, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReceptionPage {
    pub items: Vec<ReceptionDto>,
    pub next_cursor: Option<String>,
}

/// Filters of `GET /api/v1/receptions`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReceptionListQuery {
    /// Subject id (within what the caller may read).
    pub subject_id: Option<i64>,
    /// `queued`, `booked`, `refused`, `held`, `not_held`.
    pub status: Option<String>,
    /// The presiding official (requisite 24).
    pub official_user_id: Option<i64>,
    /// Put in the queue on or after (YYYY-MM-DD).
    pub from: Option<NaiveDate>,
    /// Put in the queue on or before (YYYY-MM-DD).
    pub to: Option<NaiveDate>,
    pub out_of_schedule: Option<bool>,
    /// Requisite 6: `online` or `offline`.
    #[param(value_type = Option<String>)]
    pub kind: Option<ReceptionKind>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// `GET /api/v1/receptions/queue`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// The day (YYYY-MM-DD, local); default today.
    pub date: Option<NaiveDate>,
}

/// The day's queue of the caller's subject, in queue order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReceptionQueue {
    pub date: NaiveDate,
    pub items: Vec<ReceptionDto>,
}

/// The history of a reception card, with the verification of its chain.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"intact": true, "broken_event_id": null, "events": [{"seq": 1,
    "occurred_at": "2026-12-07T04:15:00Z", "actor_user_id": 6, "actor_subject_id": 1,
    "action": "registered", "before": null, "after": {"registration_number": "ЖТ-2026-00000043",
    "status": "queued", "queue_number": 1}, "prev_hash": "0000000000000000000000000000000000000000000000000000000000000000",
    "hash": "9f2c…"}]}))]
pub struct ReceptionHistoryDto {
    /// Every event follows the previous one and hashes to its content.
    pub intact: bool,
    /// The first event that does not, if any.
    pub broken_event_id: Option<i64>,
    pub events: Vec<EventDto>,
}

impl ReceptionHistoryDto {
    pub fn of(events: Vec<ReceptionEventRow>, broken: Option<i64>) -> Self {
        Self {
            intact: broken.is_none(),
            broken_event_id: broken,
            events: events.iter().map(|e| crate::dto::event_dto!(e)).collect(),
        }
    }
}

/// A slot to give a reception (`POST /api/v1/receptions/{id}/booking`).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"schedule_id": 1, "starts_at": "2026-03-17T10:00:00"}))]
pub struct BookingBody {
    pub schedule_id: i64,
    /// Local time (UTC+5) a free slot of the schedule starts.
    #[schema(value_type = String, example = "2026-03-17T10:00:00")]
    pub starts_at: NaiveDateTime,
}

/// A refusal of reception (requisite 25 «отказано», 36 the reason).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Вопрос не относится к компетенции руководителя; разъяснен порядок обращения"}))]
pub struct RefusalBody {
    #[validate(length(min = 1, max = 4000))]
    pub reason: String,
}

/// The outcome of a reception (`POST /api/v1/receptions/{id}/outcome`): held (requisites 26–29,
/// 31–33 and the result are required, R25) or not held (36 is required).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"held": true, "date": "2026-03-17", "time": "10:00:00", "place_kato": "751110000",
    "place_addressee": "Акимат г. Алматы, каб. 301", "held_by_user_id": 3, "secretary": "Петрова А.С.",
    "present": "Ахметов Е.", "protocol_language": "state", "result": "explained",
    "comment_for_applicant": "Ремонт двора включен в план на май"}))]
pub struct OutcomeBody {
    /// Whether the reception took place.
    pub held: bool,
    /// Requisite 26 (default: the slot's day).
    pub date: Option<NaiveDate>,
    /// Requisite 27, local time (default: the slot's time).
    #[schema(value_type = Option<String>, example = "10:00:00")]
    pub time: Option<NaiveTime>,
    /// Requisite 28: the place's KATO code (default: the schedule's).
    pub place_kato: Option<String>,
    /// Requisite 29 (default: the schedule's).
    #[validate(length(max = 500))]
    pub place_addressee: Option<String>,
    /// Requisite 31: the head or deputy head who actually held it.
    pub held_by_user_id: Option<i64>,
    /// Requisite 32.
    #[validate(length(max = 300))]
    pub secretary: Option<String>,
    /// Requisite 33.
    #[validate(length(max = 2000))]
    pub present: Option<String>,
    /// Requisite 34 (a `languages` code).
    pub protocol_language: Option<String>,
    /// `satisfied`, `refused` or `explained` (held only).
    #[schema(value_type = Option<String>, example = "explained")]
    pub result: Option<ReceptionResult>,
    /// Requisite 30.
    #[validate(length(max = 4000))]
    pub comment_for_applicant: Option<String>,
    /// Requisite 35.
    #[validate(length(max = 4000))]
    pub comment: Option<String>,
    /// Requisite 36 (not held).
    #[validate(length(max = 4000))]
    pub not_held_reason: Option<String>,
    /// Requisite 10, when the application came without it.
    pub iin: Option<String>,
    /// Requisite 18 (a `social_statuses` code), when the application came without it.
    pub social_status: Option<String>,
}

impl OutcomeBody {
    pub fn into_command(
        self,
        reception_id: i64,
        expected_version: Option<i64>,
    ) -> receptions::Outcome {
        receptions::Outcome {
            reception_id,
            expected_version,
            held: self.held,
            date: self.date,
            time: self.time,
            place_kato: self.place_kato,
            place_addressee: self.place_addressee,
            held_by_user_id: self.held_by_user_id,
            secretary: self.secretary,
            present: self.present,
            protocol_language: self.protocol_language,
            result: self.result,
            comment_for_applicant: self.comment_for_applicant,
            comment: self.comment,
            not_held_reason: self.not_held_reason,
            iin: self.iin,
            social_status: self.social_status,
        }
    }
}

/// A reception schedule of a head or deputy head (`POST /api/v1/reception-schedules`).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"official_user_id": 3, "weekdays": [2, 5], "starts": "10:00", "ends": "12:00",
    "slot_minutes": 30, "place_kato": "751110000", "place_addressee": "Акимат г. Алматы, каб. 301",
    "online": false, "valid_from": "2026-01-01"}))]
pub struct ScheduleBody {
    pub official_user_id: i64,
    /// ISO weekdays, 1 (Monday) to 7 (Sunday).
    #[validate(length(min = 1, max = 7))]
    pub weekdays: Vec<u32>,
    /// Local time the first slot starts, `HH:MM`.
    #[schema(example = "10:00")]
    pub starts: String,
    /// Local time the last slot ends by, `HH:MM`.
    #[schema(example = "12:00")]
    pub ends: String,
    /// 5–240.
    pub slot_minutes: u32,
    /// Requisite 28: KATO code of the place.
    pub place_kato: String,
    /// Requisite 29.
    #[validate(length(min = 1, max = 500))]
    pub place_addressee: String,
    /// Requisite 6 of the receptions it offers.
    #[serde(default)]
    pub online: bool,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// A stored reception schedule.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 1, "subject_id": 1, "official_user_id": 3, "weekdays": [2, 5],
    "starts": "10:00", "ends": "12:00", "slot_minutes": 30, "place_kato": "751110000",
    "place_addressee": "Акимат г. Алматы, каб. 301", "online": false, "valid_from": "2026-01-01",
    "valid_to": null}))]
pub struct ScheduleDto {
    pub id: i64,
    pub subject_id: i64,
    pub official_user_id: i64,
    pub weekdays: Vec<u32>,
    pub starts: String,
    pub ends: String,
    pub slot_minutes: i32,
    pub place_kato: String,
    pub place_addressee: String,
    pub online: bool,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

impl From<ScheduleRow> for ScheduleDto {
    fn from(r: ScheduleRow) -> Self {
        Self {
            id: r.id,
            subject_id: r.subject_id,
            official_user_id: r.official_user_id,
            weekdays: r
                .weekdays
                .split(',')
                .filter_map(|d| d.trim().parse().ok())
                .collect(),
            starts: r.starts,
            ends: r.ends,
            slot_minutes: r.slot_minutes,
            place_kato: r.place_kato,
            place_addressee: r.place_addressee,
            online: r.online,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
        }
    }
}

/// `GET /api/v1/reception-schedules/{id}/slots`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotsQuery {
    /// First day (YYYY-MM-DD, local).
    pub from: NaiveDate,
    /// Last day, less than 62 days after `from`.
    pub to: NaiveDate,
}

/// One slot of a schedule.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SlotDto {
    #[schema(value_type = String, example = "2026-03-17T10:00:00")]
    pub starts_at: NaiveDateTime,
    #[schema(value_type = String, example = "2026-03-17T10:30:00")]
    pub ends_at: NaiveDateTime,
    /// Not yet given to a reception.
    pub free: bool,
}

/// The slots of a schedule on the working days of a window (none on a day off).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"schedule": {"id": 1, "subject_id": 1, "official_user_id": 3,
    "weekdays": [2, 5], "starts": "10:00", "ends": "11:00", "slot_minutes": 30,
    "place_kato": "751110000", "place_addressee": "Каб. 301", "online": false,
    "valid_from": "2026-01-01", "valid_to": null},
    "slots": [{"starts_at": "2027-01-15T10:00:00", "ends_at": "2027-01-15T10:30:00", "free": false},
              {"starts_at": "2027-01-15T10:30:00", "ends_at": "2027-01-15T11:00:00", "free": true}]}))]
pub struct SlotsDto {
    pub schedule: ScheduleDto,
    pub slots: Vec<SlotDto>,
}

impl From<SlotView> for SlotDto {
    fn from(v: SlotView) -> Self {
        Self {
            starts_at: v.slot.starts_at,
            ends_at: v.slot.ends_at,
            free: v.free,
        }
    }
}

/// Corrections of a reception card (`PATCH /api/v1/receptions/{id}`): requisites 6, 7–22, 23;
/// absent fields stay as they are.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"surname": "Ахметова", "social_status": "pensioner", "issue_nature": "housing_utilities"}))]
pub struct PatchReception {
    #[schema(value_type = Option<String>, example = "online")]
    pub kind: Option<ReceptionKind>,
    pub issue_nature: Option<String>,
    pub category: Option<ApplicantCategory>,
    #[schema(value_type = Option<String>)]
    pub residency: Option<Residency>,
    #[schema(value_type = Option<String>)]
    pub sex: Option<Sex>,
    pub iin: Option<String>,
    #[validate(length(min = 1, max = 200))]
    pub surname: Option<String>,
    #[validate(length(min = 1, max = 200))]
    pub first_name: Option<String>,
    #[validate(length(max = 500))]
    pub occupation: Option<String>,
    pub nationality: Option<String>,
    pub citizenship: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub age_band: Option<String>,
    pub social_status: Option<String>,
    #[validate(length(max = 500))]
    pub registered_address: Option<String>,
    #[validate(length(max = 500))]
    pub actual_address: Option<String>,
    #[validate(length(max = 50))]
    pub home_work_phone: Option<String>,
    #[validate(length(max = 50))]
    pub mobile_phone: Option<String>,
}

impl PatchReception {
    pub fn into_command(
        self,
        reception_id: i64,
        expected_version: i64,
    ) -> receptions::EditReception {
        receptions::EditReception {
            reception_id,
            expected_version,
            kind: self.kind,
            issue_nature: self.issue_nature,
            category: self.category.map(PersonCategory::from),
            residency: self.residency,
            sex: self.sex,
            iin: self.iin,
            surname: self.surname,
            first_name: self.first_name,
            occupation: self.occupation,
            nationality: self.nationality,
            citizenship: self.citizenship,
            birth_date: self.birth_date,
            age_band: self.age_band,
            social_status: self.social_status,
            registered_address: self.registered_address,
            actual_address: self.actual_address,
            home_work_phone: self.home_work_phone,
            mobile_phone: self.mobile_phone,
        }
    }
}

/// The end of a schedule (`PATCH /api/v1/reception-schedules/{id}`).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"valid_to": "2027-06-30"}))]
pub struct EndSchedule {
    /// The last day the schedule gives slots.
    pub valid_to: NaiveDate,
}
