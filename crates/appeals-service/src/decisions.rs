//! ОЛ-2 and the actions around a decision: decisions (R22, R40–R42, the final act of R44 held up by
//! an unreconciled address, R21), the extension of the review term (R36, R37), and the p.15
//! transfer of a non-accountable document with its cancellation (R16–R18).
//!
//! Each action is one transaction: the card loaded through the guard at the expected version, the
//! request checked against it and the Rules, the life cycle asked (409 `invalid-transition`), and
//! only then anything written — the ОЛ-2 row, then the card with one history event through the one
//! card write path. The ОЛ-2 actions are idempotent creating POSTs: with an [`Idem`] the first
//! answer is stored in the same transaction and replayed to a retry ([`idempotency::once`]).

use appeals_db::rows::{AppealRow, DecisionCardRow, NewDecisionCardRow};
use appeals_db::{DbConn, repo, write_tx};
use appeals_domain::DomainError;
use appeals_domain::acttime::{ActTime, LatenessBasis};
use appeals_domain::cards::{
    AddressReconciliationPolicy, ApplicantCard, Decision, DecisionBooks, DecisionCard, Hearing,
};
use appeals_domain::deadline;
use appeals_domain::dictionary::{
    AnswerCharacter, AppealDecisionType, AppealKind, ComplaintDecisionType, DictionaryName,
};
use appeals_domain::events::{CardAction, CardEvent};
use appeals_domain::lifecycle::Command;
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::access;
use crate::actions::{CardView, Target, change_card, status_change, transition};
use crate::cards::parts::{CardParts, CountedDecision, CountedTransfer, parse_json, to_json};
use crate::config::Rules;
use crate::ctx::{Ctx, fail_if_any};
use crate::error::{AppError, AppResult, FieldIssue};
use crate::idempotency::{self, Idem, Once};

// ---------------------------------------------------------------------------------------------
// Stored ОЛ-2
// ---------------------------------------------------------------------------------------------

/// Kind of an ОЛ-2 card (`decision_cards.card_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ol2Kind {
    /// A decision on the appeal or complaint.
    Decision,
    /// p.15 transfer to another information system (R16).
    Transfer,
    /// p.15 cancellation of a transfer (R18).
    TransferCancellation,
    /// p.13, p.22: the qualification of a repeat appeal (R14).
    DuplicateQualification,
}

impl Ol2Kind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Ol2Kind::Decision => "decision",
            Ol2Kind::Transfer => "transfer",
            Ol2Kind::TransferCancellation => "transfer_cancellation",
            Ol2Kind::DuplicateQualification => "duplicate_qualification",
        }
    }

    pub fn of(decision: &Decision) -> Self {
        match decision {
            Decision::Appeal { .. } | Decision::Complaint { .. } => Ol2Kind::Decision,
            Decision::Transfer { .. } => Ol2Kind::Transfer,
            Decision::TransferCancellation { .. } => Ol2Kind::TransferCancellation,
            Decision::DuplicateQualification { .. } => Ol2Kind::DuplicateQualification,
        }
    }
}

/// Facts kept beside an ОЛ-2 card (`decision_cards.details`), as stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ol2Details {
    #[serde(default)]
    pub answer_text: Option<String>,
    /// Reason of a transfer cancellation.
    #[serde(default)]
    pub reason: Option<String>,
    /// For a cancellation: the id of the cancelled transfer's ОЛ-2.
    #[serde(default)]
    pub transfer_id: Option<i64>,
    /// The due date the action was measured against (transfer R16, cancellation R18).
    #[serde(default)]
    pub due: Option<NaiveDate>,
    #[serde(default)]
    pub is_late: Option<bool>,
    /// Entered on a later local day than the act's stated date (issue 23 point 3).
    #[serde(default)]
    pub entered_late: bool,
    /// Which time lateness was judged on: `stated_act_time` or `entered_at` (absent on cards
    /// recorded before the distinction: their stated time).
    #[serde(default)]
    pub lateness_basis: Option<LatenessBasis>,
    /// R38: the hearing before a burdensome act (or why none was held).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hearing: Option<Hearing>,
    /// p.54 of the Instruction (issue 21): who signed the answer, in which position, and the rule
    /// that allowed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<crate::routing::SignedBy>,
    /// The explanation the answer carries by its termination reason (p.23(3): a cassation
    /// petition returned), from the `termination_reasons` dictionary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// One stored ОЛ-2 read back: the row, the card and the facts beside it.
