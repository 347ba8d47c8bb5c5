//! Personal reception (Rules p.4 part 5, p.6 5), p.18 parts 2–3, Appendix 2-1; R10, R24–R26): an
//! application is registered through its ЛП-1 card (one per application), waits in the subject's
//! queue, is given a slot of an official's schedule (or is received out of schedule), and ends
//! held or not held — the card is complete either way. Each use-case is one transaction; every
//! change of a card goes through [`crate::cards::write::commit_reception`] (version, history).

use appeals_db::repo::receptions::{self as repo_rec, ReceptionFilter};
use appeals_db::rows::{BookingRow, NewReceptionRow, NewScheduleRow, ReceptionRow, ScheduleRow};
use appeals_db::{DbConn, DbError, repo, write_tx};
use appeals_domain::access::{Action, Role};
use appeals_domain::cards::{
    AddressBlock, PersonCategory, RECEPTION_REQUISITES, ReceptionCard, ReceptionKind,
    ReceptionOutcome, ReceptionResult, RequisiteProblem, Residency, Sex,
};
use appeals_domain::dictionary::DictionaryName;
use appeals_domain::events::ReceptionAction;
use appeals_domain::ident::Iin;
use appeals_domain::regnum::AppealNumber;
use appeals_domain::schedule::{Schedule, Slot};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::access;
use crate::applicants::{
    ApplicantEntry, Lookup, LookupResult, RegistryLookups, category_code, domain_reason,
};
use crate::cards::parts::{parse_json, to_json};
use crate::cards::write::{self, ReceptionChange};
use crate::ctx::{Ctx, fail_if_any};
use crate::error::{AppError, AppResult, FieldIssue};
use crate::idempotency::{self, Idem, Once};

/// Statuses of a reception card.
pub const QUEUED: &str = "queued";
pub const BOOKED: &str = "booked";
pub const REFUSED: &str = "refused";
pub const HELD: &str = "held";
pub const NOT_HELD: &str = "not_held";

/// ЛП-1 requisite 28, as problems name it.
const PLACE_KATO: &str = "requisite 28 «Место приема/город — КАТО»";

/// ЛП-1 requisite 25 codes (`reception_decisions`).
const REGISTERED_FOR_RECEPTION: &str = "registered_for_reception";
const RECEPTION_REFUSED: &str = "reception_refused";

/// The person who applies (ЛП-1 requisites 7–22).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Person {
    pub category: Option<PersonCategory>,
    pub residency: Option<Residency>,
    pub sex: Option<Sex>,
    pub iin: Option<String>,
    pub surname: String,
    pub first_name: String,
    pub occupation: Option<String>,
    pub nationality: Option<String>,
    pub citizenship: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub age_band: Option<String>,
    pub social_status: Option<String>,
    pub registered_address: Option<String>,
    pub actual_address: Option<String>,
    pub home_work_phone: Option<String>,
    pub mobile_phone: Option<String>,
}

/// An application for personal reception.
#[derive(Debug, Clone)]
pub struct Apply {
    pub person: Person,
    /// Requisite 23 «Характер вопроса».
    pub issue_nature: Option<String>,
    /// Requisite 6.
    pub kind: ReceptionKind,
    /// Requisite 5: received out of schedule (needs no slot).
    pub out_of_schedule: bool,
    /// The application's id in the system it came from: one card per application (R26).
    pub source_reference: Option<String>,
    pub idem: Option<Idem>,
    /// The registry lookup of the IIN (ГБД ФЛ), made before the transaction.
    pub lookup: RegistryLookups,
}

impl Person {
    /// The person as a registry lookup key (requisite 10, checked already).
    pub fn lookup_entry(&self) -> ApplicantEntry {
        ApplicantEntry {
            category: PersonCategory::Individual,
            iin_bin: self.iin.clone(),
            surname: Some(self.surname.clone()),
            first_name: Some(self.first_name.clone()),
            patronymic: None,
            company_name: None,
            address: None,
            mobile_phone: self.mobile_phone.clone(),
            email: None,
        }
    }
}

/// What the state registry knows of the person fills the requisites the application left empty:
/// residency (8), sex (9), date of birth (16), the registered address (19). Returns the lookup's
/// outcome for the `registered` event (`None` without an IIN).
fn fill_from_registry(card: &mut ReceptionCard, lookup: Option<Lookup>) -> Option<&'static str> {
    let lookup = lookup?;
    Some(match lookup.result {
        LookupResult::Hit(hit) => match (&hit.record.person, hit.record.category) {
            (Some(person), PersonCategory::Individual) => {
                card.residency = card.residency.or(person.residency);
                card.sex = card.sex.or(person.sex);
                card.birth_date = card.birth_date.or(person.birth_date);
                if card.registered_address.is_none() {
                    card.registered_address =
                        hit.record.address.as_ref().and_then(AddressBlock::one_line);
                }
                "filled"
            }
            _ => "rejected",
        },
        LookupResult::NotFound => "not_found",
        LookupResult::Failed => "unavailable",
    })
}

/// A reception card as shown: the row, its ЛП-1 and its subject.
#[derive(Debug, Clone)]
pub struct ReceptionView {
    pub row: ReceptionRow,
    pub card: ReceptionCard,
    pub subject: appeals_db::rows::SubjectRow,
}

impl ReceptionView {
    fn load(conn: &mut DbConn, row: ReceptionRow) -> AppResult<Self> {
        let card = parse_json(&row.card, "reception card")?;
        let subject = repo::subjects::get(conn, row.subject_id)?;
        Ok(Self { row, card, subject })
    }

