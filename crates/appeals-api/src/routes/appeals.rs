//! ОЛ-1: register, list, read, edit, history.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use appeals_db::rows::{NewAppealRow, NewApplicantRow};
use appeals_db::{repo, write_tx};
use appeals_domain::cards::{
    AddressBlock, AppealCard, ApplicantCard, Authorship, ComplaintTarget, Contacts, FillMode,
    NewAppeal, PersonBlock, PersonCategory, Talon,
};
use appeals_domain::deadline;
use appeals_domain::dictionary::{AppealKind, DictionaryName, DocumentType};
use appeals_domain::ident::{Bin, Iin, Kato};
use appeals_domain::lifecycle::AppealState;
use appeals_domain::regnum::AppealNumber;

use crate::actions::if_match;
use crate::auth::{Auth, CardEditors, Readers, Registrars};
use crate::dedup::{PreparedCheck, run_check};
use crate::dto::{
    Address, AppealDto, AppealListQuery, AppealPage, ApplicantCategory, ApplicantInput,
    ComplaintInput, EventDto, PatchAppeal, RegisterAppeal,
};
use crate::error::{ApiError, ApiResult, FieldError, ProblemType};
use crate::extract::ValidatedJson;
use crate::pagination::PageRequest;
use crate::rules::Rules;
use crate::state::AppState;
use crate::workflow::{self, AppealDetails, CardParts};
use appeals_service::cards::read;
use appeals_service::idempotency;

/// Everything computed before the registering transaction (no database needed).
struct Prepared {
    new_appeal: NewAppeal,
    body: RegisterAppeal,
    review_due: chrono::NaiveDate,
    forward_due: chrono::NaiveDate,
    transfer_due: Option<chrono::NaiveDate>,
    registration_date: chrono::NaiveDate,
    received_after_cutoff: bool,
    calendar_version: String,
    letter_category: &'static str,
    /// Signature and keys for the duplicate check (p.13), computed outside the transaction;
    /// `None` only when a benchmark switched the check off.
    dedup: Option<PreparedCheck>,
}

/// The З-1 address block of an address given in a registration body.
pub fn address_block(a: &Address) -> AddressBlock {
    AddressBlock {
        region: a.region.clone(),
        district: a.district.clone(),
        settlement_kato: a.settlement_kato.clone(),
        street: a.street.clone(),
        house: a.house.clone(),
        flat: a.flat.clone(),
        postal_code: a.postal_code.clone(),
    }
}

pub(crate) fn check_address(a: &Address, pointer: &str, errors: &mut Vec<FieldError>) {
    if let Some(kato) = &a.settlement_kato
        && let Err(e) = Kato::parse(kato)
    {
        errors.push(FieldError {
            pointer: format!("{pointer}/settlement_kato"),
            detail: domain_reason(e),
        });
    }
}

/// Requisite 4 (IIN/BIN, R47/R48), a name or an identifier, and the address of one applicant.
pub(crate) fn check_applicant(a: &ApplicantInput, pointer: &str, errors: &mut Vec<FieldError>) {
    if let Some(id) = &a.iin_bin {
        let parsed = match a.category {
            ApplicantCategory::Individual => Iin::parse(id).map(|_| ()),
            ApplicantCategory::LegalEntity => Bin::parse(id).map(|_| ()),
        };
        if let Err(e) = parsed {
            errors.push(FieldError {
                pointer: format!("{pointer}/iin_bin"),
                detail: domain_reason(e),
            });
        }
    }
    match a.category {
        ApplicantCategory::Individual if a.surname.is_none() && a.iin_bin.is_none() => {
            errors.push(FieldError {
                pointer: format!("{pointer}/surname"),
                detail: "an individual applicant needs a surname or an IIN".to_owned(),
            })
        }
        ApplicantCategory::LegalEntity if a.company_name.is_none() && a.iin_bin.is_none() => errors
            .push(FieldError {
                pointer: format!("{pointer}/company_name"),
                detail: "a legal-entity applicant needs a name or a BIN".to_owned(),
            }),
        _ => {}
    }
    if let Some(address) = &a.address {
        check_address(address, &format!("{pointer}/address"), errors);
    }
}

pub(crate) fn domain_reason(e: appeals_domain::DomainError) -> String {
    match e {
        appeals_domain::DomainError::Invalid { reason, .. } => reason,
        other => other.to_string(),
    }
}

/// The applicant's name for the duplicate check and З-1 lists: the company name of a legal
/// entity, else surname, first name, patronymic.
pub fn full_name(a: &ApplicantInput) -> Option<String> {
    match a.category {
        ApplicantCategory::LegalEntity => a.company_name.clone(),
        ApplicantCategory::Individual => {
            let parts: Vec<&str> = [&a.surname, &a.first_name, &a.patronymic]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        }
    }
}

