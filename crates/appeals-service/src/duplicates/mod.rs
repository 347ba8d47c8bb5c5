//! p.2(2), p.22, R13, R14: the registrar's qualification of a card's duplicate verdict, and the
//! card's duplicate links. (The check itself runs at registration.)

pub mod check;

use std::collections::BTreeMap;

use appeals_db::rows::{DuplicateLinkRow, NewDuplicateDecisionRow, NewDuplicateLinkRow};
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::dedup::Verdict;
use appeals_domain::events::{CardAction, CardEvent};
use chrono::NaiveDateTime;
use serde_json::{Value, json};

use crate::access;
use crate::actions::CardView;
use crate::cards::parts::to_json;
use crate::cards::write::{self, CardChange};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};

/// The stored code of a verdict.
pub fn code(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::New => "new",
        Verdict::Related => "related",
        Verdict::Duplicate => "duplicate",
    }
}

fn link_json(l: &DuplicateLinkRow) -> Value {
    json!({
        "other_appeal_id": l.other_appeal_id, "verdict": l.verdict, "decided_by": l.decided_by,
    })
}

/// The registrar's verdict on a card.
pub struct DecideDuplicate {
    pub appeal_id: i64,
    pub verdict: Verdict,
    pub original_appeal_id: Option<i64>,
    pub reason: String,
}

/// `duplicate` sets `duplicate_of` (the named original, else the engine's) and links it;
/// `related` clears it and turns duplicate links into related ones; `new` clears it and removes
/// the card's links. The card keeps its own number (R13); the decision and the links before it go
/// into the history.
pub fn decide(conn: &mut DbConn, ctx: &Ctx, cmd: DecideDuplicate) -> AppResult<CardView> {
    let DecideDuplicate {
        appeal_id: id,
        verdict,
        original_appeal_id,
        reason,
    } = cmd;
    if reason.trim().is_empty() {
        return Err(AppError::field("#/reason", "must not be blank"));
    }
    let user_id = ctx.actor().user_id;
    write_tx(conn, |conn| {
        let row = access::load_card(conn, &ctx.grant, id)?;
        let links = repo::duplicates::links_from(conn, id)?;
        let engine_original = links
            .iter()
            .find(|l| l.verdict == "duplicate")
            .map(|l| l.other_appeal_id);
        let original = match (verdict, original_appeal_id) {
            (Verdict::New, _) => None,
            (Verdict::Duplicate, None) => {
                Some(row.duplicate_of.or(engine_original).ok_or_else(|| {
                    AppError::field(
                        "#/original_appeal_id",
                        "name the original: no duplicate link exists",
                    )
                })?)
            }
            (_, given) => given,
        };
        if let Some(original) = original {
            if original == id {
                return Err(AppError::field(
                    "#/original_appeal_id",
                    "an appeal cannot duplicate itself",
                ));
            }
            // Any subject's appeal may be the original (p.2(2)); only its existence is checked,
            // nothing of it is shown.
            if repo::duplicates::card_refs(conn, &[original])?.is_empty() {
                return Err(AppError::field("#/original_appeal_id", "no such appeal"));
            }
        }
        let now = ctx.stored_now();
        let previous = json!({
            "duplicate_of": row.duplicate_of,
            "links": links.iter().map(link_json).collect::<Vec<_>>(),
        });
        let existing = |other: i64| links.iter().find(|l| l.other_appeal_id == other);
        repo::duplicates::delete_links_from(conn, id)?;
        let mut keep: Vec<NewDuplicateLinkRow> = Vec::new();
        if verdict != Verdict::New {
            for l in &links {
                if Some(l.other_appeal_id) == original {
                    continue;
                }
                // Only one original: other duplicate links become related.
                let demoted = l.verdict == "duplicate";
                keep.push(NewDuplicateLinkRow {
                    appeal_id: id,
                    other_appeal_id: l.other_appeal_id,
                    verdict: "related".to_owned(),
                    similarity: l.similarity,
                    containment: l.containment,
                    decided_by: if demoted { "user" } else { &l.decided_by }.to_owned(),
                    reason: if demoted {
                        Some(reason.clone())
                    } else {
                        l.reason.clone()
                    },
                    created_at: if demoted { now } else { l.created_at },
                    created_by: if demoted { Some(user_id) } else { l.created_by },
                });
            }
            if let Some(original) = original {
                let before = existing(original);
                keep.push(NewDuplicateLinkRow {
                    appeal_id: id,
                    other_appeal_id: original,
                    verdict: code(verdict).to_owned(),
                    similarity: before.and_then(|l| l.similarity),
                    containment: before.and_then(|l| l.containment),
                    decided_by: "user".to_owned(),
                    reason: Some(reason.clone()),
                    created_at: now,
                    created_by: Some(user_id),
                });
            }
        }
        for link in &keep {
            repo::duplicates::insert_link(conn, link)?;
        }
        let duplicate_of = (verdict == Verdict::Duplicate)
            .then_some(original)
            .flatten();
        repo::duplicates::insert_decision(
            conn,
            &NewDuplicateDecisionRow {
                appeal_id: id,
                verdict: code(verdict).to_owned(),
                original_appeal_id: original,
                reason: reason.clone(),
                previous: to_json(&previous)?,
                decided_at: now,
                decided_by: user_id,
            },
        )?;
        // p.22 (R14): the qualification is an ОЛ-2 of the card, after its earlier ones (R22).
        let original_registration_number = match original {
            Some(o) => Some(repo::appeals::get(conn, o)?.reg_number),
            None => None,
        };
        let mut parts = crate::cards::parts::CardParts::of(&row)?;
        let act = appeals_domain::acttime::ActTime::entered(now);
        let ol2 = crate::decisions::record_card(
            conn,
            ctx,
            &row,
            &mut parts,
            crate::decisions::NewOl2 {
                decision: appeals_domain::cards::Decision::DuplicateQualification {
                    verdict: code(verdict).to_owned(),
                    original_registration_number,
                },
                act,
                details: crate::decisions::Ol2Details {
                    reason: Some(reason.trim().to_owned()),
                    ..crate::decisions::Ol2Details::default()
                },
            },
        )?;
        let mut next = parts.apply_to(&row)?;
        next.duplicate_of = duplicate_of;
        let saved = write::commit(
            conn,
            ctx.actor(),
            now,
            CardChange {
                before: &row,
                after: next,
                event: CardEvent {
                    action: CardAction::DuplicateDecisionRecorded,
                    before: Some(previous),
                    after: Some(json!({
                        "verdict": verdict,
                        "duplicate_of": duplicate_of,
                        "original_appeal_id": original,
                        "reason": reason,
                        "decision_card_id": ol2.row.id,
                        "seq": ol2.row.seq,
                        "links": keep.iter().map(|l| json!({
                            "other_appeal_id": l.other_appeal_id, "verdict": l.verdict, "decided_by": l.decided_by,
                        })).collect::<Vec<_>>(),
                    })),
                },
            },
        )?;
        CardView::load(conn, saved)
    })
}