#[derive(Debug, Clone)]
pub struct Ol2 {
    pub row: DecisionCardRow,
    pub card: DecisionCard,
    pub details: Ol2Details,
}

impl Ol2 {
    pub fn of(row: DecisionCardRow) -> AppResult<Self> {
        Ok(Self {
            card: parse_json(&row.card, "ОЛ-2 card")?,
            details: parse_json(&row.details, "ОЛ-2 details")?,
            row,
        })
    }

    pub fn kind(&self) -> Ol2Kind {
        Ol2Kind::of(&self.card.decision)
    }
}

/// A recorded ОЛ-2 with the card as it is after the action.
#[derive(Debug, Clone)]
pub struct Ol2View {
    pub ol2: Ol2,
    pub appeal: CardView,
}

/// The code of an appeal or complaint decision type, of an answer character, and the termination
/// reason, as a decision states them (`None` for a transfer and its cancellation).
fn decision_codes(
    decision: &Decision,
) -> (Option<&'static str>, Option<&'static str>, Option<&str>) {
    match decision {
        Decision::Appeal {
            decision_type,
            answer_character,
            termination_reason,
        } => (
            Some(decision_type.code()),
            answer_character.map(|c| c.code()),
            termination_reason.as_deref(),
        ),
        Decision::Complaint {
            decision_type,
            termination_reason,
            ..
        } => (
            Some(decision_type.code()),
            None,
            termination_reason.as_deref(),
        ),
        Decision::Transfer { .. }
        | Decision::TransferCancellation { .. }
        | Decision::DuplicateQualification { .. } => (None, None, None),
    }
}

// ---------------------------------------------------------------------------------------------
// ОЛ-2 steps
// ---------------------------------------------------------------------------------------------

fn books(rules: &Rules) -> AppResult<DecisionBooks<'_>> {
    Ok(DecisionBooks {
        termination_reasons: rules.dictionary(DictionaryName::TerminationReasons)?,
        complaint_decision_bases: rules.dictionary(DictionaryName::ComplaintDecisionBases)?,
        non_accountable_categories: rules.dictionary(DictionaryName::NonAccountableCategories)?,
    })
}

/// The ОЛ-2 cards of an appeal with their parsed content, in `seq` order.
pub(crate) fn load_cards(conn: &mut DbConn, appeal_id: i64) -> AppResult<Vec<Ol2>> {
    repo::decisions::list(conn, appeal_id)?
        .into_iter()
        .map(Ol2::of)
        .collect()
}

/// What an action puts on a new ОЛ-2.
pub(crate) struct NewOl2 {
    pub decision: Decision,
    /// The act's time beside its entry (the ОЛ-2's `decided_at` is the act's).
    pub act: ActTime,
    pub details: Ol2Details,
}

