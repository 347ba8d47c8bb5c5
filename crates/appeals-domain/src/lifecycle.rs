//! The life cycle of an appeal as a typed transition function (Rules p.4, p.11, p.15, p.18;
//! APPK Art. 65, 76; eOtinish statuses of DOMAIN.md §6.3).
//!
//! Model. [`AppealState`] is the current [`Status`] (the eOtinish status the applicant sees), at most
//! one [`Pending`] approval workflow (forwarding and extension need approval and an EDS signature
//! before they take effect, R35, R37), and counters: the last part number used (R4), the number of
//! signed extensions (`prolong_count`, R37), the number of ОЛ-2 decisions (R23), and the duplicate
//! link (p.13 — a duplicate is still registered and processed, so it is a link, not a status).
//! [`apply`] takes a state and a [`Command`] and returns the new state plus the [`Effect`]s to
//! carry out (history row and applicant notification on each status change, R46; registration of
//! a forwarded part, R4/R5), or [`DomainError::InvalidTransition`] naming the state and the command.
//!
//! There is no "rejected at intake" status (R1). The registration number is set by
//! [`AppealState::registered`] and no command touches it (R2). A main appeal closes only when none
//! of its parts is open (the count is an input, the parts live in their own rows).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::regnum::{AppealNumber, PartNumber, next_part_number};

/// The status of an appeal (eOtinish status vocabulary, §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Registered, awaiting routing («Зарегистрированы и ожидают маршрутизации»).
    Registered,
    /// Routed to an executor («На исполнении»).
    InWork,
    /// Defects under APPK Art. 63/93 notified, awaiting correction (R39).
    AwaitingCorrection,
    /// «Приведено в соответствие» (R39).
    Corrected,
    /// «Переадресовано в части» — the rest is still considered here (R35, R4).
    ForwardedInPart,
    /// «Продлен срок обращения» (R37).
    Extended,
    /// «Переадресовано» — fully forwarded; nothing is left here (R35).
    Forwarded,
    /// Transferred to another IS as not accountable (p.15, R16).
    Transferred,
    /// «Отозвано» by the applicant (R45).
    Withdrawn,
    /// «Исполнено»: a decision (ОЛ-2) is signed and the answer issued.
    Decided,
    /// Completed for accounting; no part is open.
    Closed,
}

impl Status {
    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Status::Registered => "registered",
            Status::InWork => "in_work",
            Status::AwaitingCorrection => "awaiting_correction",
            Status::Corrected => "corrected",
            Status::ForwardedInPart => "forwarded_in_part",
            Status::Extended => "extended",
            Status::Forwarded => "forwarded",
            Status::Transferred => "transferred",
            Status::Withdrawn => "withdrawn",
            Status::Decided => "decided",
            Status::Closed => "closed",
        }
    }

    /// Russian label shown to users and applicants (eOtinish texts where known [OBS]).
    pub const fn label_ru(self) -> &'static str {
        match self {
            Status::Registered => "Зарегистрировано",
            Status::InWork => "На исполнении",
            Status::AwaitingCorrection => "Не соответствует требованиям",
            Status::Corrected => "Приведено в соответствие",
            Status::ForwardedInPart => "Переадресовано в части",
            Status::Extended => "Продлен срок обращения",
            Status::Forwarded => "Переадресовано",
            Status::Transferred => "Передано в другую информационную систему",
            Status::Withdrawn => "Отозвано",
            Status::Decided => "Исполнено",
            Status::Closed => "Завершено",
        }
    }

    /// Statuses in which the appeal is being considered here and work commands are accepted.
    pub const fn is_active(self) -> bool {
        matches!(
            self,
            Status::InWork | Status::Corrected | Status::ForwardedInPart | Status::Extended
        )
    }

    /// Statuses after which nothing more happens at this subject (a transfer can still be
    /// cancelled, R18).
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            Status::Forwarded | Status::Transferred | Status::Closed
        )
    }
}

/// Full or partial forwarding by competence (APPK Art. 65 parts 1–2; p.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForwardScope {
    /// The whole appeal → «Переадресовано».
    Full,
    /// One part (question) → `<main>/<k>`, «Переадресовано в части».
    Part,
}

/// Stage of an approval workflow (R35, R37): requested, then approved, then signed (effective).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStage {
    /// Drafted («Переадресация в другую организацию» / «Продление срока рассмотрения»).
    Requested,
    /// Approved («Согласовано …»), awaiting the EDS signature.
    Approved,
}

/// An approval workflow in progress; at most one at a time [INF].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Pending {
    /// Forwarding letter being approved/signed (R35).
    Forwarding {
        /// Full or part.
        scope: ForwardScope,
        /// Stage.
        stage: ApprovalStage,
    },
    /// Extension of the review term being approved/signed (R37).
    Extension {
        /// The requested new control date (cap checks are the deadline module's, R36).
        new_control_date: NaiveDate,
        /// Stage.
        stage: ApprovalStage,
    },
}