    /// The views of a list page with the page's subjects read in one statement.
    fn load_page(conn: &mut DbConn, rows: Vec<ReceptionRow>) -> AppResult<Vec<Self>> {
        let subjects = crate::actions::subjects_by_id(conn, rows.iter().map(|r| r.subject_id))?;
        rows.into_iter()
            .map(|row| {
                let subject = subjects.get(&row.subject_id).cloned().ok_or_else(|| {
                    AppError::corrupt(format!("reception {} names no stored subject", row.id))
                })?;
                Ok(Self {
                    card: parse_json(&row.card, "reception card")?,
                    subject,
                    row,
                })
            })
            .collect()
    }
}

/// The stored code of requisite 6.
fn kind_code(kind: ReceptionKind) -> &'static str {
    match kind {
        ReceptionKind::Online => "online",
        ReceptionKind::Offline => "offline",
    }
}

fn blank(v: &str) -> bool {
    v.trim().is_empty()
}

fn check_person(p: &Person, issues: &mut Vec<FieldIssue>) {
    if blank(&p.surname) {
        issues.push(FieldIssue::new(
            "#/person/surname",
            "requisite 11 «Фамилия» must not be blank",
        ));
    }
    if blank(&p.first_name) {
        issues.push(FieldIssue::new(
            "#/person/first_name",
            "requisite 12 «Имя» must not be blank",
        ));
    }
    if let Some(iin) = &p.iin
        && let Err(e) = Iin::parse(iin)
    {
        issues.push(FieldIssue::new("#/person/iin", domain_reason(e)));
    }
}

/// A requisite «по справочнику» must be an active code of its reference book.
fn check_code(
    ctx: &Ctx,
    name: DictionaryName,
    code: Option<&String>,
    pointer: &str,
    issues: &mut Vec<FieldIssue>,
) -> AppResult<()> {
    if let Some(code) = code
        && ctx.rules.dictionary(name)?.require_active(code).is_err()
    {
        issues.push(FieldIssue::new(
            pointer,
            format!("`{code}` is not an active code of the `{name}` dictionary"),
        ));
    }
    Ok(())
}

/// The requisites of the person (under `person`, a JSON pointer prefix) and the question that
/// come from reference books: nationality (14), citizenship (15), age band (17), social status
/// (18) and the nature of the question (23).
fn check_codes(
    ctx: &Ctx,
    person: &str,
    [
        nationality,
        citizenship,
        age_band,
        social_status,
        issue_nature,
    ]: [Option<&String>; 5],
    issues: &mut Vec<FieldIssue>,
) -> AppResult<()> {
    for (name, code, pointer) in [
        (
            DictionaryName::Nationalities,
            nationality,
            format!("{person}nationality"),
        ),
        (
            DictionaryName::Citizenships,
            citizenship,
            format!("{person}citizenship"),
        ),
        (
            DictionaryName::AgeBands,
            age_band,
            format!("{person}age_band"),
        ),
        (
            DictionaryName::SocialStatuses,
            social_status,
            format!("{person}social_status"),
        ),
        (
            DictionaryName::ReceptionIssueNatures,
            issue_nature,
            "#/issue_nature".to_owned(),
        ),
    ] {
        check_code(ctx, name, code, &pointer, issues)?;
    }
    Ok(())
}

/// Registers an application for personal reception with its ЛП-1 card: a number from the
/// through numbering (R3), «ЖҚ» (R10), the next place in the subject's queue today (requisites
/// 3–4). Once per `Idempotency-Key`; a second card for one `source_reference` is a 409 (R26).
pub fn apply<T, E, P>(conn: &mut DbConn, ctx: &Ctx, cmd: Apply, present: P) -> Result<Once<T>, E>
where
    T: Serialize + DeserializeOwned,
    E: From<AppError>,
    P: FnOnce(&mut DbConn, ReceptionView) -> Result<T, E>,
{
    let mut issues = Vec::new();
    check_person(&cmd.person, &mut issues);
    let p = &cmd.person;
    let codes = [
        p.nationality.as_ref(),
        p.citizenship.as_ref(),
        p.age_band.as_ref(),
        p.social_status.as_ref(),
        cmd.issue_nature.as_ref(),
    ];
    check_codes(ctx, "#/person/", codes, &mut issues)?;
    if cmd.source_reference.as_deref().is_some_and(blank) {
        issues.push(FieldIssue::new("#/source_reference", "must not be blank"));
    }
    fail_if_any(issues)?;
    let idem = cmd.idem.clone();
    let lookup = cmd
        .lookup
        .clone()
        .finish(conn, ctx.stored_now())
        .into_iter()
        .next()
        .flatten();
    idempotency::once(conn, ctx.actor().user_id, idem, ctx.stored_now(), |conn| {
        let view = apply_tx(conn, ctx, &cmd, lookup)?;
        present(conn, view)
    })
}

