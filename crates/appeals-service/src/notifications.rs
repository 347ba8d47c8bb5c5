//! R46: notices owed to applicants. The card write path writes them with each change
//! ([`crate::cards::write`]); the subject's delivery system takes its queue and reports each
//! delivery, which is also an event in the card's history.

use appeals_db::repo::notifications::QueueFilter;
use appeals_db::rows::NotificationRow;
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::events::{CardAction, CardEvent};
use appeals_domain::lifecycle::NoticeDelivery;
use chrono::{DateTime, Utc};
use serde_json::json;

use crate::access;
use crate::cards::write;
use crate::ctx::{Ctx, fail_if_any};
use crate::error::{AppError, AppResult};

/// A notice with the registration number of its card.
#[derive(Debug, Clone)]
pub struct NoticeView {
    pub notice: NotificationRow,
    pub registration_number: String,
}

/// The notices of one card, oldest first (whoever may read the card).
pub fn of_appeal(conn: &mut DbConn, ctx: &Ctx, appeal_id: i64) -> AppResult<Vec<NoticeView>> {
    let card = access::load_card(conn, &ctx.grant, appeal_id)?;
    Ok(repo::notifications::of_appeal(conn, appeal_id)?
        .into_iter()
        .map(|notice| NoticeView {
            notice,
            registration_number: card.reg_number.clone(),
        })
        .collect())
}

/// A page of the caller's subject's delivery queue, in id order.
pub struct QueuePage {
    /// One delivery state; all when `None`.
    pub delivery: Option<NoticeDelivery>,
    /// Only ids above this one (the cursor).
    pub after_id: Option<i64>,
    pub limit: i64,
}

/// The caller's subject's notices (the queue is always the own subject's).
pub fn queue(conn: &mut DbConn, ctx: &Ctx, page: QueuePage) -> AppResult<Vec<NoticeView>> {
    let filter = QueueFilter {
        subject_id: ctx.actor().subject_id,
        delivery: page.delivery,
        after_id: page.after_id,
        limit: page.limit,
    };
    Ok(repo::notifications::queue(conn, &filter)?
        .into_iter()
        .map(|(notice, appeal_number, reception_number)| NoticeView {
            notice,
            registration_number: appeal_number.or(reception_number).unwrap_or_default(),
        })
        .collect())
}

/// A delivery report of one notice.
pub struct ReportDelivery {
    pub notification_id: i64,
    pub outcome: NoticeDelivery,
    /// When the delivery system delivered or failed it (stated; the time of the action otherwise).
    pub reported_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

/// Records a delivery report: only the subject that owes the notice (404 otherwise); `delivered`
/// is final (409 after it); the report is an `applicant_notified` event of the card.
pub fn report_delivery(conn: &mut DbConn, ctx: &Ctx, cmd: ReportDelivery) -> AppResult<NoticeView> {
    let id = cmd.notification_id;
    let not_found = || AppError::NotFound(format!("Notification {id} does not exist."));
    write_tx(conn, |conn| {
        let notice = repo::notifications::find(conn, id)?.ok_or_else(not_found)?;
        access::own_subject(&ctx.grant, notice.subject_id, || {
            format!("Notification {id} does not exist.")
        })?;
        let mut issues = Vec::new();
        let at = ctx.stated_instant(
            cmd.reported_at,
            "#/reported_at",
            notice.created_at,
            &mut issues,
        );
        fail_if_any(issues)?;
        if !repo::notifications::report(conn, id, cmd.outcome, at, cmd.note.as_deref())? {
            return Err(AppError::Conflict(format!(
                "Notification {id} was already delivered."
            )));
        }
        let before = json!({"notification_id": id, "delivery": notice.delivery});
        let after = json!({
            "notification_id": id,
            "event": notice.event,
            "delivery": cmd.outcome.code(),
            "reported_at": at.and_utc(),
        });
        // The report is an event of the card the notice is about.
        let registration_number = match (notice.appeal_id, notice.reception_id) {
            (Some(appeal_id), _) => {
                write::record_event(
                    conn,
                    ctx.actor(),
                    appeal_id,
                    ctx.stored_now(),
                    CardEvent {
                        action: CardAction::ApplicantNotified,
                        before: Some(before),
                        after: Some(after),
                    },
                )?;
                repo::appeals::get(conn, appeal_id)?.reg_number
            }
            (None, Some(reception_id)) => {
                write::record_reception_delivery(
                    conn,
                    ctx.actor(),
                    reception_id,
                    ctx.stored_now(),
                    before,
                    after,
                )?;
                repo::receptions::find(conn, reception_id)?
                    .ok_or_else(not_found)?
                    .reg_number
            }
            (None, None) => {
                return Err(AppError::corrupt(format!(
                    "notification {id} names no card"
                )));
            }
        };
        let saved = repo::notifications::find(conn, id)?.ok_or_else(not_found)?;
        Ok(NoticeView {
            notice: saved,
            registration_number,
        })
    })
}