impl Pending {
    /// The stored code: `forwarding_requested`, `forwarding_approved`, `extension_requested`,
    /// `extension_approved` (an `approved` one awaits the EDS signature).
    pub fn code(&self) -> &'static str {
        match self {
            Pending::Forwarding {
                stage: ApprovalStage::Requested,
                ..
            } => "forwarding_requested",
            Pending::Forwarding {
                stage: ApprovalStage::Approved,
                ..
            } => "forwarding_approved",
            Pending::Extension {
                stage: ApprovalStage::Requested,
                ..
            } => "extension_requested",
            Pending::Extension {
                stage: ApprovalStage::Approved,
                ..
            } => "extension_approved",
        }
    }
}

/// R35 [INF]: where the review term of a forwarded appeal or part starts at the receiving subject.
/// The sources do not settle it; APPK Art. 65 says the receiver «initiates» the procedure, hence the
/// default. A deployment setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForwardedTermPolicy {
    /// A new procedure: the term runs from the receiving subject's receipt (default [INF]).
    #[default]
    RestartAtReceiver,
    /// The term keeps running from the original receipt.
    KeepOriginal,
}

impl ForwardedTermPolicy {
    /// The moment the receiving subject's term starts from.
    pub fn term_start(
        self,
        originally_received: NaiveDateTime,
        received_by_receiver: NaiveDateTime,
    ) -> NaiveDateTime {
        match self {
            ForwardedTermPolicy::RestartAtReceiver => received_by_receiver,
            ForwardedTermPolicy::KeepOriginal => originally_received,
        }
    }
}

/// The life-cycle state of one appeal (or of one forwarded part).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppealState {
    reg_number: AppealNumber,
    status: Status,
    pending: Option<Pending>,
    last_part_k: u32,
    prolong_count: u32,
    decisions: u32,
    duplicate_of: Option<AppealNumber>,
}

impl AppealState {
    /// A freshly registered appeal (p.4). The number is fixed here for good (R2).
    pub fn registered(reg_number: AppealNumber) -> Self {
        Self {
            reg_number,
            status: Status::Registered,
            pending: None,
            last_part_k: 0,
            prolong_count: 0,
            decisions: 0,
            duplicate_of: None,
        }
    }

    /// The registration number (R2).
    pub fn reg_number(&self) -> &AppealNumber {
        &self.reg_number
    }

    /// Current status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Approval workflow in progress.
    pub fn pending(&self) -> Option<Pending> {
        self.pending
    }

    /// The last part ordinal used (eOtinish `last_child_reg_number`; 0 = none; R4).
    pub fn last_part_k(&self) -> u32 {
        self.last_part_k
    }

    /// Signed extensions (`prolong_count`, R37).
    pub fn prolong_count(&self) -> u32 {
        self.prolong_count
    }

    /// Number of decisions recorded (ОЛ-2, R22/R23).
    pub fn decisions(&self) -> u32 {
        self.decisions
    }

    /// The original this appeal duplicates (p.13).
    pub fn duplicate_of(&self) -> Option<&AppealNumber> {
        self.duplicate_of.as_ref()
    }

    /// `status` or `status/pending` — how the state is named in errors and history.
    pub fn describe(&self) -> String {
        match &self.pending {
            None => self.status.code().to_owned(),
            Some(p) => format!("{}/{}", self.status.code(), p.code()),
        }
    }

    /// Checks the invariants of a state (used after loading a state from storage, and by the
    /// property tests): a pending workflow only in an active status; the counters agree with the
    /// status; only a main appeal has parts; a closed appeal has a decision (R23).
    pub fn check(&self) -> Result<(), DomainError> {
        let bad = |r: &str| DomainError::invalid("state", format!("{}: {r}", self.describe()));
        if self.pending.is_some() && !self.status.is_active() && self.status != Status::Registered {
            return Err(bad("an approval workflow is pending outside active work"));
        }
        if matches!(self.pending, Some(Pending::Extension { .. })) && !self.status.is_active() {
            return Err(bad("an extension is pending outside active work"));
        }
        if self.status == Status::ForwardedInPart && self.last_part_k == 0 {
            return Err(bad("forwarded in part without a part"));
        }
        if self.status == Status::Extended && self.prolong_count == 0 {
            return Err(bad("extended without a signed extension"));
        }
        if matches!(self.reg_number, AppealNumber::Part(_)) && self.last_part_k > 0 {
            return Err(bad("a part has parts of its own"));
        }
        if matches!(self.status, Status::Decided | Status::Closed) && self.decisions == 0 {
            return Err(bad("decided or closed without an ОЛ-2 decision"));
        }
        if self.duplicate_of.as_ref() == Some(&self.reg_number) {
            return Err(bad("an appeal cannot duplicate itself"));
        }
        Ok(())
    }
}

