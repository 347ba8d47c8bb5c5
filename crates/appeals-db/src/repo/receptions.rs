//! Personal reception: ЛП-1 cards, their hash-chained history, schedules and booked slots.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::conn::DbConn;
use crate::error::DbError;
use crate::repo::events::{ChainedFields, GENESIS_HASH, chain_hash};
use crate::rows::{
    BookingRow, NewReceptionEventRow, NewReceptionRow, NewScheduleRow, ReceptionChange,
    ReceptionEventRow, ReceptionRow, ScheduleRow,
};
use crate::schema::{
    counters, reception_bookings, reception_events, reception_schedules, receptions,
};

pub fn insert(conn: &mut DbConn, new: &NewReceptionRow) -> Result<ReceptionRow, DbError> {
    Ok(diesel::insert_into(receptions::table)
        .values(new)
        .get_result(conn)?)
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<ReceptionRow>, DbError> {
    Ok(receptions::table
        .find(id)
        .select(ReceptionRow::as_select())
        .first(conn)
        .optional()?)
}

/// The card an application from another system already has (R26).
pub fn find_by_source(
    conn: &mut DbConn,
    subject_id: i64,
    source_reference: &str,
) -> Result<Option<ReceptionRow>, DbError> {
    Ok(receptions::table
        .filter(receptions::subject_id.eq(subject_id))
        .filter(receptions::source_reference.eq(source_reference))
        .select(ReceptionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Writes the change if the card is still at `expected_version` (else [`DbError::Stale`]).
pub fn update_versioned(
    conn: &mut DbConn,
    id: i64,
    expected_version: i64,
    change: &ReceptionChange,
) -> Result<(), DbError> {
    let updated = diesel::update(
        receptions::table
            .filter(receptions::id.eq(id))
            .filter(receptions::version.eq(expected_version)),
    )
    .set(change)
    .execute(conn)?;
    if updated == 1 {
        Ok(())
    } else {
        Err(DbError::Stale)
    }
}

/// What a list of receptions filters on.
#[derive(Debug, Clone, Default)]
pub struct ReceptionFilter {
    /// `None`: every subject (the authorized body).
    pub subjects: Option<Vec<i64>>,
    pub status: Option<String>,
    pub official_user_id: Option<i64>,
    pub queued_from: Option<NaiveDate>,
    pub queued_to: Option<NaiveDate>,
    pub out_of_schedule: Option<bool>,
    /// Requisite 6: `online` or `offline`.
    pub reception_kind: Option<String>,
    /// Ids below this one (newest first).
    pub before_id: Option<i64>,
    pub limit: i64,
}

pub fn list(conn: &mut DbConn, f: &ReceptionFilter) -> Result<Vec<ReceptionRow>, DbError> {
    let mut q = receptions::table
        .select(ReceptionRow::as_select())
        .into_boxed();
    if let Some(subjects) = &f.subjects {
        q = q.filter(receptions::subject_id.eq_any(subjects.clone()));
    }
    if let Some(status) = &f.status {
        q = q.filter(receptions::status.eq(status.clone()));
    }
    if let Some(official) = f.official_user_id {
        q = q.filter(receptions::official_user_id.eq(official));
    }
    if let Some(from) = f.queued_from {
        q = q.filter(receptions::queued_on.ge(from));
    }
    if let Some(to) = f.queued_to {
        q = q.filter(receptions::queued_on.le(to));
    }
    if let Some(out) = f.out_of_schedule {
        q = q.filter(receptions::out_of_schedule.eq(out));
    }
    if let Some(kind) = &f.reception_kind {
        q = q.filter(receptions::reception_kind.eq(kind.clone()));
    }
    if let Some(before) = f.before_id {
        q = q.filter(receptions::id.lt(before));
    }
    Ok(q.order(receptions::id.desc()).limit(f.limit).load(conn)?)
}

/// The day's queue of a subject: the applications put in the queue up to `day` that are not yet
/// held, refused or not held, in queue order (day, then number).
pub fn open_queue(
    conn: &mut DbConn,
    subject_id: i64,
    day: NaiveDate,
) -> Result<Vec<ReceptionRow>, DbError> {
    Ok(receptions::table
        .filter(receptions::subject_id.eq(subject_id))
        .filter(receptions::queued_on.le(day))
        .filter(receptions::status.eq_any(["queued", "booked"]))
        .order((receptions::queued_on.asc(), receptions::queue_number.asc()))
        .select(ReceptionRow::as_select())
        .load(conn)?)
}

/// The next queue number of a subject on a day (requisite 3), from a counter row taken and
/// incremented in the caller's transaction.
pub fn next_queue_number(
    conn: &mut DbConn,
    subject_id: i64,
    day: NaiveDate,
) -> Result<i64, DbError> {
    let name = format!("reception_queue:{subject_id}:{day}");
    Ok(crate::per_backend!(conn, |c| {
        diesel::insert_into(counters::table)
            .values((counters::name.eq(&name), counters::value.eq(1_i64)))
            .on_conflict(counters::name)
            .do_update()
            .set(counters::value.eq(counters::value + 1))
            .returning(counters::value)
            .get_result(c)
    })?)
}

// --- history ---------------------------------------------------------------------------------

/// What a change of a reception card records.
#[derive(Debug, Clone)]
pub struct NewReceptionEvent {
    pub reception_id: i64,
    pub occurred_at: NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub actor_subject_id: Option<i64>,
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Appends an event after the card's last one (`(reception_id, seq)` is unique, so two concurrent
/// appends cannot both succeed).
pub fn append_event(
    conn: &mut DbConn,
    event: NewReceptionEvent,
) -> Result<ReceptionEventRow, DbError> {
    let last: Option<(i32, String)> = reception_events::table
        .filter(reception_events::reception_id.eq(event.reception_id))
        .order(reception_events::seq.desc())
        .select((reception_events::seq, reception_events::hash))
        .first(conn)
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let before = event.before.map(|v| v.to_string());
    let after = event.after.map(|v| v.to_string());
    let hash = chain_hash(
        &prev_hash,
        &ChainedFields {
            card_id: event.reception_id,
            seq,
            occurred_at: event.occurred_at,
            actor_user_id: event.actor_user_id,
            actor_subject_id: event.actor_subject_id,
            action: &event.action,
            before: before.as_deref(),
            after: after.as_deref(),
        },
    );
    Ok(diesel::insert_into(reception_events::table)
        .values(&NewReceptionEventRow {
            reception_id: event.reception_id,
            seq,
            occurred_at: event.occurred_at,
            actor_user_id: event.actor_user_id,
            actor_subject_id: event.actor_subject_id,
            action: event.action,
            before,
            after,
            prev_hash,
            hash,
        })
        .get_result(conn)?)
}

pub fn events(conn: &mut DbConn, reception_id: i64) -> Result<Vec<ReceptionEventRow>, DbError> {
    Ok(reception_events::table
        .filter(reception_events::reception_id.eq(reception_id))
        .order(reception_events::seq.asc())
        .select(ReceptionEventRow::as_select())
        .load(conn)?)
}

/// The first event of the card's chain that does not follow the previous one or does not hash to
/// its content, if any.
pub fn first_broken_event(
    conn: &mut DbConn,
    reception_id: i64,
) -> Result<Option<ReceptionEventRow>, DbError> {
    let (mut prev_seq, mut prev_hash) = (0, GENESIS_HASH.to_owned());
    for e in events(conn, reception_id)? {
        let recomputed = chain_hash(
            &e.prev_hash,
            &ChainedFields {
                card_id: e.reception_id,
                seq: e.seq,
                occurred_at: e.occurred_at,
                actor_user_id: e.actor_user_id,
                actor_subject_id: e.actor_subject_id,
                action: &e.action,
                before: e.before.as_deref(),
                after: e.after.as_deref(),
            },
        );
        if e.seq != prev_seq + 1 || e.prev_hash != prev_hash || recomputed != e.hash {
            return Ok(Some(e));
        }
        (prev_seq, prev_hash) = (e.seq, e.hash);
    }
    Ok(None)
}

// --- schedules and bookings ------------------------------------------------------------------

pub fn insert_schedule(conn: &mut DbConn, new: &NewScheduleRow) -> Result<ScheduleRow, DbError> {
    Ok(diesel::insert_into(reception_schedules::table)
        .values(new)
        .get_result(conn)?)
}

pub fn find_schedule(conn: &mut DbConn, id: i64) -> Result<Option<ScheduleRow>, DbError> {
    Ok(reception_schedules::table
        .find(id)
        .select(ScheduleRow::as_select())
        .first(conn)
        .optional()?)
}

/// The schedules of the given subjects (`None`: all), newest first.
pub fn schedules(conn: &mut DbConn, subjects: Option<&[i64]>) -> Result<Vec<ScheduleRow>, DbError> {
    let mut q = reception_schedules::table
        .select(ScheduleRow::as_select())
        .into_boxed();
    if let Some(subjects) = subjects {
        q = q.filter(reception_schedules::subject_id.eq_any(subjects.to_vec()));
    }
    Ok(q.order(reception_schedules::id.desc()).load(conn)?)
}

/// Gives a slot to a reception. The primary key (official, start) refuses a slot already given
/// ([`DbError::UniqueViolation`]), whichever process committed it.
pub fn book(conn: &mut DbConn, booking: &BookingRow) -> Result<(), DbError> {
    diesel::insert_into(reception_bookings::table)
        .values(booking)
        .execute(conn)?;
    Ok(())
}

/// Frees the slot of a reception; returns whether it had one.
pub fn release(conn: &mut DbConn, reception_id: i64) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        reception_bookings::table.filter(reception_bookings::reception_id.eq(reception_id)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}

/// The slots of an official already given between two instants (local time).
pub fn booked_between(
    conn: &mut DbConn,
    official_user_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<BookingRow>, DbError> {
    Ok(reception_bookings::table
        .filter(reception_bookings::official_user_id.eq(official_user_id))
        .filter(reception_bookings::starts_at.ge(from))
        .filter(reception_bookings::starts_at.lt(to))
        .select(BookingRow::as_select())
        .load(conn)?)
}

/// Verifies the chain of every reception card, in id order: the events read and the first card
/// whose chain breaks with its first broken event.
pub fn verify_all(conn: &mut DbConn) -> Result<(u64, Option<ReceptionEventRow>), DbError> {
    let ids: Vec<i64> = receptions::table
        .select(receptions::id)
        .order(receptions::id.asc())
        .load(conn)?;
    let mut checked = 0u64;
    for id in ids {
        if let Some(broken) = first_broken_event(conn, id)? {
            return Ok((
                checked + u64::try_from(broken.seq).unwrap_or(0),
                Some(broken),
            ));
        }
        checked += reception_events::table
            .filter(reception_events::reception_id.eq(id))
            .count()
            .get_result::<i64>(conn)
            .map(|n| u64::try_from(n).unwrap_or(0))?;
    }
    Ok((checked, None))
}

/// Ends a schedule: no slots after `valid_to` (the last day it holds).
pub fn end_schedule(
    conn: &mut DbConn,
    id: i64,
    valid_to: NaiveDate,
) -> Result<ScheduleRow, DbError> {
    Ok(diesel::update(reception_schedules::table.find(id))
        .set(reception_schedules::valid_to.eq(Some(valid_to)))
        .get_result(conn)?)
}

/// Slots of a schedule given at or after `from` (local time).
pub fn booked_from(
    conn: &mut DbConn,
    schedule_id: i64,
    from: NaiveDateTime,
) -> Result<i64, DbError> {
    Ok(reception_bookings::table
        .filter(reception_bookings::schedule_id.eq(schedule_id))
        .filter(reception_bookings::starts_at.ge(from))
        .count()
        .get_result(conn)?)
}

/// A page of ЛП-1 cards in id order after `after_id` (a recount walks every card).
pub fn page_after(
    conn: &mut DbConn,
    after_id: i64,
    limit: i64,
) -> Result<Vec<ReceptionRow>, DbError> {
    Ok(receptions::table
        .filter(receptions::id.gt(after_id))
        .order(receptions::id.asc())
        .limit(limit)
        .select(ReceptionRow::as_select())
        .load(conn)?)
}