fn apply_tx(
    conn: &mut DbConn,
    ctx: &Ctx,
    cmd: &Apply,
    lookup: Option<Lookup>,
) -> AppResult<ReceptionView> {
    let rules = &ctx.rules;
    let actor = ctx.actor();
    let subject = actor.subject_id;
    if let Some(reference) = &cmd.source_reference
        && let Some(existing) = repo_rec::find_by_source(conn, subject, reference)?
    {
        return Err(AppError::Conflict(format!(
            "The application `{reference}` is already registered as {} (one ЛП-1 per application, R26).",
            existing.reg_number
        )));
    }
    let now = ctx.stored_now();
    let today = rules.local_date(ctx.now);
    let counter = repo::numbering::next(conn, rules.numbering)?;
    let category = cmd.person.category.unwrap_or(PersonCategory::Individual);
    let number = rules.number_format.issue(
        &rules.letter_index,
        category_code(category),
        chrono::Datelike::year(&today),
        u64::try_from(counter).map_err(|e| AppError::corrupt(e.to_string()))?,
    )?;
    let queue_number = repo_rec::next_queue_number(conn, subject, today)?;
    let markings = rules.dictionary(DictionaryName::Markings)?;
    let number = AppealNumber::Main(number);
    let mut card = ReceptionCard::for_application(number.clone(), &subject.to_string(), markings);
    let p = &cmd.person;
    card.card_number = Some(number.to_string());
    card.queue_number = Some(queue_number.to_string());
    card.queued_on = Some(today);
    card.out_of_schedule = Some(cmd.out_of_schedule);
    card.reception_kind = Some(cmd.kind);
    card.person_category = Some(category);
    card.residency = p.residency;
    card.sex = p.sex;
    card.iin = p.iin.clone();
    card.surname = Some(p.surname.trim().to_owned());
    card.first_name = Some(p.first_name.trim().to_owned());
    card.occupation = p.occupation.clone();
    card.nationality = p.nationality.clone();
    card.citizenship = p.citizenship.clone();
    card.birth_date = p.birth_date;
    card.age_band = p.age_band.clone();
    card.social_status = p.social_status.clone();
    card.registered_address = p.registered_address.clone();
    card.actual_address = p.actual_address.clone();
    card.home_work_phone = p.home_work_phone.clone();
    card.mobile_phone = p.mobile_phone.clone();
    card.issue_nature = cmd.issue_nature.clone();
    let registry_lookup = fill_from_registry(&mut card, lookup);
    let row = NewReceptionRow {
        reg_number: number.to_string(),
        counter,
        subject_id: subject,
        status: QUEUED.to_owned(),
        queue_number,
        queued_on: today,
        out_of_schedule: cmd.out_of_schedule,
        reception_kind: kind_code(cmd.kind).to_owned(),
        official_user_id: None,
        slot_starts_at: None,
        slot_confirmed: false,
        source_reference: cmd.source_reference.clone(),
        card: to_json(&card)?,
        version: 1,
        created_by: actor.user_id,
        registered_at: now,
        updated_at: now,
    };
    let registered = json!({
        "registration_number": row.reg_number,
        "status": row.status,
        "queue_number": queue_number,
        "queued_on": today,
        "out_of_schedule": cmd.out_of_schedule,
        "reception_kind": cmd.kind,
        "markings": card.markings,
        "source_reference": cmd.source_reference,
        "registry_lookup": registry_lookup,
    });
    let row = write::create_reception(conn, actor, now, &row, registered).map_err(|e| match e {
        AppError::Db(DbError::UniqueViolation(_)) => AppError::Conflict(
            "This application is already registered (one ЛП-1 per application, R26).".to_owned(),
        ),
        other => other,
    })?;
    ReceptionView::load(conn, row)
}

/// Loads a card for the granted action: 404 when the caller may not read it, 403 when a change
/// does not reach its subject.
fn load(conn: &mut DbConn, ctx: &Ctx, id: i64) -> AppResult<ReceptionRow> {
    load_for(conn, &ctx.grant, id)
}

fn load_for(conn: &mut DbConn, grant: &access::Grant, id: i64) -> AppResult<ReceptionRow> {
    let hidden = || AppError::NotFound(format!("Reception {id} does not exist."));
    let row = repo_rec::find(conn, id)?.ok_or_else(hidden)?;
    access::admit_record(conn, grant, Action::ReadReceptions, row.subject_id, hidden)?;
    Ok(row)
}

/// The guard's check of a reception card named in a path, before the request body is read: 404
/// when the caller may not read it, 403 when the granted change does not reach it.
pub fn admit(conn: &mut DbConn, grant: &access::Grant, id: i64) -> AppResult<()> {
    load_for(conn, grant, id).map(|_| ())
}

pub fn get(conn: &mut DbConn, ctx: &Ctx, id: i64) -> AppResult<ReceptionView> {
    let row = load(conn, ctx, id)?;
    ReceptionView::load(conn, row)
}

/// The card's history, oldest first, with the id of the first event that breaks the chain.
pub fn history(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: i64,
) -> AppResult<(Vec<appeals_db::rows::ReceptionEventRow>, Option<i64>)> {
    load(conn, ctx, id)?;
    let broken = repo_rec::first_broken_event(conn, id)?.map(|e| e.id);
    Ok((repo_rec::events(conn, id)?, broken))
}

