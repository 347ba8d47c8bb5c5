//! R46: notices owed to applicants. Rows are written in the transaction of the card's change and
//! only their delivery fields change afterwards (each report is also an event in the card's
//! history).

use appeals_domain::lifecycle::NoticeDelivery;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::conn::DbConn;
use crate::error::DbError;
use crate::rows::{NewNotificationRow, NotificationRow};
use crate::schema::{appeals, applicant_notifications as n, receptions};

/// Appends the notices of one change.
pub fn insert_all(conn: &mut DbConn, rows: &[NewNotificationRow]) -> Result<(), DbError> {
    for row in rows {
        diesel::insert_into(n::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// The notices of one appeal, oldest first.
pub fn of_appeal(conn: &mut DbConn, appeal_id: i64) -> Result<Vec<NotificationRow>, DbError> {
    Ok(n::table
        .filter(n::appeal_id.eq(appeal_id))
        .order(n::id.asc())
        .select(NotificationRow::as_select())
        .load(conn)?)
}

/// What a subject's delivery queue is asked for.
#[derive(Debug, Clone)]
pub struct QueueFilter {
    pub subject_id: i64,
    /// One delivery state; all when `None`.
    pub delivery: Option<NoticeDelivery>,
    /// Only ids above this one (the cursor).
    pub after_id: Option<i64>,
    pub limit: i64,
}

/// A notice of the queue with the number of its appeal or of its reception (one of the two).
pub type QueuedNotice = (NotificationRow, Option<String>, Option<String>);

/// A subject's notices in id order (oldest first: a queue), each with its card's number (the
/// appeal's or the reception's).
pub fn queue(conn: &mut DbConn, f: &QueueFilter) -> Result<Vec<QueuedNotice>, DbError> {
    let mut q = n::table
        .left_join(appeals::table)
        .left_join(receptions::table)
        .filter(n::subject_id.eq(f.subject_id))
        .select((
            NotificationRow::as_select(),
            appeals::reg_number.nullable(),
            receptions::reg_number.nullable(),
        ))
        .into_boxed();
    if let Some(delivery) = f.delivery {
        q = q.filter(n::delivery.eq(delivery.code()));
    }
    if let Some(after) = f.after_id {
        q = q.filter(n::id.gt(after));
    }
    Ok(q.order(n::id.asc()).limit(f.limit).load(conn)?)
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<NotificationRow>, DbError> {
    Ok(n::table
        .find(id)
        .select(NotificationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records a delivery report unless the notice was already delivered (`Ok(false)` then): a report
/// on a delivered notice changes nothing, even when two reports race.
pub fn report(
    conn: &mut DbConn,
    id: i64,
    delivery: NoticeDelivery,
    at: NaiveDateTime,
    note: Option<&str>,
) -> Result<bool, DbError> {
    let changed = diesel::update(
        n::table
            .find(id)
            .filter(n::delivery.ne(NoticeDelivery::Delivered.code())),
    )
    .set((
        n::delivery.eq(delivery.code()),
        n::reported_at.eq(Some(at)),
        n::delivery_note.eq(note),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}
