//! The one card write path. Every change of a card goes through [`commit`]: the versioned update
//! (409 when someone changed it meanwhile), the hash-chained history event, and the effects the
//! change owes ([`after_change`]: the applicant notices of R46 and the changes of the 1-ОЛ
//! counts, [`counts`]; the webhook outbox attaches there), all in the same transaction. New cards go through [`create`]. Every
//! history event is a typed [`CardEvent`] of the domain.
//!
//! The time of the change is an argument: the use-case's one reading of the clock.

use appeals_db::rows::{
    AppealChange, AppealRow, ApplicantRow, NewAppealRow, NewApplicantRow, NewNotificationRow,
};
use appeals_db::rows::{NewReceptionRow, ReceptionRow};
use appeals_db::{DbConn, DbError, repo};
use appeals_domain::cards::{AppealCard, ApplicantCard};
use appeals_domain::events::{CardAction, CardEvent, ReceptionAction, RegisteredCard};
use appeals_domain::lifecycle::{self, AppealState, ApplicantNotice, NoticeDelivery};
use chrono::NaiveDateTime;
use serde_json::Value;

use super::{counts, outbox, search_index};
use crate::ctx::Actor;
use crate::error::{AppError, AppResult};

/// R46 notice events as stored.
pub const STATUS_CHANGED: &str = "status_changed";
pub const ANSWER_ISSUED: &str = "answer_issued";
pub const TERM_EXTENDED: &str = "term_extended";
/// The notice of a reception's change of status (slot given or released, refused, held, not held).
pub const RECEPTION_STATUS_CHANGED: &str = "reception_status_changed";

/// A new card: the ОЛ-1 row, its З-1 rows (their `appeal_id` is set here), its tags and markings.
pub struct NewCard {
    pub row: NewAppealRow,
    pub applicants: Vec<NewApplicantRow>,
    pub tags: Vec<String>,
    pub markings: Vec<String>,
}

/// Creates a card (registration, a part forwarded by competence): the rows, and the first event
/// of its hash-chained history, `registered`, whose `after` value `registered` builds from the
/// stored row. Returns the stored row and its З-1 rows.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    at: NaiveDateTime,
    card: NewCard,
    registered: impl FnOnce(&AppealRow) -> RegisteredCard,
) -> AppResult<(AppealRow, Vec<ApplicantRow>)> {
    let row = repo::appeals::insert(conn, &card.row)?;
    let applicants: Vec<NewApplicantRow> = card
        .applicants
        .into_iter()
        .map(|a| NewApplicantRow {
            appeal_id: row.id,
            ..a
        })
        .collect();
    let applicants = repo::appeals::insert_applicants(conn, &applicants)?;
    repo::appeals::insert_tags_and_markings(
        conn,
        row.id,
        row.subject_id,
        &card.tags,
        &card.markings,
    )?;
    let event = CardEvent::registered(&registered(&row))?;
    outbox::appeal_changed(conn, &row, at, CardAction::Registered, None)?;
    repo::events::append_first(conn, new_event(actor, row.id, at, event))?;
    counts::record(conn, &[], &counts::of_appeal(&row)?)?;
    search_index::index(conn, &row, &applicants, true)?;
    Ok((row, applicants))
}

/// Rewrites the filterable copies of an edited card's tags and markings, under its current holder
/// (a later change of holder moves them, [`commit`]).
pub fn store_tags_and_markings(
    conn: &mut DbConn,
    row: &AppealRow,
    card: &AppealCard,
) -> AppResult<()> {
    let markings: Vec<String> = card.markings().iter().cloned().collect();
    repo::appeals::replace_tags_and_markings(conn, row.id, row.subject_id, card.tags(), &markings)?;
    Ok(())
}

/// One change of a card: the row as loaded and the row it becomes, with the history event.
pub struct CardChange<'a> {
    pub before: &'a AppealRow,
    pub after: AppealRow,
    /// The history event of the change.
    pub event: CardEvent,
}

