//! Who may do what, and over which subjects: the role × action × scope table.
//!
//! Rules p.2(6): the subjects (state bodies, local self-government bodies, 100 %-state companies)
//! keep their own cards; only the authorized body (the Committee on legal statistics and special
//! accounts and its territorial bodies) stands above all of them. National configuration — the
//! working-day calendar, the shared dictionaries, numbering and the duplicate index — is the
//! authorized body's. The table below is data: the service's guard reads it for every call,
//! `docs/security.md` is generated from it, and the end-to-end matrix test walks it cell by cell.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a user may do. Stored as the snake_case codes below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Registers incoming appeals (регистратор).
    Registrar,
    /// Considers appeals assigned to them (исполнитель).
    Executor,
    /// Head of the subject (руководитель): extensions, decisions, reception.
    Head,
    /// Deputy head (заместитель руководителя).
    DeputyHead,
    /// Controls terms (контролер).
    Controller,
    /// Keeps the personal-reception queue (секретарь приема).
    ReceptionSecretary,
    /// Analyst: reads and analyses its subtree; in the authorized body, all subjects.
    Analyst,
    /// Administers its subject; in the authorized body, also the national configuration.
    Admin,
    /// Machine client of an agency information system.
    Integration,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Registrar,
        Role::Executor,
        Role::Head,
        Role::DeputyHead,
        Role::Controller,
        Role::ReceptionSecretary,
        Role::Analyst,
        Role::Admin,
        Role::Integration,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Registrar => "registrar",
            Role::Executor => "executor",
            Role::Head => "head",
            Role::DeputyHead => "deputy_head",
            Role::Controller => "controller",
            Role::ReceptionSecretary => "reception_secretary",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
            Role::Integration => "integration",
        }
    }

    /// Parses the stored comma-separated list.
    pub fn parse_list(stored: &str) -> Result<Vec<Role>, String> {
        stored
            .split(',')
            .filter(|s| !s.is_empty())
            .map(Role::from_str)
            .collect()
    }

    pub fn format_list(roles: &[Role]) -> String {
        roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| {
                let known: Vec<_> = Role::ALL.iter().map(|r| r.code()).collect();
                format!("unknown role `{s}`; known roles: {}", known.join(", "))
            })
    }
}

/// Over which subjects a grant reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The user's own subject.
    Own,
    /// The user's subject and every subject below it in the hierarchy (`subjects.parent_id`).
    Subtree,
    /// Every subject — for a user of the authorized body; anywhere else it narrows to `Subtree`.
    All,
    /// National configuration: users of the authorized body only; anywhere else refused.
    National,
}

impl Scope {
    pub fn code(self) -> &'static str {
        match self {
            Scope::Own => "own",
            Scope::Subtree => "subtree",
            Scope::All => "all",
            Scope::National => "national",
        }
    }

    /// What the grant reaches for a user of a subject that is (or is not) the authorized body;
    /// `None` when it reaches nothing there.
    pub fn effective(self, in_authorized_body: bool) -> Option<Reach> {
        match (self, in_authorized_body) {
            (Scope::Own, _) => Some(Reach::Own),
            (Scope::Subtree, _) | (Scope::All, false) => Some(Reach::Subtree),
            (Scope::All, true) | (Scope::National, true) => Some(Reach::All),
            (Scope::National, false) => None,
        }
    }
}

/// The subjects a grant reaches once the user's subject is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reach {
    Own,
    Subtree,
    All,
}

