//! The history: hash-chained events per appeal. Events are only ever appended.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::conn::DbConn;
use crate::error::DbError;
use crate::rows::{EventRow, NewEventRow};
use crate::schema::appeal_events;

/// Hash that precedes the first event of every appeal.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an action records.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub appeal_id: i64,
    pub occurred_at: NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub actor_subject_id: Option<i64>,
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// The hash of an event: SHA-256 over the previous hash and every stored field, each
/// length-prefixed so that no two different events serialise alike.
pub fn event_hash(prev_hash: &str, e: &NewEventRow) -> String {
    chain_hash(
        prev_hash,
        &ChainedFields {
            card_id: e.appeal_id,
            seq: e.seq,
            occurred_at: e.occurred_at,
            actor_user_id: e.actor_user_id,
            actor_subject_id: e.actor_subject_id,
            action: &e.action,
            before: e.before.as_deref(),
            after: e.after.as_deref(),
        },
    )
}

/// The stored fields of one event of a card's chain (an ОЛ-1 card or a ЛП-1 card).
pub struct ChainedFields<'a> {
    pub card_id: i64,
    pub seq: i32,
    pub occurred_at: NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub actor_subject_id: Option<i64>,
    pub action: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// The one hash of every history chain (see [`event_hash`]).
pub fn chain_hash(prev_hash: &str, e: &ChainedFields<'_>) -> String {
    let mut h = Sha256::new();
    let fields: [String; 9] = [
        prev_hash.to_owned(),
        e.card_id.to_string(),
        e.seq.to_string(),
        e.occurred_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        e.actor_user_id.map(|v| v.to_string()).unwrap_or_default(),
        e.actor_subject_id
            .map(|v| v.to_string())
            .unwrap_or_default(),
        e.action.to_owned(),
        e.before.unwrap_or_default().to_owned(),
        e.after.unwrap_or_default().to_owned(),
    ];
    for f in &fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends an event after the appeal's last one. Two concurrent appends to one appeal cannot both
/// succeed: `(appeal_id, seq)` is unique.
pub fn append(conn: &mut DbConn, event: NewEvent) -> Result<EventRow, DbError> {
    let last: Option<(i32, String)> = appeal_events::table
        .filter(appeal_events::appeal_id.eq(event.appeal_id))
        .order(appeal_events::seq.desc())
        .select((appeal_events::seq, appeal_events::hash))
        .first(conn)
        .optional()?;
    append_after(conn, event, last)
}

/// Appends the first event of an appeal inserted in this transaction (no chain head to read; the
/// unique `(appeal_id, seq)` still refuses a second first event).
pub fn append_first(conn: &mut DbConn, event: NewEvent) -> Result<EventRow, DbError> {
    append_after(conn, event, None)
}

fn append_after(
    conn: &mut DbConn,
    event: NewEvent,
    last: Option<(i32, String)>,
) -> Result<EventRow, DbError> {
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut row = NewEventRow {
        appeal_id: event.appeal_id,
        seq,
        occurred_at: event.occurred_at,
        actor_user_id: event.actor_user_id,
        actor_subject_id: event.actor_subject_id,
        action: event.action,
        before: event.before.map(|v| v.to_string()),
        after: event.after.map(|v| v.to_string()),
        prev_hash: prev_hash.clone(),
        hash: String::new(),
    };
    row.hash = event_hash(&prev_hash, &row);
    Ok(diesel::insert_into(appeal_events::table)
        .values(&row)
        .get_result(conn)?)
}

pub fn list(conn: &mut DbConn, appeal_id: i64) -> Result<Vec<EventRow>, DbError> {
    Ok(appeal_events::table
        .filter(appeal_events::appeal_id.eq(appeal_id))
        .order(appeal_events::seq.asc())
        .select(EventRow::as_select())
        .load(conn)?)
}

/// The first event whose chain link is broken, per appeal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub appeal_id: i64,
    pub seq: i32,
    pub event_id: i64,
    pub reason: String,
}

