//! The event outbox, webhook subscriptions and their delivery log (issue 22).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::conn::DbConn;
use crate::error::DbError;
use crate::rows::{
    DeliveryRow, NewOutboxEventRow, NewSubscriptionRow, OutboxEventRow, SubscriptionRow,
};
use crate::schema::{outbox_events, webhook_deliveries, webhook_subscriptions};

pub fn append_event(conn: &mut DbConn, new: &NewOutboxEventRow) -> Result<(), DbError> {
    diesel::insert_into(outbox_events::table)
        .values(new)
        .execute(conn)?;
    Ok(())
}

/// The newest event id (0 when none): where a new subscription starts.
pub fn last_event_id(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(outbox_events::table
        .select(diesel::dsl::max(outbox_events::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// The events after `cursor` a subscription sees (of one subject, or of all), in order.
pub fn events_after(
    conn: &mut DbConn,
    cursor: i64,
    subject_id: Option<i64>,
    limit: i64,
) -> Result<Vec<OutboxEventRow>, DbError> {
    let mut q = outbox_events::table
        .filter(outbox_events::id.gt(cursor))
        .order(outbox_events::id.asc())
        .limit(limit)
        .select(OutboxEventRow::as_select())
        .into_boxed();
    if let Some(subject) = subject_id {
        q = q.filter(outbox_events::subject_id.eq(subject));
    }
    Ok(q.load(conn)?)
}

pub fn event(conn: &mut DbConn, id: i64) -> Result<OutboxEventRow, DbError> {
    Ok(outbox_events::table
        .find(id)
        .select(OutboxEventRow::as_select())
        .first(conn)?)
}

pub fn insert_subscription(
    conn: &mut DbConn,
    new: &NewSubscriptionRow,
) -> Result<SubscriptionRow, DbError> {
    Ok(diesel::insert_into(webhook_subscriptions::table)
        .values(new)
        .get_result(conn)?)
}

pub fn subscription(conn: &mut DbConn, id: i64) -> Result<Option<SubscriptionRow>, DbError> {
    Ok(webhook_subscriptions::table
        .find(id)
        .filter(webhook_subscriptions::status.ne("deleted"))
        .select(SubscriptionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every subscription, deleted ones included, by id (their secrets are sealed at start).
pub fn all_subscriptions(conn: &mut DbConn) -> Result<Vec<SubscriptionRow>, DbError> {
    Ok(webhook_subscriptions::table
        .order(webhook_subscriptions::id.asc())
        .select(SubscriptionRow::as_select())
        .load(conn)?)
}

/// The subscriptions of a subject (not deleted), by id.
pub fn subscriptions_of(
    conn: &mut DbConn,
    subject_id: i64,
) -> Result<Vec<SubscriptionRow>, DbError> {
    Ok(webhook_subscriptions::table
        .filter(webhook_subscriptions::subject_id.eq(subject_id))
        .filter(webhook_subscriptions::status.ne("deleted"))
        .order(webhook_subscriptions::id.asc())
        .select(SubscriptionRow::as_select())
        .load(conn)?)
}

/// What changes on a subscription (`None` leaves it).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = webhook_subscriptions)]
pub struct SubscriptionChanges {
    pub url: Option<String>,
    pub event_types: Option<String>,
    pub secret: Option<String>,
    pub status: Option<String>,
    pub cursor: Option<i64>,
    pub failing_since: Option<Option<NaiveDateTime>>,
    pub next_attempt_at: Option<Option<NaiveDateTime>>,
    pub attempts: Option<i32>,
    pub lease_owner: Option<Option<String>>,
    pub lease_until: Option<Option<NaiveDateTime>>,
}

pub fn update_subscription(
    conn: &mut DbConn,
    id: i64,
    changes: &SubscriptionChanges,
) -> Result<(), DbError> {
    diesel::update(webhook_subscriptions::table.find(id))
        .set(changes)
        .execute(conn)?;
    Ok(())
}

/// Takes the lease of one active subscription with events waiting and no live lease or pending
/// back-off; `None` when there is nothing to deliver. On PostgreSQL the candidate row is taken
/// `FOR UPDATE SKIP LOCKED`, so workers never wait on each other; SQLite serialises writers.
pub fn lease_next(
    conn: &mut DbConn,
    owner: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> Result<Option<SubscriptionRow>, DbError> {
    use diesel::dsl::exists;
    let waiting = exists(
        outbox_events::table.filter(
            outbox_events::id.gt(webhook_subscriptions::cursor).and(
                webhook_subscriptions::all_subjects
                    .or(outbox_events::subject_id.eq(webhook_subscriptions::subject_id)),
            ),
        ),
    );
    let candidates = webhook_subscriptions::table
        .filter(webhook_subscriptions::status.eq("active"))
        .filter(
            webhook_subscriptions::lease_until
                .is_null()
                .or(webhook_subscriptions::lease_until.lt(now)),
        )
        .filter(
            webhook_subscriptions::next_attempt_at
                .is_null()
                .or(webhook_subscriptions::next_attempt_at.le(now)),
        )
        .filter(waiting)
        .order(webhook_subscriptions::id.asc())
        .select(webhook_subscriptions::id);
    let id: Option<i64> = match conn {
        DbConn::Pg(c) => candidates.for_update().skip_locked().first(c).optional()?,
        DbConn::Sqlite(c) => candidates.first(c).optional()?,
    };
    let Some(id) = id else {
        return Ok(None);
    };
    update_subscription(
        conn,
        id,
        &SubscriptionChanges {
            lease_owner: Some(Some(owner.to_owned())),
            lease_until: Some(Some(until)),
            ..Default::default()
        },
    )?;
    subscription(conn, id)
}

/// Advances the cursor of a subscription this worker still leases; false when the lease was lost.
pub fn advance(conn: &mut DbConn, id: i64, owner: &str, cursor: i64) -> Result<bool, DbError> {
    let n = diesel::update(
        webhook_subscriptions::table
            .find(id)
            .filter(webhook_subscriptions::lease_owner.eq(owner)),
    )
    .set((
        webhook_subscriptions::cursor.eq(cursor),
        webhook_subscriptions::attempts.eq(0),
        webhook_subscriptions::failing_since.eq(None::<NaiveDateTime>),
        webhook_subscriptions::next_attempt_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Clears the lease of a subscription held by `owner` (nothing when another holds it).
pub fn release(conn: &mut DbConn, id: i64, owner: &str) -> Result<(), DbError> {
    diesel::update(
        webhook_subscriptions::table
            .find(id)
            .filter(webhook_subscriptions::lease_owner.eq(owner)),
    )
    .set((
        webhook_subscriptions::lease_owner.eq(None::<String>),
        webhook_subscriptions::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(())
}

pub fn append_delivery(conn: &mut DbConn, row: &DeliveryRow) -> Result<(), DbError> {
    diesel::insert_into(webhook_deliveries::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The newest delivery attempts of a subscription, newest first.
pub fn deliveries(
    conn: &mut DbConn,
    subscription_id: i64,
    limit: i64,
) -> Result<Vec<DeliveryRow>, DbError> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)?)
}

pub fn delivery(conn: &mut DbConn, id: i64) -> Result<Option<DeliveryRow>, DbError> {
    Ok(webhook_deliveries::table
        .find(id)
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?)
}

/// The smallest cursor of the active subscriptions (`None`: none active).
pub fn slowest_cursor(conn: &mut DbConn) -> Result<Option<i64>, DbError> {
    Ok(webhook_subscriptions::table
        .filter(webhook_subscriptions::status.eq("active"))
        .select(diesel::dsl::min(webhook_subscriptions::cursor))
        .first(conn)?)
}

/// The first event after `cursor` (its id and time).
pub fn first_after(
    conn: &mut DbConn,
    cursor: i64,
) -> Result<Option<(i64, NaiveDateTime)>, DbError> {
    Ok(outbox_events::table
        .filter(outbox_events::id.gt(cursor))
        .order(outbox_events::id.asc())
        .select((outbox_events::id, outbox_events::occurred_at))
        .first(conn)
        .optional()?)
}

pub fn failing_subscriptions(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(webhook_subscriptions::table
        .filter(webhook_subscriptions::status.eq("active"))
        .filter(webhook_subscriptions::failing_since.is_not_null())
        .count()
        .get_result(conn)?)
}

pub fn parked_deliveries(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::outcome.eq("parked"))
        .count()
        .get_result(conn)?)
}