/// Every action a caller can take; each route names exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Own account and subject (`GET /me`), its login trail, ending its own sessions.
    ReadOwnAccount,
    /// Calendar, dictionaries and the deadline calculator: public reference data.
    ReadReferenceData,
    /// Register an appeal (ОЛ-1, З-1) at the own subject.
    RegisterAppeal,
    /// Read cards: one card, its history, deadlines, decisions, forwardings, links, notices; lists.
    ReadAppeals,
    /// Edit requisites of ОЛ-1.
    EditAppeal,
    /// Add, replace or reconcile applicants (З-1).
    EditApplicants,
    /// Look up a person or company in the state registry (З-1 auto-fill).
    LookupRegistry,
    /// Forward a card or a part by competence.
    ForwardAppeal,
    /// Accept a part forwarded to the own subject and issue its talon (p.11 part 2).
    AcceptForwardedPart,
    /// Route a card to an executor.
    AssignExecutor,
    /// Record an ОЛ-2 decision.
    RecordDecision,
    /// Extend the review term (R36).
    ExtendTerm,
    /// Record a withdrawal, a p.15 transfer or its cancellation, a correction.
    RecordCaseEvent,
    /// Continue consideration after a withdrawal (R45).
    ContinueConsideration,
    /// Send an art. 63 notice of defects (R39).
    RequestCorrection,
    /// Close a card.
    CloseAppeal,
    /// Run the duplicate check on a draft.
    CheckDuplicates,
    /// Decide a duplicate verdict on a registered card.
    DecideDuplicate,
    /// Read and report the applicant-notification queue of the subject.
    DeliverNotifications,
    /// Campaign analytics over many subjects' appeals.
    AnalyseCampaigns,
    /// Recompute the open cards' deadlines after a calendar change.
    RecalculateDeadlines,
    /// Change the working-day calendar (national configuration).
    ChangeCalendar,
    /// Change the shared dictionaries (national configuration).
    ChangeDictionaries,
    /// Change the deadline and numbering conventions (national configuration).
    ChangeConventions,
    /// Register an application for personal reception with its ЛП-1 card (R10, R26).
    RegisterReception,
    /// Read reception cards, their history, schedules, slots and the day's queue.
    ReadReceptions,
    /// Correct requisites of a reception card (the person, the question, the kind).
    EditReception,
    /// Give, confirm or release a reception slot; refuse a reception (requisites 24–25).
    BookReception,
    /// Record the outcome of a reception: held or not held (requisites 26–36, R25).
    RecordReceptionOutcome,
    /// Create an official's reception schedule (p.18 part 2).
    ManageReceptionSchedules,
    /// Read report 1-ОЛ, its schedule and the closed months' revisions (p.32).
    ReadReports,
    /// Close a month of report 1-ОЛ: freeze it as a revision (p.32).
    CloseReportMonth,
    /// Change the report definition (national configuration).
    ChangeReportDefinition,
    /// Create, change and deactivate subjects of the registry (national configuration).
    ManageSubjects,
    /// Create, change, deactivate users of the own subject; reset their passwords.
    ManageUsers,
    /// Read, approve or reject EDS-signed access applications (Rules p.25; national).
    DecideAccessRequests,
    /// Sign an approved forwarding or extension with the EDS (R35, R37).
    SignApproval,
    /// Sign an ОЛ-2 answer with the EDS.
    SignDecision,
    /// Register and keep the subject's webhook subscriptions (issue 22).
    ManageWebhooks,
}

