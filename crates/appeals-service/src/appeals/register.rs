//! Registration of an appeal, message, request, response or proposal (Rules p.4–p.13): the server
//! fills ОЛ-1 requisites 1, 2, 3, 5, 9, 10, 13 (R19), runs the duplicate check (p.13), issues the
//! talon (R6) and writes the card through the one card write path.

use appeals_db::rows::{NewAppealRow, NewDuplicateLinkRow};
use appeals_db::{DbConn, repo};
use appeals_domain::cards::{AddressBlock, AppealCard, Authorship, FillModes, NewAppeal, Talon};
use appeals_domain::deadline;
use appeals_domain::dedup::Verdict;
use appeals_domain::dictionary::{DictionaryName, DocumentType};
use appeals_domain::events::{CandidateNote, CardOrigin, DuplicateCheckNote, RegisteredCard};
use appeals_domain::lifecycle::AppealState;
use appeals_domain::regnum::AppealNumber;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{
    ComplaintEntry, check_complaint, complaint_filed_on, complaint_target, require_addressee,
};
use crate::accounts;
use crate::actions::CardView;
use crate::applicants::{ApplicantEntry, RegistryLookups, check_address, domain_reason};
use crate::cards::parts::{AppealDetails, StoredTalon, to_json};
use crate::cards::write::{self, NewCard};
use crate::ctx::{Ctx, fail_if_any};
use crate::duplicates::check::{CheckOutcome, CheckSummary, PreparedCheck, run_check};
use crate::error::{AppError, AppResult, FieldIssue};
use crate::idempotency::{self, Idem, Once};

/// A registration as the request states it.
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    /// Requisite 8: a code of the `document_types` dictionary.
    pub document_type: String,
    pub tags: Vec<String>,
    pub applicants: Vec<ApplicantEntry>,
    pub text: String,
    pub summary: Option<String>,
    pub receipt_form: String,
    pub receipt_source: Option<String>,
    pub language: String,
    /// The stated time of receipt (R7/R8 move the registration date from it).
    pub received_at: DateTime<Utc>,
    pub issue_category: Option<String>,
    pub addressee_subject_id: Option<i64>,
    /// p.15: the category of a non-accountable document.
    pub non_accountable_category: Option<String>,
    pub signed: bool,
    pub postal_address: Option<AddressBlock>,
    pub reports_crime_or_threat: bool,
    pub complaint: Option<ComplaintEntry>,
}

/// A registration checked and computed before any database work: the card to register, its
/// dates, and the duplicate check's signature and keys.
#[derive(Debug, Clone)]
pub struct Prepared {
    new_appeal: NewAppeal,
    input: Registration,
    review_due: NaiveDate,
    forward_due: NaiveDate,
    transfer_due: Option<NaiveDate>,
    registration_date: NaiveDate,
    received_after_cutoff: bool,
    calendar_version: String,
    letter_category: &'static str,
    /// p.18 part 2: registered from the call centre (issue 21 point 4).
    call_centre: bool,
    /// R15: why the card is anonymous, under the reading in force.
    anonymity_explanation: Option<String>,
    /// `None` only when a benchmark switched the check off.
    check: Option<PreparedCheck>,
}

impl Prepared {
    pub fn applicants(&self) -> &[ApplicantEntry] {
        &self.input.applicants
    }

    /// The prepared duplicate check (for a dry run, which stores nothing).
    pub fn into_check(self) -> AppResult<PreparedCheck> {
        self.check
            .ok_or_else(|| AppError::corrupt("the duplicate check was not prepared"))
    }
}