/// Validates the whole body at once (every invalid field is reported) and computes the dates.
fn prepare(
    rules: &Rules,
    body: RegisterAppeal,
    subject_id: i64,
    now: chrono::DateTime<chrono::Utc>,
    with_duplicate_check: bool,
) -> Result<Prepared, ApiError> {
    let mut errors = Vec::new();
    let document_type = {
        let mut field = |pointer: &str, detail: String| {
            errors.push(FieldError {
                pointer: pointer.to_owned(),
                detail,
            })
        };
        let document_type = match rules
            .dictionary(DictionaryName::DocumentTypes)?
            .require_active(&body.document_type)
        {
            Ok(entry) => match DocumentType::from_entry(entry) {
                Ok(t) => Some(t),
                Err(e) => {
                    field("#/document_type", domain_reason(e));
                    None
                }
            },
            Err(_) => {
                field(
                    "#/document_type",
                    format!(
                        "`{}` is not an active code of the `document_types` dictionary",
                        body.document_type
                    ),
                );
                None
            }
        };
        let mut check_code =
            |name: DictionaryName, code: &str, pointer: &str| match rules.dictionary(name) {
                Ok(book) if book.require_active(code).is_ok() => {}
                _ => field(
                    pointer,
                    format!("`{code}` is not an active code of the `{name}` dictionary"),
                ),
            };
        check_code(
            DictionaryName::ReceiptForms,
            &body.receipt_form,
            "#/receipt_form",
        );
        check_code(DictionaryName::Languages, &body.language, "#/language");
        if let Some(source) = &body.receipt_source {
            check_code(DictionaryName::ReceiptSources, source, "#/receipt_source");
        }
        if let Some(category) = &body.non_accountable_category {
            check_code(
                DictionaryName::NonAccountableCategories,
                category,
                "#/non_accountable_category",
            );
        }
        document_type
    };
    if body.text.trim().is_empty() {
        errors.push(FieldError {
            pointer: "#/text".to_owned(),
            detail: "must not be blank".to_owned(),
        });
    }
    if body.received_at > now + chrono::Duration::minutes(5) {
        errors.push(FieldError {
            pointer: "#/received_at".to_owned(),
            detail: "lies in the future".to_owned(),
        });
    }
    for (i, a) in body.applicants.iter().enumerate() {
        check_applicant(a, &format!("#/applicants/{i}"), &mut errors);
    }
    if let Some(address) = &body.postal_address {
        check_address(address, "#/postal_address", &mut errors);
    }
    if let (Some(complaint), Some(t)) = (&body.complaint, &document_type) {
        let filed_on = complaint_filed_on(rules, body.received_at);
        check_complaint(complaint, t.kind, filed_on, &mut errors);
    }
    let Some(document_type) = document_type else {
        return Err(ApiError::validation(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }

    let calendar = &rules.calendar;
    let receipt = deadline::normalise_receipt(calendar, &rules.deadlines, body.received_at)?;
    let registration_date = receipt.registration_date;
    let review = deadline::review_due(
        calendar,
        &rules.deadlines,
        registration_date,
        document_type.term,
    )?;
    let forward = deadline::forward_due(calendar, &rules.deadlines, registration_date)?;
    let transfer = match &body.non_accountable_category {
        Some(_) => {
            Some(deadline::transfer_due(calendar, &rules.deadlines, registration_date)?.date)
        }
        None => None,
    };
    let has_address =
        body.postal_address.is_some() || body.applicants.iter().any(|a| a.address.is_some());
    let identified = !body.applicants.is_empty()
        && body
            .applicants
            .iter()
            .all(|a| full_name(a).is_some() || a.iin_bin.is_some());
    let letter_category = match body.applicants.first().map(|a| a.category) {
        Some(ApplicantCategory::LegalEntity) => "legal_entity",
        _ => "individual",
    };
    let new_appeal = NewAppeal {
        subject_id: subject_id.to_string(),
        registered_at: appeals_db::now_utc(),
        received_at: body.received_at.naive_utc(),
        fill_mode: FillMode::Integration,
        receipt_form: body.receipt_form.clone(),
        receipt_source: body.receipt_source.clone(),
        language: body.language.clone(),
        document_type,
        tags: body.tags.clone(),
        issue_category: body.issue_category.clone(),
        summary: body.summary.clone().unwrap_or_default(),
        applicants: body.applicants.len(),
        authorship: Authorship {
            author_identified: identified,
            signed: body.signed,
            postal_address_given: has_address,
        },
        reports_crime_or_threat: body.reports_crime_or_threat,
        non_accountable_category: body.non_accountable_category.clone(),
        complaint: None,
    };
    let dedup = if with_duplicate_check {
        Some(PreparedCheck::new(&body, full_name, &rules.dedup)?)
    } else {
        None
    };
    Ok(Prepared {
        new_appeal,
        dedup,
        body,
        review_due: review.date,
        forward_due: forward.date,
        transfer_due: transfer,
        registration_date,
        received_after_cutoff: receipt.after_cutoff,
        calendar_version: review.calendar_version.to_string(),
        letter_category,
    })
}

/// Validates a registration body exactly as `POST /appeals` does and prepares its duplicate check
/// (for `POST /duplicate-checks`, which stores nothing).
pub fn prepare_registration(
    rules: &Rules,
    body: RegisterAppeal,
    subject_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<PreparedCheck, ApiError> {
    prepare(rules, body, subject_id, now, true)?
        .dedup
        .ok_or_else(|| ApiError::internal("duplicate check not prepared"))
}

pub(crate) fn applicant_card(
    card: &AppealCard,
    ordinal: u32,
    a: &ApplicantInput,
    postal: Option<&Address>,
) -> Result<ApplicantCard, ApiError> {
    let category = match a.category {
        ApplicantCategory::Individual => PersonCategory::Individual,
        ApplicantCategory::LegalEntity => PersonCategory::LegalEntity,
    };
    let mut z1 = ApplicantCard::new(card, ordinal, category, a.iin_bin.clone())?;
    if a.category == ApplicantCategory::Individual {
        z1.person = Some(PersonBlock {
            surname: a.surname.clone(),
            first_name: a.first_name.clone(),
            patronymic: a.patronymic.clone(),
            ..PersonBlock::default()
        });
    } else {
        z1.company = Some(appeals_domain::cards::CompanyBlock {
            name: a.company_name.clone(),
            ..Default::default()
        });
    }
    if let Some(address) = &a.address {
        z1.address = address_block(address);
    }
    z1.postal_address_in_appeal = postal.map(address_block);
    z1.contacts = Contacts {
        mobile_phone: a.mobile_phone.clone(),
        work_home_phone: None,
        email: a.email.clone(),
    };
    Ok(z1)
}

/// R43: the day a complaint was filed — the local date it was received (the three months of APPK
/// art. 92 run to the applicant's filing, not to a registration date moved by R7/R8).
fn complaint_filed_on(
    rules: &Rules,
    received_at: chrono::DateTime<chrono::Utc>,
) -> chrono::NaiveDate {
    rules.local_time(received_at).date()
}

/// R42, R43: what can be checked of a complaint block without the database — the kind it goes
/// with and its dates. `filed_on` is the local day the complaint was received.
fn check_complaint(
    complaint: &ComplaintInput,
    kind: AppealKind,
    filed_on: chrono::NaiveDate,
    errors: &mut Vec<FieldError>,
) {
    let mut field = |pointer: &str, detail: String| {
        errors.push(FieldError {
            pointer: pointer.to_owned(),
            detail,
        })
    };
    if kind != AppealKind::Complaint {
        field(
            "#/complaint",
            "only a complaint (a document type of kind `complaint`) appeals an act".to_owned(),
        );
    }
    if complaint.appealed_subject_matter.trim().is_empty() {
        field(
            "#/complaint/appealed_subject_matter",
            "must not be blank".to_owned(),
        );
    }
    if complaint.learned_on.is_some_and(|d| d > filed_on) {
        field(
            "#/complaint/learned_on",
            format!("is after the day the complaint was received ({filed_on})"),
        );
    }
}

/// R42, R43: the complaint's target as stored. The appealed appeal is looked up by its number among
/// the cards the user may read (a complaint is filed through the body whose act is appealed, APPK
/// art. 91), so the stored number is the card's own.
fn complaint_target(
    conn: &mut appeals_db::DbConn,
    principal: &crate::auth::Principal,
    complaint: &ComplaintInput,
    filed_on: chrono::NaiveDate,
) -> Result<ComplaintTarget, ApiError> {
    let appealed = match &complaint.appealed_registration_number {
        Some(number) => {
            let unknown = || {
                ApiError::invalid_field(
                    "#/complaint/appealed_registration_number",
                    format!("no appeal `{number}` is visible to your subject"),
                )
            };
            let found = repo::appeals::find_by_number(conn, number.trim())?.ok_or_else(unknown)?;
            let row = workflow::load_card(conn, principal, found.id).map_err(|_| unknown())?;
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

/// The registering transaction. `precheck` is the duplicate check made just before it (no lock
/// held); it is completed here with whatever was registered meanwhile. Everything that can fail
/// on input comes before the number is taken; after it, only the writes.
fn register_tx(
    conn: &mut appeals_db::DbConn,
    rules: &Rules,
    principal: &crate::auth::Principal,
    prepared: Prepared,
    lookups: Vec<Option<crate::applicants::Lookup>>,
    precheck: Option<crate::dedup::CheckOutcome>,
) -> Result<AppealDto, ApiError> {
    {
        let (user, subject) =
            repo::users::get_with_subject(conn, principal.user_id, principal.subject_id)?;
        if let Some(addressee) = prepared.body.addressee_subject_id {
            repo::subjects::find_by_id(conn, addressee)?.ok_or_else(|| {
                ApiError::invalid_field("#/addressee_subject_id", "no such subject")
            })?;
        }
        let (surname, first, patronymic) = appeals_service::accounts::acceptor_name_of(user);
        let mut new_appeal = prepared.new_appeal.clone();
        if let Some(complaint) = &prepared.body.complaint {
            let filed_on = complaint_filed_on(rules, prepared.body.received_at);
            new_appeal.complaint = Some(complaint_target(conn, principal, complaint, filed_on)?);
        }
        // p.13: the check runs before registration; its verdict is as of this transaction —
        // the same person's concurrent registrations wait here for each other (PostgreSQL).
        if let Some(dedup) = &prepared.dedup {
            repo::duplicates::lock_identities(conn, &dedup.identity_locks)?;
        }
        let check = match (&prepared.dedup, precheck) {
            (Some(dedup), Some(pre)) => Some(pre.catch_up(conn, dedup, &rules.dedup)?),
            (Some(dedup), None) => Some(run_check(conn, dedup, &rules.dedup, None)?),
            (None, _) => None,
        };
        let duplicate_of = check
            .as_ref()
            .and_then(|c| c.duplicate_of())
            .map(|c| c.card.id);
        let counter = repo::numbering::next(conn, rules.numbering)?;
        let year = chrono::Datelike::year(&prepared.registration_date);
        let number = rules.number_format.issue(
            &rules.letter_index,
            prepared.letter_category,
            year,
            u64::try_from(counter).map_err(ApiError::internal)?,
        )?;
        let appeal_number = AppealNumber::Main(number);
        let markings = rules.dictionary(DictionaryName::Markings)?;
        let review_due = prepared.review_due;
        let card =
            AppealCard::register(new_appeal, appeal_number.clone(), markings, |_| review_due)?;
        let state = AppealState::registered(appeal_number.clone());
        let registered_local = rules.local_time(workflow::utc(card.registered_at));
        let talon = Talon::issue(
            appeal_number.clone(),
            &subject.name_ru,
            registered_local,
            &surname,
            &first,
            patronymic.as_deref(),
        )?;
        let details = AppealDetails {
            calendar_version: prepared.calendar_version.clone(),
            talon: Some(appeals_service::cards::parts::StoredTalon::of(&talon)),
            received_after_cutoff: prepared.received_after_cutoff,
            postal_address: prepared.body.postal_address.as_ref().map(address_block),
            forwarded_late: false,
            final_act_on: None,
            correction: None,
        };
        let now = card.registered_at;
        let mut applicant_rows = Vec::new();
        for (i, a) in prepared.body.applicants.iter().enumerate() {
            let z1 = applicant_card(
                &card,
                u32::try_from(i + 1).unwrap_or(u32::MAX),
                a,
                prepared.body.postal_address.as_ref(),
            )?;
            // R20: the registry fills the card when it knows requisite 4.
            let z1 = crate::applicants::apply_lookup(z1, lookups.get(i).cloned().flatten());
            applicant_rows.push(NewApplicantRow {
                appeal_id: 0,
                ordinal: i32::try_from(i + 1).unwrap_or(i32::MAX),
                category: match a.category {
                    ApplicantCategory::Individual => "individual".to_owned(),
                    ApplicantCategory::LegalEntity => "legal_entity".to_owned(),
                },
                iin_bin: a.iin_bin.clone(),
                full_name: crate::applicants::card_full_name(&z1.card).or_else(|| full_name(a)),
                card: workflow::to_json(&z1)?,
            });
        }
        let check_dto = check.as_ref().map(crate::dedup::CheckOutcome::to_dto);
        let markings: Vec<String> = card.markings().iter().cloned().collect();
        let new_card = appeals_service::cards::write::NewCard {
            row: NewAppealRow {
                reg_number: appeal_number.to_string(),
                counter,
                main_appeal_id: None,
                part_k: None,
                subject_id: principal.subject_id,
                registered_by_subject_id: principal.subject_id,
                addressee_subject_id: prepared.body.addressee_subject_id,
                status: state.status().code().to_owned(),
                kind: card.kind().code().to_owned(),
                document_type: card.document_type().to_owned(),
                received_at: prepared.new_appeal.received_at,
                registered_at: now,
                registration_date: prepared.registration_date,
                review_due: card.control_date(),
                forward_due: prepared.forward_due,
                transfer_due: prepared.transfer_due,
                is_accountable: card.is_accountable(),
                is_anonymous: card.anonymity.anonymous,
                applicant_count: i32::try_from(prepared.body.applicants.len()).unwrap_or(i32::MAX),
                text: prepared.body.text.clone(),
                card: workflow::to_json(&card)?,
                state: workflow::to_json(&state)?,
                details: workflow::to_json(&details)?,
                duplicate_of,
                version: 1,
                created_by: principal.user_id,
                updated_at: now,
                closed_at: None,
            },
            applicants: applicant_rows,
            tags: card.tags().to_vec(),
            markings: markings.clone(),
        };
        let (row, applicants) = appeals_service::cards::write::create(
            conn,
            principal,
            now,
            new_card,
            |row| {
                serde_json::json!({
                    "registration_number": row.reg_number,
                    "status": row.status,
                    "document_type": row.document_type,
                    "registration_date": row.registration_date,
                    "review_due": row.review_due,
                    "forward_due": row.forward_due,
                    "transfer_due": row.transfer_due,
                    "markings": markings,
                    "is_accountable": row.is_accountable,
                    "complaint": card.complaint(),
                    "duplicate_check": check_dto.as_ref().map(|c| serde_json::json!({
                        "verdict": c.verdict,
                        "duplicate_of": row.duplicate_of,
                        "candidates": c.candidates.iter().map(|c| serde_json::json!({
                            "appeal_id": c.appeal_id, "verdict": c.verdict, "similarity": c.similarity,
                        })).collect::<Vec<_>>(),
                    })),
                })
            },
        )?;
        if let Some(dedup) = &prepared.dedup {
            dedup.store(conn, row.id)?;
        }
        for candidate in check.iter().flat_map(|c| &c.candidates) {
            let verdict = crate::dedup::VerdictDto::from(candidate.score.verdict);
            if verdict == crate::dedup::VerdictDto::New {
                continue;
            }
            repo::duplicates::insert_link(
                conn,
                &appeals_db::rows::NewDuplicateLinkRow {
                    appeal_id: row.id,
                    other_appeal_id: candidate.card.id,
                    verdict: verdict.code().to_owned(),
                    similarity: Some(candidate.score.similarity),
                    containment: Some(candidate.score.containment),
                    decided_by: "engine".to_owned(),
                    reason: None,
                    created_at: now,
                    created_by: None,
                },
            )?;
        }
        let mut dto = workflow::view_of(&row, subject, applicants)?;
        dto.duplicate_check = check_dto;
        Ok(dto)
    }
}

fn created(dto: &AppealDto) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/appeals/{}", dto.id)))
        .insert_header((header::ETAG, workflow::etag(dto.version)))
        .json(dto)
}

/// Register an appeal, message, request, response or proposal.
///
/// The server fills ОЛ-1 requisites 1, 2, 3, 5, 9, 10, 13 (R19): the registration number from the
/// through counter (`{INDEX}-{YYYY}-{NNNNNNNN}`, R3), the registration date normalised to the
/// working-day calendar (a non-working day or a time after 18:30 local moves it, R7/R8), the
/// review and forwarding deadlines, markings (ҰЖ for two or more applicants, R9) and the talon
/// (R6). Send `Idempotency-Key` to make retries safe. Invalid input stores nothing.
#[utoipa::path(
    tag = "appeals",
    request_body = RegisterAppeal,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of registering twice")),
    responses(
        (status = 201, description = "Registered; `Location` names the card", body = AppealDto,
         headers(("Location" = String, description = "/api/v1/appeals/{id}"), ("ETag" = String, description = "Card version"))),
    )
)]
#[post("/appeals")]
pub async fn register(
    state: web::Data<AppState>,
    auth: Auth<Registrars>,
    req: HttpRequest,
    ValidatedJson(body): ValidatedJson<RegisterAppeal>,
) -> ApiResult<HttpResponse> {
    let idem = crate::actions::idempotency(&req, &body)?;
    let rules = state.rules();
    let principal = auth.principal.clone();
    let prepared = prepare(
        &rules,
        body,
        principal.subject_id,
        chrono::Utc::now(),
        state.duplicate_check_on_registration,
    )?;
    // R20: registry lookups happen before the transaction (a slow registry holds no locks) and
    // never fail the registration.
    let lookups =
        crate::applicants::RegistryLookups::start(&state, &prepared.body.applicants).await?;
    let dto = state
        .db(move |conn| {
            let lookups = lookups.finish(conn);
            let user_id = principal.user_id;
            // A retry skips the duplicate check: the first response is replayed.
            if let Some(replayed) = idempotency::replay(conn, user_id, idem.as_ref())? {
                return Ok(replayed);
            }
            // p.13: the costly part of the duplicate check (lookups, verification) runs here,
            // before the transaction, so registrations do not wait for each other's checks;
            // `register_tx` adds what was registered in between.
            let precheck = match &prepared.dedup {
                Some(dedup) => Some(run_check(conn, dedup, &rules.dedup, None)?),
                None => None,
            };
            idempotency::once(conn, user_id, idem, appeals_db::now_utc(), |conn| {
                register_tx(conn, &rules, &principal, prepared, lookups, precheck)
            })
            .map(idempotency::Once::into_inner)
        })
        .await?;
    Ok(created(&dto))
}

/// List appeals (newest first, cursor-paginated), as JSON or as CSV.
///
/// Users see their own subject's cards; analysts of the authorized body see all subjects and may
/// filter by `subject_id`. With `Accept: text/csv` the same page comes as a CSV document (UTF-8 with
/// a byte-order mark; one row per card, columns named like the JSON fields, several values in a
/// cell joined by `; `), pages of up to 1,000 rows (default 1,000), and the next page's address in
/// `Link: <…>; rel="next"`.
#[utoipa::path(
    tag = "appeals",
    params(AppealListQuery),
    responses((status = 200, content(
        (AppealPage = "application/json"),
        (String = "text/csv", example = "id,registration_number,main_appeal_id,…\r\n42,ЖТ-2026-00000042,,…")
    ), headers(("Link" = String, description = "CSV only: the next page, `rel=\"next\"`"))))
)]
#[get("/appeals")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    req: HttpRequest,
    query: web::Query<AppealListQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let csv = wants_csv(&req);
    let page_request = if csv {
        PageRequest::parse_bounded(q.limit, q.cursor.as_deref(), CSV_PAGE, CSV_PAGE)?
    } else {
        PageRequest::parse(q.limit, q.cursor.as_deref())?
    };
    let filter = read::ListAppeals {
        subject_id: q.subject_id,
        status: q.status,
        kind: q.kind,
        registered_from: q.from,
        registered_to: q.to,
        applicant_iin_bin: q.iin_bin,
        reg_number: q.registration_number,
        tag: q.tag,
        marking: q.marking,
        overdue: q.overdue.unwrap_or(false),
        transfer_overdue: q.transfer_overdue.unwrap_or(false),
        deemed_refusal: q.deemed_refusal.unwrap_or(false),
        before_id: page_request.cursor_id,
        limit: page_request.fetch(),
    };
    let ctx = state.ctx(&auth);
    let mut views = state
        .run(move |conn| read::list(conn, &ctx, filter))
        .await?;
    let next_cursor = page_request.cut(&mut views, |v| v.row.id);
    let items = views
        .into_iter()
        .map(|v| workflow::view_of(&v.row, v.subject, v.applicants))
        .collect::<Result<Vec<_>, _>>()?;
    let page = AppealPage { items, next_cursor };
    if !csv {
        return Ok(HttpResponse::Ok().json(page));
    }
    let document = crate::csv_export::appeals_csv(&page.items)?;
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"appeals.csv\"",
        ));
    if let Some(cursor) = &page.next_cursor {
        res.insert_header((header::LINK, next_page_link(&req, cursor)));
    }
    Ok(res.body(document))
}