impl Action {
    pub const ALL: [Action; 39] = [
        Action::ReadOwnAccount,
        Action::ReadReferenceData,
        Action::RegisterAppeal,
        Action::ReadAppeals,
        Action::EditAppeal,
        Action::EditApplicants,
        Action::LookupRegistry,
        Action::ForwardAppeal,
        Action::AcceptForwardedPart,
        Action::AssignExecutor,
        Action::RecordDecision,
        Action::ExtendTerm,
        Action::RecordCaseEvent,
        Action::ContinueConsideration,
        Action::RequestCorrection,
        Action::CloseAppeal,
        Action::CheckDuplicates,
        Action::DecideDuplicate,
        Action::DeliverNotifications,
        Action::AnalyseCampaigns,
        Action::RecalculateDeadlines,
        Action::ChangeCalendar,
        Action::ChangeDictionaries,
        Action::ChangeConventions,
        Action::RegisterReception,
        Action::ReadReceptions,
        Action::EditReception,
        Action::BookReception,
        Action::RecordReceptionOutcome,
        Action::ManageReceptionSchedules,
        Action::ReadReports,
        Action::CloseReportMonth,
        Action::ChangeReportDefinition,
        Action::ManageSubjects,
        Action::ManageUsers,
        Action::DecideAccessRequests,
        Action::SignApproval,
        Action::SignDecision,
        Action::ManageWebhooks,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Action::ReadOwnAccount => "read_own_account",
            Action::ReadReferenceData => "read_reference_data",
            Action::RegisterAppeal => "register_appeal",
            Action::ReadAppeals => "read_appeals",
            Action::EditAppeal => "edit_appeal",
            Action::EditApplicants => "edit_applicants",
            Action::LookupRegistry => "lookup_registry",
            Action::ForwardAppeal => "forward_appeal",
            Action::AcceptForwardedPart => "accept_forwarded_part",
            Action::AssignExecutor => "assign_executor",
            Action::RecordDecision => "record_decision",
            Action::ExtendTerm => "extend_term",
            Action::RecordCaseEvent => "record_case_event",
            Action::ContinueConsideration => "continue_consideration",
            Action::RequestCorrection => "request_correction",
            Action::CloseAppeal => "close_appeal",
            Action::CheckDuplicates => "check_duplicates",
            Action::DecideDuplicate => "decide_duplicate",
            Action::DeliverNotifications => "deliver_notifications",
            Action::AnalyseCampaigns => "analyse_campaigns",
            Action::RecalculateDeadlines => "recalculate_deadlines",
            Action::ChangeCalendar => "change_calendar",
            Action::ChangeDictionaries => "change_dictionaries",
            Action::ChangeConventions => "change_conventions",
            Action::RegisterReception => "register_reception",
            Action::ReadReceptions => "read_receptions",
            Action::EditReception => "edit_reception",
            Action::BookReception => "book_reception",
            Action::RecordReceptionOutcome => "record_reception_outcome",
            Action::ManageReceptionSchedules => "manage_reception_schedules",
            Action::ReadReports => "read_reports",
            Action::CloseReportMonth => "close_report_month",
            Action::ChangeReportDefinition => "change_report_definition",
            Action::ManageSubjects => "manage_subjects",
            Action::ManageUsers => "manage_users",
            Action::DecideAccessRequests => "decide_access_requests",
            Action::SignApproval => "sign_approval",
            Action::SignDecision => "sign_decision",
            Action::ManageWebhooks => "manage_webhooks",
        }
    }

    /// Whether the action changes a card (then the card must lie in the action's own reach,
    /// besides being readable).
    pub fn changes_card(self) -> bool {
        matches!(
            self,
            Action::EditAppeal
                | Action::EditApplicants
                | Action::ForwardAppeal
                | Action::AcceptForwardedPart
                | Action::AssignExecutor
                | Action::RecordDecision
                | Action::ExtendTerm
                | Action::RecordCaseEvent
                | Action::ContinueConsideration
                | Action::RequestCorrection
                | Action::CloseAppeal
                | Action::DecideDuplicate
                | Action::EditReception
                | Action::BookReception
                | Action::RecordReceptionOutcome
                | Action::SignApproval
                | Action::SignDecision
        )
    }

    /// The grants of the action: which roles may take it, and how far.
    pub fn grants(self) -> &'static [(Role, Scope)] {
        use Role::*;
        use Scope::*;
        const EVERYONE_OWN: &[(Role, Scope)] = &[
            (Registrar, Own),
            (Executor, Own),
            (Head, Own),
            (DeputyHead, Own),
            (Controller, Own),
            (ReceptionSecretary, Own),
            (Analyst, Own),
            (Admin, Own),
            (Integration, Own),
        ];
        // Reading cards: the workers of a subject read its own; heads, controllers and analysts
        // read their subtree (a ministry above its departments); analysts of the authorized
        // body read all subjects (p.2(6)).
        const READ_CARDS: &[(Role, Scope)] = &[
            (Registrar, Own),
            (Executor, Own),
            (Head, Subtree),
            (DeputyHead, Subtree),
            (Controller, Subtree),
            (ReceptionSecretary, Own),
            (Analyst, All),
            (Admin, Own),
            (Integration, Own),
        ];
        const WORKERS: &[(Role, Scope)] = &[
            (Registrar, Own),
            (Executor, Own),
            (Head, Own),
            (DeputyHead, Own),
            (Integration, Own),
        ];
        const EXECUTORS_AND_HEADS: &[(Role, Scope)] =
            &[(Executor, Own), (Head, Own), (DeputyHead, Own)];
        const REGISTRY: &[(Role, Scope)] = &[(Registrar, Own), (Executor, Own), (Integration, Own)];
        match self {
            Action::ReadOwnAccount | Action::ReadReferenceData => EVERYONE_OWN,
            Action::ReadAppeals => READ_CARDS,
            Action::RegisterAppeal => &[(Registrar, Own), (Integration, Own)],
            Action::EditAppeal => &[
                (Registrar, Own),
                (Executor, Own),
                (Head, Own),
                (DeputyHead, Own),
                (Integration, Own),
            ],
            Action::EditApplicants | Action::LookupRegistry => REGISTRY,
            Action::ForwardAppeal | Action::RecordCaseEvent => WORKERS,
            Action::AssignExecutor => &[(Registrar, Own), (Head, Own), (DeputyHead, Own)],
            // p.11 part 2: the receiving subject's registrar (or its registration system).
            Action::AcceptForwardedPart => &[(Registrar, Own), (Integration, Own)],
            Action::RecordDecision
            | Action::ContinueConsideration
            | Action::RequestCorrection
            | Action::CloseAppeal => EXECUTORS_AND_HEADS,
            Action::ExtendTerm => &[(Head, Own), (DeputyHead, Own)],
            Action::CheckDuplicates => &[(Registrar, Own), (Integration, Own)],
            Action::DecideDuplicate => &[(Registrar, Own)],
            Action::DeliverNotifications => &[
                (Integration, Own),
                (Registrar, Own),
                (Head, Own),
                (DeputyHead, Own),
            ],
            Action::AnalyseCampaigns => &[(Analyst, All)],
            Action::RecalculateDeadlines => &[(Admin, Own)],
            Action::ChangeCalendar | Action::ChangeDictionaries | Action::ChangeConventions => {
                &[(Admin, National)]
            }
            // Personal reception (p.18): the reception office registers and books, the head who
            // receives (or the secretary of the reception) records the outcome; heads and
            // controllers read their subtree, the authorized body's analysts read all (1-ОЛ §5).
            Action::RegisterReception => &[
                (ReceptionSecretary, Own),
                (Registrar, Own),
                (Integration, Own),
            ],
            Action::ReadReceptions => &[
                (Registrar, Own),
                (Head, Subtree),
                (DeputyHead, Subtree),
                (Controller, Subtree),
                (ReceptionSecretary, Own),
                (Analyst, All),
                (Admin, Own),
                (Integration, Own),
            ],
            Action::EditReception => &[
                (ReceptionSecretary, Own),
                (Registrar, Own),
                (Head, Own),
                (DeputyHead, Own),
                (Integration, Own),
            ],
            Action::BookReception => &[
                (ReceptionSecretary, Own),
                (Registrar, Own),
                (Head, Own),
                (DeputyHead, Own),
            ],
            Action::RecordReceptionOutcome => {
                &[(ReceptionSecretary, Own), (Head, Own), (DeputyHead, Own)]
            }
            Action::ManageReceptionSchedules => &[(Admin, Own), (Head, Own)],
            // Report 1-ОЛ (p.32): the authorized body's analysts see every subject; everyone else
            // who reports sees their own subtree. A subject closes its own month.
            Action::ReadReports => &[
                (Registrar, Subtree),
                (Head, Subtree),
                (DeputyHead, Subtree),
                (Controller, Subtree),
                (Analyst, All),
                (Admin, Subtree),
                (Integration, Subtree),
            ],
            Action::CloseReportMonth => &[(Head, Own), (DeputyHead, Own), (Admin, Own)],
            Action::ChangeReportDefinition => &[(Admin, National)],
            // Issue 20: the registry of subjects and the p.25 applications are the authorized
            // body's; each subject's admin keeps its own users.
            Action::ManageSubjects | Action::DecideAccessRequests => &[(Admin, National)],
            Action::ManageUsers => &[(Admin, Own)],
            // R35, R37: the head (or a deputy) signs the approved letter; an answer is signed by
            // whoever records decisions.
            Action::SignApproval => &[(Head, Own), (DeputyHead, Own)],
            Action::SignDecision => EXECUTORS_AND_HEADS,
            // A subscription sees its own subject's events; the authorized body's, every subject's.
            Action::ManageWebhooks => &[(Admin, Own)],
        }
    }

    /// The roles that may take the action at all (anything else is a 403 before any lookup).
    pub fn roles(self) -> impl Iterator<Item = Role> {
        self.grants().iter().map(|(role, _)| *role)
    }

    /// The widest scope any of `roles` holds for the action; `None` when none may take it.
    pub fn scope_for(self, roles: &[Role]) -> Option<Scope> {
        self.grants()
            .iter()
            .filter(|(role, _)| roles.contains(role))
            .map(|(_, scope)| *scope)
            .max()
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What the guard decides for one card, given where it lies relative to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardAccess {
    /// The action may go ahead on this card.
    Allowed,
    /// The card is visible but the action does not reach it: 403.
    Forbidden,
    /// The card is not visible to the caller: 404, its existence does not leak.
    Hidden,
}

/// The guard's rule for one card: `readable` is whether the caller may read it (through
/// `ReadAppeals` or by following its own forwarded parts), `in_reach` whether the card's holder
/// lies within the action's reach.
pub fn card_access(action: Action, readable: bool, in_reach: bool) -> CardAccess {
    match (readable, action.changes_card(), in_reach) {
        (false, _, _) => CardAccess::Hidden,
        (true, false, _) | (true, true, true) => CardAccess::Allowed,
        (true, true, false) => CardAccess::Forbidden,
    }
}

/// The table as Markdown (`docs/security.md` is this text; a test keeps the file equal to it).
pub fn matrix_markdown() -> String {
    let mut out = String::from("| action |");
    for role in Role::ALL {
        out.push_str(&format!(" {} |", role.code()));
    }
    out.push_str("\n|---|");
    for _ in Role::ALL {
        out.push_str("---|");
    }
    out.push('\n');
    for action in Action::ALL {
        out.push_str(&format!("| `{}` |", action.code()));
        for role in Role::ALL {
            let cell = action.scope_for(&[role]).map(Scope::code).unwrap_or("—");
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_list_round_trips_and_rejects_unknown() {
        let roles = vec![Role::Registrar, Role::DeputyHead];
        assert_eq!(Role::parse_list(&Role::format_list(&roles)).unwrap(), roles);
        assert!(
            Role::parse_list("registrar,boss")
                .unwrap_err()
                .contains("boss")
        );
    }

    #[test]
    fn national_configuration_belongs_to_the_authorized_body_only() {
        for action in [
            Action::ChangeCalendar,
            Action::ChangeDictionaries,
            Action::ChangeConventions,
            Action::ManageSubjects,
            Action::DecideAccessRequests,
        ] {
            let scope = action.scope_for(&[Role::Admin]).unwrap();
            assert_eq!(scope.effective(true), Some(Reach::All));
            assert_eq!(scope.effective(false), None);
            assert_eq!(action.scope_for(&[Role::Registrar, Role::Head]), None);
        }
    }

    #[test]
    fn an_analyst_outside_the_authorized_body_reaches_its_subtree() {
        let scope = Action::ReadAppeals.scope_for(&[Role::Analyst]).unwrap();
        assert_eq!(scope.effective(false), Some(Reach::Subtree));
        assert_eq!(scope.effective(true), Some(Reach::All));
        let campaigns = Action::AnalyseCampaigns
            .scope_for(&[Role::Analyst])
            .unwrap();
        assert_eq!(campaigns.effective(false), Some(Reach::Subtree));
    }

    #[test]
    fn the_widest_grant_of_several_roles_wins() {
        assert_eq!(
            Action::ReadAppeals.scope_for(&[Role::Registrar, Role::Head]),
            Some(Scope::Subtree)
        );
        assert_eq!(Action::ExtendTerm.scope_for(&[Role::Registrar]), None);
    }

    #[test]
    fn a_hidden_card_stays_hidden_and_a_visible_one_is_forbidden_out_of_reach() {
        assert_eq!(
            card_access(Action::ReadAppeals, false, false),
            CardAccess::Hidden
        );
        assert_eq!(
            card_access(Action::RecordDecision, false, true),
            CardAccess::Hidden
        );
        assert_eq!(
            card_access(Action::RecordDecision, true, false),
            CardAccess::Forbidden
        );
        assert_eq!(
            card_access(Action::ReadAppeals, true, false),
            CardAccess::Allowed
        );
        assert_eq!(
            card_access(Action::RecordDecision, true, true),
            CardAccess::Allowed
        );
    }

    #[test]
    fn every_action_is_listed_once_and_has_a_grant() {
        let mut codes: Vec<_> = Action::ALL.iter().map(|a| a.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Action::ALL.len());
        assert!(Action::ALL.iter().all(|a| !a.grants().is_empty()));
        assert!(matrix_markdown().contains("| `change_calendar` | — |"));
    }
}