/// Writes the change if nobody changed the card meanwhile (else 409), appends its history event
/// and records what it owes; returns the row as stored.
pub fn commit(
    conn: &mut DbConn,
    actor: &Actor,
    at: NaiveDateTime,
    change: CardChange<'_>,
) -> AppResult<AppealRow> {
    let CardChange {
        before,
        mut after,
        event,
    } = change;
    after.version = before.version + 1;
    after.updated_at = at;
    if matches!(after.status.as_str(), "closed") && after.closed_at.is_none() {
        after.closed_at = Some(at);
    }
    let columns: AppealChange = after.to_change();
    match repo::appeals::update_versioned(conn, before.id, before.version, &columns) {
        Ok(()) => {}
        Err(DbError::Stale) => {
            return Err(AppError::Conflict(
                "The appeal was changed by another request; reload it and retry.".to_owned(),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let applicants_changed = event.action == CardAction::ApplicantsChanged;
    outbox::appeal_changed(conn, &after, at, event.action, event.after.as_ref())?;
    record_event(conn, actor, before.id, at, event)?;
    after_change(conn, before, &after, at, applicants_changed)?;
    Ok(after)
}

/// What a committed change owes, written in its transaction. The hook point of every capability
/// that must see each card change (1-ОЛ roll-ups, the search index, the webhook outbox).
fn after_change(
    conn: &mut DbConn,
    before: &AppealRow,
    after: &AppealRow,
    at: NaiveDateTime,
    applicants_changed: bool,
) -> AppResult<()> {
    record_notices(conn, before, after, at)?;
    if before.subject_id != after.subject_id {
        // A full forwarding: the filterable copies of tags and markings name the new holder.
        repo::appeals::move_tags_and_markings(conn, after.id, after.subject_id)?;
    }
    counts::record(
        conn,
        &counts::of_appeal(before)?,
        &counts::of_appeal(after)?,
    )?;
    if search_index::touched(before, after, applicants_changed) {
        let applicants = repo::appeals::applicants(conn, after.id)?;
        search_index::index(conn, after, &applicants, false)?;
    }
    Ok(())
}

fn parse<T: serde::de::DeserializeOwned>(stored: &str, what: &str) -> AppResult<T> {
    serde_json::from_str(stored).map_err(|e| {
        AppError::Db(DbError::Corrupt(format!(
            "stored {what} is unreadable: {e}"
        )))
    })
}

/// R46: writes what the change owes the applicant in its transaction (an outbox, so a notice
/// exists exactly when the change committed), owed by the subject that held the card: one
/// `status_changed` notice per status change (`term_extended` for a signed extension, R36), and
/// one `answer_issued` SMS per applicant with a mobile number on file when a decision was signed.
fn record_notices(
    conn: &mut DbConn,
    before: &AppealRow,
    after: &AppealRow,
    at: NaiveDateTime,
) -> AppResult<()> {
    let old: AppealState = parse(&before.state, "state")?;
    let new: AppealState = parse(&after.state, "state")?;
    let notice = |event: &str, applicant: Option<(i32, String)>| {
        let (applicant_ordinal, sms_to) = applicant.unzip();
        NewNotificationRow {
            appeal_id: Some(before.id),
            reception_id: None,
            subject_id: before.subject_id,
            event: event.to_owned(),
            status_from: before.status.clone(),
            status_to: after.status.clone(),
            applicant_ordinal,
            sms_to,
            created_at: at,
            delivery: NoticeDelivery::Pending.code().to_owned(),
        }
    };
    let mut rows = Vec::new();
    for owed in lifecycle::applicant_notices(&old, &new) {
        match owed {
            ApplicantNotice::StatusChanged { .. } => rows.push(notice(STATUS_CHANGED, None)),
            ApplicantNotice::TermExtended => rows.push(notice(TERM_EXTENDED, None)),
            ApplicantNotice::AnswerIssued => {
                for applicant in repo::appeals::applicants(conn, before.id)? {
                    let card: ApplicantCard = parse(&applicant.card, "applicant card")?;
                    if let Some(phone) = card.contacts.mobile_phone.filter(|p| !p.trim().is_empty())
                    {
                        rows.push(notice(ANSWER_ISSUED, Some((applicant.ordinal, phone))));
                    }
                }
            }
        }
    }
    repo::notifications::insert_all(conn, &rows)?;
    Ok(())
}

/// Appends a history event of a card whose row did not change (a delivery report, R46).
pub fn record_event(
    conn: &mut DbConn,
    actor: &Actor,
    appeal_id: i64,
    at: NaiveDateTime,
    event: CardEvent,
) -> AppResult<()> {
    repo::events::append(conn, new_event(actor, appeal_id, at, event))?;
    Ok(())
}

fn new_event(
    actor: &Actor,
    appeal_id: i64,
    at: NaiveDateTime,
    event: CardEvent,
) -> repo::events::NewEvent {
    repo::events::NewEvent {
        appeal_id,
        occurred_at: at,
        actor_user_id: Some(actor.user_id),
        actor_subject_id: Some(actor.subject_id),
        action: event.action.code().to_owned(),
        before: event.before,
        after: event.after,
    }
}

// ---------------------------------------------------------------------------------------------
// ЛП-1 cards (personal reception)
// ---------------------------------------------------------------------------------------------

/// One change of a ЛП-1 card: the row as loaded and the row it becomes, with its history event.
pub struct ReceptionChange<'a> {
    pub before: &'a ReceptionRow,
    pub after: ReceptionRow,
    pub action: ReceptionAction,
    pub before_value: Value,
    pub after_value: Value,
}

fn reception_event(
    actor: &Actor,
    reception_id: i64,
    at: NaiveDateTime,
    action: ReceptionAction,
    before: Option<Value>,
    after: Option<Value>,
) -> repo::receptions::NewReceptionEvent {
    repo::receptions::NewReceptionEvent {
        reception_id,
        occurred_at: at,
        actor_user_id: Some(actor.user_id),
        actor_subject_id: Some(actor.subject_id),
        action: action.code().to_owned(),
        before,
        after,
    }
}

/// Creates a ЛП-1 card (an application for personal reception) and the first event of its
/// hash-chained history, `registered`.
pub fn create_reception(
    conn: &mut DbConn,
    actor: &Actor,
    at: NaiveDateTime,
    row: &NewReceptionRow,
    registered: Value,
) -> AppResult<ReceptionRow> {
    let saved = repo::receptions::insert(conn, row)?;
    repo::receptions::append_event(
        conn,
        reception_event(
            actor,
            saved.id,
            at,
            ReceptionAction::Registered,
            None,
            Some(registered),
        ),
    )?;
    counts::record(conn, &[], &counts::of_reception(&saved)?)?;
    outbox::reception_changed(conn, &saved, at, ReceptionAction::Registered)?;
    Ok(saved)
}

/// Writes the change of a ЛП-1 card if nobody changed it meanwhile (else 409) and appends its
/// history event, the notice it owes and the changes of the 1-ОЛ section 5 counts; returns the
/// row as stored. (The hook point of the outbox too, like [`commit`] for ОЛ-1.)
pub fn commit_reception(
    conn: &mut DbConn,
    actor: &Actor,
    at: NaiveDateTime,
    change: ReceptionChange<'_>,
) -> AppResult<ReceptionRow> {
    let ReceptionChange {
        before,
        mut after,
        action,
        before_value,
        after_value,
    } = change;
    after.version = before.version + 1;
    after.updated_at = at;
    match repo::receptions::update_versioned(conn, before.id, before.version, &after.to_change()) {
        Ok(()) => {}
        Err(DbError::Stale) => {
            return Err(AppError::Conflict(
                "The reception card was changed by another request; reload it and retry."
                    .to_owned(),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    repo::receptions::append_event(
        conn,
        reception_event(
            actor,
            before.id,
            at,
            action,
            Some(before_value),
            Some(after_value),
        ),
    )?;
    record_reception_notice(conn, before, &after, at)?;
    outbox::reception_changed(conn, &after, at, action)?;
    counts::record(
        conn,
        &counts::of_reception(before)?,
        &counts::of_reception(&after)?,
    )?;
    Ok(after)
}

/// The notice a reception's change owes its applicant (written in its transaction, like R46's):
/// one per change of status — a slot given or given back, the reception refused, held or not held
/// — with the mobile number on the card for an SMS.
fn record_reception_notice(
    conn: &mut DbConn,
    before: &ReceptionRow,
    after: &ReceptionRow,
    at: NaiveDateTime,
) -> AppResult<()> {
    if before.status == after.status {
        return Ok(());
    }
    let card: appeals_domain::cards::ReceptionCard = parse(&after.card, "reception card")?;
    repo::notifications::insert_all(
        conn,
        &[NewNotificationRow {
            appeal_id: None,
            reception_id: Some(before.id),
            subject_id: before.subject_id,
            event: RECEPTION_STATUS_CHANGED.to_owned(),
            status_from: before.status.clone(),
            status_to: after.status.clone(),
            applicant_ordinal: None,
            sms_to: card.mobile_phone.filter(|p| !p.trim().is_empty()),
            created_at: at,
            delivery: NoticeDelivery::Pending.code().to_owned(),
        }],
    )?;
    Ok(())
}

/// A delivery report of a reception's notice, recorded in its card's history.
pub fn record_reception_delivery(
    conn: &mut DbConn,
    actor: &Actor,
    reception_id: i64,
    at: NaiveDateTime,
    before: Value,
    after: Value,
) -> AppResult<()> {
    repo::receptions::append_event(
        conn,
        reception_event(
            actor,
            reception_id,
            at,
            ReceptionAction::ApplicantNotified,
            Some(before),
            Some(after),
        ),
    )?;
    Ok(())
}
