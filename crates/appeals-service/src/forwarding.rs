//! Forwarding by competence (APPK art. 65; R4, R5, R34, R35): the whole card to another subject,
//! or some of its questions as a part `<main>/<k>` registered at the receiver. The letter is
//! drafted, approved and signed in one call (R35) — or, where the subject requires EDS signatures
//! (issue 20 point 3), approved in this call and in effect once the head signs it
//! ([`crate::signatures`]); the part is created through the one card write path, the main card
//! changes through it, in one transaction with the forwarding record.

use appeals_db::rows::{AppealRow, ForwardingRow, NewAppealRow, NewApplicantRow};
use appeals_db::{DbConn, repo};
use appeals_domain::cards::{ApplicantCard, Talon};
use appeals_domain::deadline;
use appeals_domain::events::{CardAction, CardEvent, CardOrigin, RegisteredCard};
use appeals_domain::lifecycle::{
    self, AppealState, Command, Effect, ForwardScope, ForwardedTermPolicy,
};
use appeals_domain::regnum::{AppealNumber, PartNumber};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access;
use crate::accounts;
use crate::cards::parts::{AppealDetails, CardParts, StoredTalon, parse_json, to_json};
use crate::cards::write::{self, CardChange};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::idempotency::{self, Idem, Once};

/// A forwarding as the caller states it (questions already normalised and checked by shape).
#[derive(Debug, Clone)]
pub struct Forward {
    pub appeal_id: i64,
    pub to_subject_id: i64,
    pub scope: ForwardScope,
    pub questions: Vec<String>,
    pub reason: Option<String>,
    pub idem: Option<Idem>,
}

/// The main card after the forwarding and the forwarding record.
#[derive(Debug, Clone)]
pub struct Forwarded {
    pub appeal: AppealRow,
    pub record: ForwardingRow,
}

/// The stored code of a forwarding's scope.
pub fn scope_code(scope: ForwardScope) -> &'static str {
    match scope {
        ForwardScope::Full => "full",
        ForwardScope::Part => "part",
    }
}

/// Forwards a card (one transaction, once per `Idempotency-Key`); `present` turns the result
/// into the response stored for a retry.
pub fn forward<T, E, P>(
    conn: &mut DbConn,
    ctx: &Ctx,
    cmd: Forward,
    present: P,
) -> Result<Once<T>, E>
where
    T: Serialize + DeserializeOwned,
    E: From<AppError>,
    P: FnOnce(&mut DbConn, ForwardOutcome) -> Result<T, E>,
{
    let idem = cmd.idem.clone();
    idempotency::once(conn, ctx.actor().user_id, idem, ctx.stored_now(), |conn| {
        let done = forward_tx(conn, ctx, &cmd)?;
        present(conn, done)
    })
}

/// What `forwardings.details` stores beside the indexed columns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ForwardingDetails {
    pub from_subject_id: i64,
    pub questions: Vec<String>,
    pub reason: Option<String>,
    pub forwarded_on: NaiveDate,
    pub forward_due: NaiveDate,
    pub receiver_registration_date: NaiveDate,
    pub receiver_review_due: NaiveDate,
    pub term_policy: ForwardedTermPolicy,
    pub part_number: Option<String>,
    /// The lifecycle commands applied, in order (R35).
    pub commands: Vec<String>,
}

