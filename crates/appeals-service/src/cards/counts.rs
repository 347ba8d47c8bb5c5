//! Report 1-ОЛ counts kept by the card write path: the facts of a card as stored (a pure function
//! of its row, `appeals_domain::report::facts`) and the changes a card change makes to them,
//! appended in its transaction.

use appeals_db::rows::{AppealRow, ReceptionRow};
use appeals_db::{DbConn, repo};
use appeals_domain::cards::{ReceptionCard, ReceptionOutcome};
use appeals_domain::report::{
    self, CountedAppeal, CountedReception, Fact, FactCount, ReceptionDecision,
};

use super::parts::{CardParts, parse_json};
use crate::error::AppResult;

/// The facts of an ОЛ-1 card as stored.
pub fn of_appeal(row: &AppealRow) -> AppResult<Vec<Fact>> {
    let parts = CardParts::of(row)?;
    let details = &parts.details;
    Ok(report::appeal_facts(&CountedAppeal {
        subject_id: row.subject_id,
        registered_on: row.registration_date,
        accountable: row.is_accountable,
        non_accountable_category: parts.card.non_accountable_category.as_deref(),
        kind: parts.card.kind(),
        receipt_form: &parts.card.receipt_form,
        forwarded_by: details.forwarded_by_subject_id,
        duplicate: row.duplicate_of.is_some(),
        status: parts.state.status(),
        review_due: row.review_due,
        final_act_on: details.final_act_on,
        decision: details
            .last_decision
            .as_ref()
            .map(|d| (d.decision_type.as_str(), d.answer_character.as_deref())),
        transferred: details.transfer.as_ref().map(|t| (t.on, t.late)),
    }))
}

/// The facts of a ЛП-1 card as stored.
pub fn of_reception(row: &ReceptionRow) -> AppResult<Vec<Fact>> {
    let card: ReceptionCard = parse_json(&row.card, "reception card")?;
    let decided_on = card.decided_on.unwrap_or(row.queued_on);
    let decision = match (row.status.as_str(), card.decided_on) {
        ("booked" | "held", _) | ("not_held", Some(_)) => {
            Some((ReceptionDecision::Registered, decided_on))
        }
        ("refused", _) => Some((ReceptionDecision::Refused, decided_on)),
        _ => None,
    };
    let result = match (card.outcome, card.result) {
        (Some(ReceptionOutcome::Held), Some(result)) => {
            Some((result, card.reception_date.unwrap_or(decided_on)))
        }
        _ => None,
    };
    Ok(report::reception_facts(&CountedReception {
        subject_id: row.subject_id,
        queued_on: row.queued_on,
        presiding: card.presiding_role.as_deref(),
        decision,
        result,
    }))
}

/// Appends what a change does to the counts (nothing when its facts stay).
pub fn record(conn: &mut DbConn, before: &[Fact], after: &[Fact]) -> AppResult<()> {
    let changes: Vec<repo::reports::NewCountChange> = report::change(before, after)
        .into_iter()
        .map(change_row)
        .collect();
    repo::reports::append_changes(conn, &changes)?;
    Ok(())
}

/// The stored form of a count or its change.
pub fn change_row(c: FactCount) -> repo::reports::NewCountChange {
    repo::reports::NewCountChange {
        subject_id: c.fact.subject_id,
        month: c.fact.month,
        measure: c.fact.measure.code().to_owned(),
        dimensions: c.fact.dimensions,
        n: c.n,
    }
}
