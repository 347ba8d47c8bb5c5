//! What report 1-ОЛ counts of each card (p.32): a card yields a small set of *facts* — a measure,
//! the subject and month it is counted in, and the dimensions it is counted by. The facts are a
//! pure function of the card as stored, so the counts kept by the card write path (the difference
//! of a change's facts before and after it) always equal a recount from the cards.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::cards::ReceptionResult;
use crate::dictionary::AppealKind;
use crate::lifecycle::Status;

/// A reporting month as `yyyymm` (202604 = April 2026).
pub type Month = i32;

/// The month a day falls in.
pub fn month_of(day: NaiveDate) -> Month {
    day.year() * 100 + day.month() as i32
}

/// What is counted. The code is stored with every count and named by report definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// An accountable appeal registered (the month of its registration date).
    /// Dimensions: `kind`, `form`, `origin` (`direct` | `forwarded`).
    Received,
    /// A part forwarded by competence, counted at the subject that forwarded it (the month the
    /// part was registered at the receiver, p.11).
    ForwardedOut,
    /// An accountable appeal registered that duplicates an earlier one (p.13).
    Duplicate,
    /// The final act (R44) of an accountable appeal, in the month it was made. Dimensions:
    /// `decision` (the latest ОЛ-2 decision type), `answer` (its answer character or `none`),
    /// `timely` (`on_time` | `late` against the review deadline, requisite 13).
    Decided,
    /// R44: the review deadline passed with no final act — counted in the month of the day after
    /// the deadline, also when a late act followed.
    DeemedRefusal,
    /// A p.15 document (not accountable) registered. Dimension: `category`.
    NonAccountableRegistered,
    /// A p.15 document transferred to another system (R16), in the month of the transfer.
    /// Dimension: `timely`.
    NonAccountableTransferred,
    /// An application for personal reception (ЛП-1), in the month it was queued (requisite 4).
    /// Dimension: `presiding` — the role of the official given the reception (requisite 24):
    /// `head`, `deputy_head` or `none` while no slot is given.
    ReceptionReceived,
    /// «Записано на личный прием» (requisite 25), in the month of that decision.
    ReceptionRegistered,
    /// «Отказано в личном приеме» (requisite 25), in the month of that decision.
    ReceptionRefused,
    /// The result of a reception that took place, in the month of the reception (requisite 26).
    /// Dimension: `result` (`satisfied` | `refused` | `explained`).
    ReceptionResult,
}

impl Measure {
    pub const ALL: [Measure; 11] = [
        Measure::Received,
        Measure::ForwardedOut,
        Measure::Duplicate,
        Measure::Decided,
        Measure::DeemedRefusal,
        Measure::NonAccountableRegistered,
        Measure::NonAccountableTransferred,
        Measure::ReceptionReceived,
        Measure::ReceptionRegistered,
        Measure::ReceptionRefused,
        Measure::ReceptionResult,
    ];

    /// The stored code. Never rename one: stored counts and definitions name it.
    pub const fn code(self) -> &'static str {
        match self {
            Measure::Received => "received",
            Measure::ForwardedOut => "forwarded_out",
            Measure::Duplicate => "duplicate",
            Measure::Decided => "decided",
            Measure::DeemedRefusal => "deemed_refusal",
            Measure::NonAccountableRegistered => "non_accountable_registered",
            Measure::NonAccountableTransferred => "non_accountable_transferred",
            Measure::ReceptionReceived => "reception_received",
            Measure::ReceptionRegistered => "reception_registered",
            Measure::ReceptionRefused => "reception_refused",
            Measure::ReceptionResult => "reception_result",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    /// The dimensions a count of this measure carries (what a definition may filter by).
    pub const fn dimensions(self) -> &'static [&'static str] {
        match self {
            Measure::Received => &["kind", "form", "origin"],
            Measure::Decided => &["decision", "answer", "timely"],
            Measure::NonAccountableRegistered => &["category"],
            Measure::NonAccountableTransferred => &["timely"],
            Measure::ReceptionReceived => &["presiding"],
            Measure::ReceptionResult => &["result"],
            Measure::ForwardedOut
            | Measure::Duplicate
            | Measure::DeemedRefusal
            | Measure::ReceptionRegistered
            | Measure::ReceptionRefused => &[],
        }
    }
}

