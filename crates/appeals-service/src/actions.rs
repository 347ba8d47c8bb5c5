//! Life-cycle actions on a card that record no ОЛ-2: assignment to an executor, the applicant's
//! withdrawal (R45), continuation after it, and closure (Rules p.18, R4). Each is one transaction
//! through [`act_on_card`]: the card loaded through the guard at the expected version, the Rules
//! asked, the change written through the one card write path.

use appeals_db::rows::{AppealRow, ApplicantRow, SubjectRow};
use appeals_db::{DbConn, DbError, repo, write_tx};
use appeals_domain::access::Role;
use appeals_domain::events::{CardAction, CardEvent};
use appeals_domain::lifecycle::{self, AppealState, Command};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::access;
use crate::cards::parts::{CardParts, parse_json};
use crate::cards::write::{self, CardChange};
use crate::ctx::{Ctx, fail_if_any};
use crate::error::{AppError, AppResult};

/// A card as the API shows it: the row, its holder and its З-1 rows.
#[derive(Debug, Clone)]
pub struct CardView {
    pub row: AppealRow,
    pub subject: SubjectRow,
    pub applicants: Vec<ApplicantRow>,
}

impl CardView {
    pub fn load(conn: &mut DbConn, row: AppealRow) -> AppResult<Self> {
        let subject = repo::subjects::get(conn, row.subject_id)?;
        let applicants = repo::appeals::applicants(conn, row.id)?;
        Ok(Self {
            row,
            subject,
            applicants,
        })
    }

    /// The views of a page of cards in a constant number of statements, whatever its size: the
    /// subjects of the page in one, the З-1 rows of all its cards in another.
    pub fn load_page(conn: &mut DbConn, rows: Vec<AppealRow>) -> AppResult<Vec<Self>> {
        let subjects = subjects_by_id(conn, rows.iter().map(|r| r.subject_id))?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut applicants: std::collections::HashMap<i64, Vec<ApplicantRow>> =
            std::collections::HashMap::new();
        for a in repo::appeals::applicants_of(conn, &ids)? {
            applicants.entry(a.appeal_id).or_default().push(a);
        }
        rows.into_iter()
            .map(|row| {
                let subject = subjects.get(&row.subject_id).cloned().ok_or_else(|| {
                    AppError::corrupt(format!("card {} names no stored subject", row.id))
                })?;
                Ok(Self {
                    applicants: applicants.remove(&row.id).unwrap_or_default(),
                    subject,
                    row,
                })
            })
            .collect()
    }
}

/// The subjects named by a page of cards, read in one statement.
pub fn subjects_by_id(
    conn: &mut DbConn,
    ids: impl Iterator<Item = i64>,
) -> AppResult<std::collections::HashMap<i64, SubjectRow>> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(repo::subjects::lines(conn, Some(&ids))?
        .into_iter()
        .map(|s| (s.id, s))
        .collect())
}

/// The usual event of an action: the status before, and after it the new status followed by the
/// action's own `fields` (a JSON object).
pub fn status_change(
    action: CardAction,
    row: &AppealRow,
    parts: &CardParts,
    fields: Value,
) -> CardEvent {
    let mut after = serde_json::Map::new();
    after.insert("status".to_owned(), parts.state.status().code().into());
    if let Value::Object(fields) = fields {
        after.extend(fields);
    }
    CardEvent {
        action,
        before: Some(json!({ "status": row.status })),
        after: Some(Value::Object(after)),
    }
}

/// A stale `If-Match` (412).
fn check_version(row: &AppealRow, expected: Option<i64>) -> AppResult<()> {
    match expected {
        Some(v) if v != row.version => Err(AppError::PreconditionFailed(format!(
            "The card is at version {}, not {v}; reload it.",
            row.version
        ))),
        _ => Ok(()),
    }
}