/// Rows per CSV page (the JSON list keeps 1–200).
const CSV_PAGE: i64 = 1000;

/// Whether the client asked for CSV (`Accept: text/csv`, parameters allowed).
fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|media| {
            media
                .split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case(crate::csv_export::TEXT_CSV))
        })
}

/// The same request with `cursor` set to the next page's, as an RFC 8288 link.
fn next_page_link(req: &HttpRequest, cursor: &str) -> String {
    let mut query: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("cursor="))
        .collect();
    let next = format!("cursor={cursor}");
    query.push(&next);
    format!("<{}?{}>; rel=\"next\"", req.path(), query.join("&"))
}

/// Read one card (ОЛ-1 with its З-1 cards, deadlines and talon). `ETag` carries the version.
///
/// With `If-None-Match` naming the current `ETag` (or `*`) the answer is `304 Not Modified` with no
/// body: a client that polls a card reads it again only when it changed.
#[utoipa::path(
    tag = "appeals",
    params(("If-None-Match" = Option<String>, Header, description = "ETags the client holds; the current one gives 304")),
    responses(
        (status = 200, body = AppealDto, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the ETag sent", headers(("ETag" = String))),
    )
)]
#[get("/appeals/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    req: HttpRequest,
    path: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let held = if_none_match(&req);
    let ctx = state.ctx(&auth);
    let read = state
        .run(move |conn| read::card(conn, &ctx, id, |v| held.matches(v)))
        .await?;
    Ok(match read {
        read::CardRead::Card(view) => {
            let dto = workflow::view_of(&view.row, view.subject, view.applicants)?;
            HttpResponse::Ok()
                .insert_header((header::ETAG, workflow::etag(dto.version)))
                .json(dto)
        }
        read::CardRead::NotModified(version) => HttpResponse::NotModified()
            .insert_header((header::ETAG, workflow::etag(version)))
            .finish(),
    })
}