/// A duplicate link of a card as shown: the other card's number, subject and time only.
pub struct LinkView {
    /// `original` (this card repeats the other) or `repeat` (the other repeats this card).
    pub direction: &'static str,
    pub appeal_id: i64,
    pub registration_number: String,
    pub subject_id: i64,
    pub registered_at: NaiveDateTime,
    pub duplicate: bool,
    pub link: DuplicateLinkRow,
}

/// The card's duplicate links, both ways (whoever may read the card); other subjects' cards show
/// only their number, subject and time.
pub fn links(conn: &mut DbConn, ctx: &Ctx, id: i64) -> AppResult<(Option<i64>, Vec<LinkView>)> {
    let row = access::load_card(conn, &ctx.grant, id)?;
    let from = repo::duplicates::links_from(conn, id)?;
    let to = repo::duplicates::links_to(conn, id)?;
    let others: Vec<i64> = from
        .iter()
        .map(|l| l.other_appeal_id)
        .chain(to.iter().map(|l| l.appeal_id))
        .collect();
    let refs: BTreeMap<i64, (String, i64, NaiveDateTime)> =
        repo::duplicates::card_refs(conn, &others)?
            .into_iter()
            .map(|(id, number, subject, at)| (id, (number, subject, at)))
            .collect();
    let mut items = Vec::new();
    for (direction, link, other) in from
        .into_iter()
        .map(|l| ("original", l.other_appeal_id, l))
        .chain(to.into_iter().map(|l| ("repeat", l.appeal_id, l)))
        .map(|(d, other, l)| (d, l, other))
    {
        let Some((number, subject, at)) = refs.get(&other) else {
            continue;
        };
        items.push(LinkView {
            direction,
            appeal_id: other,
            registration_number: number.clone(),
            subject_id: *subject,
            registered_at: *at,
            duplicate: link.verdict == "duplicate",
            link,
        });
    }
    Ok((row.duplicate_of, items))
}