/// Records a new ОЛ-2 after the existing ones (R22) and stores it.
pub(crate) fn record_card(
    conn: &mut DbConn,
    ctx: &Ctx,
    row: &AppealRow,
    parts: &mut CardParts,
    new: NewOl2,
) -> AppResult<Ol2> {
    let NewOl2 {
        decision,
        act,
        mut details,
    } = new;
    let decided_at = act.act_at;
    details.entered_late = act.entered_late;
    details.lateness_basis = Some(act.basis);
    parts.details.entered_late |= act.entered_late;
    let existing: Vec<DecisionCard> = load_cards(conn, row.id)?
        .into_iter()
        .map(|ol2| ol2.card)
        .collect();
    let kind = Ol2Kind::of(&decision);
    let user_id = ctx.actor().user_id;
    let card = DecisionCard::record(
        &parts.card,
        &existing,
        decision,
        &user_id.to_string(),
        decided_at,
        &books(&ctx.rules)?,
    )?;
    let seq = i32::try_from(card.seq).map_err(|e| AppError::corrupt(e.to_string()))?;
    // What 1-ОЛ counts of the ОЛ-2 is kept on the card, so its counts follow from its row.
    match &card.decision {
        Decision::Appeal { .. } | Decision::Complaint { .. } => {
            let (decision_type, answer_character, _) = decision_codes(&card.decision);
            parts.details.last_decision = decision_type.map(|t| CountedDecision {
                decision_type: t.to_owned(),
                answer_character: answer_character.map(str::to_owned),
            });
        }
        Decision::Transfer { .. } => {
            parts.details.transfer = Some(CountedTransfer {
                on: ctx.rules.local_date(decided_at.and_utc()),
                late: details.is_late.unwrap_or(false),
            });
        }
        Decision::TransferCancellation { .. } => parts.details.transfer = None,
        // Not a decision on the merits: nothing 1-ОЛ counts changes.
        Decision::DuplicateQualification { .. } => {}
    }
    let stored = repo::decisions::insert(
        conn,
        &NewDecisionCardRow {
            appeal_id: row.id,
            seq,
            card_kind: kind.code().to_owned(),
            card: to_json(&card)?,
            created_at: ctx.stored_now(),
            created_by: user_id,
            details: to_json(&details)?,
        },
    )?;
    // Read back like any stored ОЛ-2, so the answer is what a later list shows.
    Ol2::of(stored)
}

/// An ОЛ-2 action: once per `Idempotency-Key`, in one transaction the card is loaded through the
/// guard at the expected version, `act` checks the request, records the ОЛ-2 and changes the
/// card's parts, the card is committed with the event `act` returns, and `present` renders the
/// answer. The rendered answer is what a retry with the key replays, so the caller decides its
/// form (the edge keeps its wire format).
fn ol2_action<T, E, A, P>(
    conn: &mut DbConn,
    ctx: &Ctx,
    target: Target,
    idem: Option<Idem>,
    act: A,
    present: P,
) -> Result<Once<T>, E>
where
    T: Serialize + DeserializeOwned,
    E: From<AppError>,
    A: FnOnce(&mut DbConn, &AppealRow, &mut CardParts) -> AppResult<(CardEvent, Ol2)>,
    P: FnOnce(Ol2View) -> Result<T, E>,
{
    idempotency::once(conn, ctx.actor().user_id, idem, ctx.stored_now(), |conn| {
        let (appeal, ol2) = change_card(conn, ctx, target, act)?;
        present(Ol2View { ol2, appeal })
    })
}

/// Builds the decision the command states for the appeal's kind (appeal or complaint decision
/// types; codes of another kind → 422 with pointers).
fn decision_of(cmd: &RecordDecision, kind: AppealKind) -> AppResult<Decision> {
    let mut issues = Vec::new();
    let decision = if kind == AppealKind::Complaint {
        if cmd.answer_character.is_some() {
            issues.push(FieldIssue::new(
                "#/answer_character",
                "a complaint decision has no answer character",
            ));
        }
        match parse_code::<ComplaintDecisionType>(&cmd.decision_type) {
            Some(decision_type) => Some(Decision::Complaint {
                decision_type,
                bases: cmd.bases.clone(),
                termination_reason: cmd.termination_reason.clone(),
            }),
            None => {
                let known: Vec<_> = ComplaintDecisionType::ALL
                    .iter()
                    .map(|t| t.code())
                    .collect();
                issues.push(FieldIssue::new(
                    "#/decision_type",
                    format!(
                        "`{}` is not a complaint decision type; one of: {}",
                        cmd.decision_type,
                        known.join(", ")
                    ),
                ));
                None
            }
        }
    } else {
        if !cmd.bases.is_empty() {
            issues.push(FieldIssue::new(
                "#/bases",
                "bases apply to complaint decisions only",
            ));
        }
        let answer_character = match &cmd.answer_character {
            None => None,
            Some(code) => match parse_code::<AnswerCharacter>(code) {
                Some(c) => Some(c),
                None => {
                    let known: Vec<_> = AnswerCharacter::ALL.iter().map(|c| c.code()).collect();
                    issues.push(FieldIssue::new(
                        "#/answer_character",
                        format!(
                            "`{code}` is not an answer character; one of: {}",
                            known.join(", ")
                        ),
                    ));
                    None
                }
            },
        };
        match parse_code::<AppealDecisionType>(&cmd.decision_type) {
            Some(decision_type) => Some(Decision::Appeal {
                decision_type,
                answer_character,
                termination_reason: cmd.termination_reason.clone(),
            }),
            None => {
                let known: Vec<_> = AppealDecisionType::ALL.iter().map(|t| t.code()).collect();
                issues.push(FieldIssue::new(
                    "#/decision_type",
                    format!(
                        "`{}` is not a decision type of a {kind}; one of: {}",
                        cmd.decision_type,
                        known.join(", ")
                    ),
                ));
                None
            }
        }
    };
    match decision {
        Some(d) if issues.is_empty() => Ok(d),
        _ => Err(AppError::Validation(issues)),
    }
}

