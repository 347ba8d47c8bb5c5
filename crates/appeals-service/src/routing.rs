//! Hierarchical routing and signing authority (issue 21; the prosecutors' Instruction of 2015 as
//! the default profile of `appeals_domain::hierarchy`): the routing facts of a card, what p.23 says
//! about sending it down, the forwarding check, who may sign its answer (p.54) and the quarterly
//! analysis of every unit (p.56).

use appeals_db::rows::{AppealRow, SubjectRow};
use appeals_db::{DbConn, repo};
use appeals_domain::access::Role;
use appeals_domain::cards::Decision;
use appeals_domain::events::{CardAction, CardEvent};
use appeals_domain::hierarchy::{
    AnswerResult, HierarchyLevel, LowerAnswer, Quarter, RoutingFacts, RoutingVerdict,
    SignerPosition, SigningCase, SigningRule, check_signer, signing_rule,
};
use appeals_domain::report::Measure;
use appeals_domain::report::facts::parse_dimensions;
use chrono::NaiveDate;
use serde_json::json;

use crate::access;
use crate::actions::{CardView, Target, act_on_card};
use crate::cards::parts::{CardParts, parse_json};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};

/// Verdicts of the duplicate check that make a card a repeat of an earlier one (same person,
/// same question, p.23(2)).
const REPEAT_VERDICTS: [&str; 2] = ["duplicate", "related"];

/// The level of a subject, if it is placed in a hierarchy.
pub fn level_of(subject: &SubjectRow) -> Option<HierarchyLevel> {
    subject
        .hierarchy_level
        .as_deref()
        .and_then(HierarchyLevel::parse)
}

// ---------------------------------------------------------------------------------------------
// Routing facts
// ---------------------------------------------------------------------------------------------

/// States (replaces) the routing facts of a card; one history event with the facts before and
/// after.
pub fn state_facts(
    conn: &mut DbConn,
    ctx: &Ctx,
    target: Target,
    facts: RoutingFacts,
) -> AppResult<CardView> {
    act_on_card(conn, ctx, target, |conn, _row, parts| {
        if let Some(number) = &facts.earlier_registration_number
            && repo::appeals::find_by_number(conn, number)?.is_none()
        {
            return Err(AppError::field(
                "#/earlier_registration_number",
                format!("no appeal {number} is registered"),
            ));
        }
        let before = std::mem::replace(&mut parts.details.routing, facts.clone());
        Ok(CardEvent {
            action: CardAction::RoutingFactsStated,
            before: Some(json!(before)),
            after: Some(json!(facts)),
        })
    })
}

// ---------------------------------------------------------------------------------------------
// p.23: repeat appeals, the lower body's answer, sending down
// ---------------------------------------------------------------------------------------------