/// One counted fact: a measure, where and when it is counted, and its dimensions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fact {
    pub subject_id: i64,
    pub month: Month,
    pub measure: Measure,
    /// The dimensions in canonical text: `key=value` pairs sorted by key, joined by `;`.
    pub dimensions: String,
}

impl Fact {
    fn new(subject_id: i64, day: NaiveDate, measure: Measure, dims: &[(&str, &str)]) -> Self {
        let sorted: BTreeMap<&str, &str> = dims.iter().copied().collect();
        let dimensions = sorted
            .iter()
            .map(|(k, v)| format!("{k}={}", v.replace([';', '='], "_")))
            .collect::<Vec<_>>()
            .join(";");
        Self {
            subject_id,
            month: month_of(day),
            measure,
            dimensions,
        }
    }
}

/// Reads canonical dimension text back into pairs.
pub fn parse_dimensions(text: &str) -> BTreeMap<&str, &str> {
    text.split(';')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('='))
        .collect()
}

/// A signed number of one fact: a count kept, or the change of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactCount {
    pub fact: Fact,
    pub n: i64,
}

/// What a change does to the counts: the facts after it minus the facts before it (a card that
/// is created has none before). Facts that stay are not touched, so most edits write nothing.
pub fn change(before: &[Fact], after: &[Fact]) -> Vec<FactCount> {
    let mut net: BTreeMap<&Fact, i64> = BTreeMap::new();
    for f in before {
        *net.entry(f).or_default() -= 1;
    }
    for f in after {
        *net.entry(f).or_default() += 1;
    }
    net.into_iter()
        .filter(|(_, n)| *n != 0)
        .map(|(fact, n)| FactCount {
            fact: fact.clone(),
            n,
        })
        .collect()
}

/// An ОЛ-1 card as 1-ОЛ sees it.
#[derive(Debug, Clone)]
pub struct CountedAppeal<'a> {
    /// The subject that holds the card.
    pub subject_id: i64,
    /// Registration date (p.4; the next working day for a receipt after hours, R8).
    pub registered_on: NaiveDate,
    /// p.15: `false` for a document not subject to accounting.
    pub accountable: bool,
    /// p.15 category of a non-accountable document.
    pub non_accountable_category: Option<&'a str>,
    pub kind: AppealKind,
    /// Requisite 4, the form of receipt (`receipt_forms` code).
    pub receipt_form: &'a str,
    /// For a part forwarded by competence: the subject that forwarded it (p.11).
    pub forwarded_by: Option<i64>,
    /// p.13: the card duplicates an earlier one.
    pub duplicate: bool,
    pub status: Status,
    /// Requisite 13, the review deadline.
    pub review_due: NaiveDate,
    /// R44: the local date of the first ОЛ-2 decision.
    pub final_act_on: Option<NaiveDate>,
    /// The latest ОЛ-2 decision: its type and answer character.
    pub decision: Option<(&'a str, Option<&'a str>)>,
    /// p.15: when the document was transferred (R16) and whether that was late.
    pub transferred: Option<(NaiveDate, bool)>,
}

fn timely(late: bool) -> &'static str {
    if late { "late" } else { "on_time" }
}