/// What a list of receptions asks for.
#[derive(Debug, Clone, Default)]
pub struct ListReceptions {
    pub subject_id: Option<i64>,
    pub status: Option<String>,
    pub official_user_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub out_of_schedule: Option<bool>,
    pub kind: Option<ReceptionKind>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// Reception cards the caller may read, newest first.
pub fn list(conn: &mut DbConn, ctx: &Ctx, q: ListReceptions) -> AppResult<Vec<ReceptionView>> {
    let visible = access::visible_subjects(conn, &ctx.grant)?;
    let subjects = match (visible, q.subject_id) {
        (None, None) => None,
        (None, Some(s)) => Some(vec![s]),
        (Some(v), None) => Some(v),
        (Some(v), Some(s)) => Some(v.into_iter().filter(|x| *x == s).collect()),
    };
    let filter = ReceptionFilter {
        subjects,
        status: q.status,
        official_user_id: q.official_user_id,
        queued_from: q.from,
        queued_to: q.to,
        out_of_schedule: q.out_of_schedule,
        reception_kind: q.kind.map(|k| kind_code(k).to_owned()),
        before_id: q.before_id,
        limit: q.limit,
    };
    let rows = repo_rec::list(conn, &filter)?;
    ReceptionView::load_page(conn, rows)
}

/// One change of a card in one transaction: loaded for the action at the expected version, changed
/// by `change` (which returns the history event's action and values), written through the card
/// write path.
fn change_card<F>(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: i64,
    expected: Option<i64>,
    change: F,
) -> AppResult<ReceptionView>
where
    F: FnOnce(
        &mut DbConn,
        &ReceptionRow,
        &mut ReceptionRow,
        &mut ReceptionCard,
    ) -> AppResult<(ReceptionAction, Value, Value)>,
{
    write_tx(conn, |conn| {
        let row = load(conn, ctx, id)?;
        if let Some(v) = expected
            && v != row.version
        {
            return Err(AppError::PreconditionFailed(format!(
                "The reception card is at version {}, not {v}; reload it.",
                row.version
            )));
        }
        let mut card: ReceptionCard = parse_json(&row.card, "reception card")?;
        let mut next = row.clone();
        let (action, before, after) = change(conn, &row, &mut next, &mut card)?;
        next.card = to_json(&card)?;
        let saved = write::commit_reception(
            conn,
            ctx.actor(),
            ctx.stored_now(),
            ReceptionChange {
                before: &row,
                after: next,
                action,
                before_value: before,
                after_value: after,
            },
        )?;
        ReceptionView::load(conn, saved)
    })
}

/// Corrections of a card's requisites 6, 7–22 and 23 (`None`: unchanged).
#[derive(Debug, Clone, Default)]
pub struct EditReception {
    pub reception_id: i64,
    pub expected_version: i64,
    pub kind: Option<ReceptionKind>,
    pub issue_nature: Option<String>,
    pub category: Option<PersonCategory>,
    pub residency: Option<Residency>,
    pub sex: Option<Sex>,
    pub iin: Option<String>,
    pub surname: Option<String>,
    pub first_name: Option<String>,
    pub occupation: Option<String>,
    pub nationality: Option<String>,
    pub citizenship: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub age_band: Option<String>,
    pub social_status: Option<String>,
    pub registered_address: Option<String>,
    pub actual_address: Option<String>,
    pub home_work_phone: Option<String>,
    pub mobile_phone: Option<String>,
}

/// The values before and after of the requisites an edit changed.
#[derive(Default)]
struct Changed {
    before: serde_json::Map<String, Value>,
    after: serde_json::Map<String, Value>,
}

impl Changed {
    /// Sets `field` to `new` when given and different, remembering both values under `name`.
    fn set<T: Serialize + PartialEq + Clone>(
        &mut self,
        name: &str,
        field: &mut Option<T>,
        new: &Option<T>,
    ) {
        if let Some(value) = new
            && field.as_ref() != Some(value)
        {
            self.before.insert(name.to_owned(), json!(field));
            self.after.insert(name.to_owned(), json!(value));
            *field = Some(value.clone());
        }
    }
}

/// Corrects requisites of the person (7–22), the question (23) and the kind (6) of a card at the
/// version the client holds (`If-Match`); one `updated` event with the changed values.
pub fn edit(conn: &mut DbConn, ctx: &Ctx, cmd: EditReception) -> AppResult<ReceptionView> {
    let mut issues = Vec::new();
    if cmd.surname.as_deref().is_some_and(blank) {
        issues.push(FieldIssue::new(
            "#/surname",
            "requisite 11 «Фамилия» must not be blank",
        ));
    }
    if cmd.first_name.as_deref().is_some_and(blank) {
        issues.push(FieldIssue::new(
            "#/first_name",
            "requisite 12 «Имя» must not be blank",
        ));
    }
    if let Some(iin) = &cmd.iin
        && let Err(e) = Iin::parse(iin)
    {
        issues.push(FieldIssue::new("#/iin", domain_reason(e)));
    }
    let codes = [
        cmd.nationality.as_ref(),
        cmd.citizenship.as_ref(),
        cmd.age_band.as_ref(),
        cmd.social_status.as_ref(),
        cmd.issue_nature.as_ref(),
    ];
    check_codes(ctx, "#/", codes, &mut issues)?;
    fail_if_any(issues)?;
    change_card(
        conn,
        ctx,
        cmd.reception_id,
        Some(cmd.expected_version),
        |_, _, next, card| {
            let mut c = Changed::default();
            c.set("reception_kind", &mut card.reception_kind, &cmd.kind);
            if let Some(kind) = card.reception_kind {
                next.reception_kind = kind_code(kind).to_owned();
            }
            c.set("issue_nature", &mut card.issue_nature, &cmd.issue_nature);
            c.set("person_category", &mut card.person_category, &cmd.category);
            c.set("residency", &mut card.residency, &cmd.residency);
            c.set("sex", &mut card.sex, &cmd.sex);
            c.set("iin", &mut card.iin, &cmd.iin);
            c.set("surname", &mut card.surname, &cmd.surname);
            c.set("first_name", &mut card.first_name, &cmd.first_name);
            c.set("occupation", &mut card.occupation, &cmd.occupation);
            c.set("nationality", &mut card.nationality, &cmd.nationality);
            c.set("citizenship", &mut card.citizenship, &cmd.citizenship);
            c.set("birth_date", &mut card.birth_date, &cmd.birth_date);
            c.set("age_band", &mut card.age_band, &cmd.age_band);
            c.set("social_status", &mut card.social_status, &cmd.social_status);
            c.set(
                "registered_address",
                &mut card.registered_address,
                &cmd.registered_address,
            );
            c.set(
                "actual_address",
                &mut card.actual_address,
                &cmd.actual_address,
            );
            c.set(
                "home_work_phone",
                &mut card.home_work_phone,
                &cmd.home_work_phone,
            );
            c.set("mobile_phone", &mut card.mobile_phone, &cmd.mobile_phone);
            if c.after.is_empty() {
                return Err(AppError::field("#", "the body changes nothing"));
            }
            Ok((
                ReceptionAction::Updated,
                Value::Object(c.before),
                Value::Object(c.after),
            ))
        },
    )
}

fn require_status(row: &ReceptionRow, allowed: &[&str], doing: &str) -> AppResult<()> {
    if allowed.contains(&row.status.as_str()) {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "A reception that is `{}` cannot be {doing}.",
            row.status
        )))
    }
}