/// Loads the card for the granted action (through the guard) at the expected version.
pub fn load_for_action(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: i64,
    expected: Option<i64>,
) -> AppResult<(AppealRow, CardParts)> {
    let (row, parts) = load_at_version(conn, ctx, id, expected)?;
    ensure_accepted(&parts)?;
    Ok((row, parts))
}

/// [`load_for_action`] without the acceptance gate: only the acceptance of a forwarded part
/// itself loads a card this way.
pub(crate) fn load_at_version(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: i64,
    expected: Option<i64>,
) -> AppResult<(AppealRow, CardParts)> {
    let row = access::load_card(conn, &ctx.grant, id)?;
    check_version(&row, expected)?;
    let parts = CardParts::of(&row)?;
    Ok((row, parts))
}

/// Writes the changed `parts` of `row` with one history event through the card write path and
/// returns the card as shown.
pub(crate) fn commit_parts(
    conn: &mut DbConn,
    ctx: &Ctx,
    row: &AppealRow,
    parts: &CardParts,
    event: CardEvent,
) -> AppResult<CardView> {
    let next = parts.apply_to(row)?;
    let saved = write::commit(
        conn,
        ctx.actor(),
        ctx.stored_now(),
        CardChange {
            before: row,
            after: next,
            event,
        },
    )?;
    CardView::load(conn, saved)
}

/// p.11 part 2: a forwarded part is the receiver's work only once its registrar accepted it
/// (409 before that).
pub fn ensure_accepted(parts: &CardParts) -> AppResult<()> {
    if parts.details.awaiting_acceptance {
        return Err(AppError::Conflict(format!(
            "The forwarded part {} awaits acceptance by the receiving subject's registrar \
             (POST …/acceptance, Rules p.11 part 2).",
            parts.card.reg_number()
        )));
    }
    Ok(())
}

/// Applies life-cycle commands in order (409 `invalid-transition` when one is not allowed now).
pub fn transition(parts: &mut CardParts, commands: &[Command]) -> AppResult<()> {
    let mut state = parts.state.clone();
    for command in commands {
        state = lifecycle::apply(&state, command)?.state;
    }
    parts.state = state;
    Ok(())
}

/// An action on one card, at an optional expected version (`If-Match`).
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub appeal_id: i64,
    pub expected_version: Option<i64>,
}

/// One transaction: the card loaded for the action at the expected version, `change` checks the
/// request against it and changes its parts (422/409 before anything is written), and the card is
/// committed with one history event.
pub fn act_on_card<F>(
    conn: &mut DbConn,
    ctx: &Ctx,
    target: Target,
    change: F,
) -> AppResult<CardView>
where
    F: FnOnce(&mut DbConn, &AppealRow, &mut CardParts) -> AppResult<CardEvent>,
{
    write_tx(conn, |conn| {
        change_card(conn, ctx, target, |conn, row, parts| {
            Ok((change(conn, row, parts)?, ()))
        })
    })
    .map(|(view, ())| view)
}

/// The steps of [`act_on_card`] in the caller's transaction (an idempotent action runs them inside
/// [`crate::idempotency::once`]); `change` returns what else the action made beside its event.
pub fn change_card<T, F>(
    conn: &mut DbConn,
    ctx: &Ctx,
    target: Target,
    change: F,
) -> AppResult<(CardView, T)>
where
    F: FnOnce(&mut DbConn, &AppealRow, &mut CardParts) -> AppResult<(CardEvent, T)>,
{
    let (row, mut parts) = load_for_action(conn, ctx, target.appeal_id, target.expected_version)?;
    let (event, made) = change(conn, &row, &mut parts)?;
    Ok((commit_parts(conn, ctx, &row, &parts, event)?, made))
}

