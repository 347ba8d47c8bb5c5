//! Forwarding by competence (APPK Art. 65; Rules p.11; R4, R5, R34, R35): a whole appeal moves to
//! the competent subject, or one part of it is registered there as `<main>/<k>`.
//! See docs/forwarding.md for the choices the sources leave open.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use appeals_db::rows::{AppealRow, ForwardingRow, NewAppealRow, NewApplicantRow};
use appeals_db::{DbConn, repo};
use appeals_domain::cards::{ApplicantCard, Talon};
use appeals_domain::deadline;
use appeals_domain::lifecycle::{
    self, AppealState, Command, Effect, ForwardScope, ForwardedTermPolicy,
};
use appeals_domain::regnum::{AppealNumber, PartNumber};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{Auth, Forwarders, Principal, Readers};
use crate::dto::{Deadlines, SubjectRef, TalonDto};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::extract::ValidatedJson;
use crate::routes::appeals::acceptor_name;
use crate::rules::Rules;
use crate::state::AppState;
use crate::workflow::{self, AppealDetails, CardParts};
use appeals_service::cards::parts::StoredTalon;
use appeals_service::cards::write;

/// Full or partial forwarding (APPK Art. 65 parts 1–2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ForwardingScope {
    /// The whole appeal goes to the receiver → «Переадресовано».
    Full,
    /// Some questions go to the receiver as a part `<main>/<k>` → «Переадресовано в части».
    Part,
}

impl ForwardingScope {
    fn domain(self) -> ForwardScope {
        match self {
            ForwardingScope::Full => ForwardScope::Full,
            ForwardingScope::Part => ForwardScope::Part,
        }
    }

    fn code(self) -> &'static str {
        match self {
            ForwardingScope::Full => "full",
            ForwardingScope::Part => "part",
        }
    }

    fn from_code(code: &str) -> Result<Self, ApiError> {
        match code {
            "full" => Ok(ForwardingScope::Full),
            "part" => Ok(ForwardingScope::Part),
            other => Err(ApiError::internal(format!(
                "stored forwarding scope `{other}` is unknown"
            ))),
        }
    }
}

/// A forwarding by competence. For `part`, `questions` lists the questions (requirements)
/// forwarded; they become the part's text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to_subject_id": 7, "scope": "part",
    "questions": ["Ремонт школы № 12 (компетенция управления образования)"],
    "reason": "Вопрос относится к компетенции управления образования"}))]
pub struct ForwardAppeal {
    /// The competent subject that receives the appeal or part.
    pub to_subject_id: i64,
    pub scope: ForwardingScope,
    /// The questions forwarded (required and non-empty for `part`).
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    pub questions: Vec<String>,
    /// Why the receiver is competent (shown in the history).
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// The part registered at the receiver (R4, R5).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ForwardedPartDto {
    /// Id of the part's own card (`GET /api/v1/appeals/{id}`).
    pub id: i64,
    #[schema(example = "ЖТ-2026-00000042/1")]
    pub registration_number: String,
    pub part_k: i32,
    /// The part's current status.
    pub status: String,
    /// Registration date at the receiver.
    pub registration_date: NaiveDate,
    /// The part's own deadlines, counted at the receiver (R35).
    pub deadlines: Deadlines,
    /// Issued by the receiving subject (R5).
    pub talon: Option<TalonDto>,
}

/// A forwarding as recorded.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ForwardingDto {
    pub id: i64,
    /// The forwarded (main) appeal.
    pub appeal_id: i64,
    /// Its registration number, unchanged by forwarding (R2).
    #[schema(example = "ЖТ-2026-00000042")]
    pub registration_number: String,
    pub scope: ForwardingScope,
    /// The subject that forwarded.
    pub from_subject_id: i64,
    pub to_subject: SubjectRef,
    pub questions: Vec<String>,
    pub reason: Option<String>,
    pub forwarded_at: DateTime<Utc>,
    /// Local date of the forwarding (UTC+5), compared with `forward_due`.
    pub forwarded_on: NaiveDate,
    /// The forwarding deadline that applied (R34: 3 working days from receipt).
    pub forward_due: NaiveDate,
    /// Forwarded after `forward_due` (R34).
    pub is_late: bool,
    /// Review deadline at the receiver (the part's, or the whole appeal's after a full forwarding).
    pub receiver_review_due: NaiveDate,
    /// R35 setting applied: `restart_at_receiver` (default) or `keep_original`.
    pub term_policy: String,
    /// For `part`: the part's own card.
    pub part: Option<ForwardedPartDto>,
    pub created_by: i64,
}