/// R24: the presiding official is an active head or deputy head of the subject.
fn require_presiding_official(
    conn: &mut DbConn,
    subject: i64,
    user_id: i64,
    pointer: &str,
) -> AppResult<&'static str> {
    let user = match repo::users::get(conn, user_id) {
        Ok(user) => Some(user),
        Err(DbError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let role = user
        .filter(|u| u.subject_id == subject && u.is_active)
        .and_then(|u| presiding_role(&u.roles));
    if let Some(role) = role {
        Ok(role)
    } else {
        Err(AppError::field(
            pointer,
            "requisite 24: the presiding official must be an active head or deputy head of the subject (R24)",
        ))
    }
}

/// The role in which a user presides over a reception (1-ОЛ section 5, columns 5–6): `head`
/// before `deputy_head`; `None` for anyone else.
fn presiding_role(stored_roles: &str) -> Option<&'static str> {
    let roles = Role::parse_list(stored_roles).ok()?;
    [Role::Head, Role::DeputyHead]
        .into_iter()
        .find(|r| roles.contains(r))
        .map(Role::code)
}

/// The role a presiding official has now (`None` for a user no longer a head or deputy head).
fn official_role(conn: &mut DbConn, user_id: i64) -> AppResult<Option<String>> {
    let user = repo::users::get(conn, user_id)?;
    Ok(presiding_role(&user.roles).map(str::to_owned))
}

fn schedule_of(row: &ScheduleRow) -> AppResult<Schedule> {
    let weekdays = row
        .weekdays
        .split(',')
        .map(|d| d.trim().parse::<u32>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AppError::corrupt(format!("schedule {} weekdays: {e}", row.id)))?;
    let time = |t: &str| {
        NaiveTime::parse_from_str(t, "%H:%M")
            .map_err(|e| AppError::corrupt(format!("schedule {} time: {e}", row.id)))
    };
    Ok(Schedule {
        weekdays,
        starts: time(&row.starts)?,
        ends: time(&row.ends)?,
        slot_minutes: u32::try_from(row.slot_minutes)
            .map_err(|e| AppError::corrupt(e.to_string()))?,
        valid_from: row.valid_from,
        valid_to: row.valid_to,
    })
}

/// A slot of a schedule for a reception.
#[derive(Debug, Clone, Copy)]
pub struct Book {
    pub reception_id: i64,
    pub expected_version: Option<i64>,
    pub schedule_id: i64,
    /// Local time (UTC+5) the slot starts.
    pub starts_at: NaiveDateTime,
}

/// Gives a slot of a schedule to a queued application: the schedule's official presides
/// (requisite 24, R24), requisite 25 becomes «записано на личный прием», and the slot's day, time
/// and place are proposed for requisites 26–29. A slot is given once: a second reservation of it,
/// from any process, is a 409.
pub fn book(conn: &mut DbConn, ctx: &Ctx, cmd: Book) -> AppResult<ReceptionView> {
    let rules = ctx.rules.clone();
    let now_local = rules.local_time(ctx.now);
    change_card(
        conn,
        ctx,
        cmd.reception_id,
        cmd.expected_version,
        |conn, row, next, card| {
            require_status(
                row,
                &[QUEUED],
                "given a slot (release the slot it has first)",
            )?;
            let schedule_row = repo_rec::find_schedule(conn, cmd.schedule_id)?
                .filter(|s| s.subject_id == row.subject_id)
                .ok_or_else(|| {
                    AppError::field("#/schedule_id", "no schedule of the reception's subject")
                })?;
            let schedule = schedule_of(&schedule_row)?;
            let Some(slot) = schedule.slot_at(&rules.calendar, cmd.starts_at)? else {
                return Err(AppError::field(
                    "#/starts_at",
                    "no slot of the schedule starts then (a day off, outside the reception hours, or off the slot grid)",
                ));
            };
            if slot.starts_at <= now_local {
                return Err(AppError::field("#/starts_at", "the slot has already begun"));
            }
            repo_rec::book(
                conn,
                &BookingRow {
                    official_user_id: schedule_row.official_user_id,
                    starts_at: slot.starts_at,
                    reception_id: row.id,
                    schedule_id: schedule_row.id,
                    booked_at: ctx.stored_now(),
                },
            )
            .map_err(|e| match e {
                DbError::UniqueViolation(_) => AppError::Conflict(
                    "The slot is already given to another reception; choose another.".to_owned(),
                ),
                other => other.into(),
            })?;
            next.status = BOOKED.to_owned();
            next.official_user_id = Some(schedule_row.official_user_id);
            next.slot_starts_at = Some(slot.starts_at);
            next.slot_confirmed = false;
            card.presiding_official = Some(schedule_row.official_user_id.to_string());
            card.presiding_role = official_role(conn, schedule_row.official_user_id)?;
            card.reception_decision = Some(REGISTERED_FOR_RECEPTION.to_owned());
            card.decided_on = Some(now_local.date());
            card.reception_date = Some(slot.starts_at.date());
            card.reception_time = Some(slot.starts_at.time());
            card.place_kato = Some(schedule_row.place_kato.clone());
            card.place_addressee = Some(schedule_row.place_addressee.clone());
            Ok((
                ReceptionAction::SlotReserved,
                json!({"status": row.status}),
                json!({
                    "status": BOOKED, "schedule_id": schedule_row.id,
                    "official_user_id": schedule_row.official_user_id,
                    "starts_at": slot.starts_at, "ends_at": slot.ends_at,
                    "reception_decision": REGISTERED_FOR_RECEPTION,
                }),
            ))
        },
    )
}