/// The facts of an ОЛ-1 card. A document not subject to accounting (p.15) never counts in the
/// appeal measures, only in its own two.
pub fn appeal_facts(card: &CountedAppeal<'_>) -> Vec<Fact> {
    let s = card.subject_id;
    let mut facts = Vec::new();
    if !card.accountable {
        facts.push(Fact::new(
            s,
            card.registered_on,
            Measure::NonAccountableRegistered,
            &[("category", card.non_accountable_category.unwrap_or("none"))],
        ));
        if let Some((on, late)) = card.transferred {
            facts.push(Fact::new(
                s,
                on,
                Measure::NonAccountableTransferred,
                &[("timely", timely(late))],
            ));
        }
        return facts;
    }
    let origin = if card.forwarded_by.is_some() {
        "forwarded"
    } else {
        "direct"
    };
    facts.push(Fact::new(
        s,
        card.registered_on,
        Measure::Received,
        &[
            ("kind", card.kind.code()),
            ("form", card.receipt_form),
            ("origin", origin),
        ],
    ));
    if let Some(by) = card.forwarded_by {
        facts.push(Fact::new(
            by,
            card.registered_on,
            Measure::ForwardedOut,
            &[],
        ));
    }
    if card.duplicate {
        facts.push(Fact::new(s, card.registered_on, Measure::Duplicate, &[]));
    }
    if let Some(on) = card.final_act_on {
        let (decision, answer) = card.decision.unwrap_or(("none", None));
        facts.push(Fact::new(
            s,
            on,
            Measure::Decided,
            &[
                ("decision", decision),
                ("answer", answer.unwrap_or("none")),
                ("timely", timely(on > card.review_due)),
            ],
        ));
    }
    // R44 concerns what is considered here: a card forwarded in full, transferred or withdrawn
    // has no act of this subject to wait for.
    let considered_here = !matches!(
        card.status,
        Status::Forwarded | Status::Transferred | Status::Withdrawn
    );
    let missed = card.final_act_on.is_none_or(|on| on > card.review_due);
    if considered_here
        && missed
        && let Some(day_after) = card.review_due.checked_add_days(Days::new(1))
    {
        facts.push(Fact::new(s, day_after, Measure::DeemedRefusal, &[]));
    }
    facts
}

/// The decision on a reception (requisite 25) as 1-ОЛ counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceptionDecision {
    /// «Записано на личный прием» — a slot is given (and kept, or the reception happened).
    Registered,
    /// «Отказано в личном приеме».
    Refused,
}

/// A ЛП-1 card as 1-ОЛ section 5 sees it.
#[derive(Debug, Clone)]
pub struct CountedReception<'a> {
    pub subject_id: i64,
    /// Requisite 4, the day the application was queued.
    pub queued_on: NaiveDate,
    /// The role of the presiding official (requisite 24): `head` or `deputy_head`.
    pub presiding: Option<&'a str>,
    /// Requisite 25 and the day it was decided.
    pub decision: Option<(ReceptionDecision, NaiveDate)>,
    /// The result of a reception that took place, and its day (requisite 26).
    pub result: Option<(ReceptionResult, NaiveDate)>,
}

