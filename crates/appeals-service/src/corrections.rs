//! R39 (APPK art. 63): the notice «Не соответствует ст. 63» that makes a card wait for the
//! applicant's correction, and «Приведено в соответствие» when it comes.

use appeals_db::DbConn;
use appeals_domain::cards::Article63Defect;
use appeals_domain::events::{CardAction, CardEvent};
use appeals_domain::lifecycle::Command;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use crate::actions::{CardView, Target, act_on_card, status_change, transition};
use crate::cards::parts::StoredCorrection;
use crate::ctx::{Ctx, fail_if_any};
use crate::error::{AppError, AppResult, FieldIssue};

/// The notice of defects as the executor sends it.
pub struct RequestCorrection {
    /// Defect codes of art. 63 as sent (each checked, none repeated).
    pub defects: Vec<String>,
    pub notice: String,
    /// The correction deadline set by the executor [OBS] (a local date, inclusive).
    pub correct_by: NaiveDate,
    /// When the notice was sent (stated; the time of the action otherwise).
    pub requested_at: Option<DateTime<Utc>>,
}

/// The card waits for the correction (`awaiting_correction`) and carries the notice.
pub fn request(
    conn: &mut DbConn,
    ctx: &Ctx,
    target: Target,
    cmd: RequestCorrection,
) -> AppResult<CardView> {
    let mut issues = Vec::new();
    if cmd.notice.trim().is_empty() {
        issues.push(FieldIssue::new("#/notice", "must not be blank"));
    }
    let mut defects: Vec<Article63Defect> = Vec::new();
    for (i, code) in cmd.defects.iter().enumerate() {
        let pointer = format!("#/defects/{i}");
        match serde_json::from_value::<Article63Defect>(json!(code)).ok() {
            None => issues.push(FieldIssue::new(
                pointer,
                format!("`{code}` is not a defect of art. 63"),
            )),
            Some(d) if defects.contains(&d) => issues.push(FieldIssue::new(pointer, "is repeated")),
            Some(d) => defects.push(d),
        }
    }
    fail_if_any(issues)?;
    act_on_card(conn, ctx, target, |_, row, parts| {
        let mut issues = Vec::new();
        let act = ctx.act_time(
            cmd.requested_at,
            "#/requested_at",
            row.received_at,
            &mut issues,
        );
        let requested_at = act.act_at;
        if cmd.correct_by < ctx.rules.local_date(requested_at.and_utc()) {
            issues.push(FieldIssue::new(
                "#/correct_by",
                "precedes the day of the notice",
            ));
        }
        fail_if_any(issues)?;
        transition(parts, &[Command::RequestCorrection])?;
        parts.details.entered_late |= act.entered_late;
        let correction = StoredCorrection {
            defects: cmd.defects.clone(),
            notice: cmd.notice.trim().to_owned(),
            requested_at: requested_at.and_utc(),
            correct_by: cmd.correct_by,
            corrected_at: None,
            corrected_late: false,
        };
        let before = json!({
            "status": row.status,
            "correction": parts.details.correction,
        });
        parts.details.correction = Some(correction.clone());
        Ok(CardEvent {
            action: CardAction::CorrectionRequested,
            before: Some(before),
            after: Some(json!({
                "status": parts.state.status().code(),
                "correction": correction,
            })),
        })
    })
}

/// «Приведено в соответствие»: the card goes back to work; a correction after `correct_by`
/// (compared on the local date) is flagged late.
pub fn confirm(
    conn: &mut DbConn,
    ctx: &Ctx,
    target: Target,
    note: Option<String>,
    corrected_at: Option<DateTime<Utc>>,
) -> AppResult<CardView> {
    act_on_card(conn, ctx, target, |_, row, parts| {
        transition(parts, &[Command::ConfirmCorrection])?;
        let Some(mut correction) = parts.details.correction.clone() else {
            return Err(AppError::corrupt(
                "a card awaiting correction carries no notice",
            ));
        };
        let mut issues = Vec::new();
        let notice_sent = correction.requested_at.naive_utc();
        let act = ctx.act_time(corrected_at, "#/corrected_at", notice_sent, &mut issues);
        let at = act.act_at;
        fail_if_any(issues)?;
        parts.details.entered_late |= act.entered_late;
        correction.corrected_at = Some(at.and_utc());
        correction.corrected_late = ctx.rules.local_date(at.and_utc()) > correction.correct_by;
        parts.details.correction = Some(correction.clone());
        // R15 after R39: the cured defects may complete the authorship of an anonymous card.
        let cured = cured_defects(&correction)?;
        let anonymity_before = parts
            .card
            .bring_into_conformity(&cured, ctx.rules.hierarchy.anonymity_reading);
        if anonymity_before.is_some() {
            parts.details.anonymity_explanation = None;
            parts.details.redirect_immediately = false;
        }
        let mut after = json!({
            "corrected_at": correction.corrected_at,
            "corrected_late": correction.corrected_late,
            "note": note,
        });
        if let Some(before) = anonymity_before {
            after["anonymity"] = json!({"before": before, "after": parts.card.anonymity});
        }
        Ok(status_change(
            CardAction::CorrectionConfirmed,
            row,
            parts,
            after,
        ))
    })
}

/// The defects of the notice, as stored (codes checked when the notice was sent).
fn cured_defects(correction: &StoredCorrection) -> AppResult<Vec<Article63Defect>> {
    correction
        .defects
        .iter()
        .map(|code| {
            serde_json::from_value(json!(code))
                .map_err(|_| AppError::corrupt("a stored art. 63 notice names an unknown defect"))
        })
        .collect()
}