/// Confirms the reserved slot (the applicant agreed to it).
pub fn confirm(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: i64,
    expected: Option<i64>,
) -> AppResult<ReceptionView> {
    change_card(conn, ctx, id, expected, |_, row, next, _| {
        require_status(row, &[BOOKED], "confirmed (it has no slot)")?;
        if row.slot_confirmed {
            return Err(AppError::Conflict(
                "The slot is already confirmed.".to_owned(),
            ));
        }
        next.slot_confirmed = true;
        Ok((
            ReceptionAction::SlotConfirmed,
            json!({"slot_confirmed": false}),
            json!({"slot_confirmed": true, "starts_at": row.slot_starts_at}),
        ))
    })
}

fn clear_slot(next: &mut ReceptionRow, card: &mut ReceptionCard) {
    next.official_user_id = None;
    next.slot_starts_at = None;
    next.slot_confirmed = false;
    card.presiding_official = None;
    card.presiding_role = None;
    card.reception_decision = None;
    card.decided_on = None;
    card.reception_date = None;
    card.reception_time = None;
    card.place_kato = None;
    card.place_addressee = None;
}

/// Gives the slot back: the application is in the queue again (its place unchanged).
pub fn release(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: i64,
    expected: Option<i64>,
) -> AppResult<ReceptionView> {
    change_card(conn, ctx, id, expected, |conn, row, next, card| {
        require_status(row, &[BOOKED], "released (it has no slot)")?;
        repo_rec::release(conn, row.id)?;
        next.status = QUEUED.to_owned();
        clear_slot(next, card);
        Ok((
            ReceptionAction::SlotReleased,
            json!({"status": row.status, "starts_at": row.slot_starts_at,
                   "official_user_id": row.official_user_id}),
            json!({"status": QUEUED}),
        ))
    })
}

/// Refuses the reception (requisite 25 «отказано в личном приеме»): the card is complete with the
/// reason as requisite 36 (R25), and a slot it had is given back.
pub fn refuse(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: i64,
    expected: Option<i64>,
    reason: String,
) -> AppResult<ReceptionView> {
    if blank(&reason) {
        return Err(AppError::field(
            "#/reason",
            "requisite 36 «Прием не проведен (комментарий, причина)» is required (R25)",
        ));
    }
    change_card(conn, ctx, id, expected, |conn, row, next, card| {
        require_status(row, &[QUEUED, BOOKED], "refused")?;
        repo_rec::release(conn, row.id)?;
        clear_slot(next, card);
        next.status = REFUSED.to_owned();
        card.reception_decision = Some(RECEPTION_REFUSED.to_owned());
        card.decided_on = Some(ctx.rules.local_date(ctx.now));
        card.outcome = Some(ReceptionOutcome::NotHeld);
        card.not_held_reason = Some(reason.trim().to_owned());
        card.check()?;
        Ok((
            ReceptionAction::Refused,
            json!({"status": row.status}),
            json!({"status": REFUSED, "reception_decision": RECEPTION_REFUSED,
                   "not_held_reason": card.not_held_reason}),
        ))
    })
}

/// The outcome of a reception as stated.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub reception_id: i64,
    pub expected_version: Option<i64>,
    pub held: bool,
    /// Requisites 26–27 (local).
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    /// Requisites 28–29.
    pub place_kato: Option<String>,
    pub place_addressee: Option<String>,
    /// Requisite 31: the user who actually held it.
    pub held_by_user_id: Option<i64>,
    /// Requisites 32–33.
    pub secretary: Option<String>,
    pub present: Option<String>,
    /// Requisite 34 (a code of `languages`).
    pub protocol_language: Option<String>,
    pub result: Option<ReceptionResult>,
    /// Requisites 30, 35.
    pub comment_for_applicant: Option<String>,
    pub comment: Option<String>,
    /// Requisite 36 (not held).
    pub not_held_reason: Option<String>,
    /// Requisites 10 and 18, when the application came without them.
    pub iin: Option<String>,
    pub social_status: Option<String>,
}

/// Where a requisite of the outcome lives in its request body.
fn outcome_pointer(requisite: u8) -> &'static str {
    match requisite {
        10 => "#/iin",
        11 => "#/surname",
        12 => "#/first_name",
        18 => "#/social_status",
        26 => "#/date",
        27 => "#/time",
        28 => "#/place_kato",
        29 => "#/place_addressee",
        31 => "#/held_by_user_id",
        32 => "#/secretary",
        33 => "#/present",
        36 => "#/not_held_reason",
        _ => "#",
    }
}