/// A dictionary code as its enum value (`None` for an unknown code).
fn parse_code<T: DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(Value::String(code.to_owned())).ok()
}

/// The reason of a domain refusal, without the field it names.
fn domain_reason(e: DomainError) -> String {
    match e {
        DomainError::Invalid { reason, .. } => reason,
        other => other.to_string(),
    }
}

/// The explanation a termination reason's dictionary entry requires of the answer (p.23(3)).
fn termination_explanation(rules: &Rules, decision: &Decision) -> AppResult<Option<String>> {
    let (_, _, reason) = decision_codes(decision);
    let Some(reason) = reason else {
        return Ok(None);
    };
    Ok(rules
        .dictionary(DictionaryName::TerminationReasons)?
        .get(reason)
        .and_then(|e| e.explanation_ru.clone()))
}

/// R21 [INF]: under `AddressReconciliationPolicy::BlocksFinalAct` the final act waits until every
/// applicant's address agrees with the postal address in the appeal or is reconciled (409).
pub fn ensure_addresses_reconciled(
    conn: &mut DbConn,
    rules: &Rules,
    appeal_id: i64,
) -> AppResult<()> {
    if rules.address_reconciliation != AddressReconciliationPolicy::BlocksFinalAct {
        return Ok(());
    }
    for row in repo::appeals::applicants(conn, appeal_id)? {
        let card: ApplicantCard = parse_json(&row.card, "applicant card")?;
        if let Err(e) = card.ensure_final() {
            return Err(AppError::Conflict(format!(
                "Applicant {}: {}. Reconcile it first (POST /api/v1/appeals/{appeal_id}/applicants/{}/address-reconciliation).",
                row.ordinal,
                domain_reason(e),
                row.ordinal
            )));
        }
    }
    Ok(())
}