/// Checks the whole registration at once (every invalid field is reported, nothing is read from
/// the database) and computes its dates and its duplicate-check signature.
pub fn prepare(ctx: &Ctx, input: Registration, with_duplicate_check: bool) -> AppResult<Prepared> {
    let rules = &ctx.rules;
    let mut issues = Vec::new();
    let document_type = match rules
        .dictionary(DictionaryName::DocumentTypes)?
        .require_active(&input.document_type)
    {
        Ok(entry) => match DocumentType::from_entry(entry) {
            Ok(t) => Some(t),
            Err(e) => {
                issues.push(FieldIssue::new("#/document_type", domain_reason(e)));
                None
            }
        },
        Err(_) => {
            issues.push(FieldIssue::new(
                "#/document_type",
                format!(
                    "`{}` is not an active code of the `document_types` dictionary",
                    input.document_type
                ),
            ));
            None
        }
    };
    let mut check_code =
        |name: DictionaryName, code: &str, pointer: &str| match rules.dictionary(name) {
            Ok(book) if book.require_active(code).is_ok() => {}
            _ => issues.push(FieldIssue::new(
                pointer,
                format!("`{code}` is not an active code of the `{name}` dictionary"),
            )),
        };
    check_code(
        DictionaryName::ReceiptForms,
        &input.receipt_form,
        "#/receipt_form",
    );
    check_code(DictionaryName::Languages, &input.language, "#/language");
    if let Some(source) = &input.receipt_source {
        check_code(DictionaryName::ReceiptSources, source, "#/receipt_source");
    }
    if let Some(category) = &input.non_accountable_category {
        check_code(
            DictionaryName::NonAccountableCategories,
            category,
            "#/non_accountable_category",
        );
    }
    if input.received_at > ctx.now + chrono::Duration::minutes(5) {
        issues.push(FieldIssue::new("#/received_at", "lies in the future"));
    }
    for (i, a) in input.applicants.iter().enumerate() {
        a.check(&format!("#/applicants/{i}"), &mut issues);
    }
    if let Some(address) = &input.postal_address {
        check_address(address, "#/postal_address", &mut issues);
    }
    if let (Some(complaint), Some(t)) = (&input.complaint, &document_type) {
        let filed_on = complaint_filed_on(rules, input.received_at);
        check_complaint(complaint, t.kind, filed_on, &mut issues);
    }
    let Some(document_type) = document_type else {
        return Err(AppError::Validation(issues));
    };
    fail_if_any(issues)?;

    let calendar = &rules.calendar;
    // p.18 part 2: the call centre's appeals are registered at once (no next-day cut-off).
    let call_centre = input
        .receipt_source
        .as_ref()
        .is_some_and(|s| rules.hierarchy.call_centre_sources.contains(s));
    let receipt = if call_centre {
        deadline::normalise_receipt_immediate(calendar, &rules.deadlines, input.received_at)?
    } else {
        deadline::normalise_receipt(calendar, &rules.deadlines, input.received_at)?
    };
    let registration_date = receipt.registration_date;
    let review = deadline::review_due(
        calendar,
        &rules.deadlines,
        registration_date,
        document_type.term,
    )?;
    let forward = deadline::forward_due(calendar, &rules.deadlines, registration_date)?;
    let transfer = match &input.non_accountable_category {
        Some(_) => {
            Some(deadline::transfer_due(calendar, &rules.deadlines, registration_date)?.date)
        }
        None => None,
    };
    let has_address =
        input.postal_address.is_some() || input.applicants.iter().any(|a| a.address.is_some());
    let identified = !input.applicants.is_empty()
        && input
            .applicants
            .iter()
            .all(|a| a.full_name().is_some() || a.iin_bin.is_some());
    let letter_category = match input.applicants.first().map(|a| a.category) {
        Some(appeals_domain::cards::PersonCategory::LegalEntity) => "legal_entity",
        _ => "individual",
    };
    let authorship = Authorship {
        author_identified: identified,
        signed: input.signed,
        postal_address_given: has_address,
    };
    // R15: the reading of p.2(1) «и (или)» is the authorized body's setting; the answer says why.
    let reading = rules.hierarchy.anonymity_reading;
    let anonymity_explanation = reading.explanation(&authorship).map(|why| {
        if input.reports_crime_or_threat {
            format!(
                "{why} It reports a crime or a threat to state or public security: it must be \
                 forwarded to the competent body immediately, the same working day (R15; p.15 of \
                 the Instruction)."
            )
        } else {
            format!(
                "{why} An anonymous appeal is registered but not considered on the merits (R15; \
                 APPK; p.15 of the Instruction)."
            )
        }
    });
    let new_appeal = NewAppeal {
        subject_id: ctx.actor().subject_id.to_string(),
        registered_at: ctx.stored_now(),
        received_at: input.received_at.naive_utc(),
        // R19: the system fills 1–3; the time of receipt and the content come from the caller —
        // a sending information system (`integration` role) or a person typing them in.
        fill_modes: FillModes::of_registration(
            ctx.actor()
                .roles
                .contains(&appeals_domain::access::Role::Integration),
            true,
        ),
        receipt_form: input.receipt_form.clone(),
        receipt_source: input.receipt_source.clone(),
        language: input.language.clone(),
        document_type,
        tags: input.tags.clone(),
        issue_category: input.issue_category.clone(),
        summary: input.summary.clone().unwrap_or_default(),
        applicants: input.applicants.len(),
        authorship,
        reports_crime_or_threat: input.reports_crime_or_threat,
        anonymity_reading: reading,
        non_accountable_category: input.non_accountable_category.clone(),
        complaint: None,
    };
    let check = if with_duplicate_check {
        Some(PreparedCheck::new(
            &input.text,
            &input.applicants,
            &rules.dedup,
        )?)
    } else {
        None
    };
    Ok(Prepared {
        new_appeal,
        check,
        input,
        review_due: review.date,
        forward_due: forward.date,
        transfer_due: transfer,
        registration_date,
        received_after_cutoff: receipt.after_cutoff,
        calendar_version: review.calendar_version.to_string(),
        letter_category,
        call_centre,
        anonymity_explanation,
    })
}