/// What users (and the applicant) ask the appeal to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "command")]
pub enum Command {
    /// «Направить в работу»: routing to an executor; also how the receiving subject takes a fully
    /// forwarded card into work (APPK art. 65).
    StartWork,
    /// Notice of defects under APPK Art. 63 (Art. 93 for complaints) with a correction deadline (R39).
    RequestCorrection,
    /// Defects corrected → «Приведено в соответствие» (R39).
    ConfirmCorrection,
    /// Draft a forwarding letter (APPK Art. 65; R35).
    StartForwarding {
        /// Full or part.
        scope: ForwardScope,
    },
    /// «Согласовано письмо о переадресации».
    ApproveForwarding,
    /// «Подписано письмо о переадресации» — forwarding takes effect (R35); a part gets `/k` (R4).
    SignForwarding,
    /// Drop the forwarding draft (reason required).
    CancelForwarding {
        /// Why.
        reason: String,
    },
    /// «Продление срока рассмотрения» (APPK Art. 76; R37).
    RequestExtension {
        /// The requested new control date.
        new_control_date: NaiveDate,
    },
    /// «Согласован срок рассмотрения».
    ApproveExtension,
    /// «Подписан срок рассмотрения» → «Продлен срок обращения»; `prolong_count` + 1 (R37).
    SignExtension,
    /// «Продление срока отозвано» by its initiator (R37).
    WithdrawExtension,
    /// «Продление срока отклонено» — reason required (R37).
    RejectExtension {
        /// Why.
        reason: String,
    },
    /// p.15: transfer of a non-accountable item to another IS via ОЛ-2 (R16).
    Transfer,
    /// p.15: cancel the transfer; the item is accounted and considered again (R18).
    CancelTransfer,
    /// Withdrawal by the applicant → «Отозвано» (R45); a pending workflow is dropped.
    Withdraw,
    /// «Продолжить рассмотрение» after a withdrawal — reason required (R45).
    ContinueConsideration {
        /// Why the consideration continues.
        reason: String,
    },
    /// A decision is signed and recorded as an ОЛ-2 (R22); from «Отозвано» this records the
    /// accepted withdrawal as a termination (reasons 4/6, R45). Another decision on a decided
    /// appeal adds an ОЛ-2 without changing the status.
    RecordDecision,
    /// Complete the appeal. `open_parts` = how many of its forwarded parts are not closed yet.
    Close {
        /// Open parts of this main appeal.
        open_parts: u32,
    },
    /// Link the appeal to the original it duplicates (p.13; it stays registered and processed).
    MarkDuplicate {
        /// The original.
        original: AppealNumber,
    },
}

impl Command {
    /// Stable code (the serde tag).
    pub const fn code(&self) -> &'static str {
        match self {
            Command::StartWork => "start_work",
            Command::RequestCorrection => "request_correction",
            Command::ConfirmCorrection => "confirm_correction",
            Command::StartForwarding { .. } => "start_forwarding",
            Command::ApproveForwarding => "approve_forwarding",
            Command::SignForwarding => "sign_forwarding",
            Command::CancelForwarding { .. } => "cancel_forwarding",
            Command::RequestExtension { .. } => "request_extension",
            Command::ApproveExtension => "approve_extension",
            Command::SignExtension => "sign_extension",
            Command::WithdrawExtension => "withdraw_extension",
            Command::RejectExtension { .. } => "reject_extension",
            Command::Transfer => "transfer",
            Command::CancelTransfer => "cancel_transfer",
            Command::Withdraw => "withdraw",
            Command::ContinueConsideration { .. } => "continue_consideration",
            Command::RecordDecision => "record_decision",
            Command::Close { .. } => "close",
            Command::MarkDuplicate { .. } => "mark_duplicate",
        }
    }
}

/// What the caller must do after a transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "effect")]
pub enum Effect {
    /// The status changed: write a history row and notify the applicant (R46).
    StatusChanged {
        /// Old status.
        from: Status,
        /// New status.
        to: Status,
    },
    /// A decision was signed: the answer is issued — send the SMS to the mobile number on file
    /// (R46).
    AnswerIssued,
    /// A part was forwarded: register it under this number at the receiving subject, which issues
    /// the talon (R4, R5).
    PartForwarded {
        /// `<main>/<k>`.
        part: PartNumber,
    },
    /// The extension is signed: store the new control date (R37).
    DeadlineExtended {
        /// New control date (ОЛ-1 req. 13).
        new_control_date: NaiveDate,
    },
    /// The pending workflow was dropped (withdrawal, cancellation, rejection).
    PendingDropped {
        /// Which one.
        pending: Pending,
    },
    /// The duplicate link was set (p.13).
    DuplicateLinked {
        /// The original.
        original: AppealNumber,
    },
}

/// The result of [`apply`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// The new state.
    pub state: AppealState,
    /// Effects in order.
    pub effects: Vec<Effect>,
}