/// The earlier appeals a card repeats: the duplicate check's `duplicate`/`related` links and the
/// appeal the applicant names.
fn earlier_appeals(
    conn: &mut DbConn,
    row: &AppealRow,
    facts: &RoutingFacts,
) -> AppResult<Vec<i64>> {
    let mut ids: Vec<i64> = repo::duplicates::links_from(conn, row.id)?
        .into_iter()
        .filter(|l| REPEAT_VERDICTS.contains(&l.verdict.as_str()))
        .map(|l| l.other_appeal_id)
        .collect();
    ids.extend(row.duplicate_of);
    if let Some(number) = &facts.earlier_registration_number
        && let Some(earlier) = repo::appeals::find_by_number(conn, number)?
    {
        ids.push(earlier.id);
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// p.23(2) part 3: an answer to one of `earlier` that a body below `holder` gave (the system's
/// own check in place of ЕИАС).
fn lower_answer(conn: &mut DbConn, holder: i64, earlier: &[i64]) -> AppResult<Option<LowerAnswer>> {
    if earlier.is_empty() {
        return Ok(None);
    }
    let below = access::subtree(conn, holder)?;
    for id in earlier {
        let Some(card) = repo::appeals::find(conn, *id)? else {
            continue;
        };
        if card.subject_id == holder || !below.contains(&card.subject_id) {
            continue;
        }
        let parts = CardParts::of(&card)?;
        if let Some(answered_on) = parts.details.final_act_on {
            return Ok(Some(LowerAnswer {
                appeal_id: card.id,
                registration_number: card.reg_number,
                subject_id: card.subject_id,
                answered_on,
            }));
        }
    }
    Ok(None)
}

/// What p.23 says about a card.
#[derive(Debug, Clone)]
pub struct RoutingView {
    pub appeal_id: i64,
    pub registration_number: String,
    pub holder: SubjectRow,
    pub level: Option<HierarchyLevel>,
    pub facts: RoutingFacts,
    /// Earlier appeals of the same person on the same question (ids).
    pub repeat_of: Vec<i64>,
    pub lower_answer: Option<LowerAnswer>,
    /// The lower body by territory: the deepest active subject below the holder whose KATO code
    /// is a prefix of the appeal's settlement KATO.
    pub lower_body: Option<SubjectRow>,
    /// p.23 for sending it down to that body (or to any lower body when none is found).
    pub verdict: RoutingVerdict,
    /// p.23(1)–(2): the card must leave within the forwarding term (3 working days).
    pub send_down_by: NaiveDate,
    /// Past `send_down_by`, still held here, and p.23 says it goes down.
    pub overdue: bool,
}

/// p.23 for a card (read through the guard).
pub fn view(conn: &mut DbConn, ctx: &Ctx, appeal_id: i64) -> AppResult<RoutingView> {
    let row = access::load_card(conn, &ctx.grant, appeal_id)?;
    let parts = CardParts::of(&row)?;
    let holder = repo::subjects::get(conn, row.subject_id)?;
    let facts = parts.details.routing.clone();
    let repeat_of = earlier_appeals(conn, &row, &facts)?;
    let lower = lower_answer(conn, row.subject_id, &repeat_of)?;
    let lower_body = lower_body_by_territory(conn, &row, &parts, &holder)?;
    let receiver = lower_body
        .as_ref()
        .map_or("нижестоящий орган".to_owned(), |s| {
            s.name_ru.clone()
        });
    let verdict = ctx.rules.hierarchy.routing.verdict(
        &facts,
        !repeat_of.is_empty(),
        lower.as_ref(),
        &row.reg_number,
        &receiver,
    );
    let today = ctx.rules.local_date(ctx.now);
    let held_open = !matches!(
        row.status.as_str(),
        "forwarded" | "decided" | "closed" | "withdrawn" | "transferred"
    );
    let overdue = held_open
        && today > row.forward_due
        && lower_body.is_some()
        && matches!(verdict, RoutingVerdict::SendDown { .. });
    Ok(RoutingView {
        appeal_id: row.id,
        registration_number: row.reg_number.clone(),
        level: level_of(&holder),
        holder,
        facts,
        repeat_of,
        lower_answer: lower,
        lower_body,
        verdict,
        send_down_by: row.forward_due,
        overdue,
    })
}

/// The KATO code the card is about: the postal address's settlement, else an applicant's.
fn card_kato(conn: &mut DbConn, row: &AppealRow, parts: &CardParts) -> AppResult<Option<String>> {
    if let Some(kato) = parts
        .details
        .postal_address
        .as_ref()
        .and_then(|a| a.settlement_kato.clone())
    {
        return Ok(Some(kato));
    }
    for applicant in repo::appeals::applicants(conn, row.id)? {
        let card: appeals_domain::cards::ApplicantCard =
            parse_json(&applicant.card, "applicant card")?;
        if let Some(kato) = card.address.settlement_kato.clone() {
            return Ok(Some(kato));
        }
    }
    Ok(None)
}

/// "The lower body by territory" (p.23(1)): among the active subjects below the holder at a lower
/// office level, the one whose KATO code is the longest prefix of the card's KATO.
fn lower_body_by_territory(
    conn: &mut DbConn,
    row: &AppealRow,
    parts: &CardParts,
    holder: &SubjectRow,
) -> AppResult<Option<SubjectRow>> {
    let Some(kato) = card_kato(conn, row, parts)? else {
        return Ok(None);
    };
    let below = access::subtree(conn, holder.id)?;
    let mut best: Option<SubjectRow> = None;
    for subject in repo::subjects::lines(conn, Some(&below))? {
        let lower = level_of(&subject).is_some_and(HierarchyLevel::is_lower_office);
        let Some(code) = subject.kato_code.as_deref().map(kato_prefix) else {
            continue;
        };
        if subject.id == holder.id || !subject.is_active || !lower || !kato.starts_with(code) {
            continue;
        }
        let longer = best
            .as_ref()
            .and_then(|b| b.kato_code.as_deref())
            .is_none_or(|b| code.len() > kato_prefix(b).len());
        if longer {
            best = Some(subject);
        }
    }
    Ok(best)
}

/// A KATO code without its trailing zeros: `750000000` covers every code starting `75`.
fn kato_prefix(code: &str) -> &str {
    let trimmed = code.trim_end_matches('0');
    if trimmed.is_empty() { code } else { trimmed }
}

/// What a forwarding down the hierarchy carries (p.23): the rule, the applicant's notification
/// and whether the result must be reported back.
#[derive(Debug, Clone)]
pub struct SendDown {
    pub rule: String,
    pub notification: String,
    pub report_back_required: bool,
}

/// p.23 on a forwarding of `row` to `receiver`: `None` when the receiver is not below the holder
/// (an ordinary forwarding by competence); the refusal names the rule.
pub fn check_send_down(
    conn: &mut DbConn,
    ctx: &Ctx,
    row: &AppealRow,
    parts: &CardParts,
    receiver: &SubjectRow,
) -> AppResult<Option<SendDown>> {
    // A structural unit of the same body is not a lower body: handing a card to it (p.19, p.23
    // part 5) is internal distribution.
    if level_of(receiver) == Some(HierarchyLevel::StructuralUnit) {
        return Ok(None);
    }
    let below = access::subtree(conn, row.subject_id)?;
    if receiver.id == row.subject_id || !below.contains(&receiver.id) {
        return Ok(None);
    }
    let facts = &parts.details.routing;
    let repeat_of = earlier_appeals(conn, row, facts)?;
    let lower = lower_answer(conn, row.subject_id, &repeat_of)?;
    match ctx.rules.hierarchy.routing.send_down(
        facts,
        !repeat_of.is_empty(),
        lower.as_ref(),
        &row.reg_number,
        &receiver.name_ru,
    )? {
        RoutingVerdict::SendDown {
            rule,
            report_back_required,
            notification,
        } => Ok(Some(SendDown {
            rule,
            notification,
            report_back_required,
        })),
        RoutingVerdict::Keep { rule, reason } => {
            Err(AppError::Conflict(format!("{rule}: {reason}")))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// p.54: signing authority
// ---------------------------------------------------------------------------------------------

/// The subjects above `subject`, nearest first (the walk stops at a cycle).
fn ancestors(conn: &mut DbConn, subject: i64) -> AppResult<Vec<i64>> {
    let mut chain = Vec::new();
    let mut current = repo::subjects::parent_of(conn, subject)?;
    while let Some(id) = current {
        if id == subject || chain.contains(&id) {
            break;
        }
        chain.push(id);
        current = repo::subjects::parent_of(conn, id)?;
    }
    Ok(chain)
}

/// The positions `user` holds with respect to the subject `answering`, whose ancestors are
/// `above` (their heads and deputies are `superior_head`); `acting_for_head`: a deputy acting for
/// the head («либо лицо, его замещающее»).
fn positions(
    user: &appeals_db::rows::UserRow,
    answering: i64,
    above: &[i64],
    acting_for_head: bool,
) -> Vec<SignerPosition> {
    let roles = Role::parse_list(&user.roles).unwrap_or_default();
    let mut out = Vec::new();
    if !user.is_active {
        return out;
    }
    if user.subject_id == answering {
        if roles.contains(&Role::Head) {
            out.push(SignerPosition::Head);
        }
        if roles.contains(&Role::DeputyHead) {
            out.push(SignerPosition::DeputyHead);
            if acting_for_head {
                out.push(SignerPosition::Head);
            }
        }
        if roles.contains(&Role::Executor) {
            out.push(SignerPosition::Executor);
        }
    } else if above.contains(&user.subject_id)
        && (roles.contains(&Role::Head) || roles.contains(&Role::DeputyHead))
    {
        out.push(SignerPosition::SuperiorHead);
    }
    out
}

/// Who signs an answer, as stated with the decision.
#[derive(Debug, Clone, Copy)]
pub struct Signer {
    pub user_id: i64,
    /// A deputy head acting for the head.
    pub acting_for_head: bool,
}

/// What the signing check found, kept with the ОЛ-2.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct SignedBy {
    pub user_id: i64,
    pub positions: Vec<SignerPosition>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub acting_for_head: bool,
    /// The rule that allowed it (`None`: no rule for the level — unrestricted).
    pub rule: Option<String>,
}

/// The case the table is asked about for a card and a result (`None`: the holder has no level).
fn case_of(holder: &SubjectRow, parts: &CardParts, result: AnswerResult) -> Option<SigningCase> {
    Some(SigningCase {
        level: level_of(holder)?,
        result,
        complaint_about: parts.details.routing.complaint_about,
        report_back_required: parts.details.routing.report_back_required,
    })
}

/// p.54: checks the signer of a decision on `row` (the caller when none is stated); a signer
/// without authority is refused with the rule and the positions that may sign.
pub fn check_decision_signer(
    conn: &mut DbConn,
    ctx: &Ctx,
    row: &AppealRow,
    parts: &CardParts,
    decision: &Decision,
    signer: Option<Signer>,
) -> AppResult<Option<SignedBy>> {
    let Some(result) = AnswerResult::of(decision) else {
        return Ok(None);
    };
    let signer = signer.unwrap_or(Signer {
        user_id: ctx.actor().user_id,
        acting_for_head: false,
    });
    let user = match repo::users::get(conn, signer.user_id) {
        Ok(user) => user,
        Err(appeals_db::DbError::NotFound) => {
            return Err(AppError::field("#/signed_by/user_id", "no such user"));
        }
        Err(e) => return Err(e.into()),
    };
    if signer.acting_for_head
        && !Role::parse_list(&user.roles)
            .unwrap_or_default()
            .contains(&Role::DeputyHead)
    {
        return Err(AppError::field(
            "#/signed_by/acting_for_head",
            "only a deputy head acts for the head",
        ));
    }
    let holder = repo::subjects::get(conn, row.subject_id)?;
    let above = ancestors(conn, holder.id)?;
    let held = positions(&user, row.subject_id, &above, signer.acting_for_head);
    if held.is_empty() {
        return Err(AppError::field(
            "#/signed_by/user_id",
            "not an active head, deputy head or executor of the answering subject, nor a head \
             of a subject above it",
        ));
    }
    let rule = match case_of(&holder, parts, result) {
        Some(case) => check_signer(&ctx.rules.hierarchy.signing_authority, &case, &held)?,
        None => None,
    };
    Ok(Some(SignedBy {
        user_id: user.id,
        positions: held,
        acting_for_head: signer.acting_for_head,
        rule,
    }))
}

/// One possible result of the pending answer and who may sign it.
#[derive(Debug, Clone)]
pub struct SignersForResult {
    pub result: AnswerResult,
    /// The deciding row (`None`: the holder's level has no row — anyone who records decisions).
    pub rule: Option<SigningRule>,
    /// The users who hold one of the rule's positions now.
    pub users: Vec<(appeals_db::rows::UserRow, Vec<SignerPosition>)>,
}

/// `GET /appeals/{id}/signers`: for each possible result (or the one asked), the rule and the
/// people who may sign.
pub fn signers(
    conn: &mut DbConn,
    ctx: &Ctx,
    appeal_id: i64,
    only: Option<AnswerResult>,
) -> AppResult<(AppealRow, Option<HierarchyLevel>, Vec<SignersForResult>)> {
    let row = access::load_card(conn, &ctx.grant, appeal_id)?;
    let parts = CardParts::of(&row)?;
    let holder = repo::subjects::get(conn, row.subject_id)?;
    // Candidates: the holder's users and the heads of the subjects above it.
    let above = ancestors(conn, holder.id)?;
    let mut candidates = repo::users::of_subject(conn, holder.id)?;
    for subject in &above {
        candidates.extend(repo::users::of_subject(conn, *subject)?);
    }
    let mut out = Vec::new();
    for result in AnswerResult::ALL {
        if only.is_some_and(|o| o != result) {
            continue;
        }
        let rule = case_of(&holder, &parts, result)
            .and_then(|case| signing_rule(&ctx.rules.hierarchy.signing_authority, &case).cloned());
        let mut users = Vec::new();
        for user in &candidates {
            let held = positions(user, holder.id, &above, false);
            let may = match &rule {
                Some(rule) => held.iter().any(|p| rule.signers.contains(p)),
                None => !held.is_empty() && user.subject_id == holder.id,
            };
            if may {
                users.push((user.clone(), held));
            }
        }
        out.push(SignersForResult {
            result,
            rule,
            users,
        });
    }
    Ok((row, level_of(&holder), out))
}

// ---------------------------------------------------------------------------------------------
// p.56: the quarterly analysis
// ---------------------------------------------------------------------------------------------

/// One unit's figures for a quarter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitFigures {
    pub subject_id: i64,
    pub received: i64,
    pub considered: i64,
    pub satisfied: i64,
    pub refused: i64,
    pub explained: i64,
    pub other_result: i64,
    /// Decided after the control date, plus deemed refusals (R44).
    pub overdue: i64,
    /// Repeat appeals (duplicates of earlier ones, p.13).
    pub repeat: i64,
}

/// The quarterly analysis: the figures per unit from the kept 1-ОЛ counts of the cards (p.55: the
/// card is the basis of every unit's report), and the due date.
pub struct QuarterlyAnalysis {
    pub quarter: Quarter,
    pub due: NaiveDate,
    pub units: Vec<(SubjectRow, UnitFigures)>,
}

pub fn quarterly_analysis(
    conn: &mut DbConn,
    ctx: &Ctx,
    quarter: Quarter,
    subject_id: Option<i64>,
) -> AppResult<QuarterlyAnalysis> {
    let due = quarter.analysis_due(
        &ctx.rules.calendar,
        ctx.rules.hierarchy.quarterly_analysis_due_day,
    )?;
    let scope = crate::reports::scope_of(conn, &ctx.grant, subject_id)?;
    let (first, last) = quarter.months();
    let sums = repo::reports::sums(conn, scope.as_deref(), first, last)?;
    let mut figures: std::collections::BTreeMap<i64, UnitFigures> = Default::default();
    for sum in sums.into_iter().filter(|s| s.month != 0) {
        let f = figures
            .entry(sum.subject_id)
            .or_insert_with(|| UnitFigures {
                subject_id: sum.subject_id,
                ..UnitFigures::default()
            });
        let dims = parse_dimensions(&sum.dimensions);
        match Measure::parse(&sum.measure) {
            Some(Measure::Received) => f.received += sum.n,
            Some(Measure::Duplicate) => f.repeat += sum.n,
            Some(Measure::DeemedRefusal) => f.overdue += sum.n,
            Some(Measure::Decided) => {
                f.considered += sum.n;
                if dims.get("timely") == Some(&"late") {
                    f.overdue += sum.n;
                }
                let result = AnswerResult::of_codes(
                    dims.get("decision").copied().unwrap_or("none"),
                    dims.get("answer").copied().filter(|a| *a != "none"),
                );
                match result {
                    AnswerResult::Satisfied => f.satisfied += sum.n,
                    AnswerResult::Refused => f.refused += sum.n,
                    AnswerResult::Explained => f.explained += sum.n,
                    AnswerResult::Other => f.other_result += sum.n,
                }
            }
            _ => {}
        }
    }
    let units = repo::subjects::lines(conn, scope.as_deref())?
        .into_iter()
        .map(|s| {
            let f = figures.remove(&s.id).unwrap_or(UnitFigures {
                subject_id: s.id,
                ..UnitFigures::default()
            });
            (s, f)
        })
        .collect();
    Ok(QuarterlyAnalysis {
        quarter,
        due,
        units,
    })
}