/// The stored code of the R35 term policy.
pub fn policy_code(policy: ForwardedTermPolicy) -> String {
    serde_json::to_value(policy)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The part's text: the forwarded questions, and where the full text is.
fn part_text(main_number: &str, questions: &[String]) -> String {
    let listed: Vec<String> = questions
        .iter()
        .enumerate()
        .map(|(i, q)| format!("{}. {q}", i + 1))
        .collect();
    format!(
        "Часть обращения № {main_number}, переадресованная по компетенции (ст. 65 АППК).\n\
         Вопросы:\n{}\n\nПолный текст — в обращении № {main_number}.",
        listed.join("\n")
    )
}

/// Registers the part at the receiver (R4, R5, R35) and returns its row.
// The forwarding transaction hands over what it has already loaded and computed.
#[allow(clippy::too_many_arguments)]
fn register_part(
    conn: &mut DbConn,
    ctx: &Ctx,
    main: &AppealRow,
    main_parts: &CardParts,
    report_back_required: bool,
    receiver: &appeals_db::rows::SubjectRow,
    part_number: PartNumber,
    questions: &[String],
    now: chrono::NaiveDateTime,
    receipt: &deadline::Receipt,
    review: &deadline::Deadline,
    forward_due_at_receiver: NaiveDate,
) -> AppResult<AppealRow> {
    let number = AppealNumber::Part(part_number.clone());
    let card = main_parts.card.forwarded_part(
        part_number.clone(),
        &receiver.id.to_string(),
        now,
        questions.join("; "),
        |_| review.date,
    )?;
    let state = AppealState::registered(number.clone());
    // p.11 part 2, R5: the talon is issued by the receiving subject when its registrar accepts
    // the part (`accept_part`); until then the part waits in the receiver's inbox.
    let details = AppealDetails {
        calendar_version: review.calendar_version.to_string(),
        conventions_version: ctx.rules.conventions_version,
        talon: None,
        awaiting_acceptance: true,
        received_after_cutoff: receipt.after_cutoff,
        postal_address: main_parts.details.postal_address.clone(),
        forwarded_late: false,
        final_act_on: None,
        correction: None,
        forwarded_by_subject_id: Some(main.subject_id),
        routing: appeals_domain::hierarchy::RoutingFacts {
            report_back_required,
            ..main_parts.details.routing.clone()
        },
        ..AppealDetails::default()
    };
    let transfer_due = match main.transfer_due {
        Some(_) => Some(
            deadline::transfer_due(
                &ctx.rules.calendar,
                &ctx.rules.deadlines,
                receipt.registration_date,
            )?
            .date,
        ),
        None => None,
    };
    let k = i32::try_from(part_number.k())
        .map_err(|_| AppError::corrupt("part number out of range"))?;
    // З-1 copies: requisite 1 is the part's number, requisite 2 its registration (R20).
    let mut applicants = Vec::new();
    for a in repo::appeals::applicants(conn, main.id)? {
        let mut z1: ApplicantCard = parse_json(&a.card, "applicant card")?;
        z1.appeal_reg_number = number.clone();
        z1.appeal_registered_at = now;
        applicants.push(NewApplicantRow {
            appeal_id: 0,
            ordinal: a.ordinal,
            category: a.category,
            iin_bin: a.iin_bin,
            full_name: a.full_name,
            card: to_json(&z1)?,
        });
    }
    let markings: Vec<String> = card.markings().iter().cloned().collect();
    let new_part = write::NewCard {
        row: NewAppealRow {
            reg_number: number.to_string(),
            // A part has no number of its own in the through sequence: it shares the main's (R4).
            counter: main.counter,
            main_appeal_id: Some(main.id),
            part_k: Some(k),
            subject_id: receiver.id,
            registered_by_subject_id: receiver.id,
            addressee_subject_id: main.addressee_subject_id,
            status: state.status().code().to_owned(),
            kind: card.kind().code().to_owned(),
            document_type: card.document_type().to_owned(),
            received_at: now,
            registered_at: now,
            registration_date: receipt.registration_date,
            review_due: card.control_date(),
            forward_due: forward_due_at_receiver,
            transfer_due,
            is_accountable: card.is_accountable(),
            is_anonymous: main.is_anonymous,
            applicant_count: main.applicant_count,
            text: part_text(&main.reg_number, questions),
            card: to_json(&card)?,
            state: to_json(&state)?,
            details: to_json(&details)?,
            duplicate_of: None,
            version: 1,
            created_by: ctx.actor().user_id,
            updated_at: now,
            closed_at: None,
            pending: Some(crate::cards::parts::AWAITING_ACCEPTANCE.to_owned()),
        },
        applicants,
        tags: card.tags().to_vec(),
        markings: markings.clone(),
    };
    let (part, _) = write::create(conn, ctx.actor(), now, new_part, |part| RegisteredCard {
        registration_number: part.reg_number.clone(),
        status: part.status.clone(),
        document_type: part.document_type.clone(),
        registration_date: part.registration_date,
        review_due: part.review_due,
        forward_due: part.forward_due,
        transfer_due: part.transfer_due,
        markings,
        is_accountable: part.is_accountable,
        origin: CardOrigin::ForwardedPart {
            main_appeal_id: main.id,
            main_registration_number: main.reg_number.clone(),
            forwarded_by_subject_id: main.subject_id,
            questions: questions.to_vec(),
        },
    })?;
    Ok(part)
}

fn forward_tx(conn: &mut DbConn, ctx: &Ctx, cmd: &Forward) -> AppResult<ForwardOutcome> {
    let main = access::load_card(conn, &ctx.grant, cmd.appeal_id)?;
    let receiver = receiver_of(conn, &main, cmd.to_subject_id)?;
    let mut parts = CardParts::of(&main)?;
    crate::actions::ensure_accepted(&parts)?;
    // p.23 of the Instruction: what may go down the hierarchy is refused here, before anything.
    let send_down = crate::routing::check_send_down(conn, ctx, &main, &parts, &receiver)?;
    if crate::signatures::required(conn, main.subject_id)? {
        // R35: approved now, in effect once the head signs it (`signatures::sign_pending`).
        return approve(conn, ctx, &main, parts, cmd).map(ForwardOutcome::AwaitingSignature);
    }
    // R35: the forwarding letter is drafted, approved and signed; it takes effect at signature.
    let commands = [
        Command::StartForwarding { scope: cmd.scope },
        Command::ApproveForwarding,
        Command::SignForwarding,
    ];
    parts.details.pending_approval = None;
    take_effect(
        conn, ctx, &main, parts, &receiver, cmd, &commands, send_down,
    )
    .map(ForwardOutcome::Forwarded)
}

/// The receiving subject: another one than the holder, existing and active.
fn receiver_of(
    conn: &mut DbConn,
    main: &AppealRow,
    to_subject_id: i64,
) -> AppResult<appeals_db::rows::SubjectRow> {
    if to_subject_id == main.subject_id {
        return Err(AppError::field(
            "#/to_subject_id",
            "the appeal is already held by this subject",
        ));
    }
    repo::subjects::find_by_id(conn, to_subject_id)?
        .filter(|s| s.is_active)
        .ok_or_else(|| AppError::field("#/to_subject_id", "no such active subject"))
}

/// What a forwarding call did: took effect, or was approved and waits for the EDS signature.
#[derive(Debug, Clone)]
pub enum ForwardOutcome {
    Forwarded(Forwarded),
    AwaitingSignature(AppealRow),
}

/// R35 with a signature required: drafted and approved; the card waits in `forwarding_approved`
/// with what will be signed.
fn approve(
    conn: &mut DbConn,
    ctx: &Ctx,
    main: &AppealRow,
    mut parts: CardParts,
    cmd: &Forward,
) -> AppResult<AppealRow> {
    for command in [
        Command::StartForwarding { scope: cmd.scope },
        Command::ApproveForwarding,
    ] {
        parts.state = lifecycle::apply(&parts.state, &command)?.state;
    }
    let now = ctx.stored_now();
    parts.details.pending_approval = Some(crate::cards::parts::PendingApproval::Forwarding {
        to_subject_id: cmd.to_subject_id,
        scope: cmd.scope,
        questions: cmd.questions.clone(),
        reason: cmd.reason.clone(),
        approved_by: ctx.actor().user_id,
        approved_at: now,
    });
    let next = parts.apply_to(main)?;
    write::commit(
        conn,
        ctx.actor(),
        now,
        CardChange {
            before: main,
            after: next,
            event: CardEvent {
                action: CardAction::ForwardingApproved,
                before: Some(json!({"status": main.status})),
                after: Some(json!({
                    "status": parts.state.status().code(),
                    "scope": scope_code(cmd.scope),
                    "to_subject_id": cmd.to_subject_id,
                    "questions": cmd.questions,
                    "reason": cmd.reason,
                    "awaiting": "signature",
                })),
            },
        },
    )
}

/// R35: the approved forwarding of `main` takes effect with its signature (the caller verified
/// it); returns the forwarding.
pub(crate) fn sign(
    conn: &mut DbConn,
    ctx: &Ctx,
    main: &AppealRow,
    mut parts: CardParts,
    cmd: &Forward,
) -> AppResult<Forwarded> {
    let receiver = receiver_of(conn, main, cmd.to_subject_id)?;
    // p.23 again: the routing facts may have changed since the approval.
    let send_down = crate::routing::check_send_down(conn, ctx, main, &parts, &receiver)?;
    parts.details.pending_approval = None;
    take_effect(
        conn,
        ctx,
        main,
        parts,
        &receiver,
        cmd,
        &[Command::SignForwarding],
        send_down,
    )
}

/// Applies the remaining lifecycle commands and the forwarding's effect: the part registered at
/// the receiver, or the card moved there; the forwarding record.
// The forwarding transaction hands over what it has already loaded and checked.
#[allow(clippy::too_many_arguments)]
fn take_effect(
    conn: &mut DbConn,
    ctx: &Ctx,
    main: &AppealRow,
    mut parts: CardParts,
    receiver: &appeals_db::rows::SubjectRow,
    cmd: &Forward,
    commands: &[Command],
    // p.23: the rule, the applicant's notification and the report-back requirement of a card sent
    // down the hierarchy, as checked by the caller.
    send_down: Option<crate::routing::SendDown>,
) -> AppResult<Forwarded> {
    let rules = &*ctx.rules;
    // R15: a forwarding is the immediate redirection an anonymous crime report waits for.
    parts.details.redirect_immediately = false;
    {
        let body = cmd;
        let main = main.clone();
        let mut state = parts.state.clone();
        let mut part_number = None;
        for command in commands {
            let transition = lifecycle::apply(&state, command)?;
            state = transition.state;
            for effect in transition.effects {
                if let Effect::PartForwarded { part } = effect {
                    part_number = Some(part);
                }
            }
        }

        let now = ctx.stored_now();
        let now_instant = now.and_utc();
        let calendar = &rules.calendar;
        // R34: late when the local date of the forwarding is after the forwarding deadline.
        let forwarded_on = rules.local_time(now_instant).date();
        let is_late = forwarded_on > main.forward_due;
        // The receiver's receipt is the forwarding itself, normalised like any receipt (R7, R8).
        let receipt = deadline::normalise_receipt(calendar, &rules.deadlines, now_instant)?;
        // R35: where the receiver's review term starts is a setting (default: its own receipt).
        let term_start = rules
            .forwarded_term_policy
            .term_start(main.received_at, now);
        let term_start_date =
            deadline::normalise_receipt(calendar, &rules.deadlines, term_start.and_utc())?
                .registration_date;
        let review = deadline::review_due(
            calendar,
            &rules.deadlines,
            term_start_date,
            parts.card.term(),
        )?;
        let forward_due_at_receiver =
            deadline::forward_due(calendar, &rules.deadlines, receipt.registration_date)?.date;

        let report_back = send_down.as_ref().is_some_and(|d| d.report_back_required);
        let part = match &part_number {
            Some(number) => Some(register_part(
                conn,
                ctx,
                &main,
                &parts,
                report_back,
                receiver,
                number.clone(),
                &cmd.questions,
                now,
                &receipt,
                &review,
                forward_due_at_receiver,
            )?),
            None => None,
        };

        // The main card: new status, lateness, and for a full forwarding the new holder and terms.
        let before = json!({
            "status": main.status,
            "subject_id": main.subject_id,
            "review_due": main.review_due,
            "forward_due": main.forward_due,
        });
        parts.state = state;
        parts.details.forwarded_late |= is_late;
        if body.scope == ForwardScope::Full {
            // p.23(2): the receiver reports the result back, signed by its first head (p.54(5)).
            parts.details.routing.report_back_required |= report_back;
            parts.card.restart_review_term(|_| review.date);
            parts.details.calendar_version = review.calendar_version.to_string();
        }
        let mut next = parts.apply_to(&main)?;
        if body.scope == ForwardScope::Full {
            next.subject_id = receiver.id;
            next.forward_due = forward_due_at_receiver;
        }
        // Every step of R35, whether applied in this call or approved earlier and signed now.
        let command_codes: Vec<String> = [
            Command::StartForwarding { scope: body.scope },
            Command::ApproveForwarding,
            Command::SignForwarding,
        ]
        .iter()
        .map(|c| c.code().to_owned())
        .collect();
        let after = json!({
            "status": next.status,
            "scope": scope_code(body.scope),
            "to_subject_id": receiver.id,
            "subject_id": next.subject_id,
            "part_id": part.as_ref().map(|p| p.id),
            "part_number": part.as_ref().map(|p| p.reg_number.clone()),
            "questions": cmd.questions,
            "reason": body.reason,
            "forwarded_on": forwarded_on,
            "forward_due": main.forward_due,
            "is_late": is_late,
            "review_due": next.review_due,
            "receiver_review_due": review.date,
            "term_policy": policy_code(rules.forwarded_term_policy),
            "commands": command_codes,
            "routing": send_down.as_ref().map(|d| json!({
                "rule": d.rule,
                "notification": d.notification,
                "report_back_required": d.report_back_required,
            })),
        });
        let saved = write::commit(
            conn,
            ctx.actor(),
            now,
            CardChange {
                before: &main,
                after: next,
                event: CardEvent {
                    action: CardAction::Forwarded,
                    before: Some(before),
                    after: Some(after),
                },
            },
        )?;

        let details = ForwardingDetails {
            from_subject_id: main.subject_id,
            questions: cmd.questions.clone(),
            reason: body.reason.clone(),
            forwarded_on,
            forward_due: main.forward_due,
            receiver_registration_date: receipt.registration_date,
            receiver_review_due: review.date,
            term_policy: rules.forwarded_term_policy,
            part_number: part.as_ref().map(|p| p.reg_number.clone()),
            commands: command_codes,
        };
        let row = repo::forwardings::insert(
            conn,
            &appeals_db::rows::NewForwardingRow {
                appeal_id: saved.id,
                to_subject_id: receiver.id,
                part_appeal_id: part.as_ref().map(|p| p.id),
                scope: scope_code(body.scope).to_owned(),
                details: to_json(&details)?,
                is_late,
                forwarded_at: now,
                created_by: ctx.actor().user_id,
            },
        )?;
        Ok(Forwarded {
            appeal: saved,
            record: row,
        })
    }
}

/// A forwarding as shown: the record, its stored details, the receiver and the part's current row.
#[derive(Debug, Clone)]
pub struct ForwardingView {
    pub main: AppealRow,
    pub record: ForwardingRow,
    pub details: ForwardingDetails,
    pub receiver: appeals_db::rows::SubjectRow,
    pub part: Option<(AppealRow, AppealDetails)>,
}

/// The view of one forwarding record of `main`.
pub fn view(
    conn: &mut DbConn,
    main: &AppealRow,
    record: ForwardingRow,
) -> AppResult<ForwardingView> {
    let details: ForwardingDetails = parse_json(&record.details, "forwarding details")?;
    let receiver = repo::subjects::get(conn, record.to_subject_id)?;
    let part = match record.part_appeal_id {
        Some(part_id) => {
            let row = repo::appeals::get(conn, part_id)?;
            let details: AppealDetails = parse_json(&row.details, "details")?;
            Some((row, details))
        }
        None => None,
    };
    Ok(ForwardingView {
        main: main.clone(),
        record,
        details,
        receiver,
        part,
    })
}

/// The forwardings of a card, oldest first (whoever may read it: the holder, and the subject that
/// registered it after a full forwarding).
pub fn list(conn: &mut DbConn, ctx: &Ctx, appeal_id: i64) -> AppResult<Vec<ForwardingView>> {
    let main = access::load_card(conn, &ctx.grant, appeal_id)?;
    repo::forwardings::list_for_appeal(conn, appeal_id)?
        .into_iter()
        .map(|record| view(conn, &main, record))
        .collect()
}

/// One forwarding of a card (404 when the card has no such forwarding).
pub fn get(
    conn: &mut DbConn,
    ctx: &Ctx,
    appeal_id: i64,
    forwarding_id: i64,
) -> AppResult<ForwardingView> {
    let main = access::load_card(conn, &ctx.grant, appeal_id)?;
    let record = repo::forwardings::find(conn, appeal_id, forwarding_id)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "Forwarding {forwarding_id} of appeal {appeal_id} does not exist."
        ))
    })?;
    view(conn, &main, record)
}

