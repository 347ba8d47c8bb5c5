//! Operator commands of the `appeals` binary: run at the console by whoever holds the database
//! (no access token, so no guard), each one transaction. The time of an action is the caller's.

use appeals_db::repo::events::BrokenLink;
use appeals_db::rows::{NewSubjectRow, NewUserRow, SubjectRow, UserRow};
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::access::Role;
use appeals_domain::regnum::NumberingMode;
use chrono::NaiveDateTime;

use crate::accounts::hash_password;
use crate::error::{AppError, AppResult};

/// A subject as the console creates it.
pub struct NewSubject {
    pub code: String,
    pub name_ru: String,
    pub name_kk: Option<String>,
    /// The code of the parent subject in the hierarchy.
    pub parent_code: Option<String>,
    pub kato_code: Option<String>,
    /// p.2(6): the Committee on legal statistics and its territorial bodies.
    pub authorized_body: bool,
    /// Its row code in report 1-ОЛ (the subject code when empty).
    pub report_row_code: Option<String>,
    /// Whether approvals must be EDS-signed (`None`: required, the production default).
    pub signature_required: Option<bool>,
}

fn subject_by_code(conn: &mut DbConn, code: &str) -> AppResult<SubjectRow> {
    repo::subjects::find_by_code(conn, code)?
        .ok_or_else(|| AppError::NotFound(format!("no subject with code `{code}`")))
}

pub fn create_subject(
    conn: &mut DbConn,
    s: NewSubject,
    at: NaiveDateTime,
) -> AppResult<SubjectRow> {
    let parent_id = match &s.parent_code {
        Some(code) => Some(subject_by_code(conn, code)?.id),
        None => None,
    };
    let row = repo::subjects::insert(
        conn,
        &NewSubjectRow {
            code: s.code,
            name_ru: s.name_ru,
            name_kk: s.name_kk,
            parent_id,
            kato_code: s.kato_code,
            is_authorized_body: s.authorized_body,
            created_at: at,
            report_row_code: s.report_row_code,
        },
    )?;
    if s.signature_required.is_none() {
        return Ok(row);
    }
    Ok(repo::subjects::update(
        conn,
        row.id,
        &repo::subjects::SubjectChanges {
            signature_required: Some(s.signature_required),
            ..Default::default()
        },
    )?)
}

/// Creates an active user bound to the subject with code `subject_code`.
pub fn create_user(
    conn: &mut DbConn,
    username: &str,
    subject_code: &str,
    roles: &[Role],
    full_name: Option<String>,
    password: &str,
    at: NaiveDateTime,
) -> AppResult<UserRow> {
    let subject = subject_by_code(conn, subject_code)?;
    let password_hash = hash_password(password)?;
    Ok(repo::users::insert(
        conn,
        &NewUserRow {
            username: username.to_owned(),
            password_hash,
            subject_id: subject.id,
            full_name,
            roles: Role::format_list(roles),
            is_active: true,
            created_at: at,
            iin_hash: None,
            position: None,
        },
    )?)
}

pub fn numbering_mode(conn: &mut DbConn) -> AppResult<NumberingMode> {
    Ok(repo::numbering::mode(conn)?)
}

/// Switches the registration numbering (national configuration); an admin event records it.
pub fn set_numbering_mode(conn: &mut DbConn, mode: NumberingMode) -> AppResult<()> {
    write_tx(conn, |conn| {
        let before = repo::numbering::mode(conn)?;
        repo::numbering::set_mode(conn, mode)?;
        repo::configuration::record_setting_change(
            conn,
            "numbering_mode_set",
            repo::numbering::SETTING,
            Some(before.code().to_owned()),
            mode.code().to_owned(),
        )?;
        Ok::<_, AppError>(())
    })
}

/// The banding of the duplicate index (`{bands}x{rows}`).
pub fn dedup_banding(conn: &mut DbConn) -> AppResult<String> {
    Ok(repo::duplicates::banding(conn)?)
}

/// The first link of a history chain that does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokenChain {
    /// An ОЛ-1 card's chain.
    Appeal(BrokenLink),
    /// A ЛП-1 card's chain: the card, the event's seq and id.
    Reception {
        reception_id: i64,
        seq: i32,
        event_id: i64,
    },
}

