//! The event outbox (issue 22): one row per card change, written by the one card write path in the
//! change's transaction, so an event exists exactly when the change committed. The payload carries
//! what a receiver needs without a second call and no personal data; the change's own details
//! (which may name applicants or quote the text) are kept apart and go only to subscriptions of
//! the card's own subject.

use appeals_db::rows::{AppealRow, NewOutboxEventRow, ReceptionRow};
use appeals_db::{DbConn, repo};
use appeals_domain::events::{CardAction, ReceptionAction};
use appeals_domain::webhooks;
use chrono::NaiveDateTime;
use serde_json::{Value, json};

use crate::error::AppResult;

/// The event of a change of an ОЛ-1 card (the card as it is after the change).
pub fn appeal_changed(
    conn: &mut DbConn,
    after: &AppealRow,
    at: NaiveDateTime,
    action: CardAction,
    change: Option<&Value>,
) -> AppResult<()> {
    let event_type = webhooks::appeal_event_type(action, after.main_appeal_id.is_some());
    let data = json!({
        "card_id": after.id,
        "registration_number": after.reg_number,
        "main_appeal_id": after.main_appeal_id,
        "subject_id": after.subject_id,
        "status": after.status,
        "pending": after.pending,
        "registration_date": after.registration_date,
        "review_due": after.review_due,
        "version": after.version,
    });
    append(
        conn,
        event_type,
        after.id,
        after.subject_id,
        at,
        data,
        change,
    )
}

/// The event of a change of a ЛП-1 card (reception slot, outcome…).
pub fn reception_changed(
    conn: &mut DbConn,
    after: &ReceptionRow,
    at: NaiveDateTime,
    action: ReceptionAction,
) -> AppResult<()> {
    let data = json!({
        "card_id": after.id,
        "registration_number": after.reg_number,
        "subject_id": after.subject_id,
        "status": after.status,
        "slot_starts_at": after.slot_starts_at,
        "version": after.version,
    });
    append(
        conn,
        format!("reception.{}", action.code()),
        after.id,
        after.subject_id,
        at,
        data,
        None,
    )
}

fn append(
    conn: &mut DbConn,
    event_type: String,
    card_id: i64,
    subject_id: i64,
    at: NaiveDateTime,
    data: Value,
    change: Option<&Value>,
) -> AppResult<()> {
    let event_id = format!("evt_{}", uuid::Uuid::now_v7().simple());
    let payload = json!({
        "id": event_id,
        "type": event_type,
        "occurred_at": at.and_utc(),
        "data": data,
    });
    repo::webhooks::append_event(
        conn,
        &NewOutboxEventRow {
            event_id,
            event_type,
            card_id,
            subject_id,
            occurred_at: at,
            payload: payload.to_string(),
            private_payload: change.map(Value::to_string),
        },
    )?;
    Ok(())
}