/// What `forwardings.details` stores beside the indexed columns.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ForwardingDetails {
    from_subject_id: i64,
    questions: Vec<String>,
    reason: Option<String>,
    forwarded_on: NaiveDate,
    forward_due: NaiveDate,
    receiver_registration_date: NaiveDate,
    receiver_review_due: NaiveDate,
    term_policy: ForwardedTermPolicy,
    part_number: Option<String>,
    /// The lifecycle commands applied, in order (R35).
    commands: Vec<String>,
}

fn policy_code(policy: ForwardedTermPolicy) -> String {
    serde_json::to_value(policy)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Body checks that need no database: every invalid field at once.
fn check_body(body: &ForwardAppeal) -> Result<Vec<String>, ApiError> {
    let mut errors = Vec::new();
    let questions: Vec<String> = body
        .questions
        .iter()
        .map(|q| q.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for (i, q) in questions.iter().enumerate() {
        if q.is_empty() {
            errors.push(FieldError {
                pointer: format!("#/questions/{i}"),
                detail: "must not be blank".to_owned(),
            });
        } else if q.chars().count() > 5000 {
            errors.push(FieldError {
                pointer: format!("#/questions/{i}"),
                detail: "is longer than 5000 characters".to_owned(),
            });
        }
    }
    if body.scope == ForwardingScope::Part && questions.is_empty() {
        errors.push(FieldError {
            pointer: "#/questions".to_owned(),
            detail: "a partial forwarding names the questions it forwards".to_owned(),
        });
    }
    if errors.is_empty() {
        Ok(questions)
    } else {
        Err(ApiError::validation(errors))
    }
}

/// The part's text: the forwarded questions, and where the full text is.
fn part_text(main_number: &str, questions: &[String]) -> String {
    let listed: Vec<String> = questions
        .iter()
        .enumerate()
        .map(|(i, q)| format!("{}. {q}", i + 1))
        .collect();
    format!(
        "Часть обращения № {main_number}, переадресованная по компетенции (ст. 65 АППК).\n\
         Вопросы:\n{}\n\nПолный текст — в обращении № {main_number}.",
        listed.join("\n")
    )
}

/// Input of the forwarding transaction.
struct Request {
    appeal_id: i64,
    body: ForwardAppeal,
    questions: Vec<String>,
    idempotency: Option<appeals_service::idempotency::Idem>,
}

/// Registers the part at the receiver (R4, R5, R35) and returns its row.
// The forwarding transaction hands over what it has already loaded and computed.
#[allow(clippy::too_many_arguments)]
fn register_part(
    conn: &mut DbConn,
    rules: &Rules,
    principal: &Principal,
    main: &AppealRow,
    main_parts: &CardParts,
    receiver: &appeals_db::rows::SubjectRow,
    part_number: PartNumber,
    questions: &[String],
    now: chrono::NaiveDateTime,
    receipt: &deadline::Receipt,
    review: &deadline::Deadline,
    forward_due_at_receiver: NaiveDate,
) -> Result<AppealRow, ApiError> {
    let number = AppealNumber::Part(part_number.clone());
    let card = main_parts.card.forwarded_part(
        part_number.clone(),
        &receiver.id.to_string(),
        now,
        questions.join("; "),
        |_| review.date,
    )?;
    let state = AppealState::registered(number.clone());
    // R5: the talon of a part is issued by the receiving subject; the forwarding user accepted it.
    let (surname, first, patronymic) = acceptor_name(conn, principal.user_id)?;
    let talon = Talon::issue(
        number.clone(),
        &receiver.name_ru,
        rules.local_time(workflow::utc(now)),
        &surname,
        &first,
        patronymic.as_deref(),
    )?;
    let details = AppealDetails {
        calendar_version: review.calendar_version.to_string(),
        talon: Some(StoredTalon::of(&talon)),
        received_after_cutoff: receipt.after_cutoff,
        postal_address: main_parts.details.postal_address.clone(),
        forwarded_late: false,
        final_act_on: None,
        correction: None,
    };
    let transfer_due = match main.transfer_due {
        Some(_) => Some(
            deadline::transfer_due(&rules.calendar, &rules.deadlines, receipt.registration_date)?
                .date,
        ),
        None => None,
    };
    let k = i32::try_from(part_number.k()).map_err(ApiError::internal)?;
    // З-1 copies: requisite 1 is the part's number, requisite 2 its registration (R20).
    let mut applicants = Vec::new();
    for a in repo::appeals::applicants(conn, main.id)? {
        let mut z1: ApplicantCard = workflow::parse_json(&a.card, "applicant card")?;
        z1.appeal_reg_number = number.clone();
        z1.appeal_registered_at = now;
        applicants.push(NewApplicantRow {
            appeal_id: 0,
            ordinal: a.ordinal,
            category: a.category,
            iin_bin: a.iin_bin,
            full_name: a.full_name,
            card: workflow::to_json(&z1)?,
        });
    }
    let markings: Vec<String> = card.markings().iter().cloned().collect();
    let new_part = write::NewCard {
        row: NewAppealRow {
            reg_number: number.to_string(),
            // A part has no number of its own in the through sequence: it shares the main's (R4).
            counter: main.counter,
            main_appeal_id: Some(main.id),
            part_k: Some(k),
            subject_id: receiver.id,
            registered_by_subject_id: receiver.id,
            addressee_subject_id: main.addressee_subject_id,
            status: state.status().code().to_owned(),
            kind: card.kind().code().to_owned(),
            document_type: card.document_type().to_owned(),
            received_at: now,
            registered_at: now,
            registration_date: receipt.registration_date,
            review_due: card.control_date(),
            forward_due: forward_due_at_receiver,
            transfer_due,
            is_accountable: card.is_accountable(),
            is_anonymous: main.is_anonymous,
            applicant_count: main.applicant_count,
            text: part_text(&main.reg_number, questions),
            card: workflow::to_json(&card)?,
            state: workflow::to_json(&state)?,
            details: workflow::to_json(&details)?,
            duplicate_of: None,
            version: 1,
            created_by: principal.user_id,
            updated_at: now,
            closed_at: None,
        },
        applicants,
        tags: card.tags().to_vec(),
        markings: markings.clone(),
    };
    let (part, _) = write::create(conn, principal, now, new_part, |part| {
        serde_json::json!({
            "registration_number": part.reg_number,
            "status": part.status,
            "document_type": part.document_type,
            "registration_date": part.registration_date,
            "review_due": part.review_due,
            "forward_due": part.forward_due,
            "transfer_due": part.transfer_due,
            "markings": markings,
            "is_accountable": part.is_accountable,
            "main_appeal_id": main.id,
            "main_registration_number": main.reg_number,
            "forwarded_by_subject_id": main.subject_id,
            "questions": questions,
        })
    })?;
    Ok(part)
}

fn forward_tx(
    conn: &mut DbConn,
    rules: &Rules,
    principal: &Principal,
    request: &Request,
) -> Result<ForwardingDto, ApiError> {
    {
        let body = &request.body;
        let main = workflow::load_card(conn, principal, request.appeal_id)?;
        if body.to_subject_id == main.subject_id {
            return Err(ApiError::invalid_field(
                "#/to_subject_id",
                "the appeal is already held by this subject",
            ));
        }
        let receiver = repo::subjects::find_by_id(conn, body.to_subject_id)?
            .ok_or_else(|| ApiError::invalid_field("#/to_subject_id", "no such subject"))?;

        // R35: the forwarding letter is drafted, approved and signed; it takes effect at signature.
        let mut parts = CardParts::of(&main)?;
        let commands = [
            Command::StartForwarding {
                scope: body.scope.domain(),
            },
            Command::ApproveForwarding,
            Command::SignForwarding,
        ];
        let mut state = parts.state.clone();
        let mut part_number = None;
        for command in &commands {
            let transition = lifecycle::apply(&state, command)?;
            state = transition.state;
            for effect in transition.effects {
                if let Effect::PartForwarded { part } = effect {
                    part_number = Some(part);
                }
            }
        }

        let now = appeals_db::now_utc();
        let now_utc = workflow::utc(now);
        let calendar = &rules.calendar;
        // R34: late when the local date of the forwarding is after the forwarding deadline.
        let forwarded_on = rules.local_time(now_utc).date();
        let is_late = forwarded_on > main.forward_due;
        // The receiver's receipt is the forwarding itself, normalised like any receipt (R7, R8).
        let receipt = deadline::normalise_receipt(calendar, &rules.deadlines, now_utc)?;
        // R35: where the receiver's review term starts is a setting (default: its own receipt).
        let term_start = rules
            .forwarded_term_policy
            .term_start(main.received_at, now);
        let term_start_date =
            deadline::normalise_receipt(calendar, &rules.deadlines, workflow::utc(term_start))?
                .registration_date;
        let review = deadline::review_due(
            calendar,
            &rules.deadlines,
            term_start_date,
            parts.card.term(),
        )?;
        let forward_due_at_receiver =
            deadline::forward_due(calendar, &rules.deadlines, receipt.registration_date)?.date;

        let part = match &part_number {
            Some(number) => Some(register_part(
                conn,
                rules,
                principal,
                &main,
                &parts,
                &receiver,
                number.clone(),
                &request.questions,
                now,
                &receipt,
                &review,
                forward_due_at_receiver,
            )?),
            None => None,
        };

        // The main card: new status, lateness, and for a full forwarding the new holder and terms.
        let before = serde_json::json!({
            "status": main.status,
            "subject_id": main.subject_id,
            "review_due": main.review_due,
            "forward_due": main.forward_due,
        });
        parts.state = state;
        parts.details.forwarded_late |= is_late;
        if body.scope == ForwardingScope::Full {
            parts.card.restart_review_term(|_| review.date);
            parts.details.calendar_version = review.calendar_version.to_string();
        }
        let mut next = parts.apply_to(&main)?;
        if body.scope == ForwardingScope::Full {
            next.subject_id = receiver.id;
            next.forward_due = forward_due_at_receiver;
        }
        let command_codes: Vec<String> = commands.iter().map(|c| c.code().to_owned()).collect();
        let after = serde_json::json!({
            "status": next.status,
            "scope": body.scope.code(),
            "to_subject_id": receiver.id,
            "subject_id": next.subject_id,
            "part_id": part.as_ref().map(|p| p.id),
            "part_number": part.as_ref().map(|p| p.reg_number.clone()),
            "questions": request.questions,
            "reason": body.reason,
            "forwarded_on": forwarded_on,
            "forward_due": main.forward_due,
            "is_late": is_late,
            "review_due": next.review_due,
            "receiver_review_due": review.date,
            "term_policy": policy_code(rules.forwarded_term_policy),
            "commands": command_codes,
        });
        let saved = workflow::commit_change(
            conn,
            principal,
            &main,
            next,
            "forwarded",
            Some(before),
            Some(after),
        )?;

        let details = ForwardingDetails {
            from_subject_id: main.subject_id,
            questions: request.questions.clone(),
            reason: body.reason.clone(),
            forwarded_on,
            forward_due: main.forward_due,
            receiver_registration_date: receipt.registration_date,
            receiver_review_due: review.date,
            term_policy: rules.forwarded_term_policy,
            part_number: part.as_ref().map(|p| p.reg_number.clone()),
            commands: command_codes,
        };
        let row = repo::forwardings::insert(
            conn,
            &appeals_db::rows::NewForwardingRow {
                appeal_id: saved.id,
                to_subject_id: receiver.id,
                part_appeal_id: part.as_ref().map(|p| p.id),
                scope: body.scope.code().to_owned(),
                details: workflow::to_json(&details)?,
                is_late,
                forwarded_at: now,
                created_by: principal.user_id,
            },
        )?;
        let dto = forwarding_dto(conn, &saved, &row)?;
        Ok(dto)
    }
}

/// The API view of a forwarding of `main` (with the part's current card data).
fn forwarding_dto(
    conn: &mut DbConn,
    main: &AppealRow,
    row: &ForwardingRow,
) -> Result<ForwardingDto, ApiError> {
    let details: ForwardingDetails = workflow::parse_json(&row.details, "forwarding details")?;
    let subject = repo::subjects::get(conn, row.to_subject_id)?;
    let part = match row.part_appeal_id {
        Some(part_id) => {
            let p = repo::appeals::get(conn, part_id)?;
            let part_details: AppealDetails = workflow::parse_json(&p.details, "details")?;
            Some(ForwardedPartDto {
                id: p.id,
                registration_number: p.reg_number.clone(),
                part_k: p.part_k.unwrap_or_default(),
                status: p.status.clone(),
                registration_date: p.registration_date,
                deadlines: Deadlines {
                    review_due: p.review_due,
                    forward_due: p.forward_due,
                    transfer_due: p.transfer_due,
                    calendar_version: part_details.calendar_version,
                },
                talon: part_details.talon.map(TalonDto::from),
            })
        }
        None => None,
    };
    Ok(ForwardingDto {
        id: row.id,
        appeal_id: row.appeal_id,
        registration_number: main.reg_number.clone(),
        scope: ForwardingScope::from_code(&row.scope)?,
        from_subject_id: details.from_subject_id,
        to_subject: SubjectRef {
            id: subject.id,
            code: subject.code,
            name_ru: subject.name_ru,
        },
        questions: details.questions,
        reason: details.reason,
        forwarded_at: workflow::utc(row.forwarded_at),
        forwarded_on: details.forwarded_on,
        forward_due: details.forward_due,
        is_late: row.is_late,
        receiver_review_due: details.receiver_review_due,
        term_policy: policy_code(details.term_policy),
        part,
        created_by: row.created_by,
    })
}

fn created(dto: &ForwardingDto) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/appeals/{}/forwardings/{}", dto.appeal_id, dto.id),
        ))
        .json(dto)
}