/// What a change of a card owes the applicant (R46; R36 for an extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "notice")]
pub enum ApplicantNotice {
    /// The status changed.
    StatusChanged {
        /// Old status.
        from: Status,
        /// New status.
        to: Status,
    },
    /// A signed extension moved the review term: the applicant is told within 3 working days
    /// (R36, APPK art. 76). It stands for the status change the extension makes, so one action
    /// owes one notice.
    TermExtended,
    /// A decision was signed: the answer SMS (R46).
    AnswerIssued,
}

/// What a change from `before` to `after` owes the applicant. The same as what the effects of
/// the commands that led there report ([`Effect::StatusChanged`], [`Effect::DeadlineExtended`],
/// [`Effect::AnswerIssued`]), so a caller holding only the stored states (every card change goes
/// through one place) owes exactly that.
pub fn applicant_notices(before: &AppealState, after: &AppealState) -> Vec<ApplicantNotice> {
    let mut notices = Vec::new();
    if after.prolong_count() > before.prolong_count() {
        notices.push(ApplicantNotice::TermExtended);
    } else if before.status() != after.status() {
        notices.push(ApplicantNotice::StatusChanged {
            from: before.status(),
            to: after.status(),
        });
    }
    if after.decisions() > before.decisions() {
        notices.push(ApplicantNotice::AnswerIssued);
    }
    notices
}

/// Where an applicant notice (R46) stands with the delivery system that sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeDelivery {
    /// Not yet reported: still to be sent.
    Pending,
    /// Reported delivered — final: later reports change nothing.
    Delivered,
    /// Reported failed: may be sent again and reported again.
    Failed,
}

impl NoticeDelivery {
    /// Every state, in the order the API lists them.
    pub const ALL: [NoticeDelivery; 3] = [Self::Pending, Self::Delivered, Self::Failed];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// The state of a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == code)
    }
}

fn require_reason(reason: &str) -> Result<(), DomainError> {
    if reason.trim().is_empty() {
        Err(DomainError::invalid("reason", "a reason is required"))
    } else {
        Ok(())
    }
}