/// p.11 part 2, R5: the receiving subject's registrar accepts a forwarded part; the talon is issued
/// now, in the receiver's name, by the accepting person. The part's terms keep running from the
/// forwarding (its receipt at the receiver). 409 when the card is not a part awaiting acceptance.
pub fn accept_part(
    conn: &mut DbConn,
    ctx: &Ctx,
    target: crate::actions::Target,
) -> AppResult<crate::actions::CardView> {
    appeals_db::write_tx(conn, |conn| {
        let (row, mut parts) =
            crate::actions::load_at_version(conn, ctx, target.appeal_id, target.expected_version)?;
        if !parts.details.awaiting_acceptance {
            return Err(AppError::Conflict(format!(
                "Appeal {} is not a forwarded part awaiting acceptance.",
                row.reg_number
            )));
        }
        let receiver = repo::subjects::get(conn, row.subject_id)?;
        let now = ctx.stored_now();
        let (surname, first, patronymic) = accounts::acceptor_name(conn, ctx.actor().user_id)?;
        let number: AppealNumber = parts.card.reg_number().clone();
        let talon = Talon::issue(
            number,
            &receiver.name_ru,
            ctx.rules.local_time(now.and_utc()),
            &surname,
            &first,
            patronymic.as_deref(),
        )?;
        let stored = StoredTalon::of(&talon);
        parts.details.talon = Some(stored.clone());
        parts.details.awaiting_acceptance = false;
        let accepted_on = ctx.rules.local_date(now.and_utc());
        let waited = ctx
            .rules
            .calendar
            .working_days_between(row.registration_date, accepted_on)
            .unwrap_or(0);
        let event = CardEvent {
            action: CardAction::PartAccepted,
            before: Some(json!({ "awaiting_acceptance": true })),
            after: Some(json!({
                "awaiting_acceptance": false,
                "talon": stored,
                "accepted_by_user_id": ctx.actor().user_id,
                "accepted_on": accepted_on,
                "working_days_waited": waited,
                "forward_due": row.forward_due,
                "review_due": row.review_due,
            })),
        };
        crate::actions::commit_parts(conn, ctx, &row, &parts, event)
    })
}