/// A registration to store: prepared, with the registry lookups of its applicants (R20) and the
/// `Idempotency-Key` it came with.
pub struct Register {
    pub prepared: Prepared,
    pub lookups: RegistryLookups,
    pub idem: Option<Idem>,
}

/// The registered card and the duplicate check it passed.
pub struct Registered {
    pub card: CardView,
    pub check: Option<CheckSummary>,
}

/// Registers a card (once per `Idempotency-Key`; a retry gets the first response, `present`
/// turns the result into it). The registry lookups and the costly part of the duplicate check run
/// before the transaction, so registrations do not wait for each other's checks; the transaction
/// completes the check with what was registered in between.
pub fn register<T, E, P>(
    conn: &mut DbConn,
    ctx: &Ctx,
    cmd: Register,
    present: P,
) -> Result<Once<T>, E>
where
    T: Serialize + DeserializeOwned,
    E: From<AppError>,
    P: FnOnce(&mut DbConn, Registered) -> Result<T, E>,
{
    let Register {
        prepared,
        lookups,
        idem,
    } = cmd;
    let user_id = ctx.actor().user_id;
    let lookups = lookups.finish(conn, ctx.stored_now());
    // A retry skips the duplicate check: the first response is replayed.
    if let Some(replayed) = idempotency::replay(conn, user_id, idem.as_ref())? {
        return Ok(Once::Replayed(replayed));
    }
    let precheck = match &prepared.check {
        Some(check) => Some(run_check(conn, check, &ctx.rules.dedup, None)?),
        None => None,
    };
    idempotency::once(conn, user_id, idem, ctx.stored_now(), |conn| {
        let registered = register_tx(conn, ctx, prepared, lookups, precheck)?;
        present(conn, registered)
    })
}