/// The versions named by `If-None-Match` (RFC 9110 §13.1.2: weak comparison, `*` for any).
#[derive(Debug, Default)]
struct HeldVersions {
    any: bool,
    versions: Vec<i64>,
}

impl HeldVersions {
    fn matches(&self, version: i64) -> bool {
        self.any || self.versions.contains(&version)
    }
}

fn if_none_match(req: &HttpRequest) -> HeldVersions {
    let mut held = HeldVersions::default();
    for value in req.headers().get_all(header::IF_NONE_MATCH) {
        for tag in value.to_str().unwrap_or_default().split(',') {
            let tag = tag.trim();
            if tag == "*" {
                held.any = true;
            } else if let Some(v) = workflow::version_of_etag(tag) {
                held.versions.push(v);
            }
        }
    }
    held
}

/// Edit requisites of ОЛ-1.
///
/// Requires `If-Match` with the current `ETag` (428 without it, 412 when stale). Changing
/// requisite 8 `document_type` requires `tags` (p.4 part 4, R12 → 422 otherwise) and recomputes
/// requisites 9 (term) and 13 (review deadline) (R19). The registration number never changes (R2).
#[utoipa::path(
    tag = "appeals",
    request_body = PatchAppeal,
    params(("If-Match" = String, Header, description = "ETag of the version being edited")),
    responses(
        (status = 200, body = AppealDto, headers(("ETag" = String))),
        (status = 412, description = "Stale `If-Match`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` missing", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/appeals/{id}")]
pub async fn patch_one(
    state: web::Data<AppState>,
    auth: Auth<CardEditors>,
    req: HttpRequest,
    path: web::Path<i64>,
    ValidatedJson(body): ValidatedJson<PatchAppeal>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let is_empty = body.document_type.is_none()
        && body.tags.is_none()
        && body.summary.is_none()
        && body.issue_category.is_none()
        && body.language.is_none()
        && body.receipt_form.is_none()
        && body.addressee_subject_id.is_none()
        && body.complaint.is_none();
    if is_empty {
        return Err(ApiError::invalid_field("#", "the body changes nothing"));
    }
    if let Some(code) = &body.language {
        state
            .rules()
            .require_code(DictionaryName::Languages, code, "#/language")?;
    }
    if let Some(code) = &body.receipt_form {
        state
            .rules()
            .require_code(DictionaryName::ReceiptForms, code, "#/receipt_form")?;
    }
    let new_type = match &body.document_type {
        Some(code) => Some(
            DocumentType::lookup(
                state.rules().dictionary(DictionaryName::DocumentTypes)?,
                code,
            )
            .map_err(|_| {
                ApiError::invalid_field(
                    "#/document_type",
                    format!("`{code}` is not an active document type"),
                )
            })?,
        ),
        None => None,
    };
    let rules = state.rules();
    let principal = auth.principal.clone();
    let dto = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let row = workflow::load_card(conn, &principal, id)?;
                if row.version != expected {
                    return Err(ApiError::new(
                        ProblemType::PreconditionFailed,
                        format!(
                            "The card is at version {}, not {expected}; reload it.",
                            row.version
                        ),
                    ));
                }
                let mut parts = CardParts::of(&row)?;
                let complaint_before = parts.card.complaint().cloned();
                let mut before = serde_json::Map::new();
                let mut after = serde_json::Map::new();
                let mut action = "updated";
                if let Some(new_type) = &new_type {
                    let registration_date = row.registration_date;
                    let mut computed = Ok(row.review_due);
                    let change = parts.card.change_document_type(
                        new_type,
                        body.tags.clone().unwrap_or_default(),
                        &principal.user_id.to_string(),
                        appeals_db::now_utc(),
                        |term| {
                            computed = deadline::review_due(
                                &rules.calendar,
                                &rules.deadlines,
                                registration_date,
                                term,
                            )
                            .map(|d| d.date);
                            computed.clone().unwrap_or(registration_date)
                        },
                    )?;
                    computed?;
                    before.insert(
                        "document_type".into(),
                        serde_json::json!(change.old_document_type),
                    );
                    before.insert("term".into(), serde_json::json!(change.old_term));
                    before.insert(
                        "review_due".into(),
                        serde_json::json!(change.old_control_date),
                    );
                    after.insert(
                        "document_type".into(),
                        serde_json::json!(change.new_document_type),
                    );
                    after.insert("term".into(), serde_json::json!(change.new_term));
                    after.insert(
                        "review_due".into(),
                        serde_json::json!(change.new_control_date),
                    );
                    after.insert("tags".into(), serde_json::json!(change.tags));
                    action = "document_type_changed";
                } else if body.tags.is_some() {
                    return Err(ApiError::invalid_field(
                        "#/tags",
                        "tags are entered together with a change of `document_type` (p.4 part 4)",
                    ));
                }
                let mut set = |name: &str, old: serde_json::Value, new: serde_json::Value| {
                    if old != new {
                        before.insert(name.into(), old);
                        after.insert(name.into(), new);
                    }
                };
                if let Some(v) = &body.summary {
                    set(
                        "summary",
                        serde_json::json!(parts.card.summary),
                        serde_json::json!(v),
                    );
                    parts.card.summary = v.clone();
                }
                if let Some(v) = &body.issue_category {
                    set(
                        "issue_category",
                        serde_json::json!(parts.card.issue_category),
                        serde_json::json!(v),
                    );
                    parts.card.issue_category = Some(v.clone());
                }
                if let Some(v) = &body.language {
                    set(
                        "language",
                        serde_json::json!(parts.card.language),
                        serde_json::json!(v),
                    );
                    parts.card.language = v.clone();
                }
                if let Some(v) = &body.receipt_form {
                    set(
                        "receipt_form",
                        serde_json::json!(parts.card.receipt_form),
                        serde_json::json!(v),
                    );
                    parts.card.receipt_form = v.clone();
                }
                if let Some(complaint) = &body.complaint {
                    let filed_on = complaint_filed_on(&rules, workflow::utc(row.received_at));
                    let mut errors = Vec::new();
                    check_complaint(complaint, parts.card.kind(), filed_on, &mut errors);
                    if !errors.is_empty() {
                        return Err(ApiError::validation(errors));
                    }
                    let target = complaint_target(conn, &principal, complaint, filed_on)?;
                    parts.card.set_complaint_target(target)?;
                }
                // R42: a new target, or one dropped with a change of kind, is kept in the event.
                set(
                    "complaint",
                    serde_json::json!(complaint_before),
                    serde_json::json!(parts.card.complaint()),
                );
                let mut next = parts.apply_to(&row)?;
                if let Some(addressee) = body.addressee_subject_id {
                    repo::subjects::find_by_id(conn, addressee)?.ok_or_else(|| {
                        ApiError::invalid_field("#/addressee_subject_id", "no such subject")
                    })?;
                    set(
                        "addressee_subject_id",
                        serde_json::json!(row.addressee_subject_id),
                        serde_json::json!(addressee),
                    );
                    next.addressee_subject_id = Some(addressee);
                }
                let markings: Vec<String> = parts.card.markings().iter().cloned().collect();
                repo::appeals::replace_tags_and_markings(
                    conn,
                    row.id,
                    parts.card.tags(),
                    &markings,
                )?;
                let saved = workflow::commit_change(
                    conn,
                    &principal,
                    &row,
                    next,
                    action,
                    Some(serde_json::Value::Object(before)),
                    Some(serde_json::Value::Object(after)),
                )?;
                workflow::view(conn, &saved)
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, workflow::etag(dto.version)))
        .json(dto))
}