/// Why `e` does not continue the chain whose previous event has `prev_seq` and `prev_hash`
/// (0 and [`GENESIS_HASH`] for the first event), or `None` when it does.
fn broken_link_reason(e: &EventRow, prev_seq: i32, prev_hash: &str) -> Option<&'static str> {
    if e.seq != prev_seq + 1 {
        return Some("sequence gap");
    }
    if e.prev_hash != prev_hash {
        return Some("prev_hash does not match the previous event");
    }
    let recomputed = event_hash(
        &e.prev_hash,
        &NewEventRow {
            appeal_id: e.appeal_id,
            seq: e.seq,
            occurred_at: e.occurred_at,
            actor_user_id: e.actor_user_id,
            actor_subject_id: e.actor_subject_id,
            action: e.action.clone(),
            before: e.before.clone(),
            after: e.after.clone(),
            prev_hash: e.prev_hash.clone(),
            hash: String::new(),
        },
    );
    (recomputed != e.hash).then_some("hash does not match the event's content")
}

fn broken(e: &EventRow, reason: &str) -> BrokenLink {
    BrokenLink {
        appeal_id: e.appeal_id,
        seq: e.seq,
        event_id: e.id,
        reason: reason.to_owned(),
    }
}

/// The verification of one appeal's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCheck {
    /// Events checked (up to and including a broken one).
    pub checked: u64,
    pub broken: Option<BrokenLink>,
    /// The hash of the last event of an intact chain.
    pub head_hash: Option<String>,
}

/// Verifies one appeal's chain.
pub fn verify_appeal(conn: &mut DbConn, appeal_id: i64) -> Result<ChainCheck, DbError> {
    let mut checked = 0u64;
    let (mut prev_seq, mut prev_hash) = (0, GENESIS_HASH.to_owned());
    for e in list(conn, appeal_id)? {
        checked += 1;
        if let Some(reason) = broken_link_reason(&e, prev_seq, &prev_hash) {
            return Ok(ChainCheck {
                checked,
                broken: Some(broken(&e, reason)),
                head_hash: None,
            });
        }
        (prev_seq, prev_hash) = (e.seq, e.hash);
    }
    Ok(ChainCheck {
        checked,
        broken: None,
        head_hash: (checked > 0).then_some(prev_hash),
    })
}

/// Verifies the chains of all appeals (ordered by appeal, then seq), streaming in pages.
/// Returns the number of events checked and the first broken link, if any.
pub fn verify_all(conn: &mut DbConn) -> Result<(u64, Option<BrokenLink>), DbError> {
    let mut checked = 0u64;
    let mut after: (i64, i32) = (i64::MIN, i32::MIN);
    let mut expected_prev: Option<(i64, String, i32)> = None;
    loop {
        let page: Vec<EventRow> = appeal_events::table
            .filter(
                appeal_events::appeal_id
                    .gt(after.0)
                    .or(appeal_events::appeal_id
                        .eq(after.0)
                        .and(appeal_events::seq.gt(after.1))),
            )
            .order((appeal_events::appeal_id.asc(), appeal_events::seq.asc()))
            .limit(1000)
            .select(EventRow::as_select())
            .load(conn)?;
        let Some(last) = page.last() else { break };
        after = (last.appeal_id, last.seq);
        for e in page {
            checked += 1;
            let (prev_hash, prev_seq) = match &expected_prev {
                Some((appeal, hash, seq)) if *appeal == e.appeal_id => (hash.clone(), *seq),
                _ => (GENESIS_HASH.to_owned(), 0),
            };
            if let Some(reason) = broken_link_reason(&e, prev_seq, &prev_hash) {
                return Ok((checked, Some(broken(&e, reason))));
            }
            expected_prev = Some((e.appeal_id, e.hash.clone(), e.seq));
        }
    }
    Ok((checked, None))
}