/// The facts of a ЛП-1 card.
pub fn reception_facts(card: &CountedReception<'_>) -> Vec<Fact> {
    let s = card.subject_id;
    let mut facts = vec![Fact::new(
        s,
        card.queued_on,
        Measure::ReceptionReceived,
        &[("presiding", card.presiding.unwrap_or("none"))],
    )];
    match card.decision {
        Some((ReceptionDecision::Registered, on)) => {
            facts.push(Fact::new(s, on, Measure::ReceptionRegistered, &[]));
        }
        Some((ReceptionDecision::Refused, on)) => {
            facts.push(Fact::new(s, on, Measure::ReceptionRefused, &[]));
        }
        None => {}
    }
    if let Some((result, on)) = card.result {
        let code = match result {
            ReceptionResult::Satisfied => "satisfied",
            ReceptionResult::Refused => "refused",
            ReceptionResult::Explained => "explained",
        };
        facts.push(Fact::new(
            s,
            on,
            Measure::ReceptionResult,
            &[("result", code)],
        ));
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn appeal() -> CountedAppeal<'static> {
        CountedAppeal {
            subject_id: 7,
            registered_on: day(2026, 3, 30),
            accountable: true,
            non_accountable_category: None,
            kind: AppealKind::Complaint,
            receipt_form: "electronic",
            forwarded_by: None,
            duplicate: false,
            status: Status::InWork,
            review_due: day(2026, 4, 30),
            final_act_on: None,
            decision: None,
            transferred: None,
        }
    }

    fn measures(facts: &[Fact]) -> Vec<(&'static str, Month)> {
        facts.iter().map(|f| (f.measure.code(), f.month)).collect()
    }

    #[test]
    fn an_open_appeal_counts_as_received_and_as_a_deemed_refusal_after_its_deadline() {
        let facts = appeal_facts(&appeal());
        assert_eq!(
            measures(&facts),
            vec![("received", 202603), ("deemed_refusal", 202605)]
        );
        assert_eq!(
            facts[0].dimensions,
            "form=electronic;kind=complaint;origin=direct"
        );
    }

    #[test]
    fn an_act_on_time_is_no_deemed_refusal_and_a_late_one_is_both() {
        let mut a = appeal();
        a.final_act_on = Some(day(2026, 4, 30));
        a.decision = Some(("provide_answer", Some("explained")));
        let facts = appeal_facts(&a);
        assert_eq!(
            measures(&facts),
            vec![("received", 202603), ("decided", 202604)]
        );
        assert_eq!(
            facts[1].dimensions,
            "answer=explained;decision=provide_answer;timely=on_time"
        );
        a.final_act_on = Some(day(2026, 5, 4));
        let facts = appeal_facts(&a);
        assert_eq!(
            measures(&facts),
            vec![
                ("received", 202603),
                ("decided", 202605),
                ("deemed_refusal", 202605)
            ]
        );
        assert!(facts[1].dimensions.ends_with("timely=late"));
    }

    #[test]
    fn a_p15_document_never_counts_as_an_appeal() {
        let mut a = appeal();
        a.accountable = false;
        a.non_accountable_category = Some("advertising_proposals");
        a.status = Status::Transferred;
        a.transferred = Some((day(2026, 4, 2), true));
        let facts = appeal_facts(&a);
        assert_eq!(
            measures(&facts),
            vec![
                ("non_accountable_registered", 202603),
                ("non_accountable_transferred", 202604)
            ]
        );
    }

    #[test]
    fn a_forwarded_part_counts_at_both_ends_and_a_fully_forwarded_card_awaits_no_act() {
        let mut part = appeal();
        part.forwarded_by = Some(3);
        let facts = appeal_facts(&part);
        assert_eq!(facts[1].subject_id, 3);
        assert_eq!(facts[1].measure, Measure::ForwardedOut);
        assert!(facts[0].dimensions.contains("origin=forwarded"));
        let mut main = appeal();
        main.status = Status::Forwarded;
        assert_eq!(measures(&appeal_facts(&main)), vec![("received", 202603)]);
    }

    #[test]
    fn a_change_writes_only_the_difference() {
        let before = appeal_facts(&appeal());
        let mut a = appeal();
        a.final_act_on = Some(day(2026, 4, 10));
        a.decision = Some(("take_note", None));
        let after = appeal_facts(&a);
        let delta = change(&before, &after);
        let signed: Vec<(&str, i64)> = delta.iter().map(|c| (c.fact.measure.code(), c.n)).collect();
        assert_eq!(signed, vec![("decided", 1), ("deemed_refusal", -1)]);
        assert!(change(&after, &after).is_empty());
    }

    #[test]
    fn a_reception_counts_its_application_decision_and_result() {
        let r = CountedReception {
            subject_id: 1,
            queued_on: day(2026, 1, 31),
            presiding: Some("deputy_head"),
            decision: Some((ReceptionDecision::Registered, day(2026, 2, 2))),
            result: Some((ReceptionResult::Explained, day(2026, 2, 9))),
        };
        let facts = reception_facts(&r);
        assert_eq!(
            measures(&facts),
            vec![
                ("reception_received", 202601),
                ("reception_registered", 202602),
                ("reception_result", 202602)
            ]
        );
        assert_eq!(facts[0].dimensions, "presiding=deputy_head");
        assert_eq!(
            parse_dimensions(&facts[2].dimensions)["result"],
            "explained"
        );
    }
}