/// Routes a registered card to an executor of the subject that holds it.
pub fn assign(
    conn: &mut DbConn,
    ctx: &Ctx,
    target: Target,
    executor_user_id: i64,
) -> AppResult<CardView> {
    act_on_card(conn, ctx, target, |conn, row, parts| {
        let executor = match repo::users::get(conn, executor_user_id) {
            Ok(user) => Some(user),
            Err(DbError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        let executor = executor
            .filter(|u| u.subject_id == row.subject_id && u.is_active)
            .filter(|u| Role::parse_list(&u.roles).is_ok_and(|r| r.contains(&Role::Executor)))
            .ok_or_else(|| {
                AppError::field(
                    "#/executor_user_id",
                    "not an active executor of the subject holding the card",
                )
            })?;
        transition(parts, &[Command::StartWork])?;
        parts.details.executor_user_id = Some(executor.id);
        Ok(status_change(
            CardAction::Assigned,
            row,
            parts,
            json!({ "executor_user_id": executor.id }),
        ))
    })
}

/// R45: the applicant withdrew the appeal (stated time, else the time of the action).
pub fn withdraw(
    conn: &mut DbConn,
    ctx: &Ctx,
    target: Target,
    reason: Option<String>,
    withdrawn_at: Option<DateTime<Utc>>,
) -> AppResult<CardView> {
    act_on_card(conn, ctx, target, |_, row, parts| {
        let mut issues = Vec::new();
        let act = ctx.act_time(withdrawn_at, "#/withdrawn_at", row.received_at, &mut issues);
        fail_if_any(issues)?;
        transition(parts, &[Command::Withdraw])?;
        parts.details.entered_late |= act.entered_late;
        Ok(status_change(
            CardAction::Withdrawn,
            row,
            parts,
            json!({
                "reason": reason,
                "withdrawn_at": act.act_at.and_utc(),
                "entered_at": act.entered_at.and_utc(),
                "entered_late": act.entered_late,
            }),
        ))
    })
}

/// R45: «Продолжить рассмотрение» after a withdrawal, with its reason.
pub fn continue_consideration(
    conn: &mut DbConn,
    ctx: &Ctx,
    target: Target,
    reason: String,
) -> AppResult<CardView> {
    if reason.trim().is_empty() {
        return Err(AppError::field("#/reason", "must not be blank"));
    }
    act_on_card(conn, ctx, target, |_, row, parts| {
        transition(
            parts,
            &[Command::ContinueConsideration {
                reason: reason.clone(),
            }],
        )?;
        Ok(status_change(
            CardAction::ConsiderationContinued,
            row,
            parts,
            json!({ "reason": reason }),
        ))
    })
}

/// Parts of `main` that are still open: every part whose life-cycle status is not final
/// (`closed`, `forwarded` onwards in full, `transferred` to another IS).
pub fn open_parts(conn: &mut DbConn, main: &AppealRow) -> AppResult<u32> {
    let mut open = 0u32;
    for part in repo::appeals::parts(conn, main.id)? {
        let state: AppealState = parse_json(&part.state, "state")?;
        if !state.status().is_final() {
            open = open.saturating_add(1);
        }
    }
    Ok(open)
}

/// Rules p.18, R4: closes a decided card; a main appeal with an open forwarded part stays open
/// (409).
pub fn close(conn: &mut DbConn, ctx: &Ctx, target: Target) -> AppResult<CardView> {
    act_on_card(conn, ctx, target, |conn, row, parts| {
        let open = open_parts(conn, row)?;
        parts.state = lifecycle::apply(&parts.state, &Command::Close { open_parts: open })?.state;
        // R23: a completed card carries at least one ОЛ-2 decision (the life cycle reaches
        // `decided` only through one; the stored cards say so too).
        let decided = repo::decisions::list(conn, row.id)?
            .iter()
            .any(|d| d.card_kind == "decision");
        if !decided {
            return Err(AppError::Conflict(format!(
                "Appeal {} has no ОЛ-2 decision; a card is completed only after one (R23).",
                row.reg_number
            )));
        }
        Ok(status_change(
            CardAction::Closed,
            row,
            parts,
            json!({ "open_parts": open }),
        ))
    })
}