/// The registering transaction. `precheck` is the duplicate check made just before it (no lock
/// held); it is completed here with whatever was registered meanwhile. Everything that can fail
/// on input comes before the number is taken; after it, only the writes.
fn register_tx(
    conn: &mut DbConn,
    ctx: &Ctx,
    prepared: Prepared,
    lookups: Vec<Option<crate::applicants::Lookup>>,
    precheck: Option<CheckOutcome>,
) -> AppResult<Registered> {
    let rules = &ctx.rules;
    let actor = ctx.actor();
    let (user, subject) = repo::users::get_with_subject(conn, actor.user_id, actor.subject_id)?;
    let input = &prepared.input;
    require_addressee(conn, input.addressee_subject_id)?;
    let (surname, first, patronymic) = accounts::acceptor_name_of(user);
    let mut new_appeal = prepared.new_appeal.clone();
    if let Some(complaint) = &input.complaint {
        let filed_on = complaint_filed_on(rules, input.received_at);
        new_appeal.complaint = Some(complaint_target(conn, ctx, complaint, filed_on)?);
    }
    // p.13: the check runs before registration; its verdict is as of this transaction — the same
    // person's concurrent registrations wait here for each other (PostgreSQL).
    if let Some(check) = &prepared.check {
        repo::duplicates::lock_identities(conn, &check.identity_locks)?;
    }
    let check = match (&prepared.check, precheck) {
        (Some(check), Some(pre)) => Some(pre.catch_up(conn, check, &rules.dedup)?),
        (Some(check), None) => Some(run_check(conn, check, &rules.dedup, None)?),
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
        u64::try_from(counter).map_err(|e| AppError::corrupt(e.to_string()))?,
    )?;
    let appeal_number = AppealNumber::Main(number);
    let markings = rules.dictionary(DictionaryName::Markings)?;
    let review_due = prepared.review_due;
    let card = AppealCard::register(new_appeal, appeal_number.clone(), markings, |_| review_due)?;
    let state = AppealState::registered(appeal_number.clone());
    let registered_local = rules.local_time(card.registered_at.and_utc());
    let talon = Talon::issue(
        appeal_number.clone(),
        &subject.name_ru,
        registered_local,
        &surname,
        &first,
        patronymic.as_deref(),
    )?;
    // p.18 part 2: a call-centre appeal goes straight to the subject's appeals unit, if it has one.
    let unit = match (prepared.call_centre, subject.appeals_unit_id) {
        (true, Some(unit)) => repo::subjects::find_by_id(conn, unit)?.filter(|u| u.is_active),
        _ => None,
    };
    let holder = unit.unwrap_or_else(|| subject.clone());
    let redirect_immediately =
        card.anonymity.handling == appeals_domain::cards::AnonymityHandling::RedirectImmediately;
    let details = AppealDetails {
        calendar_version: prepared.calendar_version.clone(),
        redirect_immediately,
        anonymity_explanation: prepared.anonymity_explanation.clone(),
        call_centre_unit_id: prepared.call_centre.then_some(holder.id),
        conventions_version: rules.conventions_version,
        talon: Some(StoredTalon::of(&talon)),
        received_after_cutoff: prepared.received_after_cutoff,
        postal_address: input.postal_address.clone(),
        forwarded_late: false,
        final_act_on: None,
        correction: None,
        ..AppealDetails::default()
    };
    let now = card.registered_at;
    let mut applicant_rows = Vec::with_capacity(input.applicants.len());
    for (i, (a, lookup)) in input
        .applicants
        .iter()
        .zip(lookups.into_iter().chain(std::iter::repeat(None)))
        .enumerate()
    {
        let ordinal = i32::try_from(i + 1).unwrap_or(i32::MAX);
        // R20: the registry fills the card when it knows requisite 4.
        applicant_rows.push(a.row(&card, 0, ordinal, input.postal_address.as_ref(), lookup)?);
    }
    let summary = check.as_ref().map(CheckOutcome::summary);
    let markings: Vec<String> = card.markings().iter().cloned().collect();
    let new_card = NewCard {
        row: NewAppealRow {
            reg_number: appeal_number.to_string(),
            counter,
            main_appeal_id: None,
            part_k: None,
            subject_id: holder.id,
            registered_by_subject_id: actor.subject_id,
            addressee_subject_id: input.addressee_subject_id,
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
            applicant_count: i32::try_from(input.applicants.len()).unwrap_or(i32::MAX),
            text: input.text.clone(),
            card: to_json(&card)?,
            state: to_json(&state)?,
            details: to_json(&details)?,
            duplicate_of,
            version: 1,
            created_by: actor.user_id,
            updated_at: now,
            closed_at: None,
            pending: redirect_immediately
                .then(|| crate::cards::parts::AWAITING_REDIRECT.to_owned()),
        },
        applicants: applicant_rows,
        tags: card.tags().to_vec(),
        markings: markings.clone(),
    };
    let (row, applicants) = write::create(conn, actor, now, new_card, |row| RegisteredCard {
        registration_number: row.reg_number.clone(),
        status: row.status.clone(),
        document_type: row.document_type.clone(),
        registration_date: row.registration_date,
        review_due: row.review_due,
        forward_due: row.forward_due,
        transfer_due: row.transfer_due,
        markings,
        is_accountable: row.is_accountable,
        origin: CardOrigin::Received {
            complaint: card.complaint().cloned(),
            duplicate_check: summary.as_ref().map(|c| DuplicateCheckNote {
                verdict: c.verdict,
                duplicate_of: row.duplicate_of,
                candidates: c
                    .candidates
                    .iter()
                    .map(|c| CandidateNote {
                        appeal_id: c.appeal_id,
                        verdict: c.verdict,
                        similarity: c.similarity,
                    })
                    .collect(),
            }),
        },
    })?;
    if let Some(prepared_check) = &prepared.check {
        prepared_check.store(conn, row.id)?;
    }
    for candidate in check.iter().flat_map(|c| &c.candidates) {
        if candidate.score.verdict == Verdict::New {
            continue;
        }
        repo::duplicates::insert_link(
            conn,
            &NewDuplicateLinkRow {
                appeal_id: row.id,
                other_appeal_id: candidate.card.id,
                verdict: crate::duplicates::code(candidate.score.verdict).to_owned(),
                similarity: Some(candidate.score.similarity),
                containment: Some(candidate.score.containment),
                decided_by: "engine".to_owned(),
                reason: None,
                created_at: now,
                created_by: None,
            },
        )?;
    }
    Ok(Registered {
        card: CardView {
            row,
            subject: holder,
            applicants,
        },
        check: summary,
    })
}