/// `appeals audit verify`: every card's hash chain, ОЛ-1 and ЛП-1; the events read and the first
/// broken link.
pub fn verify_all_histories(conn: &mut DbConn) -> AppResult<(u64, Option<BrokenChain>)> {
    let (appeal_events, broken) = repo::events::verify_all(conn)?;
    if let Some(b) = broken {
        return Ok((appeal_events, Some(BrokenChain::Appeal(b))));
    }
    let (reception_events, broken) = repo::receptions::verify_all(conn)?;
    Ok((
        appeal_events + reception_events,
        broken.map(|e| BrokenChain::Reception {
            reception_id: e.reception_id,
            seq: e.seq,
            event_id: e.id,
        }),
    ))
}

/// Whether the database holds no subject yet (the demo data go only into an empty one).
pub fn is_empty(conn: &mut DbConn) -> AppResult<bool> {
    Ok(repo::subjects::count(conn)? == 0)
}

/// Demo data of personal reception for `make run`: a schedule of the head (Monday to Friday,
/// 10:00–13:00, 30-minute slots), three applications in today's queue, the first given the first
/// free slot — through the same use-cases as the API, so the Swagger UI shows a real queue.
pub fn seed_reception_demo(
    conn: &mut DbConn,
    admin: &UserRow,
    head: &UserRow,
    secretary: &UserRow,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    use crate::access::admit;
    use crate::applicants::RegistryLookups;
    use crate::ctx::{Actor, Ctx};
    use crate::receptions::{self, Apply, Book, NewSchedule, Person};
    use appeals_domain::access::Action;
    use appeals_domain::cards::ReceptionKind;
    use appeals_domain::schedule::Schedule;

    let rules = std::sync::Arc::new(crate::config::Rules::load(conn)?);
    let ctx = |user: &UserRow, action: Action| -> AppResult<Ctx> {
        let actor = Actor {
            user_id: user.id,
            subject_id: user.subject_id,
            roles: Role::parse_list(&user.roles).map_err(AppError::corrupt)?,
        };
        Ok(Ctx {
            grant: admit(actor, action)?,
            rules: rules.clone(),
            now,
        })
    };
    let time = |h: u32| chrono::NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
    let today = rules.local_date(now);
    let schedule = receptions::create_schedule(
        conn,
        &ctx(admin, Action::ManageReceptionSchedules)?,
        NewSchedule {
            official_user_id: head.id,
            schedule: Schedule {
                weekdays: vec![1, 2, 3, 4, 5],
                starts: time(10),
                ends: time(13),
                slot_minutes: 30,
                valid_from: today,
                valid_to: None,
            },
            place_kato: "751110000".to_owned(),
            place_addressee: "Аппарат акима г. Алматы, приемная, каб. 101".to_owned(),
            online: false,
        },
    )?;
    let registering = ctx(secretary, Action::RegisterReception)?;
    let mut first = None;
    for (surname, first_name, iin, question) in [
        ("Ахметов", "Ерлан", "921029350851", "improvement"),
        ("Сейтова", "Динара", "900101300811", "transport"),
        ("Нуров", "Асхат", "870315300456", "housing_utilities"),
    ] {
        let apply = Apply {
            person: Person {
                iin: appeals_domain::ident::Iin::parse(iin)
                    .is_ok()
                    .then(|| iin.to_owned()),
                surname: surname.to_owned(),
                first_name: first_name.to_owned(),
                social_status: Some("employed".to_owned()),
                ..Person::default()
            },
            issue_nature: Some(question.to_owned()),
            kind: ReceptionKind::Offline,
            out_of_schedule: false,
            source_reference: None,
            idem: None,
            lookup: RegistryLookups::Done(vec![None]),
        };
        let id = receptions::apply(conn, &registering, apply, |_, view| {
            Ok::<_, AppError>(view.row.id)
        })?
        .into_inner();
        first.get_or_insert(id);
    }
    let booking = ctx(secretary, Action::BookReception)?;
    let window = receptions::slots(
        conn,
        &booking,
        schedule.id,
        today + chrono::Duration::days(1),
        today + chrono::Duration::days(14),
    )?;
    if let (Some(id), Some(slot)) = (first, window.1.iter().find(|s| s.free)) {
        receptions::book(
            conn,
            &booking,
            Book {
                reception_id: id,
                expected_version: None,
                schedule_id: schedule.id,
                starts_at: slot.slot.starts_at,
            },
        )?;
    }
    Ok(())
}

/// A user by name (404 when there is none).
pub fn user_by_name(conn: &mut DbConn, username: &str) -> AppResult<UserRow> {
    repo::users::find_by_username(conn, username)?
        .ok_or_else(|| AppError::NotFound(format!("no user `{username}`")))
}