/// Applies `command` to `state`. An invalid command is `DomainError::InvalidTransition` naming the
/// state ([`AppealState::describe`]) and the command ([`Command::code`]); a missing reason is
/// `Invalid`; closing with open parts or splitting a part is `Conflict`.
pub fn apply(state: &AppealState, command: &Command) -> Result<Transition, DomainError> {
    let invalid = || DomainError::InvalidTransition {
        state: state.describe(),
        command: command.code().to_owned(),
    };
    let mut next = state.clone();
    let mut effects = Vec::new();
    let status = state.status;
    // Open = registered or in active work, with no approval workflow running.
    let idle = state.pending.is_none();
    let open = status == Status::Registered || status.is_active();

    match command {
        Command::StartWork => {
            // A fully forwarded card is taken into work by the receiving subject, which starts its
            // own administrative procedure on it (APPK art. 65; R35).
            if !matches!(status, Status::Registered | Status::Forwarded) || !idle {
                return Err(invalid());
            }
            next.status = Status::InWork;
        }
        Command::RequestCorrection => {
            if !status.is_active() || !idle {
                return Err(invalid());
            }
            next.status = Status::AwaitingCorrection;
        }
        Command::ConfirmCorrection => {
            if status != Status::AwaitingCorrection {
                return Err(invalid());
            }
            next.status = Status::Corrected;
        }
        Command::StartForwarding { scope } => {
            if !open || !idle {
                return Err(invalid());
            }
            if *scope == ForwardScope::Part && matches!(state.reg_number, AppealNumber::Part(_)) {
                return Err(DomainError::Conflict(format!(
                    "{} is itself a part; forwarding a part of a part is not provided for [INF]",
                    state.reg_number
                )));
            }
            next.pending = Some(Pending::Forwarding {
                scope: *scope,
                stage: ApprovalStage::Requested,
            });
        }
        Command::ApproveForwarding => match state.pending {
            Some(Pending::Forwarding {
                scope,
                stage: ApprovalStage::Requested,
            }) => {
                next.pending = Some(Pending::Forwarding {
                    scope,
                    stage: ApprovalStage::Approved,
                });
            }
            _ => return Err(invalid()),
        },
        Command::SignForwarding => match (state.pending, &state.reg_number) {
            (
                Some(Pending::Forwarding {
                    scope: ForwardScope::Full,
                    stage: ApprovalStage::Approved,
                }),
                _,
            ) => {
                next.pending = None;
                next.status = Status::Forwarded;
            }
            (
                Some(Pending::Forwarding {
                    scope: ForwardScope::Part,
                    stage: ApprovalStage::Approved,
                }),
                AppealNumber::Main(main),
            ) => {
                let part = next_part_number(main, state.last_part_k)?;
                next.last_part_k = part.k();
                next.pending = None;
                next.status = Status::ForwardedInPart;
                effects.push(Effect::PartForwarded { part });
            }
            _ => return Err(invalid()),
        },
        Command::CancelForwarding { reason } => match state.pending {
            Some(p @ Pending::Forwarding { .. }) => {
                require_reason(reason)?;
                next.pending = None;
                effects.push(Effect::PendingDropped { pending: p });
            }
            _ => return Err(invalid()),
        },
        Command::RequestExtension { new_control_date } => {
            if !status.is_active() || !idle {
                return Err(invalid());
            }
            next.pending = Some(Pending::Extension {
                new_control_date: *new_control_date,
                stage: ApprovalStage::Requested,
            });
        }
        Command::ApproveExtension => match state.pending {
            Some(Pending::Extension {
                new_control_date,
                stage: ApprovalStage::Requested,
            }) => {
                next.pending = Some(Pending::Extension {
                    new_control_date,
                    stage: ApprovalStage::Approved,
                });
            }
            _ => return Err(invalid()),
        },
        Command::SignExtension => match state.pending {
            Some(Pending::Extension {
                new_control_date,
                stage: ApprovalStage::Approved,
            }) => {
                next.prolong_count = state.prolong_count.checked_add(1).ok_or_else(invalid)?;
                next.pending = None;
                next.status = Status::Extended;
                effects.push(Effect::DeadlineExtended { new_control_date });
            }
            _ => return Err(invalid()),
        },
        Command::WithdrawExtension => match state.pending {
            Some(p @ Pending::Extension { .. }) => {
                next.pending = None;
                effects.push(Effect::PendingDropped { pending: p });
            }
            _ => return Err(invalid()),
        },
        Command::RejectExtension { reason } => match state.pending {
            Some(p @ Pending::Extension { .. }) => {
                require_reason(reason)?;
                next.pending = None;
                effects.push(Effect::PendingDropped { pending: p });
            }
            _ => return Err(invalid()),
        },
        Command::Transfer => {
            // p.15: only before any decision and before parts were sent away.
            if !matches!(status, Status::Registered | Status::InWork) || !idle {
                return Err(invalid());
            }
            next.status = Status::Transferred;
        }
        Command::CancelTransfer => {
            if status != Status::Transferred {
                return Err(invalid());
            }
            next.status = Status::InWork;
        }
        Command::Withdraw => {
            if !(open || status == Status::AwaitingCorrection) {
                return Err(invalid());
            }
            if let Some(p) = state.pending {
                effects.push(Effect::PendingDropped { pending: p });
            }
            next.pending = None;
            next.status = Status::Withdrawn;
        }
        Command::ContinueConsideration { reason } => {
            if status != Status::Withdrawn {
                return Err(invalid());
            }
            require_reason(reason)?;
            next.status = Status::InWork;
        }
        Command::RecordDecision => {
            // An appeal never brought into conformity is still decided (typically terminated,
            // R39) [INF]; a withdrawn one records the accepted withdrawal (R45).
            let allowed = (status.is_active() && idle)
                || status == Status::AwaitingCorrection
                || status == Status::Withdrawn
                || status == Status::Decided;
            if !allowed {
                return Err(invalid());
            }
            next.decisions = state.decisions.checked_add(1).ok_or_else(invalid)?;
            next.status = Status::Decided;
            effects.push(Effect::AnswerIssued);
        }
        Command::Close { open_parts } => {
            if status != Status::Decided {
                return Err(invalid());
            }
            if *open_parts > 0 {
                return Err(DomainError::Conflict(format!(
                    "{} cannot close: {open_parts} forwarded part(s) still open",
                    state.reg_number
                )));
            }
            next.status = Status::Closed;
        }
        Command::MarkDuplicate { original } => {
            if status.is_final() {
                return Err(invalid());
            }
            if *original == state.reg_number {
                return Err(DomainError::invalid(
                    "original",
                    "an appeal cannot duplicate itself",
                ));
            }
            next.duplicate_of = Some(original.clone());
            effects.push(Effect::DuplicateLinked {
                original: original.clone(),
            });
        }
    }

    if next.status != status {
        effects.insert(
            0,
            Effect::StatusChanged {
                from: status,
                to: next.status,
            },
        );
    }
    Ok(Transition {
        state: next,
        effects,
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_fully_forwarded_card_is_taken_into_work_by_the_receiver() {
        let (s, _) = run(
            AppealState::registered(main_number()),
            &[
                Command::StartForwarding {
                    scope: ForwardScope::Full,
                },
                Command::ApproveForwarding,
                Command::SignForwarding,
            ],
        )
        .unwrap();
        assert_eq!(s.status(), Status::Forwarded);
        let t = apply(&s, &Command::StartWork).unwrap();
        assert_eq!(t.state.status(), Status::InWork);
        assert_eq!(t.state.reg_number(), s.reg_number());
    }

    use super::*;

    #[test]
    fn notice_delivery_codes_round_trip() {
        for d in NoticeDelivery::ALL {
            assert_eq!(NoticeDelivery::from_code(d.code()), Some(d));
        }
        assert_eq!(NoticeDelivery::from_code("sent"), None);
        assert_eq!(NoticeDelivery::Delivered.code(), "delivered");
    }
    use crate::regnum::RegNumber;
    use proptest::prelude::*;

    fn main_number() -> AppealNumber {
        AppealNumber::Main(RegNumber::new("ЖТ", 2026, 42).unwrap())
    }

    fn run(
        state: AppealState,
        cmds: &[Command],
    ) -> Result<(AppealState, Vec<Effect>), DomainError> {
        let mut s = state;
        let mut all = Vec::new();
        for c in cmds {
            let t = apply(&s, c)?;
            s = t.state;
            all.extend(t.effects);
        }
        Ok((s, all))
    }

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 4, d).unwrap()
    }

    #[test]
    fn ordinary_path_registered_in_work_decided_closed() {
        let (s, effects) = run(
            AppealState::registered(main_number()),
            &[
                Command::StartWork,
                Command::RecordDecision,
                Command::Close { open_parts: 0 },
            ],
        )
        .unwrap();
        assert_eq!(s.status(), Status::Closed);
        assert_eq!(s.decisions(), 1);
        // R46: every status change yields a notification; the decision yields the answer SMS.
        assert_eq!(
            effects,
            [
                Effect::StatusChanged {
                    from: Status::Registered,
                    to: Status::InWork
                },
                Effect::StatusChanged {
                    from: Status::InWork,
                    to: Status::Decided
                },
                Effect::AnswerIssued,
                Effect::StatusChanged {
                    from: Status::Decided,
                    to: Status::Closed
                },
            ]
        );
    }

    #[test]
    fn invalid_command_names_state_and_command() {
        let s = AppealState::registered(main_number());
        assert_eq!(
            apply(&s, &Command::Close { open_parts: 0 }),
            Err(DomainError::InvalidTransition {
                state: "registered".into(),
                command: "close".into()
            })
        );
        let (s, _) = run(
            s,
            &[
                Command::StartWork,
                Command::StartForwarding {
                    scope: ForwardScope::Full,
                },
            ],
        )
        .unwrap();
        assert_eq!(
            apply(&s, &Command::SignForwarding),
            Err(DomainError::InvalidTransition {
                state: "in_work/forwarding_requested".into(),
                command: "sign_forwarding".into()
            })
        );
    }

    #[test]
    fn forwarding_takes_effect_only_after_approval_and_signature() {
        // R35 + R4: two parts → /1, /2, «Переадресовано в части»; the parent keeps its number.
        let part = [
            Command::StartForwarding {
                scope: ForwardScope::Part,
            },
            Command::ApproveForwarding,
            Command::SignForwarding,
        ];
        let (s, effects) = run(
            AppealState::registered(main_number()),
            &[Command::StartWork],
        )
        .unwrap();
        assert!(
            effects
                .iter()
                .all(|e| !matches!(e, Effect::PartForwarded { .. }))
        );
        let (s, e1) = run(s, &part).unwrap();
        let (s, e2) = run(s, &part).unwrap();
        let parts: Vec<String> = e1
            .iter()
            .chain(&e2)
            .filter_map(|e| match e {
                Effect::PartForwarded { part } => Some(part.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(parts, ["ЖТ-2026-00000042/1", "ЖТ-2026-00000042/2"]);
        assert_eq!(s.status(), Status::ForwardedInPart);
        assert_eq!(s.reg_number(), &main_number());
        let (full, _) = run(
            s,
            &[
                Command::StartForwarding {
                    scope: ForwardScope::Full,
                },
                Command::ApproveForwarding,
                Command::SignForwarding,
            ],
        )
        .unwrap();
        assert_eq!(full.status(), Status::Forwarded);
    }

    #[test]
    fn cancelled_forwarding_does_not_consume_a_part_number() {
        let (s, _) = run(
            AppealState::registered(main_number()),
            &[
                Command::StartWork,
                Command::StartForwarding {
                    scope: ForwardScope::Part,
                },
                Command::CancelForwarding {
                    reason: "ошибка".into(),
                },
            ],
        )
        .unwrap();
        assert_eq!(s.last_part_k(), 0);
        assert!(apply(&s, &Command::CancelForwarding { reason: "x".into() }).is_err());
        let s2 = apply(
            &s,
            &Command::StartForwarding {
                scope: ForwardScope::Part,
            },
        )
        .unwrap()
        .state;
        assert!(matches!(
            apply(&s2, &Command::CancelForwarding { reason: " ".into() }),
            Err(DomainError::Invalid { .. })
        ));
    }

    #[test]
    fn a_part_cannot_be_split_again() {
        let part = AppealNumber::Part(
            next_part_number(&RegNumber::new("ЖТ", 2026, 42).unwrap(), 0).unwrap(),
        );
        let s = AppealState::registered(part);
        assert!(matches!(
            apply(
                &s,
                &Command::StartForwarding {
                    scope: ForwardScope::Part
                }
            ),
            Err(DomainError::Conflict(_))
        ));
        assert!(
            apply(
                &s,
                &Command::StartForwarding {
                    scope: ForwardScope::Full
                }
            )
            .is_ok()
        );
    }

    #[test]
    fn main_appeal_cannot_close_while_a_part_is_open() {
        let (s, _) = run(
            AppealState::registered(main_number()),
            &[Command::StartWork, Command::RecordDecision],
        )
        .unwrap();
        assert!(matches!(
            apply(&s, &Command::Close { open_parts: 1 }),
            Err(DomainError::Conflict(_))
        ));
        assert_eq!(
            apply(&s, &Command::Close { open_parts: 0 })
                .unwrap()
                .state
                .status(),
            Status::Closed
        );
    }

    #[test]
    fn extension_workflow_counts_only_signed_extensions() {
        // R37: request → approve → sign; withdraw or reject (with reason) drop it.
        let (s, _) = run(
            AppealState::registered(main_number()),
            &[Command::StartWork],
        )
        .unwrap();
        let (s, _) = run(
            s,
            &[
                Command::RequestExtension {
                    new_control_date: date(20),
                },
                Command::WithdrawExtension,
            ],
        )
        .unwrap();
        assert_eq!(s.prolong_count(), 0);
        let s = apply(
            &s,
            &Command::RequestExtension {
                new_control_date: date(21),
            },
        )
        .unwrap()
        .state;
        assert!(apply(&s, &Command::RejectExtension { reason: "".into() }).is_err());
        let (s, _) = run(
            s,
            &[Command::RejectExtension {
                reason: "нет оснований".into(),
            }],
        )
        .unwrap();
        assert_eq!(s.prolong_count(), 0);
        let (s, effects) = run(
            s,
            &[
                Command::RequestExtension {
                    new_control_date: date(22),
                },
                Command::ApproveExtension,
                Command::SignExtension,
            ],
        )
        .unwrap();
        assert_eq!(s.prolong_count(), 1);
        assert_eq!(s.status(), Status::Extended);
        assert!(effects.contains(&Effect::DeadlineExtended {
            new_control_date: date(22)
        }));
        assert!(
            apply(
                &AppealState::registered(main_number()),
                &Command::RequestExtension {
                    new_control_date: date(22)
                }
            )
            .is_err()
        );
    }

    #[test]
    fn withdrawal_then_continue_needs_a_reason_or_ends_in_a_decision() {
        // R45.
        let (s, _) = run(
            AppealState::registered(main_number()),
            &[
                Command::StartWork,
                Command::StartForwarding {
                    scope: ForwardScope::Full,
                },
                Command::Withdraw,
            ],
        )
        .unwrap();
        assert_eq!(s.status(), Status::Withdrawn);
        assert_eq!(s.pending(), None);
        assert!(matches!(
            apply(&s, &Command::ContinueConsideration { reason: "".into() }),
            Err(DomainError::Invalid { .. })
        ));
        let back = apply(
            &s,
            &Command::ContinueConsideration {
                reason: "заявитель передумал".into(),
            },
        )
        .unwrap();
        assert_eq!(back.state.status(), Status::InWork);
        let accepted = apply(&s, &Command::RecordDecision).unwrap();
        assert_eq!(accepted.state.status(), Status::Decided);
    }

    #[test]
    fn transfer_and_its_cancellation() {
        // p.15 / R16, R18.
        let s = apply(&AppealState::registered(main_number()), &Command::Transfer)
            .unwrap()
            .state;
        assert_eq!(s.status(), Status::Transferred);
        assert!(apply(&s, &Command::RecordDecision).is_err());
        assert_eq!(
            apply(&s, &Command::CancelTransfer).unwrap().state.status(),
            Status::InWork
        );
    }

    #[test]
    fn correction_under_article_63() {
        // R39: notice of defects → «Приведено в соответствие».
        let (s, effects) = run(
            AppealState::registered(main_number()),
            &[
                Command::StartWork,
                Command::RequestCorrection,
                Command::ConfirmCorrection,
            ],
        )
        .unwrap();
        assert_eq!(s.status(), Status::Corrected);
        assert_eq!(s.status().label_ru(), "Приведено в соответствие");
        assert!(effects.contains(&Effect::StatusChanged {
            from: Status::AwaitingCorrection,
            to: Status::Corrected
        }));
        // Awaiting a correction: no second notice, no confirmation twice, but a decision (an
        // appeal never corrected is terminated).
        let awaiting = run(
            AppealState::registered(main_number()),
            &[Command::StartWork, Command::RequestCorrection],
        )
        .unwrap()
        .0;
        assert!(apply(&awaiting, &Command::RequestCorrection).is_err());
        assert!(apply(&s, &Command::ConfirmCorrection).is_err());
        assert!(
            apply(
                &AppealState::registered(main_number()),
                &Command::RequestCorrection
            )
            .is_err()
        );
        assert_eq!(
            apply(&awaiting, &Command::RecordDecision)
                .unwrap()
                .state
                .status(),
            Status::Decided
        );
    }

    #[test]
    fn duplicate_is_a_link_not_a_status() {
        let original = AppealNumber::Main(RegNumber::new("ЖТ", 2026, 1).unwrap());
        let s = apply(
            &AppealState::registered(main_number()),
            &Command::MarkDuplicate {
                original: original.clone(),
            },
        )
        .unwrap();
        assert_eq!(s.state.status(), Status::Registered);
        assert_eq!(s.state.duplicate_of(), Some(&original));
        assert!(
            apply(
                &s.state,
                &Command::MarkDuplicate {
                    original: main_number()
                }
            )
            .is_err()
        );
    }

    #[test]
    fn forwarded_term_restarts_at_the_receiver_by_default() {
        // R35 setting.
        let t = |d| date(d).and_hms_opt(9, 0, 0).unwrap();
        assert_eq!(ForwardedTermPolicy::default().term_start(t(1), t(3)), t(3));
        assert_eq!(
            ForwardedTermPolicy::KeepOriginal.term_start(t(1), t(3)),
            t(1)
        );
    }

    fn command_strategy() -> impl Strategy<Value = Command> {
        prop_oneof![
            Just(Command::StartWork),
            Just(Command::RequestCorrection),
            Just(Command::ConfirmCorrection),
            prop_oneof![Just(ForwardScope::Full), Just(ForwardScope::Part)]
                .prop_map(|scope| Command::StartForwarding { scope }),
            Just(Command::ApproveForwarding),
            Just(Command::SignForwarding),
            prop_oneof![Just(String::new()), Just("r".to_owned())]
                .prop_map(|reason| Command::CancelForwarding { reason }),
            (1u32..=28).prop_map(|d| Command::RequestExtension {
                new_control_date: date(d)
            }),
            Just(Command::ApproveExtension),
            Just(Command::SignExtension),
            Just(Command::WithdrawExtension),
            prop_oneof![Just(String::new()), Just("r".to_owned())]
                .prop_map(|reason| Command::RejectExtension { reason }),
            Just(Command::Transfer),
            Just(Command::CancelTransfer),
            Just(Command::Withdraw),
            prop_oneof![Just(String::new()), Just("r".to_owned())]
                .prop_map(|reason| Command::ContinueConsideration { reason }),
            Just(Command::RecordDecision),
            (0u32..3).prop_map(|open_parts| Command::Close { open_parts }),
            (1u64..4).prop_map(|n| Command::MarkDuplicate {
                original: AppealNumber::Main(RegNumber::new("ЖТ", 2026, n).unwrap())
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn no_command_sequence_reaches_an_invalid_state(
            cmds in proptest::collection::vec(command_strategy(), 0..60),
        ) {
            let start = AppealState::registered(main_number());
            let mut s = start.clone();
            for c in &cmds {
                match apply(&s, c) {
                    Ok(t) => {
                        prop_assert!(t.state.check().is_ok(), "{:?} after {:?}", t.state, c);
                        // R2: the registration number never changes.
                        prop_assert_eq!(t.state.reg_number(), start.reg_number());
                        // Part numbers only grow (R4).
                        prop_assert!(t.state.last_part_k() >= s.last_part_k());
                        // A status change is always reported (R46).
                        if t.state.status() != s.status() {
                            let changed = matches!(
                                t.effects.first(),
                                Some(Effect::StatusChanged { from, to }) if *from == s.status() && *to == t.state.status()
                            );
                            prop_assert!(changed);
                        }
                        // The stored states owe the applicant what the command reported (R46,
                        // R36): one notice for an extension, else one per status change, and the
                        // answer SMS.
                        let mut reported = Vec::new();
                        if t.effects.iter().any(|e| matches!(e, Effect::DeadlineExtended { .. })) {
                            reported.push(ApplicantNotice::TermExtended);
                        } else if let Some(Effect::StatusChanged { from, to }) = t
                            .effects
                            .iter()
                            .find(|e| matches!(e, Effect::StatusChanged { .. }))
                        {
                            reported.push(ApplicantNotice::StatusChanged { from: *from, to: *to });
                        }
                        if t.effects.contains(&Effect::AnswerIssued) {
                            reported.push(ApplicantNotice::AnswerIssued);
                        }
                        prop_assert_eq!(applicant_notices(&s, &t.state), reported);
                        s = t.state;
                    }
                    Err(DomainError::InvalidTransition { state, command }) => {
                        prop_assert_eq!(state, s.describe());
                        prop_assert_eq!(command, c.code());
                    }
                    Err(_) => {}
                }
            }
        }

        #[test]
        fn a_main_appeal_never_closes_while_a_part_is_open(
            cmds in proptest::collection::vec(command_strategy(), 0..60),
            open_parts in 1u32..5,
        ) {
            let mut s = AppealState::registered(main_number());
            let close = Command::Close { open_parts };
            for c in &cmds {
                let closed = apply(&s, &close);
                prop_assert!(closed.is_err());
                if let Ok(t) = apply(&s, c) {
                    s = t.state;
                }
            }
            let closed = apply(&s, &close);
            prop_assert!(closed.is_err());
        }
    }
}