/// Recompute the card's history chain (for auditors).
///
/// Every event must follow the previous one (`seq` + 1, `prev_hash` = its hash) and hash to its
/// stored content; the first event that does not is reported. Whoever may read the card may verify
/// it (404 otherwise). `appeals audit verify` does the same for every card.
#[utoipa::path(tag = "appeals", responses((status = 200, body = crate::dto::HistoryVerificationDto)))]
#[get("/appeals/{id}/history/verification")]
pub async fn verify_history(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<crate::dto::HistoryVerificationDto>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let check = state
        .run(move |conn| read::verify_history(conn, &ctx, id))
        .await?;
    Ok(web::Json(crate::dto::HistoryVerificationDto {
        appeal_id: id,
        events_checked: check.checked,
        intact: check.broken.is_none(),
        broken: check.broken.map(|b| crate::dto::BrokenLinkDto {
            seq: b.seq,
            event_id: b.event_id,
            reason: b.reason,
        }),
        head_hash: check.head_hash,
    }))
}

/// The card's history: every action as a hash-chained event (oldest first).
#[utoipa::path(tag = "appeals", responses((status = 200, body = Vec<EventDto>)))]
#[get("/appeals/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    auth: Auth<Readers>,
    path: web::Path<i64>,
) -> ApiResult<web::Json<Vec<EventDto>>> {
    let id = path.into_inner();
    let ctx = state.ctx(&auth);
    let events = state.run(move |conn| read::history(conn, &ctx, id)).await?;
    let parse = |s: &Option<String>| s.as_deref().and_then(|v| serde_json::from_str(v).ok());
    Ok(web::Json(
        events
            .iter()
            .map(|e| EventDto {
                seq: e.seq,
                occurred_at: workflow::utc(e.occurred_at),
                actor_user_id: e.actor_user_id,
                actor_subject_id: e.actor_subject_id,
                action: e.action.clone(),
                before: parse(&e.before),
                after: parse(&e.after),
                prev_hash: e.prev_hash.clone(),
                hash: e.hash.clone(),
            })
            .collect(),
    ))
}