/// Forward an appeal, or a part of it, by competence (APPK Art. 65; Rules p.11).
///
/// Takes effect at once: the lifecycle commands `start_forwarding` → `approve_forwarding` →
/// `sign_forwarding` are applied in one transaction (R35; 409 `invalid-transition` when the state
/// does not allow forwarding). `part`: the questions are registered at the receiver as a new card
/// `<main>/<k>` (k = 1, 2, … per main appeal, never reused, R4) with its own deadlines from the
/// receiver's receipt (R35, default `restart_at_receiver`), its own talon issued by the receiver
/// (R5), copies of the applicants, tags and markings; the main appeal becomes `forwarded_in_part`.
/// `full`: the card moves to the receiver (number unchanged, R2; the registering subject keeps read
/// access), its review term restarts there, and it becomes `forwarded`. A forwarding after
/// `forward_due` (3 working days, R34) is flagged `is_late`. `Location` names the forwarding.
#[utoipa::path(
    tag = "forwardings",
    request_body = ForwardAppeal,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of forwarding twice")),
    responses(
        (status = 201, description = "Forwarded; `Location` names the forwarding", body = ForwardingDto,
         headers(("Location" = String, description = "/api/v1/appeals/{id}/forwardings/{forwarding_id}"))),
        (status = 409, description = "The appeal's state does not allow forwarding (`invalid-transition`), a part of a part, or a concurrent change (`conflict`)",
         body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/appeals/{id}/forwardings")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth<Forwarders>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<ForwardAppeal>,
) -> ApiResult<HttpResponse> {
    let appeal_id = path.into_inner();
    let idempotency = crate::actions::idempotency(&req, &body)?;
    let questions = check_body(&body)?;
    let request = Request {
        appeal_id,
        body,
        questions,
        idempotency,
    };
    let rules = state.rules();
    let principal = auth.principal.clone();
    let dto = state
        .db(move |conn| {
            appeals_service::idempotency::once(
                conn,
                principal.user_id,
                request.idempotency.clone(),
                appeals_db::now_utc(),
                |conn| forward_tx(conn, &rules, &principal, &request),
            )
            .map(appeals_service::idempotency::Once::into_inner)
        })
        .await?;
    Ok(created(&dto))
}

/// The forwardings of an appeal (oldest first), each with its part's current card data.
///
/// Readable by the subject that holds the appeal and by the subject that registered it (after a
/// full forwarding they differ).
#[utoipa::path(tag = "forwardings", responses((status = 200, body = Vec<ForwardingDto>)))]
#[get("/appeals/{id}/forwardings")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Vec<ForwardingDto>>> {
    let id = path.into_inner();
    let principal = auth.principal.clone();
    let items = state
        .db(move |conn| {
            let main = workflow::load_card(conn, &principal, id)?;
            repo::forwardings::list_for_appeal(conn, id)?
                .iter()
                .map(|row| forwarding_dto(conn, &main, row))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(web::Json(items))
}

/// One forwarding of an appeal (R34 lateness, R35 term policy, the part for `part`).
#[utoipa::path(tag = "forwardings", responses((status = 200, body = ForwardingDto)))]
#[get("/appeals/{id}/forwardings/{forwarding_id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<(i64, i64)>,
) -> ApiResult<web::Json<ForwardingDto>> {
    let (id, forwarding_id) = path.into_inner();
    let principal = auth.principal.clone();
    let dto = state
        .db(move |conn| {
            let main = workflow::load_card(conn, &principal, id)?;
            let row = repo::forwardings::find(conn, id, forwarding_id)?.ok_or_else(|| {
                ApiError::not_found(format!(
                    "Forwarding {forwarding_id} of appeal {id} does not exist."
                ))
            })?;
            forwarding_dto(conn, &main, &row)
        })
        .await?;
    Ok(web::Json(dto))
}