fn set_if<T: Clone>(field: &mut Option<T>, value: &Option<T>) {
    if value.is_some() {
        field.clone_from(value);
    }
}

/// Records the outcome (p.18 parts 2–3): held — requisites 26–29, 31–33 (R25) and the result;
/// not held — the reason (36), and the card is still complete. A missing requisite is a 422 that
/// names its number at its pointer; nothing is stored.
pub fn record_outcome(conn: &mut DbConn, ctx: &Ctx, cmd: Outcome) -> AppResult<ReceptionView> {
    let mut issues = Vec::new();
    if let Some(kato) = &cmd.place_kato {
        crate::kato::check(conn, kato, "#/place_kato", PLACE_KATO, &mut issues)?;
    }
    if let Some(iin) = &cmd.iin
        && let Err(e) = Iin::parse(iin)
    {
        issues.push(FieldIssue::new("#/iin", domain_reason(e)));
    }
    check_code(
        ctx,
        DictionaryName::Languages,
        cmd.protocol_language.as_ref(),
        "#/protocol_language",
        &mut issues,
    )?;
    check_code(
        ctx,
        DictionaryName::SocialStatuses,
        cmd.social_status.as_ref(),
        "#/social_status",
        &mut issues,
    )?;
    if cmd.held && cmd.result.is_none() {
        issues.push(FieldIssue::new(
            "#/result",
            "the result of a reception that took place is required (satisfied, refused or explained)",
        ));
    }
    if !cmd.held && (cmd.result.is_some() || cmd.held_by_user_id.is_some()) {
        issues.push(FieldIssue::new(
            "#/held",
            "a reception that did not take place has no result and no official who held it",
        ));
    }
    fail_if_any(issues)?;
    let id = cmd.reception_id;
    change_card(
        conn,
        ctx,
        id,
        cmd.expected_version,
        |conn, row, next, card| {
            require_status(row, &[QUEUED, BOOKED], "given an outcome again")?;
            if cmd.held && row.status == QUEUED && !row.out_of_schedule {
                return Err(AppError::Conflict(
                "A reception by schedule takes place in a slot: give it one first (or register it out of schedule)."
                    .to_owned(),
            ));
            }
            let before = json!({"status": row.status});
            set_if(&mut card.iin, &cmd.iin);
            set_if(&mut card.social_status, &cmd.social_status);
            set_if(&mut card.protocol_language, &cmd.protocol_language);
            set_if(&mut card.comment_for_applicant, &cmd.comment_for_applicant);
            set_if(&mut card.comment, &cmd.comment);
            if cmd.held {
                if let Some(user) = cmd.held_by_user_id {
                    let role = require_presiding_official(
                        conn,
                        row.subject_id,
                        user,
                        "#/held_by_user_id",
                    )?;
                    card.held_by = Some(user.to_string());
                    card.presiding_role = Some(role.to_owned());
                }
                set_if(&mut card.reception_date, &cmd.date);
                set_if(&mut card.reception_time, &cmd.time);
                set_if(&mut card.place_kato, &cmd.place_kato);
                set_if(&mut card.place_addressee, &cmd.place_addressee);
                set_if(&mut card.secretary, &cmd.secretary);
                set_if(&mut card.present, &cmd.present);
                card.result = cmd.result;
                card.outcome = Some(ReceptionOutcome::Held);
                // Received out of schedule: the decision to receive is made now.
                if card.decided_on.is_none() {
                    card.decided_on = Some(ctx.rules.local_date(ctx.now));
                }
                next.status = HELD.to_owned();
            } else {
                card.not_held_reason = cmd.not_held_reason.clone();
                card.outcome = Some(ReceptionOutcome::NotHeld);
                next.status = NOT_HELD.to_owned();
            }
            let issues: Vec<FieldIssue> = card
                .validate()
                .into_iter()
                .map(|i| {
                    let name = RECEPTION_REQUISITES
                        .iter()
                        .find(|(n, _)| *n == i.requisite)
                        .map_or("", |(_, s)| s);
                    let detail = match i.problem {
                        RequisiteProblem::Missing => {
                            format!("requisite {} «{name}» is required (R25)", i.requisite)
                        }
                        RequisiteProblem::Invalid(r) | RequisiteProblem::NotAllowed(r) => {
                            format!("requisite {} «{name}»: {r}", i.requisite)
                        }
                    };
                    FieldIssue::new(outcome_pointer(i.requisite), detail)
                })
                .collect();
            fail_if_any(issues)?;
            let action = if cmd.held {
                ReceptionAction::Held
            } else {
                ReceptionAction::NotHeld
            };
            Ok((
                action,
                before,
                json!({
                    "status": next.status, "reception_date": card.reception_date,
                    "reception_time": card.reception_time, "place_kato": card.place_kato,
                    "held_by": card.held_by, "result": card.result,
                    "not_held_reason": card.not_held_reason,
                }),
            ))
        },
    )
}

/// The day's queue of the caller's subject: applications not yet received or refused, in queue
/// order (the day they were queued, then their number).
pub fn queue(conn: &mut DbConn, ctx: &Ctx, day: NaiveDate) -> AppResult<Vec<ReceptionView>> {
    let rows = repo_rec::open_queue(conn, ctx.actor().subject_id, day)?;
    ReceptionView::load_page(conn, rows)
}

// --- schedules -------------------------------------------------------------------------------

/// A schedule as stated.
#[derive(Debug, Clone)]
pub struct NewSchedule {
    pub official_user_id: i64,
    pub schedule: Schedule,
    pub place_kato: String,
    pub place_addressee: String,
    pub online: bool,
}