fn not_blank(value: &str, pointer: &str) -> AppResult<()> {
    if value.trim().is_empty() {
        Err(AppError::field(pointer, "must not be blank"))
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Use-cases
// ---------------------------------------------------------------------------------------------

/// A decision on the appeal (one ОЛ-2 each, R22), as stated.
pub struct RecordDecision {
    pub target: Target,
    /// An appeal or complaint decision type code (which one: by the appeal's kind).
    pub decision_type: String,
    pub answer_character: Option<String>,
    pub termination_reason: Option<String>,
    /// Complaints only: `complaint_decision_bases` codes.
    pub bases: Vec<String>,
    pub answer_text: Option<String>,
    /// When the decision was signed (stated; the time of the action otherwise).
    pub decided_at: Option<DateTime<Utc>>,
    /// R38: for a burdensome act, the hearing notice's receipt or why no hearing was held.
    pub hearing: Option<Hearing>,
    /// p.54 of the Instruction: who signs the answer (the caller when `None`).
    pub signed_by: Option<crate::routing::Signer>,
    pub idem: Option<Idem>,
}

/// R22: records a decision as a new ОЛ-2; the first one is the final act (R44), held up by an
/// unreconciled applicant address (R21). The card becomes `decided`.
pub fn record_decision<T, E, P>(
    conn: &mut DbConn,
    ctx: &Ctx,
    cmd: RecordDecision,
    present: P,
) -> Result<Once<T>, E>
where
    T: Serialize + DeserializeOwned,
    E: From<AppError>,
    P: FnOnce(Ol2View) -> Result<T, E>,
{
    let (target, idem) = (cmd.target, cmd.idem.clone());
    ol2_action(
        conn,
        ctx,
        target,
        idem,
        |conn, row, parts| {
            let decision = decision_of(&cmd, parts.card.kind())?;
            let mut issues = Vec::new();
            let act = ctx.act_time(cmd.decided_at, "#/decided_at", row.received_at, &mut issues);
            fail_if_any(issues)?;
            decision.validate(parts.card.kind(), &books(&ctx.rules)?)?;
            appeals_domain::hierarchy::check_anonymous_decision(
                parts.card.anonymity.handling,
                parts.details.redirect_immediately,
                &decision,
            )?;
            let signed_by = crate::routing::check_decision_signer(
                conn,
                ctx,
                row,
                parts,
                &decision,
                cmd.signed_by,
            )?;
            // p.23(3): a returned cassation petition's answer explains the applicant's rights.
            let explanation = termination_explanation(&ctx.rules, &decision)?;
            let answer_text = match (&cmd.answer_text, &explanation) {
                (Some(text), Some(why)) if !text.contains(why.as_str()) => {
                    Some(format!("{text}\n\n{why}"))
                }
                (None, Some(why)) => Some(why.clone()),
                (text, _) => text.clone(),
            };
            appeals_domain::cards::check_hearing(
                &decision,
                cmd.hearing.as_ref(),
                ctx.rules.local_date(act.act_at.and_utc()),
                &ctx.rules.calendar,
                &ctx.rules.deadlines,
            )
            .map_err(|e| match e {
                DomainError::Invalid { field, reason } => {
                    let pointer = match field.as_str() {
                        "hearing/received_on" => "#/hearing/notice_received_on",
                        "hearing/reason" => "#/hearing/not_held_reason",
                        _ => "#/hearing",
                    };
                    AppError::field(pointer, reason)
                }
                other => other.into(),
            })?;
            let before = json!({
                "status": row.status,
                "decisions": parts.state.decisions(),
            });
            // R44: the first decision is the final act; later ones do not move it.
            if parts.state.decisions() == 0 {
                ensure_addresses_reconciled(conn, &ctx.rules, row.id)?;
                parts.details.final_act_on = Some(ctx.rules.local_date(act.act_at.and_utc()));
            }
            transition(parts, &[Command::RecordDecision])?;
            let ol2 = record_card(
                conn,
                ctx,
                row,
                parts,
                NewOl2 {
                    decision,
                    act,
                    details: Ol2Details {
                        answer_text,
                        hearing: cmd.hearing.clone(),
                        signed_by: signed_by.clone(),
                        explanation: explanation.clone(),
                        ..Ol2Details::default()
                    },
                },
            )?;
            let (decision_type, answer_character, termination_reason) =
                decision_codes(&ol2.card.decision);
            let event = CardEvent {
                action: CardAction::DecisionRecorded,
                before: Some(before),
                after: Some(json!({
                    "status": parts.state.status().code(),
                    "decisions": parts.state.decisions(),
                    "decision_card_id": ol2.row.id,
                    "seq": ol2.row.seq,
                    "decision_type": decision_type,
                    "answer_character": answer_character,
                    "termination_reason": termination_reason,
                    "decided_at": ol2.card.decided_at.and_utc(),
                    "entered_at": act.entered_at.and_utc(),
                    "entered_late": act.entered_late,
                    "lateness_basis": act.basis.code(),
                    "signed_by": signed_by,
                    "explanation": explanation,
                })),
            };
            Ok((event, ol2))
        },
        present,
    )
}

/// The ОЛ-2 cards of the appeal in `seq` order (whoever may read the card).
pub fn list_decisions(conn: &mut DbConn, ctx: &Ctx, appeal_id: i64) -> AppResult<Vec<Ol2>> {
    access::load_card(conn, &ctx.grant, appeal_id)?;
    load_cards(conn, appeal_id)
}

/// The extension of the review term (R36), as decided by the head.
pub struct Extend {
    pub target: Target,
    /// The extended review deadline (ОЛ-1 requisite 13).
    pub new_review_due: NaiveDate,
    /// The motivation (required).
    pub reason: String,
}

/// An accepted extension with the card after it.
#[derive(Debug, Clone)]
pub struct ExtensionView {
    pub review_due_before: NaiveDate,
    pub review_due: NaiveDate,
    /// The latest deadline an extension may reach (R36).
    pub cap: NaiveDate,
    /// Last day to notify the applicant of the extension (R36).
    pub notice_due: NaiveDate,
    /// Signed extensions of this card (R37).
    pub prolong_count: u32,
    pub reason: String,
    /// Approved, waiting for the EDS signature (the review deadline has not moved yet).
    pub awaiting_signature: bool,
    pub appeal: CardView,
}

/// R36, R37: the head's motivated extension — requested, approved and signed at once; the card
/// becomes `extended` and requisite 13 moves. The new deadline is a working day after the current
/// one within the cap (422 at `#/new_review_due` otherwise).
pub fn extend(conn: &mut DbConn, ctx: &Ctx, cmd: Extend) -> AppResult<ExtensionView> {
    not_blank(&cmd.reason, "#/reason")?;
    let (appeal, view) = write_tx(conn, |conn| {
        change_card(conn, ctx, cmd.target, |conn, row, parts| {
            // R37: requested, approved and signed in one call — or, where the subject requires
            // EDS signatures (issue 20 point 3), approved now and in effect once signed.
            let step = if crate::signatures::required(conn, row.subject_id)? {
                ExtensionStep::Approve
            } else {
                ExtensionStep::All
            };
            extension_step(ctx, row, parts, cmd.new_review_due, &cmd.reason, step)
        })
    })?;
    let (review_due_before, review_due, cap, notice_due, prolong_count, awaiting_signature) = view;
    Ok(ExtensionView {
        review_due_before,
        review_due,
        cap,
        notice_due,
        prolong_count,
        reason: cmd.reason,
        awaiting_signature,
        appeal,
    })
}

/// Which steps of R37 a call takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExtensionStep {
    /// Request, approve and sign at once (no signature required).
    All,
    /// Request and approve; the card waits for the signature.
    Approve,
    /// Sign the approved extension: it takes effect.
    Sign,
}

type ExtensionFacts = (NaiveDate, NaiveDate, NaiveDate, NaiveDate, u32, bool);

fn extension_step(
    ctx: &Ctx,
    row: &AppealRow,
    parts: &mut CardParts,
    new_review_due: NaiveDate,
    reason: &str,
    step: ExtensionStep,
) -> AppResult<(CardEvent, ExtensionFacts)> {
    let rules = &ctx.rules;
    let extension = deadline::check_extension(
        &rules.calendar,
        &rules.deadlines,
        row.registration_date,
        row.review_due,
        new_review_due,
        rules.local_date(ctx.now),
    )
    .map_err(|e| match e {
        DomainError::Invalid { reason, .. } => AppError::field("#/new_review_due", reason),
        other => other.into(),
    })?;
    let before = json!({
        "review_due": row.review_due,
        "status": row.status,
        "prolong_count": parts.state.prolong_count(),
    });
    let new_date = extension.new_deadline.date;
    let request = Command::RequestExtension {
        new_control_date: new_date,
    };
    let commands: Vec<Command> = match step {
        ExtensionStep::All => vec![request, Command::ApproveExtension, Command::SignExtension],
        ExtensionStep::Approve => vec![request, Command::ApproveExtension],
        ExtensionStep::Sign => vec![Command::SignExtension],
    };
    transition(parts, &commands)?;
    let awaiting = step == ExtensionStep::Approve;
    let action = if awaiting {
        parts.details.pending_approval = Some(crate::cards::parts::PendingApproval::Extension {
            new_review_due: new_date,
            reason: reason.to_owned(),
            approved_by: ctx.actor().user_id,
            approved_at: ctx.stored_now(),
        });
        CardAction::ExtensionApproved
    } else {
        parts.details.pending_approval = None;
        parts.card.extend_control_date(new_date)?;
        CardAction::ReviewExtended
    };
    let event = CardEvent {
        action,
        before: Some(before),
        after: Some(json!({
            "review_due": if awaiting { row.review_due } else { new_date },
            "new_review_due": new_date,
            "status": parts.state.status().code(),
            "prolong_count": parts.state.prolong_count(),
            "reason": reason,
            "cap": extension.cap.date,
            "notice_due": extension.notice_due.date,
            "awaiting": awaiting.then_some("signature"),
        })),
    };
    let facts = (
        row.review_due,
        if awaiting { row.review_due } else { new_date },
        extension.cap.date,
        extension.notice_due.date,
        parts.state.prolong_count(),
        awaiting,
    );
    Ok((event, facts))
}

/// R37: the approved extension of `row` takes effect with its signature (the caller verified it).
pub(crate) fn sign_extension(
    conn: &mut DbConn,
    ctx: &Ctx,
    row: &AppealRow,
    mut parts: CardParts,
    new_review_due: NaiveDate,
    reason: &str,
) -> AppResult<CardView> {
    let (event, _) = extension_step(
        ctx,
        row,
        &mut parts,
        new_review_due,
        reason,
        ExtensionStep::Sign,
    )?;
    crate::actions::commit_parts(conn, ctx, row, &parts, event)
}

/// p.15 transfer of a non-accountable document to another information system (R16).
pub struct Transfer {
    pub target: Target,
    /// The receiving information system (required).
    pub target_system: String,
    /// When the document was transferred (stated; the time of the action otherwise).
    pub transferred_at: Option<DateTime<Utc>>,
    pub idem: Option<Idem>,
}

/// p.15, R16: transfers a document registered with a `non_accountable_category` (422 otherwise)
/// as an ОЛ-2 `transfer`; lateness against `transfer_due`, on the local date of the transfer.
pub fn transfer<T, E, P>(
    conn: &mut DbConn,
    ctx: &Ctx,
    cmd: Transfer,
    present: P,
) -> Result<Once<T>, E>
where
    T: Serialize + DeserializeOwned,
    E: From<AppError>,
    P: FnOnce(Ol2View) -> Result<T, E>,
{
    not_blank(&cmd.target_system, "#/target_system")?;
    let (target, idem) = (cmd.target, cmd.idem.clone());
    ol2_action(
        conn,
        ctx,
        target,
        idem,
        |conn, row, parts| {
            let Some(category) = parts.card.non_accountable_category.clone() else {
                return Err(AppError::field(
                    "#",
                    "only a document registered with a `non_accountable_category` is \
                     transferred to another information system (Rules p.15)",
                ));
            };
            let mut issues = Vec::new();
            let act = ctx.act_time(
                cmd.transferred_at,
                "#/transferred_at",
                row.received_at,
                &mut issues,
            );
            let transferred_at = act.act_at;
            fail_if_any(issues)?;
            let rules = &ctx.rules;
            let due = match row.transfer_due {
                Some(d) => d,
                None => {
                    deadline::transfer_due(
                        &rules.calendar,
                        &rules.deadlines,
                        row.registration_date,
                    )?
                    .date
                }
            };
            let is_late = rules.local_date(transferred_at.and_utc()) > due;
            let target_system = cmd.target_system.trim().to_owned();
            transition(parts, &[Command::Transfer])?;
            let ol2 = record_card(
                conn,
                ctx,
                row,
                parts,
                NewOl2 {
                    decision: Decision::Transfer {
                        category,
                        target_system: target_system.clone(),
                    },
                    act,
                    details: Ol2Details {
                        due: Some(due),
                        is_late: Some(is_late),
                        ..Ol2Details::default()
                    },
                },
            )?;
            let event = status_change(
                CardAction::Transferred,
                row,
                parts,
                json!({
                    "decision_card_id": ol2.row.id,
                    "seq": ol2.row.seq,
                    "target_system": target_system,
                    "transferred_at": ol2.card.decided_at.and_utc(),
                    "transfer_due": due,
                    "is_late": is_late,
                    "entered_at": act.entered_at.and_utc(),
                    "entered_late": act.entered_late,
                    "lateness_basis": act.basis.code(),
                }),
            );
            Ok((event, ol2))
        },
        present,
    )
}

/// p.15 cancellation of a transfer (R18), as decided.
pub struct CancelTransfer {
    pub target: Target,
    /// The id of the transfer's ОЛ-2.
    pub transfer_id: i64,
    /// When the decision to cancel was taken (the 1-working-day term runs from its local date).
    pub decided_at: DateTime<Utc>,
    /// When the transfer was cancelled (stated; the time of the action otherwise).
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why (required).
    pub reason: String,
    pub idem: Option<Idem>,
}

/// p.15, R18: cancels a transfer of this card (404 if it is not one; 409 when cancelled already)
/// as an ОЛ-2 `transfer_cancellation`; the card is accounted and considered again.
pub fn cancel_transfer<T, E, P>(
    conn: &mut DbConn,
    ctx: &Ctx,
    cmd: CancelTransfer,
    present: P,
) -> Result<Once<T>, E>
where
    T: Serialize + DeserializeOwned,
    E: From<AppError>,
    P: FnOnce(Ol2View) -> Result<T, E>,
{
    not_blank(&cmd.reason, "#/reason")?;
    let (target, idem) = (cmd.target, cmd.idem.clone());
    ol2_action(
        conn,
        ctx,
        target,
        idem,
        |conn, row, parts| {
            let transfer_id = cmd.transfer_id;
            let transfer = load_cards(conn, row.id)?
                .into_iter()
                .find(|t| {
                    t.row.id == transfer_id && matches!(t.card.decision, Decision::Transfer { .. })
                })
                .ok_or_else(|| {
                    AppError::NotFound(format!(
                        "Appeal {} has no transfer {transfer_id}.",
                        target.appeal_id
                    ))
                })?;
            let mut issues = Vec::new();
            let decided_at = ctx.stated_instant(
                Some(cmd.decided_at),
                "#/decided_at",
                transfer.card.decided_at,
                &mut issues,
            );
            let act = ctx.act_time(cmd.cancelled_at, "#/cancelled_at", decided_at, &mut issues);
            let cancelled_at = act.act_at;
            fail_if_any(issues)?;
            let rules = &ctx.rules;
            let due = deadline::transfer_cancellation_due(
                &rules.calendar,
                &rules.deadlines,
                rules.local_date(decided_at.and_utc()),
            )?
            .date;
            let is_late = rules.local_date(cancelled_at.and_utc()) > due;
            let category_before = parts.card.non_accountable_category.clone();
            transition(parts, &[Command::CancelTransfer])?;
            let ol2 = record_card(
                conn,
                ctx,
                row,
                parts,
                NewOl2 {
                    decision: Decision::TransferCancellation {
                        transfer_seq: u32::try_from(transfer.row.seq)
                            .map_err(|e| AppError::corrupt(e.to_string()))?,
                        cancellation_decided_at: decided_at,
                    },
                    act,
                    details: Ol2Details {
                        reason: Some(cmd.reason.trim().to_owned()),
                        transfer_id: Some(transfer.row.id),
                        due: Some(due),
                        is_late: Some(is_late),
                        ..Ol2Details::default()
                    },
                },
            )?;
            // R18: the cancelled transfer was a wrong p.15 classification; the document is
            // accounted (and reported in 1-ОЛ) like any other from now on.
            parts.card.non_accountable_category = None;
            let event = CardEvent {
                action: CardAction::TransferCancelled,
                before: Some(json!({
                    "status": row.status,
                    "non_accountable_category": category_before,
                    "is_accountable": row.is_accountable,
                })),
                after: Some(json!({
                    "status": parts.state.status().code(),
                    "non_accountable_category": null,
                    "is_accountable": true,
                    "decision_card_id": ol2.row.id,
                    "seq": ol2.row.seq,
                    "transfer_id": transfer.row.id,
                    "reason": ol2.details.reason,
                    "decided_at": decided_at.and_utc(),
                    "cancelled_at": ol2.card.decided_at.and_utc(),
                    "cancellation_due": due,
                    "is_late": is_late,
                    "entered_at": act.entered_at.and_utc(),
                    "entered_late": act.entered_late,
                    "lateness_basis": act.basis.code(),
                })),
            };
            Ok((event, ol2))
        },
        present,
    )
}