/// Creates a reception schedule of a head or deputy head of the caller's subject (R24); its place
/// is a KATO code (requisite 28).
pub fn create_schedule(conn: &mut DbConn, ctx: &Ctx, s: NewSchedule) -> AppResult<ScheduleRow> {
    let mut issues = Vec::new();
    if let Err(e) = s.schedule.validate() {
        issues.push(match e {
            appeals_domain::DomainError::Invalid { field, reason } => {
                FieldIssue::new(format!("#/{field}"), reason)
            }
            other => FieldIssue::new("#", other.to_string()),
        });
    }
    crate::kato::check(conn, &s.place_kato, "#/place_kato", PLACE_KATO, &mut issues)?;
    if blank(&s.place_addressee) {
        issues.push(FieldIssue::new("#/place_addressee", "must not be blank"));
    }
    fail_if_any(issues)?;
    let subject = ctx.actor().subject_id;
    write_tx(conn, |conn| {
        require_presiding_official(conn, subject, s.official_user_id, "#/official_user_id")?;
        let weekdays: Vec<String> = s.schedule.weekdays.iter().map(u32::to_string).collect();
        Ok(repo_rec::insert_schedule(
            conn,
            &NewScheduleRow {
                subject_id: subject,
                official_user_id: s.official_user_id,
                weekdays: weekdays.join(","),
                starts: s.schedule.starts.format("%H:%M").to_string(),
                ends: s.schedule.ends.format("%H:%M").to_string(),
                slot_minutes: i32::try_from(s.schedule.slot_minutes)
                    .map_err(|e| AppError::corrupt(e.to_string()))?,
                place_kato: s.place_kato.clone(),
                place_addressee: s.place_addressee.trim().to_owned(),
                online: s.online,
                valid_from: s.schedule.valid_from,
                valid_to: s.schedule.valid_to,
                created_by: ctx.actor().user_id,
                created_at: ctx.stored_now(),
            },
        )?)
    })
}

/// Ends a schedule after `valid_to` (the last day it gives slots). Slots already given after it
/// must be given back first (409 names how many); the end is never before the schedule starts.
pub fn end_schedule(
    conn: &mut DbConn,
    ctx: &Ctx,
    schedule_id: i64,
    valid_to: NaiveDate,
) -> AppResult<ScheduleRow> {
    let hidden = || AppError::NotFound(format!("Schedule {schedule_id} does not exist."));
    write_tx(conn, |conn| {
        // A subject manages only its own schedules; another subject's is not there for it.
        let row = repo_rec::find_schedule(conn, schedule_id)?.ok_or_else(hidden)?;
        access::own_subject(&ctx.grant, row.subject_id, || {
            format!("Schedule {schedule_id} does not exist.")
        })?;
        if valid_to < row.valid_from {
            return Err(AppError::field(
                "#/valid_to",
                format!("precedes the schedule's first day {}", row.valid_from),
            ));
        }
        let after = (valid_to + chrono::Duration::days(1)).and_time(NaiveTime::MIN);
        let given = repo_rec::booked_from(conn, schedule_id, after)?;
        if given > 0 {
            return Err(AppError::Conflict(format!(
                "{given} slot(s) of the schedule after {valid_to} are given to receptions; release them first."
            )));
        }
        Ok(repo_rec::end_schedule(conn, schedule_id, valid_to)?)
    })
}

/// The schedules the caller may read.
pub fn schedules(conn: &mut DbConn, ctx: &Ctx) -> AppResult<Vec<ScheduleRow>> {
    let visible = access::visible_subjects(conn, &ctx.grant)?;
    Ok(repo_rec::schedules(conn, visible.as_deref())?)
}

/// A slot of a schedule and whether it is still free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotView {
    pub slot: Slot,
    pub free: bool,
}

/// Longest window of slots asked at once, in days.
pub const MAX_SLOT_DAYS: i64 = 62;

/// The slots of a schedule from `from` to `to` (local dates) on the current calendar, each free or
/// given: a holiday or a transferred day off has none.
pub fn slots(
    conn: &mut DbConn,
    ctx: &Ctx,
    schedule_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<(ScheduleRow, Vec<SlotView>)> {
    if to < from || (to - from).num_days() >= MAX_SLOT_DAYS {
        return Err(AppError::field(
            "#/query/to",
            format!("must be on or after `from`, less than {MAX_SLOT_DAYS} days later"),
        ));
    }
    let hidden = || AppError::NotFound(format!("Schedule {schedule_id} does not exist."));
    let row = repo_rec::find_schedule(conn, schedule_id)?.ok_or_else(hidden)?;
    access::admit_record(
        conn,
        &ctx.grant,
        Action::ReadReceptions,
        row.subject_id,
        hidden,
    )?;
    let schedule = schedule_of(&row)?;
    let mut all = Vec::new();
    let outside = || AppError::field("#/query/to", "lies outside the calendar's range");
    for day in from.iter_days().take_while(|d| *d <= to) {
        all.extend(
            schedule
                .slots_on(&ctx.rules.calendar, day)
                .map_err(|_| outside())?,
        );
    }
    let taken = repo_rec::booked_between(
        conn,
        row.official_user_id,
        from.and_time(NaiveTime::MIN),
        (to + chrono::Duration::days(1)).and_time(NaiveTime::MIN),
    )?;
    let views = all
        .into_iter()
        .map(|slot| SlotView {
            slot,
            free: !taken.iter().any(|b| b.starts_at == slot.starts_at),
        })
        .collect();
    Ok((row, views))
}
